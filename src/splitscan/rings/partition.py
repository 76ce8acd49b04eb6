"""Components of the consignee graph, split until every group fits one NetworkX call.

Uses resolution's scalable connected components (`splitscan.resolve.components`). A component above
`max_group_size` entities is split before analysis, in up to three steps, each applied only to groups still too
large: (1) drop weak and household edges and take the components of what is left; (2) weighted label
propagation in Spark (a community detection that needs no driver memory); (3) as a last resort, cut the group
into consecutive chunks of node ids. So no group handed to an executor can exceed the cap, whatever the graph.
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from splitscan.resolve.components import component_sizes, connected_components, guarded_components
from splitscan.rings.graph import TIER_RING

__all__ = ["edges_within", "group_components", "label_propagation", "supply_backed"]

logger = logging.getLogger(__name__)


def _too_big(groups: DataFrame, max_group_size: int) -> DataFrame:
    """`group_id`s with more than `max_group_size` nodes."""
    sizes = component_sizes(groups, component="group_id")
    return sizes.where(F.col("size") > max_group_size).select("group_id")


def edges_within(edges: DataFrame, groups: DataFrame) -> DataFrame:
    """Edges whose two endpoints are in the same group: `group_id, src, dst, weight, tier`."""
    g_src = groups.select(F.col("node").alias("src"), F.col("group_id"))
    g_dst = groups.select(F.col("node").alias("dst"), F.col("group_id").alias("_g_dst"))
    return (
        edges.select("src", "dst", "weight", "tier")
        .join(g_src, "src")
        .join(g_dst, "dst")
        .where(F.col("group_id") == F.col("_g_dst"))
        .select("group_id", "src", "dst", "weight", "tier")
    )


def label_propagation(edges: DataFrame, *, iterations: int) -> DataFrame:
    """Weighted label propagation: each node repeatedly takes the label with the largest weight among its neighbours.

    Args:
        edges: undirected `src, dst, weight`; every node of interest must appear on an edge.
        iterations: synchronous rounds (a fixed number: the result is deterministic, converged or not).

    Returns:
        `node, label`. A node's own label counts with half its strongest edge's weight, which damps the
        oscillation synchronous updates can show on bipartite structures; ties go to the smallest label.
        Each round is one join and one aggregate over the edges; the lineage is cut every round.
    """
    both = edges.select("src", "dst", "weight").unionByName(
        edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"), "weight")
    )
    keep_own = both.groupBy(F.col("src").alias("node")).agg((F.max("weight") / 2).alias("_self"))
    labels = keep_own.select("node", F.col("node").alias("label"))
    best = Window.partitionBy("node").orderBy(F.col("_w").desc(), F.col("label").asc())
    for _ in range(iterations):
        votes = (
            both.join(labels.select(F.col("node").alias("dst"), "label"), "dst")
            .select(F.col("src").alias("node"), "label", "weight")
            .unionByName(labels.join(keep_own, "node").select("node", "label", F.col("_self").alias("weight")))
            .groupBy("node", "label")
            .agg(F.sum("weight").alias("_w"))
        )
        labels = (
            votes.withColumn("_rank", F.row_number().over(best))
            .where(F.col("_rank") == 1)
            .select("node", "label")
            .localCheckpoint(eager=True)
        )
    return labels


def group_components(
    edges: DataFrame,
    *,
    max_group_size: int,
    strong_weight: float,
    lpa_iterations: int = 5,
    checkpoint_dir: str | None = None,
) -> DataFrame:
    """Connected components of the edges, with components above `max_group_size` split (see the module docstring).

    Args:
        edges: `src, dst, weight, tier` (from `splitscan.rings.graph.build_edges`).
        max_group_size: the most nodes one group may have.
        strong_weight: in step 1, edges of tier `ring` with at least this weight are kept.
        lpa_iterations: rounds of label propagation in step 2.
        checkpoint_dir: passed to `connected_components`.

    Returns:
        `node, group_id, split`: one row per node on an edge; `split` is `none`, `strong_edges`,
        `label_propagation` or `chunked`, the step that produced the node's group. Group ids are deterministic
        (built from the smallest node ids involved).

    Runs Spark jobs (connected components, one existence check per step); the result is lazy over
    materialised data.
    """
    if max_group_size < 2:
        raise ValueError("max_group_size must be at least 2")
    cc = connected_components(edges, checkpoint_dir=checkpoint_dir)
    groups = cc.select("node", F.col("component").alias("group_id"), F.lit("none").alias("split"))
    big = _too_big(groups, max_group_size)
    if big.limit(1).count() == 0:
        return groups
    logger.info("ring graph: splitting components above %d entities", max_group_size)

    # Step 1: weak and household edges out, components of the rest. Nodes left without an edge become singletons.
    strong = edges_within(edges, groups.join(big, "group_id")).where(
        (F.col("tier") == TIER_RING) & (F.col("weight") >= strong_weight)
    )
    sub = connected_components(strong, checkpoint_dir=checkpoint_dir)
    groups = _relabel(groups, big, sub.select("node", F.col("component").alias("_label")), "/", "strong_edges")
    big = _too_big(groups, max_group_size)
    if big.limit(1).count() == 0:
        return groups

    # Step 2: label propagation on the strong edges of the groups still too large.
    labels = label_propagation(edges_within(strong, groups.join(big, "group_id")), iterations=lpa_iterations)
    groups = _relabel(groups, big, labels.select("node", F.col("label").alias("_label")), "~", "label_propagation")
    big = _too_big(groups, max_group_size)
    if big.limit(1).count() == 0:
        return groups

    # Step 3: chunks of consecutive node ids; a hard bound, at the price of cutting a community.
    logger.warning("ring graph: label propagation left groups above %d entities; chunking them", max_group_size)
    position = F.row_number().over(Window.partitionBy("group_id").orderBy("node")) - 1
    chunks = groups.join(big, "group_id", "left_semi").select(
        "node", F.floor(position / max_group_size).cast("string").alias("_label")
    )
    return _relabel(groups, big, chunks, "#", "chunked")


def _relabel(groups: DataFrame, big: DataFrame, labels: DataFrame, sep: str, step: str) -> DataFrame:
    """Replace the groups listed in `big` by `group_id + sep + label` (a node without a label: its own id)."""
    in_big = groups.join(big, "group_id", "left_semi").join(labels, "node", "left")
    split = in_big.select(
        "node",
        F.concat_ws(sep, "group_id", F.coalesce("_label", "node")).alias("group_id"),
        F.lit(step).alias("split"),
    )
    rest = groups.join(big, "group_id", "left_anti").select("node", "group_id", "split")
    return rest.unionByName(split).localCheckpoint(eager=True)


def supply_backed(
    edges: DataFrame,
    *,
    min_independent_links: int = 2,
    min_attach_links: int = 0,
    activity: DataFrame | None = None,
    attach_days: int = 30,
    homes: DataFrame | None = None,
) -> DataFrame:
    """The ring graph: edges with shared supply, attribute-only edges that join two supply-linked cores, and the
    edges of entities tied to one core by several members.

    Args:
        edges: `src, dst, weight, tier, kinds, evidence` (from `build_edges`).
        min_independent_links: attribute-only links needed between two cores to join them.
        min_attach_links: an entity outside every core joins a core when it shares attributes with at least this
            many of the core's members (0, this function's default: never; `RingSettings.attach_links` sets 2,
            measured in docs/rings.md).
        activity: `entity_id, day` (purchase days: order date, else arrival date); with it, an entity attaches
            only if it bought within `attach_days` of a purchase of one of the members it is linked to (any
            merchant). None: no time condition.
        attach_days: see `activity`.
        homes: `entity_id, home` (`entity_homes`: each entity's most used delivery point). With it, an entity
            attaches only if at least one of the members it is linked to lives elsewhere (another home, or a home
            known on one side only): links that all stay inside the entity's own home are what housemates share,
            whatever their surnames, and a housemate is not a nominee. None: no home condition.

    Returns:
        The edges of `edges` kept for ring analysis. Cores are the components of the supply-backed edges (a
        ring buying from one merchant). A ring using several merchants shows as several cores linked by the
        drops and phones they share but not by a merchant pair; those cores are joined when at least
        `min_independent_links` attribute-only edges link them (resolution's chaining guard,
        `guarded_components`), so one stray link never merges two rings.

        A nominee need not buy from a merchant another member bought from in the same weeks: the organiser
        spreads the parcels over names and merchants, and one name may get a parcel from another shop or weeks
        later. An entity with no supply edge joins a core when it has attribute edges (any kind: phone, e-mail,
        address, customs id) to at least `min_attach_links` of that core's members: a triangle around a supply
        edge, not one stray link. It joins one core at most (the one it has most links to, ties to the smaller
        core id), so a stolen identity used by two rings does not fuse them. One link never attaches: a relative
        or colleague sharing only a phone with one member stays out. With `activity`, the entity must also have
        bought while the ring operated (within `attach_days` of a linked member's purchase): three people of one
        home, two of whom shopped together, do not pull in the third's purchases of another season. An attached
        entity is one more party only when it is not of a member's household or identity (`n_parties` counts
        those once).

    Runs Spark jobs (two connected-components runs).
    """
    has_supply = F.array_contains("kinds", "seller")
    supplied = edges.where(has_supply)
    ends = supplied.select(F.col("src").alias("node")).unionByName(supplied.select(F.col("dst").alias("node")))
    in_cores = ends.distinct()
    attribute_only = edges.where(~has_supply)
    bridging = attribute_only.join(in_cores.withColumnRenamed("node", "src"), "src", "left_semi").join(
        in_cores.withColumnRenamed("node", "dst"), "dst", "left_semi"
    )
    candidates = supplied.unionByName(bridging)
    links = candidates.select("src", "dst", F.when(has_supply, 1.0).otherwise(0.0).alias("weight"))
    assignments, _ = guarded_components(links, strong_threshold=1.0, min_independent_links=min_independent_links)
    groups = assignments.select("node", F.col("component").alias("group_id"))
    if min_attach_links > 0:
        attached = _attachments(
            attribute_only,
            groups,
            min_links=min_attach_links,
            activity=activity,
            attach_days=attach_days,
            homes=homes,
        )
        groups = groups.unionByName(attached)
        outside = attribute_only.join(attached.select(F.col("node").alias("src")), "src", "left_semi").unionByName(
            attribute_only.join(attached.select(F.col("node").alias("dst")), "dst", "left_semi")
        )
        candidates = candidates.unionByName(outside).distinct()
    kept = edges_within(candidates, groups)
    return candidates.join(kept.select("src", "dst"), ["src", "dst"], "left_semi")


def _attachments(
    attribute_only: DataFrame,
    groups: DataFrame,
    *,
    min_links: int,
    activity: DataFrame | None,
    attach_days: int,
    homes: DataFrame | None = None,
) -> DataFrame:
    """`node, group_id` for entities outside every group linked to at least `min_links` members of one group
    (and, with `activity`, buying within `attach_days` of one of those members; with `homes`, linked to at least one
    of them living elsewhere)."""
    member = groups.select(F.col("node").alias("_member"), "group_id")
    both = attribute_only.select(F.col("src").alias("node"), F.col("dst").alias("_member")).unionByName(
        attribute_only.select(F.col("dst").alias("node"), F.col("src").alias("_member"))
    )
    links = both.join(groups.select("node"), "node", "left_anti").join(member, "_member")
    counted = (
        links.groupBy("node", "group_id")
        .agg(F.count_distinct("_member").alias("_links"))
        .where(F.col("_links") >= min_links)
    )
    if homes is not None:
        mine = homes.select(F.col("entity_id").alias("node"), F.col("home").alias("_h1"))
        theirs = homes.select(F.col("entity_id").alias("_member"), F.col("home").alias("_h2"))
        away = (
            links.join(counted.select("node", "group_id"), ["node", "group_id"], "left_semi")
            .join(mine, "node", "left")
            .join(theirs, "_member", "left")
            .where(~F.col("_h1").eqNullSafe(F.col("_h2")))
            .select("node", "group_id")
            .distinct()
        )
        counted = counted.join(away, ["node", "group_id"], "left_semi")
    if activity is not None:
        days = activity.select("entity_id", "day").distinct()
        mine = days.select(F.col("entity_id").alias("node"), F.col("day").alias("_d1"))
        theirs = days.select(F.col("entity_id").alias("_member"), F.col("day").alias("_d2"))
        active = (
            links.join(counted.select("node", "group_id"), ["node", "group_id"], "left_semi")
            .join(mine, "node")
            .join(theirs, "_member")
            .where(F.abs(F.datediff("_d1", "_d2")) <= attach_days)
            .select("node", "group_id")
            .distinct()
        )
        counted = counted.join(active, ["node", "group_id"], "left_semi")
    best = Window.partitionBy("node").orderBy(F.col("_links").desc(), F.col("group_id").asc())
    return counted.withColumn("_rank", F.row_number().over(best)).where(F.col("_rank") == 1).select("node", "group_id")
