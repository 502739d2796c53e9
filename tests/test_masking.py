"""Boolean-mask indexing and the data-dependent-shape functions (nonzero, argwhere, flatnonzero,
count_nonzero, extract, compress) against NumPy, and what each computes at the call."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import assert_eq, chunked_arrays, dtypes, shapes

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def array_and_mask(draw, min_dims=1):
    a, chunks = draw(chunked_arrays(dtypes(), shapes(min_dims=min_dims, max_dims=3, max_side=6)))
    k = draw(st.integers(min(1, a.ndim), a.ndim))
    mask = draw(st.lists(st.booleans(), min_size=int(np.prod(a.shape[:k])),
                         max_size=int(np.prod(a.shape[:k])))) if k else [draw(st.booleans())]
    m = np.array(mask, dtype=bool).reshape(a.shape[:k])
    return a, chunks, m


@SETTINGS
@given(array_and_mask(), st.booleans())
def test_mask_getitem(case, lazy_mask):
    a, chunks, m = case
    x = ox.from_array(a, chunks=chunks)
    mx = ~(~ox.asarray(m)) if lazy_mask else m  # a lazy mask: computed once by the size pass
    differential(lambda: a[m], lambda: x[mx])


@SETTINGS
@given(chunked_arrays(dtypes("if"), shapes(min_dims=2, max_dims=3, max_side=5)), st.data())
def test_mask_after_slices(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    m = np.array(data.draw(st.lists(st.booleans(), min_size=a.shape[1], max_size=a.shape[1])), bool)
    differential(lambda: a[:, m], lambda: x[:, m])
    differential(lambda: a[1:, m], lambda: x[1:, m])
    differential(lambda: a[..., None, m, :1], lambda: x[..., None, m, :1])


def test_mask_of_comparison_and_errors():
    a = np.random.default_rng(0).random((7, 5))
    x = ox.asarray(a, chunks=(3, 2))
    assert_eq(x[x > 0.5], a[a > 0.5])
    assert_eq(x[(x > 0.5)[:, 0]], a[(a > 0.5)[:, 0]])
    assert_eq(x[True], a[True])
    assert_eq(x[False], a[False])
    with pytest.raises(IndexError):
        x[np.ones(6, bool)]
    with pytest.raises(IndexError):
        x[np.ones((7, 4), bool)]


def test_what_is_computed_at_the_call():
    """``x[mask]`` computes the mask (kept) and its counts; the selected values stay lazy."""
    rng = ox.random.default_rng(0)
    x = rng.random(1000, chunks=100)
    mask = x > 0.5
    y = x[mask]
    assert isinstance(y, ox.Array) and len(y.chunks[0]) == 10
    plan = y.explain()
    # The mask is a literal now: computing y runs the random source again for the values (lazy),
    # never the comparison (no fused program), and one compress per band.
    kinds = dict(line.split() for line in plan.splitlines()[1:] if line.startswith("  "))
    assert kinds == {"array": "10", "random": "10", "compress": "10"}, plan
    expected = x.compute()
    assert_eq(y, expected[expected > 0.5])


def test_sum_of_masked():
    a = np.random.default_rng(1).random(10_000)
    x = ox.asarray(a, chunks=999)
    np.testing.assert_allclose(float(x[x > 0.5].sum()), a[a > 0.5].sum())


@SETTINGS
@given(chunked_arrays(dtypes(), shapes(min_dims=0, max_dims=3, max_side=5)))
@example((np.array(0.0), ()))
@example((np.zeros((0, 3)), ((0,), (3,))))
@example((np.array([np.nan, 0.0, -0.0]), ((2, 1),)))
def test_nonzero_family(case):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    for f in (np.flatnonzero, np.argwhere, np.count_nonzero):
        differential(lambda f=f: f(a), lambda f=f: f(x))
    if a.ndim:
        expected = np.nonzero(a)
        got = np.nonzero(x)
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert_eq(g, e)
        for g, e in zip(x.nonzero(), expected, strict=True):
            assert_eq(g, e)
    else:
        with pytest.raises(ValueError):
            np.nonzero(x)


@SETTINGS
@given(chunked_arrays(dtypes("ifb"), shapes(min_dims=1, max_dims=3, max_side=5)), st.data())
def test_count_nonzero_axis(case, data):
    from oxarray.testing import axes

    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    axis = data.draw(axes(a.ndim))
    keepdims = data.draw(st.booleans())
    differential(lambda: np.count_nonzero(a, axis=axis, keepdims=keepdims),
                 lambda: np.count_nonzero(x, axis=axis, keepdims=keepdims))


@SETTINGS
@given(chunked_arrays(dtypes("if"), shapes(min_dims=1, max_dims=3, max_side=5)), st.data())
def test_compress_and_extract(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    n = a.size if axis is None else a.shape[axis]
    cond = np.array(data.draw(st.lists(st.booleans(), max_size=n + 2)), dtype=bool)
    differential(lambda: np.compress(cond, a, axis=axis), lambda: np.compress(cond, x, axis=axis))
    differential(lambda: a.compress(cond, axis=axis), lambda: x.compress(cond, axis=axis))
    c2 = (a > 0) if a.size else np.zeros(a.shape, bool)
    differential(lambda: np.extract(c2, a), lambda: np.extract(ox.asarray(c2), x))
    flat = np.array(data.draw(st.lists(st.integers(0, 1), max_size=a.size + 2)))
    differential(lambda: np.extract(flat, a), lambda: np.extract(flat, x))


def test_nonzero_of_2d_chunked_both_axes():
    a = (np.arange(60).reshape(6, 10) % 7 == 0)
    x = ox.asarray(a, chunks=(4, 3))
    for g, e in zip(np.nonzero(x), np.nonzero(a), strict=True):
        assert_eq(g, e)
    assert_eq(x[x], a[a])


def _kinds(a) -> dict[str, int]:
    plan = a.explain()
    return {k: int(n) for k, n in (line.split() for line in plan.splitlines()[1:] if line.startswith("  "))}


def test_nothing_else_is_computed_at_the_call():
    """Each data-dependent function computes its mask at the call (the mask's tasks are gone from
    the result's plan); everything else stays in the plan, lazy."""
    x = ox.random.default_rng(1).random((40, 6), chunks=(10, 6))
    nz = np.nonzero(x > 0.5)[0]
    assert "random" not in _kinds(nz) and _kinds(nz)["compress"] == 4  # indices come from arange
    for lazy in (np.extract(x > 0.5, x), np.compress(np.ones(40, bool), x, axis=0), x[:, [0, 2]],
                 np.take(x, [1, 3], axis=0), np.take_along_axis(x, np.zeros((40, 1), int), 1)):
        assert "random" in _kinds(lazy), lazy.explain()  # the values are still lazy
    y = ox.random.default_rng(1).random((40, 6), chunks=(10, 6))
    y[y > 0.5] = 0  # a where: nothing computed
    y[:3, 1] = y[3:6, 2]
    np.put(y, [0, 5], [1.0, 2.0])
    assert _kinds(y)["random"] == 4 and "array" in _kinds(y)  # the index masks are literals
    b = x.compute()
    b[b > 0.5] = 0
    b[:3, 1] = b[3:6, 2]
    np.put(b, [0, 5], [1.0, 2.0])
    assert_eq(y, b)


def test_where_with_one_argument_is_nonzero():
    a = np.array([[0, 1, 2], [3, 0, 0]])
    x = ox.asarray(a, chunks=1)
    for g, e in zip(np.where(x), np.where(a), strict=True):
        assert_eq(g, e)
