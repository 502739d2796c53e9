"""diff, ediff1d, gradient, trapezoid against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import arrays, chunkings, dtypes, shapes


@st.composite
def case(draw, kinds="biufc", min_dims=0):
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=6))
    a = draw(bounded_data(draw(dtypes(kinds)), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


@given(c=case(), data=st.data())
def test_diff(c, data):
    a, x = c
    n = data.draw(st.integers(-1, 3))
    axis = data.draw(st.integers(-4, 3))
    kw = {}
    if data.draw(st.booleans()):
        kw["prepend"] = data.draw(st.sampled_from([0, 1.5, np.zeros((1,) * max(a.ndim, 1))]))
    if data.draw(st.booleans()):
        kw["append"] = data.draw(st.sampled_from([2, np.ones((2,) * max(a.ndim, 1))]))
    differential(lambda: np.diff(a, n, axis, **kw), lambda: np.diff(x, n, axis, **kw))


@given(c=case(), data=st.data())
def test_ediff1d(c, data):
    a, x = c
    to_begin = data.draw(st.sampled_from([None, 0, [1, 2], 2.5, np.array([1], "int8")]))
    to_end = data.draw(st.sampled_from([None, -1, [3]]))
    differential(lambda: np.ediff1d(a, to_end, to_begin), lambda: np.ediff1d(x, to_end, to_begin))


@given(c=case("iuf", min_dims=1), data=st.data())
def test_trapezoid(c, data):
    a, x = c
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[axis]
    xs = data.draw(st.sampled_from([None, "1d", "nd"]))
    coords = None if xs is None else (np.cumsum(np.arange(1, n + 1)) * 0.5 if xs == "1d"
                                      else np.cumsum(np.ones(a.shape), axis=axis))
    dx = data.draw(st.sampled_from([1.0, 0.25, 2]))
    tol = {"rtol": 1e-5, "atol": 1e-4}
    differential(lambda: np.trapezoid(a, coords, dx, axis), lambda: np.trapezoid(x, coords, dx, axis),
                 **tol)


@pytest.mark.parametrize("edge_order", [1, 2])
@given(c=case("iufc", min_dims=1), data=st.data())
def test_gradient(edge_order, c, data):
    a, x = c
    ndim = a.ndim
    axis = data.draw(st.sampled_from([None, 0, -1, (0, -1)]))
    axes = list(range(ndim)) if axis is None else \
        [ax % ndim for ax in ((axis,) if isinstance(axis, int) else axis)]
    if isinstance(axis, tuple) and len(set(axes)) != len(axes):
        return
    kind = data.draw(st.sampled_from(["none", "scalar", "per-axis"]))
    if kind == "none":
        spacing = ()
    elif kind == "scalar":
        spacing = (data.draw(st.sampled_from([2.0, 0.5, 3])),)
    else:
        spacing = tuple(data.draw(st.sampled_from([
            1.5, np.arange(a.shape[ax]) * 2.0,
            np.cumsum(data.draw(arrays("float64", (a.shape[ax],), elements=st.floats(0.5, 2))))]))
            for ax in axes)
    tol = {"rtol": 1e-6, "atol": 1e-6}
    differential(lambda: _first(np.gradient(a, *spacing, axis=axis, edge_order=edge_order)),
                 lambda: _first(np.gradient(x, *spacing, axis=axis, edge_order=edge_order)), **tol)
    differential(lambda: _last(np.gradient(a, *spacing, axis=axis, edge_order=edge_order)),
                 lambda: _last(np.gradient(x, *spacing, axis=axis, edge_order=edge_order)), **tol)


def _first(r):
    return r[0] if isinstance(r, (tuple, list)) else r


def _last(r):
    return r[-1] if isinstance(r, (tuple, list)) else r


def test_errors():
    x = ox.asarray(np.arange(4.0))
    with pytest.raises(ValueError):
        np.diff(ox.asarray(np.float64(1.0)))
    with pytest.raises(ValueError):
        np.diff(x, -1)
    with pytest.raises(ValueError):
        np.gradient(ox.ones(1))
    with pytest.raises(ValueError):
        np.gradient(x, edge_order=3)
    with pytest.raises(TypeError):
        np.gradient(x, 1.0, 2.0)
    with pytest.raises(TypeError):
        np.ediff1d(ox.asarray(np.arange(3)), to_begin=[1.5])
