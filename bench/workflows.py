"""Benchmark cases of the statistics/ML workflow (issue 14): centre, scale, Gram matrix, and the
latency of tiny computations.

- ``standardize``: ``z = (x - x.mean(0)) / x.std(0); z.T @ z / n`` of 2,000,000 x 50 float64 in
  100,000-row chunks (NumPy, Dask, oxarray on the same data);
- ``broadcast``: ``(x - m) / s`` with ``m``, ``s`` rows of 50, against ``x * 2`` on the same data
  (a broadcast operand should cost no more than a same-shape one; the ratio is printed);
- ``gram``: ``x.T @ x`` of the same array, persisted (NumPy's ``a.T @ a`` is a SYRK);
- ``latency``: ``np.sum(x).compute()`` of 8 elements and ``(x + 1).compute()`` of one chunk.

NumPy is timed at 1 and 2 BLAS threads (threadpoolctl, installed by ``make bench``); the better
one is the reference, both are in the note. The machine's load average is printed with each table
(this machine is shared).

    python bench/run.py --only standardize --only broadcast --only gram --only latency
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np

import oxarray as ox

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None


def _runner():
    """``run.py``'s helpers (see bench/einsum.py for why not a plain import)."""
    main = sys.modules.get("__main__")
    if main is not None and hasattr(main, "measure") and hasattr(main, "QUICK"):
        return main
    import run

    return run


def _load() -> str:
    try:
        return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "load average unknown"


def _numpy_best(name, fn, expected, repeats, rtol):
    """NumPy at 1 and 2 BLAS threads; the faster row, with both times in its note."""
    run = _runner()
    limits = [1, 2] if threadpool_limits is not None else [None]
    by = {}
    for t in limits:
        ctx = threadpool_limits(limits=t, user_api="blas") if t else contextlib.nullcontext()
        with ctx:
            by[t] = run.measure(name, fn, expected, repeats, rtol)
    best = min(by.values(), key=lambda r: r.seconds)
    best.note = ", ".join(
        f"{k} BLAS thread{'s' * (k > 1)}: {run._fmt_seconds(r.seconds)}" if k
        else "threadpoolctl not installed" for k, r in by.items())
    return best


def _tall(sizes):
    run = _runner()
    return (200_000, 50, 10_000) if sizes is run.QUICK else (2_000_000, 50, 100_000)


def case_standardize(sizes, repeats: int):
    run = _runner()
    n, p, c = _tall(sizes)
    repeats = max(1, min(repeats, 5))
    a = np.random.default_rng(14).random((n, p))
    x = ox.asarray(a, chunks=(c, p))

    def np_cov():
        z = (a - a.mean(0)) / a.std(0)
        return z.T @ z / n

    def ox_cov():
        z = (x - x.mean(0)) / x.std(0)
        return (z.T @ z / n).compute()

    expected = np_cov()
    rows = [_numpy_best("numpy", np_cov, expected, repeats, 1e-9),
            run.measure("oxarray", ox_cov, expected, repeats, 1e-9)]
    if run.da is not None:
        d = run.da.from_array(a, chunks=(c, p))

        def da_cov():
            z = (d - d.mean(0)) / d.std(0)
            return (z.T @ z / n).compute(scheduler="threads")

        with (threadpool_limits(limits=1, user_api="blas") if threadpool_limits
              else contextlib.nullcontext()):
            rows.append(run.measure("dask", da_cov, expected, repeats, 1e-9))
        rows[1].note = f"{rows[2].seconds / rows[1].seconds:.2f}x dask"
    title = (f"standardize + covariance: z = (x - mean)/std; z.T @ z / n, {n}x{p} float64, "
             f"chunks ({c}, {p}); {_load()}")
    return title, rows


def case_broadcast(sizes, repeats: int):
    run = _runner()
    n, p, c = _tall(sizes)
    rng = np.random.default_rng(15)
    a = rng.random((n, p))
    m, s = rng.random(p), rng.random(p) + 0.5
    x = ox.asarray(a, chunks=(c, p))
    xm, xs = ox.asarray(m), ox.asarray(s)
    expected = (a - m) / s
    rows = [run.measure("numpy", lambda: (a - m) / s, expected, repeats, 1e-12),
            run.measure("oxarray", ((x - xm) / xs).compute, expected, repeats, 1e-12)]
    twice = run.measure("ox x*2", (x * 2).compute, a * 2, repeats, 1e-12)
    rows[1].note = f"{rows[1].seconds / twice.seconds:.2f}x the time of x * 2"
    twice.note = "the same data, no broadcast operand"
    rows.append(twice)
    if run.da is not None:
        d = run.da.from_array(a, chunks=(c, p))
        rows.append(run.measure("dask", lambda: ((d - m) / s).compute(scheduler="threads"),
                                expected, repeats, 1e-12))
    return f"(x - m) / s, m and s rows of {p}, {n}x{p} float64; {_load()}", rows


def case_gram(sizes, repeats: int):
    run = _runner()
    n, p, c = _tall(sizes)
    a = np.random.default_rng(16).random((n, p))
    x = ox.asarray(a, chunks=(c, p))
    expected = a.T @ a
    rows = [_numpy_best("numpy", lambda: a.T @ a, expected, repeats, 1e-9),
            run.measure("oxarray", (x.T @ x).compute, expected, repeats, 1e-9)]
    if run.da is not None:
        d = run.da.from_array(a, chunks=(c, p))
        with (threadpool_limits(limits=1, user_api="blas") if threadpool_limits
              else contextlib.nullcontext()):
            rows.append(run.measure("dask", lambda: (d.T @ d).compute(scheduler="threads"),
                                    expected, repeats, 1e-9))
    return f"x.T @ x, {n}x{p} float64 persisted, chunks ({c}, {p}); {_load()}", rows


def case_latency(sizes, repeats: int):
    """Small-array latency: per call, end to end (graph built and computed)."""
    run = _runner()
    repeats = max(repeats, 200)
    a = np.arange(8.0)
    x = ox.asarray(a)
    rows = [run.measure("numpy", lambda: np.sum(a), np.sum(a), repeats, 1e-12),
            run.measure("oxarray", lambda: np.sum(x).compute(), np.sum(a), repeats, 1e-12)]
    build = run._fmt_seconds(run.median_time(lambda: np.sum(x), repeats))
    rows[1].note = f"np.sum(x).compute(), 8 elements (node build {build})"
    b = np.arange(1000.0)
    y = ox.asarray(b)
    one = run.measure("ox x+1", lambda: (y + 1).compute(), b + 1, repeats, 1e-12)
    build = run._fmt_seconds(run.median_time(lambda: y + 1, repeats))
    one.note = "(x + 1).compute(), one chunk of 1000 (NumPy: " + run._fmt_seconds(
        run.median_time(lambda: b + 1, repeats)) + f"; node build {build})"
    rows.append(one)
    return f"small-array latency; {_load()}", rows
