"""Typed configuration: defaults, then a TOML file, then SPLITSCAN_* environment variables, then CLI flags.

The same config runs a job locally (embedded Spark, Delta tables in a folder) and under spark-submit on a cluster,
where the cluster's own master and jars win over anything set here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Config", "ConfigError", "IngestSettings", "SparkSettings", "load_config"]


class ConfigError(ValueError):
    """A config file or environment variable is malformed; the message names it."""


@dataclass(frozen=True)
class SparkSettings:
    """How to build the Spark session. `master=None` means local[*] unless spark-submit already set one."""

    master: str | None = None
    app_name: str = "splitscan"
    driver_memory: str | None = None
    jars_dir: str | None = None
    shuffle_partitions: int | None = None
    conf: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestSettings:
    """Ingest options. `fx_rates_path=None` uses the sample daily rates shipped with splitscan."""

    fx_rates_path: str | None = None
    fx_max_staleness_days: int = 7
    max_arrival_days_ahead: int = 30


@dataclass(frozen=True)
class Config:
    """Everything a job needs besides its run date and its inputs."""

    warehouse: str = "warehouse"
    spark: SparkSettings = field(default_factory=SparkSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)

    @property
    def warehouse_uri(self) -> str:
        """The warehouse location; a local path is made absolute (Delta reads a relative one as a table name)."""
        if "://" in self.warehouse or self.warehouse.startswith("file:"):
            return self.warehouse.rstrip("/")
        return str(Path(self.warehouse).absolute()).rstrip("/")

    def table_path(self, layer: str, name: str) -> str:
        """Location of a Delta table in the warehouse, e.g. `<warehouse>/silver/import_records`."""
        return f"{self.warehouse_uri}/{layer}/{name}"


_ENV: dict[str, tuple[str, str]] = {
    "SPLITSCAN_WAREHOUSE": ("", "warehouse"),
    "SPLITSCAN_SPARK_MASTER": ("spark", "master"),
    "SPLITSCAN_DRIVER_MEMORY": ("spark", "driver_memory"),
    "SPLITSCAN_JARS_DIR": ("spark", "jars_dir"),
    "SPLITSCAN_SHUFFLE_PARTITIONS": ("spark", "shuffle_partitions"),
    "SPLITSCAN_FX_RATES": ("ingest", "fx_rates_path"),
}


def _coerce(section: Any, key: str, value: Any, origin: str) -> Any:
    known = {f.name: f for f in fields(section)}
    if key not in known:
        raise ConfigError(f"{origin}: unknown setting {key!r}; known: {', '.join(sorted(known))}")
    annotation = str(known[key].type)
    try:
        if "int" in annotation and value is not None and not isinstance(value, int):
            return int(value)
        if "Mapping" in annotation:
            if not isinstance(value, Mapping):
                raise TypeError("expected a table of key = value")
            return {str(k): str(v) for k, v in value.items()}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: setting {key!r}: {exc}") from exc
    return value


def _apply(config: Config, section_name: str, values: Mapping[str, Any], origin: str) -> Config:
    if section_name == "":
        return replace(config, **{k: _coerce(config, k, v, origin) for k, v in values.items()})
    section = getattr(config, section_name)
    updated = replace(section, **{k: _coerce(section, k, v, origin) for k, v in values.items()})
    return replace(config, **{section_name: updated})


def load_config(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Build the config.

    Args:
        path: optional TOML file with top-level `warehouse` and tables `[spark]`, `[spark.conf]`, `[ingest]`.
        environ: environment to read SPLITSCAN_* variables from (default: the process environment).
        overrides: dotted keys from the command line, e.g. {"warehouse": "/data/wh", "spark.master": "local[2]"};
            None values are ignored.

    Returns:
        The merged, typed config.

    Raises:
        ConfigError: the file cannot be parsed or names an unknown setting.
    """
    config = Config()
    if path is not None:
        origin = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{origin}: cannot read config: {exc}") from exc
        top = {k: v for k, v in data.items() if not isinstance(v, dict)}
        config = _apply(config, "", top, origin)
        for section in ("spark", "ingest"):
            if section in data:
                config = _apply(config, section, data[section], f"{origin} [{section}]")
        unknown = set(data) - set(top) - {"spark", "ingest"}
        if unknown:
            raise ConfigError(f"{origin}: unknown section(s) {sorted(unknown)}")
    env = os.environ if environ is None else environ
    for var, (section, key) in _ENV.items():
        if env.get(var):
            config = _apply(config, section, {key: env[var]}, f"environment variable {var}")
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, key = dotted.rpartition(".")
        config = _apply(config, section, {key: value}, f"option {dotted}")
    return config
