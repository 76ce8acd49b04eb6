"""spark-submit entry point: the whole nightly pipeline (`splitscan run`). Example:

    spark-submit --packages io.delta:delta-spark_4.2_2.13:4.4.0 jobs/nightly.py \\
        --input hdfs:///imports/2025-01-03 --warehouse hdfs:///splitscan --run-date 2025-01-03
"""

from __future__ import annotations

import sys

from splitscan.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
