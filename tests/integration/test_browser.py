"""The HTML case report in a real headless browser (Debian's chromium driven by Selenium through chromedriver).

`make test` installs chromium and chromium-driver with apt-get when /usr/bin/chromium is missing; without them this
test fails (it does not skip), since an untested report is what it exists to prevent. Selenium is given the
chromedriver path, so selenium-manager never downloads a driver or a browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pyspark.sql import SparkSession
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from splitscan.cases import report
from splitscan.cases.report import (
    CaseView,
    ParcelView,
    ReportError,
    ReviewView,
    build_site,
    render_timeline_svg,
    write_report,
)
from splitscan.config import Config
from splitscan.contracts import load_contract
from splitscan.pipelines.export import cases_file
from splitscan.rings.picture import render_ring_svg
from splitscan.storage import append

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
EVIL = "<script>alert(1)</script>"
EVIL_IMG = '<img src=x onerror="window.__pwned=1">'
RUN_DATE = dt.date(2025, 7, 1)


def _case(case_id: str, rank: int, **overrides: Any) -> CaseView:
    values: dict[str, Any] = {
        "case_id": case_id,
        "case_type": "split",
        "status": "open",
        "rank": rank,
        "score": 90.0 - rank * 10,
        "scorer": "base",
        "jurisdiction": "KR",
        "jurisdictions": ("KR",),
        "entity_ids": ("E1",),
        "n_entities": 1,
        "n_records": 2,
        "ring_ids": (),
        "n_findings": 1,
        "first_arrival": dt.date(2025, 3, 1),
        "last_arrival": dt.date(2025, 3, 4),
        "total_value_usd": Decimal("280.00"),
        "duty_at_stake_usd": Decimal(100 * rank),
        "evidence": 0.8,
        "history_months": 1,
        "summary": f"Consignee {EVIL} split 2 parcels.",
        "reasons": (f"2 parcels to {EVIL_IMG} in 3 days",),
        "picture_path": None,
        "first_seen": RUN_DATE,
        "last_seen": RUN_DATE,
    }
    values.update(overrides)
    return CaseView(**values)


def _parcel(record_id: str, day: int, value: str, **overrides: Any) -> ParcelView:
    values: dict[str, Any] = {
        "record_id": record_id,
        "entity_id": "E1",
        "destination_country": "KR",
        "arrival_date": dt.date(2025, 3, day),
        "consignee_name": EVIL,
        "consignee_address": f"12 Teheran-ro {EVIL_IMG}",
        "consignee_phone": None,
        "consignee_id": "P123",
        "seller_id": "S-77",
        "tracking_number": None,
        "goods_description": "T-shirts",
        "hs_code": "6109.10",
        "declared_value": Decimal(value),
        "currency": "USD",
        "value_threshold_ccy": Decimal(value),
        "threshold_currency": "USD",
        "value_usd": Decimal(value),
        "part_limit": Decimal("150.00"),
        "finding_ids": ("F1",),
        "in_ring": False,
        "link_evidence": ("name: +7.2 bits", "address: +4.1 bits"),
        "ring_links": (),
    }
    values.update(overrides)
    return ParcelView(**values)


def _crafted_site(folder: Path, pictures: Path) -> None:
    pictures.mkdir(parents=True)
    ring_svg = pictures / "RING-1.svg"
    ring_svg.write_text(
        render_ring_svg(["E2", "E3"], [("E2", "E3", ["phone=010"])], "E2", title="RING-1"), encoding="utf-8"
    )
    cases = [
        _case("C-000000000001", 1),
        _case(
            "C-000000000002",
            2,
            case_type="ring",
            jurisdiction="US",
            jurisdictions=("EU", "US"),
            entity_ids=("E2", "E3"),
            n_entities=2,
            ring_ids=("RING-1",),
            picture_path=str(ring_svg),
            status="confirmed",
        ),
        _case("C-000000000003", 3, jurisdiction="EU", jurisdictions=("EU",), status="needs-info"),
        _case("C-00000000000x/../evil", 4, picture_path=str(pictures / "missing.svg")),
    ]
    parcels = {
        "C-000000000001": [_parcel("R1", 1, "120.00"), _parcel("R2", 2, "140.00", finding_ids=())],
        "C-000000000002": [
            _parcel("R3", 3, "100.00", entity_id="E2", in_ring=True, ring_links=("E2-E3 phone=010",)),
            _parcel("R4", 9, "90.00", entity_id="E3", threshold_currency="EUR", value_threshold_ccy=Decimal("80")),
        ],
    }
    reviews = {
        "C-000000000002": [
            ReviewView("V-1", "confirmed", f"note {EVIL}", "kim", dt.datetime(2025, 7, 2, 9, 30), 2, 80.0),
        ]
    }
    build_site(folder, cases, parcels, reviews, run_date=RUN_DATE)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The crafted report, built by the pure renderer (no Spark)."""
    root = tmp_path_factory.mktemp("browser")
    folder = root / "site"
    _crafted_site(folder, root / "pictures")
    return folder


@pytest.fixture(scope="module")
def site(site_folder: Path) -> Iterator[str]:
    """The crafted report served over HTTP on 127.0.0.1; yields the index URL."""
    folder = site_folder
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(
            f"the browser test needs Debian's chromium and chromedriver; missing {missing}. "
            "Run `make test` (it installs them) or `apt-get install -y chromium chromium-driver`.",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",  # the test may run as root in a container, where chromium's sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _ids(driver: WebDriver) -> list[str]:
    return [tr.get_attribute("data-case-id") or "" for tr in driver.find_elements(By.CSS_SELECTOR, "#cases tbody tr")]


def _no_script_ran(driver: WebDriver) -> None:
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    assert driver.execute_script("return window.__pwned === undefined") is True


def _severe(driver: WebDriver) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_index_sorts_filters_and_opens_a_case(site: str, browser: WebDriver) -> None:
    browser.get(site)
    assert _ids(browser) == ["C-000000000001", "C-000000000002", "C-000000000003", "C-00000000000x/../evil"]
    assert browser.find_element(By.ID, "count").text == "4 of 4 cases shown"
    # The summary with markup is shown as text in the table.
    assert browser.find_element(By.CSS_SELECTOR, "#cases tbody tr td:last-child").text == (
        f"Consignee {EVIL} split 2 parcels."
    )
    _no_script_ran(browser)

    duty = browser.find_element(By.CSS_SELECTOR, 'th[data-key="duty"] button')
    duty.click()  # ascending: same as rank here
    duty.click()  # descending
    assert _ids(browser)[0] == "C-00000000000x/../evil"
    assert browser.find_element(By.CSS_SELECTOR, 'th[data-key="duty"]').get_attribute("aria-sort") == "descending"

    Select(browser.find_element(By.ID, "filter-jurisdictions")).select_by_value("EU")
    assert _ids(browser) == ["C-000000000003", "C-000000000002"]
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("confirmed")
    assert _ids(browser) == ["C-000000000002"]
    assert browser.find_element(By.ID, "count").text == "1 of 4 cases shown"

    browser.find_element(By.LINK_TEXT, "C-000000000002").click()
    assert browser.current_url.endswith("/cases/C-000000000002.html")
    assert "Case C-000000000002" in browser.title
    assert _severe(browser) == []


def test_case_page_pictures_render_and_values_are_text(site: str, browser: WebDriver) -> None:
    browser.get(site.replace("index.html", "cases/C-000000000002.html"))
    picture = browser.find_element(By.ID, "ring-picture")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) > 0
    timelines = browser.find_elements(By.CSS_SELECTOR, "#timeline svg.timeline")
    assert len(timelines) == 2  # one per threshold currency: EUR and USD
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline circle.parcel")) == 2
    assert timelines[0].size["width"] > 0
    names = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#parcels tbody td:nth-child(5)")]
    assert names == [EVIL, EVIL]
    assert browser.find_element(By.CSS_SELECTOR, "#reviews tbody td:nth-child(4)").text == f"note {EVIL}"
    assert browser.find_element(By.CSS_SELECTOR, "#reasons li").text == f"2 parcels to {EVIL_IMG} in 3 days"
    assert browser.find_elements(By.CSS_SELECTOR, "body script") == []
    _no_script_ran(browser)
    assert _severe(browser) == []


def test_missing_picture_and_sanitised_file_name(site: str, browser: WebDriver) -> None:
    browser.get(site)
    link = browser.find_element(By.LINK_TEXT, "C-00000000000x/../evil")
    href = link.get_attribute("href") or ""
    assert "/cases/C-00000000000x____evil_" in href
    link.click()
    assert browser.find_element(By.ID, "ring-picture").text == "No picture."
    assert browser.find_elements(By.CSS_SELECTOR, "#timeline svg") == []
    assert _severe(browser) == []


def test_report_works_from_a_file_url(site_folder: Path, browser: WebDriver) -> None:
    # Investigators may open the report straight from a shared folder: the CSP's 'self' must cover file:// too.
    browser.get((site_folder / "index.html").as_uri())
    assert len(_ids(browser)) == 4
    browser.find_element(By.LINK_TEXT, "C-000000000002").click()
    picture = browser.find_element(By.ID, "ring-picture")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) > 0
    assert _severe(browser) == []


def test_timeline_svg_is_well_formed() -> None:
    import xml.etree.ElementTree as ET

    svg = render_timeline_svg([_parcel("R1", 1, "120.00"), _parcel("R2", 5, "149.00")], currency="KRW")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def _gold_rows(warehouse: Path) -> dict[str, list[dict[str, Any]]]:
    """Two raised cases (one ring with a picture), one dismissed and not raised, and a verdict."""
    picture = warehouse / "reports" / "rings" / "RING-1.svg"
    picture.parent.mkdir(parents=True)
    picture.write_text(render_ring_svg(["E2", "E3"], [("E2", "E3", ["phone=010"])], None, title="RING-1"))
    now = dt.datetime(2025, 7, 1, 2, 0)
    cases = []
    for case_id, rank, status, raised in (
        ("C-000000000001", 1, "open", True),
        ("C-000000000002", 2, "confirmed", True),
        ("C-000000000003", None, "dismissed", False),
    ):
        view = _case(case_id, rank or 9, status=status, summary=f"{case_id} {EVIL}")
        row = {f: getattr(view, f) for f in view.__dataclass_fields__}
        row.update(
            rank=rank,
            active=True,
            raised=raised,
            base_score=row["score"],
            record_ids=[f"{case_id}-R1", f"{case_id}-R2"],
            finding_ids=["F1"],
            run_id="cases-2025-07-01-00000000",
            updated_at=now,
        )
        cases.append(row)
    cases[1].update(case_type="ring", ring_ids=["RING-1"], picture_path=str(picture), reasons=["=cmd|' /C calc'!A0"])
    records = []
    for c in cases:
        for n, rid in enumerate(c["record_ids"], start=1):
            view = _parcel(rid, n, "120.00")
            row = {f: getattr(view, f) for f in view.__dataclass_fields__}
            row.update(case_id=c["case_id"], run_id=c["run_id"])
            records.append(row)
    reviews = [
        {
            "review_id": "V-0000000000000001",
            "case_id": "C-000000000002",
            "verdict": "confirmed",
            "note": EVIL,
            "reviewer": "kim",
            "reviewed_at": now,
            "case_rank": 2,
            "case_score": 70.0,
            "record_ids": cases[1]["record_ids"],
        }
    ]
    return {"cases": cases, "case_records": records, "case_reviews": reviews}


@pytest.fixture(scope="module")
def gold_warehouse(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Tiny gold case tables written through splitscan.storage with the contracts' schemas."""
    warehouse = tmp_path_factory.mktemp("warehouse")
    config = Config(warehouse=str(warehouse))
    for name, rows in _gold_rows(warehouse).items():
        contract = load_contract(f"gold/{name}")
        tuples = [tuple(r[c] for c in contract.column_names) for r in rows]
        append(spark.createDataFrame(tuples, contract.schema), config.table_path("gold", name), contract)
    return config


def test_write_report_from_delta_tables(
    spark: SparkSession, gold_warehouse: Config, browser: WebDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "MAX_PARCELS_PER_CASE", 1)  # each case has 2 parcels: the cap applies
    index = write_report(spark, gold_warehouse, run_date=RUN_DATE, top=10)
    assert index == Path(gold_warehouse.warehouse_uri) / "reports" / "cases" / "index.html"
    browser.get(index.as_uri())
    assert _ids(browser) == ["C-000000000001", "C-000000000002"]  # raised only, by rank
    browser.find_element(By.LINK_TEXT, "C-000000000002").click()
    picture = browser.find_element(By.ID, "ring-picture")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) > 0
    assert [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#parcels tbody td:first-child")] == [
        "C-000000000002-R1",  # the earliest arrival
    ]
    assert "Showing the first 1 of 2 parcels by arrival." in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, "#reviews tbody td:nth-child(4)").text == EVIL
    _no_script_ran(browser)
    assert _severe(browser) == []
    assert sorted(p.name for p in (index.parent / "cases").iterdir()) == ["C-000000000001.html", "C-000000000002.html"]


def test_write_report_needs_the_case_tables(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"no cases table at .*run `splitscan cases`"):
        write_report(spark, Config(warehouse=str(tmp_path)), run_date=RUN_DATE)


def test_case_exports_from_delta_tables(spark: SparkSession, gold_warehouse: Config, tmp_path: Path) -> None:
    out = tmp_path / "out" / "cases.csv"
    assert cases_file(spark, gold_warehouse, out=out) == 3
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "case_id,rank,score,case_type,jurisdiction,entity_ids,record_ids,duty_at_stake,status,reasons"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["C-000000000001", "1"],
        ["C-000000000002", "2"],
        ["C-000000000003", ""],  # dismissed, not raised: no rank, last
    ]
    assert lines[2].endswith(",confirmed,'=cmd|' /C calc'!A0")
    assert cases_file(spark, gold_warehouse, out=tmp_path / "out" / "cases.xlsx") == 3
    sheet = load_workbook(tmp_path / "out" / "cases.xlsx").active
    assert sheet is not None
    assert [r[:2] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("C-000000000001", 1),
        ("C-000000000002", 2),
        ("C-000000000003", None),
    ]
    assert sorted(p.name for p in out.parent.iterdir()) == ["cases.csv", "cases.xlsx"]  # no temporary file left
    with pytest.raises(ValueError, match=r"must end in \.csv or \.xlsx"):
        cases_file(spark, gold_warehouse, out=tmp_path / "cases.json")
