"""packbits / unpackbits against NumPy: every keyword, chunkings not multiples of 8, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential, public_type
from oxarray.testing import assert_eq, chunkings, shapes

SETTINGS = settings(max_examples=40, deadline=None)
PACKABLE = [np.bool_, np.int8, np.int64, np.uint8, np.uint32]


@st.composite
def pack_cases(draw, dtype=None):
    shape = draw(shapes(min_dims=0, max_dims=3, max_side=19))
    dt = np.dtype(draw(st.sampled_from(PACKABLE)) if dtype is None else dtype)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if dt == np.bool_:
        a = rng.random(shape) < 0.5
    else:
        a = (rng.integers(-2, 3, shape) * (rng.random(shape) < 0.5)).astype(dt)
    chunks = draw(chunkings(a.shape))
    ndim = max(a.ndim, 1)
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))
    bitorder = draw(st.sampled_from(["big", "little"]))
    return a, chunks, axis, bitorder


@given(pack_cases())
@example((np.arange(20) % 3 == 0, ((3, 5, 12),), 0, "big"))
@example((np.ones((2, 0, 3), np.int8), ((1, 1), (0,), (2, 1)), 1, "little"))
@example((np.array(5, np.int64), (), None, "big"))
@example((np.array(True), (), 0, "little"))
@SETTINGS
def test_packbits_matches_numpy(case):
    a, chunks, axis, bitorder = case
    x = ox.asarray(a, chunks=chunks)
    differential(lambda: np.packbits(a, axis=axis, bitorder=bitorder),
                 lambda: np.packbits(x, axis=axis, bitorder=bitorder))


@given(pack_cases(np.uint8), st.one_of(st.none(), st.integers(-40, 40)))
@example((np.array([3, 255, 0, 128], np.uint8), ((1, 3),), None, "big"), -20)
@example((np.array(7, np.uint8), (), 0, "little"), 11)
@SETTINGS
def test_unpackbits_matches_numpy(case, count):
    a, chunks, axis, bitorder = case
    a = a.astype(np.uint8) * 37  # all bit patterns, not only 0/1/254
    x = ox.asarray(a, chunks=chunks)
    n = a.size if axis is None else (a.shape[axis] if a.ndim else 1)
    if n == 0 and count is not None and count > 0:
        # NumPy pads an empty input with uninitialized bytes; oxarray with zeros.
        out = np.unpackbits(x, axis=axis, count=count, bitorder=bitorder)
        assert out.shape == np.unpackbits(a, axis=axis, count=count, bitorder=bitorder).shape
        assert not out.compute().any()
        return
    differential(lambda: np.unpackbits(a, axis=axis, count=count, bitorder=bitorder),
                 lambda: np.unpackbits(x, axis=axis, count=count, bitorder=bitorder))


def test_round_trip_over_chunk_boundaries():
    a = np.random.default_rng(0).random((37, 13)) < 0.3
    x = ox.asarray(a, chunks=(5, 4))
    p = np.packbits(x, axis=0)
    assert p.chunks[0] == (1, 1, 1, 1, 1)  # rechunked to blocks of 8 rows: one byte each
    u = np.unpackbits(p, axis=0, count=37)
    assert_eq(u, a.astype(np.uint8))
    assert_eq(np.packbits(x, axis=1, bitorder="little"), np.packbits(a, axis=1, bitorder="little"))


def test_aligned_chunks_are_not_rechunked():
    x = ox.asarray(np.ones(64, bool), chunks=16)
    p = np.packbits(x)
    assert p.chunks == ((2, 2, 2, 2),)
    assert_eq(p, np.packbits(np.ones(64, bool)))


@pytest.mark.parametrize("call", [
    lambda m, a: m.packbits(a.astype(float)),
    lambda m, a: m.packbits(a.astype(complex)),
    lambda m, a: m.packbits(a, bitorder="Little"),
    lambda m, a: m.packbits(a, bitorder="lit"),
    lambda m, a: m.packbits(a, bitorder=None),
    lambda m, a: m.packbits(a, axis=2),
    lambda m, a: m.packbits(a, axis=1.0),
    lambda m, a: m.packbits(a, axis=True),
    lambda m, a: m.unpackbits(a.astype(np.int8)),
    lambda m, a: m.unpackbits(a.astype(bool)),
    lambda m, a: m.unpackbits(a.astype(np.uint8), bitorder="x"),
    lambda m, a: m.unpackbits(a.astype(np.uint8), bitorder=""),
    lambda m, a: m.unpackbits(a.astype(np.uint8), bitorder="B"),
    lambda m, a: m.unpackbits(a.astype(np.uint8), bitorder="L"),
    lambda m, a: m.unpackbits(a.astype(np.uint8), count=2.0),
    lambda m, a: m.unpackbits(a.astype(np.uint8), count=True),
    lambda m, a: m.unpackbits(a.astype(np.uint8), axis=0, count=-17),
    lambda m, a: m.unpackbits(a.astype(np.uint8), axis=-3),
])
def test_errors_like_numpy(call):
    a = np.array([[3, 0], [1, 255]], np.uint8)
    with pytest.raises(Exception) as info:
        call(np, a)
    with pytest.raises(public_type(info.value)):
        call(np, ox.asarray(a))


@pytest.mark.parametrize("order", ["bx", "lit", "big", "little"])
def test_unpackbits_reads_the_first_letter_as_numpy(order):
    a = np.array([3, 200], np.uint8)
    assert_eq(np.unpackbits(ox.asarray(a), bitorder=order), np.unpackbits(a, bitorder=order))


def test_lists_and_scalars_are_accepted():
    assert_eq(ox.packbits([True, False, True]), np.packbits([True, False, True]))
    assert_eq(ox.unpackbits(ox.asarray(np.uint8(9))), np.unpackbits(np.uint8(9)))
