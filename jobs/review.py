"""spark-submit entry point: record a review verdict on a case (`gold/case_reviews`, status in `gold/cases`)."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["review", *sys.argv[1:]]))
