"""Scores, reasons, the top-findings text and the what-if difference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.detect.scoring import keep_strongest_per_parcel_set, with_score_and_reasons
from splitscan.pipelines.detect import describe_findings
from splitscan.pipelines.whatif import compare_findings

D = dt.date
SCHEMA = (
    "finding_id string, rule_id string, rule_kind string, jurisdiction string, aggregation string, "
    "entity_id string, group_key string, window_start date, window_end date, n_parts int, "
    "total_value decimal(18,2), threshold decimal(18,2), part_limit decimal(18,2), currency string, "
    "margin decimal(18,2), duty_at_stake decimal(18,2), duty_at_stake_usd decimal(18,2), bunched_parts int, "
    "same_goods boolean, consecutive_s10 boolean, name_variants int, address_variants int, single_order boolean, "
    "prior_finding_months int, suppliers string, separate_orders boolean, business_consignee boolean, _heading string, "
    "_orders int, _purchase_dates int, _services int, _order_over_limit boolean"
)


def _finding(finding_id: str, kind: str, **signals: object) -> tuple[object, ...]:
    s = {
        "bunched": 0,
        "same_goods": False,
        "s10": False,
        "names": 1,
        "addresses": 1,
        "single_order": False,
        "prior": 0,
        "parts": 2,
        "heading": None,
        "suppliers": "unknown",
        "separate": False,
        "business": False,
        "orders": 0,
        "purchase_dates": None,
        "services": 1,
        "over": False,
        "end": D(2025, 3, 6),
    }
    s.update(signals)
    m = Decimal
    return (
        finding_id, "KR-SUPPLIER-DATE", kind, "KR", "entity x seller_id x order_date", "E1",
        "seller_id=S1|order_date=2025-03-01", D(2025, 3, 4), s["end"], s["parts"], m("310.00"), m("150.00"),
        m("150.00"), "USD", m("160.00"), m("58.28"), m("58.28"), s["bunched"], s["same_goods"], s["s10"],
        s["names"], s["addresses"], s["single_order"], s["prior"], s["suppliers"], s["separate"], s["business"],
        s["heading"], s["orders"], s["purchase_dates"], s["services"], s["over"],
    )  # fmt: skip


def _findings(spark: SparkSession) -> DataFrame:
    rows = [
        _finding("plain", "legal"),
        _finding("heuristic", "heuristic"),
        _finding(
            "all",
            "legal",
            bunched=2,
            same_goods=True,
            s10=True,
            names=3,
            addresses=2,
            prior=1,
            parts=3,
            heading="610910",
            orders=2,
        ),
        _finding("carrier", "legal", single_order=True, same_goods=True, orders=1),
        _finding("carrier_bunched", "legal", single_order=True, same_goods=True, orders=1, bunched=2),
        _finding("one_order", "legal", single_order=True, orders=1),
        _finding("over", "legal", single_order=True, orders=1, over=True),
        _finding("unknown_orders", "legal", same_goods=True, orders=1),
        _finding("separate", "legal", suppliers="one", separate=True, orders=2),
        _finding("repeat", "legal", suppliers="one", separate=True, orders=2, end=D(2025, 3, 12)),
        _finding("one_date", "legal", suppliers="one", separate=True, orders=2, purchase_dates=1, end=D(2025, 3, 12)),
        _finding("two_dates", "legal", suppliers="one", separate=True, orders=2, purchase_dates=2),
        _finding("services", "legal", services=2),
        _finding("coincidence", "legal", suppliers="several"),
        _finding("business", "legal", business=True, prior=2),
        _finding("business_restock", "legal", business=True, suppliers="one", separate=True, orders=2),
        _finding("noise", "legal", addresses=2),
    ]
    return spark.createDataFrame(rows, SCHEMA)


def test_score_adds_documented_points(spark: SparkSession) -> None:
    actual = with_score_and_reasons(_findings(spark)).select("finding_id", "score")
    # all: 40 + 20 * 2/3 + 10 + 10 + 15 * (2/2 + 1/2) / 2 + 5 (one earlier month) + 2 (a third part) = 91.58;
    # carrier: one order of one kind of goods: 40 - 15 - 10 = 15, and its parts just under the limit do not score
    # (carrier_bunched); one_order (mixed goods): 40 - 15 = 25;
    # over: a lot of the order over the limit: 40 - 15 - 20 = 5; unknown_orders: same goods but the parts are not
    # known to be several orders: 40; separate: 40 + 10 + 10 within 2 days, repeat: 40 + 10 over 8 days;
    # one_date: over 8 days but placed on one purchase date, 40 + 10 + 10; two_dates: within 2 days but on two
    # purchase dates, 40 + 10; services: parts sent by two services, 40 - 10;
    # business: 40 - 30 and its 2 earlier months earn nothing; business_restock: nor do its separate orders from
    # one supplier (40 - 30); noise: one field varying is not a disguise.
    expected = spark.createDataFrame(
        [
            ("plain", 0.40),
            ("heuristic", 0.15),
            ("all", 0.9158),
            ("carrier", 0.15),
            ("carrier_bunched", 0.15),
            ("one_order", 0.25),
            ("over", 0.05),
            ("unknown_orders", 0.40),
            ("separate", 0.60),
            ("repeat", 0.50),
            ("one_date", 0.60),
            ("two_dates", 0.50),
            ("services", 0.30),
            ("coincidence", 0.30),
            ("business", 0.10),
            ("business_restock", 0.10),
            ("noise", 0.40),
        ],
        "finding_id string, score double",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_reasons_name_rule_window_total_and_signals(spark: SparkSession) -> None:
    scored = with_score_and_reasons(_findings(spark)).filter(F.col("finding_id") == "all")
    reasons = scored.select("reasons").first()
    assert reasons is not None
    assert reasons["reasons"] == [
        "rule KR-SUPPLIER-DATE (legal, KR): entity x seller_id x order_date",
        "window 2025-03-04..2025-03-06, key seller_id=S1|order_date=2025-03-01: 3 parts, total 310.00 USD > "
        "threshold 150.00 (margin 160.00, 207% of the threshold)",
        "duty and tax at stake 58.28 USD",
        "2 of 3 parts just under the limit 150.00",
        "same HS subheading 610910 on every part, 2 orders",
        "consecutive S10 serials from one sender",
        "consignee written differently: 3 names, 2 addresses in one entity",
        "entity has findings in 1 earlier month(s)",
    ]


def test_reasons_say_which_signals_did_not_score(spark: SparkSession) -> None:
    scored = with_score_and_reasons(_findings(spark)).select("finding_id", F.slice("reasons", 4, 10).alias("signals"))
    actual = {r["finding_id"]: r["signals"] for r in scored.collect()}
    assert actual["carrier"] == [
        "same goods description on every part, one order: one kind of goods in pieces, the carrier-split profile",
        "all parts on one order id: possibly a carrier split (aggregate, not fraud)",
    ]
    assert actual["over"] == [
        "all parts on one order id: possibly a carrier split (aggregate, not fraud)",
        "another parcel of the same order was declared over the limit: the order was not cut to the threshold",
    ]
    assert actual["unknown_orders"] == ["same goods description on every part, order ids unknown: not scored"]
    assert actual["separate"] == [
        "one supplier, a separate order for every part, placed together",
        "one supplier on every part",
    ]
    assert actual["carrier_bunched"] == [
        "2 of 2 parts just under the limit 150.00 (one order, one kind of goods: the carrier cut the pieces, not "
        "scored)",
        "same goods description on every part, one order: one kind of goods in pieces, the carrier-split profile",
        "all parts on one order id: possibly a carrier split (aggregate, not fraud)",
    ]
    assert actual["one_date"] == [
        "one supplier, a separate order for every part, all placed on one purchase date",
        "one supplier on every part",
    ]
    assert actual["two_dates"] == [
        "one supplier, separate orders on 2 purchase dates: repeat purchases, not scored",
        "one supplier on every part",
    ]
    assert actual["services"] == ["parts sent by 2 services (postal, express, e-commerce): possibly independent orders"]
    assert actual["repeat"] == [
        "one supplier, separate orders over more than 7 days: repeat purchases, not scored",
        "one supplier on every part",
    ]
    assert actual["business"] == [
        "entity has findings in 2 earlier month(s) (a business: not scored)",
        "business importer (a registration number or company name on its records): frequent imports are normal",
    ]
    assert actual["business_restock"] == [
        "one supplier, a separate order for every part, placed together (a business: not scored)",
        "one supplier on every part (a business: not scored)",
        "business importer (a registration number or company name on its records): frequent imports are normal",
    ]
    assert actual["noise"] == ["1 names, 2 addresses: only one field varies (noise or a second address), not scored"]


def test_describe_findings_lists_the_top_by_score(spark: SparkSession) -> None:
    text = describe_findings(with_score_and_reasons(_findings(spark)), top=1)
    assert text.splitlines()[:3] == [
        "top 1 split findings by score:",
        "  all  score 0.92  entity E1",
        "      - rule KR-SUPPLIER-DATE (legal, KR): entity x seller_id x order_date",
    ]


def test_whatif_difference_by_jurisdiction_and_month(spark: SparkSession) -> None:
    schema = "finding_id string, jurisdiction string, window_end date, n_parts int, duty_at_stake_usd decimal(18,2)"
    base = spark.createDataFrame(
        [("kept", "KR", D(2025, 3, 4), 2, Decimal("10.00")), ("lost", "KR", D(2025, 3, 9), 3, Decimal("5.00"))],
        schema,
    )
    alt = spark.createDataFrame(
        [("kept", "KR", D(2025, 3, 4), 2, Decimal("12.00")), ("new", "US", D(2025, 4, 1), 4, Decimal("7.50"))],
        schema,
    )
    actual = compare_findings(base, alt).select(
        "jurisdiction", "month", "findings_base", "findings_alt", "findings_gained", "findings_lost",
        "parcels_gained", "parcels_lost", F.col("duty_usd_base").cast("string"), F.col("duty_usd_alt").cast("string"),
    )  # fmt: skip
    expected = spark.createDataFrame(
        [("KR", "2025-03", 2, 1, 0, 1, 0, 3, "15.00", "12.00"), ("US", "2025-04", 0, 1, 1, 0, 4, 0, "0.00", "7.50")],
        "jurisdiction string, month string, findings_base long, findings_alt long, findings_gained long, "
        "findings_lost long, parcels_gained long, parcels_lost long, duty_usd_base string, duty_usd_alt string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_one_finding_per_parcel_set_naming_the_other_rules(spark: SparkSession) -> None:
    rows = [
        ("a", "KR-SAME-ARRIVAL", "heuristic", ["r1", "r2"], 0.9, ["x"]),
        ("b", "KR-SUPPLIER-DATE", "legal", ["r1", "r2"], 0.5, ["y"]),
        ("c", "KR-AWB", "legal", ["r1", "r2", "r3"], 0.5, ["z"]),
    ]
    schema = "finding_id string, rule_id string, rule_kind string, record_ids array<string>, score double, "
    findings = spark.createDataFrame(rows, schema + "reasons array<string>").withColumn("entity_id", F.lit("E"))
    actual = keep_strongest_per_parcel_set(findings).select("finding_id", "reasons")
    expected = spark.createDataFrame(
        [("b", ["y", "same parcels also under KR-SAME-ARRIVAL"]), ("c", ["z"])],
        "finding_id string, reasons array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
