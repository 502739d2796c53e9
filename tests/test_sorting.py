"""Sorting along any axis, chunked or not, against NumPy's stable sort (the oracle).

oxarray's sorts are always stable, so values are compared bit for bit with
``np.sort(kind="stable")`` (signed zeros and NaN payloads keep NumPy's order) and indices
exactly with ``np.argsort(kind="stable")``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray.testing import assert_eq, chunked_arrays, dtypes, shapes
from tests.helpers import differential

SETTINGS = settings(max_examples=40, deadline=None)


def assert_same_bits(actual: ox.Array, expected: np.ndarray) -> None:
    """Values, dtype, shape, chunks (assert_eq) and then the exact bits."""
    assert_eq(actual, expected)
    got = actual.compute()
    if got.dtype.kind in "fc":
        view = {2: np.uint16, 4: np.uint32, 8: np.uint64, 16: np.uint64}[got.dtype.itemsize]
        np.testing.assert_array_equal(got.view(view), expected.view(view))


def _axis(draw, ndim):
    if ndim == 0:
        return None
    return draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))


@st.composite
def sort_cases(draw, dtype=None):
    a, chunks = draw(chunked_arrays(dtype=dtype if dtype is not None else dtypes(),
                                    shape=shapes(min_dims=1, max_dims=3, max_side=9)))
    if draw(st.booleans()) and a.size:
        # Many duplicates: stability and cross-chunk ties matter.
        a = np.take(a.reshape(-1), draw(st.lists(st.integers(0, min(2, a.size - 1)), min_size=a.size,
                                                  max_size=a.size))).reshape(a.shape)
    return a, chunks, _axis(draw, a.ndim)


@SETTINGS
@given(sort_cases())
@example((np.array([0.0, -0.0, np.nan, -np.nan, 1.0, -0.0, 0.0]), ((3, 4),), -1))
@example((np.array([1 + 1j, np.nan + 0j, 1 + np.nan * 1j, complex(np.nan, np.nan), 0j, 1 + 0j]),
          ((2, 1, 3),), 0))
@example((np.array([True, False, True, False]), ((1, 3),), None))
@example((np.zeros((0, 3)), ((0,), (2, 1)), 0))
@example((np.arange(24.0).reshape(2, 3, 4)[::-1], ((1, 1), (2, 1), (3, 1)), 1))
def test_sort_matches_numpy_stable(case):
    a, chunks, axis = case
    x = ox.asarray(a, chunks=chunks)
    assert_same_bits(np.sort(x, axis=axis), np.sort(a, axis=axis, kind="stable"))
    assert_eq(np.argsort(x, axis=axis), np.argsort(a, axis=axis, kind="stable"))


@SETTINGS
@given(sort_cases(dtype=dtypes("iuf")))
def test_array_api_descending(case):
    a, chunks, axis = case
    axis = -1 if axis is None else axis
    x = ox.asarray(a, chunks=chunks)
    # The Array API's descending order: NumPy's order reversed (NaN first), equal values in index
    # order (array-api-strict's construction from NumPy's stable argsort).
    n = a.shape[axis]
    want_idx = np.flip(n - 1 - np.argsort(np.flip(a, axis=axis), axis=axis, kind="stable"),
                       axis=axis)
    assert_eq(ox.argsort(x, axis=axis, descending=True, stable=True), want_idx)
    assert_same_bits(ox.sort(x, axis=axis, descending=True),
                     np.take_along_axis(a, want_idx, axis=axis))


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "int32", "uint64", "int64",
                                   "float32", "float64", "complex64", "complex128"])
def test_every_dtype_chunked_axis(dtype):
    rng = np.random.default_rng(1)
    if dtype == "bool":
        a = rng.random((37, 5)) > 0.5
    else:
        a = np.abs(rng.standard_normal((37, 5)) * 4).astype(dtype) - np.array(2).astype(dtype)
    if dtype.startswith("complex"):
        a = a + 1j * (rng.standard_normal((37, 5)) > 0).astype(dtype)
    x = ox.asarray(a, chunks=(7, 2))
    for axis in (0, 1, None):
        assert_same_bits(np.sort(x, axis=axis), np.sort(a, axis=axis, kind="stable"))
        assert_eq(np.argsort(x, axis=axis), np.argsort(a, axis=axis, kind="stable"))


def test_long_lanes_use_radix_and_merge():
    rng = np.random.default_rng(2)
    a = rng.integers(-50, 50, 20000).astype(np.float64)
    a[::97] = np.nan
    a[::89] = -0.0
    x = ox.asarray(a, chunks=3000)
    assert_same_bits(np.sort(x), np.sort(a, kind="stable"))
    assert_eq(np.argsort(x), np.argsort(a, kind="stable"))
    b = rng.integers(0, 2**63, 5000, dtype=np.uint64)
    assert_eq(np.argsort(ox.asarray(b, chunks=700)), np.argsort(b, kind="stable"))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int16"])
@pytest.mark.parametrize("descending", [False, True])
def test_long_chunks_use_msd_radix_and_blocked_merge(dtype, descending):
    # Chunks of 2**17 take the MSD radix sort and outputs this long the cache-blocked merge.
    rng = np.random.default_rng(3)
    a = (rng.random(3 * 2**17 + 11) * 2000 - 1000).astype(dtype)
    if dtype.startswith("float"):
        a[::97] = np.nan
        a[::89] = -0.0
        a[::83] = 0.0
        a[::101] = np.inf
        a[::103] = -np.inf
    x = ox.asarray(a, chunks=2**17)
    expected = np.sort(a, kind="stable")
    if descending:
        assert_same_bits(ox.sort(x, descending=True, stable=True),
                         np.flip(np.sort(np.flip(a), kind="stable")))
    else:
        assert_same_bits(np.sort(x), expected)
    whole = ox.asarray(a, chunks=-1)
    assert_same_bits(np.sort(whole), expected)


@pytest.mark.parametrize("call", [
    lambda m, a: m.sort(a, kind="foo"),
    lambda m, a: m.sort(a, kind=3),
    lambda m, a: m.sort(a, kind="stable", stable=True),
    lambda m, a: m.sort(a, order="x"),
    lambda m, a: m.argsort(a, order="x"),
    lambda m, a: m.sort(a, axis=2),
    lambda m, a: m.argsort(a, axis=-3),
    lambda m, a: m.sort(a, axis=1.0),
    lambda m, a: m.sort(a, kind="Q"),
    lambda m, a: m.argsort(a, kind="heapsort"),
    lambda m, a: m.sort(a, stable=False),
])
def test_errors_and_keywords_like_numpy(call):
    a = np.arange(6.0).reshape(2, 3)[:, ::-1]
    differential(lambda: call(np, a), lambda: call(np, ox.asarray(a, chunks=1)))


@pytest.mark.parametrize("a", [np.array(5.0), np.array(3, dtype=np.int8)])
def test_zero_d(a):
    x = ox.asarray(a)
    differential(lambda: np.sort(a), lambda: np.sort(x))
    differential(lambda: np.sort(a, axis=None), lambda: np.sort(x, axis=None))
    differential(lambda: np.argsort(a), lambda: np.argsort(x))


def test_methods():
    a = np.array([[3, 1, 2], [0, 5, 4]])
    x = ox.asarray(a, chunks=(1, 2))
    alias = x
    assert_eq(x.argsort(axis=0), np.argsort(a, axis=0, kind="stable"))
    x.sort()  # in place, as ndarray.sort: every reference to the object sees it
    a.sort()
    assert_eq(alias, a)


def test_nothing_computes_at_the_call(monkeypatch):
    import oxarray._core as core

    calls = []
    real = core.compute
    monkeypatch.setattr(core, "compute", lambda *a, **k: calls.append(a) or real(*a, **k))
    x = ox.asarray(np.arange(100.0)[::-1].copy(), chunks=10)
    y = np.sort(x)
    z = np.argsort(x * 2, axis=None)
    w = ox.sort(x, descending=True)
    x.sort()
    assert calls == []
    assert y.chunks == x.chunks == z.chunks == w.chunks
    # A 1-d values sort is a sample sort where the CPU has AVX-512, else chunk sorts and a merge.
    assert "sort-gather" in y.explain() or "sort-merge" in y.explain()
    assert "sort-merge" in z.explain()
    assert_eq(y, np.arange(100.0))
