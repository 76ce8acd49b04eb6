"""Ring detection end to end on generated traffic: table, pictures, stable ids, an idempotent re-run, and a failed
run that leaves table and pictures as they were.

Entities come from the generator's ground truth (one entity per person), written through the storage module
with the resolution contract: the test covers the rings job, not resolution, and stays fast.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from splitscan.cli import main
from splitscan.config import Config
from splitscan.contracts import Contract, ContractViolation, load_contract
from splitscan.pipelines import ingest, rings
from splitscan.pipelines.rings import RingResult
from splitscan.storage import append, ensure_table, overwrite_partition, read_table, table_exists

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ring_warehouse(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Generated traffic with injected rings, ingested, with the truth's entities and no hubs: `(data, warehouse)`."""
    tmp_path = tmp_path_factory.mktemp("rings")
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
    return data, warehouse


def test_rings_job_writes_findings_and_pictures_and_reruns_identically(
    spark: SparkSession, ring_warehouse: tuple[Path, Path]
) -> None:
    data, warehouse = ring_warehouse
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


def _finding(spark: SparkSession, *, score: float) -> DataFrame:
    """One ring finding as `find_rings` returns it: the contract's columns but the run's own."""
    values: dict[str, object] = {
        "ring_id": "R00000000000000a1",
        "score": score,
        "reasons": ["3 consignees (3 independent parties) linked by shared phone=P1 (3 members)"],
        "members": ["E1", "E2", "E3"],
        "n_members": 3,
        "n_parties": 3,
        "organiser": "E1",
        "record_ids": ["r1", "r2", "r3"],
        "n_records": 3,
        "edges": ["E1 -- E2 (weight 2.5, ring): phone=P1, seller=S1"],
        "shared_attributes": ["phone=P1 (3 members)"],
        "sellers_in_common": ["S1 (3 parcels, 3 members)"],
        "common_seller_share": 1.0,
        "parcels_under_threshold": 3,
        "under_threshold_share": 1.0,
        "max_window_ratio": 1.5,
        "windows_over_threshold": 1,
        "value_at_stake_usd": 225.0,
        "duty_at_stake_usd": 40.5,
        "density": 1.0,
        "max_core": 2,
        "bridges": [],
    }
    fields = [f for f in load_contract("gold/ring_findings").schema.fields if f.name in values]
    return spark.createDataFrame([tuple(values[f.name] for f in fields)], StructType(fields))


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


def test_a_refused_or_failed_run_leaves_pictures_and_table_as_they_were(
    spark: SparkSession, ring_warehouse: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ring computation is fixed (one finding): what is tested is what `run` publishes when it cannot finish.
    _data, warehouse = ring_warehouse
    config, table = Config(warehouse=str(warehouse)), f"{warehouse}/gold/ring_findings"
    edges = spark.createDataFrame(
        [("E1", "E2", ["phone=P1"]), ("E2", "E3", ["phone=P1"])], "src string, dst string, evidence array<string>"
    )
    nothing = spark.createDataFrame([], "node string")

    def rows() -> list[tuple[object, ...]]:
        if not table_exists(spark, table):
            return []
        return sorted((r["run_date"], r["ring_id"], r["picture_path"]) for r in read_table(spark, table).collect())

    def rings_found(findings: DataFrame) -> Callable[..., RingResult]:
        return lambda *_args, **_kwargs: RingResult(findings=findings, edges=edges, groups=nothing, analysis=nothing)

    pictures_before, rows_before = _tree(warehouse / "reports"), rows()

    # Refused: a score outside 0-100 breaks the contract, after the picture was drawn.
    monkeypatch.setattr(rings, "find_rings", rings_found(_finding(spark, score=150.0)))
    with pytest.raises(ContractViolation, match="gold/ring_findings"):
        rings.run(spark, config, run_date=dt.date(2025, 3, 2))
    assert rows() == rows_before
    assert _tree(warehouse / "reports") == pictures_before  # no new or staged picture

    # Failed: the partition is written, then the run fails; the table is restored, and so must the pictures be.
    real_write = overwrite_partition
    written: list[str] = []

    def write_then_fail(df: DataFrame, path: str, contract: Contract, predicate: str) -> int:
        written.append(predicate)
        real_write(df, path, contract, predicate)
        raise OSError("disk full")

    monkeypatch.setattr(rings, "find_rings", rings_found(_finding(spark, score=80.0)))
    monkeypatch.setattr(rings, "overwrite_partition", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        rings.run(spark, config, run_date=dt.date(2025, 3, 2))
    assert written == ["run_date = '2025-03-02'"]
    assert rows() == rows_before
    assert _tree(warehouse / "reports") == pictures_before
