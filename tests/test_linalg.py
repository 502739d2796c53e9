"""Matrix products (np.matmul, @, np.dot) against NumPy, with independent chunkings per operand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import assert_eq, chunkings, dtypes


def tolerance(a, b):
    res = np.result_type(a, b)
    if res.kind not in "fc":
        return {}
    eps = float(np.finfo(res).eps)
    k = a.shape[-1] if a.ndim else 1
    mag = float(np.max(np.abs(a), initial=0)) * float(np.max(np.abs(b), initial=0))
    return {"rtol": 8 * k * eps, "atol": 8 * k * eps * mag}


@st.composite
def matmul_operands(draw):
    n, k, m = (draw(st.integers(0, 5), label=lbl) for lbl in "nkm")
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    ba, bb = batch.input_shapes
    a_1d, b_1d = draw(st.booleans()), draw(st.booleans())
    sa = (k,) if a_1d else (*ba, n, k)
    sb = (k,) if b_1d else (*bb, k, m)
    a = draw(bounded_data(draw(dtypes()), sa))
    b = draw(bounded_data(draw(dtypes()), sb))
    return a, b, draw(chunkings(sa)), draw(chunkings(sb))


@given(matmul_operands())
@example((np.arange(6.0).reshape(2, 3), np.arange(3.0), ((1, 1), (2, 1)), ((1, 2),)))
@example((np.ones((1, 0)), np.ones((0, 4)), ((1,), (0,)), ((0,), (3, 1))))
def test_matmul(args):
    a, b, ca, cb = args
    x, y = ox.from_array(a, chunks=ca), ox.from_array(b, chunks=cb)
    tol = tolerance(a, b)
    differential(lambda: np.matmul(a, b), lambda: np.matmul(x, y), **tol)
    differential(lambda: a @ b, lambda: x @ y, **tol)
    differential(lambda: np.matmul(a, b), lambda: ox.matmul(x, y), **tol)


@given(matmul_operands())
def test_matmul_with_numpy_operand(args):
    a, b, ca, _ = args
    x = ox.from_array(a, chunks=ca)
    tol = tolerance(a, b)
    differential(lambda: np.matmul(a, b), lambda: np.matmul(x, b), **tol)
    differential(lambda: a @ b, lambda: x @ b, **tol)


@st.composite
def dot_operands(draw):
    n, k, m = (draw(st.integers(0, 5)) for _ in range(3))
    sa = draw(st.sampled_from([(k,), (n, k)]))
    sb = draw(st.sampled_from([(k,), (k, m)]))
    a = draw(bounded_data(draw(dtypes()), sa))
    b = draw(bounded_data(draw(dtypes()), sb))
    return a, b, draw(chunkings(sa)), draw(chunkings(sb))


@given(dot_operands())
def test_dot(args):
    a, b, ca, cb = args
    x, y = ox.from_array(a, chunks=ca), ox.from_array(b, chunks=cb)
    differential(lambda: np.dot(a, b), lambda: np.dot(x, y), **tolerance(a, b))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int64", "bool"])
def test_integer_matmul_wraps_like_numpy(dtype):
    info = np.iinfo(dtype) if dtype != "bool" else None
    a = np.full((3, 40), info.max if info else True, dtype=dtype)
    b = np.full((40, 2), info.max if info else True, dtype=dtype)
    b[::3] = 1 if info else False
    assert_eq(ox.asarray(a, chunks=(2, 7)) @ ox.asarray(b, chunks=(11, 1)), a @ b)


def test_float32_matmul_stays_float32():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((30, 50)).astype("float32")
    b = rng.standard_normal((50, 20)).astype("float32")
    r = ox.asarray(a, chunks=(7, 13)) @ ox.asarray(b, chunks=(9, 20))
    assert r.dtype == np.float32
    assert_eq(r, a @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "sa, sb",
    [((3,), (4,)), ((2, 3), (2, 3)), ((2, 3), (4,)), ((4,), (3, 2)), ((2, 2, 3), (3, 3, 2)),
     ((5, 2, 3), (4, 3, 2)), ((), (3,)), ((3,), ())],
)
def test_matmul_shape_errors_at_call(sa, sb):
    a, b = np.ones(sa), np.ones(sb)
    with pytest.raises(ValueError):
        np.matmul(a, b)
    x, y = ox.asarray(a), ox.asarray(b)
    with pytest.raises(ValueError):
        np.matmul(x, y)  # shapes are known: the error comes at the call, not at compute
    with pytest.raises(ValueError):
        x @ y


@pytest.mark.parametrize("sa, sb", [((3,), (4,)), ((2, 3), (2, 3)), ((2, 3), (4,))])
def test_dot_shape_errors_at_call(sa, sb):
    with pytest.raises(ValueError):
        np.dot(ox.ones(sa), ox.ones(sb))
