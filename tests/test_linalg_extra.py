"""Diagonals, traces, cross and vector products, and NumPy 2's Array API functions in np.linalg,
against NumPy (values, dtypes and exception types), with independent chunkings per operand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import chunkings, dtypes

BUDGET = settings(max_examples=25, deadline=None)


TOL = {"rtol": 1e-5, "atol": 1e-3}


@st.composite
def matrices(draw, min_dims=2, max_dims=4):
    dtype = draw(dtypes())
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=5))
    a = draw(bounded_data(dtype, shape))
    return a, draw(chunkings(shape))


@given(matrices(), st.integers(-6, 6), st.data())
@example((np.arange(12.0).reshape(3, 4), ((1, 2), (3, 1))), 1, None)
@example((np.ones((0, 3)), ((0,), (3,))), -1, None)
@BUDGET
def test_diagonal(arg, offset, data):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    if data is None:
        ax1, ax2 = 0, 1
    else:
        ax1 = data.draw(st.integers(-a.ndim, a.ndim - 1))
        ax2 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    differential(lambda: np.diagonal(a, offset, ax1, ax2), lambda: np.diagonal(x, offset, ax1, ax2))
    differential(lambda: a.diagonal(offset, ax1, ax2), lambda: x.diagonal(offset, ax1, ax2))


@given(matrices(), st.integers(-6, 6), st.data())
@BUDGET
def test_trace(arg, offset, data):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    ax1 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    ax2 = data.draw(st.integers(-a.ndim, a.ndim - 1))
    dtype = data.draw(st.sampled_from([None, np.float64, np.int64, np.complex128]))
    if a.dtype.kind == "c" and dtype in (np.float64, np.int64):
        dtype = None  # a complex-to-real cast warns in NumPy and is not what this tests
    differential(lambda: np.trace(a, offset, ax1, ax2, dtype),
                 lambda: np.trace(x, offset, ax1, ax2, dtype), **TOL)
    differential(lambda: a.trace(offset, ax1, ax2), lambda: x.trace(offset, ax1, ax2), **TOL)


@given(matrices(), st.integers(-6, 6))
@BUDGET
def test_linalg_diagonal_and_trace(arg, offset):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.linalg.diagonal(a, offset=offset),
                 lambda: np.linalg.diagonal(x, offset=offset))
    differential(lambda: np.linalg.trace(a, offset=offset),
                 lambda: np.linalg.trace(x, offset=offset), **TOL)


def test_diagonal_is_lazy_and_errors_match_numpy():
    x = ox.asarray(np.arange(24.0).reshape(2, 3, 4), chunks=(1, 2, 3))
    d = np.diagonal(x, 1, 2, 0)
    assert isinstance(d, ox.Array) and d.shape == (3, 1)
    with pytest.raises(ValueError, match="at least two dimensions"):
        np.diagonal(ox.ones(3))
    with pytest.raises(ValueError, match="cannot be the same"):
        np.diagonal(x, 0, 1, -2)
    with pytest.raises(np.exceptions.AxisError, match="axis2"):
        np.diagonal(x, 0, 0, 5)
    with pytest.raises(TypeError):
        np.diagonal(x, 1.5)


@st.composite
def vector_pairs(draw, sizes=(2, 3)):
    """Two arrays of 2- or 3-vectors along drawn axes, their other axes broadcastable."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    sa, sb = (list(s) for s in shapes.input_shapes)
    na, nb = draw(st.sampled_from(sizes)), draw(st.sampled_from(sizes))
    axa = draw(st.integers(0, len(sa)))
    axb = draw(st.integers(0, len(sb)))
    sa.insert(axa, na)
    sb.insert(axb, nb)
    dt = draw(dtypes("iufc"))
    a, b = draw(bounded_data(dt, tuple(sa))), draw(bounded_data(draw(dtypes("iufc")), tuple(sb)))
    return a, b, axa, axb, draw(chunkings(a.shape)), draw(chunkings(b.shape))


@given(vector_pairs(), st.integers(-2, 2))
@example((np.array([1.0, 2, 3]), np.array([4.0, 5, 6]), 0, 0, ((3,),), ((1, 2),)), -1)
@example((np.array([1, 2]), np.array([3, 4, 5]), 0, 0, ((2,),), ((3,),)), 0)
@BUDGET
def test_cross(args, axisc):
    a, b, axa, axb, ca, cb = args
    x, y = ox.from_array(a, chunks=ca), ox.from_array(b, chunks=cb)
    differential(lambda: np.cross(a, b, axisa=axa, axisb=axb, axisc=axisc),
                 lambda: np.cross(x, y, axisa=axa, axisb=axb, axisc=axisc), **TOL)


@given(st.data())
@BUDGET
def test_cross_axis_and_linalg_cross(data):
    base = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3))
    ax = data.draw(st.integers(0, len(base)))
    sa = base[:ax] + (3,) + base[ax:]
    sb = tuple(1 if data.draw(st.booleans()) else s for s in sa[:ax]) + sa[ax:]
    dt = data.draw(dtypes("iuf"))
    a, b = data.draw(bounded_data(dt, sa)), data.draw(bounded_data(dt, sb))
    x = ox.from_array(a, chunks=data.draw(chunkings(sa)))
    y = ox.from_array(b, chunks=data.draw(chunkings(sb)))
    axis = data.draw(st.sampled_from([ax, ax - len(sa)]))
    differential(lambda: np.cross(a, b, axis=axis), lambda: np.cross(x, y, axis=axis), **TOL)
    differential(lambda: np.linalg.cross(a, b, axis=axis),
                 lambda: np.linalg.cross(x, y, axis=axis), **TOL)


def test_cross_errors_and_warning():
    with pytest.raises(ValueError, match="dimension must be 2 or 3"):
        np.cross(ox.ones(4), ox.ones(3))
    with pytest.raises(ValueError, match="zero dimension"):
        np.cross(ox.asarray(1.0), ox.ones(3))
    with pytest.raises(np.exceptions.AxisError, match="axisa"):
        np.cross(ox.ones(3), ox.ones(3), axisa=2)
    with pytest.raises(np.exceptions.AxisError, match="axisc"):
        np.cross(ox.ones((3, 3)), ox.ones(3), axisc=2)
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
        np.cross(ox.ones(2), ox.ones(3))
    with pytest.raises(TypeError, match="boolean subtract"):
        np.cross(ox.ones(3, dtype=bool), ox.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="but they are 2 and 3 dimensional"):
        np.linalg.cross(ox.ones(2), ox.ones(3))


@given(vector_pairs(sizes=(0, 1, 4)), st.booleans())
@BUDGET
def test_vecdot(args, along_axis):
    a, b, axa, axb, ca, cb = args
    x, y = ox.from_array(a, chunks=ca), ox.from_array(b, chunks=cb)
    if along_axis and axa - a.ndim == axb - b.ndim:
        ax = axa - a.ndim
        differential(lambda: np.linalg.vecdot(a, b, axis=ax),
                     lambda: np.linalg.vecdot(x, y, axis=ax), **TOL)
    else:
        differential(lambda: np.linalg.vecdot(a, b), lambda: np.linalg.vecdot(x, y), **TOL)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "bool", "complex64"])
def test_vecdot_keeps_numpy_loop_dtype(dtype):
    a = (np.arange(12).reshape(3, 4) * 37).astype(dtype)
    b = (np.arange(4) * 91 + 1).astype(dtype)
    if dtype == "complex64":
        a = a * (1 + 2j)
    differential(lambda: np.linalg.vecdot(a, b), lambda: np.linalg.vecdot(ox.asarray(a), b))
    with pytest.raises(ValueError, match="mismatch in its core dimension"):
        np.linalg.vecdot(ox.ones((2, 3)), ox.ones(4))
    with pytest.raises(ValueError, match="does not have enough dimensions"):
        np.linalg.vecdot(ox.asarray(1.0), ox.ones(1))


@given(st.data())
@BUDGET
def test_vdot(data):
    dt = data.draw(dtypes())
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    a = data.draw(bounded_data(dt, shape))
    b = data.draw(bounded_data(data.draw(dtypes()), data.draw(st.sampled_from([shape, (a.size,)]))))
    x = ox.from_array(a, chunks=data.draw(chunkings(a.shape)))
    differential(lambda: np.vdot(a, b), lambda: np.vdot(x, b), **TOL)


def test_vdot_sizes_must_agree():
    for sa, sb in [((3,), (4,)), ((4,), (2, 3))]:
        with pytest.raises(ValueError) as want:
            np.vdot(np.ones(sa), np.ones(sb))
        with pytest.raises(ValueError) as got:
            np.vdot(ox.ones(sa), ox.ones(sb))
        assert str(got.value) == str(want.value)


@given(matrices(min_dims=1, max_dims=3))
@BUDGET
def test_matrix_transpose(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.linalg.matrix_transpose(a), lambda: np.linalg.matrix_transpose(x))
    differential(lambda: np.matrix_transpose(a), lambda: np.matrix_transpose(x))


@given(st.data())
@BUDGET
def test_linalg_outer_matmul_tensordot(data):
    dt = data.draw(dtypes("iuf"))
    sa = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
    sb = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4))
    a, b = data.draw(bounded_data(dt, sa)), data.draw(bounded_data(dt, sb))
    x = ox.from_array(a, chunks=data.draw(chunkings(sa)))
    y = ox.from_array(b, chunks=data.draw(chunkings(sb)))
    differential(lambda: np.linalg.outer(a, b), lambda: np.linalg.outer(x, y), **TOL)
    differential(lambda: np.linalg.matmul(a, b), lambda: np.linalg.matmul(x, y), **TOL)
    n = data.draw(st.integers(0, 2))
    differential(lambda: np.linalg.tensordot(a, b, axes=n),
                 lambda: np.linalg.tensordot(x, y, axes=n), **TOL)


def test_namespace_exports():
    x = ox.asarray(np.arange(9.0).reshape(3, 3), chunks=2)
    assert float(ox.trace(x)) == 12.0
    np.testing.assert_array_equal(ox.diagonal(x).compute(), [0.0, 4.0, 8.0])
    np.testing.assert_array_equal(ox.matrix_transpose(x).compute(), np.arange(9.0).reshape(3, 3).T)
    np.testing.assert_array_equal(ox.vecdot(x, x).compute(), np.linalg.vecdot(x.compute(), x.compute()))


@pytest.mark.parametrize("a", [
    np.array([[1e308, 1e308], [-1e308, 1e308]]),  # squares overflow unless rescaled first
    np.diag([5e-324, 1e-310]),  # subnormal singular values are not flushed to zero
    np.array([[1e-320, 2e-320], [3e-320, 0.0]]),
    np.array([[3e38, 1e38], [0.0, 3e38]], dtype=np.float32),
])
def test_svd_at_the_ends_of_the_exponent_range(a):
    """Singular values where LAPACK (NumPy) rescales before factoring, and so must we."""
    x = ox.asarray(a)
    expected = np.linalg.svd(a, compute_uv=False)
    np.testing.assert_allclose(ox.linalg.svdvals(x).compute(), expected, rtol=1e-6, atol=0)
    np.testing.assert_allclose(ox.linalg.svd(x)[1].compute(), expected, rtol=1e-6, atol=0)
