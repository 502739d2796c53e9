"""Searching functions: ``argmin``/``argmax`` (tree reductions that carry indices) and ``where``."""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._arguments import reduced_shape, reduction_axes, reduction_out
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of, rebind


def _arg(op: str, x, axis, out, keepdims) -> Array:
    x = x if isinstance(x, Array) else Array(node_of(x))
    if axis is not None:
        if isinstance(axis, (bool, np.bool_)):
            raise TypeError("an integer is required for the axis")
        axis = operator.index(axis)  # a tuple or a list: NumPy's TypeError (one axis only)
    # As NumPy: a 0-d array's only element, along "its" axis 0 or -1.
    axes = reduction_axes(axis, x.ndim, zero_d_axis=True)
    extent = x.size if axes is None else x.shape[axes[0]]
    if extent == 0:
        raise ValueError(f"attempt to get {op} of an empty sequence")
    keepdims = bool(keepdims)  # NumPy's argmin/argmax take any truth value
    if out is not None:
        out = reduction_out(out, reduced_shape(x.shape, axes, keepdims), op)
        if not np.can_cast(out.dtype, np.intp, "safe"):
            raise TypeError(f"Cannot cast array data from {out.dtype!r} to {np.dtype(np.intp)!r} "
                            f"according to the rule 'safe'")
    result = Array(_core.reduce(op, x._node, axes, keepdims))
    return rebind(out, result, op, casting="unsafe") if out is not None else result


@implements(np.argmin)
def argmin(x, /, axis=None, out=None, *, keepdims=False):
    """Index of the minimum (the first one; the first NaN if any), as int64."""
    return _arg("argmin", x, axis, out, keepdims)


@implements(np.argmax)
def argmax(x, /, axis=None, out=None, *, keepdims=False):
    return _arg("argmax", x, axis, out, keepdims)


@implements(np.where)
def where(condition, x=None, y=None, /):
    """``x`` where ``condition`` else ``y`` (NumPy's promotion of ``x`` and ``y``, NEP 50)."""
    if x is None or y is None:
        if x is None and y is None:
            from ._masking import nonzero

            return nonzero(condition)  # NumPy's where(condition): the size pass of nonzero
        raise ValueError("either both or neither of x and y should be given")
    from ._data_types import result_type_of

    np.broadcast_shapes(*(v.shape if isinstance(v, Array) else np.shape(v) for v in (condition, x, y)))
    dt = result_type_of(x, y)
    cond = node_of(condition, np.dtype(bool))
    return Array(_core.where_(cond, node_of(x, dt), node_of(y, dt)))
