"""The Array API surface (2025.12): inspection, data type functions, devices and DLPack, the
linalg extension's names, and what ``bool()``/``float()`` compute; NumPy's own Array API
namespace (NumPy 2.x) is the oracle wherever it answers the same question."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import assert_eq, chunkings, dtypes

BUDGET = settings(max_examples=25, deadline=None)
TOL = {"rtol": 1e-5, "atol": 1e-3}
ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float32", "float64", "complex64", "complex128"]
KINDS = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
         "complex floating", "numeric"]


def test_version_and_namespace():
    assert ox.__array_api_version__ == "2025.12"
    x = ox.ones(3)
    for v in (None, "2021.12", "2022.12", "2023.12", "2024.12", "2025.12"):
        assert x.__array_namespace__(api_version=v) is ox
    with pytest.raises(ValueError):
        x.__array_namespace__(api_version="2019.12")


def test_namespace_info_matches_numpy():
    info, npinfo = ox.__array_namespace_info__(), np.__array_namespace_info__()
    caps = info.capabilities()
    assert caps == {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}
    assert info.default_device() == "cpu" and info.devices() == ("cpu",)
    assert info.default_dtypes() == npinfo.default_dtypes()
    assert info.default_dtypes(device="cpu") == npinfo.default_dtypes(device="cpu")
    assert info.dtypes() == npinfo.dtypes()
    for k in [*KINDS, ("bool", "real floating"), ("integral", "signed integer")]:
        assert info.dtypes(kind=k) == npinfo.dtypes(kind=k), k
        assert list(info.dtypes(kind=k)) == list(npinfo.dtypes(kind=k))
    for bad in ("float16", "integer"):
        with pytest.raises(ValueError):
            info.dtypes(kind=bad)
    with pytest.raises(ValueError):
        info.default_dtypes(device="gpu")


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_isdtype_matches_numpy(dtype):
    for kind in [*KINDS, tuple(KINDS[:2]), ("complex floating", np.float32), np.dtype(dtype),
                 np.float64, ()]:
        assert ox.isdtype(getattr(ox, dtype), kind) is np.isdtype(np.dtype(dtype), kind)
    with pytest.raises(ValueError):
        ox.isdtype(np.dtype(dtype), "floating")  # NumPy: not a kind name
    with pytest.raises(TypeError):
        ox.isdtype(np.dtype(dtype), 3)
    with pytest.raises(TypeError):
        ox.isdtype(ox.ones(2), "numeric")  # an array is not a dtype


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_finfo_holds_python_floats(dtype):
    got, want = ox.finfo(getattr(ox, dtype)), np.finfo(dtype)
    for name in ("eps", "max", "min", "smallest_normal", "resolution"):
        assert type(getattr(got, name)) is float
        assert getattr(got, name) == float(getattr(want, name))
    assert type(got.bits) is int and got.bits == want.bits
    assert got.dtype == want.dtype  # the real dtype, also for complex
    assert ox.finfo(ox.ones(2, dtype=dtype)).eps == float(want.eps)  # an array works too
    assert "finfo" in repr(got)


@pytest.mark.parametrize("dtype", ALL_DTYPES[1:9])
def test_iinfo_holds_python_ints(dtype):
    got, want = ox.iinfo(getattr(ox, dtype)), np.iinfo(dtype)
    assert (type(got.min), type(got.max), type(got.bits)) == (int, int, int)
    assert (got.min, got.max, got.bits, got.dtype) == (want.min, want.max, want.bits, want.dtype)
    assert ox.iinfo(ox.zeros(2, dtype=dtype)).max == want.max


def test_info_errors_match_numpy():
    for fn, np_fn, dt in ((ox.finfo, np.finfo, "int32"), (ox.iinfo, np.iinfo, "float64")):
        with pytest.raises(ValueError):
            np_fn(dt)
        with pytest.raises(ValueError):
            fn(dt)


def test_can_cast_takes_arrays():
    x = ox.ones(3, dtype="int16")
    for to in ("int8", "int32", "float32", "float16"):
        for casting in ("safe", "same_kind", "unsafe"):
            assert ox.can_cast(x, to, casting=casting) == np.can_cast(np.int16, to, casting=casting)
            assert np.can_cast(x, to, casting=casting) == np.can_cast(np.int16, to, casting=casting)


def test_device_and_to_device():
    x = ox.arange(4)
    assert x.device == "cpu"
    assert x.to_device("cpu") is x and x.to_device(x.device) is x
    with pytest.raises(ValueError):
        x.to_device("cuda")
    assert ox.asarray([1, 2], device=x.device).device == "cpu"
    with pytest.raises(ValueError):
        ox.zeros(2, device="cuda")


@given(st.data())
@BUDGET
def test_dlpack_round_trip(data):
    dt = data.draw(dtypes())
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    a = data.draw(bounded_data(dt, shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    assert x.__dlpack_device__() == (1, 0)
    b = np.from_dlpack(x)  # computes x, hands over the NumPy buffer
    assert b.dtype == a.dtype and b.shape == a.shape
    np.testing.assert_array_equal(b, a)
    y = ox.from_dlpack(a)  # copied in, as every ingest
    assert isinstance(y, ox.Array)
    assert_eq(y, a)
    assert ox.from_dlpack(x) is x  # an oxarray Array: no compute, the same array


def test_dlpack_keywords():
    x = ox.arange(6.0).reshape(2, 3)
    cap = x.__dlpack__(max_version=(1, 0))
    assert type(cap).__name__ == "PyCapsule"
    with pytest.raises(BufferError):
        x.__dlpack__(stream=1)
    with pytest.raises(BufferError):
        ox.from_dlpack(np.ones(3), copy=False)
    with pytest.raises(TypeError):
        ox.from_dlpack([1, 2, 3])
    assert_eq(ox.from_dlpack(np.ones(3), device="cpu", copy=True), np.ones(3))


def test_broadcast_shapes():
    assert ox.broadcast_shapes((2, 1), (3,), ()) == np.broadcast_shapes((2, 1), (3,), ())
    with pytest.raises(ValueError):
        ox.broadcast_shapes((2,), (3,))


@pytest.mark.parametrize("name", ["cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh",
                                  "eig", "eigvals", "inv", "matmul", "matrix_norm",
                                  "matrix_power", "matrix_rank", "matrix_transpose", "outer",
                                  "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot",
                                  "trace", "vecdot", "vector_norm"])
def test_linalg_extension_names(name):
    assert callable(getattr(ox.linalg, name))


def test_linalg_namespace_is_the_array_api_form():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = ox.asarray(a, chunks=2)
    assert_eq(ox.linalg.diagonal(x, offset=1), np.linalg.diagonal(a, offset=1))
    assert_eq(ox.linalg.trace(x, offset=-1), np.linalg.trace(a, offset=-1))
    assert_eq(ox.linalg.matrix_transpose(x), np.linalg.matrix_transpose(a))
    assert_eq(ox.linalg.vecdot(x, x), np.linalg.vecdot(a, a))
    v = np.arange(6.0).reshape(2, 3)
    assert_eq(ox.linalg.cross(ox.asarray(v), ox.asarray(v[::-1])), np.linalg.cross(v, v[::-1]))
    with pytest.raises(ValueError):
        ox.linalg.outer(x, x)  # 1-d only, as np.linalg.outer


@st.composite
def norm_args(draw):
    dtype = draw(dtypes("iufc"))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4))
    a = draw(bounded_data(dtype, shape))
    return a, draw(chunkings(shape))


@given(norm_args(), st.data())
@example((np.arange(12.0).reshape(3, 4), ((1, 2), (3, 1))), None)
@example((np.ones((0, 3)), ((0,), (3,))), None)
@BUDGET
def test_vector_norm(arg, data):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    if data is None:
        axis, ord_, keepdims = None, 2, False
    else:
        axis = data.draw(st.none() | st.integers(-a.ndim, a.ndim - 1)
                         | st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=a.ndim,
                                    unique=True).map(tuple))
        ord_ = data.draw(st.sampled_from([2, 1, 0, np.inf, -np.inf, 3, -1]))
        keepdims = data.draw(st.booleans())
    differential(lambda: np.linalg.vector_norm(a, axis=axis, ord=ord_, keepdims=keepdims),
                 lambda: np.linalg.vector_norm(x, axis=axis, ord=ord_, keepdims=keepdims), **TOL)
    differential(lambda: np.linalg.vector_norm(a, axis=axis, ord=ord_, keepdims=keepdims),
                 lambda: ox.linalg.vector_norm(x, axis=axis, ord=ord_, keepdims=keepdims), **TOL)


@given(norm_args(), st.sampled_from(["fro", 1, -1, np.inf, -np.inf, 2, "nuc"]), st.booleans())
@example((np.arange(12.0).reshape(3, 4), ((1, 2), (3, 1))), "fro", False)
@example((np.arange(3.0), ((3,),)), "fro", False)  # 1-d: NumPy's AxisError
@BUDGET
def test_matrix_norm(arg, ord_, keepdims):
    a, chunks = arg
    if a.ndim > 2 and ord_ in (2, "nuc"):
        a, chunks = a[..., :3, :3], None  # one small SVD per matrix of the stack
    x = ox.from_array(a, chunks=chunks or "auto")
    differential(lambda: np.linalg.matrix_norm(a, ord=ord_, keepdims=keepdims),
                 lambda: ox.linalg.matrix_norm(x, ord=ord_, keepdims=keepdims), **TOL)


def test_bool_of_first_element_computes_one_chunk():
    """array-api-compat's ``is_lazy_array`` and scikit-learn's checks call
    ``bool(xp.any(xp.reshape(x, (-1,))[0]))``: with rows in chunks, one chunk's tasks run."""
    x = ox.asarray(np.arange(400.0).reshape(100, 4), chunks=(10, 4))
    y = ox.sin(x) * 2 + 1
    probe = ox.any(ox.reshape(y, (-1,))[0])
    whole = ox.any(y)
    n_probe = int(probe.explain().split()[0])
    n_whole = int(whole.explain().split()[0])
    source_blocks = {line.split()[0]: int(line.split()[1]) for line in probe.explain().splitlines()
                     if line.startswith("  ")}["array"]
    assert source_blocks == 1 and n_probe < n_whole, (probe.explain(), whole.explain())
    assert bool(probe) is True
    assert float(ox.reshape(y, (-1,))[0]) == 1.0
