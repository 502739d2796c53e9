"""Basic indexing (ints, negative ints, slices with any step, Ellipsis, None) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
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


# --- integer-array (fancy) indexing -------------------------------------------------------------
@st.composite
def fancy_keys(draw, shape):
    """Keys mixing integer arrays (broadcastable, negative and out-of-bounds), ints and slices."""
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["arr", "arr", "slice", "int"]))
        if kind == "arr":
            bshape = draw(st.sampled_from([(2,), (1,), (2, 1), (3,), ()]))
            hi = max(n, 1)
            key.append(np.array(draw(st.lists(st.integers(-hi - 1, hi), min_size=int(np.prod(bshape)),
                                              max_size=int(np.prod(bshape))))).reshape(bshape))
        elif kind == "slice":
            key.append(draw(st.slices(n)))
        else:
            key.append(draw(st.integers(-max(n, 1), max(n, 1) - 1)))
    cut = draw(st.integers(0, len(key)))
    return tuple(key[:cut])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fancy_indexing(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(min_dims=1, max_dims=3, max_side=5)))
    x = ox.from_array(a, chunks=chunks)
    key = data.draw(fancy_keys(a.shape))
    differential(lambda: a[key], lambda: x[key])
    if key and isinstance(key[0], np.ndarray):
        differential(lambda: a[key[0].tolist()], lambda: x[key[0].tolist()])
        differential(lambda: a[key[0]], lambda: x[ox.asarray(key[0])])


@pytest.mark.parametrize("key", [
    ([0, 2],), ([[0], [1]], [1, 2]), (0, slice(None), [1, 0]), ([0, 1], slice(None), 0),
    (slice(None), [0, 1], 0), (Ellipsis, [2, -1]), ([1, 1, 0], None), (None, [0, 1]),
    (np.array([], dtype=int),), ([],), (np.array(1),), ([0, 1], [0, 1], [0, 1]),
    (slice(1, None), [[0, 1]], slice(None, None, -1)),
    (True, [0, 2]), ([1, 2], slice(None), True), (1, True, 2), (False, [0]), (True, 0, None, [1]),
], ids=repr)
@pytest.mark.parametrize("chunks", [1, 2, -1])
def test_fancy_cases(key, chunks):
    a = np.arange(60).reshape(3, 4, 5)
    x = ox.asarray(a, chunks=chunks)
    assert_eq(x[key], a[key])


def test_fancy_errors():
    a = np.arange(12).reshape(3, 4)
    x = ox.asarray(a, chunks=2)
    for key in ([3], ([0, 1], [0, 1, 2]), [1.0], (0, [4]), ([-4],), (np.array([True, False]),)):
        try:
            a[key]
        except Exception as exc:
            with pytest.raises(public_type(exc)):
                x[key]
        else:
            assert_eq(x[key], a[key])
