"""Basic indexing (ints, negative ints, slices with any step, Ellipsis, None) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import differential, public_type
from oxarray.testing import assert_eq, chunked_arrays, dtypes, shapes


@given(st.data())
def test_basic_indexing(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(max_dims=4, max_side=7)))
    x = ox.from_array(a, chunks=chunks)
    idx = data.draw(hnp.basic_indices(a.shape, allow_newaxis=True, allow_ellipsis=True))
    differential(lambda: a[idx], lambda: x[idx])


@given(st.data())
def test_chained_indexing_on_lazy_results(data):
    a, chunks = data.draw(chunked_arrays(dtypes("if"), shapes(min_dims=1, max_dims=3, max_side=7)))
    x = ox.from_array(a, chunks=chunks)
    i1 = data.draw(hnp.basic_indices(a.shape))
    b = a[i1]
    i2 = data.draw(hnp.basic_indices(np.shape(b)))
    differential(lambda: (np.asarray(b) * 2)[i2], lambda: (x[i1] * 2)[i2])


@pytest.mark.parametrize(
    "idx",
    [0, -1, 9, -10, slice(None, None, -1), slice(None, None, -3), slice(8, 1, -2), slice(100, -100, -1),
     slice(-100, 100, 4), slice(3, 3), slice(5, 2), (Ellipsis,), (None,), (None, slice(2, 7), None),
     Ellipsis, (), np.int64(4), np.uint8(2)],
    ids=repr,
)
@pytest.mark.parametrize("chunks", [1, 3, 4, -1])
def test_one_axis_cases(idx, chunks):
    a = np.arange(10, dtype="int16")
    x = ox.asarray(a, chunks=chunks)
    assert_eq(x[idx], a[idx])


@given(st.slices(5), st.slices(7))
@example(slice(None, None, -2), slice(5, 0, -3))
@example(slice(-1, -6, -1), slice(None, None, 7))
def test_two_d_slices_any_step(s0, s1):
    a = np.arange(35.0).reshape(5, 7)
    x = ox.asarray(a, chunks=(2, 3))
    assert_eq(x[s0, s1], a[s0, s1])


def test_integer_index_gives_0d_array():
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=2)
    r = x[1, -1]
    assert isinstance(r, ox.Array)
    assert r.shape == () and r.ndim == 0
    out = r.compute()
    assert type(out) is np.ndarray and out.shape == () and out == 7.0


@pytest.mark.parametrize("idx", [10, -11, (0, 5), (slice(None), -6), (3, 0)], ids=repr)
def test_out_of_bounds_raises_index_error_at_call(idx):
    shape = (10,) if not isinstance(idx, tuple) else (3, 5)
    a = np.zeros(shape)
    with pytest.raises(IndexError):
        a[idx]
    x = ox.asarray(a, chunks=2)
    with pytest.raises(IndexError):
        x[idx]


@pytest.mark.parametrize("idx", [(0, 0, 0), (Ellipsis, Ellipsis), 1.5, "a", (0, 1.0)], ids=repr)
def test_bad_indices(idx):
    a = np.zeros((3, 4))
    x = ox.asarray(a, chunks=2)
    try:
        a[idx]
    except Exception as exc:
        with pytest.raises(public_type(exc)):
            x[idx]
    else:  # pragma: no cover - all of these raise in NumPy
        pytest.fail("NumPy accepted the index")


def test_zero_step_raises_value_error():
    x = ox.arange(10, chunks=3)
    with pytest.raises(ValueError):
        x[::0]


def test_index_of_0d():
    a = np.array(5.5)
    x = ox.asarray(a)
    assert_eq(x[()], a[()])
    assert_eq(x[...], a[...])
    assert_eq(x[None], a[None])
    with pytest.raises(IndexError):
        x[0]
