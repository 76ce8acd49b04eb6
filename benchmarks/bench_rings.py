"""Ring detection quality and speed on generated records, against the generator's ground truth.

Steps (each reused when its output is already on disk, so a re-run measures the ring stage alone):
1. records: generated and ingested here (seed 17, no bad rows) or taken from the resolve benchmark's prepared
   data for the same size and noise (same generator, seed and ingest), whichever is complete; failing both, the
   detect benchmark's when ready (seed 23: how 1M is measured);
2. entities and hubs: splitscan's `resolve_records` on the ingested records (timed as `resolve_seconds`), cached
   with the data folder they were computed on (`source.txt`) and computed again for other data;
3. rings: `find_rings` with the reference threshold table, findings written to Parquet (timed as `seconds`).

Quality, per the issue: a true nominee ring is *found* when one finding holds at least half of the ring's parcels
and at least half of that finding's parcels belong to the ring. Recall over true rings; precision at K (K = true
rings) over findings ranked by score; false findings (matching no true ring) per 100k records, by the dominant
entity class of their records (forwarder customers, agent buyers, household members, regular people, ...); and
findings made only of forwarder customers, or (with no ring parcel) only of residents of several units of one
building (apartment neighbours).

Usage: python benchmarks/run.py --only rings [--records N]
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any, Final

import pandas as pd
from pyspark.sql import functions as F

from _common import machine, measure, write_result
from splitscan.config import Config, SparkSettings
from splitscan.detect import load_rules, rules_frame
from splitscan.pipelines import ingest
from splitscan.pipelines.resolve import resolve_records
from splitscan.pipelines.rings import RECORD_COLUMNS, RingSettings, find_rings
from splitscan.resolve.blocking import find_hubs
from splitscan.resolve.features import with_features
from splitscan.rings.thresholds import thresholds_from_rules
from splitscan.session import build_session
from splitscan.storage import read_table
from splitscan.synth import SynthConfig, generate

ROOT: Final = Path(__file__).resolve().parents[1]
WORK: Final = ROOT / "build" / "bench" / "rings"
RESOLVE_WORK: Final = ROOT / "build" / "bench" / "resolve"
DETECT_WORK: Final = ROOT / "build" / "bench" / "detect"
RESOLVE_LIMIT: Final = 200_000
SEED: Final = 17
RUN_DATE: Final = dt.date(2026, 11, 30)
SPARK: Final = SparkSettings(app_name="bench-rings", driver_memory="4g", shuffle_partitions=8)


def spark_settings(records: int) -> SparkSettings:
    """`SPARK` up to 2M records (1M ran in it); above, 12 GiB and 64 shuffle partitions (partitions of the 1M
    size), as the detect benchmark at 5M."""
    if records <= 2_000_000:
        return SPARK
    return SparkSettings(app_name="bench-rings", driver_memory="12g", shuffle_partitions=64)


IDENTITY: Final = ("record_id", "name_std", "address_std", "postcode_std", "phone_std", "consignee_id_std", "email_std")


def _records_dir(records: int, noise: str) -> Path:
    """Ingested data: seed 17 (this benchmark's or the resolve benchmark's) if complete, else the detect
    benchmark's (seed 23) if ready, else seed 17 generated and ingested here."""
    own = WORK / f"data-{records}-{noise}"
    if (own / ".complete").exists():
        return own
    shared = RESOLVE_WORK / f"data-{records}-{noise}"
    if (shared / ".complete").exists():
        return shared
    if (DETECT_WORK / f"data-{records}-{noise}" / ".ready").exists():
        return DETECT_WORK / f"data-{records}-{noise}"
    shutil.rmtree(own, ignore_errors=True)
    generate(SynthConfig(records=records, seed=SEED, noise=noise, bad_row_rate=0.0), out_dir=own)
    spark = build_session(spark_settings(records))
    try:
        ingest.run(spark, Config(warehouse=str(own / "warehouse")), input_path=str(own / "input"), run_date=RUN_DATE)
    finally:
        spark.stop()
    (own / ".complete").write_text("{}\n")
    return own


def _matches(finding: set[str], ring: set[str]) -> bool:
    common = len(finding & ring)
    return common * 2 >= len(ring) and common * 2 >= len(finding)


def _evaluate(findings: pd.DataFrame, truth: pd.DataFrame, buildings: pd.DataFrame, n_records: int) -> dict[str, Any]:
    rings = {sid: set(g["record_id"]) for sid, g in truth[truth["scheme_type"] == "nominee_ring"].groupby("scheme_id")}
    ranked = findings.sort_values(["score", "ring_id"], ascending=[False, True])
    sets = [set(ids) for ids in ranked["record_ids"]]
    # Each finding can only match a ring it shares a record with: index records by ring to avoid a full product.
    ring_of = {r: sid for sid, ids in rings.items() for r in ids}
    matched_ring: list[str | None] = []
    for s in sets:
        candidates = {ring_of[r] for r in s if r in ring_of}
        hit = next((sid for sid in sorted(candidates) if _matches(s, rings[sid])), None)
        matched_ring.append(hit)
    found = {sid for sid in matched_ring if sid is not None}
    k = len(rings)
    top = matched_ring[:k]
    cls = truth.set_index("record_id")["entity_class"]
    building = buildings.set_index("record_id")["building_key"]
    household = truth.set_index("record_id")["household_id"]
    scheme = truth.set_index("record_id")["scheme_type"]
    false_by_class: Counter[str] = Counter()
    forwarder_only = apartment_only = 0
    for s, hit in zip(sets, matched_ring, strict=True):
        if hit is not None:
            continue
        classes = Counter(cls.get(r, "unknown") for r in s)
        false_by_class[classes.most_common(1)[0][0]] += 1
        forwarder_only += int(set(classes) == {"forwarder_customer"})
        # Apartment neighbours: no ring parcel, one building, several households (the generator's household ids).
        # Not several unit keys: one person's parcels with the unit left out or mistyped read as several units, and
        # such a finding is one household's (counted above by its class), not neighbours'.
        keys, homes = {building.get(r) for r in s}, {household.get(r) for r in s}
        no_ring = not any(scheme.get(r) == "nominee_ring" for r in s)
        apartment_only += int(no_ring and len(keys) == 1 and None not in keys and len(homes) > 1)
    per_100k = 100_000 / n_records
    sizes = [len(v) for v in rings.values()]
    return {
        "true_rings": k,
        "true_ring_parcels_median": float(pd.Series(sizes).median()) if sizes else 0.0,
        "findings": len(sets),
        "ring_recall": round(len(found) / k, 4) if k else 1.0,
        "precision_at_k": round(sum(h is not None for h in top) / len(top), 4) if top else 1.0,
        "missed_ring_sizes_parcels": sorted(len(rings[s]) for s in set(rings) - found),
        "false_findings": int(sum(false_by_class.values())),
        "false_findings_per_100k_records": round(sum(false_by_class.values()) * per_100k, 2),
        "false_findings_per_100k_by_class": {c: round(n * per_100k, 2) for c, n in sorted(false_by_class.items())},
        "findings_only_forwarder_customers": forwarder_only,
        "findings_only_one_building": apartment_only,
    }


def run(
    records: int,
    noise: str = "default",
    *,
    resolve: bool | None = None,
    settings: RingSettings | None = None,
    tag: str = "",
    data: Path | None = None,
) -> dict[str, Any]:
    """Rings on `records` generated records; entities resolved by splitscan up to 200k records, else truth.

    `settings` other than the defaults (an experiment) need a `tag`: the figures go to `rings-N-noise-TAG` and the
    findings to their own folder, so the committed results and the trace of the defaults stay as they were. `data`
    names the ingested data to use (e.g. the detect benchmark's seed-23 data when seed-17 data of that size exists
    too); None picks as `_records_dir` does.

    Above `RESOLVE_LIMIT` resolution would dominate the run (hours on this machine), so the generator's person id
    stands in for the entity and hubs are classified by resolution's `find_hubs` on the parsed keys: the ring
    stage is timed alone.
    """
    resolve = records <= RESOLVE_LIMIT if resolve is None else resolve
    data = data or _records_dir(records, noise)
    if settings is not None and not tag:
        raise ValueError("settings other than the defaults need a tag (their own results file)")
    out = WORK / (f"run-{records}-{noise}" + ("" if resolve else "-truth"))
    out.mkdir(parents=True, exist_ok=True)
    findings_dir = out / (f"findings-{tag}.parquet" if tag else "findings.parquet")
    spark = build_session(spark_settings(records))
    payload: dict[str, Any] = {"records": records, "noise": noise, "machine": machine(), "data": str(data)}
    payload["entities"] = "resolved" if resolve else "truth_person (generator's person id; resolution not run)"
    try:
        config = Config(warehouse=str(data / "warehouse"))
        imports = read_table(spark, config.table_path("silver", "import_records"))
        # Entities and hubs are cached per size and noise: computed on other data (another seed), they are stale.
        source = out / "source.txt"
        if not source.exists() or source.read_text().strip() != str(data):
            shutil.rmtree(out / "hubs.parquet", ignore_errors=True)
        if not (out / "hubs.parquet" / "_SUCCESS").exists():
            with measure() as res:
                if resolve:
                    resolved = resolve_records(imports.select(*IDENTITY))
                    entities, hubs = resolved.entities, resolved.hubs
                else:
                    truth_csv = spark.read.option("header", True).csv(str(data / "truth" / "records.csv"))
                    entities = truth_csv.select("record_id", F.concat(F.lit("P"), "person_id").alias("entity_id"))
                    hubs = find_hubs(with_features(imports.select(*IDENTITY)))
                entities.select("record_id", "entity_id").write.mode("overwrite").parquet(str(out / "entities.parquet"))
                hubs.select("attribute", "value", "hub_class").write.mode("overwrite").parquet(
                    str(out / "hubs.parquet")
                )
            source.write_text(f"{data}\n")
            payload["resolve_seconds" if resolve else "hubs_seconds"] = round(res.seconds, 1)
        entities = spark.read.parquet(str(out / "entities.parquet"))
        hubs = spark.read.parquet(str(out / "hubs.parquet"))
        settings = settings or RingSettings()
        with measure() as m:
            result = find_rings(
                imports.select(*RECORD_COLUMNS),
                entities,
                hubs,
                thresholds_from_rules(rules_frame(spark, load_rules())),
                settings=settings,
            )
            result.findings.write.mode("overwrite").parquet(str(findings_dir))
        largest = result.largest_group()
        splits = {r["split"]: int(r["count"]) for r in result.groups.groupBy("split").count().collect()}
        findings = pd.read_parquet(findings_dir, columns=["ring_id", "score", "record_ids"])
        # Building keys of the findings' records only (bounded by the findings), to spot apartment-only rings.
        in_findings = spark.read.parquet(str(findings_dir)).select(F.explode("record_ids").alias("record_id"))
        buildings = (
            with_features(imports.select(*IDENTITY).join(in_findings, "record_id", "left_semi"))
            .select("record_id", "building_key")
            .toPandas()
        )
        payload |= {
            "seconds": round(m.seconds, 1),
            "records_per_s": round(records / m.seconds),
            "peak_pss_mib": round(m.peak_rss_mib),
            "largest_networkx_group": largest,
            "max_group_size_cap": settings.max_group_size,
            "settings": asdict(settings),
            "entities_in_groups_by_split_step": splits,
        }
    finally:
        spark.stop()
    truth = pd.read_csv(data / "truth" / "records.csv", dtype=str, keep_default_na=False)
    payload |= _evaluate(findings, truth, buildings, records)
    payload["floors"] = {
        "ring_recall>=0.90": payload["ring_recall"] >= 0.90,
        "precision_at_k>=0.85": payload["precision_at_k"] >= 0.85,
        "no_forwarder_or_apartment_only_finding": payload["findings_only_forwarder_customers"] == 0
        and payload["findings_only_one_building"] == 0,
    }
    write_result(f"rings-{records}-{noise}" + (f"-{tag}" if tag else ""), payload)
    (out / (f"result-{tag}.json" if tag else "result.json")).write_text(
        json.dumps(payload, indent=2, default=str) + "\n"
    )
    return payload
