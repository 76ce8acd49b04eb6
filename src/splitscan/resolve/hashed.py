"""Joins and windows keyed by a 64-bit hash of their string keys first.

Spark sorts string keys (a sort-merge join, a window's partition) by an 8-byte prefix first and compares whole
strings only on a tie. Record ids share their first bytes (`KR241101C0000009`: country and date), so that prefix
decides nothing and every comparison reads both strings. Putting `xxhash64` of the keys in front gives the sort a
prefix that almost always decides. The keys themselves stay in the condition, so a hash collision changes
nothing. Measured on the 1M benchmark (2026-12-08): the two side joins of comparison took 11.3 to 15.3 s
instead of 15.5 to 20.3 s.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, Window, WindowSpec
from pyspark.sql import functions as F

__all__ = ["hashed_join", "hashed_window"]

_HASH = "_key_hash"


def hashed_join(left: DataFrame, right: DataFrame, on: str | Sequence[str], how: str = "inner") -> DataFrame:
    """`left.join(right, on, how)` for equi-joins on column names, with the hash of `on` as the leading key.

    The result has the columns of `left.join(right, on, how)`.
    """
    keys = [on] if isinstance(on, str) else list(on)
    digest = F.xxhash64(*keys)
    return left.withColumn(_HASH, digest).join(right.withColumn(_HASH, digest), [_HASH, *keys], how).drop(_HASH)


def hashed_window(*columns: str | Column) -> WindowSpec:
    """`Window.partitionBy(*columns)` (names or expressions), with the rows sorted by the hash of `columns` first."""
    return Window.partitionBy(F.xxhash64(*columns), *columns)
