"""Evenly spaced numbers: ``linspace``, ``logspace``, ``geomspace`` (NEP 18 on ``start``/``stop``,
and ``ox.linspace`` ...).

Each is NumPy's own recipe (numpy/_core/function_base.py) composed of lazy ops -- an ``arange``
source, broadcasting arithmetic, an assignment of the endpoint, ``moveaxis`` -- so array-valued
``start``/``stop``, ``axis=``, integer ``dtype=`` (floored), ``retstep`` and the dtype rules
are NumPy's and the floats are the same. Scalar float64 ``linspace`` uses the Rust source kernel
(``_core.linspace``), which evaluates the same formula.

NumPy decides one thing from the values: whether any step is zero (then it divides before it
multiplies, for denormals); here that choice is a lazy ``where`` on ``any(step == 0)``.
``geomspace``'s "Geometric sequence cannot include zero" is raised at the call for NumPy/scalar
input and at compute for an Array (its values are not known at the call).
"""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._array import Array, _chunk_spec
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype
from ._inspection import check_device

__all__ = ["geomspace", "linspace", "logspace"]


def _as(v) -> Array:
    from ._creation import asarray

    return asarray(v)


def _ndim(v) -> int:
    return v.ndim if isinstance(v, Array) else np.ndim(v)


def _stand_in(v):
    """``v`` for NumPy's dtype rules without its values: an Array becomes an empty NumPy array
    of its dtype (an array, so not "weak" as a Python scalar is)."""
    return np.zeros((), v.dtype) if isinstance(v, Array) else v


def _inexact_type(start, stop) -> np.dtype:
    """NumPy's ``_array_converter(start, stop).result_type(ensure_inexact=True)``."""
    try:
        from numpy._core._multiarray_umath import _array_converter

        return _array_converter(_stand_in(start), _stand_in(stop)).result_type(ensure_inexact=True)
    except ImportError:  # pragma: no cover - NumPy internals moved
        dt = np.result_type(_stand_in(start), _stand_in(stop))
        return dt if dt.kind in "fc" else np.result_type(dt, 1.0)


def _cast(x: Array, dt: np.dtype) -> Array:
    return x if x.dtype == dt else Array(_core.cast(x._node, dt.name))


@implements(np.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None, chunks="auto"):
    """NumPy's ``linspace``, lazy: scalar or array-valued ``start``/``stop``, any ``axis``.

    >>> import numpy as np, oxarray as ox
    >>> np.linspace(ox.asarray([0.0, 1.0]), 2.0, 3, axis=1).compute()
    array([[0. , 1. , 2. ],
           [1. , 1.5, 2. ]])
    """
    check_device(device)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = (num - 1) if endpoint else num
    dt = _inexact_type(start, stop)
    integer_dtype = dtype is not None and np.issubdtype(dtype, np.integer)
    out_dt = check_dtype(dt if dtype is None else dtype)
    check_dtype(dt)
    scalars = not isinstance(start, Array) and not isinstance(stop, Array) \
        and np.ndim(start) == 0 and np.ndim(stop) == 0
    if scalars:
        # NumPy's step for scalars: a NumPy scalar of dt (NaN without a step).
        step = np.subtract(stop, start, dtype=type(dt)) / div if div > 0 else np.nan
        if dt == np.float64 and out_dt == np.float64 and axis in (0, -1):
            from ._arguments import check_nbytes

            check_nbytes((num,), dt)
            out = Array(_core.linspace(float(start), float(stop), num, bool(endpoint), dt.name,
                                       _chunk_spec(chunks)))
            return (out, step) if retstep else out
    start_a, stop_a = _as(start), _as(stop)
    delta = apply_ufunc(np.subtract, stop_a, start_a, dtype=dt)
    from ._creation import arange
    from ._manipulation import moveaxis, reshape
    from ._searching import where
    from ._statistical import any as _any

    y = reshape(arange(0, num, dtype=dt, chunks=chunks), (-1,) + (1,) * delta.ndim)
    if div > 0:
        array_step = apply_ufunc(np.divide, delta, div)
        any_zero = _any(apply_ufunc(np.equal, array_step, 0))
        y = where(any_zero, apply_ufunc(np.multiply, apply_ufunc(np.divide, y, div), delta),
                  apply_ufunc(np.multiply, y, array_step))
    else:
        array_step = None
        y = apply_ufunc(np.multiply, y, delta)
    y = _cast(apply_ufunc(np.add, y, start_a), y.dtype)  # NumPy: y += start
    if endpoint and num > 1:
        y[-1, ...] = stop_a
    if axis != 0:
        y = moveaxis(y, 0, axis)
    if integer_dtype:
        y = apply_ufunc(np.floor, y)
    y = _cast(y, out_dt)
    if retstep:
        if not scalars:
            step = array_step if array_step is not None else np.nan
        return y, step
    return y


@implements(np.logspace)
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """NumPy's ``logspace``: ``base ** linspace(start, stop, ...)``, lazy; an array-valued
    ``base`` is broadcast with ``start``/``stop`` and inserted at ``axis``, as NumPy does."""
    from ._like import _ndmin
    from ._manipulation import broadcast_shapes, expand_dims

    if not isinstance(base, (float, int)) and _ndim(base):
        shapes = [v.shape if isinstance(v, Array) else np.shape(v) for v in (start, stop, base)]
        ndmax = len(broadcast_shapes(*shapes))
        start, stop, base = (_ndmin(_as(a), ndmax) for a in (start, stop, base))
        base = expand_dims(base, axis)
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    out = apply_ufunc(np.power, base, y)
    return out if dtype is None else _cast(out, check_dtype(dtype))


@implements(np.geomspace)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """NumPy's ``geomspace``, lazy (log-spaced between ``|start|`` and ``|stop|`` with
    ``start``'s sign or phase; the ends are exact)."""
    from ._manipulation import moveaxis
    from ._nan import checked

    lazy = isinstance(start, Array) or isinstance(stop, Array)
    if not lazy:
        with np.errstate(all="ignore"):
            if np.any(np.asarray(start) == 0) or np.any(np.asarray(stop) == 0):
                raise ValueError("Geometric sequence cannot include zero")
    start, stop = _as(start), _as(stop)
    if lazy:
        from ._statistical import any as _any

        zero = apply_ufunc(np.logical_or, _any(apply_ufunc(np.equal, start, 0)),
                           _any(apply_ufunc(np.equal, stop, 0)))
    dt = np.result_type(start.dtype, stop.dtype, float(num), np.zeros((), dtype).dtype)
    out_dt = dt if dtype is None else check_dtype(dtype)
    check_dtype(dt)
    start, stop = _cast(start, dt), _cast(stop, dt)
    out_sign = apply_ufunc(np.sign, start)
    start = _cast(apply_ufunc(np.divide, start, out_sign), dt)
    stop = apply_ufunc(np.divide, stop, out_sign)
    result = logspace(apply_ufunc(np.log10, start), apply_ufunc(np.log10, stop), num=num,
                      endpoint=endpoint, base=10.0, dtype=dt)
    if num > 0:
        result[0] = start
        if num > 1 and endpoint:
            result[-1] = stop
    result = _cast(apply_ufunc(np.multiply, result, out_sign), result.dtype)
    if axis != 0:
        result = moveaxis(result, 0, axis)
    result = _cast(result, out_dt)
    if lazy:
        result = checked(result, zero, "Geometric sequence cannot include zero", warn=False)
    return result
