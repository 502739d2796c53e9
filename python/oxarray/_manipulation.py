"""Manipulation functions: reshape, transpose, moveaxis, broadcast, expand/squeeze, concatenate,
stack. Each resolves its arguments as NumPy does and asks Rust for one node (no data moves)."""

from __future__ import annotations

import math
import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from . import _core
from ._arguments import axis_index, check_order, extent, reduction_axes
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _shape_text(shape) -> str:
    """A reshape target as NumPy's message writes it: `(7,newaxis)`, leading unknowns left out."""
    first = next((i for i, s in enumerate(shape) if s >= 0), len(shape))
    if first == len(shape):
        return "()"
    parts = [str(shape[first])] + ["newaxis" if s < 0 else str(s) for s in shape[first + 1:]]
    return f"({parts[0]},)" if len(shape) == 1 else f"({','.join(parts)})"


def _resolve_shape(x: Array, shape) -> list[int]:
    """NumPy's reshape target: any negative extent is the one unknown one; the product is exact
    (Python ints), so an overflowing shape is NumPy's ValueError at the call."""
    size = x.size
    shape = [extent(s) for s in ((shape,) if isinstance(shape, (int, np.integer)) else shape)]
    unknown = [i for i, s in enumerate(shape) if s < 0]
    if len(unknown) > 1:
        raise ValueError("can only specify one unknown dimension")
    if unknown:
        known = math.prod(s for s in shape if s >= 0)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {_shape_text(shape)}")
        shape[unknown[0]] = size // known
    # NumPy names the mismatch even when the product overflows (a matching product fits, since x does).
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {_shape_text(shape)}")
    return shape


@implements(np.reshape)
def reshape(x, /, shape=None, order="C", *, newshape=None, copy=None) -> Array:
    x = _arr(x)
    if shape is None:
        shape = x.shape if newshape is None else newshape  # NumPy: reshape(None) keeps the shape
    order = check_order(order)
    if order == "K":
        raise ValueError("order 'K' is not permitted for reshaping")
    shape = _resolve_shape(x, shape)
    if order == "F":
        return transpose(reshape(transpose(x), shape[::-1]))
    return Array(_core.reshape(x._node, shape))


@implements(np.ravel)
def ravel(x, order="C") -> Array:
    order = check_order(order)
    return reshape(x, -1, order="C" if order in ("K", "A", None) else order)


@implements(np.transpose, np.permute_dims)
def transpose(x, axes=None) -> Array:
    x = _arr(x)
    if axes is None:
        perm = list(range(x.ndim))[::-1]
    else:
        if len(axes) != x.ndim:
            raise ValueError("axes don't match array")
        perm = list(normalize_axis_tuple(tuple(axis_index(a) for a in axes), x.ndim))
    return Array(_core.transpose(x._node, perm))


permute_dims = transpose


@implements(np.swapaxes)
def swapaxes(x, axis1, axis2) -> Array:
    x = _arr(x)
    a, b = normalize_axis_index(axis1, x.ndim), normalize_axis_index(axis2, x.ndim)
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return Array(_core.transpose(x._node, perm))


@implements(np.moveaxis)
def moveaxis(x, source, destination) -> Array:
    x = _arr(x)
    src = normalize_axis_tuple(source, x.ndim, "source")
    dst = normalize_axis_tuple(destination, x.ndim, "destination")
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number of elements")
    order = [n for n in range(x.ndim) if n not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return Array(_core.transpose(x._node, order))


@implements(np.broadcast_to)
def broadcast_to(x, shape, subok=False) -> Array:
    x = _arr(x)
    shape = [operator.index(s) for s in ((shape,) if isinstance(shape, (int, np.integer)) else shape)]
    if any(s < 0 for s in shape):
        raise ValueError("all elements of broadcast shape must be non-negative")
    from ._creation import _check_size

    _check_size(math.prod(shape), x.dtype)
    return Array(_core.broadcast_to(x._node, shape))


@implements(np.broadcast_arrays)
def broadcast_arrays(*args, subok=False):
    arrays = [_arr(a) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return tuple(broadcast_to(a, shape) for a in arrays)


# The Array API's (2025.12) name; NumPy's function reads shapes only, no array data.
broadcast_shapes = np.broadcast_shapes


@implements(np.expand_dims)
def expand_dims(x, axis) -> Array:
    x = _arr(x)
    axis = (axis,) if isinstance(axis, (int, np.integer)) else axis
    ndim = x.ndim + len(axis)
    axes = normalize_axis_tuple(axis, ndim)
    it = iter(x.shape)
    shape = [1 if i in axes else next(it) for i in range(ndim)]
    return Array(_core.reshape(x._node, shape))


@implements(np.squeeze)
def squeeze(x, axis=None) -> Array:
    x = _arr(x)
    # An int or a tuple, as a reduction's axis (NumPy lets a 0-d array squeeze "axis 0").
    axes = reduction_axes(axis, x.ndim, zero_d_axis=True)
    if axes is None:
        if axis is not None:
            return x
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        if any(x.shape[a] != 1 for a in axes):
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    shape = [s for i, s in enumerate(x.shape) if i not in axes]
    return Array(_core.reshape(x._node, shape))


@implements(np.concatenate, np.concat)
def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind") -> Array:
    from ._data_types import result_type_of

    if not (hasattr(arrays, "__len__") and hasattr(arrays, "__getitem__")):
        raise TypeError("The first input argument needs to be a sequence")
    arrays = list(arrays)
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    ndims = [a.ndim if isinstance(a, Array) else np.ndim(a) for a in arrays]  # before converting
    if axis is not None:
        axis = axis_index(axis)
        if ndims[0] == 0:  # NumPy's order: the first array's ndim, the axis, then the others
            raise ValueError("zero-dimensional arrays cannot be concatenated")
        normalize_axis_index(axis, ndims[0])
        if len(set(ndims)) > 1:
            raise ValueError("all the input arrays must have same number of dimensions")
    given = arrays  # (Python scalars stay weak in the result dtype, NEP 50)
    arrays = [_arr(a) for a in arrays]
    if axis is None:
        arrays = [reshape(a, -1) for a in arrays]
        axis = 0
    if casting not in ("no", "equiv", "safe", "same_kind", "unsafe"):
        raise ValueError(f"casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe' "
                         f"(got {casting!r})")
    dt = np.dtype(dtype) if dtype is not None else result_type_of(*given)
    for g, a in zip(given, arrays, strict=True):
        if type(g) in (bool, int, float, complex) and dtype is None:
            if type(g) is int and dt.kind in "iu":
                np.array(g, dtype=dt)  # a weak Python int: NumPy's OverflowError beyond dt
            continue
        if not np.can_cast(a.dtype, dt, casting=casting):
            raise TypeError(f"Cannot cast array data from {a.dtype!r} to {dt!r} according to the rule '{casting}'")
    nodes = [node_of(a, dt) for a in arrays]
    result = Array(_core.concatenate(nodes, axis))
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, result, "concatenate", casting)
    return result


concat = concatenate


@implements(np.stack)
def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind") -> Array:
    arrays = [_arr(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    if len({a.shape for a in arrays}) != 1:
        raise ValueError("all input arrays must have the same shape")
    axis = normalize_axis_index(axis_index(axis), arrays[0].ndim + 1)
    return concatenate([expand_dims(a, axis) for a in arrays], axis, out, dtype=dtype, casting=casting)


@implements(np.atleast_1d)
def atleast_1d(*arys):
    res = [reshape(a, (1,)) if _arr(a).ndim == 0 else _arr(a) for a in arys]
    return res[0] if len(res) == 1 else tuple(res)


@implements(np.atleast_2d)
def atleast_2d(*arys):
    res = []
    for a in map(_arr, arys):
        res.append(reshape(a, (1, 1)) if a.ndim == 0 else expand_dims(a, 0) if a.ndim == 1 else a)
    return res[0] if len(res) == 1 else tuple(res)


@implements(np.shape)
def shape(x):
    return _arr(x).shape


@implements(np.ndim)
def ndim(x):
    return _arr(x).ndim


@implements(np.size)
def size(x, axis=None):
    x = _arr(x)
    return x.size if axis is None else x.shape[axis]
