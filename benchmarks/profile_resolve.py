"""Profile `resolve_records` step by step on the benchmark's cached records: seconds, CPU, Spark jobs and stages.

Each step of `pipelines.resolve.resolve_records` is run on its own and materialised before the next starts, under a
Spark job group of its own, so that the jobs and stages it launches can be counted from the status tracker. CPU
seconds are user + system of the whole process tree (driver, JVM, Python workers). Materialising each step adds a
few jobs that the pipeline itself does not run (noted per step); the totals are therefore an upper bound of
`resolve_records` run in one piece, which is timed as well at the end (`--whole`).

The records come from `bench_resolve.py prepare --records N --noise NOISE` (cached under build/bench/resolve/).

Usage: python benchmarks/profile_resolve.py --records 30000 [--noise default] [--whole | --whole-only] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bench_resolve import COLUMNS, SPARK, _tree_cpu_seconds, data_dir, evaluate
from splitscan.config import Config
from splitscan.pipelines import resolve as pipeline
from splitscan.resolve.blocking import candidate_pairs, find_hubs, rule_report
from splitscan.resolve.compare import compare_pairs
from splitscan.resolve.components import assign_stable_ids, guarded_components
from splitscan.resolve.features import with_features
from splitscan.resolve.fellegi_sunter import MatchModel, estimate_m, estimate_u, score_pairs
from splitscan.resolve.profiles import record_edges, representatives, self_pairs, with_profiles
from splitscan.session import build_session
from splitscan.storage import read_table

T = TypeVar("T")


class Profiler:
    """Runs named steps, each in a Spark job group, and records wall, CPU, jobs and stages per step."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self.steps: list[dict[str, Any]] = []

    def step(self, name: str, fn: Callable[[], T]) -> T:
        sc = self.spark.sparkContext
        sc.setJobGroup(name, name)
        cpu0, t0 = _tree_cpu_seconds(), time.perf_counter()
        try:
            out = fn()
        finally:
            sc.setJobGroup("idle", "idle")
        wall, cpu = time.perf_counter() - t0, _tree_cpu_seconds() - cpu0
        tracker = sc.statusTracker()
        jobs = tracker.getJobIdsForGroup(name)
        stages = sum(len(info.stageIds) for j in jobs if (info := tracker.getJobInfo(j)) is not None)
        row = {"step": name, "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "jobs": len(jobs)}
        row["stages"] = stages
        self.steps.append(row)
        print(json.dumps(row), flush=True)
        return out


def _materialise(df: DataFrame) -> DataFrame:
    return df.localCheckpoint(eager=True)


def profile_steps(records: DataFrame, settings: pipeline.ResolveSettings, prof: Profiler) -> dict[str, Any]:
    """The steps of `resolve_records`, each materialised; returns the counts worth reporting."""
    profiled = prof.step("profiles", lambda: _materialise(with_profiles(records)))
    profiles = prof.step("features", lambda: _materialise(with_features(representatives(profiled))))
    hubs = prof.step(
        "hubs",
        lambda: _materialise(find_hubs(profiles, max_identities=settings.max_identities, weight="profile_size")),
    )

    def blocking() -> DataFrame:
        pairs = candidate_pairs(profiles, hubs, max_block_size=settings.max_block_size)
        return _materialise(pairs.unionByName(self_pairs(profiles)))

    pairs = prof.step("blocking", blocking)
    report = prof.step("rule_report", lambda: rule_report(pairs).orderBy("rule").toPandas())
    gammas = prof.step(
        "compare",
        lambda: _materialise(compare_pairs(pipeline._sides(pairs, profiles)).select(*pipeline._GAMMA_KEPT)),
    )
    u = prof.step(
        "estimate_u",
        lambda: estimate_u(
            profiled.select("record_id", "profile_id"),
            target_pairs=settings.u_sample_pairs,
            seed=settings.seed,
            lookup=(profiles, "profile_id"),
        ),
    )
    counted = pipeline._with_pair_counts(gammas)
    em = prof.step("estimate_m (EM)", lambda: estimate_m(counted, u, weight="_pairs"))
    model = MatchModel.from_estimates(u, em, link_threshold=settings.link_threshold)
    tf = prof.step("term_frequencies", lambda: _materialise(pipeline.term_frequencies(profiles, weight="profile_size")))
    scored = prof.step("score", lambda: _materialise(score_pairs(gammas, model, tf)))
    linked = prof.step("links", lambda: pipeline._links(scored))
    n_linked = linked.count()
    members = profiled.select("record_id", "profile_id", "profile_size")

    def graph() -> tuple[DataFrame, DataFrame]:
        edges, nodes = record_edges(linked, members, strong_threshold=settings.strong_threshold_weight)
        return _materialise(edges), nodes

    edges, nodes = prof.step("record edges", graph)

    def components() -> tuple[DataFrame, DataFrame]:
        by_node, chains = guarded_components(
            pipeline._edges(edges, pipeline._heads(nodes).select(F.col("node").alias("record_id"))),
            strong_threshold=settings.strong_threshold_weight,
            min_independent_links=settings.min_independent_links,
            pairs="pairs",
        )
        return _materialise(by_node), chains

    assignments, chains = prof.step("components (guarded)", components)
    ids = prof.step(
        "stable ids", lambda: _materialise(assign_stable_ids(assignments.select("node", "component"), None))
    )
    evidence = pipeline._profile_evidence(linked)
    entities = prof.step("entity rows", lambda: _materialise(pipeline._entity_rows(ids, assignments, evidence, nodes)))
    prof.step("chain reports", lambda: pipeline._chain_rows(chains, ids).count())
    frame = prof.step("collect entities", lambda: entities.select("record_id", "entity_id").toPandas())
    return {
        "profiles": profiles.count(),
        "candidate_pairs": pairs.count(),
        "record_pairs_they_stand_for": counted.agg(F.sum("_pairs")).first()[0],
        "rule_report": report.to_dict(orient="records"),
        "linked_pairs": n_linked,
        "record_edges": edges.count(),
        "em_iterations": em.iterations,
        "em_patterns": em.n_patterns,
        "u_pairs": u.n_pairs,
        "entities_frame": frame,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--noise", default="default")
    parser.add_argument("--whole", action="store_true", help="also time resolve_records in one piece")
    parser.add_argument("--whole-only", action="store_true", help="only time resolve_records in one piece")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    data = data_dir(args.records, args.noise)
    if not (data / ".complete").exists():
        sys.exit(f"no prepared data in {data}: run bench_resolve.py prepare first")
    spark = build_session(SPARK)
    try:
        config = Config(warehouse=str(data / "warehouse"))
        records = read_table(spark, config.table_path("silver", "import_records")).select(*COLUMNS)
        truth = pd.read_csv(data / "truth" / "records.csv", dtype=str, keep_default_na=False)
        truth = truth[["record_id", "person_id", "scheme_type"]]
        prof = Profiler(spark)
        prof.step("warm-up: count records", records.count)
        figures: dict[str, Any] = {}
        quality = None
        if not args.whole_only:
            figures = profile_steps(records, pipeline.ResolveSettings(), prof)
            quality = evaluate(figures.pop("entities_frame"), truth)
        whole = None
        if args.whole or args.whole_only:
            spark.catalog.clearCache()

            def run_whole() -> pd.DataFrame:
                return pipeline.resolve_records(records).entities.select("record_id", "entity_id").toPandas()

            frame = prof.step("resolve_records (whole)", run_whole)
            whole = {"step": prof.steps[-1], "quality": evaluate(frame, truth)}
    finally:
        spark.stop()
    steps = [s for s in prof.steps if not s["step"].startswith(("warm-up", "resolve_records"))]
    result = {
        "records": args.records,
        "noise": args.noise,
        "steps": prof.steps,
        "sum_of_steps": {
            "seconds": round(sum(s["seconds"] for s in steps), 1),
            "cpu_seconds": round(sum(s["cpu_seconds"] for s in steps), 1),
            "jobs": sum(s["jobs"] for s in steps),
            "stages": sum(s["stages"] for s in steps),
        },
        **figures,
        "quality": quality,
        "whole": whole,
    }
    print(json.dumps(result, indent=2, default=str))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
