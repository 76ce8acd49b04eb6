"""Builders for tiny case inputs: split findings, ring findings and parcels with the gold types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession

SPLITS = (
    "finding_id string, rule_id string, jurisdiction string, entity_id string, window_start date, window_end date, "
    "record_ids array<string>, part_limit decimal(18,2), currency string, duty_at_stake_usd decimal(18,2), "
    "score double, reasons array<string>, business_consignee boolean"
)
RINGS = (
    "ring_id string, score double, reasons array<string>, members array<string>, record_ids array<string>, "
    "shared_attributes array<string>, sellers_in_common array<string>, parcels_under_threshold long, "
    "duty_at_stake_usd double, picture_path string, edges array<string>"
)
PARCELS = "record_id string, destination_country string, arrival_date date, value_usd decimal(18,2)"


def split(
    finding_id: str, entity: str, records: Sequence[str], score: float, duty: str, *, month: int = 1, **kw: Any
) -> tuple[Any, ...]:
    """A split finding; its window ends on the 10th of `month` 2025."""
    return (
        finding_id,
        kw.get("rule", "KR-SUPPLIER-DATE"),
        kw.get("jurisdiction", "KR"),
        entity,
        dt.date(2025, month, 1),
        dt.date(2025, month, 10),
        list(records),
        Decimal(kw.get("limit", "150.00")),
        "USD",
        Decimal(duty),
        score,
        [f"rule of {finding_id}", f"window of {finding_id}", "more"],
        kw.get("business", False),
    )


def ring(
    ring_id: str, score: float, members: Sequence[str], records: Sequence[str], duty: float, **kw: Any
) -> tuple[Any, ...]:
    return (
        ring_id,
        score,
        [f"{ring_id} reason"],
        list(members),
        list(records),
        kw.get("shared", ["phone=P1 (2 members)"]),
        kw.get("sellers", ["S1 (4 parcels, 2 members)"]),
        kw.get("under", len(records)),
        duty,
        None,
        kw.get("edges", []),
    )


@pytest.fixture()
def frames(spark: SparkSession) -> Callable[[str, Sequence[tuple[Any, ...]]], DataFrame]:
    """`frames("splits" | "rings" | "parcels", rows)`."""
    schemas = {"splits": SPLITS, "rings": RINGS, "parcels": PARCELS}

    def make(kind: str, rows: Sequence[tuple[Any, ...]]) -> DataFrame:
        return spark.createDataFrame(list(rows), schemas[kind])

    return make
