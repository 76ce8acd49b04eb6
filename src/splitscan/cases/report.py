"""The static HTML case report: an index of ranked cases and one page per case.

Layout of `<warehouse>/reports/cases/`:
- `index.html`: the raised cases, ranked; sortable by any column and filtered by jurisdiction, type and status in
  the browser. The cases are embedded as JSON in a `<script type="application/json">` block that `static/index.js`
  renders with `textContent`.
- `cases/<case>.html`: summary in plain words, reasons, a timeline of the parcels against the per-parcel limit,
  the ring picture, the parcels table, the evidence for every link, and the review history.
- `pictures/<case>.svg`: copies of the ring pictures (`cases.picture_path`), so the site is self-contained.
- `static/`: the stylesheet and the index script (no CDN, no external resource of any kind).

Safety: every value from the data is escaped (`html.escape`, attribute values always quoted), JSON embedded in a
page has `<`, `>` and `&` written as `\\u003c`, `\\u003e`, `\\u0026`, case ids are sanitised before they become
file names, and each page carries a Content-Security-Policy that allows only the site's own script, stylesheet and
images, so even a value that escaped escaping could not run.

The rendering functions take plain values (`CaseView`, `ParcelView`, `ReviewView`) and need no Spark;
`write_report` reads the bounded rows from the gold tables and publishes the site atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F

from splitscan.config import Config
from splitscan.storage import read_table, table_exists

__all__ = [
    "CaseView",
    "ParcelView",
    "ReportError",
    "ReviewView",
    "build_site",
    "case_filename",
    "embed_json",
    "publish_site",
    "render_case_page",
    "render_index",
    "render_timeline_svg",
    "write_report",
]

logger = logging.getLogger(__name__)

# Bounds what one case page (and the driver) holds: a ring case can gather thousands of parcels.
MAX_PARCELS_PER_CASE = 500

_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"
_STATIC = ("report.css", "index.js", "favicon.svg")


class ReportError(RuntimeError):
    """The report cannot be written (tables missing, warehouse not local); the message says what to do."""


def _field_values(cls: type[Any], row: Mapping[str, Any]) -> dict[str, Any]:
    """The dataclass's fields taken from `row`; Spark arrays (lists) become tuples so the views stay hashable."""
    return {f.name: tuple(v) if isinstance(v := row.get(f.name), list) else v for f in fields(cls)}


@dataclass(frozen=True)
class CaseView:
    """The columns of one `gold/cases` row that the report shows."""

    case_id: str
    case_type: str
    status: str
    rank: int | None
    score: float
    scorer: str
    jurisdiction: str
    jurisdictions: tuple[str, ...]
    entity_ids: tuple[str, ...]
    n_entities: int
    n_records: int
    ring_ids: tuple[str, ...]
    n_findings: int
    first_arrival: dt.date
    last_arrival: dt.date
    total_value_usd: Decimal
    duty_at_stake_usd: Decimal
    evidence: float
    history_months: int
    summary: str
    reasons: tuple[str, ...]
    picture_path: str | None
    first_seen: dt.date
    last_seen: dt.date

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CaseView:
        """From `Row.asDict()` (or any mapping with the contract's column names); lists become tuples."""
        return cls(**_field_values(cls, row))


@dataclass(frozen=True)
class ParcelView:
    """The columns of one `gold/case_records` row."""

    record_id: str
    entity_id: str
    destination_country: str
    arrival_date: dt.date
    consignee_name: str
    consignee_address: str
    consignee_phone: str | None
    consignee_id: str | None
    seller_id: str | None
    tracking_number: str | None
    goods_description: str | None
    hs_code: str | None
    declared_value: Decimal
    currency: str
    value_threshold_ccy: Decimal
    threshold_currency: str
    value_usd: Decimal
    part_limit: Decimal | None
    finding_ids: tuple[str, ...]
    in_ring: bool
    link_evidence: tuple[str, ...]
    ring_links: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ParcelView:
        """From `Row.asDict()` of a `gold/case_records` row."""
        return cls(**_field_values(cls, row))


@dataclass(frozen=True)
class ReviewView:
    """The columns of one `gold/case_reviews` row."""

    review_id: str
    verdict: str
    note: str
    reviewer: str
    reviewed_at: dt.datetime
    case_rank: int | None
    case_score: float

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ReviewView:
        """From `Row.asDict()` of a `gold/case_reviews` row."""
        return cls(**_field_values(cls, row))


# ---------------------------------------------------------------------------------------------------------------
# Formatting and escaping


def _e(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute; None shows as an em dash."""
    if value is None:
        return "\u2014"
    return html.escape(str(value), quote=True)


def _money(value: Decimal | float | None) -> str:
    return "\u2014" if value is None else f"{Decimal(value):,.2f}"


def _score(value: float | None) -> str:
    return "\u2014" if value is None else f"{value:.1f}"


def embed_json(value: object) -> str:
    """JSON for a `<script type="application/json">` block: `<`, `>` and `&` as unicode escapes.

    The escapes keep `</script>` or `<!--` inside a value from ending the block; `JSON.parse` reads them back.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


def case_filename(case_id: str) -> str:
    """A file name stem for a case id: `[A-Za-z0-9_-]` kept, anything else `_`.

    A sanitised id (or an empty one) gets 8 hex digits of its SHA-256, so two ids that differ only in unsafe
    characters do not share a page. Contract ids (`C-` + 12 hex digits) come through unchanged.
    """
    stem = _UNSAFE_NAME.sub("_", case_id)[:80]
    if stem != case_id or not stem:
        stem = f"{stem}_{hashlib.sha256(case_id.encode('utf-8')).hexdigest()[:8]}"
    return stem


def _page(title: str, body: str, *, static_prefix: str, scripts: Sequence[str] = ()) -> str:
    script_tags = "".join(f'<script src="{_e(static_prefix + s)}" defer></script>\n' for s in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        # The site's own icon: otherwise the browser asks the server for /favicon.ico (a 404 in the console).
        f'<link rel="icon" href="{_e(static_prefix + "favicon.svg")}" type="image/svg+xml">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="stylesheet" href="{_e(static_prefix + "report.css")}">\n'
        f"{script_tags}</head>\n<body>\n{body}</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------------------------
# Index

_INDEX_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rank", "Rank", "num"),
    ("case_id", "Case", "str"),
    ("case_type", "Type", "str"),
    ("jurisdictions", "Jurisdiction", "str"),
    ("status", "Status", "str"),
    ("score", "Score", "num"),
    ("n_entities", "Entities", "num"),
    ("n_records", "Parcels", "num"),
    ("duty", "Duty at stake (USD)", "num"),
    ("first_arrival", "First arrival", "str"),
    ("last_arrival", "Last arrival", "str"),
    ("summary", "Summary", "str"),
)


def _index_entry(case: CaseView, href: str) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "href": href,
        "rank": case.rank,
        "case_type": case.case_type,
        "jurisdiction": case.jurisdiction,
        "jurisdictions": list(case.jurisdictions) or [case.jurisdiction],
        "status": case.status,
        "score": case.score if math.isfinite(case.score) else None,  # JSON has no NaN
        "score_text": _score(case.score),
        "n_entities": case.n_entities,
        "n_records": case.n_records,
        "duty": float(case.duty_at_stake_usd),
        "duty_text": _money(case.duty_at_stake_usd),
        "first_arrival": case.first_arrival.isoformat(),
        "last_arrival": case.last_arrival.isoformat(),
        "summary": case.summary,
    }


def _filter_select(field: str, label: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in sorted(set(values)))
    return (
        f'<label>{_e(label)}<select id="filter-{_e(field)}" data-filter="{_e(field)}">'
        f'<option value="">all</option>{options}</select></label>'
    )


def render_index(cases: Sequence[CaseView], *, run_date: dt.date) -> str:
    """The index page: the cases in the given (rank) order, as embedded JSON rendered by `static/index.js`.

    Args:
        cases: the raised cases to list, best first.
        run_date: the cases run the report belongs to (shown in the header).

    Returns:
        The HTML document. Filters offer every jurisdiction, type and status present; without JavaScript the
        page says so instead of showing an empty table.
    """
    entries = [_index_entry(c, f"cases/{case_filename(c.case_id)}.html") for c in cases]
    head = "".join(
        f'<th scope="col" data-key="{key}" data-type="{kind}" class="{kind}" aria-sort="none">'
        f'<button type="button">{_e(label)}</button></th>'
        for key, label, kind in _INDEX_COLUMNS
    )
    filters = "".join(
        (
            _filter_select("jurisdictions", "Jurisdiction", (j for e in entries for j in e["jurisdictions"])),
            _filter_select("case_type", "Type", (e["case_type"] for e in entries)),
            _filter_select("status", "Status", (e["status"] for e in entries)),
        )
    )
    body = (
        "<h1>splitscan cases</h1>\n"
        f'<p class="meta">Cases run of {_e(run_date.isoformat())}: {len(entries)} raised cases, best first. '
        "Click a column header to sort; click a case to open it.</p>\n"
        f'<div class="filters">{filters}<span id="count" class="muted"></span></div>\n'
        "<noscript><p>The case list needs JavaScript; each case page works without it.</p></noscript>\n"
        f'<table id="cases"><thead><tr>{head}</tr></thead><tbody></tbody></table>\n'
        f'<script type="application/json" id="cases-data">{embed_json({"cases": entries})}</script>\n'
    )
    return _page(f"splitscan cases {run_date.isoformat()}", body, static_prefix="static/", scripts=("index.js",))


# ---------------------------------------------------------------------------------------------------------------
# Timeline

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22")
_OTHER = "#7f7f7f"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _ticks(low: float, high: float, n: int = 5) -> list[float]:
    step = (high - low) / n
    return [low + i * step for i in range(n + 1)]


def render_timeline_svg(parcels: Sequence[ParcelView], *, currency: str) -> str:
    """Inline SVG: each parcel's value in `currency` against its arrival date, coloured by the findings it is in.

    Args:
        parcels: parcels valued in `currency` (the threshold currency of their destination).
        currency: shown on the y axis and in the limit labels.

    Returns:
        An `<svg>` element. Each distinct per-parcel limit (`part_limit`) is a dashed red line; parcels in the
        same split finding(s) share a colour (eight colours, then grey for the rest), listed in the legend; every
        point has a tooltip with its record id, date and value.

    Raises:
        ValueError: `parcels` is empty.
    """
    if not parcels:
        raise ValueError("a timeline needs at least one parcel")
    width, plot_h = 760, 240
    left, right, top, bottom = 80, 20, 16, 44
    dates = [p.arrival_date for p in parcels]
    start, end = min(dates), max(dates)
    if start == end:
        start, end = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
    limits = sorted({p.part_limit for p in parcels if p.part_limit is not None})
    y_max = max([float(p.value_threshold_ccy) for p in parcels] + [float(v) for v in limits] + [1.0]) * 1.12
    span = (end - start).days
    plot_w = width - left - right

    def x(day: dt.date) -> float:
        return left + plot_w * (day - start).days / span

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    groups: dict[str, str] = {}
    for p in sorted(parcels, key=lambda p: (p.finding_ids, p.record_id)):
        key = ", ".join(p.finding_ids) or "in no split finding"
        if key not in groups:
            groups[key] = _PALETTE[len(groups)] if len(groups) < len(_PALETTE) else _OTHER
    legend = list(groups.items())
    shown_legend = [(k, c) for k, c in legend if c != _OTHER]
    if len(shown_legend) < len(legend):
        shown_legend.append((f"{len(legend) - len(shown_legend)} more finding groups", _OTHER))
    height = top + plot_h + bottom + 16 * len(shown_legend)

    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(f"Timeline of {len(parcels)} parcels, values in {currency}")}">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
    ]
    for value in _ticks(0.0, y_max / 1.12):
        parts.append(
            f'<line x1="{left - 4}" y1="{y(value):.1f}" x2="{left}" y2="{y(value):.1f}" stroke="#333"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="11" text-anchor="end">{value:,.0f}</text>'
        )
    for day in sorted({start + dt.timedelta(days=round(span * i / 4)) for i in range(5)}):
        anchor = "start" if day == start else "end" if day == end else "middle"
        parts.append(
            f'<line x1="{x(day):.1f}" y1="{top + plot_h}" x2="{x(day):.1f}" y2="{top + plot_h + 4}" stroke="#333"/>'
            f'<text x="{x(day):.1f}" y="{top + plot_h + 17}" font-size="11" text-anchor="{anchor}">'
            f"{day.isoformat()}</text>"
        )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">value ({_e(currency)})</text>'
    )
    for limit in limits:
        ly = y(float(limit))
        parts.append(
            f'<line class="limit" x1="{left}" y1="{ly:.1f}" x2="{width - right}" y2="{ly:.1f}" stroke="#d62728" '
            f'stroke-dasharray="6 4"/><text x="{width - right - 4}" y="{ly - 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#d62728">per-parcel limit {_e(_money(limit))} {_e(currency)}</text>'
        )
    for p in sorted(parcels, key=lambda p: (p.arrival_date, p.record_id)):
        colour = groups[", ".join(p.finding_ids) or "in no split finding"]
        tip = f"{p.record_id}: {p.arrival_date.isoformat()}, {_money(p.value_threshold_ccy)} {currency}"
        parts.append(
            f'<circle class="parcel" cx="{x(p.arrival_date):.1f}" cy="{y(float(p.value_threshold_ccy)):.1f}" r="4.5" '
            f'fill="{colour}" fill-opacity="0.85" stroke="#fff"><title>{_e(tip)}</title></circle>'
        )
    base = top + plot_h + bottom
    for i, (label, colour) in enumerate(shown_legend):
        ly = base + 16 * i
        parts.append(
            f'<circle cx="{left + 5}" cy="{ly - 4}" r="4.5" fill="{colour}"/>'
            f'<text x="{left + 16}" y="{ly}" font-size="11">{_e(_clip(label, 110))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# Case page


def _plain_summary(case: CaseView) -> str:
    kind = "nominee ring" if case.case_type == "ring" else "split-shipment"
    rank = f"ranked {case.rank}" if case.rank is not None else "not ranked"
    entities = "one consignee" if case.n_entities == 1 else f"{case.n_entities} consignees"
    places = ", ".join(case.jurisdictions) or case.jurisdiction
    return (
        f"A {kind} case of {entities} and {case.n_records} parcels arriving in {places} "
        f"between {case.first_arrival.isoformat()} and {case.last_arrival.isoformat()}, with "
        f"USD {_money(case.duty_at_stake_usd)} of duty and tax at stake. It is {rank} with a score of "
        f"{_score(case.score)} of 100; its status is {case.status}."
    )


def _list(items: Sequence[str], *, empty: str, cls: str = "") -> str:
    if not items:
        return f'<span class="muted">{_e(empty)}</span>'
    klass = f' class="{cls}"' if cls else ""
    return f"<ul{klass}>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


_PARCEL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record_id", "Record"),
    ("arrival_date", "Arrival"),
    ("destination_country", "Dest."),
    ("entity_id", "Entity"),
    ("consignee_name", "Consignee"),
    ("consignee_address", "Address"),
    ("consignee_phone", "Phone"),
    ("consignee_id", "Customs id"),
    ("seller_id", "Seller"),
    ("tracking_number", "Tracking"),
    ("goods_description", "Goods"),
    ("hs_code", "HS"),
    ("declared_value", "Declared"),
    ("currency", "Ccy"),
    ("value_threshold_ccy", "Value (threshold ccy)"),
    ("part_limit", "Per-parcel limit"),
    ("value_usd", "USD"),
    ("finding_ids", "Findings"),
    ("in_ring", "In ring"),
)
_MONEY_COLUMNS = {"declared_value", "value_threshold_ccy", "part_limit", "value_usd"}


def _parcel_cell(p: ParcelView, name: str) -> str:
    value = getattr(p, name)
    if name in _MONEY_COLUMNS:
        text = _money(value)
        if name in ("value_threshold_ccy", "part_limit") and value is not None:
            text = f"{text} {p.threshold_currency}"
        return f'<td class="num">{_e(text)}</td>'
    if isinstance(value, tuple):
        return f"<td>{_e('; '.join(value)) if value else '&mdash;'}</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, dt.date):
        return f"<td>{_e(value.isoformat())}</td>"
    return f"<td>{_e(value)}</td>"


def _parcels_table(parcels: Sequence[ParcelView]) -> str:
    head = "".join(
        f'<th scope="col" class="num">{_e(label)}</th>' if n in _MONEY_COLUMNS else f'<th scope="col">{_e(label)}</th>'
        for n, label in _PARCEL_COLUMNS
    )
    rows = "".join(
        f'<tr id="parcel-{_e(p.record_id)}">' + "".join(_parcel_cell(p, n) for n, _ in _PARCEL_COLUMNS) + "</tr>"
        for p in parcels
    )
    return f'<table id="parcels"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _evidence_table(parcels: Sequence[ParcelView]) -> str:
    rows = "".join(
        f"<tr><td>{_e(p.record_id)}</td><td>{_e(p.entity_id)}</td>"
        f"<td>{_list(p.link_evidence, empty='no resolution link (single-record entity)', cls='evidence')}</td>"
        f"<td>{_list(p.ring_links, empty='none', cls='evidence')}</td></tr>"
        for p in parcels
    )
    return (
        '<table id="evidence"><thead><tr><th scope="col">Record</th><th scope="col">Entity</th>'
        '<th scope="col">Resolution link evidence (field-level weights)</th><th scope="col">Ring links</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _reviews_table(reviews: Sequence[ReviewView]) -> str:
    if not reviews:
        return '<p class="muted" id="reviews">No review yet.</p>'
    rows = "".join(
        f"<tr><td>{_e(r.reviewed_at.isoformat(sep=' ', timespec='seconds'))}</td><td>{_e(r.verdict)}</td>"
        f"<td>{_e(r.reviewer)}</td><td>{_e(r.note) if r.note else '&mdash;'}</td>"
        f'<td class="num">{_e(r.case_rank)}</td><td class="num">{_e(_score(r.case_score))}</td></tr>'
        for r in sorted(reviews, key=lambda r: (r.reviewed_at, r.review_id))
    )
    return (
        '<table id="reviews"><thead><tr><th scope="col">When (UTC)</th><th scope="col">Verdict</th>'
        '<th scope="col">Reviewer</th><th scope="col">Note</th><th scope="col" class="num">Rank then</th>'
        f'<th scope="col" class="num">Score then</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def render_case_page(
    case: CaseView,
    parcels: Sequence[ParcelView],
    reviews: Sequence[ReviewView],
    *,
    picture_href: str | None,
    parcels_total: int | None = None,
) -> str:
    """One case's page.

    Args:
        case: the case.
        parcels: its parcels (at most `MAX_PARCELS_PER_CASE` are passed by `write_report`).
        reviews: its review history, any order (shown oldest first).
        picture_href: relative URL of the ring picture copied into the site, or None for "no picture".
        parcels_total: the case's parcel count when `parcels` is a prefix of them (the page says so).

    Returns:
        The HTML document: summary, facts, reasons, timeline per threshold currency, ring picture, parcels,
        link evidence and reviews.
    """
    ordered = sorted(parcels, key=lambda p: (p.arrival_date, p.record_id))
    by_currency: dict[str, list[ParcelView]] = {}
    for p in ordered:
        by_currency.setdefault(p.threshold_currency, []).append(p)
    if by_currency:
        timelines = "".join(
            f"<h3>Values in {_e(ccy)}</h3>{render_timeline_svg(ps, currency=ccy)}"
            for ccy, ps in sorted(by_currency.items())
        )
    else:
        timelines = '<p class="muted">No parcels to draw.</p>'
    picture = (
        f'<img class="ring" id="ring-picture" src="{_e(picture_href)}" alt="{_e(f"Ring picture of {case.case_id}")}">'
        if picture_href
        else '<p class="muted" id="ring-picture">No picture.</p>'
    )
    truncated = ""
    if parcels_total is not None and parcels_total > len(parcels):
        truncated = f'<p class="muted">Showing the first {len(parcels)} of {parcels_total} parcels by arrival.</p>'
    facts = (
        ("Status", case.status),
        ("Rank", case.rank),
        ("Score", f"{_score(case.score)} ({case.scorer})"),
        ("Type", case.case_type),
        ("Jurisdictions", ", ".join(case.jurisdictions)),
        ("Duty at stake", f"USD {_money(case.duty_at_stake_usd)}"),
        ("Total value", f"USD {_money(case.total_value_usd)}"),
        ("Parcels", case.n_records),
        ("Entities", "; ".join(case.entity_ids)),
        ("Rings", "; ".join(case.ring_ids) or None),
        ("Findings", case.n_findings),
        ("Evidence", f"{case.evidence:.2f}"),
        ("Months with findings", case.history_months),
        ("Arrivals", f"{case.first_arrival.isoformat()} to {case.last_arrival.isoformat()}"),
        ("First seen / last seen", f"{case.first_seen.isoformat()} / {case.last_seen.isoformat()}"),
    )
    body = (
        '<p><a href="../index.html">&larr; All cases</a></p>\n'
        f"<h1>Case <code>{_e(case.case_id)}</code></h1>\n"
        f'<p class="summary" id="summary">{_e(_plain_summary(case))}</p>\n'
        f'<p class="summary">{_e(case.summary)}</p>\n'
        '<dl class="facts">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts) + "</dl>\n"
        f'<h2>Why it was raised</h2><div id="reasons">{_list(case.reasons, empty="No reasons recorded.")}</div>\n'
        f'<h2>Timeline</h2><div id="timeline">{timelines}</div>\n'
        f"<h2>Ring picture</h2>{picture}\n"
        f"<h2>Parcels</h2>{truncated}{_parcels_table(ordered)}\n"
        f"<h2>Evidence for every link</h2>{_evidence_table(ordered)}\n"
        f"<h2>Review history</h2>{_reviews_table(reviews)}\n"
    )
    return _page(f"Case {case.case_id}", body, static_prefix="../static/")


# ---------------------------------------------------------------------------------------------------------------
# Site


def _local(path: str) -> Path:
    local = path.removeprefix("file://").removeprefix("file:")
    if "://" in local:
        raise ReportError(f"the case report can only be written to a local warehouse, not {path!r}")
    return Path(local)


def build_site(
    folder: Path,
    cases: Sequence[CaseView],
    parcels: Mapping[str, Sequence[ParcelView]],
    reviews: Mapping[str, Sequence[ReviewView]],
    *,
    run_date: dt.date,
) -> Path:
    """Write the whole site into `folder` (created if missing); returns the path of its index.html.

    Args:
        folder: an empty or new folder.
        cases: the raised cases, best first.
        parcels: parcels per case id (a missing id means none).
        reviews: reviews per case id.
        run_date: the cases run.

    A case's `picture_path` (a local path or `file:` URI) is copied to `pictures/`; when it is null or the file is
    missing, the page says "No picture".
    """
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    (folder / "static").mkdir(exist_ok=True)
    static = resources.files("splitscan.cases") / "static"
    for name in _STATIC:
        (folder / "static" / name).write_text((static / name).read_text(encoding="utf-8"), encoding="utf-8")
    for case in cases:
        stem = case_filename(case.case_id)
        picture_href = None
        if case.picture_path:
            source = _local(case.picture_path)
            if source.is_file():
                (folder / "pictures").mkdir(exist_ok=True)
                shutil.copyfile(source, folder / "pictures" / f"{stem}.svg")
                picture_href = f"../pictures/{stem}.svg"
            else:
                logger.warning("case %s: ring picture %s not found", case.case_id, case.picture_path)
        page = render_case_page(
            case,
            parcels.get(case.case_id, ()),
            reviews.get(case.case_id, ()),
            picture_href=picture_href,
            parcels_total=case.n_records,
        )
        (folder / "cases" / f"{stem}.html").write_text(page, encoding="utf-8")
    index = folder / "index.html"
    index.write_text(render_index(cases, run_date=run_date), encoding="utf-8")
    return index


def publish_site(target: Path, build: Callable[[Path], object]) -> Path:
    """Build a site in a temporary folder next to `target`, then swap it in whole; returns `target`.

    `build` receives the empty temporary folder. If it raises, the temporary folder is removed and `target` is
    left as it was. The swap is two renames on one file system (old site aside, new site in), so a reader can at
    worst find no site for an instant, never a half-written one. Folders left by a run killed mid-swap are removed
    first (runs on one warehouse do not overlap).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*-*"):  # from a run that was killed mid-swap
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    old = target.parent / f".{target.name}.old-{tmp.name.rsplit('-', 1)[-1]}"
    try:
        build(tmp)
        tmp.chmod(0o755)  # mkdtemp makes it 0700; the report is for people other than the job's user
        if target.exists():
            target.rename(old)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not target.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target


def _rows(df: Any) -> list[dict[str, Any]]:
    return [row.asDict() for row in df.collect()]


def write_report(spark: SparkSession, config: Config, *, run_date: dt.date, top: int = 200) -> Path:
    """Write the HTML case report into `<warehouse>/reports/cases/`; returns the path of its index.html.

    Reads the `top` raised cases of `gold/cases` by rank (only these rows reach the driver), at most
    `MAX_PARCELS_PER_CASE` of each one's `gold/case_records` rows (earliest arrivals first), and their
    `gold/case_reviews` (none when that table does not exist yet), renders the site in a temporary folder and swaps
    it in whole, so a failed run leaves the previous report.

    Raises:
        ReportError: `gold/cases` or `gold/case_records` does not exist, or the warehouse is not local.
    """
    site = _local(config.warehouse_uri) / "reports" / "cases"
    paths = {name: config.table_path("gold", name) for name in ("cases", "case_records", "case_reviews")}
    for name in ("cases", "case_records"):
        if not table_exists(spark, paths[name]):
            raise ReportError(
                f"no {name} table at {paths[name]}: run `splitscan cases` (or `splitscan run`) before the report"
            )
    case_rows = _rows(
        read_table(spark, paths["cases"])
        .where(F.col("raised"))
        .orderBy(F.col("rank").asc_nulls_last(), F.col("case_id"))
        .limit(top)
    )
    cases = [CaseView.from_row(r) for r in case_rows]
    ids = [c.case_id for c in cases]
    parcels: dict[str, list[ParcelView]] = {}
    reviews: dict[str, list[ReviewView]] = {}
    if ids:
        records = read_table(spark, paths["case_records"]).where(F.col("case_id").isin(ids))
        if any(c.n_records > MAX_PARCELS_PER_CASE for c in cases):  # rare: the cap costs a shuffle, so only then
            order = Window.partitionBy("case_id").orderBy("arrival_date", "record_id")
            records = records.withColumn("_n", F.row_number().over(order)).where(F.col("_n") <= MAX_PARCELS_PER_CASE)
        for r in _rows(records):
            parcels.setdefault(r["case_id"], []).append(ParcelView.from_row(r))
        if table_exists(spark, paths["case_reviews"]):
            # As wall-clock UTC: collecting a timestamp would convert it to the Python process's local zone.
            utc = F.col("reviewed_at").cast("timestamp_ntz")
            review_rows = read_table(spark, paths["case_reviews"]).where(F.col("case_id").isin(ids))
            for r in _rows(review_rows.withColumn("reviewed_at", utc)):
                reviews.setdefault(r["case_id"], []).append(ReviewView.from_row(r))
    publish_site(site, lambda folder: build_site(folder, cases, parcels, reviews, run_date=run_date))
    logger.info("wrote the case report of %s: %d cases at %s", run_date, len(cases), site)
    return site / "index.html"
