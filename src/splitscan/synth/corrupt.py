"""Deliberately corrupted rows, the way real feeds break: negative or non-numeric values, unknown currency
codes, malformed dates, missing consignee names, and re-sent records that reuse a record_id with another value.

Only legitimate rows are corrupted (never a scheme's parcels), so scheme ground truth stays exact; each corrupted
row is labelled with its `bad_row_reason` in `truth/records.csv`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["BAD_ROW_REASONS", "corrupt_rows"]

logger = logging.getLogger(__name__)

BAD_ROW_REASONS: Final[tuple[str, ...]] = (
    "negative_value",
    "non_numeric_value",
    "unknown_currency",
    "malformed_date",
    "missing_consignee_name",
    "duplicate_record_id",
)
_REASON_P: Final = np.array([0.17, 0.17, 0.15, 0.21, 0.15, 0.15])
# Not "usd": a lower-case ISO code is a format variant that ingest case-folds, not an unknown currency.
_BAD_CURRENCIES: Final[tuple[str, ...]] = ("XXX", "RMB", "US$", "WON", "YEN", "EURO", "$")


def _malformed(day_text: str, r: float, k: int) -> str:
    d = date.fromisoformat(day_text)
    if r < 0.25:
        return f"{d.year}-{13 + k % 7}-{32 + k % 14}"
    if r < 0.45:
        return d.strftime("%m/%d/%Y")
    if r < 0.6:
        return d.strftime("%Y/%m/%d")
    if r < 0.72:
        return d.strftime("%Y%m%d")
    if r < 0.85:
        return d.strftime("%d.%m.%Y")
    return f"{d.year}-02-{30 + k % 2}"


def corrupt_rows(df: pd.DataFrame, rng: np.random.Generator, n_bad: int) -> pd.DataFrame:
    """Corrupt `n_bad` legitimate rows of a rendered frame.

    Args:
        df: rendered records (see `render.render_plan`); must hold `_scheme`.
        rng: random generator.
        n_bad: number of rows to corrupt (capped at a third of the legitimate rows).

    Returns:
        A copy of `df` with the corruptions applied and two more columns: `_bad_reason` ("" for clean rows) and
        `_dup_of` (row position whose record_id a duplicate reuses, -1 otherwise).
    """
    out = df.copy()
    n = len(out)
    bad_reason = np.full(n, "", dtype=object)
    dup_of = np.full(n, -1, dtype=np.int64)
    legit = np.flatnonzero(out["_scheme"].to_numpy() < 0)
    n_bad = min(n_bad, len(legit) // 3)
    if n_bad > 0:
        victims = rng.choice(legit, size=n_bad, replace=False)
        reasons = rng.choice(len(BAD_ROW_REASONS), size=n_bad, p=_REASON_P / _REASON_P.sum())
        # A re-sent record copies another legitimate row of the victim's own jurisdiction (so per-country
        # counts stay exact); each original is re-sent at most once and is never itself corrupted.
        dest = out["destination_country"].to_numpy()
        others = np.setdiff1d(legit, victims)
        others = others[rng.permutation(len(others))]
        queues = {d: iter(others[dest[others] == d].tolist()) for d in sorted(set(dest[victims].tolist()))}
        sources = np.full(n_bad, -1, dtype=np.int64)
        for k in np.flatnonzero(reasons == BAD_ROW_REASONS.index("duplicate_record_id")).tolist():
            src = next(queues[dest[victims[k]]], None)
            if src is None:
                reasons[k] = 0
            else:
                sources[k] = src
        r = rng.random(n_bad)
        factor = rng.uniform(0.5, 1.6, size=n_bad)
        cols: dict[str, np.ndarray] = {c: out[c].to_numpy(copy=True) for c in out.columns}
        for k, (v, reason) in enumerate(zip(victims.tolist(), reasons.tolist(), strict=True)):
            name = BAD_ROW_REASONS[reason]
            value = str(cols["declared_value"][v])
            if name == "duplicate_record_id":
                src = int(sources[k])
                for arr in cols.values():
                    arr[v] = arr[src]
                new = round(float(cols["declared_value"][src]) * float(factor[k]) + 1.0, 2)
                cols["declared_value"][v] = f"{new:.2f}"
                dup_of[v] = src
            elif name == "negative_value":
                # "-0.00" is zero, not a negative value: negate something non-zero.
                cols["declared_value"][v] = f"-{value}" if float(value) > 0 else "-1.00"
            elif name == "non_numeric_value":
                cur = str(cols["currency"][v])
                options = (value.replace(".", ","), f"{cur} {value}", "N/A", "TBD", f"~{value}", "?")
                cols["declared_value"][v] = options[int(r[k] * len(options))]
            elif name == "unknown_currency":
                cols["currency"][v] = _BAD_CURRENCIES[int(r[k] * len(_BAD_CURRENCIES))]
            elif name == "malformed_date":
                cols["arrival_date"][v] = _malformed(str(cols["arrival_date"][v]), float(r[k]), k)
            else:
                cols["consignee_name"][v] = (None, "", " ", "-")[int(r[k] * 4)]
            bad_reason[v] = name
        for c, arr in cols.items():
            out[c] = arr
        logger.info("corrupted %d rows", n_bad)
    out["_bad_reason"] = bad_reason
    out["_dup_of"] = dup_of
    return out
