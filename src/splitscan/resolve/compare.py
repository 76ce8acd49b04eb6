"""Comparison levels for candidate record pairs: the gamma vector that Fellegi-Sunter scoring weighs.

Every field of a pair is reduced to one small integer, its *comparison level*. Levels are categories checked
in precedence order from the highest number down; the first rule that holds wins. Level `-1` means "not
comparable" (a value is missing on at least one side) and carries no evidence either way; level `0` is
"none of the above" (the values disagree). A higher level is not always stronger evidence *for* a match:
`AddressLevel.BUILDING_OTHER_UNIT` and `CustomsIdLevel.DIFFERENT` are evidence *against* (domain.md §4:
neighbours in one apartment complex, households and forwarder suites share a building; a PCCC belongs to one
person), and the scoring stage keeps their weights at or below zero.

How it runs: null-safe equalities (and substrings, the PCCC pattern, mailbox names) are Spark expressions,
packed into one integer of flags; only the strings whose similarity can still decide a level cross to Python.
One vectorised pandas UDF then computes the similarities and picks all five levels, returning a struct, so
each Arrow batch makes one Python round trip. String similarity is Jaro-Winkler and optimal string alignment
(Damerau-Levenshtein without repeated edits of a substring) from `rapidfuzz.process.cpdist`, the fastest
similarity measured on this stack (machine-notes.md); given names that Jaro-Winkler leaves below 0.92 get
the romanisation-aware `names.given_name_similarities`.

Empty strings count as missing, like None.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as sf
from pyspark.sql.pandas.functions import pandas_udf
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType
from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler

from splitscan.resolve.names import given_name_similarities

__all__ = [
    "ADDRESS_JW_MIN",
    "COMPARE_INPUT_COLUMNS",
    "COMPARE_OPTIONAL_COLUMNS",
    "COMPARISONS",
    "COMPARISON_OUTPUT_COLUMNS",
    "GAMMA_COLUMNS",
    "GIVEN_CLOSE",
    "GIVEN_SIMILAR",
    "NAME_TOKENS_JW_MIN",
    "NOT_COMPARABLE",
    "PHONE_TAIL_DIGITS",
    "SIMILARITY_COLUMNS",
    "AddressLevel",
    "Comparison",
    "CustomsIdLevel",
    "EmailLevel",
    "NameLevel",
    "PhoneLevel",
    "compare_pairs",
]

logger = logging.getLogger(__name__)

NOT_COMPARABLE = -1
"""The level of a field whose value is missing on at least one side of the pair."""

GIVEN_CLOSE = 0.92
"""Given-name similarity at or above which two spellings are taken as one name (romanisation, typo)."""
GIVEN_SIMILAR = 0.80
"""Given-name similarity at or above which two given names are similar but not clearly one name."""
NAME_TOKENS_JW_MIN = 0.92
"""Jaro-Winkler of the sorted name tokens at or above which a name matches regardless of token order."""
ADDRESS_JW_MIN = 0.90
"""Jaro-Winkler of the whole address strings at or above which two addresses are near-identical."""
PHONE_TAIL_DIGITS = 8
"""Trailing digits compared when the full numbers differ (Korean mobile subscriber part, format leftovers)."""

COMPARE_INPUT_COLUMNS: tuple[str, ...] = (
    "name_std",
    "surname",
    "given",
    "name_tokens",
    "building_key",
    "unit",
    "unit_key",
    "postcode_std",
    "phone_std",
    "consignee_id_std",
    "email_std",
)
"""Per-record columns a pair must carry on each side, with suffix `_l` and `_r`."""
COMPARE_OPTIONAL_COLUMNS: tuple[str, ...] = ("address_std",)
"""Per-record columns used when present on both sides (else a fallback is built, see `compare_pairs`)."""


class NameLevel(IntEnum):
    """Name comparison levels, checked from EXACT down."""

    NOT_COMPARABLE = -1
    OTHER = 0
    GIVEN_ONLY = 1
    """Surnames differ, given names similarity >= 0.92 (a surname romanisation the canonical table lacks)."""
    SURNAME_ONLY = 2
    """Same canonical surname; given names differ (< 0.80) or are missing on a side."""
    TOKENS = 3
    """Sorted canonical tokens equal or Jaro-Winkler >= 0.92: the same words in another order or split."""
    SURNAME_GIVEN_SIMILAR = 4
    """Same canonical surname and given-name similarity >= 0.80."""
    SURNAME_GIVEN_CLOSE = 5
    """Same canonical surname and given-name similarity >= 0.92."""
    EXACT = 6
    """Same standardised full name, or same surname and same given name."""


class AddressLevel(IntEnum):
    """Address comparison levels, checked from SAME_UNIT down."""

    NOT_COMPARABLE = -1
    OTHER = 0
    SIMILAR_TEXT = 1
    """Different or unknown buildings and postcodes, but the address strings are Jaro-Winkler >= 0.90."""
    SAME_POSTCODE = 2
    """Same postcode, buildings differ or are unknown (a postcode covers whole apartment complexes)."""
    BUILDING_OTHER_UNIT = 3
    """Same building, both units known and different: a neighbour, evidence against."""
    BUILDING_UNIT_MISSING = 4
    """Same building, the unit is missing on at least one side."""
    SAME_UNIT = 5
    """Same unit (`unit_key`, or the same building and canonical `unit`)."""


class PhoneLevel(IntEnum):
    """Phone comparison levels, checked from EXACT down."""

    NOT_COMPARABLE = -1
    OTHER = 0
    ONE_EDIT = 1
    """One substitution, insertion, deletion or adjacent transposition: a typo."""
    SAME_TAIL = 2
    """The last 8 digits agree: the same number written with a different prefix."""
    EXACT = 3


class CustomsIdLevel(IntEnum):
    """Customs identifier comparison levels, checked from EXACT down."""

    NOT_COMPARABLE = -1
    """Missing on a side, or identifiers of different kinds (a PCCC against another kind of code)."""
    DIFFERENT = 0
    """Two identifiers of one kind that differ by more than a typo: evidence against (a PCCC is personal)."""
    ONE_TYPO = 1
    """Same length, one substitution or one adjacent transposition."""
    EXACT = 2


class EmailLevel(IntEnum):
    """E-mail comparison levels, checked from EXACT down."""

    NOT_COMPARABLE = -1
    OTHER = 0
    SAME_LOCAL_PART = 1
    """Same mailbox name (before `@`, ignoring a `+tag`) at different domains."""
    EXACT = 2


@dataclass(frozen=True)
class Comparison:
    """One compared field: its gamma column, its levels and their labels.

    Attributes:
        field: short field name used in weights and evidence (`name`, `address`, ...).
        gamma_column: the output column holding the level.
        levels: the comparable levels (without -1), highest precedence first.
        labels: a short human-readable label per level, -1 included.
        against: levels that are evidence against a match whatever their estimated m/u.
    """

    field: str
    gamma_column: str
    levels: tuple[int, ...]
    labels: Mapping[int, str]
    against: frozenset[int] = frozenset()


def _comparison(field: str, enum: type[IntEnum], labels: Mapping[IntEnum, str], against: frozenset[int]) -> Comparison:
    levels = tuple(sorted((int(v) for v in enum if v != NOT_COMPARABLE), reverse=True))
    return Comparison(field, f"gamma_{field}", levels, {int(k): v for k, v in labels.items()}, against)


COMPARISONS: Mapping[str, Comparison] = {
    c.field: c
    for c in (
        _comparison(
            "name",
            NameLevel,
            {
                NameLevel.EXACT: "same full name",
                NameLevel.SURNAME_GIVEN_CLOSE: "same surname, given name nearly identical",
                NameLevel.SURNAME_GIVEN_SIMILAR: "same surname, given name similar",
                NameLevel.TOKENS: "same name words, other order",
                NameLevel.SURNAME_ONLY: "same surname only",
                NameLevel.GIVEN_ONLY: "other surname, given name nearly identical",
                NameLevel.OTHER: "different names",
                NameLevel.NOT_COMPARABLE: "name missing",
            },
            frozenset(),
        ),
        _comparison(
            "address",
            AddressLevel,
            {
                AddressLevel.SAME_UNIT: "same unit",
                AddressLevel.BUILDING_UNIT_MISSING: "same building, unit missing",
                AddressLevel.BUILDING_OTHER_UNIT: "same building, different unit",
                AddressLevel.SAME_POSTCODE: "same postcode",
                AddressLevel.SIMILAR_TEXT: "similar address text",
                AddressLevel.OTHER: "different addresses",
                AddressLevel.NOT_COMPARABLE: "address missing",
            },
            frozenset({int(AddressLevel.BUILDING_OTHER_UNIT)}),
        ),
        _comparison(
            "phone",
            PhoneLevel,
            {
                PhoneLevel.EXACT: "same phone",
                PhoneLevel.SAME_TAIL: "same last 8 digits",
                PhoneLevel.ONE_EDIT: "phone one digit off",
                PhoneLevel.OTHER: "different phones",
                PhoneLevel.NOT_COMPARABLE: "phone missing",
            },
            frozenset(),
        ),
        _comparison(
            "customs_id",
            CustomsIdLevel,
            {
                CustomsIdLevel.EXACT: "same customs id",
                CustomsIdLevel.ONE_TYPO: "customs id one typo off",
                CustomsIdLevel.DIFFERENT: "different customs ids",
                CustomsIdLevel.NOT_COMPARABLE: "customs id missing or of another kind",
            },
            frozenset({int(CustomsIdLevel.DIFFERENT)}),
        ),
        _comparison(
            "email",
            EmailLevel,
            {
                EmailLevel.EXACT: "same e-mail",
                EmailLevel.SAME_LOCAL_PART: "same mailbox name, other domain",
                EmailLevel.OTHER: "different e-mails",
                EmailLevel.NOT_COMPARABLE: "e-mail missing",
            },
            frozenset(),
        ),
    )
}
"""The five compared fields, in output order."""

GAMMA_COLUMNS: tuple[str, ...] = tuple(c.gamma_column for c in COMPARISONS.values())
SIMILARITY_COLUMNS: tuple[str, ...] = (
    "sim_given",
    "sim_name_tokens_jw",
    "sim_address_jw",
    "dist_phone",
    "dist_customs_id",
)
"""Figures behind the levels: Jaro-Winkler similarities (null when a side is missing) and OSA edit distances
(capped at 3, null when a side is missing)."""
COMPARISON_OUTPUT_COLUMNS: tuple[str, ...] = GAMMA_COLUMNS + SIMILARITY_COLUMNS

_MAX_EDITS = 3  # distances above 2 are all "far"; the cutoff lets rapidfuzz stop early
_PCCC_PATTERN = r"^P[0-9]{12}$"

_OUTPUT_SCHEMA = StructType(
    [StructField(c, IntegerType(), nullable=True) for c in GAMMA_COLUMNS]
    + [StructField(c, DoubleType(), nullable=True) for c in SIMILARITY_COLUMNS[:3]]
    + [StructField(c, IntegerType(), nullable=True) for c in SIMILARITY_COLUMNS[3:]]
)

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
LevelArray = npt.NDArray[np.int32]

# ---------------------------------------------------------------------------------------------------------------
# Spark side: null-safe equalities and the strings that still need a similarity, as one struct per pair.
# Equality and substring tests run in the JVM; only the strings whose similarity can still decide a level
# cross to Python (an equal or irrelevant pair sends nulls), which keeps the Arrow payload small.
# ---------------------------------------------------------------------------------------------------------------


_TMP = "_cmp_"  # prefix of the intermediate columns, dropped before returning


def _c(name: str) -> Column:
    return sf.col(f"{_TMP}{name}")


def _both(a: str, b: str) -> Column:
    return _c(a).isNotNull() & _c(b).isNotNull()


def _same(a: str, b: str) -> Column:
    return sf.coalesce(_c(a) == _c(b), sf.lit(False))


def _mailbox(email: Column) -> Column:
    return sf.nullif(sf.substring_index(sf.substring_index(email, "@", 1), "+", 1), sf.lit(""))


def _tail(phone: Column) -> Column:
    return sf.when(sf.length(phone) >= PHONE_TAIL_DIGITS, sf.substring(phone, -PHONE_TAIL_DIGITS, PHONE_TAIL_DIGITS))


def _building_and_unit(side: str) -> Column:
    return sf.when(
        _c(f"building_key{side}").isNotNull(), sf.concat_ws(" ", _c(f"building_key{side}"), _c(f"unit{side}"))
    )


_FLAGS: tuple[str, ...] = (
    "name_comparable",
    "name_exact",
    "same_surname",
    "other_surname",
    "given_eq",
    "tokens_eq",
    "address_comparable",
    "same_unit",
    "same_building",
    "both_units",
    "same_postcode",
    "phone_comparable",
    "phone_eq",
    "phone_tail_eq",
    "id_comparable",
    "id_eq",
    "email_comparable",
    "email_eq",
    "mailbox_eq",
)
"""Flags packed into one int, bit i for flag i: one Arrow column instead of 19 booleans (about 2 s of CPU less
per million pairs)."""
_STRINGS: tuple[str, ...] = (
    "given_l",
    "given_r",
    "tokens_l",
    "tokens_r",
    "text_l",
    "text_r",
    "phone_l",
    "phone_r",
    "id_l",
    "id_r",
)
"""Strings whose similarity may still decide a level (null when it cannot)."""


def _with_prepared(pairs: DataFrame) -> tuple[DataFrame, list[Column]]:
    """Add intermediate columns; return them with the UDF arguments: the flag mask, then the `_STRINGS`.

    The work is split over several projections that refer to earlier results by name: written as one nested
    expression, every reuse of a flag copies its whole tree, and the generated code grew too large to compile
    (a 1M-pair run spent 30 s in this step instead of about one).
    """
    values = {
        f"{_TMP}{c}{side}": (
            sf.nullif(sf.col(f"`{c}{side}`").cast("string"), sf.lit(""))
            if f"{c}{side}" in pairs.columns
            else sf.lit(None).cast("string")
        )
        for c in COMPARE_INPUT_COLUMNS + COMPARE_OPTIONAL_COLUMNS
        for side in ("_l", "_r")
    }
    step1 = pairs.withColumns(values)
    use_std = _both("address_std_l", "address_std_r")
    basics = {
        "same_surname": _same("surname_l", "surname_r"),
        "given_eq": _same("given_l", "given_r"),
        "tokens_eq": _same("name_tokens_l", "name_tokens_r"),
        "full_eq": _same("name_std_l", "name_std_r"),
        "same_building": _same("building_key_l", "building_key_r"),
        "other_building": _both("building_key_l", "building_key_r") & ~_same("building_key_l", "building_key_r"),
        "ukey_eq": _same("unit_key_l", "unit_key_r"),
        "unit_eq": _same("unit_l", "unit_r"),
        "same_postcode": _same("postcode_std_l", "postcode_std_r"),
        "text_l": sf.when(use_std, _c("address_std_l")).otherwise(_building_and_unit("_l")),
        "text_r": sf.when(use_std, _c("address_std_r")).otherwise(_building_and_unit("_r")),
        "phone_eq": _same("phone_std_l", "phone_std_r"),
        "tail_eq": sf.coalesce(_tail(_c("phone_std_l")) == _tail(_c("phone_std_r")), sf.lit(False)),
        "id_eq": _same("consignee_id_std_l", "consignee_id_std_r"),
        "id_same_kind": sf.coalesce(
            _c("consignee_id_std_l").rlike(_PCCC_PATTERN) == _c("consignee_id_std_r").rlike(_PCCC_PATTERN),
            sf.lit(False),
        ),
        "email_eq": _same("email_std_l", "email_std_r"),
        "mailbox_eq": sf.coalesce(_mailbox(_c("email_std_l")) == _mailbox(_c("email_std_r")), sf.lit(False)),
    }
    step2 = step1.withColumns({f"{_TMP}{k}": v for k, v in basics.items()})
    derived = {
        "name_exact": _c("full_eq") | (_c("same_surname") & _c("given_eq")),
        "same_unit": (_c("ukey_eq") & ~_c("other_building")) | (_c("same_building") & _c("unit_eq")),
        "id_comparable": _both("consignee_id_std_l", "consignee_id_std_r") & _c("id_same_kind"),
    }
    step3 = step2.withColumns({f"{_TMP}{k}": v for k, v in derived.items()})

    def pending(condition: Column, column: str) -> Column:
        return sf.when(condition, _c(column))

    given_pending = _both("given_l", "given_r") & ~_c("given_eq")
    tokens_pending = _both("name_tokens_l", "name_tokens_r") & ~_c("tokens_eq") & ~_c("name_exact")
    text_pending = _both("text_l", "text_r") & ~_c("same_building") & ~_c("same_unit") & ~_c("same_postcode")
    phone_pending = _both("phone_std_l", "phone_std_r") & ~_c("phone_eq")
    id_pending = (
        _c("id_comparable")
        & ~_c("id_eq")
        & (sf.length(_c("consignee_id_std_l")) == sf.length(_c("consignee_id_std_r")))
    )
    has_unit_l = _c("unit_key_l").isNotNull() | _c("unit_l").isNotNull()
    has_unit_r = _c("unit_key_r").isNotNull() | _c("unit_r").isNotNull()
    fields: dict[str, Column] = {
        "name_comparable": _both("name_std_l", "name_std_r")
        | _both("name_tokens_l", "name_tokens_r")
        | _both("surname_l", "surname_r")
        | _both("given_l", "given_r"),
        "name_exact": _c("name_exact"),
        "same_surname": _c("same_surname"),
        "other_surname": _both("surname_l", "surname_r") & ~_c("same_surname"),
        "given_eq": _c("given_eq"),
        "tokens_eq": _c("tokens_eq"),
        "given_l": pending(given_pending, "given_l"),
        "given_r": pending(given_pending, "given_r"),
        "tokens_l": pending(tokens_pending, "name_tokens_l"),
        "tokens_r": pending(tokens_pending, "name_tokens_r"),
        "address_comparable": _both("building_key_l", "building_key_r")
        | _both("unit_key_l", "unit_key_r")
        | _both("postcode_std_l", "postcode_std_r")
        | _both("text_l", "text_r"),
        "same_unit": _c("same_unit"),
        "same_building": _c("same_building"),
        "both_units": has_unit_l & has_unit_r,
        "same_postcode": _c("same_postcode"),
        "text_l": pending(text_pending, "text_l"),
        "text_r": pending(text_pending, "text_r"),
        "phone_comparable": _both("phone_std_l", "phone_std_r"),
        "phone_eq": _c("phone_eq"),
        "phone_tail_eq": _c("tail_eq"),
        "phone_l": pending(phone_pending, "phone_std_l"),
        "phone_r": pending(phone_pending, "phone_std_r"),
        "id_comparable": _c("id_comparable"),
        "id_eq": _c("id_eq"),
        "id_l": pending(id_pending, "consignee_id_std_l"),
        "id_r": pending(id_pending, "consignee_id_std_r"),
        "email_comparable": _both("email_std_l", "email_std_r"),
        "email_eq": _c("email_eq"),
        "mailbox_eq": _c("mailbox_eq"),
    }
    mask = sf.lit(0)
    for bit, name in enumerate(_FLAGS):
        mask = mask.bitwiseOR(sf.shiftleft(fields[name].cast("int"), bit))
    return step3, [mask, *[fields[name] for name in _STRINGS]]


# ---------------------------------------------------------------------------------------------------------------
# Python side: similarities for the pending strings, then the first level that holds.
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Batch:
    """One Arrow batch as the UDF receives it: the flag mask and the pending strings."""

    mask: npt.NDArray[np.int64]
    strings: Mapping[str, pd.Series]

    def __len__(self) -> int:
        return len(self.mask)

    def __getitem__(self, name: str) -> pd.Series:
        return self.strings[name]


def _flag(batch: _Batch, name: str) -> BoolArray:
    return ((batch.mask >> _FLAGS.index(name)) & 1).astype(bool)


def _pending(batch: _Batch, left: str, right: str) -> BoolArray:
    return (batch[left].notna() & batch[right].notna()).to_numpy(dtype=bool)


def _jaro_winkler(frame: _Batch, left: str, right: str, mask: BoolArray) -> FloatArray:
    """Jaro-Winkler similarity over the rows in `mask` (both strings present), NaN elsewhere."""
    out = np.full(len(frame), np.nan)
    if mask.any():
        out[mask] = process.cpdist(
            frame[left][mask].tolist(),
            frame[right][mask].tolist(),
            scorer=JaroWinkler.normalized_similarity,
            workers=1,
        )
    return out


def _edits(frame: _Batch, left: str, right: str) -> FloatArray:
    """OSA edit distance (capped at `_MAX_EDITS`) where both strings are present, NaN elsewhere."""
    mask = _pending(frame, left, right)
    out = np.full(len(frame), np.nan)
    if mask.any():
        out[mask] = process.cpdist(
            frame[left][mask].tolist(),
            frame[right][mask].tolist(),
            scorer=OSA.distance,
            score_cutoff=_MAX_EDITS - 1,
            dtype=np.int32,
            workers=1,
        )
    return out


def _given_similarity(f: _Batch) -> FloatArray:
    """Jaro-Winkler of the given names, raised by `given_name_similarity` where it is below `GIVEN_CLOSE`.

    The romanisation-aware score (`names.given_name_similarities`, vectorised) only runs where it can still
    change the level: pairs with a surname on both sides whose vectorised Jaro-Winkler did not already reach
    the top given-name level. Elsewhere `sim_given` is the plain Jaro-Winkler.
    """
    sims = _jaro_winkler(f, "given_l", "given_r", _pending(f, "given_l", "given_r"))
    # Only pairs with a surname on both sides can reach a given-name level (5, 4 or 1).
    decisive = (_flag(f, "same_surname") | _flag(f, "other_surname")) & ~_flag(f, "name_exact")
    below = np.flatnonzero((np.nan_to_num(sims, nan=1.0) < GIVEN_CLOSE) & decisive)
    if below.size:
        left, right = f["given_l"].to_numpy()[below], f["given_r"].to_numpy()[below]
        sims[below] = np.maximum(sims[below], given_name_similarities(left, right))
    sims[_flag(f, "given_eq")] = 1.0
    return sims


def _at_least(values: FloatArray, threshold: float) -> BoolArray:
    return np.nan_to_num(values, nan=-1.0) >= threshold


def _select(conditions: list[tuple[BoolArray, int]], comparable: BoolArray) -> LevelArray:
    """The first condition that holds gives the level; comparable rows meeting none get 0, the others -1."""
    levels = np.where(comparable, 0, NOT_COMPARABLE).astype(np.int32)
    open_ = comparable.copy()
    for condition, level in conditions:
        hit = condition & open_
        levels[hit] = level
        open_ &= ~hit
    return levels


def _name_levels(f: _Batch) -> tuple[LevelArray, FloatArray, FloatArray]:
    comparable = _flag(f, "name_comparable")
    same_surname = _flag(f, "same_surname")
    jw_given = _given_similarity(f)
    close = _at_least(jw_given, GIVEN_CLOSE)
    decided = _flag(f, "name_exact") | (same_surname & _at_least(jw_given, GIVEN_SIMILAR))
    # Token similarity is only needed where the surname/given levels did not already decide.
    jw_tokens = _jaro_winkler(f, "tokens_l", "tokens_r", _pending(f, "tokens_l", "tokens_r") & ~decided)
    jw_tokens[_flag(f, "tokens_eq")] = 1.0
    levels = _select(
        [
            (_flag(f, "name_exact"), NameLevel.EXACT),
            (same_surname & close, NameLevel.SURNAME_GIVEN_CLOSE),
            (same_surname & _at_least(jw_given, GIVEN_SIMILAR), NameLevel.SURNAME_GIVEN_SIMILAR),
            (_at_least(jw_tokens, NAME_TOKENS_JW_MIN), NameLevel.TOKENS),
            (same_surname, NameLevel.SURNAME_ONLY),
            (_flag(f, "other_surname") & close, NameLevel.GIVEN_ONLY),
        ],
        comparable,
    )
    return levels, jw_given, jw_tokens


def _address_levels(f: _Batch) -> tuple[LevelArray, FloatArray]:
    same_building = _flag(f, "same_building")
    jw_text = _jaro_winkler(f, "text_l", "text_r", _pending(f, "text_l", "text_r"))
    levels = _select(
        [
            (_flag(f, "same_unit"), AddressLevel.SAME_UNIT),
            (same_building & ~_flag(f, "both_units"), AddressLevel.BUILDING_UNIT_MISSING),
            (same_building, AddressLevel.BUILDING_OTHER_UNIT),
            (_flag(f, "same_postcode"), AddressLevel.SAME_POSTCODE),
            (_at_least(jw_text, ADDRESS_JW_MIN), AddressLevel.SIMILAR_TEXT),
        ],
        _flag(f, "address_comparable"),
    )
    return levels, jw_text


def _phone_levels(f: _Batch) -> tuple[LevelArray, FloatArray]:
    phone_eq = _flag(f, "phone_eq")
    dist = _edits(f, "phone_l", "phone_r")
    dist[phone_eq] = 0
    levels = _select(
        [
            (phone_eq, PhoneLevel.EXACT),
            (_flag(f, "phone_tail_eq"), PhoneLevel.SAME_TAIL),
            (np.nan_to_num(dist, nan=_MAX_EDITS) <= 1, PhoneLevel.ONE_EDIT),
        ],
        _flag(f, "phone_comparable"),
    )
    return levels, dist


def _customs_id_levels(f: _Batch) -> tuple[LevelArray, FloatArray]:
    comparable = _flag(f, "id_comparable")
    id_eq = _flag(f, "id_eq")
    dist = _edits(f, "id_l", "id_r")  # only same-length pairs of one kind are sent
    dist[id_eq] = 0
    levels = _select(
        [(id_eq, CustomsIdLevel.EXACT), (np.nan_to_num(dist, nan=_MAX_EDITS) == 1, CustomsIdLevel.ONE_TYPO)],
        comparable,
    )
    return levels, dist


def _email_levels(f: _Batch) -> LevelArray:
    return _select(
        [(_flag(f, "email_eq"), EmailLevel.EXACT), (_flag(f, "mailbox_eq"), EmailLevel.SAME_LOCAL_PART)],
        _flag(f, "email_comparable"),
    )


def _levels_batch(mask: pd.Series, *strings: pd.Series) -> pd.DataFrame:
    index = mask.index
    prepared = _Batch(
        mask=mask.to_numpy(dtype=np.int64),
        strings={name: s.reset_index(drop=True) for name, s in zip(_STRINGS, strings, strict=True)},
    )
    name, jw_given, jw_tokens = _name_levels(prepared)
    address, jw_address = _address_levels(prepared)
    phone, dist_phone = _phone_levels(prepared)
    customs_id, dist_id = _customs_id_levels(prepared)
    return pd.DataFrame(
        {
            "gamma_name": name,
            "gamma_address": address,
            "gamma_phone": phone,
            "gamma_customs_id": customs_id,
            "gamma_email": _email_levels(prepared),
            "sim_given": jw_given,
            "sim_name_tokens_jw": jw_tokens,
            "sim_address_jw": jw_address,
            "dist_phone": pd.Series(dist_phone, index=index).astype("Int32"),
            "dist_customs_id": pd.Series(dist_id, index=index).astype("Int32"),
        },
        index=index,
    )


# A scalar pandas UDF returning a pandas DataFrame as its struct result; the UDF type is inferred from the
# pd.Series -> pd.DataFrame hints.
_levels_udf: Callable[..., Column] = pandas_udf(_levels_batch, _OUTPUT_SCHEMA)  # type: ignore[call-overload]


def compare_pairs(pairs: DataFrame) -> DataFrame:
    """Add the comparison level of each field, and the similarity figures behind them, to candidate pairs.

    Levels (see the enums for the exact rules; -1 = missing on a side):
      * `gamma_name`: 6 same full name (`name_std`, or surname and given), 5 same surname and given
        similarity >= 0.92, 4 same surname and given similarity >= 0.80, 3 same words in another order (sorted
        tokens equal or JW >= 0.92), 2 same surname only, 1 other surname but given similarity >= 0.92, 0
        otherwise. Given-name similarity is Jaro-Winkler, raised where it falls short of 0.92 by the
        romanisation-aware `names.given_name_similarity` (`MINJOON`~`MINJUN`, `SUHYUN`~`SEOHYEON`, an
        initial `G`~`GRACE` 0.85).
      * `gamma_address`: 5 same unit, 4 same building with the unit missing on a side, 3 same building and a
        different unit (evidence against), 2 same postcode, 1 address text JW >= 0.90, 0 otherwise.
      * `gamma_phone`: 3 exact, 2 same last 8 digits, 1 one edit (OSA distance 1), 0 otherwise.
      * `gamma_customs_id`: 2 exact, 1 same length and one substitution or adjacent transposition, 0 different
        (evidence against); -1 also when one side is a PCCC (`P` + 12 digits) and the other is not.
      * `gamma_email`: 2 exact, 1 same mailbox name (`+tag` ignored), 0 otherwise.

    The address text for level 1 is `address_std` when the pair carries it on both sides, else the building
    key and unit joined. Figures, null when they did not decide the level: `sim_given`,
    `sim_name_tokens_jw`, `sim_address_jw` (Jaro-Winkler; 1.0 for equal strings), `dist_phone`,
    `dist_customs_id` (OSA edit distance capped at 3; 0 for equal values).

    Equalities are Spark expressions; the similarities and the level choice run in one pandas UDF returning a
    struct, so each Arrow batch makes one Python round trip and only undecided strings cross to Python.

    Args:
        pairs: candidate pairs with the `COMPARE_INPUT_COLUMNS` suffixed `_l` and `_r`, optionally
            `address_std_l`/`address_std_r`; any value may be null, empty strings count as null.

    Returns:
        `pairs` with the `COMPARISON_OUTPUT_COLUMNS` appended (gamma columns never null); existing columns of
        those names are replaced.

    Raises:
        ValueError: a required input column is missing.
    """
    required = [f"{c}{side}" for c in COMPARE_INPUT_COLUMNS for side in ("_l", "_r")]
    missing = [c for c in required if c not in pairs.columns]
    if missing:
        raise ValueError(f"compare_pairs: missing input column(s) {missing}")
    struct_col = f"{_TMP}result"
    prepared, arguments = _with_prepared(pairs)
    kept = [sf.col(f"`{c}`") for c in pairs.columns if c not in COMPARISON_OUTPUT_COLUMNS]
    result = sf.col(struct_col)
    return prepared.withColumn(struct_col, _levels_udf(*arguments)).select(
        *kept,
        *[sf.coalesce(result.getField(c), sf.lit(NOT_COMPARABLE)).alias(c) for c in GAMMA_COLUMNS],
        *[result.getField(c).alias(c) for c in SIMILARITY_COLUMNS],
    )
