"""Split detection quality and speed on generated records, against the generator's ground truth.

Per scheme type:
* recall: a scheme is found when one finding holds at least half of its parcels and at least half of that
  finding's parcels belong to it;
* precision@K, K = number of true schemes of the type: findings ranked by score; a finding is correct when at
  least half of its parcels belong to one scheme of the type. Findings mostly made of *another* fraud type's
  parcels are left out of that type's ranking (they are neither right nor wrong for it); everything else
  (legitimate traffic, carrier splits, brushing) competes. `overall` ranks every finding against all fraud.

Entities, each reported separately: `resolved` (splitscan's `resolve_records` on the ingested records),
`truth_person` (the generator's person id: detection quality without resolution errors), and the naive
`baseline` (exact raw name + address as the entity, same arrival day only, ranked by total / threshold).
Wall time and records/s cover `detect_splits` until its findings are materialised (resolution excluded).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from _common import machine, measure, write_result
from splitscan.config import Config, SparkSettings
from splitscan.detect import load_rules, rules_frame
from splitscan.ingest.fx import read_fx_rates
from splitscan.pipelines import ingest
from splitscan.pipelines.detect import detect_splits
from splitscan.pipelines.resolve import resolve_records
from splitscan.resolve.profiles import PROFILE_COLUMNS
from splitscan.session import build_session
from splitscan.storage import read_table
from splitscan.synth import SynthConfig, generate

WORK = Path(__file__).resolve().parents[1] / "build" / "bench" / "detect"
FRAUD = ("simple_split", "disguised_split", "nominee_ring", "drip_import")
BASELINE_RULES = ("KR-SAME-ARRIVAL", "US-PERSON-DAY")
RESOLVE_LIMIT = 200_000
SEED = 23


def evaluate(findings: pd.DataFrame, truth: pd.DataFrame, schemes: pd.DataFrame) -> dict[str, Any]:
    """Recall and precision@K per scheme type.

    Args:
        findings: `finding_id, score, record_id` (one row per part).
        truth: `record_id, scheme_id, scheme_type` (empty scheme_id for records in no scheme).
        schemes: `scheme_id, scheme_type, n_parcels`.
    """
    parts = findings.merge(truth[["record_id", "scheme_id"]], on="record_id", how="left").fillna({"scheme_id": ""})
    size = parts.groupby("finding_id").size().rename("f_size")
    overlap = parts[parts["scheme_id"] != ""].groupby(["finding_id", "scheme_id"]).size().rename("overlap")
    pairs = overlap.reset_index().merge(size.reset_index(), on="finding_id")
    pairs = pairs.merge(schemes[["scheme_id", "scheme_type", "n_parcels"]], on="scheme_id")
    pairs["owns"] = pairs["overlap"] * 2 >= pairs["f_size"]
    pairs["match"] = pairs["owns"] & (pairs["overlap"] * 2 >= pairs["n_parcels"])
    found = set(pairs.loc[pairs["match"], "scheme_id"])
    owner = pairs[pairs["owns"]].sort_values("overlap", ascending=False).drop_duplicates("finding_id")
    ranked = (
        findings[["finding_id", "score"]]
        .drop_duplicates("finding_id")
        .merge(owner[["finding_id", "scheme_id", "scheme_type"]], on="finding_id", how="left")
        .sort_values(["score", "finding_id"], ascending=[False, True])
    )
    out: dict[str, Any] = {"findings": len(ranked)}
    for kind in (*FRAUD, "carrier_split", "brushing"):
        ids = set(schemes.loc[schemes["scheme_type"] == kind, "scheme_id"])
        k = len(ids)
        entry: dict[str, Any] = {"schemes": k, "recall": round(len(ids & found) / k, 4) if k else None}
        if kind in FRAUD and k:
            others = ranked["scheme_type"].isin([t for t in FRAUD if t != kind])
            top = ranked[~others].head(k)
            entry["precision_at_k"] = round(float((top["scheme_type"] == kind).mean()), 4) if len(top) else None
        out[kind] = entry
    n_fraud = int(schemes["scheme_type"].isin(FRAUD).sum())
    top = ranked.head(n_fraud)
    out["overall"] = {
        "schemes": n_fraud,
        "precision_at_k": round(float(top["scheme_type"].isin(FRAUD).mean()), 4) if len(top) else None,
    }
    return out


def _collect(findings: DataFrame, score: str = "score") -> pd.DataFrame:
    # Bounded by the benchmark's size: findings are a small fraction of the records.
    return findings.select(
        "finding_id", F.col(score).alias("score"), F.explode("record_ids").alias("record_id")
    ).toPandas()


def _detect(records: DataFrame, entities: DataFrame, rules: DataFrame, rates: DataFrame) -> tuple[DataFrame, float]:
    with measure() as m:
        found = detect_splits(records, entities, rules, rates=rates).persist()
        found.count()
    return found, m.seconds


def _session(records: int = 0) -> SparkSession:
    """4 GiB and 8 shuffle partitions up to 200k records; above, 10 GiB and 32 (4 GiB ran out of heap at 1M);
    above 2M, 12 GiB and 64 (partitions of the 1M size)."""
    memory, partitions = ("4g", 8) if records <= 200_000 else ("10g", 32) if records <= 2_000_000 else ("12g", 64)
    return build_session(SparkSettings(app_name="bench-detect", driver_memory=memory, shuffle_partitions=partitions))


def prepare(records: int, noise: str = "default", seed: int = SEED) -> Path:
    """Generate and ingest the benchmark's records once (seed 23 unless told); a later run reuses them (`.ready`
    marker). Another seed checks that a change measured on seed 23 is not fitted to that sample."""
    out = WORK / (f"data-{records}-{noise}" if seed == SEED else f"data-{records}-{noise}-seed{seed}")
    if (out / ".ready").exists():
        return out
    shutil.rmtree(out, ignore_errors=True)
    generate(SynthConfig(records=records, seed=seed, noise=noise, bad_row_rate=0.0), out_dir=out)
    spark = _session(records)
    ingest.run(
        spark, Config(warehouse=str(out / "warehouse")), input_path=str(out / "input"), run_date=dt.date(2026, 11, 30)
    )
    (out / ".ready").write_text("generated and ingested\n", encoding="utf-8")
    return out


def run(
    records: int, noise: str = "default", *, resolve: bool | None = None, seed: int = SEED, baseline: bool = True
) -> dict[str, Any]:
    """Generate and ingest (once), detect with each entity source, evaluate; returns (and writes) the figures
    (`detect-{records}-{noise}`, with `-seed{seed}` for another seed)."""
    with measure() as m:
        out = prepare(records, noise, seed)
    print(f"prepare (generate and ingest, or reuse): {m.seconds:.1f} s", flush=True)
    name = f"detect-{records}-{noise}" if seed == SEED else f"detect-{records}-{noise}-seed{seed}"
    spark = _session(records)
    config = Config(warehouse=str(out / "warehouse"))
    recs = read_table(spark, config.table_path("silver", "import_records")).persist()
    n_records = recs.count()
    truth = pd.read_csv(out / "truth" / "records.csv", dtype=str, keep_default_na=False)
    schemes = pd.read_csv(out / "truth" / "schemes.csv", dtype={"scheme_id": str, "scheme_type": str})
    all_rules = load_rules()
    rules = rules_frame(spark, all_rules)
    rates = read_fx_rates(spark)
    payload: dict[str, Any] = {"records": n_records, "noise": noise, "seed": seed, "machine": machine()}

    truth_entities = (  # read by Spark: a driver-built frame of 5M rows would be slow and heavy
        spark.read.csv(str(out / "truth" / "records.csv"), header=True)
        .select("record_id", F.col("person_id").alias("entity_id"))
        .persist()
    )
    truth_entities.count()
    found, seconds = _detect(recs, truth_entities, rules, rates)
    print(f"detect with truth entities: {seconds:.1f} s", flush=True)
    found.write.mode("overwrite").parquet(str(out / "findings-truth_person"))  # every column, for error analysis
    collected = _collect(found)
    payload["truth_person"] = {
        "seconds": round(seconds, 1),
        "records_per_s": round(n_records / seconds),
        **evaluate(collected, truth, schemes),
    }
    found.unpersist()
    write_result(name, payload)  # partial: kept if a later stage fails

    if baseline:
        naive_entities = recs.select(
            "record_id", F.sha2(F.concat_ws("|", "consignee_name", "consignee_address"), 256).alias("entity_id")
        )
        naive_rules = rules_frame(spark, [r for r in all_rules if r.id in BASELINE_RULES])
        found, seconds = _detect(recs, naive_entities, naive_rules, rates)
        ratio = (F.col("total_value") / F.col("threshold")).cast("double")
        payload["baseline"] = {
            "seconds": round(seconds, 1),
            **evaluate(_collect(found.withColumn("ratio", ratio), "ratio"), truth, schemes),
        }
        found.unpersist()
    else:
        payload["baseline"] = "not run (--no-baseline)"
    write_result(name, payload)

    if resolve if resolve is not None else n_records <= RESOLVE_LIMIT:
        with measure() as m:
            entities = (
                resolve_records(recs.select("record_id", *PROFILE_COLUMNS))
                .entities.select("record_id", "entity_id")
                .persist()
            )
            entities.count()
        print(f"resolve: {m.seconds:.1f} s", flush=True)
        entities.write.mode("overwrite").parquet(str(out / "entities-resolved"))  # for error analysis
        found, seconds = _detect(recs, entities, rules, rates)
        found.write.mode("overwrite").parquet(str(out / "findings-resolved"))
        payload["resolved"] = {
            "resolve_seconds": round(m.seconds, 1),
            "seconds": round(seconds, 1),
            "records_per_s": round(n_records / seconds),
            **evaluate(_collect(found), truth, schemes),
        }
    else:
        payload["resolved"] = "not run (resolve=False, or more than 200k records: resolution time); see truth_person"
    spark.stop()
    write_result(name, payload)
    return payload


def main() -> None:
    """`python benchmarks/bench_detect.py 100000 [--noise high] [--seed 7] [--resolve] [--no-baseline]`: one
    detect benchmark (truth-person entities and the naive baseline; splitscan's own resolution only with
    --resolve), printed."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("records", type=int)
    parser.add_argument("--noise", choices=["low", "default", "high"], default="default")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--resolve", action="store_true", help="also detect on resolve_records' entities (slow)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline (its time at 5M)")
    args = parser.parse_args()
    payload = run(args.records, args.noise, resolve=args.resolve, seed=args.seed, baseline=not args.no_baseline)
    print(json.dumps(payload, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
