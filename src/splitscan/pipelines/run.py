"""`splitscan run`: every pipeline stage that exists, in order, for one run date."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.pipelines import ingest, resolve

__all__ = ["RunResult", "run"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    """Results of each stage of one run."""

    ingest: ingest.IngestResult
    resolve: resolve.Resolution
    tables: dict[str, str]
    records_total: int

    def describe(self) -> str:
        lines = [
            self.ingest.describe(),
            "",
            f"import_records now holds {self.records_total} records",
            "",
            self.resolve.describe(),
            "",
            "tables:",
        ]
        lines += [f"  {name:<24} {path}" for name, path in self.tables.items()]
        return "\n".join(lines)


def run(spark: SparkSession, config: Config, *, input_path: str, run_date: dt.date) -> RunResult:
    """Run the pipeline: ingest, then resolution (incremental after the first run)."""
    ingested = ingest.run(spark, config, input_path=input_path, run_date=run_date)
    resolved = resolve.run(spark, config, run_date=run_date)
    names = (
        ingest.RECORDS,
        ingest.QUARANTINE,
        ingest.INGEST_LOG,
        resolve.ENTITIES,
        resolve.HUBS,
        resolve.CHAINS,
        resolve.FEATURES,
        resolve.MODELS,
    )
    tables = {name: config.table_path(*name.split("/")) for name in names}
    total = spark.read.format("delta").load(tables[ingest.RECORDS]).select(F.count(F.lit(1))).first()
    return RunResult(ingest=ingested, resolve=resolved, tables=tables, records_total=int(total[0]) if total else 0)
