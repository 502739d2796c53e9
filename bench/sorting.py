"""Sorting benchmarks for bench/run.py (same process, same data, ratios against NumPy).

``sort``: ``np.sort`` of 2**27 float64 chunked along the sorted axis. Where the CPU has AVX-512,
oxarray sample-sorts: it picks splitters from a sample, scatters every chunk into buckets of about
a megabyte, sorts each bucket (a radix split into sub-buckets, then its vectorized quicksort) and
gathers each output chunk's buckets (the result keeps the chunks); elsewhere it radix-sorts each chunk, cuts exact ranks between the
sorted chunks and k-way merges the ranges of each output chunk. NumPy's sort is
single-threaded; Dask has no chunked sort and must first rechunk the axis into one chunk, then sort
it with NumPy.

NumPy sorts float64 with x86-simd-sort's AVX-512 code where the CPU has AVX-512. On AMD Zen 4 that
code is several times slower than its AVX2 code (its partition stores through ``vcompresspd`` to
memory, microcoded there: numpy/x86-simd-sort#6), so ``sort`` also times NumPy in a subprocess with
its AVX-512 targets disabled (``NPY_DISABLE_CPU_FEATURES``) and takes the faster of the two as the
reference, as the linear-algebra cases take NumPy's better BLAS thread count.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

import oxarray as ox

try:
    import dask.array as da
except ImportError:
    da = None


def case_sort(sizes, repeats: int):
    from run import _chunks, measure

    n = 2**27 if sizes.sum >= 2**27 else 2**22
    a = np.random.default_rng(5).random(n)
    x = ox.asarray(a, chunks="auto")
    expected = np.sort(a)
    rows = [
        _numpy_sort_best(lambda: np.sort(a), expected, n, repeats),
        measure("oxarray", np.sort(x).compute, expected, repeats, 0),
    ]
    if da is not None:
        d = da.from_array(a, chunks=x.chunks).rechunk(-1).map_blocks(np.sort)
        rows.append(measure("dask", lambda: d.compute(scheduler="threads"), expected, repeats, 0))
    return f"np.sort of 2**{n.bit_length() - 1} float64, chunks {_chunks(x)}", rows


# NumPy's AVX-512 dispatch targets (NumPy 2.4 names); the AVX2 sort is X86_V3's.
_AVX512_TARGETS = ("X86_V4", "AVX512_ICL", "AVX512_SPR")

# Times NumPy's sort of the benchmark's data in a fresh interpreter (the dispatch is chosen when
# NumPy is imported). Prints the median seconds, or "wrong" if the result is not sorted.
_SORT_CHILD = """
import statistics, sys, time
import numpy as np
n, repeats = int(sys.argv[1]), int(sys.argv[2])
a = np.random.default_rng(5).random(n)
s = np.sort(a)
if not (s[1:] >= s[:-1]).all():
    print("wrong")
    sys.exit()
times = []
for _ in range(repeats):
    t = time.perf_counter()
    np.sort(a)
    times.append(time.perf_counter() - t)
print(statistics.median(times))
"""


def _numpy_avx512_targets() -> list[str]:
    """The AVX-512 targets NumPy found on this CPU (none on a CPU without AVX-512)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:
        return []
    return [t for t in _AVX512_TARGETS if features.get(t)]


def _numpy_sort_best(fn, expected, n: int, repeats: int):
    """NumPy's sort as dispatched here and, on an AVX-512 CPU, with AVX-512 disabled: the faster
    row, with both times in its note."""
    from run import Row, measure

    row = measure("numpy", fn, expected, repeats, 0)
    targets = _numpy_avx512_targets()
    if not targets:
        return row
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(targets))
    child = subprocess.run([sys.executable, "-c", _SORT_CHILD, str(n), str(repeats)], env=env,
                           capture_output=True, text=True, check=False)
    out = child.stdout.strip()
    if child.returncode != 0 or not out or out == "wrong":
        row.note = f"AVX2 sort not measured: {(child.stderr or out).strip()[-200:]}"
        row.ok = row.ok and out != "wrong"
        return row
    avx2 = float(out)
    note = f"AVX-512 sort: {_fmt(row.seconds)}, AVX2 sort: {_fmt(avx2)}"
    best = Row("numpy", avx2, row.ok) if avx2 < row.seconds else row
    best.note = note
    return best


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.0f} ms"


def case_median(sizes, repeats: int):
    """``np.median(x, axis=0)`` of 8192 x 8192 float64: oxarray selects the two middle order
    statistics per column (per-chunk sorts and exact co-ranks when the axis is chunked, a
    per-lane selection when it is whole); NumPy partitions a copy; Dask's median rechunks the
    axis into one chunk."""
    from run import _chunks, measure

    n = 8192 if sizes.sum >= 2**27 else 1024
    a = np.random.default_rng(6).random((n, n))
    x = ox.asarray(a, chunks="auto")
    expected = np.median(a, axis=0)
    rows = [
        measure("numpy", lambda: np.median(a, axis=0), expected, repeats, 0),
        measure("oxarray", np.median(x, axis=0).compute, expected, repeats, 0),
    ]
    if da is not None:
        d = da.median(da.from_array(a, chunks=x.chunks), axis=0)
        rows.append(measure("dask", lambda: d.compute(scheduler="threads"), expected, repeats, 0))
    return f"np.median(x, axis=0) of {n}x{n} float64, chunks {_chunks(x)}", rows


def case_searchsorted(sizes, repeats: int):
    """``np.searchsorted(a, v)`` of 2**22 random float64 ``v`` in a sorted 2**25 float64 ``a``,
    both chunked: oxarray finds each value's chunk of ``a`` from the chunks' first elements and
    binary-searches that chunk only, one task per chunk of ``v`` (``a`` is never concatenated);
    NumPy's search is single-threaded; Dask has no chunked ``a``: ``da.searchsorted`` needs ``a``
    in one chunk (rechunked here)."""
    from run import _chunks, measure

    n, m = (2**25, 2**22) if sizes.sum >= 2**27 else (2**22, 2**19)
    rng = np.random.default_rng(7)
    a = np.sort(rng.random(n))
    v = rng.random(m)
    x = ox.asarray(a, chunks="auto")
    y = ox.asarray(v, chunks=m // 8)
    expected = np.searchsorted(a, v)
    rows = [
        measure("numpy", lambda: np.searchsorted(a, v), expected, repeats, 0),
        measure("oxarray", np.searchsorted(x, y).compute, expected, repeats, 0),
    ]
    if da is not None:
        d = da.searchsorted(da.from_array(a, chunks=x.chunks).rechunk(-1),
                            da.from_array(v, chunks=y.chunks))
        rows.append(measure("dask", lambda: d.compute(scheduler="threads"), expected, repeats, 0))
    return (f"np.searchsorted of 2**{m.bit_length() - 1} float64 in a sorted "
            f"2**{n.bit_length() - 1}, chunks a {_chunks(x)} v {_chunks(y)}", rows)
