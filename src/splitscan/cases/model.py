"""The learnt scorer: a logistic regression (Spark MLlib) over case features, fitted on review verdicts.

Used once at least `min_verdicts` confirmed + dismissed verdicts exist with at least `min_per_class` of each
(`CaseSettings`); below that the base scorer ranks. The model is applied as a plain Column expression
(sigmoid of the linear predictor), so scoring needs neither a UDF nor the fitted Spark model, and the JSON stored
in `gold/case_runs` is the whole model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

__all__ = [
    "FEATURES",
    "LearntScorer",
    "feature_columns",
    "fit_scorer",
    "labelled_cases",
    "with_model_score",
]

logger = logging.getLogger(__name__)


def feature_columns() -> dict[str, Column]:
    """Case features by name (the order of `FEATURES`), computed from `gold/cases` columns alone."""
    return {
        "evidence": F.col("evidence").cast("double"),
        "log_duty_usd": F.log10(F.lit(1.0) + F.col("duty_at_stake_usd").cast("double")),
        "history_months": F.col("history_months").cast("double"),
        "log_records": F.log10(F.lit(1.0) + F.col("n_records").cast("double")),
        "n_entities": F.col("n_entities").cast("double"),
        "n_findings": F.col("n_findings").cast("double"),
        "is_ring": (F.col("case_type") == "ring").cast("double"),
    }


FEATURES: tuple[str, ...] = (
    "evidence",
    "log_duty_usd",
    "history_months",
    "log_records",
    "n_entities",
    "n_findings",
    "is_ring",
)


@dataclass(frozen=True)
class LearntScorer:
    """A fitted logistic model: P(confirmed) = sigmoid(intercept + sum(coefficients x features))."""

    coefficients: Mapping[str, float]
    intercept: float
    verdicts: int
    confirmed: int

    @property
    def model_id(self) -> str:
        """12 hex digits of SHA-256 of the model's JSON: the same fit gives the same id."""
        return hashlib.sha256(self._payload().encode("utf-8")).hexdigest()[:12]

    @property
    def scorer(self) -> str:
        return f"model:{self.model_id}"

    def _payload(self) -> str:
        body = {
            "features": list(self.coefficients),
            "coefficients": [round(v, 8) for v in self.coefficients.values()],
            "intercept": round(self.intercept, 8),
            "verdicts": self.verdicts,
            "confirmed": self.confirmed,
        }
        return json.dumps(body, sort_keys=True)

    def to_json(self) -> str:
        """The model as JSON: features, coefficients, intercept, verdicts used, and its id."""
        return json.dumps({"model_id": self.model_id, **json.loads(self._payload())}, sort_keys=True)

    def probability(self) -> Column:
        """P(confirmed) as a Column over the `gold/cases` columns."""
        columns = feature_columns()
        linear = F.lit(self.intercept)
        for name, weight in self.coefficients.items():
            linear = linear + F.lit(weight) * F.coalesce(columns[name], F.lit(0.0))
        return F.lit(1.0) / (F.lit(1.0) + F.exp(-linear))


def labelled_cases(features: DataFrame, labels: DataFrame) -> DataFrame:
    """`features` (gold `cases` columns) of the cases with a label (`latest_labels`), with `label`."""
    return features.join(labels, "case_id").select(
        "case_id", *[c.alias(n) for n, c in feature_columns().items()], "label"
    )


def fit_scorer(labelled: DataFrame, *, min_verdicts: int, min_per_class: int, reg_param: float) -> LearntScorer | None:
    """Fit the model when there are enough verdicts of each class, else None (the caller keeps the base scorer).

    Runs one small aggregate and, when enough verdicts exist, the MLlib fit (a handful of Spark jobs).
    """
    row = labelled.agg(F.count(F.lit(1)).alias("n"), F.sum("label").alias("pos")).first()
    n = int(row["n"]) if row else 0
    pos = int(row["pos"] or 0) if row else 0
    if n < min_verdicts or min(pos, n - pos) < min_per_class:
        logger.info("learnt scorer: %d verdicts (%d confirmed); base scorer used", n, pos)
        return None
    assembled = VectorAssembler(inputCols=list(FEATURES), outputCol="features", handleInvalid="keep").transform(
        labelled.fillna(0.0, subset=list(FEATURES))
    )
    model = LogisticRegression(
        featuresCol="features", labelCol="label", regParam=reg_param, standardization=True, maxIter=100
    ).fit(assembled)
    weights = [float(w) for w in model.coefficients.toArray()]
    intercept = float(model.intercept)
    if not all(math.isfinite(w) for w in [*weights, intercept]):
        logger.warning("learnt scorer: fit did not converge to finite weights; base scorer used")
        return None
    scorer = LearntScorer(dict(zip(FEATURES, weights, strict=True)), intercept, n, pos)
    logger.info("learnt scorer %s from %d verdicts (%d confirmed)", scorer.model_id, n, pos)
    return scorer


def with_model_score(cases: DataFrame, scorer: LearntScorer | None) -> DataFrame:
    """Add `score` and `scorer`: the model's probability x 100 (two decimals), or `base_score` without a model."""
    if scorer is None:
        return cases.withColumns({"score": F.col("base_score"), "scorer": F.lit("base")})
    return cases.withColumns({"score": F.round(scorer.probability() * 100.0, 2), "scorer": F.lit(scorer.scorer)})
