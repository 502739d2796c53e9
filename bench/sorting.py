"""Sorting benchmarks for bench/run.py (same process, same data, ratios against NumPy).

``sort``: ``np.sort`` of 2**27 float64 chunked along the sorted axis. oxarray sorts each chunk,
cuts exact ranks between the sorted chunks and merges per output chunk (the result keeps the
chunks); NumPy's sort is single-threaded; Dask has no chunked sort and must first rechunk the
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
