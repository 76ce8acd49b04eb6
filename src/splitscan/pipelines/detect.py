"""The detect job: `import_records` + `consignee_entities` + the rule table -> gold `split_findings`.

`detect_splits` is the pure transform (records, entities, rules, rates -> findings with scores and reasons);
`run` reads the silver tables as of the run date, checks the findings against their contract and replaces the
table's recent monthly partitions inside a `TableTransaction`, so a failed run leaves the table as it was.

Why a lookback rather than only new records: a finding's window can grow after it was first found (a late part,
a session or calendar-year window that goes on), and its history signal depends on earlier months. The whole
history is evaluated every night (cheap next to resolution) and the months a new record can have changed are
rewritten: a window's end moves at most a calendar year back (CN), hence the 400-day default.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.detect.findings import DetectSettings, aggregate_split_groups, with_prior_finding_months
from splitscan.detect.rules import load_rules, rules_frame
from splitscan.detect.scoring import keep_strongest_per_parcel_set, with_score_and_reasons
from splitscan.ingest.fx import read_fx_rates
from splitscan.quality.publish import audit_for_publish
from splitscan.storage import TableTransaction, overwrite_partition, read_table, table_exists

__all__ = [
    "DetectResult",
    "DetectSettings",
    "check_findings",
    "describe_findings",
    "detect_splits",
    "read_inputs",
    "run",
]

logger = logging.getLogger(__name__)

RECORDS = "silver/import_records"
ENTITIES = "silver/consignee_entities"
FINDINGS = "gold/split_findings"
DEFAULT_LOOKBACK_DAYS = 400


def detect_splits(
    records: DataFrame,
    entities: DataFrame,
    rules: DataFrame,
    *,
    rates: DataFrame,
    settings: DetectSettings | None = None,
) -> DataFrame:
    """Find split shipments: for every rule in force on each record's arrival date, the groups of one consignee
    entity's parcels under the rule's key and window whose parts are each under the threshold and whose total
    is over it, scored, with reasons.

    Args:
        records: silver `import_records` rows.
        entities: `record_id, entity_id` (silver `consignee_entities`, or any other entity assignment).
        rules: `splitscan.detect.rules.rules_frame(spark, load_rules(...))`.
        rates: published FX rates (`read_fx_rates`), used where a rule's currency or FX date differs from the
            conversion made at ingest.
        settings: hub cap and signal parameters.

    Returns:
        One row per finding: the gold `split_findings` columns except `window_month`, `run_id`, `detected_at`.
    """
    groups = aggregate_split_groups(records, entities, rules, rates=rates, settings=settings or DetectSettings())
    return keep_strongest_per_parcel_set(with_score_and_reasons(with_prior_finding_months(groups)))


def describe_findings(findings: DataFrame, *, top: int = 10) -> str:
    """The `top` findings by score, as text for the terminal (only `top` rows reach the driver)."""
    rows = (
        findings.orderBy(F.col("score").desc(), F.col("duty_at_stake_usd").desc(), "finding_id")
        .select("finding_id", "score", "entity_id", "reasons")
        .limit(top)
        .collect()
    )
    if not rows:
        return "no split findings"
    lines = [f"top {len(rows)} split findings by score:"]
    for r in rows:
        lines.append(f"  {r['finding_id']}  score {r['score']:.2f}  entity {r['entity_id']}")
        lines += [f"      - {reason}" for reason in r["reasons"]]
    return "\n".join(lines)


def check_findings(findings: DataFrame) -> DataFrame:
    """Conform findings to the gold contract and refuse them if a blocking expectation fails (write-audit-publish).

    Raises:
        ContractViolation: a finding id is repeated, or a row breaks a row-level expectation.
    """
    return audit_for_publish(findings, load_contract(FINDINGS))


@dataclass(frozen=True)
class DetectResult:
    """What one detect run wrote."""

    run_id: str
    run_date: dt.date
    findings_written: int
    partitions_from: str | None
    table_version: int
    summary: str

    def describe(self) -> str:
        where = "all months" if self.partitions_from is None else f"months from {self.partitions_from}"
        return (
            f"detect run {self.run_id} (run date {self.run_date}): {self.findings_written} findings written "
            f"({where}), split_findings version {self.table_version}\n{self.summary}"
        )


def read_inputs(spark: SparkSession, config: Config, *, run_date: dt.date) -> tuple[DataFrame, DataFrame]:
    """Records that arrived on or before the run date, and their entities.

    Raises:
        ValueError: a silver table is missing (run ingest and resolve first).
    """
    paths = {name: config.table_path(*name.split("/")) for name in (RECORDS, ENTITIES)}
    for name, path in paths.items():
        if not table_exists(spark, path):
            raise ValueError(f"{name}: no Delta table at {path} (run ingest and resolve first)")
    records = read_table(spark, paths[RECORDS]).filter(F.col("arrival_date") <= F.lit(run_date))
    return records, read_table(spark, paths[ENTITIES]).select("record_id", "entity_id")


def run(
    spark: SparkSession,
    config: Config,
    *,
    run_date: dt.date,
    rule_files: Sequence[str | Path] = (),
    lookback_days: int | None = DEFAULT_LOOKBACK_DAYS,
    settings: DetectSettings | None = None,
    top: int = 10,
) -> DetectResult:
    """Detect split findings over the whole history and publish the months the run can have changed.

    Args:
        spark: the session.
        config: warehouse and FX settings.
        run_date: records arriving after it are ignored; it also dates the run.
        rule_files: user rule files on top of the shipped table (see `load_rules`).
        lookback_days: replace the partitions from the month of `run_date - lookback_days` on; None rewrites the
            whole table.
        settings: detection knobs (default: `DetectSettings` with the config's FX staleness).
        top: findings shown in the summary.
    """
    settings = settings or DetectSettings(fx_max_staleness_days=config.ingest.fx_max_staleness_days)
    run_id = f"detect-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    rules = rules_frame(spark, load_rules(rule_files))
    records, entities = read_inputs(spark, config, run_date=run_date)
    rates = read_fx_rates(spark, config.ingest.fx_rates_path)
    findings = detect_splits(records, entities, rules, rates=rates, settings=settings).withColumns(
        {
            "window_month": F.date_format("window_end", "yyyy-MM"),
            "run_id": F.lit(run_id),
            "detected_at": F.lit(now).cast("timestamp"),
        }
    )
    since = None
    predicate = "1 = 1"
    if lookback_days is not None:
        since = (run_date - dt.timedelta(days=lookback_days)).strftime("%Y-%m")
        predicate = f"window_month >= '{since}'"
        findings = findings.filter(F.col("window_month") >= since)
    findings = findings.persist()
    try:
        checked = check_findings(findings)
        written = checked.count()
        path = config.table_path(*FINDINGS.split("/"))
        with TableTransaction(spark, [path]):
            version = overwrite_partition(checked, path, load_contract(FINDINGS), predicate)
        summary = describe_findings(checked, top=top)
    finally:
        findings.unpersist()
    logger.info("detect %s: %d findings written to %s (version %d)", run_id, written, path, version)
    return DetectResult(run_id, run_date, written, since, version, summary)
