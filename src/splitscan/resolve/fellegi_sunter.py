"""Fellegi-Sunter match weights for candidate pairs, with m and u estimated without labels.

The model (Fellegi and Sunter 1969; the Splink formulation): for each field and comparison level,
`m` = P(level | same person) and `u` = P(level | different people). A pair's evidence is the sum of the
per-field match weights `log2(m/u)` plus the prior log-odds `log2(lambda / (1 - lambda))`, where lambda is the
probability that two records drawn at random are the same person. A field that is missing on a side
(level -1) adds nothing. Fields are taken as independent given the match status.

Estimation without labels:
  * `estimate_u`: u from the level frequencies of random record pairs (a deterministic sample of records,
    cross-joined). Almost all random pairs are different people.
  * `estimate_m`: EM over the comparison patterns of the candidate pairs, aggregated in Spark into at most
    one row per gamma vector (7*6*4*3*3 = 1512), collected and iterated in numpy on the driver. It estimates m,
    lambda (the share of matches among the pairs trained on) and, by default, a within-candidates u that starts
    at the random-sample u and is used inside EM only (see `em_from_pattern_counts` for why u cannot stay
    fixed on blocked pairs). `MatchModel.from_estimates` keeps the random-sample u for scoring and turns the
    share of matches into the prior for a random pair.
  * `fit_from_labels` replaces m (and optionally u) with frequencies among labelled pairs.

Scoring (`score_pairs`) runs as Spark SQL expressions: weights are literals in CASE expressions, term
frequencies are broadcast-joined lookups, so no Python runs per pair. Two domain rules (domain.md §4) are
enforced there rather than left to the estimates:
  * evidence-against levels (same building but another unit, two different customs ids) never weigh for a
    match: their weight is capped at 0;
  * names never link on their own: a pair without a positive weight on an identifying level (customs id,
    phone, unit-level address, exact e-mail) has its total weight capped below the link threshold.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf

from splitscan.resolve.compare import (
    COMPARE_INPUT_COLUMNS,
    COMPARE_OPTIONAL_COLUMNS,
    COMPARISONS,
    GAMMA_COLUMNS,
    NOT_COMPARABLE,
    AddressLevel,
    CustomsIdLevel,
    EmailLevel,
    NameLevel,
    PhoneLevel,
    compare_pairs,
)

__all__ = [
    "DEFAULT_CORROBORATING_LEVELS",
    "DEFAULT_INITIAL_M",
    "FIELDS",
    "SCORE_OUTPUT_COLUMNS",
    "TF_ADJUSTMENTS",
    "EMResult",
    "MatchModel",
    "Probabilities",
    "TfAdjustment",
    "UEstimate",
    "em_from_pattern_counts",
    "estimate_m",
    "estimate_u",
    "fit_from_labels",
    "gamma_pattern_counts",
    "score_pairs",
]

logger = logging.getLogger(__name__)

FIELDS: tuple[str, ...] = tuple(COMPARISONS)
"""Compared fields, in the order of `GAMMA_COLUMNS`."""

Probabilities = Mapping[str, Mapping[int, float]]
"""Field -> comparison level -> probability (levels 0 and up; -1 carries no evidence)."""

DEFAULT_INITIAL_M: Probabilities = {
    "name": {6: 0.55, 5: 0.15, 4: 0.07, 3: 0.08, 2: 0.05, 1: 0.03, 0: 0.07},
    "address": {5: 0.50, 4: 0.20, 3: 0.03, 2: 0.07, 1: 0.05, 0: 0.15},
    "phone": {3: 0.75, 2: 0.05, 1: 0.05, 0: 0.15},
    "customs_id": {2: 0.90, 1: 0.03, 0: 0.07},
    "email": {2: 0.70, 1: 0.10, 0: 0.20},
}
"""Starting m for EM, and m for a field left out of EM: most mass on agreement."""

DEFAULT_CORROBORATING_LEVELS: Mapping[str, tuple[int, ...]] = {
    "customs_id": (int(CustomsIdLevel.EXACT), int(CustomsIdLevel.ONE_TYPO)),
    "phone": (int(PhoneLevel.EXACT), int(PhoneLevel.SAME_TAIL), int(PhoneLevel.ONE_EDIT)),
    "address": (int(AddressLevel.SAME_UNIT),),
    "email": (int(EmailLevel.EXACT),),
}
"""Levels that identify a person (domain.md §4: customs ids, phone, unit-level address). A pair needs a positive
weight on one of them to link; names, buildings and postcodes only support."""

SCORE_OUTPUT_COLUMNS: tuple[str, ...] = (
    *(f"w_{f}" for f in FIELDS),
    "match_weight",
    "match_probability",
    "names_only_capped",
    "decision",
    "evidence",
)

_MIN_PROBABILITY = 1e-12  # keeps log2(m/u) finite when a level was never seen
_SEED_SALT = "splitscan-u-sample"
_DEGENERATE_LAMBDA = 1e-3


@dataclass(frozen=True)
class TfAdjustment:
    """A term-frequency adjustment: at `levels` of `field`, u becomes the frequency of the shared value.

    Attributes:
        field: the compared field whose weight is adjusted.
        tf_column: the value of `column` in the term-frequency table.
        levels: levels at which the two values are (nearly) the same, so the value's frequency applies.
        sources: per-record columns whose values, joined by `|`, form the looked-up value.
    """

    field: str
    tf_column: str
    levels: tuple[int, ...]
    sources: tuple[str, ...]


TF_ADJUSTMENTS: tuple[TfAdjustment, ...] = (
    TfAdjustment("name", "name_key", (int(NameLevel.EXACT), int(NameLevel.SURNAME_GIVEN_CLOSE)), ("surname", "given")),
    TfAdjustment("address", "building_key", (int(AddressLevel.BUILDING_UNIT_MISSING),), ("building_key",)),
    TfAdjustment("address", "postcode_std", (int(AddressLevel.SAME_POSTCODE),), ("postcode_std",)),
    TfAdjustment("phone", "phone_std", (int(PhoneLevel.EXACT), int(PhoneLevel.SAME_TAIL)), ("phone_std",)),
)
"""A common surname+given, a large building or postcode, a phone shared by many records weigh less."""


def _levels(field_name: str) -> tuple[int, ...]:
    return COMPARISONS[field_name].levels


def _check_probabilities(name: str, probs: Probabilities, fields: Iterable[str] = FIELDS) -> None:
    for f in fields:
        if f not in probs:
            raise ValueError(f"{name}: no probabilities for field {f!r}")
        levels = set(_levels(f))
        given = set(probs[f])
        if given != levels:
            raise ValueError(f"{name}[{f!r}]: levels {sorted(given)} but the comparison has {sorted(levels)}")
        values = list(probs[f].values())
        if any(not (0.0 <= p <= 1.0) for p in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-6):
            raise ValueError(f"{name}[{f!r}]: probabilities must lie in [0, 1] and sum to 1, got {values}")


def _plain(probs: Probabilities) -> dict[str, dict[int, float]]:
    return {f: {int(level): float(p) for level, p in probs[f].items()} for f in probs}


def _log2_odds(probability: float) -> float:
    return math.log2(probability / (1.0 - probability))


@dataclass(frozen=True)
class MatchModel:
    """A Fellegi-Sunter model for the five compared fields, storable as JSON.

    Attributes:
        m: P(level | same person), per field and level.
        u: P(level | different people), per field and level.
        lambda_: probability that two records drawn at random are the same person (the prior).
        link_threshold: match probability at or above which a pair is linked.
        review_threshold: match probability at or above which an unlinked pair goes to review.
        tf_floor: lowest u a term frequency may set; None means the level's own u, so that term frequencies
            only ever lower a weight (a rare value never weighs more than the average value).
        names_only_margin: bits below the link threshold at which an uncorroborated pair is capped.
        corroborating: identifying levels per field; a pair needs a positive weight on one to link.
        training: free-form figures of how the model was estimated (iterations, pair counts, ...).
    """

    m: Probabilities
    u: Probabilities
    lambda_: float
    link_threshold: float = 0.99
    review_threshold: float = 0.5
    tf_floor: float | None = None
    names_only_margin: float = 1.0
    corroborating: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: dict(DEFAULT_CORROBORATING_LEVELS))
    training: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_probabilities("m", self.m)
        _check_probabilities("u", self.u)
        if not 0.0 < self.lambda_ < 1.0:
            raise ValueError(f"lambda_ must lie in (0, 1), got {self.lambda_}")
        if not 0.0 < self.review_threshold <= self.link_threshold < 1.0:
            raise ValueError(
                f"need 0 < review_threshold <= link_threshold < 1, got {self.review_threshold}, {self.link_threshold}"
            )
        if self.tf_floor is not None and not 0.0 < self.tf_floor < 1.0:
            raise ValueError(f"tf_floor must lie in (0, 1), got {self.tf_floor}")
        if self.names_only_margin <= 0.0:
            raise ValueError(f"names_only_margin must be positive, got {self.names_only_margin}")
        for f, levels in self.corroborating.items():
            if f not in COMPARISONS or not set(levels) <= set(_levels(f)):
                raise ValueError(f"corroborating: unknown field or level {f!r}: {levels}")
        if "name" in self.corroborating:
            raise ValueError("corroborating: a name level cannot corroborate (names never link on their own)")

    def weight(self, field_name: str, level: int) -> float:
        """`log2(m/u)` of a level, 0 for -1, capped at 0 for evidence-against levels."""
        if level == NOT_COMPARABLE:
            return 0.0
        m = max(self.m[field_name][level], _MIN_PROBABILITY)
        u = max(self.u[field_name][level], _MIN_PROBABILITY)
        w = math.log2(m / u)
        return min(w, 0.0) if level in COMPARISONS[field_name].against else w

    @property
    def prior_weight(self) -> float:
        """`log2(lambda / (1 - lambda))`, the weight of a pair with no evidence."""
        return _log2_odds(self.lambda_)

    @property
    def link_weight(self) -> float:
        """The total match weight at the link threshold."""
        return _log2_odds(self.link_threshold)

    @property
    def names_only_cap(self) -> float:
        """The highest total weight of a pair without identifying evidence."""
        return self.link_weight - self.names_only_margin

    def to_json(self) -> str:
        """Serialise to a JSON string (levels become string keys)."""
        payload = {
            "format": "splitscan.fellegi_sunter/1",
            "fields": {
                f: {"m": {str(k): v for k, v in self.m[f].items()}, "u": {str(k): v for k, v in self.u[f].items()}}
                for f in FIELDS
            },
            "lambda": self.lambda_,
            "link_threshold": self.link_threshold,
            "review_threshold": self.review_threshold,
            "tf_floor": self.tf_floor,
            "names_only_margin": self.names_only_margin,
            "corroborating": {f: list(levels) for f, levels in self.corroborating.items()},
            "training": dict(self.training),
        }
        return json.dumps(payload, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MatchModel:
        """Read a model written by `to_json`.

        Raises:
            ValueError: the text is not a model of this format, or the model is invalid.
        """
        payload = json.loads(text)
        if payload.get("format") != "splitscan.fellegi_sunter/1":
            raise ValueError(f"not a splitscan Fellegi-Sunter model: format {payload.get('format')!r}")
        fields = payload["fields"]
        return cls(
            m={f: {int(k): float(v) for k, v in fields[f]["m"].items()} for f in fields},
            u={f: {int(k): float(v) for k, v in fields[f]["u"].items()} for f in fields},
            lambda_=float(payload["lambda"]),
            link_threshold=float(payload["link_threshold"]),
            review_threshold=float(payload["review_threshold"]),
            tf_floor=None if payload["tf_floor"] is None else float(payload["tf_floor"]),
            names_only_margin=float(payload["names_only_margin"]),
            corroborating={f: tuple(int(v) for v in levels) for f, levels in payload["corroborating"].items()},
            training=payload["training"],
        )

    @classmethod
    def from_estimates(
        cls,
        u: UEstimate,
        em: EMResult,
        *,
        blocking_recall: float = 1.0,
        **options: Any,
    ) -> MatchModel:
        """Build a model from a random-sample u and an EM run on candidate pairs.

        EM's lambda is the share of matches among the candidate pairs it was run on. The prior for a random
        pair is the expected number of matching pairs, `lambda_em * n_candidate_pairs / blocking_recall`, over
        all `n_records * (n_records - 1) / 2` record pairs. Scoring then weighs every field, including the ones
        blocking selected on, against that prior; using lambda_em directly would count the blocking evidence
        twice.

        Args:
            u: the random-sample estimate (`estimate_u`).
            em: the EM result (`estimate_m`).
            blocking_recall: the share of true matches that blocking keeps (1.0 if unknown).
            **options: other `MatchModel` fields (thresholds, tf_floor, ...).

        Raises:
            ValueError: blocking_recall is not in (0, 1], or the sample has fewer than two records.
        """
        if not 0.0 < blocking_recall <= 1.0:
            raise ValueError(f"blocking_recall must lie in (0, 1], got {blocking_recall}")
        if u.n_records < 2:
            raise ValueError("need at least two records to form a pair")
        all_pairs = u.n_records * (u.n_records - 1) / 2
        expected_matches = em.lambda_ * em.n_pairs / blocking_recall
        lambda_ = min(max(expected_matches / all_pairs, _MIN_PROBABILITY), 1.0 - 1e-9)
        training = {
            "u_sample_pairs": u.n_pairs,
            "n_records": u.n_records,
            "em_pairs": em.n_pairs,
            "em_patterns": em.n_patterns,
            "em_iterations": em.iterations,
            "em_converged": em.converged,
            "em_lambda": em.lambda_,
            "em_excluded_fields": list(em.excluded_fields),
            "blocking_recall": blocking_recall,
        }
        return cls(m=em.m, u=u.u, lambda_=lambda_, training=training, **options)


@dataclass(frozen=True)
class UEstimate:
    """u probabilities from random record pairs.

    Attributes:
        u: P(level | different people) per field and level (additively smoothed, see `estimate_u`).
        counts: raw level counts per field, level -1 included.
        n_pairs: random pairs compared.
        n_records: records in the table sampled from.
    """

    u: Probabilities
    counts: Mapping[str, Mapping[int, int]]
    n_pairs: int
    n_records: int


@dataclass(frozen=True)
class EMResult:
    """The outcome of an EM run on aggregated comparison patterns.

    Attributes:
        m: estimated P(level | match); fields left out of EM keep their starting values.
        u: the u used: the fixed input, or the within-candidates estimate when u was not fixed.
        lambda_: the share of matches among the pairs EM ran on.
        n_pairs: pairs EM ran on (sum of the pattern counts).
        n_patterns: distinct gamma vectors.
        iterations: EM iterations run.
        converged: whether the largest parameter change fell below the tolerance.
        log_likelihood: per iteration, the observed-data log-likelihood plus the log prior of the pseudo
            counts (EM never decreases it).
        excluded_fields: fields treated as missing during EM.
    """

    m: Probabilities
    u: Probabilities
    lambda_: float
    n_pairs: int
    n_patterns: int
    iterations: int
    converged: bool
    log_likelihood: tuple[float, ...]
    excluded_fields: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------------------
# Counting levels
# ---------------------------------------------------------------------------------------------------------------


def gamma_pattern_counts(
    gammas: DataFrame, *, weight: str | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Count the pairs per gamma vector, in Spark, and collect the small result.

    Args:
        gammas: pairs with the `GAMMA_COLUMNS`.
        weight: a column holding the number of pairs each row stands for (a profile pair's record pairs, see
            `resolve.profiles`); None counts each row once.

    Returns:
        `(patterns, counts)`: a (K, 5) array of levels in `GAMMA_COLUMNS` order and the K pair counts. K is
        at most the product of the level counts (1512), so the collect is small whatever the pair count.
    """
    n = sf.sum(weight).cast("long") if weight else sf.count(sf.lit(1))
    rows = gammas.groupBy(*GAMMA_COLUMNS).agg(n.alias("count")).collect()
    if not rows:
        return np.zeros((0, len(GAMMA_COLUMNS)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    patterns = np.array([[int(r[c]) for c in GAMMA_COLUMNS] for r in rows], dtype=np.int64)
    counts = np.array([int(r["count"]) for r in rows], dtype=np.int64)
    return patterns, counts


def _level_counts(
    patterns: npt.NDArray[np.int64], weights: npt.NDArray[np.float64], index: int, n_levels: int
) -> npt.NDArray[np.float64]:
    column = patterns[:, index]
    seen = column >= 0
    return np.bincount(column[seen], weights=weights[seen], minlength=n_levels).astype(np.float64)


def _smoothed(counts: npt.NDArray[np.float64], levels: Sequence[int], pseudo_count: float) -> dict[int, float]:
    total = float(counts[list(levels)].sum()) + pseudo_count * len(levels)
    if total <= 0.0:
        return {level: 1.0 / len(levels) for level in levels}
    return {level: (float(counts[level]) + pseudo_count) / total for level in levels}


# ---------------------------------------------------------------------------------------------------------------
# u from random pairs
# ---------------------------------------------------------------------------------------------------------------


def _records_for_sample(target_pairs: int) -> int:
    """The number of records whose pairs, n(n-1)/2, reach `target_pairs`."""
    return math.ceil(0.5 * (math.sqrt(8 * target_pairs + 1) + 1))


def estimate_u(
    records: DataFrame,
    *,
    target_pairs: int = 1_000_000,
    seed: int = 42,
    id_column: str = "record_id",
    pseudo_count: float = 0.5,
    partitions: int | None = None,
    lookup: tuple[DataFrame, str] | None = None,
) -> UEstimate:
    """Estimate u from the comparison levels of random record pairs.

    Rule: take the `n` records with the smallest `xxhash64(record id, seed)`, where `n(n-1)/2 >=
    target_pairs`, form every pair among them, compare them with `compare_pairs`, and count levels per
    field. u for a level is `(count + pseudo_count) / (comparable pairs + pseudo_count * levels)`; the pseudo
    count keeps a level that no random pair reached (a shared PCCC) at a small positive u instead of 0.
    Random pairs include a handful of true matches; at ~1M pairs they shift u by far less than its noise.
    The sample depends on the record ids and the seed only, not on partitioning.

    Args:
        records: one row per record with `id_column` and the `COMPARE_INPUT_COLUMNS` (no suffix).
        target_pairs: random pairs to compare (1M takes a few seconds on two cores).
        seed: sample seed.
        id_column: the record key.
        pseudo_count: additive smoothing per level.
        partitions: spread the sampled pairs over this many partitions before comparing (more parallelism), if
            given. The sample is one partition, and so is its cross join: one core compares every pair.
        lookup: `(features, key)`: `records` holds the record ids and `key` only, and the sampled records'
            comparison columns are looked up in `features` (one row per `key`, e.g. the profiles of
            `resolve.profiles`), so that only the sample is joined.

    Returns:
        The u estimate with the raw counts and sample sizes.
    """
    n_records = records.count()
    n_sample = min(_records_for_sample(target_pairs), n_records)
    source = records if lookup is None else lookup[0]
    columns = [c for c in (*COMPARE_INPUT_COLUMNS, *COMPARE_OPTIONAL_COLUMNS) if c in source.columns]
    carried = columns if lookup is None else [lookup[1]]
    sample = (
        records.select(sf.col(id_column).alias("_id"), *carried)
        .withColumn("_h", sf.xxhash64(sf.col("_id").cast("string"), sf.lit(f"{_SEED_SALT}:{seed}")))
        .orderBy("_h", "_id")
        .limit(n_sample)
        .drop("_h")
    )
    if lookup is not None:
        features, key = lookup
        sample = (
            features.select(key, *columns)
            .join(sf.broadcast(sample), key)
            .select("_id", *columns)
            .localCheckpoint(eager=True)
        )
    left = sample.select(*[sf.col(c).alias(f"{c}_l") for c in ("_id", *columns)])
    right = sample.select(*[sf.col(c).alias(f"{c}_r") for c in ("_id", *columns)])
    if partitions is not None:
        # The left side's few thousand records are spread, not the million pairs: the pairs come out of the
        # (broadcast) cross join already in `partitions` parts.
        left = left.repartition(partitions)
    pairs = left.crossJoin(sf.broadcast(right)).where(sf.col("_id_l") < sf.col("_id_r"))
    patterns, counts = gamma_pattern_counts(compare_pairs(pairs).select(*GAMMA_COLUMNS))
    n_pairs = int(counts.sum())
    weights = counts.astype(np.float64)
    u: dict[str, dict[int, float]] = {}
    raw: dict[str, dict[int, int]] = {}
    for i, f in enumerate(FIELDS):
        levels = _levels(f)
        level_counts = _level_counts(patterns, weights, i, max(levels) + 1)
        u[f] = _smoothed(level_counts, levels, pseudo_count)
        raw[f] = {level: int(level_counts[level]) for level in levels}
        raw[f][NOT_COMPARABLE] = int(weights[patterns[:, i] < 0].sum())
    logger.info("u estimated from %d random pairs among %d sampled of %d records", n_pairs, n_sample, n_records)
    return UEstimate(u=u, counts=raw, n_pairs=n_pairs, n_records=n_records)


# ---------------------------------------------------------------------------------------------------------------
# m and lambda by EM
# ---------------------------------------------------------------------------------------------------------------


def _as_arrays(probs: Probabilities, fields: Sequence[str]) -> list[npt.NDArray[np.float64]]:
    arrays = []
    for f in fields:
        levels = _levels(f)
        arr = np.zeros(max(levels) + 1)
        for level in levels:
            arr[level] = probs[f][level]
        arrays.append(arr)
    return arrays


def _log_terms(
    patterns: npt.NDArray[np.int64], probs: list[npt.NDArray[np.float64]], active: Sequence[int]
) -> npt.NDArray[np.float64]:
    """Sum over active fields of log P(level), skipping missing levels."""
    total = np.zeros(len(patterns))
    for i in active:
        column = patterns[:, i]
        seen = column >= 0
        total[seen] += np.log(np.maximum(probs[i][column[seen]], _MIN_PROBABILITY))
    return total


def em_from_pattern_counts(
    patterns: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    u: Probabilities,
    *,
    initial_m: Probabilities | None = None,
    initial_lambda: float = 0.5,
    fix_u: bool = False,
    exclude_fields: Sequence[str] = (),
    pseudo_count: float = 1.0,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
) -> EMResult:
    """Run EM for m, lambda and (unless fixed) u on aggregated comparison patterns.

    Model: a pair is a match with probability lambda; given its class, the fields' levels are independent
    with probabilities m (match) or u (non-match); a missing level (-1) has probability 1 in both classes.
    E-step: each pattern's match posterior. M-step: lambda = the count-weighted mean posterior; m (and u) =
    the count-weighted level frequencies among comparable pairs, plus `pseudo_count` per level. Iterations
    stop when no parameter moves by more than `tolerance`.

    Why u is estimated by default: candidate pairs are not random pairs. Blocking keeps the non-matches that
    share a phone, a unit or a surname and postcode (households, neighbours), so among candidate non-matches
    agreement is far commoner than the random-pair u says, and with u fixed EM can only explain those pairs as
    matches. On 40k synthetic records (448k candidate pairs, 87.3% true matches) u fixed gave lambda = 1.000
    and m(customs ids differ) = 0.12 (truth 0.00); u estimated, starting from the random-sample u, gave
    lambda = 0.875 and every m within 0.003 of the labelled truth. The within-candidates u is only a nuisance
    parameter here: scoring uses the random-sample u with the random-pair prior (`MatchModel.from_estimates`).
    `fix_u=True` is the textbook variant (Splink's default); use it with `exclude_fields` on pairs from a
    single blocking rule.

    Fields in `exclude_fields` are treated as missing throughout and keep their starting m. Exclude the
    fields a blocking rule selected on: all its candidate pairs agree on them, so their frequencies say
    nothing about match status (Splink does the same per training session).

    Args:
        patterns: (K, 5) levels in `GAMMA_COLUMNS` order.
        counts: (K,) pair counts.
        u: u per field and level: the starting value, or the fixed value with `fix_u`.
        initial_m: starting m (default `DEFAULT_INITIAL_M`).
        initial_lambda: starting share of matches.
        fix_u: keep u fixed instead of estimating it.
        exclude_fields: fields left out of EM.
        pseudo_count: pairs added to every level in each M-step (a Dirichlet prior): a level no training
            pair reached, such as a one-typo PCCC in clean data, gets m of about 1 / matches instead of 0,
            which would make a typo the strongest evidence against.
        max_iterations: iteration limit.
        tolerance: convergence threshold on the largest parameter change.

    Returns:
        The estimates, iterations, convergence flag and log-likelihood trace.

    Raises:
        ValueError: bad shapes, an unknown field, or a start outside (0, 1).
    """
    if patterns.ndim != 2 or patterns.shape[1] != len(FIELDS) or len(counts) != len(patterns):
        raise ValueError(f"patterns must be (K, {len(FIELDS)}) with K counts, got {patterns.shape}, {counts.shape}")
    unknown = set(exclude_fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"exclude_fields: unknown field(s) {sorted(unknown)}")
    if not 0.0 < initial_lambda < 1.0:
        raise ValueError(f"initial_lambda must lie in (0, 1), got {initial_lambda}")
    if pseudo_count < 0.0:
        raise ValueError(f"pseudo_count must not be negative, got {pseudo_count}")
    start_m = initial_m if initial_m is not None else DEFAULT_INITIAL_M
    _check_probabilities("initial_m", start_m)
    _check_probabilities("u", u)

    active = [i for i, f in enumerate(FIELDS) if f not in exclude_fields]
    m_arr = _as_arrays(start_m, FIELDS)
    u_arr = _as_arrays(u, FIELDS)
    lam = initial_lambda
    weights = counts.astype(np.float64)
    n_pairs = float(weights.sum())
    trace: list[float] = []
    converged = False
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        log_match = math.log(lam) + _log_terms(patterns, m_arr, active)
        log_other = math.log1p(-lam) + _log_terms(patterns, u_arr, active)
        log_total = np.logaddexp(log_match, log_other)
        posterior = np.exp(log_match - log_total)
        log_prior = sum(
            pseudo_count * float(np.log(np.maximum(probs[i], _MIN_PROBABILITY)).sum())
            for probs in ((m_arr, u_arr) if not fix_u else (m_arr,))
            for i in active
        )
        trace.append(float((weights * log_total).sum()) + log_prior)

        match_weight = weights * posterior
        new_lam = float(match_weight.sum() / n_pairs)
        new_lam = min(max(new_lam, _MIN_PROBABILITY), 1.0 - _MIN_PROBABILITY)
        change = abs(new_lam - lam)
        for i in active:
            size = len(m_arr[i])
            level_weights = _level_counts(patterns, match_weight, i, size)
            if level_weights.sum() > 0:
                new_m = (level_weights + pseudo_count) / (level_weights.sum() + pseudo_count * size)
                change = max(change, float(np.abs(new_m - m_arr[i]).max()))
                m_arr[i] = new_m
            if not fix_u:
                other_weights = _level_counts(patterns, weights - match_weight, i, size)
                if other_weights.sum() > 0:
                    new_u = (other_weights + pseudo_count) / (other_weights.sum() + pseudo_count * size)
                    change = max(change, float(np.abs(new_u - u_arr[i]).max()))
                    u_arr[i] = new_u
        lam = new_lam
        if change < tolerance:
            converged = True
            break
    if not converged:
        logger.warning("EM stopped after %d iterations without converging (tolerance %g)", iterations, tolerance)
    if not _DEGENERATE_LAMBDA < lam < 1.0 - _DEGENERATE_LAMBDA:
        logger.warning("EM put lambda at %.6f: every pair in one class; check u and the blocked fields", lam)
    for i in active:
        top = max(_levels(FIELDS[i]))
        if m_arr[i][top] <= u_arr[i][top]:
            logger.warning("EM: %s agreement is no commoner among matches than non-matches", FIELDS[i])
    m_out = {f: {level: float(m_arr[i][level]) for level in _levels(f)} for i, f in enumerate(FIELDS)}
    u_out = {f: {level: float(u_arr[i][level]) for level in _levels(f)} for i, f in enumerate(FIELDS)}
    logger.info("EM: %d iterations, converged=%s, lambda=%.4g over %d pairs", iterations, converged, lam, n_pairs)
    return EMResult(
        m=m_out,
        u=u_out,
        lambda_=lam,
        n_pairs=int(n_pairs),
        n_patterns=len(patterns),
        iterations=iterations,
        converged=converged,
        log_likelihood=tuple(trace),
        excluded_fields=tuple(f for f in FIELDS if f in exclude_fields),
    )


def estimate_m(
    gammas: DataFrame,
    u: UEstimate | Probabilities,
    *,
    initial_m: Probabilities | None = None,
    initial_lambda: float = 0.5,
    fix_u: bool = False,
    exclude_fields: Sequence[str] = (),
    pseudo_count: float = 1.0,
    max_iterations: int = 500,
    tolerance: float = 1e-7,
    weight: str | None = None,
) -> EMResult:
    """Estimate m and lambda by EM on the candidate pairs' comparison patterns.

    The pairs are grouped by gamma vector in Spark (one row per distinct vector, at most 1512) and only that
    table is collected; EM then runs in numpy on the driver (`em_from_pattern_counts`, which documents the
    model and the options).

    Args:
        gammas: candidate pairs with the `GAMMA_COLUMNS` (the output of `compare_pairs`).
        u: the random-sample u (`estimate_u`) or u probabilities: EM's starting u, or its fixed u with `fix_u`.
        initial_m: starting m (default `DEFAULT_INITIAL_M`).
        initial_lambda: starting share of matches among the candidate pairs.
        fix_u: keep u fixed at the random-sample estimate (the textbook variant; see
            `em_from_pattern_counts` for why it fails on pairs from a union of blocking rules).
        exclude_fields: fields left out of EM (those the blocking rule selected on).
        pseudo_count: pairs added to every level in each M-step (see `em_from_pattern_counts`).
        max_iterations: iteration limit.
        tolerance: convergence threshold on the largest parameter change.
        weight: a column of `gammas` holding the record pairs each row stands for (see `gamma_pattern_counts`).

    Returns:
        The EM result.
    """
    patterns, counts = gamma_pattern_counts(gammas.select(*GAMMA_COLUMNS, *([weight] if weight else [])), weight=weight)
    u_probs = u.u if isinstance(u, UEstimate) else u
    return em_from_pattern_counts(
        patterns,
        counts,
        u_probs,
        initial_m=initial_m,
        initial_lambda=initial_lambda,
        fix_u=fix_u,
        exclude_fields=exclude_fields,
        pseudo_count=pseudo_count,
        max_iterations=max_iterations,
        tolerance=tolerance,
    )


def fit_from_labels(
    labelled: DataFrame,
    model: MatchModel,
    *,
    label_column: str = "is_match",
    override_u: bool = False,
    pseudo_count: float = 0.5,
) -> MatchModel:
    """Replace m (and optionally u) with level frequencies among labelled pairs.

    Rule: m = smoothed level frequencies among pairs labelled true; with `override_u`, u = the same among
    pairs labelled false. Labelled non-matches usually come from candidate pairs, which agree on the blocking
    keys far more often than random pairs, so u is kept from the random sample unless asked. Lambda is kept:
    labelled pairs are rarely a random sample. Pairs with a null label are ignored.

    Args:
        labelled: pairs with the `GAMMA_COLUMNS` and a boolean `label_column`.
        model: the model to update.
        label_column: the label.
        override_u: also replace u.
        pseudo_count: additive smoothing per level.

    Returns:
        A new model; `training` records the label counts.

    Raises:
        ValueError: there is no labelled match (or no labelled non-match with `override_u`).
    """
    rows = (
        labelled.where(sf.col(label_column).isNotNull())
        .groupBy(sf.col(label_column).cast("boolean").alias("_label"), *GAMMA_COLUMNS)
        .count()
        .collect()
    )
    by_label: dict[bool, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
    for label in (True, False):
        chosen = [r for r in rows if r["_label"] is label]
        patterns = np.array([[int(r[c]) for c in GAMMA_COLUMNS] for r in chosen], dtype=np.int64).reshape(
            -1, len(GAMMA_COLUMNS)
        )
        by_label[label] = (patterns, np.array([float(r["count"]) for r in chosen]))

    def frequencies(label: bool) -> dict[str, dict[int, float]]:
        patterns, weights = by_label[label]
        if weights.sum() == 0:
            raise ValueError(f"fit_from_labels: no pairs labelled {label}")
        return {
            f: _smoothed(_level_counts(patterns, weights, i, max(_levels(f)) + 1), _levels(f), pseudo_count)
            for i, f in enumerate(FIELDS)
        }

    m = frequencies(True)
    u = frequencies(False) if override_u else _plain(model.u)
    training = {
        **model.training,
        "labelled_matches": int(by_label[True][1].sum()),
        "labelled_non_matches": int(by_label[False][1].sum()),
        "u_from_labels": override_u,
    }
    return replace(model, m=m, u=u, training=training)


# ---------------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------------

_TMP = "_fs_"


def _tf_key(frame: DataFrame, adjustment: TfAdjustment, side: str) -> Column:
    """The looked-up value: the pair's own `<tf_column><side>` if it has one (`name_key_l`), else the sources.

    Sources are joined by `|` with a missing later part as empty (`SMITH|`, as `names.name_key` writes a
    single-word name); a missing first part gives no key.
    """
    own = f"{adjustment.tf_column}{side}"
    if own in frame.columns and own not in {f"{s}{side}" for s in adjustment.sources}:
        return sf.nullif(sf.col(f"`{own}`").cast("string"), sf.lit(""))
    parts = [sf.nullif(sf.col(f"`{c}{side}`").cast("string"), sf.lit("")) for c in adjustment.sources]
    if len(parts) == 1:
        return parts[0]
    return sf.when(parts[0].isNotNull(), sf.concat_ws("|", parts[0], *[sf.coalesce(p, sf.lit("")) for p in parts[1:]]))


def _tf_floor(model: MatchModel, adjustment: TfAdjustment, level: int) -> float:
    return model.tf_floor if model.tf_floor is not None else model.u[adjustment.field][level]


def _with_term_frequencies(pairs: DataFrame, tf: DataFrame, model: MatchModel) -> DataFrame:
    """Add `_fs_tf_<tf_column>`: the larger term frequency of the two sides' values, null when unknown.

    The lookup keeps only the values whose frequency can change a weight, and is then broadcast. With the
    default floor (the level's u), a value at or below u leaves the weight as it is, so only the common values
    are kept and the lookup stays small. An explicit floor below u lets rare values raise the weight, so every
    value must be kept (for phones that is close to one row per phone).
    """
    for adjustment in TF_ADJUSTMENTS:
        keep_above = min(
            floor if floor >= model.u[adjustment.field][level] else 0.0
            for level in adjustment.levels
            for floor in (_tf_floor(model, adjustment, level),)
        )
        lookup = (
            tf.where((sf.col("column") == adjustment.tf_column) & (sf.col("tf") > keep_above))
            .groupBy(sf.col("value").cast("string").alias("value"))
            .agg(sf.max(sf.col("tf").cast("double")).alias("tf"))
        )
        out = f"{_TMP}tf_{adjustment.tf_column}"
        for side in ("_l", "_r"):
            key, value = f"{_TMP}key{side}", f"{_TMP}tf{side}"
            side_lookup = sf.broadcast(lookup.select(sf.col("value").alias(key), sf.col("tf").alias(value)))
            pairs = pairs.withColumn(key, _tf_key(pairs, adjustment, side))
            pairs = pairs.join(side_lookup, on=key, how="left").drop(key)
        pairs = pairs.withColumn(out, sf.greatest(f"{_TMP}tf_l", f"{_TMP}tf_r")).drop(f"{_TMP}tf_l", f"{_TMP}tf_r")
    return pairs


def _weight_column(model: MatchModel, field_name: str, use_tf: bool) -> tuple[Column, Column]:
    """The field's weight and the term frequency applied (null when none), as CASE expressions."""
    gamma = sf.col(COMPARISONS[field_name].gamma_column)
    against = COMPARISONS[field_name].against
    weight = sf.lit(0.0)
    applied = sf.lit(None).cast("double")
    for level in COMPARISONS[field_name].levels:
        w = sf.lit(model.weight(field_name, level))
        adjustments = [a for a in TF_ADJUSTMENTS if a.field == field_name and level in a.levels] if use_tf else []
        for adjustment in adjustments:  # at most one per level
            tf_value = sf.col(f"{_TMP}tf_{adjustment.tf_column}")
            floor = _tf_floor(model, adjustment, level)
            m = max(model.m[field_name][level], _MIN_PROBABILITY)
            adjusted = sf.log2(sf.lit(m) / sf.greatest(tf_value, sf.lit(floor)))
            if level in against:
                adjusted = sf.least(adjusted, sf.lit(0.0))
            w = sf.when(tf_value.isNotNull(), adjusted).otherwise(w)
            applied = sf.when((gamma == level) & tf_value.isNotNull(), tf_value).otherwise(applied)
        weight = sf.when(gamma == level, w).otherwise(weight)
    return weight, applied


def _label_column(field_name: str) -> Column:
    gamma = sf.col(COMPARISONS[field_name].gamma_column)
    label = sf.lit(None).cast("string")
    for level, text in COMPARISONS[field_name].labels.items():
        label = sf.when(gamma == level, sf.lit(text)).otherwise(label)
    return label


def score_pairs(gammas: DataFrame, model: MatchModel, tf: DataFrame | None = None) -> DataFrame:
    """Score compared pairs: per-field match weights, total weight, probability, decision and evidence.

    Rules:
      * `w_<field>` = `log2(m/u)` of the pair's level; 0 when the level is -1; at most 0 on evidence-against
        levels (same building but another unit; different customs ids).
      * Term frequencies (`tf` given): at the levels in `TF_ADJUSTMENTS`, u is replaced by the larger
        frequency of the two values, floored at `model.tf_floor` (default the level's own u, so a common
        name, a large building or postcode, or a phone shared by many records weighs less, and a rare value
        weighs as an average one). A value missing from the table keeps the level's u.
      * `match_weight` = `log2(lambda/(1-lambda))` + the field weights, then capped at
        `model.names_only_cap` (below the link threshold) unless some field in `model.corroborating` has a
        positive weight: names, buildings and postcodes never link on their own. `names_only_capped` says
        whether the cap lowered the weight.
      * `match_probability` = `2^w / (1 + 2^w)`; `decision` = `link` (>= link threshold), `review`
        (>= review threshold) or `no_link`.
      * `evidence`: map field -> {level, label, weight, tf}, the explanation shown on a case.

    Runs as Spark expressions with broadcast lookups; no Python per pair.

    Args:
        gammas: output of `compare_pairs`; with `tf`, also the `_l`/`_r` value columns the lookups use
            (`surname`, `given`, `building_key`, `postcode_std`, `phone_std`).
        model: the match model.
        tf: term frequencies `column, value, tf` (`tf` = share of records with the value) for `name_key`
            (`surname|given`), `building_key`, `phone_std`, `postcode_std`; None for no adjustment.

    Returns:
        `gammas` with the `SCORE_OUTPUT_COLUMNS` appended.

    Raises:
        ValueError: a gamma column is missing, or `tf` is given and a value column is missing.
    """
    missing = [c for c in GAMMA_COLUMNS if c not in gammas.columns]
    if tf is not None:
        sources = {s for a in TF_ADJUSTMENTS for s in a.sources}
        missing += [
            f"{s}{side}" for s in sorted(sources) for side in ("_l", "_r") if f"{s}{side}" not in gammas.columns
        ]
    if missing:
        raise ValueError(f"score_pairs: missing column(s) {missing}")
    kept = [c for c in gammas.columns if c not in SCORE_OUTPUT_COLUMNS]
    frame = gammas.select(*[sf.col(f"`{c}`") for c in kept])
    if tf is not None:
        frame = _with_term_frequencies(frame, tf, model)

    weights: dict[str, Column] = {}
    applied: dict[str, Column] = {}
    for f in FIELDS:
        weights[f], applied[f] = _weight_column(model, f, use_tf=tf is not None)
    frame = frame.withColumns({f"w_{f}": w for f, w in weights.items()}).withColumns(
        {f"{_TMP}applied_{f}": a for f, a in applied.items()}
    )

    corroborated = sf.lit(False)
    for f, levels in model.corroborating.items():
        corroborated = corroborated | (sf.col(COMPARISONS[f].gamma_column).isin(list(levels)) & (sf.col(f"w_{f}") > 0))
    raw = sf.lit(model.prior_weight)
    for f in FIELDS:
        raw = raw + sf.col(f"w_{f}")
    frame = frame.withColumn(f"{_TMP}raw", raw).withColumn(f"{_TMP}corroborated", corroborated)
    cap = sf.lit(model.names_only_cap)
    capped = ~sf.col(f"{_TMP}corroborated") & (sf.col(f"{_TMP}raw") > cap)
    frame = frame.withColumn("names_only_capped", capped).withColumn(
        "match_weight", sf.when(capped, cap).otherwise(sf.col(f"{_TMP}raw"))
    )
    probability = sf.lit(1.0) / (sf.lit(1.0) + sf.pow(sf.lit(2.0), -sf.col("match_weight")))
    frame = frame.withColumn("match_probability", probability)
    decision = (
        sf.when(sf.col("match_probability") >= model.link_threshold, sf.lit("link"))
        .when(sf.col("match_probability") >= model.review_threshold, sf.lit("review"))
        .otherwise(sf.lit("no_link"))
    )
    evidence = sf.create_map(
        *[
            part
            for f in FIELDS
            for part in (
                sf.lit(f),
                sf.struct(
                    sf.col(COMPARISONS[f].gamma_column).alias("level"),
                    _label_column(f).alias("label"),
                    sf.col(f"w_{f}").alias("weight"),
                    sf.col(f"{_TMP}applied_{f}").alias("tf"),
                ),
            )
        ]
    )
    frame = frame.withColumn("decision", decision).withColumn("evidence", evidence)
    return frame.select(*[sf.col(f"`{c}`") for c in kept], *SCORE_OUTPUT_COLUMNS)
