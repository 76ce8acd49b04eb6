"""Write-audit-publish for derived tables: conform a frame to its contract and refuse it before anything is written.

Ingest quarantines bad input rows one by one. A derived table (findings, rings, cases) has no input row to blame:
if one of its rows breaks the contract, the stage that computed it is wrong, so the whole batch is refused with a
`ContractViolation` that names the check and an example, and the table stays as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from splitscan.contracts import Contract, ContractViolation
from splitscan.quality.rules import add_violations
from splitscan.storage import conform

__all__ = ["audit_for_publish"]

logger = logging.getLogger(__name__)


def audit_for_publish(df: DataFrame, contract: Contract, *, parameters: Mapping[str, Any] | None = None) -> DataFrame:
    """`df` conformed to `contract`, after checking its primary key and its row-level expectations in one pass.

    Args:
        df: the rows to publish, with at least the contract's columns.
        contract: the table's contract.
        parameters: values for `{$PARAMETER: ...}` expectation arguments.

    Returns:
        The conformed frame (contract columns, order and types), to be written.

    Raises:
        ContractViolation: the primary key repeats, or a row breaks an expectation; each failure is one line with a
            count and an example.
    """
    conformed = conform(df, contract)
    checked = add_violations(conformed, contract, parameters=parameters or {})
    key = [F.col(c) for c in contract.primary_key]
    row = checked.agg(
        F.count(F.lit(1)).alias("rows"),
        F.count_distinct(F.struct(*key)).alias("keys") if key else F.count(F.lit(1)).alias("keys"),
        F.count_if(F.size("_violations") > 0).alias("bad"),
        F.first(F.when(F.size("_violations") > 0, F.col("_violations")[0]["reason"]), ignorenulls=True).alias("why"),
    ).first()
    failures = []
    if row is not None and row["rows"] != row["keys"]:
        failures.append(
            f"primary key ({', '.join(contract.primary_key)}) not unique: {row['rows'] - row['keys']} repeated row(s)"
        )
    if row is not None and row["bad"]:
        failures.append(f"{row['bad']} row(s) break a row-level expectation, e.g. {row['why']}")
    if failures:
        raise ContractViolation(contract.dataset, failures)
    logger.info("%s: %d row(s) pass the contract", contract.dataset, row["rows"] if row is not None else 0)
    return conformed
