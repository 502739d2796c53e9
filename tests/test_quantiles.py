"""Selection against NumPy (the oracle): partition/argpartition, median, quantile, percentile and
their nan forms, every method=, chunked and unchunked reduced axes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray.testing import assert_eq, chunked_arrays, dtypes, shapes
from tests.helpers import differential

SETTINGS = settings(max_examples=30, deadline=None)
METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
           "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
           "normal_unbiased", "lower", "higher", "midpoint", "nearest"]


@st.composite
def real_cases(draw, min_side=1):
    a, chunks = draw(chunked_arrays(dtype=dtypes("iuf"),
                                    shape=shapes(min_dims=1, max_dims=3, min_side=min_side,
                                                 max_side=7)))
    if draw(st.booleans()) and a.size:
        a = np.take(a.reshape(-1), draw(st.lists(st.integers(0, min(2, a.size - 1)), min_size=a.size,
                                                  max_size=a.size))).reshape(a.shape)
    if a.dtype.kind == "f" and a.size and draw(st.booleans()):
        a = a.copy()
        a.reshape(-1)[draw(st.integers(0, a.size - 1))] = np.nan
    ndim = a.ndim
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                   unique=True).map(tuple)))
    return a, chunks, axis


@SETTINGS
@given(real_cases(), st.sampled_from(METHODS),
       st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3).map(np.array)),
       st.booleans())
@example((np.array([1.0, np.nan, 3.0]), ((1, 2),), None), "linear", 0.5, False)
@example((np.array([[1, 5, 2], [7, 0, 3]]), ((1, 1), (2, 1)), 0), "nearest", np.array([0.3, 1.0]),
         True)
def test_quantile_matches_numpy(case, method, q, keepdims):
    a, chunks, axis = case
    x = ox.asarray(a, chunks=chunks)
    differential(lambda: np.quantile(a, q, axis=axis, method=method, keepdims=keepdims),
                 lambda: np.quantile(x, q, axis=axis, method=method, keepdims=keepdims))
    qp = q * 100 if isinstance(q, np.ndarray) else q * 100.0
    differential(lambda: np.percentile(a, qp, axis=axis, method=method),
                 lambda: np.percentile(x, qp, axis=axis, method=method))


@SETTINGS
@given(real_cases(), st.sampled_from(METHODS),
       st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3).map(np.array)))
@example((np.array([[np.nan, np.nan], [1.0, np.nan]]), ((1, 1), (2,)), 1), "linear", 0.25)
def test_nanquantile_matches_numpy(case, method, q):
    a, chunks, axis = case
    x = ox.asarray(a, chunks=chunks)
    differential(lambda: np.nanquantile(a, q, axis=axis, method=method),
                 lambda: np.nanquantile(x, q, axis=axis, method=method))
    differential(lambda: np.nanpercentile(a, 100 * np.asarray(q), axis=axis, method=method),
                 lambda: np.nanpercentile(x, 100 * np.asarray(q), axis=axis, method=method))


@SETTINGS
@given(real_cases(), st.booleans())
@example((np.array([2.0, np.nan, -0.0]), ((2, 1),), 0), False)
@example((np.arange(12).reshape(3, 4), ((2, 1), (1, 3)), (0, 1)), True)
def test_median_matches_numpy(case, keepdims):
    a, chunks, axis = case
    x = ox.asarray(a, chunks=chunks)
    differential(lambda: np.median(a, axis=axis, keepdims=keepdims),
                 lambda: np.median(x, axis=axis, keepdims=keepdims))
    differential(lambda: np.nanmedian(a, axis=axis, keepdims=keepdims),
                 lambda: np.nanmedian(x, axis=axis, keepdims=keepdims))


def _check_partition(got_values, a, kth, axis):
    s = np.sort(a, axis=axis)
    for k in np.atleast_1d(kth):
        k = int(k)
        got_k = np.take(got_values, k, axis=axis)
        np.testing.assert_array_equal(got_k, np.take(s, k, axis=axis))
        lo = np.take(got_values, np.arange(0, k + 1 if k >= 0 else a.shape[axis] + k + 1),
                     axis=axis)
        hi = np.take(got_values, np.arange(k % a.shape[axis], a.shape[axis]), axis=axis)
        with np.errstate(invalid="ignore"):
            ek = np.expand_dims(got_k, axis)
            assert np.all((lo <= ek) | np.isnan(ek))
            assert np.all((hi >= ek) | np.isnan(hi))


@SETTINGS
@given(chunked_arrays(dtype=dtypes("biuf"), shape=shapes(min_dims=1, max_dims=3, min_side=1,
                                                         max_side=7)),
       st.data())
def test_partition_and_argpartition(case, data):
    a, chunks = case
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    kth = data.draw(st.one_of(st.integers(-n, n - 1),
                              st.lists(st.integers(-n, n - 1), min_size=1, max_size=3)))
    x = ox.asarray(a, chunks=chunks)
    p = np.partition(x, kth, axis=axis)
    assert p.shape == a.shape and p.dtype == a.dtype and p.chunks == x.chunks
    got = p.compute()
    _check_partition(got, a, kth, axis)
    np.testing.assert_array_equal(np.sort(got, axis=axis), np.sort(a, axis=axis))
    ip = np.argpartition(x, kth, axis=axis).compute()
    assert ip.dtype == np.int64
    _check_partition(np.take_along_axis(a, ip, axis=axis), a, kth, axis)
    np.testing.assert_array_equal(np.sort(ip, axis=axis),
                                  np.broadcast_to(np.expand_dims(np.arange(n), [
                                      d for d in range(a.ndim) if d != axis % a.ndim]), a.shape))


@pytest.mark.parametrize("call", [
    lambda m, a: m.partition(a, 5),
    lambda m, a: m.partition(a, -6),
    lambda m, a: m.partition(a, 1.0),
    lambda m, a: m.partition(a, True),
    lambda m, a: m.partition(a, 1, axis=2),
    lambda m, a: m.argpartition(a, [[1]]),
    lambda m, a: m.partition(a, 1, kind="quick"),
    lambda m, a: m.quantile(a, 1.5),
    lambda m, a: m.quantile(a, 0.5, method="foo"),
    lambda m, a: m.percentile(a, -1),
    lambda m, a: m.quantile(a, 0.5, axis=3),
    lambda m, a: m.quantile(a, 0.5, axis=(0, 0)),
    lambda m, a: m.quantile(a, 0.5, weights=np.ones(a.shape), method="linear"),
    lambda m, a: m.median(a, axis=-3),
    lambda m, a: m.quantile(a + 1j, 0.5),
    lambda m, a: m.quantile(a, np.zeros((1, 1, 1))),
    lambda m, a: m.quantile(a[:, :0], 0.5),
    lambda m, a: m.quantile(a, 0, method="linear"),
    lambda m, a: m.quantile(a.astype(np.int8), [0, 1]),
    lambda m, a: m.median(a[:, :0], axis=1),
])
def test_errors_and_edges_like_numpy(call):
    a = np.arange(10.0).reshape(2, 5)[:, ::-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        differential(lambda: call(np, a), lambda: call(np, ox.asarray(a, chunks=(1, 2))))


def test_out_and_methods():
    a = np.arange(24.0).reshape(4, 6)
    x = ox.asarray(a, chunks=(2, 3))
    out = ox.zeros(6)
    r = np.quantile(x, 0.3, axis=0, out=out)
    assert r is out
    assert_eq(out, np.quantile(a, 0.3, axis=0))
    out2 = ox.zeros((1, 6))
    np.median(x, axis=0, keepdims=True, out=out2)
    assert_eq(out2, np.median(a, axis=0, keepdims=True))
    y = ox.asarray(a[:, ::-1].copy(), chunks=(2, 3))
    alias = y
    y.partition(2)
    assert_eq(np.sort(alias, axis=-1), np.sort(a, axis=-1))
    assert_eq(np.take(alias, [2], axis=1), np.partition(a[:, ::-1], 2)[:, [2]])
    assert_eq(y.argpartition(1, axis=0)[1], np.argsort(a[:, ::-1], axis=0, kind="stable")[1])


def test_median_bench_shape_selects_per_chunk():
    rng = np.random.default_rng(0)
    a = rng.random((64, 24))
    x = ox.asarray(a, chunks=(16, 12))
    m = np.median(x, axis=0)
    assert "select-pick" in m.explain() and "sort-merge" not in m.explain()
    assert_eq(m, np.median(a, axis=0))
    x1 = ox.asarray(a, chunks=(64, 12))
    m1 = np.median(x1, axis=0)
    assert "select" in m1.explain() and "sort-chunk" not in m1.explain()
    assert_eq(m1, np.median(a, axis=0))


def test_nothing_computes_at_the_call(monkeypatch):
    import oxarray._core as core

    calls = []
    real = core.compute
    monkeypatch.setattr(core, "compute", lambda *a, **k: calls.append(a) or real(*a, **k))
    a = np.arange(60.0).reshape(6, 10)
    a[2, 3] = np.nan
    x = ox.asarray(a, chunks=(2, 5))
    rs = [np.median(x, axis=1), np.nanmedian(x, axis=0), np.quantile(x, [0.1, 0.9], axis=0),
          np.nanpercentile(x, 40, axis=1), np.partition(x, 3), np.argpartition(x, 1, axis=0)]
    assert calls == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_eq(rs[2], np.quantile(a, [0.1, 0.9], axis=0))
        assert_eq(rs[3], np.nanpercentile(a, 40, axis=1))


# --- weights= (method="inverted_cdf", NumPy 2.x) ------------------------------------------------

@st.composite
def weighted_cases(draw):
    a, chunks, axis = draw(real_cases())
    whole = axis is None or draw(st.booleans())
    if whole:
        wshape = a.shape
    else:
        axes = (axis,) if isinstance(axis, int) else axis
        axes = tuple(d % a.ndim for d in axes)
        wshape = tuple(a.shape[d] for d in axes)
    w = np.asarray(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
                                 min_size=int(np.prod(wshape)), max_size=int(np.prod(wshape)))),
                   dtype=np.float64).reshape(wshape)
    w.reshape(-1)[:1] = 1.0 if w.size else w.reshape(-1)[:1]  # not all zero (NumPy raises)
    q = draw(st.one_of(st.sampled_from([0.0, 0.3, 0.5, 1.0]),
                       st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0]), min_size=1,
                                max_size=3).map(np.array)))
    return a, chunks, axis, w, q, draw(st.booleans())


@SETTINGS
@given(weighted_cases())
@example((np.array([1.0, 2.0, 3.0, 4.0]), ((2, 2),), None, np.array([0.0, 1.0, 1.0, 0.0]), 0.0,
          True))
@example((np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]]), ((1, 1), (2, 1)), -1,
          np.array([1.0, 2.0, 1.0]), np.array([0.2, 0.8]), False))
@example((np.array([[3, 1, 2], [6, 5, 4]], dtype=np.int16), ((2,), (1, 2)), (0, 1),
          np.ones((2, 3)), 0.5, True))
def test_weighted_quantile_matches_numpy(case):
    a, chunks, axis, w, q, lazy_weights = case
    x = ox.asarray(a, chunks=chunks)
    wx = ox.asarray(w) if lazy_weights else w
    for np_fn, scale in ((np.quantile, 1), (np.percentile, 100)):
        qs = q * scale
        differential(lambda: np_fn(a, qs, axis=axis, weights=w, method="inverted_cdf"),
                     lambda: np_fn(x, qs, axis=axis, weights=wx, method="inverted_cdf"))


@SETTINGS
@given(weighted_cases())
def test_weighted_nanquantile_matches_numpy(case):
    a, chunks, axis, w, q, lazy_weights = case
    if w.shape != a.shape or a.ndim > 1 and axis is not None:
        # NumPy's n-d weighted nanquantile indexes 1-d weights per lane (an IndexError): only
        # whole-shape weights there, and every reduced axis.
        w = np.broadcast_to(np.ones(1), a.shape).copy()
        axis = None
    x = ox.asarray(a, chunks=chunks)
    wx = ox.asarray(w) if lazy_weights else w
    for np_fn, scale in ((np.nanquantile, 1), (np.nanpercentile, 100)):
        qs = q * scale
        differential(lambda: np_fn(a, qs, axis=axis, weights=w, method="inverted_cdf"),
                     lambda: np_fn(x, qs, axis=axis, weights=wx, method="inverted_cdf"))


def test_weighted_errors_like_numpy():
    a = np.arange(6.0).reshape(2, 3)
    x = ox.asarray(a, chunks=(1, 2))
    cases = [
        dict(q=0.5, weights=np.ones(3), method="inverted_cdf"),            # axis None: TypeError
        dict(q=0.5, axis=1, weights=np.ones(2), method="inverted_cdf"),    # wrong length
        dict(q=0.5, axis=1, weights=np.ones(3), method="linear"),          # method
        dict(q=0.5, axis=1, weights=-np.ones(3), method="inverted_cdf"),   # negative
        dict(q=0.5, axis=1, weights=np.zeros(3), method="inverted_cdf"),   # all zero
        dict(q=0.5, axis=1, weights=np.array([1.0, np.inf, 1.0]), method="inverted_cdf"),
    ]
    for kw in cases:
        with pytest.raises(Exception) as expected:
            np.quantile(a, **kw)
        with pytest.raises(type(expected.value)):
            np.quantile(x, **kw).compute()
    # Lazy weights: what NumPy finds in the values is found at compute.
    r = np.quantile(x, 0.5, axis=1, weights=ox.asarray(-np.ones(3)), method="inverted_cdf")
    with pytest.raises(ValueError, match="non-negative"):
        r.compute()
    r = np.quantile(x, 0.5, axis=1, weights=ox.zeros(3), method="inverted_cdf")
    with pytest.raises(ValueError, match="all zero"):
        r.compute()


# --- the All-NaN RuntimeWarning, issued at compute ----------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda m, a: m.nanmedian(a, axis=1),
    lambda m, a: m.nanquantile(a, 0.5, axis=1),
    lambda m, a: m.nanpercentile(a, [10, 90], axis=1),
    lambda m, a: m.nanquantile(a, 0.5, axis=1, weights=np.ones(a.shape), method="inverted_cdf"),
])
def test_all_nan_slice_warns_at_compute(fn):
    a = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 2.0]])
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        expected = fn(np, a)
    x = ox.asarray(a, chunks=(1, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = fn(np, x)  # lazy: nothing known, nothing warned
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        got = r.compute()
    np.testing.assert_array_equal(got, expected)
    b = np.array([[1.0, np.nan, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn(np, ox.asarray(b)).compute()  # no all-NaN lane: no warning
