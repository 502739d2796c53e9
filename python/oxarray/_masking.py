"""Functions whose result shape depends on the values of a mask: ``x[mask]``, ``nonzero``,
``argwhere``, ``flatnonzero``, ``extract``, ``compress`` (and ``count_nonzero``, which does not).

The rule for all of them (as for NumPy, the shape is known when the call returns): at the call
oxarray computes the mask's blocks, keeps them (so the mask is never computed twice) and counts
the ``True`` per band of rows; that is all it computes. The selected values stay lazy: a Rust
compress kernel per band, whose output is cut by those counts. ``compress_leading`` is the one
place where this size pass happens.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _bands(y: Array, k: int) -> Array:
    """``y`` cut so that axes ``1..k`` are whole (a band of rows is then contiguous in C order);
    blocks keep about their current size."""
    if all(len(c) == 1 for c in y.chunks[1:k]):
        return y
    row = int(np.prod(y.shape[1:k], dtype=np.int64)) * int(
        np.prod([max(c) for c in y.chunks[k:]], dtype=np.int64))
    block = int(np.prod([max(c) for c in y.chunks], dtype=np.int64))
    rows = max(1, block // max(row, 1))
    return y.rechunk((rows,) + (-1,) * (k - 1) + tuple(y.chunks[k:]))


def kept_mask(mask, rows: tuple[int, ...]) -> tuple[_core.Node, list[int]]:
    """The size pass: ``mask`` (bool, NumPy or oxarray) cut in bands of ``rows`` along axis 0,
    computed once and kept; returns its blocks' node and the ``True`` count per band."""
    spec = (rows,) + (-1,) * (mask.ndim - 1)
    if isinstance(mask, Array):
        m = mask if mask.chunks == (tuple(rows),) + tuple((n,) for n in mask.shape[1:]) else mask.rechunk(spec)
    else:
        from ._creation import asarray

        m = asarray(np.asarray(mask, dtype=bool), chunks=spec)
    return _core.mask_counts(m._node)


def compress_leading(y: Array, mask) -> Array:
    """``y[mask]`` for a bool ``mask`` over the leading ``mask.ndim`` axes of ``y`` (shapes
    already checked): the size pass on the mask, then a lazy compress node."""
    y = _bands(y, mask.ndim)
    kept, counts = kept_mask(mask, y.chunks[0])
    return Array(_core.compress(y._node, kept, counts))


def _coordinates(shape, rows) -> list[Array]:
    """For each axis ``d``, the lazy int64 array of shape ``shape`` whose value is the index along
    ``d`` (broadcast ``arange``), cut in bands of ``rows`` along axis 0 and whole elsewhere."""
    out = []
    for d, n in enumerate(shape):
        chunks = rows if d == 0 else -1
        a = _core.arange(0, 1, n, "int64", (chunks,))
        a = _core.reshape(a, [n if i == d else 1 for i in range(len(shape))])
        a = _core.broadcast_to(a, list(shape))
        want = [list(rows)] + [[m] for m in shape[1:]]
        if [list(c) for c in a.chunks] != want:
            a = _core.rechunk(a, (tuple(rows),) + (-1,) * (len(shape) - 1))
        out.append(Array(a))
    return out


def _truth(a: Array) -> Array:
    return a if a.dtype == bool else Array(_core.cast(a._node, "bool"))


@implements(np.nonzero)
def nonzero(a) -> tuple[Array, ...]:
    """Indices of the non-zero elements, one int64 array per axis (NumPy's ``nonzero``).

    Shapes are known when the call returns: the mask ``a != 0`` is computed (and kept) and its
    ``True`` counted per band of rows; the indices themselves stay lazy (compress kernels).

    >>> import numpy as np, oxarray as ox
    >>> ox.nonzero(ox.asarray(np.array([[0, 3], [4, 0]])))[1].compute()
    array([1, 0])
    """
    a = _arr(a)
    if a.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "np.atleast_1d(scalar).nonzero() instead. If the context of this error "
                         "is of the form `arr[nonzero(cond)]`, just use `arr[cond]`.")
    mask = _bands(_truth(a), a.ndim)
    kept, counts = kept_mask(mask, mask.chunks[0])
    return tuple(Array(_core.compress(c._node, kept, counts))
                 for c in _coordinates(a.shape, mask.chunks[0]))


@implements(np.flatnonzero)
def flatnonzero(a) -> Array:
    """Indices of the non-zero elements of ``ravel(a)`` (size pass on ``a != 0``, as ``nonzero``)."""
    a = _arr(a)
    if a.ndim == 0:
        a = Array(_core.reshape(a._node, [1]))
    mask = _bands(_truth(a), a.ndim)
    kept, counts = kept_mask(mask, mask.chunks[0])
    coords = _coordinates(a.shape, mask.chunks[0])
    flat = coords[-1]
    stride = a.shape[-1]
    for c, n in zip(coords[-2::-1], a.shape[-2::-1], strict=True):
        flat = flat + c * stride
        stride *= n
    return Array(_core.compress(flat._node, kept, counts))


@implements(np.argwhere)
def argwhere(a) -> Array:
    """``(N, a.ndim)`` indices of the non-zero elements (size pass on ``a != 0``, as ``nonzero``)."""
    from ._manipulation import stack

    a = _arr(a)
    if a.ndim == 0:
        col = Array(_core.reshape(_truth(a)._node, [1]))
        kept, counts = kept_mask(col, col.chunks[0])
        empty = Array(_core.full([1, 0], "int64", 0, ((1,), (0,))))
        return Array(_core.compress(empty._node, kept, counts))
    out = stack(nonzero(a), axis=1)
    return out.rechunk((out.chunks[0], -1))


@implements(np.count_nonzero)
def count_nonzero(a, axis=None, *, keepdims=False) -> Array:
    """The number of non-zero elements (over ``axis``), as int64: a lazy sum of ``a != 0``."""
    from ._statistical import sum as ox_sum

    a = _arr(a)
    return ox_sum(_truth(a), axis=axis, dtype=np.intp, keepdims=keepdims)


@implements(np.extract)
def extract(condition, arr) -> Array:
    """``ravel(arr)[ravel(condition) != 0]`` (size pass on the condition, as ``nonzero``)."""
    from ._manipulation import ravel

    cond, arr = _truth(_arr(condition)), _arr(arr)
    if cond.shape == arr.shape and arr.ndim:
        return compress_leading(arr, cond)
    cond, arr = ravel(cond), ravel(arr)
    if cond.size > arr.size:
        tail = Array(_core.slice(cond._node, [(arr.size, 1, cond.size - arr.size)]))
        if bool(tail.any()):  # documented: the part of the mask past the end is computed
            raise IndexError(f"index {arr.size} is out of bounds for axis 0 with size {arr.size}")
        cond = Array(_core.slice(cond._node, [(0, 1, arr.size)]))
    elif cond.size < arr.size:
        arr = Array(_core.slice(arr._node, [(0, 1, cond.size)]))
    return compress_leading(arr, cond)


@implements(np.compress)
def compress(condition, a, axis=None, out=None) -> Array:
    """The slices of ``a`` along ``axis`` where the 1-d ``condition`` is true (NumPy's
    ``compress``; size pass on the condition, as ``nonzero``)."""
    from ._manipulation import ravel

    a = _arr(a)
    cond = _truth(_arr(condition))
    if cond.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis_index(axis, a.ndim)
    n = a.shape[axis]
    if cond.size > n:
        tail = Array(_core.slice(cond._node, [(n, 1, cond.size - n)]))
        if bool(tail.any()):  # documented: the part of the condition past the end is computed
            raise IndexError(f"index {n} is out of bounds for axis {axis} with size {n}")
        cond = Array(_core.slice(cond._node, [(0, 1, n)]))
    elif cond.size < n:
        a = a[(slice(None),) * axis + (slice(0, cond.size),)]
    result = a[(slice(None),) * axis + (cond,)]
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "compress")
    return result
