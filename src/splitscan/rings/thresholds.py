"""The de minimis threshold in force per destination and date, for ring features, from detect's rule table.

Ring features ("each parcel under the threshold", "combined over it within a window", "duty at stake") need one
threshold per destination and arrival date. `thresholds_from_rules` derives it from the same effective-dated rule
table that split detection applies (`splitscan.detect.rules_frame`), so a rule file changes both stages alike, and
`with_threshold` is the only place that reads it.

Shape of a thresholds frame: `destination_country, valid_from, valid_to, threshold, currency`; `valid_to` null
means still in force. A date with no exemption in force (the US from 2025-08-29) has no row, so `with_threshold`
gives a null threshold there.
"""

from __future__ import annotations

import datetime as dt
import logging

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, DoubleType, StringType, StructField, StructType

__all__ = ["THRESHOLD_SCHEMA", "thresholds_from_rules", "with_threshold"]

logger = logging.getLogger(__name__)

THRESHOLD_SCHEMA = StructType(
    [
        StructField("destination_country", StringType(), False),
        StructField("valid_from", DateType(), False),
        StructField("valid_to", DateType(), True),
        StructField("threshold", DoubleType(), True),
        StructField("currency", StringType(), False),
    ]
)

_OPEN_END = dt.date(9999, 12, 31)


def thresholds_from_rules(rules: DataFrame) -> DataFrame:
    """One threshold per destination country and period: the lowest legal threshold in force.

    Args:
        rules: detect's rule table (`splitscan.detect.rules_frame`): `country, rule_kind, valid_from, valid_to,
            threshold, rule_currency`, several rules and scopes per country with their own validity.

    Returns:
        Non-overlapping periods per country (`THRESHOLD_SCHEMA`). Heuristic rules are left out; where several legal
        rules or scopes are in force (Korea: USD 200 for goods shipped from the US, 150 otherwise) the lowest
        threshold is the one a split must beat, so it is taken. Periods are cut at every rule's boundary, so the
        result holds one row per stretch of dates with the same rules in force.
    """
    legal = rules.where(F.col("rule_kind") == "legal").select(
        F.col("country").alias("destination_country"),
        "valid_from",
        "valid_to",
        F.col("threshold").cast("double").alias("threshold"),
        F.col("rule_currency").alias("currency"),
    )
    starts = legal.select("destination_country", F.col("valid_from").alias("start"))
    ends = legal.where(F.col("valid_to") < F.lit(_OPEN_END)).select(
        "destination_country", F.date_add("valid_to", 1).alias("start")
    )
    by_country = Window.partitionBy("destination_country").orderBy("start")
    periods = (
        starts.unionByName(ends)
        .distinct()
        .withColumn("end", F.date_sub(F.lead("start").over(by_country), 1))
        .withColumn("end", F.coalesce("end", F.lit(_OPEN_END)))
    )
    covering = periods.alias("p").join(
        legal.alias("r"),
        (F.col("p.destination_country") == F.col("r.destination_country"))
        & (F.col("r.valid_from") <= F.col("p.start"))
        & (F.col("r.valid_to") >= F.col("p.start")),
    )
    lowest = covering.groupBy(F.col("p.destination_country").alias("destination_country"), "p.start", "p.end").agg(
        F.min_by(F.struct("r.threshold", "r.currency"), F.col("r.threshold")).alias("t")
    )
    return lowest.select(
        "destination_country",
        F.col("start").alias("valid_from"),
        F.when(F.col("end") < F.lit(_OPEN_END), F.col("end")).alias("valid_to"),
        F.col("t.threshold").alias("threshold"),
        F.col("t.currency").alias("currency"),
    )


def with_threshold(records: DataFrame, thresholds: DataFrame) -> DataFrame:
    """Add `threshold`: the de minimis amount in force for the record's destination on its arrival date.

    Args:
        records: rows with `destination_country` and `arrival_date`.
        thresholds: `destination_country, valid_from, valid_to, threshold, currency` (see the module docstring).

    Returns:
        `records` with `threshold` (double, in the destination's threshold currency); null when no exemption
        applies or no rule covers the record. Periods of one destination must not overlap: each record matches
        at most one rule.
    """
    rules = thresholds.select(
        F.col("destination_country").alias("_dest"),
        F.col("valid_from").alias("_from"),
        F.col("valid_to").alias("_to"),
        F.col("threshold").cast("double").alias("threshold"),
    )
    in_force = (
        (F.col("destination_country") == F.col("_dest"))
        & (F.col("arrival_date") >= F.col("_from"))
        & (F.col("_to").isNull() | (F.col("arrival_date") <= F.col("_to")))
    )
    return records.join(F.broadcast(rules), in_force, "left").drop("_dest", "_from", "_to")
