"""Ring scoring: the parts of the score and the reasons given for it."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.rings.findings import with_score

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
