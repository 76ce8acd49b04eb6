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
    "prior_finding_months int, suppliers string, separate_orders boolean, business_consignee boolean, _heading string"
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
    }
    s.update(signals)
    m = Decimal
    return (
        finding_id, "KR-SUPPLIER-DATE", kind, "KR", "entity x seller_id x order_date", "E1",
        "seller_id=S1|order_date=2025-03-01", D(2025, 3, 4), D(2025, 3, 6), s["parts"], m("310.00"), m("150.00"),
        m("150.00"), "USD", m("160.00"), m("58.28"), m("58.28"), s["bunched"], s["same_goods"], s["s10"],
        s["names"], s["addresses"], s["single_order"], s["prior"], s["suppliers"], s["separate"], s["business"],
        s["heading"],
    )  # fmt: skip


def _findings(spark: SparkSession) -> DataFrame:
    rows = [
        _finding("plain", "legal"),
        _finding("heuristic", "heuristic"),
        _finding("all", "legal", bunched=2, same_goods=True, s10=True, names=3, prior=5, parts=3, heading="610910"),
        _finding("carrier", "legal", single_order=True, same_goods=True),
        _finding("separate", "legal", suppliers="one", separate=True),
        _finding("coincidence", "legal", suppliers="several"),
        _finding("business", "legal", business=True),
    ]
    return spark.createDataFrame(rows, SCHEMA)


def test_score_adds_documented_points(spark: SparkSession) -> None:
    actual = with_score_and_reasons(_findings(spark)).select("finding_id", "score")
    # all: 40 + 20 * 2/3 + 10 + 10 + 15 * (2/2 + 0/2) / 2 + 15 (history capped) + 2 (a third part) = 97.83;
    # carrier: the same goods on one order earn nothing: 40 - 15 = 25.
    expected = spark.createDataFrame(
        [
            ("plain", 0.40),
            ("heuristic", 0.15),
            ("all", 0.9783),
            ("carrier", 0.25),
            ("separate", 0.60),
            ("coincidence", 0.30),
            ("business", 0.20),
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
        "same HS subheading 610910 on every part",
        "consecutive S10 serials from one sender",
        "consignee written differently: 3 names, 1 addresses in one entity",
        "entity has findings in 5 earlier month(s)",
    ]


def test_describe_findings_lists_the_top_by_score(spark: SparkSession) -> None:
    text = describe_findings(with_score_and_reasons(_findings(spark)), top=1)
    assert text.splitlines()[:3] == [
        "top 1 split findings by score:",
        "  all  score 0.98  entity E1",
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
