"""The learnt scorer: base fallback below the verdict thresholds, a logistic model above them."""

from __future__ import annotations

import json
from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from splitscan.cases.model import FEATURES, fit_scorer, labelled_cases, with_model_score


def _cases(spark: SparkSession, confirmed: int, dismissed: int) -> tuple[DataFrame, DataFrame]:
    """Confirmed cases carry strong evidence and more duty, dismissed ones weak evidence (with some overlap)."""
    rows, labels = [], []
    for i in range(confirmed):
        rows.append((f"C-p{i}", "ring" if i % 2 else "split", 0.7 + 0.02 * i, Decimal(300 + 40 * i), i % 4, 5, 1, 2))
        labels.append((f"C-p{i}", 1.0))
    for i in range(dismissed):
        rows.append((f"C-n{i}", "split", 0.3 + 0.03 * i, Decimal(20 + 10 * i), i % 2, 3, 1, 1))
        labels.append((f"C-n{i}", 0.0))
    cases = spark.createDataFrame(
        rows,
        "case_id string, case_type string, evidence double, duty_at_stake_usd decimal(18,2), history_months int, "
        "n_records int, n_entities int, n_findings int",
    )
    return cases, spark.createDataFrame(labels, "case_id string, label double")


def test_fallback_below_thresholds(spark: SparkSession) -> None:
    few, few_labels = _cases(spark, 10, 9)  # 19 verdicts < 20
    assert fit_scorer(labelled_cases(few, few_labels), min_verdicts=20, min_per_class=5, reg_param=0.1) is None
    lopsided, lopsided_labels = _cases(spark, 16, 4)  # 20 verdicts, but 4 dismissed < 5
    labelled = labelled_cases(lopsided, lopsided_labels)
    assert fit_scorer(labelled, min_verdicts=20, min_per_class=5, reg_param=0.1) is None


def test_model_used_with_enough_verdicts(spark: SparkSession) -> None:
    cases, labels = _cases(spark, 12, 12)
    scorer = fit_scorer(labelled_cases(cases, labels), min_verdicts=20, min_per_class=5, reg_param=0.1)
    assert scorer is not None
    assert (scorer.verdicts, scorer.confirmed) == (24, 12)
    model = json.loads(scorer.to_json())
    assert model["features"] == list(FEATURES) and model["model_id"] == scorer.model_id
    assert scorer.coefficients["evidence"] > 0
    scored = with_model_score(cases.withColumn("base_score", F.lit(50.0)), scorer)
    rows = {r["case_id"]: (r["score"], r["scorer"]) for r in scored.select("case_id", "score", "scorer").collect()}
    assert {s for _, s in rows.values()} == {f"model:{scorer.model_id}"}
    # Every confirmed case outranks every dismissed one on this separable sample.
    assert min(rows[f"C-p{i}"][0] for i in range(12)) > max(rows[f"C-n{i}"][0] for i in range(12))
