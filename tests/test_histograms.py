"""Counting and binning (bincount, digitize, histogram, histogram_bin_edges, histogram2d,
histogramdd) against NumPy, and what each computes at the call."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential, quiet
from oxarray.testing import assert_eq, chunkings

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def values(draw, dtype=None, n_max=12, nan=True):
    dt = draw(st.sampled_from([np.int8, np.int32, np.int64, np.uint16, np.float32, np.float64])
              if dtype is None else st.just(dtype))
    dt = np.dtype(dt)
    pool = [0, 1, 2, 3, 5, 9] if dt.kind in "iu" else [0.0, -0.0, 0.5, 1.0, 2.5, 3.0, -1.5, 9.0]
    if nan and dt.kind == "f":
        pool.append(np.nan)
    n = draw(st.integers(0, n_max))
    a = np.array(draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))).astype(dt)
    return a, draw(chunkings(a.shape))


@SETTINGS
@given(values(nan=False), st.integers(0, 12), st.booleans())
@example((np.array([], np.int64), ((0,),)), 0, False)
def test_bincount(case, minlength, weighted):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    w = np.linspace(-1, 2, a.size)
    if weighted:
        differential(lambda: np.bincount(a, w, minlength), lambda: np.bincount(x, w, minlength))
    else:
        differential(lambda: np.bincount(a, minlength=minlength),
                     lambda: np.bincount(x, minlength=minlength))


def test_bincount_errors():
    for a in (np.array([1, -1]), np.array([[1]]), np.array(3), np.array([1.0]),
              np.array([1], np.uint64)):
        differential(lambda a=a: np.bincount(a), lambda a=a: np.bincount(ox.asarray(a)))
    differential(lambda: np.bincount([1], minlength=-1),
                 lambda: np.bincount(ox.asarray([1]), minlength=-1))
    differential(lambda: np.bincount([1, 2], [1.0]),
                 lambda: np.bincount(ox.asarray([1, 2]), [1.0]))


@SETTINGS
@given(values(), st.sampled_from([[0.0, 1.0, 2.5], [3, 2, 0], [0.5], [], [1, 1, 2], [2, 0, 1]]),
       st.booleans())
def test_digitize(case, bins, right):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    b = np.array(bins)
    differential(lambda: np.digitize(a, b, right), lambda: np.digitize(x, b, right))
    if b.size > 1 and np.all(np.diff(b) >= 0):
        differential(lambda: np.digitize(a, b, right),
                     lambda: np.digitize(x, ox.asarray(b), right))


@SETTINGS
@given(values(), st.sampled_from([1, 3, 10, [0, 1, 2.5, 9], [1, 0], "auto", "fd", "sturges",
                                  "sqrt", "rice", "scott", "doane", "stone", "bad"]),
       st.sampled_from([None, (0, 3), (1.0, 1.0), (2, 1)]), st.booleans(), st.booleans())
@example((np.array([1.0, np.nan]), ((2,),)), 3, None, False, False)
def test_histogram(case, bins, rng, density, weighted):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    w = np.linspace(0.5, 2, a.size) if weighted else None

    def run(mod, arr):
        n, e = mod.histogram(arr, bins=bins, range=rng, density=density, weights=w)
        return n, e

    try:
        with quiet():
            exp = run(np, a)
    except Exception as exc:
        with pytest.raises(type(exc)):
            with quiet():
                run(np, x)
        return
    with quiet():
        got = run(np, x)
    assert_eq(got[0], exp[0], rtol=1e-6 if a.dtype == np.float32 else None)
    assert_eq(got[1], exp[1])
    with quiet():
        assert_eq(np.histogram_bin_edges(x, bins, rng), np.histogram_bin_edges(a, bins, rng))


@SETTINGS
@given(values(np.float64, nan=False), st.sampled_from([2, [1, 3], [[0, 1, 3], 2], [0, 1, 2]]),
       st.sampled_from([None, [(0, 3), (1, 2)]]), st.booleans(), st.booleans())
def test_histogram2d_dd(case, bins, rng, density, weighted):
    a, chunks = case
    b = a[::-1] * 2
    x, y = ox.from_array(a, chunks=chunks), ox.asarray(b)
    w = np.linspace(0.5, 2, a.size) if weighted else None
    try:
        with quiet():
            exp = np.histogram2d(a, b, bins, rng, density, w)
    except Exception as exc:
        with pytest.raises(type(exc)):
            with quiet():
                np.histogram2d(x, y, bins, rng, density, w)
        return
    with quiet():
        got = np.histogram2d(x, y, bins, rng, density, w)
    for g, e in zip(got, exp, strict=True):
        assert_eq(g, e)
    s = np.stack([a, b, a], axis=1)
    with quiet():
        h, edges = np.histogramdd(ox.asarray(s, chunks=(3, 3)), bins=3, weights=w)
        he, ee = np.histogramdd(s, bins=3, weights=w)
    assert_eq(h, he)
    for g, e in zip(edges, ee, strict=True):
        assert_eq(g, e)


def _kinds(a) -> dict[str, int]:
    plan = a.explain()
    return {k: int(n) for k, n in (line.split() for line in plan.splitlines()[1:] if line.startswith("  "))}


def test_what_is_computed_at_the_call():
    """With a given range (or edges) histogram computes nothing at the call; the counts are a
    lazy tree of per-chunk tallies over the lazy source."""
    x = ox.random.default_rng(0).random(1000, chunks=100)
    n, e = np.histogram(x, bins=5, range=(0, 1))
    assert _kinds(n)["random"] == 10 and _kinds(n)["tally"] == 10
    n2, _ = np.histogram(x, bins=5)  # min/max computed at the call, counts still lazy
    assert _kinds(n2)["random"] == 10
    d = np.digitize(x, [0.2, 0.5])
    assert _kinds(d)["random"] == 10
    c = np.bincount((x * 10).astype(np.int64))  # its max is computed at the call
    assert _kinds(c)["random"] == 10
    a = x.compute()
    assert_eq(n, np.histogram(a, bins=5, range=(0, 1))[0])
    assert_eq(c, np.bincount((a * 10).astype(np.int64)))
