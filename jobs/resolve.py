"""spark-submit entry point: consignee resolution over `import_records` (work in progress, see issue 3)."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["resolve", *sys.argv[1:]]))
