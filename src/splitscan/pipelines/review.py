"""`splitscan review`: record verdicts on cases (gold `case_reviews`) and set the cases' status (gold `cases`).

Both tables are written inside one `TableTransaction`: a verdict is recorded with its status or not at all. Every
case id is looked up before anything is written; an unknown id or verdict is refused and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.cases.review import ReviewRequest, UnknownCaseError, review_row
from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.pipelines.cases import CASE_REVIEWS, CASES
from splitscan.storage import TableTransaction, append, merge_on_keys, read_table, table_exists

__all__ = ["ReviewRequest", "UnknownCaseError", "run"]

logger = logging.getLogger(__name__)


def run(
    spark: SparkSession,
    config: Config,
    *,
    requests: Sequence[ReviewRequest],
    reviewed_at: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Record the verdicts; the last request for a case sets its status.

    A dismissed case is no longer raised (no rank) until new parcels join it; confirmed and needs-info cases keep
    their rank.

    Args:
        spark: the session.
        config: warehouse location.
        requests: verdicts to record (validated when built, see `ReviewRequest`).
        reviewed_at: the time recorded on the verdicts (UTC, naive); default now.

    Returns:
        The `gold/case_reviews` rows written.

    Raises:
        UnknownCaseError: a case id is not in `gold/cases` (nothing is written).
    """
    if not requests:
        return []
    when = reviewed_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cases_path = config.table_path(*CASES.split("/"))
    if not table_exists(spark, cases_path):
        raise UnknownCaseError(f"no cases yet at {cases_path}: run `splitscan cases run` first")
    ids = sorted({r.case_id for r in requests})
    cases = read_table(spark, cases_path).where(F.col("case_id").isin(ids))
    # Only the reviewed cases reach the driver (one row each).
    found = {r["case_id"]: r.asDict() for r in cases.select("case_id", "rank", "score", "record_ids").collect()}
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise UnknownCaseError(f"unknown case id(s): {', '.join(unknown)} (see `splitscan cases list`)")
    rows = [review_row(r, found[r.case_id], reviewed_at=when) for r in requests]
    status = {r.case_id: r.verdict for r in requests}  # the last request per case wins
    verdicts = spark.createDataFrame(sorted(status.items()), "case_id string, _verdict string")
    now = F.lit(when.replace(microsecond=0)).cast("timestamp")
    dismissed = F.col("_verdict") == "dismissed"
    updated = cases.join(verdicts, "case_id").withColumns(
        {
            "status": F.col("_verdict"),
            "raised": F.col("raised") & ~dismissed,
            "rank": F.when(dismissed, F.lit(None)).otherwise(F.col("rank")).cast("int"),
            "updated_at": now,
        }
    )
    reviews_path = config.table_path(*CASE_REVIEWS.split("/"))
    contract = load_contract(CASE_REVIEWS)
    with TableTransaction(spark, [reviews_path, cases_path]):
        append(spark.createDataFrame(rows, contract.schema), reviews_path, contract)
        merge_on_keys(updated.localCheckpoint(eager=True), cases_path, load_contract(CASES))
    logger.info("recorded %d verdict(s) on %d case(s)", len(rows), len(status))
    return rows
