"""GX import safety: a process whose `__main__` is unnamed (`python -c`, a pytest-xdist worker) must not be ended by
pyspark.sql.connect's doctest check when splitscan imports Great Expectations."""

from __future__ import annotations

import subprocess
import sys

from splitscan.contracts import load_contract

SCRIPT = """
from splitscan.contracts import load_contract
from splitscan.quality.gx import build_suite, ephemeral_context
context = ephemeral_context()
suite = build_suite(load_contract("raw/import_declarations"), {"max_arrival_date": "2025-03-17"})
print("suite", len(suite.expectations))
"""


def test_building_a_suite_under_python_c_runs_to_the_end() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=False)
    expected = len(load_contract("raw/import_declarations").expectations)
    assert (done.returncode, done.stdout) == (0, f"suite {expected}\n"), done.stderr[-2000:]
