"""Address parsing and comparison keys for consignee resolution.

Input is the `address_std` and `postcode_std` columns of `splitscan.ingest.standardise` (NFKC, upper case,
punctuation folded to spaces; `#` and a dash between two numbers kept). `parse_address` reads Korean road
addresses (`도산대로 47`, `47 Dosan-daero`), Korean lot addresses (`죽전동 1651-64`), Korean apartment units
(`101동 1203호`, `101-dong 1203-ho`, `#101-1203`, `Apt 101-1203`), US street addresses with apartment, unit
and suite numbers, and PO boxes, and gives:

* `building_key`: locality + street (or lot) + building number; households of one apartment complex share it;
* `complex_key`: locality + the complex or building name (`주공5단지`, `Woosung Apt`), when one is written;
* `unit` and `unit_key`: the canonical unit (`101-1203`, `4B`, `FL3`) and `building_key|unit`;
* `suite_digits`: a unit number of five or more digits, the mark of a parcel forwarder's customer box
  (domain.md §4);
* `is_po_box`.

Hangul is romanised with the place-name sound changes and every name part (road, neighbourhood, complex,
district) is compared through `phonetic_code`, so `도산대로 47` and `47 Dosan-daero` give the same key.
Households in one complex share street address and postcode (domain.md §4): the unit decides, and
`unit_relation` says whether two addresses are the same unit, another unit of one building, and so on.

Pure Python; `address_features` is the vectorised wrapper for a `pandas_udf` or `mapInPandas`.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

import pandas as pd

from splitscan.resolve.names import phonetic_code, romanise_hangul

__all__ = [
    "ADDRESS_FEATURE_COLUMNS",
    "UNIT_RELATIONS",
    "ParsedAddress",
    "address_features",
    "parse_address",
    "unit_relation",
]

logger = logging.getLogger(__name__)

UNIT_RELATIONS: Final = (
    "same_unit",
    "same_building_other_unit",
    "same_building_unit_missing",
    "same_postcode",
    "different",
    "unknown",
)

# ------------------------------------------------------------------------------------------- vocabulary

# Korean structural words, Hangul -> the Latin word used in romanised addresses. Values are what the parser
# matches; None means the word is dropped (번지: "lot number", 대한민국: the country).
_HANGUL_EXACT: Final[Mapping[str, str | None]] = {
    "동": "DONG", "호": "HO", "층": "FL", "단지": "DANJI", "차": "CHA", "가": "GA", "로": "RO", "대로": "DAERO",
    "길": "GIL", "번길": "BEONGIL", "리": "RI", "구": "GU", "시": "SI", "군": "GUN", "읍": "EUP", "면": "MYEON",
    "번지": None, "번": None, "산": None, "대한민국": None, "한국": None, "사서함": "POBOX",
    "아파트": "CPLX", "빌라": "CPLX", "맨션": "CPLX", "오피스텔": "CPLX", "빌딩": "CPLX", "타워": "CPLX",
    "지하": "B",
}  # fmt: skip
# Building-type words written glued after a complex or building name (주공아파트, 동원빌딩, 한신타워).
_HANGUL_BUILDING_TAILS: Final = ("오피스텔", "아파트", "빌라", "맨션", "빌딩", "타워")
# Structural suffixes peeled from the end of a Hangul word, longest first. 도 (province) and 호 are not
# peeled from words (provinces are not used in keys; 호 ends many names), and 리 only in rural addresses.
_HANGUL_SUFFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("특별자치시", "SI"), ("특별시", "SI"), ("광역시", "SI"), ("번길", "BEONGIL"), ("대로", "DAERO"),
    ("단지", "DANJI"), ("시", "SI"), ("군", "GUN"), ("구", "GU"), ("읍", "EUP"), ("면", "MYEON"),
    ("동", "DONG"), ("로", "RO"), ("길", "GIL"),
)  # fmt: skip
_GLUE_NUMBER_BEFORE: Final = frozenset({"DONG", "GA", "DANJI", "CHA"})  # 역삼1동, 종로1가, 주공5단지, 래미안2차

_ROAD_WORDS: Final = frozenset({"RO", "DAERO", "GIL", "BEONGIL"})
_GIL_WORDS: Final = frozenset({"GIL", "BEONGIL"})
_NEIGHBOURHOOD_WORDS: Final = frozenset({"DONG", "RI", "GA"})
_ADMIN_WORDS: Final = frozenset({"SI", "DO", "GUN", "GU", "EUP", "MYEON", "DONG", "RI", "GA"})
_KR_STRUCTURE: Final = frozenset({*_ROAD_WORDS, *_ADMIN_WORDS, "HO", "DANJI", "CHA", "FL", "CPLX", "POBOX"})
_KR_MARKERS: Final = frozenset(
    {
        "RO", "DAERO", "GIL", "BEONGIL", "GU", "DONG", "HO", "DANJI", "GUN", "EUP", "MYEON", "KOREA", "SEOUL",
        "BUSAN", "INCHEON", "DAEGU", "DAEJEON", "GWANGJU", "ULSAN", "SEJONG", "GYEONGGI", "GANGWON", "JEJU",
    }
)  # fmt: skip
_KR_GLUED_TOKEN: Final = re.compile(r"\d+(?:-\d+)?(?:DONG|HO)")
_LATIN_GLUED: Final = re.compile(r"(\d+)(DONG|HO|F|FL|BEONGIL|BEON|GIL|GA|CHA|DANJI)")
_LATIN_ROAD_GLUED: Final = re.compile(r"([A-Z]{2,})(DAERO|RO|GIL)")
_KR_COMPLEX_MARKERS: Final = frozenset(
    {"APT", "APTS", "APARTMENT", "APARTMENTS", "VILLA", "MANSION", "OFFICETEL", "COMPLEX", "DANJI", "BUILDING",
     "BLDG", "TOWER", "CPLX", "CHA"}
)  # fmt: skip
_DONG: Final = frozenset({"DONG"})
_HO: Final = frozenset({"HO"})
_KR_FLOOR: Final = frozenset({"FL", "F"})
_KR_UNIT_WORDS: Final = _DONG | _HO | _KR_FLOOR
_DONG_LABELS: Final = frozenset({"GA", "NA", "DA", "RA", "MA", "BA", "SA"})  # 가동 나동 ... (villa blocks)

_US_STATES: Final = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
        "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
        "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
        "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP",
    }
)  # fmt: skip
_STREET_TYPES: Final[Mapping[str, str]] = {
    "STREET": "ST", "ST": "ST", "STR": "ST", "AVENUE": "AVE", "AVE": "AVE", "AV": "AVE", "ROAD": "RD", "RD": "RD",
    "DRIVE": "DR", "DR": "DR", "LANE": "LN", "LN": "LN", "BOULEVARD": "BLVD", "BLVD": "BLVD", "COURT": "CT",
    "CT": "CT", "WAY": "WAY", "WY": "WAY", "PLACE": "PL", "PL": "PL", "TERRACE": "TER", "TER": "TER",
    "TERR": "TER", "CIRCLE": "CIR", "CIR": "CIR", "PARKWAY": "PKWY", "PKWY": "PKWY", "HIGHWAY": "HWY",
    "HWY": "HWY", "EXPRESSWAY": "EXPY", "EXPY": "EXPY", "FREEWAY": "FWY", "FWY": "FWY", "PLAZA": "PLZ",
    "PLZ": "PLZ", "SQUARE": "SQ", "SQ": "SQ", "TRAIL": "TRL", "TRL": "TRL", "TURNPIKE": "TPKE", "TPKE": "TPKE",
    "ALLEY": "ALY", "ALY": "ALY", "LOOP": "LOOP", "COVE": "CV", "CV": "CV", "CRESCENT": "CRES", "CRES": "CRES",
    "PIKE": "PIKE", "ROUTE": "RTE", "RTE": "RTE", "PATH": "PATH", "WALK": "WALK", "ROW": "ROW", "CROSSING": "XING",
    "XING": "XING", "GROVE": "GRV", "GRV": "GRV", "HEIGHTS": "HTS", "HTS": "HTS", "CLOSE": "CL",
}  # fmt: skip
_DIRECTIONALS: Final = frozenset(
    {"N", "S", "E", "W", "NE", "NW", "SE", "SW", "NORTH", "SOUTH", "EAST", "WEST", "NORTHEAST", "NORTHWEST",
     "SOUTHEAST", "SOUTHWEST"}
)  # fmt: skip
_NAME_ABBREVIATIONS: Final[Mapping[str, str]] = {
    "SAINT": "ST", "MOUNT": "MT", "FORT": "FT", "FIRST": "1", "SECOND": "2", "THIRD": "3", "FOURTH": "4",
    "FIFTH": "5", "SIXTH": "6", "SEVENTH": "7", "EIGHTH": "8", "NINTH": "9", "TENTH": "10", "ELEVENTH": "11",
    "TWELFTH": "12",
}  # fmt: skip
_UNIT_DESIGNATORS: Final = frozenset(
    {"APT", "APARTMENT", "UNIT", "STE", "SUITE", "RM", "ROOM", "PMB", "SPC", "SPACE", "TRLR", "DEPT", "OFC",
     "LOT", "HANGAR", "SLIP", "PIER", "NO", "NUM", "FLAT"}
)  # fmt: skip
_FLOOR_WORDS: Final = frozenset({"FL", "FLR", "FLOOR", "F"})
_BUILDING_WORDS: Final = frozenset({"BLDG", "BUILDING", "BLD", "TWR"})
_ORDINAL: Final = re.compile(r"(\d+)(?:ST|ND|RD|TH)")
_HOUSE_NUMBER: Final = re.compile(r"\d+(?:-\d+)?[A-Z]?")
_NUMBER: Final = re.compile(r"\d+(?:-\d+)*")
_UNIT_VALUE: Final = re.compile(r"[A-Z]{0,3}\d{1,8}[A-Z]{0,2}|[A-Z]{1,2}|\d+(?:-\d+)+")
_DIGIT_RUN: Final = re.compile(r"\d+")
_UK_CA_POSTCODE: Final = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] \d[A-Z]\d")
_JP_POSTCODE: Final = re.compile(r"\d{3}-\d{4}")
_FORWARDER_DIGITS: Final = 5
_PO_BOX_PATTERNS: Final[tuple[tuple[str, ...], ...]] = (
    ("POST", "OFFICE", "BOX"), ("P", "O", "BOX"), ("PO", "BOX"), ("POBOX",), ("POB",), ("BOX",),
)  # fmt: skip
_COUNTRY_PHRASES: Final[tuple[tuple[str, ...], ...]] = (
    ("REPUBLIC", "OF", "KOREA"), ("SOUTH", "KOREA"), ("KOREA",), ("ROK",), ("UNITED", "STATES", "OF", "AMERICA"),
    ("UNITED", "STATES"), ("USA",),
)  # fmt: skip
_COUNTRY_AT_END: Final = frozenset({"US", "KR", "KOR"})
_NON_ADDRESS: Final = re.compile(r"[^\w#-]+|_+")
_LONE_DASH: Final = re.compile(r"(?<!\d)-|-(?!\d)")
_HANGUL_RUN: Final = re.compile(r"[\uac00-\ud7a3]+|[^\uac00-\ud7a3]+")


class _Tok(NamedTuple):
    kind: str  # "n" number (digits, dashed), "a" digits + letters, "w" word, "s" Korean structure word, "#"
    text: str


# ------------------------------------------------------------------------------------------ tokenising


_HANGUL_SYLLABLE: Final = re.compile("[\uac00-\ud7a3]")


def _has_hangul(text: str) -> bool:
    return _HANGUL_SYLLABLE.search(text) is not None


def _looks_korean(words: Sequence[str]) -> bool:
    return any(_has_hangul(w) or w in _KR_MARKERS or _KR_GLUED_TOKEN.fullmatch(w) for w in words)


def _latin_tok(text: str) -> _Tok:
    if _NUMBER.fullmatch(text):
        return _Tok("n", text)
    if text[:1].isdigit():
        return _Tok("a", text)
    return _Tok("w", text)


@functools.lru_cache(maxsize=1 << 16)
def _place(stem: str) -> str:
    return romanise_hangul(stem, surname_first=False, sound_changes=True)


def _peel_hangul(run: str, *, rural: bool) -> list[_Tok]:
    """One Hangul word -> stem word and structure words (`강남구` -> GANGNAM, GU; `주공아파트` -> JUGONG, CPLX)."""
    if run in _HANGUL_EXACT:
        word = _HANGUL_EXACT[run]
        return [] if word is None else [_Tok("s", word)]
    tail: list[_Tok] = []
    for building in _HANGUL_BUILDING_TAILS:
        if run.endswith(building) and len(run) > len(building):
            run, tail = run[: -len(building)], [_Tok("s", "CPLX")]
            if run in _HANGUL_EXACT:
                word = _HANGUL_EXACT[run]
                return ([] if word is None else [_Tok("s", word)]) + tail
            break
    suffixes = (*_HANGUL_SUFFIXES, ("리", "RI")) if rural else _HANGUL_SUFFIXES
    for suffix, word in suffixes:
        if run.endswith(suffix) and len(run) > len(suffix):
            return [_Tok("w", _place(run[: -len(suffix)])), _Tok("s", word), *tail]
    return [_Tok("w", _place(run)), *tail]


@functools.lru_cache(maxsize=1 << 16)
def _split_hangul_token(token: str, *, rural: bool) -> tuple[_Tok, ...]:
    """A token with Hangul: split Hangul from other runs, peel suffixes, glue `역삼1동` into `YEOKSAM1 DONG`."""
    out: list[_Tok] = []
    for run in _HANGUL_RUN.findall(token):
        if not _has_hangul(run):
            if run.startswith("#"):
                out.append(_Tok("#", "#"))
                run = run.lstrip("#")
            if _NUMBER.fullmatch(run):
                out.append(_Tok("n", run))
            else:
                out.extend(_latin_tok(part) for part in re.split(r"[-#]", run) if part)
            continue
        peeled = _peel_hangul(run, rural=rural)
        glue = (
            len(out) >= 2
            and out[-1].kind == "n"
            and out[-1].text.isdigit()
            and out[-2].kind == "w"
            and bool(peeled)
            and peeled[0].kind == "s"
            and peeled[0].text in _GLUE_NUMBER_BEFORE
        )
        if glue:
            number = out.pop()
            stem = out.pop()
            out.append(_Tok("w", stem.text + number.text))
        out.extend(peeled)
    return tuple(out)


def _tokenise(words: Sequence[str], *, korean: bool) -> list[_Tok]:
    toks: list[_Tok] = []
    for word in words:
        if _has_hangul(word):
            rural = bool(toks) and toks[-1].kind == "s" and toks[-1].text in ("EUP", "MYEON")
            toks.extend(_split_hangul_token(word, rural=rural))
            continue
        while word.startswith("#"):
            toks.append(_Tok("#", "#"))
            word = word[1:]
        if not word:
            continue
        if "#" in word:  # APT#4B
            head, _sep, rest = word.partition("#")
            toks.extend([_latin_tok(head), _Tok("#", "#")])
            if rest:
                toks.append(_latin_tok(rest.replace("#", "")))
            continue
        glued = _LATIN_GLUED.fullmatch(word) if korean else None
        if glued is not None:
            toks.extend([_Tok("n", glued.group(1)), _Tok("w", glued.group(2))])
        else:
            toks.append(_latin_tok(word))
        if len(toks) >= 2 and toks[-1].text == "GIL" and toks[-2].text == "BEON":  # 72BEON GIL -> BEONGIL
            toks[-2:] = [_Tok("w", "BEONGIL")]
    return toks


_COUNTRY_WORDS: Final = frozenset(phrase[0] for phrase in _COUNTRY_PHRASES)


def _drop_phrases(words: list[str], phrases: Sequence[tuple[str, ...]]) -> list[str]:
    if _COUNTRY_WORDS.isdisjoint(words):
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase in phrases:
            if tuple(words[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(words[i])
            i += 1
    return out


# ---------------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address reduced to comparison keys.

    Attributes:
        building_key: `locality|street|number` for the building (a whole apartment complex when the complex
            has one street address); `locality|POBOX` for a PO box; the complex key when only a complex name
            was found; None when no building could be read.
        complex_key: `locality|C|name` for a named Korean complex or building (`주공5단지`, `Dongwon
            Building`), else None.
        street_key: `street|number` without the locality (compare when one side lacks the postcode).
        unit: canonical unit: Korean `dong-ho` (`101-1203`) or `ho` (`203`), US apartment/unit/suite value
            (`4B`), `FL3` for a floor alone, the PO box number; None when no unit is written.
        unit_key: `building_key|unit`, None without either.
        suite_digits: the longest digit run of the unit when it has five or more digits (forwarder box).
        is_po_box: a PO box (`PO BOX`, `P O BOX`, `POB`, `사서함`).
        postcode: the postcode used (the `postcode_std` argument, else one read from the text), or None.
        locality: the locality part of the keys: `P:<postcode>`, `D:<district>` (Korean gu/gun/si) or
            `S:<state>` (US), or None.
        country: `KR` when the text is Korean (Hangul or Korean address words), else `US` when it reads as a
            US street address, else None.
    """

    building_key: str | None
    complex_key: str | None
    street_key: str | None
    unit: str | None
    unit_key: str | None
    suite_digits: str | None
    is_po_box: bool
    postcode: str | None
    locality: str | None
    country: str | None


_EMPTY: Final = ParsedAddress(None, None, None, None, None, None, False, None, None, None)


class _State:
    """Mutable parse state over one token list; consumed tokens become None so indices stay stable."""

    def __init__(self, toks: list[_Tok], *, korean: bool) -> None:
        self.toks: list[_Tok | None] = list(toks)
        self.korean = korean
        self.units: list[str] = []
        self.dong: str | None = None
        self.ho: str | None = None
        self.floor: str | None = None
        self.building_label: str | None = None
        self.dong_index: int | None = None
        self.po_box: str | None = None
        self.is_po_box = False

    def live(self) -> list[int]:
        return [i for i, t in enumerate(self.toks) if t is not None]

    def at(self, index: int | None) -> _Tok | None:
        if index is None or not 0 <= index < len(self.toks):
            return None
        return self.toks[index]

    def next_live(self, index: int) -> int | None:
        for j in range(index + 1, len(self.toks)):
            if self.toks[j] is not None:
                return j
        return None

    def prev_live(self, index: int) -> int | None:
        for j in range(index - 1, -1, -1):
            if self.toks[j] is not None:
                return j
        return None

    def is_word(self, index: int | None, words: frozenset[str] | Mapping[str, str]) -> bool:
        """A Korean structure word (`s`), or a Latin word of the same spelling in a Korean address."""
        tok = self.at(index)
        if tok is None or tok.text not in words:
            return False
        return tok.kind == "s" or (tok.kind == "w" and self.korean)

    def consume(self, *indices: int | None) -> None:
        for index in indices:
            if index is not None:
                self.toks[index] = None


def _strip_zeros(value: str) -> str:
    return "-".join(part.lstrip("0") or "0" if part.isdigit() else part for part in value.split("-"))


def _take_postcode(words: list[str], *, korean: bool) -> tuple[list[str], str | None, str | None]:
    """Remove a postcode (and US state) written in the text: (words, postcode, state)."""
    state: str | None = None
    if len(words) >= 2 and re.fullmatch(r"\d{5}(?:-\d{4})?", words[-1]):
        if words[-2] in _US_STATES and not korean:
            return words[:-1], words[-1][:5], words[-2]
        if korean:
            return words[:-1], words[-1], None
    if korean and len(words) >= 2 and re.fullmatch(r"\d{5}|\d{3}-\d{3}", words[0]):
        return words[1:], words[0].replace("-", ""), None
    if not korean and len(words) >= 3 and _UK_CA_POSTCODE.fullmatch(f"{words[-2]} {words[-1]}"):
        return words[:-2], words[-2] + words[-1], None  # SW1A 1AA, M5V 2T6
    if not korean and len(words) >= 2 and _JP_POSTCODE.fullmatch(words[0]):  # 〒150-0041 ...
        return words[1:], words[0].replace("-", ""), None
    if not korean and len(words) >= 2 and _JP_POSTCODE.fullmatch(words[-1]):
        return words[:-1], words[-1].replace("-", ""), None
    if not korean:
        for w in reversed(words[-3:]):
            if w in _US_STATES:
                state = w
                break
    return words, None, state


_PO_BOX_WORDS: Final = frozenset(pattern[0] for pattern in _PO_BOX_PATTERNS)


def _parse_po_box(st: _State) -> None:
    if not any(t is not None and t.text in _PO_BOX_WORDS for t in st.toks):
        return
    words = [(i, t.text) for i, t in enumerate(st.toks) if t is not None]
    for k in range(len(words)):
        for pattern in _PO_BOX_PATTERNS:
            span = [w for _j, w in words[k : k + len(pattern)]]
            if tuple(span) != pattern:
                continue
            if pattern == ("BOX",) and not (k + 1 < len(words) and words[k + 1][1].isdigit()):
                continue
            st.is_po_box = True
            st.consume(*(j for j, _w in words[k : k + len(pattern)]))
            after = k + len(pattern)
            if after < len(words) and _NUMBER.fullmatch(words[after][1].lstrip("#")):
                st.po_box = _strip_zeros(words[after][1].lstrip("#"))
                st.consume(words[after][0])
            return


def _parse_korean_units(st: _State) -> None:
    """`101 DONG 1203 HO`, `101동 1203호`, `가동 101호`, `1203 HO`, `5 FL` (Korean order: number, then word)."""
    if not any(t is not None and t.text in _KR_UNIT_WORDS for t in st.toks):
        return
    for i in st.live():
        tok = st.at(i)
        if tok is None or not st.is_word(i, _DONG):
            continue
        p = st.prev_live(i)
        prev = st.at(p)
        n1 = st.next_live(i)
        n2 = st.next_live(n1) if n1 is not None else None
        nxt = st.at(n1)
        has_ho = nxt is not None and nxt.kind == "n" and st.is_word(n2, _HO)
        if prev is not None and prev.kind == "n" and p is not None:
            number = int(prev.text.split("-")[0])
            before = st.at(st.prev_live(p))
            stem_before = before is not None and before.kind == "w" and before.text not in _KR_COMPLEX_MARKERS
            if stem_before and number < 100 and not has_ho:
                # 역삼 1동 / Yeoksam 1-dong: a numbered neighbourhood, not an apartment block.
                q = st.prev_live(p)
                if q is not None and before is not None:
                    st.toks[q] = _Tok("w", before.text + prev.text)
                    st.consume(p)
                continue
            st.dong, st.dong_index = _strip_zeros(prev.text), p
            st.consume(p, i)
        elif (
            prev is not None
            and p is not None
            and has_ho
            and prev.kind == "w"
            and (prev.text in _DONG_LABELS or (len(prev.text) == 1 and prev.text.isalpha()))
        ):
            st.dong, st.dong_index = prev.text, p
            st.consume(p, i)
        else:
            continue
        if nxt is not None and nxt.kind == "n" and n1 is not None and (has_ho or "-" not in nxt.text):
            st.ho = _strip_zeros(nxt.text)
            st.consume(n1, n2 if has_ho else None)
    for i in st.live():
        tok = st.at(i)
        if tok is None:
            continue
        if st.is_word(i, _HO):
            p = st.prev_live(i)
            prev = st.at(p)
            if prev is not None and prev.kind == "n" and st.ho is None:
                st.ho = _strip_zeros(prev.text)
                st.consume(p, i)
        elif st.is_word(i, _KR_FLOOR):
            p = st.prev_live(i)
            prev = st.at(p)
            if prev is not None and prev.kind == "n" and prev.text.isdigit() and p is not None:
                q = st.prev_live(p)
                basement = st.at(q)
                st.floor = _strip_zeros(prev.text)
                if basement is not None and basement == _Tok("s", "B"):  # 지하 1층: basement 1
                    st.floor = "B" + st.floor
                    st.consume(q)
                st.consume(p, i)
                n1 = st.next_live(i)
                room = st.at(n1)
                # 5F 501 (Latin writing of 5층 501호): the bare number after the floor is the room.
                if room is not None and room.kind == "n" and room.text.isdigit() and st.ho is None:
                    st.ho = _strip_zeros(room.text)
                    st.consume(n1)


def _unit_value(st: _State, index: int | None) -> tuple[str, list[int]] | None:
    """The unit value at `index` (`4B`, `101-1203`, `4 B` -> `4B`) and the token indices it used."""
    tok = st.at(index)
    if tok is None or index is None or tok.kind == "#":
        return None
    if tok.text in _UNIT_DESIGNATORS or tok.text in _STREET_TYPES or tok.text in _DIRECTIONALS:
        return None
    if not _UNIT_VALUE.fullmatch(tok.text):
        return None
    used = [index]
    value = tok.text
    n1 = st.next_live(index)
    nxt = st.at(n1)
    if (
        nxt is not None
        and n1 is not None
        and nxt.kind == "w"
        and len(nxt.text) == 1
        and nxt.text not in _DIRECTIONALS
        and value.isdigit()
    ):
        value += nxt.text  # APT 4 B
        used.append(n1)
    elif nxt is not None and n1 is not None and nxt.kind == "n" and value.isalpha() and len(value) <= 3:
        value += nxt.text  # STE KR 12345 -> KR12345
        used.append(n1)
    elif (
        nxt is not None
        and n1 is not None
        and nxt.kind == "n"
        and len(nxt.text) <= 2
        and nxt.text.isdigit()
        and value[-1:].isalpha()
        and value[:1].isdigit()
    ):
        value += "-" + nxt.text  # APT 11E-1: standardisation keeps a dash only between two digits
        used.append(n1)
    return _strip_zeros(value), used


def _parse_designators(st: _State) -> None:
    """`APT 4B`, `UNIT 4B`, `STE 4B`, `#4B`, `APT #4B`, `FL 3`, `3RD FLOOR`, `BLDG 5`, `PMB 123`."""
    for i in st.live():
        tok = st.at(i)
        if tok is None:
            continue
        word = tok.text
        if tok.kind == "#" or (tok.kind == "w" and word in _UNIT_DESIGNATORS):
            j = st.next_live(i)
            if tok.kind == "w" and st.at(j) is not None and st.at(j) == _Tok("#", "#"):
                st.consume(j)
                j = st.next_live(j) if j is not None else None
            found = _unit_value(st, j)
            if found is None:
                if tok.kind == "#":
                    st.consume(i)
                continue
            value, used = found
            if word == "NO" and not st.units and not value[:1].isdigit():
                continue
            st.units.append(value)
            st.consume(i, *used)
        elif tok.kind == "w" and word in _FLOOR_WORDS and word != "F":
            j = st.next_live(i)
            nxt = st.at(j)
            if nxt is not None and nxt.kind == "n" and nxt.text.isdigit():
                st.floor = _strip_zeros(nxt.text)
                st.consume(i, j)
                continue
            p = st.prev_live(i)
            prev = st.at(p)
            ordinal = _ORDINAL.fullmatch(prev.text) if prev is not None else None
            if prev is not None and (ordinal or prev.text.isdigit()):
                st.floor = _strip_zeros(ordinal.group(1) if ordinal else prev.text)
                st.consume(p, i)
        elif tok.kind == "w" and word in _BUILDING_WORDS and not st.korean:
            found = _unit_value(st, st.next_live(i))
            if found is not None:
                st.building_label = found[0]
                st.consume(i, *found[1])


def _road(st: _State) -> tuple[str, str, list[int]] | None:
    """Korean road address: (road key, building number, indices). `TEHERAN RO 12 GIL 34`, `47 DOSAN DAERO`,
    `도산대로 47`, `충대로72번길 63`."""
    live = st.live()
    for i in live:
        if not st.is_word(i, _ROAD_WORDS):
            continue
        p = st.prev_live(i)
        stem = st.at(p)
        tok = st.at(i)
        if stem is None or p is None or tok is None or stem.kind != "w" or stem.text in _KR_STRUCTURE:
            continue
        # Name and road word coded together: 충대로 is split 충 + 대로 from Hangul but written Chungdae-ro.
        key = phonetic_code(stem.text + tok.text)
        used = [p, i]
        j = st.next_live(i)
        while j is not None:
            num, k = st.at(j), st.next_live(j)
            if num is not None and num.kind == "n" and num.text.isdigit() and st.is_word(k, _GIL_WORDS):
                gil = st.at(k)
                key += _strip_zeros(num.text) + (gil.text if gil is not None else "")
                used.extend([j, k] if k is not None else [j])
                j = st.next_live(k) if k is not None else None
            else:
                break
        # Korean order puts the building number after the road (도산대로 47), Western order before it
        # (47 Dosan-daero); the other side may hold a unit (`47 Dosan-daero 102-1203`).
        before_index = st.prev_live(p)
        sides = [j, before_index] if tok.kind == "s" else [before_index, j]
        for side in sides:
            number = st.at(side)
            if number is not None and side is not None and number.kind == "n":
                return key, _strip_zeros(number.text), [*used, side]
        return key, "", used
    return None


def _split_glued_roads(st: _State) -> None:
    """`TEHERANRO 123` (road word glued to its name) in a Korean address."""
    for i in st.live():
        tok = st.at(i)
        if tok is None or tok.kind != "w" or tok.text in _KR_STRUCTURE:
            continue
        m = _LATIN_ROAD_GLUED.fullmatch(tok.text)
        if m is None or m.group(1) in _KR_STRUCTURE:
            continue
        nxt, prev = st.at(st.next_live(i)), st.at(st.prev_live(i))
        if (nxt is not None and nxt.kind == "n") or (prev is not None and prev.kind == "n"):
            st.toks[i : i + 1] = [_Tok("w", m.group(1)), _Tok("s", m.group(2))]
            return


def _lot(st: _State) -> tuple[str, str, list[int]] | None:
    """Korean lot (jibun) address: `JUKJEON DONG 1651-64`, `죽전동 1651-64`, `YONGDAM RI 123`, `123-4 YEOKSAM
    DONG`."""
    for i in st.live():
        if not st.is_word(i, _NEIGHBOURHOOD_WORDS):
            continue
        p, j = st.prev_live(i), st.next_live(i)
        stem, tok = st.at(p), st.at(i)
        num = st.at(j) or _Tok("", "")
        if stem is None or tok is None or p is None:
            continue
        if stem.kind != "w" or stem.text in _KR_STRUCTURE:
            continue
        key = phonetic_code(stem.text + tok.text)
        if num.kind == "n" and j is not None:
            return key, _strip_zeros(num.text), [p, i, j]
        q = st.prev_live(p)  # Western order: 123-4 Yeoksam-dong
        before = st.at(q)
        if before is not None and q is not None and before.kind == "n":
            return key, _strip_zeros(before.text), [q, p, i]
    return None


def _us_street(st: _State) -> tuple[str, str, list[int]] | None:
    """US street address: house number, optional directional, name, street type (`123 N MAIN ST`)."""
    live = st.live()
    toks = [(i, st.toks[i]) for i in live]
    for pos, (_i, tok) in enumerate(toks):
        if tok is None or tok.kind != "w" or tok.text not in _STREET_TYPES or pos < 2:
            continue
        words: list[str] = []
        k = pos - 1
        while k >= 0 and len(words) < 4:
            cand = toks[k][1]
            if cand is None:
                break
            is_word = cand.kind == "w" and cand.text not in _UNIT_DESIGNATORS
            if not (is_word or (cand.kind == "a" and _ORDINAL.fullmatch(cand.text))):
                break
            words.insert(0, cand.text)
            k -= 1
        house = toks[k][1] if k >= 0 else None
        if not words or house is None or not _HOUSE_NUMBER.fullmatch(house.text):
            continue
        return _street_key(words), _strip_zeros(house.text), [toks[k][0], *(toks[m][0] for m in range(k + 1, pos + 1))]
    for pos, (i, tok) in enumerate(toks[:-1]):
        nxt = toks[pos + 1][1]
        if tok is not None and _HOUSE_NUMBER.fullmatch(tok.text) and nxt is not None and nxt.kind == "w":
            words = [nxt.text]
            if nxt.text in _DIRECTIONALS and pos + 2 < len(toks):
                after = toks[pos + 2][1]
                if after is not None and after.kind == "w":
                    words.append(after.text)
            return _street_key(words), _strip_zeros(tok.text), [i, toks[pos + 1][0]]
        if pos >= 1:
            break
    return None


def _street_key(words: Sequence[str]) -> str:
    core = [w for w in words if w not in _DIRECTIONALS] or list(words)
    parts: list[str] = []
    for w in core:
        ordinal = _ORDINAL.fullmatch(w)
        parts.append(ordinal.group(1) if ordinal else _NAME_ABBREVIATIONS.get(w, w))
    return phonetic_code("".join(parts))


def _complex(st: _State) -> str | None:
    """The name of a Korean complex or building: words before a marker (`JUGONG COMPLEX 5`, `주공5단지아파트`,
    `WOOSUNG APT`, `DONGWON BUILDING`) or before a `101동` block number."""
    live = st.live()
    for i in live:
        tok = st.at(i)
        if tok is None or tok.text not in _KR_COMPLEX_MARKERS or tok.kind not in ("s", "w"):
            continue
        number = ""
        j = st.next_live(i)
        after = st.at(j)
        if tok.text == "COMPLEX" and after is not None and after.kind == "n" and after.text.isdigit():
            number = after.text  # Jugong Complex 5
        name = _words_before(st, i)
        if not name:
            continue
        if not number and name[-1].isdigit():
            return phonetic_code("".join(name))
        return phonetic_code("".join(name)) + number
    if st.dong_index is not None:
        name = _words_before(st, st.dong_index)
        if name:
            return phonetic_code("".join(name))
    return None


def _words_before(st: _State, index: int) -> list[str]:
    """Up to three name words (and a number glued to the last: `JUGONG 5`) right before `index`."""
    words: list[str] = []
    k = st.prev_live(index)
    tok = st.at(k)
    while tok is not None and tok.kind in ("s", "w") and tok.text in _KR_COMPLEX_MARKERS and k is not None:
        k = st.prev_live(k)  # 주공 5 단지 아파트: skip stacked markers
        tok = st.at(k)
    number = ""
    if tok is not None and tok.kind == "n" and tok.text.isdigit() and k is not None:
        number = tok.text
        k = st.prev_live(k)
        tok = st.at(k)
    while tok is not None and tok.kind == "w" and k is not None and len(words) < 3:
        if tok.text in _KR_STRUCTURE or tok.text in _UNIT_DESIGNATORS or tok.text in _STREET_TYPES:
            break
        words.insert(0, tok.text)
        k = st.prev_live(k)
        tok = st.at(k)
    if words and number:
        words.append(number)
    return words


def _district(st: _State) -> str | None:
    """Korean district for the locality when there is no postcode: the gu, else the gun, else the si."""
    for wanted in ("GU", "GUN", "SI"):
        for i in st.live():
            if st.is_word(i, frozenset({wanted})):
                stem = st.at(st.prev_live(i))
                if stem is not None and stem.kind == "w" and stem.text not in _KR_STRUCTURE:
                    return phonetic_code(stem.text + wanted)
    return None


def _leftover_korean_unit(st: _State, after_index: int | None) -> int | None:
    """A bare `102-1301` (or `1203`) left after the building number is the unit; a leading one too.
    Returns the index of the token taken."""
    for i in st.live():
        tok = st.at(i)
        if tok is None or tok.kind != "n":
            continue
        if "-" in tok.text and len(tok.text.split("-")) == 2:
            st.dong, st.ho = (_strip_zeros(p) for p in tok.text.split("-"))
            st.consume(i)
            return i
        if after_index is not None and i > after_index and tok.text.isdigit() and 3 <= len(tok.text) <= 4:
            st.ho = _strip_zeros(tok.text)
            st.consume(i)
            return i
    return None


def _canonical_unit(st: _State) -> str | None:
    if st.po_box is not None:
        return st.po_box
    parts: list[str] = []
    if st.ho is not None:
        parts.append(f"{st.dong}-{st.ho}" if st.dong is not None else st.ho)
    parts.extend(st.units)
    if not parts and st.floor is not None:
        parts.append(st.floor if st.floor.startswith("B") else f"FL{st.floor}")
    if not parts:
        return None
    unit = "-".join(parts)
    return f"{st.building_label}-{unit}" if st.building_label else unit


def _suite_digits(unit: str | None) -> str | None:
    if unit is None:
        return None
    runs = _DIGIT_RUN.findall(unit)
    longest = max(runs, key=len, default="")
    return longest if len(longest) >= _FORWARDER_DIGITS else None


def _prepare(text: str) -> list[str]:
    text = _NON_ADDRESS.sub(" ", text.upper())
    text = _LONE_DASH.sub(" ", text)
    return text.split()


@functools.lru_cache(maxsize=1 << 17)
def _parse_cached(address: str | None, postcode: str | None) -> ParsedAddress:
    words = _prepare(address) if address else []
    postcode = "".join(ch for ch in postcode.upper() if ch.isalnum()) or None if postcode else None
    if not words:
        if postcode is None:
            return _EMPTY
        return ParsedAddress(None, None, None, None, None, None, False, postcode, f"P:{postcode}", None)
    korean = _looks_korean(words)
    words = _drop_phrases(words, _COUNTRY_PHRASES)
    if words and words[-1] in _COUNTRY_AT_END:
        words = words[:-1]
    words, text_postcode, state = _take_postcode(words, korean=korean)
    postcode = postcode or text_postcode
    st = _State(_tokenise(words, korean=korean), korean=korean)

    _parse_po_box(st)
    complex_name: str | None = None
    if korean:
        _parse_korean_units(st)
        complex_name = _complex(st)  # before designators consume `APT` in `Woosung Apt 103-501`
    _parse_designators(st)

    street: tuple[str, str, list[int]] | None = None
    country: str | None = "KR" if korean else "US" if state is not None else None
    if st.is_po_box:
        street = ("POBOX", "", [])
    elif korean:
        street = _road(st)
        if street is None:
            _split_glued_roads(st)
            street = _road(st) or _lot(st)
        if street is not None:
            st.consume(*street[2])
            if st.ho is None and not st.units:
                unit_index = _leftover_korean_unit(st, max(street[2]) if street[2] else None)
                if complex_name is None and unit_index is not None:  # 한신 108-704: the name before the unit
                    words = _words_before(st, unit_index)
                    complex_name = phonetic_code("".join(words)) if words else None
    else:
        street = _us_street(st)
        country = "US" if state is not None else None

    if postcode:
        locality: str | None = f"P:{postcode}"
    elif korean:
        district = _district(st)
        locality = f"D:{district}" if district else None
    else:
        locality = f"S:{state}" if state else None

    street_key = None
    if street is not None:
        street_key = f"{street[0]}|{street[1]}" if street[1] else street[0]
    complex_key = f"{locality}|C|{complex_name}" if locality and complex_name else None
    building_key = f"{locality}|{street_key}" if locality and street_key else complex_key
    unit = _canonical_unit(st)
    return ParsedAddress(
        building_key=building_key,
        complex_key=complex_key,
        street_key=street_key,
        unit=unit,
        unit_key=f"{building_key}|{unit}" if building_key and unit else None,
        suite_digits=_suite_digits(unit),
        is_po_box=st.is_po_box,
        postcode=postcode,
        locality=locality,
        country=country,
    )


def parse_address(address_std: str | None, postcode_std: str | None = None) -> ParsedAddress:
    """Parse a standardised address into building, complex and unit keys.

    Rules:
      * Locality: the postcode (`postcode_std`, else one written in the text: a ZIP after a US state, a
        Korean 5-digit (or old 3-3) postcode at the start or end, a UK or Canadian postcode at the end, a
        Japanese 3-4 postcode); without one, the Korean district (gu, else gun, else si) or the US
        state. Keys built on different kinds of locality do not meet (see `unit_relation`).
      * Korean or not: Hangul, a Korean address word (RO, DAERO, GIL, GU, DONG, HO, DANJI ...) or a Korean
        city name makes the address Korean. Hangul words are split into name and structure words (`강남구` ->
        GANGNAM + GU, `충대로72번길` -> CHUNGDAE + RO + 72 + BEONGIL, `역삼1동` -> YEOKSAM1 + DONG) and romanised
        with the place-name sound changes (`신림` -> SILLIM); every name part is compared through
        `phonetic_code`, so romanisation variants and the two scripts meet.
      * Korean units: `<n> DONG <m> HO` / `<n>동 <m>호` / `<n>DONG <m>HO` -> `n-m`; `#n-m`, `APT n-m` and a bare
        `n-m` that is not the building or lot number -> `n-m`; `<m> HO` -> `m`; `가동 101호` -> `GA-101`;
        `5층 501호` and `5F 501` -> `501`; a floor alone -> `FL5`, a basement floor (`지하1층`) -> `B1`.
      * DONG: a number before DONG is an apartment block (`101-dong`), unless the number is below 100, follows
        a name word and no ho follows (`Yeoksam 1-dong`, a numbered neighbourhood); a word before DONG is a
        neighbourhood (`Yeoksam-dong`, `역삼동`) and is never a unit. Neighbourhoods only key lot addresses.
      * Korean building: road name + road word (RO/DAERO/GIL, with `12 GIL` / `72 BEONGIL` branches) and the
        building number before or after it; failing that, the lot address: neighbourhood + DONG/RI/GA + lot
        number. The complex name (`주공5단지`, `Jugong Complex 5`, `Woosung Apt`, the word before `101동`)
        gives `complex_key`.
      * US: house number, then up to four name words (directionals dropped, ordinals `30TH` and `FIFTH` -> 30
        and 5, SAINT -> ST), then a street type (STREET/ST, AVENUE/AVE ...; the type itself is not in the key,
        so `123 Main St` = `123 MAIN STREET`); without a type, the first word after a leading house number. Units from
        `APT`, `UNIT`, `STE`, `SUITE`, `RM`, `PMB`, `#` (`4B`, `4 B` -> `4B`), floors from `FL 3`, `3RD FLOOR`,
        `BLDG 5 APT 2` -> `5-2`.
      * PO boxes: `PO BOX 123`, `P O BOX`, `POST OFFICE BOX`, `POB`, `사서함` -> `is_po_box`, building
        `locality|POBOX`, unit = box number.
      * `suite_digits`: a unit digit run of five or more digits (parcel forwarders give each customer such a
        number; Korean ho numbers have at most four digits).

    Args:
        address_std: `address_std` from `standardise_address` (raw text is tolerated).
        postcode_std: `postcode_std` from `standardise_postcode`, or None.

    Returns:
        The parsed address (all-None fields when nothing usable is given).
    """
    return _parse_cached(address_std, postcode_std)


# --------------------------------------------------------------------------------------------- relation


def _ho(unit: str) -> str:
    return unit.rsplit("-", 1)[-1]


def unit_relation(a: ParsedAddress, b: ParsedAddress) -> str:
    """How two addresses relate at building and unit level (one of `UNIT_RELATIONS`).

    Rules:
      * Same building: equal `building_key`, or equal `complex_key` (a road-address and a lot-address writing
        of one complex), or, when the two localities cannot be compared (postcode on one side, district on
        the other, or none), equal `street_key`.
      * In the same building: equal units -> `same_unit`; both units written and different ->
        `same_building_other_unit` (evidence AGAINST one person: apartment complexes share street address
        and postcode, domain.md §4); a unit missing on either side, or a Korean unit written with its block on
        one side only (`101-1203` vs `1203`) -> `same_building_unit_missing`.
      * Otherwise: equal postcodes -> `same_postcode`; both sides with a building or postcode and localities
        of one kind -> `different`; else `unknown`.

    Args:
        a: one parsed address.
        b: the other.

    Returns:
        The relation.
    """
    comparable_localities = bool(a.locality and b.locality and a.locality[:1] == b.locality[:1])
    same_building = bool(
        (a.building_key and a.building_key == b.building_key)
        or (a.complex_key and a.complex_key == b.complex_key)
        or (a.street_key and a.street_key == b.street_key and not comparable_localities)
    )
    if same_building:
        if not a.unit or not b.unit:
            return "same_building_unit_missing"
        if a.unit == b.unit:
            return "same_unit"
        if ("-" in a.unit) != ("-" in b.unit) and _ho(a.unit) == _ho(b.unit):
            return "same_building_unit_missing"
        return "same_building_other_unit"
    if a.postcode and a.postcode == b.postcode:
        return "same_postcode"
    if comparable_localities and (a.building_key or a.postcode) and (b.building_key or b.postcode):
        return "different"
    return "unknown"


# ------------------------------------------------------------------------------------------- vectorised

ADDRESS_FEATURE_COLUMNS: Final = (
    "building_key",
    "complex_key",
    "unit",
    "unit_key",
    "suite_digits",
    "is_po_box",
)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def address_features(addresses: pd.Series, postcodes: pd.Series) -> pd.DataFrame:
    """Address keys for a batch of `address_std` / `postcode_std` pairs, one column per key.

    Each distinct (address, postcode) pair is parsed once per batch (`pd.factorize` on both columns), and
    `parse_address` keeps an LRU cache across batches. Nulls (None, NaN) are missing values. No Spark import:
    call it inside a `pandas_udf` or `mapInPandas`.

    Args:
        addresses: standardised addresses.
        postcodes: standardised postcodes, aligned with `addresses`.

    Returns:
        A frame with the index of `addresses` and the columns of `ADDRESS_FEATURE_COLUMNS`: `building_key`,
        `complex_key`, `unit`, `unit_key`, `suite_digits` (strings or None) and `is_po_box` (bool).

    Raises:
        ValueError: the two series differ in length.
    """
    if len(addresses) != len(postcodes):
        raise ValueError(f"address_features: {len(addresses)} addresses but {len(postcodes)} postcodes")
    a_codes, a_uniques = pd.factorize(addresses, use_na_sentinel=True)
    p_codes, p_uniques = pd.factorize(postcodes, use_na_sentinel=True)
    pair = (a_codes.astype("int64") + 1) * (len(p_uniques) + 1) + (p_codes.astype("int64") + 1)
    pair_codes, pair_uniques = pd.factorize(pair)
    rows = []
    for code in pair_uniques:
        a_index, p_index = divmod(int(code), len(p_uniques) + 1)
        address = _text(a_uniques[a_index - 1]) if a_index > 0 else None
        postcode = _text(p_uniques[p_index - 1]) if p_index > 0 else None
        parsed = parse_address(address, postcode)
        rows.append(
            (
                parsed.building_key,
                parsed.complex_key,
                parsed.unit,
                parsed.unit_key,
                parsed.suite_digits,
                parsed.is_po_box,
            )
        )
    table = pd.DataFrame(rows, columns=list(ADDRESS_FEATURE_COLUMNS))
    out = table.take(pair_codes)
    out.index = addresses.index
    out["is_po_box"] = out["is_po_box"].astype(bool)
    return out
