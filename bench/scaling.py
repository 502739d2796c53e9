"""Scaling figures of the engine itself (no other library does these the same way, so there is no
ratio): planning and computing a graph of many chunks, refusing one of too many, and how fast
Ctrl-C stops a compute of large chunks. Each case runs in its own child process so that its peak
RSS is its own. Prints a table; asserts nothing about time.

    python bench/scaling.py            # 10**6 chunks, 512 MiB chunks for Ctrl-C
    python bench/scaling.py --quick    # 10**5 chunks, 64 MiB chunks
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap

CHUNKS = """
import json, resource, time, oxarray as ox
t = time.perf_counter()
x = ox.zeros({n}, chunks=1)
y = (x + 1).sum()
built = time.perf_counter() - t
s = float(y)
total = time.perf_counter() - t
assert s == {n}
print(json.dumps({{"built": built, "total": total,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

REFUSE = """
import json, time, oxarray as ox
t = time.perf_counter()
try:
    ox.zeros(10**7, chunks=1).sum()
    msg = "accepted"
except ValueError as e:
    msg = str(e)
print(json.dumps({"t": time.perf_counter() - t, "msg": msg}))
"""

CTRL_C = """
import json, os, signal, threading, time, oxarray as ox
x = ox.random.default_rng(0).random({n}, chunks={n})
y = ((x * 3.0 + 1.0) * x).sum()
t = time.perf_counter(); float(y); full = time.perf_counter() - t
lat = []
for _ in range(5):
    sent = {{}}
    def interrupt():
        time.sleep(full / 3)
        sent["t"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=interrupt).start()
    try:
        float(y)
    except KeyboardInterrupt:
        lat.append(time.perf_counter() - sent["t"])
print(json.dumps({{"full": full, "latencies": lat}}))
"""


def child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    n_chunks = 10**5 if args.quick else 10**6
    ctrl_c_elems = 2**23 if args.quick else 2**26
    r = child(CHUNKS.format(n=n_chunks))
    print(f"(x + 1).sum() over {n_chunks:,} chunks: build {r['built']:.2f} s, build+plan+compute "
          f"{r['total']:.2f} s, peak RSS {r['rss_mb']:.0f} MB")
    r = child(REFUSE)
    print(f"ox.zeros(10**7, chunks=1).sum(): answered in {r['t'] * 1e3:.1f} ms: {r['msg'][:90]}")
    r = child(CTRL_C.format(n=ctrl_c_elems))
    lat = r["latencies"]
    print(f"Ctrl-C during a compute of one {ctrl_c_elems * 8 >> 20} MiB chunk (uninterrupted "
          f"{r['full']:.2f} s): KeyboardInterrupt after median {statistics.median(lat) * 1e3:.0f} ms, "
          f"max {max(lat) * 1e3:.0f} ms ({len(lat)}/5 interrupted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
