"""One-dimensional piecewise-linear interpolation: ``interp``.

A Rust kernel (``crates/oxarray-kernels/src/signal.rs``) per chunk of ``x``, reading the sample
points and values as one chunk each (they are gathered when chunked), with NumPy's arithmetic:
the slope form retried from the right end on NaN, exact sample points returning their value, NaN
``x`` giving NaN. ``period=`` is NumPy's own normalization (``x % period``, ``xp`` sorted by
``argsort`` and padded by one period on each side) composed from lazy ops. ``xp`` must be
increasing, as NumPy assumes without checking.
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of

__all__ = ["interp"]


def _points(v, dtype: np.dtype) -> Array:
    """A 1-d Array of ``v`` in ``dtype`` (NumPy: ValueError for other dimensions)."""
    if not isinstance(v, Array):
        v = np.asarray(v)
    if v.ndim == 0:
        raise ValueError("object of too small depth for desired array")
    if v.ndim > 1:
        raise ValueError("object too deep for desired array")
    if v.dtype.kind == "c" and dtype.kind != "c":
        raise TypeError("float() argument must be a string or a real number, not 'complex'")
    return Array(node_of(v, dtype))


def _scalar(v, complex_values: bool):
    """``left``/``right`` as NumPy parses them (a real number, or complex for complex ``fp``)."""
    if v is None:
        return None
    if isinstance(v, Array):
        v = v.compute()  # a Python value is needed to build the node (NumPy converts it too)
    if complex_values:
        return complex(v)
    if isinstance(v, (complex, np.complexfloating)):
        raise TypeError("must be real number, not complex")
    if isinstance(v, (list, tuple)):
        raise TypeError(f"must be real number, not {type(v).__name__}")
    return float(v)


@implements(np.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    """The piecewise-linear interpolant of ``(xp, fp)`` at ``x`` (``left``/``right`` outside,
    or periodic with ``period``)."""
    fp_dtype = fp.dtype if isinstance(fp, Array) else np.asarray(fp).dtype
    complex_values = fp_dtype.kind == "c"
    values = np.dtype(np.complex128 if complex_values else np.float64)
    if isinstance(x, Array):
        if x.dtype.kind == "c":
            raise TypeError("Cannot cast array data from dtype('complex128') to "
                            "dtype('float64') according to the rule 'safe'")
        xa = Array(node_of(x, np.dtype(np.float64)))
    else:
        xa = Array(node_of(np.asarray(x, dtype=np.float64)))
    if period is not None:
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period = abs(period)
        left = right = None
        xs = _points(xp, np.dtype(np.float64)) if np.ndim(xp) == 1 else None
        fs = _points(fp, values) if np.ndim(fp) == 1 else None
        if xs is None or fs is None:
            raise ValueError("Data points must be 1-D sequences")
        if xs.shape[0] != fs.shape[0]:
            raise ValueError("fp and xp are not of the same length")
        xa = apply_ufunc(np.remainder, xa, period)
        xs = apply_ufunc(np.remainder, xs, period)
        order = np.argsort(xs, kind="stable")
        xs, fs = xs[order], fs[order]
        if xs.shape[0] == 0:
            raise ValueError("array of sample points is empty")
        xs = np.concatenate((apply_ufunc(np.subtract, xs[-1:], period), xs,
                             apply_ufunc(np.add, xs[0:1], period)))
        fs = np.concatenate((fs[-1:], fs, fs[0:1]))
    else:
        xs = _points(xp, np.dtype(np.float64))
        fs = _points(fp, values)
        if xs.shape[0] == 0:
            raise ValueError("array of sample points is empty")
        if xs.shape[0] != fs.shape[0]:
            raise ValueError("fp and xp are not of the same length.")
    lval, rval = _scalar(left, complex_values), _scalar(right, complex_values)
    xs_node = _core.rechunk(xs._node, (-1,))
    fs_node = _core.rechunk(fs._node, (-1,))
    return Array(_core.interp(xa._node, xs_node, fs_node, lval, rval))
