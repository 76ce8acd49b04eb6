"""The cases job: split findings + ring findings -> gold `cases`, `case_records`, `case_runs`, and the HTML report.

Order of work: inputs as of the run date -> candidate cases (`cases.merge`) -> stable ids by shared parcels
(`cases.ids`) -> status from reviews (`cases.review`) -> base score and summary (`cases.scoring`) -> the learnt
scorer when enough verdicts exist (`cases.model`) -> rank -> contract checks -> one `TableTransaction` (merge
`cases` on case_id, rewrite `case_records` for the active cases, append `case_runs`) -> the report, after the
commit. A failed run leaves the three tables as they were.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.cases.ids import assign_case_ids
from splitscan.cases.merge import PARCEL_COLUMNS, RING_COLUMNS, SPLIT_COLUMNS, candidate_cases
from splitscan.cases.model import LearntScorer, fit_scorer, labelled_cases, with_model_score
from splitscan.cases.records import RECORD_COLUMNS, case_records
from splitscan.cases.report import write_report
from splitscan.cases.review import UnknownCaseError, latest_dismissals, latest_labels, with_status
from splitscan.cases.scoring import with_base_score, with_rank, with_summary
from splitscan.cases.settings import CaseSettings
from splitscan.cases.terminal import LIST_COLUMNS, format_case, format_case_table
from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.quality.publish import audit_for_publish
from splitscan.storage import (
    TableTransaction,
    append,
    conform,
    merge_on_keys,
    overwrite_partition,
    read_table,
    table_exists,
)

__all__ = [
    "CASES",
    "CASE_RECORDS",
    "CASE_REVIEWS",
    "CASE_RUNS",
    "CaseInputs",
    "CaseResult",
    "CaseSettings",
    "build_cases",
    "list_cases",
    "read_inputs",
    "run",
    "show_case",
]

logger = logging.getLogger(__name__)

RECORDS = "silver/import_records"
ENTITIES = "silver/consignee_entities"
SPLIT_FINDINGS = "gold/split_findings"
RING_FINDINGS = "gold/ring_findings"
CASES = "gold/cases"
CASE_RECORDS = "gold/case_records"
CASE_REVIEWS = "gold/case_reviews"
CASE_RUNS = "gold/case_runs"
DEFAULT_SETTINGS = CaseSettings()


@dataclass(frozen=True)
class CaseInputs:
    """What a cases run reads, as of its run date."""

    splits: DataFrame
    rings: DataFrame
    records: DataFrame
    entities: DataFrame
    previous_cases: DataFrame
    previous_records: DataFrame
    reviews: DataFrame
    last_run_at: dt.datetime | None


def _table_or_empty(spark: SparkSession, config: Config, name: str) -> DataFrame:
    path = config.table_path(*name.split("/"))
    if table_exists(spark, path):
        return read_table(spark, path)
    return spark.createDataFrame([], load_contract(name).schema)


def read_inputs(spark: SparkSession, config: Config, *, run_date: dt.date) -> CaseInputs:
    """Split findings whose window ended by the run date, the ring findings of the latest ring run on or before it,
    the silver records and entities, and the earlier state of the case tables (empty when absent).

    Raises:
        ValueError: a silver table or `gold/split_findings` is missing (run the earlier stages first).
    """
    for name in (RECORDS, ENTITIES, SPLIT_FINDINGS):
        path = config.table_path(*name.split("/"))
        if not table_exists(spark, path):
            raise ValueError(f"{name}: no Delta table at {path} (run ingest, resolve and detect first)")
    splits = read_table(spark, config.table_path(*SPLIT_FINDINGS.split("/"))).where(
        F.col("window_end") <= F.lit(run_date)
    )
    rings = _table_or_empty(spark, config, RING_FINDINGS)
    latest = rings.where(F.col("run_date") <= F.lit(run_date)).agg(F.max("run_date")).first()
    ring_date = None if latest is None else latest[0]
    rings = rings.where(F.col("run_date") == F.lit(ring_date)) if ring_date else rings.limit(0)
    runs = _table_or_empty(spark, config, CASE_RUNS).agg(F.max("created_at")).first()
    logger.info("cases inputs: ring findings of run date %s", ring_date)
    return CaseInputs(
        splits=splits.select(*SPLIT_COLUMNS),
        rings=rings.select(*RING_COLUMNS, "edges"),
        records=read_table(spark, config.table_path(*RECORDS.split("/"))).select(*RECORD_COLUMNS),
        entities=read_table(spark, config.table_path(*ENTITIES.split("/"))).select(
            "record_id", "entity_id", "link_evidence"
        ),
        previous_cases=_table_or_empty(spark, config, CASES),
        previous_records=_table_or_empty(spark, config, CASE_RECORDS),
        reviews=_table_or_empty(spark, config, CASE_REVIEWS),
        last_run_at=None if runs is None else runs[0],
    )


def build_cases(inputs: CaseInputs, *, run_date: dt.date) -> DataFrame:
    """The run's active cases before ranking: merged, with stable ids, status, base score, reasons and summary.

    Returns:
        One row per active case: the `gold/cases` columns except `rank, score, scorer, active, run_id,
        updated_at`, plus `matched_case_id, shared_parcels, is_new, grown, reopened`.
    """
    parcels = inputs.records.select(*PARCEL_COLUMNS)
    candidates = candidate_cases(inputs.splits, inputs.rings, parcels)
    ided = assign_case_ids(
        candidates,
        inputs.previous_records.select("case_id", "record_id"),
        inputs.previous_cases.select("case_id", "first_seen"),
        run_date=run_date,
    )
    stated = with_status(
        ided,
        inputs.previous_cases.select("case_id", "status", "first_seen", "record_ids"),
        latest_dismissals(inputs.reviews),
        run_date=run_date,
    )
    return with_summary(with_base_score(stated))


@dataclass(frozen=True)
class CaseResult:
    """What one cases run wrote."""

    run_id: str
    run_date: dt.date
    counts: dict[str, int]
    scorer: str
    verdicts_used: int
    top_k: int
    reviewed_in_top_k: int
    precision_at_k: float | None
    top_cases: tuple[dict[str, Any], ...]
    report_path: Path
    versions: dict[str, int]

    def describe(self, *, top: int = 10) -> str:
        """Counts, scorer, precision by verdicts, the top cases as a table and the report's path."""
        c = self.counts
        precision = (
            "no verdicts on the top cases yet"
            if self.precision_at_k is None
            else f"{self.precision_at_k:.2f} ({self.reviewed_in_top_k} reviewed)"
        )
        lines = [
            f"cases run {self.run_id} (run date {self.run_date}): {c['cases_active']} active, {c['cases_raised']} "
            f"raised, {c['cases_new']} new, {c['cases_grown']} grown, {c['cases_reopened']} reopened",
            f"scorer {self.scorer}" + (f" (learnt from {self.verdicts_used} verdicts)" if self.verdicts_used else ""),
            f"precision at {self.top_k} by verdicts since the previous run: {precision}",
            f"top {min(top, len(self.top_cases))} cases:",
            format_case_table(self.top_cases[:top]),
            f"report: {self.report_path}",
        ]
        return "\n".join(lines)


def _case_features(current: DataFrame, previous: DataFrame) -> DataFrame:
    """Feature columns of every case: the run's version of active cases, the stored one of the others."""
    cols = ["case_id", "case_type", "evidence", "duty_at_stake_usd", "history_months", "n_records", "n_entities"]
    cols.append("n_findings")
    return current.select(*cols).unionByName(
        previous.join(current.select("case_id"), "case_id", "left_anti").select(*cols)
    )


def _deactivated(previous: DataFrame, current: DataFrame, *, run_id: str, now: dt.datetime) -> DataFrame:
    """Earlier active cases that no candidate matched: inactive, not raised, no rank; everything else kept."""
    return (
        previous.where(F.col("active"))
        .join(current.select("case_id"), "case_id", "left_anti")
        .withColumns(
            {
                "active": F.lit(False),
                "raised": F.lit(False),
                "rank": F.lit(None).cast("int"),
                "run_id": F.lit(run_id),
                "updated_at": F.lit(now).cast("timestamp"),
            }
        )
    )


def _run_row(
    spark: SparkSession,
    ranked: DataFrame,
    reviews: DataFrame,
    *,
    run_id: str,
    run_date: dt.date,
    now: dt.datetime,
    last_run_at: dt.datetime | None,
    scorer: LearntScorer | None,
    top_k: int,
) -> tuple[DataFrame, dict[str, Any]]:
    counts_row = ranked.agg(
        F.count(F.lit(1)).alias("cases_active"),
        F.sum(F.col("raised").cast("int")).alias("cases_raised"),
        F.sum(F.col("is_new").cast("int")).alias("cases_new"),
        F.sum(F.col("grown").cast("int")).alias("cases_grown"),
        F.sum(F.col("reopened").cast("int")).alias("cases_reopened"),
    ).first()
    counts = {k: int(counts_row[k] or 0) if counts_row else 0 for k in ("cases_active", "cases_raised")}
    counts |= {k: int(counts_row[k] or 0) if counts_row else 0 for k in ("cases_new", "cases_grown", "cases_reopened")}
    since = reviews if last_run_at is None else reviews.where(F.col("reviewed_at") > F.lit(last_run_at))
    verdicts = (
        since.where(F.col("verdict").isin("confirmed", "dismissed") & (F.col("case_rank") <= top_k))
        .agg(F.count(F.lit(1)).alias("n"), F.sum((F.col("verdict") == "confirmed").cast("int")).alias("pos"))
        .first()
    )
    reviewed = int(verdicts["n"]) if verdicts else 0
    confirmed = int(verdicts["pos"] or 0) if verdicts else 0
    row: dict[str, Any] = {
        "run_id": run_id,
        "run_date": run_date,
        **counts,
        "scorer": "base" if scorer is None else scorer.scorer,
        "verdicts_used": 0 if scorer is None else scorer.verdicts,
        "top_k": top_k,
        "reviewed_in_top_k": reviewed,
        "precision_at_k": round(confirmed / reviewed, 4) if reviewed else None,
        "model": None if scorer is None else scorer.to_json(),
        "created_at": now,
    }
    return spark.createDataFrame([row], load_contract(CASE_RUNS).schema), row


def run(
    spark: SparkSession, config: Config, *, run_date: dt.date, settings: CaseSettings = DEFAULT_SETTINGS
) -> CaseResult:
    """Build, rank and publish the cases for `run_date`, then write the report.

    Args:
        spark: the session.
        config: warehouse location.
        run_date: findings up to this date; dates new case ids and `first_seen`/`last_seen`.
        settings: K, the learnt scorer's thresholds, report size.

    Returns:
        Counts, the scorer, precision at K by verdicts, the top cases and the report's path.

    Raises:
        ContractViolation: the cases broke a blocking expectation; nothing was written.
    """
    run_id = f"cases-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    inputs = read_inputs(spark, config, run_date=run_date)
    current = build_cases(inputs, run_date=run_date).localCheckpoint(eager=True)

    labels = latest_labels(inputs.reviews)
    features = _case_features(current, inputs.previous_cases)
    scorer = fit_scorer(
        labelled_cases(features, labels),
        min_verdicts=settings.min_verdicts,
        min_per_class=settings.min_per_class,
        reg_param=settings.reg_param,
    )
    ranked = (
        with_rank(with_model_score(current, scorer))
        .withColumns({"active": F.lit(True), "run_id": F.lit(run_id), "updated_at": F.lit(now).cast("timestamp")})
        .localCheckpoint(eager=True)
    )
    cases_out = audit_for_publish(
        ranked.unionByName(
            _deactivated(inputs.previous_cases, ranked, run_id=run_id, now=now), allowMissingColumns=True
        ),
        load_contract(CASES),
    )
    new_records = case_records(
        ranked.select("case_id", "record_ids", "ring_ids"), inputs.splits, inputs.rings, inputs.records, inputs.entities
    ).withColumn("run_id", F.lit(run_id))
    kept_records = inputs.previous_records.join(ranked.select("case_id"), "case_id", "left_anti")
    # Materialised before the write: the new table content is read from the table it replaces.
    records_out = audit_for_publish(
        conform(new_records, load_contract(CASE_RECORDS)).unionByName(kept_records), load_contract(CASE_RECORDS)
    ).localCheckpoint(eager=True)
    run_frame, run_row = _run_row(
        spark,
        ranked,
        inputs.reviews,
        run_id=run_id,
        run_date=run_date,
        now=now,
        last_run_at=inputs.last_run_at,
        scorer=scorer,
        top_k=settings.top_k,
    )
    paths = {name: config.table_path(*name.split("/")) for name in (CASES, CASE_RECORDS, CASE_RUNS)}
    with TableTransaction(spark, list(paths.values())):
        merged = merge_on_keys(cases_out, paths[CASES], load_contract(CASES))
        records_version = overwrite_partition(records_out, paths[CASE_RECORDS], load_contract(CASE_RECORDS), "1 = 1")
        runs_version = append(run_frame, paths[CASE_RUNS], load_contract(CASE_RUNS))
    top_rows = tuple(
        r.asDict()
        for r in ranked.where(F.col("raised"))
        .orderBy("rank")
        .select(*LIST_COLUMNS)
        .limit(settings.describe_top)
        .collect()
    )
    logger.info(
        "cases %s: %d active, %d raised; cases version %d, case_records version %d, case_runs version %d",
        run_id,
        run_row["cases_active"],
        run_row["cases_raised"],
        merged.version,
        records_version,
        runs_version,
    )
    report = write_report(spark, config, run_date=run_date, top=settings.report_top)
    return CaseResult(
        run_id=run_id,
        run_date=run_date,
        counts={k: run_row[k] for k in ("cases_active", "cases_raised", "cases_new", "cases_grown", "cases_reopened")},
        scorer=run_row["scorer"],
        verdicts_used=run_row["verdicts_used"],
        top_k=settings.top_k,
        reviewed_in_top_k=run_row["reviewed_in_top_k"],
        precision_at_k=run_row["precision_at_k"],
        top_cases=top_rows,
        report_path=report,
        versions={CASES: merged.version, CASE_RECORDS: records_version, CASE_RUNS: runs_version},
    )


def list_cases(spark: SparkSession, config: Config, *, top: int, statuses: Sequence[str] = ()) -> str:
    """The ranked raised cases (or the active cases with the given statuses) as a table; `top` rows reach the driver."""
    path = config.table_path(*CASES.split("/"))
    if not table_exists(spark, path):
        return f"no cases yet at {path}: run `splitscan cases run` first"
    cases = read_table(spark, path).where(F.col("active"))
    cases = cases.where(F.col("status").isin(*statuses)) if statuses else cases.where(F.col("raised"))
    rows = (
        cases.orderBy(F.col("rank").asc_nulls_last(), F.col("score").desc(), "case_id")
        .select(*LIST_COLUMNS)
        .limit(top)
        .collect()
    )
    return format_case_table([r.asDict() for r in rows])


def show_case(spark: SparkSession, config: Config, *, case_id: str, parcels: int) -> str:
    """One case with its reasons, review history and first `parcels` parcels (by arrival).

    Raises:
        UnknownCaseError: no such case.
    """
    path = config.table_path(*CASES.split("/"))
    row = read_table(spark, path).where(F.col("case_id") == case_id).first() if table_exists(spark, path) else None
    if row is None:
        raise UnknownCaseError(f"unknown case id {case_id!r} (see `splitscan cases list`)")
    records = _table_or_empty(spark, config, CASE_RECORDS).where(F.col("case_id") == case_id)
    shown = records.orderBy("arrival_date", "record_id").limit(parcels).collect()
    reviews = (
        _table_or_empty(spark, config, CASE_REVIEWS).where(F.col("case_id") == case_id).orderBy("reviewed_at").collect()
    )
    return format_case(
        row.asDict(),
        [r.asDict() for r in shown],
        [r.asDict() for r in reviews],
        total_records=int(row["n_records"]),
    )
