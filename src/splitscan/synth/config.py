"""Configuration of one synthetic generation run, validated on construction."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from splitscan.synth.noise import NOISE_LEVELS

__all__ = ["FILE_FORMATS", "SUPPORTED_JURISDICTIONS", "SynthConfig"]

logger = logging.getLogger(__name__)

FILE_FORMATS: Final[tuple[str, ...]] = ("csv", "parquet", "jsonl")
SUPPORTED_JURISDICTIONS: Final[tuple[str, ...]] = ("KR", "US")
MIN_RECORDS: Final = 100
MAX_RECORDS: Final = 20_000_000
MAX_SPAN_DAYS: Final = 3 * 366


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_rate(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(float(x))


@dataclass(frozen=True)
class SynthConfig:
    """What to generate.

    Attributes:
        records: number of input rows to write (parcels, including deliberately corrupted rows).
        seed: random seed; the same config gives byte-identical files.
        start_date: first arrival date.
        end_date: last arrival date (inclusive).
        jurisdictions: destination countries (ISO alpha-2), among `SUPPORTED_JURISDICTIONS`.
        jurisdiction_weights: share of records per jurisdiction (normalised).
        fraud_rate: share of records that belong to fraud schemes (simple and disguised splits, nominee rings,
            drip imports).
        noise: "low" | "default" | "high": how inconsistently consignees write their details and how often
            optional fields are missing.
        file_format: "csv" | "parquet" | "jsonl".
        bad_row_rate: share of rows deliberately corrupted the way real feeds are (labelled in the truth).
        carrier_split_rate: share of records in legitimate carrier splits ("aggregate, not fraud").
        brushing_rate: share of records in brushing campaigns (sender-side fan-out, not fraud by the consignee).
    """

    records: int = 100_000
    seed: int = 0
    start_date: date = date(2024, 7, 1)
    end_date: date = date(2025, 6, 30)
    jurisdictions: tuple[str, ...] = ("KR", "US")
    jurisdiction_weights: tuple[float, ...] = (0.7, 0.3)
    fraud_rate: float = 0.03
    noise: str = "default"
    file_format: str = "csv"
    bad_row_rate: float = 0.002
    carrier_split_rate: float = 0.01
    brushing_rate: float = 0.002

    def __post_init__(self) -> None:
        if not _is_int(self.records) or not MIN_RECORDS <= self.records <= MAX_RECORDS:
            raise ValueError(f"records must be an integer in [{MIN_RECORDS}, {MAX_RECORDS}], got {self.records!r}")
        if not _is_int(self.seed) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("start_date", "end_date"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValueError(f"{name} must be a datetime.date, got {value!r}")
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        span = (self.end_date - self.start_date).days + 1
        if span > MAX_SPAN_DAYS:
            raise ValueError(f"the date range spans {span} days; at most {MAX_SPAN_DAYS} are supported")
        if isinstance(self.jurisdictions, str) or not isinstance(self.jurisdictions, tuple | list):
            raise ValueError(f"jurisdictions must be a tuple of country codes, got {self.jurisdictions!r}")
        object.__setattr__(self, "jurisdictions", tuple(self.jurisdictions))
        if not self.jurisdictions:
            raise ValueError("jurisdictions must not be empty")
        unknown = [j for j in self.jurisdictions if j not in SUPPORTED_JURISDICTIONS]
        if unknown:
            raise ValueError(f"unsupported jurisdiction(s) {unknown}; supported: {', '.join(SUPPORTED_JURISDICTIONS)}")
        if len(set(self.jurisdictions)) != len(self.jurisdictions):
            raise ValueError(f"jurisdictions must be distinct, got {self.jurisdictions!r}")
        if isinstance(self.jurisdiction_weights, str) or not isinstance(self.jurisdiction_weights, tuple | list):
            raise ValueError(f"jurisdiction_weights must be a tuple of numbers, got {self.jurisdiction_weights!r}")
        object.__setattr__(self, "jurisdiction_weights", tuple(self.jurisdiction_weights))
        if len(self.jurisdiction_weights) != len(self.jurisdictions):
            raise ValueError(
                f"jurisdiction_weights has {len(self.jurisdiction_weights)} values for "
                f"{len(self.jurisdictions)} jurisdictions"
            )
        if not all(_is_rate(w) and float(w) > 0 for w in self.jurisdiction_weights):
            raise ValueError(f"jurisdiction_weights must be finite and > 0, got {self.jurisdiction_weights!r}")
        for name, hi in (
            ("fraud_rate", 0.3),
            ("bad_row_rate", 0.05),
            ("carrier_split_rate", 0.1),
            ("brushing_rate", 0.05),
        ):
            value = getattr(self, name)
            if not _is_rate(value) or not 0.0 <= float(value) <= hi:
                raise ValueError(f"{name} must be a number in [0, {hi}], got {value!r}")
        if self.noise not in NOISE_LEVELS:
            raise ValueError(f"noise must be one of {', '.join(NOISE_LEVELS)}, got {self.noise!r}")
        if self.file_format not in FILE_FORMATS:
            raise ValueError(f"file_format must be one of {', '.join(FILE_FORMATS)}, got {self.file_format!r}")

    @property
    def n_days(self) -> int:
        """Number of arrival days."""
        return (self.end_date - self.start_date).days + 1
