"""Case status from review verdicts, and the verdict rows that `splitscan review` appends (docs/cases.md).

- A case keeps the status of its latest verdict (`open` when it has none).
- A dismissed case is not raised again unless parcels outside the set it held at its latest dismissal join it;
  then it is reopened: status `open`, raised again, with its id and review history.
- Confirmed and needs-info cases stay raised.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, Window, WindowSpec
from pyspark.sql import functions as F

__all__ = [
    "STATUSES",
    "VERDICTS",
    "ReviewRequest",
    "UnknownCaseError",
    "describe_reviews",
    "latest_dismissals",
    "latest_labels",
    "review_row",
    "with_status",
]

VERDICTS: tuple[str, ...] = ("confirmed", "dismissed", "needs-info")
STATUSES: tuple[str, ...] = ("open", *VERDICTS)


class UnknownCaseError(ValueError):
    """The case id is not in `gold/cases`."""


@dataclass(frozen=True)
class ReviewRequest:
    """One verdict to record.

    Raises:
        ValueError: the verdict is not one of `VERDICTS`, or the case id or reviewer is empty.
    """

    case_id: str
    verdict: str
    note: str = ""
    reviewer: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}: use one of {', '.join(VERDICTS)}")
        if not self.case_id.strip():
            raise ValueError("a case id is required")
        if not self.reviewer.strip():
            raise ValueError("a reviewer name is required")


def review_row(request: ReviewRequest, case: Mapping[str, Any], *, reviewed_at: dt.datetime) -> dict[str, Any]:
    """The `gold/case_reviews` row of a verdict on `case` (its `rank`, `score`, `record_ids` at review time)."""
    return {
        "review_id": f"V-{uuid.uuid4().hex[:16]}",
        "case_id": request.case_id,
        "verdict": request.verdict,
        "note": request.note,
        "reviewer": request.reviewer,
        "reviewed_at": reviewed_at,
        "case_rank": case["rank"],
        "case_score": float(case["score"]),
        "record_ids": sorted(case["record_ids"]),
    }


def _latest() -> WindowSpec:
    return Window.partitionBy("case_id").orderBy(F.col("reviewed_at").desc(), F.col("review_id").desc())


def latest_dismissals(reviews: DataFrame) -> DataFrame:
    """`case_id, dismissed_record_ids`: the parcels each case held at its latest dismissal."""
    return (
        reviews.where(F.col("verdict") == "dismissed")
        .withColumn("_n", F.row_number().over(_latest()))
        .where(F.col("_n") == 1)
        .select("case_id", F.col("record_ids").alias("dismissed_record_ids"))
    )


def latest_labels(reviews: DataFrame) -> DataFrame:
    """`case_id, label`: 1.0 confirmed, 0.0 dismissed, from each case's latest confirmed or dismissed verdict."""
    decided = reviews.where(F.col("verdict").isin("confirmed", "dismissed"))
    return (
        decided.withColumn("_n", F.row_number().over(_latest()))
        .where(F.col("_n") == 1)
        .select("case_id", F.when(F.col("verdict") == "confirmed", 1.0).otherwise(0.0).alias("label"))
    )


def with_status(cases: DataFrame, previous: DataFrame, dismissals: DataFrame, *, run_date: dt.date) -> DataFrame:
    """Carry each case's status and first sighting over from its earlier version and decide whether it is raised.

    Args:
        cases: the run's cases with `case_id, matched_case_id, record_ids`.
        previous: `case_id, status, first_seen, record_ids` of the earlier cases (gold `cases`).
        dismissals: `latest_dismissals(reviews)`.
        run_date: the run date (first_seen of a new case).

    Returns:
        `cases` with `status, raised, first_seen, last_seen, is_new, grown, reopened`.
    """
    prev = previous.select(
        "case_id",
        F.col("status").alias("_prev_status"),
        F.col("first_seen").alias("_prev_first_seen"),
        F.col("record_ids").alias("_prev_records"),
    )
    joined = cases.join(prev, "case_id", "left").join(dismissals, "case_id", "left")
    dismissed = F.col("_prev_status") == "dismissed"
    joined_since = F.size(
        F.array_except("record_ids", F.coalesce("dismissed_record_ids", F.array().cast("array<string>")))
    )
    reopened = F.coalesce(dismissed & (joined_since > 0), F.lit(False))
    status = F.when(reopened, F.lit("open")).otherwise(F.coalesce("_prev_status", F.lit("open")))
    return joined.withColumns(
        {
            "reopened": reopened,
            "status": status,
            "raised": status != "dismissed",
            "is_new": F.col("matched_case_id").isNull(),
            "grown": F.col("matched_case_id").isNotNull()
            & F.coalesce(F.size(F.array_except("record_ids", "_prev_records")) > 0, F.lit(False)),
            "first_seen": F.coalesce("_prev_first_seen", F.lit(run_date)),
            "last_seen": F.lit(run_date),
        }
    ).drop("_prev_status", "_prev_first_seen", "_prev_records", "dismissed_record_ids")


def describe_reviews(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line per recorded verdict, for the terminal."""
    return "\n".join(f"recorded {r['review_id']}: case {r['case_id']} {r['verdict']} by {r['reviewer']}" for r in rows)
