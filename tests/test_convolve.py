"""convolve, correlate and interp against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import assert_eq, chunkings, dtypes


@st.composite
def vector(draw, kinds="biufc", min_side=0, max_side=12):
    n = draw(st.integers(min_side, max_side))
    a = draw(bounded_data(draw(dtypes(kinds)), (n,)))
    return a, ox.from_array(a, chunks=draw(chunkings(a.shape)))


def _tol(an, vn) -> dict:
    """The summation order differs from NumPy's dot: bound the error by the terms' magnitude."""
    dt = np.result_type(an, vn)
    if dt.kind not in "fc":
        return {}
    scale = float(np.abs(an.astype(np.complex128)).sum() * np.abs(vn.astype(np.complex128)).sum())
    eps = float(np.finfo(dt).eps)
    return {"rtol": 8 * eps, "atol": 8 * eps * scale + 1e-300}


MODES = st.sampled_from(["full", "same", "valid", 0, 1, 2, "bad", 3])


@given(a=vector(), v=vector(), mode=MODES)
@example(a=(np.arange(5.0), ox.from_array(np.arange(5.0), chunks=2)),
         v=(np.array([1.0, 2.0]), ox.asarray(np.array([1.0, 2.0]))), mode="same")
def test_convolve(a, v, mode):
    (an, ax), (vn, vx) = a, v
    differential(lambda: np.convolve(an, vn, mode), lambda: np.convolve(ax, vx, mode),
                 **_tol(an, vn))


@given(a=vector(), v=vector(), mode=MODES)
@example(a=(np.array([1, 2, 3]), ox.asarray([1, 2, 3])),
         v=(np.array([1j, 2, 3, 4]), ox.asarray(np.array([1j, 2, 3, 4]), chunks=3)), mode="same")
def test_correlate(a, v, mode):
    (an, ax), (vn, vx) = a, v
    differential(lambda: np.correlate(an, vn, mode), lambda: np.correlate(ax, vx, mode),
                 **_tol(an, vn))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_long_signal_many_chunks(mode):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(1000)
    v = rng.standard_normal(31)
    x = ox.from_array(a, chunks=37)
    assert_eq(np.convolve(x, v, mode), np.convolve(a, v, mode), rtol=1e-10, atol=1e-12)
    assert_eq(np.correlate(x, ox.asarray(v, chunks=5), mode), np.correlate(a, v, mode),
              rtol=1e-10, atol=1e-12)
    # The shorter argument first: swapped, and for correlate reversed.
    assert_eq(np.correlate(v, x, mode), np.correlate(v, a, mode), rtol=1e-10, atol=1e-12)


def test_convolve_mixed_and_scalar_inputs():
    assert_eq(np.convolve(ox.asarray(np.int8([100, 100])), np.int8([3])),
              np.convolve(np.int8([100, 100]), np.int8([3])))
    assert_eq(np.convolve(ox.asarray([True, False]), [True, True]),
              np.convolve([True, False], [True, True]))
    assert_eq(np.convolve(ox.asarray(3), 4), np.convolve(3, 4))
    for bad in ([[1.0, 2.0]],):
        with pytest.raises(ValueError):
            np.convolve(ox.asarray(bad), [1.0])
    with pytest.raises(ValueError):
        np.correlate(ox.asarray(3.0), [1.0])
    with pytest.raises(TypeError):
        np.convolve(ox.asarray([1.0]), [1.0], None)


def test_convolve_is_lazy_and_chunked():
    x = ox.from_array(np.arange(100.0), chunks=10)
    y = np.convolve(x, np.ones(3))
    assert isinstance(y, ox.Array)
    assert y.numblocks == (11,)


@st.composite
def interp_case(draw):
    n = draw(st.integers(1, 8))
    # Strictly increasing: with repeated sample points NumPy's pick among equal ones depends on
    # the previous element's search (its guess), which a chunked run cannot follow.
    xp = np.unique(draw(bounded_data(np.float64, (n,))))
    n = len(xp)
    fdt = draw(st.sampled_from([np.float64, np.int64, np.float32, np.complex128]))
    fp = draw(bounded_data(fdt, (n,)))
    xdt = draw(st.sampled_from([np.float64, np.int32, np.float32]))
    xs = draw(bounded_data(xdt, draw(st.sampled_from([(), (0,), (7,), (3, 4)]))))
    return xs, xp, fp


@given(c=interp_case(), data=st.data())
@example(c=(np.array([np.nan, 0.0, 1.5, 3.0, 9.0]), np.array([0.0, 1.0, 2.0, 3.0]),
            np.array([1.0, -2.0, 4.0, 5.0])), data=None)
def test_interp(c, data):
    xs, xp, fp = c
    kw = {}
    if data is not None:
        if data.draw(st.booleans()):
            kw["left"] = data.draw(st.sampled_from([-1.0, 7, 2j if fp.dtype.kind == "c" else 0.5]))
        if data.draw(st.booleans()):
            kw["right"] = data.draw(st.sampled_from([np.nan, 3.0]))
        if data.draw(st.booleans()):
            kw["period"] = data.draw(st.sampled_from([360.0, 2.5, -4.0, 0]))
            if kw["period"]:
                assume(len(np.unique(xp % abs(kw["period"]))) == len(xp))
        x = ox.from_array(xs, chunks=data.draw(chunkings(xs.shape)))
        xpx = ox.from_array(xp, chunks=data.draw(chunkings(xp.shape)))
    else:
        x, xpx = ox.asarray(xs, chunks=2), ox.asarray(xp, chunks=3)
    differential(lambda: np.interp(xs, xp, fp, **kw), lambda: np.interp(x, xpx, fp, **kw))


def test_interp_errors():
    x = ox.asarray([1.0, 2.0])
    for args in (([], []), ([1.0, 2.0], [3.0]), ([[1.0, 2.0]], [[3.0, 4.0]])):
        with pytest.raises(ValueError):
            np.interp(x, *args)
    with pytest.raises(TypeError):
        np.interp(x, [1.0, 2.0], [3.0, 4.0], left=1j)
    with pytest.raises(ValueError):
        np.interp(x, [1.0, 2.0], [3.0, 4.0], period=0)
    assert_eq(np.interp(x, [1.0], [3.0]), np.interp([1.0, 2.0], [1.0], [3.0]))
