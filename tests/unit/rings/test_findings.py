"""Ring parcels and scoring: which records are the ring's, the parts of the score and the reasons given for it."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.rings.findings import ring_supply, with_score

RINGS = (
    "ring_key string, n_members int, n_parties int, shared_attributes array<string>, "
    "sellers_in_common array<string>, common_seller_share double, n_records long, parcels_under_threshold long, "
    "under_threshold_share double, max_window_ratio double, windows_over_threshold long, value_at_stake_usd double, "
    "organiser string, organiser_betweenness double, bridges array<string>"
)


def test_score_parts_and_reasons(spark: SparkSession) -> None:
    rings = spark.createDataFrame(
        [
            (
                "strong",
                7,
                6,
                ["drop_address=U1 (7 members)", "phone=P1 (5 members)"],
                ["S1 (20 parcels, 7 members)"],
                1.0,
                20,
                20,
                1.0,
                8.5,
                1,
                10000.0,
                "E1",
                0.5,
                ["E1 -- E9 (weight 2)"],
            ),
            ("weak", 3, 3, ["phone=P2 (3 members)"], [], 0.0, 4, 2, 0.5, None, 0, 0.0, "E5", 0.0, []),
        ],
        RINGS,
    )
    actual = with_score(rings, duty_rate=0.18).select("ring_key", "duty_at_stake_usd", "score", "reasons")
    expected = spark.createDataFrame(
        [
            (
                "strong",
                1800.0,
                100.0,
                [
                    "7 consignees (6 independent parties) linked by shared drop_address=U1 (7 members); "
                    "phone=P1 (5 members)",
                    "20 parcels (100% of the members' records) bought from merchants in common: "
                    "S1 (20 parcels, 7 members)",
                    "20 of 20 parcels each under the de minimis threshold",
                    "combined value from one merchant reaches 8.5x the threshold within the window; "
                    "duty and tax at stake about USD 1800",
                    "organiser candidate E1 (highest betweenness 0.50)",
                    "joined to another ring by weak link(s): E1 -- E9 (weight 2)",
                ],
            ),
            (
                "weak",
                0.0,
                15.0,
                [
                    "3 consignees (3 independent parties) linked by shared phone=P2 (3 members)",
                    "2 of 4 parcels each under the de minimis threshold",
                    "organiser candidate E5 (highest betweenness 0.00)",
                ],
            ),
        ],
        "ring_key string, duty_at_stake_usd double, score double, reasons array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_ring_parcels_are_the_members_purchases_from_a_merchant_in_common_within_the_window(
    spark: SparkSession,
) -> None:
    members = spark.createDataFrame([("R", "E1"), ("R", "E2"), ("R", "E3")], "ring_key string, node string")
    d = dt.date(2025, 3, 1)
    records = spark.createDataFrame(
        [
            ("r1", "E1", "S1", "KR", d, d, 100.0, 100.0, 150.0),
            ("r2", "E2", "S1", "KR", None, d + dt.timedelta(days=20), 120.0, 120.0, 150.0),  # arrival stands in
            ("r3", "E2", "S1", "KR", d + dt.timedelta(days=200), d + dt.timedelta(days=205), 90.0, 90.0, 150.0),
            ("r4", "E3", "S2", "KR", d, d, 140.0, 140.0, 150.0),  # nobody else bought from S2
            ("r5", "E3", "S1", "US", d, d, 140.0, 140.0, None),  # another destination
            ("r6", "E3", None, "KR", d, d, 50.0, 50.0, 150.0),
        ],
        "record_id string, entity_id string, seller_id string, destination_country string, order_date date, "
        "arrival_date date, value_threshold_ccy double, value_usd double, threshold double",
    )
    actual = ring_supply(members, records, window_days=30).select(
        "ring_key", "record_ids", "n_records", "sellers_in_common", "common_seller_share", "max_window_ratio"
    )
    expected = spark.createDataFrame(
        [("R", ["r1", "r2"], 2, ["S1 (2 parcels, 2 members)"], 2 / 6, 220.0 / 150.0)],
        "ring_key string, record_ids array<string>, n_records long, sellers_in_common array<string>, "
        "common_seller_share double, max_window_ratio double",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)
