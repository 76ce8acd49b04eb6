"""Builders for tiny detection inputs: import records with silver types, entities, rules and FX rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
import yaml
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DateType, DecimalType, IntegerType, StringType, StructField, StructType

from splitscan.detect.rules import parse_rules, rules_frame
from splitscan.ingest.fx import FX_RATES_SCHEMA

MONEY = DecimalType(18, 2)
RECORD_SCHEMA = StructType(
    [
        StructField("record_id", StringType(), False),
        StructField("destination_country", StringType(), False),
        StructField("arrival_date", DateType(), False),
        StructField("order_date", DateType(), True),
        StructField("declared_value", MONEY, False),
        StructField("currency", StringType(), False),
        StructField("value_threshold_ccy", MONEY, True),
        StructField("threshold_currency", StringType(), False),
        StructField("value_usd", MONEY, True),
        StructField("seller_id", StringType(), True),
        StructField("shipper_name", StringType(), True),
        StructField("shipper_country", StringType(), True),
        StructField("channel", StringType(), True),
        StructField("order_id", StringType(), True),
        StructField("tracking_number", StringType(), True),
        StructField("master_awb", StringType(), True),
        StructField("hs_code", StringType(), True),
        StructField("goods_description", StringType(), True),
        StructField("quantity", IntegerType(), True),
        StructField("name_std", StringType(), True),
        StructField("address_std", StringType(), True),
        StructField("consignee_id_std", StringType(), True),
    ]
)
RECORD_DEFAULTS: dict[str, Any] = {
    "destination_country": "KR",
    "arrival_date": dt.date(2025, 3, 4),
    "order_date": dt.date(2025, 3, 1),
    "currency": "USD",
    "threshold_currency": "USD",
    "seller_id": "S1",
    "shipper_name": "SHOP ONE",
    "shipper_country": "CN",
    "channel": "express",
    "order_id": None,
    "tracking_number": None,
    "master_awb": None,
    "hs_code": None,
    "goods_description": None,
    "quantity": 1,
    "name_std": "KIM MINJUN",
    "address_std": "12 TEHERAN RO",
    "consignee_id_std": "P123456789012",
}


def record(record_id: str, value: str, **overrides: Any) -> dict[str, Any]:
    """A record worth `value` in USD (the KR threshold currency) unless overridden."""
    row = {**RECORD_DEFAULTS, "record_id": record_id, **overrides}
    money = Decimal(value)
    row.setdefault("declared_value", money)
    row.setdefault("value_threshold_ccy", money)
    row.setdefault("value_usd", money)
    return row


@pytest.fixture()
def records(spark: SparkSession) -> Callable[[Sequence[Mapping[str, Any]]], DataFrame]:
    def make(rows: Sequence[Mapping[str, Any]]) -> DataFrame:
        names = RECORD_SCHEMA.fieldNames()
        return spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], schema=RECORD_SCHEMA)

    return make


@pytest.fixture()
def entities(spark: SparkSession) -> Callable[[Mapping[str, str]], DataFrame]:
    def make(mapping: Mapping[str, str]) -> DataFrame:
        return spark.createDataFrame(sorted(mapping.items()), "record_id string, entity_id string")

    return make


@pytest.fixture()
def rules_from_yaml(spark: SparkSession) -> Callable[[str], DataFrame]:
    def make(text: str) -> DataFrame:
        rules, _ = parse_rules(yaml.safe_load(text), "test.yaml")
        return rules_frame(spark, rules)

    return make


@pytest.fixture()
def rates(spark: SparkSession) -> DataFrame:
    """EUR at 0.80 per USD and KRW at 1,400 per USD, published 2025-03-03 (a Monday)."""
    day = dt.date(2025, 3, 3)
    rows = [(day, "EUR", Decimal("0.80000000")), (day, "KRW", Decimal("1400.00000000"))]
    return spark.createDataFrame(rows, schema=FX_RATES_SCHEMA)
