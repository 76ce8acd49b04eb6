"""The whole pipeline on generated traffic, through the command line, checked against the generator's truth."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from splitscan.cli import main
from splitscan.storage import read_table

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
