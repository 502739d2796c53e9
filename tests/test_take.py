"""take, take_along_axis, choose, select and the index helpers against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import assert_eq, chunked_arrays, dtypes, shapes

SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(chunked_arrays(dtypes(), shapes(min_dims=1, max_dims=3, max_side=5)), st.data())
def test_take(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1)))
    n = a.size if axis is None else a.shape[axis]
    idx = np.array(data.draw(st.lists(st.integers(-n - 2, n + 1), max_size=6)), dtype=np.intp)
    idx = idx.reshape(data.draw(st.sampled_from([(idx.size,), (1, idx.size)])))
    mode = data.draw(st.sampled_from(["raise", "wrap", "clip"]))
    differential(lambda: np.take(a, idx, axis=axis, mode=mode), lambda: np.take(x, idx, axis=axis, mode=mode))
    differential(lambda: a.take(idx, axis=axis, mode=mode), lambda: x.take(idx, axis=axis, mode=mode))


@SETTINGS
@given(chunked_arrays(dtypes("if"), shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)), st.data())
def test_take_along_axis(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    shape = list(a.shape)
    shape[axis] = data.draw(st.integers(0, 4))
    idx = np.array(data.draw(st.lists(st.integers(-a.shape[axis], a.shape[axis] - 1),
                                      min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                   dtype=np.intp).reshape(shape)
    differential(lambda: np.take_along_axis(a, idx, axis), lambda: np.take_along_axis(x, idx, axis))
    differential(lambda: np.take_along_axis(a, np.argsort(a, axis=axis), axis),
                 lambda: np.take_along_axis(x, np.argsort(a, axis=axis), axis))


def test_choose_select():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, (4, 5))
    choices = [rng.random((4, 5)), rng.random(5), np.float32(2.0) * np.ones((4, 5), np.float32)]
    x = ox.asarray(a, chunks=2)
    for mode in ("raise", "wrap", "clip"):
        differential(lambda mode=mode: np.choose(a, choices, mode=mode),
                     lambda mode=mode: np.choose(x, choices, mode=mode))
    differential(lambda: np.choose(a + 3, choices), lambda: np.choose(x + 3, choices))
    differential(lambda: np.choose(a + 3, choices, mode="wrap"), lambda: np.choose(x + 3, choices, mode="wrap"))
    conds = [a == 0, a == 1]
    differential(lambda: np.select(conds, choices[:2], default=-1),
                 lambda: np.select([x == 0, x == 1], choices[:2], default=-1))
    differential(lambda: np.select(conds, [choices[2], choices[2]]),
                 lambda: np.select([x == 0, x == 1], [ox.asarray(choices[2]), choices[2]]))
    with pytest.raises(ValueError):
        np.select([x == 0], [1, 2])
    with pytest.raises(TypeError):
        np.select([ox.asarray(a)], [x])


@pytest.mark.parametrize("n,k,m", [(4, 0, None), (4, 1, 6), (5, -2, 3), (0, 0, None), (3, 5, 2)])
def test_tri_and_diag_indices(n, k, m):
    for got, exp in ((ox.tril_indices(n, k, m), np.tril_indices(n, k, m)),
                     (ox.triu_indices(n, k, m), np.triu_indices(n, k, m))):
        for g, e in zip(got, exp, strict=True):
            assert_eq(g, e)
    a = np.zeros((n, m if m is not None else n))
    x = ox.asarray(a)
    for got, exp in ((np.tril_indices_from(x, k), np.tril_indices_from(a, k)),
                     (np.triu_indices_from(x, k), np.triu_indices_from(a, k))):
        for g, e in zip(got, exp, strict=True):
            assert_eq(g, e)
    for g, e in zip(ox.diag_indices(n, 3), np.diag_indices(n, 3), strict=True):
        assert_eq(g, e)
    sq = ox.zeros((3, 3, 3))
    for g, e in zip(np.diag_indices_from(sq), np.diag_indices_from(np.zeros((3, 3, 3))), strict=True):
        assert_eq(g, e)
    with pytest.raises(ValueError):
        np.diag_indices_from(ox.zeros((2, 3)))


def test_unravel_and_ravel_multi_index():
    idx = np.array([0, 5, 11, 7])
    for order in ("C", "F"):
        got = np.unravel_index(ox.asarray(idx), (3, 4), order=order)
        for g, e in zip(got, np.unravel_index(idx, (3, 4), order=order), strict=True):
            assert_eq(g, e)
        coords = np.unravel_index(idx, (3, 4), order=order)
        differential(lambda order=order, coords=coords: np.ravel_multi_index(coords, (3, 4), order=order),
                     lambda order=order, coords=coords: np.ravel_multi_index(
                         tuple(ox.asarray(c) for c in coords), (3, 4), order=order))
    with pytest.raises(ValueError):
        np.unravel_index(ox.asarray(np.array([12])), (3, 4))
    far = (ox.asarray(np.array([3, -1])), ox.asarray(np.array([0, 5])))
    with pytest.raises(ValueError):
        np.ravel_multi_index(far, (3, 4))
    differential(lambda: np.ravel_multi_index((np.array([3, -1]), np.array([0, 5])), (3, 4), mode="wrap"),
                 lambda: np.ravel_multi_index(far, (3, 4), mode="wrap"))
    differential(lambda: np.ravel_multi_index((np.array([3, -1]), np.array([0, 5])), (3, 4), mode="clip"),
                 lambda: np.ravel_multi_index(far, (3, 4), mode="clip"))
