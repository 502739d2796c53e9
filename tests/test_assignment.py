"""Item assignment ``x[key] = v`` and NumPy's in-place writers (put, place, putmask, copyto,
fill_diagonal, put_along_axis, ufunc.at) against NumPy: the Array object is rebound."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_indexing import fancy_keys

import oxarray as ox
from helpers import public_type, quiet
from oxarray.testing import assert_eq, chunked_arrays, dtypes, shapes

SETTINGS = settings(max_examples=40, deadline=None)


def same_assignment(a, x, key, value):
    """``a[key] = value`` in NumPy and in oxarray: same exception type, or equal arrays."""
    b = a.copy()
    try:
        with quiet():
            b[key] = value
    except Exception as exc:
        with pytest.raises(public_type(exc)), quiet():
            x[key] = value
        return
    with quiet():
        x[key] = value
    assert_eq(x, b)


def test_asarray_copy_is_a_new_handle():
    x = ox.asarray(np.arange(4.0))
    y = ox.asarray(x, copy=True)
    z = x.copy()
    assert y is not x and z is not x
    y += 1
    z[0] = 10
    assert_eq(x, np.arange(4.0))
    assert_eq(y, np.arange(4.0) + 1)
    assert ox.asarray(x) is x


@SETTINGS
@given(chunked_arrays(dtypes(), shapes(max_dims=3, max_side=6)), st.data())
def test_basic_setitem(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    key = data.draw(hnp.basic_indices(a.shape, allow_newaxis=True, allow_ellipsis=True))
    target = np.shape(a[key])
    shapes_ok = hnp.broadcastable_shapes(target, min_side=0, max_dims=len(target) + 1)
    vshape = data.draw(shapes_ok if target else st.just(()))
    value = data.draw(hnp.arrays(a.dtype, vshape))
    same_assignment(a, x, key, value)
    same_assignment(a, ox.from_array(a, chunks=chunks), key, ox.asarray(value))


@pytest.mark.parametrize("value", [0, 1.5, -1, 300, 1j, np.nan, True, [1, 2, 3], np.float32(2.5), np.float64(np.nan),
                                   np.int64(300), np.complex128(1j), np.uint64(2**63)], ids=repr)
@pytest.mark.parametrize("dtype", ["int8", "uint16", "float32", "complex128", "bool"])
def test_scalar_conversion_as_numpy(value, dtype):
    a = np.zeros(3, dtype)
    same_assignment(a, ox.asarray(a, chunks=2), slice(None), value)
    same_assignment(a, ox.asarray(a, chunks=2), 1, value if np.ndim(value) == 0 else 7)


def test_complex_into_real_warns():
    x = ox.zeros(3)
    with pytest.warns(np.exceptions.ComplexWarning):
        x[:] = ox.asarray(np.array([1 + 1j, 2, 3]))
    assert_eq(x, np.array([1.0, 2, 3]))


@SETTINGS
@given(chunked_arrays(dtypes(), shapes(min_dims=1, max_dims=3, max_side=6)), st.data())
def test_mask_setitem(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    k = data.draw(st.integers(1, a.ndim))
    m = np.array(data.draw(st.lists(st.booleans(), min_size=int(np.prod(a.shape[:k])),
                                    max_size=int(np.prod(a.shape[:k])))), bool).reshape(a.shape[:k])
    kind = data.draw(st.sampled_from(["scalar", "row", "full", "wrong"]))
    rest = a.shape[k:]
    n = int(m.sum())
    shape = {"scalar": (), "row": rest, "full": (n, *rest), "wrong": (n + 1, *rest)}[kind]
    value = data.draw(hnp.arrays(a.dtype, shape))
    lazy = data.draw(st.booleans())
    b = a.copy()
    try:
        with quiet():
            b[m] = value
    except Exception as exc:
        with pytest.raises(public_type(exc)), quiet():
            x[ox.asarray(m) if lazy else m] = value
        return
    with quiet():
        x[ox.asarray(m) if lazy else m] = value
    assert_eq(x, b)


def test_mask_setitem_with_lazy_mask_and_values():
    a = np.random.default_rng(2).random((9, 4))
    x = ox.asarray(a, chunks=(4, 3))
    b = a.copy()
    b[b > 0.5] = -b[b > 0.5]
    x[x > 0.5] = -x[x > 0.5]
    assert_eq(x, b)
    b[:, b[0] > 0] = 7
    x[:, x[0] > 0] = 7
    assert_eq(x, b)


@SETTINGS
@given(chunked_arrays(dtypes("if"), shapes(min_dims=1, max_dims=3, max_side=6)), st.data())
def test_integer_array_setitem(case, data):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    n = a.shape[0]
    idx = np.array(data.draw(st.lists(st.integers(-n - 1, n), max_size=5)), dtype=np.intp)
    target = np.shape(a[idx]) if all(-n <= i < n for i in idx) else (len(idx), *a.shape[1:])
    shape = data.draw(hnp.broadcastable_shapes(target, min_side=0, max_dims=len(target)))
    value = data.draw(hnp.arrays(a.dtype, shape))
    same_assignment(a, x, idx, value)
    if a.ndim >= 2 and a.shape[1]:
        j = np.arange(len(idx)) % a.shape[1]
        key = (idx, slice(None), j) if a.ndim == 3 else (idx, j)
        same_assignment(a, ox.from_array(a, chunks=chunks), key, 5)
        one = value.ravel()[:1].reshape(()) if value.size else 1
        same_assignment(a, ox.from_array(a, chunks=chunks), key, one)


def test_integer_array_setitem_duplicates_last_wins():
    a = np.zeros(5)
    x = ox.asarray(a, chunks=2)
    a[[1, 3, 1]] = [1, 2, 3]
    x[[1, 3, 1]] = [1, 2, 3]
    assert_eq(x, a)


def test_views_keep_the_old_value():
    x = ox.asarray(np.arange(6.0), chunks=4)
    view = x[1:4]
    alias = x
    x[...] = 0
    assert_eq(view, np.arange(6.0)[1:4])  # NumPy's view would read zeros: documented
    assert_eq(alias, np.zeros(6))  # the same Array object sees the update


def test_setitem_is_lazy():
    x = ox.random.default_rng(0).random((100, 100), chunks=50)
    x[10:20, ::3] = x[:10, ::3] * 2
    assert isinstance(x, ox.Array) and x.chunks == ((50, 50), (50, 50))
    x.compute()


def test_put_place_putmask_copyto_fill_diagonal():
    rng = np.random.default_rng(3)
    a = rng.random((5, 4))
    x = ox.asarray(a, chunks=(2, 3))
    for f, args in [
        (np.put, ([0, -1, 7, 7], [1.0, 2.0])),
        (np.put, ([2, 30], [9.0], "clip")),
        (np.put, ([2, 30], [9.0], "wrap")),
        (np.place, (a > 0.5, [10.0, 20.0, 30.0])),
        (np.putmask, (a > 0.3, [-1.0, -2.0])),
        (np.copyto, (np.ones(4),)),
        (np.fill_diagonal, (3.0,)),
        (np.fill_diagonal, ([1.0, 2.0],)),
    ]:
        b = a.copy()
        f(b, *args)
        xargs = tuple(ox.asarray(v) if isinstance(v, np.ndarray) and v.dtype == bool else v for v in args)
        f(x, *xargs)
        assert_eq(x, b)
        a = b
    with pytest.raises(IndexError):
        np.put(x, [100], 1.0)
    with pytest.raises(TypeError):
        np.copyto(ox.zeros(3, dtype=int), np.ones(3))
    b = a.copy()
    np.copyto(b, 5, where=b > 0.5)
    np.copyto(x, 5, where=x > 0.5)
    assert_eq(x, b)
    tall = np.zeros((7, 3))
    xt = ox.asarray(tall, chunks=2)
    np.fill_diagonal(tall, 4.0, wrap=True)
    np.fill_diagonal(xt, 4.0, wrap=True)
    assert_eq(xt, tall)


def test_put_along_axis_and_ufunc_at():
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=2)
    idx = np.array([[0], [3], [1]])
    b = a.copy()
    np.put_along_axis(b, idx, -1.0, axis=1)
    np.put_along_axis(x, idx, -1.0, axis=1)
    assert_eq(x, b)
    np.add.at(b, [0, 0, 2], 1.0)
    np.add.at(x, [0, 0, 2], 1.0)
    assert_eq(x, b)
    np.multiply.at(b, ([0, 0, 1], [1, 1, 2]), np.array([2.0, 3.0, 4.0]))
    np.multiply.at(x, ([0, 0, 1], [1, 1, 2]), np.array([2.0, 3.0, 4.0]))
    assert_eq(x, b)
    np.negative.at(b, (slice(None), [0, 0]))
    np.negative.at(x, (slice(None), [0, 0]))
    assert_eq(x, b)


@example(np.zeros((0, 3)))
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=4)))
@settings(max_examples=15, deadline=None)
def test_fill_and_ellipsis(a):
    x = ox.asarray(a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.fill(2.0)
    assert_eq(x, np.full_like(a, 2.0))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fancy_setitem(data):
    a, chunks = data.draw(chunked_arrays(dtypes("iuf"), shapes(min_dims=1, max_dims=3, max_side=5)))
    key = data.draw(fancy_keys(a.shape))
    try:
        target = np.shape(a[key])
    except IndexError:
        target = ()
    vshape = data.draw(hnp.broadcastable_shapes(target, min_side=0, max_dims=len(target)) if target
                       else st.just(()))
    value = data.draw(hnp.arrays(a.dtype, vshape))
    same_assignment(a, ox.from_array(a, chunks=chunks), key, value)
