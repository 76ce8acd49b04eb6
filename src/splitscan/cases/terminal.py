"""Cases as text for the terminal: the ranked list and one case with its parcels and reviews.

These functions format rows already fetched (a bounded number of them); they run no Spark job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["LIST_COLUMNS", "format_case", "format_case_table"]

LIST_COLUMNS: tuple[str, ...] = (
    "rank",
    "case_id",
    "case_type",
    "score",
    "status",
    "jurisdiction",
    "n_entities",
    "n_records",
    "duty_at_stake_usd",
    "summary",
)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_case_table(rows: Sequence[Mapping[str, Any]], *, summary_width: int = 70) -> str:
    """A fixed-width table of cases (columns of `LIST_COLUMNS`), one line each."""
    if not rows:
        return "no cases"
    header = (
        f"{'rank':>4}  {'case':<14}  {'type':<5}  {'score':>6}  {'status':<10}  {'jur':<3}  {'ent':>3}  "
        f"{'parcels':>7}  {'duty USD':>10}  summary"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        rank = "-" if r["rank"] is None else str(r["rank"])
        lines.append(
            f"{rank:>4}  {r['case_id']:<14}  {r['case_type']:<5}  {r['score']:>6.1f}  {r['status']:<10}  "
            f"{r['jurisdiction']:<3}  {r['n_entities']:>3}  {r['n_records']:>7}  "
            f"{float(r['duty_at_stake_usd']):>10,.0f}  "
            f"{_cut(str(r['summary']), summary_width)}"
        )
    return "\n".join(lines)


def format_case(
    case: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    reviews: Sequence[Mapping[str, Any]],
    *,
    total_records: int,
) -> str:
    """One case: header, summary, reasons, review history and its parcels (the rows given, of `total_records`)."""
    rank = "not raised" if case["rank"] is None else f"rank {case['rank']}"
    lines = [
        f"case {case['case_id']}  {case['case_type']}  {rank}  score {case['score']:.1f} ({case['scorer']}, "
        f"base {case['base_score']:.1f})  status {case['status']}{'' if case['active'] else '  (inactive)'}",
        f"  {case['summary']}",
        f"  jurisdiction {case['jurisdiction']} ({', '.join(case['jurisdictions'])}); entities "
        f"{', '.join(case['entity_ids'])}",
        f"  parcels {case['n_records']}, arriving {case['first_arrival']} to {case['last_arrival']}; value USD "
        f"{float(case['total_value_usd']):,.2f}; duty at stake USD {float(case['duty_at_stake_usd']):,.2f}",
        f"  evidence {case['evidence']:.2f}, {case['history_months']} month(s) with findings; first seen "
        f"{case['first_seen']}, last seen {case['last_seen']}",
        f"  findings: {', '.join([*case['ring_ids'], *case['finding_ids']])}",
        "reasons:",
        *[f"  - {reason}" for reason in case["reasons"]],
    ]
    if case.get("picture_path"):
        lines.append(f"ring picture: {case['picture_path']}")
    lines.append("reviews:" if reviews else "reviews: none")
    lines += [
        f"  {r['reviewed_at']}  {r['verdict']:<10} by {r['reviewer']}: {r['note']}  ({r['review_id']})" for r in reviews
    ]
    lines.append(f"parcels ({len(records)} of {total_records}):")
    for r in records:
        limit = "" if r["part_limit"] is None else f" / limit {float(r['part_limit']):,.2f}"
        lines.append(
            f"  {r['record_id']}  {r['arrival_date']}  {r['destination_country']}  "
            f"{float(r['value_threshold_ccy']):>10,.2f} {r['threshold_currency']}{limit}  entity {r['entity_id']}  "
            f"{r['consignee_name']} | {r['consignee_address']}  seller {r['seller_id']}"
        )
        lines += [f"      link: {e}" for e in r["link_evidence"][:3]]
        lines += [f"      ring: {e}" for e in r["ring_links"][:3]]
    return "\n".join(lines)
