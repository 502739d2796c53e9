"""Matrix products: ``matmul``/``@`` (batched, broadcast batch axes) and ``dot``. Block products
run in Rust (GEMM for floats); the contracted axis is summed over blocks in the same task."""

from __future__ import annotations

import operator

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


def _as(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


@implements(np.outer)
def outer(a, b, out=None) -> Array:
    """``a.ravel()[:, None] * b.ravel()[None, :]`` (one broadcast multiply, no GEMM)."""
    a, b = _as(a).reshape(-1), _as(b).reshape(-1)
    result = np.multiply(a.reshape(-1, 1), b.reshape(1, -1))
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "outer")
    return result


@implements(np.tensordot)
def tensordot(a, b, axes=2) -> Array:
    """NumPy's ``tensordot``: the contracted axes moved together, then one ``matmul``."""
    from ._manipulation import transpose

    a, b = _as(a), _as(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0:
            raise ValueError("negative axes not supported")  # pragma: no cover - NumPy's own
        ax_a, ax_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
    if len(ax_a) != len(ax_b):
        raise ValueError("shape-mismatch for sum")
    ax_a = [x % a.ndim if a.ndim else x for x in ax_a]
    ax_b = [x % b.ndim if b.ndim else x for x in ax_b]
    if any(a.shape[i] != b.shape[j] for i, j in zip(ax_a, ax_b)):
        raise ValueError("shape-mismatch for sum")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [j for j in range(b.ndim) if j not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a], dtype=np.int64))
    ma = transpose(a, free_a + ax_a).reshape(-1, k)
    mb = transpose(b, ax_b + free_b).reshape(k, -1)
    shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[j] for j in free_b)
    return matmul(ma, mb).reshape(shape)


@implements(np.inner)
def inner(a, b) -> Array:
    """Sum over the last axes of ``a`` and ``b`` (a scalar operand multiplies)."""
    a, b = _as(a), _as(b)
    if a.ndim == 0 or b.ndim == 0:
        return np.multiply(a, b)
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {a.shape[-1]} (dim "
                         f"{a.ndim - 1}) != {b.shape[-1]} (dim {b.ndim - 1})")
    return tensordot(a, b, axes=([-1], [-1]))


@implements(np.linalg.multi_dot)
def multi_dot(arrays, *, out=None) -> Array:
    """Chained ``dot`` of 2-d arrays (first and last may be 1-d), multiplied in the cheapest
    order for three operands as NumPy does; left to right otherwise."""
    xs = [_as(x) for x in arrays]
    if len(xs) < 2:
        raise ValueError("Expecting at least two arrays.")
    for i, x in enumerate(xs):
        if x.ndim != 2 and not (x.ndim == 1 and i in (0, len(xs) - 1)):
            raise ValueError(f"{x.ndim}-dimensional array given. Array must be two-dimensional")
    if len(xs) == 3:
        a, b, c = xs
        p0, p1 = (a.shape[0] if a.ndim == 2 else 1), a.shape[-1]
        p2, p3 = b.shape[1], (c.shape[1] if c.ndim == 2 else 1)
        if p0 * p1 * p2 + p0 * p2 * p3 <= p1 * p2 * p3 + p0 * p1 * p3:
            result = dot(dot(a, b), c)
        else:
            result = dot(a, dot(b, c))
    else:
        result = xs[0]
        for x in xs[1:]:
            result = dot(result, x)
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "multi_dot")
    return result


@implements(np.linalg.matrix_power)
def matrix_power(a, n) -> Array:
    """``a @ a @ ... @ a`` by repeated squaring; a negative ``n`` takes the inverse first, as
    NumPy does (so integer input then gives float64, and a singular matrix raises
    ``LinAlgError`` at compute time)."""
    from numpy.linalg import LinAlgError

    a = _as(a)
    if a.ndim < 2:
        raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")
    if a.shape[-1] != a.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    if n < 0:
        from ._linalg_dense import inv

        a, n = inv(a), -n
    if n == 0:
        from ._creation import eye
        from ._manipulation import broadcast_to

        return broadcast_to(eye(a.shape[-1], dtype=a.dtype), a.shape)
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result
