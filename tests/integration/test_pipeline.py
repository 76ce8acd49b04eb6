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
                "3000",
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
    assert len(truth) == 3000 and len(bad_ids) == 30

    code = main(["run", "--input", str(data / "input"), "--warehouse", "wh", "--run-date", "2025-02-01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "3000 rows read" in out

    quarantine = read_table(spark, f"{warehouse}/silver/quarantine")
    assert (
        sorted(r["record_id"] for r in quarantine.select("record_id", "source_file", "source_row").distinct().collect())
        == bad_ids
    )
    records = read_table(spark, f"{warehouse}/silver/import_records")
    assert records.count() == 3000 - 30
    # Every valid row got its threshold-currency value and the standardised identity fields were filled.
    missing = records.filter("value_threshold_ccy IS NULL OR name_std IS NULL OR address_std IS NULL").count()
    assert missing == 0

    # A second nightly run on the same folder finds nothing new and changes nothing.
    before = read_table(spark, f"{warehouse}/silver/import_records").drop("run_id", "ingested_at").collect()
    assert main(["run", "--input", str(data / "input"), "--warehouse", "wh", "--run-date", "2025-02-02"]) == 0
    assert "0 new file(s)" in capsys.readouterr().out
    after = read_table(spark, f"{warehouse}/silver/import_records").drop("run_id", "ingested_at").collect()
    assert sorted(map(tuple, after)) == sorted(map(tuple, before))
