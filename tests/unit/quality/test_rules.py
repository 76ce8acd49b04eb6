from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from splitscan.contracts import Expectation, load_contract
from splitscan.ingest.parse import parse_to_contract
from splitscan.quality.rules import VIOLATION_TYPE, add_violations, no_violations, violation

RAW = load_contract("raw/import_declarations")

PARAMS = {"max_arrival_date": "2025-04-30"}


def _typed(spark: SparkSession, rows: list[dict[str, Any]]) -> Any:
    text = StructType([StructField(c, StringType()) for c in RAW.column_names])
    raw = spark.createDataFrame([tuple(r[c] for c in RAW.column_names) for r in rows], text)
    return parse_to_contract(raw.withColumn("_violations", no_violations()), RAW)


def _failures(spark: SparkSession, row: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    out = add_violations(_typed(spark, [row]), RAW, parameters=PARAMS).select("_violations").first()
    assert out is not None
    return [(v["rule"], v["field"], v["reason"], v["action"]) for v in out["_violations"]]


def test_valid_row_has_no_failures(spark: SparkSession, raw_row: Callable[..., dict[str, Any]]) -> None:
    assert _failures(spark, raw_row()) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"record_id": None},
            [("expect_column_values_to_not_be_null", "record_id", "record_id is missing", "quarantine")],
        ),
        (
            {"record_id": "X" * 101},
            [
                (
                    "expect_column_value_lengths_to_be_between",
                    "record_id",
                    "record_id has length 101, not between 1 and 100",
                    "quarantine",
                )
            ],
        ),
        (
            {"destination_country": "KOR"},
            [
                (
                    "expect_column_values_to_match_regex",
                    "destination_country",
                    "destination_country = 'KOR' does not match ^[A-Z]{2}$",
                    "quarantine",
                )
            ],
        ),
        (
            {"arrival_date": "2025-06-01", "order_date": None},
            [
                (
                    "expect_column_values_to_be_between",
                    "arrival_date",
                    "arrival_date = '2025-06-01' is not between 2000-01-01 and 2025-04-30",
                    "quarantine",
                )
            ],
        ),
        (
            {"arrival_date": "1999-12-31", "order_date": None},
            [
                (
                    "expect_column_values_to_be_between",
                    "arrival_date",
                    "arrival_date = '1999-12-31' is not between 2000-01-01 and 2025-04-30",
                    "quarantine",
                )
            ],
        ),
        (
            {"consignee_name": "  "},
            [
                (
                    "expect_column_values_to_not_be_null",
                    "consignee_name",
                    "consignee_name is missing",
                    "quarantine",
                )
            ],
        ),
        (
            {"consignee_name": " - "},
            [("expect_column_values_to_not_be_null", "consignee_name", "consignee_name is missing", "quarantine")],
        ),
        (
            {"declared_value": "n/a"},
            [("expect_column_values_to_not_be_null", "declared_value", "declared_value is missing", "quarantine")],
        ),
        (
            {"consignee_address": None},
            [
                (
                    "expect_column_values_to_not_be_null",
                    "consignee_address",
                    "consignee_address is missing",
                    "quarantine",
                )
            ],
        ),
        (
            {"declared_value": "-5"},
            [
                (
                    "expect_column_values_to_be_between",
                    "declared_value",
                    "declared_value = '-5.00' is not between 0 and 1000000000",
                    "quarantine",
                )
            ],
        ),
        (
            {"currency": "us$"},
            [
                (
                    "expect_column_values_to_match_regex",
                    "currency",
                    "currency = 'US$' does not match ^[A-Z]{3}$",
                    "quarantine",
                )
            ],
        ),
        (
            {"currency": None},
            [("expect_column_values_to_not_be_null", "currency", "currency is missing", "quarantine")],
        ),
        (
            {"channel": "courier"},
            [
                (
                    "expect_column_values_to_be_in_set",
                    "channel",
                    "channel = 'courier' is not one of ['postal', 'express', 'ecommerce']",
                    "flag",
                )
            ],
        ),
        (
            {"origin_country": "China"},
            [
                (
                    "expect_column_values_to_match_regex",
                    "origin_country",
                    "origin_country = 'CHINA' does not match ^[A-Z]{2}$",
                    "flag",
                )
            ],
        ),
        (
            {"hs_code": "61A9"},
            [
                (
                    "expect_column_values_to_match_regex",
                    "hs_code",
                    "hs_code = '61A9' does not match ^[0-9]{4}([. ]?[0-9]{2}){0,3}$",
                    "flag",
                )
            ],
        ),
        (
            {"quantity": "0"},
            [
                (
                    "expect_column_values_to_be_between",
                    "quantity",
                    "quantity = '0' is not between 1 and 100000",
                    "flag",
                )
            ],
        ),
        (
            {"order_date": "2025-03-05"},
            [
                (
                    "expect_column_pair_values_a_to_be_greater_than_b",
                    "arrival_date",
                    "arrival_date = 2025-03-04 is not >= order_date = 2025-03-05",
                    "flag",
                )
            ],
        ),
        (
            {"declared_value": "12,50"},
            [
                (
                    "schema_type",
                    "declared_value",
                    "declared_value = '12,50' is not a number of type decimal(18,2)",
                    "quarantine",
                )
            ],
        ),
        (
            {"arrival_date": "03/04/2025"},
            [
                (
                    "schema_type",
                    "arrival_date",
                    "arrival_date = '03/04/2025' is not a date (YYYY-MM-DD)",
                    "quarantine",
                )
            ],
        ),
        (
            {"arrival_date": "2025-02-30"},
            [
                (
                    "schema_type",
                    "arrival_date",
                    "arrival_date = '2025-02-30' is not a date (YYYY-MM-DD)",
                    "quarantine",
                )
            ],
        ),
        (
            {"quantity": "two"},
            [("schema_type", "quantity", "quantity = 'two' is not a number of type int", "flag")],
        ),
    ],
)
def test_each_rule_rejects_a_crafted_row_with_its_reason(
    spark: SparkSession,
    raw_row: Callable[..., dict[str, Any]],
    overrides: dict[str, Any],
    expected: list[tuple[str, str, str, str]],
) -> None:
    # Parse failures come first (found while typing), then the contract's rules in contract order.
    assert _failures(spark, raw_row(**overrides)) == expected


def test_unparseable_value_is_not_also_reported_missing(
    spark: SparkSession, raw_row: Callable[..., dict[str, Any]]
) -> None:
    # The typed value is null, but the reader needs the parse failure, not a misleading "is missing".
    assert _failures(spark, raw_row(declared_value="abc", arrival_date="2025-13-01")) == [
        (
            "schema_type",
            "arrival_date",
            "arrival_date = '2025-13-01' is not a date (YYYY-MM-DD)",
            "quarantine",
        ),
        (
            "schema_type",
            "declared_value",
            "declared_value = 'abc' is not a number of type decimal(18,2)",
            "quarantine",
        ),
    ]


def test_codes_are_trimmed_and_case_folded(spark: SparkSession, raw_row: Callable[..., dict[str, Any]]) -> None:
    df = _typed(spark, [raw_row(destination_country=" kr ", currency="usd", channel="POSTAL")])
    row = df.select("destination_country", "currency", "channel").first()
    assert row is not None
    assert tuple(row) == ("KR", "USD", "postal")


def test_violation_column_on_whole_frame(spark: SparkSession) -> None:
    df = spark.createDataFrame([("a", 1), (None, 2), ("c", None)], "s string, n int")
    exp = Expectation("expect_column_values_to_not_be_null", {"column": "s"})
    failed, reason = violation(exp, df)
    got = df.select("n", failed.alias("failed"), F.when(failed, reason).alias("reason"))
    expected = spark.createDataFrame(
        [(1, False, None), (2, True, "s is missing"), (None, False, None)],
        "n int, failed boolean, reason string",
    )
    assert_df_equality(got, expected, ignore_nullable=True)


def test_violation_type_shape() -> None:
    assert [f.name for f in VIOLATION_TYPE.fields] == ["rule", "field", "reason", "action"]
