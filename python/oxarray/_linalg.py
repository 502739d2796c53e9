"""Matrix products: ``matmul``/``@`` (batched, broadcast batch axes) and ``dot``. Block products
run in Rust (GEMM for floats); the contracted axis is summed over blocks in the same task."""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core, _errstate
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
    return _product(a, b, "matmul")


def _product(a, b, site: str) -> Array:
    """``matmul(a, b)``; its floating-point errors are reported as NumPy's ``site`` ("overflow
    encountered in matmul", "... in dot") under the error state in force now."""
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
    out = Array(_core.matmul(x._node, y._node, _errstate.capture(site)))
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
        result = _product(a, b, "dot") if a.ndim <= 2 else _product(
            a.reshape(-1, a.shape[-1]), b, "dot").reshape(a.shape[:-1] + b.shape[1:])
    else:
        from ._manipulation import moveaxis

        k = a.shape[-1]
        if b.shape[-2] != k:
            raise ValueError(f"shapes {a.shape} and {b.shape} not aligned: {k} (dim {a.ndim - 1}) "
                             f"!= {b.shape[-2]} (dim {b.ndim - 2})")
        bm = moveaxis(b, -2, 0).reshape(k, -1)
        result = _product(a.reshape(-1, k), bm, "dot").reshape(
            a.shape[:-1] + b.shape[:-2] + b.shape[-1:])
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "dot")
    return result


@implements(np.vdot)
def vdot(a, b, /) -> Array:
    """``sum(conj(a.ravel()) * b.ravel())`` through ``matmul``, so integers wrap and bool is an
    or-of-ands as in NumPy; unequal sizes raise NumPy's reshape error."""
    a, b = _as(a).reshape(-1), _as(b)
    if b.size != a.size:
        raise ValueError(f"cannot reshape array of size {b.size} into shape ({a.size},)")
    if a.dtype.kind == "c":
        a = np.conjugate(a)
    return matmul(a, b.reshape(-1))


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
        n = int(axes)  # (a negative n gives empty ranges: NumPy 2's outer product)
        ax_a, ax_b = list(range(-n, 0)), list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
    if len(set(ax_a)) != len(ax_a) or len(set(ax_b)) != len(ax_b):
        raise ValueError("duplicate axes are not allowed in tensordot")
    if len(ax_a) != len(ax_b):
        raise ValueError("shape-mismatch for sum")
    # Pairs are checked in order on the axes as given, as NumPy does: an axis out of range is
    # the IndexError of the shape lookup, unless an earlier pair already mismatched.
    for i, j in zip(ax_a, ax_b, strict=True):
        if a.shape[i] != b.shape[j]:
            raise ValueError("shape-mismatch for sum")
    ax_a = [x % a.ndim if a.ndim else x for x in ax_a]
    ax_b = [x % b.ndim if b.ndim else x for x in ax_b]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [j for j in range(b.ndim) if j not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a], dtype=np.int64))
    # (explicit extents: with k == 0 a -1 could not be inferred)
    ma = transpose(a, free_a + ax_a).reshape(math.prod(a.shape[i] for i in free_a), k)
    mb = transpose(b, ax_b + free_b).reshape(k, math.prod(b.shape[j] for j in free_b))
    shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[j] for j in free_b)
    return _product(ma, mb, "dot").reshape(shape)  # NumPy's tensordot is a dot


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


# --- diagonals and traces ----------------------------------------------------------------------


def _diagonal_last(x: Array, offset) -> Array:
    """The diagonal of the last two axes, as a new last axis: each matrix flattened and read
    with stride ``m + 1`` (a reshape and one strided slice, both lazy; no new graph op)."""
    offset = operator.index(offset)
    n, m = x.shape[-2:]
    if offset >= 0:
        length, start = max(0, min(n, m - offset)), offset
    else:
        length, start = max(0, min(n + offset, m)), -offset * m
    flat = x.reshape(x.shape[:-2] + (n * m,))
    if length == 0:
        return flat[..., 0:0]
    return flat[..., start : start + (length - 1) * (m + 1) + 1 : m + 1]


@implements(np.diagonal)
def diagonal(a, offset=0, axis1=0, axis2=1) -> Array:
    """NumPy's ``diagonal``: the diagonal of the ``(axis1, axis2)`` planes as the last axis."""
    from ._manipulation import moveaxis

    x = _as(a)
    if x.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1 = normalize_axis_index(axis1, x.ndim, "axis1")
    ax2 = normalize_axis_index(axis2, x.ndim, "axis2")
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    return _diagonal_last(moveaxis(x, (ax1, ax2), (-2, -1)), offset)


@implements(np.trace)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None) -> Array:
    """The sum of the diagonal (``np.sum`` rules for ``dtype``: small integers widen)."""
    result = np.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "trace")
    return result


# --- cross products ----------------------------------------------------------------------------


@implements(np.cross)
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None) -> Array:
    """NumPy's ``cross`` for 3-vectors and (deprecated, as in NumPy 2) 2-vectors, whose missing
    z component is zero; built from component slices, so it stays lazy and fuses."""
    from ._manipulation import moveaxis, stack

    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _as(a), _as(b)
    if a.ndim < 1 or b.ndim < 1:
        raise ValueError("At least one array has zero dimension")
    a = moveaxis(a, normalize_axis_index(axisa, a.ndim, "axisa"), -1)
    b = moveaxis(b, normalize_axis_index(axisb, b.ndim, "axisb"), -1)
    na, nb = a.shape[-1], b.shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    if na == 2 or nb == 2:
        # stacklevel 4: past this function and the two dispatch frames, to the caller of np.cross.
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=4)
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    if na == 3 or nb == 3:
        axisc = normalize_axis_index(axisc, len(shape) + 1, "axisc")
    dtype = np.promote_types(a.dtype, b.dtype)
    a, b = a.astype(dtype), b.astype(dtype)
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    if na == 2:
        b2 = b[..., 2]
        x, y = a1 * b2, -(a0 * b2)
    elif nb == 2:
        a2 = a[..., 2]
        x, y = -(a2 * b1), a2 * b0
    else:
        a2, b2 = a[..., 2], b[..., 2]
        x, y = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2
    parts = [np.broadcast_to(p, shape) if p.shape != shape else p for p in (x, y, z)]
    return moveaxis(stack(parts, axis=-1), -1, axisc)


# --- NumPy 2's Array API functions in np.linalg ------------------------------------------------


@implements(np.linalg.diagonal)
def linalg_diagonal(x, /, *, offset=0) -> Array:
    return diagonal(x, offset, axis1=-2, axis2=-1)


@implements(np.linalg.trace)
def linalg_trace(x, /, *, offset=0, dtype=None) -> Array:
    return trace(x, offset, axis1=-2, axis2=-1, dtype=dtype)


@implements(np.linalg.cross)
def linalg_cross(x1, x2, /, *, axis=-1) -> Array:
    """``np.cross`` restricted to 3-vectors, as the Array API requires."""
    x1, x2 = _as(x1), _as(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, but they "
                         f"are {x1.shape[axis]} and {x2.shape[axis]} dimensional instead.")
    return cross(x1, x2, axis=axis)


@implements(np.linalg.outer)
def linalg_outer(x1, x2, /) -> Array:
    x1, x2 = _as(x1), _as(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError("Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={x1.ndim} and x2.ndim={x2.ndim}.")
    return outer(x1, x2)


@implements(np.linalg.matmul)
def linalg_matmul(x1, x2, /) -> Array:
    return matmul(x1, x2)


@implements(np.linalg.tensordot)
def linalg_tensordot(x1, x2, /, *, axes=2) -> Array:
    return tensordot(x1, x2, axes=axes)


@implements(np.linalg.matrix_transpose, np.matrix_transpose)
def matrix_transpose(x, /) -> Array:
    from ._manipulation import swapaxes

    x = _as(x)
    if x.ndim < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {x.ndim}")
    return swapaxes(x, -1, -2)


@implements(np.linalg.vecdot)
def vecdot(x1, x2, /, *, axis=-1) -> Array:
    """``sum(conj(x1) * x2)`` over ``axis`` of each operand (the other axes broadcast), in the
    dtype NumPy's ``vecdot`` loop uses: no widening of small integers, or-of-ands for bool."""
    from ._manipulation import moveaxis

    x1, x2 = _as(x1), _as(x2)
    for i, v in enumerate((x1, x2)):
        if v.ndim == 0:
            raise ValueError(f"vecdot: Input operand {i} does not have enough dimensions (has 0, "
                             "gufunc core with signature (n),(n)->() requires 1)")
    # The loop dtype, as NumPy resolves it, from empty stand-ins of the operands.
    dt = np.vecdot(np.empty((0,), x1.dtype), np.empty((0,), x2.dtype)).dtype
    x1 = moveaxis(x1, normalize_axis_index(axis, x1.ndim), -1).astype(dt)
    x2 = moveaxis(x2, normalize_axis_index(axis, x2.ndim), -1).astype(dt)
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError("vecdot: Input operand 1 has a mismatch in its core dimension 0, with "
                         "gufunc signature (n),(n)->() (size "
                         f"{x2.shape[-1]} is different from {x1.shape[-1]})")
    if dt.kind == "b":
        return np.any(x1 & x2, axis=-1)
    if dt.kind == "c":
        x1 = np.conjugate(x1)
    return np.sum(x1 * x2, axis=-1, dtype=dt)
