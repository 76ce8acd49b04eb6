"""Ring detection end to end on generated traffic: table, pictures, stable ids and an idempotent re-run.

Entities come from the generator's ground truth (one entity per person), written through the storage module
with the resolution contract: the test covers the rings job, not resolution, and stays fast.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.cli import main
from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.pipelines import ingest
from splitscan.storage import append, ensure_table, read_table

pytestmark = pytest.mark.integration


def test_rings_job_writes_findings_and_pictures_and_reruns_identically(spark: SparkSession, tmp_path: Path) -> None:
    data, warehouse = tmp_path / "data", tmp_path / "wh"
    generated = main(
        [
            "generate",
            "--records",
            "800",
            "--seed",
            "5",
            "--out",
            str(data),
            "--bad-row-rate",
            "0",
            "--fraud-rate",
            "0.3",
            "--jurisdictions",
            "KR",
            "--start-date",
            "2025-01-01",
            "--end-date",
            "2025-02-28",
        ]
    )
    assert generated == 0
    ingest.run(spark, Config(warehouse=str(warehouse)), input_path=str(data / "input"), run_date=dt.date(2025, 3, 1))
    truth = spark.read.option("header", True).csv(str(data / "truth" / "records.csv"))
    entities = truth.select(
        "record_id",
        F.concat(F.lit("E"), "person_id").alias("entity_id"),
        F.lit(1).cast("long").alias("cluster_size"),
        F.lit("strong").alias("joined_by"),
        F.array().cast("array<string>").alias("link_evidence"),
        F.lit("test").alias("run_id"),
        F.current_timestamp().alias("resolved_at"),
    )
    append(entities, f"{warehouse}/silver/consignee_entities", load_contract("silver/consignee_entities"))
    ensure_table(spark, f"{warehouse}/silver/hub_attributes", load_contract("silver/hub_attributes"))
    args = ["--warehouse", str(warehouse), "--run-date", "2025-03-01"]

    assert main(["rings", *args]) == 0
    first = read_table(spark, f"{warehouse}/gold/ring_findings").collect()
    assert main(["rings", *args]) == 0
    again = read_table(spark, f"{warehouse}/gold/ring_findings").collect()

    assert first, "no ring found in traffic with injected nominee rings"
    assert sorted((r["ring_id"], r["members"], r["score"]) for r in again) == sorted(
        (r["ring_id"], r["members"], r["score"]) for r in first
    )
    pictures = [Path(r["picture_path"]) for r in again if r["picture_path"]]
    assert pictures and all(p.read_text(encoding="utf-8").lstrip().startswith("<?xml") for p in pictures)
    assert all(p.parent == warehouse / "reports" / "rings" for p in pictures)

    with (data / "truth" / "records.csv").open(encoding="utf-8") as fh:
        ring_records = {r["record_id"] for r in csv.DictReader(fh) if r["scheme_type"] == "nominee_ring"}
    best = max(again, key=lambda r: r["score"])
    assert len(set(best["record_ids"]) & ring_records) * 2 >= len(best["record_ids"])  # the top finding is a ring
