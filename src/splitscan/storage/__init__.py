"""Every Delta read and write in splitscan: contract-conformed, keyed merges, partition overwrites, rollback."""

from __future__ import annotations

from splitscan.storage.delta import (
    MergeResult,
    TableTransaction,
    append,
    conform,
    ensure_table,
    merge_on_keys,
    overwrite_partition,
    read_table,
    table_exists,
    table_version,
)

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
