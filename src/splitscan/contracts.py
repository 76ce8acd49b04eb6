"""Data contracts: the YAML files under `data_contracts/` turned into Spark schemas, keys and expectations.

The contracts are the single source of every schema, merge key, partition column and quality rule; nothing
here restates them. A contract names its layer (raw, silver, gold) and dataset, e.g. `silver/import_records`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

__all__ = [
    "ColumnSpec",
    "Contract",
    "ContractError",
    "ContractViolation",
    "Expectation",
    "contracts_dir",
    "load_contract",
    "parse_type",
]

ROW_ACTIONS = ("quarantine", "flag")


class ContractError(ValueError):
    """A contract file is malformed; the message names the file and the problem."""


class ContractViolation(Exception):  # noqa: N818  (the style guide's name for a dataset-level failure)
    """A dataset broke a blocking rule of its contract; nothing was written.

    Attributes:
        dataset: the contract's `layer/name`.
        failures: one human-readable line per failing check.
    """

    def __init__(self, dataset: str, failures: Sequence[str]) -> None:
        self.dataset = dataset
        self.failures = list(failures)
        super().__init__(f"{dataset}: {len(self.failures)} blocking check(s) failed: " + "; ".join(self.failures))


_SIMPLE_TYPES: dict[str, DataType] = {
    "string": StringType(),
    "date": DateType(),
    "timestamp": TimestampType(),
    "integer": IntegerType(),
    "int": IntegerType(),
    "long": LongType(),
    "bigint": LongType(),
    "double": DoubleType(),
    "boolean": BooleanType(),
}
_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")


def parse_type(text: str) -> DataType:
    """Parse a contract type: a simple type name, `decimal(p,s)` or `array<type>`.

    Raises:
        ContractError: the type is not one of those.
    """
    t = text.strip().lower()
    if t in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[t]
    if m := _DECIMAL.match(t):
        return DecimalType(int(m.group(1)), int(m.group(2)))
    if t.startswith("array<") and t.endswith(">"):
        return ArrayType(parse_type(t[len("array<") : -1]), containsNull=True)
    raise ContractError(f"unknown type {text!r}")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract."""

    name: str
    type: str
    nullable: bool
    required: bool
    description: str
    case: str | None = None

    @property
    def data_type(self) -> DataType:
        return parse_type(self.type)


@dataclass(frozen=True)
class Expectation:
    """One rule in the Great Expectations vocabulary, with splitscan's routing meta."""

    type: str
    kwargs: Mapping[str, Any]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str:
        """The column the rule is about (column_A for pair rules)."""
        return str(self.kwargs.get("column") or self.kwargs.get("column_A") or "*")

    @property
    def action(self) -> str:
        """What happens to a failing row: `quarantine` or `flag`."""
        return str(self.meta.get("action", "quarantine"))

    @property
    def blocking(self) -> bool:
        """True when a batch-level failure (beyond `mostly`) refuses the whole batch."""
        return bool(self.meta.get("blocking", False))

    @property
    def label(self) -> str:
        """Short stable name, e.g. `expect_column_values_to_not_be_null(record_id)`."""
        cols = [str(self.kwargs[k]) for k in ("column", "column_A", "column_B") if k in self.kwargs]
        return f"{self.type}({', '.join(cols)})"

    def resolved(self, parameters: Mapping[str, Any]) -> Expectation:
        """A copy with every `{$PARAMETER: name}` replaced by its run-time value.

        Raises:
            ContractError: a parameter has no value.
        """

        def resolve(value: Any) -> Any:
            if isinstance(value, Mapping) and set(value) == {"$PARAMETER"}:
                name = value["$PARAMETER"]
                if name not in parameters:
                    raise ContractError(f"{self.label}: no value for parameter {name!r}")
                return parameters[name]
            return value

        return Expectation(self.type, {k: resolve(v) for k, v in self.kwargs.items()}, self.meta)


@dataclass(frozen=True)
class Contract:
    """A dataset's contract: schema, keys, partitioning and expectations."""

    name: str
    layer: str
    version: str
    description: str
    columns: tuple[ColumnSpec, ...]
    primary_key: tuple[str, ...]
    partition_by: tuple[str, ...]
    expectations: tuple[Expectation, ...]
    source: str
    null_markers: tuple[str, ...] = ()

    @property
    def dataset(self) -> str:
        return f"{self.layer}/{self.name}"

    @property
    def schema(self) -> StructType:
        """The Spark schema, columns in contract order."""
        return StructType([StructField(c.name, c.data_type, c.nullable) for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.dataset} has no column {name!r}")


def contracts_dir() -> Path:
    """The folder of contract files: SPLITSCAN_CONTRACTS_DIR, else the copy shipped in the package."""
    env = os.environ.get("SPLITSCAN_CONTRACTS_DIR")
    if env:
        return Path(env)
    return Path(str(resources.files("splitscan") / "data_contracts"))


def _require(data: Mapping[str, Any], key: str, source: str) -> Any:
    if key not in data:
        raise ContractError(f"{source}: missing {key!r}")
    return data[key]


def _parse(data: Mapping[str, Any], source: str) -> Contract:
    columns = []
    for i, raw in enumerate(_require(data, "columns", source)):
        where = f"{source}: columns[{i}]"
        name = _require(raw, "name", where)
        case = raw.get("case")
        if case not in (None, "upper", "lower"):
            raise ContractError(f"{where} ({name}): case must be upper or lower, not {case!r}")
        spec = ColumnSpec(
            name=str(name),
            type=str(_require(raw, "type", where)),
            nullable=bool(raw.get("nullable", True)),
            required=bool(raw.get("required", not raw.get("nullable", True))),
            description=str(raw.get("description", "")),
            case=case,
        )
        try:
            spec.data_type  # noqa: B018  (validates the type early, with the file in the message)
        except ContractError as exc:
            raise ContractError(f"{where} ({name}): {exc}") from exc
        columns.append(spec)
    names = {c.name for c in columns}
    if len(names) != len(columns):
        raise ContractError(f"{source}: duplicate column names")
    keys = tuple(_require(data, "primary_key", source))
    parts = tuple(data.get("partition_by") or ())
    for col in (*keys, *parts):
        if col not in names:
            raise ContractError(f"{source}: key or partition column {col!r} is not a column")
    expectations = []
    for i, raw in enumerate(data.get("expectations") or ()):
        exp = Expectation(
            str(_require(raw, "type", source)), dict(raw.get("kwargs") or {}), dict(raw.get("meta") or {})
        )
        for key in ("column", "column_A", "column_B"):
            if key in exp.kwargs and exp.kwargs[key] not in names:
                raise ContractError(f"{source}: expectations[{i}] names unknown column {exp.kwargs[key]!r}")
        if exp.action not in ROW_ACTIONS:
            raise ContractError(f"{source}: expectations[{i}] action must be one of {ROW_ACTIONS}")
        expectations.append(exp)
    return Contract(
        name=str(_require(data, "name", source)),
        layer=str(_require(data, "layer", source)),
        version=str(data.get("version", "")),
        description=str(data.get("description", "")).strip(),
        columns=tuple(columns),
        primary_key=keys,
        partition_by=parts,
        expectations=tuple(expectations),
        source=source,
        null_markers=tuple(str(m).upper() for m in data.get("null_markers") or ()),
    )


@cache
def load_contract(dataset: str) -> Contract:
    """Load a contract by `layer/name`, e.g. `raw/import_declarations`.

    Raises:
        ContractError: the file is missing or malformed.
    """
    path = contracts_dir() / f"{dataset}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContractError(f"{path}: cannot read contract: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ContractError(f"{path}: not a mapping")
    return _parse(data, str(path))
