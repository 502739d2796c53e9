"""np.linalg.svd / qr and ox.linalg.svd_compressed against numpy.linalg: singular values equal
NumPy's; factors are checked by reconstruction, orthonormality and subspaces (singular vectors are
free up to sign/phase and rotation within repeated singular values), never raw entries."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from oxarray import _core
from oxarray.testing import chunkings

FIELDS = [np.float32, np.float64, np.complex64, np.complex128]


def eps(dtype) -> float:
    return float(np.finfo(np.dtype(dtype)).eps)


def matrix(rng, m, n, dtype, kind="random"):
    """A test matrix: random, rank-deficient (rank <= 2), or ill-conditioned (cond ~ 1e6)."""
    dtype = np.dtype(dtype)

    def draw(*shape):
        z = rng.standard_normal(shape)
        return z + 1j * rng.standard_normal(shape) if dtype.kind == "c" else z

    a = draw(m, n)
    if kind == "rank-deficient":
        r = min(2, m, n)
        a = draw(m, r) @ draw(r, n)
    elif kind == "ill-conditioned":
        a = a * np.logspace(0, -6, n)
    return a.astype(dtype)


def check_orthonormal_columns(q, tol):
    k = q.shape[1]
    np.testing.assert_allclose(q.conj().T @ q, np.eye(k), atol=tol)


def check_svd(a, u, s, vh, scale):
    dt = a.dtype
    tol = 200 * max(a.shape) * eps(dt) * scale
    s_np = np.linalg.svd(a, compute_uv=False)
    assert s.dtype == s_np.dtype and u.dtype == dt and vh.dtype == dt
    np.testing.assert_allclose(s, s_np, atol=tol, rtol=0)
    np.testing.assert_allclose((u * s) @ vh, a, atol=tol, rtol=0)
    check_orthonormal_columns(u, 200 * max(a.shape) * eps(dt))
    check_orthonormal_columns(vh.conj().T, 200 * max(a.shape) * eps(dt))


@st.composite
def svd_cases(draw):
    m = draw(st.integers(1, 40), label="m")
    n = draw(st.integers(1, 12), label="n")
    tall = m >= n
    chunks = draw(chunkings((m, n)))
    # TSQR wants one chunk along the short side; half of the cases also exercise the rechunk.
    if draw(st.booleans()):
        chunks = (chunks[0], (n,)) if tall else ((m,), chunks[1])
    dtype = draw(st.sampled_from(FIELDS), label="dtype")
    kind = draw(st.sampled_from(["random", "rank-deficient", "ill-conditioned"]), label="kind")
    seed = draw(st.integers(0, 2**16), label="seed")
    return m, n, chunks, dtype, kind, seed


@given(svd_cases())
@example((7, 3, ((2, 2, 3), (3,)), np.float64, "random", 0))
@example((3, 8, ((3,), (3, 5)), np.complex128, "random", 1))
@example((9, 4, ((9,), (4,)), np.float32, "rank-deficient", 2))
def test_svd_matches_numpy(case):
    m, n, chunks, dtype, kind, seed = case
    a = matrix(np.random.default_rng(seed), m, n, dtype, kind)
    x = ox.asarray(a, chunks=chunks)
    u, s, vh = np.linalg.svd(x)
    k = min(m, n)
    assert (u.shape, s.shape, vh.shape) == ((m, k), (k,), (k, n))
    U, S, VH = ox.compute(u, s, vh)
    check_svd(a, U, S, VH, float(np.abs(a).max()) * k)
    s_only = np.linalg.svd(x, compute_uv=False)
    assert isinstance(s_only, ox.Array)
    np.testing.assert_allclose(s_only.compute(), S, atol=100 * k * eps(dtype) * S.max(initial=1))


def test_singular_vectors_span_numpys_subspaces():
    rng = np.random.default_rng(5)
    # Well separated singular values: each singular vector is unique up to sign.
    q1, _ = np.linalg.qr(rng.standard_normal((60, 5)))
    q2, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    a = (q1 * np.array([10.0, 5.0, 2.0, 1.0, 0.5])) @ q2
    u, s, vh = ox.compute(*np.linalg.svd(ox.asarray(a, chunks=(7, 5))))
    un, sn, vhn = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(np.abs(np.sum(u.conj() * un, axis=0)), 1, atol=1e-10)
    np.testing.assert_allclose(np.abs(np.sum(vh.conj() * vhn, axis=1)), 1, atol=1e-10)


@pytest.mark.parametrize("shape,chunks", [((12, 4), (5, 4)), ((4, 12), (4, 5)), ((5, 5), (2, 5))])
def test_full_matrices_true_gives_numpys_complete_factors(shape, chunks):
    a = matrix(np.random.default_rng(3), *shape, np.float64)
    u, s, vh = np.linalg.svd(ox.asarray(a, chunks=chunks), full_matrices=True)
    un, sn, vhn = np.linalg.svd(a, full_matrices=True)
    assert (u.shape, s.shape, vh.shape) == (un.shape, sn.shape, vhn.shape)
    U, S, VH = ox.compute(u, s, vh)
    np.testing.assert_allclose(S, sn, atol=1e-12)
    check_orthonormal_columns(U, 1e-12)
    check_orthonormal_columns(VH, 1e-12)
    k = min(shape)
    np.testing.assert_allclose((U[:, :k] * S) @ VH[:k], a, atol=1e-12)


def test_full_matrices_over_the_budget_raises():
    x = ox.asarray(np.ones((100, 2)), chunks=(10, 2))
    with ox.config.set(linalg_block_bytes=1000), pytest.raises(ValueError, match="full_matrices=False"):
        np.linalg.svd(x, full_matrices=True)


def test_both_axes_chunked_over_the_budget_points_at_svd_compressed():
    x = ox.asarray(np.ones((100, 60)), chunks=(10, 10))
    with ox.config.set(linalg_block_bytes=20_000), pytest.raises(ValueError, match="svd_compressed"):
        np.linalg.svd(x)


def test_compute_together_runs_the_decomposition_once():
    x = ox.asarray(np.random.default_rng(0).random((50, 4)), chunks=(10, 4))
    u, s, vh = np.linalg.svd(x)
    plan = _core.explain([u._node, s._node, vh._node])
    counts = dict(line.split() for line in plan.splitlines()[1:] if len(line.split()) == 2)
    assert counts["qr"] == "5" and counts["svd"] == "1"
    # Each output alone needs the whole tree; together they share it.
    alone = sum(_core.task_count([n._node]) for n in (u, s, vh))
    assert _core.task_count([u._node, s._node, vh._node]) < alone


@given(st.integers(1, 30), st.integers(1, 6), st.data())
@example(12, 3, None)
def test_qr_matches_numpy(m, n, data):
    rng = np.random.default_rng(m * 7 + n)
    dtype = data.draw(st.sampled_from(FIELDS)) if data is not None else np.float64
    a = matrix(rng, m, n, dtype)
    rows = data.draw(chunkings((m,)))[0] if data is not None else (5, 5, 2)
    x = ox.asarray(a, chunks=(rows, n))
    q, r = np.linalg.qr(x)
    qn, rn = np.linalg.qr(a)
    assert (q.shape, r.shape) == (qn.shape, rn.shape) and q.dtype == qn.dtype
    Q, R = ox.compute(q, r)
    tol = 200 * m * eps(dtype) * float(np.abs(a).max())
    np.testing.assert_allclose(Q @ R, a, atol=tol)
    check_orthonormal_columns(Q, 200 * m * eps(dtype))
    assert np.all(np.tril(R, -1) == 0)
    # R is unique up to a unit factor per row: the magnitudes match NumPy's.
    np.testing.assert_allclose(np.abs(R), np.abs(rn), atol=tol)
    np.testing.assert_allclose(np.abs(np.linalg.qr(x, mode="r").compute()), np.abs(rn), atol=tol)


def test_qr_complete_and_modes():
    a = matrix(np.random.default_rng(1), 9, 3, np.float64)
    q, r = np.linalg.qr(ox.asarray(a, chunks=(4, 3)), mode="complete")
    assert (q.shape, r.shape) == ((9, 9), (9, 3))
    Q, R = ox.compute(q, r)
    np.testing.assert_allclose(Q @ R, a, atol=1e-12)
    check_orthonormal_columns(Q, 1e-12)
    with pytest.raises(ValueError, match="Unrecognized mode"):
        np.linalg.qr(ox.asarray(a), mode="bogus")


def test_input_rules_like_numpy():
    with pytest.raises(np.linalg.LinAlgError, match="1-dimensional array given"):
        np.linalg.svd(ox.arange(3.0))
    with pytest.raises(TypeError, match="float16"):  # oxarray has no float16 at all
        np.linalg.svd(ox.asarray(np.ones((3, 2), np.float16)))
    u, s, vh = np.linalg.svd(ox.asarray(np.arange(6).reshape(3, 2)))
    assert u.dtype == np.float64 and s.dtype == np.float64
    np.testing.assert_allclose(s.compute(), np.linalg.svd(np.arange(6).reshape(3, 2))[1])


def test_svd_compressed_finds_the_top_singular_triplets():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 6)) @ rng.standard_normal((6, 80)) + 1e-8 * rng.random((300, 80))
    x = ox.asarray(a, chunks=(50, 20))
    u, s, vh = ox.linalg.svd_compressed(x, 6, n_power_iter=2, seed=1)
    assert (u.shape, s.shape, vh.shape) == ((300, 6), (6,), (6, 80))
    U, S, VH = ox.compute(u, s, vh)
    np.testing.assert_allclose(S, np.linalg.svd(a, compute_uv=False)[:6], rtol=1e-6)
    np.testing.assert_allclose((U * S) @ VH, a, atol=1e-5)
    check_orthonormal_columns(U, 1e-10)


@given(st.sampled_from([np.float32, np.float64, np.complex128, np.int64]), st.data())
def test_norm_all_orders_match_numpy(dtype, data):
    m, n = data.draw(st.integers(1, 7), label="m"), data.draw(st.integers(1, 7), label="n")
    a = (matrix(np.random.default_rng(m * 8 + n), m, n, np.complex128 if dtype == np.complex128
                else np.float64) * 10).astype(dtype)
    x = ox.asarray(a, chunks=data.draw(chunkings((m, n)), label="chunks"))
    tol = {"rtol": 1e-4 if dtype == np.float32 else 1e-10}
    for ord in [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]:
        for kd in (False, True):
            e = np.linalg.norm(a, ord=ord, keepdims=kd)
            r = np.asarray(np.linalg.norm(x, ord=ord, keepdims=kd))
            assert r.shape == e.shape and r.dtype == e.dtype, (ord, kd)
            np.testing.assert_allclose(r, e, **tol)
    for ord in [None, 0, 1, 2, 3, np.inf, -np.inf, -1]:
        for axis in (0, -1):
            e = np.linalg.norm(a, ord=ord, axis=axis)
            r = np.asarray(np.linalg.norm(x, ord=ord, axis=axis))
            assert r.shape == e.shape and r.dtype == e.dtype, (ord, axis)
            np.testing.assert_allclose(r, e, **tol)
    for ord in [None, 1, -1, np.inf, -np.inf, "fro"]:
        np.testing.assert_allclose(np.asarray(np.linalg.norm(x, ord=ord, axis=(1, 0))),
                                   np.linalg.norm(a, ord=ord, axis=(1, 0)), **tol)
    with pytest.raises(ValueError, match="Invalid norm order"):
        np.linalg.norm(x, ord=3, axis=(0, 1))


def test_products_composed_from_matmul_match_numpy():
    rng = np.random.default_rng(0)
    a, b, c = rng.random((4, 3)), rng.random((3, 5)), rng.random((5, 2))
    x, y, z = (ox.asarray(v, chunks=2) for v in (a, b, c))
    np.testing.assert_allclose(np.outer(x, y).compute(), np.outer(a, b))
    np.testing.assert_allclose(np.inner(x, x).compute(), np.inner(a, a))
    np.testing.assert_allclose(np.tensordot(x, y, 1).compute(), np.tensordot(a, b, 1))
    t, u = rng.random((2, 3, 4)), rng.random((3, 4, 5))
    np.testing.assert_allclose(
        np.tensordot(ox.asarray(t, chunks=2), ox.asarray(u, chunks=3), axes=([1, 2], [0, 1])).compute(),
        np.tensordot(t, u, axes=([1, 2], [0, 1])))
    np.testing.assert_allclose(np.linalg.multi_dot([x, y, z]).compute(), np.linalg.multi_dot([a, b, c]))
    s = rng.random((3, 3))
    for n in (0, 1, 2, 5):
        np.testing.assert_allclose(np.linalg.matrix_power(ox.asarray(s, chunks=2), n).compute(),
                                   np.linalg.matrix_power(s, n))
    with pytest.raises(np.linalg.LinAlgError, match="must be square"):
        np.linalg.matrix_power(x, 2)


@pytest.mark.parametrize("shape", [(2, 0), (0, 3), (0, 0), (3,), (0,), (), (2, 3), (2, 0, 3)])
def test_norm_edge_shapes_and_axes_as_numpy(shape):
    # Empty vectors and matrices (NumPy's max(..., initial=0)), 0-d inputs, out-of-range axes and
    # string orders for vectors: the same value or the same exception type as NumPy.
    from helpers import differential

    a = np.arange(np.prod(shape)).reshape(shape) * 0.25 + 0.5  # full rank: no ~1e-17 minima
    for ord_ in [None, 1, -1, 2, -2, np.inf, -np.inf, "fro", "nuc", 0, 3]:
        for axis in [None, 0, -1, 1, (0, 1), (1, 0), (-1, 0), 5, (0, 2)]:
            differential(lambda: np.linalg.norm(a, ord=ord_, axis=axis),  # noqa: B023
                         lambda: np.linalg.norm(ox.asarray(a), ord=ord_, axis=axis))  # noqa: B023


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0)])
def test_qr_svd_of_empty_arrays_chunked_along_both_axes(shape):
    a = np.zeros(shape)
    x = ox.asarray(a, chunks=(2, 2))
    for got, expected in [(np.linalg.qr(x), np.linalg.qr(a)),
                          (np.linalg.svd(x, full_matrices=False), np.linalg.svd(a, full_matrices=False))]:
        assert [g.compute().shape for g in got] == [e.shape for e in expected]
