"""The whole pipeline on generated traffic, through the command line, checked against the generator's truth."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from splitscan.cli import main
from splitscan.storage import read_table, table_exists

pytestmark = pytest.mark.integration


def test_generate_then_run_quarantines_exactly_the_corrupted_rows(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the warehouse is given as a relative path, as `make demo` does
    data, warehouse = tmp_path / "data", tmp_path / "wh"
    assert (
        main(
            [
                "generate",
                "--records",
                "1000",
                "--seed",
                "5",
                "--out",
                str(data),
                "--bad-row-rate",
                "0.01",
                "--start-date",
                "2025-01-01",
                "--end-date",
                "2025-01-31",
            ]
        )
        == 0
    )
    with (data / "truth" / "records.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    bad_ids = sorted(r["record_id"] for r in truth if r["bad_row_reason"])
    assert len(truth) == 1000 and len(bad_ids) == 10

    code = main(["run", "--input", str(data / "input"), "--warehouse", "wh", "--run-date", "2025-02-01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1000 rows read" in out
    assert out.rstrip().splitlines()[-1].startswith("report: ")  # the summary ends with the cases and the report

    quarantine = read_table(spark, f"{warehouse}/silver/quarantine")
    assert (
        sorted(r["record_id"] for r in quarantine.select("record_id", "source_file", "source_row").distinct().collect())
        == bad_ids
    )
    records = read_table(spark, f"{warehouse}/silver/import_records")
    assert records.count() == 1000 - 10
    # Every valid row got its threshold-currency value and the standardised identity fields were filled.
    missing = records.filter("value_threshold_ccy IS NULL OR name_std IS NULL OR address_std IS NULL").count()
    assert missing == 0

    # Resolution ran on every valid record.
    entities = read_table(spark, f"{warehouse}/silver/consignee_entities").select("record_id", "entity_id")
    assert sorted(r["record_id"] for r in entities.collect()) == sorted(r["record_id"] for r in records.collect())

    cases = _check_cases_and_review(spark, warehouse, capsys)

    # A second nightly run on the same folder finds nothing new and changes nothing.
    tables = ("import_records", "consignee_entities")
    before = {t: read_table(spark, f"{warehouse}/silver/{t}").drop("run_id", "ingested_at").collect() for t in tables}
    assert main(["run", "--input", str(data / "input"), "--warehouse", "wh", "--run-date", "2025-02-02"]) == 0
    out = capsys.readouterr().out
    assert "0 new file(s)" in out
    assert "incremental run wrote 0 records into 0 consignee entities" in out
    after = {t: read_table(spark, f"{warehouse}/silver/{t}").drop("run_id", "ingested_at").collect() for t in tables}
    assert {t: sorted(map(tuple, rows)) for t, rows in after.items()} == {
        t: sorted(map(tuple, rows)) for t, rows in before.items()
    }

    # Cases keep their ids and statuses on the next night; the dismissed case (no new parcel) stays down and the
    # others move up one place. Precision by verdicts counts the dismissal, given on the top case.
    dismissed = cases[0]["case_id"]
    expected = []
    for c in cases:
        row = {**c, "last_seen": dt.date(2025, 2, 2)}
        if c["case_id"] == dismissed:
            row |= {"status": "dismissed", "raised": False, "rank": None}
        else:
            row["rank"] = c["rank"] - 1
        expected.append(row)
    assert _case_rows(spark, warehouse) == _by_rank(expected)
    runs = read_table(spark, f"{warehouse}/gold/case_runs").orderBy("created_at").collect()
    assert [(r["cases_active"], r["cases_raised"], r["cases_new"], r["reviewed_in_top_k"]) for r in runs] == [
        (len(cases), len(cases), len(cases), 0),
        (len(cases), len(cases) - 1, 0, 1),
    ]
    assert [r["precision_at_k"] for r in runs] == [None, 0.0]

    # Exports and the report from the command line: the active cases, ranked ones first, the dismissed one last.
    assert main(["export", "cases", "--warehouse", "wh", "--out", "cases.csv"]) == 0
    with (tmp_path / "cases.csv").open(encoding="utf-8", newline="") as fh:
        exported = list(csv.reader(fh))
    assert exported[0] == [
        "case_id", "rank", "score", "case_type", "jurisdiction", "entity_ids", "record_ids", "duty_at_stake", "status",
        "reasons",
    ]  # fmt: skip
    assert [(r[0], r[1], r[8], r[6]) for r in exported[1:]] == [
        (c["case_id"], "" if c["rank"] is None else str(c["rank"]), c["status"], ";".join(c["record_ids"]))
        for c in _by_rank(expected)
    ]
    assert main(["export", "cases", "--warehouse", "wh", "--out", "cases.txt"]) == 2
    assert not (tmp_path / "cases.txt").exists()
    capsys.readouterr()
    assert main(["cases", "report", "--warehouse", "wh", "--run-date", "2025-02-02"]) == 0
    index = Path(capsys.readouterr().out.strip().removeprefix("report: "))
    assert index.resolve() == (warehouse / "reports" / "cases" / "index.html").resolve()
    assert index.is_file()


def _by_rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["case_id"]))


def _case_rows(spark: SparkSession, warehouse: Path) -> list[dict[str, Any]]:
    table = read_table(spark, f"{warehouse}/gold/cases").drop("run_id", "updated_at")
    return _by_rank([r.asDict() for r in table.collect()])


def _check_cases_and_review(
    spark: SparkSession, warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> list[dict[str, Any]]:
    """The cases of the first run against its findings; `cases list`, `cases show`; `review` refused and accepted."""
    cases = _case_rows(spark, warehouse)
    findings = read_table(spark, f"{warehouse}/gold/split_findings").select("finding_id", "record_ids").collect()
    rings = read_table(spark, f"{warehouse}/gold/ring_findings").select("ring_id", "record_ids").collect()
    assert cases, "the generated month has split findings, so the run raises cases"
    # Every finding is in exactly one case; a case's parcels are its findings' parcels.
    assert sorted(f for c in cases for f in c["finding_ids"]) == sorted(f["finding_id"] for f in findings)
    assert sorted(r for c in cases for r in c["ring_ids"]) == sorted(r["ring_id"] for r in rings)
    assert {r for c in cases for r in c["record_ids"]} == {r for f in [*findings, *rings] for r in f["record_ids"]}
    records = read_table(spark, f"{warehouse}/gold/case_records").select("case_id", "record_id").collect()
    assert sorted(map(tuple, records)) == sorted((c["case_id"], r) for c in cases for r in c["record_ids"])
    assert [c["rank"] for c in cases] == list(range(1, len(cases) + 1))
    assert {(c["status"], c["active"], c["raised"], c["scorer"], c["first_seen"]) for c in cases} == {
        ("open", True, True, "base", dt.date(2025, 2, 1))
    }
    top = cases[0]
    assert main(["cases", "list", "--warehouse", "wh", "--top", "3"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[2].split()[:2] == ["1", top["case_id"]] and len(listed) == 2 + min(3, len(cases))
    assert main(["cases", "show", top["case_id"], "--warehouse", "wh"]) == 0
    shown = capsys.readouterr().out
    assert f"  {top['summary']}" in shown and f"  - {top['reasons'][0]}" in shown

    # An unknown case id or verdict is refused and nothing is written.
    review = ["--reviewer", "kim", "--warehouse", "wh"]
    assert main(["review", "C-000000000000", "--verdict", "dismissed", *review]) == 2
    assert main(["review", top["case_id"], "--verdict", "fraud", *review]) == 2
    assert not table_exists(spark, f"{warehouse}/gold/case_reviews")
    assert main(["review", top["case_id"], "--verdict", "dismissed", "--note", "carrier split", *review]) == 0
    capsys.readouterr()
    reviews = read_table(spark, f"{warehouse}/gold/case_reviews").collect()
    assert [(r["case_id"], r["verdict"], r["note"], r["case_rank"], r["record_ids"]) for r in reviews] == [
        (top["case_id"], "dismissed", "carrier split", 1, top["record_ids"])
    ]
    return cases
