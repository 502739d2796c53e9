"""Reductions (sum, prod, min, max, mean, var, std, any, all, argmin, argmax) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.exceptions import AxisError

import oxarray as ox
from helpers import differential, quiet, run_ox
from oxarray.testing import arrays, assert_eq, axes, chunkings, dtypes, shapes

REDUCTIONS = ["sum", "prod", "min", "max", "mean", "var", "std", "any", "all", "argmin", "argmax"]
EPS = {"f": np.finfo(np.float32).eps, "d": np.finfo(np.float64).eps}


def reduction_data(dtype, shape, *, small=False, finite=False, small_ints=False):
    """Data whose reductions have a well-defined answer up to summation order: finite values of
    bounded size (plus NaN/inf, which propagate the same in any order).

    ``small`` is for products: magnitudes in {0} or [0.5, 2], so that no partial product of up
    to 125 factors over- or underflows (which would make inf * 0 -> NaN depend on the order).
    """
    dtype = np.dtype(dtype)
    specials = [0.0, -0.0] if finite else [np.nan, np.inf, -np.inf, 0.0, -0.0]
    if dtype.kind == "f":
        width = dtype.itemsize * 8
        if small:
            mag = st.floats(0.5, 2.0, width=width)
            body = st.builds(lambda m, neg: -m if neg else m, mag, st.booleans())
        else:
            # No tiny magnitudes: squares that underflow in float32 make NumPy's var/std differ
            # from a more accurate result by far more than any relative tolerance.
            body = st.floats(-1e4, 1e4, width=width).filter(lambda v: v == 0 or abs(v) >= 1e-3)
        return arrays(dtype, shape, elements=st.one_of(body, st.sampled_from(specials)))
    if dtype.kind == "c":
        if small:
            elements = st.builds(lambda r, t: complex(r * np.cos(t), r * np.sin(t)),
                                 st.floats(0.7, 1.4), st.floats(-3.14, 3.14))
        else:
            part = st.floats(-1e4, 1e4, width=dtype.itemsize * 4).filter(
                lambda v: v == 0 or abs(v) >= 1e-3)
            elements = st.builds(complex, part, part)
        return arrays(dtype, shape, elements=elements)
    if small_ints and dtype.kind in "iu":
        return arrays(dtype, shape, elements=st.integers(0 if dtype.kind == "u" else -2, 2))
    return arrays(dtype, shape)


def tolerance(name, a, axis):
    """Error bound for a reduction computed in another order: n*eps*sum(|x|) (Higham)."""
    with quiet():
        res = np.result_type(a.dtype, np.float64 if a.dtype.kind in "biu" else a.dtype)
        if res.kind not in "fc":
            return {}
        eps = float(np.finfo(res).eps)
        if a.dtype in (np.dtype("float32"), np.dtype("complex64")) and name in ("sum", "prod",
                                                                                   "mean"):
            eps = float(np.finfo(np.float32).eps)
        finite = np.where(np.isfinite(a), a, 0)
        mag = float(np.max(np.abs(finite), initial=0.0))
        n = max(a.size, 1)
        if name in ("var", "std"):
            bound = 8 * n * eps * mag * mag
            if name == "std":
                bound = np.sqrt(bound)
            return {"rtol": 64 * n * eps, "atol": bound}
        if name == "prod":  # values are in [-2, 2]: products may underflow in another order
            return {"rtol": 4 * n * eps, "atol": 1e-30 if eps > 1e-10 else 1e-300}
        return {"rtol": 4 * n * eps, "atol": 4 * n * eps * mag}


def call(name, x, **kw):
    return getattr(np, name)(x, **kw)


@st.composite
def reduction_case(draw, name):
    dtype = draw(dtypes())
    shape = draw(shapes(max_dims=3, max_side=5))
    a = draw(reduction_data(dtype, shape, small=name == "prod"))
    chunks = draw(chunkings(shape))
    if name in ("argmin", "argmax"):
        axis = draw(axes(a.ndim, allow_tuple=False))
    else:
        axis = draw(axes(a.ndim))
    keepdims = draw(st.booleans())
    kw = {"axis": axis, "keepdims": keepdims}
    if name in ("var", "std"):
        kw["ddof"] = draw(st.integers(0, 2))
    return a, chunks, kw


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_via_numpy(name, data):
    a, chunks, kw = data.draw(reduction_case(name))
    x = ox.from_array(a, chunks=chunks)
    res = differential(lambda: call(name, a, **kw), lambda: call(name, x, **kw),
                       **tolerance(name, a, kw["axis"]))
    if res is not None:
        assert isinstance(res, ox.Array)


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reduction_as_method_and_ox_function(name, data):
    a, chunks, kw = data.draw(reduction_case(name))
    x = ox.from_array(a, chunks=chunks)
    tol = tolerance(name, a, kw["axis"])
    differential(lambda: getattr(a, name)(**kw), lambda: getattr(x, name)(**kw), **tol)
    differential(lambda: getattr(np, name)(a, **kw), lambda: getattr(ox, name)(x, **kw), **tol)


def test_integer_sum_dtype_is_numpys():
    for dt in ["bool", "int8", "uint8", "int32", "uint32", "int64", "uint64"]:
        a = np.arange(10).astype(dt)
        x = ox.asarray(a, chunks=3)
        for name in ("sum", "prod", "mean", "var", "std"):
            assert_eq(call(name, x), call(name, a), rtol=1e-12)


@pytest.mark.parametrize("name", ["sum", "prod"])
@pytest.mark.parametrize("dtype", ["int8", "int16", "uint8", "int32", "uint64", "int64"])
def test_integer_accumulation_wraps_exactly_like_numpy(name, dtype):
    info = np.iinfo(dtype)
    a = np.array([info.max, info.max, 3, info.min, info.max - 1, 7, 2, 2] * 5, dtype=dtype)
    x = ox.asarray(a, chunks=3)
    assert_eq(call(name, x), call(name, a))
    assert_eq(call(name, x, dtype=dtype), call(name, a, dtype=dtype))


@pytest.mark.parametrize("name", ["sum", "prod", "mean"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "int64", "complex64", "uint8"])
@given(data=st.data())
def test_dtype_keyword(name, dtype, data):
    # Float data cast to an integer accumulator would be undefined in NumPy: ints only there.
    src = data.draw(dtypes("biu" if np.dtype(dtype).kind in "iu" else "biuf"))
    # Non-empty: the mean of nothing is NaN, and NaN cast to an integer dtype is undefined.
    shape = data.draw(shapes(min_dims=1, max_dims=2, min_side=1, max_side=5))
    # Integers stay small too: a float/complex product that overflows is order dependent.
    a = data.draw(reduction_data(src, shape, small=True, finite=True, small_ints=True))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    axis = data.draw(axes(a.ndim))
    tol = tolerance(name, a.astype(dtype) if np.dtype(dtype).kind in "fc" else a, axis)
    differential(lambda: call(name, a, axis=axis, dtype=dtype),
                 lambda: call(name, x, axis=axis, dtype=dtype), **tol)


@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128"])
def test_nan_propagation_and_first_nan_index(name, dtype):
    a = np.array([[3.0, np.nan, 1.0, np.nan], [np.inf, 2.0, -np.inf, 0.0], [1, 1, 1, 1]],
                 dtype=dtype)
    x = ox.asarray(a, chunks=(2, 3))
    for axis in (None, 0, 1, -1):
        assert_eq(call(name, x, axis=axis), call(name, a, axis=axis))


@pytest.mark.parametrize("name", ["argmin", "argmax"])
@given(st.data())
def test_arg_reductions_return_first_of_ties(name, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    a = data.draw(arrays("int8", shape, elements=st.integers(0, 2)))  # many ties
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    axis = data.draw(axes(a.ndim, allow_tuple=False))
    assert_eq(call(name, x, axis=axis), call(name, a, axis=axis))


def test_complex_min_max_are_lexicographic():
    a = np.array([1 + 5j, 1 - 5j, 0 + 9j, 1 + 0j, -1 + 0j])
    x = ox.asarray(a, chunks=2)
    for name in ("min", "max", "argmin", "argmax"):
        assert_eq(call(name, x), call(name, a))


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("shape, axis", [((0,), None), ((0, 3), 0), ((3, 0), 1), ((3, 0), 0),
                                         ((0, 3), None), ((2, 0, 2), (0, 2))])
def test_empty_reductions(name, shape, axis):
    a = np.zeros(shape, "float64")
    if name in ("argmin", "argmax") and isinstance(axis, tuple):
        return
    x = ox.asarray(a, chunks=2)
    differential(lambda: call(name, a, axis=axis), lambda: call(name, x, axis=axis))


@pytest.mark.parametrize("name", ["min", "max", "argmin", "argmax"])
def test_empty_min_max_raise_value_error(name):
    x = ox.zeros((3, 0), chunks=2)
    with pytest.raises(ValueError):
        run_ox(lambda: call(name, x, axis=1))
    with pytest.raises(ValueError):
        run_ox(lambda: call(name, x))


@pytest.mark.parametrize("ddof", [0, 1, 2, 3, 5])
def test_var_std_ddof_beyond_count(ddof):
    a = np.array([[1.0, 2.0, 4.0], [0.5, 0.25, 8.0]])
    x = ox.asarray(a, chunks=(1, 2))
    for name in ("var", "std"):
        for axis in (None, 0, 1):
            differential(lambda: call(name, a, axis=axis, ddof=ddof),
                         lambda: call(name, x, axis=axis, ddof=ddof))


def test_var_is_numerically_stable():
    # Naive E[x^2] - E[x]^2 loses everything here; NumPy's two-pass algorithm does not.
    a = 1e8 + np.array([4.0, 7.0, 13.0, 16.0] * 25)
    x = ox.asarray(a, chunks=7)
    assert_eq(np.var(x), np.var(a), rtol=1e-8)
    assert_eq(np.std(x, ddof=1), np.std(a, ddof=1), rtol=1e-8)


def test_sum_of_float32_is_accurate():
    # NumPy's pairwise summation keeps float32 sums of many elements accurate.
    a = np.full(100_000, 0.1, dtype="float32")
    x = ox.asarray(a, chunks=30_000)
    assert_eq(np.sum(x), np.sum(a), rtol=1e-5)
    assert_eq(np.mean(x), np.mean(a), rtol=1e-5)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [3, -4, (0, 3), (0, -4)])
def test_bad_axis_raises_axis_error(name, axis):
    x = ox.ones((2, 3, 4), chunks=2)
    if name in ("argmin", "argmax") and isinstance(axis, tuple):
        with pytest.raises(TypeError):
            call(name, x, axis=axis)
        return
    with pytest.raises(AxisError):
        call(name, x, axis=axis)


@pytest.mark.parametrize("name", ["sum", "mean", "any", "max"])
def test_duplicate_axis_raises_value_error(name):
    with pytest.raises(ValueError):
        call(name, ox.ones((2, 3), chunks=2), axis=(0, 0))
    with pytest.raises(ValueError):
        call(name, ox.ones((2, 3), chunks=2), axis=(1, -1))


@given(st.data())
def test_reductions_are_chunk_invariant(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))
    a = data.draw(reduction_data("float64", shape))
    c1, c2 = data.draw(chunkings(a.shape)), data.draw(chunkings(a.shape))
    for name in REDUCTIONS:
        kw = {"axis": -1} if name in ("argmin", "argmax") else {"axis": 0}
        r1 = run_ox(lambda: call(name, ox.from_array(a, chunks=c1), **kw))
        r2 = run_ox(lambda: call(name, ox.from_array(a, chunks=c2), **kw))
        with quiet():
            assert_eq(r1, r2.compute(), **tolerance(name, a, 0))


@pytest.mark.parametrize("name", ["sum", "prod", "min", "max", "any", "all", "mean", "std", "argmin",
                                  "argmax"])
@pytest.mark.parametrize("axis", [0, -1, 1, (0,)])
def test_zero_d_axis_as_numpy(name, axis):
    # NumPy's ufunc.reduce and argmin/argmax accept axis 0 or -1 of a 0-d array; mean/var/std
    # and tuples do not.
    a = np.array(3.0)
    f = getattr(np, name)
    differential(lambda: f(a, axis=axis), lambda: f(ox.asarray(a), axis=axis))


def test_squeeze_zero_d_axis():
    a = np.array(3.0)
    for axis in (0, -1, 1):
        differential(lambda: np.squeeze(a, axis=axis), lambda: np.squeeze(ox.asarray(a), axis=axis))


@pytest.mark.parametrize("ddof", [-1, 0.5, 2.5, 10])
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_var_std_with_negative_or_fractional_ddof(name, ddof, axis):
    # NumPy takes any real ddof; int(ddof) would silently give the wrong value for 0.5.
    a = np.arange(12.0, dtype="float32").reshape(3, 4)
    f = getattr(np, name)
    differential(lambda: f(a, axis=axis, ddof=ddof), lambda: f(ox.asarray(a, chunks=2), axis=axis, ddof=ddof))
