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
