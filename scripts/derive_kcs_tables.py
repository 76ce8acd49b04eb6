"""Derive the small distribution tables that `splitscan.synth` ships from the KCS synthetic declarations.

Build-time only: users of splitscan do not have the KCS files, so the tables this script writes into
`src/splitscan/synth/data/` are committed and the generator reads only them.

Source: `Seondong/Customs-Declaration-Datasets` (branch `en`, `data/df_syn_{train,valid,test}_eng.csv`),
MIT licence, Copyright (c) 2022 Institute for Basic Science & Korea Customs Service (domain.md §3.1).

Tables written:

* `kcs_hs6.csv`: HS6 codes of the parcel-relevant headings listed in `goods_headings.csv`, with their KCS
  row counts and a parcel weight (KCS count x the heading's hand-set parcel multiplier).
* `kcs_chapter_quantiles.csv`: per HS chapter, quantiles of the KCS item price (KRW) and net mass (kg), and
  the same quantiles rescaled to parcel ranges (USD value, kg) by a log-affine map that keeps each chapter's
  shape.
* `kcs_chapter_stats.csv`: per HS chapter, row count and the Spearman rank correlation of price and mass.
* `kcs_origin.csv`: counts of (country of departure, country of origin) pairs.

Usage: `python scripts/derive_kcs_tables.py [--src DIR] [--out DIR]`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PARCEL_MASS_LOG10_IQR", "PARCEL_VALUE_LOG10_IQR", "QUANTILE_LEVELS", "derive", "main"]

logger = logging.getLogger("derive_kcs_tables")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = REPO_ROOT.parent / "shared" / "data" / "kcs-customs-declarations"
DEFAULT_OUT = REPO_ROOT / "src" / "splitscan" / "synth" / "data"
FILES = ("df_syn_train_eng.csv", "df_syn_valid_eng.csv", "df_syn_test_eng.csv")

QUANTILE_LEVELS: tuple[float, ...] = (
    0.005, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995,
)  # fmt: skip

# Parcel targets of the log-affine rescaling. KCS prices are formal declarations in KRW, spread over ~2.7
# decades between the quartiles; parcels are mostly USD 10-60. Each chapter's log-quantiles are mapped by
# log10(v) = log10(median) + IQR_target / IQR_kcs * (log10(x) - median_log10_kcs), with the global KCS median
# and IQR taken over all rows, so chapters keep their relative position and their shape, compressed to parcel
# ranges.
PARCEL_VALUE_MEDIAN_USD = 25.0
PARCEL_VALUE_LOG10_IQR = 0.75  # quartiles at about USD 10.5 and USD 59
PARCEL_VALUE_CLIP = (0.5, 3000.0)
PARCEL_MASS_MEDIAN_KG = 0.35
PARCEL_MASS_LOG10_IQR = 0.9  # quartiles at about 0.12 kg and 0.99 kg
PARCEL_MASS_CLIP = (0.01, 30.0)
MIN_CHAPTER_ROWS = 40


def _read(src: Path) -> pd.DataFrame:
    frames = []
    for name in FILES:
        path = src / name
        if not path.is_file():
            raise FileNotFoundError(f"KCS file not found: {path}")
        frames.append(
            pd.read_csv(
                path,
                dtype={"HS6 Code": str, "Country of Departure": str, "Country of Origin": str},
                keep_default_na=False,
                na_values={"Net Mass": [""], "Item Price": [""]},
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df["hs6"] = df["HS6 Code"].str.strip()
    df = df[df["hs6"].str.fullmatch(r"\d{6}")].copy()
    df["heading"] = df["hs6"].str[:4]
    df["chapter"] = df["hs6"].str[:2]
    logger.info("read %d KCS rows from %s", len(df), src)
    return df


def _log_map(x: np.ndarray, median_log: float, iqr_log: float, target_median: float, target_iqr: float) -> np.ndarray:
    return np.asarray(10 ** (np.log10(target_median) + target_iqr / iqr_log * (np.log10(x) - median_log)))


def derive(src: Path, out: Path) -> None:
    """Read the KCS files under `src` and write the derived tables into `out`.

    Args:
        src: folder holding the three `df_syn_*_eng.csv` files.
        out: `splitscan/synth/data`; must already hold the hand-written `goods_headings.csv`.
    """
    df = _read(src)
    headings = pd.read_csv(out / "goods_headings.csv", dtype={"heading": str})

    # HS6 weights within the parcel-relevant headings.
    hs = df[df["heading"].isin(set(headings["heading"]))]
    counts = hs.groupby("hs6").size().rename("kcs_rows").reset_index()
    counts["heading"] = counts["hs6"].str[:4]
    counts["chapter"] = counts["hs6"].str[:2]
    counts = counts.merge(headings[["heading", "parcel_multiplier"]], on="heading", how="left")
    counts["parcel_weight"] = (counts["kcs_rows"] * counts["parcel_multiplier"]).round(3)
    missing = sorted(set(headings["heading"]) - set(counts["heading"]))
    if missing:
        logger.warning("headings without KCS rows, dropped: %s", ", ".join(missing))
    counts = counts.sort_values("hs6")[["hs6", "heading", "chapter", "kcs_rows", "parcel_weight"]]
    counts.to_csv(out / "kcs_hs6.csv", index=False, lineterminator="\n")
    logger.info("kcs_hs6.csv: %d HS6 codes in %d headings", len(counts), counts["heading"].nunique())

    # Per-chapter quantiles of price and mass, and their parcel-scale images.
    price = df["Item Price"].astype(float)
    mass = df["Net Mass"].astype(float)
    pos_price = np.log10(price[price > 0].to_numpy())
    pos_mass = np.log10(mass[mass > 0].to_numpy())
    p_med, p_iqr = float(np.median(pos_price)), float(np.subtract(*np.percentile(pos_price, [75, 25])))
    m_med, m_iqr = float(np.median(pos_mass)), float(np.subtract(*np.percentile(pos_mass, [75, 25])))
    logger.info("global log10 price median %.3f IQR %.3f; log10 mass median %.3f IQR %.3f", p_med, p_iqr, m_med, m_iqr)

    rows: list[dict[str, object]] = []
    stats: list[dict[str, object]] = []
    levels = np.array(QUANTILE_LEVELS)
    for chapter in sorted(set(counts["chapter"])):
        sub = df[df["chapter"] == chapter]
        sp = sub["Item Price"].astype(float)
        sm = sub["Net Mass"].astype(float)
        ok = (sp > 0) & (sm > 0)
        if ok.sum() < MIN_CHAPTER_ROWS:
            logger.warning("chapter %s has %d usable rows; using all chapters", chapter, int(ok.sum()))
            sp, sm = price, mass
            ok = (sp > 0) & (sm > 0)
        qp = np.quantile(sp[ok].to_numpy(), levels)
        qm = np.quantile(sm[ok].to_numpy(), levels)
        vp = np.clip(_log_map(qp, p_med, p_iqr, PARCEL_VALUE_MEDIAN_USD, PARCEL_VALUE_LOG10_IQR), *PARCEL_VALUE_CLIP)
        vm = np.clip(_log_map(qm, m_med, m_iqr, PARCEL_MASS_MEDIAN_KG, PARCEL_MASS_LOG10_IQR), *PARCEL_MASS_CLIP)
        for q, a, b, c, d in zip(levels, qp, qm, vp, vm, strict=True):
            rows.append(
                {
                    "chapter": chapter,
                    "q": q,
                    "kcs_price_krw": float(f"{a:.6g}"),
                    "kcs_net_mass_kg": float(f"{b:.6g}"),
                    "parcel_value_usd": round(float(c), 2),
                    "parcel_net_mass_kg": round(float(d), 3),
                }
            )
        rho = float(sp[ok].rank().corr(sm[ok].rank()))
        stats.append({"chapter": chapter, "kcs_rows": int(ok.sum()), "spearman_price_mass": round(rho, 3)})
    pd.DataFrame(rows).to_csv(out / "kcs_chapter_quantiles.csv", index=False, lineterminator="\n")
    pd.DataFrame(stats).to_csv(out / "kcs_chapter_stats.csv", index=False, lineterminator="\n")
    logger.info("kcs_chapter_quantiles.csv: %d chapters x %d levels", len(stats), len(levels))

    # Origin given departure (both ISO alpha-2 in the source).
    od = df[(df["Country of Departure"].str.len() == 2) & (df["Country of Origin"].str.len() == 2)]
    origin = (
        od.groupby(["Country of Departure", "Country of Origin"])
        .size()
        .rename("kcs_rows")
        .reset_index()
        .rename(columns={"Country of Departure": "departure_country", "Country of Origin": "origin_country"})
        .sort_values(["departure_country", "origin_country"])
    )
    origin.to_csv(out / "kcs_origin.csv", index=False, lineterminator="\n")
    logger.info("kcs_origin.csv: %d departure x origin pairs", len(origin))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="folder with the KCS df_syn_*_eng.csv files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="splitscan/synth/data folder to write into")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    derive(args.src, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
