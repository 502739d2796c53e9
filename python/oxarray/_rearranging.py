"""Rearranging elements: ``roll``, ``flip``/``fliplr``/``flipud``, ``rot90``, ``tile``, ``repeat``.

All are compositions of lazy layout nodes (strided slices, concatenate, transpose, broadcast and
reshape, and ``take_rows`` for ``repeat`` with per-element counts): no data moves until compute and
no kernel of their own.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of
from ._manipulation import broadcast_to, concatenate, expand_dims, moveaxis, reshape, transpose

__all__ = ["flip", "fliplr", "flipud", "repeat", "roll", "rot90", "tile"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def axis_slice(x: Array, axis: int, start=None, stop=None, step=None) -> Array:
    """``x[..., start:stop:step, ...]`` along ``axis`` (a lazy strided slice)."""
    key = [slice(None)] * x.ndim
    key[axis] = slice(start, stop, step)
    return x[tuple(key)]


def take_axis(x: Array, idx, axis: int) -> Array:
    """``np.take(x, idx, axis)`` for indices known now (a NumPy intp array in range): a slice when
    they are a contiguous run, else one ``take_rows`` node (the gather stays lazy)."""
    idx = np.asarray(idx, dtype=np.intp)
    n = len(idx)
    if n == 0:
        return axis_slice(x, axis, 0, 0)
    if np.array_equal(idx, np.arange(idx[0], idx[0] + n)):
        return axis_slice(x, axis, int(idx[0]), int(idx[0]) + n)
    front = moveaxis(x, axis, 0) if axis else x
    taken = Array(_core.take_rows(front._node, node_of(idx.astype(np.int64))))
    return moveaxis(taken, 0, axis) if axis else taken


@implements(np.roll)
def roll(a, shift, axis=None):
    """Elements shifted along ``axis`` (wrapping round): two slices concatenated per axis."""
    x = _arr(a)
    if axis is None:
        return reshape(roll(reshape(x, -1), shift, 0), x.shape)
    axes = normalize_axis_tuple(axis, x.ndim, allow_duplicate=True)
    try:
        pairs = np.broadcast(shift, axes)
    except ValueError:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences") from None
    if pairs.ndim > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    total = {ax: 0 for ax in range(x.ndim)}
    for sh, ax in pairs:
        total[ax] += operator.index(sh)
    for ax, sh in total.items():
        n = x.shape[ax]
        s = sh % n if n else 0
        if s:
            x = concatenate([axis_slice(x, ax, n - s, None), axis_slice(x, ax, None, n - s)], ax)
    return x if x is not a else Array(x._node)


@implements(np.flip)
def flip(m, axis=None):
    """``m`` reversed along ``axis`` (every axis by default): a ``::-1`` slice."""
    x = _arr(m)
    axes = range(x.ndim) if axis is None else normalize_axis_tuple(axis, x.ndim)
    key = [slice(None)] * x.ndim
    for ax in axes:
        key[ax] = slice(None, None, -1)
    return x[tuple(key)]


@implements(np.fliplr)
def fliplr(m):
    x = _arr(m)
    if x.ndim < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(x, 1)


@implements(np.flipud)
def flipud(m):
    x = _arr(m)
    if x.ndim < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(x, 0)


@implements(np.rot90)
def rot90(m, k=1, axes=(0, 1)):
    """Rotation by 90 degrees ``k`` times in the plane of ``axes``: a flip and a transpose."""
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    x = _arr(m)
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == x.ndim:
        raise ValueError("Axes must be different.")
    if axes[0] >= x.ndim or axes[0] < -x.ndim or axes[1] >= x.ndim or axes[1] < -x.ndim:
        raise ValueError(f"Axes={axes} out of range for array of ndim={x.ndim}.")
    k = operator.index(k) % 4
    if k == 0:
        return Array(x._node)
    if k == 2:
        return flip(flip(x, axes[0]), axes[1])
    perm = list(range(x.ndim))
    perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
    if k == 1:
        return transpose(flip(x, axes[1]), perm)
    return flip(transpose(x, perm), axes[1])


@implements(np.tile)
def tile(A, reps):
    """``A`` repeated ``reps`` times along each axis: one broadcast of ``A`` with a unit axis
    before each of its axes, then a reshape."""
    try:
        tup = tuple(operator.index(r) for r in reps)
    except TypeError:
        tup = (operator.index(reps),)
    x = _arr(A)
    d = len(tup)
    if x.ndim < d:
        x = reshape(x, (1,) * (d - x.ndim) + x.shape)
    tup = (1,) * (x.ndim - d) + tup
    if any(t < 0 for t in tup):
        raise ValueError("negative dimensions are not allowed")
    shape_out = tuple(s * t for s, t in zip(x.shape, tup, strict=True))
    if all(t == 1 for t in tup):
        return Array(x._node)
    inter = []
    for s in x.shape:
        inter += [1, s]
    wide = []
    for s, t in zip(x.shape, tup, strict=True):
        wide += [t, s]
    return reshape(broadcast_to(reshape(x, inter), wide), shape_out)


@implements(np.repeat)
def repeat(a, repeats, axis=None):
    """Each element repeated ``repeats`` times along ``axis`` (the flattened array by default).

    A single count is a broadcast and a reshape; per-element counts become the row indices of one
    lazy gather (counts given as an oxarray Array are computed at the call: they fix the shape).
    """
    x = _arr(a)
    if axis is None:
        x = reshape(x, -1)
        axis = 0
    else:
        axis = operator.index(axis)
        if x.ndim == 0 and axis in (0, -1):  # as NumPy: a 0-d array repeats as a 1-d one
            x = reshape(x, (1,))
        axis = normalize_axis_index(axis, x.ndim)
    if isinstance(repeats, Array):
        repeats = repeats.compute()  # a data-dependent shape: the counts are needed now
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "biu" and counts.size:
        counts = counts.astype(np.intp, casting="safe")  # NumPy's TypeError for float counts
    counts = counts.astype(np.intp)
    n = x.shape[axis]
    if counts.ndim > 1:
        raise ValueError("object too deep for desired array")
    if counts.size == 1:
        r = int(counts.reshape(()))
        if r < 0:
            raise ValueError("negative dimensions are not allowed")
        wide = expand_dims(x, axis + 1)
        shape = list(wide.shape)
        shape[axis + 1] = r
        out_shape = list(x.shape)
        out_shape[axis] = n * r
        return reshape(broadcast_to(wide, shape), out_shape)
    if counts.shape[0] != n:
        raise ValueError(f"operands could not be broadcast together with shape ({n},) "
                         f"({counts.shape[0]},)")
    if (counts < 0).any():
        raise ValueError("repeats may not contain negative values.")
    return take_axis(x, np.repeat(np.arange(n), counts), axis)
