"""The oracle checks itself: oxarray.testing.assert_eq must reject what it claims to reject,
and the strategies must produce the edge cases the other tests rely on."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray.testing import (
    SUPPORTED_DTYPES,
    assert_chunks_valid,
    assert_eq,
    axes,
    chunk_specs,
    chunkings,
    default_tolerance,
    shapes,
)


def test_assert_eq_accepts_equal_values_and_nan():
    a = np.array([1.0, np.nan, np.inf, -0.0])
    assert_eq(ox.asarray(a, chunks=3), a)
    assert_eq(ox.asarray(np.float32(1.5)), np.float32(1.5))  # 0-d vs NumPy scalar


@pytest.mark.parametrize(
    "actual, expected",
    [
        (np.arange(3), np.arange(3.0)),  # dtype
        (np.arange(3.0), np.arange(3.0).reshape(1, 3)),  # shape
        (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9])),  # float64 beyond 1e-12 relative
        (np.array([2**63 - 1]), np.array([2**63 - 2])),  # exact int64, no float round trip
        (np.array([np.nan]), np.array([0.0])),
        (np.array(1.0), np.array([1.0])),
    ],
)
def test_assert_eq_rejects(actual, expected):
    with pytest.raises(AssertionError):
        assert_eq(ox.asarray(actual), expected)


def test_check_dtype_false_compares_values_only():
    assert_eq(ox.arange(3), np.arange(3.0), check_dtype=False)


def test_chunk_metadata_is_checked():
    class Liar:
        shape, ndim, size, dtype = (4,), 1, 4, np.dtype("float64")
        nbytes, numblocks, chunks = 32, (2,), ((2, 1),)

    with pytest.raises(AssertionError):
        assert_chunks_valid(Liar())


def test_default_tolerances():
    assert default_tolerance("int64") == (0.0, 0.0)
    assert default_tolerance("bool") == (0.0, 0.0)
    assert default_tolerance("float32")[0] <= 1e-5
    assert default_tolerance("float64")[0] <= 1e-12


@settings(max_examples=200)
@given(shapes(max_dims=3), st.data())
def test_chunkings_tile_the_shape(shape, data):
    chunks = data.draw(chunkings(shape))
    assert len(chunks) == len(shape)
    for c, n in zip(chunks, shape, strict=True):
        assert sum(c) == n and (n == 0 or min(c) > 0)
    x = ox.zeros(shape, chunks=chunks)
    assert x.chunks == chunks
    assert_chunks_valid(x)
    spec = data.draw(chunk_specs(shape))
    assert_chunks_valid(ox.zeros(shape, chunks=spec))


@settings(max_examples=200)
@given(st.integers(0, 4), st.data())
def test_axes_are_valid_for_numpy(ndim, data):
    axis = data.draw(axes(ndim))
    np.sum(np.zeros((2,) * ndim), axis=axis)  # NumPy accepts every drawn axis


def test_supported_dtypes_are_the_fourteen():
    assert len(SUPPORTED_DTYPES) == 14
    for dt in SUPPORTED_DTYPES:
        assert ox.zeros(2, dtype=dt).dtype == dt
