"""The resolve job: standardised import records -> `consignee_entities` and `hub_attributes`.

Order of work: features (parsed name and address keys) -> hubs -> candidate pairs (blocking) -> comparison
levels -> u from random pairs, m and lambda by EM on the candidate pairs -> scores with term-frequency
adjustment -> links -> components with the chaining guard -> stable entity ids (the previous run's ids carried
over) -> per-record link evidence. Everything runs as DataFrame operations; only aggregated pattern counts and
small reports reach the driver.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from functools import reduce

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.resolve.blocking import candidate_pairs, find_hubs, rule_report
from splitscan.resolve.compare import COMPARE_INPUT_COLUMNS, compare_pairs
from splitscan.resolve.components import assign_stable_ids, guarded_components
from splitscan.resolve.features import with_features
from splitscan.resolve.fellegi_sunter import TF_ADJUSTMENTS, MatchModel, estimate_m, estimate_u, score_pairs
from splitscan.storage import TableTransaction, ensure_table, merge_on_keys, overwrite_partition, read_table

__all__ = ["Resolution", "ResolveSettings", "resolve_records", "run", "term_frequencies"]

logger = logging.getLogger(__name__)

RECORDS = "silver/import_records"
ENTITIES = "silver/consignee_entities"
HUBS = "silver/hub_attributes"


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
    """The results of one resolution, as DataFrames (nothing written yet)."""

    entities: DataFrame
    links: DataFrame
    hubs: DataFrame
    chain_reports: DataFrame
    rule_report: DataFrame
    model: MatchModel

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
        lines = [
            f"resolved {row['records'] if row else 0} records into {row['n'] if row else 0} consignee entities "
            f"(largest {row['big'] if row else 0} records)",
            f"hub attributes by class: {dict(sorted(hubs.items()))}",
            "candidate pairs by blocking rule (pairs, found by that rule only):",
        ]
        lines += [
            f"  {r['rule']:<24} {r['pairs']:>10} {r['only_this_rule']:>10}"
            for r in self.rule_report.orderBy("rule").collect()
        ]
        return "\n".join(lines)


def term_frequencies(features: DataFrame) -> DataFrame:
    """`column, value, tf`: the share of records carrying each value of every term-frequency-adjusted key."""
    total = features.count()
    frames = []
    for adj in {a.tf_column: a for a in TF_ADJUSTMENTS}.values():
        value = F.concat_ws("|", *[F.col(s) for s in adj.sources])
        present = reduce(lambda a, b: a & b, [F.col(s).isNotNull() for s in adj.sources])
        frames.append(
            features.filter(present)
            .groupBy(value.alias("value"))
            .agg((F.count(F.lit(1)) / F.lit(max(total, 1))).alias("tf"))
            .select(F.lit(adj.tf_column).alias("column"), "value", "tf")
        )
    return reduce(lambda a, b: a.unionByName(b), frames)


def _sides(pairs: DataFrame, features: DataFrame) -> DataFrame:
    cols = sorted(set(COMPARE_INPUT_COLUMNS) | {"name_key", "building_key", "postcode_std", "phone_std"})
    left = features.select(F.col("record_id").alias("record_id_l"), *[F.col(c).alias(f"{c}_l") for c in cols])
    right = features.select(F.col("record_id").alias("record_id_r"), *[F.col(c).alias(f"{c}_r") for c in cols])
    return pairs.join(left, "record_id_l").join(right, "record_id_r")


def _evidence_text(scored: DataFrame) -> DataFrame:
    """One line per link: other record, weight and the field weights, readable on a case page."""
    fields = [c for c in scored.columns if c.startswith("w_")]
    parts = [F.format_string(f"{c[2:]} %+.1f", F.col(c)) for c in fields]
    return scored.select(
        "record_id_l",
        "record_id_r",
        "match_weight",
        F.concat_ws(", ", *parts).alias("_fields"),
    )


def resolve_records(
    records: DataFrame, *, previous: DataFrame | None = None, settings: ResolveSettings = ResolveSettings()
) -> Resolution:
    """Resolve standardised records into consignee entities.

    Args:
        records: `record_id, name_std, address_std, postcode_std, phone_std, consignee_id_std, email_std`.
        previous: the previous run's `record_id, entity_id`, so that entities keep their ids.
        settings: thresholds and caps.

    Returns:
        The entities (`record_id, entity_id, cluster_size, joined_by, link_evidence`), the scored links, the hubs,
        the chaining reports, the per-rule blocking report and the fitted model.
    """
    features = with_features(records).persist(StorageLevel.MEMORY_AND_DISK)
    hubs = find_hubs(features, max_identities=settings.max_identities).persist()
    pairs = candidate_pairs(features, hubs, max_block_size=settings.max_block_size)
    gammas = compare_pairs(_sides(pairs, features)).persist(StorageLevel.MEMORY_AND_DISK)
    u = estimate_u(features, target_pairs=settings.u_sample_pairs, seed=settings.seed)
    em = estimate_m(gammas, u)
    model = MatchModel.from_estimates(u, em, link_threshold=settings.link_threshold)
    scored = score_pairs(gammas, model, term_frequencies(features)).persist(StorageLevel.MEMORY_AND_DISK)
    logger.info("EM: %d iterations, converged %s, lambda %.4g", em.iterations, em.converged, em.lambda_)

    linked = scored.filter(F.col("decision") == "link")
    edges = linked.select(
        F.col("record_id_l").alias("src"), F.col("record_id_r").alias("dst"), F.col("match_weight").alias("weight")
    )
    # Every record is a node, linked or not: a self link with no weight makes a record its own entity.
    alone = features.select(
        F.col("record_id").alias("src"), F.col("record_id").alias("dst"), F.lit(None).cast("double").alias("weight")
    )
    assignments, chains = guarded_components(
        edges.unionByName(alone),
        strong_threshold=settings.strong_threshold_weight,
        min_independent_links=settings.min_independent_links,
    )
    prev = None if previous is None else previous.select(F.col("record_id").alias("node"), "entity_id")
    ids = assign_stable_ids(assignments.select("node", "component"), prev)
    evidence = _evidence_text(linked)
    per_record = (
        evidence.select(
            F.col("record_id_l").alias("record_id"), F.col("record_id_r").alias("other"), "match_weight", "_fields"
        )
        .unionByName(
            evidence.select(
                F.col("record_id_r").alias("record_id"), F.col("record_id_l").alias("other"), "match_weight", "_fields"
            )
        )
        .groupBy("record_id")
        .agg(
            F.array_sort(
                F.collect_list(F.format_string("%s: weight %.1f (%s)", "other", "match_weight", "_fields"))
            ).alias("link_evidence")
        )
    )
    entities = (
        ids.select(F.col("node").alias("record_id"), "entity_id")
        .join(assignments.select(F.col("node").alias("record_id"), "joined_by"), "record_id")
        .join(per_record, "record_id", "left")
        .withColumn("cluster_size", F.count(F.lit(1)).over(Window.partitionBy("entity_id")))
        .select(
            "record_id",
            "entity_id",
            F.col("cluster_size").cast("long"),
            F.when(F.col("joined_by") == "single", "alone").otherwise(F.col("joined_by")).alias("joined_by"),
            F.coalesce("link_evidence", F.array().cast("array<string>")).alias("link_evidence"),
        )
    )
    return Resolution(entities, scored, hubs, chains, rule_report(pairs), model)


def run(
    spark: SparkSession, config: Config, *, run_date: dt.date, settings: ResolveSettings = ResolveSettings()
) -> Resolution:
    """Resolve every record in `import_records` and publish `consignee_entities` and `hub_attributes`."""
    run_id = f"resolve-{run_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    paths = {name: config.table_path(*name.split("/")) for name in (ENTITIES, HUBS)}
    for name, path in paths.items():
        ensure_table(spark, path, load_contract(name))
    previous = read_table(spark, paths[ENTITIES]).select("record_id", "entity_id")
    has_previous = previous.limit(1).count() > 0
    records = read_table(spark, config.table_path("silver", "import_records")).select(
        "record_id", "name_std", "address_std", "postcode_std", "phone_std", "consignee_id_std", "email_std"
    )
    result = resolve_records(records, previous=previous if has_previous else None, settings=settings)
    entities = result.entities.withColumn("run_id", F.lit(run_id)).withColumn(
        "resolved_at", F.lit(now).cast("timestamp")
    )
    hubs = result.hubs.withColumn("run_id", F.lit(run_id))
    with TableTransaction(spark, list(paths.values())):
        merge_on_keys(entities, paths[ENTITIES], load_contract(ENTITIES))
        # Hubs are recomputed from all records each run: the table is replaced whole.
        overwrite_partition(hubs, paths[HUBS], load_contract(HUBS), "1 = 1")
    return result
