"""Reference data shipped with splitscan: jurisdictions and daily FX rates.

The jurisdictions file gives each country's threshold currency and phone numbering (calling code, trunk
prefix); the FX file gives daily reference rates against the US dollar. Both live next to this module and
are read with `importlib.resources`, so they work from a wheel as well as from a source checkout. See
`README.md` in this folder for sources, licences and how to replace the FX rates with a real feed.
"""

from __future__ import annotations

import functools
import logging
import re
from importlib.resources import files
from pathlib import Path

import pandas as pd

__all__ = [
    "FX_RATES_FILE",
    "JURISDICTIONS_COLUMNS",
    "JURISDICTIONS_FILE",
    "fx_rates_path",
    "load_jurisdictions_pdf",
]

logger = logging.getLogger(__name__)

JURISDICTIONS_FILE = "jurisdictions.csv"
FX_RATES_FILE = "fx_rates.csv"
JURISDICTIONS_COLUMNS = (
    "country_code",
    "name",
    "threshold_currency",
    "calling_code",
    "trunk_prefix",
    "eu_member",
)

# One regular expression per text column: a malformed cell is an error, never a silently wrong lookup.
_PATTERNS = {
    "country_code": re.compile(r"[A-Z]{2}"),
    "name": re.compile(r"\S.*"),
    "threshold_currency": re.compile(r"[A-Z]{3}"),
    "calling_code": re.compile(r"[1-9][0-9]{0,2}"),
    # Empty means no trunk prefix; alternatives are separated by "|" (e.g. Lithuania's old 8 and new 0).
    "trunk_prefix": re.compile(r"([0-9]+(\|[0-9]+)*)?"),
    "eu_member": re.compile(r"true|false"),
}


def _resource_path(name: str) -> Path:
    resource = files(__name__).joinpath(name)
    if not isinstance(resource, Path):  # only a zipped install would give a non-filesystem resource
        raise RuntimeError(f"splitscan reference file {name} is not on the filesystem ({resource!r})")
    return resource


@functools.cache
def _jurisdictions() -> pd.DataFrame:
    path = _resource_path(JURISDICTIONS_FILE)
    # keep_default_na=False: "NA" is Namibia and an empty trunk prefix means "none", neither is missing data.
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    if tuple(frame.columns) != JURISDICTIONS_COLUMNS:
        raise ValueError(f"{path}: columns {list(frame.columns)}, expected {list(JURISDICTIONS_COLUMNS)}")
    for column, pattern in _PATTERNS.items():
        for position, value in enumerate(frame[column]):
            if not pattern.fullmatch(value):
                # +2: one for the header line, one because file lines count from 1.
                raise ValueError(f"{path}: line {position + 2}, field {column}: invalid value {value!r}")
    duplicated = frame["country_code"][frame["country_code"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"{path}: duplicate country_code {sorted(set(duplicated))}")
    frame["eu_member"] = frame["eu_member"] == "true"
    logger.debug("Loaded %d jurisdictions from %s", len(frame), path)
    return frame


def load_jurisdictions_pdf() -> pd.DataFrame:
    """Load the jurisdictions reference as a pandas DataFrame (a fresh copy on every call).

    Returns:
        One row per country: `country_code` (ISO 3166-1 alpha-2), `name`, `threshold_currency` (ISO 4217
        code of the currency the de minimis threshold is set in), `calling_code` (ITU country calling code,
        digits, no `+`), `trunk_prefix` (national trunk prefix; empty when the country has none; `|`
        separates alternatives) and `eu_member` (bool). All text columns are `str`, never missing.

    Raises:
        ValueError: the file is malformed; the message names the line and field.

    Invariant: `country_code` is unique, so a join on it never multiplies rows.
    """
    return _jurisdictions().copy()


def fx_rates_path() -> str:
    """Path of the daily FX reference rates shipped with splitscan, usable by `spark.read`.

    Returns:
        Absolute path of `fx_rates.csv` (columns `rate_date, currency, units_per_usd`).

    On a cluster every executor must see the same path (the package installed at the same location on every
    node); otherwise point `ingest.fx_rates_path` at shared storage.
    """
    return str(_resource_path(FX_RATES_FILE).resolve())
