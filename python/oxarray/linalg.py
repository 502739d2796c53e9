"""``oxarray.linalg`` (and ``np.linalg.*`` on oxarray arrays through NEP 18): decompositions of
chunked arrays. The Python side only normalizes arguments as NumPy does and picks the plan (which
axis to keep whole, whether to rechunk); the factorizations run in Rust on faer.

``svd`` and ``qr`` use TSQR on arrays with one chunk along the columns (tall-skinny); short-fat
arrays take the transpose path; arrays chunked along both axes are rechunked to one column of
chunks when a block then fits ``ox.config.get("linalg_block_bytes")``, else ``svd`` raises and
points at :func:`svd_compressed`.

Difference from NumPy (as in Dask): ``np.linalg.svd(x)`` without ``full_matrices`` returns the
reduced factors (``u`` is m x k, ``vh`` k x n with k = min(m, n)), because the complete ``u`` of a
tall array is m x m (200 GB for 200,000 rows). Passing ``full_matrices=True`` explicitly gives
NumPy's complete factors when they fit the budget, and a ``ValueError`` otherwise.
``ox.linalg.svd`` itself (the Array API's ``linalg.svd``, whose standard fixes the default
``full_matrices=True``, as NumPy's) defaults to the complete factors.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core, config
from ._array import Array
from ._dispatch import implements
from ._linalg import (  # noqa: F401  (the namespace re-exports them)
    dot,
    inner,
    matmul,
    matrix_power,
    matrix_transpose,
    multi_dot,
    tensordot,
    vdot,
    vecdot,
)
from ._linalg import linalg_cross as cross  # noqa: F401  (the Array API's forms, as np.linalg's)
from ._linalg import linalg_diagonal as diagonal  # noqa: F401
from ._linalg import linalg_outer as outer  # noqa: F401
from ._linalg import linalg_trace as trace  # noqa: F401
from ._linalg_cond import cond  # noqa: F401  (np.linalg.cond)
from ._linalg_dense import (  # noqa: F401  (the namespace re-exports them)
    cholesky,
    det,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    inv,
    slogdet,
    solve,
    stacked_qr,
    stacked_svd,
)
from ._linalg_norms import matrix_norm, vector_norm  # noqa: F401  (re-exported)
from ._linalg_svd import lstsq, matrix_rank, pinv  # noqa: F401  (re-exported)
from ._tensor import tensorinv, tensorsolve  # noqa: F401  (re-exported)

__all__ = ["svd", "qr", "svd_compressed", "norm", "matmul", "dot", "vdot", "outer", "tensordot",
           "inner", "multi_dot", "matrix_power", "solve", "inv", "det", "slogdet", "cholesky",
           "eigh", "eigvalsh", "eig", "eigvals", "svdvals", "pinv", "matrix_rank", "lstsq",
           "tensorsolve", "tensorinv", "cross", "diagonal", "trace", "matrix_transpose", "vecdot",
           "matrix_norm", "vector_norm", "cond"]

LinAlgError = np.linalg.LinAlgError
_UNSET = object()
# The R factors stacked per node of the TSQR tree: as many as keep the stack near 64 MiB (a
# shallower tree repeats less work; square blocks make every level cost a full QR).
_STACK_BYTES = 64 << 20

try:  # NumPy's named result tuples (u, s, vh = ... and .U/.S/.Vh both work)
    from numpy.linalg._linalg import QRResult, SVDResult
except ImportError:  # pragma: no cover - NumPy < 2
    QRResult = SVDResult = None


def _as_stacked(a) -> Array:
    from ._creation import asarray

    return a if isinstance(a, Array) else asarray(a)


def _as_matrix_array(a, name: str) -> Array:
    """NumPy's input rules: at least 2-d; integers and bools promote to float64."""
    x = _as_stacked(a)
    if x.ndim < 2:
        raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be at least two-dimensional")
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype not in (np.float32, np.float64, np.complex64, np.complex128):
        raise TypeError(f"array type {x.dtype} is unsupported in linalg")
    if x.ndim > 2:
        raise NotImplementedError(
            f"{name}: stacked (batched) matrices are not supported yet by oxarray; "
            "apply it per matrix")
    return x


def _split_every(x: Array) -> int:
    n = x.shape[1]
    r_bytes = max(min(n, max(x.chunks[0], default=1)) * n * x.itemsize, 1)
    return max(2, min(64, _STACK_BYTES // r_bytes))


def _budget() -> int:
    return config.get("linalg_block_bytes")


def _one_column_of_chunks(x: Array, name: str, hint: str) -> Array:
    """``x`` with one chunk along the columns, rechunking when a row block then fits the budget."""
    if x.numblocks[1] == 1:
        return x
    if x.size == 0:
        return x.rechunk(-1)  # nothing to hold: one (empty) block
    n, item = x.shape[1], x.itemsize
    rows = max(x.chunks[0]) if x.chunks[0] else 0
    if rows * n * item > _budget():
        rows = _budget() // max(n * item, 1)
    if rows < 1 or min(n, x.shape[0]) * n * item > _budget():
        raise ValueError(
            f"{name}: a {x.shape[0]}x{n} array chunked along both axes needs blocks of whole rows "
            f"({n} columns) that do not fit ox.config linalg_block_bytes={_budget()}; {hint}")
    return x.rechunk((rows, n))


def _single_block(x: Array, nbytes: int, name: str, hint: str) -> Array:
    if nbytes > _budget():
        raise ValueError(f"{name}: the complete factors ({nbytes} bytes) exceed ox.config "
                         f"linalg_block_bytes={_budget()}; {hint}")
    return x.rechunk(x.shape)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition, lazy, with the default of NumPy and of the Array API
    standard: the complete factors (``u`` m x m, ``vh`` n x n) unless ``full_matrices=False``.
    ``np.linalg.svd(x)`` on an oxarray Array defaults to the reduced (TSQR) factors instead (see
    the module's docstring).

    >>> import numpy as np, oxarray as ox
    >>> u, s, vh = ox.linalg.svd(ox.asarray(np.arange(6.0).reshape(1, 6)))
    >>> u.shape, s.shape, vh.shape
    ((1, 1), (1,), (6, 6))
    """
    return _svd(a, bool(full_matrices), compute_uv, hermitian)


@implements(np.linalg.svd)
def _svd(a, full_matrices=_UNSET, compute_uv=True, hermitian=False):
    """Singular value decomposition, lazy: ``u, s, vh`` (or ``s`` with ``compute_uv=False``).

    >>> import numpy as np, oxarray as ox
    >>> x = ox.asarray(np.arange(12.0).reshape(6, 2), chunks=(2, 2))
    >>> u, s, vh = np.linalg.svd(x)
    >>> u.shape, s.shape, vh.shape
    ((6, 2), (2,), (2, 2))
    >>> bool(np.allclose((u * s) @ vh, x))
    True

    Arrays with more than two dimensions (stacks of matrices) follow NumPy exactly, including the
    default ``full_matrices=True``: each matrix is factored whole in its chunk.
    """
    if hermitian:
        # NumPy's hermitian path is eigh, which wants square matrices; oxarray factors them with
        # the SVD all the same (the same factors up to signs for Hermitian input).
        h = _as_stacked(a)
        if h.ndim >= 2 and h.shape[-1] != h.shape[-2]:
            raise LinAlgError("Last 2 dimensions of the array must be square")
    if _as_stacked(a).ndim > 2:
        full = True if full_matrices is _UNSET else bool(full_matrices)
        return stacked_svd(_as_stacked(a), full, bool(compute_uv))
    x = _as_matrix_array(a, "svd")
    m, n = x.shape
    if full_matrices is not _UNSET and full_matrices and m != n and compute_uv:
        if m * n == 0:  # identity factors, as NumPy: the stacked path builds them
            u, s, vh = stacked_svd(x[np.newaxis], True, True)
            return _svd_result(u[0], s[0], vh[0])
        side = max(m, n)
        x = _single_block(x, side * side * x.itemsize, "svd",
                          "pass full_matrices=False for the reduced factors")
        u, s, vh = (Array(node) for node in _core.svd_dense(x._node))
        return _svd_result(u, s, vh)
    if x.numblocks[1] != 1 and x.numblocks[0] == 1:
        # Short-fat: svd(x.T) = U S V^H gives x = conj(V) S U^T, i.e. u = vh_t.T and vh = u_t.T.
        t = _svd(x.T, full_matrices=False, compute_uv=compute_uv)
        return t if not compute_uv else _svd_result(t[2].T, t[1], t[0].T)
    if x.numblocks == (1, 1) and x.size:
        # One block: factored whole, as NumPy's LAPACK does (rescaled near the ends of the
        # exponent range; a QR tree would overflow its R factor first), and no tree to build.
        if not compute_uv:
            return stacked_svd(x, False, False)
        return _svd_result(*stacked_svd(x, False, True))
    x = _one_column_of_chunks(x, "svd", "use ox.linalg.svd_compressed(x, k) for the top k "
                                        "singular values/vectors")
    out = [Array(node) for node in _core.svd(x._node, bool(compute_uv), _split_every(x))]
    return out[0] if not compute_uv else _svd_result(*out)


@implements(np.linalg.svdvals)
def svdvals(x, /):
    """Singular values, descending: ``svd(x, compute_uv=False)`` (TSQR for 2-d arrays, one
    factorization per matrix for stacks).

    >>> import numpy as np, oxarray as ox
    >>> np.linalg.svdvals(ox.asarray([[3.0, 0.0], [0.0, 4.0]])).compute()
    array([4., 3.])
    """
    return _svd(x, compute_uv=False)


def _svd_result(u, s, vh):
    return SVDResult(u, s, vh) if SVDResult is not None else (u, s, vh)


@implements(np.linalg.qr)
def qr(a, mode="reduced"):
    """QR decomposition (TSQR), lazy: ``q, r`` for ``mode="reduced"``/``"complete"``, ``r`` for
    ``mode="r"``.

    >>> import numpy as np, oxarray as ox
    >>> x = ox.asarray(np.arange(12.0).reshape(6, 2), chunks=(3, 2))
    >>> q, r = np.linalg.qr(x)
    >>> bool(np.allclose(q @ r, x))
    True
    """
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"Unrecognized mode '{mode}'")
    if mode == "raw":
        raise NotImplementedError("qr: mode='raw' (LAPACK's Householder form) is not supported "
                                  "by oxarray")
    if _as_stacked(a).ndim > 2:  # stacks of matrices: each factored whole in its chunk
        return stacked_qr(_as_stacked(a), mode)
    x = _as_matrix_array(a, "qr")
    m, n = x.shape
    if mode == "complete" and m > n:
        x = _single_block(x, m * m * x.itemsize, "qr", "use mode='reduced'")
        q, r = (Array(node) for node in _core.qr_dense(x._node))
        return QRResult(q, r) if QRResult is not None else (q, r)
    x = _one_column_of_chunks(x, "qr", "rechunk to fewer rows per chunk")
    out = [Array(node) for node in _core.qr(x._node, mode != "r", _split_every(x))]
    if mode == "r":
        return out[0]
    return QRResult(*out) if QRResult is not None else tuple(out)


def svd_compressed(a, k: int, n_power_iter: int = 0, n_oversamples: int = 10, seed=None,
                   compute: bool = False):
    """Randomized SVD of the top ``k`` singular triplets (Halko, Martinsson & Tropp), like
    ``dask.array.linalg.svd_compressed``: a Gaussian test matrix, ``n_power_iter`` power
    iterations with QR re-orthonormalization, then a TSQR SVD of the compressed array. Works on
    arrays chunked along both axes. ``compute=True`` persists the compressed basis first.

    >>> import numpy as np, oxarray as ox
    >>> rng = np.random.default_rng(0)
    >>> x = ox.asarray(rng.random((200, 5)) @ rng.random((5, 100)), chunks=(50, 50))
    >>> u, s, vh = ox.linalg.svd_compressed(x, 5, n_power_iter=2, seed=0)
    >>> bool(np.allclose((u * s) @ vh, x))
    True
    """
    x = _as_matrix_array(a, "svd_compressed")
    m, n = x.shape
    k = int(k)
    if not 0 < k <= min(m, n):
        raise ValueError(f"svd_compressed: k must be in [1, {min(m, n)}], got {k}")
    width = min(k + int(n_oversamples), min(m, n))
    rng = np.random.default_rng(seed)
    omega = rng.standard_normal((n, width))
    if x.dtype.kind == "c":
        omega = omega + 1j * rng.standard_normal((n, width))
    from ._creation import asarray

    omega = asarray(omega.astype(x.dtype), chunks=(x.chunks[1], (width,)))
    xh = np.conjugate(x.T) if x.dtype.kind == "c" else x.T
    y = matmul(x, omega)
    for _ in range(int(n_power_iter)):
        y = qr(y)[0]
        z = qr(matmul(xh, y))[0]
        y = matmul(x, z)
    q = qr(y)[0]  # m x width, orthonormal columns spanning x's top range
    if compute:
        q = q.persist()
    qh = np.conjugate(q.T) if x.dtype.kind == "c" else q.T
    b = matmul(qh, x)  # width x n, short-fat
    ub, s, vh = _svd(b, full_matrices=False)
    u = matmul(q, ub)
    return _svd_result(u[:, :k], s[:k], vh[:k, :])


@implements(np.linalg.norm)
def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's vector and matrix norms from reductions; the spectral (2, -2) and nuclear norms of
    a 2-d array from the TSQR singular values.

    >>> import numpy as np, oxarray as ox
    >>> float(np.linalg.norm(ox.asarray([[3.0, 0.0], [0.0, 4.0]])))
    5.0
    """
    from ._creation import asarray

    x = x if isinstance(x, Array) else asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    if axis is None:
        if ord is None or (ord in ("f", "fro") and x.ndim == 2):
            a = np.abs(x) if x.dtype.kind == "c" else x
            r = np.sqrt(np.sum(a * a))
            return r.reshape((1,) * x.ndim) if keepdims else r
        axis = tuple(range(x.ndim))
        if x.ndim not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
    axis = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axis) == 1 and isinstance(ord, str):  # NumPy rejects the order before the axis
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    axis = tuple(normalize_axis_index(int(a), x.ndim) for a in axis)  # AxisError as NumPy
    if len(axis) == 1:
        return _vector_norm(x, ord, axis[0], keepdims)
    if len(axis) == 2:
        if axis[0] == axis[1]:
            raise ValueError("Duplicate axes given.")
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def _vector_norm(x, ord, axis, keepdims):
    a = np.abs(x)
    if ord is None or ord == 2:
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    if ord == np.inf:  # initial=0: the norm of an empty vector is 0, as NumPy
        return np.max(a, axis=axis, keepdims=keepdims, initial=0)
    if ord == -np.inf:
        return np.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return np.sum((x != 0).astype(a.dtype), axis=axis, keepdims=keepdims)
    if ord == 1:
        return np.sum(a, axis=axis, keepdims=keepdims)
    return np.sum(a ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    a = np.abs(x)
    if ord in (2, -2, "nuc"):
        if x.ndim == 2:  # one matrix, maybe tall and chunked: TSQR
            s = svd(x if axes == (0, 1) else x.T, compute_uv=False)
        else:  # a stack: the two axes moved last, one SVD per matrix
            from ._manipulation import moveaxis

            s = svd(moveaxis(x, (row, col), (-2, -1)), compute_uv=False)
        r = np.max(s, axis=-1, initial=0) if ord == 2 else np.min(s, axis=-1) if ord == -2 else np.sum(s, axis=-1)
        if keepdims:
            shape = list(x.shape)
            shape[row] = shape[col] = 1
            r = r.reshape(shape)
        return r
    if ord is None or ord in ("fro", "f"):
        r = np.sqrt(np.sum(a * a, axis=axes))
    elif ord in (1, -1):
        inner_ = np.sum(a, axis=row)
        c = col - 1 if col > row else col
        r = np.max(inner_, axis=c, initial=0) if ord == 1 else np.min(inner_, axis=c)
    elif ord in (np.inf, -np.inf):
        inner_ = np.sum(a, axis=col)
        rr = row - 1 if row > col else row
        r = np.max(inner_, axis=rr, initial=0) if ord == np.inf else np.min(inner_, axis=rr)
    else:
        raise ValueError("Invalid norm order for matrices.")
    if keepdims:
        shape = list(x.shape)
        shape[row] = shape[col] = 1
        r = r.reshape(shape)
    return r
