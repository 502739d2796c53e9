"""Benchmark case: ``np.cumsum`` of 2**26 float64 cut into many chunks (``scan`` in run.py).

NumPy's cumsum is one sequential pass on one core. oxarray folds every chunk to its total in
parallel, carries the totals along the chunks (tiny tasks) and scans each chunk from its
carry-in, all chunks at once: the data is read twice and written once, and the axis is never
gathered. Dask's ``cumsum`` scans each chunk with NumPy, then adds the carried totals in a second
pass over every chunk.
"""

from __future__ import annotations

import numpy as np

import oxarray as ox


def case_scan(sizes, repeats: int):
    from run import _chunks, da, measure  # run.py's helpers (imported when the case runs)

    n = 2**26 if sizes.sum >= 2**27 else 2**22
    a = np.random.default_rng(11).random(n)
    x = ox.asarray(a, chunks=n // 64)
    expected = np.cumsum(a)
    rows = [
        measure("numpy", lambda: np.cumsum(a), expected, repeats, 1e-9),
        measure("oxarray", np.cumsum(x).compute, expected, repeats, 1e-9),
    ]
    if da is not None:
        d = da.cumsum(da.from_array(a, chunks=x.chunks))
        rows.append(measure("dask", lambda: d.compute(scheduler="threads"), expected, repeats, 1e-9))
    return f"np.cumsum of 2**{n.bit_length() - 1} float64, chunks {_chunks(x)}", rows
