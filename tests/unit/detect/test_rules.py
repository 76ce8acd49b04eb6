"""The rule table: versions in force at date boundaries per jurisdiction, scopes, and refusal of bad rule files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.detect.findings import applicable_rules
from splitscan.detect.rules import RuleFileError, load_rules, parse_rules, rules_frame

from .conftest import record

D = dt.date


def _in_force(
    spark: SparkSession, records: Callable[[Sequence[Mapping[str, Any]]], DataFrame], rows: list[dict[str, Any]]
) -> DataFrame:
    joined = applicable_rules(records(rows), rules_frame(spark, load_rules()))
    return joined.select(
        "record_id",
        "rule_id",
        F.col("threshold").cast("string").alias("threshold"),
        F.col("part_limit").cast("string").alias("part_limit"),
        "rule_currency",
        F.col("flat_duty_per_item").cast("string").alias("flat"),
        "tax_rate",
    )


def _expected(spark: SparkSession, rows: list[tuple[Any, ...]]) -> DataFrame:
    schema = (
        "record_id string, rule_id string, threshold string, part_limit string, rule_currency string, "
        "flat string, tax_rate double"
    )
    return spark.createDataFrame(rows, schema)


def test_us_thresholds_at_every_change(spark: SparkSession, records: Any) -> None:
    rows = [
        record("a", "1", destination_country="US", arrival_date=D(2016, 8, 25)),  # last day of USD 200
        record("b", "1", destination_country="US", arrival_date=D(2016, 8, 26)),  # first day of USD 800
        record("c", "1", destination_country="US", arrival_date=D(2025, 5, 1), shipper_country="CN"),
        record("d", "1", destination_country="US", arrival_date=D(2025, 5, 2), shipper_country="CN"),  # carve-out
        record("e", "1", destination_country="US", arrival_date=D(2025, 5, 2), shipper_country="DE"),
        record("f", "1", destination_country="US", arrival_date=D(2025, 8, 28), shipper_country="DE"),
        record("g", "1", destination_country="US", arrival_date=D(2025, 8, 29), shipper_country="DE"),  # none
    ]
    actual = _in_force(spark, records, rows).filter(F.col("rule_id") == "US-PERSON-DAY")
    expected = _expected(
        spark,
        [
            ("a", "US-PERSON-DAY", "200.00", "200.00", "USD", "0.00", 0.0),
            ("b", "US-PERSON-DAY", "800.00", "800.00", "USD", "0.00", 0.0),
            ("c", "US-PERSON-DAY", "800.00", "800.00", "USD", "0.00", 0.0),
            ("e", "US-PERSON-DAY", "800.00", "800.00", "USD", "0.00", 0.0),
            ("f", "US-PERSON-DAY", "800.00", "800.00", "USD", "0.00", 0.0),
        ],
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_kr_threshold_depends_on_the_shipping_country(spark: SparkSession, records: Any) -> None:
    rows = [
        record("us", "1", shipper_country="US"),
        record("cn", "1", shipper_country="CN"),
        record("unknown", "1", shipper_country=None),
    ]
    actual = _in_force(spark, records, rows).filter(F.col("rule_id") == "KR-AWB")
    expected = _expected(
        spark,
        [
            ("us", "KR-AWB", "200.00", "200.00", "USD", "0.00", 0.108),
            ("cn", "KR-AWB", "150.00", "150.00", "USD", "0.00", 0.108),
            ("unknown", "KR-AWB", "150.00", "150.00", "USD", "0.00", 0.108),
        ],
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_eu_uk_jp_cn_ca_au_at_their_boundaries(spark: SparkSession, records: Any) -> None:
    rows = [
        record("eu-before", "1", destination_country="DE", arrival_date=D(2026, 6, 30), threshold_currency="EUR"),
        record("eu-flat", "1", destination_country="FR", arrival_date=D(2026, 7, 1), threshold_currency="EUR"),
        record("uk", "1", destination_country="GB", arrival_date=D(2020, 12, 31), threshold_currency="GBP"),
        record("uk-on", "1", destination_country="GB", arrival_date=D(2021, 1, 1), threshold_currency="GBP"),
        record("jp-tax", "1", destination_country="JP", arrival_date=D(2028, 3, 31), order_id="INV-1", channel=None),
        record("jp-no-tax", "1", destination_country="JP", arrival_date=D(2028, 4, 1), order_id="INV-1"),
        record("cn-old", "1", destination_country="CN", arrival_date=D(2018, 12, 31)),
        record("cn-new", "1", destination_country="CN", arrival_date=D(2019, 1, 1)),
        record("ca-post", "1", destination_country="CA", arrival_date=D(2020, 7, 1), channel="postal"),
        record("ca-us-courier", "1", destination_country="CA", arrival_date=D(2020, 7, 1), shipper_country="US"),
        record("au", "1", destination_country="AU", arrival_date=D(2018, 7, 1)),
    ]
    actual = _in_force(spark, records, rows).filter(~F.col("rule_id").isin("JP-POST-SENDER"))
    expected = _expected(
        spark,
        [
            ("eu-before", "EU-CONSIGNMENT", "150.00", "150.00", "EUR", "0.00", 0.0),
            ("eu-flat", "EU-CONSIGNMENT", "150.00", "150.00", "EUR", "3.00", 0.0),
            ("uk-on", "UK-CONSIGNMENT", "135.00", "135.00", "GBP", "0.00", 0.0),
            ("jp-tax", "JP-INVOICE", "10000.00", "10000.00", "JPY", "0.00", 0.1),
            ("jp-no-tax", "JP-INVOICE", "10000.00", "10000.00", "JPY", "0.00", 0.0),
            ("cn-old", "CN-ANNUAL", "20000.00", "2000.00", "CNY", "0.00", 0.039),
            ("cn-new", "CN-ANNUAL", "26000.00", "5000.00", "CNY", "0.00", 0.039),
            ("ca-post", "CA-SHIPMENT", "20.00", "20.00", "CAD", "0.00", 0.05),
            ("ca-us-courier", "CA-SHIPMENT", "40.00", "40.00", "CAD", "0.00", 0.05),
            ("au", "AU-CONSIGNMENT", "1000.00", "1000.00", "AUD", "0.00", 0.0),
        ],
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


_GOOD = """
rules:
  - id: XX-TEST
    jurisdiction: KR
    kind: legal
    key: [master_awb]
    window: none
    currency: USD
    versions:
      - {valid_from: 2024-01-01, valid_to: 2024-12-31, threshold: 150}
"""


def _bad(patch: str, extra_version: str = "") -> Any:
    text = _GOOD.replace("currency: USD", patch) if patch else _GOOD
    return yaml.safe_load(text + extra_version)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _bad("", "      - {valid_from: 2024-06-01, threshold: 100}\n"),
            r"test\.yaml: rule XX-TEST: field versions\[1\]\.valid_from: 2024-06-01\.\.open \(all\) overlaps "
            r"versions\[0\] 2024-01-01\.\.2024-12-31 \(all\)",
        ),
        (_bad("currency: XYZ"), r"test\.yaml: rule XX-TEST: field versions\[0\]\.currency: unknown currency 'XYZ'"),
        (_bad("currency: USD\n    windows: day"), r"rule XX-TEST: field windows: unknown field"),
        (_bad("currency: USD\n    key: [colour]"), r"rule XX-TEST: field key: \['colour'\]"),
        (
            _bad("", "      - {valid_from: 2025-01-01}\n"),
            r"rule XX-TEST: field versions\[1\]\.threshold: missing \(write `exemption: none`",
        ),
        (_bad("currency: USD\n    part_limit: 500"), r"field versions\[0\]\.part_limit: 500\.0 must be in"),
    ],
)
def test_bad_rule_file_is_refused_naming_file_rule_and_field(data: Any, message: str) -> None:
    with pytest.raises(RuleFileError, match=message):
        parse_rules(data, "test.yaml")


def test_disjoint_scopes_may_share_dates_and_user_file_replaces_a_rule(tmp_path: Path) -> None:
    user = tmp_path / "lower.yaml"
    user.write_text(
        _GOOD.replace("XX-TEST", "KR-AWB").replace(
            "- {valid_from: 2024-01-01, valid_to: 2024-12-31, threshold: 150}",
            "- {valid_from: 2024-01-01, threshold: 100, shipper_countries: [US]}\n"
            "      - {valid_from: 2024-01-01, threshold: 90, excluded_shipper_countries: [US]}",
        )
        + "  - {id: KR-SAME-ARRIVAL, disabled: true}\n",
        encoding="utf-8",
    )
    rules = {r.id: r for r in load_rules([user])}
    assert "KR-SAME-ARRIVAL" not in rules
    assert [(v.threshold, v.scope_id) for v in rules["KR-AWB"].versions] == [(100.0, "ship=US"), (90.0, "ship!=US")]
    assert rules["KR-AWB"].origin == str(user)


def test_rules_frame_expands_eu_and_skips_periods_without_exemption(spark: SparkSession) -> None:
    frame = rules_frame(spark, [r for r in load_rules() if r.id in ("EU-CONSIGNMENT", "US-PERSON-DAY")])
    counts = frame.groupBy("rule_id").agg(F.count(F.lit(1)).alias("n"), F.max("threshold").alias("max"))
    # EU: 27 member states x 2 versions with relief; US: 3 versions with relief (the suspension has none).
    expected = spark.createDataFrame(
        [("EU-CONSIGNMENT", 54, Decimal("150.00")), ("US-PERSON-DAY", 3, Decimal("800.00"))],
        "rule_id string, n long, max decimal(18,2)",
    )
    assert_df_equality(counts, expected, ignore_row_order=True, ignore_nullable=True)
