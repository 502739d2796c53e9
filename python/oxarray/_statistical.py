"""Reductions (Array API "statistical functions" and NumPy's): each becomes a tree reduction in
Rust — a partial result per chunk, combined ``split_every`` at a time, then finalized."""

from __future__ import annotations

import builtins
import operator
import warnings

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core, _errstate
from ._arguments import axis_index, keepdims_flag, reduced_shape, reduction_axes, reduction_out
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype, node_of, rebind

_NP_NAMES = {"min": "minimum", "max": "maximum", "argmin": "argmin", "argmax": "argmax"}
_IDENTITY = {"sum": 0, "prod": 1, "any": False, "all": True}
_UFUNC_NAMES = {"sum": "add", "prod": "multiply", "min": "minimum", "max": "maximum",
                "any": "logical_or", "all": "logical_and", "mean": "add", "var": "add", "std": "add"}
_COMBINE = {"sum": np.add, "prod": np.multiply, "min": np.minimum, "max": np.maximum,
            "any": np.logical_or, "all": np.logical_and}


def as_array(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def normalize_axis_arg(axis):
    """``axis`` as ``None`` or a tuple of ints, as NumPy parses it (bounds are checked later); a
    tuple, since ``reduce`` takes what NumPy takes (a list axis is NumPy's TypeError)."""
    if axis is None:
        return None
    return tuple(axis_index(a) for a in (axis if isinstance(axis, tuple) else (axis,)))


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
# Reductions whose call without keywords over a non-empty array needs no argument checks.
_PLAIN_REDUCTIONS = frozenset({"sum", "prod", "min", "max", "any", "all", "mean", "var", "std"})


def reduce(op: str, x, axis=None, dtype=None, out=None, keepdims=False, ddof=0,
           initial=np._NoValue, where=np._NoValue) -> Array:
    if axis is None and dtype is None and out is None and keepdims is False and type(ddof) is int \
            and ddof == 0 and initial is np._NoValue and where is np._NoValue and type(x) is Array \
            and op in _PLAIN_REDUCTIONS and 0 not in x._node.shape:
        # The plain whole-array reduction (np.sum(x)): nothing to check or warn about, so
        # straight to the node.
        fp, fp_final = _errstate.capture_reduction(op, True)
        return Array(_core.reduce(op, x._node, None, False, None, 0, fp, fp_final))
    x = as_array(x)
    if initial is None:
        initial = np._NoValue  # NumPy's ufunc.reduce: None is no initial value
    elif initial is not np._NoValue and np.ndim(initial) != 0:
        raise ValueError("setting an array element with a sequence.")
    # NumPy's ufunc.reduce takes axis 0 or -1 of a 0-d array (not mean/var/std).
    if op in _ZERO_D_AXIS_OPS:  # NumPy's ufunc.reduce parses keepdims and dtype before the axes
        keepdims = keepdims_flag(keepdims)
        if dtype is not None and np.dtype(dtype).kind in "USV" and np.dtype(dtype).itemsize:
            raise TypeError("The `dtype` and `signature` arguments to ufuncs only select the "
                            "general DType and not details such as the byte order or time unit.")
    elif axis is not None:
        # NumPy's mean/var/std count the items first, each axis as an index (True is axis 1).
        for a in axis if isinstance(axis, tuple) else (axis,):
            normalize_axis_index(operator.index(a), x.ndim)
    keepdims = keepdims_flag(keepdims)
    axes = reduction_axes(axis, x.ndim, zero_d_axis=op in _ZERO_D_AXIS_OPS)
    out = reduction_out(out, reduced_shape(x.shape, axes, keepdims), _UFUNC_NAMES.get(op, op))
    if where is not np._NoValue and where is not True:
        if op in _IDENTITY:
            fill = _IDENTITY[op]
        elif initial is not np._NoValue and op in ("min", "max"):
            fill = initial
        elif op in ("min", "max"):
            raise ValueError(f"reduction operation '{_NP_NAMES[op]}' does not have an identity, "
                             f"so to use a where mask one has to specify 'initial'")
        else:  # mean, var, std
            from ._stats import moment_where  # NumPy's recipe: masked sums over mask counts

            return moment_where(op, x, axis, dtype, out, keepdims, where, ddof)
        from ._searching import where as ox_where

        x = ox_where(where, x, fill)
    elif op in ("min", "max") and _reduced_size(x, axes) == 0 and initial is np._NoValue:
        raise ValueError(f"zero-size array to reduction operation {_NP_NAMES[op]} which has no identity")
    if op in ("mean",) and _reduced_size(x, axes) == 0:
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=3)
    if op in ("var", "std") and _reduced_size(x, axes) - ddof <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    dt = None if dtype is None else check_dtype(dtype).name
    if op in ("var", "std") and not (ddof >= 0 and float(ddof).is_integer()):
        # NumPy takes any real ddof (0.5, -1): the ddof=0 variance rescaled by n / (n - ddof).
        n = _reduced_size(x, axes)
        fp, _ = _errstate.capture_reduction("var", False)
        v = Array(_core.reduce("var", x._node, axes, bool(keepdims), dt, 0, fp))
        v = apply_ufunc(np.divide, apply_ufunc(np.multiply, v, n), builtins.max(n - ddof, 0))
        if n == 0 and n - ddof > 0:  # NumPy: an empty sum of squares over n - ddof, so 0
            v = Array(_core.full(list(v.shape), v.dtype.name, 0, "auto"))
        result = apply_ufunc(np.sqrt, v) if op == "std" else v
        return rebind(out, result, op, casting="unsafe") if out is not None else result
    # np.errstate: the state in force now governs the reduction's floating-point errors.
    fp, fp_final = _errstate.capture_reduction(op, not reduced_shape(x.shape, axes, keepdims))
    result = Array(_core.reduce(op, x._node, axes, bool(keepdims), dt, int(ddof), fp, fp_final))
    if initial is not np._NoValue and op in _COMBINE:
        if isinstance(initial, (str, bytes)):
            np.array(initial, dtype=result.dtype)  # NumPy converts it: ValueError for 'a'
        result = apply_ufunc(_COMBINE[op], result, initial, dtype=result.dtype)
    return rebind(out, result, op, casting="unsafe") if out is not None else result


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
    ddof = _ddof(ddof, correction)
    if _numpy_recipe(x, dtype, mean):
        return _moment_recipe("var", x, axis, dtype, out, keepdims, where, ddof, mean)
    return reduce("var", x, axis, dtype, out, keepdims, ddof=ddof, where=where)


@implements(np.std)
def std(x, /, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=np._NoValue,
        mean=np._NoValue, correction=np._NoValue):
    ddof = _ddof(ddof, correction)
    if _numpy_recipe(x, dtype, mean):
        return _moment_recipe("std", x, axis, dtype, out, keepdims, where, ddof, mean)
    return reduce("std", x, axis, dtype, out, keepdims, ddof=ddof, where=where)


def _numpy_recipe(x, dtype, mean) -> bool:
    """Whether ``var``/``std`` must follow NumPy's two-pass recipe instead of the one-pass
    kernel: a given ``mean=``, or a complex ``x`` reduced in a real ``dtype`` (NumPy's mean is
    then the real part's, while the deviations stay complex)."""
    if mean is not np._NoValue:
        return True
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    return kind == "c" and dtype is not None and np.dtype(dtype).kind != "c"


def _moment_recipe(op, x, axis, dtype, out, keepdims, where, ddof, mean):
    from ._stats import moment_where

    x = as_array(x)
    if dtype is not None:
        check_dtype(dtype)
    mask = True if where is np._NoValue else where
    return moment_where(op, x, axis, dtype, out, keepdims, mask, ddof, mean=mean)


def _ddof(ddof, correction):
    """NumPy's ``var``/``std``: ``correction`` (the Array API's name) or ``ddof``, not both."""
    if correction is np._NoValue:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


@implements(np.any)
def any(x, /, axis=None, out=None, keepdims=False, *, where=np._NoValue):
    return reduce("any", x, axis, None, out, keepdims, where=where)


@implements(np.all)
def all(x, /, axis=None, out=None, keepdims=False, *, where=np._NoValue):
    return reduce("all", x, axis, None, out, keepdims, where=where)
