"""Selecting by integer indices: ``take``, ``take_along_axis``, ``choose``, ``select`` and the
index helpers (``diag_indices``, ``tril_indices``, ``triu_indices`` and their ``_from`` forms,
``unravel_index``, ``ravel_multi_index``).

``take`` and ``take_along_axis`` are integer-array indexing (a lazy Rust gather per block); their
indices are arguments, checked at the call (an oxarray Array of indices is computed at the call).
``choose`` and ``select`` are chains of ``where`` (fused into one pass); ``unravel_index`` and
``ravel_multi_index`` are elementwise compositions.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _known(indices) -> np.ndarray:
    """Index values (an argument): NumPy data as given, an oxarray Array computed at the call."""
    a = indices.compute() if isinstance(indices, Array) else np.asarray(indices)
    if a.dtype.kind not in "iu":
        if a.size == 0 and not isinstance(indices, (np.ndarray, Array)):
            return a.astype(np.intp)
        raise TypeError(f"Cannot cast array data from {a.dtype!r} to dtype('int64') according to "
                        f"the rule 'safe'")
    return a


def _normalize(idx: np.ndarray, n: int, axis: int, mode: str) -> np.ndarray:
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got '{mode}')")
    if idx.size and n == 0:
        raise IndexError("cannot do a non-empty take from an empty axes.")
    if mode == "wrap":
        return np.mod(idx, n) if idx.size else idx.astype(np.intp)
    if mode == "clip":
        return np.clip(idx, 0, n - 1) if idx.size else idx.astype(np.intp)
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"index {idx[bad].flat[0]} is out of bounds for axis {axis} with size {n}")
    return np.where(idx < 0, idx + n, idx) if idx.size else idx.astype(np.intp)


@implements(np.take)
def take(a, indices, axis=None, out=None, mode="raise") -> Array:
    """``a`` indexed by ``indices`` along ``axis`` (the flattened ``a`` when ``axis`` is None),
    with NumPy's ``mode`` ('raise', 'wrap', 'clip'). Lazy gather; the indices are checked at the
    call (an oxarray Array of indices is computed there).

    >>> import numpy as np, oxarray as ox
    >>> ox.take(ox.asarray(np.arange(10) * 2), [3, -1]).compute()
    array([ 6, 18])
    """
    from ._indexing import _take_points
    from ._manipulation import ravel

    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis_index(axis, a.ndim)
    idx = _normalize(_known(indices), a.shape[axis], axis, mode)
    result = _take_points(a, [idx], [axis], [a.shape[axis]], True)
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "take")
    return result


def along_axis_key(shape, indices: np.ndarray, axis: int):
    """NumPy's fancy index for ``take_along_axis``/``put_along_axis``: ``indices`` on ``axis``,
    broadcast ``arange``s elsewhere (index arguments: built by NumPy)."""
    if indices.ndim != len(shape):
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    key = []
    for d, n in enumerate(shape):
        if d == axis:
            key.append(indices)
        else:
            key.append(np.arange(n).reshape([n if i == d else 1 for i in range(len(shape))]))
    return tuple(key)


@implements(np.take_along_axis)
def take_along_axis(arr, indices, axis=-1) -> Array:
    """``arr`` indexed along ``axis`` by ``indices`` broadcast against the other axes (lazy
    gather; indices checked at the call)."""
    from ._manipulation import ravel

    arr = _arr(arr)
    idx = _known(indices)
    if axis is None:
        if idx.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr, axis = ravel(arr), 0
    axis = normalize_axis_index(axis, arr.ndim)
    return arr[along_axis_key(arr.shape, idx, axis)]


@implements(np.choose)
def choose(a, choices, out=None, mode="raise") -> Array:
    """``choices[a[i]][i]`` for every ``i`` (broadcast): a chain of ``where`` (fused). With
    ``mode='raise'`` the range of ``a`` is checked at the call (an oxarray ``a`` is reduced to its
    min and max there)."""
    from ._data_types import result_type_of
    from ._searching import where

    a = _arr(a)
    if a.dtype.kind not in "iub":
        raise TypeError(f"Cannot cast array data from {a.dtype!r} to dtype('int64') according to "
                        f"the rule 'safe'")
    choices = [_arr(c) for c in choices]
    n = len(choices)
    if n == 0:
        raise ValueError("0-length sequence.")
    np.broadcast_shapes(a.shape, *(c.shape for c in choices))
    if mode == "raise":
        if a.size and (int(a.min()) < 0 or int(a.max()) >= n):
            raise ValueError("invalid entry in choice array")
    elif mode == "wrap":
        a = a % n
    elif mode == "clip":
        a = np.clip(a, 0, n - 1)
    else:
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got '{mode}')")
    dt = result_type_of(*choices)
    result = Array(node_of(choices[-1], dt))
    for k in range(n - 2, -1, -1):
        result = where(a == k, Array(node_of(choices[k], dt)), result)
    shape = np.broadcast_shapes(a.shape, *(c.shape for c in choices))
    if result.shape != shape:
        result = Array(_core.broadcast_to(result._node, list(shape)))
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "choose")
    return result


@implements(np.select)
def select(condlist, choicelist, default=0) -> Array:
    """The first ``choicelist[k]`` whose ``condlist[k]`` holds, else ``default``: a chain of
    ``where`` (fused into one pass)."""
    from ._searching import where

    condlist, choicelist = list(condlist), list(choicelist)
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    choices = [_arr(c) for c in choicelist]
    from ._data_types import result_type_of

    default_arr = default if isinstance(default, Array) else np.asarray(default)
    dt = result_type_of(*choices, default)  # a Python scalar default is weak, as in NumPy
    conds = []
    for i, c in enumerate(condlist):
        c = _arr(c)
        if c.dtype != bool:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
        conds.append(c)
    shape = np.broadcast_shapes(*(c.shape for c in conds), *(c.shape for c in choices),
                                default_arr.shape)
    result = Array(node_of(_arr(default_arr), dt))
    for c, v in zip(conds[::-1], choices[::-1], strict=True):
        result = where(c, Array(node_of(v, dt)), result)
    if result.shape != tuple(shape):
        result = Array(_core.broadcast_to(result._node, list(shape)))
    return result


# --- index helpers --------------------------------------------------------------------------------
def diag_indices(n, ndim=2) -> tuple[Array, ...]:
    """``ndim`` copies of ``arange(n)`` (lazy), as NumPy's ``diag_indices``."""
    from ._creation import arange

    idx = arange(operator.index(n))
    return (idx,) * operator.index(ndim)


@implements(np.diag_indices_from)
def diag_indices_from(arr) -> tuple[Array, ...]:
    arr = _arr(arr)
    if arr.ndim < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(arr.shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(arr.shape[0], arr.ndim)


def _tri_mask(n: int, k: int, m: int | None, lower: bool) -> Array:
    from ._creation import arange

    m = n if m is None else operator.index(m)
    i = Array(_core.reshape(arange(operator.index(n))._node, [n, 1]))
    j = Array(_core.reshape(arange(m)._node, [1, m]))
    return (j <= i + k) if lower else (j >= i + k)


def tril_indices(n, k=0, m=None) -> tuple[Array, Array]:
    """Indices of the lower triangle of an ``(n, m)`` array: ``nonzero`` of the lazy triangle
    mask (whose size pass computes the mask, as ``nonzero`` does)."""
    from ._masking import nonzero

    return nonzero(_tri_mask(n, operator.index(k), m, True))


def triu_indices(n, k=0, m=None) -> tuple[Array, Array]:
    """Indices of the upper triangle of an ``(n, m)`` array (as ``tril_indices``)."""
    from ._masking import nonzero

    return nonzero(_tri_mask(n, operator.index(k), m, False))


@implements(np.tril_indices_from)
def tril_indices_from(arr, k=0) -> tuple[Array, Array]:
    arr = _arr(arr)
    if arr.ndim != 2:
        raise ValueError("input array must be 2-d")
    return tril_indices(arr.shape[-2], k=k, m=arr.shape[-1])


@implements(np.triu_indices_from)
def triu_indices_from(arr, k=0) -> tuple[Array, Array]:
    arr = _arr(arr)
    if arr.ndim != 2:
        raise ValueError("input array must be 2-d")
    return triu_indices(arr.shape[-2], k=k, m=arr.shape[-1])


def _dims(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    return tuple(operator.index(s) for s in shape)


@implements(np.unravel_index)
def unravel_index(indices, shape, order="C") -> tuple[Array, ...]:
    """The coordinates of flat ``indices`` in an array of ``shape``: elementwise ``//`` and ``%``
    (lazy). The bounds are checked at the call (an oxarray Array is reduced to its min and max)."""
    dims = _dims(shape)
    idx = _arr(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError("only int indices permitted")
    if order not in ("C", "F"):
        raise ValueError("only 'C' or 'F' order is permitted")
    size = int(np.prod(dims, dtype=np.int64))
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= size:
            bad = lo if lo < 0 else hi
            raise ValueError(f"index {bad} is out of bounds for array with size {size}")
    idx = idx.astype(np.intp)
    out = [None] * len(dims)
    axes = range(len(dims) - 1, -1, -1) if order == "C" else range(len(dims))
    rem = idx
    for d in axes:
        out[d] = rem % dims[d] if dims[d] else rem
        rem = rem // dims[d] if dims[d] else rem
    return tuple(out)


@implements(np.ravel_multi_index)
def ravel_multi_index(multi_index, dims, mode="raise", order="C") -> Array:
    """Flat indices of the coordinate arrays ``multi_index`` in an array of ``dims``: an
    elementwise sum of products (lazy); ``mode='raise'`` checks the bounds at the call."""
    dims = _dims(dims)
    coords = [_arr(c) for c in multi_index]
    if len(coords) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}")
    modes = (mode,) * len(dims) if isinstance(mode, str) else tuple(mode)
    strides = [0] * len(dims)
    s = 1
    for d in (range(len(dims) - 1, -1, -1) if order == "C" else range(len(dims))):
        strides[d] = s
        s *= dims[d]
    flat = None
    for c, n, st, md in zip(coords, dims, strides, modes, strict=True):
        if c.dtype.kind not in "iu":
            raise TypeError("only int indices permitted")
        c = c.astype(np.intp)
        if md == "raise":
            if c.size and (int(c.min()) < 0 or int(c.max()) >= n):
                raise ValueError("invalid entry in coordinates array")
        elif md == "wrap":
            c = c % n
        elif md == "clip":
            c = np.clip(c, 0, n - 1)
        else:
            raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got '{md}')")
        term = c * st
        flat = term if flat is None else flat + term
    return flat
