"""Differences and their integrals: ``diff``, ``ediff1d``, ``gradient``, ``trapezoid``.

NumPy's formulas on lazy shifted slices (``x[1:] - x[:-1]`` and the like), joined with
``concatenate``: one fused pass per output chunk, no kernel of their own. Spacing given as
coordinate arrays is reduced to its differences first, as NumPy does; a coordinate array that is
an oxarray Array is computed at the call (NumPy picks the uniform or non-uniform formula from its
values).
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of
from ._manipulation import broadcast_to, concatenate, reshape
from ._rearranging import axis_slice

__all__ = ["diff", "ediff1d", "gradient", "trapezoid"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _cast(x: Array, dtype) -> Array:
    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else Array(_core.cast(x._node, dtype.name))


@implements(np.diff)
def diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """The ``n``-th discrete difference along ``axis`` (``not_equal`` for booleans)."""
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    n = operator.index(n)
    x = _arr(a)
    if x.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis_index(axis, x.ndim)
    combined = []
    for extra, at_start in ((prepend, True), (append, False)):
        if extra is np._NoValue:
            continue
        e = _arr(extra)
        if e.ndim == 0:
            shape = list(x.shape)
            shape[axis] = 1
            e = broadcast_to(e, shape)
        combined.append((at_start, e))
    if combined:
        parts = [e for s, e in combined if s] + [x] + [e for s, e in combined if not s]
        x = concatenate(parts, axis)
    op = np.not_equal if x.dtype == np.bool_ else np.subtract
    for _ in range(n):
        m = x.shape[axis]
        x = apply_ufunc(op, axis_slice(x, axis, 1, None), axis_slice(x, axis, 0, max(m - 1, 0)))
    return x


@implements(np.ediff1d)
def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with ``to_begin``/``to_end`` around them (all in
    ``ary``'s dtype)."""
    x = reshape(_arr(ary), -1)
    dt = x.dtype
    n = x.shape[0]
    d = apply_ufunc(np.subtract, axis_slice(x, 0, 1, None), axis_slice(x, 0, 0, max(n - 1, 0)))
    if to_begin is None and to_end is None:
        return d
    parts = []
    for extra, name in ((to_begin, "to_begin"), (to_end, "to_end")):
        if extra is None:
            parts.append(None)
            continue
        e = _arr(extra)
        if not np.can_cast(e.dtype, dt, casting="same_kind"):
            raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under the "
                            f"`same_kind` rule.")
        parts.append(_cast(reshape(e, -1), dt))
    d = _cast(d, dt)
    return concatenate([p for p in (parts[0], d, parts[1]) if p is not None], 0)


@implements(np.trapezoid)
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Trapezoidal rule along ``axis``: ``sum(d * (y[1:] + y[:-1]) / 2)``."""
    y = _arr(y)
    nd = y.ndim
    if not -nd <= axis < nd:
        raise IndexError("list assignment index out of range")
    if x is None:
        d = dx
    else:
        x = _arr(x)
        if x.ndim == 1:
            d = diff(x)
            shape = [1] * nd
            shape[axis] = d.shape[0]
            d = reshape(d, shape)
        else:
            d = diff(x, axis=axis)
    m = y.shape[axis]
    ax = axis % nd
    mid = apply_ufunc(np.add, axis_slice(y, ax, 1, None), axis_slice(y, ax, 0, max(m - 1, 0)))
    terms = apply_ufunc(np.divide, apply_ufunc(np.multiply, d, mid), 2.0)
    from ._statistical import sum as ox_sum

    return ox_sum(terms, axis=axis)


def _spacings(f: Array, varargs, axes):
    n = len(varargs)
    if n == 0:
        return [1.0] * len(axes)
    if n == 1 and np.ndim(varargs[0]) == 0:
        return list(varargs) * len(axes)
    if n != len(axes):
        raise TypeError("invalid number of arguments")
    dx = list(varargs)
    for i, distances in enumerate(dx):
        if isinstance(distances, Array):
            distances = distances.compute()  # the formula depends on whether they are uniform
        distances = np.asanyarray(distances)
        if distances.ndim == 0:
            continue
        if distances.ndim != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(distances) != f.shape[axes[i]]:
            raise ValueError("when 1d, distances must match the length of the corresponding "
                             "dimension")
        if np.issubdtype(distances.dtype, np.integer):
            distances = distances.astype(np.float64)
        diffx = np.diff(distances)
        if (diffx == diffx[0]).all():
            diffx = diffx[0]
        dx[i] = diffx
    return dx


def _combo(coefs, parts):
    """``a * p0 + b * p1 + c * p2`` (NumPy's evaluation order)."""
    terms = [apply_ufunc(np.multiply, c, p) for c, p in zip(coefs, parts, strict=True)]
    out = terms[0]
    for t in terms[1:]:
        out = apply_ufunc(np.add, out, t)
    return out


def _along(v, axis: int, ndim: int):
    """A 1-d NumPy array of coefficients shaped to broadcast along ``axis``."""
    if np.ndim(v) == 0:
        return v
    shape = [1] * ndim
    shape[axis] = -1
    return np.asarray(v).reshape(shape)


@implements(np.gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """Second-order central differences inside, one-sided (``edge_order`` 1 or 2) at the edges,
    with scalar or coordinate-array spacing per axis: NumPy's formulas on lazy slices."""
    f = _arr(f)
    N = f.ndim
    axes = tuple(range(N)) if axis is None else normalize_axis_tuple(axis, N)
    dx = _spacings(f, varargs, axes)
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    otype = f.dtype
    if otype.kind not in "fc":
        if otype.kind in "iu":
            f = _cast(f, np.float64)
        otype = np.dtype(np.float64)
    outvals = []
    for ax, ax_dx in zip(axes, dx, strict=True):
        n = f.shape[ax]
        if n < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at "
                             "least (edge_order + 1) elements are required.")
        uniform = np.ndim(ax_dx) == 0

        def s(start, stop=None, ax=ax, n=n):
            start = start % n if start < 0 else start
            stop = n if stop is None else (stop % n if stop < 0 else stop)
            return axis_slice(f, ax, start, stop)

        if uniform:
            inner = apply_ufunc(np.divide, apply_ufunc(np.subtract, s(2), s(0, -2)), 2.0 * ax_dx)
        else:
            dx1, dx2 = ax_dx[0:-1], ax_dx[1:]
            a = -dx2 / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            inner = _combo([_along(v, ax, N) for v in (a, b, c)], [s(0, -2), s(1, -1), s(2)])
        if edge_order == 1:
            d0 = ax_dx if uniform else ax_dx[0]
            dn = ax_dx if uniform else ax_dx[-1]
            first = apply_ufunc(np.divide, apply_ufunc(np.subtract, s(1, 2), s(0, 1)), d0)
            last = apply_ufunc(np.divide, apply_ufunc(np.subtract, s(n - 1), s(n - 2, n - 1)), dn)
        else:
            if uniform:
                a, b, c = -1.5 / ax_dx, 2.0 / ax_dx, -0.5 / ax_dx
            else:
                dx1, dx2 = ax_dx[0], ax_dx[1]
                a = -(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))
                b = (dx1 + dx2) / (dx1 * dx2)
                c = -dx1 / (dx2 * (dx1 + dx2))
            first = _combo([a, b, c], [s(0, 1), s(1, 2), s(2, 3)])
            if uniform:
                a, b, c = 0.5 / ax_dx, -2.0 / ax_dx, 1.5 / ax_dx
            else:
                dx1, dx2 = ax_dx[-2], ax_dx[-1]
                a = dx2 / (dx1 * (dx1 + dx2))
                b = -(dx2 + dx1) / (dx1 * dx2)
                c = (2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))
            last = _combo([a, b, c], [s(n - 3, n - 2), s(n - 2, n - 1), s(n - 1)])
        parts = [_cast(p, otype) for p in (first, inner, last)]
        outvals.append(concatenate(parts if n > 2 else [parts[0], parts[2]], ax))
    return outvals[0] if len(axes) == 1 else tuple(outvals)
