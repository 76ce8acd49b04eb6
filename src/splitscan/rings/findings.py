"""Ring findings: features of each ring, a score and the reasons behind it, and a terminal summary.

A ring is one ring of `splitscan.rings.analysis` with at least `min_parties` parties (household-linked
entities count as one party, so a household alone is never a ring). Its features:

* members, the ring's parcels (members' records from merchants in common: a merchant another member bought from
  within `window_days`, same destination), the attribute values its members share and every edge with its evidence;
* merchants in common and the share of the members' records that are ring parcels;
* parcels each under the threshold in force (`splitscan.rings.thresholds`), and the largest combined value from
  one merchant to one destination within `window_days`, against that threshold;
* value and duty at stake: per merchant, the largest window total that exceeds the threshold, summed, in USD,
  times a flat `duty_rate` (an estimate for ranking, not an assessment).

Score (0-100) = 30 x structure + 20 x shared supply + 15 x under-threshold share + 20 x combined over threshold
+ 15 x stake, each part in [0, 1] (see `with_score`). Every part that contributes adds a reason in plain words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = [
    "FindingSettings",
    "describe_rings",
    "ring_evidence",
    "ring_members",
    "ring_supply",
    "with_score",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FindingSettings:
    """What makes a ring and how it is scored.

    Attributes:
        min_parties: parties (households count once) a ring needs.
        window_days: length of the window over which a merchant's parcels to the ring are combined.
        duty_rate: flat duty-plus-tax rate applied to the value at stake (Korea: 8% duty + 10% VAT).
        min_score: rings scoring below this are not reported.
    """

    min_parties: int = 3
    window_days: int = 30
    duty_rate: float = 0.18
    min_score: float = 40.0


def ring_members(analysis: DataFrame, *, min_parties: int) -> DataFrame:
    """Rows of `analysis` (one per node) whose ring has at least `min_parties` parties."""
    return analysis.where(F.col("n_parties") >= min_parties)


def ring_evidence(members: DataFrame, edges: DataFrame) -> DataFrame:
    """Per ring: its edges with evidence and the attribute values shared inside it.

    Args:
        members: `ring_key, node` (one row per member).
        edges: `src, dst, weight, tier, evidence` of the whole graph.

    Returns:
        `ring_key, edges, shared_attributes`: `edges` as "a -- b (weight w, tier): kind=value, ..." sorted;
        `shared_attributes` as "kind=value (n members)" for every value two or more members share, most shared
        first (merchants excluded: they are reported as supply).
    """
    m_src = members.select("ring_key", F.col("node").alias("src"))
    m_dst = members.select(F.col("ring_key").alias("_rk"), F.col("node").alias("dst"))
    inside = edges.join(m_src, "src").join(m_dst, "dst").where(F.col("ring_key") == F.col("_rk"))
    text = F.format_string(
        "%s -- %s (weight %.1f, %s): %s", "src", "dst", "weight", "tier", F.concat_ws(", ", "evidence")
    )
    per_ring = inside.groupBy("ring_key").agg(F.array_sort(F.collect_list(text)).alias("edges"))
    touched = (
        inside.select("ring_key", F.explode("evidence").alias("attr"), F.array("src", "dst").alias("ends"))
        .where(~F.col("attr").startswith("seller="))
        .select("ring_key", "attr", F.explode("ends").alias("node"))
        .groupBy("ring_key", "attr")
        .agg(F.count_distinct("node").alias("n"))
    )
    shared = touched.groupBy("ring_key").agg(
        F.transform(
            F.array_sort(F.collect_list(F.struct((-F.col("n")).alias("k"), "attr", "n"))),
            lambda s: F.format_string("%s (%d members)", s["attr"], s["n"]),
        ).alias("shared_attributes")
    )
    return per_ring.join(shared, "ring_key", "left").select(
        "ring_key", "edges", F.coalesce("shared_attributes", F.array().cast("array<string>")).alias("shared_attributes")
    )


def ring_supply(members: DataFrame, records: DataFrame, *, window_days: int) -> DataFrame:
    """Per ring: its parcels (bought from merchants in common), parcels under the threshold, window totals.

    Args:
        members: `ring_key, node` with node = entity id.
        records: one row per record: `record_id, entity_id, seller_id, destination_country, order_date,
            arrival_date, value_threshold_ccy, value_usd, threshold` (threshold from `with_threshold`).
        window_days: window length for combining one merchant's parcels, and how close in time (purchase date:
            order date, else arrival date) another member's purchase from the merchant must be.

    Returns:
        `ring_key, record_ids, n_records, sellers_in_common, common_seller_share, parcels_under_threshold,
        under_threshold_share, max_window_ratio, windows_over_threshold, value_at_stake_usd`.

        The ring's parcels (`record_ids`, `n_records`) are the members' records from merchants in common: another
        member bought from the same merchant for the same destination within `window_days` of the purchase. That
        is the one supply spread over many names. The members' other records, including their own shopping at the
        same merchant months before or after, are not evidence of the ring; `common_seller_share` is the ring's parcels
        over all the members' records. Window figures use the ring's parcels only: `max_window_ratio` is the
        largest total of one merchant within `window_days` over the threshold in force (null when no threshold
        applies), `windows_over_threshold` counts merchant x destination groups with a window over it.
    """
    rows = members.select("ring_key", F.col("node").alias("entity_id")).join(records, "entity_id")
    group = ["ring_key", "seller_id", "destination_country"]
    epoch = F.lit("1970-01-01").cast("date")
    bought = F.datediff(F.coalesce(F.col("order_date"), F.col("arrival_date")), epoch)
    near = Window.partitionBy(*group).orderBy(bought).rangeBetween(-window_days, window_days)
    buyers_near = F.size(F.collect_set("entity_id").over(near))
    rows = rows.withColumn(
        "_in_supply", F.col("seller_id").isNotNull() & bought.isNotNull() & F.coalesce(buyers_near >= 2, F.lit(False))
    )
    day = F.datediff(F.col("arrival_date"), epoch)
    window = Window.partitionBy(*group).orderBy(day).rangeBetween(-(window_days - 1), 0)
    supply_rows = (
        rows.where(F.col("_in_supply"))
        .withColumn("_win", F.sum("value_threshold_ccy").over(window).cast("double"))
        .withColumn("_win_usd", F.sum("value_usd").over(window).cast("double"))
        .withColumn("_ratio", F.col("_win") / F.col("threshold"))
    )
    per_seller = supply_rows.groupBy(*group).agg(
        F.count(F.lit(1)).alias("parcels"),
        F.count_distinct("entity_id").alias("buyers"),
        F.max("_ratio").alias("ratio"),
        F.max(F.when(F.col("_ratio") > 1, F.col("_win_usd"))).alias("stake_usd"),
    )
    supply = per_seller.groupBy("ring_key").agg(
        F.array_sort(
            F.collect_list(
                F.struct(
                    (-F.col("parcels")).alias("k"),
                    F.format_string("%s (%d parcels, %d members)", "seller_id", "parcels", "buyers").alias("t"),
                )
            )
        ).alias("_common"),
        F.max("ratio").alias("max_window_ratio"),
        F.count_if(F.col("ratio") > 1).alias("windows_over_threshold"),
        F.coalesce(F.sum("stake_usd"), F.lit(0.0)).alias("value_at_stake_usd"),
    )
    counts = rows.groupBy("ring_key").agg(
        F.array_sort(F.collect_list(F.when(F.col("_in_supply"), F.col("record_id")))).alias("record_ids"),
        F.count_if("_in_supply").alias("n_records"),
        F.count(F.lit(1)).alias("_all"),
        F.count_if(F.col("_in_supply") & (F.col("value_threshold_ccy") < F.col("threshold"))).alias(
            "parcels_under_threshold"
        ),
    )
    return counts.join(supply, "ring_key").select(
        "ring_key",
        "record_ids",
        "n_records",
        F.transform("_common", lambda s: s["t"]).alias("sellers_in_common"),
        (F.col("n_records") / F.col("_all")).alias("common_seller_share"),
        "parcels_under_threshold",
        (F.col("parcels_under_threshold") / F.col("n_records")).alias("under_threshold_share"),
        "max_window_ratio",
        "windows_over_threshold",
        "value_at_stake_usd",
    )


def _clip(c: Column) -> Column:
    return F.least(F.greatest(c, F.lit(0.0)), F.lit(1.0))


def with_score(rings: DataFrame, *, duty_rate: float) -> DataFrame:
    """Add `duty_at_stake_usd`, `score` (0-100) and `reasons` (plain sentences, strongest evidence first).

    Args:
        rings: one row per ring with `n_members, n_parties, shared_attributes, sellers_in_common,
            common_seller_share, n_records, parcels_under_threshold, under_threshold_share, max_window_ratio,
            windows_over_threshold, value_at_stake_usd, organiser, organiser_betweenness, bridges`.
        duty_rate: flat rate applied to the value at stake.

    Parts, each in [0, 1]: structure = (parties - 2) / 4 (three parties 0.25, six or more 1); supply = share of
    the members' records bought from merchants in common; under = share of ring parcels under the threshold;
    window = 1 when some merchant's parcels within the window exceed the threshold combined;
    stake = log10(1 + duty in USD) / 3 (USD 1,000 of duty or more scores 1).
    """
    duty = F.col("value_at_stake_usd") * F.lit(duty_rate)
    structure = _clip((F.col("n_parties") - 2) / 4.0)
    supply = _clip(F.coalesce(F.col("common_seller_share"), F.lit(0.0)))
    under = _clip(F.coalesce(F.col("under_threshold_share"), F.lit(0.0)))
    window = F.when(F.col("windows_over_threshold") > 0, 1.0).otherwise(0.0)
    stake = _clip(F.log10(F.lit(1.0) + duty) / 3.0)
    score = 30 * structure + 20 * supply + 15 * under + 20 * window + 15 * stake
    reasons = F.array(
        F.format_string(
            "%d consignees (%d independent parties) linked by shared %s",
            "n_members",
            "n_parties",
            F.concat_ws("; ", F.slice("shared_attributes", 1, 4)),
        ),
        F.when(
            F.size("sellers_in_common") > 0,
            F.format_string(
                "%d parcels (%.0f%% of the members' records) bought from merchants in common: %s",
                "n_records",
                F.col("common_seller_share") * 100,
                F.concat_ws(", ", F.slice("sellers_in_common", 1, 3)),
            ),
        ),
        F.when(
            F.col("parcels_under_threshold") > 0,
            F.format_string(
                "%d of %d parcels each under the de minimis threshold", "parcels_under_threshold", "n_records"
            ),
        ),
        F.when(
            F.col("windows_over_threshold") > 0,
            F.format_string(
                "combined value from one merchant reaches %.1fx the threshold within the window; "
                "duty and tax at stake about USD %.0f",
                "max_window_ratio",
                duty,
            ),
        ),
        F.format_string("organiser candidate %s (highest betweenness %.2f)", "organiser", "organiser_betweenness"),
        F.when(
            F.size("bridges") > 0,
            F.format_string("joined to another ring by weak link(s): %s", F.concat_ws("; ", "bridges")),
        ),
    )
    return (
        rings.withColumn("duty_at_stake_usd", duty)
        .withColumn("score", F.round(score, 1))
        .withColumn("reasons", F.filter(reasons, lambda r: r.isNotNull()))
    )


def describe_rings(findings: DataFrame, *, top: int = 10) -> str:
    """A terminal summary of the `top` rings by score (only those rows reach the driver).

    Args:
        findings: rows of `gold/ring_findings` (or `find_rings(...).findings`).
        top: how many rings to list.

    Returns:
        One block per ring: id, score, size, duty at stake, organiser, then its reasons.
    """
    rows = findings.orderBy(F.col("score").desc(), F.col("ring_id")).limit(top).collect()
    if not rows:
        return "no ring findings"
    lines = [f"top {len(rows)} ring findings:"]
    for r in rows:
        lines.append(
            f"  {r['ring_id']}  score {r['score']:.1f}  {r['n_members']} members  {r['n_records']} parcels  "
            f"duty at stake ~USD {r['duty_at_stake_usd']:.0f}  organiser {r['organiser']}"
        )
        lines += [f"      - {reason}" for reason in r["reasons"]]
    return "\n".join(lines)
