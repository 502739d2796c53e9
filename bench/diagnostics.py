"""What watching a run costs: ``(x + 1).sum()`` over 10,000 chunks, plain, under a
``ProgressBar`` (a Python thread polling the scheduler's task counter) and under a ``Profiler``
(two clock reads and a locked add per task). Medians of interleaved repeats, in one process.

    python bench/diagnostics.py [--repeats N]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import oxarray as ox
from oxarray.diagnostics import Profiler, ProgressBar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    x = ox.ones((10_000 * 1_000,), chunks=1_000)  # 10,000 chunks of 1,000 float64
    y = (x + 1).sum()
    print(f"(x + 1).sum(), {x.npartitions} chunks, {ox._core.task_count([y._node])} tasks")
    sink = io.StringIO()

    def plain():
        y.compute()

    def with_bar():
        with ProgressBar(out=sink):
            y.compute()

    def with_profiler():
        with Profiler():
            y.compute()

    cases = {"plain": plain, "ProgressBar": with_bar, "Profiler": with_profiler}
    for f in cases.values():  # warm up
        f()
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.repeats):
        for name, f in cases.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["plain"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<12} median {med * 1e3:8.2f} ms  ({(med / base - 1) * 100:+5.1f}% vs plain)")


if __name__ == "__main__":
    main()
