"""roll, flip/fliplr/flipud, rot90, tile, repeat against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import arrays, assert_eq, axes, chunkings, dtypes, shapes


@st.composite
def case(draw, min_dims=0, max_dims=3):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=5))
    a = draw(arrays(draw(dtypes()), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


@given(c=case(), data=st.data())
def test_roll(c, data):
    a, x = c
    axis = data.draw(st.one_of(st.none(), axes(a.ndim, allow_none=False),
                               st.integers(-4, 4)))
    n = 1 if axis is None or isinstance(axis, int) else len(axis)
    shift = data.draw(st.one_of(st.integers(-12, 12), st.lists(st.integers(-12, 12), min_size=n,
                                                              max_size=n)))
    for f in (np.roll, ox.roll):
        differential(lambda: np.roll(a, shift, axis), lambda: f(x, shift, axis=axis))  # noqa: B023


@given(c=case(), data=st.data())
def test_flips(c, data):
    a, x = c
    axis = data.draw(st.one_of(axes(a.ndim), st.integers(-4, 4)))
    differential(lambda: np.flip(a, axis), lambda: np.flip(x, axis))
    differential(lambda: np.flip(a, axis=axis), lambda: ox.flip(x, axis=axis))
    differential(lambda: np.fliplr(a), lambda: np.fliplr(x))
    differential(lambda: np.flipud(a), lambda: np.flipud(x))


@given(c=case(), k=st.integers(-5, 5), ax=st.sampled_from([(0, 1), (1, 0), (-1, 0), (0, 2),
                                                            (1, 1), (0, 1, 2), (0, 3), (-2, -1)]))
def test_rot90(c, k, ax):
    a, x = c
    differential(lambda: np.rot90(a, k, ax), lambda: np.rot90(x, k, ax))


@given(c=case(max_dims=2), reps=st.one_of(st.integers(0, 3),
                                            st.lists(st.integers(0, 3), max_size=4)))
def test_tile(c, reps):
    a, x = c
    differential(lambda: np.tile(a, reps), lambda: np.tile(x, reps))
    differential(lambda: np.tile(a, reps), lambda: ox.tile(x, reps))


@given(c=case(), data=st.data())
def test_repeat(c, data):
    a, x = c
    axis = data.draw(st.one_of(st.none(), st.integers(-4, 4)))
    n = a.size if axis is None else (a.shape[axis] if -a.ndim <= axis < a.ndim else 1)
    repeats = data.draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=n,
                                                             max_size=n)))
    differential(lambda: np.repeat(a, repeats, axis), lambda: np.repeat(x, repeats, axis))
    differential(lambda: a.repeat(repeats, axis), lambda: x.repeat(repeats, axis))
    differential(lambda: np.repeat(a, repeats, axis), lambda: ox.repeat(x, repeats, axis=axis))


def test_repeat_errors_and_lazy_counts():
    x = ox.asarray(np.arange(6).reshape(2, 3), chunks=1)
    with pytest.raises(ValueError):
        np.repeat(x, -1)
    with pytest.raises(ValueError):
        np.repeat(x, [1, -1], axis=0)
    with pytest.raises(ValueError):
        np.repeat(x, [1, 2], axis=1)
    with pytest.raises(TypeError):
        np.repeat(x, 1.5)
    assert_eq(np.repeat(x, ox.asarray([2, 0, 1]), axis=1),
              np.repeat(np.arange(6).reshape(2, 3), [2, 0, 1], axis=1))


def test_errors_are_numpys():
    x = ox.asarray(np.ones((2, 3)))
    with pytest.raises(np.exceptions.AxisError):
        np.roll(x, 1, axis=2)
    with pytest.raises(ValueError):
        np.roll(x, [1, 2, 3], axis=[0, 1])
    with pytest.raises(ValueError):
        np.fliplr(ox.ones(3))
    with pytest.raises(ValueError):
        np.rot90(x, axes=(0, 0))
    with pytest.raises(ValueError):
        np.tile(x, -1)
