"""The consignee graph: entities linked by shared attributes, weighted, with the evidence of every edge.

Nodes are consignee entities (`entity_id` from resolution). Two entities are linked when their records share a
value of one of these attributes (kinds):

* `customs_id`: the same customs id (PCCC) under two entities, i.e. used under another name;
* `phone`, `email`: the same phone number or e-mail address;
* `unit`: the same unit-level address (`unit_key`: building plus flat), home to both or to neither;
* `house`: the same house (`house_key`, see `with_house_key`): an address that is a whole building, written
  without a unit number in a building no parcel addresses with one;
* `drop_address`: the same unit or house, which is one entity's own (most used) delivery point and not the
  other's: a parcel of the other's name or PCCC delivered to someone else's home.

Shared supply (`seller`: the same merchant with overlapping purchase windows) strengthens an edge but never
creates one: the customers of a popular merchant are not a ring (domain.md §4, coincidental same-seller traffic).

Bounds and traps (domain.md §4):
* values listed in `hub_attributes` (forwarders, purchase agents, placeholders) make no edges, nor do phones,
  e-mails and customs ids used mostly at forwarder mailboxes (suite numbers of five digits or more); building-level
  addresses are used only for houses (never for a building any parcel addresses by unit, a named complex or a PO
  box), so apartment neighbours link only if they share a unit, and a house's building key listed as a hub
  (resolution's `apartment_building`) makes no edges either;
* a value shared by more than `max_entities_per_value` entities makes no edges either (treated as a hub), so one
  value yields at most max*(max-1)/2 pairs and edge building is never quadratic in the data;
* a pair with one surname and one home (the same most used unit or house; or, when neither has a home, the same
  phone) is a household: its edge is kept, in tier `household`, and ring analysis counts a household as one party
  (a household is not a ring by itself). Relatives who live apart are separate parties even when they share a
  phone: a household is people at one address (domain.md §4). A pair sharing a customs id, or a phone or e-mail and
  one name (resolution's order- and spelling-tolerant `name_sorted_key`), is one party too (tier `same_identity`):
  two spellings of one person that resolution left apart must not look like two nominees.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = [
    "ADDRESS_KINDS",
    "ATTRIBUTE_COLUMNS",
    "DEFAULT_WEIGHTS",
    "EdgeSettings",
    "attribute_edges",
    "attribute_pairs",
    "build_edges",
    "delivery_point",
    "entity_attributes",
    "entity_homes",
    "forwarder_values",
    "with_house_key",
    "with_supply",
]

logger = logging.getLogger(__name__)

# Edge kind -> the record column it is read from. `drop_address` is derived from `unit` and `house`.
ATTRIBUTE_COLUMNS: Mapping[str, str] = {
    "customs_id": "consignee_id_std",
    "phone": "phone_std",
    "email": "email_std",
    "unit": "unit_key",
    "house": "house_key",
}
# Delivery points: where a parcel is left. A person's home is the delivery point most of their parcels go to.
ADDRESS_KINDS: tuple[str, ...] = ("unit", "house")
# Edge kind -> the column resolution's hub list names (`hub_attributes.attribute`): a house key is a building key.
_HUB_ATTRIBUTES: Mapping[str, str] = {**ATTRIBUTE_COLUMNS, "house": "building_key"}
# A stolen or borrowed customs id is the strongest single sign (domain.md §1.3); a shared phone or mailbox, or a
# parcel sent to someone else's home, next; a shared unit or house that is home to both or to neither is weaker.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "customs_id": 3.0,
    "phone": 2.0,
    "email": 2.0,
    "drop_address": 2.0,
    "unit": 1.5,
    "house": 1.5,
}
TIER_RING, TIER_HOUSEHOLD, TIER_SAME_IDENTITY = "ring", "household", "same_identity"


@dataclass(frozen=True)
class EdgeSettings:
    """Edge weights and bounds.

    Attributes:
        weights: weight of one shared value, per kind; an edge's weight is the sum over its shared values.
        supply_weight: added per merchant the pair has in common (at most `max_supply_sellers` of them).
        max_supply_sellers: merchants counted towards the supply weight.
        supply_slack_days: two purchases from one merchant count as one supply when this close in time.
        max_entities_per_value: a value shared by more entities makes no edges (treated as a hub).
        forwarder_suite_digits: a suite number this long marks a forwarder mailbox (domain.md §4).
        forwarder_share: a phone, e-mail or customs id used mostly (this share of its records or more) at
            forwarder mailboxes belongs to the forwarder, and makes no edges.
    """

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    supply_weight: float = 0.5
    max_supply_sellers: int = 2
    supply_slack_days: int = 14
    max_entities_per_value: int = 50
    forwarder_suite_digits: int = 5
    forwarder_share: float = 0.5


def _modal(df: DataFrame, key: str, value: str, alias: str) -> DataFrame:
    """`key, alias`: the most frequent non-null `value` per `key`, ties to the smallest value."""
    counted = df.where(F.col(value).isNotNull()).groupBy(key, value).agg(F.count(F.lit(1)).alias("_n"))
    first = Window.partitionBy(key).orderBy(F.col("_n").desc(), F.col(value).asc())
    return (
        counted.withColumn("_rank", F.row_number().over(first))
        .where(F.col("_rank") == 1)
        .select(key, F.col(value).alias(alias))
    )


def with_house_key(records: DataFrame) -> DataFrame:
    """Add `house_key`: the building key of a parcel addressed to a whole building, in a building used as a house.

    Args:
        records: one row per record with resolution's address keys `building_key`, `complex_key`, `unit`,
            `is_po_box`.

    Returns:
        `records` with `house_key`: the record's `building_key` when the address names a building (a street or
        lot number), no unit, no named complex and no PO box, and no record of `records` addresses that building
        with a unit; else null. A house, or a small building delivered as one, is one delivery point, like a unit.
        A building some parcels address by unit has several (apartments, offices, a forwarder's suites): there a
        parcel without its unit number is a unit left out, not a house, and it links nobody. Named complexes
        (`주공5단지`) and PO boxes without a box number are never one delivery point.
    """
    addressed = (
        F.col("building_key").isNotNull()
        & F.col("unit").isNull()
        & F.col("complex_key").isNull()
        & ~F.coalesce(F.col("is_po_box"), F.lit(False))
    )
    # A window, not a self-join: `records` is usually computed by resolution's parsing UDFs, which a self-join
    # would run twice.
    has_units = F.max(F.col("unit").isNotNull()).over(Window.partitionBy("building_key"))
    return records.withColumn("house_key", F.when(addressed & ~has_units, F.col("building_key")))


def delivery_point() -> Column:
    """A record's delivery point: its unit key, else its house key (see `with_house_key`); null when neither."""
    return F.coalesce(F.col(ATTRIBUTE_COLUMNS["unit"]), F.col(ATTRIBUTE_COLUMNS["house"]))


def entity_homes(entity_records: DataFrame) -> DataFrame:
    """`entity_id, home`: each entity's most used delivery point (unit, else house; ties to the smallest key), for
    entities with at least one readable delivery point."""
    return _modal(entity_records.withColumn("_point", delivery_point()), "entity_id", "_point", "home")


def entity_attributes(entity_records: DataFrame, hubs: DataFrame) -> DataFrame:
    """Distinct attribute values per entity, hub values removed.

    Args:
        entity_records: one row per record with `entity_id` and the columns of `ATTRIBUTE_COLUMNS`.
        hubs: `attribute, value` of generic values (resolution's `hub_attributes`); `attribute` is a column name
            (a `building_key` hub removes that building as a house).

    Returns:
        `entity_id, kind, value, is_home`: `is_home` is true on the entity's home (its most used delivery point,
        unit or house), false otherwise.
    """
    long = entity_records.select(
        "entity_id",
        F.inline(
            F.array(
                *[
                    F.struct(
                        F.lit(kind).alias("kind"),
                        F.lit(_HUB_ATTRIBUTES[kind]).alias("attribute"),
                        F.col(column).alias("value"),
                    )
                    for kind, column in ATTRIBUTE_COLUMNS.items()
                ]
            )
        ),
    ).where(F.col("value").isNotNull() & (F.col("value") != ""))
    generic = hubs.select("attribute", "value").distinct()
    kept = long.join(F.broadcast(generic), ["attribute", "value"], "left_anti").drop("attribute").distinct()
    home = entity_homes(entity_records).withColumnRenamed("home", "_home")
    return kept.join(home, "entity_id", "left").select(
        "entity_id",
        "kind",
        "value",
        (F.col("kind").isin(*ADDRESS_KINDS) & F.coalesce(F.col("value") == F.col("_home"), F.lit(False))).alias(
            "is_home"
        ),
    )


def forwarder_values(entity_records: DataFrame, *, min_suite_digits: int, min_share: float) -> DataFrame:
    """Phones, e-mails and customs ids used mostly at forwarder mailboxes: `attribute, value`.

    Args:
        entity_records: one row per record with `suite_digits` (digits in the address's suite number) and the
            columns of `ATTRIBUTE_COLUMNS`.
        min_suite_digits: suite numbers this long are forwarder mailboxes (domain.md §4: a customer number).
        min_share: the share of a value's records at such mailboxes from which the value is the forwarder's.

    Returns:
        Values to treat as hubs, as in resolution's `hub_attributes` (attribute = column name). A forwarder
        writes its own phone on its customers' parcels; below resolution's hub size those customers would
        otherwise look linked.
    """
    at_mailbox = F.coalesce(F.col("suite_digits") >= min_suite_digits, F.lit(False))
    long = entity_records.select(
        at_mailbox.alias("_mailbox"),
        F.inline(
            F.array(
                *[
                    F.struct(F.lit(column).alias("attribute"), F.col(column).alias("value"))
                    for kind, column in ATTRIBUTE_COLUMNS.items()
                    if kind not in ADDRESS_KINDS
                ]
            )
        ),
    ).where(F.col("value").isNotNull() & (F.col("value") != ""))
    shares = long.groupBy("attribute", "value").agg(F.avg(F.col("_mailbox").cast("double")).alias("_share"))
    return shares.where(F.col("_share") >= min_share).select("attribute", "value")


def attribute_pairs(attributes: DataFrame, *, max_entities_per_value: int) -> DataFrame:
    """Entity pairs sharing a value: `src, dst, kind, value` with `src < dst`, one row per shared value.

    A value carried by more than `max_entities_per_value` entities is dropped whole, so the pairs per value are
    bounded. A unit or house that is home to exactly one of the two becomes kind `drop_address`.
    """
    per_value = Window.partitionBy("kind", "value")
    bounded = attributes.withColumn("_n", F.count(F.lit(1)).over(per_value)).where(
        (F.col("_n") >= 2) & (F.col("_n") <= max_entities_per_value)
    )
    left = bounded.select("kind", "value", F.col("entity_id").alias("src"), F.col("is_home").alias("_home_src"))
    right = bounded.select("kind", "value", F.col("entity_id").alias("dst"), F.col("is_home").alias("_home_dst"))
    pairs = left.join(right, ["kind", "value"]).where(F.col("src") < F.col("dst"))
    drop = F.col("kind").isin(*ADDRESS_KINDS) & (F.col("_home_src") != F.col("_home_dst"))
    return pairs.select("src", "dst", F.when(drop, "drop_address").otherwise(F.col("kind")).alias("kind"), "value")


def _weight_of(kind: Column, weights: Mapping[str, float]) -> Column:
    lookup = F.create_map(*[F.lit(x) for kv in sorted(weights.items()) for x in kv])
    return F.coalesce(lookup[kind], F.lit(0.0))


def attribute_edges(
    pairs: DataFrame, people: DataFrame, *, weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> DataFrame:
    """Aggregate shared values into one weighted edge per entity pair, with its tier.

    Args:
        pairs: `src, dst, kind, value` from `attribute_pairs`.
        people: `entity_id, surname, name, home`, one row per entity: `name` is the entity's most used
            `name_sorted_key`; `home` is its most used delivery point, unit or house (null or missing when unknown,
            e.g. every parcel went to a PO box or an address that could not be read).
        weights: weight per shared value, by kind.

    Returns:
        `src, dst, weight, tier, kinds, evidence`: `evidence` is the sorted `kind=value` list, `kinds` the sorted
        distinct kinds, `tier` is `same_identity` when the pair shares a customs id (one identity that resolution
        left as two entities, or one stolen id: either way one party) or shares a phone or e-mail under one name
        (one person writing the name two ways), else `household` when the two have one surname and one home (the
        same most used unit or house, or no home on either side and a phone in common: a family phone, domain.md
        §4), else `ring`. Relatives living apart (different homes) are `ring`, even when they share a phone or one
        receives at the other's home: a nominee ring often uses the organiser's relatives.
    """
    edges = pairs.groupBy("src", "dst").agg(
        F.sum(_weight_of(F.col("kind"), weights)).alias("weight"),
        F.array_sort(F.collect_set("kind")).alias("kinds"),
        F.array_sort(F.collect_set(F.concat_ws("=", "kind", "value"))).alias("evidence"),
    )

    def ends(end: str) -> DataFrame:
        return people.select(
            F.col("entity_id").alias(end), *[F.col(c).alias(f"_{c}_{end}") for c in ("surname", "name", "home")]
        )

    def same(column: str) -> Column:
        return F.coalesce(F.col(f"_{column}_src") == F.col(f"_{column}_dst"), F.lit(False))

    no_homes = F.col("_home_src").isNull() & F.col("_home_dst").isNull() & F.array_contains(F.col("kinds"), "phone")
    household = (same("home") | no_homes) & same("surname")
    reachable = F.array_contains(F.col("kinds"), "phone") | F.array_contains(F.col("kinds"), "email")
    same_identity = F.array_contains(F.col("kinds"), "customs_id") | (reachable & same("name"))
    return (
        edges.join(ends("src"), "src", "left")
        .join(ends("dst"), "dst", "left")
        .select(
            "src",
            "dst",
            F.col("weight").cast("double").alias("weight"),
            F.when(same_identity, TIER_SAME_IDENTITY)
            .when(household, TIER_HOUSEHOLD)
            .otherwise(TIER_RING)
            .alias("tier"),
            "kinds",
            "evidence",
        )
    )


def with_supply(
    edges: DataFrame,
    entity_records: DataFrame,
    *,
    supply_weight: float,
    max_sellers: int,
    slack_days: int,
) -> DataFrame:
    """Strengthen edges whose two entities bought from the same merchant in overlapping windows.

    Args:
        edges: output of `attribute_edges`.
        entity_records: `entity_id, seller_id, order_date, arrival_date` per record (order date preferred).
        supply_weight: weight added per merchant in common.
        max_sellers: at most this many merchants count towards the weight.
        slack_days: two purchases (order date, else arrival date) overlap when within about this many days (same
            or adjacent bucket of this length: always within `slack_days`, never beyond twice it).

    Returns:
        `edges` with `weight` raised, `seller` added to `kinds` and `seller=<id>` to `evidence` for each merchant
        in common. Only existing edges are looked up (a join on the edge's endpoints), so the work is bounded by
        the edges times the merchants per entity.
    """
    day = F.coalesce(F.col("order_date"), F.col("arrival_date"))
    # Purchases fall in buckets of `slack_days`; two purchases within `slack_days` are in the same or adjacent
    # buckets. Bucketing per purchase (not one first-to-last span per merchant) keeps a regular customer of a
    # merchant from overlapping everyone who ever bought there.
    bucket = F.floor(F.datediff(day, F.lit("1970-01-01").cast("date")) / F.lit(max(slack_days, 1)))
    windows = (
        entity_records.where(F.col("seller_id").isNotNull() & day.isNotNull())
        .select("entity_id", "seller_id", bucket.alias("bucket"))
        .distinct()
    )
    a = windows.select(F.col("entity_id").alias("src"), "seller_id", F.col("bucket").alias("b1"))
    b = windows.select(F.col("entity_id").alias("dst"), "seller_id", F.col("bucket").alias("b2"))
    overlap = F.abs(F.col("b1") - F.col("b2")) <= 1
    common = (
        edges.select("src", "dst")
        .join(a, "src")
        .join(b, ["dst", "seller_id"])
        .where(overlap)
        .groupBy("src", "dst")
        .agg(F.array_sort(F.collect_set("seller_id")).alias("_sellers"))
    )
    n = F.least(F.size("_sellers"), F.lit(max_sellers))
    has = F.col("_sellers").isNotNull()
    return (
        edges.join(common, ["src", "dst"], "left")
        .withColumn("weight", F.col("weight") + F.when(has, n * F.lit(supply_weight)).otherwise(F.lit(0.0)))
        .withColumn(
            "kinds",
            F.when(has, F.array_sort(F.array_union("kinds", F.array(F.lit("seller"))))).otherwise(F.col("kinds")),
        )
        .withColumn(
            "evidence",
            F.when(
                has,
                F.array_sort(F.concat("evidence", F.transform("_sellers", lambda s: F.concat(F.lit("seller="), s)))),
            ).otherwise(F.col("evidence")),
        )
        .drop("_sellers")
    )


def build_edges(entity_records: DataFrame, hubs: DataFrame, *, settings: EdgeSettings = EdgeSettings()) -> DataFrame:
    """The whole edge stage: attributes without hubs, bounded pairs, weighted edges with tiers, supply evidence.

    Args:
        entity_records: one row per record: `record_id, entity_id, surname, name_sorted_key, suite_digits,
            seller_id, order_date, arrival_date` and the columns of `ATTRIBUTE_COLUMNS` (`house_key` from
            `with_house_key`).
        hubs: `attribute, value` (resolution's `hub_attributes`).
        settings: weights and bounds.

    Returns:
        `src, dst, weight, tier, kinds, evidence` (see `attribute_edges` and `with_supply`).
    """
    forwarders = forwarder_values(
        entity_records, min_suite_digits=settings.forwarder_suite_digits, min_share=settings.forwarder_share
    )
    attributes = entity_attributes(entity_records, hubs.select("attribute", "value").unionByName(forwarders))
    pairs = attribute_pairs(attributes, max_entities_per_value=settings.max_entities_per_value)
    people = (
        _modal(entity_records, "entity_id", "surname", "surname")
        .join(_modal(entity_records, "entity_id", "name_sorted_key", "name"), "entity_id", "full")
        .join(entity_homes(entity_records), "entity_id", "full")
    )
    edges = attribute_edges(pairs, people, weights=settings.weights)
    return with_supply(
        edges,
        entity_records,
        supply_weight=settings.supply_weight,
        max_sellers=settings.max_supply_sellers,
        slack_days=settings.supply_slack_days,
    )
