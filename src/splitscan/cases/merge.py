"""Split findings and ring findings merged into candidate cases (docs/cases.md, "Merging findings into cases").

A ring case is a ring finding plus every split finding of its member entities; a split case is every split finding
of one entity that is in no ring. An entity in two rings of one run belongs to the ring with the higher score
(ties: the smaller ring id): its split findings join that ring's case only. A case's parcels are the union of its
findings' record ids. Every function here is a pure DataFrame -> DataFrame transform.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = [
    "CORROBORATION",
    "PARCEL_COLUMNS",
    "RING_COLUMNS",
    "SPLIT_COLUMNS",
    "candidate_cases",
    "finding_rows",
    "ring_of_entity",
]

# Columns read from each input.
SPLIT_COLUMNS: tuple[str, ...] = (
    "finding_id",
    "rule_id",
    "jurisdiction",
    "entity_id",
    "window_start",
    "window_end",
    "record_ids",
    "part_limit",
    "currency",
    "duty_at_stake_usd",
    "score",
    "reasons",
    "business_consignee",
)
RING_COLUMNS: tuple[str, ...] = (
    "ring_id",
    "score",
    "reasons",
    "members",
    "record_ids",
    "shared_attributes",
    "sellers_in_common",
    "parcels_under_threshold",
    "duty_at_stake_usd",
    "picture_path",
)
PARCEL_COLUMNS: tuple[str, ...] = ("record_id", "destination_country", "arrival_date", "value_usd")

# Each finding besides the strongest closes this share of the remaining doubt, times its own strength.
CORROBORATION = 0.25
# Only the strongest few others corroborate: a heavy importer's hundred weak findings are not a hundred proofs.
MAX_CORROBORATING = 3
# Reason lines kept per case: the ring's reasons and one line per split finding, strongest first.
MAX_REASONS = 10


def ring_of_entity(rings: DataFrame) -> DataFrame:
    """`entity_id, ring_id`: the ring each member entity belongs to (the higher score, ties the smaller id)."""
    order = Window.partitionBy("entity_id").orderBy(F.col("score").desc(), F.col("ring_id"))
    return (
        rings.select("ring_id", "score", F.explode("members").alias("entity_id"))
        .withColumn("_n", F.row_number().over(order))
        .where(F.col("_n") == 1)
        .select("entity_id", "ring_id")
    )


def finding_rows(splits: DataFrame, rings: DataFrame) -> DataFrame:
    """Every finding with the anchor of the case it goes to.

    Returns:
        One row per split and ring finding: `anchor` (`ring:<ring_id>` or `split:<entity_id>`), `kind`
        (split | ring), `finding_id` (null for a ring), `ring_id` (null for a split finding), `entity_ids`,
        `record_ids`, `strength` (0-1), `duty_at_stake_usd` (double), `jurisdiction` (null for a ring),
        `month` (of the window's end, null for a ring), `reasons`, and the split finding's `rule_id`,
        `part_limit`, `currency` (null for a ring).
    """
    home = ring_of_entity(rings)
    split_rows = splits.join(home, "entity_id", "left").select(
        F.when(F.col("ring_id").isNotNull(), F.concat(F.lit("ring:"), "ring_id"))
        .otherwise(F.concat(F.lit("split:"), "entity_id"))
        .alias("anchor"),
        F.lit("split").alias("kind"),
        "finding_id",
        F.lit(None).cast("string").alias("ring_id"),
        F.array("entity_id").alias("entity_ids"),
        "record_ids",
        F.col("score").cast("double").alias("strength"),
        F.col("duty_at_stake_usd").cast("double").alias("duty_at_stake_usd"),
        "jurisdiction",
        F.date_format("window_end", "yyyy-MM").alias("month"),
        F.array(
            F.format_string(
                "split finding %s (score %.2f): %s; %s",
                F.col("finding_id"),
                F.col("score"),
                F.coalesce(F.try_element_at("reasons", F.lit(1)), F.lit("")),
                F.coalesce(F.try_element_at("reasons", F.lit(2)), F.lit("")),
            )
        ).alias("reasons"),
        "rule_id",
        F.col("part_limit").cast("decimal(18,2)").alias("part_limit"),
        "currency",
        F.col("business_consignee").cast("boolean").alias("business_consignee"),
    )
    assigned = home.groupBy("ring_id").agg(F.array_sort(F.collect_list("entity_id")).alias("_assigned"))
    ring_rows = rings.join(assigned, "ring_id", "left").select(
        F.concat(F.lit("ring:"), "ring_id").alias("anchor"),
        F.lit("ring").alias("kind"),
        F.lit(None).cast("string").alias("finding_id"),
        "ring_id",
        F.coalesce("_assigned", F.array().cast("array<string>")).alias("entity_ids"),
        "record_ids",
        (F.col("score").cast("double") / 100.0).alias("strength"),
        F.col("duty_at_stake_usd").cast("double").alias("duty_at_stake_usd"),
        F.lit(None).cast("string").alias("jurisdiction"),
        F.lit(None).cast("string").alias("month"),
        F.transform("reasons", lambda r: F.concat(F.lit("ring "), F.col("ring_id"), F.lit(": "), r)).alias("reasons"),
        F.lit(None).cast("string").alias("rule_id"),
        F.lit(None).cast("decimal(18,2)").alias("part_limit"),
        F.lit(None).cast("string").alias("currency"),
        F.lit(None).cast("boolean").alias("business_consignee"),
    )
    return split_rows.unionByName(ring_rows)


def _evidence(strengths: Column) -> Column:
    """1 - (1 - s_max) * prod over the next `MAX_CORROBORATING` strongest of (1 - CORROBORATION * s_i)."""
    ordered = F.reverse(F.array_sort(strengths))
    others = F.slice(ordered, 2, MAX_CORROBORATING)
    doubt = F.aggregate(others, F.lit(1.0), lambda acc, s: acc * (F.lit(1.0) - F.lit(CORROBORATION) * s))
    return F.round(F.lit(1.0) - (F.lit(1.0) - F.element_at(ordered, 1)) * doubt, 4)


def candidate_cases(splits: DataFrame, rings: DataFrame, parcels: DataFrame) -> DataFrame:
    """Merge the run's findings into candidate cases, one row per anchor.

    Args:
        splits: split findings of the run (columns of `SPLIT_COLUMNS`).
        rings: ring findings of the run (columns of `RING_COLUMNS`).
        parcels: `record_id, destination_country, arrival_date, value_usd` of (at least) the findings' parcels.

    Returns:
        One row per case: `anchor, case_type, entity_ids, n_entities, record_ids, n_records, finding_ids, ring_ids,
        n_findings, evidence, split_score, ring_score, history_months, reasons, duty_at_stake_usd (decimal),
        total_value_usd, first_arrival, last_arrival, jurisdiction, jurisdictions, picture_path`, and for the
        summary `shared_attributes, n_sellers, parcels_under_threshold, lead_rule, lead_part_limit, lead_currency`.

    Duty at stake counts a parcel once: each finding's duty is spread evenly over its parcels and a parcel keeps
    its largest share. The case's jurisdiction is the one with the most of that duty (a ring's parcel counts for
    its destination country), ties the smaller code.
    """
    rows = finding_rows(splits, rings)
    # The lead split finding (the strongest, then the most duty) names the rule and limit in the summary.
    lead_order = F.struct(
        (F.col("kind") == "split").alias("_split"), F.col("strength"), F.col("duty_at_stake_usd"), F.col("finding_id")
    )
    per_case = rows.groupBy("anchor").agg(
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("entity_ids")))).alias("entity_ids"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("record_ids")))).alias("record_ids"),
        F.array_sort(F.collect_list("finding_id")).alias("finding_ids"),
        F.array_sort(F.collect_list("ring_id")).alias("ring_ids"),
        F.count(F.lit(1)).cast("int").alias("n_findings"),
        _evidence(F.collect_list("strength")).alias("evidence"),
        F.max(F.when(F.col("kind") == "split", F.col("strength"))).alias("split_score"),
        F.max(F.when(F.col("kind") == "ring", F.col("strength") * 100.0)).alias("ring_score"),
        F.count_distinct("month").cast("int").alias("history_months"),
        F.collect_list(
            F.struct(
                (-F.col("strength")).alias("_order"),
                F.coalesce("finding_id", "ring_id").alias("_id"),
                F.col("reasons").alias("_reasons"),
            )
        ).alias("_reason_groups"),
        F.max_by(F.when(F.col("kind") == "split", F.col("rule_id")), lead_order).alias("lead_rule"),
        F.max_by(F.when(F.col("kind") == "split", F.col("part_limit")), lead_order).alias("lead_part_limit"),
        F.max_by(F.when(F.col("kind") == "split", F.col("currency")), lead_order).alias("lead_currency"),
        # A split case whose every finding is a business importer's (a ring is never one).
        (F.bool_and(F.col("kind") == "split") & F.coalesce(F.bool_and("business_consignee"), F.lit(False))).alias(
            "business"
        ),
    )
    sorted_groups = F.array_sort("_reason_groups")
    reasons = F.flatten(F.transform(sorted_groups, lambda g: g["_reasons"]))
    more = F.size(reasons) - F.lit(MAX_REASONS)
    per_case = per_case.withColumn(
        "reasons",
        F.when(
            more > 0,
            F.concat(
                F.slice(reasons, 1, MAX_REASONS),
                F.array(F.format_string("and %d more finding line(s)", more)),
            ),
        ).otherwise(reasons),
    ).drop("_reason_groups")

    shares = rows.select(
        "anchor",
        F.explode("record_ids").alias("record_id"),
        (F.col("duty_at_stake_usd") / F.size("record_ids")).alias("share"),
        "jurisdiction",
    )
    per_parcel = (
        shares.groupBy("anchor", "record_id")
        .agg(
            F.max("share").alias("share"),
            F.max_by("jurisdiction", "share").alias("_finding_jurisdiction"),
            F.array_sort(F.collect_set("jurisdiction")).alias("_finding_jurisdictions"),
        )
        .join(parcels.select(*PARCEL_COLUMNS), "record_id", "left")
        .withColumn("_jurisdiction", F.coalesce("_finding_jurisdiction", "destination_country"))
    )
    by_jurisdiction = (
        per_parcel.where(F.col("_jurisdiction").isNotNull())
        .groupBy("anchor", "_jurisdiction")
        .agg(F.sum("share").alias("_duty"))
        .groupBy("anchor")
        .agg(F.min_by("_jurisdiction", F.struct(-F.col("_duty"), F.col("_jurisdiction"))).alias("jurisdiction"))
    )
    money = per_parcel.groupBy("anchor").agg(
        F.round(F.sum("share"), 2).cast("decimal(18,2)").alias("duty_at_stake_usd"),
        F.sum("value_usd").cast("decimal(18,2)").alias("total_value_usd"),
        F.min("arrival_date").alias("first_arrival"),
        F.max("arrival_date").alias("last_arrival"),
        F.array_sort(
            F.array_distinct(
                F.concat(
                    F.flatten(F.collect_list("_finding_jurisdictions")),
                    F.collect_set("destination_country"),
                )
            )
        ).alias("jurisdictions"),
    )
    ring_facts = rings.select(
        F.concat(F.lit("ring:"), "ring_id").alias("anchor"),
        "shared_attributes",
        F.size("sellers_in_common").cast("int").alias("n_sellers"),
        F.col("parcels_under_threshold").cast("long").alias("parcels_under_threshold"),
        "picture_path",
    )
    return (
        per_case.join(money, "anchor")
        .join(by_jurisdiction, "anchor", "left")
        .join(ring_facts, "anchor", "left")
        .withColumns(
            {
                "case_type": F.when(F.col("anchor").startswith("ring:"), "ring").otherwise("split"),
                "n_entities": F.size("entity_ids").cast("int"),
                "n_records": F.size("record_ids").cast("int"),
                "jurisdiction": F.coalesce("jurisdiction", F.lit("??")),
            }
        )
    )
