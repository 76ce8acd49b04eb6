"""Consignee resolution end to end on generated traffic: first run, incremental run, full rebuild, export, floor.

One scenario, because each resolution costs Spark minutes: January-February is ingested and resolved (the first
run trains the model), March arrives and is matched incrementally, then a full rebuild must reproduce the
incremental entities record for record, ids included.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import shutil
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


def _entities(spark: SparkSession, warehouse: Path) -> dict[str, str]:
    rows = read_table(spark, f"{warehouse}/silver/consignee_entities").select("record_id", "entity_id").collect()
    return {r["record_id"]: r["entity_id"] for r in rows}


def _split_by_month(src: Path, first: Path, second: Path) -> None:
    """Input folders are one per arrival day (`YYYY-MM-DD`): Jan-Feb to `first`, March to `second`."""
    for day in src.iterdir():
        shutil.copytree(day, (second if day.name >= "2025-03-01" else first) / day.name)


def test_first_incremental_and_full_runs(spark: SparkSession, tmp_path: Path) -> None:
    data, warehouse = tmp_path / "data", tmp_path / "wh"
    generated = [
        "generate",
        *("--records", "1600", "--seed", "9", "--out", str(data), "--bad-row-rate", "0"),
        *("--start-date", "2025-01-01", "--end-date", "2025-03-31"),
    ]
    assert main(generated) == 0
    _split_by_month(data / "input", tmp_path / "jan_feb", tmp_path / "march")
    config = Config(warehouse=str(warehouse))
    args = ["--warehouse", str(warehouse)]

    ingest.run(spark, config, input_path=str(tmp_path / "jan_feb"), run_date=dt.date(2025, 3, 1))
    assert main(["resolve", *args, "--run-date", "2025-03-01"]) == 0
    first = _entities(spark, warehouse)
    models = read_table(spark, f"{warehouse}/silver/match_models").collect()
    assert len(models) == 1

    ingest.run(spark, config, input_path=str(tmp_path / "march"), run_date=dt.date(2025, 4, 1))
    assert main(["resolve", *args, "--run-date", "2025-04-01"]) == 0
    incremental = _entities(spark, warehouse)
    records = {r["record_id"] for r in read_table(spark, f"{warehouse}/silver/import_records").collect()}
    assert set(incremental) == records
    assert len(read_table(spark, f"{warehouse}/silver/resolve_features").collect()) == len(records)
    assert len(read_table(spark, f"{warehouse}/silver/match_models").collect()) == 1  # scored, not retrained

    # Stable ids: an entity of the first run stays whole, and the entity it is in carries one of the ids of the
    # first-run entities it holds (its own, or the larger one's after a merge).
    first_ids: dict[str, set[str]] = defaultdict(set)
    for record, entity in first.items():
        first_ids[entity].add(incremental[record])
    assert all(len(now) == 1 for now in first_ids.values())
    holders: dict[str, set[str]] = defaultdict(set)
    for old, now in first_ids.items():
        holders[next(iter(now))].add(old)
    assert all(now in olds for now, olds in holders.items())

    # The full rebuild with the same model gives the same entities, under the same ids.
    assert main(["resolve", *args, "--run-date", "2025-04-01", "--full"]) == 0
    assert _entities(spark, warehouse) == incremental

    out = tmp_path / "entities.csv"
    assert main(["export", "entities", "--out", str(out), *args, "--run-date", "2025-04-01"]) == 0
    with out.open(encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    assert {r["record_id"]: r["entity_id"] for r in exported} == incremental
    assert len(exported) == len(records)

    with (data / "truth" / "records.csv").open(encoding="utf-8") as fh:
        truth = {r["record_id"]: r for r in csv.DictReader(fh)}
    # Nominee-ring records are disputed identities by design; the issue reports them separately.
    by_entity: dict[str, list[str]] = defaultdict(list)
    by_person: dict[str, list[str]] = defaultdict(list)
    for record, entity in incremental.items():
        if truth[record]["scheme_type"] != "nominee_ring":
            by_entity[entity].append(record)
            by_person[truth[record]["person_id"]].append(record)
    predicted, true = _pairs(by_entity), _pairs(by_person)
    tp = len(predicted & true)
    precision, recall = tp / len(predicted), tp / len(true)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.97, (precision, recall, f1)
