"""Arrival-date seasonality: weekday rhythm, growth, and shopping peaks by seller region.

Peaks are where customs see same-day clusters that are not fraud (domain.md §4): arrivals after 11.11 and
12.12 and around the 618 festival for Chinese sellers, after Black Friday / Cyber Monday, before Christmas and
after Prime Day for Western sellers, and a lull over Chinese New Year.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["REGIONS", "day_weights", "region_of"]

logger = logging.getLogger(__name__)

REGIONS: Final[tuple[str, ...]] = ("cn", "west", "asia")
_WEST: Final = frozenset({"US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "CH", "AU", "BE", "AT"})
_CN: Final = frozenset({"CN", "HK", "TW"})
_CHINESE_NEW_YEAR: Final[dict[int, date]] = {
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
}
_WEEKDAY: Final = np.array([1.15, 1.10, 1.05, 1.0, 1.0, 0.55, 0.30])  # Monday .. Sunday


def region_of(country: str) -> int:
    """Index into `REGIONS` of a seller country."""
    if country in _CN:
        return 0
    if country in _WEST:
        return 1
    return 2


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    first_thursday = nov1 + timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def _prime_day(year: int) -> date:
    jul1 = date(year, 7, 1)
    first_tuesday = jul1 + timedelta(days=(1 - jul1.weekday()) % 7)
    return first_tuesday + timedelta(days=7)


def _events(year: int, region: int) -> list[tuple[date, float, float]]:
    """(centre of the arrival bump, sigma in days, amplitude) for one calendar year."""
    cny = _CHINESE_NEW_YEAR.get(year, date(year, 2, 1))
    bf = _black_friday(year)
    if region == 0:
        return [
            (date(year, 11, 20), 6.0, 2.2),
            (date(year, 12, 19), 4.0, 0.6),
            (date(year, 6, 26), 5.0, 0.7),
            (cny + timedelta(days=4), 7.0, -0.55),
        ]
    if region == 1:
        return [
            (bf + timedelta(days=9), 5.0, 1.8),
            (date(year, 12, 12), 8.0, 0.6),
            (date(year, 12, 28), 4.0, -0.4),
            (_prime_day(year) + timedelta(days=8), 4.0, 0.8),
        ]
    return [
        (date(year, 11, 20), 6.0, 0.8),
        (bf + timedelta(days=9), 5.0, 0.6),
        (date(year, 1, 1), 4.0, -0.3),
    ]


def day_weights(start: date, end: date, region: int) -> npt.NDArray[np.float64]:
    """Relative arrival volume on each day of `[start, end]` for sellers of one region (sums to 1)."""
    n = (end - start).days + 1
    days = np.arange(n)
    ords = start.toordinal() + days
    weekday = (start.weekday() + days) % 7
    factor = np.ones(n)
    for year in range(start.year - 1, end.year + 2):
        for centre, sigma, amp in _events(year, region):
            factor += amp * np.exp(-0.5 * ((ords - centre.toordinal()) / sigma) ** 2)
    w = np.clip(factor, 0.15, None) * _WEEKDAY[weekday] * (1.0 + 0.15 * days / 365.0)
    return np.asarray(w / w.sum(), dtype=np.float64)
