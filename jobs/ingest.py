"""spark-submit entry point: ingest new input files. Example:

    spark-submit --packages io.delta:delta-spark_4.2_2.13:4.4.0 jobs/ingest.py \\
        --input s3a://bucket/imports/2025-01-03 --warehouse s3a://bucket/splitscan --run-date 2025-01-03
"""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
