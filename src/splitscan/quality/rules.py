"""Row-level checks in Spark, derived from the same contract expectations that Great Expectations runs.

GX judges a batch (counts, `mostly`); it does not hand back every failing row. Routing a row to quarantine or
flagging it is therefore a Spark expression per expectation, built here from the expectation's own kwargs, so the
two can never disagree about what a rule means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DateType, StringType, StructField, StructType, TimestampType

from splitscan.contracts import Contract, ContractError, Expectation

__all__ = [
    "ROW_LEVEL_TYPES",
    "SCHEMA_RULES",
    "VIOLATION_TYPE",
    "add_violations",
    "no_violations",
    "violation",
    "violation_struct",
]

# The shape of one failure attached to a row: rule, field, reason, action (quarantine | flag).
VIOLATION_TYPE = StructType(
    [
        StructField("rule", StringType(), True),
        StructField("field", StringType(), True),
        StructField("reason", StringType(), True),
        StructField("action", StringType(), True),
    ]
)

# Failures found before the contract's own rules run: a value absent from the file or not parseable, or a row
# that could not be split into fields at all (field "*").
SCHEMA_RULES = ("schema_required_column", "schema_type", "malformed_row")

ROW_LEVEL_TYPES = (
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_value_lengths_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
)


def violation_struct(rule: str | Column, field: str | Column, reason: Column, action: str) -> Column:
    """A violation value (see VIOLATION_TYPE)."""
    as_col = [F.lit(x) if isinstance(x, str) else x for x in (rule, field)]
    return F.struct(
        as_col[0].alias("rule"),
        as_col[1].alias("field"),
        reason.alias("reason"),
        F.lit(action).alias("action"),
    )


def no_violations() -> Column:
    """An empty violations array, typed."""
    return F.array().cast(_array_type())


def _text(col: Column) -> Column:
    return F.coalesce(col.cast("string"), F.lit("null"))


def _bound(value: Any, data_type: Any) -> Column:
    if isinstance(data_type, DateType | TimestampType) and isinstance(value, str):
        return F.lit(dt.date.fromisoformat(value))
    return F.lit(value)


def violation(exp: Expectation, df: DataFrame) -> tuple[Column, Column]:
    """The (failed, reason) columns of one row-level expectation.

    `failed` is true exactly when the row breaks the rule; missing values pass every rule except not-null, as in
    Great Expectations. `reason` quotes the offending value.

    Raises:
        ContractError: the expectation type has no row-level meaning here.
    """
    kw = exp.kwargs
    if exp.type == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = F.col(kw["column_A"]), F.col(kw["column_B"])
        ok = a >= b if kw.get("or_equal") else a > b
        failed = a.isNotNull() & b.isNotNull() & ~ok
        sign = ">=" if kw.get("or_equal") else ">"
        reason = F.concat(
            F.lit(f"{kw['column_A']} = "), _text(a), F.lit(f" is not {sign} {kw['column_B']} = "), _text(b)
        )
        return failed, reason
    name = kw["column"]
    col = F.col(name)
    value = F.concat(F.lit(f"{name} = '"), _text(col), F.lit("'"))
    if exp.type == "expect_column_values_to_not_be_null":
        return col.isNull(), F.lit(f"{name} is missing")
    if exp.type == "expect_column_values_to_be_in_set":
        values = list(kw["value_set"])
        return col.isNotNull() & ~col.isin(values), F.concat(value, F.lit(f" is not one of {values}"))
    if exp.type == "expect_column_values_to_be_between":
        data_type = df.schema[name].dataType
        lo, hi = kw.get("min_value"), kw.get("max_value")
        conds = []
        if lo is not None:
            conds.append(col <= _bound(lo, data_type) if kw.get("strict_min") else col < _bound(lo, data_type))
        if hi is not None:
            conds.append(col >= _bound(hi, data_type) if kw.get("strict_max") else col > _bound(hi, data_type))
        out_of_range = conds[0]
        for c in conds[1:]:
            out_of_range = out_of_range | c
        return col.isNotNull() & out_of_range, F.concat(value, F.lit(f" is not between {lo} and {hi}"))
    if exp.type == "expect_column_values_to_match_regex":
        regex = kw["regex"]
        return col.isNotNull() & ~col.rlike(regex), F.concat(value, F.lit(f" does not match {regex}"))
    if exp.type == "expect_column_value_lengths_to_be_between":
        length = F.length(col)
        lo, hi = kw.get("min_value"), kw.get("max_value")
        bad = F.lit(False)
        if lo is not None:
            bad = bad | (length < lo)
        if hi is not None:
            bad = bad | (length > hi)
        return col.isNotNull() & bad, F.concat(
            F.lit(f"{name} has length "), length.cast("string"), F.lit(f", not between {lo} and {hi}")
        )
    raise ContractError(f"{exp.label}: no row-level check for expectation type {exp.type}")


def _failed_at_schema_level(fields: Sequence[str]) -> Callable[[Column], Column]:
    return lambda v: v["rule"].isin(*SCHEMA_RULES) & v["field"].isin("*", *fields)


def add_violations(
    df: DataFrame,
    contract: Contract,
    *,
    parameters: Mapping[str, Any],
    column: str = "_violations",
    skip_types: Sequence[str] = ("expect_column_values_to_be_unique",),
) -> DataFrame:
    """Append every row-level failure of the contract's expectations to the array column `column`.

    Args:
        df: typed rows (contract types); may already carry `column` (e.g. parse failures), which is extended.
        contract: whose expectations to apply.
        parameters: values for `{$PARAMETER: ...}` kwargs (e.g. max_arrival_date).
        column: array<struct<rule, field, reason, action>> column to extend.
        skip_types: expectation types handled elsewhere (uniqueness needs a window over the batch).

    Returns:
        `df` with `column` holding all failures of the row, empty when the row is clean.
    """
    checks = []
    has_column = column in df.columns
    for exp in contract.expectations:
        if exp.type in skip_types:
            continue
        resolved = exp.resolved(parameters)
        failed, reason = violation(resolved, df)
        if has_column:
            # A field that already failed at the schema level (absent from the file, or not parseable) is null
            # for a known reason: a second "is missing" about it would only mislead the reader.
            fields = [resolved.kwargs[k] for k in ("column", "column_A", "column_B") if k in resolved.kwargs]
            failed = failed & ~F.exists(column, _failed_at_schema_level(fields))
        checks.append(F.when(failed, violation_struct(exp.type, exp.column, reason, exp.action)))
    found = F.filter(F.array(*checks), lambda v: v.isNotNull()) if checks else F.array()
    existing = F.col(column) if column in df.columns else no_violations()
    return df.withColumn(column, F.concat(existing, found.cast(_array_type())))


def _array_type() -> ArrayType:
    return ArrayType(VIOLATION_TYPE, containsNull=True)
