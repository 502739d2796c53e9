"""Benchmark case ``einsum``: ``np.einsum("ij,jk->ik", a, b)`` against ``a @ b``.

4096x4096 float64 in 1024x1024 chunks. On oxarray the einsum lowers to the same blocked matmul
node as ``x @ y`` (the ratio of the two is printed); NumPy is timed at 1 and 2 BLAS threads
(threadpoolctl, installed by ``make bench``), ``a @ b`` and ``np.einsum(..., optimize=True)`` (its
BLAS path: NumPy's default ``optimize=False`` runs a C loop without BLAS, minutes at this size);
Dask runs ``da.einsum`` and ``@`` on the same chunks (with 1-thread BLAS in its tasks).

    python bench/run.py --only einsum
"""

from __future__ import annotations

import contextlib
import sys

import numpy as np

import oxarray as ox

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None


def _runner():
    """``run.py``'s helpers, from the running script when it is run.py (importing ``run`` there
    would make a second module with its own ``QUICK``)."""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "measure") and hasattr(main, "QUICK"):
        return main
    import run

    return run


def case_einsum(sizes, repeats: int):
    run = _runner()
    Row, _fmt_seconds, da, measure = run.Row, run._fmt_seconds, run.da, run.measure
    side, chunk = (1024, 256) if sizes is run.QUICK else (4096, 1024)
    repeats = max(1, min(repeats, 5))
    rng = np.random.default_rng(8)
    a, b = rng.random((side, side)), rng.random((side, side))
    x, y = ox.asarray(a, chunks=chunk), ox.asarray(b, chunks=chunk)
    expected = a @ b

    numpy_calls = {"numpy": lambda: a @ b,
                   "np.einsum": lambda: np.einsum("ij,jk->ik", a, b, optimize=True)}
    by_threads: dict[str, dict[int, Row]] = {name: {} for name in numpy_calls}
    # 2 threads first, then 1 for everything after: Dask's tasks, which parallelize over chunks
    # themselves, then run 1-thread BLAS instead of oversubscribing the cores.
    limits = [2, 1] if threadpool_limits is not None else [None]
    rows = []
    for t in limits:
        ctx = threadpool_limits(limits=t, user_api="blas") if t else contextlib.nullcontext()
        with ctx:
            for name, fn in numpy_calls.items():
                by_threads[name][t] = measure(name, fn, expected, repeats, 1e-9)
            if t != limits[-1]:
                continue
            for name in numpy_calls:  # NumPy at its better BLAS setting, both in the note
                best = min(by_threads[name].values(), key=lambda r: r.seconds)
                best.note = ", ".join(
                    f"{k} thread{'s' * (k > 1)}: {_fmt_seconds(r.seconds)}" if k else
                    "threadpoolctl not installed: BLAS default threads"
                    for k, r in sorted(by_threads[name].items(), key=lambda kv: kv[0] or 0))
                rows.append(best)
            rows.append(measure("ox.einsum", lambda: np.einsum("ij,jk->ik", x, y).compute(),
                                expected, repeats, 1e-9))
            rows.append(measure("ox @", lambda: (x @ y).compute(), expected, repeats, 1e-9))
            rows[-2].note = f"einsum / matmul on oxarray: {rows[-2].seconds / rows[-1].seconds:.2f}"
            if da is not None:
                da_a, da_b = da.from_array(a, chunks=chunk), da.from_array(b, chunks=chunk)
                for name, d in (("da.einsum", da.einsum("ij,jk->ik", da_a, da_b)),
                                ("dask @", da_a @ da_b)):
                    rows.append(measure(name, lambda d=d: d.compute(scheduler="threads"),
                                        expected, repeats, 1e-9))
    title = f'np.einsum("ij,jk->ik") vs @, {side}x{side} float64, chunks {run._chunks(x)}'
    return title, rows
