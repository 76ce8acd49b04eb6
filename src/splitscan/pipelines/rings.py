"""The rings job: import records + consignee entities + hub attributes -> `gold/ring_findings` and ring pictures.

Order of work: entity records (resolution's name and address keys on every record, with its entity) -> edges
(shared attributes, hubs excluded, bounded per value; supply as supporting evidence) -> components with the
scalable Spark connected components, oversized ones split -> NetworkX per group inside `applyInPandas` ->
rings with enough parties -> features, score, reasons -> stable ring ids -> Delta (one partition per run date) ->
SVG pictures of the top rings. Only small aggregates and the top rings reach the driver.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.detect import load_rules, rules_frame
from splitscan.quality.publish import audit_for_publish
from splitscan.resolve.addresses import ADDRESS_FEATURE_COLUMNS
from splitscan.resolve.components import assign_stable_ids
from splitscan.resolve.features import with_features
from splitscan.rings.analysis import AnalysisSettings, analyse_groups
from splitscan.rings.findings import (
    FindingSettings,
    describe_rings,
    ring_evidence,
    ring_members,
    ring_supply,
    with_score,
)
from splitscan.rings.graph import EdgeSettings, build_edges, entity_homes, with_house_key
from splitscan.rings.partition import edges_within, group_components, supply_backed
from splitscan.rings.picture import PictureStage, render_ring_svg
from splitscan.rings.thresholds import thresholds_from_rules, with_threshold
from splitscan.storage import TableTransaction, ensure_table, overwrite_partition, read_table, table_exists

__all__ = [
    "FEATURE_KEYS",
    "RECORD_COLUMNS",
    "RingResult",
    "RingSettings",
    "entity_records",
    "find_rings",
    "ring_pictures",
    "run",
]

logger = logging.getLogger(__name__)

RECORDS = "silver/import_records"
ENTITIES = "silver/consignee_entities"
HUBS = "silver/hub_attributes"
FEATURES = "silver/resolve_features"
FINDINGS = "gold/ring_findings"

# Resolution's parsed keys the ring stage reads: surname and name key (households, one person under two entities)
# and every address key (units, houses, forwarder suites).
FEATURE_KEYS: tuple[str, ...] = ("surname", "name_sorted_key", *ADDRESS_FEATURE_COLUMNS)
RECORD_COLUMNS: tuple[str, ...] = (
    "record_id",
    "destination_country",
    "arrival_date",
    "order_date",
    "seller_id",
    "value_threshold_ccy",
    "value_usd",
    "name_std",
    "address_std",
    "postcode_std",
    "phone_std",
    "email_std",
    "consignee_id_std",
)


@dataclass(frozen=True)
class RingSettings:
    """Ring detection knobs (see docs/rings.md).

    Attributes:
        edges: edge weights and bounds.
        analysis: Louvain seed, resolution and bridge rule.
        findings: parties per ring, window, duty rate, reporting threshold.
        max_group_size: the most entities handed to one NetworkX call.
        strong_weight: edges kept when an oversized component is split (one phone, e-mail, customs id or drop).
        pictures: pictures drawn for the top rings of a run (0: none).
        require_supply: rings are built from edges whose two entities also share supply (a merchant in common
            within the supply window), plus attribute-only edges that join such cores (`supply_backed`). A nominee
            ring spreads one supply over many names; a household, a shared office phone or a forwarder's
            customers share attributes, not supply.
        attach_links: with `require_supply`, an entity without a supply edge joins a core when it shares
            attributes with this many of the core's members and bought within `findings.window_days` of one of
            them (see `supply_backed`); 0 never attaches. A nominee who got a parcel from another of the ring's
            merchants, or weeks after the others, shares no supply edge but is tied to the ring by its phone and
            drops (docs/rings.md: at 1M, 22 of the 51 rings missed without attachment).
        attach_away_from_home: with `attach_links`, an entity attaches only when one of the members it is linked
            to lives elsewhere (`supply_backed`'s `homes`): a housemate of another surname is not a nominee.
            Attachment without this condition made findings of households of several surnames (docs/rings.md).
    """

    edges: EdgeSettings = field(default_factory=EdgeSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    findings: FindingSettings = field(default_factory=FindingSettings)
    max_group_size: int = 1000
    strong_weight: float = 2.0
    pictures: int = 20
    require_supply: bool = True
    attach_links: int = 2
    attach_away_from_home: bool = True


@dataclass(frozen=True)
class RingResult:
    """The results of one ring detection, as DataFrames (nothing written yet)."""

    findings: DataFrame
    edges: DataFrame
    groups: DataFrame
    analysis: DataFrame

    def largest_group(self) -> int:
        """Entities in the largest group handed to one NetworkX call (one small aggregate)."""
        row = self.groups.groupBy("group_id").count().agg(F.max("count")).first()
        return int(row[0]) if row and row[0] is not None else 0

    def describe(self, *, top: int = 10) -> str:
        """The top rings by score, for the terminal."""
        return describe_rings(self.findings, top=top)


def entity_records(records: DataFrame, entities: DataFrame, features: DataFrame | None = None) -> DataFrame:
    """Records with their consignee entity, resolution's parsed keys and the house key derived from them.

    Args:
        records: `import_records` rows with the columns of `RECORD_COLUMNS`.
        entities: `record_id, entity_id`.
        features: resolution's index (`silver/resolve_features`: `record_id` and the columns of `FEATURE_KEYS`),
            whose keys were parsed when the records were resolved; None parses them again (`with_features`).

    Returns:
        One row per record that has an entity: `RECORD_COLUMNS` (identity text dropped) plus `entity_id`,
        `FEATURE_KEYS` and `house_key` (`rings.graph.with_house_key`, over the records that have an entity).
    """
    keep = [c for c in RECORD_COLUMNS if c not in ("name_std", "address_std")]
    if features is None:
        featured = with_features(records.select(*RECORD_COLUMNS)).select(*keep, *FEATURE_KEYS)
    else:
        featured = records.select(*keep).join(features.select("record_id", *FEATURE_KEYS), "record_id")
    return with_house_key(featured.join(entities.select("record_id", "entity_id"), "record_id"))


def find_rings(
    records: DataFrame,
    entities: DataFrame,
    hubs: DataFrame,
    thresholds: DataFrame,
    *,
    previous: DataFrame | None = None,
    features: DataFrame | None = None,
    settings: RingSettings = RingSettings(),
) -> RingResult:
    """Detect nominee rings.

    Args:
        records: `import_records` rows (columns of `RECORD_COLUMNS`).
        entities: `record_id, entity_id` (resolution's `consignee_entities`).
        hubs: `attribute, value` (resolution's `hub_attributes`): these values make no edges.
        thresholds: `destination_country, valid_from, valid_to, threshold, currency` (`thresholds_from_rules`
            over detect's rule table).
        previous: an earlier run's `ring_id, members`, so rings keep their ids; None on the first run.
        features: resolution's parsed keys per record (see `entity_records`); None parses them again.
        settings: knobs.

    Returns:
        Findings (one row per ring scoring at least `settings.findings.min_score`, contract columns except
        `run_date`, `picture_path`, `run_id`, `created_at`), the ring graph's edges (supply-backed only when
        `settings.require_supply`), the groups and the per-node analysis.

    Runs Spark jobs (connected components, checks for oversized components) before returning.
    """
    # Checkpointed, not persisted: nothing unpersisted it, so every run left its plan and blocks in the session's
    # cache manager (a long-lived session, such as the test suite's, kept them all).
    er = entity_records(records, entities, features).localCheckpoint(eager=True)
    edges = build_edges(er, hubs, settings=settings.edges).localCheckpoint(eager=True)
    if settings.require_supply:
        purchases = er.select("entity_id", F.coalesce(F.col("order_date"), F.col("arrival_date")).alias("day")).where(
            F.col("day").isNotNull()
        )
        # Materialised: grouping, analysis, evidence and pictures all read the ring graph.
        edges = supply_backed(
            edges,
            min_attach_links=settings.attach_links,
            activity=purchases,
            attach_days=settings.findings.window_days,
            homes=entity_homes(er) if settings.attach_away_from_home else None,
        ).localCheckpoint(eager=True)
    groups = group_components(edges, max_group_size=settings.max_group_size, strong_weight=settings.strong_weight)
    analysis = analyse_groups(edges_within(edges, groups), settings=settings.analysis).localCheckpoint(eager=True)
    members = ring_members(analysis, min_parties=settings.findings.min_parties)

    per_ring = members.groupBy("ring_key").agg(
        F.array_sort(F.collect_list("node")).alias("members"),
        F.first("n_members").alias("n_members"),
        F.first("n_parties").alias("n_parties"),
        F.first("density").alias("density"),
        F.first("max_core").alias("max_core"),
        F.first("bridges").alias("bridges"),
        F.max_by("node", F.col("is_organiser").cast("int")).alias("organiser"),
        F.max(F.when(F.col("is_organiser"), F.col("betweenness"))).alias("organiser_betweenness"),
    )
    supply = ring_supply(members, with_threshold(er, thresholds), window_days=settings.findings.window_days)
    rings = with_score(
        per_ring.join(ring_evidence(members, edges), "ring_key").join(supply, "ring_key"),
        duty_rate=settings.findings.duty_rate,
    ).where(F.col("score") >= settings.findings.min_score)

    kept = members.join(rings.select("ring_key"), "ring_key", "left_semi")
    prior = (
        None
        if previous is None
        else previous.select(F.explode("members").alias("node"), F.col("ring_id").alias("entity_id"))
    )
    ids = assign_stable_ids(kept.select("node", F.col("ring_key").alias("component")), prior, id_prefix="R")
    ring_ids = (
        kept.select("node", "ring_key").join(ids, "node").groupBy("ring_key").agg(F.first("entity_id").alias("ring_id"))
    )
    findings = rings.join(ring_ids, "ring_key").drop("ring_key", "organiser_betweenness")
    return RingResult(findings=findings, edges=edges, groups=groups, analysis=analysis)


def ring_pictures(findings: DataFrame, edges: DataFrame, *, stage: PictureStage, top: int, seed: int) -> dict[str, str]:
    """Draw the `top` rings by score into `stage` (published to `<warehouse>/reports/rings/` by `stage.publish()`).

    Args:
        findings: `ring_id, score, members, organiser` per ring.
        edges: `src, dst, evidence` of the graph.
        stage: the run's staging folder for pictures.
        top: rings to draw.
        seed: layout seed.

    Returns:
        `ring_id -> picture path` (the path once published). Only the top rings and their own edges reach the
        driver.
    """
    if top <= 0:
        return {}
    chosen = (
        findings.orderBy(F.col("score").desc(), "ring_id").limit(top).select("ring_id", "score", "members", "organiser")
    )
    heads = chosen.collect()
    if not heads:
        return {}
    member_of = chosen.select("ring_id", F.explode("members").alias("node"))
    inside = (
        edges.join(member_of.withColumnRenamed("node", "src"), "src")
        .join(member_of.select(F.col("ring_id").alias("_r"), F.col("node").alias("dst")), "dst")
        .where(F.col("ring_id") == F.col("_r"))
        .select("ring_id", "src", "dst", "evidence")
        .collect()
    )
    paths: dict[str, str] = {}
    for head in heads:
        links = [(r["src"], r["dst"], list(r["evidence"])) for r in inside if r["ring_id"] == head["ring_id"]]
        svg = render_ring_svg(
            list(head["members"]),
            links,
            head["organiser"],
            title=f"ring {head['ring_id']}  score {head['score']:.1f}  {len(head['members'])} members",
            seed=seed,
        )
        paths[head["ring_id"]] = stage.write(svg, head["ring_id"])
    logger.info("drew %d ring pictures into %s", len(paths), stage.folder)
    return paths


def _previous_findings(spark: SparkSession, path: str, run_date: dt.date) -> DataFrame | None:
    """The latest run before `run_date`: `ring_id, members` (None when there is none)."""
    table = read_table(spark, path)
    row = table.where(F.col("run_date") < F.lit(run_date)).agg(F.max("run_date")).first()
    if row is None or row[0] is None:
        return None
    return table.where(F.col("run_date") == F.lit(row[0])).select("ring_id", "members")


def run(
    spark: SparkSession,
    config: Config,
    *,
    run_date: dt.date,
    settings: RingSettings = RingSettings(),
    thresholds: DataFrame | None = None,
) -> RingResult:
    """Detect rings over every record and publish `gold/ring_findings` for `run_date`, then its pictures.

    Args:
        spark: the session.
        config: warehouse location.
        run_date: the partition written; a re-run for the same date replaces it with the same rows.
        settings: knobs.
        thresholds: the threshold table; None derives it from detect's shipped rule table
            (`thresholds_from_rules`), the same rules split detection applies.

    Returns:
        The result; its `findings` carry the written columns.
    """
    run_id = f"rings-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    path = config.table_path(*FINDINGS.split("/"))
    contract = load_contract(FINDINGS)
    ensure_table(spark, path, contract)
    records = read_table(spark, config.table_path(*RECORDS.split("/"))).select(*RECORD_COLUMNS)
    entities = read_table(spark, config.table_path(*ENTITIES.split("/"))).select("record_id", "entity_id")
    hubs = read_table(spark, config.table_path(*HUBS.split("/"))).select("attribute", "value")
    # Resolution's index holds every resolved record's parsed name and address keys: reuse them, don't re-parse.
    index_path = config.table_path(*FEATURES.split("/"))
    features = read_table(spark, index_path) if table_exists(spark, index_path) else None
    result = find_rings(
        records,
        entities,
        hubs,
        thresholds_from_rules(rules_frame(spark, load_rules())) if thresholds is None else thresholds,
        previous=_previous_findings(spark, path, run_date),
        features=features,
        settings=settings,
    )
    findings = result.findings.localCheckpoint(eager=True)
    # Pictures are staged and move into reports/rings only once the table has committed: a refused or failed run
    # leaves the pictures as they were, matching the table.
    stage = PictureStage(config.warehouse_uri, run_id)
    try:
        pictures = ring_pictures(
            findings, result.edges, stage=stage, top=settings.pictures, seed=settings.analysis.seed
        )
        drawn = spark.createDataFrame(list(pictures.items()), "ring_id string, picture_path string")
        out = (
            findings.join(drawn, "ring_id", "left")
            .withColumn("run_date", F.lit(run_date))
            .withColumn("run_id", F.lit(run_id))
            .withColumn("created_at", F.lit(now).cast("timestamp"))
        )
        out = audit_for_publish(out, contract)  # a ring row that breaks the contract refuses the run; nothing written
        with TableTransaction(spark, [path]):
            version = overwrite_partition(out, path, contract, f"run_date = '{run_date.isoformat()}'")
        published = stage.publish()
    finally:
        stage.discard()
    logger.info(
        "rings %s: wrote %s version %d and %d pictures; largest group %d entities",
        run_id,
        path,
        version,
        published,
        result.largest_group(),
    )
    return RingResult(findings=out, edges=result.edges, groups=result.groups, analysis=result.analysis)
