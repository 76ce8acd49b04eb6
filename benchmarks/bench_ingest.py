"""Ingest benchmark: records/s and peak memory for generated records, CSV and Parquet input.

Baseline, measured in the same run on the same files: a plain Spark read of the files written straight to a Delta
table (no typing, no checks, no FX, no standardisation, no merge). The ratio ingest/baseline is the cost of
validated ingest and is less sensitive to the noise of this shared machine than the raw seconds.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from _common import machine, measure, write_result
from splitscan.config import Config, SparkSettings
from splitscan.pipelines import ingest
from splitscan.session import build_session
from splitscan.synth import SynthConfig, generate

WORK = Path(__file__).resolve().parents[1] / "build" / "bench" / "ingest"


def _data(records: int, fmt: str) -> Path:
    out = WORK / f"data-{records}-{fmt}"
    marker = out / ".complete"
    if not marker.exists():
        shutil.rmtree(out, ignore_errors=True)
        with measure() as m:
            generate(SynthConfig(records=records, seed=11, file_format=fmt), out_dir=out)
        marker.write_text(f"{m.seconds:.1f}\n")
    return out / "input"


def _baseline(spark: SparkSession, input_dir: Path, fmt: str, target: Path) -> None:
    reader = spark.read
    df = (
        reader.option("header", True).option("multiLine", True).csv(str(input_dir), recursiveFileLookup=True)
        if fmt == "csv"
        else reader.option("recursiveFileLookup", True).parquet(str(input_dir))
    )
    df.write.format("delta").mode("overwrite").save(str(target))


def run(records: int, formats: tuple[str, ...] = ("csv", "parquet")) -> dict[str, Any]:
    spark = build_session(SparkSettings(app_name="bench-ingest", driver_memory="4g", shuffle_partitions=8))
    results: dict[str, Any] = {"records": records, "machine": machine(), "formats": {}}
    for fmt in formats:
        input_dir = _data(records, fmt)
        warehouse = WORK / f"warehouse-{fmt}"
        shutil.rmtree(warehouse, ignore_errors=True)
        with measure() as base:
            _baseline(spark, input_dir, fmt, WORK / f"baseline-{fmt}")
        config = Config(warehouse=str(warehouse))
        with measure() as m:
            result = ingest.run(spark, config, input_path=str(input_dir), run_date=dt.date(2026, 11, 30))
        results["formats"][fmt] = {
            "ingest_seconds": round(m.seconds, 1),
            "ingest_records_per_s": round(result.rows_read / m.seconds),
            "ingest_peak_rss_mib": round(m.peak_rss_mib),
            "baseline_seconds": round(base.seconds, 1),
            "baseline_peak_rss_mib": round(base.peak_rss_mib),
            "ratio_ingest_to_baseline": round(m.seconds / base.seconds, 2),
            "rows_read": result.rows_read,
            "rows_valid": result.rows_valid,
            "rows_quarantined": result.rows_quarantined,
            "files": result.files,
        }
    spark.stop()
    write_result(f"ingest-{records}", results)
    return results
