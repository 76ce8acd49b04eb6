"""Per-group NetworkX analysis on small known graphs (pure pandas + NetworkX, no Spark)."""

from __future__ import annotations

import itertools

import pandas as pd

from splitscan.rings.analysis import ANALYSIS_SCHEMA, AnalysisSettings, analyse_group, independent_links


def _edges(
    pairs: list[tuple[str, str]], *, weight: float = 2.0, household: set[tuple[str, str]] | None = None
) -> pd.DataFrame:
    household = household or set()
    return pd.DataFrame(
        {
            "group_id": "G",
            "src": [a for a, _ in pairs],
            "dst": [b for _, b in pairs],
            "weight": weight,
            "tier": ["household" if p in household else "ring" for p in pairs],
        }
    )


def _clique(nodes: str) -> list[tuple[str, str]]:
    return list(itertools.combinations(nodes, 2))


def _rings(out: pd.DataFrame) -> dict[str, set[str]]:
    return {k: set(g["node"]) for k, g in out.groupby("ring_key")}


def test_two_cliques_joined_by_one_edge_are_two_rings_with_a_bridge() -> None:
    out = analyse_group(_edges([*_clique("abcd"), *_clique("efgh"), ("d", "e")]), AnalysisSettings())

    assert _rings(out) == {"G/a": set("abcd"), "G/e": set("efgh")}
    # In a clique every member ties on betweenness and weighted degree: the smallest id is named.
    assert set(out.loc[out["is_organiser"], "node"]) == {"a", "e"}
    assert all(b == ["d -- e (weight 2)"] for b in out["bridges"])
    assert set(out["max_core"]) == {3} and set(out["density"]) == {1.0}
    assert list(out.columns) == [f.name for f in ANALYSIS_SCHEMA.fields]


def test_communities_joined_by_several_edges_are_one_ring() -> None:
    out = analyse_group(_edges([*_clique("abcd"), *_clique("efgh"), ("d", "e"), ("c", "f")]), AnalysisSettings())

    assert _rings(out) == {"G/a": set("abcdefgh")}
    assert all(b == [] for b in out["bridges"])
    assert out["n_members"].tolist() == [8] * 8


def test_rings_sharing_one_identity_stay_apart() -> None:
    # "x" (a stolen identity, or one ring's nominee who organises another) is linked to all of one ring and most
    # of the other: three crossing edges, but all through x, so one join: two rings, x's edges are bridges.
    pairs = [*_clique("abcdx"), *_clique("efgh"), *[("e", "x"), ("f", "x"), ("g", "x")]]
    out = analyse_group(_edges(pairs), AnalysisSettings())

    rings = _rings(out)
    assert sorted(map(sorted, rings.values())) == [sorted("abcdx"), sorted("efgh")]
    assert set(out.loc[out["node"] == "e", "bridges"].iloc[0]) == {f"{n} -- x (weight 2)" for n in "efg"}


def test_independent_links_count_links_without_a_shared_entity() -> None:
    assert independent_links([]) == 0
    assert independent_links([("x", "e"), ("x", "f"), ("x", "g")]) == 1  # a star: one entity carries them all
    assert independent_links([("a", "e"), ("b", "e"), ("b", "f")]) == 2  # a-e and b-f
    assert independent_links([("a", "e"), ("b", "f"), ("c", "g"), ("c", "e")]) == 3


def test_star_centre_is_the_organiser_and_k_core_is_one() -> None:
    out = analyse_group(_edges([("hub", leaf) for leaf in ("l1", "l2", "l3", "l4")]), AnalysisSettings())

    assert out.loc[out["is_organiser"], "node"].tolist() == ["hub"]
    assert out.set_index("node")["betweenness"].to_dict() == {"hub": 1.0, "l1": 0.0, "l2": 0.0, "l3": 0.0, "l4": 0.0}
    assert set(out["core_number"]) == {1}
    assert out["density"].iloc[0] == 0.4


def test_households_count_as_one_party() -> None:
    pairs = [("a", "b"), ("b", "c"), ("c", "d"), ("a", "c")]
    out = analyse_group(_edges(pairs, household={("a", "b"), ("b", "c")}), AnalysisSettings())

    assert out["n_parties"].tolist() == [2] * 4  # {a, b, c} is one household, d another party


def test_seeded_runs_repeat_exactly() -> None:
    pairs = [*_clique("abcde"), *_clique("fghij"), *_clique("klmno"), ("e", "f"), ("j", "k"), ("a", "o")]
    first = analyse_group(_edges(pairs), AnalysisSettings(seed=7))
    again = analyse_group(_edges(list(reversed(pairs))), AnalysisSettings(seed=7))

    pd.testing.assert_frame_equal(first, again)
    assert len(_rings(first)) == 3


def test_empty_group_gives_an_empty_frame() -> None:
    out = analyse_group(_edges([]), AnalysisSettings())

    assert out.empty and list(out.columns) == [f.name for f in ANALYSIS_SCHEMA.fields]
