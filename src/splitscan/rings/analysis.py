"""NetworkX analysis of one bounded group of the consignee graph, run per group inside Spark.

`analyse_group` is plain pandas + NetworkX (tested without Spark); `analyse_groups` runs it per group with
`groupBy("group_id").applyInPandas`, so each call sees one group, never more than the partition stage's cap.

Per group: seeded Louvain communities; communities joined by more than `max_bridge_links` independent links
(edges with no entity in common) are merged back (Louvain may cut one dense ring in two), so the resulting rings
are separated only by weak joins, which are reported as bridges. Links through one shared entity count once: a
stolen identity used by two rings, or one ring's nominee who organises another, links every member of both rings
but is one join, not many. Per ring: density, k-core numbers, the parties (household-linked entities count as one),
and betweenness, whose maximum points at the organiser (ties: larger weighted degree, then smaller id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from splitscan.rings.graph import TIER_RING

__all__ = ["ANALYSIS_SCHEMA", "AnalysisSettings", "analyse_group", "analyse_groups", "independent_links"]

logger = logging.getLogger(__name__)

ANALYSIS_SCHEMA = StructType(
    [
        StructField("group_id", StringType(), False),
        StructField("node", StringType(), False),
        StructField("ring_key", StringType(), False),
        StructField("n_members", IntegerType(), False),
        StructField("n_parties", IntegerType(), False),
        StructField("density", DoubleType(), False),
        StructField("max_core", IntegerType(), False),
        StructField("core_number", IntegerType(), False),
        StructField("betweenness", DoubleType(), False),
        StructField("weighted_degree", DoubleType(), False),
        StructField("is_organiser", BooleanType(), False),
        StructField("bridges", ArrayType(StringType(), containsNull=False), False),
    ]
)
_COLUMNS = [f.name for f in ANALYSIS_SCHEMA.fields]


@dataclass(frozen=True)
class AnalysisSettings:
    """Knobs of the per-group analysis (shipped to the Python workers with the function).

    Attributes:
        seed: Louvain's and the sampled betweenness' random seed: same graph and seed, same result.
        resolution: Louvain resolution (below 1: fewer, larger communities; 0.5 keeps one ring whole where its
            drops form sub-groups, yet still parts two cliques joined by one edge).
        max_bridge_links: communities joined by at most this many independent links stay apart (the join is a
            bridge); links are independent when no two share an entity (a maximum matching of the crossing edges).
        exact_betweenness_nodes: rings up to this size get exact betweenness, larger ones a sample of this many
            pivots.
    """

    seed: int = 42
    resolution: float = 0.5
    max_bridge_links: int = 1
    exact_betweenness_nodes: int = 300


def _graph(edges: pd.DataFrame) -> nx.Graph:
    """Undirected weighted graph; nodes and edges added in sorted order so seeded runs repeat exactly."""
    g = nx.Graph()
    rows = edges.sort_values(["src", "dst"])
    g.add_nodes_from(sorted(set(rows["src"]) | set(rows["dst"])))
    for src, dst, weight, tier in zip(rows["src"], rows["dst"], rows["weight"], rows["tier"], strict=True):
        g.add_edge(str(src), str(dst), weight=float(weight), tier=str(tier))
    return g


def independent_links(links: list[tuple[str, str]]) -> int:
    """The most links of `links` no two of which share an entity (a maximum matching; links are `(u, v)` with
    every `u` on one side and every `v` on the other, as between two communities)."""
    if not links:
        return 0
    b = nx.Graph()
    b.add_nodes_from({("u", u) for u, _ in links})
    b.add_edges_from((("u", u), ("v", v)) for u, v in links)
    matching = nx.bipartite.hopcroft_karp_matching(b, top_nodes={("u", u) for u, _ in links})
    return len(matching) // 2


def _rings(g: nx.Graph, settings: AnalysisSettings) -> list[set[str]]:
    """Louvain communities, merged where more than `max_bridge_links` independent links join two of them."""
    communities = nx.community.louvain_communities(
        g, weight="weight", resolution=settings.resolution, seed=settings.seed
    )
    index = {node: i for i, members in enumerate(communities) for node in members}
    links: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for u, v in sorted(g.edges()):
        a, b = index[u], index[v]
        if a != b:
            links.setdefault((min(a, b), max(a, b)), []).append((u, v) if a < b else (v, u))
    merged = nx.Graph()
    merged.add_nodes_from(range(len(communities)))
    merged.add_edges_from(
        pair for pair, crossing in links.items() if independent_links(crossing) > settings.max_bridge_links
    )
    rings = [set().union(*(communities[i] for i in part)) for part in nx.connected_components(merged)]
    return sorted(rings, key=min)


def _organiser(h: nx.Graph, betweenness: dict[str, float], degree: dict[str, float]) -> str:
    return str(min(h.nodes, key=lambda n: (-round(betweenness[n], 12), -round(degree[n], 12), n)))


def analyse_group(edges: pd.DataFrame, settings: AnalysisSettings) -> pd.DataFrame:
    """Analyse one group of the consignee graph.

    Args:
        edges: the group's edges: `group_id` (one value), `src`, `dst`, `weight`, `tier`.
        settings: seed and thresholds.

    Returns:
        One row per node, columns of `ANALYSIS_SCHEMA`: the node's ring (`ring_key` = group id + "/" + the
        ring's smallest node), ring-level figures (`n_members`, `n_parties`, `density`, `max_core`, `bridges`:
        the edges joining this ring to another ring of the group, as "a -- b (weight w)"), node-level figures
        (`core_number`, `betweenness` normalised, `weighted_degree`, `is_organiser`: exactly one per ring).
    """
    if edges.empty:
        return pd.DataFrame(columns=_COLUMNS)
    group_id = str(edges["group_id"].iloc[0])
    g = _graph(edges)
    rings = _rings(g, settings)
    ring_of = {node: i for i, members in enumerate(rings) for node in members}
    crossing: dict[int, list[str]] = {i: [] for i in range(len(rings))}
    for u, v, w in sorted(g.edges(data="weight")):
        if ring_of[u] != ring_of[v]:
            text = f"{u} -- {v} (weight {w:g})"
            crossing[ring_of[u]].append(text)
            crossing[ring_of[v]].append(text)
    out: list[dict[str, object]] = []
    for i, members in enumerate(rings):
        h = g.subgraph(members)
        k = None if len(members) <= settings.exact_betweenness_nodes else settings.exact_betweenness_nodes
        betweenness = nx.betweenness_centrality(h, k=k, seed=settings.seed)
        degree = dict(h.degree(weight="weight"))
        cores = nx.core_number(h)
        households = nx.Graph()
        households.add_nodes_from(members)
        households.add_edges_from((u, v) for u, v, t in h.edges(data="tier") if t != TIER_RING)
        organiser = _organiser(h, betweenness, degree)
        ring = {
            "group_id": group_id,
            "ring_key": f"{group_id}/{min(members)}",
            "n_members": len(members),
            "n_parties": nx.number_connected_components(households),
            "density": float(nx.density(h)),
            "max_core": max(cores.values()),
            "bridges": crossing[i],
        }
        for node in sorted(members):
            out.append(
                {
                    **ring,
                    "node": node,
                    "core_number": int(cores[node]),
                    "betweenness": float(betweenness[node]),
                    "weighted_degree": float(degree[node]),
                    "is_organiser": node == organiser,
                }
            )
    return pd.DataFrame(out, columns=_COLUMNS)


def analyse_groups(grouped_edges: DataFrame, *, settings: AnalysisSettings | None = None) -> DataFrame:
    """Run `analyse_group` once per `group_id` on the executors (`applyInPandas`).

    Args:
        grouped_edges: `group_id, src, dst, weight, tier`; each group must already be bounded in size (see
            `splitscan.rings.partition.group_components`): one group is one pandas frame in one Python worker.
        settings: analysis knobs; defaults when None.

    Returns:
        The rows of `analyse_group` for every group, schema `ANALYSIS_SCHEMA`.
    """
    chosen = settings or AnalysisSettings()

    def run(pdf: pd.DataFrame) -> pd.DataFrame:
        return analyse_group(pdf, chosen)

    func: Callable[[pd.DataFrame], pd.DataFrame] = run
    return (
        grouped_edges.select("group_id", "src", "dst", "weight", "tier")
        .groupBy("group_id")
        .applyInPandas(func, schema=ANALYSIS_SCHEMA)
    )
