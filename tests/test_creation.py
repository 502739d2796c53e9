"""Creation functions and ingest of NumPy arrays, against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential, quiet
from oxarray.testing import (
    arrays,
    assert_eq,
    chunk_specs,
    chunked_arrays,
    chunkings,
    dtypes,
    shapes,
)


def dask_like_chunks(spec, shape):
    """The chunk grid dask derives from an int/-1/None/tuple spec (``"auto"`` excluded)."""
    if not isinstance(spec, tuple):
        spec = (spec,) * len(shape)
    grid = []
    for s, n in zip(spec, shape, strict=True):
        if isinstance(s, tuple):
            grid.append(s)
        elif s is None or s == -1 or n == 0:
            grid.append((n,))
        else:
            grid.append((s,) * (n // s) + ((n % s,) if n % s else ()))
    return tuple(grid)


# ---------------------------------------------------------------------------------------- ingest


@given(chunked_arrays())
@example((np.array(np.nan), ()))
@example((np.zeros((0, 3), "int16"), ((0,), (1, 2))))
@example((np.arange(7, dtype="uint8"), ((3, 3, 1),)))
def test_from_array_roundtrip_with_explicit_chunks(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    assert x.chunks == chunks
    assert_eq(x, a)


@given(st.data())
def test_asarray_every_chunk_spelling(data):
    a = data.draw(arrays(dtypes(), shapes(max_dims=3)))
    spec = data.draw(chunk_specs(a.shape))
    x = ox.asarray(a, chunks=spec)
    assert_eq(x, a)
    if spec != "auto" and not (isinstance(spec, tuple) and "auto" in spec):
        assert x.chunks == dask_like_chunks(spec, a.shape)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: np.arange(24.0).reshape(4, 6)[::2, ::-3], id="strided-negative"),
        pytest.param(lambda: np.asfortranarray(np.arange(24).reshape(4, 6)), id="fortran"),
        pytest.param(lambda: np.arange(24).reshape(2, 3, 4).transpose(2, 0, 1), id="transposed"),
        pytest.param(lambda: np.broadcast_to(np.arange(3.0), (4, 3)), id="zero-stride"),
        pytest.param(lambda: np.array(2.5, "float32"), id="0-d"),
        pytest.param(lambda: np.ones((3, 0, 2), "complex64"), id="empty"),
        pytest.param(lambda: np.arange(10, dtype="int16")[3:3], id="empty-slice"),
    ],
)
@pytest.mark.parametrize("chunks", ["auto", 2, -1])
def test_asarray_any_layout(make, chunks):
    a = make()
    assert_eq(ox.asarray(a, chunks=chunks), a.copy(order="C"))


def test_asarray_read_only():
    a = np.arange(12.0).reshape(3, 4)
    a.flags.writeable = False
    assert_eq(ox.asarray(a, chunks=2), a)


@pytest.mark.parametrize("dt", ["<i4", ">i4", ">f8", ">c16", ">u2", "<f4"])
def test_asarray_byte_swapped_becomes_native(dt):
    a = np.array([[1, -2, 3], [4, 5, -6]]).astype(np.dtype(dt).newbyteorder("=")).astype(dt)
    x = ox.asarray(a, chunks=1)
    native = a.astype(np.dtype(dt).newbyteorder("="))
    assert x.dtype == native.dtype
    assert x.dtype.isnative
    assert_eq(x, native)


def test_asarray_copies_on_ingest():
    a = np.arange(6.0)
    x = ox.asarray(a, chunks=2)
    a[:] = -1
    assert_eq(x, np.arange(6.0))


@pytest.mark.parametrize(
    "obj",
    [3, 2.5, True, 1 + 2j, [1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], [True, False], (1, 2.5), []],
    ids=repr,
)
def test_asarray_python_objects(obj):
    assert_eq(ox.asarray(obj), np.asarray(obj))


@given(dtypes(), dtypes())
def test_asarray_dtype_argument(src, dst):
    a = np.arange(6).reshape(2, 3).astype(src)
    with quiet():
        expected = np.asarray(a, dtype=dst)
        x = ox.asarray(a, dtype=dst, chunks=(1, 2))
    assert_eq(x, expected)


def test_asarray_of_an_oxarray_is_the_same_data():
    x = ox.asarray(np.arange(5), chunks=2)
    assert_eq(ox.asarray(x), np.arange(5))
    assert_eq(ox.asarray(x, dtype="float32"), np.arange(5, dtype="float32"))


# -------------------------------------------------------------------------------- constant arrays

CREATION_DTYPES = [None, "bool", "int8", "uint16", "int64", "float32", "float64", "complex64",
                   "complex128", np.int32, float, int, complex, bool]


@pytest.mark.parametrize("name", ["zeros", "ones"])
@pytest.mark.parametrize("dtype", CREATION_DTYPES, ids=str)
@given(shape=shapes(max_dims=3, max_side=7), data=st.data())
def test_zeros_ones(name, dtype, shape, data):
    chunks = data.draw(chunkings(shape))
    kwargs = {} if dtype is None else {"dtype": dtype}
    x = getattr(ox, name)(shape, chunks=chunks, **kwargs)
    assert x.chunks == chunks
    assert_eq(x, getattr(np, name)(shape, **kwargs))


@pytest.mark.parametrize("shape", [5, (), (0,), (2, 3), [2, 3], np.int64(4)], ids=repr)
def test_shape_spellings(shape):
    assert_eq(ox.zeros(shape), np.zeros(shape))
    assert_eq(ox.ones(shape, dtype="int8"), np.ones(shape, dtype="int8"))


@pytest.mark.parametrize("dtype", CREATION_DTYPES, ids=str)
def test_empty_shape_and_dtype(dtype):
    kwargs = {} if dtype is None else {"dtype": dtype}
    x = ox.empty((3, 4), chunks=2, **kwargs)
    e = np.empty((3, 4), **kwargs)
    assert x.shape == e.shape and x.dtype == e.dtype
    out = x.compute()
    assert out.shape == e.shape and out.dtype == e.dtype


@pytest.mark.parametrize(
    "fill, dtype",
    [(7, None), (1.5, None), (True, None), (1 - 2j, None), (np.float32(2.5), None),
     (np.int8(-3), None), (3, "float32"), (2.5, "int16"), (-1, "int64"), (255, "uint8"),
     (np.nan, None), (np.inf, "float32"), (1.5, "complex64"), (0, "bool"), (2**63, "uint64")],
    ids=repr,
)
def test_full(fill, dtype):
    differential(lambda: np.full((3, 5), fill, dtype=dtype),
                 lambda: ox.full((3, 5), fill, dtype=dtype, chunks=(2, 3)))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like"])
@given(chunked_arrays(), st.sampled_from([None, "int32", "float32", "complex128", "bool"]))
def test_zeros_ones_like(name, arg, dtype):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    assert_eq(getattr(ox, name)(x, dtype=dtype), getattr(np, name)(a, dtype=dtype))


@given(chunked_arrays(), st.sampled_from([None, "int32", "float32", "complex128"]))
def test_full_like(arg, dtype):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.full_like(a, 3, dtype=dtype), lambda: ox.full_like(x, 3, dtype=dtype))


def test_empty_like():
    x = ox.asarray(np.ones((3, 4), "int16"), chunks=2)
    for dtype in (None, "float32"):
        y = ox.empty_like(x, dtype=dtype)
        e = np.empty_like(np.ones((3, 4), "int16"), dtype=dtype)
        assert (y.shape, y.dtype) == (e.shape, e.dtype)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "full_like", "empty_like"])
def test_like_functions_via_numpy_dispatch(name):
    x = ox.asarray(np.arange(6.0).reshape(2, 3), chunks=2)
    args = (x, 4) if name == "full_like" else (x,)
    y = getattr(np, name)(*args)
    assert isinstance(y, ox.Array)
    assert (y.shape, y.dtype) == ((2, 3), np.dtype("float64"))
    if name != "empty_like":
        nargs = (np.arange(6.0).reshape(2, 3), 4) if name == "full_like" else (np.ones((2, 3)),)
        assert_eq(y, getattr(np, name)(*nargs))


# ------------------------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((10,), {}), ((0,), {}), ((-3,), {}), ((2, 11), {}), ((2, 11, 3), {}), ((11, 2, -3), {}),
        ((0.5, 4), {}), ((0, 1, 0.1), {}), ((1, 0, -0.25), {}), ((5,), {"dtype": "float32"}),
        ((0, 20, 3), {"dtype": "int8"}), ((10,), {"dtype": "uint16"}), ((3,), {"dtype": "complex128"}),
        ((np.int8(5),), {}), ((np.float32(1), 5), {}), ((2, 2), {}), ((5, 2), {}),
        ((-1e3, 1e3, 7.3), {}),
    ],
    ids=repr,
)
@pytest.mark.parametrize("chunks", ["auto", 3, 1])
def test_arange(args, kwargs, chunks):
    differential(lambda: np.arange(*args, **kwargs),
                 lambda: ox.arange(*args, chunks=chunks, **kwargs), rtol=1e-12, atol=1e-12)


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7).filter(bool),
       st.integers(1, 9))
def test_arange_integers_property(start, stop, step, chunk):
    x = ox.arange(start, stop, step, chunks=chunk)
    assert_eq(x, np.arange(start, stop, step))


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((0, 1), {}), ((0, 1, 5), {}), ((0, 1, 5), {"endpoint": False}), ((-2.5, 7, 1), {}),
        ((3, 3, 4), {}), ((1, 0, 0), {}), ((0, 10, 11), {"dtype": "int64"}),
        ((0, 1, 7), {"dtype": "float32"}), ((1e-3, 1e3, 13), {}), ((5, -5, 2), {"endpoint": False}),
    ],
    ids=repr,
)
@pytest.mark.parametrize("chunks", ["auto", 4, 1])
def test_linspace(args, kwargs, chunks):
    differential(lambda: np.linspace(*args, **kwargs),
                 lambda: ox.linspace(*args, chunks=chunks, **kwargs), rtol=1e-12, atol=1e-12)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.integers(0, 40), st.booleans(),
       st.integers(1, 9))
def test_linspace_property(start, stop, num, endpoint, chunk):
    x = ox.linspace(start, stop, num, endpoint=endpoint, chunks=chunk)
    expected = np.linspace(start, stop, num, endpoint=endpoint)
    scale = max(abs(start), abs(stop), 1.0)
    assert_eq(x, expected, rtol=1e-12, atol=4 * np.finfo(np.float64).eps * scale)
    if endpoint and num > 1:
        assert x.compute()[-1] == stop  # NumPy pins the last value to `stop` exactly


@given(st.integers(0, 9), st.one_of(st.none(), st.integers(0, 9)), st.integers(-10, 10),
       st.sampled_from(["float64", "int32", "bool", "complex64"]), st.integers(1, 5))
@example(0, None, 0, "float64", 1)
@example(4, 7, -5, "float64", 3)
def test_eye(n, m, k, dtype, chunk):
    assert_eq(ox.eye(n, m, k=k, dtype=dtype, chunks=chunk), np.eye(n, m, k=k, dtype=dtype))


def test_eye_default_dtype_and_keyword_m():
    assert_eq(ox.eye(3), np.eye(3))
    assert_eq(ox.eye(3, M=5, k=1), np.eye(3, M=5, k=1))


@pytest.mark.parametrize("args", [(np.inf, 10, 0.5), (10**20, 10, -1), (10**20, -10, 0.5), (0, np.inf, -1),
                                  (1e20, 0, -1e-10), (5, 0, 1), (0, 10, None), (np.nan,), (10, 0, -3)])
def test_arange_lengths_as_numpy(args):
    # A length that does not fit an intp is NumPy's ValueError even when it is negative.
    differential(lambda: np.arange(*args), lambda: ox.arange(*args))


@pytest.mark.parametrize("k", [2**63, -(2**63) - 1, 2**70, 3, -3, 4, -4])
def test_eye_takes_any_diagonal_offset(k):
    # NumPy accepts any Python int k; past an edge the result is all zeros.
    for n, m in [(0, None), (3, None), (3, 4)]:
        assert_eq(ox.eye(n, m, k=k), np.eye(n, m, k=k))
