"""Larger than memory: a streamed random sum and standard deviation over many GiB, oxarray under a
memory limit against dask.array, each run in its own child process so its peak RSS is its own
(time and peak RSS above the interpreter's baseline). Medians of the repeats; ratios are Dask's
time over ours. Prints a table; asserts nothing about time.

    python bench/streaming.py                  # 16 GiB, 128 MiB chunks, limit 1 GiB, 3 repeats
    python bench/streaming.py --gib 2 --repeats 1
    python bench/streaming.py --gib 32 --only ox-sum    # the 32 GiB must-show
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

PRELUDE = """
import json, resource, time
import numpy as np
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

CASES = {
    "ox-sum": """
import oxarray as ox
ox.config.set(memory_limit="{limit}")
t = time.perf_counter()
x = ox.random.random({n}, chunks={c})
r = float(np.sum(x).compute())
""",
    "dask-sum": """
import dask, dask.array as da
t = time.perf_counter()
x = da.random.random({n}, chunks={c})
r = float(x.sum().compute())
""",
    "ox-std": """
import oxarray as ox
ox.config.set(memory_limit="{limit}")
t = time.perf_counter()
x = ox.random.random({n}, chunks={c})
r = float(np.std(x).compute())
""",
    "dask-std": """
import dask, dask.array as da
t = time.perf_counter()
x = da.random.random({n}, chunks={c})
r = float(x.std().compute())
""",
}

EPILOGUE = """
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"t": dt, "rss_mib": peak - base, "r": r}))
"""


def run(name: str, n: int, c: int, limit: str) -> dict:
    code = PRELUDE + CASES[name].format(n=n, c=c, limit=limit) + EPILOGUE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--gib", type=float, default=16)
    p.add_argument("--chunk-mib", type=float, default=128)
    p.add_argument("--limit", default="1 GiB")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", action="append")
    a = p.parse_args()
    n = int(a.gib * 2**30) // 8
    c = int(a.chunk_mib * 2**20) // 8
    names = a.only or list(CASES)
    print(f"{a.gib:g} GiB of float64 in {a.chunk_mib:g} MiB chunks; oxarray memory_limit {a.limit}")
    print(f"{'case':<10} {'median s':>9} {'peak MiB':>9}  result")
    rows = {}
    for name in names:
        if name.startswith("dask"):
            try:
                import dask.array  # noqa: F401
            except ImportError:
                print(f"{name:<10} skipped (dask not installed)")
                continue
        runs = [run(name, n, c, a.limit) for _ in range(a.repeats)]
        if any("error" in r for r in runs):
            print(f"{name:<10} error: {next(r['error'] for r in runs if 'error' in r)}")
            continue
        t = statistics.median(r["t"] for r in runs)
        rss = max(r["rss_mib"] for r in runs)
        rows[name] = t
        print(f"{name:<10} {t:9.2f} {rss:9.0f}  {runs[0]['r']:.6g}")
    for op in ("sum", "std"):
        if f"ox-{op}" in rows and f"dask-{op}" in rows:
            print(f"{op}: oxarray {rows[f'dask-{op}'] / rows[f'ox-{op}']:.2f}x dask.array")


if __name__ == "__main__":
    main()
