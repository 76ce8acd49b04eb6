"""Lay the rendered records out as input files (one per arrival date x channel) and write the ground truth.

Layout under `out_dir`:

* `input/YYYY-MM-DD/{channel}_YYYY-MM-DD.{csv|jsonl|parquet}`: input-contract columns only, in contract order.
  CSV: UTF-8, header row, RFC-4180 quoting. JSONL: one object per line, null for empty fields. Parquet: every
  column a nullable string (values are written as in the CSV, so malformed values survive).
* `truth/records.csv`: one row per input row; `truth/schemes.csv`: one row per scheme; `truth/README.md`.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from splitscan.synth.plan import Context
from splitscan.synth.render import INPUT_COLUMNS
from splitscan.synth.schemes import SCHEME_TYPES
from splitscan.synth.sellers import APPROX_UNITS_PER_USD

__all__ = ["SCHEME_COLUMNS", "TRUTH_COLUMNS", "WrittenFiles", "assign_record_ids", "write_outputs"]

logger = logging.getLogger(__name__)

TRUTH_COLUMNS: Final[tuple[str, ...]] = (
    "record_id",
    "person_id",
    "household_id",
    "entity_class",
    "scheme_id",
    "scheme_type",
    "ring_role",
    "bad_row_reason",
    "identity_source",
    "jurisdiction",
    "file",
)
SCHEME_COLUMNS: Final[tuple[str, ...]] = (
    "scheme_id",
    "scheme_type",
    "jurisdiction",
    "n_parcels",
    "n_identities",
    "total_value",
    "currency",
    "threshold",
    "threshold_currency",
    "total_value_usd",
    "first_arrival_date",
    "last_arrival_date",
    "seller_id",
    "organiser_person_id",
    "n_addresses",
    "n_phones",
    "is_fraud",
)
_CHANNEL_LETTER: Final[dict[str, str]] = {"postal": "P", "express": "E", "ecommerce": "C"}
_EXT: Final[dict[str, str]] = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}


@dataclass(frozen=True)
class WrittenFiles:
    """What `write_outputs` wrote."""

    input_files: tuple[Path, ...]
    truth_records: pd.DataFrame
    truth_schemes: pd.DataFrame


def assign_record_ids(df: pd.DataFrame, rng: np.random.Generator, start_ordinal: int) -> pd.DataFrame:
    """Order rows by file (arrival day, channel) and randomly within a file, and give each a record_id
    `{dest}{yymmdd}{P|E|C}{7-digit sequence in file}`; a duplicate reuses its source row's id.

    The random order within a file keeps record ids from leaking which rows belong to schemes.
    """
    # Files are visited in (date, channel name) order: ecommerce, express, postal.
    file_rank = np.asarray([2, 1, 0])[df["_channel"].to_numpy()]
    tiebreak = rng.random(len(df))
    dup_of = df["_dup_of"].to_numpy()
    victims = np.flatnonzero(dup_of >= 0)
    # A re-sent record comes after the original in the same file.
    tiebreak[victims] = tiebreak[dup_of[victims]] + (1.0 - tiebreak[dup_of[victims]]) * 0.5
    order = np.lexsort((tiebreak, file_rank, df["_arrival_day"].to_numpy()))
    out = df.iloc[order].reset_index(drop=False).rename(columns={"index": "_row"})
    day = out["_arrival_day"].to_numpy()
    chan = out["_channel"].to_numpy()
    key = day * 3 + np.asarray([2, 1, 0])[chan]
    start = np.ones(len(out), dtype=bool)
    start[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(start)
    seq = np.arange(len(out)) - np.repeat(starts, np.diff(np.append(starts, len(out)))) + 1
    dates = (day + start_ordinal - 719163).astype("datetime64[D]").astype(str)
    yymmdd = np.char.replace(dates, "-", "")
    ids = [
        f"{d}{y[2:]}{_CHANNEL_LETTER[c]}{s:07d}"
        for d, y, c, s in zip(
            out["destination_country"].tolist(), yymmdd.tolist(), out["channel"].tolist(), seq.tolist(), strict=True
        )
    ]
    out.insert(0, "record_id", ids)
    out["_file_date"] = dates
    dup = out["_dup_of"].to_numpy()
    if len(victims):
        pos_of_row = np.empty(len(out), dtype=np.int64)
        pos_of_row[out["_row"].to_numpy()] = np.arange(len(out))
        rid = out["record_id"].to_numpy(dtype=object)
        moved = np.flatnonzero(dup >= 0)
        rid[moved] = rid[pos_of_row[dup[moved]]]
        out["record_id"] = rid
    return out


def _write_file(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.loc[:, list(INPUT_COLUMNS)]
    if fmt == "csv":
        data.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    elif fmt == "jsonl":
        columns = list(INPUT_COLUMNS)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for row in data.itertuples(index=False, name=None):
                record = {c: (None if v is None or v == "" else v) for c, v in zip(columns, row, strict=True)}
                fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        table = pa.table({c: pa.array(data[c].tolist(), type=pa.string()) for c in INPUT_COLUMNS})
        pq.write_table(table, path, compression="snappy")


def _scheme_table(ctx: Context, df: pd.DataFrame) -> pd.DataFrame:
    members = df[df["_scheme"] >= 0]
    if members.empty:
        return pd.DataFrame(columns=list(SCHEME_COLUMNS))
    usd = members["_amount"] / members["currency"].map(APPROX_UNITS_PER_USD)
    agg = (
        members.assign(_usd=usd)
        .groupby("_scheme", sort=True)
        .agg(
            n_parcels=("_amount", "size"),
            n_identities=("_person", "nunique"),
            total=("_amount", "sum"),
            total_usd=("_usd", "sum"),
            n_currencies=("currency", "nunique"),
            currency=("currency", "first"),
            first=("_file_date", "min"),
            last=("_file_date", "max"),
            n_addresses=("_addr", "nunique"),
            n_phones=("_phone", "nunique"),
        )
    )
    col = {c: agg[c].to_numpy() for c in agg.columns}
    rows: list[dict[str, object]] = []
    for k, idx in enumerate(agg.index.to_numpy(dtype=np.int64).tolist()):
        info = ctx.schemes[idx]
        mixed = int(col["n_currencies"][k]) > 1
        total_usd = float(col["total_usd"][k])
        rows.append(
            {
                "scheme_id": info.scheme_id,
                "scheme_type": info.scheme_type,
                "jurisdiction": info.jurisdiction,
                "n_parcels": int(col["n_parcels"][k]),
                "n_identities": int(col["n_identities"][k]),
                "total_value": f"{(total_usd if mixed else float(col['total'][k])):.2f}",
                "currency": "USD" if mixed else str(col["currency"][k]),
                "threshold": "" if info.threshold_usd is None else f"{info.threshold_usd:.2f}",
                "threshold_currency": "" if info.threshold_usd is None else "USD",
                "total_value_usd": f"{total_usd:.2f}",
                "first_arrival_date": str(col["first"][k]),
                "last_arrival_date": str(col["last"][k]),
                "seller_id": ";".join(info.seller_ids),
                "organiser_person_id": f"P{info.organiser:07d}" if info.organiser >= 0 else "",
                "n_addresses": int(col["n_addresses"][k]),
                "n_phones": int(col["n_phones"][k]),
                "is_fraud": "false" if info.scheme_type in ("carrier_split", "brushing") else "true",
            }
        )
    return pd.DataFrame(rows, columns=list(SCHEME_COLUMNS))


def write_outputs(ctx: Context, df: pd.DataFrame, out_dir: Path, fmt: str) -> WrittenFiles:
    """Write input files and truth tables for an id-assigned frame (see `assign_record_ids`).

    Args:
        ctx: generation context (population for person/household ids, scheme ground truth).
        df: rendered, corrupted and id-assigned records.
        out_dir: output root.
        fmt: "csv" | "jsonl" | "parquet".
    """
    pop = ctx.pop
    ext = _EXT[fmt]
    files: list[Path] = []
    for (day, chan), g in df.groupby(["_file_date", "channel"], sort=True):
        path = out_dir / "input" / str(day) / f"{chan}_{day}.{ext}"
        _write_file(g, path, fmt)
        files.append(path)
    rel = [f"input/{d}/{c}_{d}.{ext}" for d, c in zip(df["_file_date"].tolist(), df["channel"].tolist(), strict=True)]
    person = df["_person"].to_numpy()
    scheme = df["_scheme"].to_numpy()
    schemes = ctx.schemes
    truth = pd.DataFrame(
        {
            "record_id": df["record_id"].to_numpy(),
            "person_id": [f"P{p:07d}" for p in person.tolist()],
            "household_id": [f"H{pop.p_household[p]:07d}" for p in person.tolist()],
            "entity_class": [pop.p_class[p] for p in person.tolist()],
            "scheme_id": [schemes[s].scheme_id if s >= 0 else "" for s in scheme.tolist()],
            "scheme_type": [schemes[s].scheme_type if s >= 0 else "" for s in scheme.tolist()],
            "ring_role": df["_role"].to_numpy(),
            "bad_row_reason": df["_bad_reason"].to_numpy(),
            "identity_source": df["_id_source"].to_numpy(),
            "jurisdiction": df["destination_country"].to_numpy(),
            "file": rel,
        }
    )
    truth_dir = out_dir / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    truth.to_csv(truth_dir / "records.csv", index=False, lineterminator="\n")
    scheme_df = _scheme_table(ctx, df)
    scheme_df.to_csv(truth_dir / "schemes.csv", index=False, lineterminator="\n")
    counts = Counter(scheme_df["scheme_type"].tolist())
    (truth_dir / "README.md").write_text(_readme(fmt, len(df), len(files), counts), encoding="utf-8")
    logger.info("wrote %d input files and truth for %d records under %s", len(files), len(df), out_dir)
    return WrittenFiles(tuple(files), truth, scheme_df)


def _readme(fmt: str, n_records: int, n_files: int, counts: Counter[str]) -> str:
    lines = [
        "# Ground truth of a splitscan synthetic run",
        "",
        f"{n_records} input rows in {n_files} `{fmt}` files under `input/` (one file per arrival date x channel).",
        "Generated by `splitscan.synth`; the same configuration and seed reproduce these files byte for byte.",
        "",
        "## records.csv",
        "",
        "One row per input row, in file order. `record_id` is unique except for rows whose `bad_row_reason` is",
        "`duplicate_record_id`: a re-sent record with another value, written after its original in the same",
        "file (the raw contract keeps the later copy; identity and scheme labels of both rows are the same).",
        "",
        "* `person_id`: the identity written on the parcel (for nominee rings: the nominee, not the organiser).",
        "* `household_id`: people sharing a home; `entity_class`: regular | household_member | forwarder_customer |",
        "  agent_buyer | business (false-positive traps are classes, not suspects).",
        "* `scheme_id`, `scheme_type`: empty for ordinary traffic; fraud types simple_split, disguised_split,",
        "  nominee_ring, drip_import; not fraud: carrier_split (aggregate, not fraud) and brushing.",
        "* `ring_role`: organiser | nominee for nominee rings; `identity_source`: own | relative | friend |",
        "  stolen_pccc (KR) | stolen_identity (US).",
        "* `bad_row_reason`: negative_value | non_numeric_value | unknown_currency | malformed_date |",
        "  missing_consignee_name | duplicate_record_id, empty for clean rows (only ordinary rows are corrupted).",
        "",
        "## schemes.csv",
        "",
        "One row per scheme: parcels, distinct identities, addresses and phones, total declared value in the",
        "declared currency and in USD (at the generator's approximate rates), the de minimis threshold in USD the",
        "scheme was designed against (empty if none applied), arrival date range, seller id(s) and organiser.",
        "Every split part is under the threshold and every split total over it, with a per-currency margin so the",
        "statement holds at any ECB rate of 2023-2026.",
        "",
        "Schemes by type: " + ", ".join(f"{t} {counts.get(t, 0)}" for t in SCHEME_TYPES),
        "",
    ]
    return "\n".join(lines)
