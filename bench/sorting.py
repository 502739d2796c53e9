"""Sorting benchmarks for bench/run.py (same process, same data, ratios against NumPy).

``sort``: ``np.sort`` of 2**27 float64 chunked along the sorted axis. oxarray radix-sorts each
chunk, cuts exact ranks between the sorted chunks and k-way merges the ranges of each output chunk
(the result keeps the chunks); NumPy's sort is single-threaded; Dask has no chunked sort and must first rechunk the
axis into one chunk, then sort it with NumPy.
"""

from __future__ import annotations

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
        measure("numpy", lambda: np.sort(a), expected, repeats, 0),
        measure("oxarray", np.sort(x).compute, expected, repeats, 0),
    ]
    if da is not None:
        d = da.from_array(a, chunks=x.chunks).rechunk(-1).map_blocks(np.sort)
        rows.append(measure("dask", lambda: d.compute(scheduler="threads"), expected, repeats, 0))
    return f"np.sort of 2**{n.bit_length() - 1} float64, chunks {_chunks(x)}", rows


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
