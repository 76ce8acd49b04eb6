"""Connected-components benchmark: rounds, seconds and nodes/s of `run_connected_components` on a generated graph.

The graph, built in Spark from `spark.range` with hash-based pseudo-randomness (the same graph for the same size,
whatever the partitioning), has a known answer:
- a star holding 5 % of the nodes (one hub of huge degree),
- a random recursive tree holding 10 % (each node hangs on a random earlier one: depth ~ log n),
- a path holding 2 % (diameter in the thousands: the case that needs the most rounds),
- the rest in blocks of 8 consecutive ids, each a random tree of 1-8 nodes plus isolated nodes as self loops,
- 5 % of the edges repeated reversed.
Node ids are the first 12 hex digits of SHA-256 of the integer, so id order has nothing to do with structure.
Only `run_connected_components` is timed; generation and the check against the known answer are not.

Usage: python benchmarks/bench_components.py [--nodes N] [--no-prune]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from _common import machine, measure, write_result
from splitscan.config import SparkSettings
from splitscan.resolve.components import run_connected_components
from splitscan.session import build_session

BLOCK = 8


def _label(i: Column) -> Column:
    return F.substring(F.sha2(i.cast("string"), 256), 1, 12)


def _uniform(i: Column, salt: int, modulus: Column) -> Column:
    """A pseudo-random integer in [0, modulus), a pure function of `i`."""
    return F.pmod(F.xxhash64(F.lit(salt), i), modulus.cast("long"))


def _graph(spark: SparkSession, n: int) -> tuple[DataFrame, DataFrame]:
    """(edges `src, dst`, truth `node, group`) for `n` nodes."""
    star_end = n * 5 // 100
    tree_end = star_end + n * 10 // 100
    path_end = tree_end + n * 2 // 100
    i = F.col("id")
    block_start = path_end + F.floor((i - path_end) / BLOCK) * BLOCK
    offset = i - block_start
    block_size = _uniform(block_start, 3, F.lit(BLOCK)) + 1
    target = (
        F.when(i < star_end, F.when(i == 0, i).otherwise(F.lit(0)))
        .when(i < tree_end, F.when(i == star_end, i).otherwise(star_end + _uniform(i, 1, i - star_end)))
        .when(i < path_end, F.when(i == tree_end, i).otherwise(i - 1))
        .otherwise(F.when((offset == 0) | (offset >= block_size), i).otherwise(block_start + _uniform(i, 2, offset)))
    )
    group = (
        F.when(i < star_end, F.lit(-1))
        .when(i < tree_end, F.lit(-2))
        .when(i < path_end, F.lit(-3))
        .otherwise(F.when(offset < block_size, block_start).otherwise(i))
    )
    nodes = spark.range(n).select(i, target.alias("t"), group.alias("group"))
    edges = nodes.select(_label(i).alias("src"), _label(F.col("t")).alias("dst"))
    reversed_dupes = nodes.where(_uniform(i, 4, F.lit(100)) < 5).select(
        _label(F.col("t")).alias("src"), _label(i).alias("dst")
    )
    truth = nodes.select(_label(i).alias("node"), "group")
    return edges.unionByName(reversed_dupes), truth


def run(n_nodes: int, *, prune_finished: bool = True) -> dict[str, Any]:
    spark = build_session(SparkSettings(app_name="bench-components", driver_memory="4g", shuffle_partitions=8))
    edges, truth = _graph(spark, n_nodes)
    edges = edges.localCheckpoint(eager=True)
    n_edges = edges.count()
    with measure() as m:
        result = run_connected_components(edges, prune_finished=prune_finished)
    assignments = result.assignments
    expected = truth.withColumn("expected", F.min("node").over(Window.partitionBy("group"))).select("node", "expected")
    check = assignments.join(expected, "node", "full_outer").agg(
        F.count(F.lit(1)).alias("nodes"),
        F.count_if(~F.col("component").eqNullSafe(F.col("expected"))).alias("wrong"),
        F.count_distinct("component").alias("components"),
    )
    row = check.first()
    sizes = assignments.groupBy("component").count().agg(F.max("count").alias("largest")).first()
    payload: dict[str, Any] = {
        "nodes": n_nodes,
        "prune_finished": prune_finished,
        "edges": n_edges,
        "rounds": result.rounds,
        "adjacency_rows_per_round": list(result.adjacency_rows),
        "seconds": round(m.seconds, 1),
        "nodes_per_s": round(n_nodes / m.seconds),
        "edges_per_s": round(n_edges / m.seconds),
        "peak_rss_mib": round(m.peak_rss_mib),
        "components": None if row is None else int(row["components"]),
        "largest_component": None if sizes is None else int(sizes["largest"]),
        "wrong_assignments": None if row is None else int(row["wrong"]),
        "machine": machine(),
    }
    spark.stop()
    write_result(f"components-{n_nodes}{'' if prune_finished else '-unpruned'}", payload)
    return payload


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--no-prune", action="store_true", help="plain large/small-star, for comparison")
    args = parser.parse_args()
    print(json.dumps(run(args.nodes, prune_finished=not args.no_prune), indent=2, sort_keys=True))
