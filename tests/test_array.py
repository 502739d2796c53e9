"""The Array object: attributes, repr, conversions, compute/persist/ox.compute, chunk invariance."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import public_type, quiet, run_ox
from oxarray.testing import arrays, assert_eq, chunked_arrays, chunkings, dtypes, shapes


@given(chunked_arrays())
def test_attributes_match_numpy(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    assert x.shape == a.shape and type(x.shape) is tuple
    assert x.dtype == a.dtype and isinstance(x.dtype, np.dtype)
    assert x.ndim == a.ndim
    assert x.size == a.size
    assert x.nbytes == a.nbytes
    assert x.chunks == chunks
    assert x.numblocks == tuple(len(c) for c in chunks)
    assert_eq(x.T, a.T)
    if a.ndim:
        assert len(x) == len(a)


def test_len_of_0d_raises_type_error():
    with pytest.raises(TypeError):
        len(ox.asarray(np.float64(1.0)))


def test_repr_shows_metadata_without_computing():
    # Computing this would fail (int ** negative int) or allocate 8 TB: repr must do neither.
    # (a lazy exponent: a known negative one is NumPy's ValueError at the call)
    bad = ox.asarray(np.array([2, 3], "int32")) ** ox.asarray(np.array([-1, -1], "int32"))
    huge = ox.zeros((1_000_000, 1_000_000), chunks=(100_000, 100_000)) + 1
    for x in (bad, huge):
        r = repr(x)
        assert str(x.dtype) in r
        assert all(str(n) in r for n in x.shape)
        assert "task" in r.lower()
        assert "chunk" in r.lower()
    assert "(100000" in repr(huge)


def test_repr_task_count_grows_with_the_graph():
    x = ox.ones((10,), chunks=2)

    def tasks(v):
        return int(repr(v).lower().split("tasks=")[1].split(">")[0].split(",")[0])

    assert tasks(np.sin(x) + x) >= tasks(x)


# ------------------------------------------------------------------------- conversions


def test_asarray_computes_and_copy_false_raises():
    a = np.arange(6.0).reshape(2, 3)
    x = ox.asarray(a, chunks=2) * 2
    out = np.asarray(x)
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, a * 2)
    np.testing.assert_array_equal(np.asarray(x, dtype="float32"), (a * 2).astype("float32"))
    assert np.asarray(x, dtype="float32").dtype == np.float32
    np.testing.assert_array_equal(np.array(x, copy=True), a * 2)
    with pytest.raises(ValueError):
        np.array(x, copy=False)
    with pytest.raises(ValueError):
        np.asarray(x, copy=False)


@pytest.mark.parametrize(
    "value", [np.array(0.0), np.array(2.5), np.array(-3), np.array(True), np.array([7]),
              np.array([[0]]), np.array(np.nan), np.array(2**63, "uint64"), np.array(1 + 0j)],
    ids=repr,
)
@pytest.mark.parametrize("conv", [bool, float, int, complex, operator.index],
                         ids=["bool", "float", "int", "complex", "index"])
def test_python_scalar_conversions_follow_numpy(value, conv):
    x = ox.asarray(value)
    try:
        with quiet():
            expected = conv(value)
    except Exception as exc:
        with pytest.raises(public_type(exc)):
            with quiet():
                conv(x)
        return
    with quiet():
        got = conv(x)
    assert type(got) is type(expected)
    assert got == expected or (got != got and expected != expected)


@pytest.mark.parametrize("conv", [bool, float, int])
def test_multi_element_conversion_raises(conv):
    a = np.array([1.0, 2.0])
    with pytest.raises((TypeError, ValueError)) as np_exc:
        conv(a)
    with pytest.raises(public_type(np_exc.value)):
        conv(ox.asarray(a, chunks=1))


def test_bool_of_lazy_comparison():
    x = ox.asarray(np.array([1, 2, 3]), chunks=2)
    assert bool((x > 0).all()) is True
    assert bool((x > 2).all()) is False
    with pytest.raises(ValueError):
        bool(x > 0)
    with pytest.raises(ValueError):
        if x == 1:
            pass


def test_index_conversion():
    x = ox.asarray(np.int64(3))
    assert [10, 11, 12, 13][x] == 13
    assert operator.index(x) == 3
    with pytest.raises(TypeError):
        operator.index(ox.asarray(np.float64(3.0)))
    with pytest.raises(TypeError):
        operator.index(ox.asarray(np.array([3])))


def test_item_and_tolist():
    a = np.arange(6).reshape(2, 3)
    x = ox.asarray(a, chunks=1)
    assert x.tolist() == a.tolist()
    assert x[1, 2].item() == 5 and type(x[1, 2].item()) is int
    assert x.item(4) == a.item(4)


# ----------------------------------------------------------------------- compute / persist


@given(chunked_arrays())
def test_compute_returns_an_owned_ndarray(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    out = x.compute()
    assert type(out) is np.ndarray
    assert out.shape == a.shape and out.dtype == a.dtype
    out2 = x.compute()
    if out.size:
        # Results are fresh buffers: changing one must not change the next.
        out.flat[0] = out.flat[-1] if out.dtype != bool else not out.flat[0]
        assert_eq(x, a)
        np.testing.assert_array_equal(out2, a)


def test_scalar_result_is_0d_ndarray():
    out = ox.ones((3, 4), chunks=2).sum().compute()
    assert type(out) is np.ndarray and out.shape == () and out == 12.0


@given(chunked_arrays(dtypes("if"), shapes(max_dims=3, max_side=5)))
def test_persist(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    with quiet():
        y = (x * 2).persist()
        assert isinstance(y, ox.Array)
        assert y.chunks == chunks
        assert_eq(y, a * 2)
        assert_eq(y + 1, a * 2 + 1)


def test_ox_compute_many_at_once():
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=(2, 3))
    r = ox.compute(x + 1, x.sum(axis=0), x[0, 0])
    assert type(r) is tuple and len(r) == 3
    for got, want in zip(r, (a + 1, a.sum(axis=0), a[0, 0]), strict=True):
        assert type(got) is np.ndarray
        np.testing.assert_array_equal(got, want)
    assert ox.compute() == ()


def test_errors_at_compute_are_numpys_and_leave_the_array_usable():
    x = ox.asarray(np.array([2, 3], "int32"))
    bad = x ** ox.asarray(np.array([-1, 1], "int32"))
    with pytest.raises(ValueError):
        bad.compute()
    with pytest.raises(ValueError):
        bad.compute()  # the same error again, not a poisoned state or a panic
    assert_eq(x + 1, np.array([3, 4], "int32"))


# ----------------------------------------------------------------------- chunk invariance


@given(st.data())
def test_elementwise_chain_is_exactly_chunk_invariant(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=8))
    a = data.draw(arrays("float64", shape, elements=st.floats(-1e3, 1e3)))
    c1, c2 = data.draw(chunkings(shape)), data.draw(chunkings(shape))

    def f(x):
        return np.where(x > 0, np.sqrt(np.abs(x)) * 2 - x, np.exp(x / 100)) + x.T.T

    with quiet():
        r1 = f(ox.from_array(a, chunks=c1)).compute()
        r2 = f(ox.from_array(a, chunks=c2)).compute()
    np.testing.assert_array_equal(r1, r2)
    with quiet():
        assert_eq(f(ox.from_array(a, chunks=c1)), f(a))


@given(st.data())
def test_mixed_graph_is_chunk_invariant(data):
    a = data.draw(arrays("float64", (6, 7), elements=st.floats(-10, 10)))
    c1, c2 = data.draw(chunkings(a.shape)), data.draw(chunkings(a.shape))

    def f(x):
        y = (x - x.mean(axis=0)) @ x.T
        return np.concatenate([y[::-1, 1:], y[:, :1]], axis=1).std(axis=1)

    r1 = run_ox(lambda: f(ox.from_array(a, chunks=c1)))
    r2 = run_ox(lambda: f(ox.from_array(a, chunks=c2)))
    assert_eq(r1, r2.compute(), rtol=1e-9, atol=1e-9)
    assert_eq(r1, f(a), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("chunks", [((2,), (1, 1)), ((3,), (2, 2)), ((4,), (3, 5)), ((1, 1), (2,))],
                         ids=str)
@pytest.mark.parametrize("dtype", ["int8", "float64", "bool"])
def test_elementwise_on_multi_row_blocks_narrower_than_the_array(chunks, dtype):
    # Pinned: a block with several rows but only part of the last axis is strided in the
    # whole array; every row of it must be read and written (not only the first).
    shape = tuple(sum(c) for c in chunks)
    a = (np.arange(np.prod(shape)).reshape(shape) % 5 + 1).astype(dtype)
    x = ox.from_array(a, chunks=chunks)
    assert_eq(np.logical_not(x), np.logical_not(a))
    if dtype != "bool":
        assert_eq(x * 1, a * 1)


def test_every_ndarray_method_that_makes_sense_lazily_exists():
    # The ndarray attributes an oxarray Array leaves out on purpose: memory layout and raw
    # buffers (a lazy array has none), in-place reinterpretation, and NumPy's internals.
    left_out = {"__array_finalize__", "__array_interface__", "__array_struct__", "__array_wrap__",
                "__setstate__", "byteswap", "ctypes", "data", "flags", "getfield",
                "resize", "setfield", "setflags", "strides", "view"}  # flat: oxarray._flat
    missing = {m for m in dir(np.ndarray) if not hasattr(ox.Array, m)}
    assert missing <= left_out, sorted(missing - left_out)


@given(chunked_arrays(dtype=dtypes("iufc")), st.integers(-2, 3))
def test_round_conjugate_swapaxes_methods(arg, decimals):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    with quiet():
        assert_eq(x.round(decimals), a.round(decimals))
    assert_eq(x.conjugate(), a.conjugate())
    if a.ndim >= 2:
        assert_eq(x.swapaxes(0, -1), a.swapaxes(0, -1))


def test_contains_divmod_delitem_and_bytes():
    a = np.arange(12.0).reshape(3, 4) - 5.5
    x = ox.asarray(a, chunks=2)
    assert (2.5 in x) is True and (3 in x) is False
    for got, want in zip(divmod(7, x), divmod(7, a), strict=True):
        assert_eq(got, want)
    with pytest.raises(ValueError, match="cannot delete array elements"):
        del x[0]
    assert x.tobytes() == a.tobytes() and x.tobytes("F") == a.tobytes("F")
    assert x.base is None


def test_dumps_and_dump_pickle_the_lazy_array(tmp_path):
    import pickle

    a = np.arange(10.0)
    x = ox.asarray(a, chunks=3) * 2
    y = pickle.loads(x.dumps())
    assert isinstance(y, ox.Array)
    assert_eq(y, a * 2)
    x.dump(tmp_path / "x.pkl")
    with open(tmp_path / "x.pkl", "rb") as f:
        assert_eq(pickle.load(f), a * 2)
    x.tofile(tmp_path / "raw.bin")
    assert np.array_equal(np.fromfile(tmp_path / "raw.bin"), a * 2)


def test_choose_method_and_class_getitem():
    c = np.array([0, 1, 0, 1])
    choices = [np.arange(4), np.arange(4) * 10]
    assert_eq(ox.asarray(c, chunks=2).choose(choices), c.choose(choices))
    assert str(ox.Array[int, np.dtype[np.float64]]).startswith("oxarray._array.Array[")


@pytest.mark.parametrize("key, value", [
    (3, 9.0), (-1, 2.0), (slice(1, 8, 2), [7.0, 8.0]), (slice(None), 4.0), ([0, 5, 11], -1.0),
    ([0, 5, 11], [1.0, 2.0, 3.0]), (np.arange(12) % 5 == 0, [1.0, 2.0]), (Ellipsis, [1.0, 2.0, 3.0]),
    (slice(2, 2), 5.0),
])  # fmt: skip
def test_flat_assignment_writes_through_and_recycles_values(key, value):
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=(2, 3))
    a.flat[key] = value
    x.flat[key] = value
    assert_eq(x, a)


def test_flat_indexing_iteration_and_whole_assignment():
    a = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    x = ox.asarray(a, chunks=(1, 2, 3))
    for key in (5, -3, slice(2, 19, 4), [1, 7, 23], np.arange(24) % 7 == 1):
        assert_eq(x.flat[key], np.asarray(a.flat[key]))
    assert len(x.flat) == 24 and list(x.flat) == list(a.flat)
    assert x.flat.base is x and np.array_equal(np.asarray(x.flat), a.ravel())
    with pytest.raises(IndexError):
        x.flat[24]
    x.flat = [5, 6, 7]
    a.flat = [5, 6, 7]
    assert_eq(x, a)
