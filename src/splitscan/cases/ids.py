"""Stable case ids: a run's candidate cases matched to the earlier cases by shared parcels (docs/cases.md).

Each candidate takes the id of the earlier case it shares the most parcels with (ties: the older `first_seen`,
then the smaller id). When two candidates claim one earlier case, the one sharing more parcels keeps the id (ties:
the smaller anchor) and the other gets a new id. A new id is `C-` + the first 12 hex digits of
SHA-256(`<anchor>@<run date>`), so a re-run for the same date and data gives the same ids.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = ["assign_case_ids", "new_case_id"]


def new_case_id(anchor: Column, run_date: dt.date) -> Column:
    """`C-` + the first 12 hex digits of SHA-256 of `<anchor>@<YYYY-MM-DD>`."""
    key = F.concat(anchor, F.lit(f"@{run_date.isoformat()}"))
    return F.concat(F.lit("C-"), F.substring(F.sha2(key, 256), 1, 12))


def assign_case_ids(
    candidates: DataFrame,
    previous_records: DataFrame,
    previous_cases: DataFrame,
    *,
    run_date: dt.date,
) -> DataFrame:
    """Give every candidate its case id.

    Args:
        candidates: one row per candidate case with `anchor` and `record_ids`.
        previous_records: `case_id, record_id` of every earlier case (gold `case_records`).
        previous_cases: `case_id, first_seen` of every earlier case (gold `cases`).
        run_date: dates the new ids.

    Returns:
        `candidates` with `case_id` and `matched_case_id` (the earlier case whose id it kept, null for a new id)
        and `shared_parcels` (parcels shared with it, 0 for a new id).
    """
    shared = (
        candidates.select("anchor", F.explode("record_ids").alias("record_id"))
        .join(previous_records.select("case_id", "record_id"), "record_id")
        .groupBy("anchor", "case_id")
        .agg(F.count(F.lit(1)).alias("shared_parcels"))
        .join(previous_cases.select("case_id", "first_seen"), "case_id", "left")
    )
    best = Window.partitionBy("anchor").orderBy(
        F.col("shared_parcels").desc(), F.col("first_seen").asc_nulls_last(), F.col("case_id")
    )
    claims = shared.withColumn("_n", F.row_number().over(best)).where(F.col("_n") == 1)
    keeper = Window.partitionBy("case_id").orderBy(F.col("shared_parcels").desc(), F.col("anchor"))
    kept = (
        claims.withColumn("_k", F.row_number().over(keeper))
        .where(F.col("_k") == 1)
        .select("anchor", F.col("case_id").alias("matched_case_id"), "shared_parcels")
    )
    return (
        candidates.join(kept, "anchor", "left")
        .withColumn("case_id", F.coalesce("matched_case_id", new_case_id(F.col("anchor"), run_date)))
        .withColumn("shared_parcels", F.coalesce("shared_parcels", F.lit(0)).cast("int"))
    )
