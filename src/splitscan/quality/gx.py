"""Great Expectations validation of a DataFrame against its contract, with optional Data Docs.

GX judges the batch: per expectation, how many rows fail and whether that is within `mostly`. A failed
expectation marked `blocking` in the contract refuses the batch. Row routing (quarantine, flags) is done by
`splitscan.quality.rules` from the same expectations.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame

from splitscan.contracts import Contract, Expectation

__all__ = [
    "RuleResult",
    "ValidationReport",
    "build_suite",
    "ephemeral_context",
    "name_unnamed_main",
    "validate_with_gx",
]

logger = logging.getLogger(__name__)

# GX would otherwise try to send usage statistics: there is no network here, and customs data stays local.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# GX result formats: BASIC computes what a verdict reads (element and unexpected counts, up to 20 unexpected
# values); SUMMARY adds value counts of the unexpected values, one more Spark job per expectation.
RESULT_FORMAT = "BASIC"
RESULT_FORMAT_WITH_DOCS = "SUMMARY"


def name_unnamed_main() -> None:
    """Give an unnamed `__main__` a `__file__`, so that importing GX cannot end the process.

    GX imports `pyspark.sql.connect`, whose dependency check takes a `__main__` with neither `__spec__` nor
    `__file__` (and no interactive prompt) for a doctest run: without grpc installed it prints "Skipping doctests"
    and calls `sys.exit(0)`. That is the `__main__` of `python -c ...` and of a pytest-xdist worker, so a job started
    that way would stop at its first validation and still exit 0, having written nothing.
    """
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__file__ = "<unnamed __main__>"


def _gx() -> Any:
    """The `great_expectations` module, imported safely (see `name_unnamed_main`)."""
    name_unnamed_main()
    import great_expectations

    return great_expectations


@dataclass(frozen=True)
class RuleResult:
    """GX's verdict on one expectation over a batch."""

    label: str
    action: str
    blocking: bool
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_percent: float
    examples: tuple[str, ...]
    error: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """The batch verdict: every rule's result and the location of the Data Docs, if written."""

    dataset: str
    results: tuple[RuleResult, ...]
    docs_index: str | None = None

    @property
    def blocking_failures(self) -> list[str]:
        """One line per failed blocking rule (the ones that refuse the batch)."""
        return [
            f"{r.label}: {r.unexpected_count} of {r.element_count} rows fail ({r.unexpected_percent:.1f}%)"
            + (f", error {r.error}" if r.error else "")
            for r in self.results
            if r.blocking and not r.success
        ]

    @property
    def success(self) -> bool:
        return not self.blocking_failures


def _class_name(expectation_type: str) -> str:
    return "".join(part.capitalize() for part in expectation_type.split("_"))


def _gx_expectation(exp: Expectation) -> Any:
    gx = _gx()
    cls = getattr(gx.expectations, _class_name(exp.type), None)
    if cls is None:
        raise ValueError(f"{exp.label}: Great Expectations has no expectation {exp.type}")
    meta = {"action": exp.action, "blocking": exp.blocking, "label": exp.label}
    return cls(**dict(exp.kwargs), meta=meta)


def ephemeral_context() -> Any:
    """A fresh in-memory GX data context (nothing on disk, no progress bars); GX needs one active before a suite
    can be built."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def build_suite(
    contract: Contract, parameters: Mapping[str, Any], expectations: Sequence[Expectation] | None = None
) -> Any:
    """The GX ExpectationSuite of a contract (or of `expectations`, a subset of it), with run-time parameters
    resolved. Needs an active context (`ephemeral_context`)."""
    gx = _gx()
    suite = gx.ExpectationSuite(name=contract.dataset.replace("/", "."))
    for exp in contract.expectations if expectations is None else expectations:
        suite.add_expectation(_gx_expectation(exp.resolved(parameters)))
    return suite


def validate_with_gx(
    df: DataFrame,
    contract: Contract,
    *,
    parameters: Mapping[str, Any],
    docs_dir: str | None = None,
    expectations: Sequence[Expectation] | None = None,
) -> ValidationReport:
    """Validate `df` (typed to the contract) with GX in an ephemeral context.

    Args:
        df: the batch; GX computes its metrics with Spark, nothing is collected but partial example lists.
        contract: gives the suite.
        parameters: values for `{$PARAMETER: ...}`.
        docs_dir: when given, Data Docs (HTML) are written there and `docs_index` points at index.html.
        expectations: a subset of the contract's expectations to run (default: all).

    Returns:
        The per-rule verdicts.
    """
    gx = _gx()
    context = ephemeral_context()
    name = contract.dataset.replace("/", ".")
    batch = (
        context.data_sources.add_spark(name="splitscan")
        .add_dataframe_asset(name=name)
        .add_batch_definition_whole_dataframe("batch")
    )
    suite = context.suites.add(build_suite(contract, parameters, expectations))
    definition = context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
    actions: list[Any] = []
    if docs_dir is not None:
        context.add_data_docs_site(
            site_name="splitscan",
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": docs_dir},
            },
        )
        from great_expectations.checkpoint.actions import UpdateDataDocsAction

        actions.append(UpdateDataDocsAction(name="data_docs"))
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{name}.checkpoint",
            validation_definitions=[definition],
            actions=actions,
            # A verdict needs counts and a few examples (BASIC); Data Docs show value counts too (SUMMARY).
            result_format=RESULT_FORMAT_WITH_DOCS if docs_dir is not None else RESULT_FORMAT,
        )
    )
    outcome = checkpoint.run(batch_parameters={"dataframe": df})
    run_results = next(iter(outcome.run_results.values()))
    results = []
    for r in run_results.results:
        cfg = r.expectation_config
        meta = (cfg.meta if cfg is not None else None) or {}
        info = r.exception_info or {}
        error = info.get("exception_message") if info.get("raised_exception") else None
        res = r.result or {}
        results.append(
            RuleResult(
                label=str(meta.get("label", cfg.type if cfg is not None else "?")),
                action=str(meta.get("action", "quarantine")),
                blocking=bool(meta.get("blocking", False)) or error is not None,
                success=bool(r.success),
                element_count=int(res.get("element_count") or 0),
                unexpected_count=int(res.get("unexpected_count") or 0),
                unexpected_percent=float(res.get("unexpected_percent") or 0.0),
                examples=tuple(str(v) for v in (res.get("partial_unexpected_list") or [])[:5]),
                error=str(error) if error else None,
            )
        )
    report = ValidationReport(
        dataset=contract.dataset,
        results=tuple(results),
        docs_index=f"{docs_dir.rstrip('/')}/index.html" if docs_dir else None,
    )
    logger.info(
        "GX %s: %d rules, %d failed, %d blocking failures",
        contract.dataset,
        len(results),
        sum(not r.success for r in results),
        len(report.blocking_failures),
    )
    return report
