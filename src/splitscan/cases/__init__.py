"""Cases for investigators: findings merged into ranked, explained cases with stable ids and a review loop."""

from __future__ import annotations

from splitscan.cases.settings import CaseSettings

__all__ = ["CaseSettings"]
