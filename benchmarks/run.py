"""`make bench`: run the benchmarks and print their figures (also written to benchmarks/results/*.json).

Usage: python benchmarks/run.py [--only cases|detect|ingest|resolve|rings] [--records N]
                                [--resolve-records N ...] [--noise default|high|low ...] [--splitscan-ref COMMIT]
                                [--resolve-timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases
import bench_detect
import bench_ingest
import bench_resolve
import bench_rings

BENCHES = {
    "cases": bench_cases.run,
    "detect": bench_detect.run,
    "ingest": bench_ingest.run,
    "resolve": bench_resolve.run,
    "rings": bench_rings.run,
}
DEFAULT_RECORDS = {"cases": 20_000, "detect": 100_000, "ingest": 1_000_000, "resolve": 100_000, "rings": 100_000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    parser.add_argument("--records", type=int, default=None, help="default: 1M for ingest, 100k for resolve")
    parser.add_argument(
        "--resolve-records", type=int, action="append", help="resolve only, repeatable (default: --records or 100k)"
    )
    parser.add_argument(
        "--noise",
        choices=["low", "default", "high"],
        action="append",
        help="resolve only, repeatable (default: default and high)",
    )
    parser.add_argument(
        "--splitscan-ref", help="resolve only: benchmark splitscan at this git commit (default: the working tree)"
    )
    parser.add_argument(
        "--resolve-timeout", type=float, default=None, help="resolve only: seconds before a system is stopped"
    )
    args = parser.parse_args()
    for name in args.only or sorted(BENCHES):
        if name == "resolve":
            sizes = args.resolve_records or [args.records or DEFAULT_RECORDS[name]]
            result = bench_resolve.run_matrix(
                sizes,
                args.noise or bench_resolve.NOISES,
                args.splitscan_ref,
                args.resolve_timeout or bench_resolve.TIMEOUT_S,
            )
        else:
            result = BENCHES[name](args.records or DEFAULT_RECORDS[name])
        print(f"== {name}")
        print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
