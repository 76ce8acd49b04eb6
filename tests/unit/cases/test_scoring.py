"""Base score, ranking of raised cases and the plain-words summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.cases.model import with_model_score
from splitscan.cases.scoring import with_base_score, with_rank, with_summary


def test_base_score_and_rank(spark: SparkSession) -> None:
    cases = spark.createDataFrame(
        [
            ("C-a", 0.93, Decimal("70.00"), 2, True),
            ("C-b", 0.43, Decimal("15.00"), 2, True),
            ("C-c", 1.0, Decimal("20000.00"), 9, False),  # dismissed: scored, not ranked
            ("C-d", 0.2, Decimal("0.00"), 0, True),
            ("C-e", 0.2, Decimal("0.00"), 0, True),  # ties C-d: the smaller id ranks first
        ],
        "case_id string, evidence double, duty_at_stake_usd decimal(18,2), history_months int, raised boolean",
    )
    actual = with_rank(with_model_score(with_base_score(cases), None)).select(
        "case_id", "base_score", "score", "scorer", "rank"
    )
    # C-a: 100 x (0.6 x 0.93 + 0.3 x log10(71) / log10(10001) + 0.1 x 2/6) = 73.02; C-c is capped at 100.
    expected = spark.createDataFrame(
        [
            ("C-a", 73.02, 73.02, "base", 1),
            ("C-b", 38.16, 38.16, "base", 2),
            ("C-c", 100.0, 100.0, "base", None),
            ("C-d", 12.0, 12.0, "base", 3),
            ("C-e", 12.0, 12.0, "base", 4),
        ],
        "case_id string, base_score double, score double, scorer string, rank int",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_business_importer_case_is_scaled_down(spark: SparkSession) -> None:
    cases = spark.createDataFrame(
        [("C-a", 0.93, Decimal("70.00"), 2, True), ("C-b", 0.93, Decimal("70.00"), 2, False)],
        "case_id string, evidence double, duty_at_stake_usd decimal(18,2), history_months int, business boolean",
    )
    actual = with_base_score(cases).select("case_id", "base_score")
    expected = spark.createDataFrame([("C-a", 36.51), ("C-b", 73.02)], "case_id string, base_score double")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_summary_in_plain_words(spark: SparkSession) -> None:
    cases = spark.createDataFrame(
        [
            (
                "C-ring",
                "ring",
                6,
                41,
                ["SF1", "SF2"],
                ["phone=P1 (3 members)", "phone=P2 (2 members)", "drop_address=U1 (4 members)"],
                3,
                38,
                "KR-SUPPLIER-DATE",
                Decimal("150.00"),
                "USD",
                Decimal("1234.40"),
                dt.date(2025, 1, 2),
                dt.date(2025, 3, 5),
            ),
            (
                "C-split",
                "split",
                1,
                7,
                ["SF3", "SF4", "SF5"],
                None,
                None,
                None,
                "KR-SAME-ARRIVAL",
                Decimal("150000.00"),
                "KRW",
                Decimal("1234.60"),
                dt.date(2025, 1, 2),
                dt.date(2025, 3, 5),
            ),
        ],
        "case_id string, case_type string, n_entities int, n_records int, finding_ids array<string>, "
        "shared_attributes array<string>, n_sellers int, parcels_under_threshold long, lead_rule string, "
        "lead_part_limit decimal(18,2), lead_currency string, duty_at_stake_usd decimal(18,2), first_arrival date, "
        "last_arrival date",
    )
    expected = spark.createDataFrame(
        [
            (
                "C-ring",
                "Ring of 6 consignees sharing 2 phones and a drop address bought 41 parcels from 3 merchant(s) in "
                "common, 38 of them each under the de minimis threshold; 2 split finding(s) (lead rule "
                "KR-SUPPLIER-DATE, each part under USD 150.00); duty at stake USD 1,234.",
            ),
            (
                "C-split",
                "One consignee split 7 parcels into 3 finding(s) under KR-SAME-ARRIVAL, each part under KRW "
                "150,000.00, arriving 2025-01-02 to 2025-03-05; duty at stake USD 1,235.",
            ),
        ],
        "case_id string, summary string",
    )
    assert_df_equality(
        with_summary(cases).select("case_id", "summary"), expected, ignore_row_order=True, ignore_nullable=True
    )
