"""Case list quality on generated records, against the generator's ground truth, with a simulated reviewer.

Steps:
1. records generated here (seed 29, no bad rows); the stages of `splitscan run` before cases (ingest, resolve,
   detect over the whole history, rings) for run date 2025-07-01 (timed together as `stages_seconds`), then the
   cases stage (timed as `cases_seconds`), then the cases stage again for the same date (`rerun_seconds`;
   `rerun_same_ranking` says whether it gave the same ranked ids).
2. quality: a true scheme (any fraud scheme type of the generator) is *found* by a case (or finding) that holds at
   least half of the scheme's parcels, at least half of whose parcels belong to the scheme (the matching rule of the
   detect and rings benchmarks). K = number of true schemes. Precision at K over the raised cases by rank, recall at
   K (schemes found in the top K over all schemes) and recall over the whole list; the same for the split findings
   alone (ranked by score) and the ring findings alone (ranked by score).
3. feedback: a simulated reviewer confirms the true and dismisses the false cases among the top K that have no
   verdict yet, then the cases stage runs again; three runs. Per run: precision and recall at K, the scorer, and
   precision at K by verdicts as `gold/case_runs` reports it.

Usage: python benchmarks/run.py --only cases [--records N]
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from _common import machine, measure, write_result
from splitscan.cases.review import ReviewRequest
from splitscan.config import Config, SparkSettings
from splitscan.pipelines import cases, detect, ingest, resolve, review
from splitscan.pipelines import rings as ring_stage
from splitscan.session import build_session
from splitscan.storage import read_table
from splitscan.synth import SynthConfig, generate

ROOT: Final = Path(__file__).resolve().parents[1]
WORK: Final = ROOT / "build" / "bench" / "cases"
SEED: Final = 29
RUN_DATE: Final = dt.date(2025, 7, 1)
FRAUD: Final = ("simple_split", "disguised_split", "nominee_ring", "drip_import")
SPARK: Final = SparkSettings(app_name="bench-cases", driver_memory="4g", shuffle_partitions=8)
RUNS: Final = 3


def _data(records: int) -> Path:
    data = WORK / f"data-{records}"
    if not (data / ".complete").exists():
        shutil.rmtree(data, ignore_errors=True)
        generate(SynthConfig(records=records, seed=SEED, bad_row_rate=0.0), out_dir=data)
        (data / ".complete").write_text("{}\n")
    return data


def _schemes(truth: pd.DataFrame) -> dict[str, set[str]]:
    fraud = truth[truth["scheme_type"].isin(FRAUD)]
    return {sid: set(g["record_id"]) for sid, g in fraud.groupby("scheme_id")}


def _matches(ranked: Sequence[set[str]], schemes: dict[str, set[str]]) -> list[str | None]:
    """The scheme each ranked item finds (None when it finds none)."""
    scheme_of = {r: sid for sid, ids in schemes.items() for r in ids}
    found: list[str | None] = []
    for items in ranked:
        candidates = sorted({scheme_of[r] for r in items if r in scheme_of})
        hit = next(
            (
                sid
                for sid in candidates
                if len(items & schemes[sid]) * 2 >= len(schemes[sid]) and len(items & schemes[sid]) * 2 >= len(items)
            ),
            None,
        )
        found.append(hit)
    return found


def _quality(ranked: Sequence[set[str]], schemes: dict[str, set[str]]) -> dict[str, Any]:
    k = len(schemes)
    hits = _matches(ranked, schemes)
    top = hits[:k]
    return {
        "listed": len(ranked),
        "precision_at_k": round(sum(h is not None for h in top) / len(top), 4) if top else None,
        "recall_at_k": round(len({h for h in top if h}) / k, 4) if k else None,
        "recall": round(len({h for h in hits if h}) / k, 4) if k else None,
    }


def _ranked_cases(spark: SparkSession, config: Config) -> list[tuple[str, set[str], str]]:
    rows = (
        read_table(spark, config.table_path("gold", "cases"))
        .where(F.col("raised"))
        .orderBy("rank")
        .select("case_id", "record_ids", "status")
        .collect()
    )
    return [(r["case_id"], set(r["record_ids"]), r["status"]) for r in rows]


def _ranked_findings(spark: SparkSession, config: Config) -> tuple[list[set[str]], list[set[str]]]:
    splits = (
        read_table(spark, config.table_path("gold", "split_findings"))
        .where(F.col("window_end") <= F.lit(RUN_DATE))
        .orderBy(F.col("score").desc(), F.col("duty_at_stake_usd").desc(), "finding_id")
        .select("record_ids")
        .collect()
    )
    rings = read_table(spark, config.table_path("gold", "ring_findings"))
    rings = rings.where(F.col("run_date") == F.lit(RUN_DATE)).orderBy(F.col("score").desc(), "ring_id")
    return [set(r["record_ids"]) for r in splits], [set(r["record_ids"]) for r in rings.select("record_ids").collect()]


def _review_top(
    spark: SparkSession, config: Config, ranked: list[tuple[str, set[str], str]], schemes: dict[str, set[str]]
) -> dict[str, int]:
    """Confirm the true and dismiss the false cases of the top K that have no verdict yet."""
    k = len(schemes)
    top = [(cid, ids) for cid, ids, status in ranked[:k] if status == "open"]
    hits = _matches([ids for _, ids in top], schemes)
    requests = [
        ReviewRequest(cid, "confirmed" if hit else "dismissed", "simulated reviewer", "bench")
        for (cid, _), hit in zip(top, hits, strict=True)
    ]
    review.run(spark, config, requests=requests)
    return {"confirmed": sum(h is not None for h in hits), "dismissed": sum(h is None for h in hits)}


def run(records: int) -> dict[str, Any]:
    data = _data(records)
    warehouse = WORK / f"warehouse-{records}"
    shutil.rmtree(warehouse, ignore_errors=True)
    config = Config(warehouse=str(warehouse))
    truth = pd.read_csv(data / "truth" / "records.csv", dtype=str, keep_default_na=False)
    schemes = _schemes(truth)
    payload: dict[str, Any] = {
        "records": records,
        "seed": SEED,
        "run_date": RUN_DATE.isoformat(),
        "machine": machine(),
        "true_schemes_k": len(schemes),
        "true_schemes_by_type": truth[truth["scheme_type"].isin(FRAUD)]
        .groupby("scheme_type")["scheme_id"]
        .nunique()
        .to_dict(),
    }
    spark = build_session(SPARK)
    try:
        with measure() as stages:
            ingest.run(spark, config, input_path=str(data / "input"), run_date=RUN_DATE)
            resolve.run(spark, config, run_date=RUN_DATE)
            detect.run(spark, config, run_date=RUN_DATE, lookback_days=None)
            ring_stage.run(spark, config, run_date=RUN_DATE)
        with measure() as stage:
            result = cases.run(spark, config, run_date=RUN_DATE)
        first_ids = [cid for cid, _, _ in _ranked_cases(spark, config)]
        with measure() as again:
            cases.run(spark, config, run_date=RUN_DATE)
        ranked = _ranked_cases(spark, config)
        payload |= {
            "stages_seconds": round(stages.seconds, 1),
            "cases_seconds": round(stage.seconds, 1),
            "cases_peak_pss_mib": round(stage.peak_rss_mib),
            "rerun_seconds": round(again.seconds, 1),
            "rerun_same_ranking": first_ids == [cid for cid, _, _ in ranked],
            "cases_active": result.counts["cases_active"],
            "report_written": result.report_path.exists(),
        }
        splits, rings = _ranked_findings(spark, config)
        payload["split_findings_alone"] = _quality(splits, schemes)
        payload["ring_findings_alone"] = _quality(rings, schemes)
        feedback = []
        for n in range(1, RUNS + 1):
            if n > 1:
                cases.run(spark, config, run_date=RUN_DATE)
                ranked = _ranked_cases(spark, config)
            log = read_table(spark, config.table_path("gold", "case_runs")).orderBy(F.col("created_at").desc()).first()
            entry: dict[str, Any] = {"run": n, **_quality([ids for _, ids, _ in ranked], schemes)}
            entry |= {
                "scorer": log["scorer"] if log else None,
                "verdicts_used": log["verdicts_used"] if log else None,
                "precision_at_20_by_verdicts": log["precision_at_k"] if log else None,
            }
            if n < RUNS:
                entry["reviews_given"] = _review_top(spark, config, ranked, schemes)
            feedback.append(entry)
        payload["cases_by_run"] = feedback
        payload["cases"] = {k: v for k, v in feedback[0].items() if k in ("listed", "precision_at_k", "recall_at_k")}
    finally:
        spark.stop()
    write_result(f"cases-{records}", payload)
    return payload
