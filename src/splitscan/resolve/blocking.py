"""Candidate pairs for consignee resolution: a union of blocking rules on cheap keys, with hub control.

A blocking rule pairs records that agree exactly on all of its key columns. Rules are unioned, so a pair found by
several rules is scored once and remembers which rules found it (the per-rule report shows what each rule costs
and contributes).

Hub control (domain.md §4): a key value shared by more distinct identities than `max_identities` (a forwarder's
address, a purchase agent's phone, a placeholder like 0000) is *generic*: it generates no pairs and is recorded
in `hub_attributes` with a class, for the ring stage. "Distinct identities" are counted on the name key, so a
family of five at one address is not a hub, while a mailbox address with hundreds of names is.

Skew control: a block that is still larger than `max_block_size` after hub removal is not self-joined whole; its
records are sorted on a secondary key and paired only within a sliding window of `window` neighbours (sorted
neighbourhood), so no single key can create a quadratic explosion or a straggler task.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = [
    "DEFAULT_RULES",
    "BlockingRule",
    "candidate_pairs",
    "find_hubs",
    "rule_report",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BlockingRule:
    """Records that agree on every column in `keys` (all non-null) are candidate pairs."""

    name: str
    keys: tuple[str, ...]

    @property
    def key_column(self) -> Column:
        """The block key: the key values joined by a separator that cannot occur in them."""
        return F.concat_ws("\u241f", *[F.col(k).cast("string") for k in self.keys])

    @property
    def complete(self) -> Column:
        """True when every key column is present."""
        return reduce(lambda a, b: a & b, [F.col(k).isNotNull() & (F.col(k) != "") for k in self.keys])


# Keys come from `splitscan.resolve.features`. Names never block alone: name keys are combined with a place.
DEFAULT_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("customs_id", ("consignee_id_std",)),
    BlockingRule("phone", ("phone_std",)),
    BlockingRule("email", ("email_std",)),
    BlockingRule("unit", ("unit_key",)),
    BlockingRule("name_postcode", ("name_key", "postcode_std")),
    BlockingRule("sorted_name_building", ("name_sorted_key", "building_key")),
    BlockingRule("phonetic_name_postcode", ("name_phonetic_key", "postcode_std")),
)

# Attributes whose shared values are worth classifying as hubs, and the class a hub of each gets by default.
_HUB_ATTRIBUTES: dict[str, str] = {
    "consignee_id_std": "placeholder",
    "phone_std": "agent",
    "email_std": "agent",
    "unit_key": "forwarder",
    "building_key": "apartment_building",
}


def find_hubs(
    records: DataFrame,
    *,
    identity: str = "name_key",
    max_identities: int = 20,
    attributes: Sequence[str] = tuple(_HUB_ATTRIBUTES),
    weight: str | None = None,
) -> DataFrame:
    """Values shared by more than `max_identities` distinct identities, with a class.

    Args:
        records: one row per record with the attribute columns and `identity` (e.g. the name key).
        identity: column whose distinct values count as distinct people.
        max_identities: above this many identities a value is generic. A PCCC legitimately serves one person
            (and up to 20 registered addresses), a household a handful: 20 leaves room for both.
        attributes: which columns to examine.
        weight: a column holding the records each row stands for (a profile's size, see `resolve.profiles`);
            None counts each row as one record.

    Returns:
        `attribute, value, n_records, n_identities, hub_class`. Classes: `placeholder` (a customs id shared by many
        names cannot be real), `agent` (a phone or e-mail used for many names: purchase or shipping agents),
        `forwarder` (one unit shared by many names; suite numbers of five or more digits point the same way),
        `apartment_building` (a building key shared by many households; still a fine unit key).
    """
    frames = []
    n = F.sum(weight).cast("long") if weight else F.count(F.lit(1))
    for attribute in attributes:
        default_class = _HUB_ATTRIBUTES.get(attribute, "generic")
        counted = (
            records.filter(F.col(attribute).isNotNull() & (F.col(attribute) != ""))
            .groupBy(F.col(attribute).cast("string").alias("value"))
            .agg(n.alias("n_records"), F.countDistinct(identity).alias("n_identities"))
            .filter(F.col("n_identities") > max_identities)
            .select(
                F.lit(attribute).alias("attribute"),
                "value",
                "n_records",
                "n_identities",
                F.lit(default_class).alias("hub_class"),
            )
        )
        frames.append(counted)
    return reduce(lambda a, b: a.unionByName(b), frames)


def _with_hub_flags(records: DataFrame, hubs: DataFrame, keys: Sequence[str]) -> DataFrame:
    """Add `_hub_<key>`: true where the record's value of `key` is a generic value in `hubs` (one lookup per key)."""
    for k in keys:
        generic = (
            hubs.where(F.col("attribute") == k)
            .select(F.col("value").cast("string").alias("_hub_value"))
            .distinct()
            .withColumn(f"_hub_{k}", F.lit(True))
        )
        records = records.join(F.broadcast(generic), F.col(k).cast("string") == F.col("_hub_value"), how="left").drop(
            "_hub_value"
        )
    return records


def _keyed(
    records: DataFrame, rules: Sequence[BlockingRule], names: Sequence[str], order_by: str, touching: str | None
) -> DataFrame:
    """One row per record and rule that blocks it: `_bit, _bk, record_id, order_by` (and the touching flag).

    `_bit` is the rule's bit (`1 << i`, `i` its position in `names`); `_bk` is the block: a 64-bit hash of the
    rule's name and key. Two blocks whose hashes collide (odds about n^2 / 2^65 for n blocks) are paired as one:
    extra candidate pairs, which scoring judges like any other, never a lost one. A record takes part in a rule
    when every key column is present and none holds a generic (hub) value.
    """
    index = {name: i for i, name in enumerate(names)}

    def generic(rule: BlockingRule) -> Column:
        return reduce(lambda a, b: a | b, [F.coalesce(F.col(f"_hub_{k}"), F.lit(False)) for k in rule.keys])

    entries = [
        F.when(
            rule.complete & ~generic(rule),
            F.struct(
                F.lit(1 << index[rule.name]).cast("long").alias("_bit"),
                F.xxhash64(F.lit(rule.name), rule.key_column).alias("_bk"),
            ),
        )
        for rule in rules
    ]
    flag = [F.col(touching).alias("_t")] if touching else []
    exploded = records.select("record_id", order_by, *flag, F.explode(F.array(*entries)).alias("_e"))
    return exploded.where(F.col("_e").isNotNull()).select(
        F.col("_e._bit").alias("_bit"),
        F.col("_e._bk").alias("_bk"),
        "record_id",
        order_by,
        *(["_t"] * bool(touching)),
    )


def candidate_pairs(
    records: DataFrame,
    hubs: DataFrame,
    *,
    rules: Sequence[BlockingRule] = DEFAULT_RULES,
    max_block_size: int = 200,
    window: int = 20,
    order_by: str = "name_sorted_key",
    touching: str | None = None,
) -> DataFrame:
    """The union of the rules' pairs, one row per pair with the rules that found it.

    Args:
        records: one row per record with `record_id`, `order_by` and the rules' key columns.
        hubs: `attribute, value` of generic values (see `find_hubs`); they form no blocks.
        rules: the blocking rules.
        max_block_size: blocks above this size are paired by sorted neighbourhood, not whole.
        window: neighbours each record of an oversized block is paired with.
        order_by: the sort key of oversized blocks.
        touching: a boolean column of `records`; when given, only pairs with at least one flagged record are
            returned (an incremental run: new records against the index). Blocks are taken whole, so the result
            equals the full run's pairs restricted to those touching a flagged record.

    Returns:
        `record_id_l, record_id_r, rules` with `record_id_l < record_id_r` and `rules` a sorted array of rule names.

    All rules run as one query: each record is exploded into one row per rule that blocks it, and blocks are keyed
    by (rule, key), so the sizing window, the self-join and the sorted neighbourhood each run once for every rule
    rather than once per rule (a seventh of the stages and jobs of a union of per-rule queries).
    """
    names = sorted({rule.name for rule in rules})
    if len(names) > 62:
        raise ValueError(f"at most 62 blocking rules, got {len(names)}")
    keys = sorted({k for rule in rules for k in rule.keys})
    columns = list(dict.fromkeys(["record_id", order_by, *keys, *([touching] if touching else [])]))
    keyed = _keyed(_with_hub_flags(records.select(*columns), hubs, keys), rules, names, order_by, touching)
    block = ["_bk"]
    if touching:
        # Whole blocks that hold a flagged record: block sizes, and so the pairs, are those of a full run.
        wanted = keyed.where(F.col("_t")).select(*block).distinct()
        keyed = keyed.join(wanted, block, "left_semi")
    sized = keyed.withColumn("_n", F.count(F.lit(1)).over(Window.partitionBy(*block)))
    small = sized.where(F.col("_n") <= max_block_size)
    left = small.select(*block, "_bit", F.col("record_id").alias("record_id_l"), *_flag(touching, "_l"))
    right = small.select(*block, F.col("record_id").alias("record_id_r"), *_flag(touching, "_r"))
    pairs = left.join(right, block).where(F.col("record_id_l") < F.col("record_id_r"))
    if touching:
        pairs = pairs.where(F.col("_t_l") | F.col("_t_r"))
    pairs = pairs.select("_bit", "record_id_l", "record_id_r")
    # Oversized blocks: sorted neighbourhood, each record paired with its next `window` neighbours. The neighbours
    # are gathered by a sliding window frame (linear in the block), not by a self-join on the block key, which
    # would form every pair of the block before the position filter.
    ahead = Window.partitionBy(*block).orderBy(order_by, "record_id").rowsBetween(1, window)
    neighbour = F.struct(F.col("record_id").alias("id"), *([F.col("_t").alias("t")] if touching else []))
    large = (
        sized.where(F.col("_n") > max_block_size)
        .withColumn("_ahead", F.collect_list(neighbour).over(ahead))
        .select("_bit", F.col("record_id").alias("_a"), *_flag(touching, "_l"), F.explode("_ahead").alias("_nb"))
    )
    windowed = large.select(
        "_bit", "_a", F.col("_nb.id").alias("_b"), *([F.col("_nb.t").alias("_t_r")] if touching else [])
    )
    if touching:
        windowed = windowed.where(F.col("_t_l") | F.col("_t_r"))
    windowed = windowed.select(
        "_bit", F.least("_a", "_b").alias("record_id_l"), F.greatest("_a", "_b").alias("record_id_r")
    )
    # The rules that found a pair: their bits or-ed together (a fixed-width aggregate, not a set of strings).
    found = (
        pairs.unionByName(windowed)
        .select("record_id_l", "record_id_r", "_bit")
        .groupBy("record_id_l", "record_id_r")
        .agg(F.bit_or("_bit").alias("_bits"))
    )
    flags = [
        F.when(F.col("_bits").bitwiseAND(F.lit(1 << i).cast("long")) != 0, F.lit(name)) for i, name in enumerate(names)
    ]
    return found.select("record_id_l", "record_id_r", F.filter(F.array(*flags), lambda x: x.isNotNull()).alias("rules"))


def _flag(touching: str | None, suffix: str) -> list[Column]:
    return [F.col("_t").alias(f"_t{suffix}")] if touching else []


def rule_report(pairs: DataFrame) -> DataFrame:
    """Pairs per rule, and pairs found by that rule alone: `rule, pairs, only_this_rule`."""
    exploded = pairs.select(F.explode("rules").alias("rule"), F.size("rules").alias("_n"))
    return exploded.groupBy("rule").agg(
        F.count(F.lit(1)).alias("pairs"), F.sum(F.when(F.col("_n") == 1, 1).otherwise(0)).alias("only_this_rule")
    )
