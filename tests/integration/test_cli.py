from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from splitscan.cli import main
from splitscan.contracts import load_contract

pytestmark = pytest.mark.integration

COLUMNS = load_contract("raw/import_declarations").column_names


def _write(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows([["" if r.get(c) is None else r[c] for c in columns] for r in rows])


def test_validate_reports_rules_and_writes_data_docs(
    spark: SparkSession,
    tmp_path: Path,
    raw_row: Callable[..., dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _write(tmp_path / "in" / "a.csv", [raw_row(record_id="V1"), raw_row(record_id="V2", channel="drone")], COLUMNS)
    code = main(["validate", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh"), "--run-date", "2025-03-31"])
    out = capsys.readouterr().out
    assert code == 0
    assert "validated 2 rows in 1 file(s) against raw/import_declarations" in out
    assert "FAILED  expect_column_values_to_be_in_set(channel)  [flag]  1/2 rows unexpected" in out
    assert (
        f"e.g. file:{tmp_path}/in/a.csv row 2: channel = 'drone' is not one of ['postal', 'express', 'ecommerce']"
        in out
    )
    assert "blocking failures: 0" in out
    assert (tmp_path / "wh" / "data_docs" / "index.html").is_file()
    assert not (tmp_path / "wh" / "silver").exists()  # validate writes no table

    strict = main(["validate", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh"), "--strict"])
    assert strict == 0  # a flag is not a quarantine


def test_validate_exits_non_zero_on_a_blocking_failure(
    spark: SparkSession,
    tmp_path: Path,
    raw_row: Callable[..., dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    cols = [c for c in COLUMNS if c != "currency"]
    _write(tmp_path / "in" / "nocur.csv", [raw_row(record_id="W1")], cols)
    code = main(["validate", str(tmp_path / "in"), "--warehouse", str(tmp_path / "wh"), "--run-date", "2025-03-31"])
    out = capsys.readouterr().out
    assert code == 1
    assert "schema_required_column(currency): 1 rows" in out
    assert f"e.g. file:{tmp_path}/in/nocur.csv row 1: the file has no column 'currency'" in out


def test_missing_input_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", "--input", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh")])
    assert code == 2
    assert f"input path {tmp_path}/nope does not exist" in capsys.readouterr().err
