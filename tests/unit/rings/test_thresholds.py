"""Thresholds for ring features, derived from detect's effective-dated rule table."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.rings.thresholds import THRESHOLD_SCHEMA, thresholds_from_rules

_RULES = "country string, rule_kind string, valid_from date, valid_to date, threshold double, rule_currency string"
_OPEN = dt.date(9999, 12, 31)


def test_lowest_legal_threshold_per_stretch_of_dates_heuristics_ignored_gaps_left_out(spark: SparkSession) -> None:
    d = dt.date
    rules = spark.createDataFrame(
        [
            # Korea: two scopes of one legal rule (USD 200 from the US, 150 otherwise) and a lower heuristic.
            ("KR", "legal", d(2000, 1, 1), _OPEN, 200.0, "USD"),
            ("KR", "legal", d(2000, 1, 1), _OPEN, 150.0, "USD"),
            ("KR", "heuristic", d(2000, 1, 1), _OPEN, 100.0, "USD"),
            # US: 800 until 2025-08-28, then no exemption (no row in the rule table).
            ("US", "legal", d(2016, 8, 26), d(2025, 8, 28), 800.0, "USD"),
            # Two legal rules whose validity overlaps in part: the stretch where both apply takes the lower.
            ("GB", "legal", d(2021, 1, 1), d(2021, 12, 31), 135.0, "GBP"),
            ("GB", "legal", d(2021, 7, 1), _OPEN, 100.0, "GBP"),
        ],
        _RULES,
    ).withColumn("threshold", F.col("threshold").cast("decimal(18,2)"))  # the rule table's money type
    expected = spark.createDataFrame(
        [
            ("GB", d(2021, 1, 1), d(2021, 6, 30), 135.0, "GBP"),
            ("GB", d(2021, 7, 1), d(2021, 12, 31), 100.0, "GBP"),
            ("GB", d(2022, 1, 1), None, 100.0, "GBP"),
            ("KR", d(2000, 1, 1), None, 150.0, "USD"),
            ("US", d(2016, 8, 26), d(2025, 8, 28), 800.0, "USD"),
        ],
        THRESHOLD_SCHEMA,
    )
    actual = thresholds_from_rules(rules).orderBy("destination_country", "valid_from")
    assert_df_equality(actual, expected, ignore_nullable=True)
