"""Read the small reference tables shipped in `splitscan/synth/data` (package data, read via
importlib.resources).

`kcs_*.csv` are derived from the KCS synthetic declarations by `scripts/derive_kcs_tables.py`; the other
tables are hand-compiled (see `data/ATTRIBUTION.md`). Everything is read once per process and cached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DATA_FILES",
    "KcsTables",
    "WeightedChoices",
    "kcs_tables",
    "parse_weighted",
    "read_table",
]

logger = logging.getLogger(__name__)

DATA_FILES: tuple[str, ...] = (
    "goods_headings.csv",
    "kcs_hs6.csv",
    "kcs_chapter_quantiles.csv",
    "kcs_chapter_stats.csv",
    "kcs_origin.csv",
    "kr_surnames.csv",
    "kr_syllables.csv",
    "kr_given_names.csv",
    "kr_districts.csv",
    "kr_roads.csv",
    "kr_neighbourhoods.csv",
    "kr_apartment_brands.csv",
    "us_surnames.csv",
    "us_given_names.csv",
    "us_nicknames.csv",
    "us_cities.csv",
    "us_streets.csv",
)


@cache
def read_table(name: str) -> pd.DataFrame:
    """One data table as strings (empty cells stay empty strings). The result is shared: do not mutate it."""
    if name not in DATA_FILES:
        raise ValueError(f"unknown synth data table {name!r}")
    with files("splitscan.synth").joinpath("data").joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@dataclass(frozen=True)
class WeightedChoices:
    """Values with normalised probabilities, parsed from `a:0.7|b:0.3` (a bare `a|b` means equal weights)."""

    values: tuple[str, ...]
    probs: npt.NDArray[np.float64]


def parse_weighted(spec: str) -> WeightedChoices:
    """Parse `a:0.7|b:0.3` into values and probabilities summing to 1."""
    values: list[str] = []
    weights: list[float] = []
    for part in spec.split("|"):
        if ":" in part:
            v, w = part.rsplit(":", 1)
            values.append(v)
            weights.append(float(w))
        else:
            values.append(part)
            weights.append(1.0)
    arr = np.asarray(weights, dtype=np.float64)
    return WeightedChoices(tuple(values), arr / arr.sum())


@dataclass(frozen=True)
class KcsTables:
    """The KCS-derived distributions in array form.

    Attributes:
        hs6: HS6 codes of parcel-relevant headings.
        hs6_heading: the 4-digit heading of each code.
        hs6_chapter_idx: index into `chapters` of each code.
        hs6_weight: parcel weight of each code (KCS count x heading multiplier).
        chapters: HS chapters with quantile tables.
        q_levels: quantile levels shared by all chapters.
        value_q: parcel-scale USD value quantiles, shape (chapters, levels).
        mass_q: parcel-scale net mass quantiles in kg, shape (chapters, levels).
        rho: Spearman price-mass correlation per chapter.
        heading_descriptions: goods descriptions per heading.
        origin: for each departure country, the origin countries and their probabilities.
        departure_weights: KCS row count per departure country.
    """

    hs6: tuple[str, ...]
    hs6_heading: tuple[str, ...]
    hs6_chapter_idx: npt.NDArray[np.int64]
    hs6_weight: npt.NDArray[np.float64]
    chapters: tuple[str, ...]
    q_levels: npt.NDArray[np.float64]
    value_q: npt.NDArray[np.float64]
    mass_q: npt.NDArray[np.float64]
    rho: npt.NDArray[np.float64]
    heading_descriptions: dict[str, tuple[str, ...]]
    origin: dict[str, WeightedChoices]
    departure_weights: dict[str, float]


@cache
def kcs_tables() -> KcsTables:
    """Load the KCS-derived tables (cached)."""
    hs = read_table("kcs_hs6.csv")
    quant = read_table("kcs_chapter_quantiles.csv")
    stats = read_table("kcs_chapter_stats.csv")
    heads = read_table("goods_headings.csv")
    orig = read_table("kcs_origin.csv")

    chapters = tuple(stats["chapter"])
    ch_index = {c: i for i, c in enumerate(chapters)}
    levels = np.asarray(sorted({float(q) for q in quant["q"]}), dtype=np.float64)
    value_q = np.zeros((len(chapters), len(levels)))
    mass_q = np.zeros((len(chapters), len(levels)))
    level_index = {q: i for i, q in enumerate(levels)}
    for ch, q, v, m in zip(
        quant["chapter"], quant["q"], quant["parcel_value_usd"], quant["parcel_net_mass_kg"], strict=True
    ):
        value_q[ch_index[ch], level_index[float(q)]] = float(v)
        mass_q[ch_index[ch], level_index[float(q)]] = float(m)
    hs = hs[hs["chapter"].isin(ch_index)]
    descriptions = {h: tuple(d.split("|")) for h, d in zip(heads["heading"], heads["descriptions"], strict=True)}
    origin: dict[str, WeightedChoices] = {}
    departure: dict[str, float] = {}
    for dep, grp in orig.groupby("departure_country", sort=True):
        counts = grp["kcs_rows"].astype(float).to_numpy()
        origin[str(dep)] = WeightedChoices(tuple(grp["origin_country"]), counts / counts.sum())
        departure[str(dep)] = float(counts.sum())
    return KcsTables(
        hs6=tuple(hs["hs6"]),
        hs6_heading=tuple(hs["heading"]),
        hs6_chapter_idx=np.asarray([ch_index[c] for c in hs["chapter"]], dtype=np.int64),
        hs6_weight=np.asarray(hs["parcel_weight"].astype(float), dtype=np.float64),
        chapters=chapters,
        q_levels=levels,
        value_q=value_q,
        mass_q=mass_q,
        rho=np.asarray(stats["spearman_price_mass"].astype(float), dtype=np.float64),
        heading_descriptions=descriptions,
        origin=origin,
        departure_weights=departure,
    )
