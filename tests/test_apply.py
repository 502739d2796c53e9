"""apply_along_axis, apply_over_axes, piecewise (the user's function per chunk) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import assert_eq, chunkings, dtypes, shapes


@st.composite
def case(draw, kinds="biuf", min_dims=1):
    shape = draw(shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=5))
    a = draw(bounded_data(draw(dtypes(kinds)), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


FUNCS = [
    lambda v: v.sum(),
    lambda v: v * 2,
    lambda v: np.outer(v, v),
    lambda v: np.array([v.min(), v.max()]),
    lambda v: np.sort(v)[::-1],
]


@given(c=case(), data=st.data())
def test_apply_along_axis(c, data):
    a, x = c
    f = data.draw(st.sampled_from(FUNCS))
    axis = data.draw(st.integers(-a.ndim - 1, a.ndim))
    differential(lambda: np.apply_along_axis(f, axis, a), lambda: np.apply_along_axis(f, axis, x))


def test_apply_along_axis_args_and_kwargs():
    a = np.arange(24.0).reshape(4, 6)
    x = ox.asarray(a, chunks=(2, 4))

    def f(v, scale, shift=0.0):
        return v * scale + shift

    assert_eq(np.apply_along_axis(f, 1, x, 3.0, shift=1.0), np.apply_along_axis(f, 1, a, 3.0,
                                                                                  shift=1.0))
    with pytest.raises(ValueError):
        np.apply_along_axis(np.sum, 1, ox.zeros((0, 3)))


def test_apply_along_axis_error_in_function_keeps_its_type():
    x = ox.asarray(np.arange(6.0).reshape(2, 3))
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) > 1:
            raise KeyError("boom")
        return v.sum()

    y = np.apply_along_axis(f, 1, x)
    with pytest.raises(KeyError):
        y.compute()


@given(c=case(kinds="if", min_dims=2), data=st.data())
def test_apply_over_axes(c, data):
    a, x = c
    axes = data.draw(st.sampled_from([0, -1, (0, 1), [1, 0]]))
    f = data.draw(st.sampled_from([np.sum, np.mean, np.max]))
    differential(lambda: np.apply_over_axes(f, a, axes), lambda: np.apply_over_axes(f, x, axes),
                 rtol=1e-5, atol=1e-4)


@given(c=case(kinds="if", min_dims=0), data=st.data())
def test_piecewise(c, data):
    a, x = c
    which = data.draw(st.integers(0, 3))
    if which == 0:
        conds_np, conds_ox = [a < 0, a >= 0], [x < 0, x >= 0]
        funcs = [lambda v: -v, lambda v: v]
    elif which == 1:
        conds_np, conds_ox = [a < 0], [x < 0]
        funcs = [lambda v: v * 2, 7]
    elif which == 2:
        conds_np, conds_ox = [a > 10, a < -10], [x > 10, x < -10]
        funcs = [1.5, lambda v, k: v + k, 0]
    elif a.ndim <= 1:  # one array condition (NumPy reads a 2-d one as a list of row masks)
        conds_np, conds_ox = a > 0, x > 0
        funcs = [lambda v, k: v - k]
    else:
        return
    args = (3,) if which in (2, 3) else ()
    differential(lambda: np.piecewise(a, conds_np, funcs, *args),
                 lambda: np.piecewise(x, conds_ox, funcs, *args))


def test_piecewise_errors():
    x = ox.asarray(np.arange(5.0))
    with pytest.raises(ValueError):
        np.piecewise(x, [x > 1, x > 2], [1])


def test_map_blocks_is_lazy():
    calls = []

    def f(v):
        calls.append(1)
        return v + 1

    x = ox.asarray(np.arange(10.0), chunks=3)
    y = ox.map_blocks(f, x, shape=x.shape, dtype=x.dtype, chunks=x.chunks)
    assert not calls
    assert_eq(y, np.arange(10.0) + 1)
    assert len(calls) == 4
