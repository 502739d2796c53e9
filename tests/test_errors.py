"""Bad input of every kind gets NumPy's exception type (never a RuntimeError or a Rust panic).

Shape, dtype and axis errors need no data, so they must come at the call, not at compute().
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.exceptions import AxisError

import oxarray as ox
from helpers import public_type, run_ox
from oxarray.testing import assert_eq

A = np.arange(24.0).reshape(2, 3, 4)


@pytest.fixture
def x():
    return ox.asarray(A, chunks=(1, 2, 3))


def same_error(np_call, ox_call):
    """NumPy raises; oxarray raises the same type, at the call (no compute needed)."""
    with pytest.raises(Exception) as np_exc:
        np_call()
    with pytest.raises(public_type(np_exc.value)):
        ox_call()


# -------------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("other", [np.ones(5), np.ones((3, 3)), np.ones((2, 2, 4))],
                         ids=lambda a: str(a.shape))
@pytest.mark.parametrize("name", ["add", "multiply", "less", "arctan2", "maximum"])
def test_broadcast_mismatch_at_call(x, other, name):
    uf = getattr(np, name)
    same_error(lambda: uf(A, other), lambda: uf(x, ox.asarray(other)))
    same_error(lambda: uf(A, other), lambda: uf(x, other))


def test_where_shape_mismatch(x):
    same_error(lambda: np.where(np.ones(5, bool), A, 0), lambda: np.where(ox.ones(5, dtype=bool), x, 0))


@pytest.mark.parametrize(
    "np_call, ox_call",
    [
        (lambda: np.concatenate([A, np.ones((2, 2, 2))], axis=0),
         lambda x: np.concatenate([x, ox.ones((2, 2, 2))], axis=0)),
        (lambda: np.concatenate([A, np.ones((2, 3))]), lambda x: np.concatenate([x, ox.ones((2, 3))])),
        (lambda: np.concatenate([]), lambda x: ox.concatenate([])),
        (lambda: np.concatenate([A], axis=3), lambda x: np.concatenate([x], axis=3)),
        (lambda: np.stack([A, A[:1]]), lambda x: np.stack([x, x[:1]])),
        (lambda: np.stack([]), lambda x: ox.stack([])),
        (lambda: np.stack([A, A], axis=4), lambda x: np.stack([x, x], axis=4)),
        (lambda: np.broadcast_to(A, (3, 3, 4)), lambda x: np.broadcast_to(x, (3, 3, 4))),
        (lambda: np.broadcast_to(A, (3, 4)), lambda x: np.broadcast_to(x, (3, 4))),
        (lambda: np.broadcast_to(A, (-1, 3, 4)), lambda x: np.broadcast_to(x, (-1, 3, 4))),
        (lambda: np.squeeze(A, axis=0), lambda x: np.squeeze(x, axis=0)),
        (lambda: np.squeeze(A, axis=5), lambda x: np.squeeze(x, axis=5)),
        (lambda: np.expand_dims(A, 5), lambda x: np.expand_dims(x, 5)),
        (lambda: np.expand_dims(A, (0, 0)), lambda x: np.expand_dims(x, (0, 0))),
        (lambda: np.transpose(A, (0, 0, 1)), lambda x: np.transpose(x, (0, 0, 1))),
        (lambda: np.transpose(A, (0, 1)), lambda x: np.transpose(x, (0, 1))),
        (lambda: np.transpose(A, (0, 1, 3)), lambda x: np.transpose(x, (0, 1, 3))),
        (lambda: np.moveaxis(A, 0, 3), lambda x: np.moveaxis(x, 0, 3)),
        (lambda: np.moveaxis(A, [0, 1], [2]), lambda x: np.moveaxis(x, [0, 1], [2])),
        (lambda: np.moveaxis(A, [0, 0], [1, 2]), lambda x: np.moveaxis(x, [0, 0], [1, 2])),
        (lambda: np.matmul(A, A), lambda x: np.matmul(x, x)),
        (lambda: np.matmul(A, 2.0), lambda x: np.matmul(x, 2.0)),
        (lambda: np.dot(np.ones(3), np.ones(4)), lambda x: np.dot(ox.ones(3), ox.ones(4))),
    ],
)
def test_manipulation_errors(x, np_call, ox_call):
    same_error(np_call, lambda: ox_call(x))


# ------------------------------------------------------------------------------- reshape


@pytest.mark.parametrize("shape", [(5, 5), (-1, 5), (-1, -1), (25,), (0, -1), (4, -1, 7),
                                   (7, -1), (2, -1, 7), (3, 5, 1), ()], ids=str)
def test_bad_reshape(x, shape):
    same_error(lambda: A.reshape(shape), lambda: x.reshape(shape))
    same_error(lambda: np.reshape(A, shape), lambda: np.reshape(x, shape))
    # The message too, word for word: "cannot reshape array of size 24 into shape (7,newaxis)".
    with pytest.raises(ValueError) as np_exc:
        A.reshape(shape)
    with pytest.raises(ValueError, match="^" + re.escape(str(np_exc.value)) + "$"):
        x.reshape(shape)


def test_reshape_empty_with_minus_one():
    a = np.zeros((0, 3))
    same_error(lambda: a.reshape(-1, 0), lambda: ox.asarray(a).reshape(-1, 0))


# ---------------------------------------------------------------------------------- axes


@pytest.mark.parametrize("name", ["sum", "mean", "max", "any", "std", "argmin", "prod"])
@pytest.mark.parametrize("axis", [3, -4, 100], ids=str)
def test_axis_out_of_bounds_is_axis_error(x, name, axis):
    with pytest.raises(AxisError):
        getattr(np, name)(A, axis=axis)
    with pytest.raises(AxisError):
        getattr(np, name)(x, axis=axis)
    with pytest.raises(AxisError):
        getattr(x, name)(axis=axis)


@pytest.mark.parametrize("axis", [1.0, "0", [0.5]], ids=repr)
def test_non_integer_axis(x, axis):
    same_error(lambda: np.sum(A, axis=axis), lambda: np.sum(x, axis=axis))


# -------------------------------------------------------------------------------- chunks


@pytest.mark.parametrize(
    "chunks",
    [0, -2, (2,), (2, 2, 2, 2), ((1, 2), 3, 4), ((2,), (3,), (1, 1, 1)), ((1, 0, 2), 3, 4),
     ((3, -1), 3, 4), "banana", (1.5, 3, 4), ((2,), (3,), (5,)),
     (0, 3, 4)],
    ids=repr,
)
def test_bad_chunks_raise_value_error(chunks):
    with pytest.raises(ValueError):
        ox.asarray(A, chunks=chunks)
    with pytest.raises(ValueError):
        ox.zeros(A.shape, chunks=chunks)
    with pytest.raises(ValueError):
        ox.asarray(A, chunks=(1, 3, 4)).rechunk(chunks)


def test_empty_chunks_that_add_up_are_accepted():
    # Dask takes zero-length chunks when the sizes add up (issue 13 asked for this); they hold
    # nothing, so the grid drops them.
    x = ox.asarray(A, chunks=((1, 0, 1), 3, 4))
    assert x.chunks == ((1, 1), (3,), (4,))
    np.testing.assert_array_equal(x.compute(), A)


# -------------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize(
    "a",
    [np.array([1, "a"], dtype=object), np.array(["abc"]),
     np.array([b"x"]), np.array(["2020-01-01"], dtype="datetime64[D]"),
     np.array([1], dtype="timedelta64[s]"), np.zeros(2, dtype="V4"),
     np.zeros(2, dtype=[("a", "i4")]), np.ones(2, dtype="longdouble")],
    ids=lambda a: str(a.dtype),
)
def test_unsupported_dtype_on_ingest(a):
    with pytest.raises(TypeError):
        ox.asarray(a)
    with pytest.raises(TypeError):
        ox.from_array(a, chunks=1)


@pytest.mark.parametrize("dtype", [object, "U3", "datetime64[s]", "clongdouble"],
                         ids=str)
def test_unsupported_dtype_arguments(x, dtype):
    for call in (lambda: ox.zeros(3, dtype=dtype), lambda: ox.ones(3, dtype=dtype),
                 lambda: ox.full(3, 0, dtype=dtype), lambda: ox.arange(3, dtype=dtype),
                 lambda: x.astype(dtype), lambda: ox.asarray([1, 2], dtype=dtype),
                 lambda: np.sum(x, dtype=dtype), lambda: np.add(x, x, dtype=dtype)):
        with pytest.raises(TypeError):
            call()


def test_float16_operand_and_result(x):
    # A float16 operand is cast to the loop NumPy picks, and a float16 result is computed in half.
    assert_eq(x + np.ones((2, 3, 4), "float16"), A + np.ones((2, 3, 4), "float16"))
    with np.errstate(over="ignore"):
        assert_eq(np.negative(x, dtype="float16"), np.negative(A, dtype="float16"))


@pytest.mark.parametrize("dtype", ["not-a-dtype", "i3"], ids=str)
def test_garbage_dtype_is_numpys_type_error(dtype):
    with pytest.raises(TypeError):
        np.dtype(dtype)
    with pytest.raises(TypeError):
        ox.zeros(3, dtype=dtype)


# ---------------------------------------------------------------------------- ufunc loops


@pytest.mark.parametrize(
    "call",
    [
        lambda m, v: m.negative(v.astype(bool)),
        lambda m, v: m.subtract(v.astype(bool), v.astype(bool)),
        lambda m, v: m.invert(v),
        lambda m, v: m.bitwise_and(v, v),
        lambda m, v: m.left_shift(v, 1),
        lambda m, v: m.floor(v.astype(complex)),
        lambda m, v: m.remainder(v.astype(complex), 2),
        lambda m, v: m.gcd(v, v),
        lambda m, v: m.left_shift(v.astype("int8"), v.astype("uint64")),
        lambda m, v: m.add(v.astype("int8"), v, dtype="int8"),
        lambda m, v: m.heaviside(v.astype(complex), 0.5),
        lambda m, v: m.maximum(v, "a"),
    ],
)
def test_no_loop_is_type_error_at_call(x, call):
    same_error(lambda: call(np, A), lambda: call(np, x))


def test_nep50_overflow_is_overflow_error():
    x8 = ox.asarray(np.array([1, 2], "int8"))
    with pytest.raises(OverflowError):
        x8 + 300
    with pytest.raises(OverflowError):
        np.add(x8, -129)
    with pytest.raises(OverflowError):
        ox.asarray(np.array([1], "uint8")) * -1
    with pytest.raises(OverflowError):
        ox.asarray(np.array([1], "int64")) + 2**64


def test_integer_negative_power_is_value_error():
    with pytest.raises(ValueError):
        run_ox(lambda: ox.arange(5) ** -2)


# ------------------------------------------------------------------------------ creation


@pytest.mark.parametrize(
    "np_call, ox_call",
    [
        (lambda: np.zeros((2, -1)), lambda: ox.zeros((2, -1))),
        (lambda: np.ones(-3), lambda: ox.ones(-3)),
        (lambda: np.full((-1,), 3), lambda: ox.full((-1,), 3)),
        (lambda: np.zeros(2.5), lambda: ox.zeros(2.5)),
        (lambda: np.eye(-1), lambda: ox.eye(-1)),
        (lambda: np.arange(0, 10, 0), lambda: ox.arange(0, 10, 0)),
        (lambda: np.linspace(0, 1, -1), lambda: ox.linspace(0, 1, -1)),
        (lambda: np.linspace(0, 1, 2.5), lambda: ox.linspace(0, 1, 2.5)),
        (lambda: np.full(3, 300, dtype="int8"), lambda: ox.full(3, 300, dtype="int8")),
        (lambda: np.full_like(np.zeros(2, "uint8"), -1), lambda: ox.full_like(ox.zeros(2, "uint8"), -1)),
        (lambda: np.asarray([[1, 2], [3]]), lambda: ox.asarray([[1, 2], [3]])),
    ],
)
def test_creation_errors(np_call, ox_call):
    same_error(np_call, ox_call)


# ------------------------------------------------------------------------------- indexing


@pytest.mark.parametrize("idx", [3, -4, (0, 0, 4), (0, 3), (0, 0, 0, 0), (..., 5)], ids=repr)
def test_index_errors(x, idx):
    same_error(lambda: A[idx], lambda: x[idx])


def test_setitem_is_not_silently_ignored(x):
    expected = A.copy()
    expected[0] = 1
    x[0] = 1
    np.testing.assert_array_equal(x.compute(), expected)
    for idx in (2, (0, 3), (..., 5)):
        same_error(lambda idx=idx: A.copy().__setitem__(idx, 1), lambda idx=idx: x.__setitem__(idx, 1))


def test_broadcast_error_comes_after_numpys_loop_search():
    # int8 with bool would need NumPy's float16 arctan2 loop: the shape error still comes first.
    a, b = np.ones(2, "int8"), np.ones(0, bool)
    same_error(lambda: np.arctan2(a, b), lambda: np.arctan2(ox.asarray(a), ox.asarray(b)))
    # No loop at all (bitwise_and of floats) is NumPy's TypeError even when shapes mismatch too.
    c, d = np.ones(3), np.ones(2)
    same_error(lambda: np.bitwise_and(c, d), lambda: np.bitwise_and(ox.asarray(c), ox.asarray(d)))
    with pytest.raises(ValueError, match=r"shapes \(2,3\) \(4,\) "):
        ox.ones((2, 3)) + ox.ones(4)


@pytest.mark.parametrize("make", [
    lambda m: m.zeros((2**40, 2**40)),
    lambda m: m.eye(2**40),
    lambda m: m.arange(np.inf),
    lambda m: m.arange(np.nan),
    lambda m: m.arange(10**20),
    lambda m: m.broadcast_to(m.ones(1), (2**31, 2**31)),
])
def test_impossible_sizes_are_numpys_value_error(make):
    same_error(lambda: make(np), lambda: make(ox))


def test_result_larger_than_memory_is_memory_error_not_abort():
    # Lazy arrays may exceed memory; computing one whole result that cannot be allocated must
    # raise MemoryError (Rust's default on a failed allocation is to abort the process).
    # 2 PiB: beyond the address space, so even an always-overcommitting kernel refuses it.
    x = ox.zeros((2**24, 2**24))
    with pytest.raises(MemoryError, match="Unable to allocate 2.00 PiB"):
        x.compute()
    # A chunk that must exist whole (a transpose reads it) cannot be allocated either. (A plain
    # `(x + 1).sum()` no longer needs the chunk: the reduction streams the fused program in
    # slabs, so it is a legitimate, if endless, computation.)
    with pytest.raises(MemoryError):
        (ox.zeros((2**24, 2**24), chunks=-1) + 1).T.sum().compute()
    assert float(ox.ones(3).sum()) == 3.0  # and the engine still works
