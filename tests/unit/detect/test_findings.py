"""Findings: every aggregation key and window, parts under / total over, currency conversion, hub cap, signals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from chispa import assert_column_equality, assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.detect.findings import (
    DetectSettings,
    aggregate_split_groups,
    applicable_rules,
    business_record,
    s10_serial,
    with_inferred_seller,
    with_prior_finding_months,
    with_value_in_rule_currency,
)

from .conftest import record

D = dt.date
RULE = """
rules:
  - id: {id}
    jurisdiction: {jur}
    kind: legal
    key: {key}
    window: {window}
    currency: {ccy}
    fx_date: {fx}
    duty_rate: 0.1
    tax_rate: 0.1
    covers: [duty, tax]
    versions:
      - {{valid_from: 2000-01-01, threshold: {threshold}{extra}}}
"""


def rule(
    rule_id: str = "T",
    *,
    key: str = "[]",
    window: str = "day",
    threshold: str = "150",
    ccy: str = "USD",
    jur: str = "KR",
    fx: str = "arrival_date",
    extra: str = "",
) -> str:
    return RULE.format(id=rule_id, key=key, window=window, threshold=threshold, ccy=ccy, jur=jur, fx=fx, extra=extra)


def _groups(found: DataFrame) -> DataFrame:
    return found.select("rule_id", "entity_id", "record_ids", F.col("total_value").cast("string").alias("total"))


def _expected(spark: SparkSession, rows: list[tuple[Any, ...]]) -> DataFrame:
    return spark.createDataFrame(rows, "rule_id string, entity_id string, record_ids array<string>, total string")


def test_every_aggregation_key_and_window(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [
        # person x day: a and b on one day (over 150); c the next day does not join.
        record("a", "90.00", arrival_date=D(2025, 3, 4), seller_id="S1", order_date=D(2025, 3, 1)),
        record("b", "80.00", arrival_date=D(2025, 3, 4), seller_id="S2", order_date=D(2025, 3, 2)),
        record("c", "70.00", arrival_date=D(2025, 3, 5), seller_id="S1", order_date=D(2025, 3, 1)),
        # an over-threshold parcel is dutiable on its own: never a part.
        record("big", "400.00", arrival_date=D(2025, 3, 4), seller_id="S1", order_date=D(2025, 3, 1)),
        # another person on the same day: alone, no finding.
        record("x", "140.00", arrival_date=D(2025, 3, 4), seller_id="S1", order_date=D(2025, 3, 1)),
        # one AWB over two days; null AWB never groups.
        record("m1", "100.00", arrival_date=D(2025, 6, 1), master_awb="AWB9", seller_id=None),
        record("m2", "100.00", arrival_date=D(2025, 6, 3), master_awb="AWB9", seller_id=None),
        record("m3", "100.00", arrival_date=D(2025, 6, 3), master_awb=None, seller_id=None),
    ]
    ents = entities({**dict.fromkeys(("a", "b", "c", "big", "m1", "m2", "m3"), "E1"), "x": "E2"})
    text = (
        rule("DAY")
        + rule("SUPPLIER", key="[seller_id, order_date]", window="none").split("rules:\n", 1)[1]
        + rule("AWB", key="[master_awb]", window="none").split("rules:\n", 1)[1]
    )
    found = aggregate_split_groups(records(rows), ents, rules_from_yaml(text), rates=rates)
    expected = _expected(
        spark,
        [
            ("DAY", "E1", ["a", "b"], "170.00"),
            ("DAY", "E1", ["m2", "m3"], "200.00"),
            ("SUPPLIER", "E1", ["a", "c"], "160.00"),
            ("AWB", "E1", ["m1", "m2"], "200.00"),
        ],
    )
    assert_df_equality(_groups(found), expected, ignore_row_order=True, ignore_nullable=True)


def test_calendar_year_with_part_limit_and_session_windows(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [
        # CN-like: parts <= 50, year total > 100; the 60 part is over the per-transaction limit.
        record("y1", "45.00", arrival_date=D(2024, 2, 1)),
        record("y2", "45.00", arrival_date=D(2024, 9, 1)),
        record("y3", "45.00", arrival_date=D(2024, 12, 31)),
        record("y4", "60.00", arrival_date=D(2024, 12, 30)),
        record("y5", "45.00", arrival_date=D(2025, 1, 1)),
    ]
    year = rule("YEAR", window="calendar_year", threshold="100", extra=", part_limit: 50")
    found = aggregate_split_groups(
        records(rows), entities(dict.fromkeys(("y1", "y2", "y3", "y4", "y5"), "E")), rules_from_yaml(year), rates=rates
    )
    expected = _expected(spark, [("YEAR", "E", ["y1", "y2", "y3"], "135.00")])
    assert_df_equality(_groups(found), expected, ignore_row_order=True, ignore_nullable=True)

    rows = [
        record("s1", "60.00", arrival_date=D(2025, 1, 1)),
        record("s2", "60.00", arrival_date=D(2025, 1, 20)),  # 19 days after s1: same session
        record("s3", "60.00", arrival_date=D(2025, 3, 1)),  # 40 days later: a new session
        record("s4", "60.00", arrival_date=D(2025, 3, 10)),
        record("s5", "60.00", arrival_date=D(2025, 3, 12)),
    ]
    session = rule("DRIP", window="session:20", threshold="100")
    found = aggregate_split_groups(
        records(rows),
        entities(dict.fromkeys(("s1", "s2", "s3", "s4", "s5"), "E")),
        rules_from_yaml(session),
        rates=rates,
    )
    expected = _expected(spark, [("DRIP", "E", ["s1", "s2"], "120.00"), ("DRIP", "E", ["s3", "s4", "s5"], "180.00")])
    assert_df_equality(_groups(found), expected, ignore_row_order=True, ignore_nullable=True)


def test_value_converted_to_the_rule_currency_on_its_fx_date(
    spark: SparkSession, records: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [
        # KR record in USD: the ingest value is used as is.
        record("usd", "100.00", arrival_date=D(2025, 3, 4), order_date=D(2025, 3, 4)),
        # A EUR rule on a KR record in KRW: 140,000 KRW / 1,400 * 0.8 = 80.00 EUR (rate of Monday 2025-03-03).
        record(
            "krw",
            "140000.00",
            currency="KRW",
            value_threshold_ccy=Decimal("100.00"),
            arrival_date=D(2025, 3, 4),
            order_date=D(2025, 3, 4),
        ),
        # Order-date basis: the order date's rate; with no rate within 7 days, no value.
        record("old", "100.00", currency="USD", order_date=D(2024, 1, 1), arrival_date=D(2025, 3, 4)),
    ]
    usd = rule("U", fx="arrival_date")
    eur = rule("E", ccy="EUR", fx="order_date").split("rules:\n", 1)[1]
    joined = applicable_rules(records(rows), rules_from_yaml(usd + eur))
    valued = with_value_in_rule_currency(joined, rates, max_staleness_days=7)
    actual = valued.select("record_id", "rule_id", F.col("value_rule").cast("string").alias("value"))
    expected = spark.createDataFrame(
        [
            ("usd", "U", "100.00"),
            ("krw", "U", "100.00"),
            ("old", "U", "100.00"),
            ("usd", "E", "80.00"),
            ("krw", "E", "80.00"),
            ("old", "E", None),
        ],
        "record_id string, rule_id string, value string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_soft_signals_and_duty(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    common = {"hs_code": "6109.10", "shipper_name": "SHOP", "order_id": "O1"}
    rows = [
        # Bunched just under 150 (>= 120), one HS heading, consecutive valid S10s, written two ways, one order.
        record("p1", "140.00", tracking_number="RR123456785CN", **common),
        record("p2", "130.00", tracking_number="RR123456799CN", name_std="KIM MIN JUN", **common),
        record(
            "p3",
            "40.00",
            tracking_number="RR123456808CN",
            address_std="12 TEHERANRO",
            consignee_id_std="1234567890",
            **common,
        ),
    ]
    found = aggregate_split_groups(
        records(rows), entities(dict.fromkeys(("p1", "p2", "p3"), "E")), rules_from_yaml(rule()), rates=rates
    )
    actual = found.select(
        "n_parts",
        "bunched_parts",
        "same_goods",
        "consecutive_s10",
        "name_variants",
        "address_variants",
        "single_order",
        "suppliers",
        "separate_orders",
        "business_consignee",
        "_orders",
        "_order_over_limit",
        F.col("duty_at_stake").cast("string").alias("duty"),
        F.col("margin").cast("string").alias("margin"),
    )
    expected = spark.createDataFrame(
        [(3, 2, True, True, 2, 2, True, "one", False, True, 1, False, "62.00", "160.00")],
        "n_parts int, bunched_parts int, same_goods boolean, consecutive_s10 boolean, name_variants int, "
        "address_variants int, single_order boolean, suppliers string, separate_orders boolean, "
        "business_consignee boolean, _orders int, _order_over_limit boolean, duty string, margin string",
    )
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_order_over_limit_and_business_entity_from_records_outside_the_finding(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [
        # A: two lots of order A under 150 and a third lot of A declared over it (not a part, but it flags A).
        record("a1", "100.00", order_id="A"),
        record("a2", "90.00", order_id="A"),
        record("a3", "400.00", order_id="A"),
        # F: the same split without an over-limit lot; the entity's other (later, dear) parcel names a company.
        record("f1", "100.00", order_id="B", name_std="KIM MINJUN", consignee_id_std=None),
        record("f2", "90.00", order_id="B", name_std="KIM MINJUN", consignee_id_std=None),
        record("f3", "900.00", arrival_date=D(2025, 4, 1), name_std="HANBIT TRADING CO LTD", consignee_id_std=None),
        # G: the over-limit parcel has another order id: nothing to say about order C.
        record("g1", "100.00", order_id="C", name_std="주 옥순"),
        record("g2", "90.00", order_id="C", name_std="주 옥순"),
        record("g3", "400.00", order_id="X", name_std="주 옥순"),
    ]
    found = aggregate_split_groups(
        records(rows),
        entities({r["record_id"]: r["record_id"][0].upper() for r in rows}),
        rules_from_yaml(rule(key="[order_id]", window="none")),
        rates=rates,
    )
    actual = found.select("entity_id", "record_ids", "_orders", "_order_over_limit", "business_consignee")
    expected = spark.createDataFrame(
        [
            ("A", ["a1", "a2"], 1, True, False),
            ("F", ["f1", "f2"], 1, False, True),
            ("G", ["g1", "g2"], 1, False, False),
        ],
        "entity_id string, record_ids array<string>, _orders int, _order_over_limit boolean, "
        "business_consignee boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_purchase_dates_and_services_of_the_parts(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [
        # A: two order dates, one service. B: one order date, two services (channel case and spaces ignored).
        record("a1", "100.00", order_date=D(2025, 3, 1)),
        record("a2", "90.00", order_date=D(2025, 3, 2)),
        record("b1", "100.00", channel="postal"),
        record("b2", "90.00", channel=" Express "),
        record("b3", "80.00", channel="express"),
        # C: only one part declares an order date: purchase dates unknown; no channel at all.
        record("c1", "100.00", channel=None),
        record("c2", "90.00", order_date=None, channel=None),
    ]
    found = aggregate_split_groups(
        records(rows),
        entities({r["record_id"]: r["record_id"][0].upper() for r in rows}),
        rules_from_yaml(rule()),
        rates=rates,
    )
    actual = found.select("entity_id", "_purchase_dates", "_services")
    expected = spark.createDataFrame(
        [("A", 2, 1), ("B", 1, 2), ("C", None, 0)], "entity_id string, _purchase_dates int, _services int"
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_inferred_seller_from_the_entity_s_parcels_of_the_same_shipper(spark: SparkSession) -> None:
    rows = [
        # E1: one seller id goes with the shipper (written in another case and punctuation): it fills the gap.
        ("r1", "E1", "S-9", "Sunny Outdoors Pvt. Ltd."),
        ("r2", "E1", None, "SUNNY OUTDOORS PVT LTD"),
        ("r3", "E1", " ", "sunny  outdoors, pvt. ltd."),
        # E2: the shipper goes with two seller ids (a marketplace): no guess.
        ("r4", "E2", "A", "MARKET"),
        ("r5", "E2", "B", "MARKET"),
        ("r6", "E2", None, "MARKET"),
        # E3: no parcel of the shipper carries a seller id: the shipper is the supplier; no shipper: nothing.
        ("r7", "E3", None, "Hangzhou Wanjia Co., Ltd."),
        ("r8", "E3", None, None),
        # E4: another entity's seller id for the same shipper is not used (r1's S-9 stays in E1).
        ("r9", "E4", None, "Sunny Outdoors Pvt. Ltd."),
    ]
    df = spark.createDataFrame(rows, "record_id string, entity_id string, seller_id string, shipper_name string")
    expected = spark.createDataFrame(
        [
            ("r1", "S-9"),
            ("r2", "S-9"),
            ("r3", "S-9"),
            ("r4", "A"),
            ("r5", "B"),
            ("r6", None),
            ("r7", "shipper:HANGZHOU WANJIA CO LTD"),
            ("r8", None),
            ("r9", "shipper:SUNNY OUTDOORS PVT LTD"),
        ],
        "record_id string, seller_id string",
    )
    actual = with_inferred_seller(df).select("record_id", "seller_id")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_part_without_a_seller_id_joins_its_supplier_and_purchase_date(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [
        record("k1", "60.00", seller_id="S1", shipper_name="Jinhua Huaxin", order_date=D(2025, 2, 25)),
        record("k2", "50.00", seller_id="S1", shipper_name="JINHUA HUAXIN", order_date=D(2025, 2, 25)),
        record("k3", "45.00", seller_id=None, shipper_name="Jinhua Huaxin", order_date=D(2025, 2, 25)),
    ]
    found = aggregate_split_groups(
        records(rows),
        entities({r["record_id"]: "E" for r in rows}),
        rules_from_yaml(rule("KR-SUPPLIER-DATE", key="[seller_id, order_date]", window="none")),
        rates=rates,
    )
    expected = _expected(spark, [("KR-SUPPLIER-DATE", "E", ["k1", "k2", "k3"], "155.00")])
    assert_df_equality(_groups(found), expected, ignore_row_order=True, ignore_nullable=True)


def test_business_record_by_id_or_legal_form(spark: SparkSession) -> None:
    rows = [
        ("KIM MINJUN", "P123456789012", False),
        ("KIM MINJUN", "1234567890", True),  # KR business registration number
        ("JOHN SMITH", "123456789", True),  # US EIN
        ("HANBIT CORPORATION CO LTD", None, True),
        ("Granite Imports LLC", None, True),
        ("SUNRISE IMPORTS INC", None, True),
        ("WILDTECH GMBH", None, True),
        ("주식회사 하나테크", None, True),
        ("株式会社 山田商事", None, True),
        ("深圳市华强有限公司", None, True),
        ("주 옥순", None, False),  # the surname Ju, not (주)
        ("INCE ANNA", None, False),
        ("MARY S A JONES", None, False),  # initials, not S.A.
        ("PACIFIC WHOLESALE CO", None, False),  # "CO" alone is not taken as a legal form
        (None, None, False),
    ]
    df = spark.createDataFrame(rows, "name string, cid string, expected boolean")
    assert_column_equality(
        df.withColumn("business", business_record(F.col("name"), F.col("cid"))), "business", "expected"
    )


def test_s10_serial_checks_the_check_digit(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("RR123456785TR", 12345678),
            ("rr123456785tr ", 12345678),
            ("RR123456784TR", None),
            ("1Z999", None),
            (None, None),
        ],
        "tracking string, expected long",
    )
    assert_column_equality(df.withColumn("serial", s10_serial(F.col("tracking"))), "serial", "expected")


def test_hub_entities_are_capped(
    spark: SparkSession, records: Any, entities: Any, rules_from_yaml: Any, rates: DataFrame
) -> None:
    rows = [record(f"h{i}", "100.00") for i in range(4)]
    found = aggregate_split_groups(
        records(rows),
        entities({f"h{i}": "HUB" for i in range(4)}),
        rules_from_yaml(rule()),
        rates=rates,
        settings=DetectSettings(max_entity_records=3),
    )
    assert_df_equality(_groups(found), _expected(spark, []), ignore_nullable=True)


def test_prior_finding_months_counts_earlier_months_with_a_legal_finding(spark: SparkSession) -> None:
    rows = [
        ("f1", "E", "legal", D(2025, 1, 5)),
        ("f2", "E", "heuristic", D(2025, 1, 20)),
        ("f3", "E", "heuristic", D(2025, 3, 1)),
        ("g1", "G", "legal", D(2025, 3, 1)),
        ("h1", "H", "heuristic", D(2025, 1, 1)),
        ("h2", "H", "legal", D(2025, 2, 1)),
    ]
    findings = spark.createDataFrame(rows, "finding_id string, entity_id string, rule_kind string, window_start date")
    actual = with_prior_finding_months(findings).select("finding_id", "prior_finding_months")
    expected = spark.createDataFrame(
        [("f1", 0), ("f2", 0), ("f3", 1), ("g1", 0), ("h1", 0), ("h2", 0)],
        "finding_id string, prior_finding_months int",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
