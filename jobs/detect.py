"""spark-submit entry point: split detection over `import_records` and `consignee_entities` -> `split_findings`."""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["detect", *sys.argv[1:]]))
