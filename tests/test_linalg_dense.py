"""Batched dense np.linalg (solve, inv, det, slogdet, cholesky, eigh/eigvalsh, eig/eigvals,
stacked svd/qr, matrix_power with n < 0) against numpy.linalg.

Values that are unique (det, inv, solve, Cholesky factors, eigenvalues, singular values) are
compared with NumPy's directly, with tolerances from the dtype and the matrix size; eigenvectors
and singular vectors, which are free up to phase and order, are checked by reconstruction
(a @ v == v * w). Ill-conditioned systems are checked by their residual. Values-dependent errors
(singular, not positive definite) are raised by compute(), shape and dtype errors by the call.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray import _core
from oxarray.testing import chunkings

DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.int64]
LinAlgError = np.linalg.LinAlgError


def result_dtype(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    return dt if dt.kind in "fc" else np.dtype(np.float64)


def tol(dtype, n: int = 1) -> float:
    """Absolute tolerance for O(1) values of well-conditioned n x n problems in `dtype`."""
    return 50 * max(n, 1) * float(np.finfo(result_dtype(dtype)).eps)


def draw_matrices(rng, shape, dtype, kind="random"):
    """Stacked test matrices: random diagonally dominant (well conditioned), Hermitian positive
    definite, or Hermitian, rounded to integers when `dtype` is an integer type."""
    dt = np.dtype(dtype)
    n = shape[-1]

    def draw(*s):
        z = rng.standard_normal(s)
        return z + 1j * rng.standard_normal(s) if dt.kind == "c" else z

    if dt.kind in "iu":
        a = rng.integers(-3, 4, size=shape).astype(np.float64)
    else:
        a = draw(*shape)
    if kind in ("hpd", "hermitian"):
        a = a @ np.conj(np.swapaxes(a, -1, -2)) if kind == "hpd" else a + np.conj(np.swapaxes(a, -1, -2))
    if kind in ("random", "hpd"):
        # Strictly diagonally dominant for the integer draws (|entries| <= 3), so never singular.
        a = a + (4 * n + 4) * np.eye(n)
    return a.astype(dt)


@st.composite
def stacked(draw, max_batch_dims=2, max_n=5, square=True, dtypes=DTYPES):
    """(numpy stack, chunks, dtype, seed): batch axes chunked irregularly, matrices of any size
    including 0 and 1, matrix axes chunked arbitrarily too (the op rechunks them whole)."""
    batch = tuple(draw(st.lists(st.integers(0, 3), max_size=max_batch_dims), label="batch"))
    n = draw(st.integers(0, max_n), label="n")
    m = n if square else draw(st.integers(0, max_n), label="m")
    dtype = draw(st.sampled_from(dtypes), label="dtype")
    chunks = draw(chunkings(batch + (m, n)))
    seed = draw(st.integers(0, 2**16), label="seed")
    return batch + (m, n), chunks, dtype, seed


def lazy(a, chunks):
    return ox.asarray(a, chunks=chunks)


def check_chunks_follow_batch(out, x_chunks, ndim_core):
    nb = len(x_chunks) - 2
    assert out.chunks[:nb] == tuple(x_chunks[:nb])
    assert all(len(c) == 1 for c in out.chunks[nb:nb + ndim_core])


@settings(max_examples=30)
@given(stacked())
@example(((0, 0), ((0,), (0,)), np.float64, 0))
@example(((1, 1), ((1,), (1,)), np.float32, 0))
@example(((5, 3, 3), ((2, 3), (1, 2), (3,)), np.complex64, 1))
def test_det_slogdet_inv_match_numpy(case):
    shape, chunks, dtype, seed = case
    a = draw_matrices(np.random.default_rng(seed), shape, dtype)
    x = lazy(a, chunks)
    n = shape[-1]
    d, (sign, logdet), inv = np.linalg.det(x), np.linalg.slogdet(x), np.linalg.inv(x)
    d_np, (sign_np, logdet_np), inv_np = np.linalg.det(a), np.linalg.slogdet(a), np.linalg.inv(a)
    for got, want in ((d, d_np), (sign, sign_np), (logdet, logdet_np), (inv, inv_np)):
        assert got.dtype == np.asarray(want).dtype and got.shape == np.shape(want)
    check_chunks_follow_batch(inv, chunks, 2)
    d_c, sign_c, logdet_c, inv_c = ox.compute(d, sign, logdet, inv)
    t = tol(dtype, n)
    # det grows like (2n)^n: compare relatively.
    np.testing.assert_allclose(d_c, d_np, rtol=t, atol=0)
    np.testing.assert_allclose(sign_c, sign_np, atol=t)
    np.testing.assert_allclose(logdet_c, logdet_np, atol=t * max(n, 1))
    np.testing.assert_allclose(inv_c, inv_np, atol=t)
    assert isinstance(np.linalg.slogdet(x), type(np.linalg.slogdet(a)))


@st.composite
def solve_cases(draw):
    shape, chunks, dtype, seed = draw(stacked())
    batch, m = shape[:-2], shape[-1]
    form = draw(st.sampled_from(["vector", "matrix", "broadcast"]), label="b form")
    if form == "vector":
        b_shape = (m,)
    else:
        k = draw(st.integers(0, 3), label="k")
        b_batch = batch
        if form == "broadcast":
            # Axes set to 1 or dropped, or one more leading axis: the batch axes broadcast.
            b_batch = tuple(draw(st.sampled_from([1, d])) for d in batch)
            if draw(st.booleans()):
                b_batch = (2,) + b_batch
            else:
                b_batch = b_batch[draw(st.integers(0, len(batch))):]
        b_shape = b_batch + (m, k)
    b_dtype = draw(st.sampled_from([dtype, np.float64, np.int32]), label="b dtype")
    return shape, chunks, dtype, seed, b_shape, b_dtype


@settings(max_examples=30)
@given(solve_cases())
@example(((2, 3, 3), ((1, 1), (3,), (3,)), np.float64, 0, (3,), np.float64))
@example(((3, 3), ((2, 1), (3,)), np.float32, 0, (2, 3, 2), np.float32))
@example(((0, 2, 2), ((0,), (2,), (2,)), np.complex128, 0, (2, 1), np.float64))
def test_solve_matches_numpy(case):
    shape, chunks, dtype, seed, b_shape, b_dtype = case
    rng = np.random.default_rng(seed)
    a = draw_matrices(rng, shape, dtype)
    b = rng.integers(-5, 6, size=b_shape).astype(b_dtype)
    want = np.linalg.solve(a, b)
    got = np.linalg.solve(lazy(a, chunks), b)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got.compute(), want, atol=5 * tol(want.dtype, shape[-1]))


def test_solve_vector_rule_is_numpy_2():
    # NumPy 2 treats b as a vector only when b.ndim == 1: a (2, 3) b against a (2, 3, 3) stack is
    # one 2 x 3 matrix (a core-dimension mismatch), not a stack of two vectors as in NumPy 1.
    a = draw_matrices(np.random.default_rng(0), (2, 3, 3), np.float64)
    x = ox.asarray(a, chunks=(1, 3, 3))
    b = np.ones((2, 3))
    with pytest.raises(ValueError) as e_np:
        np.linalg.solve(a, b)
    with pytest.raises(ValueError) as e_ox:
        np.linalg.solve(x, b)
    assert str(e_ox.value) == str(e_np.value)
    np.testing.assert_allclose(np.linalg.solve(x, b[0]).compute(), np.linalg.solve(a, b[0]))


def test_solve_ill_conditioned_by_residual():
    n = 8
    h = 1.0 / (np.arange(n)[:, None] + np.arange(n)[None, :] + 1)  # Hilbert, cond ~ 1e10
    a = np.stack([h, h + np.eye(n) * 1e-9])
    b = np.random.default_rng(1).standard_normal((2, n, 2))
    x = np.linalg.solve(ox.asarray(a, chunks=(1, 4, 4)), b).compute()
    xi = np.linalg.inv(ox.asarray(a, chunks=(1, n, n))).compute()
    for i in range(2):
        # Backward stable: the residual is small relative to |a| |x|, whatever the condition.
        scale = np.linalg.norm(a[i]) * np.linalg.norm(x[i])
        assert np.linalg.norm(a[i] @ x[i] - b[i]) <= 1e-13 * scale
        assert np.linalg.norm(a[i] @ xi[i] - np.eye(n)) <= 1e-13 * np.linalg.norm(a[i]) * np.linalg.norm(xi[i])


@settings(max_examples=25)
@given(stacked(), st.booleans())
@example(((0, 0), ((0,), (0,)), np.float64, 0), True)
@example(((2, 1, 1), ((1, 1), (1,), (1,)), np.complex64, 0), False)
def test_cholesky_matches_numpy(case, upper):
    shape, chunks, dtype, seed = case
    a = draw_matrices(np.random.default_rng(seed), shape, dtype, "hpd")
    want = np.linalg.cholesky(a, upper=upper)
    got = np.linalg.cholesky(lazy(a, chunks), upper=upper)
    assert got.dtype == want.dtype and got.shape == want.shape
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    np.testing.assert_allclose(got.compute(), want, atol=tol(dtype, shape[-1]) * scale)


def test_cholesky_reads_one_triangle_like_numpy():
    a = np.array([[4.0, 2.0], [100.0, 9.0]])  # lower triangle says not PD, upper says PD
    np.testing.assert_allclose(np.linalg.cholesky(ox.asarray(a), upper=True).compute(),
                               np.linalg.cholesky(a, upper=True))
    with pytest.raises(LinAlgError, match="Matrix is not positive definite"):
        np.linalg.cholesky(ox.asarray(a)).compute()


@settings(max_examples=25)
@given(stacked(), st.sampled_from(["L", "U", "u"]))
@example(((0, 0), ((0,), (0,)), np.float64, 0), "L")
@example(((3, 4, 4), ((2, 1), (4,), (2, 2)), np.complex64, 3), "U")
def test_eigh_eigvalsh_match_numpy(case, uplo):
    shape, chunks, dtype, seed = case
    rng = np.random.default_rng(seed)
    a = draw_matrices(rng, shape, dtype, "hermitian")
    # Garbage in the triangle that is not read must not matter.
    n = shape[-1]
    noise = np.triu(np.full((n, n), 7.0), 1)
    a = (a + (noise if uplo.upper() == "L" else noise.T)).astype(a.dtype)
    x = lazy(a, chunks)
    w, v = np.linalg.eigh(x, UPLO=uplo)
    w_np, v_np = np.linalg.eigh(a, UPLO=uplo)
    assert (w.dtype, v.dtype, w.shape, v.shape) == (w_np.dtype, v_np.dtype, w_np.shape, v_np.shape)
    w_c, v_c, wv = ox.compute(w, v, np.linalg.eigvalsh(x, UPLO=uplo))
    scale = max(1.0, float(np.abs(w_np).max(initial=0)))
    t = tol(dtype, n) * scale
    np.testing.assert_allclose(w_c, w_np, atol=t)
    np.testing.assert_allclose(wv, w_np, atol=t)
    herm = np.tril(a) if uplo.upper() == "L" else np.triu(a)
    herm = herm + np.conj(np.swapaxes(herm, -1, -2)) - np.eye(n) * np.real(herm)
    herm = herm.astype(np.result_type(a.dtype, np.float64) if a.dtype.kind in "iu" else a.dtype)
    np.testing.assert_allclose(herm @ v_c, v_c * w_c[..., None, :], atol=4 * t)


def nearest_match(got, want, atol):
    """Every eigenvalue of `want` has one of `got` within atol (eigenvalue order is free)."""
    assert got.shape == want.shape
    for i in np.ndindex(got.shape[:-1]):
        for z in want[i]:
            assert np.min(np.abs(got[i] - z)) <= atol, (got[i], want[i])


@settings(max_examples=25)
@given(stacked(dtypes=DTYPES[:4]))  # small integer matrices can be defective: eigenvalues to ~sqrt(eps)
@example(((0, 0), ((0,), (0,)), np.float64, 0))
@example(((2, 2, 2), ((1, 1), (2,), (2,)), np.float32, 0))
def test_eig_eigvals_match_numpy_by_reconstruction(case):
    shape, chunks, dtype, seed = case
    # Well-separated real-or-complex spectra: random plus a scaled diagonal.
    rng = np.random.default_rng(seed)
    n = shape[-1]
    a = (draw_matrices(rng, shape, dtype, "plain") + np.diag(np.arange(n) * 4.0)).astype(dtype)
    x = lazy(a, chunks)
    w, v = np.linalg.eig(x)
    cplx = np.dtype(np.complex64) if result_dtype(dtype) in (np.float32, np.complex64) else np.dtype(np.complex128)
    assert w.dtype == cplx and v.dtype == cplx  # always complex: see eig's docstring
    w_c, v_c, wv = ox.compute(w, v, np.linalg.eigvals(x))
    w_np = np.linalg.eigvals(a)
    t = 20 * tol(dtype, n) * max(1.0, float(np.abs(w_np).max(initial=0)))
    nearest_match(w_c, w_np, t)
    nearest_match(wv, w_np, t)
    a_c = a.astype(cplx)
    np.testing.assert_allclose(a_c @ v_c, v_c * w_c[..., None, :], atol=t)
    if n:
        np.testing.assert_allclose(np.linalg.norm(v_c, axis=-2), 1.0, atol=t)


def test_eig_is_complex_where_numpy_is_real():
    a = np.diag([1.0, 2.0])
    w_np = np.linalg.eigvals(a)
    w = np.linalg.eigvals(ox.asarray(a)).compute()
    assert w_np.dtype == np.float64 and w.dtype == np.complex128
    np.testing.assert_allclose(np.sort(w.real), w_np)
    np.testing.assert_array_equal(w.imag, 0)


@settings(max_examples=25)
@given(stacked(max_batch_dims=2, square=False, dtypes=DTYPES), st.booleans(), st.booleans())
@example(((2, 0, 3), ((1, 1), (0,), (3,)), np.float64, 0), True, True)
@example(((1, 5, 2), ((1,), (2, 3), (2,)), np.complex64, 0), False, True)
def test_stacked_svd_and_qr_match_numpy(case, full, uv):
    shape, chunks, dtype, seed = case
    if len(shape) < 3:
        shape, chunks = (2,) + shape, ((1, 1),) + tuple(chunks)
    a = draw_matrices(np.random.default_rng(seed), shape, dtype, "plain")
    x = lazy(a, chunks)
    t = 10 * tol(dtype, max(shape[-2:]))
    s_np = np.linalg.svd(a, compute_uv=False)
    if uv:
        u, s, vh = np.linalg.svd(x, full_matrices=full)
        u_np, _, vh_np = np.linalg.svd(a, full_matrices=full)
        assert (u.shape, vh.shape, u.dtype, vh.dtype) == (u_np.shape, vh_np.shape, u_np.dtype, vh_np.dtype)
        u, s, vh = ox.compute(u, s, vh)
        k = s.shape[-1]
        np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a, atol=t * 10)
    else:
        s = np.linalg.svd(x, compute_uv=False)
        assert s.dtype == s_np.dtype
        s = s.compute()
    np.testing.assert_allclose(s, s_np, atol=t * 10)
    np.testing.assert_allclose(np.linalg.svdvals(x).compute(), s_np, atol=t * 10)
    for mode in ("reduced", "complete", "r"):
        got, want = np.linalg.qr(x, mode=mode), np.linalg.qr(a, mode=mode)
        if mode == "r":
            assert got.shape == want.shape and got.dtype == want.dtype
            continue
        q, r = ox.compute(*got)
        assert q.shape == want.Q.shape and r.shape == want.R.shape and q.dtype == want.Q.dtype
        np.testing.assert_allclose(q @ r, a, atol=t * 10)


@pytest.mark.parametrize("n", [-1, -2, -3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_matrix_power_negative(n, dtype):
    a = np.array([[2, 1], [1, 3]], dtype=dtype)
    want = np.linalg.matrix_power(a, n)
    got = np.linalg.matrix_power(ox.asarray(a, chunks=1), n)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got.compute(), want, rtol=1e-5)
    with pytest.raises(LinAlgError, match="Singular matrix"):
        np.linalg.matrix_power(ox.asarray(np.zeros((2, 2))), -1).compute()


# ------------------------------------------------------------------------------ errors

@pytest.mark.parametrize("f", [np.linalg.inv, lambda x: np.linalg.solve(x, np.ones(3))])
def test_singular_raises_at_compute(f):
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]])
    stack = np.stack([np.eye(3), a])
    out = f(ox.asarray(stack, chunks=(1, 3, 3)))  # lazy: no error yet
    with pytest.raises(LinAlgError, match="^Singular matrix$"):
        out.compute()
    with pytest.raises(LinAlgError, match="^Singular matrix$"):
        f(stack)
    # det and slogdet never raise: 0 and (0, -inf) as in NumPy.
    z = np.zeros((2, 2))
    assert float(np.linalg.det(ox.asarray(z))) == 0.0
    sign, logdet = ox.compute(*np.linalg.slogdet(ox.asarray(z)))
    assert sign == 0 and logdet == -np.inf


def test_not_positive_definite_raises_at_compute():
    out = np.linalg.cholesky(ox.asarray(np.stack([np.eye(2), -np.eye(2)]), chunks=(1, 2, 2)))
    with pytest.raises(LinAlgError, match="^Matrix is not positive definite$"):
        out.compute()


def test_eig_of_nan_raises_like_numpy():
    a = np.array([[np.nan, 1.0], [1.0, 1.0]])
    with pytest.raises(LinAlgError, match="Array must not contain infs or NaNs"):
        np.linalg.eigvals(ox.asarray(a)).compute()


CALLS = {
    "det": np.linalg.det, "slogdet": np.linalg.slogdet, "inv": np.linalg.inv,
    "cholesky": np.linalg.cholesky, "eigh": np.linalg.eigh, "eigvalsh": np.linalg.eigvalsh,
    "eig": np.linalg.eig, "eigvals": np.linalg.eigvals,
    "solve": lambda a: np.linalg.solve(a, np.ones(a.shape[-1:] or 1)),
    "matrix_power": lambda a: np.linalg.matrix_power(a, -1),
}


def same_error(np_call, ox_call):
    with pytest.raises(Exception) as e_np:
        np_call()
    with pytest.raises(Exception) as e_ox:
        ox_call()
    assert type(e_ox.value) is type(e_np.value)
    assert str(e_ox.value) == str(e_np.value)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3), ()], ids=str)
def test_shape_errors_at_the_call_match_numpy(name, shape):
    a = np.ones(shape)
    f = CALLS[name]
    same_error(lambda: f(a), lambda: f(ox.asarray(a)))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_float16_is_unsupported_like_numpy(name):
    # NumPy 2's linalg rejects float16 with a TypeError (it does not promote it to float32);
    # oxarray has no float16 at all, so the TypeError comes from ingest, as for any float16 array.
    a = np.eye(2, dtype=np.float16)
    with pytest.raises(TypeError, match="array type float16 is unsupported in linalg"):
        CALLS[name](a)
    with pytest.raises(TypeError, match="float16"):
        CALLS[name](ox.asarray(a))


def test_solve_shape_errors_match_numpy():
    a = np.ones((2, 3, 3))
    for b in (np.ones(2), np.ones((2, 1)), np.ones((4, 3, 1)), np.ones((3, 3, 3, 1))):
        same_error(lambda b=b: np.linalg.solve(a, b), lambda b=b: np.linalg.solve(ox.asarray(a), b))


def test_bad_uplo_qr_mode_and_hermitian_svd():
    a = np.eye(2)
    r = np.ones((2, 2, 3))
    same_error(lambda: np.linalg.svd(r, hermitian=True), lambda: np.linalg.svd(ox.asarray(r), hermitian=True))
    same_error(lambda: np.linalg.eigh(a, UPLO="X"), lambda: np.linalg.eigh(ox.asarray(a), UPLO="X"))
    s = np.ones((2, 2, 2))
    same_error(lambda: np.linalg.qr(s, mode="bad"), lambda: np.linalg.qr(ox.asarray(s), mode="bad"))


def test_batched_ops_share_one_factorization():
    a = draw_matrices(np.random.default_rng(0), (4, 3, 3), np.float64, "hermitian")
    x = ox.asarray(a, chunks=(2, 1, 3))
    w, v = np.linalg.eigh(x)
    assert w.chunks == ((2, 2), (3,)) and v.chunks == ((2, 2), (3,), (3,))
    # One factorization task per batch block, whether one output or both are computed.
    both = _core.explain([w._node, v._node])
    assert re.search(r"linalg-batched\s+2\n", w.explain()) and re.search(r"linalg-batched\s+2\n", both)
    w_c, v_c = ox.compute(w, v)
    w_np, v_np = np.linalg.eigh(a)
    np.testing.assert_allclose(w_c, w_np, atol=1e-12)
    np.testing.assert_allclose(np.abs(np.sum(v_c * v_np, axis=-2)), 1.0, atol=1e-10)


def test_batch_blocks_are_bounded_by_chunk_bytes():
    # Rechunking whole matrices must not merge a big batch chunk into one huge block: the batch
    # axes are cut so a block of whole matrices stays near chunk_bytes.
    a = np.random.default_rng(0).random((20, 8, 6, 6)) + 6 * np.eye(6)
    x = ox.asarray(a, chunks=(20, 8, 3, 3))
    with ox.config.set(chunk_bytes=6 * 6 * 8 * 3):
        d = np.linalg.det(x)
        assert d.chunks == ((1,) * 20, (3, 3, 2))
        np.testing.assert_allclose(d.compute(), np.linalg.det(a))
    with ox.config.set(linalg_block_bytes=100):
        with pytest.raises(ValueError, match="linalg_block_bytes"):
            np.linalg.inv(ox.asarray(np.eye(4)))


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@pytest.mark.parametrize("axis", [(1, 2), (2, 0), (-1, -3)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_spectral_and_nuclear_norms_of_stacks(ord, axis, keepdims):
    a = np.random.default_rng(2).standard_normal((3, 4, 5))
    want = np.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)
    got = np.linalg.norm(ox.asarray(a, chunks=(2, 3, 5)), ord=ord, axis=axis, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got.compute(), want, rtol=1e-12)
