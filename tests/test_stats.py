"""average, ptp, cov, corrcoef, isclose/allclose, array_equal/array_equiv, mean/var/std(where=)
against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential, quiet
from oxarray.testing import arrays, assert_eq, axes, chunkings, dtypes, shapes


def _x(a, data):
    return ox.from_array(a, chunks=data.draw(chunkings(a.shape)))


@given(data=st.data())
def test_average_against_numpy(data):
    dtype = data.draw(dtypes("iufc"))
    shape = data.draw(shapes(max_dims=3, max_side=5))
    a = data.draw(bounded_data(dtype, shape))
    x = _x(a, data)
    axis = data.draw(axes(a.ndim))
    keep = data.draw(st.sampled_from([np._NoValue, True, False]))
    differential(lambda: np.average(a, axis=axis, keepdims=keep),
                 lambda: np.average(x, axis=axis, keepdims=keep), rtol=1e-5, atol=1e-6)


@given(data=st.data())
def test_average_weights_and_returned(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    a = data.draw(bounded_data("float64", shape))
    x = _x(a, data)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    w = data.draw(arrays("float64", (a.shape[axis],), elements=st.floats(0.5, 3)))
    wfull = data.draw(arrays("int32", a.shape, elements=st.integers(1, 4)))
    for weights, ax in ((w, axis), (wfull, None), (wfull, axis)):
        with quiet():
            want = np.average(a, axis=ax, weights=weights, returned=True)
        got = np.average(x, axis=ax, weights=weights, returned=True)
        assert_eq(got[0], want[0], rtol=1e-10, atol=1e-10)
        assert_eq(got[1], want[1], rtol=1e-10, atol=1e-10)


def test_average_errors():
    x = ox.asarray(np.ones((3, 4)))
    with pytest.raises(TypeError):
        np.average(x, weights=np.ones(4))
    with pytest.raises(ValueError):
        np.average(x, axis=1, weights=np.ones(3))
    res = np.average(x, axis=1, weights=np.array([1.0, -1.0, 0.0, 0.0]))  # lazy: values unknown
    with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
        res.compute()
    with pytest.raises(np.exceptions.AxisError):
        np.average(x, axis=2)


@given(data=st.data())
def test_ptp_against_numpy(data):
    dtype = data.draw(dtypes())
    shape = data.draw(shapes(max_dims=3, max_side=5))
    a = data.draw(arrays(dtype, shape))
    x = _x(a, data)
    axis = data.draw(axes(a.ndim))
    keep = data.draw(st.booleans())
    differential(lambda: np.ptp(a, axis=axis, keepdims=keep),
                 lambda: np.ptp(x, axis=axis, keepdims=keep))


@given(data=st.data())
def test_cov_corrcoef_against_numpy(data):
    dtype = data.draw(dtypes("iufc"))
    shape = data.draw(shapes(min_dims=1, max_dims=2, min_side=1, max_side=6))
    a = data.draw(bounded_data(dtype, shape))
    x = _x(a, data)
    rowvar = data.draw(st.booleans())
    bias = data.draw(st.booleans())
    ddof = data.draw(st.sampled_from([None, 0, 1, 2]))
    tol = {"rtol": 1e-4, "atol": 1e-4}
    differential(lambda: np.cov(a, rowvar=rowvar, bias=bias, ddof=ddof),
                 lambda: np.cov(x, rowvar=rowvar, bias=bias, ddof=ddof), **tol)
    differential(lambda: np.corrcoef(a, rowvar=rowvar), lambda: np.corrcoef(x, rowvar=rowvar),
                 **tol)
    b = data.draw(bounded_data("float64", shape))
    differential(lambda: np.cov(a, b, rowvar=rowvar), lambda: np.cov(x, ox.asarray(b), rowvar=rowvar),
                 **tol)
    differential(lambda: np.corrcoef(a, b, rowvar=rowvar, dtype="float32"),
                 lambda: np.corrcoef(x, b, rowvar=rowvar, dtype="float32"), **tol)


@given(data=st.data())
def test_cov_weights(data):
    n = data.draw(st.integers(2, 7))
    a = data.draw(bounded_data("float64", (3, n)))
    x = _x(a, data)
    fw = data.draw(arrays("int64", (n,), elements=st.integers(1, 3)))
    aw = data.draw(arrays("float64", (n,), elements=st.floats(0.1, 2)))
    ddof = data.draw(st.sampled_from([None, 0, 1]))
    tol = {"rtol": 1e-9, "atol": 1e-9}
    for kw in ({"fweights": fw}, {"aweights": aw}, {"fweights": fw, "aweights": aw}):
        differential(lambda: np.cov(a, ddof=ddof, **kw), lambda: np.cov(x, ddof=ddof, **kw), **tol)  # noqa: B023
        lazy = {k: ox.asarray(v) for k, v in kw.items()}
        differential(lambda: np.cov(a, ddof=ddof, **kw), lambda: np.cov(x, ddof=ddof, **lazy), **tol)  # noqa: B023


def test_cov_errors():
    x = ox.asarray(np.ones((2, 3)))
    with pytest.raises(ValueError):
        np.cov(ox.ones((2, 2, 2)))
    with pytest.raises(ValueError):
        np.cov(x, ddof=1.5)
    with pytest.raises(TypeError):
        np.cov(x, fweights=[1.5, 1, 1])
    with pytest.raises(ValueError):
        np.cov(x, aweights=[-1, 1, 1])
    with pytest.raises(RuntimeError):
        np.cov(x, aweights=[1, 1])
    with pytest.raises(ValueError, match="cannot be negative"):
        np.cov(x, aweights=ox.asarray([-1.0, 1, 1])).compute()
    with pytest.warns(RuntimeWarning):
        np.cov(ox.ones((2, 1)))


@given(data=st.data())
@example(data=None)
def test_isclose_allclose_against_numpy(data):
    if data is None:
        a = np.array([1.0, np.nan, np.inf, -np.inf, 1e10, 0.0])
        b = np.array([1.0 + 1e-9, np.nan, np.inf, np.inf, 1.00001e10, 1e-9])
        kws = [{}, {"equal_nan": True}, {"rtol": 0, "atol": 0}]
    else:
        dtype = data.draw(dtypes())
        shape = data.draw(shapes(max_dims=2, max_side=5))
        a = data.draw(arrays(dtype, shape))
        b = data.draw(arrays(data.draw(dtypes()), data.draw(st.sampled_from([shape, shape[1:]]))))
        kws = [{"equal_nan": data.draw(st.booleans()), "rtol": data.draw(st.sampled_from([1e-5, 0.1])),
                "atol": data.draw(st.sampled_from([1e-8, 1.0]))}]
    x = ox.asarray(a, chunks=2)
    for kw in kws:
        differential(lambda: np.isclose(a, b, **kw), lambda: np.isclose(x, b, **kw))  # noqa: B023
        differential(lambda: np.isclose(b, a, **kw), lambda: np.isclose(b, x, **kw))  # noqa: B023
        with quiet():
            want = np.allclose(a, b, **kw)
        got = np.allclose(x, b, **kw)
        assert isinstance(got, ox.Array) and got.shape == () and bool(got) == want


def test_isclose_scalars():
    x = ox.asarray(np.array([1, 2, 3]))
    assert_eq(np.isclose(x, 2), np.isclose(np.array([1, 2, 3]), 2))
    assert_eq(np.isclose(2.0, x), np.isclose(2.0, np.array([1, 2, 3])))


@given(data=st.data())
def test_array_equal_equiv(data):
    dtype = data.draw(dtypes())
    shape = data.draw(shapes(max_dims=2, max_side=4))
    a = data.draw(arrays(dtype, shape))
    same = data.draw(st.booleans())
    b = a.copy() if same else data.draw(arrays(dtype, data.draw(st.sampled_from([shape, shape[1:], (3,)]))))
    x = ox.asarray(a, chunks=2)
    for eq_nan in (False, True):
        with quiet():
            want = np.array_equal(a, b, equal_nan=eq_nan)
        got = np.array_equal(x, b, equal_nan=eq_nan)
        assert isinstance(got, ox.Array) and bool(got) == want
    with quiet():
        assert bool(np.array_equiv(x, b)) == np.array_equiv(a, b)


@pytest.mark.parametrize("name", ["mean", "var", "std"])
@given(data=st.data())
def test_moments_with_where(name, data):
    dtype = data.draw(dtypes("iufc"))
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=5))
    a = data.draw(bounded_data(dtype, shape))
    w = data.draw(arrays(bool, data.draw(st.sampled_from([shape, shape[1:]]))))
    x = _x(a, data)
    axis = data.draw(axes(a.ndim))
    kw = {"axis": axis, "where": w, "keepdims": data.draw(st.booleans())}
    if name != "mean":
        kw["ddof"] = data.draw(st.integers(0, 2))
    differential(lambda: getattr(np, name)(a, **kw), lambda: getattr(np, name)(x, **kw),
                 rtol=1e-4, atol=1e-6)


def test_mean_where_warns_at_compute():
    x = ox.asarray(np.ones((2, 3)))
    res = np.mean(x, axis=1, where=np.array([[True, False, True], [False, False, False]]))
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        got = res.compute()
    np.testing.assert_array_equal(got, [1.0, np.nan])


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
@pytest.mark.parametrize("ddof", [0, 1])
def test_moments_with_a_given_mean(name, ddof):
    """``mean=`` gives the centre of the deviations (it was ignored by var/std: a silent wrong
    value)."""
    a = np.arange(12.0).reshape(3, 4)
    a[1, 2] = np.nan if name.startswith("nan") else 5.0
    m = np.full((1, 4), 2.5)
    x = ox.from_array(a, chunks=(2, 3))
    differential(lambda: getattr(np, name)(a, axis=0, mean=m, ddof=ddof),
                 lambda: getattr(np, name)(x, axis=0, mean=m, ddof=ddof))


@pytest.mark.parametrize("name", ["var", "std", "nanvar", "nanstd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, None])
def test_complex_moments_in_a_real_dtype(name, dtype):
    """NumPy's recipe for complex data reduced in a real dtype: the mean is the real sum's (the
    imaginary part discarded), the deviations stay complex."""
    a = np.array([0, 1j, 2 + 1j, -1 - 3j, 0.5])
    x = ox.from_array(a, chunks=2)
    differential(lambda: getattr(np, name)(a, dtype=dtype), lambda: getattr(np, name)(x, dtype=dtype))
