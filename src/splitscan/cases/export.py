"""Case exports for spreadsheets: one row per case, with formula injection neutralised.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab or carriage return can hide
such a start), so a consignee or reason text taken from declarations could run a formula on the investigator's
machine. Following the OWASP CSV injection guidance, every text cell whose first character, or whose first
character after leading whitespace, is one of those gets a leading `'`, which makes the spreadsheet show it as
text. Numbers (rank, score, duty at stake) are written as numbers and never touched. The check after stripping
whitespace is deliberate: some spreadsheets trim cells on import, and a leading `'` on a text that starts with
spaces costs nothing.

The functions here take plain mappings (Spark `Row.asDict()` or hand-built dicts), so they are tested without Spark;
`splitscan.pipelines.export` streams the table into them.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

__all__ = [
    "CASE_COLUMNS",
    "FORMULA_TRIGGERS",
    "SOURCE_COLUMNS",
    "case_row",
    "neutralise",
    "write_cases_csv",
    "write_cases_xlsx",
]

CASE_COLUMNS: tuple[str, ...] = (
    "case_id",
    "rank",
    "score",
    "case_type",
    "jurisdiction",
    "entity_ids",
    "record_ids",
    "duty_at_stake",
    "status",
    "reasons",
)
# The `gold/cases` columns a row is made from: the export's own, except duty at stake, which the table holds in USD.
SOURCE_COLUMNS: tuple[str, ...] = tuple("duty_at_stake_usd" if c == "duty_at_stake" else c for c in CASE_COLUMNS)
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | Decimal | None

# Control characters that XML 1.0 (and so an .xlsx file) cannot hold; tab, line feed and carriage return can.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: str) -> str:
    """Return `value` with a leading `'` when a spreadsheet could read it as a formula.

    A value is neutralised when its first character, or its first character after leading whitespace, is `=`,
    `+`, `-`, `@`, tab or carriage return. Anything else is returned unchanged.

    Example:
        neutralise("=HYPERLINK(...)") == "'=HYPERLINK(...)"; neutralise("  @SUM(A1)") == "'  @SUM(A1)".
    """
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _joined(values: Sequence[Any] | None, sep: str) -> str:
    return sep.join(_text(v) for v in values or ())


def _safe(text: str) -> str:
    # Control characters go first: "\x01=cmd" must not become "=cmd" after neutralising.
    return neutralise(_XML_ILLEGAL.sub("", text))


def case_row(case: Mapping[str, Any]) -> tuple[Value, ...]:
    """One export row, in `CASE_COLUMNS` order, from a `gold/cases` row.

    Text cells are stripped of the control characters XML cannot hold (tab, line feed and carriage return stay)
    and neutralised; `rank` (None when not raised), `score` and `duty_at_stake` (from
    `duty_at_stake_usd`) stay numbers. Ids are joined by `;`, reasons by ` | `.
    """
    rank = case.get("rank")
    score = case.get("score")
    duty = case.get("duty_at_stake_usd")
    return (
        _safe(_text(case.get("case_id"))),
        None if rank is None else int(rank),
        None if score is None else float(score),
        _safe(_text(case.get("case_type"))),
        _safe(_text(case.get("jurisdiction"))),
        _safe(_joined(case.get("entity_ids"), ";")),
        _safe(_joined(case.get("record_ids"), ";")),
        None if duty is None else Decimal(duty),
        _safe(_text(case.get("status"))),
        _safe(_joined(case.get("reasons"), " | ")),
    )


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def write_cases_csv(cases: Iterable[Mapping[str, Any]], fh: IO[str]) -> int:
    """Write the header and one row per case to an open text file (opened with `newline=""`); returns the rows.

    The score is written with two decimals and duty at stake as stored (two decimals); an empty cell is a null.
    """
    writer = csv.writer(fh)
    writer.writerow(CASE_COLUMNS)
    n = 0
    for case in cases:
        writer.writerow([_csv_cell(v) for v in case_row(case)])
        n += 1
    return n


def write_cases_xlsx(cases: Iterable[Mapping[str, Any]], path: Path) -> int:
    """Write the header and one row per case to an .xlsx file at `path`; returns the rows.

    openpyxl's write-only mode streams rows to disk, so memory stays flat however many cases are written. Text
    cells are neutralised (openpyxl itself would store a text starting with `=` as a formula); numbers are
    numeric cells (score and duty shown with two decimals).
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.freeze_panes = "A2"
    sheet.append(list(CASE_COLUMNS))
    n = 0
    for case in cases:
        cells: list[Cell] = []
        for name, value in zip(CASE_COLUMNS, case_row(case), strict=True):
            # A spreadsheet number is a double anyway: two-decimal money survives the conversion as shown.
            if isinstance(value, Decimal):
                value = float(value)
            cell = WriteOnlyCell(sheet, value=None if value == "" else value)
            if name in ("score", "duty_at_stake"):
                cell.number_format = "0.00"
            cells.append(cell)
        sheet.append(cells)
        n += 1
    book.save(path)
    return n
