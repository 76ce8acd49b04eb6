"""Splink 5 with the DuckDB backend, set up as a competent Splink user would for consignee deduplication.

The baseline that `bench_resolve.py` measures splitscan against. It sees the same standardised columns splitscan
resolves from (`record_id, name_std, address_std, postcode_std, phone_std, consignee_id_std, email_std`), exported
from the silver Delta table to Parquet before the clock starts.

Model: Jaro-Winkler levels on name (with term-frequency adjustment on exact name matches) and address; exact and
prefix levels on postcode; exact phone and customs id; Splink's email comparison. Prior from deterministic rules,
u from random sampling, m by EM on two blocking rules, then predict and connected components at the link threshold
(the same match probability splitscan links at). No parameter is fitted to the generator's ground truth.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import duckdb
import pandas as pd
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import ColumnExpression, DuckDBAPI, Linker, SettingsCreator, block_on

from _common import Measurement, measure

if TYPE_CHECKING:
    from splink.internals.splink_dataframe import SplinkDataFrame

__all__ = ["SENSITIVITY_THRESHOLDS", "resolve", "settings"]

# Re-clustered after the clock stops, to show how much of Splink's F1 depends on the threshold.
SENSITIVITY_THRESHOLDS: Final = (0.9, 0.999)
U_SAMPLE_PAIRS: Final = 1e7
SEED: Final = 42


def _postcode() -> cl.CustomComparison:
    postcode = ColumnExpression("postcode_std")
    return cl.CustomComparison(
        comparison_levels=[
            cll.NullLevel(postcode),
            cll.ExactMatchLevel(postcode),
            # KR and US postcodes are hierarchical: the first three digits are a district / sectional centre.
            cll.ExactMatchLevel(postcode.substr(1, 3)).configure(label_for_charts="Same first three characters"),
            cll.ElseLevel(),
        ],
        output_column_name="postcode_std",
    )


def settings() -> SettingsCreator:
    """The Splink model: comparisons and the blocking rules that generate candidate pairs for predict."""
    name_prefix = ColumnExpression("name_std").substr(1, 3)
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("name_std").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_std", [0.95, 0.88, 0.8]),
            _postcode(),
            cl.ExactMatch("phone_std"),
            cl.ExactMatch("consignee_id_std"),
            cl.EmailComparison("email_std"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("consignee_id_std"),
            block_on("phone_std"),
            block_on("email_std"),
            block_on("postcode_std", name_prefix),
            block_on("name_std"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _train(linker: Linker) -> None:
    deterministic = [block_on("consignee_id_std", "name_std"), block_on("phone_std", "name_std")]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    # Each session leaves its blocking columns' m untouched; together they estimate every comparison.
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_std", "postcode_std"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone_std"))


def _assignments(clusters: SplinkDataFrame, column: str) -> pd.DataFrame:
    """`record_id` and Splink's cluster id under the name `column`."""
    return clusters.as_pandas_dataframe()[["record_id", "cluster_id"]].rename(columns={"cluster_id": column})


def resolve(
    parquet_glob: str,
    *,
    threshold: float,
    work_dir: Path,
    meter: Callable[[], AbstractContextManager[Measurement]] = measure,
) -> tuple[pd.DataFrame, Measurement, dict[str, Any]]:
    """Deduplicate the records in `parquet_glob`; time and measure training, predict and clustering.

    Args:
        parquet_glob: the standardised records (Parquet files), read by DuckDB inside the timed block.
        threshold: match probability at or above which two records are linked.
        work_dir: DuckDB's spill directory.
        meter: what times and measures the block (`_common.measure` or a wrapper of it).

    Returns:
        `record_id, entity_id` at `threshold` (plus `entity_id_p<t>` at each sensitivity threshold, clustered after
        the clock stopped), the measurement, and per-stage seconds and pair counts.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET temp_directory = ?", [str(work_dir)])
    stages: dict[str, float] = {}
    lowest = min(threshold, *SENSITIVITY_THRESHOLDS)
    with meter() as m:
        tick = time.perf_counter()
        con.execute("CREATE TABLE records AS SELECT * FROM read_parquet(?)", [parquet_glob])
        db_api = DuckDBAPI(connection=con)
        linker = Linker(db_api.register("records"), settings(), log_level=logging.WARNING)
        stages["load"] = time.perf_counter() - tick
        tick = time.perf_counter()
        _train(linker)
        stages["train"] = time.perf_counter() - tick
        tick = time.perf_counter()
        predictions = linker.inference.predict(threshold_match_probability=lowest)
        stages["predict"] = time.perf_counter() - tick
        tick = time.perf_counter()
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        entities = _assignments(clusters, "entity_id")
        stages["cluster"] = time.perf_counter() - tick
    for extra in SENSITIVITY_THRESHOLDS:
        at = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=extra)
        entities = entities.merge(_assignments(at, f"entity_id_p{extra}"), on="record_id")
    pairs = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE match_probability >= ?) FROM {predictions.physical_name}",
        [threshold],
    ).fetchone()
    model = linker.misc.save_model_to_json(str(work_dir / "model.json"), overwrite=True)
    extra_info: dict[str, Any] = {
        "stage_seconds": {k: round(v, 1) for k, v in stages.items()},
        f"pairs_predicted_at_or_above_{lowest}": pairs[0] if pairs else None,
        "pairs_linked": pairs[1] if pairs else None,
        "link_threshold": threshold,
        "probability_two_random_records_match": model["probability_two_random_records_match"],
        "u_sample_pairs": U_SAMPLE_PAIRS,
        "model_json": str(work_dir / "model.json"),
        "splink_version": splink.__version__,
        "duckdb_version": duckdb.__version__,
    }
    con.close()
    return entities, m, extra_info
