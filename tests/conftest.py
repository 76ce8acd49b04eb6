"""One Spark session for the whole test run: starting Spark costs ~7 s, a session per test ~1 s more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

from splitscan.config import SparkSettings
from splitscan.session import build_session


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    settings = SparkSettings(
        master="local[2]",
        app_name="splitscan-tests",
        driver_memory="2g",
        # Test frames are tiny: one or two partitions keep each shuffle to a couple of tasks.
        shuffle_partitions=2,
        conf={
            "spark.ui.enabled": "false",
            "spark.default.parallelism": "2",
            # C1-only JIT and the parallel GC made small Spark jobs 15-25% faster on this machine.
            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC",
        },
    )
    session = build_session(settings)
    yield session
    session.stop()
