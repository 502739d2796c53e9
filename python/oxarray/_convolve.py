"""Discrete 1-d convolution and correlation: ``convolve``, ``correlate``.

A Rust kernel (``crates/oxarray-kernels/src/signal.rs``): each output chunk is computed directly
(tap-major over cache-sized tiles) from the signal chunks its window overlaps and the whole
shorter argument, so nothing beyond one output chunk's window is gathered. NumPy's rules are
followed to the letter: the longer argument is the signal, a swapped ``correlate`` is reversed,
``correlate`` conjugates its second argument, ``mode='same'`` centres at ``len(short) // 2``.
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype, node_of

__all__ = ["convolve", "correlate"]

_MODES = {"valid": 0, "same": 1, "full": 2, "v": 0, "s": 1, "f": 2}


def _mode(mode) -> int:
    if isinstance(mode, str):
        try:
            return _MODES[mode]
        except KeyError:
            raise ValueError("mode must be one of 'valid', 'same', or 'full' (got "
                             f"{mode!r})") from None
    if isinstance(mode, (int, np.integer)) and not isinstance(mode, bool):
        if mode not in (0, 1, 2):
            raise ValueError("integer convolve/correlate mode must be 0, 1, or 2")
        return int(mode)
    raise TypeError("convolve/correlate mode not understood")


def _vector(x, min_ndim: bool) -> Array:
    """A 1-d Array of ``x``; ``min_ndim``: a 0-d ``x`` becomes 1-d (``convolve``), else
    ValueError as NumPy's ``correlate`` raises."""
    if not isinstance(x, Array):
        x = np.asarray(x)
    if x.ndim == 0:
        if not min_ndim:
            raise ValueError("object of too small depth for desired array")
        return Array(_core.reshape(node_of(x), [1]))
    if x.ndim > 1:
        raise ValueError("object too deep for desired array")
    return x if isinstance(x, Array) else Array(node_of(x))


def _correlate(ap1: Array, ap2: Array, mode: int) -> Array:
    """NumPy's ``_pyarray_correlate``: the longer argument slides, the result reversed when the
    arguments were swapped."""
    dtype = check_dtype(np.result_type(ap1.dtype, ap2.dtype))
    n1, n2 = ap1.shape[0], ap2.shape[0]
    if n1 == 0:
        raise ValueError("first array argument cannot be empty")
    if n2 == 0:
        raise ValueError("second array argument cannot be empty")
    inverted = n1 < n2
    if inverted:
        ap1, ap2, n1, n2 = ap2, ap1, n2, n1
    if mode == 0:
        length, n_left = n1 - n2 + 1, 0
    elif mode == 1:
        length, n_left = n1, n2 // 2
    else:
        length, n_left = n1 + n2 - 1, n2 - 1
    x = node_of(ap1, dtype)
    y = _core.rechunk(node_of(ap2, dtype), (-1,))
    size = max(max(ap1.chunks[0], default=1), 1)
    chunks = [size] * (length // size) + ([length % size] if length % size else [])
    out = Array(_core.correlate(x, y, n_left, length, chunks))
    return out[::-1] if inverted else out


@implements(np.convolve)
def convolve(a, v, mode="full"):
    """The discrete linear convolution of two 1-d sequences (``mode``: full, same, valid)."""
    a, v = _vector(a, True), _vector(v, True)
    if v.shape[0] > a.shape[0]:
        a, v = v, a
    if a.shape[0] == 0:
        raise ValueError("a cannot be empty")
    if v.shape[0] == 0:
        raise ValueError("v cannot be empty")
    return _correlate(a, v[::-1], _mode(mode))


@implements(np.correlate)
def correlate(a, v, mode="valid"):
    """The cross-correlation ``c[k] = sum_n a[n + k] * conj(v[n])`` of two 1-d sequences."""
    mode = _mode(mode)
    a, v = _vector(a, False), _vector(v, False)
    if np.result_type(a.dtype, v.dtype).kind == "c" and v.dtype.kind == "c":
        v = apply_ufunc(np.conjugate, v)
    return _correlate(a, v, mode)
