"""Shared benchmark helpers: timing, peak memory of the whole process tree (Python + Spark JVM), results."""

from __future__ import annotations

import json
import platform
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Measurement:
    """Wall time and peak resident memory (process tree) of one measured block."""

    seconds: float = 0.0
    peak_rss_mib: float = 0.0  # peak PSS of the process tree, MiB
    extra: dict[str, Any] = field(default_factory=dict)


def _tree_rss() -> int:
    """Proportional set size (PSS) summed over this process and its children (the JVM, Python workers).

    PSS splits shared pages between the processes that share them, so forked Python workers are not counted
    once each for the memory they share (RSS would overstate the total several times).
    """
    me = psutil.Process()
    total = 0
    for p in [me, *me.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss
        except psutil.Error:
            continue
    return total


@contextmanager
def measure(interval: float = 0.2) -> Iterator[Measurement]:
    """Time a block and sample the PSS of this process and its children (the Spark JVM) every `interval` s.

    `peak_rss_mib` keeps its old name for the result files, but holds peak PSS: processes whose memory maps cannot
    be read are skipped.
    """
    m = Measurement()
    stop = threading.Event()
    peak = [_tree_rss()]

    def sample() -> None:
        while not stop.wait(interval):
            peak[0] = max(peak[0], _tree_rss())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        yield m
    finally:
        m.seconds = time.perf_counter() - start
        stop.set()
        thread.join()
        m.peak_rss_mib = max(peak[0], _tree_rss()) / 2**20


def machine() -> dict[str, Any]:
    return {
        "cpus": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_avg_1m_at_start": round(psutil.getloadavg()[0], 2),
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")
    return path
