"""Reductions (Array API "statistical functions" and NumPy's): each becomes a tree reduction in
Rust — a partial result per chunk, combined ``split_every`` at a time, then finalized."""

from __future__ import annotations

import builtins
import operator
import warnings

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype, node_of, rebind

_NP_NAMES = {"min": "minimum", "max": "maximum", "argmin": "argmin", "argmax": "argmax"}
_IDENTITY = {"sum": 0, "prod": 1, "any": False, "all": True}
_COMBINE = {"sum": np.add, "prod": np.multiply, "min": np.minimum, "max": np.maximum}


def as_array(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def normalize_axis_arg(axis):
    """``axis`` as ``None`` or a list of ints (Rust checks bounds and duplicates)."""
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return [operator.index(a) for a in axis]
    return [operator.index(axis)]


def _reduced_size(x: Array, axes) -> int:
    if axes is None:
        return x.size
    ndim = x.ndim
    size = 1
    for a in axes:
        if not -ndim <= a < ndim:
            return 1  # Rust raises the AxisError
        size *= x.shape[a]
    return size


_ZERO_D_AXIS_OPS = frozenset({"sum", "prod", "min", "max", "any", "all"})


def reduce(op: str, x, axis=None, dtype=None, out=None, keepdims=False, ddof=0,
           initial=np._NoValue, where=np._NoValue) -> Array:
    x = as_array(x)
    if x.ndim == 0 and op in _ZERO_D_AXIS_OPS and isinstance(axis, (int, np.integer)) and axis in (0, -1):
        axis = None  # NumPy's ufunc.reduce takes axis 0 or -1 of a 0-d array (not mean/var/std)
    axes = normalize_axis_arg(axis)
    if where is not np._NoValue and where is not True:
        if op in _IDENTITY:
            fill = _IDENTITY[op]
        elif initial is not np._NoValue and op in ("min", "max"):
            fill = initial
        elif op in ("min", "max"):
            raise ValueError(f"reduction operation '{_NP_NAMES[op]}' does not have an identity, "
                             f"so to use a where mask one has to specify 'initial'")
        elif op in ("mean", "var", "std"):
            from ._stats import moment_where  # NumPy's recipe: masked sums over mask counts

            return moment_where(op, x, axis, dtype, out, keepdims, where, ddof)
        else:
            raise TypeError(f"oxarray: {op}(where=...) is not supported yet")
        from ._searching import where as ox_where

        x = ox_where(where, x, fill)
    elif op in ("min", "max") and _reduced_size(x, axes) == 0 and initial is np._NoValue:
        raise ValueError(f"zero-size array to reduction operation {_NP_NAMES[op]} which has no identity")
    if op in ("mean",) and _reduced_size(x, axes) == 0:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=3)
    if op in ("var", "std") and _reduced_size(x, axes) - ddof <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    dt = None if dtype is None else check_dtype(dtype).name
    if op in ("var", "std") and not (ddof >= 0 and float(ddof).is_integer()):
        # NumPy takes any real ddof (0.5, -1): the ddof=0 variance rescaled by n / (n - ddof).
        n = _reduced_size(x, axes)
        v = Array(_core.reduce("var", x._node, axes, bool(keepdims), dt, 0))
        v = apply_ufunc(np.divide, apply_ufunc(np.multiply, v, n), builtins.max(n - ddof, 0))
        result = apply_ufunc(np.sqrt, v) if op == "std" else v
        return rebind(out, result, op) if out is not None else result
    result = Array(_core.reduce(op, x._node, axes, bool(keepdims), dt, int(ddof)))
    if initial is not np._NoValue and op in _COMBINE:
        result = apply_ufunc(_COMBINE[op], result, initial, dtype=result.dtype)
    return rebind(out, result, op) if out is not None else result


@implements(np.sum)
def sum(x, /, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=np._NoValue):
    """Sum over ``axis``; small integers accumulate in int64/uint64 like NumPy."""
    return reduce("sum", x, axis, dtype, out, keepdims, initial=initial, where=where)


@implements(np.prod)
def prod(x, /, axis=None, dtype=None, out=None, keepdims=False, initial=np._NoValue, where=np._NoValue):
    return reduce("prod", x, axis, dtype, out, keepdims, initial=initial, where=where)


@implements(np.min, np.amin)
def min(x, /, axis=None, out=None, keepdims=False, initial=np._NoValue, where=np._NoValue):
    """Minimum over ``axis``; NaN propagates as in NumPy."""
    return reduce("min", x, axis, None, out, keepdims, initial=initial, where=where)


@implements(np.max, np.amax)
def max(x, /, axis=None, out=None, keepdims=False, initial=np._NoValue, where=np._NoValue):
    return reduce("max", x, axis, None, out, keepdims, initial=initial, where=where)


@implements(np.mean)
def mean(x, /, axis=None, dtype=None, out=None, keepdims=False, *, where=np._NoValue):
    return reduce("mean", x, axis, dtype, out, keepdims, where=where)


@implements(np.var)
def var(x, /, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=np._NoValue,
        mean=np._NoValue, correction=np._NoValue):
    """Variance with ``ddof`` (or the Array API's ``correction``), one pass (Chan et al.)."""
    if correction is not np._NoValue:
        ddof = correction
    return reduce("var", x, axis, dtype, out, keepdims, ddof=ddof, where=where)


@implements(np.std)
def std(x, /, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=np._NoValue,
        mean=np._NoValue, correction=np._NoValue):
    if correction is not np._NoValue:
        ddof = correction
    return reduce("std", x, axis, dtype, out, keepdims, ddof=ddof, where=where)


@implements(np.any)
def any(x, /, axis=None, out=None, keepdims=False, *, where=np._NoValue):
    return reduce("any", x, axis, None, out, keepdims, where=where)


@implements(np.all)
def all(x, /, axis=None, out=None, keepdims=False, *, where=np._NoValue):
    return reduce("all", x, axis, None, out, keepdims, where=where)
