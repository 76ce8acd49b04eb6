"""Profiles: identical records resolved once, and their links expanded back to record edges that cluster exactly as
the record links would."""

from __future__ import annotations

import itertools

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.resolve.components import guarded_components
from splitscan.resolve.profiles import multiplicity, record_edges, representatives, self_pairs, with_profiles

RECORDS = "record_id string, name_std string, phone_std string, _new boolean"
MEMBERS = "record_id string, profile_id string, profile_size long"
LINKS = "record_id_l string, record_id_r string, match_weight double"
EDGES = "src string, dst string, weight double, pairs long"
STRONG = 8.0


def _equal(actual: DataFrame, expected: DataFrame) -> None:
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True, ignore_column_order=True)


def test_records_identical_in_every_resolved_column_form_one_profile(spark: SparkSession) -> None:
    records = spark.createDataFrame(
        [
            ("r3", "KIM MINJUN", "01012345678", False),
            ("r1", "KIM MINJUN", "01012345678", False),
            ("r2", "KIM MINJUN", "01012345679", True),  # another phone: another profile
            ("r4", "LEE JIEUN", None, False),
            ("r5", "LEE JIEUN", None, True),  # missing equals missing
            ("r6", "LEE JIEUN", "", False),  # an empty string is a value of its own here
        ],
        RECORDS,
    )
    expected = spark.createDataFrame(
        [
            ("r1", "r1", 2, False),
            ("r3", "r1", 2, False),
            ("r2", "r2", 1, True),
            ("r4", "r4", 2, True),
            ("r5", "r4", 2, True),
            ("r6", "r6", 1, False),
        ],
        "record_id string, profile_id string, profile_size long, profile__new boolean",
    )
    profiled = with_profiles(records, flag="_new")
    _equal(profiled.select("record_id", "profile_id", "profile_size", "profile__new"), expected)
    assert sorted(r["record_id"] for r in representatives(profiled).collect()) == ["r1", "r2", "r4", "r6"]


def test_self_pairs_pair_each_profile_of_several_records_with_itself(spark: SparkSession) -> None:
    reps = spark.createDataFrame(
        [("a", 3, False), ("b", 1, True), ("c", 2, True), ("d", 2, False), ("e", 4, False)],
        "record_id string, profile_size long, touched boolean",
    )
    schema = "record_id_l string, record_id_r string, rules array<string>"
    every = [(x, x, ["identical"]) for x in ("a", "c", "d", "e")]
    _equal(self_pairs(reps), spark.createDataFrame(every, schema))
    # Incremental: the touched profiles and the profiles in the run's candidate pairs (d), not the others.
    pairs = spark.createDataFrame([("b", "d")], "record_id_l string, record_id_r string")
    got = self_pairs(reps, touching="touched", pairs=pairs)
    _equal(got, spark.createDataFrame([("c", "c", ["identical"]), ("d", "d", ["identical"])], schema))


def test_multiplicity_counts_the_record_pairs_of_a_profile_pair(spark: SparkSession) -> None:
    pairs = spark.createDataFrame(
        [("a", "a", 4, 4), ("a", "b", 4, 3), ("b", "c", 3, 1)], "l string, r string, nl long, nr long"
    )
    got = pairs.select(multiplicity(F.col("nl"), F.col("nr"), F.col("l"), F.col("r")).alias("m"))
    assert [r["m"] for r in got.collect()] == [6, 12, 3]


def _members(spark: SparkSession, profiles: dict[str, list[str]]) -> DataFrame:
    rows = [(r, p, len(records)) for p, records in profiles.items() for r in records]
    return spark.createDataFrame(rows, MEMBERS)


def test_a_tight_profile_is_one_node_and_a_loose_one_links_each_record(spark: SparkSession) -> None:
    # A: three records, strong self link (tight). B: two records, weak self link (loose). C: two records, no self
    # link (loose). D: one record.
    members = _members(spark, {"a1": ["a1", "a2", "a3"], "b1": ["b1", "b2"], "c1": ["c1", "c2"], "d1": ["d1"]})
    links = spark.createDataFrame(
        [("a1", "a1", 20.0), ("b1", "b1", 7.0), ("a1", "b1", 9.0), ("b1", "c1", 7.5), ("a1", "d1", 12.0)], LINKS
    )
    expected = [
        ("b2", "b1", 7.0, 1),
        ("a1", "b1", 9.0, 3),
        ("a1", "b2", 9.0, 3),
        ("b1", "c1", 7.5, 1),
        ("b1", "c2", 7.5, 1),
        ("b2", "c1", 7.5, 1),
        ("b2", "c2", 7.5, 1),
        ("a1", "d1", 12.0, 3),
    ]
    edges, nodes = record_edges(links, members, strong_threshold=STRONG)
    _equal(edges, spark.createDataFrame(expected, EDGES))
    node_of = {
        "a1": ("a1", "a1", 3),
        "a2": ("a1", "a1", 3),
        "a3": ("a1", "a1", 3),
        "b1": ("b1", "b1", 1),
        "b2": ("b2", "b1", 1),
        "c1": ("c1", "c1", 1),
        "c2": ("c2", "c1", 1),
        "d1": ("d1", "d1", 1),
    }
    want = sorted((record, *row) for record, row in node_of.items())
    _equal(nodes, spark.createDataFrame(want, "record_id string, node string, profile_id string, n long"))


def _partition(assignments: DataFrame) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for row in assignments.collect():
        groups.setdefault(row["component"], set()).add(row["node"])
    return {frozenset(g) for g in groups.values()}


def test_record_edges_cluster_as_the_record_links_they_stand_for(spark: SparkSession) -> None:
    """The chaining guard gives the same components on the expanded edges as on every record pair they stand for."""
    profiles = {
        "a1": ["a1", "a2"],  # tight, weakly linked to b: 2 x 2 = 4 record pairs, enough to merge
        "b1": ["b1", "b2"],
        "c1": ["c1"],  # one weak profile link to b, but two record pairs (b1-c1, b2-c1): merges
        "g1": ["g1"],  # one weak link to c: reported, not merged
        "d1": ["d1", "d2", "d3"],  # weak self link: its records stay apart, as three records with weak links
        "e1": ["e1", "e2"],  # no self link, strongly linked to f: both records join f
        "f1": ["f1"],
    }
    weights = {
        ("a1", "a1"): 15.0,
        ("b1", "b1"): 15.0,
        ("d1", "d1"): 7.0,
        ("a1", "b1"): 7.0,
        ("b1", "c1"): 7.0,
        ("c1", "g1"): 7.0,
        ("e1", "f1"): 9.0,
    }
    record_links = [
        (x, y, w)
        for (p, q), w in weights.items()
        for x, y in (itertools.combinations(profiles[p], 2) if p == q else itertools.product(profiles[p], profiles[q]))
    ]
    nodes = [(r, r, None) for records in profiles.values() for r in records]
    by_record = spark.createDataFrame(record_links + nodes, "src string, dst string, weight double")
    links = spark.createDataFrame([(p, q, w) for (p, q), w in weights.items()], LINKS)
    edges, node_of = record_edges(links, _members(spark, profiles), strong_threshold=STRONG)
    alone = node_of.select(F.col("node").alias("src"), F.col("node").alias("dst")).distinct()
    by_profile = edges.unionByName(alone.withColumns({"weight": F.lit(None).cast("double"), "pairs": F.lit(1)}))

    expected_assignments, expected_reports = guarded_components(by_record, strong_threshold=STRONG)
    by_node, reports = guarded_components(by_profile, strong_threshold=STRONG, pairs="pairs")
    assignments = node_of.join(by_node, "node").select(F.col("record_id").alias("node"), "component", "joined_by")
    _equal(assignments, expected_assignments)
    assert _partition(assignments) == {
        frozenset({"a1", "a2", "b1", "b2", "c1"}),
        frozenset({"g1"}),
        frozenset({"d1"}),
        frozenset({"d2"}),
        frozenset({"d3"}),
        frozenset({"e1", "e2", "f1"}),
    }
    # One report per rejected edge: the c-g link, and each of d's records but the representative tied to it (the
    # record links also report d2-d3, an identical pair that the representative's reports already cover).
    schema = "component_a string, component_b string, link_src string, link_dst string, weight double, reason string"
    want = [
        ("a1", "g1", "c1", "g1", 7.0, "single_weak_link"),
        ("d1", "d2", "d1", "d2", 7.0, "single_weak_link"),
        ("d1", "d3", "d1", "d3", 7.0, "single_weak_link"),
    ]
    _equal(reports, spark.createDataFrame(want, schema))
    assert {tuple(r) for r in reports.collect()} < {tuple(r) for r in expected_reports.collect()}
