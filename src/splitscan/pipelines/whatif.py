"""What-if: re-evaluate the whole history under an alternative rule table and report the difference.

Nothing is written to the warehouse: the production rules and the alternative rules are both applied to the same
records and entities (as of the run date) in one session, and the findings are compared by `finding_id` (which
does not depend on thresholds, so a finding found under both tables is the same row). The report counts findings
gained and lost, their parcels and the duty at stake (USD, comparable across jurisdictions), by jurisdiction and
month of the window's end; `--out` also writes that table as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.detect.findings import DetectSettings
from splitscan.detect.rules import load_rules, rules_frame
from splitscan.ingest.fx import read_fx_rates
from splitscan.pipelines.detect import detect_splits, read_inputs

__all__ = ["DIFF_COLUMNS", "WhatIfResult", "compare_findings", "run"]

logger = logging.getLogger(__name__)

DIFF_COLUMNS = (
    "jurisdiction",
    "month",
    "findings_base",
    "findings_alt",
    "findings_gained",
    "findings_lost",
    "parcels_gained",
    "parcels_lost",
    "duty_usd_base",
    "duty_usd_alt",
    "duty_usd_gained",
    "duty_usd_lost",
)


def compare_findings(base: DataFrame, alternative: DataFrame) -> DataFrame:
    """Difference of two finding sets by jurisdiction and month (of `window_end`).

    Args:
        base: findings under the production rules (`finding_id, jurisdiction, window_end, n_parts,
            duty_at_stake_usd`).
        alternative: the same under the alternative rules.

    Returns:
        One row per jurisdiction and month with the columns of `DIFF_COLUMNS`: counts of findings in each table,
        gained (only in the alternative) and lost (only in the base), their parcels, and duty at stake in USD
        (totals, and the part carried by gained and lost findings).
    """
    cols = ["finding_id", "jurisdiction", "window_end", "n_parts", "duty_at_stake_usd"]
    b = base.select(*cols).withColumn("_side", F.lit("base"))
    a = alternative.select(*cols).withColumn("_side", F.lit("alt"))
    sides = (
        b.unionByName(a)
        .groupBy("finding_id")
        .agg(
            F.first("jurisdiction").alias("jurisdiction"),
            F.date_format(F.max("window_end"), "yyyy-MM").alias("month"),
            F.max(F.when(F.col("_side") == "base", F.col("n_parts"))).alias("_parts_base"),
            F.max(F.when(F.col("_side") == "alt", F.col("n_parts"))).alias("_parts_alt"),
            F.max(F.when(F.col("_side") == "base", F.col("duty_at_stake_usd"))).alias("_duty_base"),
            F.max(F.when(F.col("_side") == "alt", F.col("duty_at_stake_usd"))).alias("_duty_alt"),
        )
    )
    in_base, in_alt = F.col("_parts_base").isNotNull(), F.col("_parts_alt").isNotNull()
    gained, lost = in_alt & ~in_base, in_base & ~in_alt

    def total(value: str, when: Any = None) -> Any:
        col = F.col(value) if when is None else F.when(when, F.col(value))
        return F.coalesce(F.sum(col), F.lit(0))

    return (
        sides.groupBy("jurisdiction", "month")
        .agg(
            F.count(F.when(in_base, 1)).alias("findings_base"),
            F.count(F.when(in_alt, 1)).alias("findings_alt"),
            F.count(F.when(gained, 1)).alias("findings_gained"),
            F.count(F.when(lost, 1)).alias("findings_lost"),
            total("_parts_alt", gained).cast("long").alias("parcels_gained"),
            total("_parts_base", lost).cast("long").alias("parcels_lost"),
            total("_duty_base").alias("duty_usd_base"),
            total("_duty_alt").alias("duty_usd_alt"),
            total("_duty_alt", gained).alias("duty_usd_gained"),
            total("_duty_base", lost).alias("duty_usd_lost"),
        )
        .select(*DIFF_COLUMNS)
    )


@dataclass(frozen=True)
class WhatIfResult:
    """The difference by jurisdiction and month (small: one row per jurisdiction and month)."""

    rule_files: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]

    def describe(self) -> str:
        """The difference as a text table, with totals."""
        header = f"what-if with {', '.join(self.rule_files)} (vs the production rule table)"
        if not self.rows:
            return header + "\nno findings under either rule table"
        lines = [
            header,
            f"{'jur':<4} {'month':<8} {'base':>6} {'alt':>6} {'gained':>7} {'lost':>6} {'parcels+':>9} "
            f"{'parcels-':>9} {'duty USD base':>14} {'duty USD alt':>14}",
        ]
        for r in self.rows:
            lines.append(
                f"{r['jurisdiction']:<4} {r['month']:<8} {r['findings_base']:>6} {r['findings_alt']:>6} "
                f"{r['findings_gained']:>7} {r['findings_lost']:>6} {r['parcels_gained']:>9} {r['parcels_lost']:>9} "
                f"{float(r['duty_usd_base']):>14,.2f} {float(r['duty_usd_alt']):>14,.2f}"
            )

        def s(key: str) -> float:
            return sum(float(r[key]) for r in self.rows)

        lines.append(
            f"total: findings {s('findings_base'):.0f} -> {s('findings_alt'):.0f} "
            f"(+{s('findings_gained'):.0f} / -{s('findings_lost'):.0f}), parcels +{s('parcels_gained'):.0f} / "
            f"-{s('parcels_lost'):.0f}, duty at stake USD {s('duty_usd_base'):,.2f} -> {s('duty_usd_alt'):,.2f}"
        )
        return "\n".join(lines)

    def write_csv(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(DIFF_COLUMNS))
            writer.writeheader()
            writer.writerows(self.rows)


def run(
    spark: SparkSession,
    config: Config,
    *,
    run_date: dt.date,
    rule_files: Sequence[str | Path],
    replace: bool = False,
    out: Path | None = None,
    settings: DetectSettings | None = None,
) -> WhatIfResult:
    """Compare findings under the production rules and under `rule_files`; writes no table.

    Args:
        spark: the session.
        config: warehouse and FX settings.
        run_date: records arriving after it are ignored.
        rule_files: the alternative rules: on top of the shipped table, or alone with `replace`.
        replace: use `rule_files` alone.
        out: also write the difference to this CSV file.
        settings: detection knobs, the same for both sides.

    Raises:
        RuleFileError: an alternative rule file is bad (before any data is read).
    """
    settings = settings or DetectSettings(fx_max_staleness_days=config.ingest.fx_max_staleness_days)
    base_rules = rules_frame(spark, load_rules())
    alt_rules = rules_frame(spark, load_rules(rule_files, include_default=not replace))
    records, entities = read_inputs(spark, config, run_date=run_date)
    rates = read_fx_rates(spark, config.ingest.fx_rates_path)
    base = detect_splits(records, entities, base_rules, rates=rates, settings=settings)
    alt = detect_splits(records, entities, alt_rules, rates=rates, settings=settings)
    # Bounded: one row per jurisdiction and month.
    rows = tuple(r.asDict() for r in compare_findings(base, alt).orderBy("jurisdiction", "month").collect())
    result = WhatIfResult(tuple(str(p) for p in rule_files), rows)
    if out is not None:
        result.write_csv(out)
        logger.info("what-if difference written to %s", out)
    return result
