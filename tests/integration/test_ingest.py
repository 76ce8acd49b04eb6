from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.config import Config
from splitscan.contracts import ContractViolation, load_contract
from splitscan.pipelines import ingest
from splitscan.storage import read_table, table_version

pytestmark = pytest.mark.integration

RUN_DATE = dt.date(2025, 3, 31)
COLUMNS = load_contract("raw/import_declarations").column_names


def write_csv(
    path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None, mtime: int | None = None
) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = columns or COLUMNS
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in cols])
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return f"file:{path}"


def tables(spark: SparkSession, config: Config) -> dict[str, list[tuple[Any, ...]]]:
    """Whole contents of the three tables, as sorted tuples (without run-dependent columns)."""
    records = read_table(spark, config.table_path("silver", "import_records")).drop("run_id", "ingested_at")
    quarantine = read_table(spark, config.table_path("silver", "quarantine")).drop("run_id", "quarantined_at")
    log = read_table(spark, config.table_path("silver", "ingest_log")).drop("run_id", "ingested_at")
    return {
        name: sorted(tuple(r) for r in df.collect())
        for name, df in (("records", records), ("quarantine", quarantine), ("log", log))
    }


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    return Config(warehouse=str(tmp_path / "wh"))


def test_ingest_routes_rows_and_logs_the_file(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    src = write_csv(
        tmp_path / "in" / "day1.csv",
        [
            raw_row(record_id="A1", declared_value="100.00", currency="CNY", consignee_phone="+82 10-1234-5678"),
            raw_row(record_id="A2", channel="courier"),
            raw_row(record_id="A3", currency="XXX"),
            raw_row(record_id="A4", declared_value="-1"),
        ],
    )
    result = ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    assert (
        result.files,
        result.rows_read,
        result.rows_valid,
        result.rows_quarantined,
        result.rows_flagged,
    ) == (
        1,
        4,
        2,
        2,
        1,
    )
    assert dict(result.quarantined_by_rule) == {
        "fx_rate(currency)": 1,
        "expect_column_values_to_be_between(declared_value)": 1,
    }

    records = read_table(spark, config.table_path("silver", "import_records")).select(
        "record_id",
        "source_file",
        "source_row",
        "threshold_currency",
        "phone_std",
        "quality_flags",
        "arrival_month",
    )
    expected = spark.createDataFrame(
        [
            ("A1", src, 1, "USD", "821012345678", [], "2025-03"),
            (
                "A2",
                src,
                2,
                "USD",
                "821012345678",
                [
                    "expect_column_values_to_be_in_set: "
                    "channel = 'courier' is not one of ['postal', 'express', 'ecommerce']"
                ],
                "2025-03",
            ),
        ],
        "record_id string, source_file string, source_row long, threshold_currency string, phone_std string, "
        "quality_flags array<string>, arrival_month string",
    )
    assert_df_equality(records, expected, ignore_row_order=True, ignore_nullable=True)

    quarantine = read_table(spark, config.table_path("silver", "quarantine")).select(
        "source_file", "source_row", "record_id", "rule", "field", "reason", "run_date"
    )
    expected_q = spark.createDataFrame(
        [
            (
                src,
                3,
                "A3",
                "fx_rate",
                "currency",
                "no FX rate for currency XXX on 2025-03-04 (latest within 7 days)",
                RUN_DATE,
            ),
            (
                src,
                4,
                "A4",
                "expect_column_values_to_be_between",
                "declared_value",
                "declared_value = '-1.00' is not between 0 and 1000000000",
                RUN_DATE,
            ),
        ],
        "source_file string, source_row long, record_id string, rule string, field string, reason string, "
        "run_date date",
    )
    assert_df_equality(quarantine, expected_q, ignore_row_order=True, ignore_nullable=True)
    raw = read_table(spark, config.table_path("silver", "quarantine")).filter("record_id = 'A4'").first()
    assert raw is not None and '"declared_value":"-1"' in raw["raw_record"]

    log = read_table(spark, config.table_path("silver", "ingest_log")).select(
        "file_path",
        "file_format",
        "status",
        "rows_read",
        "rows_valid",
        "rows_quarantined",
        "rows_flagged",
        "message",
    )
    assert [tuple(r) for r in log.collect()] == [(src, "csv", "ingested", 4, 2, 2, 1, None)]


def test_fx_conversion_is_stored_exactly(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    write_csv(
        tmp_path / "in" / "a.csv",
        [raw_row(record_id="U1", declared_value="150.00", currency="USD", destination_country="US")],
    )
    ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    row = read_table(spark, config.table_path("silver", "import_records")).first()
    assert row is not None
    assert (row["threshold_currency"], row["value_threshold_ccy"], row["value_usd"], row["fx_rate_date"]) == (
        "USD",
        Decimal("150.00"),
        Decimal("150.00"),
        dt.date(2025, 3, 4),
    )


def test_same_file_twice_changes_nothing_and_a_resend_updates(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    rows = [raw_row(record_id="B1"), raw_row(record_id="B2", declared_value="-3")]
    write_csv(tmp_path / "in" / "d1.csv", rows)
    ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    first = tables(spark, config)

    again = ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    assert again.files == 0
    assert tables(spark, config) == first

    # The same records under another file name: the records table is unchanged (identical hash, no rewrite).
    write_csv(tmp_path / "in2" / "copy.csv", [raw_row(record_id="B1")])
    copy = ingest.run(spark, config, input_path=str(tmp_path / "in2"), run_date=RUN_DATE)
    assert (copy.records_inserted, copy.records_updated) == (0, 0)
    assert tables(spark, config)["records"] == first["records"]

    # A corrected re-send (same record_id, new value) updates the row in place.
    src = write_csv(tmp_path / "in3" / "fix.csv", [raw_row(record_id="B1", declared_value="99.50")])
    fix = ingest.run(spark, config, input_path=str(tmp_path / "in3"), run_date=RUN_DATE)
    assert (fix.records_inserted, fix.records_updated) == (0, 1)
    got = read_table(spark, config.table_path("silver", "import_records")).select(
        "record_id", "declared_value", "source_file"
    )
    assert [tuple(r) for r in got.collect()] == [("B1", Decimal("99.50"), src)]


def test_latest_copy_in_a_batch_wins(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    old = write_csv(tmp_path / "in" / "a.csv", [raw_row(record_id="C1", declared_value="10")], mtime=1_700_000_000)
    new = write_csv(tmp_path / "in" / "b.csv", [raw_row(record_id="C1", declared_value="20")], mtime=1_700_000_100)
    ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    rec = read_table(spark, config.table_path("silver", "import_records")).select("declared_value", "source_file")
    assert [tuple(r) for r in rec.collect()] == [(Decimal("20.00"), new)]
    q = read_table(spark, config.table_path("silver", "quarantine")).select("source_file", "rule", "reason")
    assert [tuple(r) for r in q.collect()] == [
        (
            old,
            "expect_column_values_to_be_unique",
            f"record_id = 'C1' is repeated in this batch; kept {new} row 1",
        )
    ]


def test_file_without_a_required_column_is_rejected_whole(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    cols = [c for c in COLUMNS if c != "currency"]
    src = write_csv(tmp_path / "in" / "nocur.csv", [raw_row(record_id="D1"), raw_row(record_id="D2")], cols)
    write_csv(tmp_path / "in" / "ok.csv", [raw_row(record_id=f"E{i}") for i in range(20)])
    result = ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    assert (result.rows_valid, result.rows_quarantined) == (20, 2)
    q = read_table(spark, config.table_path("silver", "quarantine")).select(
        "source_row", "record_id", "rule", "field", "reason"
    )
    assert sorted(tuple(r) for r in q.collect()) == [
        (1, "D1", "schema_required_column", "currency", "the file has no column 'currency'"),
        (2, "D2", "schema_required_column", "currency", "the file has no column 'currency'"),
    ]
    log = read_table(spark, config.table_path("silver", "ingest_log")).filter(f"file_path = '{src}'")
    assert [tuple(r) for r in log.select("status", "message").collect()] == [
        ("rejected", "missing required column(s): currency")
    ]


def test_blocking_failure_refuses_the_batch_and_writes_nothing(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    rows = [raw_row(record_id=f"F{i}", consignee_name=None if i < 3 else "LEE") for i in range(10)]
    write_csv(tmp_path / "in" / "broken.csv", rows)
    with pytest.raises(ContractViolation, match=r"expect_column_values_to_not_be_null\(consignee_name\): 3 of 10"):
        ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    for name in ("import_records", "quarantine", "ingest_log"):
        assert table_version(spark, config.table_path("silver", name)) == 0  # created empty, never written


def test_a_run_failing_half_way_leaves_every_table_as_it_was(
    spark: SparkSession,
    tmp_path: Path,
    config: Config,
    raw_row: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_csv(tmp_path / "in" / "d1.csv", [raw_row(record_id="G1")])
    ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    before = tables(spark, config)

    write_csv(tmp_path / "in" / "d2.csv", [raw_row(record_id="G2"), raw_row(record_id="G3", currency="ZZZ")])
    real_merge = ingest.merge_on_keys
    calls: list[str] = []

    def failing_merge(df: Any, path: str, contract: Any, **kw: Any) -> Any:
        calls.append(contract.name)
        if contract.name == "ingest_log":  # the last write: records and quarantine are already merged
            raise OSError("disk full")
        return real_merge(df, path, contract, **kw)

    monkeypatch.setattr(ingest, "merge_on_keys", failing_merge)
    with pytest.raises(OSError, match="disk full"):
        ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    assert calls == ["import_records", "quarantine", "ingest_log"]
    assert tables(spark, config) == before

    monkeypatch.setattr(ingest, "merge_on_keys", real_merge)
    retry = ingest.run(spark, config, input_path=str(tmp_path / "in"), run_date=RUN_DATE)
    assert (retry.files, retry.rows_valid, retry.rows_quarantined) == (1, 1, 1)


def test_jsonl_and_parquet_inputs(
    spark: SparkSession, tmp_path: Path, config: Config, raw_row: Callable[..., dict[str, Any]]
) -> None:
    import json

    import pandas as pd

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps({k: v for k, v in raw_row(record_id="J1").items() if v is not None}) + "\n{not json\n"
    )
    pd.DataFrame([raw_row(record_id="P1")]).astype("string").to_parquet(folder / "b.parquet")
    result = ingest.run(spark, config, input_path=str(folder), run_date=RUN_DATE)
    assert (result.rows_read, result.rows_valid, result.rows_quarantined) == (3, 2, 1)
    q = read_table(spark, config.table_path("silver", "quarantine")).select("source_row", "rule", "reason")
    assert [tuple(r) for r in q.collect()] == [(2, "malformed_row", "malformed row: {not json")]
