"""``np.convolve`` of a 2**24 float64 signal with a 101-tap kernel, and ``np.interp`` at 2**24
points among 1,000 samples (2**19 with --quick).

oxarray computes each output chunk in Rust from the signal chunks its window overlaps (direct
convolution, tap-major over cache-sized tiles) and interpolates per chunk of ``x``. NumPy runs one
thread. Dask has no ``convolve``: its idiom is ``map_overlap`` of ``np.convolve(..., 'same')``
with a 50-element halo (the same values for an odd kernel); ``interp`` is ``map_blocks(np.interp)``.
Registered in ``run.py``'s CASES.
"""

from __future__ import annotations

import numpy as np

import oxarray as ox


def _measure(library, fn, expected, repeats: int, atol: float):
    """``run.measure`` with an absolute tolerance: a direct convolution sums its products in
    another order than NumPy's dot, so outputs near zero differ by rounding, not relatively."""
    import run

    got = np.asarray(fn())
    ok = got.dtype == expected.dtype and np.allclose(got, expected, rtol=1e-9, atol=atol)
    del got
    return run.Row(library, run.median_time(fn, repeats), ok)


def case_convolve(sizes, repeats: int):
    import run

    n = sizes.fused // 2
    rng = np.random.default_rng(7)
    a = rng.standard_normal(n)
    k = rng.standard_normal(101)
    x = ox.asarray(a, chunks="auto")
    expected = np.convolve(a, k, "same")
    atol = 1e-12 * float(np.abs(k).sum()) * 10  # |a| < 10: the products' magnitude, rounded
    rows = [
        _measure("numpy", lambda: np.convolve(a, k, "same"), expected, repeats, atol),
        _measure("oxarray", lambda: np.convolve(x, k, "same").compute(), expected, repeats, atol),
    ]
    if run.da is not None:
        d = run.da.from_array(a, chunks=x.chunks)
        conv = d.map_overlap(lambda b: np.convolve(b, k, "same"), depth=50, boundary=0,
                             dtype=np.float64)
        rows.append(_measure("dask", lambda: conv.compute(scheduler="threads"), expected,
                             repeats, atol))
    return (f"np.convolve(x, 101 taps, 'same'), 2**{n.bit_length() - 1} float64, "
            f"chunks {run._chunks(x)}"), rows


def case_interp(sizes, repeats: int):
    import run

    n = sizes.fused // 2
    rng = np.random.default_rng(8)
    a = rng.random(n)
    xp = np.linspace(0.0, 1.0, 1000)
    fp = np.sin(7 * xp)
    x = ox.asarray(a, chunks="auto")
    expected = np.interp(a, xp, fp)
    rows = [
        run.measure("numpy", lambda: np.interp(a, xp, fp), expected, repeats, 1e-12),
        run.measure("oxarray", lambda: np.interp(x, xp, fp).compute(), expected, repeats, 1e-12),
    ]
    if run.da is not None:
        d = run.da.from_array(a, chunks=x.chunks)
        res = d.map_blocks(np.interp, xp, fp, dtype=np.float64)
        rows.append(run.measure("dask", lambda: res.compute(scheduler="threads"), expected,
                                repeats, 1e-12))
    return (f"np.interp(x, 1000 samples), 2**{n.bit_length() - 1} float64, "
            f"chunks {run._chunks(x)}"), rows
