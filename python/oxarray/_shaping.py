"""Shape routines: ``rollaxis``, ``resize``, ``ix_``, ``trim_zeros``, ``sliding_window_view``, and
``tri(..., like=x)`` (NEP 35, our lazy ``tri``).

Compositions of lazy ops: ``rollaxis`` is a transpose, ``resize`` a broadcast of the flattened
array reshaped (no copies until a chunk is computed), ``ix_`` reshapes (a boolean argument goes
through ``nonzero``, whose size pass is oxarray's documented one for boolean masks).
``trim_zeros``'s result shape depends on the values: the call computes, per trimmed axis, which
positions hold a non-zero (one ``any`` reduction each, a documented size pass, as for boolean
masks) and returns a lazy slice.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.exceptions import AxisError
from numpy.lib import _twodim_base_impl as _np_twodim
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from ._array import Array, compute_nodes
from ._dispatch import implements
from ._elementwise import node_of

__all__ = ["ix_", "resize", "rollaxis", "sliding_window_view", "trim_zeros"]


# NEP 35: NumPy hands ``tri(..., like=x)`` to its like-dispatcher, a second function object.
_TRI_LIKE = [f for f in (getattr(_np_twodim, "_tri_with_like", None),) if f is not None]


@implements(np.tri, *_TRI_LIKE)
def _tri_like(N, M=None, k=0, dtype=float, **kwargs):
    """``np.tri(..., like=x)`` for an oxarray ``x`` (NEP 35): our lazy ``tri``."""
    from ._matrices import tri

    kwargs.pop("like", None)
    return tri(N, M, k, dtype, **kwargs)


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


@implements(np.rollaxis)
def rollaxis(a, axis, start=0):
    """``axis`` moved to position ``start`` (a lazy transpose)."""
    a = _arr(a)
    n = a.ndim
    axis = normalize_axis_index(axis, n)
    if start < 0:
        start += n
    msg = "'%s' arg requires %d <= %s < %d, but %d was passed in"
    if not (0 <= start < n + 1):
        raise AxisError(msg % ("start", -n, "start", n + 1, start))
    if axis < start:
        start -= 1
    if axis == start:
        return a[...]
    axes = list(range(0, n))
    axes.remove(axis)
    axes.insert(start, axis)
    return a.transpose(axes)


@implements(np.resize)
def resize(a, new_shape):
    """The flattened ``a`` repeated (or cut) to fill ``new_shape``."""
    if isinstance(new_shape, (int, np.integer)):
        new_shape = (new_shape,)
    a = _arr(a).reshape(-1)
    new_size = 1
    for dim_length in new_shape:
        new_size *= dim_length
        if dim_length < 0:
            raise ValueError("all elements of `new_shape` must be non-negative")
    if a.size == 0 or new_size == 0:
        from ._creation import zeros

        return zeros(tuple(new_shape), dtype=a.dtype)
    repeats = -(-new_size // a.size)
    tiled = np.broadcast_to(a[np.newaxis, :], (repeats, a.size)).reshape(-1)
    return tiled[:new_size].reshape(tuple(new_shape))


@implements(np.ix_)
def ix_(*args):
    """Open-mesh index arrays: the ``k``-th argument reshaped to lie along axis ``k``."""
    out = []
    nd = len(args)
    for k, new in enumerate(args):
        if not isinstance(new, (Array, np.ndarray)):
            new = np.asarray(new)
            if new.size == 0:
                new = new.astype(np.intp)
        new = _arr(new)
        if new.ndim != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if new.dtype == np.bool_:
            (new,) = np.nonzero(new)
        out.append(new.reshape((1,) * k + (new.size,) + (1,) * (nd - k - 1)))
    return tuple(out)


@implements(np.trim_zeros)
def trim_zeros(filt, trim="fb", axis=None):
    """``filt`` without its leading (``'f'``) and trailing (``'b'``) zeros along ``axis`` (all
    axes by default). Which positions are non-zero is computed at the call (a size pass)."""
    x = _arr(filt)
    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    if axis is None:
        axes = tuple(range(x.ndim))
    else:
        axes = normalize_axis_tuple(axis, x.ndim, argname="axis")
    if not axes:
        return filt
    nz = x != 0
    per_axis = [np.any(nz, axis=tuple(i for i in range(x.ndim) if i != ax)) for ax in axes]
    hits = compute_nodes([h._node for h in per_axis])
    sl = [slice(None)] * x.ndim
    if not all(h.any() for h in hits):
        for ax in range(x.ndim):
            sl[ax] = slice(0, 0) if ax in axes else slice(None)
        return x[tuple(sl)]
    for ax, h in zip(axes, hits, strict=True):
        where = np.flatnonzero(h)
        start = int(where[0]) if "f" in trim else None
        stop = int(where[-1]) + 1 if "b" in trim else None
        sl[ax] = slice(start, stop)
    return x[tuple(sl)]


@implements(np.lib.stride_tricks.sliding_window_view)
def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    """Every window of ``window_shape`` along ``axis`` as trailing dimensions: a stack of
    shifted lazy slices (each output chunk is assembled from the input chunks it overlaps)."""
    window_shape = (tuple(window_shape) if np.iterable(window_shape) else (window_shape,))
    window_shape = tuple(operator.index(w) for w in window_shape)
    x = _arr(x)
    if writeable:
        raise ValueError("oxarray arrays are immutable views: writeable=True is not supported")
    if any(w < 0 for w in window_shape):
        raise ValueError("`window_shape` cannot contain negative values")
    if axis is None:
        axis = tuple(range(x.ndim))
        if len(window_shape) != len(axis):
            raise ValueError(f"Since axis is `None`, must provide window_shape for all "
                             f"dimensions of `x`; got {len(window_shape)} window_shape elements "
                             f"and `x.ndim` is {x.ndim}.")
    else:
        axis = normalize_axis_tuple(axis, x.ndim, allow_duplicate=True)
        if len(window_shape) != len(axis):
            raise ValueError(f"Must provide matching length window_shape and axis; got "
                             f"{len(window_shape)} window_shape elements and {len(axis)} axes "
                             f"elements.")
    trimmed = list(x.shape)
    for ax, dim in zip(axis, window_shape, strict=True):
        if trimmed[ax] < dim:
            raise ValueError("window shape cannot be larger than input array shape")
        trimmed[ax] -= dim - 1
    out_shape = tuple(trimmed) + window_shape
    if 0 in window_shape:
        from ._creation import zeros

        return zeros(out_shape, dtype=x.dtype)
    y = x
    for ax, dim in zip(axis, window_shape, strict=True):
        n = y.shape[ax] - dim + 1
        key = [slice(None)] * y.ndim
        parts = []
        for k in range(dim):
            key[ax] = slice(k, k + n)
            parts.append(y[tuple(key)])
        y = np.stack(parts, axis=-1)
        y = y.rechunk(tuple(y.chunks[:-1]) + ((dim,),))
    return y
