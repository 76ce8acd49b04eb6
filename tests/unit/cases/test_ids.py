"""Stable case ids: growth keeps the id, two candidates claiming one earlier case, ties, re-runs."""

from __future__ import annotations

import datetime as dt
import hashlib

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.cases.ids import assign_case_ids

RUN = dt.date(2025, 2, 1)


def _new(anchor: str) -> str:
    return "C-" + hashlib.sha256(f"{anchor}@{RUN.isoformat()}".encode()).hexdigest()[:12]


def _previous(spark: SparkSession) -> tuple[DataFrame, DataFrame]:
    records = spark.createDataFrame(
        [
            ("C-old1", "r1"),
            ("C-old1", "r2"),
            ("C-old1", "r3"),
            ("C-old3", "r10"),
            ("C-old3", "r11"),
            ("C-old3", "r12"),
            ("C-old4", "r20"),
            ("C-old5", "r30"),
        ],
        "case_id string, record_id string",
    )
    cases = spark.createDataFrame(
        [
            ("C-old1", dt.date(2025, 1, 1)),
            ("C-old3", dt.date(2025, 1, 1)),
            ("C-old4", dt.date(2025, 1, 1)),
            ("C-old5", dt.date(2024, 6, 1)),
        ],
        "case_id string, first_seen date",
    )
    return records, cases


def test_ids_by_shared_parcels(spark: SparkSession) -> None:
    candidates = spark.createDataFrame(
        [
            ("split:E1", ["r1", "r2", "r3", "r5"]),  # grew: keeps C-old1
            ("split:E3", ["r10", "r11"]),  # shares 2 with C-old3: keeps it
            ("split:E4", ["r12"]),  # shares 1 with C-old3, which E3 keeps: new id
            ("ring:R9", ["r20", "r30"]),  # one parcel each with C-old4 and C-old5: the older first_seen wins
            ("split:E5", ["r99"]),  # nothing shared: new id
        ],
        "anchor string, record_ids array<string>",
    )
    records, cases = _previous(spark)
    actual = assign_case_ids(candidates, records, cases, run_date=RUN).select(
        "anchor", "case_id", "matched_case_id", "shared_parcels"
    )
    expected = spark.createDataFrame(
        [
            ("split:E1", "C-old1", "C-old1", 3),
            ("split:E3", "C-old3", "C-old3", 2),
            ("split:E4", _new("split:E4"), None, 0),
            ("ring:R9", "C-old5", "C-old5", 1),
            ("split:E5", _new("split:E5"), None, 0),
        ],
        "anchor string, case_id string, matched_case_id string, shared_parcels int",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_rerun_on_its_own_output_gives_the_same_ids(spark: SparkSession) -> None:
    candidates = spark.createDataFrame(
        [("split:E3", ["r10", "r11"]), ("split:E4", ["r12"]), ("split:E5", ["r99"])],
        "anchor string, record_ids array<string>",
    )
    records, cases = _previous(spark)
    first = assign_case_ids(candidates, records, cases, run_date=RUN).select("anchor", "case_id", "record_ids")
    # The state the first run leaves: its cases (first seen on the run date) on top of the earlier ones.
    after_records = records.unionByName(first.select("case_id", F.explode("record_ids").alias("record_id")))
    after_cases = cases.unionByName(
        first.join(cases, "case_id", "left_anti").select("case_id", F.lit(RUN).alias("first_seen"))
    )
    second = assign_case_ids(candidates, after_records, after_cases, run_date=RUN).select("anchor", "case_id")
    expected = spark.createDataFrame(
        [("split:E3", "C-old3"), ("split:E4", _new("split:E4")), ("split:E5", _new("split:E5"))],
        "anchor string, case_id string",
    )
    assert_df_equality(second, expected, ignore_row_order=True, ignore_nullable=True)
