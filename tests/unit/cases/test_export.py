"""Case exports: formula-injection neutralisation, exact CSV content, the .xlsx read back."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from splitscan.cases.export import CASE_COLUMNS, case_row, neutralise, write_cases_csv, write_cases_xlsx


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_trigger_character_is_neutralised(trigger: str) -> None:
    assert neutralise(f"{trigger}SUM(A1:A9)") == f"'{trigger}SUM(A1:A9)"


@pytest.mark.parametrize("prefix", [" ", "  ", "\u00a0", " \t", "\n"])
@pytest.mark.parametrize("trigger", ["=", "+", "-", "@"])
def test_formula_after_leading_whitespace_is_neutralised(prefix: str, trigger: str) -> None:
    # Some spreadsheets trim cells on import, which would bring the formula character to the front.
    assert neutralise(f"{prefix}{trigger}1+1") == f"'{prefix}{trigger}1+1"


@pytest.mark.parametrize(
    "value",
    ["C-0123456789ab", "KIM MINJUN", "3 parcels under the limit", "", " ", "a=b", "x-y", "mail@example.com", "'quoted"],
)
def test_normal_text_is_untouched(value: str) -> None:
    assert neutralise(value) == value


def test_numbers_stay_numbers_and_text_is_neutralised() -> None:
    row = case_row(
        {
            "case_id": "C-000000000001",
            "rank": 1,
            "score": 87.456,
            "case_type": "split",
            "jurisdiction": "KR",
            "entity_ids": ["-E1", "E2"],
            "record_ids": ["R1"],
            "duty_at_stake_usd": Decimal("-12.50"),
            "status": "open",
            "reasons": ["@evil", "ok"],
        }
    )
    assert row == (
        "C-000000000001",
        1,
        87.456,
        "split",
        "KR",
        "'-E1;E2",
        "R1",
        Decimal("-12.50"),
        "open",
        "'@evil | ok",
    )


def test_control_characters_are_dropped_before_neutralising() -> None:
    # "\x01=cmd" must not turn into a live "=cmd" once the control character is removed.
    assert case_row({"case_id": "\x01=cmd()"})[0] == "'=cmd()"


CASES: list[dict[str, Any]] = [
    {
        "case_id": "C-aaaaaaaaaaaa",
        "rank": 1,
        "score": 91.25,
        "case_type": "ring",
        "jurisdiction": "KR",
        "entity_ids": ["E1", "E2"],
        "record_ids": ["R1", "R2", "R3"],
        "duty_at_stake_usd": Decimal("1234.50"),
        "status": "open",
        "reasons": ["5 members share a drop address", '=HYPERLINK("http://x","y")'],
    },
    {
        "case_id": "C-bbbbbbbbbbbb",
        "rank": None,
        "score": 12.0,
        "case_type": "split",
        "jurisdiction": "US",
        "entity_ids": ["+E3"],
        "record_ids": [],
        "duty_at_stake_usd": Decimal("0.00"),
        "status": "dismissed",
        "reasons": ['3 parcels, 1 day, "quoted", comma'],
    },
]


def test_csv_exact_content() -> None:
    buffer = io.StringIO(newline="")
    assert write_cases_csv(CASES, buffer) == 2
    assert buffer.getvalue() == (
        "case_id,rank,score,case_type,jurisdiction,entity_ids,record_ids,duty_at_stake,status,reasons\r\n"
        "C-aaaaaaaaaaaa,1,91.25,ring,KR,E1;E2,R1;R2;R3,1234.50,open,"
        '"5 members share a drop address | =HYPERLINK(""http://x"",""y"")"\r\n'
        'C-bbbbbbbbbbbb,,12.00,split,US,\'+E3,,0.00,dismissed,"3 parcels, 1 day, ""quoted"", comma"\r\n'
    )


def test_xlsx_read_back(tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    hostile = {**CASES[1], "case_id": "=1+1", "reasons": ["-2+3"]}
    assert write_cases_xlsx([CASES[0], hostile], path) == 2
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows == [
        CASE_COLUMNS,
        (
            "C-aaaaaaaaaaaa",
            1,
            91.25,
            "ring",
            "KR",
            "E1;E2",
            "R1;R2;R3",
            1234.5,
            "open",
            '5 members share a drop address | =HYPERLINK("http://x","y")',
        ),
        ("'=1+1", None, 12, "split", "US", "'+E3", None, 0, "dismissed", "'-2+3"),
    ]
    # Text is stored as text, never as a formula; numbers are numeric cells.
    types = [[c.data_type for c in row] for row in sheet.iter_rows(min_row=2)]
    assert types[1] == ["s", "n", "n", "s", "s", "s", "n", "n", "s", "s"]
    assert sheet.cell(row=2, column=3).number_format == "0.00"
