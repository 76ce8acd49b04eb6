"""Components of the ring graph, and the splitting of components above the size cap."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from splitscan.rings.partition import group_components, supply_backed

EDGES = "src string, dst string, weight double, tier string"
GROUPS = "node string, group_id string, split string"


def test_small_components_are_groups_as_they_are(spark: SparkSession) -> None:
    edges = spark.createDataFrame([("a", "b", 2.0, "ring"), ("c", "d", 0.5, "household")], EDGES)
    expected = spark.createDataFrame(
        [("a", "a", "none"), ("b", "a", "none"), ("c", "c", "none"), ("d", "c", "none")], GROUPS
    )
    actual = group_components(edges, max_group_size=3, strong_weight=2.0)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_oversized_component_loses_weak_and_household_edges_first(spark: SparkSession) -> None:
    edges = spark.createDataFrame(
        [
            ("a", "b", 2.0, "ring"),
            ("b", "c", 2.0, "ring"),
            ("c", "d", 1.5, "ring"),  # weak: cut
            ("d", "e", 2.0, "ring"),
            ("e", "f", 3.0, "household"),  # household: cut, f is left alone
        ],
        EDGES,
    )
    expected = spark.createDataFrame(
        [
            ("a", "a/a", "strong_edges"),
            ("b", "a/a", "strong_edges"),
            ("c", "a/a", "strong_edges"),
            ("d", "a/d", "strong_edges"),
            ("e", "a/d", "strong_edges"),
            ("f", "a/f", "strong_edges"),
        ],
        GROUPS,
    )
    actual = group_components(edges, max_group_size=3, strong_weight=2.0)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_no_group_exceeds_the_cap_even_when_every_edge_is_strong(spark: SparkSession) -> None:
    edges = spark.createDataFrame([("hub", f"leaf{i}", 2.0, "ring") for i in range(6)], EDGES)
    groups = group_components(edges, max_group_size=2, strong_weight=2.0, lpa_iterations=2)
    sizes = groups.groupBy("group_id").count()

    assert sizes.agg(F.max("count")).first()[0] <= 2  # type: ignore[index]
    assert sorted(r["node"] for r in groups.select("node").collect()) == sorted(
        ["hub", *[f"leaf{i}" for i in range(6)]]
    )


def test_ring_graph_keeps_supply_cores_and_joins_them_only_by_two_links(spark: SparkSession) -> None:
    rows = [
        ("a", "b", 2.5, "ring", ["phone", "seller"]),  # core 1
        ("c", "d", 2.5, "ring", ["phone", "seller"]),  # core 2
        ("a", "c", 2.0, "ring", ["drop_address"]),  # two links: cores 1 and 2 are one ring
        ("b", "d", 2.0, "ring", ["phone"]),
        ("e", "f", 2.5, "ring", ["email", "seller"]),  # core 3
        ("d", "e", 2.0, "ring", ["phone"]),  # one link only: core 3 stays apart, the link is dropped
        ("a", "x", 2.0, "ring", ["phone"]),  # x has no supply of its own: without attachment it never joins
        ("b", "x", 2.0, "ring", ["unit"]),
    ]
    schema = "src string, dst string, weight double, tier string, kinds array<string>"
    edges = spark.createDataFrame(rows, schema)
    expected = spark.createDataFrame(
        [r for r in rows if r[:2] in {("a", "b"), ("c", "d"), ("a", "c"), ("b", "d"), ("e", "f")}], schema
    )
    actual = supply_backed(edges)  # attachment is off by default
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_an_entity_tied_to_two_members_of_a_core_joins_that_core_only(spark: SparkSession) -> None:
    rows = [
        ("a", "b", 2.5, "ring", ["phone", "seller"]),  # core "a"
        ("e", "f", 2.5, "ring", ["email", "seller"]),  # core "e"
        ("a", "x", 2.0, "ring", ["phone"]),  # x: two members of core a -> joins it
        ("b", "x", 2.0, "ring", ["unit"]),
        ("x", "y", 2.0, "ring", ["phone"]),  # y: one link, to an attached entity -> stays out
        ("a", "z", 2.0, "ring", ["phone"]),  # z: one member of core a, two of core e -> joins core e only
        ("e", "z", 2.0, "ring", ["drop_address"]),
        ("f", "z", 2.0, "ring", ["phone"]),
        ("a", "w", 2.0, "ring", ["phone"]),  # w: two members of each core -> the smaller core id, a
        ("b", "w", 2.0, "ring", ["phone"]),
        ("e", "w", 2.0, "ring", ["phone"]),
        ("f", "w", 2.0, "ring", ["phone"]),
        ("w", "x", 2.0, "ring", ["email"]),  # two entities attached to one core: their own edge is kept
    ]
    schema = "src string, dst string, weight double, tier string, kinds array<string>"
    edges = spark.createDataFrame(rows, schema)
    kept = {("a", "b"), ("e", "f"), ("a", "x"), ("b", "x"), ("e", "z"), ("f", "z"), ("a", "w"), ("b", "w"), ("w", "x")}
    expected = spark.createDataFrame([r for r in rows if r[:2] in kept], schema)
    assert_df_equality(supply_backed(edges, min_attach_links=2), expected, ignore_row_order=True, ignore_nullable=True)
    assert_df_equality(
        supply_backed(edges, min_attach_links=3),
        spark.createDataFrame([r for r in rows if r[:2] in {("a", "b"), ("e", "f")}], schema),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_an_entity_attaches_only_if_it_bought_while_the_ring_operated(spark: SparkSession) -> None:
    rows = [
        ("a", "b", 2.5, "ring", ["phone", "seller"]),
        ("a", "x", 2.0, "ring", ["phone"]),
        ("b", "x", 2.0, "ring", ["drop_address"]),
    ]
    schema = "src string, dst string, weight double, tier string, kinds array<string>"
    edges = spark.createDataFrame(rows, schema)
    days = "entity_id string, day date"
    core = [("a", dt.date(2024, 1, 10)), ("b", dt.date(2024, 1, 12))]
    months_later = spark.createDataFrame([*core, ("x", dt.date(2024, 3, 30)), ("x", dt.date(2023, 11, 1))], days)
    within = spark.createDataFrame([*core, ("x", dt.date(2024, 3, 30)), ("x", dt.date(2024, 2, 11))], days)

    out = supply_backed(edges, min_attach_links=2, activity=months_later, attach_days=30)
    assert_df_equality(out, spark.createDataFrame(rows[:1], schema), ignore_row_order=True, ignore_nullable=True)
    out = supply_backed(
        edges, min_attach_links=2, activity=within, attach_days=30
    )  # 2024-02-11 is 30 days after b's purchase
    assert_df_equality(out, edges, ignore_row_order=True, ignore_nullable=True)


def test_an_entity_whose_links_all_stay_inside_its_own_home_does_not_attach(spark: SparkSession) -> None:
    rows = [
        ("a", "b", 2.5, "ring", ["seller", "unit"]),  # core: two people of home h1 who shopped together
        ("a", "x", 1.5, "ring", ["unit"]),  # x: a third person of h1 (another surname): a housemate
        ("b", "x", 3.5, "ring", ["phone", "unit"]),
        ("a", "y", 2.0, "ring", ["phone"]),  # y: lives at h2, shares a's phone and b's home h1
        ("b", "y", 2.0, "ring", ["drop_address"]),
        ("a", "z", 2.0, "ring", ["phone"]),  # z: no known home, linked to both: its links leave its home
        ("b", "z", 2.0, "ring", ["phone"]),
    ]
    schema = "src string, dst string, weight double, tier string, kinds array<string>"
    edges = spark.createDataFrame(rows, schema)
    homes = spark.createDataFrame([("a", "h1"), ("b", "h1"), ("x", "h1"), ("y", "h2")], "entity_id string, home string")
    kept = {("a", "b"), ("a", "y"), ("b", "y"), ("a", "z"), ("b", "z")}
    expected = spark.createDataFrame([r for r in rows if r[:2] in kept], schema)
    actual = supply_backed(edges, min_attach_links=2, homes=homes)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    # Without homes, x attaches too.
    assert_df_equality(supply_backed(edges, min_attach_links=2), edges, ignore_row_order=True, ignore_nullable=True)
