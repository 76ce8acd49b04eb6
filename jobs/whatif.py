"""spark-submit entry point: re-evaluate history under an alternative rule table; writes no table."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["whatif", *sys.argv[1:]]))
