"""``np.unique`` of 2**26 int64 with 1,000 distinct values (2**21 with --quick).

oxarray's time is the whole call: the distinct values are found per chunk in Rust (a dense
table or a hash set), merged in a tree and sorted — NumPy hashes in one thread and sorts the
distinct values. Dask's ``da.unique`` concatenates per-chunk ``np.unique`` results. Registered
in ``run.py``'s CASES.
"""

from __future__ import annotations

import numpy as np

import oxarray as ox


def case_unique(sizes, repeats: int):
    import run  # the shared timing helpers (run.py imports this module for its CASES)

    n = sizes.sum // 2
    a = np.random.default_rng(5).integers(0, 1000, n) * 7919 - 3_000_000
    x = ox.asarray(a, chunks="auto")
    expected = np.unique(a)
    rows = [
        run.measure("numpy", lambda: np.unique(a), expected, repeats, 0),
        run.measure("oxarray", lambda: np.unique(x).compute(), expected, repeats, 0),
    ]
    if run.da is not None:
        d = run.da.from_array(a, chunks=x.chunks)
        rows.append(run.measure("dask", lambda: run.da.unique(d).compute(scheduler="threads"),
                                expected, repeats, 0))
    return f"np.unique, 2**{n.bit_length() - 1} int64, 1000 distinct, chunks {run._chunks(x)}", rows
