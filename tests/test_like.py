"""NEP 35 ``like=`` on NumPy's creation functions, and linspace/logspace/geomspace, against NumPy."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import assert_eq

X = ox.ones(2)

# (name, args, kwargs): each is called as np.<name>(*args, **kwargs) and with like=X.
CREATION = [
    ("arange", (5,), {}),
    ("arange", (1, 7, 2), {"dtype": float}),
    ("arange", (), {"start": 2, "stop": 5}),
    ("arange", (-3.5,), {}),
    ("array", ([[1, 2], [3, 4]],), {}),
    ("array", ([1, 2],), {"dtype": np.float32, "ndmin": 3}),
    ("array", (3.5,), {}),
    ("asarray", ([1, 2, 3],), {"dtype": np.int16}),
    ("asanyarray", ([[1j, 2]],), {}),
    ("ascontiguousarray", (5,), {}),
    ("ascontiguousarray", ([[1, 2]],), {"dtype": float}),
    ("asfortranarray", ([[1, 2], [3, 4]],), {}),
    ("empty", ((2, 3),), {}),
    ("empty", (0,), {"dtype": np.int32}),
    ("eye", (3,), {"k": 1}),
    ("eye", (2, 4), {"dtype": np.int8}),
    ("full", ((2, 2), 7), {}),
    ("full", (3, 1.5), {"dtype": np.float32}),
    ("identity", (3,), {}),
    ("identity", (2,), {"dtype": bool}),
    ("ones", (3,), {}),
    ("ones", ((2, 0),), {"dtype": np.uint8}),
    ("zeros", ((2, 3),), {"dtype": np.complex64}),
    ("tri", (3,), {}),
    ("tri", (3, 4, -1), {"dtype": np.int32}),
    ("fromiter", (range(5), float), {}),
    ("fromiter", ([i * i for i in range(4)], np.int64), {"count": 3}),
    ("frombuffer", (b"\x01\x02\x03\x04", np.uint8), {}),
    ("frombuffer", (np.arange(4.0).tobytes(),), {"offset": 8}),
    ("fromstring", ("1 2 3",), {"sep": " "}),
    ("fromstring", ("1,2,3",), {"dtype": np.int32, "sep": ","}),
    ("require", ([1, 2],), {"dtype": float, "requirements": "CW"}),
    ("require", ([[1, 2]],), {}),
]


@pytest.mark.parametrize("name, args, kwargs", CREATION)
def test_like_returns_an_oxarray_array_equal_to_numpy(name, args, kwargs):
    fn = getattr(np, name)
    want = fn(*args, **kwargs)
    got = fn(*args, like=X, **kwargs)
    assert isinstance(got, ox.Array)
    if name == "empty":  # NumPy's values are undefined; oxarray's are zeros
        want = np.zeros_like(want)
    assert_eq(got, want)


def test_like_errors_are_numpys():
    for call in (lambda like: np.ones(-1, like=like),
                 lambda like: np.arange(0, 5, 0, like=like),
                 lambda like: np.eye(2, dtype="U3", like=like),
                 lambda like: np.require([1], requirements="CF", like=like),
                 lambda like: np.require([1], requirements="Q", like=like),
                 lambda like: np.array([1, 2], copy=False, like=like) if like is not None
                 else np.array(np.arange(2.0).astype(np.int8), dtype=float, copy=False),
                 lambda like: np.zeros((2, 2), order="X", like=like)):
        differential(lambda: call(None), lambda: call(X))


def test_like_keeps_an_array_argument_lazy():
    y = ox.arange(6, chunks=2)
    for fn in (np.asarray, np.asanyarray, np.array, np.ascontiguousarray, np.require):
        got = fn(y, like=X)
        assert isinstance(got, ox.Array)
        assert_eq(got, np.arange(6))
    # NEP 18 on the argument itself (no like=).
    assert_eq(np.ascontiguousarray(ox.asarray(3.0)), np.ascontiguousarray(3.0))
    assert_eq(np.asfortranarray(y, dtype=np.float32), np.asfortranarray(np.arange(6), dtype=np.float32))
    assert_eq(np.array(y, like=X, dtype=float, ndmin=2), np.array(np.arange(6), dtype=float, ndmin=2))


def test_fromfunction_is_lazy_and_equal():
    got = np.fromfunction(lambda i, j: i * 10 + j, (3, 4), like=X)
    assert isinstance(got, ox.Array)
    assert_eq(got, np.fromfunction(lambda i, j: i * 10 + j, (3, 4)))
    got = np.fromfunction(lambda i: i + 1, (4,), dtype=int, like=X)
    assert_eq(got, np.fromfunction(lambda i: i + 1, (4,), dtype=int))


def test_parsing_functions(tmp_path):
    text = "# header\n1 2 3\n4 5 6\n"
    for kw in ({}, {"dtype": int}, {"usecols": (0, 2)}, {"ndmin": 2, "skiprows": 1, "max_rows": 1}):
        assert_eq(np.loadtxt(io.StringIO(text), like=X, **kw), np.loadtxt(io.StringIO(text), **kw))
    a, b = np.loadtxt(io.StringIO(text), unpack=True, usecols=(0, 1), like=X)
    assert isinstance(a, ox.Array)
    assert_eq(b, np.array([2.0, 5.0]))
    missing = "1,2\n3,\n"
    assert_eq(np.genfromtxt(io.StringIO(missing), delimiter=",", like=X),
              np.genfromtxt(io.StringIO(missing), delimiter=","))
    with pytest.raises(TypeError):
        np.genfromtxt(io.StringIO(missing), delimiter=",", usemask=True, like=X)
    path = tmp_path / "raw.bin"
    np.arange(5, dtype=np.int32).tofile(path)
    assert_eq(np.fromfile(path, dtype=np.int32, like=X), np.arange(5, dtype=np.int32))
    assert_eq(np.fromfile(path, dtype=np.int32, offset=8, like=X), np.arange(2, 5, dtype=np.int32))


# ---- linspace / logspace / geomspace -------------------------------------------------------

finite = st.floats(-1e3, 1e3)
ends = st.one_of(finite, st.lists(finite, min_size=1, max_size=3).map(np.array))


@given(start=ends, stop=ends, num=st.integers(0, 7), endpoint=st.booleans(),
       axis=st.sampled_from([0, -1, 1]), dtype=st.sampled_from([None, np.float32, np.int64]),
       lazy=st.booleans())
@example(start=0.0, stop=1.0, num=5, endpoint=True, axis=0, dtype=None, lazy=False)
@example(start=np.array([1.0, 2.0]), stop=np.array([1.0, 5.0]), num=4, endpoint=True, axis=0,
         dtype=None, lazy=True)  # a zero step among others
@example(start=0.0, stop=5.0, num=1, endpoint=True, axis=0, dtype=None, lazy=True)
def test_linspace_against_numpy(start, stop, num, endpoint, axis, dtype, lazy):
    s = ox.asarray(start) if lazy else start
    differential(lambda: np.linspace(start, stop, num, endpoint, dtype=dtype, axis=axis),
                 lambda: ox.linspace(s, stop, num, endpoint, dtype=dtype, axis=axis))
    if lazy:
        differential(lambda: np.linspace(start, stop, num, endpoint, dtype=dtype, axis=axis),
                     lambda: np.linspace(s, stop, num, endpoint, dtype=dtype, axis=axis))


def test_linspace_retstep_and_dtypes():
    for start, stop, num, endpoint in ((0.0, 1.0, 5, True), (2, 3, 1, True), (0, 1, 0, False),
                                        (np.float32(1), 2.0, 4, False)):
        y, step = ox.linspace(start, stop, num, endpoint, retstep=True)
        wy, wstep = np.linspace(start, stop, num, endpoint, retstep=True)
        assert_eq(y, wy)
        np.testing.assert_equal(step, wstep)
        assert np.asarray(step).dtype == np.asarray(wstep).dtype
    a = np.array([0.0, 1.0])
    y, step = np.linspace(ox.asarray(a), 3.0, 4, retstep=True)
    wy, wstep = np.linspace(a, 3.0, 4, retstep=True)
    assert_eq(y, wy)
    assert_eq(step, wstep)
    assert_eq(ox.linspace(0, 1j, 3), np.linspace(0, 1j, 3))
    with pytest.raises(ValueError):
        ox.linspace(0, 1, -1)
    with pytest.raises(np.exceptions.AxisError):
        np.linspace(ox.asarray([0.0, 1.0]), 1.0, 3, axis=3)


@given(start=ends, stop=ends, num=st.integers(0, 6), endpoint=st.booleans(),
       base=st.sampled_from([10.0, 2, np.array([2.0, 3.0])]), axis=st.sampled_from([0, -1]))
def test_logspace_against_numpy(start, stop, num, endpoint, base, axis):
    start, stop = np.clip(start, -5, 5), np.clip(stop, -5, 5)
    differential(lambda: np.logspace(start, stop, num, endpoint, base, axis=axis),
                 lambda: np.logspace(ox.asarray(start), stop, num, endpoint, base, axis=axis),
                 rtol=1e-12)


nonzero = st.one_of(st.floats(1e-3, 1e3), st.floats(-1e3, -1e-3))


@given(start=st.one_of(nonzero, st.lists(nonzero, min_size=1, max_size=3).map(np.array)),
       stop=nonzero, num=st.integers(0, 6), endpoint=st.booleans(), axis=st.sampled_from([0, -1]),
       dtype=st.sampled_from([None, np.float32, np.complex128]))
def test_geomspace_against_numpy(start, stop, num, endpoint, axis, dtype):
    differential(lambda: np.geomspace(start, stop, num, endpoint, dtype, axis),
                 lambda: np.geomspace(ox.asarray(start), stop, num, endpoint, dtype, axis),
                 rtol=1e-12)
    differential(lambda: np.geomspace(start, stop, num, endpoint, dtype, axis),
                 lambda: ox.geomspace(start, stop, num, endpoint, dtype, axis), rtol=1e-12)


def test_geomspace_complex_and_zero():
    assert_eq(np.geomspace(ox.asarray(1j), 1000j, 4), np.geomspace(1j, 1000j, 4))
    assert_eq(np.geomspace(ox.asarray(-1 + 0j), 1 + 0j, 3), np.geomspace(-1 + 0j, 1 + 0j, 3),
              atol=1e-15)
    with pytest.raises(ValueError, match="cannot include zero"):
        ox.geomspace(0, 1)
    res = np.geomspace(ox.asarray([1.0, 0.0]), 2.0, 3)  # lazy: the values are not known yet
    with pytest.raises(ValueError, match="cannot include zero"):
        res.compute()
