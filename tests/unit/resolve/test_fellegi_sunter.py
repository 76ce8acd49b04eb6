from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType

from splitscan.resolve.compare import COMPARE_INPUT_COLUMNS, GAMMA_COLUMNS
from splitscan.resolve.fellegi_sunter import (
    DEFAULT_INITIAL_M,
    FIELDS,
    EMResult,
    MatchModel,
    Probabilities,
    UEstimate,
    em_from_pattern_counts,
    estimate_m,
    estimate_u,
    fit_from_labels,
    score_pairs,
)

# A known model to simulate from: m puts mass on agreement, u on disagreement.
TRUE_M: Probabilities = {
    "name": {6: 0.60, 5: 0.10, 4: 0.05, 3: 0.05, 2: 0.10, 1: 0.02, 0: 0.08},
    "address": {5: 0.55, 4: 0.15, 3: 0.05, 2: 0.10, 1: 0.05, 0: 0.10},
    "phone": {3: 0.70, 2: 0.10, 1: 0.05, 0: 0.15},
    "customs_id": {2: 0.80, 1: 0.05, 0: 0.15},
    "email": {2: 0.60, 1: 0.10, 0: 0.30},
}
TRUE_U: Probabilities = {
    "name": {6: 0.01, 5: 0.01, 4: 0.02, 3: 0.01, 2: 0.20, 1: 0.05, 0: 0.70},
    "address": {5: 0.001, 4: 0.01, 3: 0.20, 2: 0.30, 1: 0.05, 0: 0.439},
    "phone": {3: 0.005, 2: 0.005, 1: 0.01, 0: 0.98},
    "customs_id": {2: 0.001, 1: 0.004, 0: 0.995},
    "email": {2: 0.002, 1: 0.01, 0: 0.988},
}
TRUE_LAMBDA = 0.25
NULL_RATE = {"name": 0.05, "address": 0.10, "phone": 0.30, "customs_id": 0.50, "email": 0.70}


# Non-matches among *candidate* pairs: blocking kept neighbours and households, who share buildings, phones
# and surnames far more often than random pairs (TRUE_U) do.
CANDIDATE_U: Probabilities = {
    "name": {6: 0.01, 5: 0.01, 4: 0.02, 3: 0.01, 2: 0.45, 1: 0.05, 0: 0.45},
    "address": {5: 0.30, 4: 0.10, 3: 0.30, 2: 0.20, 1: 0.02, 0: 0.08},
    "phone": {3: 0.25, 2: 0.005, 1: 0.01, 0: 0.735},
    "customs_id": {2: 0.001, 1: 0.004, 0: 0.995},
    "email": {2: 0.01, 1: 0.01, 0: 0.98},
}


def _simulate(n: int, seed: int, u: Probabilities = TRUE_U) -> npt.NDArray[np.int64]:
    """n gamma vectors drawn from TRUE_M / `u` / TRUE_LAMBDA, with missing values at NULL_RATE."""
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < TRUE_LAMBDA
    columns = []
    for f in FIELDS:
        levels = np.array(list(TRUE_M[f]))
        drawn_m = rng.choice(levels, size=n, p=np.array(list(TRUE_M[f].values())))
        drawn_u = rng.choice(levels, size=n, p=np.array([u[f][level] for level in levels]))
        column = np.where(is_match, drawn_m, drawn_u)
        column[rng.random(n) < NULL_RATE[f]] = -1
        columns.append(column)
    return np.stack(columns, axis=1).astype(np.int64)


def _aggregate(gammas: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    patterns, counts = np.unique(gammas, axis=0, return_counts=True)
    return patterns.astype(np.int64), counts.astype(np.int64)


def _max_error(estimate: Probabilities, truth: Probabilities) -> float:
    return max(abs(estimate[f][level] - p) for f in FIELDS for level, p in truth[f].items())


# --------------------------------------------------------------------------------------------------------------
# EM
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    return _aggregate(_simulate(400_000, seed=7))


def test_em_recovers_known_m_and_lambda(simulated: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]) -> None:
    patterns, counts = simulated
    result = em_from_pattern_counts(patterns, counts, TRUE_U, fix_u=True)
    # 100k simulated matches: sampling noise on an m is ~0.002, so 0.01 is a 5-sigma bound.
    assert result.converged
    assert result.iterations < 500
    assert result.lambda_ == pytest.approx(TRUE_LAMBDA, abs=0.005)
    assert _max_error(result.m, TRUE_M) < 0.01
    assert result.n_pairs == 400_000
    assert result.u == TRUE_U  # fixed


def test_em_log_likelihood_never_decreases(simulated: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]) -> None:
    patterns, counts = simulated
    trace = np.array(em_from_pattern_counts(patterns, counts, TRUE_U, fix_u=True).log_likelihood)
    assert len(trace) > 2
    assert np.all(np.diff(trace) >= -1e-6 * np.abs(trace[:-1]))
    trace = np.array(em_from_pattern_counts(patterns, counts, TRUE_U).log_likelihood)
    assert len(trace) > 2
    assert np.all(np.diff(trace) >= -1e-6 * np.abs(trace[:-1]))


def test_em_with_free_u_also_recovers_the_model(
    simulated: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> None:
    patterns, counts = simulated
    start_u = {f: {level: 1.0 / len(TRUE_U[f]) for level in TRUE_U[f]} for f in FIELDS}
    result = em_from_pattern_counts(patterns, counts, start_u)
    assert result.converged
    assert result.lambda_ == pytest.approx(TRUE_LAMBDA, abs=0.01)
    assert _max_error(result.m, TRUE_M) < 0.02
    assert _max_error(result.u, TRUE_U) < 0.02


def test_em_on_blocked_candidates_needs_a_free_u() -> None:
    # Candidate non-matches agree far more than random pairs; EM starts from the random-pair u.
    patterns, counts = _aggregate(_simulate(400_000, seed=3, u=CANDIDATE_U))
    free = em_from_pattern_counts(patterns, counts, TRUE_U)
    assert free.lambda_ == pytest.approx(TRUE_LAMBDA, abs=0.01)
    assert _max_error(free.m, TRUE_M) < 0.02
    assert _max_error(free.u, CANDIDATE_U) < 0.02
    fixed = em_from_pattern_counts(patterns, counts, TRUE_U, fix_u=True)
    assert abs(fixed.lambda_ - TRUE_LAMBDA) > 0.1  # the textbook variant calls neighbours matches


def test_em_excluded_field_keeps_its_starting_m(
    simulated: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> None:
    patterns, counts = simulated
    result = em_from_pattern_counts(patterns, counts, TRUE_U, fix_u=True, exclude_fields=["phone"])
    assert result.m["phone"] == DEFAULT_INITIAL_M["phone"]
    assert result.excluded_fields == ("phone",)
    errors = [abs(result.m[f][level] - p) for f in FIELDS if f != "phone" for level, p in TRUE_M[f].items()]
    assert max(errors) < 0.01


def test_em_pseudo_count_keeps_unseen_levels_above_zero() -> None:
    # 1000 clear matches agreeing everywhere, 3000 clear non-matches disagreeing: no pair has a one-typo PCCC.
    patterns = np.array([[6, 5, 3, 2, 2], [0, 0, 0, 0, 0]], dtype=np.int64)
    counts = np.array([1000, 3000], dtype=np.int64)
    smoothed = em_from_pattern_counts(patterns, counts, TRUE_U)
    assert smoothed.lambda_ == pytest.approx(0.25, abs=1e-3)
    assert smoothed.m["customs_id"][1] == pytest.approx(1 / (1000 + 3), rel=0.01)
    raw = em_from_pattern_counts(patterns, counts, TRUE_U, pseudo_count=0.0)
    assert raw.m["customs_id"][1] == 0.0


def test_em_stops_at_the_iteration_limit_without_converging(
    simulated: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
) -> None:
    patterns, counts = simulated
    result = em_from_pattern_counts(patterns, counts, TRUE_U, max_iterations=2)
    assert result.iterations == 2
    assert not result.converged


def test_em_rejects_bad_input(simulated: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]) -> None:
    patterns, counts = simulated
    with pytest.raises(ValueError, match="exclude_fields"):
        em_from_pattern_counts(patterns, counts, TRUE_U, exclude_fields=["surname"])
    with pytest.raises(ValueError, match="patterns must be"):
        em_from_pattern_counts(patterns[:, :3], counts, TRUE_U)
    bad_u = {**TRUE_U, "phone": {3: 0.5, 2: 0.5, 1: 0.5, 0: 0.5}}
    with pytest.raises(ValueError, match=r"u\['phone'\]"):
        em_from_pattern_counts(patterns, counts, bad_u)


def test_estimate_m_aggregates_in_spark_like_numpy(spark: SparkSession) -> None:
    gammas = _simulate(20_000, seed=11)
    df = spark.createDataFrame(pd.DataFrame(gammas, columns=list(GAMMA_COLUMNS)).astype("int32"))
    from_spark = estimate_m(df, UEstimate(u=TRUE_U, counts={}, n_pairs=0, n_records=0))
    from_numpy = em_from_pattern_counts(*_aggregate(gammas), TRUE_U)
    assert from_spark.n_pairs == 20_000
    assert from_spark.n_patterns == from_numpy.n_patterns
    assert from_spark.iterations == from_numpy.iterations
    assert from_spark.lambda_ == pytest.approx(from_numpy.lambda_, rel=1e-9)
    assert _max_error(from_spark.m, from_numpy.m) < 1e-9


def test_estimate_m_counts_each_row_for_the_pairs_it_stands_for(spark: SparkSession) -> None:
    """A row of weight w (a profile pair standing for w record pairs) counts as w identical rows."""
    gammas = _simulate(3_000, seed=5)
    weights = np.random.default_rng(5).integers(1, 4, size=len(gammas))
    frame = pd.DataFrame(gammas, columns=list(GAMMA_COLUMNS)).astype("int32").assign(w=weights)
    weighted = estimate_m(spark.createDataFrame(frame), TRUE_U, weight="w")
    repeated = estimate_m(spark.createDataFrame(frame.loc[frame.index.repeat(frame["w"])].drop(columns="w")), TRUE_U)
    assert weighted.n_pairs == int(weights.sum()) == repeated.n_pairs
    assert weighted.n_patterns == repeated.n_patterns
    assert weighted.iterations == repeated.iterations
    assert weighted.lambda_ == pytest.approx(repeated.lambda_, rel=1e-9)
    assert _max_error(weighted.m, repeated.m) < 1e-9


# --------------------------------------------------------------------------------------------------------------
# u from random pairs
# --------------------------------------------------------------------------------------------------------------


def _records(spark: SparkSession, n: int) -> DataFrame:
    """n records: surname KIM or LEE (half each), every phone distinct, nothing else."""
    rows = [
        {"record_id": f"r{i:03d}", "surname": "KIM" if i % 2 else "LEE", "phone_std": f"8210{i:08d}"} for i in range(n)
    ]
    schema = StructType(
        [StructField("record_id", StringType())]
        + [StructField(c, StringType()) for c in COMPARE_INPUT_COLUMNS if c not in ("surname", "phone_std")]
        + [StructField("surname", StringType()), StructField("phone_std", StringType())]
    )
    return spark.createDataFrame([{c.name: r.get(c.name) for c in schema.fields} for r in rows], schema)


def _one_edit_apart(a: str, b: str) -> bool:
    """Two equal-length digit strings one substitution or one adjacent transposition apart."""
    differ = [i for i in range(len(a)) if a[i] != b[i]]
    swapped = (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )
    return len(differ) == 1 or swapped


def test_estimate_u_counts_every_pair_of_a_small_table(spark: SparkSession) -> None:
    result = estimate_u(_records(spark, 40), target_pairs=10_000)
    # All 40 records are sampled: 780 pairs, 2 * C(20, 2) = 380 with one surname (given missing: level 2).
    assert result.n_records == 40
    assert result.n_pairs == 780
    assert result.counts["name"] == {6: 0, 5: 0, 4: 0, 3: 0, 2: 380, 1: 0, 0: 400, -1: 0}
    assert result.u["name"][2] == pytest.approx(380.5 / (780 + 0.5 * 7))
    assert result.u["name"][6] == pytest.approx(0.5 / (780 + 0.5 * 7))
    # Phones 82100000000i: no two are equal or share the last 8 digits; pairs one digit apart are one edit.
    one_edit = sum(1 for i in range(40) for j in range(i + 1, 40) if _one_edit_apart(f"{i:02d}", f"{j:02d}"))
    assert result.counts["phone"] == {3: 0, 2: 0, 1: one_edit, 0: 780 - one_edit, -1: 0}
    assert result.counts["customs_id"][-1] == 780
    assert result.u["customs_id"] == {2: 1 / 3, 1: 1 / 3, 0: 1 / 3}  # nothing comparable: pseudo counts only


def test_estimate_u_sample_is_deterministic_and_partition_independent(spark: SparkSession) -> None:
    records = _records(spark, 60)
    first = estimate_u(records.repartition(3), target_pairs=300, seed=5)
    again = estimate_u(records.coalesce(1), target_pairs=300, seed=5)
    other_seed = estimate_u(records, target_pairs=300, seed=6)
    assert first.n_pairs == math.comb(25, 2)  # 25 records give the first n(n-1)/2 >= 300
    assert first == again
    assert first.counts != other_seed.counts


def test_estimate_u_looks_up_the_sampled_records_columns(spark: SparkSession) -> None:
    """Sampling ids and looking their columns up in a profile table gives what sampling the joined records gives."""
    records = _records(spark, 60)
    # Records three by three share a profile, whose columns are its first record's.
    number = sf.substring("record_id", 2, 3).cast("int")
    keyed = records.withColumn("profile_id", sf.concat(sf.lit("p"), (number / 3).cast("int").cast("string")))
    profiles = keyed.where(number % 3 == 0).drop("record_id")
    joined = keyed.select("record_id", "profile_id").join(profiles, "profile_id")
    looked_up = estimate_u(
        keyed.select("record_id", "profile_id"), target_pairs=300, seed=5, lookup=(profiles, "profile_id")
    )
    assert looked_up == estimate_u(joined, target_pairs=300, seed=5)
    assert looked_up.n_records == 60


# --------------------------------------------------------------------------------------------------------------
# Model, JSON, estimates
# --------------------------------------------------------------------------------------------------------------


def _model(**overrides: Any) -> MatchModel:
    base = MatchModel(m=TRUE_M, u=TRUE_U, lambda_=0.001)
    return replace(base, **overrides)


def test_model_json_round_trip() -> None:
    model = _model(link_threshold=0.995, tf_floor=1e-5, training={"em_iterations": 12, "note": "test"})
    text = model.to_json()
    assert MatchModel.from_json(text) == model
    assert MatchModel.from_json(text).to_json() == text


def test_model_rejects_invalid_parameters() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        _model(m={**TRUE_M, "email": {2: 0.9, 1: 0.9, 0: 0.9}})
    with pytest.raises(ValueError, match="levels"):
        _model(u={**TRUE_U, "phone": {3: 0.5, 0: 0.5}})
    with pytest.raises(ValueError, match="names never link"):
        _model(corroborating={"name": (6,)})
    with pytest.raises(ValueError, match="review_threshold"):
        _model(review_threshold=0.999, link_threshold=0.99)
    with pytest.raises(ValueError, match="format"):
        MatchModel.from_json('{"format": "other"}')


def test_model_from_estimates_turns_the_candidate_share_into_a_random_pair_prior() -> None:
    u = UEstimate(u=TRUE_U, counts={}, n_pairs=1_000_000, n_records=10_001)
    em = EMResult(
        m=TRUE_M,
        u=TRUE_U,
        lambda_=0.2,
        n_pairs=50_000,
        n_patterns=300,
        iterations=30,
        converged=True,
        log_likelihood=(),
    )
    model = MatchModel.from_estimates(u, em, blocking_recall=0.8, link_threshold=0.999)
    # 0.2 * 50,000 / 0.8 = 12,500 expected matches among 10,001 * 10,000 / 2 pairs.
    assert model.lambda_ == pytest.approx(12_500 / 50_005_000)
    assert model.link_threshold == 0.999
    assert model.training["em_iterations"] == 30


def test_fit_from_labels_replaces_m_with_label_frequencies(spark: SparkSession) -> None:
    rows = [(6, 5, 3, 2, -1, True)] * 3 + [(5, 5, -1, 2, 2, True)] + [(0, 3, 0, 0, -1, False)] * 4
    df = spark.createDataFrame(rows, [*GAMMA_COLUMNS, "is_match"])
    model = fit_from_labels(df, _model(), pseudo_count=0.0)
    assert model.m["name"] == {6: 0.75, 5: 0.25, 4: 0.0, 3: 0.0, 2: 0.0, 1: 0.0, 0: 0.0}
    assert model.m["phone"] == {3: 1.0, 2: 0.0, 1: 0.0, 0: 0.0}
    assert model.m["email"] == {2: 1.0, 1: 0.0, 0: 0.0}
    assert model.u == TRUE_U  # kept
    assert model.training["labelled_matches"] == 4
    with_u = fit_from_labels(df, _model(), pseudo_count=0.0, override_u=True)
    assert with_u.u["address"] == {5: 0.0, 4: 0.0, 3: 1.0, 2: 0.0, 1: 0.0, 0: 0.0}


# --------------------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------------------

_VALUE_COLUMNS = ("surname", "given", "building_key", "postcode_std", "phone_std")
GAMMA_SCHEMA = StructType(
    [StructField("pair", StringType())]
    + [StructField(c, IntegerType()) for c in GAMMA_COLUMNS]
    + [StructField(f"{c}{side}", StringType()) for c in _VALUE_COLUMNS for side in ("_l", "_r")]
)
TF_SCHEMA = StructType(
    [StructField("column", StringType()), StructField("value", StringType()), StructField("tf", DoubleType())]
)


def _gamma_row(pair: str, levels: dict[str, int], **values: str | tuple[str, str] | None) -> dict[str, Any]:
    """A compared pair: levels per field (-1 if absent) and value columns (one value for both sides, or a pair)."""
    row: dict[str, Any] = {"pair": pair} | {f"gamma_{f}": levels.get(f, -1) for f in FIELDS}
    for c in _VALUE_COLUMNS:
        value = values.get(c)
        row[f"{c}_l"], row[f"{c}_r"] = value if isinstance(value, tuple) else (value, value)
    return row


def _scored(
    spark: SparkSession, rows: list[dict[str, Any]], model: MatchModel, tf: DataFrame | None = None
) -> dict[str, Row]:
    df = spark.createDataFrame(rows, GAMMA_SCHEMA)
    return {r["pair"]: r for r in score_pairs(df, model, tf).collect()}


def _w(field: str, level: int, model: MatchModel | None = None) -> float:
    m = (model or _model()).m[field][level]
    u = (model or _model()).u[field][level]
    return math.log2(m / u)


def test_weights_total_and_probability(spark: SparkSession) -> None:
    model = _model()
    rows = [
        _gamma_row("strong", {"name": 6, "address": 5, "phone": 3, "customs_id": 2}),
        _gamma_row("against", {"name": 2, "address": 3, "customs_id": 0}),
        _gamma_row("empty", {}),
    ]
    out = _scored(spark, rows, model)
    strong = out["strong"]
    assert strong["w_name"] == pytest.approx(_w("name", 6))
    assert strong["w_email"] == 0.0  # missing
    expected = model.prior_weight + _w("name", 6) + _w("address", 5) + _w("phone", 3) + _w("customs_id", 2)
    assert strong["match_weight"] == pytest.approx(expected)
    assert strong["match_probability"] == pytest.approx(2**expected / (1 + 2**expected))
    assert strong["decision"] == "link"
    assert not strong["names_only_capped"]
    against = out["against"]
    assert _w("address", 3) < 0 and _w("customs_id", 0) < 0
    assert against["w_address"] == pytest.approx(_w("address", 3))
    assert against["w_customs_id"] == pytest.approx(_w("customs_id", 0))
    assert out["empty"]["match_weight"] == pytest.approx(model.prior_weight)
    assert out["empty"]["decision"] == "no_link"


def test_evidence_against_level_never_weighs_for_a_match(spark: SparkSession) -> None:
    # An estimate where "same building, other unit" is commoner among matches than non-matches.
    m = {**TRUE_M, "address": {5: 0.45, 4: 0.15, 3: 0.15, 2: 0.10, 1: 0.05, 0: 0.10}}
    u = {**TRUE_U, "address": {5: 0.001, 4: 0.01, 3: 0.01, 2: 0.30, 1: 0.05, 0: 0.629}}
    model = _model(m=m, u=u)
    out = _scored(spark, [_gamma_row("neighbour", {"address": 3})], model)
    assert math.log2(0.15 / 0.01) > 0
    assert out["neighbour"]["w_address"] == 0.0


def test_term_frequency_lowers_the_weight_of_common_values(spark: SparkSession) -> None:
    model = _model()
    tf = spark.createDataFrame(
        [
            ("name_key", "KIM|MINJUN", 0.05),  # common name, above u(name=6) = 0.01
            ("name_key", "GWAK|DOYUN", 1e-6),  # rare name: floor at u keeps the average weight
            ("phone_std", "821000000000", 0.02),  # a phone on 2% of records
            ("building_key", "BIG COMPLEX", 0.03),
        ],
        TF_SCHEMA,
    )
    rows = [
        _gamma_row("common_name", {"name": 6}, surname="KIM", given="MINJUN"),
        _gamma_row("rare_name", {"name": 6}, surname="GWAK", given="DOYUN"),
        _gamma_row("unlisted_name", {"name": 6}, surname="PARK", given="SEOYEON"),
        _gamma_row("shared_phone", {"phone": 3}, phone_std="821000000000"),
        _gamma_row("big_building", {"address": 4}, building_key="BIG COMPLEX"),
    ]
    out = _scored(spark, rows, model, tf)
    assert out["common_name"]["w_name"] == pytest.approx(math.log2(0.60 / 0.05))
    assert out["common_name"]["w_name"] < _w("name", 6)
    assert out["common_name"]["evidence"]["name"]["tf"] == pytest.approx(0.05)
    assert out["rare_name"]["w_name"] == pytest.approx(_w("name", 6))
    assert out["unlisted_name"]["w_name"] == pytest.approx(_w("name", 6))
    assert out["unlisted_name"]["evidence"]["name"]["tf"] is None
    assert out["shared_phone"]["w_phone"] == pytest.approx(math.log2(0.70 / 0.02))
    assert out["big_building"]["w_address"] == pytest.approx(math.log2(0.15 / 0.03))


def test_term_frequency_of_two_different_values_takes_the_commoner(spark: SparkSession) -> None:
    tf = spark.createDataFrame(
        [("phone_std", "821000000000", 0.02), ("phone_std", "01000000000", 0.04)],
        TF_SCHEMA,
    )
    row = _gamma_row("same_tail", {"phone": 2}, phone_std=("821000000000", "01000000000"))
    out = _scored(spark, [row], _model(), tf)
    assert out["same_tail"]["w_phone"] == pytest.approx(math.log2(0.10 / 0.04))
    assert out["same_tail"]["evidence"]["phone"]["tf"] == pytest.approx(0.04)


def test_term_frequency_below_the_level_u_raises_the_weight_with_an_explicit_floor(spark: SparkSession) -> None:
    model = _model(tf_floor=1e-4)
    tf = spark.createDataFrame([("name_key", "GWAK|DOYUN", 1e-6)], TF_SCHEMA)
    out = _scored(spark, [_gamma_row("rare", {"name": 6}, surname="GWAK", given="DOYUN")], model, tf)
    assert out["rare"]["w_name"] == pytest.approx(math.log2(0.60 / 1e-4))


def test_names_alone_never_link(spark: SparkSession) -> None:
    # A model where a name match is overwhelming: 0.9 of matches vs 1e-7 of non-matches.
    m = {**TRUE_M, "name": {6: 0.90, 5: 0.04, 4: 0.01, 3: 0.01, 2: 0.02, 1: 0.01, 0: 0.01}}
    u = {**TRUE_U, "name": {6: 1e-7, 5: 0.01, 4: 0.02, 3: 0.01, 2: 0.20, 1: 0.05, 0: 0.7099999}}
    model = _model(m=m, u=u, lambda_=0.01)
    rows = [
        _gamma_row("name_only", {"name": 6}),
        _gamma_row("name_building_postcode", {"name": 6, "address": 4, "email": 1}),
        _gamma_row("name_phone", {"name": 6, "phone": 3}),
        _gamma_row("name_unit", {"name": 6, "address": 5}),
    ]
    out = _scored(spark, rows, model)
    assert model.prior_weight + math.log2(0.9 / 1e-7) > model.link_weight  # would link uncapped
    for pair in ("name_only", "name_building_postcode"):
        assert out[pair]["names_only_capped"]
        assert out[pair]["match_weight"] == pytest.approx(model.names_only_cap)
        assert out[pair]["match_probability"] < model.link_threshold
        assert out[pair]["decision"] == "review"
    for pair in ("name_phone", "name_unit"):
        assert not out[pair]["names_only_capped"]
        assert out[pair]["decision"] == "link"


def test_shared_phone_below_u_does_not_corroborate(spark: SparkSession) -> None:
    model = _model()
    tf = spark.createDataFrame([("phone_std", "821000000000", 0.9)], TF_SCHEMA)  # 0.9 > m(phone=3) = 0.7
    out = _scored(spark, [_gamma_row("hub_phone", {"name": 6, "phone": 3}, phone_std="821000000000")], model, tf)
    assert out["hub_phone"]["w_phone"] < 0
    assert not out["hub_phone"]["names_only_capped"]  # the raw weight is already below the cap
    assert out["hub_phone"]["decision"] == "no_link"


def test_evidence_map_explains_each_field(spark: SparkSession) -> None:
    out = _scored(spark, [_gamma_row("p", {"name": 6, "address": 3, "customs_id": 2})], _model())
    evidence = out["p"]["evidence"]
    assert set(evidence) == set(FIELDS)
    assert evidence["name"]["level"] == 6
    assert evidence["name"]["label"] == "same full name"
    assert evidence["name"]["weight"] == pytest.approx(_w("name", 6))
    assert evidence["address"]["label"] == "same building, different unit"
    assert evidence["phone"]["label"] == "phone missing"
    assert evidence["phone"]["weight"] == 0.0


def test_score_pairs_output_columns_and_plan(spark: SparkSession) -> None:
    df = spark.createDataFrame([_gamma_row("p", {"phone": 3})], GAMMA_SCHEMA)
    tf = spark.createDataFrame([("phone_std", "x", 0.5)], TF_SCHEMA)
    scored = score_pairs(df, _model(), tf)
    assert scored.columns[: len(df.columns)] == df.columns
    plan = scored._jdf.queryExecution().executedPlan().toString()
    assert "EvalPython" not in plan
    assert "BroadcastHashJoin" in plan
    actual = scored.select("pair", "decision")
    expected = spark.createDataFrame([("p", "no_link")], "pair string, decision string")
    assert_df_equality(actual, expected, ignore_nullable=True)


def test_score_pairs_requires_columns(spark: SparkSession) -> None:
    df = spark.createDataFrame([(1,)], "gamma_name int")
    with pytest.raises(ValueError, match="gamma_address"):
        score_pairs(df, _model())
    gammas_only = spark.createDataFrame([_gamma_row("p", {})], GAMMA_SCHEMA).select(*GAMMA_COLUMNS)
    tf = spark.createDataFrame([], TF_SCHEMA)
    with pytest.raises(ValueError, match="phone_std_l"):
        score_pairs(gammas_only, _model(), tf)


def test_duplicate_term_frequency_rows_do_not_duplicate_pairs(spark: SparkSession) -> None:
    # A key present on both sides in the table twice must not duplicate the pair.
    tf = spark.createDataFrame([("phone_std", "8210", 0.2), ("phone_std", "8210", 0.3)], TF_SCHEMA)
    df = spark.createDataFrame([_gamma_row("p", {"phone": 3}, phone_std="8210")], GAMMA_SCHEMA)
    scored = score_pairs(df, _model(), tf)
    assert scored.count() == 1
    first = scored.select(sf.col("evidence")["phone"]["tf"].alias("tf")).first()
    assert first is not None
    assert first["tf"] == 0.3
