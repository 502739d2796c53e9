"""Searching functions: ``argmin``/``argmax`` (tree reductions that carry indices) and ``where``."""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of, rebind


def _arg(op: str, x, axis, out, keepdims) -> Array:
    x = x if isinstance(x, Array) else Array(node_of(x))
    if axis is not None:
        axis = operator.index(axis)
        if x.ndim == 0 and axis in (0, -1):
            axis = None  # as NumPy: a 0-d array's only element, along "its" axis 0 or -1
    extent = x.size if axis is None else (x.shape[axis] if -x.ndim <= axis < x.ndim else 1)
    if extent == 0:
        raise ValueError(f"attempt to get {op} of an empty sequence")
    axes = None if axis is None else [axis]
    result = Array(_core.reduce(op, x._node, axes, bool(keepdims)))
    return rebind(out, result, op) if out is not None else result


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

    dt = result_type_of(x, y)
    cond = node_of(condition, np.dtype(bool))
    return Array(_core.where_(cond, node_of(x, dt), node_of(y, dt)))
