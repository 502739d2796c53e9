"""Building matrices and grids: ``tri``/``tril``/``triu``, ``diag``/``diagflat``, ``meshgrid``,
``indices``.

Masks come from lazy ``arange`` rows and columns compared by broadcasting, values are placed with
``where``; grids are reshapes and broadcasts. No kernel of their own.
"""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype, node_of
from ._manipulation import broadcast_arrays, broadcast_to, concatenate, reshape, stack
from ._searching import where as _where

__all__ = ["diag", "diagflat", "indices", "meshgrid", "tri", "tril", "triu"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _arange(n: int) -> Array:
    return Array(_core.arange(0, 1, n, "int64", "auto"))


def _tri_mask(N: int, M: int, k: int) -> Array:
    """``j <= i + k``, lazily, as a bool ``(N, M)`` array."""
    rows = reshape(apply_ufunc(np.add, _arange(N), k), (N, 1))
    cols = reshape(_arange(M), (1, M))
    return apply_ufunc(np.greater_equal, rows, cols)


def tri(N, M=None, k=0, dtype=float, *, like=None, chunks="auto"):
    """Ones at and below the ``k``-th diagonal of an ``N`` x ``M`` array."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(k)
    if N < 0 or M < 0:
        raise ValueError("negative dimensions are not allowed")
    m = _tri_mask(N, M, k)
    dt = check_dtype(dtype)
    out = m if dt == np.bool_ else Array(_core.cast(m._node, dt.name))
    return out if chunks == "auto" else out.rechunk(chunks)


@implements(np.tril)
def tril(m, k=0):
    """``m`` with the elements above the ``k``-th diagonal zeroed (over the last two axes)."""
    x = _arr(m)
    mask = _tri_mask(*x.shape[-2:], operator.index(k)) if x.ndim >= 2 else \
        _tri_mask(x.shape[-1], x.shape[-1], operator.index(k))
    return _where(mask, x, np.zeros(1, x.dtype)[0])


@implements(np.triu)
def triu(m, k=0):
    """``m`` with the elements below the ``k``-th diagonal zeroed (over the last two axes)."""
    x = _arr(m)
    shape = x.shape[-2:] if x.ndim >= 2 else (x.shape[-1], x.shape[-1])
    mask = _tri_mask(*shape, operator.index(k) - 1)
    return _where(mask, np.zeros(1, x.dtype)[0], x)


@implements(np.diag)
def diag(v, k=0):
    """The ``k``-th diagonal of a 2-d array (a lazy strided view), or a 2-d array with the 1-d
    ``v`` on its ``k``-th diagonal (``where`` over an ``eye`` mask)."""
    x = _arr(v)
    k = operator.index(k)
    if x.ndim == 2:
        from ._linalg import diagonal

        return diagonal(x, k)
    if x.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = x.shape[0] + abs(k)
    mask = Array(_core.eye(n, n, k, "bool", "auto"))
    if abs(k):
        zeros = Array(_core.full([abs(k)], x.dtype.name, 0, "auto"))
        x = concatenate([x, zeros], 0)
    vals = reshape(x, (n, 1)) if k >= 0 else reshape(x, (1, n))
    return _where(mask, vals, np.zeros(1, x.dtype)[0])


@implements(np.diagflat)
def diagflat(v, k=0):
    return diag(reshape(_arr(v), -1), k)


@implements(np.meshgrid)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate matrices from coordinate vectors: reshapes and broadcasts (lazy, no copy)."""
    ndim = len(xi)
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    s0 = (1,) * ndim
    output = [reshape(_arr(x), s0[:i] + (-1,) + s0[i + 1:]) for i, x in enumerate(xi)]
    if indexing == "xy" and ndim > 1:
        output[0] = reshape(output[0], (1, -1) + s0[2:])
        output[1] = reshape(output[1], (-1, 1) + s0[2:])
    if not sparse:
        output = list(broadcast_arrays(*output))
    return tuple(output)


def indices(dimensions, dtype=int, sparse=False, *, chunks="auto"):
    """An array (or, with ``sparse``, a tuple of arrays) of grid indices: lazy ``arange``s."""
    dimensions = tuple(operator.index(d) for d in dimensions)
    N = len(dimensions)
    dt = check_dtype(dtype)
    shape = (1,) * N
    res = []
    for i, dim in enumerate(dimensions):
        idx = reshape(Array(_core.arange(0, 1, dim, dt.name, "auto")), shape[:i] + (dim,) + shape[i + 1:])
        res.append(idx if sparse else broadcast_to(idx, dimensions))
    if sparse:
        return tuple(res)
    if not res:
        return Array(_core.full([0], dt.name, 0, "auto"))
    out = stack(res, 0)
    return out if chunks == "auto" else out.rechunk(chunks)
