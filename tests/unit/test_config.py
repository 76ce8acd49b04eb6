from __future__ import annotations

from pathlib import Path

import pytest

from splitscan.config import Config, ConfigError, IngestSettings, SparkSettings, load_config


def test_defaults() -> None:
    assert load_config(environ={}) == Config()
    assert Config().table_path("silver", "import_records") == f"{Path.cwd()}/warehouse/silver/import_records"
    assert Config(warehouse="s3a://b/wh/").table_path("gold", "cases") == "s3a://b/wh/gold/cases"


def test_precedence_file_then_env_then_flags(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        'warehouse = "/file/wh"\n[spark]\nmaster = "local[4]"\nshuffle_partitions = 16\n'
        '[spark.conf]\n"spark.sql.adaptive.enabled" = "true"\n[ingest]\nfx_max_staleness_days = 3\n'
    )
    config = load_config(
        path,
        environ={"SPLITSCAN_SPARK_MASTER": "spark://h:7077", "SPLITSCAN_WAREHOUSE": "/env/wh"},
        overrides={"warehouse": "/flag/wh", "spark.master": None},
    )
    assert config == Config(
        warehouse="/flag/wh",
        spark=SparkSettings(
            master="spark://h:7077", shuffle_partitions=16, conf={"spark.sql.adaptive.enabled": "true"}
        ),
        ingest=IngestSettings(fx_max_staleness_days=3),
    )


def test_unknown_setting_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[spark]\nmastr = 'x'\n")
    with pytest.raises(ConfigError, match=r"c\.toml \[spark\]: unknown setting 'mastr'"):
        load_config(path, environ={})


def test_bad_integer_from_environment() -> None:
    with pytest.raises(ConfigError, match="SPLITSCAN_SHUFFLE_PARTITIONS"):
        load_config(environ={"SPLITSCAN_SHUFFLE_PARTITIONS": "many"})
