"""The HTML case report's pure renderers: escaping, embedded data for sorting and filters, file names, the swap."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from splitscan.cases.report import (
    CaseView,
    ParcelView,
    ReviewView,
    build_site,
    case_filename,
    embed_json,
    publish_site,
    render_case_page,
    render_index,
    render_timeline_svg,
)

EVIL = "<script>alert(1)</script>"
RUN_DATE = dt.date(2025, 7, 1)


def case(case_id: str = "C-000000000001", **overrides: Any) -> CaseView:
    row: dict[str, Any] = {
        "case_id": case_id,
        "case_type": "split",
        "status": "open",
        "rank": 1,
        "score": 87.25,
        "scorer": "base",
        "jurisdiction": "KR",
        "jurisdictions": ["KR"],
        "entity_ids": ["E1"],
        "n_entities": 1,
        "n_records": 2,
        "ring_ids": [],
        "n_findings": 1,
        "first_arrival": dt.date(2025, 3, 1),
        "last_arrival": dt.date(2025, 3, 3),
        "total_value_usd": Decimal("260.00"),
        "duty_at_stake_usd": Decimal("1234.50"),
        "evidence": 0.8,
        "history_months": 1,
        "summary": f"{EVIL} split 2 parcels.",
        "reasons": ["2 parcels under 150.00 USD in 3 days", 'a "quoted" & <b>bold</b> reason'],
        "picture_path": None,
        "first_seen": RUN_DATE,
        "last_seen": RUN_DATE,
        "run_id": "cases-2025-07-01-0000",  # extra columns of the table row are ignored
    }
    row.update(overrides)
    return CaseView.from_row(row)


def parcel(record_id: str = "R1", **overrides: Any) -> ParcelView:
    row: dict[str, Any] = {
        "record_id": record_id,
        "entity_id": "E1",
        "destination_country": "KR",
        "arrival_date": dt.date(2025, 3, 1),
        "consignee_name": EVIL,
        "consignee_address": "12 Teheran-ro",
        "consignee_phone": None,
        "consignee_id": None,
        "seller_id": None,
        "tracking_number": None,
        "goods_description": None,
        "hs_code": None,
        "declared_value": Decimal("120.00"),
        "currency": "USD",
        "value_threshold_ccy": Decimal("120.00"),
        "threshold_currency": "USD",
        "value_usd": Decimal("120.00"),
        "part_limit": Decimal("150.00"),
        "finding_ids": ["F1"],
        "in_ring": False,
        "link_evidence": ["name: +7.20 bits"],
        "ring_links": [],
    }
    row.update(overrides)
    return ParcelView.from_row(row)


def _embedded(page: str) -> Any:
    match = re.search(r'<script type="application/json" id="cases-data">(.*?)</script>', page, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_views_take_table_rows_and_make_arrays_tuples() -> None:
    assert case().reasons == ("2 parcels under 150.00 USD in 3 days", 'a "quoted" & <b>bold</b> reason')
    assert parcel().finding_ids == ("F1",)


def test_embed_json_escapes_markup_characters() -> None:
    assert embed_json({"a": "</script><!--&"}) == '{"a":"\\u003c/script\\u003e\\u003c!--\\u0026"}'
    assert json.loads(embed_json({"a": "</script><!--&"})) == {"a": "</script><!--&"}


def test_index_embeds_the_cases_in_rank_order_for_sorting_and_filters() -> None:
    cases = [
        case(),
        case("C-000000000002", rank=2, case_type="ring", jurisdiction="US", jurisdictions=["EU", "US"], score=50.0),
    ]
    page = render_index(cases, run_date=RUN_DATE)
    data = _embedded(page)
    assert [c["case_id"] for c in data["cases"]] == ["C-000000000001", "C-000000000002"]
    assert data["cases"][0] == {
        "case_id": "C-000000000001",
        "href": "cases/C-000000000001.html",
        "rank": 1,
        "case_type": "split",
        "jurisdiction": "KR",
        "jurisdictions": ["KR"],
        "status": "open",
        "score": 87.25,
        "score_text": "87.2",
        "n_entities": 1,
        "n_records": 2,
        "duty": 1234.5,
        "duty_text": "1,234.50",
        "first_arrival": "2025-03-01",
        "last_arrival": "2025-03-03",
        "summary": f"{EVIL} split 2 parcels.",
    }
    # The raw markup never appears in the page: only its JSON escape.
    assert EVIL not in page
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e split 2 parcels." in page
    # Filters offer every value present; sortable headers name their key and type.
    assert (
        '<select id="filter-jurisdictions" data-filter="jurisdictions"><option value="">all</option>'
        '<option value="EU">EU</option><option value="KR">KR</option><option value="US">US</option></select>'
    ) in page
    assert '<option value="ring">ring</option><option value="split">split</option>' in page
    assert '<th scope="col" data-key="duty" data-type="num" class="num" aria-sort="none">' in page
    assert '<script src="static/index.js" defer></script>' in page


def test_case_page_escapes_every_value() -> None:
    page = render_case_page(
        case(),
        [parcel(), parcel('R"2', arrival_date=dt.date(2025, 3, 3), consignee_address="a & b")],
        [ReviewView("V-1", "dismissed", EVIL, "o'neil", dt.datetime(2025, 7, 2, 9, 30), 1, 87.25)],
        picture_href=None,
    )
    assert "<script>alert" not in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page  # consignee name in the parcels table
    assert '<tr id="parcel-R&quot;2"><td>R&quot;2</td>' in page  # attribute value and text
    assert "<td>a &amp; b</td>" in page
    assert "<li>a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt; reason</li>" in page
    assert '<p class="summary">&lt;script&gt;alert(1)&lt;/script&gt; split 2 parcels.</p>' in page
    assert "<td>dismissed</td><td>o&#x27;neil</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert "<title>R&quot;2: 2025-03-03, 120.00 USD</title>" in page  # timeline tooltip
    assert '<p class="muted" id="ring-picture">No picture.</p>' in page
    # The only script a case page may load is none; its policy forbids inline script.
    assert "<script" not in page
    assert "script-src &#x27;self&#x27;" in page


def test_case_page_summary_in_plain_words_and_picture() -> None:
    page = render_case_page(case(), [parcel()], [], picture_href="../pictures/C-000000000001.svg")
    assert (
        "A split-shipment case of one consignee and 2 parcels arriving in KR between 2025-03-01 and 2025-03-03, "
        "with USD 1,234.50 of duty and tax at stake. It is ranked 1 with a score of 87.2 of 100; its status is open."
    ) in page
    assert (
        '<img class="ring" id="ring-picture" src="../pictures/C-000000000001.svg" alt="Ring picture of C-000000000001">'
    ) in page
    assert '<p class="muted" id="reviews">No review yet.</p>' in page


def test_timeline_draws_points_limit_and_groups() -> None:
    svg = render_timeline_svg(
        [
            parcel("R1"),
            parcel("R2", arrival_date=dt.date(2025, 3, 2), finding_ids=["F1", "F2"]),
            parcel("R3", arrival_date=dt.date(2025, 3, 5), finding_ids=[], part_limit=None),
        ],
        currency="USD",
    )
    assert svg.count('<circle class="parcel"') == 3
    assert svg.count('class="limit"') == 1
    assert "per-parcel limit 150.00 USD</text>" in svg
    assert ">F1</text>" in svg and ">F1, F2</text>" in svg and ">in no split finding</text>" in svg
    with pytest.raises(ValueError, match="at least one parcel"):
        render_timeline_svg([], currency="USD")


def test_case_filename_is_sanitised() -> None:
    def sha8(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]

    assert case_filename("C-0123456789ab") == "C-0123456789ab"
    # Anything else is replaced, and a hash of the id keeps ids that differ only in unsafe characters apart.
    assert case_filename("../../etc/passwd") == f"______etc_passwd_{sha8('../../etc/passwd')}"
    assert case_filename("C-1/2") == f"C-1_2_{sha8('C-1/2')}"
    assert case_filename("C-1_2") == "C-1_2"
    assert case_filename("") == f"_{sha8('')}"


def test_build_site_copies_the_picture_and_names_pages_safely(tmp_path: Path) -> None:
    picture = tmp_path / "warehouse" / "reports" / "rings" / "RING-1.svg"
    picture.parent.mkdir(parents=True)
    picture.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    cases = [case(picture_path=f"file:{picture}"), case("C-x/../y", rank=2, picture_path=str(tmp_path / "gone.svg"))]
    index = build_site(tmp_path / "site", cases, {"C-000000000001": [parcel()]}, {}, run_date=RUN_DATE)
    assert index == tmp_path / "site" / "index.html"
    names = sorted(str(p.relative_to(tmp_path / "site")) for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert names == [
        "cases/C-000000000001.html",
        f"cases/{case_filename('C-x/../y')}.html",
        "index.html",
        "pictures/C-000000000001.svg",
        "static/favicon.svg",
        "static/index.js",
        "static/report.css",
    ]
    assert (tmp_path / "site/pictures/C-000000000001.svg").read_text(encoding="utf-8") == picture.read_text()
    assert "No picture." in (tmp_path / "site/cases" / f"{case_filename('C-x/../y')}.html").read_text()


def test_publish_swaps_the_whole_site(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "cases"
    publish_site(target, lambda folder: (folder / "index.html").write_text("v1"))
    (target.parent / ".cases.new-killed").mkdir()  # left by a run killed mid-render
    publish_site(target, lambda folder: (folder / "index.html").write_text("v2"))
    assert (target / "index.html").read_text() == "v2"
    assert sorted(p.name for p in target.parent.iterdir()) == ["cases"]  # no temporary or old folder left


def test_a_failed_render_leaves_the_previous_report(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "cases"
    publish_site(target, lambda folder: (folder / "index.html").write_text("previous"))

    def broken(folder: Path) -> None:
        (folder / "index.html").write_text("half")
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError, match="render failed"):
        publish_site(target, broken)
    assert (target / "index.html").read_text() == "previous"
    assert sorted(p.name for p in target.parent.iterdir()) == ["cases"]
