"""Case parcels with the findings that hold them, the smallest part limit and the ring links of their entity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.cases.records import RECORD_COLUMNS, case_records

RECORDS = (
    "record_id string, destination_country string, arrival_date date, consignee_name string, "
    "consignee_address string, consignee_phone string, consignee_id string, seller_id string, "
    "tracking_number string, goods_description string, hs_code string, declared_value decimal(18,2), "
    "currency string, value_threshold_ccy decimal(18,2), threshold_currency string, value_usd decimal(18,2)"
)


def test_case_records(spark: SparkSession) -> None:
    m = Decimal("90.00")
    records = spark.createDataFrame(
        [
            (r, "KR", dt.date(2025, 1, 2), "KIM", "SEOUL", None, None, "S1", None, None, None, m, "USD", m, "USD", m)
            for r in ("r1", "r2", "r3")
        ],
        RECORDS,
    )
    assert records.columns == list(RECORD_COLUMNS)
    entities = spark.createDataFrame(
        [("r1", "E1", ["r9: weight 9.0"]), ("r2", "E3", []), ("r3", "E7", [])],
        "record_id string, entity_id string, link_evidence array<string>",
    )
    splits = spark.createDataFrame(
        [("SF1", ["r1", "r3"], Decimal("150.00")), ("SF2", ["r1"], Decimal("100.00"))],
        "finding_id string, record_ids array<string>, part_limit decimal(18,2)",
    )
    edges = [
        "E1 -- E2 (weight 2.0, strong): phone=P1",
        "E10 -- E2 (weight 2.0, strong): phone=P1",  # E10 is not E1
        "E2 -- E3 (weight 2.0, strong): phone=P2",
        "E2 -- E30 (weight 1.0, weak): email=x",  # E30 is not E3
    ]
    rings = spark.createDataFrame(
        [("R1", ["r1"], edges)], "ring_id string, record_ids array<string>, edges array<string>"
    )
    cases = spark.createDataFrame(
        [("C-ring", ["r1", "r2"], ["R1"]), ("C-split", ["r3"], [])],
        "case_id string, record_ids array<string>, ring_ids array<string>",
    )
    actual = case_records(cases, splits, rings, records, entities).select(
        "case_id", "record_id", "entity_id", "part_limit", "finding_ids", "in_ring", "link_evidence", "ring_links"
    )
    expected = spark.createDataFrame(
        [
            ("C-ring", "r1", "E1", Decimal("100.00"), ["SF1", "SF2"], True, ["r9: weight 9.0"], [edges[0]]),
            ("C-ring", "r2", "E3", None, [], False, [], [edges[2]]),
            ("C-split", "r3", "E7", Decimal("150.00"), ["SF1"], False, [], []),
        ],
        "case_id string, record_id string, entity_id string, part_limit decimal(18,2), finding_ids array<string>, "
        "in_ring boolean, link_evidence array<string>, ring_links array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
