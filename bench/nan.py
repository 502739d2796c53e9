"""Benchmark cases: ``np.nanmean(x, axis=0)`` and ``np.nanstd(x, axis=0)`` of a square float64
array with 1% NaN.

NumPy copies the array to replace NaN and builds a mask; oxarray's ``nanmean`` kernel sums and
counts the non-NaN values in one pass over each chunk (reduce/nan_moments.rs; ``nanstd`` adds a
second pass for the squared deviations, per chunk); Dask's ``nanmean`` runs NumPy's per chunk.
Registered in ``run.py``'s CASES as ``nanmean`` and ``nanstd``.
"""

from __future__ import annotations

import numpy as np

import oxarray as ox


def _case(name: str, sizes, repeats: int):
    from run import _chunks, da, measure  # run.py's helpers (imported when the case runs)

    side = sizes.std
    rng = np.random.default_rng(7)
    a = rng.random((side, side))
    a[rng.random((side, side)) < 0.01] = np.nan
    x = ox.asarray(a, chunks="auto")
    f = getattr(np, name)
    expected = f(a, axis=0)
    rows = [
        measure("numpy", lambda: f(a, axis=0), expected, repeats, 1e-9),
        measure("oxarray", f(x, axis=0).compute, expected, repeats, 1e-9),
    ]
    if da is not None:
        lazy = getattr(da, name)(da.from_array(a, chunks=x.chunks), axis=0)
        rows.append(
            measure("dask", lambda: lazy.compute(scheduler="threads"), expected, repeats, 1e-9)
        )
    return f"{name}(axis=0) of {side}x{side} float64 (1% NaN), chunks {_chunks(x)}", rows


def case_nanmean(sizes, repeats: int):
    return _case("nanmean", sizes, repeats)


def case_nanstd(sizes, repeats: int):
    return _case("nanstd", sizes, repeats)
