"""Generate synthetic import records with ground truth: `generate(SynthConfig(...), out_dir=...)`.

Order of work: sellers, then the consignee population of each jurisdiction, then the injected schemes (which
reuse existing consignees as organisers, drip importers and stolen identities), then the ordinary traffic that
fills each jurisdiction up to its share of records, then rendering to text with noise, corrupted rows, and the
files. Every stage draws from its own child of one `numpy.random.SeedSequence`, so a run is a pure function of
its configuration.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from splitscan.synth.config import SynthConfig
from splitscan.synth.corrupt import BAD_ROW_REASONS, corrupt_rows
from splitscan.synth.legit import add_legit_parcels, build_population
from splitscan.synth.noise import NOISE_PROFILES
from splitscan.synth.people import Population
from splitscan.synth.plan import Context, PlanBuilder
from splitscan.synth.render import render_plan
from splitscan.synth.schemes import (
    FRAUD_SHARES,
    FRAUD_TYPES,
    MIN_DRIP_DAYS,
    SCHEME_TYPES,
    SchemeBudget,
    inject_schemes,
)
from splitscan.synth.sellers import build_sellers, departure_weights
from splitscan.synth.writer import assign_record_ids, write_outputs

__all__ = ["GenerationSummary", "generate"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationSummary:
    """What a run produced.

    Attributes:
        out_dir: output root.
        records: input rows written.
        files: input files written.
        schemes: number of schemes per scheme type.
        scheme_records: records per scheme type.
        persons: distinct identities on the records.
        households: distinct households on the records.
        bad_rows: corrupted rows per reason.
        records_by_jurisdiction: records per destination country.
        records_by_channel: records per channel.
        notes: remarks on the run (budgets that could not be spent, periods without de minimis ...).
        seconds: wall time of the run.
    """

    out_dir: Path
    records: int
    files: int
    schemes: dict[str, int]
    scheme_records: dict[str, int]
    persons: int
    households: int
    bad_rows: dict[str, int]
    records_by_jurisdiction: dict[str, int]
    records_by_channel: dict[str, int]
    notes: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def fraud_records(self) -> int:
        """Records that belong to fraud schemes."""
        return sum(self.scheme_records.get(t, 0) for t in FRAUD_TYPES)

    def describe(self) -> str:
        """A short multi-line report for the command line."""
        lines = [
            f"Wrote {self.records:,} records in {self.files:,} files to {self.out_dir} in {self.seconds:.1f} s",
            "  by jurisdiction: " + ", ".join(f"{k} {v:,}" for k, v in self.records_by_jurisdiction.items()),
            "  by channel: " + ", ".join(f"{k} {v:,}" for k, v in self.records_by_channel.items()),
            f"  consignee identities: {self.persons:,} in {self.households:,} households",
            f"  fraud records: {self.fraud_records:,} ({self.fraud_records / max(1, self.records):.2%})",
        ]
        for t in SCHEME_TYPES:
            lines.append(
                f"    {t:<16} {self.schemes.get(t, 0):>6,} schemes {self.scheme_records.get(t, 0):>8,} records"
            )
        bad = sum(self.bad_rows.values())
        lines.append(
            f"  corrupted rows: {bad:,}"
            + (f" ({', '.join(f'{k} {v}' for k, v in self.bad_rows.items() if v)})" if bad else "")
        )
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _split_counts(total: int, weights: tuple[float, ...]) -> list[int]:
    w = np.asarray(weights, dtype=np.float64)
    raw = total * w / w.sum()
    counts = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - counts), kind="stable")[: total - int(counts.sum())].tolist():
        counts[i] += 1
    return [int(c) for c in counts]


def _prepare(out_dir: Path, overwrite: bool) -> None:
    for sub in ("input", "truth"):
        path = out_dir / sub
        if path.exists() and any(path.iterdir()):
            if not overwrite:
                raise FileExistsError(f"{path} is not empty; remove it or pass overwrite=True")
            shutil.rmtree(path)
    out_dir.mkdir(parents=True, exist_ok=True)


def _budgets(cfg: SynthConfig, ctx: Context, counts: dict[str, int], notes: list[str]) -> list[SchemeBudget]:
    budgets: list[SchemeBudget] = []
    for jur, n in counts.items():
        fraud = round(n * cfg.fraud_rate)
        has_threshold = any(ctx.threshold_days(jur, c).any() for c in sorted(set(ctx.sellers.country)))
        if fraud and not has_threshold:
            notes.append(
                f"{jur}: no de minimis applies between {cfg.start_date} and {cfg.end_date}; "
                "no split, ring or drip schemes were injected (ordinary traffic only)"
            )
            fraud = 0
        records = dict(zip(FRAUD_SHARES, _split_counts(fraud, tuple(FRAUD_SHARES.values())), strict=True))
        if cfg.n_days < MIN_DRIP_DAYS and records["drip_import"]:
            notes.append(f"{jur}: date range shorter than {MIN_DRIP_DAYS} days, drip imports replaced by splits")
            records["simple_split"] += records.pop("drip_import")
        records["carrier_split"] = round(n * cfg.carrier_split_rate)
        records["brushing"] = round(n * cfg.brushing_rate)
        budgets.append(SchemeBudget(jur, records))
    return budgets


def generate(cfg: SynthConfig, out_dir: Path, *, overwrite: bool = False) -> GenerationSummary:
    """Generate synthetic import records and their ground truth.

    Args:
        cfg: what to generate.
        out_dir: output root; `input/` and `truth/` are written under it.
        overwrite: replace existing non-empty `input/` and `truth/` folders instead of failing.

    Returns:
        A summary of what was written.

    Raises:
        FileExistsError: if `out_dir/input` or `out_dir/truth` is not empty and `overwrite` is False.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    _prepare(out_dir, overwrite)
    seeds = np.random.SeedSequence(cfg.seed).spawn(8)
    rng_sellers, rng_pop, rng_schemes, rng_legit, rng_render, rng_bad, rng_layout, rng_text = (
        np.random.default_rng(s) for s in seeds
    )
    counts = dict(zip(cfg.jurisdictions, _split_counts(cfg.records, cfg.jurisdiction_weights), strict=True))
    sellers = build_sellers(rng_sellers, cfg.records, cfg.jurisdictions)
    ctx = Context.create(Population(), sellers, NOISE_PROFILES[cfg.noise], cfg.start_date, cfg.end_date)
    dep = departure_weights(cfg.jurisdictions)
    for jur in cfg.jurisdictions:
        ctx.set_seller_weights(jur, dep)
    years = cfg.n_days / 365.25
    populations = {jur: build_population(ctx, rng_pop, jur, n, years) for jur, n in counts.items() if n > 0}
    notes: list[str] = []
    plan = PlanBuilder()
    budgets = _budgets(cfg, ctx, {j: n for j, n in counts.items() if n > 0}, notes)
    used, scheme_notes = inject_schemes(ctx, rng_schemes, plan, budgets)
    notes.extend(scheme_notes)
    for jur, lp in populations.items():
        add_legit_parcels(ctx, rng_legit, plan, jur, lp, counts[jur] - used.get(jur, 0))
    logger.info("planned %d parcels (%d in schemes) in %.1f s", plan.n, sum(used.values()), time.perf_counter() - t0)

    df = render_plan(ctx, plan.build(), rng_render, seed_text=int(rng_text.integers(0, 2**63)))
    df = corrupt_rows(df, rng_bad, round(cfg.records * cfg.bad_row_rate))
    df = assign_record_ids(df, rng_layout, cfg.start_date.toordinal())
    written = write_outputs(ctx, df, out_dir, cfg.file_format)

    scheme_types = [ctx.schemes[s].scheme_type for s in df["_scheme"].tolist() if s >= 0]
    bad = Counter(r for r in df["_bad_reason"].tolist() if r)
    summary = GenerationSummary(
        out_dir=out_dir,
        records=len(df),
        files=len(written.input_files),
        schemes={t: int((written.truth_schemes["scheme_type"] == t).sum()) for t in SCHEME_TYPES},
        scheme_records={t: scheme_types.count(t) for t in SCHEME_TYPES},
        persons=int(df["_person"].nunique()),
        households=int(written.truth_records["household_id"].nunique()),
        bad_rows={r: bad.get(r, 0) for r in BAD_ROW_REASONS},
        records_by_jurisdiction=dict(sorted(Counter(df["destination_country"].tolist()).items())),
        records_by_channel=dict(sorted(Counter(df["channel"].tolist()).items())),
        notes=tuple(notes),
        seconds=time.perf_counter() - t0,
    )
    logger.info("generation finished in %.1f s", summary.seconds)
    return summary
