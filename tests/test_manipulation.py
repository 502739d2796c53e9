"""Shape manipulation (reshape, transpose, moveaxis, broadcast_to, expand_dims, squeeze,
concatenate, stack, rechunk, astype) against NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import differential, quiet
from oxarray.testing import arrays, assert_eq, chunked_arrays, chunkings, dtypes, shapes


def prime_factors(n):
    out, p = [], 2
    while n > 1 and p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


@st.composite
def reshape_target(draw, shape):
    """A shape with the same number of elements, maybe with one -1."""
    size = math.prod(shape)
    ndim = draw(st.integers(0 if size == 1 else 1, 4))
    if size == 0:
        new = [draw(st.integers(0, 4)) for _ in range(ndim)]
        new[draw(st.integers(0, ndim - 1))] = 0
        return tuple(new)
    new = [1] * ndim
    for f in prime_factors(size):
        new[draw(st.integers(0, ndim - 1))] *= f
    if ndim and draw(st.booleans()):
        new[draw(st.integers(0, ndim - 1))] = -1
    return tuple(new)


@given(st.data())
def test_reshape(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(max_dims=4, max_side=6)))
    new = data.draw(reshape_target(a.shape))
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.reshape(a, new), lambda: np.reshape(x, new))
    differential(lambda: a.reshape(new), lambda: x.reshape(new))
    if new:
        differential(lambda: a.reshape(*new), lambda: x.reshape(*new))


@pytest.mark.parametrize(
    "shape, chunks, new",
    [((4, 6), (3, 4), (24,)), ((4, 6), (3, 4), (6, 4)), ((24,), 5, (2, 3, 4)), ((2, 3, 4), 1, (4, 6)),
     ((6, 1, 4), (4, 1, 3), (3, 2, 2, 2)), ((), (), (1, 1)), ((1, 1), 1, ()), ((0, 3), 2, (3, 0)),
     ((5, 7), (2, 3), (-1,)), ((5, 7), (2, 3), (7, -1))],
)
def test_reshape_cases(shape, chunks, new):
    a = np.arange(math.prod(shape), dtype="float32").reshape(shape)
    x = ox.asarray(a, chunks=chunks)
    assert_eq(np.reshape(x, new), np.reshape(a, new))


@given(st.data())
def test_transpose(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(max_dims=4, max_side=5)))
    x = ox.from_array(a, chunks=chunks)
    perm = data.draw(st.permutations(range(a.ndim)))
    perm = [p - a.ndim if data.draw(st.booleans()) else p for p in perm]
    differential(lambda: np.transpose(a, perm), lambda: np.transpose(x, perm))
    differential(lambda: np.transpose(a), lambda: np.transpose(x))
    differential(lambda: a.T, lambda: x.T)
    differential(lambda: np.transpose(a, perm), lambda: x.transpose(perm))
    t = np.transpose(x, perm)
    assert t.chunks == tuple(chunks[p] for p in perm)  # no rechunk needed for a transpose


@given(st.data())
def test_moveaxis(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(min_dims=1, max_dims=4, max_side=4)))
    x = ox.from_array(a, chunks=chunks)
    n = data.draw(st.integers(1, a.ndim))
    src = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=n, max_size=n,
                             unique_by=lambda v: v % a.ndim))
    dst = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=n, max_size=n,
                             unique_by=lambda v: v % a.ndim))
    differential(lambda: np.moveaxis(a, src, dst), lambda: np.moveaxis(x, src, dst))
    differential(lambda: np.moveaxis(a, src[0], dst[0]), lambda: np.moveaxis(x, src[0], dst[0]))


@st.composite
def broadcast_target(draw, shape):
    extra = draw(st.lists(st.integers(0, 3), max_size=2))
    body = [draw(st.integers(0, 3)) if n == 1 else n for n in shape]
    return (*extra, *body)


@given(st.data())
def test_broadcast_to(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(max_dims=3, max_side=3)))
    x = ox.from_array(a, chunks=chunks)
    target = data.draw(broadcast_target(a.shape))
    differential(lambda: np.broadcast_to(a, target), lambda: np.broadcast_to(x, target))


@given(st.data())
def test_expand_dims(data):
    a, chunks = data.draw(chunked_arrays(dtypes(), shapes(max_dims=3, max_side=4)))
    x = ox.from_array(a, chunks=chunks)
    n_new = data.draw(st.integers(1, 3))
    out_ndim = a.ndim + n_new
    ax = data.draw(st.lists(st.integers(-out_ndim, out_ndim - 1), min_size=n_new,
                            max_size=n_new, unique_by=lambda v: v % out_ndim))
    axis = ax[0] if len(ax) == 1 and data.draw(st.booleans()) else tuple(ax)
    differential(lambda: np.expand_dims(a, axis), lambda: np.expand_dims(x, axis))


@given(st.data())
def test_squeeze(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    a, chunks = data.draw(chunked_arrays(dtypes(), shape))
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.squeeze(a), lambda: np.squeeze(x))
    ones = [i for i, n in enumerate(shape) if n == 1]
    sub = data.draw(st.lists(st.sampled_from(ones), unique=True)) if ones else []
    axis = tuple(i - a.ndim if data.draw(st.booleans()) else i for i in sub)
    differential(lambda: np.squeeze(a, axis=axis), lambda: np.squeeze(x, axis=axis))
    differential(lambda: a.squeeze(axis=axis), lambda: x.squeeze(axis=axis))


def test_squeeze_non_unit_axis_raises():
    x = ox.ones((1, 3, 1), chunks=2)
    with pytest.raises(ValueError):
        np.squeeze(x, axis=1)
    assert_eq(np.squeeze(x, axis=-1), np.ones((1, 3)))


@st.composite
def concat_inputs(draw, same_shape=False):
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=4))
    ndim = len(shape)
    axis = draw(st.integers(-ndim, ndim - 1))
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        s = list(shape)
        if not same_shape:
            s[axis] = draw(st.integers(0, 4))
        parts.append(draw(arrays(draw(dtypes()), tuple(s))))
    chunks = [draw(chunkings(p.shape)) for p in parts]
    return parts, chunks, axis


@given(concat_inputs())
def test_concatenate(args):
    parts, chunks, axis = args
    xs = [ox.from_array(p, chunks=c) for p, c in zip(parts, chunks, strict=True)]
    differential(lambda: np.concatenate(parts, axis=axis), lambda: np.concatenate(xs, axis=axis))
    differential(lambda: np.concatenate(parts, axis=None), lambda: np.concatenate(xs, axis=None))
    differential(lambda: np.concatenate(parts, axis=axis), lambda: ox.concatenate(xs, axis=axis))


def test_concatenate_mixed_with_numpy_and_default_axis():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((1, 3), "int8")
    r = np.concatenate([ox.asarray(a, chunks=1), b])
    assert isinstance(r, ox.Array)
    assert_eq(r, np.concatenate([a, b]))
    assert_eq(np.concatenate((ox.asarray(a),)), a)


@given(concat_inputs(same_shape=True), st.data())
def test_stack(args, data):
    parts, chunks, _ = args
    ndim = parts[0].ndim + 1
    axis = data.draw(st.integers(-ndim, ndim - 1))
    xs = [ox.from_array(p, chunks=c) for p, c in zip(parts, chunks, strict=True)]
    differential(lambda: np.stack(parts, axis=axis), lambda: np.stack(xs, axis=axis))
    differential(lambda: np.stack(parts), lambda: ox.stack(xs))


@given(chunked_arrays(dtypes(), shapes(max_dims=3, max_side=7)), st.data())
@example((np.arange(10.0), ((3, 3, 3, 1),)), None)
def test_rechunk(arg, data):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    if data is None:
        new = ((5, 5),)
    else:
        new = data.draw(chunkings(a.shape))
    y = x.rechunk(new)
    assert y.chunks == new
    assert_eq(y, a)
    assert_eq(y.rechunk(-1), a)
    assert y.rechunk(-1).numblocks == (1,) * a.ndim


def test_rechunk_spellings():
    a = np.arange(60).reshape(6, 10)
    x = ox.asarray(a, chunks=(2, 3))
    assert x.rechunk(4).chunks == ((4, 2), (4, 4, 2))
    assert x.rechunk((None, 5)).chunks == ((6,), (5, 5))
    assert x.rechunk((-1, (1, 9))).chunks == ((6,), (1, 9))
    assert_eq(x.rechunk("auto"), a)


# ----------------------------------------------------------------------------------- astype


@given(st.data())
def test_astype_representable_values(data):
    src, dst = data.draw(dtypes()), data.draw(dtypes())
    shape = data.draw(shapes(max_dims=3, max_side=5))
    # Values every dtype holds exactly: casting them is defined, whatever the direction.
    a = data.draw(arrays("int64", shape, elements=st.integers(0, 100))).astype(src)
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    with quiet():
        expected = a.astype(dst)
    assert_eq(x.astype(dst), expected)
    assert_eq(np.astype(x, dst), expected)


@pytest.mark.parametrize(
    "values, src, dst",
    [([300, -1, 2**40, -129], "int64", "int8"), ([300, -1, 2**40], "int64", "uint16"),
     ([2**64 - 1, 2**63], "uint64", "int64"), ([-1, -128], "int8", "uint64"),
     ([1e39, -1e39, 1e-46, np.nan, -np.inf], "float64", "float32"),
     ([1.5 + 2j, -3 - 1j], "complex128", "float64"), ([1.5 + 2j, np.nan], "complex128", "complex64"),
     ([0.0, -0.0, 0.1, np.nan, -np.inf], "float64", "bool"), ([0, 5, -1], "int32", "bool"),
     ([1 + 0j, 0j, 1j], "complex64", "bool"), ([2.9, -2.9, 127.5, -128.5], "float64", "int8"),
     ([2**53 + 1, -(2**63)], "int64", "float64"), ([16777217], "int32", "float32"),
     ([True, False], "bool", "complex64")],
    ids=repr,
)
def test_astype_edge_values(values, src, dst):
    with quiet():
        a = np.array(values).astype(src)
    x = ox.asarray(a, chunks=1)
    differential(lambda: a.astype(dst), lambda: x.astype(dst))


def test_astype_keeps_chunks():
    x = ox.asarray(np.arange(10), chunks=3)
    assert x.astype("float32").chunks == x.chunks
