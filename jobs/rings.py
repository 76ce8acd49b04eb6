"""spark-submit entry point: nominee-ring detection over consignee entities (`gold/ring_findings`)."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["rings", *sys.argv[1:]]))
