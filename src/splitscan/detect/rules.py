"""Jurisdiction rules as reference data: thresholds versioned by effective date, plus each jurisdiction's
aggregation key and window (domain.md §1.1).

A rule file is YAML: `rules:` is a list of rules; each rule gives its aggregation (`key`, `window`), what the
exemption covers and rough duty/tax rates, and in `versions` the threshold in force over each validity period and
shipping scope. A version's fields override the rule's. The default table ships in
`splitscan/reference/rules/deminimis_rules.yaml`; users add rules or replace whole rules (same `id`) in their
own files, or drop one with `disabled: true`.

A file that contradicts itself is refused before any data is read: `RuleFileError` names the file, the rule and
the field, e.g. `rules.yaml: rule KR-AWB: versions[1].valid_from: 2024-01-01..open overlaps versions[0] ...`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    ArrayType,
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from splitscan.reference import fx_rates_path, load_jurisdictions_pdf

__all__ = [
    "KEY_COLUMNS",
    "RULES_SCHEMA",
    "WINDOWS",
    "Rule",
    "RuleFileError",
    "RuleVersion",
    "default_rules_path",
    "load_rules",
    "parse_rules",
    "rules_frame",
]

logger = logging.getLogger(__name__)

KINDS = ("legal", "heuristic")
FX_DATES = ("arrival_date", "order_date")
COVERS = ("duty", "tax")
# Record columns a rule may aggregate on; the resolved consignee entity is always part of the key.
KEY_COLUMNS = (
    "seller_id",
    "shipper_name",
    "order_id",
    "order_date",
    "master_awb",
    "hs_heading",
    "channel",
    "shipper_country",
)
WINDOWS = ("day", "none", "calendar_month", "calendar_year", "session:N")
_SESSION = re.compile(r"^session:(\d+)$")
_RULE_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_OPEN_END = dt.date(9999, 12, 31)

_RULE_FIELDS = {
    "id",
    "jurisdiction",
    "kind",
    "description",
    "source",
    "key",
    "window",
    "value_basis",
    "covers",
    "fx_date",
    "min_parts",
    "disabled",
    "versions",
}
# Fields a rule may set for all its versions and a version may override.
_VERSION_FIELDS = {
    "valid_from",
    "valid_to",
    "exemption",
    "threshold",
    "part_limit",
    "currency",
    "duty_rate",
    "tax_rate",
    "flat_duty_per_item",
    "shipper_countries",
    "excluded_shipper_countries",
    "channels",
}
_SHARED_VERSION_FIELDS = _VERSION_FIELDS - {"valid_from", "valid_to"}

MONEY = DecimalType(18, 2)
RULES_SCHEMA = StructType(
    [
        StructField("rule_id", StringType(), False),
        StructField("jurisdiction", StringType(), False),
        StructField("country", StringType(), False),
        StructField("rule_kind", StringType(), False),
        StructField("aggregation", StringType(), False),
        StructField("key_columns", ArrayType(StringType(), False), False),
        StructField("window_kind", StringType(), False),
        StructField("session_gap_days", IntegerType(), True),
        StructField("fx_date", StringType(), False),
        StructField("min_parts", IntegerType(), False),
        StructField("scope_id", StringType(), False),
        StructField("valid_from", DateType(), False),
        StructField("valid_to", DateType(), False),
        StructField("threshold", MONEY, False),
        StructField("part_limit", MONEY, False),
        StructField("rule_currency", StringType(), False),
        StructField("duty_rate", DoubleType(), False),
        StructField("tax_rate", DoubleType(), False),
        StructField("flat_duty_per_item", MONEY, False),
        StructField("shipper_countries", ArrayType(StringType(), False), False),
        StructField("excluded_shipper_countries", ArrayType(StringType(), False), False),
        StructField("channels", ArrayType(StringType(), False), False),
    ]
)


class RuleFileError(ValueError):
    """A rule file is malformed or contradicts itself; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class RuleVersion:
    """One validity period and shipping scope of a rule. `threshold` is None for a period without exemption."""

    valid_from: dt.date
    valid_to: dt.date | None
    threshold: float | None
    part_limit: float | None
    currency: str
    duty_rate: float
    tax_rate: float
    flat_duty_per_item: float
    shipper_countries: frozenset[str]
    excluded_shipper_countries: frozenset[str]
    channels: frozenset[str]

    @property
    def scope_id(self) -> str:
        """A canonical label of the scope, e.g. `ship=US` or `all`; groups never mix scopes of one rule."""
        parts = []
        if self.shipper_countries:
            parts.append("ship=" + "|".join(sorted(self.shipper_countries)))
        if self.excluded_shipper_countries:
            parts.append("ship!=" + "|".join(sorted(self.excluded_shipper_countries)))
        if self.channels:
            parts.append("channel=" + "|".join(sorted(self.channels)))
        return ";".join(parts) or "all"

    def scope_disjoint(self, other: RuleVersion) -> bool:
        """True when no parcel can fall under both scopes."""
        if self.channels and other.channels and not self.channels & other.channels:
            return True
        mine, theirs = self.shipper_countries, other.shipper_countries
        if mine and theirs and not mine & theirs:
            return True
        excluded_by_other = bool(mine) and mine <= other.excluded_shipper_countries
        return excluded_by_other or (bool(theirs) and theirs <= self.excluded_shipper_countries)

    def overlaps(self, other: RuleVersion) -> bool:
        """True when the validity periods share a day."""
        end, other_end = self.valid_to or _OPEN_END, other.valid_to or _OPEN_END
        return self.valid_from <= other_end and other.valid_from <= end


@dataclass(frozen=True)
class Rule:
    """One aggregation rule of a jurisdiction with its versions."""

    id: str
    jurisdiction: str
    kind: str
    description: str
    source: str
    key: tuple[str, ...]
    window: str
    value_basis: str
    covers: tuple[str, ...]
    fx_date: str
    min_parts: int
    versions: tuple[RuleVersion, ...]
    origin: str

    @property
    def aggregation(self) -> str:
        """Human-readable key x window, e.g. `entity x seller_id x order_date`."""
        window = {"none": "", "day": " x arrival day"}.get(self.window, f" x {self.window}")
        return " x ".join(["entity", *self.key]) + window

    @property
    def session_gap_days(self) -> int | None:
        m = _SESSION.match(self.window)
        return int(m.group(1)) if m else None

    @property
    def window_kind(self) -> str:
        return "session" if self.session_gap_days is not None else self.window


def default_rules_path() -> Path:
    """The rule table shipped with splitscan."""
    return Path(str(files("splitscan.reference").joinpath("rules").joinpath("deminimis_rules.yaml")))


@cache
def _known_currencies() -> frozenset[str]:
    """Currencies splitscan can convert: the FX reference's and every threshold currency."""
    fx = pd.read_csv(fx_rates_path(), usecols=["currency"], dtype=str)
    return frozenset(fx["currency"]) | frozenset(load_jurisdictions_pdf()["threshold_currency"]) | {"USD"}


def _jurisdiction_countries() -> dict[str, list[str]]:
    """Jurisdiction code -> destination countries: every country for itself, `EU` for the member states."""
    frame = load_jurisdictions_pdf()
    out = {str(c): [str(c)] for c in frame["country_code"]}
    out["EU"] = sorted(str(c) for c in frame.loc[frame["eu_member"], "country_code"])
    return out


class _Where:
    """Builds error messages that name the file, the rule and the field."""

    def __init__(self, origin: str, rule: str) -> None:
        self.origin, self.rule = origin, rule

    def error(self, field: str, problem: str) -> RuleFileError:
        return RuleFileError(f"{self.origin}: rule {self.rule}: field {field}: {problem}")


def _date(value: Any, where: _Where, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise where.error(field, f"not a date in YYYY-MM-DD form: {value!r}") from None


def _number(value: Any, where: _Where, field: str, *, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise where.error(field, f"not a number: {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"[{low}, {high}]" if high is not None else f">= {low}"
        raise where.error(field, f"{value!r} is outside {bound}")
    return float(value)


def _codes(value: Any, where: _Where, field: str, pattern: re.Pattern[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str) or not isinstance(value, list):
        raise where.error(field, f"expected a list, got {value!r}")
    out = frozenset(str(v) for v in value)
    bad = sorted(v for v in out if pattern is not None and not pattern.match(v))
    if bad:
        raise where.error(field, f"not ISO alpha-2 country codes: {bad}")
    return out


def _version(raw: Mapping[str, Any], where: _Where, field: str) -> RuleVersion:
    unknown = sorted(set(raw) - _VERSION_FIELDS)
    if unknown:
        raise where.error(f"{field}.{unknown[0]}", f"unknown field (known: {', '.join(sorted(_VERSION_FIELDS))})")
    if "valid_from" not in raw:
        raise where.error(f"{field}.valid_from", "missing")
    valid_from = _date(raw["valid_from"], where, f"{field}.valid_from")
    valid_to = None if raw.get("valid_to") is None else _date(raw["valid_to"], where, f"{field}.valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise where.error(f"{field}.valid_to", f"{valid_to} is before valid_from {valid_from}")
    exemption = raw.get("exemption", "threshold")
    if exemption not in ("threshold", "none"):
        raise where.error(f"{field}.exemption", f"must be 'threshold' or 'none', got {exemption!r}")
    currency = raw.get("currency")
    if not isinstance(currency, str) or currency not in _known_currencies():
        raise where.error(
            f"{field}.currency", f"unknown currency {currency!r} (known: {', '.join(sorted(_known_currencies()))})"
        )
    threshold = part_limit = None
    if exemption == "threshold":
        if raw.get("threshold") is None:
            raise where.error(f"{field}.threshold", "missing (write `exemption: none` for a period without relief)")
        threshold = _number(raw["threshold"], where, f"{field}.threshold")
        if threshold <= 0:
            raise where.error(f"{field}.threshold", "must be positive")
        part_limit = _number(raw.get("part_limit", threshold), where, f"{field}.part_limit")
        if not 0 < part_limit <= threshold:
            raise where.error(f"{field}.part_limit", f"{part_limit} must be in (0, threshold {threshold}]")
    channels = _codes(raw.get("channels"), where, f"{field}.channels", None)
    unknown_channels = sorted(channels - {"postal", "express", "ecommerce"})
    if unknown_channels:
        raise where.error(f"{field}.channels", f"unknown channel(s) {unknown_channels}")
    return RuleVersion(
        valid_from=valid_from,
        valid_to=valid_to,
        threshold=threshold,
        part_limit=part_limit,
        currency=currency,
        duty_rate=_number(raw.get("duty_rate", 0.0), where, f"{field}.duty_rate", high=1.0),
        tax_rate=_number(raw.get("tax_rate", 0.0), where, f"{field}.tax_rate", high=1.0),
        flat_duty_per_item=_number(raw.get("flat_duty_per_item", 0.0), where, f"{field}.flat_duty_per_item"),
        shipper_countries=_codes(raw.get("shipper_countries"), where, f"{field}.shipper_countries", _COUNTRY),
        excluded_shipper_countries=_codes(
            raw.get("excluded_shipper_countries"), where, f"{field}.excluded_shipper_countries", _COUNTRY
        ),
        channels=channels,
    )


def _rule(raw: Any, origin: str, position: int) -> Rule | str:
    """Parse one rule; returns the id alone for a `disabled: true` entry."""
    if not isinstance(raw, Mapping):
        raise RuleFileError(f"{origin}: rules[{position}]: expected a mapping, got {raw!r}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        raise RuleFileError(f"{origin}: rules[{position}]: field id: missing or not upper-case letters, digits, -_")
    where = _Where(origin, rule_id)
    unknown = sorted(set(raw) - _RULE_FIELDS - _SHARED_VERSION_FIELDS)
    if unknown:
        raise where.error(unknown[0], "unknown field")
    if raw.get("disabled") is True:
        return rule_id
    for name in ("jurisdiction", "kind", "window", "versions"):
        if raw.get(name) is None:
            raise where.error(name, "missing")
    jurisdiction = str(raw["jurisdiction"])
    if jurisdiction not in _jurisdiction_countries():
        raise where.error("jurisdiction", f"unknown jurisdiction {jurisdiction!r} (jurisdictions.csv or EU)")
    if raw["kind"] not in KINDS:
        raise where.error("kind", f"must be one of {KINDS}, got {raw['kind']!r}")
    key = raw.get("key") or []
    if not isinstance(key, list) or any(k not in KEY_COLUMNS for k in key):
        raise where.error("key", f"{key!r}: every key must be one of {', '.join(KEY_COLUMNS)}")
    window = str(raw["window"])
    if window not in WINDOWS[:-1] and not _SESSION.match(window):
        raise where.error("window", f"{window!r} is not one of {', '.join(WINDOWS)}")
    if window == "none" and not key:
        raise where.error("window", "`none` needs a key (without one the whole history of an entity is one group)")
    fx_date = raw.get("fx_date", "arrival_date")
    if fx_date not in FX_DATES:
        raise where.error("fx_date", f"must be one of {FX_DATES}, got {fx_date!r}")
    covers = tuple(raw.get("covers") or ())
    if any(c not in COVERS for c in covers):
        raise where.error("covers", f"{list(covers)}: only {COVERS}")
    min_parts = raw.get("min_parts", 2)
    if isinstance(min_parts, bool) or not isinstance(min_parts, int) or min_parts < 2:
        raise where.error("min_parts", f"must be an integer >= 2, got {min_parts!r}")
    shared = {k: raw[k] for k in _SHARED_VERSION_FIELDS if k in raw}
    raw_versions = raw["versions"]
    if not isinstance(raw_versions, list) or not raw_versions:
        raise where.error("versions", "must be a non-empty list")
    versions = []
    for i, rv in enumerate(raw_versions):
        if not isinstance(rv, Mapping):
            raise where.error(f"versions[{i}]", f"expected a mapping, got {rv!r}")
        versions.append(_version({**shared, **rv}, where, f"versions[{i}]"))
    for i, a in enumerate(versions):
        for j in range(i):
            b = versions[j]
            if a.overlaps(b) and not a.scope_disjoint(b):
                raise where.error(
                    f"versions[{i}].valid_from",
                    f"{a.valid_from}..{a.valid_to or 'open'} ({a.scope_id}) overlaps versions[{j}] "
                    f"{b.valid_from}..{b.valid_to or 'open'} ({b.scope_id}) with an overlapping scope",
                )
    return Rule(
        id=rule_id,
        jurisdiction=jurisdiction,
        kind=str(raw["kind"]),
        description=str(raw.get("description", "")),
        source=str(raw.get("source", "")),
        key=tuple(str(k) for k in key),
        window=window,
        value_basis=str(raw.get("value_basis", "")),
        covers=covers,
        fx_date=str(fx_date),
        min_parts=int(min_parts),
        versions=tuple(versions),
        origin=origin,
    )


def parse_rules(data: Any, origin: str) -> tuple[list[Rule], list[str]]:
    """Parse the content of one rule file.

    Args:
        data: the YAML document (a mapping with a `rules` list).
        origin: the file name, for error messages.

    Returns:
        The rules and the ids the file disables.

    Raises:
        RuleFileError: the file is malformed or contradicts itself.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise RuleFileError(f"{origin}: expected a mapping with a `rules:` list")
    rules: list[Rule] = []
    disabled: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["rules"]):
        parsed = _rule(raw, origin, position)
        rule_id = parsed if isinstance(parsed, str) else parsed.id
        if rule_id in seen:
            raise RuleFileError(f"{origin}: rule {rule_id}: field id: defined twice in this file")
        seen.add(rule_id)
        if isinstance(parsed, str):
            disabled.append(parsed)
        else:
            rules.append(parsed)
    return rules, disabled


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"{path}: cannot read rule file: {exc}") from exc


def load_rules(extra: Iterable[str | Path] = (), *, include_default: bool = True) -> list[Rule]:
    """Load the rule table: the shipped default, then each extra file in order.

    Args:
        extra: user rule files; a rule whose `id` is already loaded replaces it whole, `disabled: true` drops it.
        include_default: start from the shipped table (False: the extra files alone).

    Returns:
        The rules, sorted by id.

    Raises:
        RuleFileError: a file is unreadable, malformed or contradicts itself.
    """
    paths = [default_rules_path()] if include_default else []
    paths += [Path(p) for p in extra]
    table: dict[str, Rule] = {}
    for path in paths:
        rules, disabled = parse_rules(_read(path), str(path))
        for rule_id in disabled:
            table.pop(rule_id, None)
        for rule in rules:
            if rule.id in table:
                logger.info("rule %s from %s replaces the one from %s", rule.id, path, table[rule.id].origin)
            table[rule.id] = rule
    logger.info("loaded %d rules from %s", len(table), ", ".join(str(p) for p in paths))
    return [table[k] for k in sorted(table)]


def _rows(rules: Sequence[Rule]) -> list[tuple[Any, ...]]:
    countries = _jurisdiction_countries()
    rows = []
    for rule in rules:
        for v in rule.versions:
            if v.threshold is None or v.part_limit is None:
                continue  # no exemption in force: nothing to split
            for country in countries[rule.jurisdiction]:
                rows.append(
                    (
                        rule.id,
                        rule.jurisdiction,
                        country,
                        rule.kind,
                        rule.aggregation,
                        list(rule.key),
                        rule.window_kind,
                        rule.session_gap_days,
                        rule.fx_date,
                        rule.min_parts,
                        v.scope_id,
                        v.valid_from,
                        v.valid_to or _OPEN_END,
                        _money(v.threshold),
                        _money(v.part_limit),
                        v.currency,
                        v.duty_rate if "duty" in rule.covers else 0.0,
                        v.tax_rate if "tax" in rule.covers else 0.0,
                        _money(v.flat_duty_per_item),
                        sorted(v.shipper_countries),
                        sorted(v.excluded_shipper_countries),
                        sorted(v.channels),
                    )
                )
    return rows


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def rules_frame(spark: SparkSession, rules: Sequence[Rule]) -> DataFrame:
    """The rule versions with an exemption, one row per destination country, as a small Spark DataFrame.

    Args:
        spark: the active session.
        rules: as `load_rules` returns them.

    Returns:
        Rows with `RULES_SCHEMA`; `valid_to` is 9999-12-31 for a version still in force, and duty/tax rates are 0
        for what the exemption does not cover.
    """
    return spark.createDataFrame(_rows(rules), schema=RULES_SCHEMA)
