"""Benchmark case ``fft`` for ``bench/run.py``: ``np.fft.fft`` along a chunked axis.

A 1-d complex128 array of 2**26 points (1 GiB) in ``chunks="auto"`` blocks. NumPy transforms the
in-memory array (pocketfft, one thread); oxarray takes the same ``np.fft.fft(x)`` call on the
chunked lazy array (NEP 18) and runs a four-step FFT over the chunks; dask.array refuses an axis
split across chunks, so it is given the rechunk it requires (``rechunk({0: -1})``) and then runs
NumPy's FFT on the one block. Timed end to end (graph building, compute, result as NumPy).

    python bench/run.py --only fft
"""

from __future__ import annotations

import sys

import numpy as np

import oxarray as ox


def _runner():
    """``run.py``'s helpers (``measure``, ``Row``), from the running script when it is run.py."""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "measure") and hasattr(main, "QUICK"):
        return main
    import run

    return run


def case_fft(sizes, repeats: int):
    run = _runner()
    n = 2**20 if sizes is run.QUICK else 2**26
    repeats = max(1, min(repeats, 3))  # NumPy takes seconds per run at 2**26
    rng = np.random.default_rng(7)
    a = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    x = ox.asarray(a, chunks="auto")
    expected = np.fft.fft(a)
    rows = [
        run.measure("numpy", lambda: np.fft.fft(a), expected, repeats, 1e-8),
        run.measure("oxarray", lambda: np.fft.fft(x).compute(), expected, repeats, 1e-8),
    ]
    if run.da is not None:
        d = run.da.from_array(a, chunks=x.chunks)
        dfft = run.da.fft.fft(d.rechunk({0: -1}))
        rows.append(run.measure("dask", lambda: dfft.compute(scheduler="threads"), expected,
                                repeats, 1e-8))
        rows[-1].note = "after rechunk({0: -1})"
    title = f"np.fft.fft of 2**{n.bit_length() - 1} complex128, chunks {run._chunks(x)}"
    return title, rows
