"""The resolve job: standardised import records -> `consignee_entities` and `hub_attributes`.

Order of work: profiles (records identical in every resolved column, resolved once: `resolve.profiles`) ->
features (parsed name and address keys) of each profile -> hubs -> candidate pairs (blocking) of profiles, and
each profile with itself -> comparison levels -> u from random record pairs, m and lambda by EM on the candidate
pairs (each counted for the record pairs it stands for) -> scores with term-frequency adjustment -> links ->
record edges -> components with the chaining guard -> stable entity ids (the previous run's ids carried over) ->
per-record link evidence. Everything runs as DataFrame operations; only aggregated pattern counts and
small reports reach the driver.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, replace
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.resolve.blocking import candidate_pairs, find_hubs, rule_report
from splitscan.resolve.compare import (
    COMPARE_INPUT_COLUMNS,
    COMPARE_OPTIONAL_COLUMNS,
    COMPARISON_OUTPUT_COLUMNS,
    compare_pairs,
)
from splitscan.resolve.components import assign_stable_ids, guarded_components
from splitscan.resolve.features import FEATURE_COLUMNS, with_features
from splitscan.resolve.fellegi_sunter import TF_ADJUSTMENTS, MatchModel, estimate_m, estimate_u, score_pairs
from splitscan.resolve.hashed import hashed_join
from splitscan.resolve.profiles import (
    PROFILE_COLUMNS,
    multiplicity,
    record_edges,
    representatives,
    self_pairs,
    with_profiles,
)
from splitscan.storage import TableTransaction, append, ensure_table, merge_on_keys, overwrite_partition, read_table

__all__ = [
    "Resolution",
    "ResolveSettings",
    "latest_model",
    "resolve_increment",
    "resolve_records",
    "run",
    "term_frequencies",
]

logger = logging.getLogger(__name__)

RECORDS = "silver/import_records"
ENTITIES = "silver/consignee_entities"
HUBS = "silver/hub_attributes"
FEATURES = "silver/resolve_features"
CHAINS = "silver/chain_reports"
MODELS = "silver/match_models"
TERM_FREQUENCIES = "silver/match_term_frequencies"
_RECORD_COLUMNS = ("record_id", "record_hash", *PROFILE_COLUMNS)
INDEX_COLUMNS: tuple[str, ...] = (*_RECORD_COLUMNS, *FEATURE_COLUMNS)
"""The columns of `resolve_features` (besides run_id): what an incremental run needs of each resolved record."""


@dataclass(frozen=True)
class ResolveSettings:
    """Resolution knobs. Thresholds are match probabilities; hubs are counted in distinct name keys."""

    link_threshold: float = 0.99
    strong_threshold_weight: float = 8.0
    min_independent_links: int = 2
    max_identities: int = 20
    max_block_size: int = 200
    u_sample_pairs: int = 1_000_000
    seed: int = 42


@dataclass(frozen=True)
class Resolution:
    """The results of one resolution, as DataFrames (nothing written yet).

    In a full run `entities` holds every record; in an incremental run only the rows that changed: the new
    records and every record of an entity they joined or merged. `links` and `rule_report` are about pairs of
    profiles (`resolve.profiles`: a pair's ids are the two profiles' representatives, equal for a self pair).
    """

    entities: DataFrame
    links: DataFrame
    hubs: DataFrame
    chain_reports: DataFrame
    rule_report: DataFrame
    model: MatchModel
    features: DataFrame
    term_frequencies: DataFrame
    mode: str = "full"

    def describe(self) -> str:
        """A short summary for the terminal (small aggregates only)."""
        sizes = self.entities.groupBy("entity_id").count()
        row = sizes.agg(
            F.count(F.lit(1)).alias("n"), F.sum("count").alias("records"), F.max("count").alias("big")
        ).first()
        hubs = {
            r["hub_class"]: int(r["n"])
            for r in self.hubs.groupBy("hub_class").agg(F.count(F.lit(1)).alias("n")).collect()
        }
        verb = "resolved" if self.mode == "full" else "incremental run wrote"
        lines = [
            f"{verb} {(row and row['records']) or 0} records into {(row and row['n']) or 0} consignee entities "
            f"(largest {(row and row['big']) or 0} records)",
            f"hub attributes by class: {dict(sorted(hubs.items()))}",
            f"chaining guard: {self.chain_reports.count()} weak links reported, not merged",
            "candidate profile pairs by blocking rule (pairs, found by that rule only):",
        ]
        lines += [
            f"  {r['rule']:<24} {r['pairs']:>10} {r['only_this_rule']:>10}"
            for r in self.rule_report.orderBy("rule").collect()
        ]
        return "\n".join(lines)


def term_frequencies(features: DataFrame, *, weight: str | None = None) -> DataFrame:
    """`column, value, tf`: the share of records carrying each value of every term-frequency-adjusted key.

    `weight` is a column holding the records each row stands for (a profile's size); None counts rows.
    """
    n = F.sum(weight) if weight else F.count(F.lit(1))
    row = features.agg(n.alias("n")).first()
    total = int((row and row["n"]) or 0)
    frames = []
    for adj in {a.tf_column: a for a in TF_ADJUSTMENTS}.values():
        value = F.concat_ws("|", *[F.col(s) for s in adj.sources])
        present = reduce(lambda a, b: a & b, [F.col(s).isNotNull() for s in adj.sources])
        frames.append(
            features.filter(present)
            .groupBy(value.alias("value"))
            .agg((n / F.lit(max(total, 1))).alias("tf"))
            .select(F.lit(adj.tf_column).alias("column"), "value", "tf")
        )
    return reduce(lambda a, b: a.unionByName(b), frames)


_GAMMA_KEPT: tuple[str, ...] = (
    "record_id_l",
    "record_id_r",
    "rules",
    "profile_size_l",
    "profile_size_r",
    *COMPARISON_OUTPUT_COLUMNS,
    *sorted(
        {f"{c}{side}" for a in TF_ADJUSTMENTS for c in (*a.sources, a.tf_column) for side in ("_l", "_r")}
        & {f"{c}{side}" for c in (*COMPARE_INPUT_COLUMNS, "name_key") for side in ("_l", "_r")}
    ),
)
"""The columns of the compared pairs that scoring reads: levels, figures, the term-frequency lookup keys, and the
profile sizes (a pair of profiles stands for their product of record pairs)."""


def _sides(pairs: DataFrame, features: DataFrame) -> DataFrame:
    """Both records' comparison inputs on each pair, `address_std` included: the similar-address-text level
    compares the written addresses where both have one (else the building key and unit). Also each side's
    `profile_size`."""
    cols = sorted(
        set(COMPARE_INPUT_COLUMNS)
        | set(COMPARE_OPTIONAL_COLUMNS)
        | {"name_key", "building_key", "postcode_std", "phone_std"}
        | ({"profile_size"} & set(features.columns))
    )
    left = features.select(F.col("record_id").alias("record_id_l"), *[F.col(c).alias(f"{c}_l") for c in cols])
    right = features.select(F.col("record_id").alias("record_id_r"), *[F.col(c).alias(f"{c}_r") for c in cols])
    return hashed_join(hashed_join(pairs, left, "record_id_l"), right, "record_id_r")


def _one_decimal(value: Column, *, signed: bool = False) -> Column:
    """`value` rounded half up to one decimal, as text (`2.0`, `-0.5`, `-0.0`; `+2.0` when `signed`).

    What `format_string('%.1f')` / `'%+.1f'` print for weights (|x| < 10^7; only a negative zero differs: `0.0`),
    without Java's formatter, which parses its pattern on every row.
    """
    sign = F.when(value < 0, F.lit("-")).otherwise(F.lit("+" if signed else ""))
    return F.concat(sign, F.round(F.abs(value), 1).cast("string"))


def _evidence_lines(linked: DataFrame) -> DataFrame:
    """`record_id, evidence`: one readable line per link and side (other record, weight, field weights).

    The field weights are written once per link and shared by its two lines. Links between profiles (with
    `profile_size_l`/`_r`) name the other profile's representative and how many identical records it stands
    for (`R7 and 2 identical records: ...`); a profile's self link says `identical to 2 other records: ...` (a
    profile of three). `record_id` is the representative; every record of its profile shows the line.
    """
    fields = [c for c in linked.columns if c.startswith("w_")]
    parts = F.concat_ws(", ", *[F.concat(F.lit(f"{c[2:]} "), _one_decimal(F.col(c), signed=True)) for c in fields])
    tail = F.concat(F.lit(": weight "), _one_decimal(F.col("match_weight")), F.lit(" ("), parts, F.lit(")"))

    def size(side: str) -> Column:
        column = f"profile_size_{side}"
        return F.col(column) if column in linked.columns else F.lit(1)

    def other(side: str, other_side: str) -> Column:
        more = size(other_side) - 1
        others = size(side) - 1
        return F.when(
            F.col(f"record_id_{side}") == F.col(f"record_id_{other_side}"),
            F.when(others == 1, F.lit("identical to 1 other record")).otherwise(
                F.concat(F.lit("identical to "), others.cast("string"), F.lit(" other records"))
            ),
        ).otherwise(
            F.concat(
                F.col(f"record_id_{other_side}"),
                F.when(more == 1, F.lit(" and 1 identical record"))
                .when(more > 1, F.concat(F.lit(" and "), more.cast("string"), F.lit(" identical records")))
                .otherwise(F.lit("")),
            )
        )

    sides = F.array(
        *[
            F.struct(F.col(f"record_id_{a}").alias("record_id"), other(a, b).alias("other"))
            for a, b in (("l", "r"), ("r", "l"))
        ]
    )
    self_link = F.col("record_id_l") == F.col("record_id_r")
    return linked.select(
        tail.alias("_tail"), F.inline(F.when(self_link, F.slice(sides, 1, 1)).otherwise(sides))
    ).select("record_id", F.concat(F.col("other"), F.col("_tail")).alias("evidence"))


def _profile_evidence(linked: DataFrame) -> DataFrame:
    """`profile_id, link_evidence`: each linked profile's evidence lines, sorted."""
    return (
        _evidence_lines(linked)
        .groupBy(F.col("record_id").alias("profile_id"))
        .agg(F.array_sort(F.collect_list("evidence")).alias("link_evidence"))
    )


def _record_evidence(linked: DataFrame, members: DataFrame) -> DataFrame:
    """`record_id, evidence`: each evidence line of a linked profile, once for every record of the profile."""
    lines = _evidence_lines(linked).withColumnRenamed("record_id", "profile_id")
    return members.select("record_id", "profile_id").join(lines, "profile_id").select("record_id", "evidence")


def _with_pair_counts(gammas: DataFrame) -> DataFrame:
    """Add `_pairs`: the record pairs each compared profile pair stands for (EM's weight)."""
    sizes = (F.col("profile_size_l"), F.col("profile_size_r"), F.col("record_id_l"), F.col("record_id_r"))
    return gammas.withColumn("_pairs", multiplicity(*sizes))


def _record_assignments(nodes: DataFrame, assignments: DataFrame) -> DataFrame:
    """Node assignments (`node, component, joined_by`) -> one row per record (`record_id, node` in `nodes`)."""
    return nodes.join(assignments, "node").select(F.col("record_id").alias("node"), "component", "joined_by")


def _score(
    profiles: DataFrame,
    records: DataFrame,
    hubs: DataFrame,
    model: MatchModel | None,
    tf: DataFrame | None,
    settings: ResolveSettings,
    touching: str | None,
) -> tuple[DataFrame, DataFrame, MatchModel, DataFrame]:
    """Candidate pairs of profiles (and each profile with itself), comparison levels and scores; EM fits the
    model (and `tf` is counted) when none is given.

    `profiles` are the representatives with their features and `profile_size`; `records` are the records with
    their `profile_id`, which the u sample draws from (only read when `model` is None).
    """
    # Materialised once: comparison reads the pairs, and the per-rule report would otherwise re-run blocking.
    pairs = candidate_pairs(profiles, hubs, max_block_size=settings.max_block_size, touching=touching)
    if touching is not None:
        pairs = pairs.localCheckpoint(eager=True)  # read again to pick the self pairs
    pairs = pairs.unionByName(self_pairs(profiles, touching=touching, pairs=pairs)).localCheckpoint(eager=True)
    # Checkpoints, not caches: they also cut the lineage, so the plans of everything downstream (EM, scoring,
    # clustering) stay small; blocking's seven-rule plan would otherwise be re-planned and kept on the driver by
    # every later query.
    gammas = compare_pairs(_sides(pairs, profiles)).select(*_GAMMA_KEPT).localCheckpoint(eager=True)
    if model is None:
        # The u sample's pairs are compared in as many tasks as a shuffle has, not in the one task of its sample.
        parts = int(profiles.sparkSession.conf.get("spark.sql.shuffle.partitions") or 1)
        u = estimate_u(
            records.select("record_id", "profile_id"),
            target_pairs=settings.u_sample_pairs,
            seed=settings.seed,
            partitions=parts,
            lookup=(profiles, "profile_id"),
        )
        em = estimate_m(_with_pair_counts(gammas), u, weight="_pairs")
        model = MatchModel.from_estimates(u, em, link_threshold=settings.link_threshold)
        logger.info("EM: %d iterations, converged %s, lambda %.4g", em.iterations, em.converged, em.lambda_)
    if tf is None:
        tf = term_frequencies(profiles, weight="profile_size").localCheckpoint(eager=True)
    # Lazy: only the links are materialised (`_links`), and the per-pair evidence map is never built for them.
    scored = score_pairs(gammas, model, tf)
    return scored, rule_report(pairs), model, tf


def _links(scored: DataFrame) -> DataFrame:
    """The linked profile pairs with the columns clustering and evidence read, materialised (read by both)."""
    weights = [c for c in scored.columns if c.startswith("w_")]
    return (
        scored.filter(F.col("decision") == "link")
        .select("record_id_l", "record_id_r", "match_weight", "profile_size_l", "profile_size_r", *weights)
        .localCheckpoint(eager=True)
    )


def _edges(edges: DataFrame, nodes: DataFrame) -> DataFrame:
    """Record edges (`src, dst, weight, pairs`), plus a null-weight self link per node so that every node is an
    entity."""
    alone = nodes.select(
        F.col("record_id").alias("src"),
        F.col("record_id").alias("dst"),
        F.lit(None).cast("double").alias("weight"),
        F.lit(1).cast("long").alias("pairs"),
    )
    return edges.select("src", "dst", "weight", "pairs").unionByName(alone)


def _chain_rows(chains: DataFrame, ids: DataFrame) -> DataFrame:
    """Chain reports keyed by record, with the entities each side ended in."""
    side = ids.select(F.col("node").alias("_n"), F.col("entity_id").alias("_e"))
    return (
        chains.join(side.withColumnsRenamed({"_n": "link_src", "_e": "entity_a"}), "link_src")
        .join(side.withColumnsRenamed({"_n": "link_dst", "_e": "entity_b"}), "link_dst")
        .select(
            F.col("link_src").alias("record_id_a"),
            F.col("link_dst").alias("record_id_b"),
            "entity_a",
            "entity_b",
            F.col("weight").alias("match_weight"),
            "reason",
        )
    )


def resolve_records(
    records: DataFrame,
    *,
    previous: DataFrame | None = None,
    settings: ResolveSettings = ResolveSettings(),
    model: MatchModel | None = None,
    tf: DataFrame | None = None,
) -> Resolution:
    """Resolve standardised records into consignee entities (a full run: every candidate pair is scored).

    Args:
        records: `record_id, name_std, address_std, postcode_std, phone_std, consignee_id_std, email_std`
            (other columns are carried into `features`).
        previous: the previous run's `record_id, entity_id`, so that entities keep their ids.
        settings: thresholds and caps.
        model: a trained model to score with, as it was trained; None fits one by EM.
        tf: the model's term frequencies (`column, value, tf`); None counts them on `records`.

    Returns:
        The entities (`record_id, entity_id, cluster_size, joined_by, link_evidence`), the scored profile pairs,
        the hubs, the chaining reports, the per-rule blocking report, the model and the per-record features.
    """
    # Materialised before anything reads them: the hub counts, the seven blocking rules, the u sample and the
    # term frequencies all read the profiles, and their stages run side by side; a lazy cache would let each of
    # them parse every name and address again (and each hub lookup recount the hubs) before the cache filled.
    profiled = with_profiles(records).localCheckpoint(eager=True)
    profiles = with_features(representatives(profiled)).localCheckpoint(eager=True)
    # Every record with its profile's features: the resolution index, and the u sample's population. Lazy.
    features = profiled.join(profiles.select("profile_id", *FEATURE_COLUMNS), "profile_id").select(
        *records.columns, *FEATURE_COLUMNS
    )
    hubs = find_hubs(profiles, max_identities=settings.max_identities, weight="profile_size").localCheckpoint(
        eager=True
    )
    scored, report, model, tf = _score(profiles, profiled, hubs, model, tf, settings, touching=None)
    linked = _links(scored)
    members = profiled.select("record_id", "profile_id", "profile_size")
    edges, nodes = record_edges(linked, members, strong_threshold=settings.strong_threshold_weight)
    node_assignments, chains = guarded_components(
        _edges(edges, _heads(nodes).select(F.col("node").alias("record_id"))),
        strong_threshold=settings.strong_threshold_weight,
        min_independent_links=settings.min_independent_links,
        pairs="pairs",
    )
    if previous is None:
        # A component's new id depends on its smallest node only, which is its smallest record (a node is its
        # smallest record): ids are given to nodes, not to every record.
        ids = assign_stable_ids(node_assignments.select("node", "component"), None)
        assignments = node_assignments
    else:
        # Previous entities are held by records, and one node's records may have had different ones.
        assignments = _record_assignments(nodes, node_assignments)
        prev = previous.select(F.col("record_id").alias("node"), "entity_id")
        ids = assign_stable_ids(assignments.select("node", "component"), prev)
        nodes = _identity_nodes(nodes)
    entities = _entity_rows(ids, assignments, _profile_evidence(linked), nodes)
    return Resolution(entities, scored, hubs, _chain_rows(chains, ids), report, model, features, tf)


def _heads(nodes: DataFrame) -> DataFrame:
    """`node, n`: one row per node of `record_edges`' node map (the row of the record the node is named after)."""
    return nodes.where(F.col("record_id") == F.col("node")).select("node", "n")


def _identity_nodes(records: DataFrame, profile: str = "profile_id") -> DataFrame:
    """A node map (`record_id, node, profile_id, n`) in which every record of `records` is its own node and its
    profile is the column `profile` (whose value keys the evidence lines the record shows)."""
    return records.select(
        "record_id",
        F.col("record_id").alias("node"),
        F.col(profile).alias("profile_id"),
        F.lit(1).cast("long").alias("n"),
    )


def _entity_rows(ids: DataFrame, assignments: DataFrame, evidence: DataFrame, nodes: DataFrame) -> DataFrame:
    """`record_id, entity_id, cluster_size, joined_by, link_evidence` from the id and component assignments.

    `ids` (`node, entity_id`) and `assignments` (`node, joined_by`: single | strong | weak per component) are about
    the nodes of `nodes` (`record_id, node, profile_id, n`: each record's node, and the records a node stands
    for); `evidence` is `profile_id, link_evidence`, and each record shows its profile's lines. Entity sizes and
    how an entity was joined are worked out per node, before the records are joined on.
    """
    per_entity = Window.partitionBy("entity_id")
    entity_of = hashed_join(
        hashed_join(ids, assignments.select("node", "joined_by"), "node"), _heads(nodes), "node"
    ).select(
        "node",
        "entity_id",
        F.sum("n").over(per_entity).alias("cluster_size"),
        # An entity's rows agree on how it was joined: weak when any part of it was.
        F.max((F.col("joined_by") == "weak").cast("int")).over(per_entity).alias("_weak"),
    )
    rows = hashed_join(
        hashed_join(nodes.select("record_id", "node", "profile_id"), entity_of, "node"), evidence, "profile_id", "left"
    )
    return rows.select(
        "record_id",
        "entity_id",
        F.col("cluster_size").cast("long"),
        F.when(F.col("cluster_size") == 1, "alone")
        .when(F.col("_weak") == 1, "weak")
        .otherwise("strong")
        .alias("joined_by"),
        F.array_sort(F.coalesce("link_evidence", F.array().cast("array<string>"))).alias("link_evidence"),
    )


_ANCHOR = "\u00a7"
"""Prefix of the node that stands for an existing entity in an incremental run (sorts after every record id)."""


def resolve_increment(
    new_records: DataFrame,
    index: DataFrame,
    entities: DataFrame,
    model: MatchModel,
    *,
    settings: ResolveSettings = ResolveSettings(),
    tf: DataFrame | None = None,
) -> Resolution:
    """Match new records against the entity index without re-scoring history.

    Only candidate pairs with at least one new record are compared and scored (blocks are taken whole, so these
    are exactly the full run's pairs that touch a new record). Each existing entity a new record links to enters
    the clustering as one strong unit (its records tied to an anchor node), so the chaining guard judges only
    the new links: a new record joins an entity, founds one, or merges entities when the guard allows it.

    Args:
        new_records: standardised records not yet resolved: `record_id, record_hash` and the standardised columns
            of `resolve_records`.
        index: `resolve_features` rows of the resolved records (`INDEX_COLUMNS`; new records' ids must not be in
            it).
        entities: the current `record_id, entity_id, joined_by, link_evidence` of the resolved records.
        model: the trained model, used as trained.
        settings: thresholds and caps.
        tf: the model's term frequencies; None counts them on index + new records (then old and new pairs may
            weigh differently than when the index was resolved).

    Returns:
        A `Resolution` whose `entities` holds the rows to upsert: every new record and every record of an entity
        that a new record joined or merged (with cluster sizes, joined_by and evidence brought up to date);
        `features` holds the new records' features only.
    """
    # Checkpointed, not persisted: a persisted frame stays in the session's cache manager (its plan and blocks) until
    # someone unpersists it; a checkpoint is released with the frame. Parsed once, read three times below.
    new_features = with_features(new_records).localCheckpoint(eager=True)
    # Checkpointed, not cached: `index` and `entities` are tables this run rewrites, and a lazily recomputed
    # frame read after the write would see the new versions.
    # Profiles are formed over index and new records together, as a full run forms them; a profile is touched
    # when it holds a new record.
    universe = with_profiles(
        index.select(*INDEX_COLUMNS, F.lit(False).alias("_new")).unionByName(
            new_features.select(*INDEX_COLUMNS, F.lit(True).alias("_new"))
        ),
        flag="_new",
    ).localCheckpoint(eager=True)
    profiles = representatives(universe)
    hubs = find_hubs(profiles, max_identities=settings.max_identities, weight="profile_size").localCheckpoint(
        eager=True
    )
    scored, report, model, tf = _score(profiles, universe, hubs, model, tf, settings, touching="profile__new")
    linked = _links(scored)
    profile_members = universe.select("record_id", "profile_id", "profile_size")
    edges, node_of = record_edges(linked, profile_members, strong_threshold=settings.strong_threshold_weight)
    edges = edges.localCheckpoint(eager=True)

    # The graph's nodes: the ends of the new links and the nodes of the new records (a new record identical to
    # old ones shares their node). Every record of such a node brings its entity in.
    ends = (
        edges.select(F.col("src").alias("node"))
        .unionByName(edges.select(F.col("dst").alias("node")))
        .unionByName(node_of.join(new_features.select("record_id"), "record_id", "left_semi").select("node"))
    )
    touched = (
        entities.join(node_of.join(ends, "node", "left_semi"), "record_id", "left_semi").select("entity_id").distinct()
    )
    members = entities.join(touched, "entity_id", "left_semi").localCheckpoint(eager=True)
    in_graph = node_of.join(
        new_features.select("record_id").unionByName(members.select("record_id")), "record_id", "left_semi"
    ).localCheckpoint(eager=True)
    anchors = (
        members.join(in_graph, "record_id")
        .select(
            F.col("node").alias("src"),
            F.concat(F.lit(_ANCHOR), F.col("entity_id")).alias("dst"),
            F.lit(float("inf")).alias("weight"),
            F.lit(1).cast("long").alias("pairs"),
        )
        .distinct()
    )
    node_assignments, chains = guarded_components(
        _edges(edges, in_graph.select(F.col("node").alias("record_id")).distinct()).unionByName(anchors),
        strong_threshold=settings.strong_threshold_weight,
        min_independent_links=settings.min_independent_links,
        pairs="pairs",
    )
    records_only = _record_assignments(in_graph, node_assignments)
    ids = assign_stable_ids(
        records_only.select("node", "component"),
        members.select(F.col("record_id").alias("node"), "entity_id"),
    )
    # A member's evidence so far, plus the lines of its new links; a merged entity's weak history stays weak.
    new_lines = _record_evidence(linked, profile_members)
    old_lines = members.select("record_id", F.explode("link_evidence").alias("evidence"))
    evidence = (
        new_lines.unionByName(old_lines).groupBy("record_id").agg(F.collect_set("evidence").alias("link_evidence"))
    )
    was_weak = members.filter(F.col("joined_by") == "weak").select(F.col("record_id").alias("node"))
    joined = records_only.join(was_weak.withColumn("_w", F.lit(True)), "node", "left").select(
        "node", F.when(F.col("_w"), "weak").otherwise(F.col("joined_by")).alias("joined_by")
    )
    # Evidence here is per record: each record is its own node and its own evidence key.
    own = _identity_nodes(ids.select(F.col("node").alias("record_id")), profile="record_id")
    rows = _entity_rows(ids, joined, evidence.withColumnRenamed("record_id", "profile_id"), own)
    chain_rows = _chain_rows(chains.filter(~F.col("link_src").startswith(_ANCHOR)), ids)
    return Resolution(rows, scored, hubs, chain_rows, report, model, new_features, tf, mode="incremental")


def _nothing_new(spark: SparkSession, model: MatchModel, hubs: DataFrame) -> Resolution:
    """The result of an incremental run that found no new records: empty frames, the stored hubs and model."""

    def empty(name: str) -> DataFrame:
        return spark.createDataFrame([], load_contract(name).schema).drop("run_id", "resolved_at")

    return Resolution(
        entities=empty(ENTITIES),
        links=spark.createDataFrame([], "record_id_l string, record_id_r string"),
        hubs=hubs,
        chain_reports=empty(CHAINS),
        rule_report=spark.createDataFrame([], "rule string, pairs long, only_this_rule long"),
        model=model,
        features=empty(FEATURES),
        term_frequencies=spark.createDataFrame([], "column string, value string, tf double"),
        mode="incremental",
    )


def latest_model(spark: SparkSession, path: str) -> tuple[str, MatchModel] | None:
    """`(model_id, model)` of the newest model in `match_models`, or None when none has been trained."""
    row = read_table(spark, path).orderBy(F.col("trained_at").desc(), F.col("model_id").desc()).first()
    return None if row is None else (row["model_id"], MatchModel.from_json(row["model_json"]))


def run(
    spark: SparkSession,
    config: Config,
    *,
    run_date: dt.date,
    settings: ResolveSettings = ResolveSettings(),
    full: bool = False,
    retrain: bool = False,
) -> Resolution:
    """Resolve `import_records` and publish `consignee_entities`, `hub_attributes` and the resolution index.

    The first run, `full=True`, or a run without a stored model scores every candidate pair; any other run is
    incremental: records whose id and `record_hash` are not in `resolve_features` are matched against the index.
    A model is trained (appended to `match_models`, its term frequencies to `match_term_frequencies`) on the
    first run or with `retrain=True`; otherwise the latest stored model and its term frequencies are used as they
    were trained, so an old pair weighs the same on every run and a full rebuild reproduces the incremental
    entities (short of the hub changes listed in docs/resolve.md).

    All six tables are written in one `TableTransaction`: a failure restores each to its starting version.
    """
    run_id = f"resolve-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    now = F.lit(dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)).cast("timestamp")
    names = (ENTITIES, HUBS, FEATURES, CHAINS, MODELS, TERM_FREQUENCIES)
    paths = {name: config.table_path(*name.split("/")) for name in names}
    for name, path in paths.items():
        ensure_table(spark, path, load_contract(name))
    stored = None if retrain else latest_model(spark, paths[MODELS])
    model, tf = None, None
    if stored is not None:
        model = stored[1]
        tf = read_table(spark, paths[TERM_FREQUENCIES]).filter(F.col("model_id") == stored[0]).drop("model_id")
    records = read_table(spark, config.table_path(*RECORDS.split("/"))).select(*_RECORD_COLUMNS)
    entities = read_table(spark, paths[ENTITIES])
    index = read_table(spark, paths[FEATURES])
    incremental = not full and model is not None and index.limit(1).count() > 0
    if incremental:
        assert model is not None
        new = records.join(index.select("record_id", "record_hash"), ["record_id", "record_hash"], "left_anti")
        # Materialised before anything is written: recomputed after the features merge, it would be empty.
        new = new.localCheckpoint(eager=True)
        if new.limit(1).count() == 0:
            logger.info("resolve %s: no new or changed records, nothing to do", run_id)
            return _nothing_new(spark, model, read_table(spark, paths[HUBS]))
        changed = new.select("record_id")
        result = resolve_increment(
            new,
            index.join(changed, "record_id", "left_anti"),
            entities.join(changed, "record_id", "left_anti"),
            model,
            settings=settings,
            tf=tf,
        )
    else:
        previous = entities.select("record_id", "entity_id")
        has_previous = previous.limit(1).count() > 0
        result = resolve_records(
            records, previous=previous if has_previous else None, settings=settings, model=model, tf=tf
        )
    logger.info("resolve %s: %s mode", run_id, result.mode)

    # Computed once, before any write: the merge and the run summary both read it.
    result = replace(result, entities=result.entities.localCheckpoint(eager=True))
    stamp = {"run_id": F.lit(run_id)}
    with TableTransaction(spark, list(paths.values())):
        merge_on_keys(
            result.entities.withColumns({**stamp, "resolved_at": now}), paths[ENTITIES], load_contract(ENTITIES)
        )
        # Hubs are counted over all records each run: the table is replaced whole.
        overwrite_partition(result.hubs.withColumns(stamp), paths[HUBS], load_contract(HUBS), "1 = 1")
        features = result.features.withColumns(stamp)
        chains = result.chain_reports.withColumns(stamp)
        if result.mode == "full":
            overwrite_partition(features, paths[FEATURES], load_contract(FEATURES), "1 = 1")
            overwrite_partition(chains, paths[CHAINS], load_contract(CHAINS), "1 = 1")
        else:
            merge_on_keys(features, paths[FEATURES], load_contract(FEATURES))
            merge_on_keys(chains, paths[CHAINS], load_contract(CHAINS))
        if model is None:
            trained = spark.createDataFrame(
                [(run_id, result.model.training.get("n_records", 0), result.model.lambda_, result.model.to_json())],
                "model_id string, n_records long, lambda double, model_json string",
            ).withColumn("trained_at", now)
            append(trained, paths[MODELS], load_contract(MODELS))
            frequencies = result.term_frequencies.withColumn("model_id", F.lit(run_id))
            append(frequencies, paths[TERM_FREQUENCIES], load_contract(TERM_FREQUENCIES))
    return result
