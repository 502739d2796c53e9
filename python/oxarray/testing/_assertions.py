"""``assert_eq``: an oxarray result against the NumPy oracle, metadata included.

Like dask's ``assert_eq``, the lazy metadata is checked against the computed data: the graph claims a
shape, a dtype and a chunk grid before anything runs, and a result that disagrees with its own claims
is a bug even when the values are right.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["assert_chunks_valid", "assert_eq", "default_tolerance"]


def _is_ox_array(x) -> bool:
    # Imported lazily so that `oxarray.testing` can be imported while the package is half-built.
    from oxarray import Array

    return isinstance(x, Array)


def default_tolerance(dtype) -> tuple[float, float]:
    """(rtol, atol) for comparing results of ``dtype``: exact for bool/int, a few ULPs otherwise."""
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return 0.0, 0.0
    if dtype == np.dtype(np.float16):
        return 1e-3, 1e-7  # one half ulp: float32 math libraries differ in the last float32 bit
    if dtype in (np.dtype(np.float32), np.dtype(np.complex64)):
        return 1e-5, 1e-6
    if dtype.kind in "fc":
        return 1e-12, 1e-300
    return 0.0, 0.0


def assert_chunks_valid(x) -> None:
    """The chunk grid of an ``oxarray.Array`` is well formed and tiles its shape exactly."""
    chunks = x.chunks
    shape = x.shape
    assert isinstance(shape, tuple), f"shape must be a tuple, got {type(shape).__name__}"
    assert all(isinstance(n, int) and n >= 0 for n in shape), f"bad shape {shape!r}"
    assert isinstance(chunks, tuple), f"chunks must be a tuple, got {type(chunks).__name__}"
    assert len(chunks) == len(shape), f"chunks {chunks!r} do not have one entry per axis of {shape}"
    for axis, (sizes, n) in enumerate(zip(chunks, shape, strict=True)):
        assert isinstance(sizes, tuple), f"chunks[{axis}] must be a tuple, got {sizes!r}"
        assert len(sizes) >= 1, f"chunks[{axis}] is empty"
        assert all(isinstance(c, int) and c >= 0 for c in sizes), f"bad chunk sizes {sizes!r}"
        assert sum(sizes) == n, f"chunks[{axis}]={sizes!r} sum to {sum(sizes)}, axis has {n}"
        if n > 0:
            assert all(c > 0 for c in sizes), f"empty chunk in chunks[{axis}]={sizes!r}"
    numblocks = tuple(len(c) for c in chunks)
    assert x.numblocks == numblocks, f"numblocks {x.numblocks!r} != {numblocks!r}"
    assert x.ndim == len(shape)
    assert x.size == int(np.prod(shape, dtype=np.int64))
    assert x.nbytes == x.size * x.dtype.itemsize


def _as_expected(expected) -> np.ndarray:
    if _is_ox_array(expected):
        return expected.compute()
    if isinstance(expected, np.ndarray):
        return expected
    if isinstance(expected, np.generic):
        return np.asarray(expected)
    if isinstance(expected, (bool, numbers.Number)):
        return np.asarray(expected)
    return np.asarray(expected)


def assert_eq(actual, expected, *, rtol=None, atol=None, check_dtype=True, check_chunks=True):
    """Assert that ``actual`` (an ``oxarray.Array`` or array-like) equals ``expected`` (NumPy).

    Checks the shape, the exact dtype (``check_dtype``), the values (NaNs compare equal, tolerances
    from ``default_tolerance`` unless given) and, for an ``oxarray.Array``, that its metadata (shape,
    dtype, chunk grid) matches the data that ``compute()`` produces.
    """
    expected = _as_expected(expected)
    if _is_ox_array(actual):
        if check_chunks:
            assert_chunks_valid(actual)
        meta_shape, meta_dtype = actual.shape, actual.dtype
        assert isinstance(meta_dtype, np.dtype), f"dtype is {type(meta_dtype).__name__}, not np.dtype"
        computed = actual.compute()
        assert type(computed) is np.ndarray, (
            f"compute() returned {type(computed).__name__}, expected numpy.ndarray"
        )
        assert computed.shape == meta_shape, (
            f"computed shape {computed.shape} != lazy shape {meta_shape}"
        )
        assert computed.dtype == meta_dtype, (
            f"computed dtype {computed.dtype} != lazy dtype {meta_dtype}"
        )
        actual = computed
    else:
        actual = np.asarray(actual)

    assert actual.shape == expected.shape, f"shape {actual.shape} != expected {expected.shape}"
    if check_dtype:
        assert actual.dtype == expected.dtype, f"dtype {actual.dtype} != expected {expected.dtype}"

    d_rtol, d_atol = default_tolerance(np.result_type(actual.dtype, expected.dtype)
                                       if actual.dtype.kind in "biufc" and
                                       expected.dtype.kind in "biufc" else expected.dtype)
    rtol = d_rtol if rtol is None else rtol
    atol = d_atol if atol is None else atol

    if actual.dtype.kind in "biu" and expected.dtype.kind in "biu" and rtol == 0 and atol == 0:
        # Exact integer comparison without a float round trip (uint64/int64 extremes).
        if not np.array_equal(actual, expected):
            bad = np.argwhere(actual != expected)
            first = tuple(bad[0]) if bad.size else ()
            raise AssertionError(
                f"values differ at {len(bad)} positions; first at {first}: "
                f"{actual[first]!r} != {expected[first]!r}\nactual={actual!r}\nexpected={expected!r}"
            )
        return
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True,
                                   strict=False)
