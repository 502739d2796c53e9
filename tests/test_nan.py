"""NaN-aware reductions (nansum ... nanargmax) against NumPy, warnings and errors at compute."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential, quiet
from oxarray.testing import arrays, assert_eq, axes, chunkings, dtypes, shapes

NAN_FUNCS = ["nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmin", "nanmax", "nanargmin",
             "nanargmax"]


def nan_data(dtype, shape, *, small=False):
    """Finite values of bounded size and many NaNs (all-NaN slices are common), plus inf for
    the extrema (sums of inf and -inf would depend on the order)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        width = dtype.itemsize * 8
        body = st.floats(0.5, 2.0, width=width) if small else st.floats(-1e3, 1e3, width=width)
        return arrays(dtype, shape, elements=st.one_of(body, st.just(np.nan)))
    if dtype.kind == "c":
        part = st.floats(0.5, 2.0) if small else st.floats(-1e3, 1e3)
        el = st.one_of(st.builds(complex, part, part), st.just(complex(np.nan, 0)),
                       st.just(complex(1, np.nan)))
        return arrays(dtype, shape, elements=el)
    if small and dtype.kind in "iu":
        return arrays(dtype, shape, elements=st.integers(0, 2))
    return arrays(dtype, shape)


def tol(a):
    n = max(a.size, 1)
    if a.dtype in (np.dtype("float32"), np.dtype("complex64")):
        return {"rtol": 1e-4 * n, "atol": 1e-3 * n}
    return {"rtol": 1e-10 * n, "atol": 1e-9 * n}


@st.composite
def nan_case(draw, name):
    dtype = draw(dtypes())
    shape = draw(shapes(max_dims=3, max_side=5))
    a = draw(nan_data(dtype, shape, small=name == "nanprod"))
    chunks = draw(chunkings(shape))
    if name in ("nanargmin", "nanargmax"):
        axis = draw(axes(a.ndim, allow_tuple=False))
    else:
        axis = draw(axes(a.ndim))
    kw = {"axis": axis, "keepdims": draw(st.booleans())}
    if name in ("nanvar", "nanstd"):
        kw["ddof"] = draw(st.integers(0, 2))
    return a, chunks, kw


@pytest.mark.parametrize("name", NAN_FUNCS)
@given(data=st.data())
def test_nan_reductions_against_numpy(name, data):
    a, chunks, kw = data.draw(nan_case(name))
    x = ox.from_array(a, chunks=chunks)
    if a.dtype.kind == "b" and name in ("nanvar", "nanstd", "nanmean"):
        pass  # NumPy computes these for bool too
    differential(lambda: getattr(np, name)(a, **kw), lambda: getattr(np, name)(x, **kw), **tol(a))
    differential(lambda: getattr(np, name)(a, **kw), lambda: getattr(ox, name)(x, **kw), **tol(a))


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmean", "nanmin", "nanmax", "nanvar",
                                  "nanstd"])
@given(data=st.data())
def test_where_keyword(name, data):
    dtype = data.draw(dtypes("fc"))
    shape = data.draw(shapes(min_dims=1, max_dims=2, max_side=5))
    a = data.draw(nan_data(dtype, shape, small=name == "nanprod"))
    w = data.draw(arrays(bool, shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    axis = data.draw(axes(a.ndim))
    kw = {"axis": axis, "where": w}
    if name in ("nanmin", "nanmax"):
        kw["initial"] = 5.0 if dtype.kind == "f" else None
        if kw["initial"] is None:
            return
    differential(lambda: getattr(np, name)(a, **kw), lambda: getattr(np, name)(x, **kw), **tol(a))


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmin", "nanmax"])
@example(a=np.array([np.nan, np.nan]), initial=3.0)
@given(a=nan_data("float64", shapes(max_dims=2, max_side=4), small=True),
       initial=st.sampled_from([-1.0, 0.5, 2.0]))
def test_initial_keyword(name, a, initial):
    x = ox.asarray(a, chunks=2)
    differential(lambda: getattr(np, name)(a, initial=initial),
                 lambda: getattr(np, name)(x, initial=initial), **tol(a))


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmean", "nanvar", "nanstd"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int32"])
def test_dtype_keyword(name, dtype):
    a = np.array([[1.5, np.nan, 2.0], [np.nan, np.nan, np.nan], [0.5, 1.0, 2.0]], "float32")
    x = ox.asarray(a, chunks=2)
    for axis in (None, 0, 1):
        differential(lambda: getattr(np, name)(a, axis=axis, dtype=dtype),  # noqa: B023
                     lambda: getattr(np, name)(x, axis=axis, dtype=dtype), rtol=1e-6)  # noqa: B023


@pytest.mark.parametrize("name", ["nanmean", "nanvar", "nanstd", "nansum", "nanmin", "nanargmax"])
def test_out_keyword(name):
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])
    x = ox.asarray(a, chunks=1)
    dt = "int64" if name == "nanargmax" else "float64"
    out = ox.zeros(3, dtype=dt)
    res = getattr(np, name)(x, axis=0, out=out)
    assert res is out
    assert_eq(out, getattr(np, name)(a, axis=0))


def test_out_must_be_inexact_for_float_input():
    x = ox.asarray(np.array([1.0, np.nan]))
    with pytest.raises(TypeError):
        np.nanmean(x, out=ox.zeros((), dtype="int64"))
    with pytest.raises(TypeError):
        np.nanvar(x, dtype="int64")


@pytest.mark.parametrize("name", ["nanvar", "nanstd"])
def test_correction_and_mean_keywords(name):
    a = np.array([[1.0, np.nan, 3.0, 7.0], [4.0, 5.0, np.nan, 0.0]])
    x = ox.asarray(a, chunks=(1, 3))
    for c in (0, 1, 1.5):
        assert_eq(getattr(np, name)(x, axis=1, correction=c), getattr(np, name)(a, axis=1, correction=c))
    with pytest.raises(ValueError):
        getattr(np, name)(x, ddof=1, correction=1)
    m = np.nanmean(a, axis=1, keepdims=True)
    assert_eq(getattr(np, name)(x, axis=1, mean=ox.asarray(m)), getattr(np, name)(a, axis=1, mean=m))


@pytest.mark.parametrize("name, message", [("nanmean", "Mean of empty slice"),
                                           ("nanmin", "All-NaN slice encountered"),
                                           ("nanmax", "All-NaN slice encountered"),
                                           ("nanvar", "Degrees of freedom <= 0 for slice."),
                                           ("nanstd", "Degrees of freedom <= 0 for slice.")])
def test_warnings_come_at_compute_when_the_values_tell(name, message):
    a = np.array([[np.nan, 1.0], [np.nan, 2.0]])
    x = ox.asarray(a, chunks=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = getattr(np, name)(x, axis=0)  # no warning at the call: the values are not known
    with pytest.warns(RuntimeWarning, match=message):
        got = res.compute()
    with quiet():
        np.testing.assert_array_equal(got, getattr(np, name)(a, axis=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(np, name)(x, axis=1).compute()  # no empty slice: no warning


@pytest.mark.parametrize("name", ["nanargmin", "nanargmax"])
def test_all_nan_arg_raises_at_compute(name):
    a = np.array([[np.nan, 1.0], [np.nan, 2.0]])
    x = ox.asarray(a, chunks=1)
    res = getattr(np, name)(x, axis=0)
    with pytest.raises(ValueError, match="All-NaN slice encountered"):
        res.compute()
    assert_eq(getattr(np, name)(x, axis=1), getattr(np, name)(a, axis=1))
    with pytest.raises(ValueError, match="empty sequence"):
        getattr(np, name)(ox.zeros((0, 2)), axis=0)


@pytest.mark.parametrize("name", NAN_FUNCS)
@pytest.mark.parametrize("shape, axis", [((), None), ((0,), None), ((3, 0), 1), ((0, 3), 0),
                                         ((4, 5), -1), ((2, 3, 4), (0, -1))])
def test_edge_shapes(name, shape, axis):
    a = np.arange(int(np.prod(shape)), dtype=float).reshape(shape)
    if a.size:
        a.flat[::3] = np.nan
    if name in ("nanargmin", "nanargmax") and isinstance(axis, tuple):
        return
    x = ox.asarray(a, chunks=2)
    differential(lambda: getattr(np, name)(a, axis=axis), lambda: getattr(np, name)(x, axis=axis))


def test_bad_axis_is_axis_error():
    x = ox.asarray(np.ones((2, 3)))
    for name in NAN_FUNCS:
        with pytest.raises(np.exceptions.AxisError):
            getattr(np, name)(x, axis=2)


def test_xarray_mean_std_sum_on_oxarray():
    xr = pytest.importorskip("xarray")
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    da = xr.DataArray(ox.asarray(a, chunks=1), dims=("y", "x"))
    for name in ("mean", "std", "sum", "var", "min", "max"):
        got = getattr(da, name)(dim="x")
        want = getattr(xr.DataArray(a, dims=("y", "x")), name)(dim="x")
        np.testing.assert_allclose(np.asarray(got.data), want.values)
    assert isinstance(da.mean().data, ox.Array)


@pytest.mark.parametrize("chunks", [(700, 600), (333, 250), (64, 600)])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32"])
def test_streamed_fused_reductions_on_large_chunks(chunks, dtype):
    # Chunks of more than two slabs: the reduction of a fused producer is streamed slab by slab.
    rng = np.random.default_rng(3)
    a = (rng.random((700, 600)) * 100).astype(dtype)
    if a.dtype.kind == "f":
        a[rng.random(a.shape) < 0.05] = np.nan
    x = ox.asarray(a, chunks=chunks)
    rtol = 1e-4 if dtype == "float32" else 1e-10
    for axis in (None, 0, 1, (0, 1)):
        for name in ("nansum", "nanmean", "nanvar", "nanmin", "nanmax"):
            with quiet():
                want = getattr(np, name)(a, axis=axis)
            assert_eq(getattr(np, name)(x, axis=axis), want, rtol=rtol, atol=1e-6)
        assert_eq(np.sum(x * 2 + 1, axis=axis), np.sum(a * 2 + 1, axis=axis), rtol=rtol)
        assert_eq(np.std(x + 1, axis=axis), np.std(a + 1, axis=axis), rtol=rtol)
        assert_eq(np.any(x > 99, axis=axis), np.any(a > 99, axis=axis))
        assert_eq(np.max(x - 1, axis=axis), np.max(a - 1, axis=axis))
    assert_eq(np.argmax(x * 1, axis=0), np.argmax(a * 1, axis=0))


# ---- the one-pass nanmean/nanvar/nanstd kernel (reduce/nan_moments.rs) ----------------------

@pytest.mark.parametrize("name", ["nanmean", "nanvar", "nanstd"])
@given(data=st.data())
def test_one_pass_kernel_keywords(name, data):
    dtype = data.draw(dtypes("fc"))
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=6))
    a = data.draw(nan_data(dtype, shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    kw = {"axis": data.draw(axes(a.ndim)), "keepdims": data.draw(st.booleans())}
    out_dtypes = [None, np.float64, np.complex128] if name == "nanmean" else [None, np.float64]
    kw["dtype"] = data.draw(st.sampled_from(out_dtypes))
    if name != "nanmean":
        kw["ddof"] = data.draw(st.integers(0, 7))
    loose = {"rtol": 1e-4 * max(a.size, 1), "atol": 1e-3 * max(a.size, 1)}
    differential(lambda: getattr(np, name)(a, **kw), lambda: getattr(np, name)(x, **kw),
                 **(loose if a.dtype in (np.float32, np.complex64) else tol(a)))


def test_one_pass_kernel_reads_the_data_once():
    # One reduction for the values over the source, plus the count of non-NaN values that decides
    # NumPy's warning (a NaN from inf - inf must not warn "Degrees of freedom"): twice as many
    # partial tasks as chunks (the composition of a sum and a count plus that count had three
    # times as many, nanvar's five times).
    a = np.ones((8, 8))
    a[0, 0] = np.nan
    x = ox.asarray(a, chunks=(2, 8))
    import re

    def chunk_tasks(y):
        return int(re.search(r"reduce-chunk\s+(\d+)", y.explain()).group(1))

    for name in ("nanmean", "nanvar", "nanstd"):
        assert chunk_tasks(getattr(np, name)(x, axis=0)) == 2 * x.npartitions
    assert_eq(np.nanmean(x, axis=0), np.nanmean(a, axis=0))


def test_one_pass_kernel_large_ddof_and_inf():
    a = np.array([[1.0, np.inf, 3.0], [np.nan, 2.0, np.nan]])
    x = ox.asarray(a, chunks=1)
    with quiet():
        for ddof in (0, 1, 2, 5):
            assert_eq(np.nanvar(x, axis=1, ddof=ddof), np.nanvar(a, axis=1, ddof=ddof))
            assert_eq(np.nanstd(x, axis=0, ddof=ddof), np.nanstd(a, axis=0, ddof=ddof))
        assert_eq(np.nanmean(x, axis=1), np.nanmean(a, axis=1))
