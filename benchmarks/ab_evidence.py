"""A/B of resolution's evidence lines: Java's `format_string` (before eacf135) against round + cast (now).

Builds `--links` synthetic links with resolution's field-weight columns (`w_*`, random weights), then writes
both versions' lines to Parquet (`noop` would let Spark skip the formatting), alternating A and B `--rounds`
times in one session, and reports the wall and JVM-plus-Python CPU seconds of each. The two versions' lines are
compared first: they must be identical (a negative zero, which weights never are exactly, aside).

Usage: python benchmarks/ab_evidence.py [--links 2000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from _common import machine
from bench_resolve import _tree_cpu_seconds
from splitscan.config import SparkSettings
from splitscan.pipelines.resolve import _evidence_lines
from splitscan.session import build_session

FIELDS = ("name", "address", "phone", "customs_id", "email", "postcode")


def _format_string_lines(linked: DataFrame) -> DataFrame:
    """The evidence lines as eacf135's parent wrote them: `format_string` per field and per side."""
    fields = [c for c in linked.columns if c.startswith("w_")]
    parts = F.concat_ws(", ", *[F.format_string(f"{c[2:]} %+.1f", F.col(c)) for c in fields])
    frames = [
        linked.select(
            F.col(f"record_id_{a}").alias("record_id"),
            F.format_string("%s: weight %.1f (%s)", F.col(f"record_id_{b}"), "match_weight", parts).alias("evidence"),
        )
        for a, b in (("l", "r"), ("r", "l"))
    ]
    return frames[0].unionByName(frames[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--links", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spark = build_session(SparkSettings(app_name="ab-evidence", driver_memory="4g", shuffle_partitions=8))
    weight = (F.rand(seed=7) * 40 - 15).cast("double")
    linked = (
        spark.range(args.links)
        .select(
            F.concat(F.lit("r"), F.col("id").cast("string")).alias("record_id_l"),
            F.concat(F.lit("s"), F.col("id").cast("string")).alias("record_id_r"),
            *[(F.rand(seed=i) * 30 - 10).alias(f"w_{f}") for i, f in enumerate(FIELDS)],
            weight.alias("match_weight"),
        )
        .cache()
    )
    linked.count()
    different = _evidence_lines(linked).exceptAll(_format_string_lines(linked)).limit(5).collect()
    if different:
        raise SystemExit(f"the two versions differ, e.g. {different}")
    out = Path(tempfile.mkdtemp(prefix="ab-evidence-"))
    figures: dict[str, list[tuple[float, float]]] = {"format_string": [], "round_cast": []}
    try:
        for _ in range(args.rounds):
            for name, build in (("format_string", _format_string_lines), ("round_cast", _evidence_lines)):
                cpu0, t0 = _tree_cpu_seconds(), time.perf_counter()
                build(linked).write.mode("overwrite").parquet(str(out / name))
                figures[name].append((time.perf_counter() - t0, _tree_cpu_seconds() - cpu0))
    finally:
        shutil.rmtree(out, ignore_errors=True)
        spark.stop()
    best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in figures.items()}
    print(
        json.dumps(
            {
                "links": args.links,
                "machine": machine(),
                "rounds": figures,
                "best_wall_s": {k: round(v[0], 1) for k, v in best.items()},
                "best_cpu_s": {k: round(v[1], 1) for k, v in best.items()},
                "cpu_ratio_format_string_to_round_cast": round(best["format_string"][1] / best["round_cast"][1], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
