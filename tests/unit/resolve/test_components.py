from __future__ import annotations

import hashlib
import itertools
import logging
import random
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession

from splitscan.resolve.components import (
    ComponentsNotConvergedError,
    assign_stable_ids,
    assign_stable_ids_with_history,
    component_sizes,
    connected_components,
    guarded_components,
    run_connected_components,
)

EDGES = "src string, dst string"
ASSIGNED = "node string, component string"
LINKS = "src string, dst string, weight double"
GUARDED = "node string, component string, joined_by string"
REPORTS = "component_a string, component_b string, link_src string, link_dst string, weight double, reason string"
ENTITIES = "node string, entity_id string"
HISTORY = "entity_id string, merged_into string, event string, nodes long"


def _assert_equal(actual: DataFrame, expected: DataFrame) -> None:
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def _expected(spark: SparkSession, mapping: dict[str, str]) -> DataFrame:
    return spark.createDataFrame(sorted(mapping.items()), ASSIGNED)


def _eid(seed: str) -> str:
    """The documented new-ID rule, computed independently of Spark."""
    return "E" + hashlib.sha256(seed.encode()).hexdigest()[:16].upper()


# ------------------------------------------------------------------------------------------ connected_components


CHAIN_CYCLE_PAIR = (
    [("c3", "c4"), ("c1", "c2"), ("c2", "c3"), ("y3", "y1"), ("y1", "y2"), ("y2", "y3"), ("q2", "q1")],
    {"c1": "c1", "c2": "c1", "c3": "c1", "c4": "c1", "y1": "y1", "y2": "y1", "y3": "y1", "q1": "q1", "q2": "q1"},
)


@pytest.mark.parametrize(
    ("prune_finished", "adjacency_rows"),
    [(True, (14, 10, 6)), (False, (14, 12, 12))],
    ids=["pruned", "unpruned"],
)
def test_chain_cycle_and_pair_with_and_without_pruning(
    spark: SparkSession, prune_finished: bool, adjacency_rows: tuple[int, ...]
) -> None:
    # The pair is a finished star from the start and the cycle after round 1: pruning sets their rows aside
    # (2 and 4 rows) while the chain goes on; without pruning every row stays to the end.
    edges, expected = CHAIN_CYCLE_PAIR
    result = run_connected_components(spark.createDataFrame(edges, EDGES), prune_finished=prune_finished)
    _assert_equal(result.assignments, _expected(spark, expected))
    assert result.adjacency_rows == adjacency_rows


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        pytest.param(
            [("d2", "d1"), ("d1", "d2"), ("d2", "d1"), ("d2", "d2"), ("solo", "solo"), ("solo", "solo")],
            {"d1": "d1", "d2": "d1", "solo": "solo"},
            id="duplicates-reversed-and-self-loops",
        ),
        pytest.param(
            [("9", "10"), ("100", "9"), ("b", "B"), ("n1", None), (None, None)],
            {"9": "10", "10": "10", "100": "10", "b": "B", "B": "B", "n1": "n1"},
            id="lexicographic-minimum-and-null-endpoints",
        ),
    ],
)
def test_connected_components_small_graphs(
    spark: SparkSession, edges: list[tuple[str | None, str | None]], expected: dict[str, str]
) -> None:
    actual = connected_components(spark.createDataFrame(edges, EDGES))
    _assert_equal(actual, _expected(spark, expected))


def test_connected_components_custom_columns_and_empty_input(spark: SparkSession) -> None:
    edges = spark.createDataFrame([("a", "b")], "left string, right string")
    _assert_equal(connected_components(edges, src="left", dst="right"), _expected(spark, {"a": "a", "b": "a"}))
    _assert_equal(connected_components(spark.createDataFrame([], EDGES)), spark.createDataFrame([], ASSIGNED))


def test_star_with_2000_leaves_around_a_middle_hub(spark: SparkSession) -> None:
    # The hub "m" sorts between the leaves, so large-star must re-attach 1,000 larger leaves to "a0000".
    leaves = [f"a{i:04d}" for i in range(1000)] + [f"z{i:04d}" for i in range(1000)]
    edges = spark.createDataFrame([("m", leaf) for leaf in leaves], EDGES)
    result = run_connected_components(edges)
    _assert_equal(result.assignments, _expected(spark, dict.fromkeys([*leaves, "m"], "a0000")))
    assert result.rounds <= 3


def test_long_path_needs_few_rounds_and_logs_them(spark: SparkSession, caplog: pytest.LogCaptureFixture) -> None:
    labels = [f"p{i:03d}" for i in range(200)]
    random.Random(7).shuffle(labels)
    edges = spark.createDataFrame(list(itertools.pairwise(labels)), EDGES)
    caplog.set_level(logging.INFO, logger="splitscan.resolve.components")
    # checkpoint_interval=2 cuts the lineage several times on the way.
    result = run_connected_components(edges, checkpoint_interval=2)
    _assert_equal(result.assignments, _expected(spark, dict.fromkeys(labels, "p000")))
    # Label propagation would need ~100 rounds (the path's radius); large/small-star needs about log2(200) ~ 8.
    assert 1 <= result.rounds <= 10
    assert len(result.adjacency_rows) == result.rounds + 1
    assert f"converged after {result.rounds} rounds" in caplog.text


@pytest.mark.parametrize(("seed_edges", "max_rounds"), [(10_000, 0), (7, 10)], ids=["one-partition", "many-partitions"])
def test_local_union_find_seed_gives_the_same_components(spark: SparkSession, seed_edges: int, max_rounds: int) -> None:
    # A shuffled 60-node path, the chain/cycle/pair graph, a lexicographic trap ("10" < "9") and a self loop. In
    # one partition the union-find alone solves it (no round left); spread over ten, the rounds finish the job.
    labels = [f"p{i:02d}" for i in range(60)]
    random.Random(11).shuffle(labels)
    edges, expected = CHAIN_CYCLE_PAIR
    edges = [*edges, *itertools.pairwise(labels), ("9", "10"), ("100", "9"), ("solo", "solo")]
    expected = {**expected, **dict.fromkeys(labels, "p00"), "9": "10", "10": "10", "100": "10", "solo": "solo"}
    result = run_connected_components(spark.createDataFrame(edges, EDGES), local_seed_edges=seed_edges)
    _assert_equal(result.assignments, _expected(spark, expected))
    assert result.rounds <= max_rounds


def test_local_union_find_on_a_star_around_a_middle_hub(spark: SparkSession) -> None:
    leaves = [f"a{i:03d}" for i in range(100)] + [f"z{i:03d}" for i in range(100)]
    edges = spark.createDataFrame([("m", leaf) for leaf in leaves], EDGES)
    result = run_connected_components(edges, local_seed_edges=1_000)
    _assert_equal(result.assignments, _expected(spark, dict.fromkeys([*leaves, "m"], "a000")))
    assert result.rounds == 0


def test_not_converging_within_max_iterations_raises(spark: SparkSession) -> None:
    labels = [f"p{i:02d}" for i in range(40)]
    random.Random(3).shuffle(labels)
    edges = spark.createDataFrame(list(itertools.pairwise(labels)), EDGES)
    with pytest.raises(ComponentsNotConvergedError, match="not converged after 1 rounds"):
        connected_components(edges, max_iterations=1)


def test_reliable_checkpoints_give_the_same_answer(spark: SparkSession, tmp_path: Path) -> None:
    edges = spark.createDataFrame([("k3", "k1"), ("k2", "k4"), ("k4", "k3")], EDGES)
    result = run_connected_components(edges, checkpoint_dir=str(tmp_path), checkpoint_interval=1)
    _assert_equal(result.assignments, _expected(spark, {f"k{i}": "k1" for i in range(1, 5)}))
    assert any(tmp_path.rglob("part-*")), "no checkpoint files were written"


def test_component_sizes(spark: SparkSession) -> None:
    assignments = spark.createDataFrame([("a", "a"), ("b", "a"), ("c", "c")], ASSIGNED)
    expected = spark.createDataFrame([("a", 2), ("c", 1)], "component string, size long")
    _assert_equal(component_sizes(assignments), expected)


# ------------------------------------------------------------------------------------------------ chaining guard

STRONG = 0.9


def _clique(prefix: str, n: int) -> list[tuple[str, str, float]]:
    names = [f"{prefix}{i}" for i in range(1, n + 1)]
    return [(x, y, 0.95) for i, x in enumerate(names) for y in names[i + 1 :]]


def test_single_weak_link_does_not_chain_two_clusters(spark: SparkSession) -> None:
    links = [
        *_clique("a", 4),
        *_clique("b", 4),
        ("a2", "b3", 0.7),
        ("b3", "a2", 0.6),  # the same record pair reversed: still one link
        ("s1", "s1", 0.8),  # a record with only a self link is a node on its own
    ]
    assignments, reports = guarded_components(spark.createDataFrame(links, LINKS), strong_threshold=STRONG)
    expected = [(f"a{i}", "a1", "strong") for i in range(1, 5)] + [(f"b{i}", "b1", "strong") for i in range(1, 5)]
    _assert_equal(assignments, spark.createDataFrame([*expected, ("s1", "s1", "single")], GUARDED))
    _assert_equal(reports, spark.createDataFrame([("a1", "b1", "a2", "b3", 0.7, "single_weak_link")], REPORTS))


def test_two_weak_links_merge_a_strong_link_always_merges_and_reports_use_final_components(
    spark: SparkSession,
) -> None:
    links = [
        *_clique("a", 3),
        *_clique("b", 3),
        *_clique("c", 3),
        *_clique("d", 3),
        ("a2", "b3", 0.7),  # two weak links on different record pairs: a and b merge
        ("b1", "a3", 0.8),
        ("c1", "b2", 0.75),  # one weak link (twice, reversed): c stays apart
        ("b2", "c1", 0.5),
        ("d1", "c3", STRONG),  # one link at the strong threshold: d and c merge unconditionally
    ]
    assignments, reports = guarded_components(spark.createDataFrame(links, LINKS), strong_threshold=STRONG)
    expected = [(f"{p}{i}", "a1", "weak") for p in "ab" for i in range(1, 4)] + [
        (f"{p}{i}", "c1", "strong") for p in "cd" for i in range(1, 4)
    ]
    _assert_equal(assignments, spark.createDataFrame(expected, GUARDED))
    # component_a/b are final components: b2 now lies in a1's component.
    _assert_equal(reports, spark.createDataFrame([("a1", "c1", "b2", "c1", 0.75, "single_weak_link")], REPORTS))


def test_guard_rejects_a_minimum_below_one(spark: SparkSession) -> None:
    links = spark.createDataFrame([("a", "b", 0.5)], LINKS)
    with pytest.raises(ValueError, match="min_independent_links must be at least 1"):
        guarded_components(links, strong_threshold=STRONG, min_independent_links=0)


# ---------------------------------------------------------------------------------------------------- stable IDs


def _components(spark: SparkSession, groups: list[list[str]]) -> DataFrame:
    return spark.createDataFrame([(n, group[0]) for group in groups for n in group], ASSIGNED)


def _entities(spark: SparkSession, mapping: dict[str, str]) -> DataFrame:
    return spark.createDataFrame(sorted(mapping.items()), ENTITIES)


def test_first_run_mints_hash_ids_and_reruns_repeat_them(spark: SparkSession) -> None:
    components = _components(spark, [["r2", "r1"], ["r3"]])
    # New IDs come from each component's smallest node, so partitioning cannot change them.
    first = assign_stable_ids(components.repartition(3), None)
    expected = _entities(spark, {"r1": _eid("r1"), "r2": _eid("r1"), "r3": _eid("r3")})
    _assert_equal(first, expected)
    unchanged = assign_stable_ids_with_history(components, first)
    _assert_equal(unchanged.assignments, expected)
    _assert_equal(unchanged.history, spark.createDataFrame([], HISTORY))


def test_new_record_joining_an_entity_keeps_its_id(spark: SparkSession) -> None:
    previous = _entities(spark, {"r1": "E1", "r2": "E1", "r3": "E2"})
    result = assign_stable_ids_with_history(_components(spark, [["r1", "r2", "r9"], ["r3"]]), previous)
    _assert_equal(result.assignments, _entities(spark, {"r1": "E1", "r2": "E1", "r9": "E1", "r3": "E2"}))
    _assert_equal(result.history, spark.createDataFrame([], HISTORY))


def test_merge_keeps_the_larger_entity_id_ties_to_the_smaller_id(spark: SparkSession) -> None:
    previous = _entities(
        spark,
        {"r1": "EA", "r2": "EA", "r3": "EB", "r4": "EB", "r5": "EB", "q1": "ED", "q2": "ED", "q3": "EC", "q4": "EC"},
    )
    components = _components(spark, [["r1", "r2", "r3", "r4", "r5"], ["q1", "q2", "q3", "q4"]])
    result = assign_stable_ids_with_history(components, previous)
    expected = {**{f"r{i}": "EB" for i in range(1, 6)}, **{f"q{i}": "EC" for i in range(1, 5)}}
    _assert_equal(result.assignments, _entities(spark, expected))
    history = [("EA", "EB", "merged", 2), ("ED", "EC", "merged", 2)]
    _assert_equal(result.history, spark.createDataFrame(history, HISTORY))


def test_split_keeps_the_id_on_the_larger_part_ties_to_the_smaller_component(spark: SparkSession) -> None:
    previous = _entities(spark, {**{f"r{i}": "E1" for i in range(1, 6)}, **{f"s{i}": "E2" for i in range(1, 5)}})
    components = _components(spark, [["r1", "r2"], ["r3", "r4", "r5"], ["s1", "s2"], ["s3", "s4"]])
    result = assign_stable_ids_with_history(components, previous)
    expected = {
        "r1": _eid("r1"),
        "r2": _eid("r1"),
        **{f"r{i}": "E1" for i in range(3, 6)},
        "s1": "E2",
        "s2": "E2",
        "s3": _eid("s3"),
        "s4": _eid("s3"),
    }
    _assert_equal(result.assignments, _entities(spark, expected))
    history = [("E1", _eid("r1"), "split", 2), ("E2", _eid("s3"), "split", 2)]
    _assert_equal(result.history, spark.createDataFrame(history, HISTORY))


def test_new_component_gets_a_deterministic_id_that_avoids_ids_in_use(spark: SparkSession) -> None:
    # "x1" carries the ID that n1 founded earlier; n1 was gone from the previous run and comes back new.
    previous = _entities(spark, {"x1": _eid("n1")})
    components = _components(spark, [["n1", "n2"], ["m1"], ["x1"]])
    result = assign_stable_ids(components, previous, id_prefix="E")
    expected = {"n1": _eid("n1#1"), "n2": _eid("n1#1"), "m1": _eid("m1"), "x1": _eid("n1")}
    _assert_equal(result, _entities(spark, expected))
