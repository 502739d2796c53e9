"""Boolean-mask selection: ``x[x > 0.5].sum()`` of 2**27 float64 (2**22 with --quick).

oxarray's time includes everything: the size pass at the call (the mask computed, kept and
counted per chunk), then the lazy compress and the sum. Registered in ``run.py``'s CASES.
"""

from __future__ import annotations

import numpy as np

import oxarray as ox


def case_masking(sizes, repeats: int):
    import run  # the shared timing helpers (run.py imports this module for its CASES)

    n = sizes.sum
    a = np.random.default_rng(4).random(n)
    x = ox.asarray(a, chunks="auto")
    expected = np.asarray(a[a > 0.5].sum())
    rows = [
        run.measure("numpy", lambda: a[a > 0.5].sum(), expected, repeats, 1e-9),
        run.measure("oxarray", lambda: x[x > 0.5].sum().compute(), expected, repeats, 1e-9),
    ]
    if run.da is not None:
        d = run.da.from_array(a, chunks=x.chunks)
        rows.append(run.measure("dask", lambda: d[d > 0.5].sum().compute(scheduler="threads"),
                                expected, repeats, 1e-9))
    return f"x[x > 0.5].sum(), 2**{n.bit_length() - 1} float64, chunks {run._chunks(x)}", rows
