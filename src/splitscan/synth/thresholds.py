"""De minimis thresholds used to design the injected schemes (not the detection rules, which live in
`detect/`).

The generator needs only "which threshold in USD applies to a parcel to jurisdiction J, shipped from country
C, arriving on day D", so the table below is small and in USD. Sources and confidence labels are in domain.md
§1.1 and §1.3:

* KR list clearance: USD 150, or USD 200 for goods shipped from the US [V `[KCS-Express]`].
* US 19 CFR 10.151: USD 800 from 2016-08-26 [V `[LII-10.151]` `[FR-2016-20581]`]; no de minimis for goods from
  China or Hong Kong from 2025-05-02 [V `[EO14256]`]; suspended for all countries from 2025-08-29 [V
  `[EO14324]`].

A parcel for which no rule applies has no exemption, so no split scheme can target it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

__all__ = ["THRESHOLD_RULES", "ThresholdRule", "threshold_usd"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThresholdRule:
    """One de minimis amount in USD, valid on `[valid_from, valid_to]` for the listed shipper countries.

    Attributes:
        jurisdiction: destination country, ISO alpha-2.
        amount_usd: the exemption limit; a parcel (or an aggregate) above it is dutiable.
        valid_from: first day the rule applies (arrival date).
        valid_to: last day the rule applies, or None if still in force.
        shipper_countries: countries the rule is restricted to; empty means all countries.
        excluded_shipper_countries: countries the rule does not apply to.
    """

    jurisdiction: str
    amount_usd: float
    valid_from: date
    valid_to: date | None = None
    shipper_countries: frozenset[str] = frozenset()
    excluded_shipper_countries: frozenset[str] = frozenset()

    def applies(self, jurisdiction: str, shipper_country: str, day: date) -> bool:
        """Whether this rule governs a parcel to `jurisdiction` from `shipper_country` arriving on `day`."""
        if jurisdiction != self.jurisdiction or day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        if self.shipper_countries and shipper_country not in self.shipper_countries:
            return False
        return shipper_country not in self.excluded_shipper_countries


# Most specific rules first: the first rule that applies wins. See the module docstring and domain.md §1.1.
THRESHOLD_RULES: tuple[ThresholdRule, ...] = (
    ThresholdRule("KR", 200.0, date(2000, 1, 1), None, shipper_countries=frozenset({"US"})),
    ThresholdRule("KR", 150.0, date(2000, 1, 1), None),
    ThresholdRule("US", 800.0, date(2016, 8, 26), date(2025, 5, 1)),
    ThresholdRule("US", 800.0, date(2025, 5, 2), date(2025, 8, 28), excluded_shipper_countries=frozenset({"CN", "HK"})),
    ThresholdRule("US", 200.0, date(1993, 1, 1), date(2016, 8, 25)),
)


def threshold_usd(jurisdiction: str, shipper_country: str, day: date) -> float | None:
    """The de minimis amount in USD for one parcel, or None if no exemption applies.

    Args:
        jurisdiction: destination country (ISO alpha-2).
        shipper_country: country the goods are shipped from (ISO alpha-2).
        day: arrival date.

    Returns:
        The threshold in USD, or None when the jurisdiction has no de minimis for this parcel.
    """
    for rule in THRESHOLD_RULES:
        if rule.applies(jurisdiction, shipper_country, day):
            return rule.amount_usd
    return None
