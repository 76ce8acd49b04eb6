"""Exports of warehouse tables to files for people and other systems."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from pyspark.sql import SparkSession

from splitscan.config import Config
from splitscan.storage import read_table

__all__ = ["entities_csv"]

logger = logging.getLogger(__name__)


def entities_csv(spark: SparkSession, config: Config, *, out: Path) -> int:
    """Write `record_id,entity_id` of `consignee_entities` to one CSV file; returns the row count.

    Rows are streamed to the driver partition by partition (`toLocalIterator`), never collected whole, and
    written sorted by record id so that two exports of the same table are byte-identical.
    """
    table = read_table(spark, config.table_path("silver", "consignee_entities")).select("record_id", "entity_id")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    n = 0
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "entity_id"])
        for row in table.orderBy("record_id").toLocalIterator():
            writer.writerow([row["record_id"], row["entity_id"]])
            n += 1
    tmp.replace(out)  # a failed export leaves no half-written file under the final name
    logger.info("exported %d entity rows to %s", n, out)
    return n
