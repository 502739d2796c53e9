"""Deep expression chains scale linearly: building, repr, explain, compute and dropping a chain
of `y = y + 1` cost time and memory linear in its depth (checked as ratios between two depths,
never absolute times). Each size runs in a child process, so an abort or a stack overflow is a
test failure rather than a dead test run. Figures: ``python bench/deep_chain.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CHILD = r"""
import gc, json, resource, sys, time
import numpy as np
import oxarray as ox

depth = int(sys.argv[1])
x = ox.asarray(np.arange(4096.0), chunks=2048)
gc.collect()
# The growth is measured from the memory in use now (not from the high-water mark so far, which
# the imports may have set above it and which would hide the first megabytes of a small run).
try:
    with open("/proc/self/statm") as f:
        base = int(f.read().split()[1]) * resource.getpagesize() / 1024
except OSError:
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = {}
t0 = time.perf_counter()
y = x
for _ in range(depth):
    y = y + 1
t["build"] = time.perf_counter() - t0
def best(f, repeats=3):
    # The best of a few runs: one run of a fraction of a second is at the mercy of the machine.
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); v = f(); times.append(time.perf_counter() - t0)
    return v, min(times)
r, t["repr"] = best(lambda: repr(y))
assert "tasks=4>" in r, r  # 2 chunks read in place, 2 fused programs
e, t["explain"] = best(y.explain)
assert f"{depth} ops per element" in e, e
t0 = time.perf_counter(); out = y.compute(); t["compute"] = time.perf_counter() - t0
np.testing.assert_array_equal(out, np.arange(4096.0) + depth)
def peak_kb():
    # VmHWM is this process's own peak. ru_maxrss is not: Linux carries it across exec, so a
    # child of a big pytest process would report the parent's peak.
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t["rss_mb"] = (peak_kb() - base) / 1024
t0 = time.perf_counter(); del y, out; gc.collect(); t["drop"] = time.perf_counter() - t0
print(json.dumps(t))
"""


def _run(depth: int) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(depth)], capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 0, f"depth {depth}: exit code {r.returncode}\n{r.stderr[-3000:]}"
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def depths():
    return _run(25_000), _run(100_000)


# Four times the depth: a linear phase takes about 4x, a quadratic one 16x. The bound leaves room
# for a loaded machine; the floors keep phases of a few milliseconds from turning noise into ratios.
@pytest.mark.parametrize("phase", ["build", "repr", "explain", "compute", "drop"])
def test_time_is_linear_in_depth(depths, phase):
    small, big = depths
    assert big[phase] <= 8 * max(small[phase], 0.05), (phase, small[phase], big[phase])


def test_memory_is_linear_in_depth(depths):
    small, big = depths
    assert big["rss_mb"] <= 8 * max(small["rss_mb"], 8.0), (small["rss_mb"], big["rss_mb"])
    # A few kilobytes per link of the chain at most (nodes, fused and compiled programs).
    # Measured: 131 MB since elementwise chains are fused at the level of nodes, before any task
    # exists (626 MB when every link still made a task and a program per block).
    assert big["rss_mb"] < 300, big["rss_mb"]
