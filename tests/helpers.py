"""Differential-test plumbing shared by the test modules (NumPy is the oracle)."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest


@contextlib.contextmanager
def quiet():
    """NumPy's floating-point and deprecation chatter is not what these tests check."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def public_type(exc: BaseException) -> type[BaseException]:
    """The exception type a user is promised: NumPy's AxisError, or the built-in it derives from
    (NumPy's private ``_UFuncNoLoopError`` is promised as TypeError)."""
    from numpy.exceptions import AxisError

    if isinstance(exc, AxisError):
        return AxisError
    for t in type(exc).__mro__:
        if t.__module__ == "builtins":
            return t
    return type(exc)


def run_ox(fn):
    """Call ``fn`` and compute the result if it is an oxarray.Array (errors may come at either)."""
    import oxarray as ox

    with quiet():
        out = fn()
        if isinstance(out, ox.Array):
            out.compute()
    return out


def differential(np_fn, ox_fn, **tol):
    """Run the same computation on NumPy and oxarray; same exception type, or equal results.

    Returns the oxarray result (or None when NumPy raised).
    """
    import oxarray as ox
    from oxarray.testing import SUPPORTED_DTYPES, assert_eq

    try:
        with quiet():
            expected = np_fn()
    except Exception as exc:  # NumPy is the oracle for the exception type too
        with pytest.raises(public_type(exc)):
            run_ox(ox_fn)
        return None
    known = (*SUPPORTED_DTYPES, np.dtype("float16"))
    if isinstance(expected, (np.ndarray, np.generic)) and expected.dtype not in known:
        # NumPy computes in a dtype oxarray does not have (e.g. float16 for np.sqrt of int8):
        # oxarray must say so with NumPy's TypeError for unsupported dtypes, never substitute one.
        with pytest.raises(TypeError):
            run_ox(ox_fn)
        return None
    with quiet():
        actual = ox_fn()
    assert isinstance(actual, ox.Array), f"expected an oxarray.Array, got {type(actual).__name__}"
    if tol and np.asarray(expected).dtype == np.float16 and np.asarray(expected).size:
        # NumPy sums float16 in float16 along a strided axis (rounding at every step) and pairwise
        # in float32 along a contiguous one; oxarray accumulates in float64 and rounds once. The
        # two differ by up to one half-precision ulp per term, beyond tolerances meant for float32.
        with np.errstate(all="ignore"):
            top = float(np.nanmax(np.abs(np.asarray(expected, np.float64)), initial=1.0))
        top = top if np.isfinite(top) else 1.0
        tol = {"rtol": max(tol.get("rtol", 0), 1e-2), "atol": max(tol.get("atol", 0), 1e-2 * top)}
    with quiet():
        assert_eq(actual, expected, **tol)
    return actual


def bounded_data(dtype, shape):
    """Hypothesis arrays of finite data in [-100, 100] (integers unbounded): products and sums of
    NaN/inf depend on the order of operations, and error bounds need finite magnitudes."""
    from hypothesis import strategies as st

    from oxarray.testing import arrays

    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return arrays(dtype, shape, elements=st.floats(-100, 100, width=dtype.itemsize * 8))
    if dtype.kind == "c":
        part = st.floats(-100, 100, width=dtype.itemsize * 4)
        return arrays(dtype, shape, elements=st.builds(complex, part, part))
    return arrays(dtype, shape)
