"""Standardise consignee fields so that the same person, phone or address is written the same way everywhere.

Each `standardise_*` function is pure (`str | None -> str | None`) and is the single source of its rule: the
Spark transform `with_standardised_columns` calls the very same functions inside one vectorised pandas UDF.
Every function returns None for None, empty or whitespace-only input, and for input that holds nothing usable
(a phone without enough digits, an e-mail without a domain).

The standardisers are faithful, not clever: they fold width, case, punctuation and separators, but they
never romanise Hangul or CJK, parse units (dong/ho) or guess missing parts. That is the resolution stage's
job, and it needs the original tokens intact.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.pandas.functions import pandas_udf
from pyspark.sql.types import StringType, StructField, StructType

from splitscan.reference import load_jurisdictions_pdf

__all__ = [
    "STANDARDISED_COLUMNS",
    "STANDARDISE_INPUT_COLUMNS",
    "standardise_address",
    "standardise_customs_id",
    "standardise_email",
    "standardise_name",
    "standardise_phone",
    "standardise_postcode",
    "with_standardised_columns",
]

logger = logging.getLogger(__name__)

STANDARDISE_INPUT_COLUMNS = (
    "consignee_name",
    "consignee_address",
    "consignee_phone",
    "consignee_id",
    "consignee_email",
    "consignee_postcode",
    "destination_country",
)
STANDARDISED_COLUMNS = (
    "name_std",
    "address_std",
    "phone_std",
    "consignee_id_std",
    "email_std",
    "postcode_std",
)

# Characters that join two numbers in an address ("101-1203"): ASCII and Unicode dashes, the minus sign,
# and the katakana prolonged sound mark that Japanese addresses often use as a dash ("1ー2ー3").
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\u30fc"
_DIGIT_DASH_DIGIT = re.compile(rf"(?<=\d)\s*[{_DASHES}]\s*(?=\d)")
_ID_SEPARATORS = frozenset(f"{_DASHES}./\\")
# Variation selectors (emoji presentation) are combining marks that belong to the emoji, not to a name.
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_PHONE_EXTENSION = re.compile(r"\s*(?:EXTENSION|EXT\.?|X|#|내선)\s*\d{1,6}\s*$", re.IGNORECASE)
# RFC 5322 "specials" that cannot appear unquoted in an address; quoted local parts are not accepted here.
_EMAIL_FORBIDDEN = frozenset('()<>[]:;,\\"')

_MIN_NATIONAL_DIGITS = 7
_MAX_E164_DIGITS = 15
_PLACEHOLDER_TAIL = 7
_NANP_CODE = "1"


def _nfkc(s: str | None) -> str | None:
    """NFKC-normalise and strip; None when nothing is left."""
    if s is None:
        return None
    text = unicodedata.normalize("NFKC", s).strip()
    return text or None


def _is_kept_char(ch: str) -> bool:
    """Letters (any script, Hangul and CJK included) and numbers are content; everything else separates."""
    return unicodedata.category(ch)[0] in "LN"


def _fold_separators(text: str, *, keep: Callable[[str, int], bool]) -> str:
    """Replace every non-content character with a space (unless `keep` says otherwise) and collapse spaces.

    Combining marks stay only when they follow content (an accent on a letter); format characters such as
    zero-width spaces and joiners are removed outright, so they never split a word.
    """
    text = _VARIATION_SELECTORS.sub("", text)
    out: list[str] = []
    for index, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        attached_mark = category[0] == "M" and bool(out) and out[-1] != " "
        if _is_kept_char(ch) or keep(text, index) or attached_mark:
            out.append(ch)
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def standardise_name(s: str | None) -> str | None:
    """Standardise a person's name.

    Rule: Unicode NFKC (full-width Latin and digits become ASCII), upper case, then every character that is
    not a letter or a number (punctuation, hyphens, dots, symbols, emoji) becomes a space and runs of
    whitespace collapse to one space. Hangul, CJK and other scripts are kept as written; romanisation is a
    later stage.

    Examples: `"  kim   min-jun "` -> `"KIM MIN JUN"`, `"ＫＩＭ　ＭＩＮＪＵＮ"` -> `"KIM MINJUN"`,
    `"김민준"` -> `"김민준"`, `"O'Brien"` -> `"O BRIEN"`.

    Args:
        s: the name as received.

    Returns:
        The standardised name, or None if nothing but separators was given.
    """
    text = _nfkc(s)
    if text is None:
        return None
    return _fold_separators(text.upper(), keep=lambda _text, _index: False) or None


def _keep_address_char(text: str, index: int) -> bool:
    ch = text[index]
    if ch == "#":
        return True
    return ch == "-" and 0 < index < len(text) - 1 and text[index - 1].isdecimal() and text[index + 1].isdecimal()


def standardise_address(s: str | None) -> str | None:
    """Standardise a postal address without interpreting it.

    Rule: NFKC, upper case; a dash between two numbers (any Unicode dash, spaces around it allowed) becomes
    `-` and is kept (`101-1203`, `101 – 1203`); `#` is kept (unit numbers); every other non-letter,
    non-number character becomes a space; whitespace collapses. Unit parsing (dong/ho) is left to the
    resolution stage.

    Example: `"서울시 강남구 테헤란로 123, 101동-1203호"` -> `"서울시 강남구 테헤란로 123 101동 1203호"`,
    `"Apt. #5, 101–1203"` -> `"APT #5 101-1203"`.

    Args:
        s: the address as received (one line; line breaks count as whitespace).

    Returns:
        The standardised address, or None if nothing but separators was given.
    """
    text = _nfkc(s)
    if text is None:
        return None
    text = _DIGIT_DASH_DIGIT.sub("-", text.upper())
    return _fold_separators(text, keep=_keep_address_char) or None


def _decimal_digits(text: str) -> str:
    """The decimal digits of `text` as ASCII, from any script (NFKC already folded full-width digits)."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


@functools.cache
def _trunk_prefixes_by_calling_code() -> Mapping[str, tuple[str, ...]]:
    prefixes: dict[str, set[str]] = {}
    jurisdictions = load_jurisdictions_pdf()
    for code, trunk in zip(jurisdictions["calling_code"], jurisdictions["trunk_prefix"], strict=True):
        prefixes.setdefault(code, set()).update(p for p in trunk.split("|") if p)
    return {code: _longest_first(values) for code, values in prefixes.items()}


def _longest_first(prefixes: set[str] | list[str]) -> tuple[str, ...]:
    return tuple(sorted(prefixes, key=lambda p: (-len(p), p)))


def _strip_trunk(digits: str, trunks: tuple[str, ...]) -> str:
    for trunk in trunks:
        if digits.startswith(trunk):
            return digits[len(trunk) :]
    return digits


def _is_placeholder(digits: str) -> bool:
    """`0000000`, `010-0000-0000`, `1111111111`: the subscriber part is one digit repeated."""
    return len(set(digits[-_PLACEHOLDER_TAIL:])) == 1


def standardise_phone(s: str | None, *, calling_code: str | None, trunk_prefix: str | None = None) -> str | None:
    """Standardise a phone number to its international digits, without `+`.

    Rule:
      1. NFKC (full-width digits and `＋` become ASCII); an extension suffix (`ext 12`, `x12`, `#12`,
         `내선 12`) is dropped; then only the digits are kept.
      2. International form: a leading `+`, or the `00` international prefix, or `011` when the calling code
         is `1` (NANP; `011` elsewhere may be an area code, e.g. Sapporo). If the number starts with
         `calling_code`, a trunk prefix written after it (`+44 (0)20 ...`) is dropped; a number of another
         country is kept with its own code.
      3. National form: a leading trunk prefix (`0` in KR, JP, CN, GB, AU and most EU countries) is dropped
         and `calling_code` is prepended. A number that already starts with `calling_code` (`82-10-...`) is
         taken as written with its code if the country has a trunk prefix (so no national number can start
         that way) or the code is `1` (NANP area codes never start with 1); in trunk-less countries such as
         Italy it is taken as national, since the code digits can start a national number there.
      4. Unknown country (`calling_code` None): digits only, no code added; a leading `+` or `00` is dropped.
      5. Not a phone, so None: fewer than 7 digits after the calling code, more than 15 digits in all (the
         E.164 maximum; usually two numbers in one field), or a placeholder whose last 7 digits are one digit
         repeated (`0000000`, `010-0000-0000`).

    Examples with `calling_code="82"`: `+82 10-1234-5678`, `010.1234.5678`, `(010) 1234 5678`,
    `82-10-1234-5678`, `0082 10 1234 5678` -> `821012345678`; with `"1"`: `(415) 555-0132`, `+1-415-555-0132`
    -> `14155550132`.

    Args:
        s: the phone number as received.
        calling_code: the destination country's calling code (digits, no `+`), or None if unknown.
        trunk_prefix: the national trunk prefix (`""` for none, `|` between alternatives, e.g. `"8|0"`); None
            looks it up by `calling_code` in the jurisdictions reference (no trunk prefix if it is not there).

    Returns:
        The digits with the calling code, or None if the input is not a usable phone number.

    Raises:
        ValueError: `calling_code` is not a string of ASCII digits.
    """
    text = _nfkc(s)
    if text is None:
        return None
    if calling_code is not None and not (calling_code.isascii() and calling_code.isdigit()):
        raise ValueError(f"calling_code must be ASCII digits without '+', got {calling_code!r}")
    text = _PHONE_EXTENSION.sub("", text)
    international = text.startswith("+")
    digits = _decimal_digits(text)
    if not international:
        if digits.startswith("00"):
            digits, international = digits[2:], True
        elif calling_code == _NANP_CODE and digits.startswith("011"):
            digits, international = digits[3:], True

    if calling_code is None:
        national = digits
        result = digits
    else:
        if trunk_prefix is None:
            trunks = _trunk_prefixes_by_calling_code().get(calling_code, ())
        else:
            trunks = _longest_first([p for p in trunk_prefix.split("|") if p])
        if international and not digits.startswith(calling_code):
            # Another country's number: keep its own code; its national part starts after a 1-3 digit code.
            national, result = digits[1:], digits
        elif international:
            national = _strip_trunk(digits[len(calling_code) :], trunks)
            result = calling_code + national
        else:
            national = _strip_trunk(digits, trunks)
            written_with_code = national == digits and (bool(trunks) or calling_code == _NANP_CODE)
            if written_with_code and digits.startswith(calling_code):
                national = _strip_trunk(digits[len(calling_code) :], trunks)
            result = calling_code + national

    if len(national) < _MIN_NATIONAL_DIGITS or len(result) > _MAX_E164_DIGITS or _is_placeholder(national):
        return None
    return result


def standardise_customs_id(s: str | None) -> str | None:
    """Standardise a customs identifier (Korean PCCC, IOR number, EORI, tax ID).

    Rule: NFKC (full-width becomes ASCII), upper case, then spaces, dashes, dots and slashes are dropped:
    `"p-1234 5678 9012"` -> `"P123456789012"`, `"ｐ１２３４５６７８９０１２"` -> `"P123456789012"`.
    An identifier without any digit (`"N/A"`, `"NONE"`) is a placeholder and gives None. The format (a PCCC
    is `P` + 12 digits, domain.md §1.3) is not checked here: the field also carries other identifier types,
    and a malformed PCCC is evidence the quality stage must see rather than a value to drop.

    Args:
        s: the identifier as received.

    Returns:
        The compact identifier, or None.
    """
    text = _nfkc(s)
    if text is None:
        return None
    compact = "".join(
        ch
        for ch in text.upper()
        if not (ch.isspace() or ch in _ID_SEPARATORS or unicodedata.category(ch) in ("Pd", "Cf"))
    )
    if not any(ch.isdecimal() for ch in compact):
        return None
    return compact


def standardise_email(s: str | None) -> str | None:
    """Standardise an e-mail address.

    Rule: NFKC (full-width `＠` becomes `@`), strip, lower case. Valid means exactly one `@`, a non-empty
    local part, a domain of at least two non-empty dot-separated labels, and no whitespace or RFC 5322
    specials (`()<>[]:;,\\"`) anywhere; anything else gives None (so a display name such as
    `Kim <kim@example.com>` is rejected, not guessed at). Lower-casing the local part is a deliberate
    simplification: mailbox names are case-insensitive at every provider that matters here.

    Args:
        s: the address as received.

    Returns:
        The lower-case address, or None if it is not a plausible address.
    """
    text = _nfkc(s)
    if text is None:
        return None
    text = text.lower()
    if text.count("@") != 1 or any(ch.isspace() or ch in _EMAIL_FORBIDDEN for ch in text):
        return None
    local, domain = text.split("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or not all(labels):
        return None
    return text


def standardise_postcode(s: str | None) -> str | None:
    """Standardise a postcode.

    Rule: NFKC, upper case, and only letters and digits are kept (spaces, hyphens, dots and the `〒` mark
    go): `"06 236"` -> `"06236"`, `"100-0001"` -> `"1000001"`, `"sw1a 1aa"` -> `"SW1A1AA"`. A US ZIP+4
    (nine digits, `"94103-1234"`) is cut to its ZIP5 `"94103"`: the +4 add-on names a delivery segment, not
    a different area, and ZIP5 is what the other sources carry. No other jurisdiction in the reference uses
    nine-digit postcodes. A postcode without any digit (`"N/A"`, `"NONE"`) or made only of zeros is a
    placeholder and gives None.

    Args:
        s: the postcode as received.

    Returns:
        The compact postcode, or None.
    """
    text = _nfkc(s)
    if text is None:
        return None
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if not any(ch.isdecimal() for ch in compact) or set(compact) == {"0"}:
        return None
    if len(compact) == 9 and compact.isascii() and compact.isdigit():
        return compact[:5]
    return compact


@functools.cache
def _numbering_by_country() -> Mapping[str, tuple[str, str]]:
    """Country code -> (calling code, trunk prefix) from the jurisdictions reference."""
    jurisdictions = load_jurisdictions_pdf()
    return {
        country: (code, trunk)
        for country, code, trunk in zip(
            jurisdictions["country_code"],
            jurisdictions["calling_code"],
            jurisdictions["trunk_prefix"],
            strict=True,
        )
    }


def _text(value: object) -> str | None:
    """Arrow hands nulls to pandas as None (or NaN in an all-null object column): both mean missing."""
    return value if isinstance(value, str) else None


def _standardise_batch_udf(numbering: Mapping[str, tuple[str, str]]) -> Callable[..., Column]:
    """Build the pandas UDF; `numbering` travels to the executors in its closure (a few dozen entries)."""

    def standardise_batch(
        name: pd.Series,
        address: pd.Series,
        phone: pd.Series,
        customs_id: pd.Series,
        email: pd.Series,
        postcode: pd.Series,
        country: pd.Series,
    ) -> pd.DataFrame:
        phones: list[str | None] = []
        for raw_phone, raw_country in zip(phone, country, strict=True):
            country_code = _text(raw_country)
            plan = numbering.get(country_code.strip().upper()) if country_code else None
            phones.append(
                standardise_phone(
                    _text(raw_phone),
                    calling_code=plan[0] if plan else None,
                    trunk_prefix=plan[1] if plan else None,
                )
            )
        return pd.DataFrame(
            {
                "name_std": [standardise_name(_text(v)) for v in name],
                "address_std": [standardise_address(_text(v)) for v in address],
                "phone_std": phones,
                "consignee_id_std": [standardise_customs_id(_text(v)) for v in customs_id],
                "email_std": [standardise_email(_text(v)) for v in email],
                "postcode_std": [standardise_postcode(_text(v)) for v in postcode],
            },
            columns=list(STANDARDISED_COLUMNS),
        )

    schema = StructType([StructField(c, StringType(), nullable=True) for c in STANDARDISED_COLUMNS])
    # Return type inferred from the pd.Series -> pd.DataFrame hints: a scalar pandas UDF returning a struct.
    udf: Callable[..., Column] = pandas_udf(standardise_batch, schema)  # type: ignore[call-overload]
    return udf


def with_standardised_columns(df: DataFrame) -> DataFrame:
    """Add the standardised consignee fields used for entity resolution.

    Adds `name_std`, `address_std`, `phone_std`, `consignee_id_std`, `email_std` and `postcode_std` (strings,
    null when the input is missing or unusable), computed from `consignee_name`, `consignee_address`,
    `consignee_phone`, `consignee_id`, `consignee_email` and `consignee_postcode` by the `standardise_*`
    functions of this module. The phone's calling code and trunk prefix come from `destination_country` via
    the jurisdictions reference; for a country not in the reference the phone is kept as digits only.

    All six fields come from one pandas UDF returning a struct, so each Arrow batch makes one Python round
    trip. Columns that are entirely null (or typed NULL by a reader that had no such field) are fine.
    Existing `*_std` columns are replaced; every other column and the row count are unchanged.

    Args:
        df: canonical import records with the seven input columns above.

    Returns:
        `df` with the six standardised columns appended.

    Raises:
        ValueError: an input column is missing.
    """
    missing = [c for c in STANDARDISE_INPUT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"with_standardised_columns: missing input column(s) {missing}")
    standardise = _standardise_batch_udf(_numbering_by_country())
    struct_col = "_standardised"
    inputs = [sf.col(c).cast("string") for c in STANDARDISE_INPUT_COLUMNS]
    kept = [sf.col(f"`{c}`") for c in df.columns if c not in STANDARDISED_COLUMNS]
    return df.withColumn(struct_col, standardise(*inputs)).select(
        *kept, *[sf.col(struct_col).getField(c).alias(c) for c in STANDARDISED_COLUMNS]
    )
