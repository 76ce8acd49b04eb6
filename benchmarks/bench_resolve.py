"""Resolution benchmark: splitscan against Splink 5 (DuckDB) and an exact-key baseline, same run, same records.

For each size and noise setting the records are generated with ground truth (seed 17, no corrupted rows), ingested
into the silver Delta table, and the standardised columns that splitscan resolves from are exported once to Parquet
for the other systems. All of that is cached under build/bench/resolve/ and charged to no system. Each system then
runs in a fresh Python process of its own, so that its wall time and peak memory (PSS summed over its process tree,
sampled every 0.2 s by `_common.measure`) are its own and not inflated by another system's JVM or heap:

* splitscan: `resolve_records` on the silver Delta table, entities collected to pandas (Spark start-up not timed);
* Splink 5 with DuckDB: training, predict and clustering (`splink_baseline.py`), from the Parquet export;
* exact key: records with the same `name_std` and `address_std` are one entity (pandas, from the Parquet export).

Quality is pairwise precision, recall and F1 of record -> entity against the generator's `person_id`, over all records
and over the records outside nominee rings (whose identity is disputed by design). Every run rewrites
results/resolve-summary.md from all the resolve-*.json results, with the growth exponent b of time = a * n^b.

Worker use (one system on prepared data; `run` calls this itself):
    python benchmarks/bench_resolve.py prepare --records N --noise NOISE
    python benchmarks/bench_resolve.py measure --system splitscan|splink|exact_key --records N --noise NOISE
"""

from __future__ import annotations

import argparse
import datetime as dt
import faulthandler
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import psutil

import splitscan
from _common import RESULTS, Measurement, machine, measure, write_result
from splitscan.config import Config, SparkSettings
from splitscan.pipelines import ingest
from splitscan.pipelines.resolve import ResolveSettings, resolve_records
from splitscan.session import build_session
from splitscan.storage import read_table
from splitscan.synth import SynthConfig, generate

ROOT: Final = Path(__file__).resolve().parents[1]
WORK: Final = ROOT / "build" / "bench" / "resolve"
SEED: Final = 17
RUN_DATE: Final = dt.date(2026, 11, 30)
COLUMNS: Final = ("record_id", "name_std", "address_std", "postcode_std", "phone_std", "consignee_id_std", "email_std")
SYSTEMS: Final = ("splitscan", "splink", "exact_key")
NOISES: Final = ("default", "high")
# A system that has not finished after this long is stopped and reported as timed out.
TIMEOUT_S: Final = 3 * 3600
LINK_THRESHOLD: Final = ResolveSettings().link_threshold
# 2g, not the 4g of the other benchmarks: the machine is shared and has no swap, and a 4g heap grew to 4.9 GB resident
# and was taken by the kernel's OOM killer at 100k records while others ran Spark (a 5M pipeline ran in 1g here).
SPARK: Final = SparkSettings(app_name="bench-resolve", driver_memory="2g", shuffle_partitions=8)
PREPARE_SPARK: Final = SparkSettings(app_name="bench-resolve-prepare", driver_memory="8g", shuffle_partitions=16)
"""Generation and ingest are untimed preparation: at 1M records ingest ran out of a 2 GiB heap (2026-12-07)."""
REPRODUCE: Final = (
    'nice -n 5 make bench BENCH_ARGS="--only resolve --resolve-records 100000 --resolve-records 1000000 '
    '--noise default --noise high{ref}"'
)


def data_dir(records: int, noise: str) -> Path:
    return WORK / f"data-{records}-{noise}"


def _parquet(data: Path) -> Path:
    return data / "records.parquet"


# ---------------------------------------------------------------------------------------------------------------------
# Worker side: each function below runs in its own process.


def _prepare(records: int, noise: str) -> dict[str, Any]:
    """Generate, ingest and export the standardised columns; write the `.complete` marker with the timings."""
    data = data_dir(records, noise)
    shutil.rmtree(data, ignore_errors=True)
    info: dict[str, Any] = {
        "records": records,
        "noise": noise,
        "seed": SEED,
        "splitscan_imported_from": str(Path(splitscan.__file__).parent),
    }
    with measure() as gen:
        generate(SynthConfig(records=records, seed=SEED, noise=noise, bad_row_rate=0.0), out_dir=data)
    spark = build_session(PREPARE_SPARK)
    try:
        config = Config(warehouse=str(data / "warehouse"))
        with measure() as ing:
            result = ingest.run(spark, config, input_path=str(data / "input"), run_date=RUN_DATE)
        with measure() as exp:
            silver = read_table(spark, config.table_path("silver", "import_records")).select(*COLUMNS)
            silver.write.mode("overwrite").parquet(str(_parquet(data)))
    finally:
        spark.stop()
    info |= {
        "generate_seconds": round(gen.seconds, 1),
        "ingest_seconds": round(ing.seconds, 1),
        "export_seconds": round(exp.seconds, 1),
        "rows_valid": result.rows_valid,
        "rows_quarantined": result.rows_quarantined,
    }
    (data / ".complete").write_text(json.dumps(info, indent=2) + "\n")
    return info


def _tree_cpu_seconds() -> float:
    """User + system CPU seconds of this process and its descendants, the reaped ones included."""
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            t = process.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


@contextmanager
def metered() -> Iterator[Measurement]:
    """`_common.measure` plus the CPU seconds the process tree spent in the block (`extra["cpu_seconds"]`).

    On this shared 2-core machine wall time depends on what else runs; CPU seconds much less so.
    """
    start = _tree_cpu_seconds()
    with measure() as m:
        yield m
    m.extra["cpu_seconds"] = _tree_cpu_seconds() - start


def _failure(exc: BaseException) -> dict[str, Any]:
    """The error chain and the innermost splitscan frame of the original error (the stage that failed).

    The error that reaches the worker can come from clean-up (`spark.stop()` on a JVM that has died), so the chain
    is walked back to the first error that passed through splitscan.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    stage = "unknown"
    for error in reversed(chain):
        frames = [f for f in traceback.extract_tb(error.__traceback__) if "/splitscan/" in f.filename]
        if frames:
            stage = f"{Path(frames[-1].filename).name}:{frames[-1].name}:{frames[-1].lineno}"
            break
    messages = [f"{type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}"[:300] for e in chain]
    info: dict[str, Any] = {"error": messages[-1], "stage": stage, "error_chain": messages}
    if any(isinstance(e, ConnectionError) for e in chain):
        info["note"] = "the Spark JVM went away (possibly killed by the kernel's OOM killer: check dmesg)"
    return info


def _splitscan(data: Path) -> tuple[pd.DataFrame, Measurement, dict[str, Any]]:
    spark = build_session(SPARK)
    try:
        config = Config(warehouse=str(data / "warehouse"))
        records = read_table(spark, config.table_path("silver", "import_records")).select(*COLUMNS)
        with metered() as m:
            result = resolve_records(records)
            # Bounded by the benchmark's size: the evaluation needs every record's entity on the driver.
            entities = result.entities.select("record_id", "entity_id").toPandas()
        extra = {
            "link_threshold": LINK_THRESHOLD,
            "em_lambda": round(result.model.lambda_, 6),
        }
    finally:
        spark.stop()
    return entities, m, extra


def _exact_key(data: Path) -> tuple[pd.DataFrame, Measurement, dict[str, Any]]:
    with metered() as m:
        frame = pd.read_parquet(_parquet(data), columns=["record_id", "name_std", "address_std"])
        key = frame["name_std"] + "\x1f" + frame["address_std"]
        # A record without a name or an address has no key: it stays alone.
        frame["entity_id"] = key.fillna("\x00" + frame["record_id"])
    return frame[["record_id", "entity_id"]], m, {"key": "name_std + address_std"}


def _splink(data: Path) -> tuple[pd.DataFrame, Measurement, dict[str, Any]]:
    # Imported here: splink is a bench-only dependency, and its import cost is not timed.
    import splink_baseline

    return splink_baseline.resolve(
        str(_parquet(data) / "*.parquet"), threshold=LINK_THRESHOLD, work_dir=data / "splink", meter=metered
    )


RESOLVERS: Final[dict[str, Callable[[Path], tuple[pd.DataFrame, Measurement, dict[str, Any]]]]] = {
    "splitscan": _splitscan,
    "splink": _splink,
    "exact_key": _exact_key,
}


def _measure_system(system: str, records: int, noise: str) -> dict[str, Any]:
    """Run one system on prepared data; write its entities to Parquet and its figures to JSON."""
    data = data_dir(records, noise)
    runs = data / "runs"
    runs.mkdir(exist_ok=True)
    info: dict[str, Any] = {
        "system": system,
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "splitscan_imported_from": str(Path(splitscan.__file__).parent),
    }
    try:
        entities, m, extra = RESOLVERS[system](data)
    except Exception as exc:
        info |= _failure(exc)
        traceback.print_exc()
    else:
        entities.astype({"entity_id": str}).to_parquet(runs / f"{system}.parquet", index=False)
        info |= {
            "seconds": round(m.seconds, 1),
            "records_per_s": round(records / m.seconds),
            "peak_pss_mib": round(m.peak_rss_mib),
            "cpu_seconds": round(m.extra["cpu_seconds"], 1),
            "entities": int(entities["entity_id"].nunique()),
            **extra,
        }
    (runs / f"{system}.json").write_text(json.dumps(info, indent=2, default=str) + "\n")
    return info


# ---------------------------------------------------------------------------------------------------------------------
# Orchestrator side: never starts Spark itself.


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.rstrip()


def splitscan_source(ref: str | None) -> dict[str, Any]:
    """Which splitscan the workers import: the working tree, or a read-only snapshot of commit `ref`.

    Other people edit `src/` while benchmarks run; a snapshot (`git archive`, nothing in the work tree or the index
    touched) keeps a long run on one version and makes its figures reproducible. The snapshot is put first on the
    workers' PYTHONPATH, which Spark's Python workers inherit.
    """
    head = _git("rev-parse", "HEAD")
    if ref is None:
        dirty = _git("status", "--porcelain", "--", "src/splitscan").splitlines()
        return {"source": "working tree", "head": head, "uncommitted_under_src": [line[3:] for line in dirty]}
    commit = _git("rev-parse", f"{ref}^{{commit}}")
    dest = WORK / f"splitscan-{commit[:12]}"
    if not (dest / ".complete").exists():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        archive = subprocess.run(
            # src/splitscan/data_contracts is a symlink to the top-level data_contracts/.
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src/splitscan", "data_contracts"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        (dest / ".complete").write_text(commit + "\n")
    return {"source": "commit snapshot", "commit": commit, "pythonpath": str(dest / "src")}


def _worker(
    args: Sequence[str], log: Path, timeout: float, source: dict[str, Any] | None = None
) -> tuple[int | None, str]:
    """Run this module as a worker process; return its exit code (None on timeout) and the tail of its log.

    On timeout the worker is first asked (SIGUSR1) to write its Python stacks to the log, so that the stage it was
    stuck in can be reported, then killed; its Spark JVM exits with it (the gateway watches its parent's pipe).
    """
    env = dict(os.environ)
    if source and "pythonpath" in source:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source["pythonpath"], env.get("PYTHONPATH")) if p)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *args], stdout=out, stderr=subprocess.STDOUT, env=env
        )
        try:
            code: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)
            time.sleep(5)
            process.kill()
            process.wait()
            code = None
    return code, "\n".join(log.read_text(errors="replace").splitlines()[-15:])


def _stage_from_stack_dump(log: Path) -> str:
    """The innermost splitscan frame in a faulthandler dump (most recent call first), as file:function:line."""
    for line in log.read_text(errors="replace").splitlines():
        found = re.search(r'File "([^"]*/splitscan/[^"]*)", line (\d+) in (\w+)', line)
        if found:
            return f"{Path(found[1]).name}:{found[3]}:{found[2]}"
    return "unknown"


def prepared(records: int, noise: str, source: dict[str, Any] | None = None) -> dict[str, Any]:
    """The cached data for one size and noise, prepared first if missing."""
    data = data_dir(records, noise)
    marker = data / ".complete"
    if not marker.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        code, tail = _worker(
            ["prepare", "--records", str(records), "--noise", noise],
            WORK / f"prepare-{records}-{noise}.log",
            TIMEOUT_S,
            source,
        )
        if code != 0 or not marker.exists():
            raise RuntimeError(f"preparing {records} {noise} records failed (exit {code}):\n{tail}")
    return dict(json.loads(marker.read_text()))


def _measured(system: str, records: int, noise: str, source: dict[str, Any], timeout: float) -> dict[str, Any]:
    runs = data_dir(records, noise) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for stale in (runs / f"{system}.json", runs / f"{system}.parquet"):
        stale.unlink(missing_ok=True)
    args = ["measure", "--system", system, "--records", str(records), "--noise", noise]
    start = time.perf_counter()
    code, tail = _worker(args, runs / f"{system}.log", timeout, source)
    report = runs / f"{system}.json"
    if report.exists():
        return dict(json.loads(report.read_text()))
    # The worker died without reporting: killed (the kernel's OOM killer sends SIGKILL) or timed out.
    reason = "timed out" if code is None else f"exit code {code}" + (" (SIGKILL: likely out of memory)" * (code == -9))
    return {
        "system": system,
        "error": f"worker {reason} after {time.perf_counter() - start:.0f} s",
        "stage": _stage_from_stack_dump(runs / f"{system}.log") if code is None else "unknown",
        "log_tail": tail,
    }


def _pairs(sizes: pd.Series) -> int:
    n = sizes.to_numpy(dtype=np.int64)
    return int((n * (n - 1) // 2).sum())


def pair_scores(frame: pd.DataFrame, predicted: str, true: str) -> dict[str, float | int]:
    """Pairwise precision, recall and F1, counted from cluster sizes (no pair is materialised)."""
    predicted_pairs = _pairs(frame.groupby(predicted).size())
    true_pairs = _pairs(frame.groupby(true).size())
    tp = _pairs(frame.groupby([predicted, true]).size())
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
    }


def evaluate(entities: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    """Scores over all records and without nominee-ring records; records a system did not return are counted."""
    joined = truth.merge(entities, on="record_id", how="left")
    missing = int(joined["entity_id"].isna().sum())
    # A record the system did not return is its own entity (it was linked to nothing).
    joined["entity_id"] = joined["entity_id"].fillna("\x00" + joined["record_id"])
    not_ring = joined[joined["scheme_type"] != "nominee_ring"]
    return {
        "records_missing_from_output": missing,
        "all_records": pair_scores(joined, "entity_id", "person_id"),
        "without_ring_records": pair_scores(not_ring, "entity_id", "person_id"),
        "ring_records": len(joined) - len(not_ring),
    }


def run(
    records: int,
    noise: str = "default",
    systems: Sequence[str] = SYSTEMS,
    splitscan_ref: str | None = None,
    timeout_s: float = TIMEOUT_S,
) -> dict[str, Any]:
    """Benchmark every system on one size and noise; write results/resolve-<records>-<noise>.json and the summary.

    Args:
        records: number of generated records.
        noise: the generator's noise setting.
        systems: which of `SYSTEMS` to run, in order.
        splitscan_ref: a git commit to benchmark splitscan at (a snapshot); None imports the working tree.
        timeout_s: wall seconds after which a system is stopped and reported as timed out.
    """
    data = data_dir(records, noise)
    source = splitscan_source(splitscan_ref)
    prep = prepared(records, noise, source)
    payload: dict[str, Any] = {
        "records": records,
        "noise": noise,
        "seed": SEED,
        "machine": machine(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "preparation": prep
        | {"note": "generate, ingest and Parquet export are cached and charged to no system (not timed below)"},
        "link_threshold": LINK_THRESHOLD,
        "splitscan_source": source,
        "splitscan_spark": {
            "master": "local[*]",
            "driver_memory": SPARK.driver_memory,
            "shuffle_partitions": SPARK.shuffle_partitions,
        },
        "memory": "peak PSS of the system's own process tree (Python + JVM + Python workers), sampled every 0.2 s",
        "systems": {},
    }
    truth = pd.read_csv(
        data / "truth" / "records.csv",
        dtype=str,
        keep_default_na=False,
        usecols=["record_id", "person_id", "scheme_type"],
    )
    payload["persons"] = int(truth["person_id"].nunique())
    for system in systems:
        result = _measured(system, records, noise, source, timeout_s)
        entities_path = data / "runs" / f"{system}.parquet"
        if "error" not in result and entities_path.exists():
            frame = pd.read_parquet(entities_path)
            result |= evaluate(frame[["record_id", "entity_id"]], truth)
            # Other thresholds a system clustered at after its clock stopped (Splink), scored the same way.
            sensitivity = {
                column.removeprefix("entity_id_p"): evaluate(
                    frame[["record_id", column]].rename(columns={column: "entity_id"}), truth
                )
                for column in frame.columns
                if column.startswith("entity_id_p")
            }
            if sensitivity:
                result["untimed_threshold_sensitivity"] = sensitivity
        payload["systems"][system] = result
    write_result(f"resolve-{records}-{noise}", payload)
    write_summary()
    return payload


def run_matrix(
    sizes: Sequence[int],
    noises: Sequence[str] = NOISES,
    splitscan_ref: str | None = None,
    timeout_s: float = TIMEOUT_S,
) -> dict[str, Any]:
    """Every size (smallest first) at every noise setting, all with the same splitscan commit."""
    if splitscan_ref is not None:
        splitscan_ref = _git("rev-parse", f"{splitscan_ref}^{{commit}}")
    return {
        f"{n}-{noise}": run(n, noise, splitscan_ref=splitscan_ref, timeout_s=timeout_s)
        for n in sorted(sizes)
        for noise in noises
    }


# ---------------------------------------------------------------------------------------------------------------------
# Summary


def growth_exponent(points: Sequence[tuple[int, float]]) -> float | None:
    """b in time = a * n^b, least squares on log-log; None with fewer than two sizes."""
    if len({n for n, _ in points}) < 2:
        return None
    slope, _ = np.polyfit([math.log(n) for n, _ in points], [math.log(t) for _, t in points], 1)
    return round(float(slope), 2)


def _fmt(value: Any, spec: str = "") -> str:
    return "n/a" if value is None else format(value, spec)


def _rows(result: dict[str, Any]) -> list[str]:
    rows = []
    for system, fig in result["systems"].items():
        head = f"| {result['records']:,} | {result['noise']} | {system} "
        if "error" in fig:
            rows.append(head + f"| failed: {fig['error']} (stage {fig['stage']}) |" + " |" * 10)
            continue
        a, w = fig["all_records"], fig["without_ring_records"]
        rows.append(
            head
            + f"| {a['precision']:.4f} | {a['recall']:.4f} | {a['f1']:.4f} "
            + f"| {w['precision']:.4f} | {w['recall']:.4f} | {w['f1']:.4f} "
            + f"| {fig['seconds']:.1f} | {fig['records_per_s']:,} | {_fmt(fig.get('cpu_seconds'), '.1f')} "
            + f"| {fig['peak_pss_mib']:,} | {fig['load_avg_1m_at_start']} |"
        )
    return rows


def _ratios(result: dict[str, Any]) -> str | None:
    s, k = result["systems"].get("splitscan", {}), result["systems"].get("splink", {})
    if "seconds" not in s or "seconds" not in k:
        return None
    cpu = s["cpu_seconds"] / k["cpu_seconds"] if s.get("cpu_seconds") and k.get("cpu_seconds") else None
    return (
        f"| {result['records']:,} | {result['noise']} | {s['seconds'] / k['seconds']:.2f} | {_fmt(cpu, '.2f')} "
        f"| {s['peak_pss_mib'] / k['peak_pss_mib']:.2f} "
        f"| {s['all_records']['f1'] - k['all_records']['f1']:+.4f} "
        f"| {s['without_ring_records']['f1'] - k['without_ring_records']['f1']:+.4f} |"
    )


def _notes(result: dict[str, Any]) -> list[str]:
    """Per-run details: preparation cost, Splink's stages and its F1 at other thresholds (clustered untimed)."""
    prep = result["preparation"]
    lines = [
        f"- {result['records']:,} {result['noise']}: {result['persons']:,} persons; not timed: generate "
        f"{prep['generate_seconds']} s, ingest {prep['ingest_seconds']} s, Parquet export {prep['export_seconds']} s."
    ]
    splink_fig = result["systems"].get("splink", {})
    if "stage_seconds" in splink_fig:
        seconds = splink_fig["stage_seconds"]
        stages = ", ".join(f"{k} {seconds[k]} s" for k in ("load", "train", "predict", "cluster") if k in seconds)
        lines.append(f"  Splink stages: {stages}; {splink_fig['pairs_linked']:,} pairs at or above the threshold.")
    for threshold, fig in splink_fig.get("untimed_threshold_sensitivity", {}).items():
        lines.append(
            f"  Splink clustered at {threshold} (untimed): F1 all {fig['all_records']['f1']:.4f}, "
            f"no ring {fig['without_ring_records']['f1']:.4f}."
        )
    return lines


def write_summary() -> Path:
    """Rewrite results/resolve-summary.md from every results/resolve-<records>-<noise>.json."""
    results = []
    for path in RESULTS.glob("resolve-*-*.json"):
        result = json.loads(path.read_text())
        if "systems" in result:
            results.append(result)
    results.sort(key=lambda r: (r["records"], NOISES.index(r["noise"]) if r["noise"] in NOISES else 9))
    commits = sorted({r.get("splitscan_source", {}).get("commit", "working tree") for r in results})
    ref = f" --splitscan-ref {commits[0]}" if len(commits) == 1 and commits[0] != "working tree" else ""
    lines = [
        "# Resolution benchmark: splitscan vs Splink 5 (DuckDB) vs exact key",
        "",
        "Generated by `benchmarks/bench_resolve.py` from `benchmarks/results/resolve-*.json`. Reproduce with:",
        "",
        f"    {REPRODUCE.format(ref=ref)}",
        "",
        f"splitscan version benchmarked: {', '.join(commits)} (the resolve code is imported from a `git archive`",
        "snapshot of that commit, so uncommitted edits in the working tree do not leak into the figures).",
        "",
        "Each row is one system on the same generated records (seed 17, no corrupted rows), ingested once into the",
        "silver Delta table; splitscan reads that table, Splink and the exact key read a Parquet export of the same",
        "standardised columns. Generation, ingest and the export are cached and not timed. Each system runs in a",
        "fresh process: seconds are its wall time (Spark start-up and Python imports excluded, collecting the",
        "entities to pandas included), memory is the peak PSS of its own process tree sampled every 0.2 s. P/R/F1",
        "are pairwise, record -> entity against the generator's `person_id`; 'no ring' drops the nominee-ring",
        f"records. Both splitscan and Splink link at match probability >= {LINK_THRESHOLD}. The machine has 2 cores",
        f"shared with other users (splitscan: Spark local[*], driver memory {SPARK.driver_memory}; Splink: DuckDB",
        "defaults, 2 threads), so wall time depends on the load (the 1-minute load average when each system",
        "started is in the last column); CPU s (user + system seconds of the process tree in the timed block) is",
        "less sensitive to it. Compare systems within a row group (same run), not across runs.",
        "",
        "| records | noise | system | P all | R all | F1 all | P no ring | R no ring | F1 no ring | seconds "
        "| records/s | CPU s | peak PSS MiB | load at start |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        lines += _rows(result)
    measured = ", ".join(f"{r['records']:,} {r['noise']}" for r in results)
    lines += ["", f"Measured: {measured}. A size or noise setting absent here was not measured."]
    lines += [
        "",
        "Same-run ratios (splitscan / Splink; F1 difference splitscan - Splink):",
        "",
        "| records | noise | wall-time ratio | CPU-time ratio | memory ratio | ΔF1 all | ΔF1 no ring |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [row for row in map(_ratios, results) if row]
    lines += [
        "",
        "Growth exponent b of time = a * records^b (least squares on log-log over the sizes measured; with two",
        "sizes it is the slope between them). Wall seconds carry the load of the moment; CPU seconds less so:",
        "",
    ]
    lines += ["| system | noise | sizes | b (wall) | b (CPU) |", "|---|---|---|---|---|"]
    for system in SYSTEMS:
        for noise in NOISES:
            figures = [
                (r["records"], r["systems"][system])
                for r in results
                if r["noise"] == noise and "seconds" in r["systems"].get(system, {})
            ]
            if figures:
                wall = growth_exponent([(n, f["seconds"]) for n, f in figures])
                cpu_points = [(n, f["cpu_seconds"]) for n, f in figures if f.get("cpu_seconds")]
                cpu = growth_exponent(cpu_points) if len(cpu_points) == len(figures) else None
                sizes = ", ".join(f"{n:,}" for n, _ in figures)
                lines.append(f"| {system} | {noise} | {sizes} | {_fmt(wall, '.2f')} | {_fmt(cpu, '.2f')} |")
    lines += ["", "Per run:", ""]
    for result in results:
        lines += _notes(result)
    path = RESULTS / "resolve-summary.md"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "measure"])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--noise", choices=NOISES, default="default")
    parser.add_argument("--system", choices=SYSTEMS)
    args = parser.parse_args(argv)
    # Lets the orchestrator see where a worker it is about to stop for taking too long was.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    if args.command == "prepare":
        print(json.dumps(_prepare(args.records, args.noise), indent=2))
        return 0
    if args.system is None:
        parser.error("measure needs --system")
    info = _measure_system(args.system, args.records, args.noise)
    print(json.dumps(info, indent=2, default=str))
    return 1 if "error" in info else 0


if __name__ == "__main__":
    sys.exit(main())
