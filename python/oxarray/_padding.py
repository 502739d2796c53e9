"""``np.pad``: every mode as a composition of lazy slices, flips, broadcasts, reductions and
``concatenate``, one axis after the other as NumPy pads (each axis sees the padding of the axes
before it). No kernel of its own.

Not supported: a callable ``mode`` (NumPy calls it in place on every 1-d vector of the result:
user Python on the data, which a lazy array cannot run); ``median`` needs ``np.median``, which this
module reaches through NumPy's dispatch (a TypeError naming it while oxarray lacks a sort).
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._creation import _fill_scalar
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of
from ._manipulation import broadcast_to, concatenate, reshape
from ._rearranging import axis_slice, flip

__all__ = ["pad"]

_ALLOWED = {
    "empty": [], "edge": [], "wrap": [], "constant": ["constant_values"],
    "linear_ramp": ["end_values"], "maximum": ["stat_length"], "mean": ["stat_length"],
    "median": ["stat_length"], "minimum": ["stat_length"], "reflect": ["reflect_type"],
    "symmetric": ["reflect_type"],
}  # fmt: skip


def _as_pairs(x, ndim, as_index=False):
    """NumPy's ``_as_pairs``: ``x`` broadcast to ``ndim`` (before, after) pairs."""
    if x is None:
        return ((None, None),) * ndim
    x = np.array(x)
    if as_index:
        x = np.round(x).astype(np.intp, copy=False)
    if x.ndim < 3:
        if x.size == 1:
            x = x.ravel()
            if as_index and x < 0:
                raise ValueError("index can't contain negative values")
            return ((x[0], x[0]),) * ndim
        if x.size == 2 and x.shape != (2, 1):
            x = x.ravel()
            if as_index and (x[0] < 0 or x[1] < 0):
                raise ValueError("index can't contain negative values")
            return ((x[0], x[1]),) * ndim
    if as_index and x.min() < 0:
        raise ValueError("index can't contain negative values")
    return np.broadcast_to(x, (ndim, 2)).tolist()


def _block_shape(x: Array, axis: int, n: int) -> list[int]:
    shape = list(x.shape)
    shape[axis] = n
    return shape


def _full_block(x: Array, axis: int, n: int, value) -> Array:
    v = _fill_scalar(value.item() if isinstance(value, np.generic) else value, x.dtype)
    return Array(_core.full(_block_shape(x, axis, n), x.dtype.name, v, "auto"))


def _cast(x: Array, dtype) -> Array:
    return x if x.dtype == dtype else Array(_core.cast(x._node, dtype.name))


def _edge_block(x: Array, axis: int, n: int, left: bool) -> Array:
    edge = axis_slice(x, axis, 0, 1) if left else axis_slice(x, axis, x.shape[axis] - 1, None)
    return broadcast_to(edge, _block_shape(x, axis, n))


def _ramp(x: Array, axis: int, n: int, end_value, left: bool) -> Array:
    """NumPy's ``linspace(end_value, edge, n, endpoint=False, dtype=x.dtype, axis=axis)``
    (reversed on the right): ``i * step + start`` in linspace's computing dtype, floored for
    integers."""
    edge = axis_slice(x, axis, 0, 1) if left else axis_slice(x, axis, x.shape[axis] - 1, None)
    dt = np.result_type(end_value, x.dtype, float(n))
    edge = _cast(edge, dt)
    start = np.asarray(end_value).astype(dt)
    step = apply_ufunc(np.divide, apply_ufunc(np.subtract, edge, start), n)
    shape = [1] * x.ndim
    shape[axis] = n
    i = reshape(Array(_core.arange(0, 1, n, dt.name, "auto")), shape)
    y = apply_ufunc(np.add, apply_ufunc(np.multiply, i, step), start)
    if x.dtype.kind in "iu":
        y = apply_ufunc(np.floor, y)
    y = _cast(y, x.dtype)
    return y if left else flip(y, axis)


def _stat_block(x: Array, axis: int, n: int, length, mode: str, left: bool) -> Array:
    size = x.shape[axis]
    length = size if length is None or size < length else int(length)
    if length == 0 and mode in ("maximum", "minimum"):
        raise ValueError("stat_length of 0 yields no value for padding")
    part = axis_slice(x, axis, 0, length) if left else axis_slice(x, axis, size - length, None)
    func = {"maximum": np.amax, "minimum": np.amin, "mean": np.mean, "median": np.median}[mode]
    stat = func(part, axis=axis, keepdims=True)
    if x.dtype.kind in "iu":
        stat = apply_ufunc(np.rint, stat) if stat.dtype.kind in "fc" else stat
    return broadcast_to(_cast(stat, x.dtype), _block_shape(x, axis, n))


def _odd(edge: Array, chunk: Array, dtype) -> Array:
    """``2 * edge - chunk`` (the odd reflection), stored in ``dtype`` as NumPy assigns it."""
    return _cast(apply_ufunc(np.subtract, apply_ufunc(np.multiply, 2, edge), chunk), dtype)


def _reflect_axis(x: Array, axis: int, left: int, right: int, odd: bool, symmetric: bool,
                  period: int) -> Array:
    """NumPy's ``_set_reflect_both`` loop: each round mirrors what is already there."""
    cur = x
    while left > 0 or right > 0:
        old = cur.shape[axis]
        if symmetric:
            old = old // period * period
        else:
            old = (old - 1) // (period - 1) * (period - 1)
        parts = [cur]
        if left > 0:
            m = min(old, left)
            first = 0 if symmetric else 1
            chunk = flip(axis_slice(cur, axis, first, m + first), axis)
            if odd:
                chunk = _odd(axis_slice(cur, axis, 0, 1), chunk, x.dtype)
            parts.insert(0, chunk)
            left -= m
        if right > 0:
            m = min(old, right)
            n = cur.shape[axis]
            stop = n if symmetric else n - 1
            chunk = flip(axis_slice(cur, axis, stop - m, stop), axis)
            if odd:
                chunk = _odd(axis_slice(cur, axis, n - 1, n), chunk, x.dtype)
            parts.append(chunk)
            right -= m
        cur = concatenate(parts, axis)
    return cur


def _wrap_axis(x: Array, axis: int, left: int, right: int, original: int) -> Array:
    """NumPy's ``_set_wrap_both`` loop: each round copies whole periods of what is there."""
    cur = x
    while left > 0 or right > 0:
        n = cur.shape[axis]
        period = n // original * original
        parts = [cur]
        if left > 0:
            m = min(period, left)
            parts.insert(0, axis_slice(cur, axis, period - m, period))
            left -= m
        if right > 0:
            m = min(period, right)
            parts.append(axis_slice(cur, axis, n - period, n - period + m))
            right -= m
        cur = concatenate(parts, axis)
    return cur


def _pad_width(array: Array, pad_width):
    if isinstance(pad_width, dict):
        seq = [(0, 0)] * array.ndim
        for axis, width in pad_width.items():
            if isinstance(width, int):
                seq[axis] = width, width
            elif isinstance(width, tuple) and len(width) == 2 and all(isinstance(w, int) for w in width):
                seq[axis] = width
            else:
                raise TypeError(f"invalid pad width {width!r} for axis {axis}")
        pad_width = seq
    pad_width = np.asarray(pad_width)
    if not pad_width.dtype.kind == "i":
        raise TypeError("`pad_width` must be of integral type.")
    return [(int(a), int(b)) for a, b in _as_pairs(pad_width, array.ndim, as_index=True)]


@implements(np.pad)
def pad(array, pad_width, mode="constant", **kwargs):
    """``array`` padded by ``pad_width`` (NumPy's forms, a dict too) with ``mode``."""
    x = array if isinstance(array, Array) else Array(node_of(array))
    widths = _pad_width(x, pad_width)
    if callable(mode):
        raise TypeError("oxarray.pad does not support a callable mode: it would run Python on "
                        "every 1-d vector of the data (compute() first to use NumPy's)")
    try:
        unsupported = set(kwargs) - set(_ALLOWED[mode])
    except (KeyError, TypeError):
        raise ValueError(f"mode '{mode}' is not supported") from None
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    new_shape = [b + s + a for s, (b, a) in zip(x.shape, widths, strict=True)]
    if x.size == 0 and mode not in ("constant", "empty"):
        for axis, (b, a) in enumerate(widths):
            if x.shape[axis] == 0 and (b or a):
                raise ValueError(f"can't extend empty axis {axis} using modes other than "
                                 f"'constant' or 'empty'")
        return Array(_core.full(new_shape, x.dtype.name, 0, "auto"))  # size 0: no values
    if mode == "empty":
        mode = "constant"  # NumPy leaves the padding undefined (np.empty): zeros here
        values = _as_pairs(0, x.ndim)
    elif mode == "constant":
        values = _as_pairs(kwargs.get("constant_values", 0), x.ndim)
    elif mode == "linear_ramp":
        values = _as_pairs(kwargs.get("end_values", 0), x.ndim)
    elif mode in ("maximum", "minimum", "mean", "median"):
        values = _as_pairs(kwargs.get("stat_length"), x.ndim, as_index=True)
    odd = kwargs.get("reflect_type", "even") == "odd"
    out = x
    for axis, (b, a) in enumerate(widths):
        if not (b or a):
            continue
        if mode in ("reflect", "symmetric") and x.shape[axis] > 1:
            out = _reflect_axis(out, axis, b, a, odd, mode == "symmetric", x.shape[axis])
            continue
        if mode == "wrap":
            out = _wrap_axis(out, axis, b, a, x.shape[axis])
            continue
        sides = []
        for n, left, k in ((b, True, 0), (a, False, 1)):
            if mode == "constant":
                sides.append(_full_block(out, axis, n, values[axis][k]))
            elif mode in ("edge", "reflect", "symmetric"):
                sides.append(_edge_block(out, axis, n, left))
            elif mode == "linear_ramp":
                sides.append(_ramp(out, axis, n, values[axis][k], left))
            else:
                sides.append(_stat_block(out, axis, n, values[axis][k], mode, left))
        out = concatenate([sides[0], out, sides[1]], axis)
    return out if out is not x else Array(x._node)

