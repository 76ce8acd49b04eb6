"""Contract validation: Great Expectations verdicts per batch, Spark routing per row."""

from __future__ import annotations

from splitscan.quality.gx import RuleResult, ValidationReport, validate_with_gx
from splitscan.quality.rules import VIOLATION_TYPE, add_violations, violation, violation_struct

__all__ = [
    "VIOLATION_TYPE",
    "RuleResult",
    "ValidationReport",
    "add_violations",
    "validate_with_gx",
    "violation",
    "violation_struct",
]
