"""`splitscan run`: every pipeline stage, in order, for one run date."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.pipelines import cases, detect, ingest, resolve, rings
from splitscan.storage import table_exists

__all__ = ["RunResult", "run"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    """Results of each stage of one run."""

    ingest: ingest.IngestResult
    resolve: resolve.Resolution
    detect: detect.DetectResult
    rings: rings.RingResult
    cases: cases.CaseResult
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
            self.detect.describe(),
            "",
            "top rings:",
            self.rings.describe(top=5),
            "",
            "tables:",
        ]
        lines += [f"  {name:<24} {path}" for name, path in self.tables.items()]
        # The investigators' view last: the top cases and where the report is.
        lines += ["", self.cases.describe(top=10)]
        return "\n".join(lines)


def run(spark: SparkSession, config: Config, *, input_path: str, run_date: dt.date) -> RunResult:
    """Run the pipeline: ingest, resolution (incremental after the first run), split detection, ring detection,
    cases (with the HTML report).

    The first detection run evaluates the whole history; later runs rewrite the months a new record can change.
    """
    ingested = ingest.run(spark, config, input_path=input_path, run_date=run_date)
    resolved = resolve.run(spark, config, run_date=run_date)
    first_detection = not table_exists(spark, config.table_path(*detect.FINDINGS.split("/")))
    lookback = None if first_detection else detect.DEFAULT_LOOKBACK_DAYS
    detected = detect.run(spark, config, run_date=run_date, lookback_days=lookback)
    ringed = rings.run(spark, config, run_date=run_date)
    cased = cases.run(spark, config, run_date=run_date)
    names = (
        ingest.RECORDS,
        ingest.QUARANTINE,
        ingest.INGEST_LOG,
        resolve.ENTITIES,
        resolve.HUBS,
        resolve.CHAINS,
        resolve.FEATURES,
        resolve.MODELS,
        resolve.TERM_FREQUENCIES,
        detect.FINDINGS,
        rings.FINDINGS,
        cases.CASES,
        cases.CASE_RECORDS,
        cases.CASE_REVIEWS,
        cases.CASE_RUNS,
    )
    tables = {name: config.table_path(*name.split("/")) for name in names}
    total = spark.read.format("delta").load(tables[ingest.RECORDS]).select(F.count(F.lit(1))).first()
    return RunResult(
        ingest=ingested,
        resolve=resolved,
        detect=detected,
        rings=ringed,
        cases=cased,
        tables=tables,
        records_total=int(total[0]) if total else 0,
    )
