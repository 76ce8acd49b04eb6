"""End-to-end properties of generated runs: layout, schema, determinism, scheme labels, corrupted rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from splitscan.synth import INPUT_COLUMNS, SynthConfig, generate
from splitscan.synth.generator import GenerationSummary
from splitscan.synth.s10 import is_valid_s10
from splitscan.synth.sellers import APPROX_UNITS_PER_USD, FX_MARGIN

ISO_CURRENCIES = frozenset(APPROX_UNITS_PER_USD)
CONFIG = SynthConfig(
    records=8_000,
    seed=5,
    start_date=date(2025, 1, 1),
    end_date=date(2025, 6, 30),
    jurisdictions=("KR", "US"),
    jurisdiction_weights=(0.7, 0.3),
    fraud_rate=0.05,
    bad_row_rate=0.005,
)


@dataclass(frozen=True)
class Run:
    out: Path
    summary: GenerationSummary
    records: pd.DataFrame  # input rows joined with their truth, in file order
    schemes: pd.DataFrame


def _read_inputs(out: Path) -> pd.DataFrame:
    files = sorted((out / "input").glob("*/*.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    out = tmp_path_factory.mktemp("synth") / "data"
    summary = generate(CONFIG, out_dir=out)
    inputs = _read_inputs(out)
    truth = pd.read_csv(out / "truth" / "records.csv", dtype=str, keep_default_na=False)
    assert inputs["record_id"].tolist() == truth["record_id"].tolist()
    records = inputs.join(truth.drop(columns="record_id"))
    schemes = pd.read_csv(out / "truth" / "schemes.csv", dtype=str, keep_default_na=False)
    yield Run(out, summary, records, schemes)


def _usd(frame: pd.DataFrame) -> pd.Series:
    return frame["declared_value"].astype(float) / frame["currency"].map(APPROX_UNITS_PER_USD)


# ---------------------------------------------------------------------------------------------------- layout


def test_one_file_per_arrival_date_and_channel_with_contract_columns(run: Run) -> None:
    files = sorted((run.out / "input").rglob("*"))
    data_files = [f for f in files if f.is_file()]
    assert len(data_files) == run.summary.files
    for f in data_files:
        m = re.fullmatch(r"(postal|express|ecommerce)_(\d{4}-\d{2}-\d{2})\.csv", f.name)
        assert m is not None, f.name
        assert f.parent.name == m.group(2)
        with f.open(encoding="utf-8") as fh:
            assert fh.readline().rstrip("\n").split(",") == list(INPUT_COLUMNS)
    by_file = run.records.groupby("file")
    for name, g in by_file:
        channel, day = Path(str(name)).stem.split("_")
        assert set(g["channel"]) == {channel}
        clean = g[g["bad_row_reason"] != "malformed_date"]
        assert set(clean["arrival_date"]) <= {day}


def test_record_counts_and_jurisdiction_shares(run: Run) -> None:
    assert len(run.records) == CONFIG.records == run.summary.records
    counts = run.records["destination_country"].value_counts().to_dict()
    assert counts == {"KR": 5_600, "US": 2_400}
    assert run.summary.records_by_jurisdiction == {"KR": 5_600, "US": 2_400}


def test_record_ids_unique_except_labelled_duplicates(run: Run) -> None:
    dup = run.records["record_id"].duplicated(keep="first")
    labelled = run.records["bad_row_reason"] == "duplicate_record_id"
    assert dup.sum() == labelled.sum() > 0
    assert (dup == labelled).all()  # the re-sent copy is the later row of its file


def test_truth_readme_and_summary(run: Run) -> None:
    text = (run.out / "truth" / "README.md").read_text(encoding="utf-8")
    assert "records.csv" in text and "schemes.csv" in text
    report = run.summary.describe()
    assert "8,000 records" in report
    assert "nominee_ring" in report


# ---------------------------------------------------------------------------------------------------- content


def test_clean_rows_satisfy_the_contract(run: Run) -> None:
    clean = run.records[run.records["bad_row_reason"] == ""]
    assert clean["record_id"].is_unique
    assert set(clean["destination_country"]) == {"KR", "US"}
    assert set(clean["currency"]) <= ISO_CURRENCIES
    values = clean["declared_value"].astype(float)
    assert (values >= 0).all()
    assert clean["declared_value"].str.fullmatch(r"\d+\.\d{2}").all()
    dates = pd.to_datetime(clean["arrival_date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp(CONFIG.start_date)
    assert dates.max() <= pd.Timestamp(CONFIG.end_date)
    assert (clean["consignee_name"].str.strip() != "").all()
    assert (clean["consignee_address"].str.strip() != "").all()
    assert set(clean["channel"]) == {"postal", "express", "ecommerce"}


def test_postal_tracking_numbers_are_valid_s10(run: Run) -> None:
    postal = run.records[(run.records["channel"] == "postal") & (run.records["tracking_number"] != "")]
    assert len(postal) > 500
    assert postal["tracking_number"].map(is_valid_s10).all()
    known = postal[postal["shipper_country"] != ""]
    assert (known["tracking_number"].str[-2:] == known["shipper_country"]).all()  # origin post = shipper country
    others = run.records[run.records["channel"] != "postal"]
    assert not others["tracking_number"].map(is_valid_s10).any()


def test_pccc_on_most_korean_individual_records_and_never_on_us_individuals(run: Run) -> None:
    clean = run.records[run.records["bad_row_reason"] == ""]
    kr = clean[(clean["destination_country"] == "KR") & (clean["entity_class"] != "business")]
    pccc = kr["consignee_id"].str.fullmatch(r"[Pp]\d{12}")
    assert 0.85 <= pccc.mean() <= 0.95
    us = clean[(clean["destination_country"] == "US") & (clean["entity_class"] != "business")]
    assert (us["consignee_id"] == "").all()


def test_households_and_trap_classes_present(run: Run) -> None:
    classes = set(run.records["entity_class"])
    assert {"regular", "household_member", "forwarder_customer", "agent_buyer", "business"} <= classes
    hh = run.records[run.records["entity_class"] == "household_member"].groupby("household_id")["person_id"].nunique()
    assert (hh >= 2).mean() > 0.5
    mailbox = run.records[
        (run.records["entity_class"] == "forwarder_customer") & (run.records["destination_country"] == "US")
    ]
    suites = mailbox["consignee_address"].str.extract(r"(?:Ste|Suite|STE|Unit|#) ?(\d{5,6})\b")[0]
    assert suites.notna().mean() > 0.8


# ---------------------------------------------------------------------------------------------------- schemes


def test_fraud_share_matches_fraud_rate(run: Run) -> None:
    fraud = run.records["scheme_type"].isin(["simple_split", "disguised_split", "nominee_ring", "drip_import"])
    assert abs(fraud.mean() - CONFIG.fraud_rate) < 0.005
    assert run.summary.fraud_records == int(fraud.sum())
    for t in ("simple_split", "disguised_split", "nominee_ring", "drip_import", "carrier_split"):
        assert run.summary.schemes[t] > 0, t


@pytest.mark.parametrize("scheme_type", ["simple_split", "disguised_split"])
def test_split_parts_under_threshold_and_totals_over_it(run: Run, scheme_type: str) -> None:
    parts = run.records[run.records["scheme_type"] == scheme_type].copy()
    assert (parts["bad_row_reason"] == "").all()
    parts["usd"] = _usd(parts)
    parts["margin"] = parts["currency"].map(FX_MARGIN)
    meta = run.schemes.set_index("scheme_id")
    for sid, g in parts.groupby("scheme_id"):
        thr = float(meta.loc[sid, "threshold"])
        m = float(g["margin"].max())
        assert 2 <= len(g) <= 6
        assert (g["usd"] * (1 + m) < thr).all(), sid  # each part under, even at an ECB rate `m` away
        assert g["usd"].sum() > thr * (1 + m), sid  # the purchase over
        assert int(meta.loc[sid, "n_parcels"]) == len(g)
        assert len(set(g["order_date"]) - {""}) <= 1  # one purchase date
        assert len(set(g["seller_id"]) - {""}) <= 1  # one merchant
        days = pd.to_datetime(g["arrival_date"])
        assert (days.max() - days.min()).days <= 5
        assert g["person_id"].nunique() == 1


def test_simple_split_consignee_written_the_same_way(run: Run) -> None:
    parts = run.records[run.records["scheme_type"] == "simple_split"]
    same = parts.groupby("scheme_id")[["consignee_name", "consignee_address", "consignee_phone"]].nunique()
    assert (same == 1).all().all()


def test_disguised_split_consignee_written_differently_on_each_parcel(run: Run) -> None:
    parts = run.records[run.records["scheme_type"] == "disguised_split"]
    g = parts.groupby("scheme_id")
    n = g.size()
    assert (g["consignee_name"].nunique() == n).all()
    assert (g["consignee_address"].nunique() == n).all()
    assert (g["consignee_phone"].nunique() == n).all()


def test_nominee_rings(run: Run) -> None:
    rings = run.schemes[run.schemes["scheme_type"] == "nominee_ring"]
    assert len(rings) >= 2
    ids = rings["n_identities"].astype(int)
    assert ids.between(3, 30).all()
    parcels = run.records[run.records["scheme_type"] == "nominee_ring"]
    assert set(parcels["ring_role"]) <= {"organiser", "nominee"}
    assert "nominee" in set(parcels["ring_role"])
    for sid, g in parcels.groupby("scheme_id"):
        assert g["person_id"].nunique() == int(rings.set_index("scheme_id").loc[sid, "n_identities"])
        assert int(rings.set_index("scheme_id").loc[sid, "n_addresses"]) <= 4  # a few drop addresses
        thr = float(rings.set_index("scheme_id").loc[sid, "threshold"])
        assert (_usd(g) < thr).all()
        days = pd.to_datetime(g["arrival_date"])
        assert (days.max() - days.min()).days <= 60


def test_drip_imports_span_months(run: Run) -> None:
    drips = run.schemes[run.schemes["scheme_type"] == "drip_import"]
    assert len(drips) >= 1
    span = pd.to_datetime(drips["last_arrival_date"]) - pd.to_datetime(drips["first_arrival_date"])
    assert (span.dt.days >= 59).all()
    assert drips["n_parcels"].astype(int).between(6, 30).all()
    assert (drips["n_identities"] == "1").all()
    assert (drips["total_value_usd"].astype(float) > drips["threshold"].astype(float)).all()


def test_carrier_splits_are_labelled_not_fraud(run: Run) -> None:
    cs = run.schemes[run.schemes["scheme_type"] == "carrier_split"]
    assert (cs["is_fraud"] == "false").all()
    parcels = run.records[run.records["scheme_type"] == "carrier_split"]
    assert (parcels.groupby("scheme_id")["order_id"].agg(lambda s: len(set(s) - {""})) <= 1).all()


# ---------------------------------------------------------------------------------------------------- bad rows


def test_bad_rows_are_labelled_and_really_bad(run: Run) -> None:
    bad = run.records[run.records["bad_row_reason"] != ""]
    assert len(bad) == round(CONFIG.records * CONFIG.bad_row_rate) == sum(run.summary.bad_rows.values())
    assert (bad["scheme_id"] == "").all()

    def numeric(v: str) -> bool:
        try:
            float(v)
        except ValueError:
            return False
        return True

    for _i, row in bad.iterrows():
        reason = row["bad_row_reason"]
        if reason == "negative_value":
            assert float(row["declared_value"]) < 0
        elif reason == "non_numeric_value":
            assert not numeric(row["declared_value"])
        elif reason == "unknown_currency":
            assert row["currency"] not in ISO_CURRENCIES
        elif reason == "malformed_date":
            assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["arrival_date"]) or pd.isna(
                pd.to_datetime(row["arrival_date"], format="%Y-%m-%d", errors="coerce")
            )
        elif reason == "missing_consignee_name":
            assert row["consignee_name"].strip() in ("", "-")
        else:
            assert reason == "duplicate_record_id"
            same = run.records[run.records["record_id"] == row["record_id"]]
            assert len(same) == 2
            assert same["declared_value"].nunique() == 2


# ---------------------------------------------------------------------------------------------------- determinism


SMALL = SynthConfig(records=1_500, seed=3, start_date=date(2025, 2, 1), end_date=date(2025, 4, 30))


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    generate(SMALL, out_dir=tmp_path / "a")
    generate(SMALL, out_dir=tmp_path / "b")
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a == b
    generate(SynthConfig(**{**SMALL.__dict__, "seed": 4}), out_dir=tmp_path / "c")
    c = _tree(tmp_path / "c")
    common = sorted(a.keys() & c.keys())
    assert any(a[k] != c[k] for k in common)


def test_existing_output_is_not_overwritten_by_default(tmp_path: Path) -> None:
    cfg = SynthConfig(records=300, seed=1, start_date=date(2025, 3, 1), end_date=date(2025, 3, 10))
    generate(cfg, out_dir=tmp_path)
    with pytest.raises(FileExistsError, match="not empty"):
        generate(cfg, out_dir=tmp_path)
    summary = generate(cfg, out_dir=tmp_path, overwrite=True)
    assert summary.records == 300


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_other_formats_hold_the_same_columns(tmp_path: Path, fmt: str) -> None:
    cfg = SynthConfig(records=400, seed=2, start_date=date(2025, 3, 1), end_date=date(2025, 3, 7), file_format=fmt)
    summary = generate(cfg, out_dir=tmp_path)
    files = sorted((tmp_path / "input").glob(f"*/*.{fmt}"))
    assert len(files) == summary.files
    rows = 0
    for f in files:
        if fmt == "parquet":
            table = pq.read_table(f)
            assert table.column_names == list(INPUT_COLUMNS)
            rows += table.num_rows
        else:
            lines = f.read_text(encoding="utf-8").splitlines()
            assert list(json.loads(lines[0])) == list(INPUT_COLUMNS)
            rows += len(lines)
    assert rows == 400


def test_no_split_schemes_when_no_de_minimis_applies(tmp_path: Path) -> None:
    cfg = SynthConfig(
        records=600,
        seed=9,
        start_date=date(2025, 9, 1),
        end_date=date(2025, 10, 31),
        jurisdictions=("US",),
        jurisdiction_weights=(1.0,),
    )
    summary = generate(cfg, out_dir=tmp_path)
    assert summary.fraud_records == 0
    assert any("no de minimis applies" in n for n in summary.notes)
    assert summary.records == 600
    assert np.isclose(sum(summary.records_by_jurisdiction.values()), 600)
