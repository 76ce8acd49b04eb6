"""The base case score (0-100, the fallback scorer), the plain-words summary and the ranking of raised cases.

Base score = 100 x (EVIDENCE_WEIGHT x evidence + DUTY_WEIGHT x duty part + HISTORY_WEIGHT x history part):
- evidence (0-1): the strongest finding's score (a split finding's 0-1 score, a ring's 0-100 score / 100), raised
  by the next three strongest: 1 - (1 - s_max) x prod(1 - 0.25 x s_i) (`splitscan.cases.merge`);
- duty part: log10(1 + duty at stake in USD) / log10(1 + DUTY_SATURATION_USD), capped at 1, so USD 100 gives
  0.50, USD 1,000 0.75 and USD 10,000 or more 1.0: a tenfold larger case matters more, not tenfold more;
- history part: months with a split finding for the case's entities / HISTORY_SATURATION_MONTHS, capped at 1.
A split case whose every finding is a business importer's (`business`: a business id or a company name on the
parcels) is multiplied by BUSINESS_FACTOR: its volume and history are trade, so they must not lift it over personal
splits; it stays listed, since a business using the personal-use exemption is itself worth a look.
"""

from __future__ import annotations

import math

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

__all__ = [
    "BUSINESS_FACTOR",
    "DUTY_SATURATION_USD",
    "DUTY_WEIGHT",
    "EVIDENCE_WEIGHT",
    "HISTORY_SATURATION_MONTHS",
    "HISTORY_WEIGHT",
    "duty_part",
    "with_base_score",
    "with_rank",
    "with_summary",
]

BUSINESS_FACTOR = 0.5
EVIDENCE_WEIGHT = 0.6
DUTY_WEIGHT = 0.3
HISTORY_WEIGHT = 0.1
DUTY_SATURATION_USD = 10_000.0
HISTORY_SATURATION_MONTHS = 6

# Ring link kinds in words: singular, plural.
_KIND_WORDS: dict[str, tuple[str, str]] = {
    "customs_id": ("a customs id", "customs ids"),
    "phone": ("a phone", "phones"),
    "email": ("an e-mail address", "e-mail addresses"),
    # A unit that is one member's home and another's delivery address; a unit that several members call home.
    "drop_address": ("a drop address", "drop addresses"),
    "unit": ("a home address", "home addresses"),
}


def duty_part(duty_usd: Column) -> Column:
    """0-1 on a log scale: log10(1 + duty) / log10(1 + DUTY_SATURATION_USD), capped at 1."""
    return F.least(
        F.log10(F.lit(1.0) + duty_usd.cast("double")) / F.lit(math.log10(1 + DUTY_SATURATION_USD)), F.lit(1.0)
    )


def with_base_score(cases: DataFrame) -> DataFrame:
    """Add `base_score` (0-100, two decimals) from `evidence`, `duty_at_stake_usd`, `history_months` and, when the
    frame has it, `business` (a business importer's split case is scaled by BUSINESS_FACTOR)."""
    history = F.least(F.col("history_months") / F.lit(float(HISTORY_SATURATION_MONTHS)), F.lit(1.0))
    points = (
        F.lit(EVIDENCE_WEIGHT) * F.col("evidence")
        + F.lit(DUTY_WEIGHT) * F.coalesce(duty_part(F.col("duty_at_stake_usd")), F.lit(0.0))
        + F.lit(HISTORY_WEIGHT) * history
    )
    if "business" in cases.columns:
        points = F.when(F.col("business"), points * F.lit(BUSINESS_FACTOR)).otherwise(points)
    return cases.withColumn("base_score", F.round(F.least(F.greatest(points, F.lit(0.0)), F.lit(1.0)) * 100.0, 2))


def _shared_in_words(shared: Column) -> Column:
    """'phone=P1 (3 members)', 'phone=P2 (2 members)', 'drop_address=U1 (4 members)' -> '2 phones and a drop
    address'."""
    kinds = F.transform(shared, lambda a: F.split(a, "=")[0])
    words = F.transform(
        F.array_distinct(kinds),
        lambda k: _kind_phrase(k, F.size(F.filter(kinds, lambda x: x == k))),
    )
    last = F.try_element_at(words, F.lit(-1))
    head = F.slice(words, 1, F.greatest(F.size(words) - 1, F.lit(0)))
    return (
        F.when(F.size(words) == 0, F.lit("nothing recorded"))
        .when(F.size(words) == 1, last)
        .otherwise(F.concat(F.array_join(head, ", "), F.lit(" and "), last))
    )


def _kind_phrase(kind: Column, n: Column) -> Column:
    singular = F.coalesce(
        *[F.when(kind == k, F.lit(one)) for k, (one, _) in _KIND_WORDS.items()], F.concat(F.lit("a "), kind)
    )
    plural = F.coalesce(
        *[F.when(kind == k, F.lit(many)) for k, (_, many) in _KIND_WORDS.items()], F.concat(kind, F.lit("s"))
    )
    return F.when(n == 1, singular).otherwise(F.format_string("%d %s", n, plural))


def _usd(col: str) -> Column:
    return F.concat(F.lit("USD "), F.format_number(F.col(col).cast("double"), 0))


def with_summary(cases: DataFrame) -> DataFrame:
    """Add `summary`: the case in one or two plain sentences.

    Ring: "Ring of 6 consignees sharing 2 phones and a drop address bought 41 parcels from 3 merchants in common, 38 of
    them each under the de minimis threshold; 3 split findings (lead rule KR-SUPPLIER-DATE, each part under USD
    150.00); duty at stake USD 1,234." Split: "One consignee split 7 parcels into 3 findings under KR-SUPPLIER-DATE,
    each part under USD 150.00, arriving 2025-01-02 to 2025-03-05; duty at stake USD 1,234."
    """
    n_splits = F.size("finding_ids")
    lead = F.format_string(
        "%s, each part under %s %s",
        F.col("lead_rule"),
        F.col("lead_currency"),
        F.format_number(F.col("lead_part_limit").cast("double"), 2),
    )
    ring = F.concat(
        F.format_string(
            "Ring of %d consignees sharing %s bought %d parcels",
            F.col("n_entities"),
            _shared_in_words(F.coalesce("shared_attributes", F.array().cast("array<string>"))),
            F.col("n_records"),
        ),
        F.when(F.col("n_sellers") > 0, F.format_string(" from %d merchant(s) in common", F.col("n_sellers"))).otherwise(
            F.lit("")
        ),
        F.when(
            F.col("parcels_under_threshold") > 0,
            F.format_string(", %d of them each under the de minimis threshold", F.col("parcels_under_threshold")),
        ).otherwise(F.lit("")),
        F.when(
            n_splits > 0, F.concat(F.format_string("; %d split finding(s) (lead rule ", n_splits), lead, F.lit(")"))
        ).otherwise(F.lit("")),
        F.lit("; duty at stake "),
        _usd("duty_at_stake_usd"),
        F.lit("."),
    )
    split = F.concat(
        F.format_string("One consignee split %d parcels into %d finding(s) under ", F.col("n_records"), n_splits),
        lead,
        F.format_string(
            ", arriving %s to %s; duty at stake ",
            F.date_format("first_arrival", "yyyy-MM-dd"),
            F.date_format("last_arrival", "yyyy-MM-dd"),
        ),
        _usd("duty_at_stake_usd"),
        F.lit("."),
    )
    return cases.withColumn("summary", F.when(F.col("case_type") == "ring", ring).otherwise(split))


def with_rank(cases: DataFrame) -> DataFrame:
    """Add `rank`: 1 = the highest `score` among the `raised` cases (ties: more duty, then the smaller case id);
    null when not raised. One window over the raised cases: a case list is small next to the findings."""
    order = Window.partitionBy("raised").orderBy(
        F.col("score").desc(), F.col("duty_at_stake_usd").desc(), F.col("case_id")
    )
    return cases.withColumn("rank", F.when(F.col("raised"), F.row_number().over(order)).cast("int"))
