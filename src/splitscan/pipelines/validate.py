"""`splitscan validate`: check input files against the raw contract without writing any table."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.ingest.readers import SOURCE_FILE, SOURCE_ROW, VIOLATIONS, discover_files
from splitscan.pipelines.ingest import RAW, judged_rows, prepare_batch, run_parameters
from splitscan.quality.gx import ValidationReport, validate_with_gx

__all__ = ["BuiltinRule", "ValidationSummary", "run"]

logger = logging.getLogger(__name__)

EXAMPLES_PER_RULE = 3
# Rules that make a whole file unusable: `validate` exits non-zero when any fails.
FILE_LEVEL_RULES = ("schema_required_column",)


@dataclass(frozen=True)
class BuiltinRule:
    """Failures of one (rule, field, action) found by Spark row routing, with a few located examples."""

    rule: str
    field: str
    action: str
    rows: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ValidationSummary:
    """What `validate` found: GX's per-rule verdicts and the row-level failures with examples."""

    files: int
    rows: int
    gx: ValidationReport
    row_failures: tuple[BuiltinRule, ...]

    @property
    def blocking(self) -> list[str]:
        """Failures that would refuse the batch or a whole file at ingest."""
        out = list(self.gx.blocking_failures)
        out += [f"{r.rule}({r.field}): {r.rows} rows" for r in self.row_failures if r.rule in FILE_LEVEL_RULES]
        return out

    def describe(self) -> str:
        """The per-rule report printed by the command."""
        lines = [
            f"validated {self.rows} rows in {self.files} file(s) against {RAW}",
            "",
            "Great Expectations rules:",
        ]
        for r in self.gx.results:
            verdict = "passed" if r.success else "FAILED"
            tag = f"{r.action}{', blocking' if r.blocking else ''}"
            lines.append(f"  {verdict:<6}  {r.label}  [{tag}]  {r.unexpected_count}/{r.element_count} rows unexpected")
        lines += ["", "Rows that would be quarantined or flagged, by rule (with examples):"]
        if not self.row_failures:
            lines.append("  none")
        for f in self.row_failures:
            lines.append(f"  {f.rows:>8}  {f.rule}({f.field})  [{f.action}]")
            lines += [f"            e.g. {e}" for e in f.examples]
        if self.gx.docs_index:
            lines += ["", f"Data Docs: {self.gx.docs_index}"]
        blocking = self.blocking
        lines += ["", f"blocking failures: {len(blocking)}"] + [f"  {b}" for b in blocking]
        return "\n".join(lines)


def run(
    spark: SparkSession,
    config: Config,
    *,
    path: str,
    run_date: dt.date,
    docs_dir: str | None = None,
) -> ValidationSummary:
    """Validate the files at `path` (file or folder); writes only the Data Docs HTML, if `docs_dir` is given."""
    contract = load_contract(RAW)
    files = discover_files(spark, path)
    if not files:
        raise ValueError(f"no input files (.csv, .parquet, .jsonl) under {path}")
    batch = prepare_batch(spark, files, config, run_date).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        report = validate_with_gx(
            judged_rows(batch, contract),
            contract,
            parameters=run_parameters(config, run_date),
            docs_dir=docs_dir,
        )
        exploded = batch.select(SOURCE_FILE, SOURCE_ROW, F.explode(VIOLATIONS).alias("v")).select(
            SOURCE_FILE, SOURCE_ROW, "v.rule", "v.field", "v.action", "v.reason"
        )
        counts = exploded.groupBy("rule", "field", "action").agg(F.countDistinct(SOURCE_FILE, SOURCE_ROW).alias("rows"))
        ranked = exploded.withColumn(
            "_n",
            F.row_number().over(Window.partitionBy("rule", "field", "action").orderBy(SOURCE_FILE, SOURCE_ROW)),
        ).filter(F.col("_n") <= EXAMPLES_PER_RULE)
        # Bounded: one row per rule, and EXAMPLES_PER_RULE examples per rule.
        examples: dict[tuple[str, str, str], list[str]] = {}
        for r in ranked.orderBy("rule", "field", SOURCE_FILE, SOURCE_ROW).collect():
            examples.setdefault((r["rule"], r["field"], r["action"]), []).append(
                f"{r[SOURCE_FILE]} row {r[SOURCE_ROW]}: {r['reason']}"
            )
        failures = tuple(
            BuiltinRule(
                r["rule"],
                r["field"],
                r["action"],
                int(r["rows"]),
                tuple(examples.get((r["rule"], r["field"], r["action"]), [])),
            )
            for r in counts.orderBy(F.col("action").desc(), F.col("rows").desc(), "rule", "field").collect()
        )
        rows = batch.count()
    finally:
        batch.unpersist()
    return ValidationSummary(files=len(files), rows=rows, gx=report, row_failures=failures)
