"""Benchmarks of oxarray against NumPy (and numexpr and Dask when they are installed).

One process, the same data for every library. Each measurement is the median of several runs
after one warm-up run (whose result is also checked against NumPy's). The table reports times and
the speed-up over NumPy (NumPy's time / the library's time: above 1 is faster). A benchmark never
asserts a time; it exits non-zero only when a library returns a wrong value.

    python bench/run.py                  # the full sizes (about 4 GiB of RAM at peak)
    python bench/run.py --quick          # small sizes, a smoke run
    python bench/run.py --only fused     # one case (fused, sum, std, overhead, random)
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

import numpy as np
from masking import case_masking  # bench/masking.py
from sorting import case_median, case_searchsorted, case_sort

import oxarray as ox

try:
    import numexpr as ne
except ImportError:
    ne = None
try:
    import dask
    import dask.array as da
except ImportError:
    dask = da = None


@dataclass
class Sizes:
    fused: int  # elements of a and b
    sum: int  # elements summed
    std: int  # side of the square matrix
    overhead: int  # side of the square matrix cut into 10x10 chunks


FULL = Sizes(fused=2**25, sum=2**27, std=8192, overhead=1000)
QUICK = Sizes(fused=2**20, sum=2**22, std=1024, overhead=300)


@dataclass
class Row:
    library: str
    seconds: float
    ok: bool
    note: str = ""


# --- timing ------------------------------------------------------------------------------------


def median_time(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls of `fn` (the caller has already warmed it up)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(library: str, fn: Callable[[], object], expected, repeats: int, rtol: float) -> Row:
    """Warm up `fn` once, check its value against `expected`, then time it."""
    got = np.asarray(fn())
    ok = got.dtype == expected.dtype and np.allclose(got, expected, rtol=rtol, atol=0)
    del got
    gc.collect()
    return Row(library, median_time(fn, repeats), ok)


# --- cases -------------------------------------------------------------------------------------


def case_fused(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """A fused elementwise expression: one pass over memory instead of five temporaries."""
    n = sizes.fused
    rng = np.random.default_rng(0)
    a, b = rng.random(n), rng.random(n)
    xa, xb = ox.asarray(a, chunks="auto"), ox.asarray(b, chunks="auto")
    expr = 2 * xa + 3 * xb * xb - np.sqrt(xa)
    expected = 2 * a + 3 * b * b - np.sqrt(a)
    rows = [
        measure("numpy", lambda: 2 * a + 3 * b * b - np.sqrt(a), expected, repeats, 1e-12),
        measure("oxarray", expr.compute, expected, repeats, 1e-12),
    ]
    if ne is not None:
        run = lambda: ne.evaluate("2*a + 3*b*b - sqrt(a)", local_dict={"a": a, "b": b})
        rows.append(measure("numexpr", run, expected, repeats, 1e-12))
    if da is not None:
        da_a, da_b = da.from_array(a, chunks=xa.chunks), da.from_array(b, chunks=xb.chunks)
        dexpr = 2 * da_a + 3 * da_b * da_b - da.sqrt(da_a)
        rows.append(
            measure("dask", lambda: dexpr.compute(scheduler="threads"), expected, repeats, 1e-12)
        )
    title = f"2*a + 3*b*b - sqrt(a), 2**{n.bit_length() - 1} float64, chunks {_chunks(xa)}"
    return title, rows


def case_sum(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """A full reduction of a large array: memory bandwidth and the reduction tree."""
    n = sizes.sum
    a = np.random.default_rng(1).random(n)
    x = ox.asarray(a, chunks="auto")
    expected = np.asarray(a.sum())
    rows = [
        measure("numpy", lambda: a.sum(), expected, repeats, 1e-9),
        measure("oxarray", np.sum(x).compute, expected, repeats, 1e-9),
    ]
    if da is not None:
        dsum = da.from_array(a, chunks=x.chunks).sum()
        rows.append(
            measure("dask", lambda: dsum.compute(scheduler="threads"), expected, repeats, 1e-9)
        )
    # The yardstick: a plain summing loop over the same number of bytes, on 1 and 2 threads.
    bw = ox._core.memory_bandwidth(n, repeats)
    nbytes = n * a.itemsize
    for row in rows:
        row.note = (f"{nbytes / row.seconds / 1e9:5.1f} GB/s, "
                    f"{bw['read_2'] * 1e9 * row.seconds / nbytes:.2f}x the read loop's time")
    rows.append(Row("read loop", nbytes / (bw["read_2"] * 1e9), True,
                    f"{bw['read_2']:5.1f} GB/s on 2 threads ({bw['read_1']:.1f} on 1); "
                    f"write {bw['write']:.1f}, copy {bw['copy']:.1f}, "
                    f"write to fresh pages {bw['fresh_write']:.1f} GB/s"))
    return f"sum of 2**{n.bit_length() - 1} float64, chunks {_chunks(x)}", rows


def case_std(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """A reduction along one axis that needs two moments (Chan's parallel variance)."""
    side = sizes.std
    a = np.random.default_rng(2).random((side, side))
    x = ox.asarray(a, chunks="auto")
    expected = a.std(axis=0)
    rows = [
        measure("numpy", lambda: a.std(axis=0), expected, repeats, 1e-9),
        measure("oxarray", np.std(x, axis=0).compute, expected, repeats, 1e-9),
    ]
    if da is not None:
        dstd = da.from_array(a, chunks=x.chunks).std(axis=0)
        rows.append(
            measure("dask", lambda: dstd.compute(scheduler="threads"), expected, repeats, 1e-9)
        )
    return f"std(axis=0) of {side}x{side} float64, chunks {_chunks(x)}", rows


def case_overhead(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """Per-task overhead: tiny 10x10 chunks, timed end to end (graph building + compute)."""
    side = sizes.overhead
    a = np.random.default_rng(3).random((side, side))
    x = ox.asarray(a, chunks=(10, 10))
    nchunks = x.npartitions
    expected = np.asarray((a + 1).sum())
    rows = [
        measure("numpy", lambda: (a + 1).sum(), expected, repeats, 1e-9),
        measure("oxarray", lambda: (x + 1).sum().compute(), expected, repeats, 1e-9),
    ]
    if da is not None:
        d = da.from_array(a, chunks=(10, 10))
        run = lambda: (d + 1).sum().compute(scheduler="threads")
        # Dask takes milliseconds per hundred tasks here: fewer repeats keep the run short.
        rows.append(measure("dask", run, expected, max(1, min(repeats, 3)), 1e-9))
    for row in rows[1:]:
        row.note = f"{row.seconds / nchunks * 1e6:.2f} µs/chunk"
    graph = next((line for line in (x + 1).sum().explain().splitlines() if line.startswith("graph memory")), "")
    if graph:
        rows[1].note += f"; {graph}"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"(x + 1).sum() of {side}x{side} in 10x10 chunks ({nchunks} chunks); load average {load}", rows


def case_random(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """Uniform float64 in [0, 1) (as many as the fused case). The generators differ (oxarray:
    counter-based Philox; NumPy: PCG64; Dask: per-chunk NumPy generators), so each result is
    checked for its shape, dtype, range and mean instead of against NumPy's values."""
    n = sizes.fused
    x = ox.random.default_rng(0).random(n)

    def check(library: str, fn: Callable[[], object]) -> Row:
        got = np.asarray(fn())
        ok = (got.shape == (n,) and got.dtype == np.float64 and got.min() >= 0
              and got.max() < 1 and abs(got.mean() - 0.5) < 0.01)  # fmt: skip
        del got
        gc.collect()
        return Row(library, median_time(fn, repeats), ok)

    rows = [
        check("numpy", lambda: np.random.default_rng(0).random(n)),
        check("oxarray", lambda: ox.random.default_rng(0).random(n).compute()),
    ]
    if da is not None:
        run = lambda: da.random.default_rng(0).random(n, chunks=x.chunks).compute(
            scheduler="threads")
        rows.append(check("dask", run))
    for row in rows:
        row.note = f"{n / row.seconds / 1e6:.0f} M values/s"
    return f"default_rng(0).random(2**{n.bit_length() - 1}) float64, chunks {_chunks(x)}", rows


def _svd_case(name: str, shape: tuple[int, int], chunks: tuple[int, int], repeats: int, seed: int):
    """An SVD through np.linalg.svd (TSQR on oxarray and Dask; LAPACK gesdd for NumPy, reduced
    factors so every library returns the same shapes). Checked on the singular values."""
    a = np.random.default_rng(seed).random(shape)
    x = ox.asarray(a, chunks=chunks)
    u, s, v = np.linalg.svd(x)
    expected = np.linalg.svd(a, compute_uv=False)
    rows = [
        _numpy_best("numpy", lambda: np.linalg.svd(a, full_matrices=False)[1], expected, repeats,
                    1e-9),
        measure("oxarray", lambda: ox.compute(u, s, v)[1], expected, repeats, 1e-9),
    ]
    if da is not None:
        du, ds, dv = da.linalg.svd(da.from_array(a, chunks=chunks))
        run = lambda: dask.compute(du, ds, dv, scheduler="threads")[1]
        rows.append(measure("dask", run, expected, repeats, 1e-9))
    title = f"{name}: u, s, vh = svd of {shape[0]}x{shape[1]} float64, chunks {_chunks(x)}"
    return f"{title}; load average {_loadavg()}", rows


def _numpy_best(*args) -> Row:
    """NumPy at 1 and 2 BLAS threads, the faster row (bench/workflows.py's helper)."""
    from workflows import _numpy_best as best

    return best(*args)


def case_svd(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """The walkthrough's SVD: 5000x1000 in 1000x1000 chunks (square blocks: TSQR's hard case)."""
    quick = sizes is QUICK
    shape, chunks = ((1000, 200), (200, 200)) if quick else ((5000, 1000), (1000, 1000))
    return _svd_case("svd", shape, chunks, min(repeats, 3), 4)


def case_svd_tall(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """A tall-skinny SVD, TSQR's home ground: 200000x100 in 10000x100 chunks."""
    quick = sizes is QUICK
    shape, chunks = ((20000, 100), (1000, 100)) if quick else ((200000, 100), (10000, 100))
    return _svd_case("svd_tall", shape, chunks, repeats, 5)


def case_matmul(sizes: Sizes, repeats: int) -> tuple[str, list[Row]]:
    """A square matrix product (block GEMMs summed over the contracted axis)."""
    side = 1024 if sizes is QUICK else 4096
    rng = np.random.default_rng(6)
    a, b = rng.random((side, side)), rng.random((side, side))
    x, y = ox.asarray(a, chunks="auto"), ox.asarray(b, chunks="auto")
    expected = a @ b
    rows = [
        _numpy_best("numpy", lambda: a @ b, expected, min(repeats, 3), 1e-9),
        measure("oxarray", (x @ y).compute, expected, min(repeats, 3), 1e-9),
    ]
    if da is not None:
        dprod = da.from_array(a, chunks=x.chunks) @ da.from_array(b, chunks=y.chunks)
        run = lambda: dprod.compute(scheduler="threads")
        rows.append(measure("dask", run, expected, min(repeats, 3), 1e-9))
    title = f"matmul {side}x{side} @ {side}x{side} float64, chunks {_chunks(x)}"
    return f"{title}; load average {_loadavg()}", rows


def _loadavg() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


from einsum import case_einsum  # noqa: E402  (bench/einsum.py)
from fft import case_fft  # noqa: E402  (bench/fft.py)
from nan import case_nanmean, case_nanstd  # noqa: E402
from scans import case_scan  # noqa: E402  (bench/scans.py)
from sets import case_unique  # noqa: E402  (bench/sets.py)
from signal_cases import case_convolve, case_interp  # noqa: E402  (bench/signal_cases.py)
from workflows import (  # noqa: E402  (bench/workflows.py)
    case_broadcast,
    case_gram,
    case_latency,
    case_standardize,
)

CASES = {"fused": case_fused, "sum": case_sum, "std": case_std, "overhead": case_overhead,
         "random": case_random, "svd": case_svd, "svd_tall": case_svd_tall, "matmul": case_matmul,
         "masking": case_masking, "sort": case_sort, "median": case_median,
         "searchsorted": case_searchsorted,
         "nanmean": case_nanmean, "fft": case_fft, "einsum": case_einsum, "unique": case_unique,
         "scan": case_scan, "nanstd": case_nanstd, "convolve": case_convolve,
         "interp": case_interp, "standardize": case_standardize, "broadcast": case_broadcast,
         "gram": case_gram, "latency": case_latency}


# --- report ------------------------------------------------------------------------------------


def _chunks(x) -> str:
    return "(" + ", ".join(str(c[0]) for c in x.chunks) + ")" + f" x{x.npartitions}"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def print_header(repeats: int) -> None:
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"machine: {platform.machine()}, {cores} logical cores ({usable} usable), "
          f"{platform.system()} {platform.release()}")  # fmt: skip
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"oxarray {_version('oxarray')}, numexpr {_version('numexpr')}, dask {_version('dask')}")  # fmt: skip
    if ne is not None:
        print(f"numexpr threads: {ne.get_num_threads()}")
    print(f"median of {repeats} runs after one warm-up; speed-up = NumPy time / time "
          f"(> 1: faster than NumPy)")  # fmt: skip
    print()


def print_case(title: str, rows: list[Row]) -> None:
    numpy_seconds = next(r.seconds for r in rows if r.library == "numpy")
    print(title)
    for r in rows:
        speedup = numpy_seconds / r.seconds
        check = "" if r.ok else "  WRONG VALUE"
        print(f"  {r.library:<9} {_fmt_seconds(r.seconds):>10}  {speedup:7.2f}x  {r.note}{check}")
    print(flush=True)


def _fmt_seconds(s: float) -> str:
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--only", action="append", choices=sorted(CASES), metavar="NAME",
                        help=f"run only this case (repeatable): {', '.join(CASES)}")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per measurement")
    args = parser.parse_args(argv)

    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or (3 if args.quick else 7)
    print_header(repeats)
    wrong = []
    for name in args.only or list(CASES):
        title, rows = CASES[name](sizes, repeats)
        print_case(title, rows)
        wrong += [f"{name}/{r.library}" for r in rows if not r.ok]
        gc.collect()  # each case's arrays are gone before the next one allocates
    if wrong:
        print(f"wrong values: {', '.join(wrong)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
