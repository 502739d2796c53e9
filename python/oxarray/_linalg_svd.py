"""``np.linalg`` functions computed from the SVD, as NumPy computes them: ``pinv``,
``matrix_rank`` and ``lstsq``. Each is a short composition of lazy graph nodes (the SVD, then
elementwise ops, reductions and matmuls), so tall-skinny inputs use the TSQR SVD and nothing is
computed before ``compute()``.

Differences from NumPy, forced by laziness (the shape and dtype of a lazy result must be known
before its values, as in Dask): ``lstsq`` returns its ``rank`` as a 0-d integer Array, and its
residuals whenever ``m > n`` -- NumPy returns an empty array when the computed rank is below
``n``, which only the values can tell; ``matrix_rank`` of a 0-d or 1-d input is a 0-d Array.
"""

from __future__ import annotations

import numpy as np

from ._array import Array
from ._dispatch import implements

LinAlgError = np.linalg.LinAlgError

def _array(a) -> Array:
    from ._creation import asarray

    return a if isinstance(a, Array) else asarray(a)


def _rows_first(x: Array) -> Array:
    """``x`` with the last two axes swapped (no conjugation)."""
    return x if x.ndim < 2 else np.swapaxes(x, -1, -2)


@implements(np.linalg.pinv)
def pinv(a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    """Moore-Penrose pseudo-inverse from the SVD, lazy; singular values at or below
    ``rcond * max(s)`` count as zero (NumPy's rule, including its ``rcond``/``rtol`` defaults).

    >>> import numpy as np, oxarray as ox
    >>> x = ox.asarray(np.arange(12.0).reshape(6, 2), chunks=(2, 2))
    >>> bool(np.allclose(np.linalg.pinv(x), np.linalg.pinv(np.arange(12.0).reshape(6, 2))))
    True
    """
    from ._creation import empty
    from .linalg import svd

    x = _array(a)
    if rcond is None:
        if rtol is np._NoValue:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(x.shape[-2:]) * np.finfo(_float_dtype(x.dtype)).eps
        else:
            rcond = rtol
    elif rtol is not np._NoValue:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    if x.ndim >= 2 and 0 in x.shape[-2:]:  # NumPy: empty matrices keep the input dtype
        m, n = x.shape[-2:]
        return empty(x.shape[:-2] + (n, m), dtype=x.dtype)
    # As NumPy: factor conj(a) so that pinv = V S^+ U^H becomes plain transposes of its factors.
    u, s, vt = svd(np.conj(x) if x.dtype.kind == "c" else x, full_matrices=False,
                   hermitian=hermitian)
    cutoff = np.asarray(rcond)[..., np.newaxis] * np.max(s, axis=-1, keepdims=True)
    large = s > cutoff
    s_inv = np.where(large, 1 / np.where(large, s, 1), 0).astype(s.dtype)
    return np.matmul(_rows_first(vt), s_inv[..., np.newaxis] * _rows_first(u))


@implements(np.linalg.matrix_rank)
def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """Rank as the number of singular values above ``tol`` (default ``max(s) * max(m, n) *
    eps``, NumPy's), lazy: an integer Array with the batch shape of ``A``.

    >>> import numpy as np, oxarray as ox
    >>> int(np.linalg.matrix_rank(ox.asarray(np.ones((4, 3)))))
    1
    """
    from ._creation import zeros
    from .linalg import svd

    x = _array(A)
    if x.ndim < 2:
        return np.any(x != 0).astype(np.int64)
    s = svd(x, compute_uv=False, hermitian=hermitian)
    if s.shape[-1] == 0:
        return zeros(s.shape[:-1], dtype=np.int64)
    if tol is None:
        if rtol is None:
            rtol = max(x.shape[-2:]) * np.finfo(s.dtype).eps
        else:
            rtol = np.asarray(rtol)[..., np.newaxis]
        tol = np.max(s, axis=-1, keepdims=True) * rtol
    else:
        tol = np.asarray(tol)[..., np.newaxis]
    return np.sum(s > tol, axis=-1, dtype=np.int64)


def _float_dtype(dtype: np.dtype) -> np.dtype:
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


def _assert_2d(*arrays: Array) -> None:
    for x in arrays:
        if x.ndim != 2:
            raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be two-dimensional")


@implements(np.linalg.lstsq)
def lstsq(a, b, rcond=None):
    """Least-squares solution of ``a @ x = b`` (the minimum-norm one when ``a`` is rank
    deficient), lazy: ``x, residuals, rank, s`` as NumPy, computed from the SVD of ``a`` in double
    precision (as NumPy's LAPACK call) and returned in the inputs' precision.

    >>> import numpy as np, oxarray as ox
    >>> a = ox.asarray(np.c_[np.arange(6.0), np.ones(6)], chunks=(3, 2))
    >>> x, res, rank, s = np.linalg.lstsq(a, 2 * np.arange(6.0) + 1)
    >>> bool(np.allclose(x, [2, 1])), int(rank)
    (True, 2)
    """
    from .linalg import svd

    a, b = _array(a), _array(b)
    is_1d = b.ndim == 1
    if is_1d:
        b = b[:, np.newaxis]
    _assert_2d(a, b)
    m, n = a.shape
    if m != b.shape[0]:
        raise LinAlgError("Incompatible dimensions")
    from ._linalg_dense import _common_type

    for x in (a, b):
        if x.dtype.kind not in "biufc":
            raise TypeError(f"array type {x.dtype} is unsupported in linalg")
    work_t, result_t = _common_type(a, b)  # NumPy's: LAPACK in double, results cast back
    is_complex = work_t.kind == "c"
    real_t = np.empty(0, result_t).real.dtype
    if rcond is None:
        rcond = np.finfo(np.float64).eps * max(n, m)
    elif rcond < 0:  # LAPACK's gelsd: a negative rcond means machine precision
        rcond = np.finfo(np.float64).eps

    from ._creation import asarray, empty, zeros

    aw, bw = a.astype(work_t), b.astype(work_t)
    if min(m, n) == 0:
        # No singular values: x is zero, the rank 0, and every residual is |b|^2.
        x = zeros((n, b.shape[1]), dtype=work_t)
        s = empty((0,), dtype=real_t)
        rank = asarray(np.int32(0))
    else:
        u, s, vh = svd(aw, full_matrices=False)
        large = s > rcond * np.max(s)
        s_inv = np.where(large, 1 / np.where(large, s, 1), 0).astype(s.dtype)
        uh_b = np.matmul(np.conj(u).T if is_complex else u.T, bw)
        x = np.matmul(np.conj(vh).T if is_complex else vh.T, s_inv[:, np.newaxis] * uh_b)
        rank = np.sum(large, dtype=np.int32)  # LAPACK's int, as NumPy returns it
    if m > n:
        r = bw - np.matmul(aw, x) if n else bw
        resids = np.sum((r * np.conj(r)).real if is_complex else r * r, axis=0)
    else:
        resids = empty((0,), dtype=real_t)
    x = x.astype(result_t)
    if is_1d:
        x = x[:, 0]
    return x, resids.astype(real_t), rank, s.astype(real_t)
