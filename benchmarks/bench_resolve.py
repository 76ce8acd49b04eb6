"""Resolution quality and speed on generated records, against the generator's ground truth.

Pairwise precision, recall and F1 of record -> entity, overall and without nominee-ring records (whose identity is
disputed by design), plus wall time and records/s of `resolve_records`. Not yet here (issue 3): Splink 5 with
DuckDB and the exact-key baseline in the same run, 1M/5M scaling, the high-noise setting.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from _common import machine, measure, write_result
from splitscan.config import Config, SparkSettings
from splitscan.pipelines import ingest
from splitscan.pipelines.resolve import resolve_records
from splitscan.session import build_session
from splitscan.storage import read_table
from splitscan.synth import SynthConfig, generate

WORK = Path(__file__).resolve().parents[1] / "build" / "bench" / "resolve"


def _pair_scores(frame: pd.DataFrame, predicted: str, true: str) -> dict[str, float]:
    def pairs(col: str) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for _, group in frame.groupby(col):
            ids = sorted(group["record_id"])
            out.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
        return out

    p, t = pairs(predicted), pairs(true)
    tp = len(p & t)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(t) if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "true_pairs": len(t)}


def run(records: int, noise: str = "default") -> dict[str, Any]:
    out = WORK / f"data-{records}-{noise}"
    shutil.rmtree(out, ignore_errors=True)
    generate(SynthConfig(records=records, seed=17, noise=noise, bad_row_rate=0.0), out_dir=out)
    spark = build_session(SparkSettings(app_name="bench-resolve", driver_memory="4g", shuffle_partitions=8))
    config = Config(warehouse=str(out / "warehouse"))
    ingest.run(spark, config, input_path=str(out / "input"), run_date=dt.date(2026, 11, 30))
    recs = read_table(spark, config.table_path("silver", "import_records")).select(
        "record_id", "name_std", "address_std", "postcode_std", "phone_std", "consignee_id_std", "email_std"
    )
    with measure() as m:
        result = resolve_records(recs)
        # Bounded by the benchmark's size: the evaluation needs every record's entity on the driver.
        entities = result.entities.select("record_id", "entity_id").toPandas()
    truth = pd.read_csv(out / "truth" / "records.csv", dtype=str, keep_default_na=False)
    joined = entities.merge(truth[["record_id", "person_id", "scheme_type"]], on="record_id")
    not_ring = joined[joined["scheme_type"] != "nominee_ring"]
    payload = {
        "records": records,
        "noise": noise,
        "machine": machine(),
        "seconds": round(m.seconds, 1),
        "records_per_s": round(records / m.seconds),
        "peak_pss_mib": round(m.peak_rss_mib),
        "entities": int(entities["entity_id"].nunique()),
        "persons": int(truth["person_id"].nunique()),
        "all_records": _pair_scores(joined, "entity_id", "person_id"),
        "without_ring_records": _pair_scores(not_ring, "entity_id", "person_id"),
    }
    spark.stop()
    write_result(f"resolve-{records}-{noise}", payload)
    return payload
