"""Contractions along a chunked axis (``X.T @ X``, ``tensordot``, ``vdot``, ``einsum`` over the
long axis) and broadcast operands in fused programs, against NumPy: values, dtype and shape, on
every dtype kind, transposed operands, and with an elementwise producer fused into the partial
products."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential

KINDS = ["bool", "int32", "int64", "uint8", "float32", "float64", "complex64", "complex128"]


def tol(*arrays, k=1):
    res = np.result_type(*arrays)
    if res.kind not in "fc":
        return {}
    eps = float(np.finfo(res).eps)
    mag = 1.0
    for a in arrays:
        mag *= max(1.0, float(np.max(np.abs(a), initial=0)))
    return {"rtol": 64 * eps * max(k, 1), "atol": 64 * eps * mag * max(k, 1)}


@st.composite
def tall(draw, kinds=tuple(KINDS)):
    """A tall-skinny array, chunked along its rows (the contracted axis of ``x.T @ x``)."""
    dtype = draw(st.sampled_from(kinds))
    n = draw(st.integers(1, 60))
    p = draw(st.integers(1, 4))
    a = draw(bounded_data(dtype, (n, p)))
    rows = draw(st.integers(1, max(n, 1)))
    return a, ox.from_array(a, chunks=(rows, p))


@settings(max_examples=40, deadline=None)
@given(tall())
@example((np.arange(40.0).reshape(20, 2), ox.from_array(np.arange(40.0).reshape(20, 2), chunks=(4, 2))))
def test_gram(ax):
    a, x = ax
    differential(lambda: a.T @ a, lambda: x.T @ x, **tol(a, a, k=a.shape[0]))


@settings(max_examples=40, deadline=None)
@given(st.data(), tall())
def test_transposed_operands(data, ax):
    """``a.T @ b``, ``a.T @ b`` with ``b`` given transposed (``c.T`` of a wide array), and
    ``c @ a`` with ``c`` wide: the transposes are read in place by the partial products."""
    a, x = ax
    n, p = a.shape
    dt = data.draw(st.sampled_from(KINDS))
    b = data.draw(bounded_data(dt, (n, 3)))
    y = ox.from_array(b, chunks=(x.chunks[0], 3))
    c = np.ascontiguousarray(b.T)
    w = ox.from_array(c, chunks=(3, x.chunks[0]))
    t = tol(a, b, k=n)
    differential(lambda: a.T @ b, lambda: x.T @ y, **t)
    differential(lambda: a.T @ c.T, lambda: x.T @ w.T, **t)
    differential(lambda: c @ a, lambda: w @ x, **t)
    differential(lambda: c @ c.T, lambda: w @ w.T, **t)


@settings(max_examples=30, deadline=None)
@given(tall(kinds=("float64", "float32", "complex128")))
def test_standardize_then_gram(ax):
    a, x = ax
    with np.errstate(all="ignore"):
        s = a.std(0)
    if np.any(s <= 1e-3 * (1 + np.max(np.abs(a)))):
        return  # a (nearly) constant column: z is rounding noise, its square ill-conditioned
    n = a.shape[0]
    differential(lambda: ((a - a.mean(0)) / s).T @ ((a - a.mean(0)) / s) / n,
                 lambda: (lambda z: z.T @ z / n)((x - x.mean(0)) / x.std(0)),
                 **tol(a, a, k=n * 100))


@settings(max_examples=30, deadline=None)
@given(tall(kinds=("int32", "int64", "uint8", "bool", "complex64")))
def test_elementwise_producer_of_every_kind(ax):
    a, x = ax
    differential(lambda: (a * 3).T @ (a * 3), lambda: (x * 3).T @ (x * 3), **tol(a, a, k=a.shape[0]))
    differential(lambda: (a + a).T @ (a + a), lambda: (lambda z: z.T @ z)(x + x),
                 **tol(a, a, k=a.shape[0]))


@settings(max_examples=30, deadline=None)
@given(st.data(), tall())
def test_tensordot_einsum_vdot(data, ax):
    a, x = ax
    k = a.shape[0]
    t = tol(a, a, k=k)
    differential(lambda: np.tensordot(a, a, axes=([0], [0])),
                 lambda: np.tensordot(x, x, axes=([0], [0])), **t)
    differential(lambda: np.einsum("ij,ik->jk", a, a), lambda: np.einsum("ij,ik->jk", x, x), **t)
    v = a[:, 0]
    vx = ox.from_array(v, chunks=data.draw(st.integers(1, max(k, 1))))
    differential(lambda: np.vdot(v, v), lambda: np.vdot(vx, vx), **t)
    differential(lambda: np.dot(v, v), lambda: np.dot(vx, vx), **t)


def test_plan_reads_transposes_in_place_and_fuses_the_producer():
    a = np.random.default_rng(0).random((4000, 5))
    x = ox.from_array(a, chunks=(500, 5))
    plan = (x.T @ x).explain()
    assert "matmul-chunk" in plan and "transpose" not in plan, plan
    z = (x - x.mean(0)) / x.std(0)
    plan = (z.T @ z).explain()
    assert "matmul-chunk" in plan and "\n  fused " not in plan, plan
    zz = (a - a.mean(0)) / a.std(0)
    ox.testing.assert_eq(z.T @ z, zz.T @ zz, rtol=1e-10, atol=1e-8)


def test_square_blocks_keep_the_general_lowering():
    a = np.random.default_rng(1).random((64, 64))
    x = ox.from_array(a, chunks=(32, 32))
    assert "matmul-chunk" not in (x @ x).explain()
    ox.testing.assert_eq(x @ x, a @ a, rtol=1e-12, atol=1e-12)


def test_overflow_is_reported_as_matmul():
    a = np.full((40, 2), 1e200)
    x = ox.from_array(a, chunks=(5, 2))
    with np.errstate(over="raise"):
        try:
            (x.T @ x).compute()
        except FloatingPointError as e:
            assert "matmul" in str(e)
        else:
            raise AssertionError("no FloatingPointError")


# --- broadcast operands in fused programs --------------------------------------------------------


@st.composite
def broadcast_pair(draw):
    shape = draw(st.lists(st.integers(1, 7), min_size=1, max_size=4))
    dt = draw(st.sampled_from(KINDS))
    a = draw(bounded_data(dt, tuple(shape)))
    # The other operand: any axes dropped from the left, any others set to 1.
    lead = draw(st.integers(0, len(shape)))
    oshape = tuple(1 if draw(st.booleans()) else s for s in shape[lead:])
    b = draw(bounded_data(draw(st.sampled_from(KINDS)), oshape))
    from oxarray.testing import chunkings

    x = ox.from_array(a, chunks=draw(chunkings(a.shape)))
    y = ox.from_array(b, chunks=draw(chunkings(b.shape)))
    return a, x, b, y


@settings(max_examples=60, deadline=None)
@given(broadcast_pair())
@example((np.ones((5000, 3)), ox.from_array(np.ones((5000, 3)), chunks=(4999, 3)),
          np.arange(3.0), ox.from_array(np.arange(3.0))))
@example((np.ones((3, 5000)), ox.from_array(np.ones((3, 5000)), chunks=(3, 4001)),
          np.arange(3.0).reshape(3, 1), ox.from_array(np.arange(3.0).reshape(3, 1))))
def test_broadcast_operands(case):
    a, x, b, y = case
    differential(lambda: a - b, lambda: x - y, **tol(a, b))
    differential(lambda: (b * a) + a, lambda: (y * x) + x, **tol(a, b, k=2))
    differential(lambda: np.where(a > 0, b, a), lambda: np.where(x > 0, y, x))
