"""np.kron, np.inner of stacks, np.linalg.tensorsolve/tensorinv and the gufuncs np.vecdot,
np.matvec, np.vecmat against NumPy, on chunked operands of every dtype kind."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import chunkings, dtypes, shapes


def tol(*arrays):
    res = np.result_type(*arrays)
    if res.kind not in "fc":
        return {}
    eps = float(np.finfo(res).eps)
    mag = 1.0
    for a in arrays:
        mag *= max(1.0, float(np.max(np.abs(a), initial=0)))
    return {"rtol": 256 * eps, "atol": 256 * eps * mag}


@st.composite
def operand(draw, shape, kinds="biufc"):
    a = draw(bounded_data(draw(dtypes(kinds)), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(a.shape)))


@settings(max_examples=40, deadline=None)
@given(st.data(), shapes(0, 3, max_side=4), shapes(0, 3, max_side=4))
def test_kron(data, sa, sb):
    a, x = data.draw(operand(sa))
    b, y = data.draw(operand(sb))
    differential(lambda: np.kron(a, b), lambda: np.kron(x, y), **tol(a, b))
    differential(lambda: np.kron(a, 3), lambda: np.kron(x, 3), **tol(a, 3))
    differential(lambda: np.kron(2.5, b), lambda: np.kron(2.5, y), **tol(b, 2.5))


@settings(max_examples=30, deadline=None)
@given(st.data(), shapes(0, 3, max_side=4), shapes(0, 3, max_side=4), st.integers(0, 4))
def test_inner_stacks(data, sa, sb, k):
    sa, sb = (sa + (k,) if sa else sa), (sb + (k,) if sb else sb)
    a, x = data.draw(operand(sa))
    b, y = data.draw(operand(sb))
    differential(lambda: np.inner(a, b), lambda: np.inner(x, y), **tol(a, b))


@st.composite
def gufunc_operands(draw, name):
    n, m = draw(st.integers(0, 4)), draw(st.integers(1, 4))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    core_a = {"vecdot": (n,), "matvec": (m, n), "vecmat": (n,)}[name]
    core_b = {"vecdot": (n,), "matvec": (n,), "vecmat": (n, m)}[name]
    kinds = draw(st.sampled_from(["b", "iu", "f", "fc", "biufc"]))
    a, x = draw(operand(batch.input_shapes[0] + core_a, kinds))
    b, y = draw(operand(batch.input_shapes[1] + core_b, kinds))
    return a, x, b, y


@pytest.mark.parametrize("name", ["vecdot", "matvec", "vecmat"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_linalg_gufuncs(name, data):
    f = getattr(np, name)
    a, x, b, y = data.draw(gufunc_operands(name))
    differential(lambda: f(a, b), lambda: f(x, y), **tol(a, b))
    differential(lambda: f(a, y), lambda: f(a, y), **tol(a, b))


@pytest.mark.parametrize(("name", "kwargs"), [
    ("vecdot", {"axis": 0}), ("vecdot", {"axis": 1, "keepdims": True}), ("vecdot", {"keepdims": True}),
    ("vecdot", {"axes": [(0,), (0,)]}), ("vecdot", {"axes": [0, 0, ()]}), ("vecdot", {"axes": [(0,), (0,), (0,)]}),
    ("vecdot", {"axis": 0, "axes": [0, 0]}), ("vecdot", {"dtype": np.float32}), ("vecdot", {"dtype": np.int64}),
    ("vecdot", {"dtype": np.int64, "casting": "unsafe"}), ("vecdot", {"axis": 5}),
    ("matvec", {"axes": [(1, 0), (0,), (0,)]}), ("matvec", {"axis": 0}), ("matvec", {"keepdims": True}),
    ("vecmat", {"axes": [(0,), (1, 0), (0,)]}), ("vecmat", {"dtype": np.complex128}),
])
def test_linalg_gufunc_keywords(name, kwargs):
    f = getattr(np, name)
    a = np.arange(9.0).reshape(3, 3) + 1j * (name == "vecmat")
    b = np.arange(9.0).reshape(3, 3) * 2 - 1
    if name != "vecdot":
        b = b if name == "vecmat" else b[0]
        a = a[0] if name == "vecmat" else a
    x, y = ox.from_array(a, chunks=2), ox.from_array(b, chunks=2)
    differential(lambda: f(a, b, **kwargs), lambda: f(x, y, **kwargs), rtol=1e-12)


def test_linalg_gufunc_out_and_errors():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(3.0)
    x = ox.from_array(a, chunks=1)
    o = ox.zeros(2)
    assert np.matvec(x, b, out=o) is o
    np.testing.assert_array_equal(o.compute(), np.matvec(a, b))
    o = ox.zeros(2, dtype=np.int64)
    with pytest.raises(TypeError):
        np.vecdot(x, b, out=o)
    for f, args in [(np.vecdot, (a, np.ones(4))), (np.matvec, (a, np.ones(4))),
                    (np.vecmat, (np.ones(4), a)), (np.vecdot, (3.0, b)), (np.matvec, (b, b))]:
        np_args = args
        ox_args = tuple(ox.asarray(v) if isinstance(v, np.ndarray) else v for v in args)
        differential(lambda f=f, np_args=np_args: f(*np_args), lambda f=f, ox_args=ox_args: f(*ox_args))


@settings(max_examples=20, deadline=None)
@given(st.data(), st.sampled_from([(2, 3), (6,), (2, 1, 3), (1,)]), st.sampled_from(["f", "c", "iu"]))
def test_tensorsolve(data, xshape, kinds):
    n = int(np.prod(xshape))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    dt = data.draw(dtypes(kinds))
    bshape = data.draw(st.sampled_from([(n,), xshape[::-1] if len(xshape) > 1 else (n,)]))
    m = (rng.standard_normal((n, n)) * 3 + np.eye(n) * 10 * n)
    if dt.kind == "c":
        m = m + 1j * rng.standard_normal((n, n))
    a = m.astype(dt).reshape(bshape + xshape)
    b = (rng.standard_normal(bshape) * 5).astype(dt)
    x = ox.from_array(a, chunks=data.draw(chunkings(a.shape)))
    y = ox.from_array(b, chunks=data.draw(chunkings(b.shape)))
    differential(lambda: np.linalg.tensorsolve(a, b), lambda: np.linalg.tensorsolve(x, y), rtol=1e-4, atol=1e-4)
    differential(lambda: np.linalg.tensorinv(a, ind=len(bshape)),
                 lambda: np.linalg.tensorinv(x, ind=len(bshape)), rtol=1e-4, atol=1e-4)


def test_tensorsolve_axes_and_errors():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((6, 4, 2, 3, 4)) + np.eye(24).reshape(6, 4, 2, 3, 4) * 10
    b = rng.standard_normal((6, 4))
    x = ox.from_array(a, chunks=2)
    differential(lambda: np.linalg.tensorsolve(a, b), lambda: np.linalg.tensorsolve(x, b), rtol=1e-8)
    a2 = np.moveaxis(a, 2, 0)
    differential(lambda: np.linalg.tensorsolve(a2, b, axes=(0,)),
                 lambda: np.linalg.tensorsolve(ox.asarray(a2), b, axes=(0,)), rtol=1e-8)
    for args in [(np.ones((6, 4, 3)), np.ones((6, 4)))]:
        differential(lambda args=args: np.linalg.tensorsolve(*args),
                     lambda args=args: np.linalg.tensorsolve(*map(ox.asarray, args)))
    for ind in (0, -1, 5, 1):
        t = np.ones((4, 6, 3))
        differential(lambda ind=ind: np.linalg.tensorinv(t, ind=ind),
                     lambda ind=ind: np.linalg.tensorinv(ox.asarray(t), ind=ind))
