"""The parcels of each case with the evidence that joins them (gold `case_records`)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

__all__ = ["RECORD_COLUMNS", "case_records", "links_touching"]

RECORD_COLUMNS: tuple[str, ...] = (
    "record_id",
    "destination_country",
    "arrival_date",
    "consignee_name",
    "consignee_address",
    "consignee_phone",
    "consignee_id",
    "seller_id",
    "tracking_number",
    "goods_description",
    "hs_code",
    "declared_value",
    "currency",
    "value_threshold_ccy",
    "threshold_currency",
    "value_usd",
)


def links_touching(edges: str, entity: str) -> Column:
    """The ring edges ('a -- b (weight w, tier): kind=value, ...') with `entity` at either end."""
    return F.filter(
        F.col(edges),
        lambda e: (
            e.startswith(F.concat(F.col(entity), F.lit(" -- ")))
            | e.contains(F.concat(F.lit(" -- "), F.col(entity), F.lit(" (")))
        ),
    )


def case_records(
    cases: DataFrame, splits: DataFrame, rings: DataFrame, records: DataFrame, entities: DataFrame
) -> DataFrame:
    """One row per case and parcel.

    Args:
        cases: `case_id, record_ids, ring_ids` (a ring case has one ring id).
        splits: the run's split findings: `finding_id, record_ids, part_limit`.
        rings: the run's ring findings: `ring_id, record_ids, edges`.
        records: silver `import_records` (columns of `RECORD_COLUMNS`).
        entities: silver `consignee_entities`: `record_id, entity_id, link_evidence`.

    Returns:
        The `case_records` columns except `run_id`: the parcel as declared, `part_limit` (the smallest of the split
        findings holding it, null when none), `finding_ids`, `in_ring`, `link_evidence` and `ring_links` (the case
        ring's edges touching the parcel's entity; empty for a split case).
    """
    parcels = cases.select(
        "case_id", F.try_element_at("ring_ids", F.lit(1)).alias("ring_id"), F.explode("record_ids").alias("record_id")
    )
    held = (
        splits.select("finding_id", "part_limit", F.explode("record_ids").alias("record_id"))
        .groupBy("record_id")
        .agg(
            F.array_sort(F.collect_list("finding_id")).alias("finding_ids"),
            F.min("part_limit").cast("decimal(18,2)").alias("part_limit"),
        )
    )
    ring_parcels = rings.select("ring_id", F.explode("record_ids").alias("record_id"), F.lit(True).alias("in_ring"))
    return (
        parcels.join(records.select(*RECORD_COLUMNS), "record_id")
        .join(entities.select("record_id", "entity_id", "link_evidence"), "record_id")
        .join(held, "record_id", "left")
        .join(ring_parcels, ["ring_id", "record_id"], "left")
        .join(rings.select("ring_id", "edges"), "ring_id", "left")
        .select(
            "case_id",
            *RECORD_COLUMNS,
            "entity_id",
            "part_limit",
            F.coalesce("finding_ids", F.array().cast("array<string>")).alias("finding_ids"),
            F.coalesce("in_ring", F.lit(False)).alias("in_ring"),
            F.coalesce("link_evidence", F.array().cast("array<string>")).alias("link_evidence"),
            F.coalesce(links_touching("edges", "entity_id"), F.array().cast("array<string>")).alias("ring_links"),
        )
    )
