"""The user's own Python function over an array: ``apply_along_axis``, ``apply_over_axes``,
``piecewise``.

This is the one place where oxarray runs user Python on array data. ``apply_along_axis`` and
``piecewise`` become a ``map_blocks`` node (``crates/oxarray-graph/src/callback.rs``): each task
takes the GIL and calls the function on its chunk, handed over as a NumPy array (a copy), while
rechunking, broadcasting and assembly stay in the engine. ``apply_along_axis`` first gathers the
axis whole in each chunk (a rechunk, as Dask does) and finds the output's shape and dtype by
calling the function once on a sample of ones, as Dask does. ``apply_over_axes`` calls the
function on the lazy Array itself (``np.sum`` and friends stay lazy), exactly as NumPy does.
"""

from __future__ import annotations

import collections.abc
import functools

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import check_dtype, node_of
from ._manipulation import expand_dims

__all__ = ["apply_along_axis", "apply_over_axes", "map_blocks", "piecewise"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _name(func) -> str:
    return getattr(func, "__name__", type(func).__name__)


def map_blocks(func, *arrays: Array, shape, dtype, chunks, name: str = "map_blocks") -> Array:
    """A lazy Array of ``shape``/``dtype`` cut by ``chunks`` whose block ``b`` is
    ``func(*blocks b of arrays)`` (NumPy arrays); every array has as many blocks as the output."""
    dtype = check_dtype(dtype)
    shape = tuple(int(s) for s in shape)

    # A module-level function under functools.partial (not a closure), so pickle can carry the
    # graph when ``func`` itself is picklable.
    block_fn = functools.partial(_block_fn, func, dtype)
    nodes = [a._node for a in arrays]
    return Array(_core.map_blocks(nodes, block_fn, name, list(shape), dtype.name,
                                  [list(c) for c in chunks]))


@implements(np.apply_along_axis)
def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """``func1d`` on every 1-d slice along ``axis``; its result's dimensions replace ``axis``.
    Runs the user's function per chunk, the axis gathered whole first."""
    x = _arr(arr)
    nd = x.ndim
    axis = normalize_axis_index(axis, nd)
    if any(s == 0 for i, s in enumerate(x.shape) if i != axis):
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    sample = np.asanyarray(func1d(np.ones(x.shape[axis], dtype=x.dtype), *args, **kwargs))
    dtype = check_dtype(sample.dtype)
    res_shape = sample.shape
    spec = [tuple(c) for c in x.chunks]
    spec[axis] = -1
    x = Array(_core.rechunk(x._node, tuple(spec)))
    out_shape = x.shape[:axis] + res_shape + x.shape[axis + 1:]
    out_chunks = x.chunks[:axis] + tuple((d,) for d in res_shape) + x.chunks[axis + 1:]

    per_block = functools.partial(_along_axis_block, func1d, axis, res_shape, dtype, args, kwargs)
    return map_blocks(per_block, x, shape=out_shape, dtype=dtype, chunks=out_chunks,
                      name=f"apply_along_axis-{_name(func1d)}")


@implements(np.apply_over_axes)
def apply_over_axes(func, a, axes):
    """``func(a, axis)`` for each axis in turn, keeping the dimensions (NumPy's loop, run on the
    lazy Array: a NumPy reduction stays lazy)."""
    val = _arr(a)
    N = val.ndim
    if np.array(axes).ndim == 0:
        axes = (axes,)
    for axis in axes:
        if axis < 0:
            axis = N + axis
        res = func(val, axis)
        if res.ndim == val.ndim:
            val = res
        else:
            res = expand_dims(res, axis)
            if res.ndim == val.ndim:
                val = res
            else:
                raise ValueError("function is not returning an array of the correct shape")
    return val


@implements(np.piecewise)
def piecewise(x, condlist, funclist, *args, **kw):
    """``funclist[i]`` (a function of the selected elements, or a value) where ``condlist[i]``
    holds, zero elsewhere; one extra function is the "otherwise" case. Runs the user's functions
    per chunk (each is called once per chunk that selects elements, not once overall)."""
    x = _arr(x)
    n2 = len(funclist)
    # A 0-d Array condition stands where NumPy sees a NumPy bool scalar (``x > 0`` of 0-d x).
    # and an element of an Array is what NumPy's would be: an array only when not 0-d.
    def is_array(c) -> bool:
        return isinstance(c, (list, np.ndarray)) or (isinstance(c, Array) and c.ndim > 0)

    if np.isscalar(condlist) or (isinstance(condlist, Array) and condlist.ndim == 0) or (
            not is_array(condlist[0]) and x.ndim != 0):
        condlist = [condlist]
    if isinstance(condlist, Array):
        conds = [condlist[i] for i in range(len(condlist))]
    elif isinstance(condlist, (list, tuple)) and any(isinstance(c, Array) for c in condlist):
        conds = [_arr(c) for c in condlist]
    else:
        cs = np.asarray(condlist, dtype=bool)  # the user's own conditions (NumPy data)
        conds = [_arr(cs[i]) for i in range(len(cs))]
    n = len(conds)
    if n != n2 and n != n2 - 1:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    chunks = x.chunks
    nodes = []
    for c in conds:
        # NumPy would index x's leading axes with a lower-dimensional mask; oxarray asks for
        # conditions of x's shape.
        if c.shape != x.shape:
            raise IndexError(f"boolean index did not match indexed array along axis 0; size of "
                             f"axis is {x.shape[0] if x.ndim else 0} but size of corresponding "
                             f"boolean axis is {c.shape[0] if c.ndim else 0}")
        c = Array(node_of(c, np.dtype(bool)))
        nodes.append(c.rechunk(chunks) if c.chunks != chunks else c)
    funcs = list(funclist)
    dtype = x.dtype

    per_block = functools.partial(_piecewise_block, funcs, args, kw)
    return map_blocks(per_block, x, *nodes, shape=x.shape, dtype=dtype, chunks=chunks,
                      name="piecewise")



# The per-block functions, at module level so a pickled graph refers to them by name.
def _block_fn(func, dtype, _index, *blocks):
    return np.asarray(func(*blocks), dtype=dtype, order="C")


def _along_axis_block(func1d, axis, res_shape, dtype, args, kwargs, block):
    if block.size == 0:
        return np.empty(block.shape[:axis] + res_shape + block.shape[axis + 1:], dtype)
    return np.apply_along_axis(func1d, axis, block, *args, **kwargs)


def _piecewise_block(funcs, args, kw, xb, *cb):
    cb = [np.asarray(c, dtype=bool) for c in cb]
    if len(cb) == len(funcs) - 1:
        cb.append(~np.any(np.stack(cb), axis=0) if cb else np.ones(xb.shape, bool))
    y = np.zeros_like(xb)
    for cond, func in zip(cb, funcs, strict=True):
        if not isinstance(func, collections.abc.Callable):
            y[cond] = func
        else:
            vals = xb[cond]
            if vals.size > 0:
                y[cond] = func(vals, *args, **kw)
    return y
