"""hstack/vstack/dstack/column_stack, block, split family, unstack, append/insert/delete,
atleast_3d against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import arrays, assert_eq, chunkings, dtypes, shapes


@st.composite
def case(draw, min_dims=0, max_dims=3):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=5))
    a = draw(arrays(draw(dtypes()), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


def _same_list(got, want):
    assert isinstance(got, (list, tuple)) and len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert_eq(g, w)


@given(c=case(), data=st.data())
def test_stacks(c, data):
    a, x = c
    b = data.draw(arrays(data.draw(dtypes()), data.draw(st.sampled_from([a.shape, a.shape[1:],
                                                                           (2,) + a.shape[1:]]))))
    for name in ("hstack", "vstack", "dstack", "column_stack"):
        differential(lambda: getattr(np, name)([a, b]), lambda: getattr(np, name)([x, b]))  # noqa: B023
        differential(lambda: getattr(np, name)((a,)), lambda: getattr(ox, name)((x,)))  # noqa: B023
    differential(lambda: np.atleast_3d(a), lambda: np.atleast_3d(x))
    got = np.atleast_3d(x, a)
    want = np.atleast_3d(a, a)
    _same_list(got, want)


def test_hstack_dtype_casting():
    a, b = np.arange(3), np.ones(3)
    x = ox.asarray(a)
    assert_eq(np.hstack([x, b], dtype="float32"), np.hstack([a, b], dtype="float32"))
    with pytest.raises(TypeError):
        np.vstack([x, b], dtype="int8", casting="safe")


@given(data=st.data())
def test_block(data):
    a = data.draw(arrays("int16", (2, 2)))
    b = data.draw(arrays("float32", (2, 3)))
    c = data.draw(arrays("int16", (1, 5)))
    xa, xb = ox.asarray(a, chunks=1), ox.asarray(b)
    assert_eq(np.block([[xa, xb], [c]]), np.block([[a, b], [c]]))
    assert_eq(np.block([xa, a]), np.block([a, a]))
    assert_eq(np.block([[1, 2], [3, 4]]), np.block([[1, 2], [3, 4]]))
    assert_eq(np.block(xa), np.block(a))
    assert_eq(ox.block([[[xa]], [[a]]]), np.block([[[a]], [[a]]]))
    with pytest.raises(ValueError):
        np.block([[xa, xb], c])
    with pytest.raises(ValueError):
        ox.block([])
    with pytest.raises(ValueError):
        np.block([[xa], []])
    with pytest.raises(TypeError):
        ox.block((xa, xb))


@given(c=case(min_dims=1), data=st.data())
def test_splits(c, data):
    a, x = c
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    ios = data.draw(st.one_of(st.integers(1, 4), st.lists(st.integers(-6, 8), max_size=4)))
    for name in ("split", "array_split"):
        try:
            want = getattr(np, name)(a, ios, axis)
        except Exception as exc:
            with pytest.raises(type(exc)):
                getattr(np, name)(x, ios, axis)
            continue
        _same_list(getattr(np, name)(x, ios, axis), want)
    for name in ("hsplit", "vsplit", "dsplit"):
        try:
            want = getattr(np, name)(a, ios)
        except Exception as exc:
            with pytest.raises(type(exc)):
                getattr(np, name)(x, ios)
            continue
        _same_list(getattr(np, name)(x, ios), want)
    _same_list(ox.unstack(x, axis=axis), np.unstack(a, axis=axis))
    _same_list(np.unstack(x, axis=axis), np.unstack(a, axis=axis))


@given(c=case(), data=st.data())
def test_append(c, data):
    a, x = c
    axis = data.draw(st.sampled_from([None, 0, -1]))
    b = data.draw(arrays(data.draw(dtypes()), data.draw(st.sampled_from([a.shape, (2,), ()]))))
    differential(lambda: np.append(a, b, axis), lambda: np.append(x, b, axis))


@given(c=case(), data=st.data())
def test_delete(c, data):
    a, x = c
    axis = data.draw(st.sampled_from([None, 0, -1, 1]))
    n = a.size if axis is None else (a.shape[axis] if -a.ndim <= axis < a.ndim else 0)
    obj = data.draw(st.one_of(
        st.integers(-n - 1, n),
        st.lists(st.integers(-n, max(n - 1, 0)), max_size=4),
        st.builds(slice, st.integers(-6, 6) | st.none(), st.integers(-6, 6) | st.none(),
                  st.sampled_from([None, 1, 2, -1, -2])),
        st.lists(st.booleans(), min_size=n, max_size=n).map(np.array)))
    differential(lambda: np.delete(a, obj, axis), lambda: np.delete(x, obj, axis))


@given(c=case(), data=st.data())
def test_insert(c, data):
    a, x = c
    axis = data.draw(st.sampled_from([None, 0, -1, 1]))
    n = a.size if axis is None else (a.shape[axis] if -a.ndim <= axis < a.ndim else 0)
    obj = data.draw(st.one_of(
        st.integers(-n - 1, n + 1),
        st.lists(st.integers(-n, n), max_size=4),
        st.builds(slice, st.integers(-6, 6) | st.none(), st.integers(-6, 6) | st.none())))
    values = data.draw(st.one_of(st.integers(-5, 5), st.lists(st.integers(-5, 5), min_size=1,
                                                               max_size=3)))
    differential(lambda: np.insert(a, obj, values, axis), lambda: np.insert(x, obj, values, axis))


def test_insert_2d_values():
    a = np.arange(6).reshape(2, 3)
    x = ox.asarray(a, chunks=1)
    for obj, vals, axis in ((1, [[9], [8]], 1), ([1], [[9], [8]], 1), (1, [7, 8], 1),
                            ([0, 2], 5.5, 1), (slice(0, 2), [[1, 2, 3]], 0)):
        assert_eq(np.insert(x, obj, vals, axis), np.insert(a, obj, vals, axis))
