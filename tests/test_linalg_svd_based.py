"""np.linalg.pinv / matrix_rank / lstsq (built on the SVD) against numpy.linalg: random,
rank-deficient and ill-conditioned matrices, every chunking and field dtype; the pseudo-inverse and
the minimum-norm least-squares solution are unique, so they are compared entry by entry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_linalg_decomp import FIELDS, eps, matrix

import oxarray as ox
from oxarray.testing import chunkings

DTYPES = [*FIELDS, np.int64]


@st.composite
def cases(draw, max_m=30, max_n=8):
    m = draw(st.integers(1, max_m), label="m")
    n = draw(st.integers(1, max_n), label="n")
    dtype = np.dtype(draw(st.sampled_from(DTYPES), label="dtype"))
    kind = draw(st.sampled_from(["random", "rank-deficient"]), label="kind")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    if dtype.kind == "i":
        a = rng.integers(-5, 6, (m, n)).astype(dtype)
    else:
        a = matrix(rng, m, n, dtype, kind)
    chunks = draw(chunkings((m, n)), label="chunks")
    return a, chunks, rng


def tolerance(a, scale=1.0):
    dt = np.result_type(a.dtype, np.float64) if a.dtype.kind in "iu" else a.dtype
    return 1000 * max(a.shape) * eps(dt) * scale


@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_pinv_matches_numpy(case):
    a, chunks, _ = case
    got = np.linalg.pinv(ox.asarray(a, chunks=chunks))
    expected = np.linalg.pinv(a)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got.compute(), expected, atol=tolerance(a, scale ** 2), rtol=0)


@settings(max_examples=40, deadline=None)
@given(case=cases())
def test_matrix_rank_matches_numpy(case):
    a, chunks, _ = case
    got = np.linalg.matrix_rank(ox.asarray(a, chunks=chunks))
    assert got.shape == () and got.dtype == np.int64
    assert int(got) == np.linalg.matrix_rank(a)


@settings(max_examples=40, deadline=None)
@given(case=cases(), rhs=st.sampled_from([None, 1, 3]))
def test_lstsq_matches_numpy(case, rhs):
    a, chunks, rng = case
    m = a.shape[0]
    b = rng.standard_normal((m,) if rhs is None else (m, rhs)).astype(
        np.float64 if a.dtype.kind == "i" else a.real.dtype)
    x, res, rank, s = np.linalg.lstsq(ox.asarray(a, chunks=chunks), b)
    ex, eres, erank, es = np.linalg.lstsq(a, b)
    assert x.shape == ex.shape and x.dtype == ex.dtype
    assert s.shape == es.shape and s.dtype == es.dtype and res.dtype == eres.dtype
    assert int(rank) == erank and rank.dtype == np.asarray(erank).dtype
    scale = max(1.0, float(np.abs(ex).max()))
    np.testing.assert_allclose(x.compute(), ex, atol=tolerance(a, scale * 10), rtol=0)
    np.testing.assert_allclose(s.compute(), es, atol=tolerance(a, float(es.max(initial=1))),
                               rtol=0)
    if erank == a.shape[1]:
        # Residuals exist exactly when NumPy reports them (full rank, m > n).
        assert res.shape == eres.shape
        np.testing.assert_allclose(res.compute(), eres, atol=tolerance(a, float(eres.max(
            initial=1))), rtol=1e-4)


def test_ill_conditioned_lstsq_by_residual():
    rng = np.random.default_rng(3)
    a = matrix(rng, 60, 6, np.float64, "ill-conditioned")
    b = rng.standard_normal(60)
    x = np.linalg.lstsq(ox.asarray(a, chunks=(20, 6)), b)[0].compute()
    ex = np.linalg.lstsq(a, b)[0]
    # Both minimize |a x - b|: their residual norms agree though x itself is poorly determined.
    assert np.linalg.norm(a @ x - b) == pytest.approx(np.linalg.norm(a @ ex - b), rel=1e-8)


def test_rank_deficient_lstsq_residuals_are_computed_not_dropped():
    # NumPy returns empty residuals when the rank is below n, which only the values tell; a lazy
    # result needs its shape first, so oxarray (like Dask) returns them. Documented difference.
    a = np.ones((5, 2))
    res = np.linalg.lstsq(ox.asarray(a), np.arange(5.0))[1]
    assert res.shape == (1,) and np.linalg.lstsq(a, np.arange(5.0))[1].shape == (0,)
    np.testing.assert_allclose(res.compute(), [10.0])


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
def test_empty_inputs(shape):
    a = np.zeros(shape)
    got, expected = np.linalg.pinv(ox.asarray(a)), np.linalg.pinv(a)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert int(np.linalg.matrix_rank(ox.asarray(a))) == np.linalg.matrix_rank(a)
    b = np.ones(shape[0])
    for g, e in zip(np.linalg.lstsq(ox.asarray(a), b), np.linalg.lstsq(a, b), strict=True):
        np.testing.assert_array_equal(np.asarray(g), e)


def test_pinv_rtol_and_rcond_as_numpy():
    a = np.diag([1.0, 1e-3, 1e-9])
    x = ox.asarray(a)
    for kw in ({}, {"rcond": 1e-4}, {"rtol": 1e-2}, {"rtol": None}):
        np.testing.assert_allclose(np.linalg.pinv(x, **kw).compute(), np.linalg.pinv(a, **kw))
    with pytest.raises(ValueError, match="can't be both set"):
        np.linalg.pinv(x, rcond=1e-3, rtol=1e-3)


def test_matrix_rank_tol_and_small_inputs():
    a = np.diag([1.0, 1e-3, 1e-9])
    for kw in ({"tol": 1e-4}, {"rtol": 1e-2}):
        assert int(np.linalg.matrix_rank(ox.asarray(a), **kw)) == np.linalg.matrix_rank(a, **kw)
    for v in (np.zeros(3), np.array([0.0, 2.0]), np.float64(0.0)):
        assert int(np.linalg.matrix_rank(ox.asarray(v))) == np.linalg.matrix_rank(v)


def test_errors_as_numpy():
    with pytest.raises(np.linalg.LinAlgError, match="Incompatible dimensions"):
        np.linalg.lstsq(ox.asarray(np.ones((4, 2))), np.ones(3))
    with pytest.raises(np.linalg.LinAlgError, match="must be two-dimensional"):
        np.linalg.lstsq(ox.asarray(np.ones((2, 4, 2))), np.ones(4))
    with pytest.raises(np.linalg.LinAlgError, match="at least two-dimensional"):
        np.linalg.pinv(ox.asarray(np.ones(3)))


@settings(max_examples=20, deadline=None)
@given(batch=st.integers(0, 3), m=st.integers(1, 6), n=st.integers(1, 6),
       dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_stacked_pinv_and_matrix_rank(batch, m, n, dtype, seed, data):
    rng = np.random.default_rng(seed)
    a = np.stack([matrix(rng, m, n, np.float64 if np.dtype(dtype).kind == "i" else dtype,
                         data.draw(st.sampled_from(["random", "rank-deficient"])))
                  for _ in range(batch)]) if batch else np.zeros((0, m, n), dtype)
    a = a.astype(dtype) if np.dtype(dtype).kind != "i" else np.round(a * 3).astype(dtype)
    x = ox.asarray(a, chunks=data.draw(chunkings(a.shape)))
    got, expected = np.linalg.pinv(x), np.linalg.pinv(a)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    scale = max(1.0, float(np.abs(expected).max(initial=0)))
    np.testing.assert_allclose(got.compute(), expected, atol=tolerance(a, scale ** 2), rtol=0)
    np.testing.assert_array_equal(np.linalg.matrix_rank(x).compute(), np.linalg.matrix_rank(a))
