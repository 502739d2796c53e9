"""tri/tril/triu, diag/diagflat, meshgrid, indices against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import arrays, assert_eq, chunkings, dtypes, shapes


@given(n=st.integers(0, 6), m=st.integers(0, 6) | st.none(), k=st.integers(-7, 7),
       dtype=dtypes())
def test_tri(n, m, k, dtype):
    assert_eq(ox.tri(n, m, k, dtype=dtype), np.tri(n, m, k, dtype=dtype))


@given(data=st.data(), k=st.integers(-6, 6))
def test_tril_triu(data, k):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=5))
    a = data.draw(arrays(data.draw(dtypes()), shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    differential(lambda: np.tril(a, k), lambda: np.tril(x, k))
    differential(lambda: np.triu(a, k), lambda: np.triu(x, k))


@given(data=st.data(), k=st.integers(-6, 6))
def test_diag_diagflat(data, k):
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=5))
    a = data.draw(arrays(data.draw(dtypes()), shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    differential(lambda: np.diag(a, k), lambda: np.diag(x, k))
    differential(lambda: np.diagflat(a, k), lambda: np.diagflat(x, k))


@given(data=st.data())
def test_meshgrid(data):
    n = data.draw(st.integers(0, 3))
    xs = [data.draw(arrays(data.draw(dtypes()), data.draw(shapes(max_dims=2, max_side=4))))
          for _ in range(n)]
    oxs = [ox.asarray(v, chunks=2) for v in xs]
    for kw in ({}, {"indexing": "ij"}, {"sparse": True}, {"sparse": True, "indexing": "xy"}):
        want = np.meshgrid(*xs, **kw)
        got = np.meshgrid(*oxs, **kw) if oxs else ox.meshgrid(**kw)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_eq(g, w)
    if oxs:
        with pytest.raises(ValueError):
            np.meshgrid(*oxs, indexing="yx")


@given(dims=st.lists(st.integers(0, 4), max_size=3), sparse=st.booleans(),
       dtype=st.sampled_from(["int64", "int32", "float64"]))
def test_indices(dims, sparse, dtype):
    want = np.indices(dims, dtype=dtype, sparse=sparse)
    got = ox.indices(dims, dtype=dtype, sparse=sparse)
    if sparse:
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_eq(g, w)
    else:
        assert_eq(got, want)
