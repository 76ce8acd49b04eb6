"""spark-submit entry point: findings merged into ranked cases (`gold/cases`, `case_records`, `case_runs`), report."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["cases", "run", *sys.argv[1:]]))
