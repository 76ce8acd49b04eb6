"""Typing raw text into the contract's types, recording every value that does not parse."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    TimestampType,
)

from splitscan.contracts import ColumnSpec, Contract
from splitscan.ingest.readers import VIOLATIONS
from splitscan.quality.rules import violation_struct

__all__ = ["parse_to_contract"]

_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NUMBER = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def _clean(spec: ColumnSpec, null_markers: tuple[str, ...]) -> Column:
    text = F.trim(F.col(spec.name))
    empty = text == ""
    if null_markers:
        empty = empty | F.upper(text).isin(*null_markers)
    text = F.when(empty, None).otherwise(text)
    if spec.case == "upper":
        text = F.upper(text)
    elif spec.case == "lower":
        text = F.lower(text)
    return text


def _typed(text: Column, data_type: DataType) -> tuple[Column, str]:
    """The typed value (null when it does not parse) and the expected format for the reason."""
    if isinstance(data_type, DateType):
        # Only ISO dates: 03/01/2025 is March 1st in one feed and January 3rd in the next.
        return F.when(text.rlike(_ISO_DATE), F.try_to_date(text, "yyyy-MM-dd")), "a date (YYYY-MM-DD)"
    if isinstance(data_type, TimestampType):
        return F.try_to_timestamp(text), "a timestamp"
    if isinstance(data_type, DecimalType | DoubleType | IntegerType | LongType):
        # No thousands separators: "1,234" is 1234 in one locale and 1.234 in another.
        return F.when(text.rlike(_NUMBER), text.try_cast(data_type)), f"a number of type {data_type.simpleString()}"
    return text.cast(data_type), data_type.simpleString()


def parse_to_contract(raw: DataFrame, contract: Contract) -> DataFrame:
    """Trim, map null markers ("-", "N/A"...) to null, case-fold and type every column; record values that do not parse.

    Args:
        raw: text columns named as in the contract, plus `_violations` (see `read_raw`).
        contract: gives each column's type, nullability and case.

    Returns:
        The same rows with typed columns. A value that does not parse becomes null and adds a `schema_type`
        failure quoting the raw text: action `quarantine` when the column is not nullable (the record is
        unusable), `flag` otherwise (the parcel stays in detection).
    """
    typed_cols = []
    failures = []
    for spec in contract.columns:
        text = _clean(spec, contract.null_markers)
        if spec.type == "string":
            typed_cols.append(text.alias(spec.name))
            continue
        value, expected = _typed(text, spec.data_type)
        typed_cols.append(value.alias(spec.name))
        reason = F.concat(F.lit(f"{spec.name} = '"), text, F.lit(f"' is not {expected}"))
        action = "flag" if spec.nullable else "quarantine"
        failures.append(
            F.when(text.isNotNull() & value.isNull(), violation_struct("schema_type", spec.name, reason, action))
        )
    found = F.filter(F.array(*failures), lambda v: v.isNotNull())
    others = [c for c in raw.columns if c not in contract.column_names and c != VIOLATIONS]
    return raw.select(*typed_cols, *others, F.concat(F.col(VIOLATIONS), found).alias(VIOLATIONS))
