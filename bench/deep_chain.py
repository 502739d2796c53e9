"""Deep expression chains: `y = y + 1` repeated `depth` times, as an iterative algorithm builds.

Prints, for each depth, the seconds to build the chain, to repr it, to explain it, to compute
it and to drop it, and the process's peak RSS, each depth in a fresh child process (so peaks do
not carry over). A script for figures, never an assertion; tests/test_scaling.py checks ratios.

    python bench/deep_chain.py                     # depths 1,000 10,000 25,000 100,000
    python bench/deep_chain.py 10000               # one depth
    python bench/deep_chain.py --size 1000000 10000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import gc, json, resource, sys, time
import numpy as np
import oxarray as ox

depth, size = int(sys.argv[1]), int(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
x = ox.asarray(np.arange(size, dtype=np.float64), chunks=max(1, size // 4))
t = {}
t0 = time.perf_counter()
y = x
for _ in range(depth):
    y = y + 1
t["build"] = time.perf_counter() - t0
t0 = time.perf_counter(); repr(y); t["repr"] = time.perf_counter() - t0
t0 = time.perf_counter(); y.explain(); t["explain"] = time.perf_counter() - t0
t0 = time.perf_counter(); out = y.compute(); t["compute"] = time.perf_counter() - t0
assert out[0] == depth and out[-1] == size - 1 + depth, (out[0], out[-1])
t0 = time.perf_counter(); del y; gc.collect(); t["drop"] = time.perf_counter() - t0
t["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t["base_rss_mb"] = base / 1024
print(json.dumps(t))
"""


def measure(depth: int, size: int) -> dict:
    """One depth in a child process; its phases' seconds and peak RSS (MB)."""
    r = subprocess.run([sys.executable, "-c", CHILD, str(depth), str(size)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"depth {depth}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("depths", nargs="*", type=int, default=[1_000, 10_000, 25_000, 100_000])
    p.add_argument("--size", type=int, default=10_000, help="elements of the array (4 chunks)")
    args = p.parse_args()
    print(f"y = y + 1, repeated; array of {args.size} float64 in 4 chunks")
    print(f"{'depth':>8} {'build s':>8} {'repr s':>8} {'explain s':>9} {'compute s':>9} {'drop s':>7} "
          f"{'peak RSS MB':>11}")
    for d in args.depths:
        m = measure(d, args.size)
        print(f"{d:>8} {m['build']:>8.3f} {m['repr']:>8.3f} {m['explain']:>9.3f} {m['compute']:>9.3f} "
              f"{m['drop']:>7.3f} {m['peak_rss_mb']:>11.0f}")


if __name__ == "__main__":
    main()
