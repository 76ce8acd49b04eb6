"""Consignee resolution end to end on generated traffic: tables, export, stable ids and accuracy floor."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import defaultdict
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from splitscan.cli import main
from splitscan.config import Config
from splitscan.pipelines import ingest
from splitscan.storage import read_table

pytestmark = pytest.mark.integration


def _pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {p for members in groups.values() for p in itertools.combinations(sorted(members), 2)}


def test_resolve_export_and_rerun(spark: SparkSession, tmp_path: Path) -> None:
    data, warehouse = tmp_path / "data", tmp_path / "wh"
    assert (
        main(
            [
                "generate",
                "--records",
                "2000",
                "--seed",
                "9",
                "--out",
                str(data),
                "--bad-row-rate",
                "0",
                "--start-date",
                "2025-01-01",
                "--end-date",
                "2025-03-31",
            ]
        )
        == 0
    )
    ingest.run(spark, Config(warehouse=str(warehouse)), input_path=str(data / "input"), run_date=dt.date(2025, 4, 1))

    args = ["--warehouse", str(warehouse), "--run-date", "2025-04-01"]
    assert main(["resolve", *args]) == 0
    out = tmp_path / "entities.csv"
    assert main(["export", "entities", "--out", str(out), *args]) == 0
    with out.open(encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    records = {r["record_id"] for r in read_table(spark, f"{warehouse}/silver/import_records").collect()}
    assert sorted(r["record_id"] for r in exported) == sorted(records)  # every record once, nothing else

    # Re-running on unchanged records keeps every entity id.
    assert main(["resolve", *args]) == 0
    again = {
        r["record_id"]: r["entity_id"] for r in read_table(spark, f"{warehouse}/silver/consignee_entities").collect()
    }
    assert again == {r["record_id"]: r["entity_id"] for r in exported}

    with (data / "truth" / "records.csv").open(encoding="utf-8") as fh:
        truth = {r["record_id"]: r for r in csv.DictReader(fh)}
    # Nominee-ring records are disputed identities by design; the issue reports them separately.
    kept = [r for r in exported if truth[r["record_id"]]["scheme_type"] != "nominee_ring"]
    by_entity: dict[str, list[str]] = defaultdict(list)
    by_person: dict[str, list[str]] = defaultdict(list)
    for r in kept:
        by_entity[r["entity_id"]].append(r["record_id"])
        by_person[truth[r["record_id"]]["person_id"]].append(r["record_id"])
    predicted, true = _pairs(by_entity), _pairs(by_person)
    tp = len(predicted & true)
    precision, recall = tp / len(predicted), tp / len(true)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.97, (precision, recall, f1)
