"""Split findings: records grouped by resolved consignee entity and each rule's key within its window.

A finding is a group of at least `min_parts` records, all under the rule's part limit (the threshold unless the
rule sets a lower per-transaction limit, as China does), whose total is over the threshold. Values are compared
in the rule's currency at the rate of the rule's FX date.

Everything is DataFrame operations: rules are joined to records with a broadcast range join on the validity
dates; day, key and calendar windows are plain group keys; session windows (parts at most N days apart) are cut
with `lag` and a running maximum over one window partition per (rule, entity, key). Hub entities (forwarders,
agents: more than `max_entity_records` records) are *capped*: they are left out of person-level aggregation
(domain.md §4: aggregate per end consignee, never auto-flag a hub), which also bounds every window partition and
every `collect_list`, so no task straggles on one giant entity.

Speed: the records are hash-partitioned by entity once and every later step partitions by keys that contain the
entity, so nothing else shuffles the record x rule rows; window totals drop the groups that cannot be findings
before the aggregation with distinct counts and collected lists (docs/detect.md, "Speed").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from splitscan.detect.rules import KEY_COLUMNS
from splitscan.ingest.fx import BASE_CURRENCY, FX_OUTPUT_COLUMNS, MONEY_TYPE, convert_to_threshold_currency
from splitscan.synth.s10 import S10_WEIGHTS

__all__ = [
    "DetectSettings",
    "aggregate_split_groups",
    "applicable_rules",
    "business_record",
    "s10_serial",
    "with_hs_heading",
    "with_inferred_seller",
    "with_prior_finding_months",
    "with_value_in_rule_currency",
    "with_window_id",
]

logger = logging.getLogger(__name__)

_GROUP = ("rule_id", "scope_id", "entity_id", "group_key", "window_id")
_NEEDED = (
    "record_id",
    "destination_country",
    "arrival_date",
    "order_date",
    "declared_value",
    "currency",
    "value_threshold_ccy",
    "threshold_currency",
    "value_usd",
    "seller_id",
    "shipper_name",
    "shipper_country",
    "channel",
    "order_id",
    "tracking_number",
    "master_awb",
    "hs_code",
    "goods_description",
    "quantity",
    "name_std",
    "address_std",
    "consignee_id_std",
)
# A business registration number (KR 사업자등록번호, 10 digits) or a US EIN (9 digits) after standardisation: a
# business importer, not a personal-use consignee (domain.md §4; the US pattern could also be an SSN [U]).
_BUSINESS_ID = r"^([0-9]{10}|[0-9]{9})$"
# A company's legal form in the standardised name (upper case, punctuation removed): English, German, French,
# Italian, Korean, Japanese and Chinese forms. Only whole words or unambiguous scripts: "CO" alone, forms that
# read like a person's initials once the dots are gone ("S A", "B V") and the Korean "(주)" (standardised to a
# leading "주", also the surname Ju) are left out; the entity-level flag picks such firms up from their other
# records.
_COMPANY_NAME = (
    r"(^|\s)(LTD|LIMITED|LLC|L L C|LLP|PLC|INC|INCORPORATED|CORP|CORPORATION|COMPANY|GMBH|PTY|SARL|SRL)(\s|$)"
    r"|주식회사|유한회사|유한책임회사|㈜|株式会社|有限会社|合同会社|有限公司|公司"
)


@dataclass(frozen=True)
class DetectSettings:
    """Detection knobs.

    Attributes:
        max_entity_records: entities with more records are hubs (forwarders, agents) and are not aggregated.
        bunch_ratio: a part at or above this share of the part limit is "just under" the threshold.
        s10_max_gap: S10 serials are consecutive when their range is at most this many per extra part.
        fx_max_staleness_days: oldest FX rate usable for a conversion into a rule's currency.
    """

    max_entity_records: int = 5000
    bunch_ratio: float = 0.8
    s10_max_gap: int = 3
    fx_max_staleness_days: int = 7


def with_hs_heading(df: DataFrame) -> DataFrame:
    """Add `hs_heading` and `hs_subheading`: the first four and six digits of `hs_code` (separators ignored),
    null when the code is shorter."""
    digits = F.regexp_replace(F.col("hs_code"), "[^0-9]", "")
    return df.withColumns(
        {
            "hs_heading": F.when(F.length(digits) >= 4, F.substring(digits, 1, 4)),
            "hs_subheading": F.when(F.length(digits) >= 6, F.substring(digits, 1, 6)),
        }
    )


def s10_serial(tracking: Column) -> Column:
    """The 8-digit serial of a valid UPU S10 item id (`RR123456785CN`) as a long; null when not S10 or the check
    digit is wrong (domain.md §5.5)."""
    text = F.upper(F.trim(tracking))
    weighted = sum(
        (F.substring(text, 3 + i, 1).try_cast("int") * F.lit(w) for i, w in enumerate(S10_WEIGHTS)), start=F.lit(0)
    )
    check = F.lit(11) - weighted % 11
    check = F.when(check == 10, 0).when(check == 11, 5).otherwise(check)
    valid = text.rlike("^[A-Z]{2}[0-9]{9}[A-Z]{2}$") & (F.substring(text, 11, 1).try_cast("int") == check)
    return F.when(valid, F.substring(text, 3, 8).cast("long"))


def applicable_rules(records: DataFrame, rules: DataFrame) -> DataFrame:
    """One row per record and rule version in force on its arrival date for its destination and scope.

    Args:
        records: import records with `destination_country, arrival_date, shipper_country, channel`.
        rules: `rules_frame(...)`: small, broadcast.

    Returns:
        `records` with the rule columns appended. A null shipper country never matches a version restricted to
        some shippers, and always matches one that only excludes some.
    """
    shipper = F.coalesce(F.upper(F.trim(F.col("shipper_country"))), F.lit(""))
    channel = F.coalesce(F.lower(F.trim(F.col("channel"))), F.lit(""))
    on = (
        (F.col("destination_country") == F.col("country"))
        & F.col("arrival_date").between(F.col("valid_from"), F.col("valid_to"))
        & ((F.size("shipper_countries") == 0) | F.array_contains("shipper_countries", shipper))
        & ~F.array_contains("excluded_shipper_countries", shipper)
        & ((F.size("channels") == 0) | F.array_contains("channels", channel))
    )
    return records.join(F.broadcast(rules), on, "inner")


def with_value_in_rule_currency(df: DataFrame, rates: DataFrame, *, max_staleness_days: int) -> DataFrame:
    """Add `value_rule`: the declared value in the rule's currency at the rate of the rule's FX date.

    Where the rule's currency is the record's threshold currency and its FX date is the arrival date, this is
    the ingest-time `value_threshold_ccy`; otherwise the declared value is converted again with
    `convert_to_threshold_currency` (the same rates, rounding and staleness rule), on the order date when the rule
    says so (the arrival date when the order date is missing). A value that cannot be converted is null.
    """
    fx_day = F.when(F.col("fx_date") == "order_date", F.coalesce(F.col("order_date"), F.col("arrival_date"))).otherwise(
        F.col("arrival_date")
    )
    direct = (F.col("rule_currency") == F.col("threshold_currency")) & (fx_day == F.col("arrival_date"))
    # The converter maps a destination to its threshold currency: here each currency of the rates (and the USD
    # base) is its own "destination", the rule's currency is the destination and the FX day stands in for the
    # arrival date. One pass over every row (broadcast joins); the ingest value wins where it applies.
    currencies = (
        rates.select("currency").union(rates.sparkSession.range(1).select(F.lit(BASE_CURRENCY))).distinct()
    ).select(F.col("currency").alias("country_code"), F.col("currency").alias("threshold_currency"))
    moved = {c: f"_fx_keep_{c}" for c in ("arrival_date", "destination_country", *FX_OUTPUT_COLUMNS) if c in df.columns}
    staged = (
        df.withColumn("_fx_day", fx_day)
        .withColumn("_fx_direct", direct)
        .withColumnsRenamed(moved)
        .withColumnsRenamed({"_fx_day": "arrival_date"})
        .withColumn("destination_country", F.col("rule_currency"))
    )
    converted = convert_to_threshold_currency(staged, rates, currencies, max_staleness_days=max_staleness_days)
    value = F.when(F.col("_fx_direct"), F.col(moved["value_threshold_ccy"])).otherwise(F.col("value_threshold_ccy"))
    return (
        converted.withColumn("value_rule", value.cast(MONEY_TYPE))
        .drop("arrival_date", "destination_country", *FX_OUTPUT_COLUMNS, "_fx_direct")
        .withColumnsRenamed({v: k for k, v in moved.items()})
    )


def _group_key() -> tuple[Column, Column]:
    """(group key text, key incomplete) built from the rule's `key_columns` without one branch per rule."""
    parts = []
    incomplete: Column = F.lit(False)
    for name in KEY_COLUMNS:
        used = F.array_contains("key_columns", F.lit(name))
        value = F.col(name).cast("string")
        parts.append(F.when(used, F.concat(F.lit(f"{name}="), value)))
        incomplete = incomplete | (used & (value.isNull() | (F.trim(value) == "")))
    return F.concat_ws("|", *parts), incomplete


def with_window_id(df: DataFrame) -> DataFrame:
    """Add `window_id`: the arrival day (`day`), month or year (`calendar_*`), empty (`none`), or for
    `session:N` windows the first day of the session, where a new session starts when the gap to the entity's
    previous part under the same rule and key exceeds N days.

    One ordered window pass over every row: fixed windows add their id to the partition, so their partitions stay
    small and their (unused) session numbering costs nothing more. A session's first day is the latest session
    start up to the row (rows are in arrival order), so it needs no second sort.
    """
    fixed = (
        F.when(F.col("window_kind") == "day", F.date_format("arrival_date", "yyyy-MM-dd"))
        .when(F.col("window_kind") == "calendar_month", F.date_format("arrival_date", "yyyy-MM"))
        .when(F.col("window_kind") == "calendar_year", F.date_format("arrival_date", "yyyy"))
        .when(F.col("window_kind") == "none", F.lit(""))
    )
    part = Window.partitionBy("rule_id", "scope_id", "entity_id", "group_key", "_fixed").orderBy(
        "arrival_date", "record_id"
    )
    gap = F.datediff("arrival_date", F.lag("arrival_date").over(part))
    new_session = F.when(gap.isNull() | (gap > F.col("session_gap_days")), F.col("arrival_date"))
    start = F.max("_new_session").over(part.rowsBetween(Window.unboundedPreceding, 0))
    return (
        df.withColumn("_fixed", fixed)
        .withColumn("_new_session", new_session)
        .withColumn("window_id", F.coalesce(F.col("_fixed"), F.date_format(start, "yyyy-MM-dd")))
        .drop("_fixed", "_new_session")
    )


def business_record(name: Column, consignee_id: Column) -> Column:
    """True when a record's standardised consignee id is a business registration number or EIN, or its
    standardised name carries a company's legal form (`LLC`, `CO LTD`, `GMBH`, `주식회사`, `株式会社`, ...)."""
    return F.coalesce(consignee_id.rlike(_BUSINESS_ID), F.lit(False)) | F.coalesce(
        F.upper(name).rlike(_COMPANY_NAME), F.lit(False)
    )


def with_inferred_seller(df: DataFrame) -> DataFrame:
    """Fill a missing `seller_id` from the entity's other parcels sent under the same shipper name.

    The supplier keys of the rules (KR: supplier x purchase date) need a seller on every part, but senders and
    platforms leave `seller_id` out of some declarations. A part without one takes the seller id that the
    entity's other parcels from the same shipper (name compared in upper case with punctuation and spacing
    folded) carry, when they carry exactly one; when none of them carries any, the shipper itself is the
    supplier (`shipper:<name>`). Parts with neither a seller id nor a shipper name, or whose shipper goes with
    several seller ids, stay without a seller. Reads `entity_id, seller_id, shipper_name`; one window partitioned
    by entity and shipper (no shuffle on entity-partitioned input).
    """
    shipper = F.nullif(F.trim(F.regexp_replace(F.upper(F.col("shipper_name")), r"[^\p{L}\p{N}]+", " ")), F.lit(""))
    seller = F.nullif(F.trim(F.col("seller_id")), F.lit(""))  # blank is missing
    sellers = F.collect_set(seller).over(Window.partitionBy("entity_id", "_shipper"))
    inferred = (
        F.when(F.col("_shipper").isNull(), F.lit(None).cast("string"))
        .when(F.size(sellers) == 1, F.element_at(sellers, 1))
        .when(F.size(sellers) == 0, F.concat(F.lit("shipper:"), F.col("_shipper")))
    )
    return (
        df.withColumn("_shipper", shipper)
        .withColumn("seller_id", F.when(seller.isNull(), inferred).otherwise(F.col("seller_id")))
        .drop("_shipper")
    )


def _entity_records(records: DataFrame, entities: DataFrame, settings: DetectSettings) -> DataFrame:
    """Records with their entity, for entities of 2 to `max_entity_records` records (module docstring), with
    `business_consignee` per entity, hash-partitioned by entity.

    Every later step is per entity (the rule join and FX conversion are broadcast joins, the windows and the
    group aggregation all partition by keys that contain `entity_id`), so this one shuffle serves them all.
    """
    sizes = entities.groupBy("entity_id").agg(F.count(F.lit(1)).alias("_entity_records"))
    people = (
        entities.select("record_id", "entity_id")
        # An entity with one record cannot split anything; a hub is capped (module docstring).
        .join(sizes.filter(F.col("_entity_records").between(2, settings.max_entity_records)), "entity_id")
        .drop("_entity_records")
    )
    joined = with_hs_heading(records.select(*_NEEDED)).join(people, "record_id").repartition("entity_id")
    # Business importers are tagged per entity (domain.md §4): a registration number or a company name on any of
    # its records, not only on the parts of one finding.
    business = business_record(F.col("name_std"), F.col("consignee_id_std"))
    return with_inferred_seller(joined).withColumn(
        "business_consignee", F.max(business).over(Window.partitionBy("entity_id"))
    )


def _parts(base: DataFrame, rules: DataFrame, rates: DataFrame, settings: DetectSettings) -> DataFrame:
    """Record x rule rows that can be a part: key complete, value under the limit; with `_order_over_limit`, true
    when another parcel of the entity with the same order id is over the rule's part limit."""
    key, incomplete = _group_key()
    keyed = applicable_rules(base, rules).withColumn("group_key", key).filter(~incomplete)
    valued = with_value_in_rule_currency(keyed, rates, max_staleness_days=settings.fx_max_staleness_days)
    over = F.col("value_rule") > F.col("part_limit")
    same_order = Window.partitionBy("rule_id", "scope_id", "entity_id", "order_id")
    flagged = valued.withColumn(
        "_order_over_limit",
        F.col("order_id").isNotNull() & F.max(F.coalesce(over, F.lit(False))).over(same_order),
    )
    return with_window_id(
        flagged.filter(F.col("value_rule").isNotNull() & (F.col("value_rule") <= F.col("part_limit")))
    )


def aggregate_split_groups(
    records: DataFrame,
    entities: DataFrame,
    rules: DataFrame,
    *,
    rates: DataFrame,
    settings: DetectSettings = DetectSettings(),
) -> DataFrame:
    """Group parts by rule, entity, key and window and keep the groups that split a dutiable total.

    Args:
        records: silver `import_records` (at least the columns in `_NEEDED`).
        entities: `record_id, entity_id` from consignee resolution.
        rules: `rules_frame(...)`.
        rates: published FX rates (`read_fx_rates`), for rules whose currency or FX date differs from ingest's.
        settings: caps and signal parameters.

    Returns:
        One row per finding with the gold `split_findings` columns up to `business_consignee` (signals, not yet
        scored): a group of at least `min_parts` parts, each at most the part limit, whose total exceeds the
        threshold. A group that straddles a threshold change is judged by the version in force on its first part.
        Helper columns for scoring (dropped by `with_score_and_reasons`): `_orders` (distinct order ids),
        `_purchase_dates` (distinct order dates, null when fewer than two parts declare one), `_services`
        (distinct channels), `_order_over_limit` and `_heading`.
    """
    parts = _parts(_entity_records(records, entities, settings), rules, rates, settings)
    version = F.struct(
        "threshold", "part_limit", "rule_currency", "duty_rate", "tax_rate", "flat_duty_per_item", "min_parts"
    )
    # Most record x rule rows are the only part of their group. Window totals (no shuffle: the rows are already
    # partitioned by entity) drop the groups that cannot be findings before the aggregation with its distinct
    # counts and collected lists, which then runs on the findings' parts only.
    group = Window.partitionBy(*_GROUP)
    candidates = (
        parts.withColumn("_v", F.min_by(version, "arrival_date").over(group))
        .withColumn("_group_parts", F.count(F.lit(1)).over(group))
        .withColumn("_group_total", F.sum("value_rule").over(group).cast(MONEY_TYPE))
        .filter((F.col("_group_parts") >= F.col("_v.min_parts")) & (F.col("_group_total") > F.col("_v.threshold")))
    )
    serial = s10_serial(F.col("tracking_number"))
    s10_prefix = F.when(
        serial.isNotNull(),
        F.concat(F.substring(F.upper(F.trim("tracking_number")), 1, 2), F.substring(F.upper("tracking_number"), 12, 2)),
    )
    description = F.lower(F.trim(F.col("goods_description")))
    groups = candidates.groupBy(*_GROUP).agg(
        F.first("jurisdiction").alias("jurisdiction"),
        F.first("rule_kind").alias("rule_kind"),
        F.first("aggregation").alias("aggregation"),
        F.first("window_kind").alias("window_kind"),
        F.first("_v").alias("_v"),
        F.count(F.lit(1)).alias("n_parts"),
        F.sum("value_rule").alias("_total"),
        F.sum("value_usd").alias("_total_usd"),
        F.min("arrival_date").alias("window_start"),
        F.max("arrival_date").alias("window_end"),
        F.array_sort(F.collect_list("record_id")).alias("record_ids"),
        F.sum(F.when(F.col("value_rule") >= F.col("part_limit") * settings.bunch_ratio, 1).otherwise(0)).alias(
            "bunched_parts"
        ),
        F.count("hs_subheading").alias("_hs_known"),
        F.count_distinct("hs_subheading").alias("_headings"),
        F.array_sort(F.collect_set("hs_subheading")).alias("_heading_values"),
        F.count(description).alias("_desc_known"),
        F.count_distinct(description).alias("_descriptions"),
        F.count_distinct("name_std").alias("name_variants"),
        F.count_distinct("address_std").alias("address_variants"),
        F.count("order_id").alias("_orders_known"),
        F.count_distinct("order_id").alias("_orders"),
        F.count("order_date").alias("_order_dates_known"),
        F.count_distinct("order_date").alias("_order_dates"),
        F.count_distinct(F.lower(F.trim(F.col("channel")))).alias("_services"),
        F.count(serial).alias("_s10"),
        F.min(serial).alias("_s10_min"),
        F.max(serial).alias("_s10_max"),
        F.count_distinct(s10_prefix).alias("_s10_prefixes"),
        F.count_distinct("shipper_name").alias("_shippers"),
        F.count("seller_id").alias("_sellers_known"),
        F.count_distinct("seller_id").alias("_sellers"),
        F.max("_order_over_limit").alias("_order_over_limit"),
        F.max("business_consignee").alias("business_consignee"),
    )
    total = F.col("_total").cast(MONEY_TYPE)
    threshold = F.col("_v.threshold")
    normal = total * (F.col("_v.duty_rate") + F.col("_v.tax_rate"))
    duty = F.greatest(normal - F.col("_v.flat_duty_per_item") * F.col("n_parts"), F.lit(0.0))
    duty_money = F.round(duty, 2).cast(MONEY_TYPE)
    consecutive = (
        (F.col("_s10") >= 2)
        & (F.col("_s10") == F.col("n_parts"))
        & (F.col("_s10_prefixes") == 1)
        & (F.col("_shippers") == 1)
        & (F.col("_s10_max") - F.col("_s10_min") <= F.lit(settings.s10_max_gap) * (F.col("_s10") - 1))
    )
    same_goods = ((F.col("_hs_known") == F.col("n_parts")) & (F.col("_headings") == 1)) | (
        (F.col("_desc_known") == F.col("n_parts")) & (F.col("_descriptions") == 1)
    )
    one_supplier = (F.col("_sellers_known") == F.col("n_parts")) & (F.col("_sellers") == 1)
    finding_key = F.concat_ws("|", *[F.col(c) for c in _GROUP])
    return groups.select(
        F.concat(F.lit("SF-"), F.substring(F.sha2(finding_key, 256), 1, 20)).alias("finding_id"),
        "rule_id",
        "rule_kind",
        "jurisdiction",
        "aggregation",
        "entity_id",
        "group_key",
        "window_start",
        "window_end",
        "record_ids",
        F.col("n_parts").cast("int").alias("n_parts"),
        total.alias("total_value"),
        threshold.alias("threshold"),
        F.col("_v.part_limit").alias("part_limit"),
        F.col("_v.rule_currency").alias("currency"),
        (total - threshold).cast(MONEY_TYPE).alias("margin"),
        F.col("_total_usd").cast(MONEY_TYPE).alias("total_usd"),
        duty_money.alias("duty_at_stake"),
        F.round(duty * F.col("_total_usd") / F.col("_total"), 2).cast(MONEY_TYPE).alias("duty_at_stake_usd"),
        F.col("bunched_parts").cast("int").alias("bunched_parts"),
        same_goods.alias("same_goods"),
        consecutive.alias("consecutive_s10"),
        F.col("name_variants").cast("int").alias("name_variants"),
        F.col("address_variants").cast("int").alias("address_variants"),
        ((F.col("_orders_known") >= 2) & (F.col("_orders") == 1)).alias("single_order"),
        F.when(one_supplier, "one").when(F.col("_sellers") >= 2, "several").otherwise("unknown").alias("suppliers"),
        (one_supplier & (F.col("_orders_known") >= 2) & (F.col("_orders") == F.col("_orders_known"))).alias(
            "separate_orders"
        ),
        F.col("_orders").cast("int").alias("_orders"),
        F.when(F.col("_order_dates_known") >= 2, F.col("_order_dates")).cast("int").alias("_purchase_dates"),
        F.col("_services").cast("int").alias("_services"),
        F.col("_order_over_limit").alias("_order_over_limit"),
        F.col("business_consignee"),
        F.when(F.col("_headings") == 1, F.element_at("_heading_values", 1)).alias("_heading"),
    )


def with_prior_finding_months(findings: DataFrame) -> DataFrame:
    """Add `prior_finding_months`: distinct earlier calendar months (by window start) in which the same entity
    has a finding under a *legal* rule. Repeat splits over months point at drip imports; heuristic findings do
    not count, or a frequent legitimate shopper would build a history out of patterns alone.

    One window over the entity (no self-join, so the findings are computed once): the frame holds the entity's
    findings of strictly earlier months, and their distinct legal months are counted.
    """
    month_index = F.year("window_start") * 12 + F.month("window_start")
    earlier = Window.partitionBy("entity_id").orderBy(month_index).rangeBetween(Window.unboundedPreceding, -1)
    legal_month = F.when(F.col("rule_kind") == "legal", month_index)
    return findings.withColumn("prior_finding_months", F.size(F.collect_set(legal_month).over(earlier)).cast("int"))
