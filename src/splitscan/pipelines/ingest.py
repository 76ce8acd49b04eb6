"""The ingest job: new input files -> validated silver `import_records`, `quarantine` and `ingest_log`.

Write-audit-publish: the batch is read, typed, checked row by row in Spark and judged as a whole by Great
Expectations before anything is written. A blocking failure raises `ContractViolation` and writes nothing. The
three tables are then written inside one `TableTransaction`, so a failure half-way restores all of them; the
ingest log goes last, so a run killed outright is simply redone by the next run (every write is a keyed merge).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.contracts import Contract, ContractViolation, load_contract
from splitscan.ingest.fx import convert_to_threshold_currency, read_fx_rates, read_jurisdictions
from splitscan.ingest.parse import parse_to_contract
from splitscan.ingest.readers import (
    RAW_RECORD,
    SOURCE_FILE,
    SOURCE_ROW,
    VIOLATIONS,
    InputFile,
    discover_files,
    files_frame,
    read_raw,
)
from splitscan.ingest.standardise import with_standardised_columns
from splitscan.quality.gx import ValidationReport, validate_with_gx
from splitscan.quality.rules import add_violations, violation_struct
from splitscan.storage import TableTransaction, ensure_table, merge_on_keys, read_table

__all__ = ["IngestResult", "prepare_batch", "run", "run_parameters"]

logger = logging.getLogger(__name__)

RAW = "raw/import_declarations"
RECORDS = "silver/import_records"
QUARANTINE = "silver/quarantine"
INGEST_LOG = "silver/ingest_log"


@dataclass(frozen=True)
class IngestResult:
    """What one ingest run did; counts are per input row."""

    run_id: str
    run_date: dt.date
    files: int
    rows_read: int
    rows_valid: int
    rows_quarantined: int
    rows_flagged: int
    quarantined_by_rule: Mapping[str, int] = field(default_factory=dict)
    records_inserted: int = 0
    records_updated: int = 0
    table_versions: Mapping[str, int] = field(default_factory=dict)
    validation: ValidationReport | None = None

    def describe(self) -> str:
        """A short human summary for the terminal."""
        lines = [
            f"ingest run {self.run_id} (run date {self.run_date}): "
            f"{self.files} new file(s), {self.rows_read} rows read",
            f"  valid: {self.rows_valid} ({self.records_inserted} new records, {self.records_updated} updated), "
            f"flagged: {self.rows_flagged}, quarantined: {self.rows_quarantined}",
        ]
        for rule, n in sorted(self.quarantined_by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"    {n:>8}  {rule}")
        return "\n".join(lines)


def run_parameters(config: Config, run_date: dt.date) -> dict[str, Any]:
    """Values for the contracts' `{$PARAMETER: ...}` placeholders."""
    return {"max_arrival_date": (run_date + dt.timedelta(days=config.ingest.max_arrival_days_ahead)).isoformat()}


def _mark_superseded(df: DataFrame, files: DataFrame) -> DataFrame:
    """Within a batch, the copy of a record_id from the latest file (then the latest row) wins.

    Earlier copies get an `expect_column_values_to_be_unique` failure naming the copy that replaced them.
    """
    stamped = df.join(
        F.broadcast(files.select(F.col("file_path").alias(SOURCE_FILE), F.col("file_modified_at").alias("_mtime"))),
        SOURCE_FILE,
        "left",
    )
    order = Window.partitionBy("record_id").orderBy(
        F.col("_mtime").desc(), F.col(SOURCE_FILE).desc(), F.col(SOURCE_ROW).desc()
    )
    # Only rows that are otherwise valid compete: a broken copy must not shadow a good one.
    competing = F.col("record_id").isNotNull() & ~F.exists(VIOLATIONS, lambda v: v["action"] == "quarantine")
    ranked = stamped.withColumn("_rank", F.when(competing, F.row_number().over(order))).withColumn(
        "_winner", F.when(competing, F.first(F.concat_ws(" row ", SOURCE_FILE, SOURCE_ROW)).over(order))
    )
    reason = F.concat(
        F.lit("record_id = '"),
        F.col("record_id"),
        F.lit("' is repeated in this batch; kept "),
        F.col("_winner"),
    )
    superseded = violation_struct("expect_column_values_to_be_unique", "record_id", reason, "quarantine")
    return ranked.withColumn(
        VIOLATIONS,
        F.when(F.col("_rank") > 1, F.concat(F.col(VIOLATIONS), F.array(superseded))).otherwise(F.col(VIOLATIONS)),
    ).drop("_rank", "_winner", "_mtime")


def _add_fx(df: DataFrame, spark: SparkSession, config: Config) -> DataFrame:
    rates = read_fx_rates(spark, config.ingest.fx_rates_path)
    jurisdictions = read_jurisdictions(spark)
    converted = convert_to_threshold_currency(
        df, rates, jurisdictions, max_staleness_days=config.ingest.fx_max_staleness_days
    )
    # A row already refused for its value, currency, date or country needs no second FX reason.
    already = F.exists(
        VIOLATIONS,
        lambda v: (
            (v["action"] == "quarantine")
            & v["field"].isin("*", "declared_value", "currency", "arrival_date", "destination_country")
        ),
    )
    fx_failure = violation_struct("fx_rate", "currency", F.col("fx_error"), "quarantine")
    return converted.withColumn(
        VIOLATIONS,
        F.when(F.col("fx_error").isNotNull() & ~already, F.concat(F.col(VIOLATIONS), F.array(fx_failure))).otherwise(
            F.col(VIOLATIONS)
        ),
    ).drop("fx_error")


def prepare_batch(spark: SparkSession, files: Sequence[InputFile], config: Config, run_date: dt.date) -> DataFrame:
    """Read, type and check the files: every row with its failures in `_violations`. Pure: writes nothing."""
    raw_contract = load_contract(RAW)
    raw = read_raw(spark, files, raw_contract)
    typed = parse_to_contract(raw, raw_contract)
    typed = add_violations(typed, raw_contract, parameters=run_parameters(config, run_date))
    typed = _mark_superseded(typed, files_frame(spark, files))
    return _add_fx(typed, spark, config)


def judged_rows(batch: DataFrame, raw_contract: Contract) -> DataFrame:
    """The rows Great Expectations judges: all but malformed ones (no fields to judge; quarantined anyway)."""
    malformed = F.exists(VIOLATIONS, lambda v: v["rule"] == "malformed_row")
    return batch.filter(~malformed).select(*raw_contract.column_names)


def _quarantined() -> Any:
    return F.exists(VIOLATIONS, lambda v: v["action"] == "quarantine")


def _silver_rows(batch: DataFrame, raw_contract: Contract, run_id: str, now: dt.datetime) -> DataFrame:
    valid = batch.filter(~_quarantined())
    flags = F.transform(
        F.filter(VIOLATIONS, lambda v: v["action"] == "flag"),
        lambda v: F.concat(v["rule"], F.lit(": "), v["reason"]),
    )
    record_hash = F.sha2(F.to_json(F.struct(*[F.col(c) for c in raw_contract.column_names])), 256)
    return with_standardised_columns(
        valid.select(
            "*",
            flags.alias("quality_flags"),
            F.date_format("arrival_date", "yyyy-MM").alias("arrival_month"),
            F.col(SOURCE_FILE).alias("source_file"),
            F.col(SOURCE_ROW).alias("source_row"),
            record_hash.alias("record_hash"),
            F.lit(run_id).alias("run_id"),
            F.lit(now).cast("timestamp").alias("ingested_at"),
        )
    )


def _quarantine_rows(batch: DataFrame, run_id: str, run_date: dt.date, now: dt.datetime) -> DataFrame:
    failed = batch.filter(_quarantined()).select(
        F.col(SOURCE_FILE).alias("source_file"),
        F.col(SOURCE_ROW).alias("source_row"),
        F.get_json_object(RAW_RECORD, "$.record_id").alias("record_id"),
        F.explode(F.filter(VIOLATIONS, lambda v: v["action"] == "quarantine")).alias("v"),
        F.col(RAW_RECORD).alias("raw_record"),
    )
    return failed.select(
        "source_file",
        "source_row",
        "record_id",
        F.col("v.rule").alias("rule"),
        F.col("v.field").alias("field"),
        F.col("v.reason").alias("reason"),
        "raw_record",
        F.lit(run_id).alias("run_id"),
        F.lit(run_date).alias("run_date"),
        F.lit(now).cast("timestamp").alias("quarantined_at"),
        # One (row, rule, field) can fail twice (e.g. a file missing two columns is two fields): keep one.
    ).dropDuplicates(["source_file", "source_row", "rule", "field"])


def _log_rows(batch: DataFrame, files: DataFrame, run_id: str, run_date: dt.date, now: dt.datetime) -> DataFrame:
    per_file = batch.groupBy(F.col(SOURCE_FILE).alias("file_path")).agg(
        F.count(F.lit(1)).alias("rows_read"),
        F.sum(F.when(~_quarantined(), 1).otherwise(0)).alias("rows_valid"),
        F.sum(F.when(_quarantined(), 1).otherwise(0)).alias("rows_quarantined"),
        F.sum(F.when(~_quarantined() & (F.size(VIOLATIONS) > 0), 1).otherwise(0)).alias("rows_flagged"),
        F.max(F.exists(VIOLATIONS, lambda v: v["rule"] == "schema_required_column").cast("int")).alias("_rejected"),
        F.array_join(
            F.array_sort(
                F.array_distinct(
                    F.flatten(
                        F.collect_list(
                            F.transform(
                                F.filter(VIOLATIONS, lambda v: v["rule"] == "schema_required_column"),
                                lambda v: v["field"],
                            )
                        )
                    )
                )
            ),
            ", ",
        ).alias("_missing"),
    )
    joined = files.join(per_file, "file_path", "left")
    rejected = F.coalesce(F.col("_rejected"), F.lit(0)) == 1
    return joined.select(
        "file_path",
        "file_size",
        "file_modified_at",
        "file_format",
        F.when(rejected, "rejected").otherwise("ingested").alias("status"),
        *[
            F.coalesce(F.col(c), F.lit(0)).cast("long").alias(c)
            for c in ("rows_read", "rows_valid", "rows_quarantined", "rows_flagged")
        ],
        F.when(rejected, F.concat(F.lit("missing required column(s): "), F.col("_missing")))
        .when(F.col("rows_read").isNull(), F.lit("no data rows"))
        .alias("message"),
        F.lit(run_id).alias("run_id"),
        F.lit(run_date).alias("run_date"),
        F.lit(now).cast("timestamp").alias("ingested_at"),
    )


def new_files(spark: SparkSession, config: Config, input_path: str) -> list[InputFile]:
    """Files under `input_path` whose (path, size, modification time) is not yet in the ingest log."""
    found = discover_files(spark, input_path)
    log_path = config.table_path("silver", "ingest_log")
    contract = load_contract(INGEST_LOG)
    ensure_table(spark, log_path, contract)
    if not found:
        return []
    seen = read_table(spark, log_path).select(*contract.primary_key)
    fresh = files_frame(spark, found).join(seen, list(contract.primary_key), "left_anti").select("file_path")
    # The listing is metadata (one row per file), not table data: bounded by the number of new files.
    fresh_paths = {r["file_path"] for r in fresh.collect()}
    return [f for f in found if f.path in fresh_paths]


def run(
    spark: SparkSession,
    config: Config,
    *,
    input_path: str,
    run_date: dt.date,
    run_id: str | None = None,
) -> IngestResult:
    """Ingest the files under `input_path` that are not yet in the ingest log.

    Raises:
        ContractViolation: a blocking rule failed on the batch; no table was changed.
        InputError: the input path does not exist or a file cannot be read.
    """
    run_id = run_id or f"ingest-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    raw_contract = load_contract(RAW)
    tables = {name: config.table_path(*name.split("/")) for name in (RECORDS, QUARANTINE, INGEST_LOG)}
    for name, path in tables.items():
        ensure_table(spark, path, load_contract(name))

    files = new_files(spark, config, input_path)
    if not files:
        logger.info("no new input files under %s", input_path)
        return IngestResult(run_id, run_date, 0, 0, 0, 0, 0)
    logger.info("ingest %s: %d new file(s) under %s", run_id, len(files), input_path)

    batch = prepare_batch(spark, files, config, run_date).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        # The batch verdict needs only the blocking rules; the others route rows, which Spark already did.
        # `splitscan validate` runs the whole suite and writes Data Docs.
        report = validate_with_gx(
            judged_rows(batch, raw_contract),
            raw_contract,
            parameters=run_parameters(config, run_date),
            expectations=[e for e in raw_contract.expectations if e.blocking],
        )
        if not report.success:
            raise ContractViolation(RAW, report.blocking_failures)

        files_df = files_frame(spark, files)
        silver = _silver_rows(batch, raw_contract, run_id, now)
        quarantine = _quarantine_rows(batch, run_id, run_date, now)
        log = _log_rows(batch, files_df, run_id, run_date, now).persist()
        totals = log.agg(
            *[F.sum(c).alias(c) for c in ("rows_read", "rows_valid", "rows_quarantined", "rows_flagged")]
        ).first()
        assert totals is not None
        by_rule = {
            f"{r['rule']}({r['field']})": int(r["n"])
            for r in quarantine.groupBy("rule", "field")
            .agg(F.countDistinct("source_file", "source_row").alias("n"))
            .collect()
        }
        with TableTransaction(spark, list(tables.values())):
            records = merge_on_keys(
                silver,
                tables[RECORDS],
                load_contract(RECORDS),
                update_condition="t.record_hash <> s.record_hash",
            )
            q = merge_on_keys(quarantine, tables[QUARANTINE], load_contract(QUARANTINE))
            lg = merge_on_keys(log, tables[INGEST_LOG], load_contract(INGEST_LOG))
        log.unpersist()
    finally:
        batch.unpersist()
    result = IngestResult(
        run_id=run_id,
        run_date=run_date,
        files=len(files),
        rows_read=int(totals["rows_read"] or 0),
        rows_valid=int(totals["rows_valid"] or 0),
        rows_quarantined=int(totals["rows_quarantined"] or 0),
        rows_flagged=int(totals["rows_flagged"] or 0),
        quarantined_by_rule=by_rule,
        records_inserted=records.inserted,
        records_updated=records.updated,
        table_versions={RECORDS: records.version, QUARANTINE: q.version, INGEST_LOG: lg.version},
        validation=report,
    )
    logger.info(
        "ingest %s done: %d read, %d valid, %d quarantined; versions %s",
        run_id,
        result.rows_read,
        result.rows_valid,
        result.rows_quarantined,
        dict(result.table_versions),
    )
    return result
