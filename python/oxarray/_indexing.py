"""Basic indexing: integers, slices (any step), ``...`` and ``None``, normalized exactly as NumPy
does, then one strided-slice node plus one reshape node for dropped and added axes."""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._arguments import basic_index_item, check_index_integer
from ._array import Array

_ADVANCED = (np.ndarray, list, Array)


def getitem(x: Array, key) -> Array:
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(basic_index_item(k) for k in key)
    if any(isinstance(k, _ADVANCED) or (isinstance(k, np.generic) and k.dtype == bool) or isinstance(k, bool)
           for k in key):
        raise NotImplementedError(
            "oxarray supports basic indexing (integers, slices, ..., None) only; integer and "
            "boolean array indexing are not implemented yet")
    n_ellipsis = sum(k is Ellipsis for k in key)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    if consumed > x.ndim:
        raise IndexError(f"too many indices for array: array is {x.ndim}-dimensional, but "
                         f"{consumed} were indexed")
    if n_ellipsis:
        i = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * (x.ndim - consumed) + key[i + 1 :]
    else:
        key = key + (slice(None),) * (x.ndim - consumed)
    sel = []  # (start, step, len) per input axis
    out_shape = []
    axis = 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        n = x.shape[axis]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            length = len(range(start, stop, step))
            # (a step beyond the extent takes one element: any step then, one that fits Rust)
            sel.append((start if length else 0, step if length > 1 else 1, length))
            out_shape.append(length)
        else:
            try:
                i = operator.index(k)
            except TypeError:
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and "
                    "integer or boolean arrays are valid indices") from None
            check_index_integer(i)
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            sel.append((i % n, 1, 1))
        axis += 1
    if len(out_shape) > 64:
        raise IndexError(f"number of dimensions must be within [0, 64], indexing result would "
                         f"have {len(out_shape)}")
    node = _core.slice(x._node, sel)
    if list(node.shape) != out_shape:
        node = _core.reshape(node, out_shape)
    return Array(node)
