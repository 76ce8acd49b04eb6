"""Settings of the cases stage."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CaseSettings"]


@dataclass(frozen=True)
class CaseSettings:
    """Knobs of the cases stage (docs/cases.md).

    Attributes:
        top_k: K of precision at K by verdicts (written to `gold/case_runs`).
        min_verdicts: confirmed + dismissed verdicts needed before the learnt scorer ranks.
        min_per_class: of each of confirmed and dismissed, needed before the learnt scorer ranks.
        reg_param: L2 regularisation of the logistic model (keeps weights finite when verdicts separate cleanly).
        report_top: cases given a page in the HTML report.
        describe_top: cases kept for the terminal summary of a run.
    """

    top_k: int = 20
    min_verdicts: int = 20
    min_per_class: int = 5
    reg_param: float = 0.1
    report_top: int = 200
    describe_top: int = 20

    def __post_init__(self) -> None:
        for name in ("top_k", "min_verdicts", "min_per_class", "describe_top"):
            if getattr(self, name) < 1:
                raise ValueError(f"CaseSettings.{name} must be at least 1")
        if self.report_top < 0 or self.reg_param < 0:
            raise ValueError("CaseSettings.report_top and reg_param must not be negative")
