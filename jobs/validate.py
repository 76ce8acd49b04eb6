"""spark-submit entry point: validate input files against the contract without writing tables."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["validate", *sys.argv[1:]]))
