"""Matrix products: ``matmul``/``@`` (batched, broadcast batch axes) and ``dot``. Block products
run in Rust (GEMM for floats); the contracted axis is summed over blocks in the same task."""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of


def _loop_dtype(a, b) -> np.dtype:
    from ._elementwise import resolve

    (da, db), _ = resolve(np.matmul, (a, b))
    if da != db:
        raise TypeError(f"matmul: no common loop for {da} and {db}")
    return da


def matmul(a, b, /) -> Array:
    """``a @ b`` with NumPy's rules for 1-d operands (promoted, then the axis removed)."""
    dt = _loop_dtype(a, b)
    x, y = Array(node_of(a, dt)), Array(node_of(b, dt))
    for i, v in enumerate((x, y)):
        if v.ndim == 0:
            raise ValueError(
                f"matmul: Input operand {i} does not have enough dimensions (has 0, gufunc core "
                f"with signature (n?,k),(k,m?)->(n?,m?) requires 1)")
    squeeze = []
    if x.ndim == 1:
        x = Array(_core.reshape(x._node, [1, x.shape[0]]))
        squeeze.append(-2)
    if y.ndim == 1:
        y = Array(_core.reshape(y._node, [y.shape[0], 1]))
        squeeze.append(-1)
    out = Array(_core.matmul(x._node, y._node))
    if squeeze:
        shape = list(out.shape)
        for ax in sorted(squeeze):  # -2 before -1: both index the shape as it shrinks
            shape.pop(ax)
        out = Array(_core.reshape(out._node, shape))
    return out


@implements(np.dot)
def dot(a, b, out=None) -> Array:
    """NumPy's ``dot``: products for 0-d, ``matmul`` up to 2-d, else a sum over the last axis of
    ``a`` and the second-to-last of ``b`` (via transpose + reshape + matmul)."""
    a = a if isinstance(a, Array) else Array(node_of(a))
    b = b if isinstance(b, Array) else Array(node_of(b))
    if a.ndim == 0 or b.ndim == 0:
        result = np.multiply(a, b)
    elif b.ndim <= 2 or a.ndim == 1 and b.ndim == 1:
        if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
            raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {a.shape[-1]} (dim "
                             f"{a.ndim - 1}) != {b.shape[0 if b.ndim == 1 else -2]} (dim "
                             f"{0 if b.ndim == 1 else b.ndim - 2})")
        result = matmul(a, b) if a.ndim <= 2 else matmul(a.reshape(-1, a.shape[-1]), b).reshape(
            a.shape[:-1] + b.shape[1:])
    else:
        from ._manipulation import moveaxis

        k = a.shape[-1]
        if b.shape[-2] != k:
            raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {k} (dim {a.ndim - 1}) "
                             f"!= {b.shape[-2]} (dim {b.ndim - 2})")
        bm = moveaxis(b, -2, 0).reshape(k, -1)
        result = matmul(a.reshape(-1, k), bm).reshape(a.shape[:-1] + b.shape[:-2] + b.shape[-1:])
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "dot")
    return result


@implements(np.vdot)
def vdot(a, b) -> Array:
    a = a if isinstance(a, Array) else Array(node_of(a))
    return matmul(np.conjugate(a).reshape(-1), (b if isinstance(b, Array) else Array(node_of(b))).reshape(-1))
