"""Benchmark case: ``np.nanmean(x, axis=0)`` of a square float64 array with 1% NaN.

NumPy copies the array to replace NaN and builds a mask; oxarray fuses ``where(isnan(x), 0, x)``
into a sum and counts the non-NaN values in a second fused reduction (no temporary); Dask's
``nanmean`` runs NumPy's per chunk. Registered in ``run.py``'s CASES as ``nanmean``.
"""

from __future__ import annotations

import numpy as np

import oxarray as ox


def case_nanmean(sizes, repeats: int):
    from run import _chunks, da, measure  # run.py's helpers (imported when the case runs)

    side = sizes.std
    rng = np.random.default_rng(7)
    a = rng.random((side, side))
    a[rng.random((side, side)) < 0.01] = np.nan
    x = ox.asarray(a, chunks="auto")
    expected = np.nanmean(a, axis=0)
    rows = [
        measure("numpy", lambda: np.nanmean(a, axis=0), expected, repeats, 1e-9),
        measure("oxarray", np.nanmean(x, axis=0).compute, expected, repeats, 1e-9),
    ]
    if da is not None:
        dmean = da.nanmean(da.from_array(a, chunks=x.chunks), axis=0)
        rows.append(
            measure("dask", lambda: dmean.compute(scheduler="threads"), expected, repeats, 1e-9)
        )
    return f"nanmean(axis=0) of {side}x{side} float64 (1% NaN), chunks {_chunks(x)}", rows
