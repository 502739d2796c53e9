"""Set routines (unique and the Array API's unique_*, isin, intersect1d, union1d, setdiff1d,
setxor1d) against NumPy, and what each computes at the call."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.exceptions import AxisError

import oxarray as ox
from helpers import quiet
from oxarray.testing import assert_eq, chunkings, dtypes, shapes

SETTINGS = settings(max_examples=40, deadline=None)

POOLS = {
    "b": [False, True],
    "i": [0, 1, 2, -1, -3, 7],
    "u": [0, 1, 2, 3, 250],
    "f": [0.0, -0.0, 1.5, -2.0, np.nan, np.inf, 3.0],
    "c": [0, 1j, 1 + 1j, -2.0, 1 - 1j, 3j],
}


@st.composite
def dup_arrays(draw, kinds="biufc", min_dims=0, max_dims=2, min_side=0, nan=True):
    """(array with many repeated values, chunks)."""
    dt = draw(dtypes(kinds))
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=7))
    pool = [v for v in POOLS[dt.kind] if nan or not (isinstance(v, float) and np.isnan(v))]
    n = int(np.prod(shape, dtype=np.int64))
    vals = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    with quiet():
        a = np.array(vals, dtype=dt if dt.kind != "u" else np.int64).astype(dt).reshape(shape)
    return a, draw(chunkings(a.shape))


def compare(got, exp):
    if not isinstance(exp, tuple):
        got, exp = (got,), (exp,)
    assert isinstance(got, tuple) and len(got) == len(exp)
    for g, e in zip(got, exp, strict=True):
        assert_eq(g, e)


@SETTINGS
@given(dup_arrays(), st.booleans(), st.booleans(), st.booleans(), st.booleans())
@example((np.array([], dtype=float), ((0,),)), True, True, True, True)
@example((np.array(5, dtype=np.int8), ()), True, True, True, True)
@example((np.array([np.nan, 1.0, np.nan, -0.0, 0.0]), ((2, 3),)), True, True, True, True)
def test_unique_flags(case, ri, rv, rc, equal_nan):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    kw = dict(return_index=ri, return_inverse=rv, return_counts=rc, equal_nan=equal_nan)
    exp = np.unique(a, **kw)
    got = np.unique(x, **kw)
    nan_inverse = rv and not equal_nan and a.dtype.kind in "fc" and np.isnan(a).sum() > 1
    if nan_inverse:  # NumPy numbers each NaN apart in an unspecified order; check the round trip
        inv = got[1 + ri].compute()
        vals = got[0].compute()
        np.testing.assert_array_equal(vals[inv], a)
        got = tuple(g for i, g in enumerate(got) if i != 1 + ri)
        exp = tuple(e for i, e in enumerate(exp) if i != 1 + ri)
        if len(exp) == 1:
            got, exp = got[0], exp[0]
    if a.dtype.kind == "c" and np.isnan(a).any():
        return
    compare(got, exp)


@SETTINGS
@given(dup_arrays("biuf", min_dims=1, max_dims=3, min_side=1, nan=False), st.data())
def test_unique_axis(case, data):
    a, chunks = case
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    flags = data.draw(st.tuples(st.booleans(), st.booleans(), st.booleans()))
    x = ox.from_array(a, chunks=chunks)
    compare(np.unique(x, *flags, axis=axis), np.unique(a, *flags, axis=axis))


@pytest.mark.parametrize(("shape", "axis"), [((3, 0), 0), ((0, 3), 0), ((0, 3), 1), ((3, 0), 1),
                                             ((2, 0, 2), 0), ((2, 0, 2), -1)])
def test_unique_axis_empty_rows(shape, axis):
    a = np.zeros(shape, np.int64)
    x = ox.asarray(a)
    compare(np.unique(x, True, True, True, axis=axis), np.unique(a, True, True, True, axis=axis))


def test_unique_errors_and_sorted():
    x = ox.asarray(np.array([[1, 2], [1, 2]]))
    with pytest.raises(AxisError):
        np.unique(x, axis=2)
    with pytest.raises(AxisError):
        np.unique(ox.asarray(np.arange(3)), axis=1)
    assert_eq(np.unique(x, sorted=False), np.array([1, 2]))
    assert_eq(ox.unique(x, axis=0), np.unique(x.compute(), axis=0))


@SETTINGS
@given(dup_arrays("biufc"))
def test_array_api_unique(case):
    a, chunks = case
    x = ox.from_array(a, chunks=chunks)
    has_nan = a.dtype.kind in "fc" and bool(np.isnan(a).any())
    compare(tuple(np.unique_counts(x)), tuple(np.unique_counts(a)))
    compare(ox.unique_values(x), np.sort(np.unique_values(a)))
    if has_nan:
        v, inv = np.unique_inverse(x)
        np.testing.assert_array_equal(v.compute()[inv.compute()], a)
        return
    compare(tuple(np.unique_all(x)), tuple(np.unique_all(a)))
    compare(tuple(ox.unique_inverse(x)), tuple(np.unique_inverse(a)))
    assert type(np.unique_all(x)).__name__ == "UniqueAllResult"


@SETTINGS
@given(dup_arrays("biufc"), dup_arrays("biufc", max_dims=1), st.booleans(),
       st.sampled_from([None, "sort", "table", "bad"]))
def test_isin(case, test, invert, kind):
    (a, chunks), (t, _) = case, test
    x = ox.from_array(a, chunks=chunks)
    try:
        with quiet():
            exp = np.isin(a, t, invert=invert, kind=kind)
    except Exception as e:
        with pytest.raises(type(e)):
            np.isin(x, t, invert=invert, kind=kind)
        return
    assert_eq(np.isin(x, t, invert=invert, kind=kind), exp)
    assert_eq(np.isin(x, ox.asarray(t), invert=invert), exp)
    u = np.unique(t)
    assert_eq(ox.isin(x, u, assume_unique=True, invert=invert),
              np.isin(a, u, assume_unique=True, invert=invert))


@SETTINGS
@given(dup_arrays("biuf", max_dims=2), dup_arrays("biuf", max_dims=2), st.booleans())
def test_set_operations(case1, case2, assume_unique):
    (a, c1), (b, c2) = case1, case2
    x, y = ox.from_array(a, chunks=c1), ox.from_array(b, chunks=c2)
    if assume_unique:
        a, b = np.unique(a), np.unique(b)
        x, y = np.unique(x), np.unique(y)
    with quiet():
        compare(np.union1d(x, y), np.union1d(a, b))
        compare(np.intersect1d(x, y, assume_unique=assume_unique),
                np.intersect1d(a, b, assume_unique=assume_unique))
        compare(np.setdiff1d(x, y, assume_unique=assume_unique),
                np.setdiff1d(a, b, assume_unique=assume_unique))
        compare(np.setxor1d(x, y, assume_unique=assume_unique),
                np.setxor1d(a, b, assume_unique=assume_unique))
        if not (np.isnan(a).any() if a.dtype.kind == "f" else False):
            compare(np.intersect1d(x, y, return_indices=True),
                    np.intersect1d(a, b, return_indices=True))


def _kinds(a) -> dict[str, int]:
    plan = a.explain()
    return {k: int(n) for k, n in (line.split() for line in plan.splitlines()[1:] if line.startswith("  "))}


def test_what_is_computed_at_the_call():
    """``unique`` computes the distinct values (a literal now); with an inverse or counts the
    input is computed once and kept; those outputs stay lazy. ``isin`` computes nothing."""
    x = ox.random.default_rng(0).integers(0, 50, 1000, chunks=100)
    u = np.unique(x)
    assert u._node.is_literal and u.shape[0] <= 50
    u, inv, cnt = np.unique(x, return_inverse=True, return_counts=True)
    assert u._node.is_literal
    assert "random" not in _kinds(inv) and _kinds(inv)["set-lookup"] == 10
    assert _kinds(cnt)["tally"] == 10 and _kinds(cnt)["tally-combine"] >= 1
    a = x.compute()
    assert_eq(cnt, np.unique(a, return_counts=True)[1])
    m = np.isin(x, [1, 2, 3])
    assert "random" in _kinds(m) and not m._node.is_literal
    assert_eq(m, np.isin(a, [1, 2, 3]))


def test_unique_large_dense_and_hashed():
    rng = np.random.default_rng(3)
    for a in (rng.integers(0, 1000, 200_000), rng.integers(-2**62, 2**62, 50_000),
              rng.standard_normal(30_000).round(2)):
        x = ox.asarray(a, chunks=17_000)
        compare(np.unique(x, return_index=True, return_counts=True),
                np.unique(a, return_index=True, return_counts=True))
