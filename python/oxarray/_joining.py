"""Joining and splitting: ``hstack``/``vstack``/``dstack``/``column_stack``, ``block``,
``split``/``array_split``/``hsplit``/``vsplit``/``dsplit``/``unstack``, ``append``/``insert``/
``delete``, ``atleast_3d``.

Compositions of lazy slices, ``concatenate`` and ``take_rows`` (for ``insert``/``delete``, whose
index logic along the axis is NumPy's own, run on ``arange`` of the axis length: indices, never
data).
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of
from ._manipulation import atleast_1d, atleast_2d, broadcast_to, concatenate, moveaxis, reshape
from ._rearranging import axis_slice, take_axis

__all__ = ["append", "array_split", "atleast_3d", "block", "column_stack", "delete", "dsplit",
           "dstack", "hsplit", "hstack", "insert", "split", "unstack", "vsplit", "vstack"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _sequence(tup, name: str) -> list:
    if not isinstance(tup, (list, tuple)) and not hasattr(tup, "__getitem__"):
        raise TypeError('arrays to stack must be passed as a "sequence" type such as list or '
                        'tuple.')
    return list(tup) if not isinstance(tup, Array) else [tup[i] for i in range(tup.shape[0])]


@implements(np.atleast_3d)
def atleast_3d(*arys):
    res = []
    for a in map(_arr, arys):
        if a.ndim == 0:
            a = reshape(a, (1, 1, 1))
        elif a.ndim == 1:
            a = reshape(a, (1, a.shape[0], 1))
        elif a.ndim == 2:
            a = reshape(a, (*a.shape, 1))
        res.append(a)
    return res[0] if len(res) == 1 else tuple(res)


def _as_list(x):
    return list(x) if isinstance(x, tuple) else [x]


@implements(np.hstack)
def hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = _as_list(atleast_1d(*_sequence(tup, "hstack")))
    axis = 0 if arrs and arrs[0].ndim == 1 else 1
    return concatenate(arrs, axis, dtype=dtype, casting=casting)


@implements(np.vstack)
def vstack(tup, *, dtype=None, casting="same_kind"):
    arrs = _as_list(atleast_2d(*_sequence(tup, "vstack")))
    return concatenate(arrs, 0, dtype=dtype, casting=casting)


@implements(np.dstack)
def dstack(tup):
    arrs = _as_list(atleast_3d(*_sequence(tup, "dstack")))
    return concatenate(arrs, 2)


@implements(np.column_stack)
def column_stack(tup):
    arrays = []
    for v in map(_arr, _sequence(tup, "column_stack")):
        if v.ndim < 2:
            v = reshape(v, (1, v.size)).T if v.ndim else reshape(v, (1, 1))
        arrays.append(v)
    return concatenate(arrays, 1)


def _block_depth(arrays, index=()):
    if isinstance(arrays, tuple):
        raise TypeError(f"{_index_name(index)} is a tuple. Only lists can be used to arrange "
                        f"blocks, and np.block does not allow implicit conversion from tuple to "
                        f"ndarray.")
    if isinstance(arrays, list):
        if not arrays:
            raise ValueError(f"List at {_index_name(index)} cannot be empty")
        depths = [_block_depth(a, index + (i,)) for i, a in enumerate(arrays)]
        first = depths[0]
        for i, d in enumerate(depths):
            if d[0] != first[0]:
                raise ValueError(
                    f"List depths are mismatched. First element was at depth {first[0]}, but "
                    f"there is an element at depth {d[0]} ({_index_name(index + (i,) + d[2])})")
        return (first[0] + 1, max(d[1] for d in depths), ())
    return (0, _arr(arrays).ndim, ())


def _index_name(index) -> str:
    return "arrays" + "".join(f"[{i}]" for i in index)


def _block_concat(arrays, depth: int, ndim: int):
    if not isinstance(arrays, list):
        a = _arr(arrays)
        return reshape(a, (1,) * (ndim - a.ndim) + a.shape) if a.ndim < ndim else a
    parts = [_block_concat(a, depth - 1, ndim) for a in arrays]
    return concatenate(parts, -depth)


@implements(np.block)
def block(arrays):
    """NumPy's ``block``: nested lists concatenated innermost along the last axis."""
    depth, max_ndim, _ = _block_depth(arrays)
    ndim = max(depth, max_ndim)
    result = _block_concat(arrays, depth, ndim)
    return result if depth else Array(_arr(result)._node)


@implements(np.array_split)
def array_split(ary, indices_or_sections, axis=0):
    """Sub-arrays along ``axis``: lazy slices (sections may differ in length by one)."""
    x = _arr(ary)
    ntotal = x.shape[normalize_axis_index(axis, x.ndim)] if x.ndim else len(x)
    axis = normalize_axis_index(axis, x.ndim)
    try:
        nsections = len(indices_or_sections) + 1
        div_points = [0, *indices_or_sections, ntotal]
    except TypeError:
        nsections = int(indices_or_sections)
        if nsections <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(ntotal, nsections)
        sizes = [0] + extras * [each + 1] + (nsections - extras) * [each]
        div_points = np.cumsum(np.array(sizes, dtype=np.intp)).tolist()
    return [axis_slice(x, axis, operator.index(div_points[i]), operator.index(div_points[i + 1]))
            for i in range(nsections)]


@implements(np.split)
def split(ary, indices_or_sections, axis=0):
    try:
        len(indices_or_sections)
    except TypeError:
        x = _arr(ary)
        n = x.shape[normalize_axis_index(axis, x.ndim)]
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division") from None
    return array_split(ary, indices_or_sections, axis)


@implements(np.hsplit)
def hsplit(ary, indices_or_sections):
    x = _arr(ary)
    if x.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, 1 if x.ndim > 1 else 0)


@implements(np.vsplit)
def vsplit(ary, indices_or_sections):
    x = _arr(ary)
    if x.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, 0)


@implements(np.dsplit)
def dsplit(ary, indices_or_sections):
    x = _arr(ary)
    if x.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, 2)


@implements(np.unstack)
def unstack(x, /, *, axis=0):
    """The Array API's ``unstack``: the slices of ``x`` along ``axis``, as a tuple."""
    x = _arr(x)
    if x.ndim == 0:
        raise ValueError("Input array must be at least 1-d.")
    front = moveaxis(x, normalize_axis_index(axis, x.ndim), 0)
    return tuple(front[i] for i in range(front.shape[0]))


@implements(np.append)
def append(arr, values, axis=None):
    x = _arr(arr)
    if axis is None:
        if x.ndim != 1:
            x = reshape(x, -1)
        values = reshape(_arr(values), -1)
        axis = x.ndim - 1
    return concatenate((x, values), axis=axis)


def _flat_axis(x: Array, axis):
    if axis is None:
        if x.ndim != 1:
            x = reshape(x, -1)
        return x, x.ndim - 1
    return x, normalize_axis_index(operator.index(axis), x.ndim)


@implements(np.delete)
def delete(arr, obj, axis=None):
    """``arr`` without the entries ``obj`` along ``axis``; ``obj`` is resolved by NumPy's own
    ``delete`` on ``arange(n)`` (its errors included), then one lazy gather (or slice)."""
    x, axis = _flat_axis(_arr(arr), axis)
    if isinstance(obj, Array):
        obj = obj.compute()  # indices fix the shape
    keep = np.delete(np.arange(x.shape[axis]), obj)
    return take_axis(x, keep, axis)


@implements(np.insert)
def insert(arr, obj, values, axis=None):
    """``values`` inserted before ``obj`` along ``axis``: NumPy's index logic on ``arange(n)``,
    then ``concatenate([arr, values])`` gathered into place (one lazy gather)."""
    x, axis = _flat_axis(_arr(arr), axis)
    if isinstance(obj, Array):
        obj = obj.compute()  # indices fix the shape
    n = x.shape[axis]
    if isinstance(obj, slice):
        indices = np.arange(*obj.indices(n), dtype=np.intp)
    else:
        indices = np.array(obj)
        if indices.dtype == bool:
            if indices.ndim != 1:
                raise ValueError("boolean array argument obj to insert must be one dimensional")
            indices = np.flatnonzero(indices)
        elif indices.ndim > 1:
            raise ValueError("index array argument obj to insert must be one dimensional or "
                             "scalar")
    np.insert(np.arange(n), obj, 0)  # NumPy's index errors come before the values' errors
    if not isinstance(values, Array):
        values = np.array(values, dtype=x.dtype)  # NumPy's conversion (OverflowError included)
    vals = _arr(values)
    if vals.dtype != x.dtype:
        from ._data_types import astype

        vals = astype(vals, x.dtype)
    if indices.size == 1:
        if vals.ndim < x.ndim:
            vals = reshape(vals, (1,) * (x.ndim - vals.ndim) + vals.shape)
        if indices.ndim == 0:
            vals = moveaxis(vals, 0, axis)
        numnew = vals.shape[axis] if vals.ndim > axis else 1
    else:
        numnew = len(indices)
    region = list(x.shape)
    region[axis] = numnew
    positions = np.insert(np.arange(n), obj, n + np.arange(numnew))
    try:
        vals = broadcast_to(vals, region)
    except ValueError:
        raise ValueError(f"could not broadcast input array from shape {vals.shape} into shape "
                         f"{tuple(region)}") from None
    return take_axis(concatenate([x, vals], axis), positions, axis)
