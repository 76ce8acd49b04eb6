"""Write-audit-publish of a derived table: the whole batch passes its contract, or nothing is written."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.contracts import ColumnSpec, Contract, ContractViolation, Expectation
from splitscan.quality.publish import audit_for_publish

_CONTRACT = Contract(
    name="rings_demo",
    layer="gold",
    version="1.0.0",
    description="test contract",
    columns=(
        ColumnSpec("ring_id", "string", nullable=False, required=True, description=""),
        ColumnSpec("run_date", "string", nullable=False, required=True, description=""),
        ColumnSpec("score", "double", nullable=False, required=True, description=""),
    ),
    primary_key=("run_date", "ring_id"),
    partition_by=(),
    expectations=(
        Expectation(
            "expect_column_values_to_be_between",
            {"column": "score", "min_value": 0, "max_value": 100},
            {"action": "quarantine"},
        ),
    ),
    source="test",
)


def test_clean_batch_comes_back_conformed_to_the_contract(spark: SparkSession) -> None:
    # Extra columns are dropped, columns reordered and cast to the contract's types.
    df = spark.createDataFrame(
        [(1, "R1", "2025-01-01", "x"), (99, "R2", "2025-01-01", "y")],
        "score int, ring_id string, run_date string, extra string",
    )
    expected = spark.createDataFrame(
        [("R1", "2025-01-01", 1.0), ("R2", "2025-01-01", 99.0)], "ring_id string, run_date string, score double"
    )
    assert_df_equality(audit_for_publish(df, _CONTRACT), expected, ignore_nullable=True)


def test_repeated_key_and_broken_expectation_refuse_the_batch_naming_both(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [("R1", "2025-01-01", 10.0), ("R1", "2025-01-01", 20.0), ("R1", "2025-01-02", 150.0)],
        "ring_id string, run_date string, score double",
    )
    with pytest.raises(ContractViolation) as caught:
        audit_for_publish(df, _CONTRACT)
    assert caught.value.dataset == "gold/rings_demo"
    assert caught.value.failures[0] == "primary key (run_date, ring_id) not unique: 1 repeated row(s)"
    assert caught.value.failures[1].startswith("1 row(s) break a row-level expectation, e.g. ")
    assert "score" in caught.value.failures[1]
    assert len(caught.value.failures) == 2
