"""Split detection: jurisdiction rules as versioned reference data, aggregation windows, findings and scores.

Public API: `load_rules`, `rules_frame`, `RuleFileError` (rules); `aggregate_split_groups`, `DetectSettings`
(findings); `with_score_and_reasons` (scoring). The job composing them is `splitscan.pipelines.detect`.
"""

from __future__ import annotations

from splitscan.detect.findings import DetectSettings, aggregate_split_groups, with_prior_finding_months
from splitscan.detect.rules import Rule, RuleFileError, RuleVersion, load_rules, rules_frame
from splitscan.detect.scoring import with_score_and_reasons

__all__ = [
    "DetectSettings",
    "Rule",
    "RuleFileError",
    "RuleVersion",
    "aggregate_split_groups",
    "load_rules",
    "rules_frame",
    "with_prior_finding_months",
    "with_score_and_reasons",
]
