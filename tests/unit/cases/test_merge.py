"""Findings merged into candidate cases: a ring absorbs its members' split findings; an entity in two rings goes to
the higher-scoring one; duty at stake counts each parcel once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession

from splitscan.cases.merge import candidate_cases, ring_of_entity

from .conftest import ring, split

Frames = Callable[[str, Sequence[tuple[Any, ...]]], DataFrame]


def _parcels(frames: Frames) -> DataFrame:
    us = {"r3", "r4"}
    return frames(
        "parcels",
        [(f"r{i}", "US" if f"r{i}" in us else "KR", dt.date(2025, 1, i), Decimal("100.00")) for i in range(1, 13)],
    )


def test_ring_absorbs_split_findings_and_contested_entity_goes_to_higher_ring(
    spark: SparkSession, frames: Frames
) -> None:
    splits = frames(
        "splits",
        [
            split("SF1", "E1", ["r1", "r2"], 0.5, "30.00"),
            split("SF2", "E2", ["r7", "r8"], 0.9, "20.00", month=2),
            split("SF3", "E3", ["r6", "r9"], 0.3, "8.00"),
            split("SF4", "E4", ["r10", "r11"], 0.4, "12.00"),
            split("SF5", "E4", ["r11", "r12"], 0.2, "6.00", month=3),
        ],
    )
    rings = frames(
        "rings",
        [
            ring("R1", 80.0, ["E1", "E2"], ["r1", "r2", "r3", "r4"], 40.0),
            ring("R2", 60.0, ["E2", "E3"], ["r5", "r6"], 10.0),
        ],
    )
    cols = (
        "anchor, case_type, entity_ids, record_ids, finding_ids, ring_ids, n_findings, evidence, "
        "duty_at_stake_usd, jurisdiction, jurisdictions, history_months, reasons"
    )
    actual = candidate_cases(splits, rings, _parcels(frames)).selectExpr(*cols.split(", "))
    line = "split finding {0} (score {1}): rule of {0}; window of {0}"
    expected = spark.createDataFrame(
        [
            # E2 is in R1 (80) and R2 (60): its split finding SF2 joins R1 only. Evidence 1 - 0.1 x 0.8 x 0.875;
            # duty: r1, r2 keep SF1's share 15 over the ring's 10, r3, r4 the ring's 10, r7, r8 SF2's 10.
            (
                "ring:R1",
                "ring",
                ["E1", "E2"],
                ["r1", "r2", "r3", "r4", "r7", "r8"],
                ["SF1", "SF2"],
                ["R1"],
                3,
                0.93,
                Decimal("70.00"),
                "KR",
                ["KR", "US"],
                2,
                [line.format("SF2", "0.90"), "ring R1: R1 reason", line.format("SF1", "0.50")],
            ),
            (
                "ring:R2",
                "ring",
                ["E3"],
                ["r5", "r6", "r9"],
                ["SF3"],
                ["R2"],
                2,
                0.63,
                Decimal("14.00"),
                "KR",
                ["KR"],
                1,
                ["ring R2: R2 reason", line.format("SF3", "0.30")],
            ),
            # r11 is in both of E4's findings: its duty counts once (the larger share, 6).
            (
                "split:E4",
                "split",
                ["E4"],
                ["r10", "r11", "r12"],
                ["SF4", "SF5"],
                [],
                2,
                0.43,
                Decimal("15.00"),
                "KR",
                ["KR"],
                2,
                [line.format("SF4", "0.40"), line.format("SF5", "0.20")],
            ),
        ],
        "anchor string, case_type string, entity_ids array<string>, record_ids array<string>, "
        "finding_ids array<string>, ring_ids array<string>, n_findings int, evidence double, "
        "duty_at_stake_usd decimal(18,2), jurisdiction string, jurisdictions array<string>, history_months int, "
        "reasons array<string>",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_entity_in_two_rings_with_equal_scores_goes_to_the_smaller_ring_id(spark: SparkSession, frames: Frames) -> None:
    rings = frames(
        "rings",
        [
            ring("RB", 50.0, ["E1", "E2"], ["r1"], 0.0),
            ring("RA", 50.0, ["E1"], ["r2"], 0.0),
            ring("RC", 70.0, ["E2"], ["r3"], 0.0),
        ],
    )
    expected = spark.createDataFrame([("E1", "RA"), ("E2", "RC")], "entity_id string, ring_id string")
    assert_df_equality(ring_of_entity(rings), expected, ignore_row_order=True, ignore_nullable=True)


def test_only_the_three_next_strongest_findings_corroborate_and_business_cases_are_flagged(
    spark: SparkSession, frames: Frames
) -> None:
    # E8: five findings of a business importer (every one flagged); E9: two findings, one a business's.
    splits = frames(
        "splits",
        [
            *(
                split(f"SF8{i}", "E8", [f"r{i}"], s, "1.00", business=True)
                for i, s in enumerate([0.5, 0.4, 0.4, 0.4, 0.4], 1)
            ),
            split("SF91", "E9", ["r6"], 0.5, "1.00", business=True),
            split("SF92", "E9", ["r7"], 0.4, "1.00"),
        ],
    )
    rings = frames("rings", [])
    actual = candidate_cases(splits, rings, _parcels(frames)).select("anchor", "n_findings", "evidence", "business")
    # E8: 1 - (1 - 0.5) x (1 - 0.25 x 0.4)^3 = 0.6355 (all five would give 0.672).
    expected = spark.createDataFrame(
        [("split:E8", 5, 0.6355, True), ("split:E9", 2, 0.55, False)],
        "anchor string, n_findings int, evidence double, business boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
