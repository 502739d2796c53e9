"""searchsorted, lexsort, sort_complex and topk against NumPy (the oracle): chunked and unchunked
axes, duplicates, NaN, signed zeros, every dtype, empty and 0-d cases, negative axes, and the
errors NumPy raises at the call."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray.testing import assert_eq, chunked_arrays, chunkings, dtypes, shapes
from tests.helpers import differential

SETTINGS = settings(max_examples=40, deadline=None)


def _dupes(draw, a: np.ndarray) -> np.ndarray:
    """Often, many duplicates: ties across chunk boundaries matter."""
    if draw(st.booleans()) and a.size:
        pick = draw(st.lists(st.integers(0, min(2, a.size - 1)), min_size=a.size, max_size=a.size))
        return np.take(a.reshape(-1), pick).reshape(a.shape)
    return a


# --- searchsorted -------------------------------------------------------------------------------

@st.composite
def search_cases(draw):
    dt = draw(dtypes())
    a, achunks = draw(chunked_arrays(dtype=dt, shape=shapes(min_dims=1, max_dims=1, max_side=12)))
    a = np.sort(_dupes(draw, a), kind="stable")
    vdt = dt if draw(st.booleans()) else draw(dtypes())
    if draw(st.booleans()) and a.size:
        # Values drawn from a itself: exact hits, the sides differ.
        v = np.take(a, draw(st.lists(st.integers(0, a.size - 1), max_size=8)))
        v, vchunks = v, draw(chunkings(v.shape))
    else:
        v, vchunks = draw(chunked_arrays(dtype=vdt, shape=shapes(min_dims=0, max_dims=2,
                                                                   max_side=5)))
    side = draw(st.sampled_from(["left", "right"]))
    return a, achunks, v, vchunks, side


@SETTINGS
@given(search_cases())
@example((np.array([-1.0, -0.0, 0.0, 0.0, 2.0, np.nan, np.nan]), ((3, 4),),
          np.array([0.0, -0.0, np.nan, 5.0, -np.inf]), ((2, 3),), "left"))
@example((np.array([-1.0, -0.0, 0.0, 0.0, 2.0, np.nan, np.nan]), ((1, 1, 5),),
          np.array([0.0, -0.0, np.nan, 5.0, -np.inf]), ((5,),), "right"))
@example((np.array([1, 2, 2, 2, 3], dtype=np.int8), ((2, 0, 3),), np.array(2), (), "right"))
@example((np.zeros(0), ((0,),), np.array([1.0, np.nan]), ((2,),), "left"))
@example((np.array([1 + 1j, 1 + 2j, complex(1, np.nan), complex(np.nan, 0)]), ((2, 2),),
          np.array([1 + 1.5j, complex(1, np.nan), complex(np.nan, 1), complex(np.nan, np.nan)]),
          ((1, 3),), "left"))
@example((np.array([0, 5, 7], dtype=np.uint64), ((1, 2),), np.array([-1, 6], dtype=np.int64),
          ((2,),), "left"))
def test_searchsorted_matches_numpy(case):
    a, achunks, v, vchunks, side = case
    x, y = ox.asarray(a, chunks=achunks), ox.asarray(v, chunks=vchunks)
    differential(lambda: np.searchsorted(a, v, side=side), lambda: np.searchsorted(x, y, side=side))
    expected = np.searchsorted(a, v, side=side)
    assert_eq(x.searchsorted(y, side=side), expected)
    assert_eq(ox.searchsorted(x, v, side=side), expected)  # NumPy values for v
    assert ox.searchsorted(x, y, side=side).chunks == y.chunks


@SETTINGS
@given(chunked_arrays(dtype=dtypes("iuf"), shape=shapes(min_dims=1, max_dims=1, max_side=12)),
       st.sampled_from(["left", "right"]), st.booleans(), st.integers(1, 5))
def test_searchsorted_sorter(case, side, lazy_sorter, step):
    a, _ = case
    a = np.concatenate([a, a[: a.size // 2]])  # duplicates
    sorter = np.argsort(a, kind="stable")
    v = np.concatenate([a[:3], np.array([0], a.dtype)])
    x = ox.asarray(a, chunks=step)
    s = ox.asarray(sorter, chunks=step + 1) if lazy_sorter else sorter
    assert_eq(np.searchsorted(x, v, side=side, sorter=s),
              np.searchsorted(a, v, side=side, sorter=sorter))


def test_searchsorted_python_scalars_and_promotion():
    a = np.array([1, 2, 3], dtype=np.int8)
    x = ox.asarray(a, chunks=2)
    for v in (300, -1, 2.5, 2, True):
        r = np.searchsorted(x, v)
        assert_eq(r, np.searchsorted(a, v))
        assert r.shape == ()


@pytest.mark.parametrize("call", [
    lambda m: m.searchsorted(m.ones((2, 2)), 1.0),
    lambda m: m.searchsorted(m.asarray(np.float64(1.0)), 1.0),
    lambda m: m.searchsorted(m.asarray(np.arange(3.0)), 1.0, side="foo"),
    lambda m: m.searchsorted(m.asarray(np.arange(3.0)), 1.0, side="L"),
    lambda m: m.searchsorted(m.asarray(np.arange(3.0)), 1.0, side=3),
    lambda m: m.searchsorted(m.asarray(np.arange(3.0)), 1.0, sorter=[0, 1]),
    lambda m: m.searchsorted(m.asarray(np.arange(3.0)), 1.0, sorter=[0.0, 1.0, 2.0]),
    lambda m: m.searchsorted(m.asarray(np.arange(3.0)), 1.0, sorter=np.zeros((1, 3), int)),
])
def test_searchsorted_errors_at_the_call(call):
    with pytest.raises(Exception) as expected:
        call(np)
    with pytest.raises(type(expected.value)):
        call(ox)


def test_searchsorted_a_chunked_is_lazy_and_keeps_v_chunks():
    a = np.sort(np.random.default_rng(0).random(1000))
    v = np.random.default_rng(1).random((30, 7))
    x = ox.asarray(a, chunks=97)
    y = ox.asarray(v, chunks=(8, 3))
    r = np.searchsorted(x, y, side="right")
    assert r.chunks == y.chunks and r.dtype == np.int64
    assert_eq(r, np.searchsorted(a, v, side="right"))


# --- lexsort ------------------------------------------------------------------------------------

@st.composite
def lexsort_cases(draw):
    shape = draw(shapes(min_dims=0, max_dims=3, max_side=6))
    nkeys = draw(st.integers(1, 3))
    keys = []
    for _ in range(nkeys):
        dt = draw(dtypes())
        k = draw(chunked_arrays(dtype=dt, shape=st.just(shape)))[0]
        keys.append(_dupes(draw, k))
    chunks = [draw(chunkings(shape)) for _ in keys]
    axis = draw(st.integers(-len(shape), len(shape) - 1)) if shape else -1
    return keys, chunks, axis


@SETTINGS
@given(lexsort_cases())
@example(([np.array([0.0, -0.0, np.nan, 1.0, np.nan, -0.0]), np.array([1, 1, 0, 0, 1, 1])],
          [((3, 3),), ((2, 4),)], 0))
@example(([np.array([[3, 1], [2, 2]], dtype=np.uint8), np.array([[1.0, 1.0], [1.0, 0.0]])],
          [((1, 1), (1, 1)), ((2,), (2,))], -2))
@example(([np.array(3.0)], [()], -1))
@example(([np.zeros((2, 0))], [((1, 1), (0,))], -1))
def test_lexsort_matches_numpy(case):
    keys, chunks, axis = case
    ox_keys = tuple(ox.asarray(k, chunks=c) for k, c in zip(keys, chunks, strict=True))
    differential(lambda: np.lexsort(tuple(keys), axis=axis), lambda: np.lexsort(ox_keys, axis=axis))


def test_lexsort_array_of_keys_and_errors():
    k = np.array([[3, 1, 2, 1, 3], [0, 1, 0, 1, 0]])
    x = ox.asarray(k, chunks=(1, 2))
    assert_eq(np.lexsort(x), np.lexsort(k))
    assert_eq(ox.lexsort(x), np.lexsort(k))
    for keys, kw in [((), {}), ((np.array([1, 2]), np.array([1, 2, 3])), {}),
                     ((np.ones((2, 3)),), {"axis": 2}), ((np.ones((2, 3)),), {"axis": None}),
                     (np.ones((0, 3)), {})]:
        with pytest.raises(Exception) as expected:
            np.lexsort(keys, **kw)
        ox_keys = ox.asarray(keys) if isinstance(keys, np.ndarray) else tuple(
            ox.asarray(k) for k in keys)
        with pytest.raises(type(expected.value)):
            ox.lexsort(ox_keys, **kw) if isinstance(ox_keys, tuple) and not ox_keys else \
                np.lexsort(ox_keys, **kw)


# --- sort_complex -------------------------------------------------------------------------------

@SETTINGS
@given(chunked_arrays(shape=shapes(min_dims=0, max_dims=2, max_side=7)))
@example((np.array([1 + 1j, np.nan + 0j, 1 - 1j, complex(0, np.nan)]), ((3, 1),)))
@example((np.array([3, 1, 2], dtype=np.int16), ((1, 2),)))
@example((np.array([3.0, -0.0, np.nan], dtype=np.float32), ((2, 1),)))
def test_sort_complex_matches_numpy(case):
    a, chunks = case
    x = ox.asarray(a, chunks=chunks)
    differential(lambda: np.sort_complex(a), lambda: np.sort_complex(x))


# --- topk ---------------------------------------------------------------------------------------

def _oracle_topk(a, k, axis, largest):
    if largest:
        rev = np.flip(a, axis)
        order = np.flip(a.shape[axis] - 1 - np.argsort(rev, axis=axis, kind="stable"), axis)
    else:
        order = np.argsort(a, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(a, idx, axis), idx


@st.composite
def topk_cases(draw):
    a, chunks = draw(chunked_arrays(shape=shapes(min_dims=1, max_dims=3, max_side=9)))
    a = _dupes(draw, a)
    axis = draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    k = draw(st.integers(0, n))
    largest = draw(st.booleans())
    return a, chunks, axis, k, largest


@SETTINGS
@given(topk_cases())
@example((np.array([3.0, np.nan, 1.0, 3.0, -0.0, 7.0, 0.0, 3.0]), ((3, 5),), 0, 4, True))
@example((np.array([3.0, np.nan, 1.0, 3.0, -0.0, 7.0, 0.0, 3.0]), ((1, 2, 5),), -1, 5, False))
@example((np.arange(12).reshape(3, 4) % 3, ((2, 1), (1, 3)), 0, 2, True))
@example((np.zeros((2, 0)), ((1, 1), (0,)), 1, 0, True))
def test_topk_matches_stable_argsort(case):
    a, chunks, axis, k, largest = case
    x = ox.asarray(a, chunks=chunks)
    values, indices = ox.topk(x, k, axis=axis, largest=largest)
    ev, ei = _oracle_topk(a, k, axis, largest)
    assert_eq(indices, ei)
    assert_eq(values, ev)
    assert_eq(ox.argtopk(x, -k if largest else k, axis=axis, largest=False), ei)


def test_topk_errors_and_chunks():
    x = ox.asarray(np.arange(10.0), chunks=3)
    with pytest.raises(ValueError):
        ox.topk(x, 11)
    with pytest.raises(np.exceptions.AxisError):
        ox.topk(x, 1, axis=1)
    with pytest.raises(TypeError):
        ox.topk(x, 1.5)
    v, i = ox.topk(x, 3)
    assert v.chunks == ((3,),) and i.dtype == np.int64
    assert_eq(v, np.array([9.0, 8.0, 7.0]))


def test_nothing_computes_at_the_call(monkeypatch):
    import oxarray._core as core

    calls = []
    real = core.compute
    monkeypatch.setattr(core, "compute", lambda *a, **k: calls.append(a) or real(*a, **k))
    a = np.arange(40.0).reshape(4, 10)
    x = ox.asarray(a, chunks=(2, 3))
    flat = ox.asarray(a.ravel(), chunks=7)
    rs = [np.searchsorted(flat, x), np.searchsorted(flat, x, sorter=ox.arange(40)),
          np.lexsort((x, x % 3), axis=0), np.sort_complex(x), ox.topk(x, 2)[0],
          ox.argtopk(x, -3, axis=0),
          np.quantile(x, 0.5, axis=1, weights=ox.ones(10), method="inverted_cdf")]
    assert calls == []
    assert_eq(rs[0], np.searchsorted(a.ravel(), a))
    assert_eq(rs[2], np.lexsort((a, a % 3), axis=0))
    # The chunked a is read chunk by chunk: one search task per chunk of v, no concatenation.
    plan = rs[0].explain()
    assert "searchsorted" in plan and "concatenate" not in plan
