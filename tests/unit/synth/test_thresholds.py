"""Thresholds the scheme generator designs against (domain.md §1.1)."""

from __future__ import annotations

from datetime import date

import pytest

from splitscan.synth.thresholds import threshold_usd


@pytest.mark.parametrize(
    ("jurisdiction", "shipper", "day", "expected"),
    [
        ("KR", "CN", date(2025, 3, 1), 150.0),
        ("KR", "US", date(2025, 3, 1), 200.0),  # goods shipped from the US
        ("KR", "JP", date(2026, 1, 1), 150.0),
        ("US", "CN", date(2025, 5, 1), 800.0),
        ("US", "CN", date(2025, 5, 2), None),  # no de minimis for PRC goods from 2025-05-02
        ("US", "HK", date(2025, 6, 1), None),
        ("US", "DE", date(2025, 8, 28), 800.0),
        ("US", "DE", date(2025, 8, 29), None),  # suspended for all countries from 2025-08-29
        ("US", "JP", date(2016, 8, 26), 800.0),
        ("US", "JP", date(2016, 8, 25), 200.0),
        ("JP", "CN", date(2025, 1, 1), None),  # no rule in the table
    ],
)
def test_threshold_usd(jurisdiction: str, shipper: str, day: date, expected: float | None) -> None:
    assert threshold_usd(jurisdiction, shipper, day) == expected
