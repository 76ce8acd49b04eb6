"""Exports of warehouse tables to files for people and other systems."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.cases.export import SOURCE_COLUMNS, write_cases_csv, write_cases_xlsx
from splitscan.config import Config
from splitscan.storage import read_table, table_exists

__all__ = ["cases_csv", "cases_file", "cases_format", "cases_xlsx", "entities_csv"]

logger = logging.getLogger(__name__)


def _write_atomically(out: Path, write: Callable[[Path], int]) -> int:
    """Run `write(tmp)` on a temporary file beside `out`, then rename it to `out`: a failed export leaves no
    half-written file under the final name (and no temporary file). Returns what `write` returns."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    try:
        n = write(tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _write_csv(tmp: Path, rows: Callable[[Any], int]) -> int:
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        return rows(fh)


def entities_csv(spark: SparkSession, config: Config, *, out: Path) -> int:
    """Write `record_id,entity_id` of `consignee_entities` to one CSV file; returns the row count.

    Rows are streamed to the driver partition by partition (`toLocalIterator`), never collected whole, and
    written sorted by record id so that two exports of the same table are byte-identical.
    """
    table = read_table(spark, config.table_path("silver", "consignee_entities")).select("record_id", "entity_id")

    def rows(fh: Any) -> int:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "entity_id"])
        n = 0
        for row in table.orderBy("record_id").toLocalIterator():
            writer.writerow([row["record_id"], row["entity_id"]])
            n += 1
        return n

    n = _write_atomically(out, lambda tmp: _write_csv(tmp, rows))
    logger.info("exported %d entity rows to %s", n, out)
    return n


def _active_cases(spark: SparkSession, config: Config) -> DataFrame:
    path = config.table_path("gold", "cases")
    if not table_exists(spark, path):
        raise FileNotFoundError(f"no cases table at {path}: run `splitscan cases` (or `splitscan run`) first")
    return (
        read_table(spark, path)
        .where(F.col("active"))
        .select(*SOURCE_COLUMNS)
        .orderBy(F.col("rank").asc_nulls_last(), F.col("case_id"))
    )


def _stream(df: DataFrame) -> Iterator[dict[str, Any]]:
    for row in df.toLocalIterator():
        yield row.asDict()


def cases_csv(spark: SparkSession, config: Config, *, out: Path) -> int:
    """Write the active cases of `gold/cases` to a CSV file; returns the number of cases.

    Columns `case_id,rank,score,case_type,jurisdiction,entity_ids,record_ids,duty_at_stake,status,reasons`, ordered
    by rank (unranked, i.e. dismissed and not raised, last) then case id; text cells neutralised against formula
    injection (`splitscan.cases.export`). Rows are streamed with `toLocalIterator` and the file appears under its
    final name only when complete.

    Raises:
        FileNotFoundError: the warehouse has no cases table yet.
    """
    cases = _active_cases(spark, config)
    n = _write_atomically(out, lambda tmp: _write_csv(tmp, lambda fh: write_cases_csv(_stream(cases), fh)))
    logger.info("exported %d cases to %s", n, out)
    return n


def cases_xlsx(spark: SparkSession, config: Config, *, out: Path) -> int:
    """Write the active cases of `gold/cases` to an Excel (.xlsx) file; returns the number of cases.

    Same rows, order and neutralisation as `cases_csv`; rank, score and duty at stake are numeric cells.

    Raises:
        FileNotFoundError: the warehouse has no cases table yet.
    """
    cases = _active_cases(spark, config)
    n = _write_atomically(out, lambda tmp: write_cases_xlsx(_stream(cases), tmp))
    logger.info("exported %d cases to %s", n, out)
    return n


def cases_format(out: Path) -> str:
    """`csv` or `xlsx`, from the file name; a check the command line runs before it starts Spark.

    Raises:
        ValueError: any other suffix.
    """
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"cannot export cases to {out}: the file name must end in .csv or .xlsx")
    return suffix[1:]


def cases_file(spark: SparkSession, config: Config, *, out: Path) -> int:
    """`cases_xlsx` for a `.xlsx` path, `cases_csv` for a `.csv` path; returns the number of cases.

    Raises:
        ValueError: any other suffix (checked before Spark reads anything).
        FileNotFoundError: the warehouse has no cases table yet.
    """
    writer = cases_xlsx if cases_format(out) == "xlsx" else cases_csv
    return writer(spark, config, out=out)
