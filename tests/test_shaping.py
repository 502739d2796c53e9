"""rollaxis, resize, ix_, trim_zeros, sliding_window_view against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import assert_eq, chunkings, dtypes, shapes


@st.composite
def case(draw, kinds="biufc", min_dims=0, max_dims=3):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=5))
    a = draw(bounded_data(draw(dtypes(kinds)), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


@given(c=case(), axis=st.integers(-4, 3), start=st.integers(-5, 4))
def test_rollaxis(c, axis, start):
    a, x = c
    differential(lambda: np.rollaxis(a, axis, start), lambda: np.rollaxis(x, axis, start))


@given(c=case(), shape=st.sampled_from([0, 7, (2, 3), (3, 0), (4, 5, 2), (-1, 2)]))
def test_resize(c, shape):
    a, x = c
    differential(lambda: np.resize(a, shape), lambda: np.resize(x, shape))


def test_ix_():
    a = np.arange(20).reshape(4, 5)
    rows, cols = np.array([0, 2]), np.array([True, False, True, False, True])
    got = np.ix_(ox.asarray(rows), ox.asarray(cols))
    expected = np.ix_(rows, cols)
    for g, e in zip(got, expected, strict=True):
        assert_eq(g, e)
    assert_eq(ox.asarray(a)[got], a[expected])
    with pytest.raises(ValueError):
        np.ix_(ox.asarray(a))


@given(c=case(kinds="biuf", min_dims=1), data=st.data())
@example(c=(np.array([0, 0, 1, 2, 0]), ox.asarray([0, 0, 1, 2, 0], chunks=2)), data=None)
@example(c=(np.zeros((2, 3)), ox.zeros((2, 3))), data=None)
def test_trim_zeros(c, data):
    a, x = c
    if data is None:
        trim, axis = "fb", None
    else:
        a = a * (np.abs(a) > 50)  # plenty of zeros
        x = ox.from_array(a, chunks=data.draw(chunkings(a.shape)))
        trim = data.draw(st.sampled_from(["fb", "f", "b", "B", "x"]))
        axis = data.draw(st.sampled_from([None, 0, -1, (0, -1), 5]))
    differential(lambda: np.trim_zeros(a, trim, axis), lambda: np.trim_zeros(x, trim, axis))


@given(c=case(min_dims=1, max_dims=2), data=st.data())
def test_sliding_window_view(c, data):
    a, x = c
    if data.draw(st.booleans()):
        axis = None
        window = tuple(data.draw(st.integers(0, s + 1)) for s in a.shape)
    else:
        axis = data.draw(st.sampled_from([0, -1, (0, 0)]))
        n = 2 if isinstance(axis, tuple) else 1
        window = tuple(data.draw(st.integers(0, 3)) for _ in range(n))
    differential(lambda: sliding_window_view(a, window, axis),
                 lambda: sliding_window_view(x, window, axis))


def test_sliding_window_view_big():
    a = np.arange(1000.0)
    x = ox.asarray(a, chunks=64)
    y = sliding_window_view(x, 25)
    assert_eq(y, sliding_window_view(a, 25))
    assert_eq(y.mean(axis=-1), sliding_window_view(a, 25).mean(axis=-1))


def test_sliding_window_view_through_the_namespace_lib():
    # xarray's rolling calls xp.lib.stride_tricks.sliding_window_view on the array's namespace.
    a = np.arange(12.0).reshape(3, 4)
    xp = ox.asarray(a, chunks=2).__array_namespace__()
    got = xp.lib.stride_tricks.sliding_window_view(ox.asarray(a, chunks=2), 3, axis=1)
    assert_eq(got, np.lib.stride_tricks.sliding_window_view(a, 3, axis=1))
