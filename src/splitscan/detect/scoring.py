"""Scores and human-readable reasons for split findings.

The score is a sum of documented points, capped to [0, 100] and divided by 100:

| signal | points | why |
|---|---|---|
| legal aggregation rule | 40 | the group meets a jurisdiction's own aggregation rule (domain.md §1.1) |
| heuristic rule | 15 | a pattern without a legal basis (KR same arrival date, drip imports) |
| one supplier on every part (not a business) | 10 | KR: same supplier x purchase date; US: lots of one order (§1.3) |
| several suppliers | -10 | independent orders from different sellers landing together: a known trap (§4) |
| separate orders from that supplier, placed together (not a business) | 10 | several orders, not one (§1.3 rule 3) |
| parts sent by several services (postal, express, ...) | -10 | independent orders: a purchase ships one way [U] |
| business importer | -30 | a registration number / EIN or a company name on any of the entity's records (§4) |
| parts just under the limit, unless the carrier-split profile | 20 x share of parts >= `bunch_ratio` of it | §2.3 [U] |
| same goods, ordered separately | 10 | one HS subheading or description on every part, >= 2 order ids (§2.3) |
| consecutive S10 serials | 10 | one sender, one service/country, serials close together (§2.3, §5.5) |
| consignee written differently | 15 x mean share of parts with another name / address, both varying | §2.2 |
| repeat findings | 5 per earlier month with a legal finding, at most 15; none for a business | drip imports |
| more parts | 2 per part beyond two, at most 10 | commercial quantities |
| one order id on every part that has one (>= 2) | -15 | a carrier split of one order: "aggregate, not fraud" (§4) |
| ... and one kind of goods on every part | -10 more | one article divided into pieces: the carrier-split profile [U] |
| a parcel of the same order over the limit | -20 | not cut to the threshold (19 CFR 10.151 "for the purpose") |

Why each condition: the same goods on parts of *one* order are what a carrier split of a bulky order looks like, so
they only count when the parts are known to be several orders (an unknown order id proves nothing). Separate orders
count when they were placed together: on one purchase date where at least two parts declare an order date (the date
Korea aggregates by, §1.3), else arriving within `SEPARATE_ORDERS_MAX_DAYS`; orders placed on different dates are
repeat purchases (the supplier-near and drip rules' business), not one purchase cut in pieces. Parts of one purchase
ship one way; parts that came by several services (post and express) point at independent orders [U]. Bunching is
the consignee cutting values to the limit; in the carrier-split profile (one order, one kind of goods) the pieces
the carrier cut set the values, so bunching does not score there. A disguise varies the name *and* the address; one
of them alone varies with ordinary noise, a second delivery address (a PCCC registers up to 20, §1.3) or a
household. A business is tagged from all its records, as domain.md §4 asks (tag the entity class, do not auto-flag
it): its frequent imports build no history, and buying again and again from its own suppliers, in separate orders,
is how a business restocks, not a sign of a split. A lot of the same order declared over the limit shows a split by
size or weight, not by value. Reasons name the rule, the window, the parts, total vs threshold and margin, the duty
at stake and every signal that scored. Where several rules find exactly the same parcels of one entity, only the
strongest finding is kept (legal before heuristic, then score) and the others are named in its reasons, so that
parcels and duty at stake are not counted twice.
"""

from __future__ import annotations

import logging

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = ["POINTS", "SEPARATE_ORDERS_MAX_DAYS", "keep_strongest_per_parcel_set", "with_score_and_reasons"]

logger = logging.getLogger(__name__)

POINTS = {
    "legal": 40,
    "heuristic": 15,
    "bunched": 20,
    "same_goods": 10,
    "consecutive_s10": 10,
    "disguise": 15,
    "history_per_month": 5,
    "history_max": 15,
    "part": 2,
    "parts_max": 10,
    "single_order": -15,
    "carrier_profile": -10,
    "order_over_limit": -20,
    "one_supplier": 10,
    "several_suppliers": -10,
    "separate_orders": 10,
    "several_services": -10,
    "business": -30,
}
# Separate orders from one supplier are "several orders instead of one" only when placed together.
SEPARATE_ORDERS_MAX_DAYS = 7


def _money(col: str) -> Column:
    return F.format_number(F.col(col).cast("double"), 2)


def with_score_and_reasons(findings: DataFrame) -> DataFrame:
    """Add `score` (0-1) and `reasons` (array of sentences) to findings from `aggregate_split_groups` with
    `prior_finding_months`.

    Args:
        findings: one row per finding.

    Returns:
        `findings` with `score double` and `reasons array<string>`; the helper columns of `aggregate_split_groups`
        (`_heading`, `_orders`, `_purchase_dates`, `_services`, `_order_over_limit`) are dropped.
    """
    # Noise varies one field now and then, and a person may use a second address; a disguise varies name and
    # address (on every part, for the full points).
    disguised = (F.col("name_variants") > 1) & (F.col("address_variants") > 1)
    disguise_share = F.least(
        (F.col("name_variants") + F.col("address_variants") - 2) / (F.col("n_parts") - 1) / 2, F.lit(1.0)
    )
    bunched_share = F.col("bunched_parts") / F.col("n_parts")
    business = F.col("business_consignee")
    history = F.when(business, 0).otherwise(
        F.least(F.col("prior_finding_months") * POINTS["history_per_month"], F.lit(POINTS["history_max"]))
    )
    parts = F.least((F.col("n_parts") - 2) * POINTS["part"], F.lit(POINTS["parts_max"]))
    ordered_separately = F.col("_orders") >= 2
    placed_together = F.coalesce(
        F.col("_purchase_dates") == 1, F.datediff("window_end", "window_start") <= SEPARATE_ORDERS_MAX_DAYS
    )
    separate_orders = F.col("separate_orders") & placed_together
    several_services = F.col("_services") >= 2  # a distinct count: 0, never null, when no part names a channel
    not_for_business = F.when(business, F.lit(" (a business: not scored)")).otherwise(F.lit(""))
    carrier_profile = F.col("single_order") & F.col("same_goods")
    points = (
        F.when(F.col("rule_kind") == "legal", POINTS["legal"]).otherwise(POINTS["heuristic"])
        + F.when(carrier_profile, 0).otherwise(bunched_share * POINTS["bunched"])
        + F.when(F.col("same_goods") & ordered_separately, POINTS["same_goods"]).otherwise(0)
        + F.when(F.col("consecutive_s10"), POINTS["consecutive_s10"]).otherwise(0)
        + F.when(disguised, disguise_share * POINTS["disguise"]).otherwise(0)
        + history
        + parts
        + F.when(F.col("single_order"), POINTS["single_order"]).otherwise(0)
        + F.when(carrier_profile, POINTS["carrier_profile"]).otherwise(0)
        + F.when(F.col("_order_over_limit"), POINTS["order_over_limit"]).otherwise(0)
        + F.when((F.col("suppliers") == "one") & ~business, POINTS["one_supplier"])
        .when(F.col("suppliers") == "several", POINTS["several_suppliers"])
        .otherwise(0)
        + F.when(separate_orders & ~business, POINTS["separate_orders"]).otherwise(0)
        + F.when(several_services, POINTS["several_services"]).otherwise(0)
        + F.when(business, POINTS["business"]).otherwise(0)
    )
    score = F.round(F.least(F.greatest(points, F.lit(0.0)), F.lit(100.0)) / 100.0, 4)
    window = F.when(
        F.col("window_start") == F.col("window_end"), F.date_format("window_start", "yyyy-MM-dd")
    ).otherwise(
        F.concat(F.date_format("window_start", "yyyy-MM-dd"), F.lit(".."), F.date_format("window_end", "yyyy-MM-dd"))
    )
    reasons = F.array(
        F.format_string(
            "rule %s (%s, %s): %s", F.col("rule_id"), F.col("rule_kind"), F.col("jurisdiction"), F.col("aggregation")
        ),
        F.format_string(
            "window %s, key %s: %d parts, total %s %s > threshold %s (margin %s, %.0f%% of the threshold)",
            window,
            F.when(F.col("group_key") == "", F.lit("(entity only)")).otherwise(F.col("group_key")),
            F.col("n_parts"),
            _money("total_value"),
            F.col("currency"),
            _money("threshold"),
            _money("margin"),
            F.col("total_value").cast("double") / F.col("threshold").cast("double") * 100,
        ),
        F.format_string("duty and tax at stake %s %s", _money("duty_at_stake"), F.col("currency")),
        F.when(
            F.col("bunched_parts") > 0,
            F.concat(
                F.format_string(
                    "%d of %d parts just under the limit %s",
                    F.col("bunched_parts"),
                    F.col("n_parts"),
                    _money("part_limit"),
                ),
                F.when(
                    carrier_profile, F.lit(" (one order, one kind of goods: the carrier cut the pieces, not scored)")
                ).otherwise(F.lit("")),
            ),
        ),
        F.when(
            F.col("same_goods"),
            F.concat(
                F.when(
                    F.col("_heading").isNotNull(),
                    F.format_string("same HS subheading %s on every part", F.col("_heading")),
                ).otherwise(F.lit("same goods description on every part")),
                F.when(ordered_separately, F.format_string(", %d orders", F.col("_orders")))
                .when(carrier_profile, F.lit(", one order: one kind of goods in pieces, the carrier-split profile"))
                .otherwise(F.lit(", order ids unknown: not scored")),
            ),
        ),
        F.when(F.col("consecutive_s10"), F.lit("consecutive S10 serials from one sender")),
        F.when(
            disguised,
            F.format_string(
                "consignee written differently: %d names, %d addresses in one entity",
                F.col("name_variants"),
                F.col("address_variants"),
            ),
        ),
        F.when(
            ~disguised & ((F.col("name_variants") > 1) | (F.col("address_variants") > 1)),
            F.format_string(
                "%d names, %d addresses: only one field varies (noise or a second address), not scored",
                F.col("name_variants"),
                F.col("address_variants"),
            ),
        ),
        F.when(
            F.col("prior_finding_months") > 0,
            F.format_string(
                "entity has findings in %d earlier month(s)%s",
                F.col("prior_finding_months"),
                not_for_business,
            ),
        ),
        F.when(
            F.col("single_order"), F.lit("all parts on one order id: possibly a carrier split (aggregate, not fraud)")
        ),
        F.when(
            F.col("_order_over_limit"),
            F.lit(
                "another parcel of the same order was declared over the limit: the order was not cut to the threshold"
            ),
        ),
        F.when(
            separate_orders,
            F.concat(
                F.lit("one supplier, a separate order for every part, "),
                F.when(F.col("_purchase_dates") == 1, F.lit("all placed on one purchase date")).otherwise(
                    F.lit("placed together")
                ),
                not_for_business,
            ),
        ),
        F.when(
            F.col("separate_orders") & ~separate_orders,
            F.when(
                F.col("_purchase_dates").isNotNull(),
                F.format_string(
                    "one supplier, separate orders on %d purchase dates: repeat purchases, not scored",
                    F.col("_purchase_dates"),
                ),
            ).otherwise(
                F.format_string(
                    "one supplier, separate orders over more than %d days: repeat purchases, not scored",
                    F.lit(SEPARATE_ORDERS_MAX_DAYS),
                )
            ),
        ),
        F.when(
            several_services,
            F.format_string(
                "parts sent by %d services (postal, express, e-commerce): possibly independent orders",
                F.col("_services"),
            ),
        ),
        F.when(F.col("suppliers") == "one", F.concat(F.lit("one supplier on every part"), not_for_business)),
        F.when(F.col("suppliers") == "several", F.lit("parts from several suppliers (possibly unrelated orders)")),
        F.when(
            business,
            F.lit(
                "business importer (a registration number or company name on its records): frequent imports are normal"
            ),
        ),
    )
    return (
        findings.withColumn("score", score.cast("double"))
        .withColumn("reasons", F.filter(reasons, lambda r: r.isNotNull()))
        .drop("_heading", "_orders", "_purchase_dates", "_services", "_order_over_limit")
    )


def keep_strongest_per_parcel_set(findings: DataFrame) -> DataFrame:
    """Keep one finding per entity and identical set of parcels: legal before heuristic, then the higher score,
    then the rule id; the other rules that found the same parcels are appended to its reasons."""
    same = Window.partitionBy("entity_id", "record_ids")
    order = same.orderBy(F.when(F.col("rule_kind") == "legal", 0).otherwise(1), F.col("score").desc(), F.col("rule_id"))
    ranked = findings.withColumn("_rank", F.row_number().over(order)).withColumn(
        "_rules", F.array_sort(F.collect_set("rule_id").over(same))
    )
    others = F.filter(F.col("_rules"), lambda r: r != F.col("rule_id"))
    also = F.when(
        F.size(others) > 0, F.array(F.concat(F.lit("same parcels also under "), F.array_join(others, ", ")))
    ).otherwise(F.array().cast("array<string>"))
    return (
        ranked.filter(F.col("_rank") == 1)
        .withColumn("reasons", F.concat(F.col("reasons"), also))
        .drop("_rank", "_rules")
    )
