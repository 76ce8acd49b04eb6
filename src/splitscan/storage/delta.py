"""Delta Lake primitives. Keys and partitions always come from the dataset's contract.

Invariants:
- every write first conforms the frame to the contract (column order, types; a missing column is an error);
- `merge_on_keys` is idempotent: merging the same rows twice leaves the table's contents unchanged, and with an
  `update_condition` an unchanged row is not even rewritten;
- `TableTransaction` records each table's version before a multi-table run and restores them all when the run
  fails, so a failed run leaves the warehouse as it was. Delta commits are atomic per table; the restore makes the
  run atomic across tables for a single writer (nightly jobs do not run concurrently on one warehouse).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.contracts import Contract, ContractError

__all__ = [
    "MergeResult",
    "TableTransaction",
    "append",
    "conform",
    "ensure_table",
    "merge_on_keys",
    "overwrite_partition",
    "read_table",
    "table_exists",
    "table_version",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MergeResult:
    """What a merge did, from Delta's own operation metrics."""

    table: str
    version: int
    inserted: int
    updated: int


def table_exists(spark: SparkSession, path: str) -> bool:
    """True when `path` holds a Delta table."""
    return bool(DeltaTable.isDeltaTable(spark, path))


def table_version(spark: SparkSession, path: str) -> int | None:
    """The table's latest version, or None when there is no table."""
    if not table_exists(spark, path):
        return None
    row = DeltaTable.forPath(spark, path).history(1).select("version").first()
    return None if row is None else int(row["version"])


def read_table(spark: SparkSession, path: str, *, version: int | None = None) -> DataFrame:
    """Read a Delta table, optionally as of a version."""
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(path)


def conform(df: DataFrame, contract: Contract) -> DataFrame:
    """Select the contract's columns in contract order, cast to the contract's types.

    Raises:
        ContractError: a contract column is missing from `df`.
    """
    missing = [c for c in contract.column_names if c not in df.columns]
    if missing:
        raise ContractError(f"{contract.dataset}: frame lacks contract column(s) {missing}")
    return df.select([F.col(c.name).cast(c.data_type).alias(c.name) for c in contract.columns])


def ensure_table(spark: SparkSession, path: str, contract: Contract) -> None:
    """Create the table empty, with the contract's schema and partitioning, if it does not exist."""
    if table_exists(spark, path):
        return
    builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(contract.schema)
    if contract.partition_by:
        builder = builder.partitionedBy(*contract.partition_by)
    builder.execute()
    logger.info("created Delta table %s at %s", contract.dataset, path)


def _last_operation_metrics(spark: SparkSession, path: str) -> tuple[int, dict[str, str]]:
    row = DeltaTable.forPath(spark, path).history(1).select("version", "operationMetrics").first()
    if row is None:  # pragma: no cover - a table always has a commit after a write
        return -1, {}
    return int(row["version"]), dict(row["operationMetrics"] or {})


def merge_on_keys(
    df: DataFrame,
    path: str,
    contract: Contract,
    *,
    update_condition: str | None = None,
) -> MergeResult:
    """MERGE `df` into the table on the contract's primary key: update matches, insert the rest.

    Args:
        df: rows to upsert; at most one row per key (Delta refuses ambiguous merges).
        path: table location; created from the contract if missing.
        contract: gives the schema, the keys and the partitioning.
        update_condition: SQL over aliases `t` (target) and `s` (source); a matched row is rewritten only when
            it holds, e.g. "t.record_hash <> s.record_hash" so that re-sending identical rows writes nothing.

    Returns:
        The new version and Delta's counts of inserted and updated rows.
    """
    spark = df.sparkSession
    ensure_table(spark, path, contract)
    source = conform(df, contract)
    on = " AND ".join(f"t.`{k}` = s.`{k}`" for k in contract.primary_key)
    (
        DeltaTable.forPath(spark, path)
        .alias("t")
        .merge(source.alias("s"), on)
        .whenMatchedUpdateAll(condition=update_condition)
        .whenNotMatchedInsertAll()
        .execute()
    )
    version, metrics = _last_operation_metrics(spark, path)
    result = MergeResult(
        table=contract.dataset,
        version=version,
        inserted=int(metrics.get("numTargetRowsInserted", 0)),
        updated=int(metrics.get("numTargetRowsUpdated", 0)),
    )
    logger.info("merged into %s: version %d, %d inserted, %d updated", path, version, result.inserted, result.updated)
    return result


def overwrite_partition(df: DataFrame, path: str, contract: Contract, partition_predicate: str) -> int:
    """Replace the rows matching `partition_predicate` (over partition columns) with `df`; returns the version.

    Every row of `df` must satisfy the predicate (Delta checks it), so a rerun for the same run date replaces
    exactly that run date's partition.
    """
    spark = df.sparkSession
    ensure_table(spark, path, contract)
    conform(df, contract).write.format("delta").mode("overwrite").option("replaceWhere", partition_predicate).save(path)
    version, _ = _last_operation_metrics(spark, path)
    logger.info("overwrote %s where %s: version %d", path, partition_predicate, version)
    return version


def append(df: DataFrame, path: str, contract: Contract) -> int:
    """Append `df` to the table; returns the new version. Only for logs whose rows never repeat."""
    spark = df.sparkSession
    ensure_table(spark, path, contract)
    conform(df, contract).write.format("delta").mode("append").save(path)
    version, _ = _last_operation_metrics(spark, path)
    return version


@dataclass
class TableTransaction:
    """Restore every registered table to its starting version if the block fails.

    Example:
        with TableTransaction(spark, [records_path, quarantine_path]) as tx:
            merge_on_keys(...)
            overwrite_partition(...)
    """

    spark: SparkSession
    paths: Sequence[str]
    start_versions: dict[str, int | None] = field(default_factory=dict)

    def __enter__(self) -> TableTransaction:
        self.start_versions = {p: table_version(self.spark, p) for p in self.paths}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            return
        for path, version in self.start_versions.items():
            current = table_version(self.spark, path)
            if current is None or current == version:
                continue
            if version is None:
                # Created during the failed run: empty it back to nothing a reader could mistake for data.
                DeltaTable.forPath(self.spark, path).delete()
                logger.warning("run failed: emptied %s, which it had created", path)
            else:
                DeltaTable.forPath(self.spark, path).restoreToVersion(version)
                logger.warning("run failed: restored %s from version %d to %d", path, current, version)
