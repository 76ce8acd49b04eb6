"""Review effects: a dismissed case is not raised again unless new parcels join it; verdicts are validated."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from splitscan.cases.review import ReviewRequest, latest_dismissals, latest_labels, with_status

RUN = dt.date(2025, 2, 1)
T = dt.datetime


def test_status_dismissed_stays_down_reopens_on_new_parcels(spark: SparkSession) -> None:
    reviews = spark.createDataFrame(
        [
            ("V1", "C-1", "dismissed", T(2025, 1, 2), ["r1"]),
            ("V2", "C-1", "dismissed", T(2025, 1, 5), ["r1", "r2"]),  # the latest dismissal's parcels count
            ("V3", "C-2", "dismissed", T(2025, 1, 2), ["r3"]),
            ("V4", "C-2", "needs-info", T(2025, 1, 1), ["r3"]),
            ("V5", "C-3", "confirmed", T(2025, 1, 2), ["r5"]),
        ],
        "review_id string, case_id string, verdict string, reviewed_at timestamp, record_ids array<string>",
    )
    previous = spark.createDataFrame(
        [
            ("C-1", "dismissed", dt.date(2025, 1, 1), ["r1", "r2"]),
            ("C-2", "dismissed", dt.date(2025, 1, 1), ["r3"]),
            ("C-3", "confirmed", dt.date(2025, 1, 1), ["r5"]),
        ],
        "case_id string, status string, first_seen date, record_ids array<string>",
    )
    cases = spark.createDataFrame(
        [
            ("C-1", "C-1", ["r1", "r2"]),  # nothing new: stays dismissed, not raised
            ("C-2", "C-2", ["r3", "r4"]),  # r4 joined after the dismissal: reopened
            ("C-3", "C-3", ["r5"]),  # confirmed stays raised
            ("C-new", None, ["r9"]),
        ],
        "case_id string, matched_case_id string, record_ids array<string>",
    )
    actual = with_status(cases, previous, latest_dismissals(reviews), run_date=RUN).select(
        "case_id", "status", "raised", "reopened", "is_new", "grown", "first_seen", "last_seen"
    )
    expected = spark.createDataFrame(
        [
            ("C-1", "dismissed", False, False, False, False, dt.date(2025, 1, 1), RUN),
            ("C-2", "open", True, True, False, True, dt.date(2025, 1, 1), RUN),
            ("C-3", "confirmed", True, False, False, False, dt.date(2025, 1, 1), RUN),
            ("C-new", "open", True, False, True, False, RUN, RUN),
        ],
        "case_id string, status string, raised boolean, reopened boolean, is_new boolean, grown boolean, "
        "first_seen date, last_seen date",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)

    labels = spark.createDataFrame(
        [("C-1", 0.0), ("C-2", 0.0), ("C-3", 1.0)], "case_id string, label double"
    )  # needs-info is no label; C-2's latest decided verdict is its dismissal
    assert_df_equality(latest_labels(reviews), labels, ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"case_id": "C-1", "verdict": "fraud", "reviewer": "kim"}, "unknown verdict 'fraud'"),
        ({"case_id": " ", "verdict": "confirmed", "reviewer": "kim"}, "a case id is required"),
        ({"case_id": "C-1", "verdict": "dismissed", "reviewer": ""}, "a reviewer name is required"),
    ],
)
def test_bad_review_request_is_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReviewRequest(**kwargs)
