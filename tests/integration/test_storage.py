from __future__ import annotations

from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.contracts import Contract, ContractError, _parse
from splitscan.storage import (
    TableTransaction,
    merge_on_keys,
    overwrite_partition,
    read_table,
    table_version,
)

pytestmark = pytest.mark.integration

CONTRACT: Contract = _parse(
    {
        "name": "things",
        "layer": "silver",
        "primary_key": ["id"],
        "partition_by": ["day"],
        "columns": [
            {"name": "id", "type": "string", "nullable": False},
            {"name": "value", "type": "decimal(10,2)"},
            {"name": "day", "type": "string", "nullable": False},
        ],
    },
    "test",
)
SCHEMA = "id string, value decimal(10,2), day string"


def test_merge_is_idempotent_and_updates_changed_rows(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    first = spark.createDataFrame([("a", 1, "d1"), ("b", 2, "d1")], "id string, value int, day string")
    r1 = merge_on_keys(first, path, CONTRACT)
    assert (r1.inserted, r1.updated) == (2, 0)
    merge_on_keys(first, path, CONTRACT)
    r3 = merge_on_keys(
        spark.createDataFrame([("b", 5, "d2"), ("c", 3, "d1")], "id string, value int, day string"),
        path,
        CONTRACT,
        update_condition="t.value <> s.value",
    )
    assert (r3.inserted, r3.updated) == (1, 1)
    from decimal import Decimal

    expected = spark.createDataFrame(
        [("a", Decimal("1.00"), "d1"), ("b", Decimal("5.00"), "d2"), ("c", Decimal("3.00"), "d1")], SCHEMA
    )
    assert_df_equality(read_table(spark, path), expected, ignore_row_order=True, ignore_nullable=True)


def test_unchanged_rows_are_not_rewritten(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    df = spark.createDataFrame([("a", 1, "d1")], "id string, value int, day string")
    merge_on_keys(df, path, CONTRACT)
    again = merge_on_keys(df, path, CONTRACT, update_condition="t.value <> s.value")
    assert (again.inserted, again.updated) == (0, 0)


def test_overwrite_partition_replaces_only_that_partition(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    merge_on_keys(
        spark.createDataFrame([("a", 1, "d1"), ("b", 2, "d2")], "id string, value int, day string"),
        path,
        CONTRACT,
    )
    overwrite_partition(
        spark.createDataFrame([("c", 3, "d2")], "id string, value int, day string"),
        path,
        CONTRACT,
        "day = 'd2'",
    )
    got = read_table(spark, path).orderBy("id").select("id", "day").collect()
    assert [tuple(r) for r in got] == [("a", "d1"), ("c", "d2")]


def test_missing_contract_column_is_an_error(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"silver/things: frame lacks contract column\(s\) \['day'\]"):
        merge_on_keys(spark.createDataFrame([("a", 1)], "id string, value int"), str(tmp_path / "t"), CONTRACT)


def test_failed_transaction_restores_every_table(spark: SparkSession, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    df = spark.createDataFrame([("a", 1, "d1")], "id string, value int, day string")
    merge_on_keys(df, a, CONTRACT)
    merge_on_keys(df, b, CONTRACT)
    before_a = read_table(spark, a).collect()
    with pytest.raises(RuntimeError, match="boom"), TableTransaction(spark, [a, b]):
        merge_on_keys(spark.createDataFrame([("x", 9, "d9")], "id string, value int, day string"), a, CONTRACT)
        raise RuntimeError("boom")
    assert read_table(spark, a).collect() == before_a
    # a: 0 create, 1 merge, 2 merge in the failed block, 3 restore; b was untouched.
    assert table_version(spark, a) == 3
    assert table_version(spark, b) == 1
