"""``np.linalg.cond``: the condition number of (stacks of) matrices, lazily.

Compositions: ``p`` None/2/-2 from our singular values (the ratio of the largest to the
smallest, or its inverse), any other norm as ``norm(x, p) * norm(inv(x), p)`` over the last two
axes; a NaN result becomes inf unless the matrix held NaN, as NumPy does (a lazy ``where``).
As NumPy, the inverse of a singular matrix is all NaN there (the batched ``inv`` kernel in its
``inv-or-nan`` form, NumPy's ``inv`` under ``errstate(all='ignore')``), so a singular matrix of
a stack gets inf and the others their condition number, with no error.
"""

from __future__ import annotations

import numpy as np
from numpy.linalg import LinAlgError

from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of

__all__ = ["cond"]


@implements(np.linalg.cond)
def cond(x, p=None):
    """The condition number of ``x`` in the norm ``p``."""
    x = x if isinstance(x, Array) else Array(node_of(x))
    if x.ndim < 2:
        raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be at least "
                          f"two-dimensional")
    if x.size == 0 and x.shape[-1] * x.shape[-2] == 0:
        raise LinAlgError("cond is not defined on empty arrays")
    if p is None or p in {2, -2}:
        s = np.linalg.svd(x, compute_uv=False)
        with np.errstate(all="ignore"):
            r = s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    else:
        if x.shape[-1] != x.shape[-2]:
            raise LinAlgError("Last 2 dimensions of the array must be square")
        from ._linalg_dense import _check_stacked, _common_type, _run

        _check_stacked(x)
        t, result_t = _common_type(x)
        (invx,) = _run("inv-or-nan", [x], t)  # in double precision, as NumPy
        with np.errstate(all="ignore"):
            r = np.linalg.norm(x, p, axis=(-2, -1)) * np.linalg.norm(invx, p, axis=(-2, -1))
        real = np.empty(0, dtype=result_t).real.dtype
        if r.dtype != real:
            r = r.astype(real)
    nan_mask = np.isnan(r) & ~np.isnan(x).any(axis=(-2, -1))
    return np.where(nan_mask, np.inf, r).astype(r.dtype)
