"""Bit packing: ``packbits`` and ``unpackbits``.

A Rust kernel (``crates/oxarray-kernels/src/bits.rs``), one task per block: 8 input elements make
one output byte, so before packing the packed axis is rechunked (only when needed) to blocks
holding multiples of 8 elements, and each output block then reads exactly one input block.
Unpacking needs no rechunk (a byte never straddles blocks); its ``count`` is a lazy slice (or a
lazy zero padding) of the unpacked result. Non-bool input is first compared with 0 (fused
elementwise). NumPy's argument checks are followed, messages included.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of

__all__ = ["packbits", "unpackbits"]


def _operand(a) -> Array:
    return a if isinstance(a, Array) else Array(node_of(np.asarray(a)))


def _axis(axis, ndim: int) -> int:
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError("an integer is required for the axis")
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{type(axis).__name__!r} object cannot be interpreted as an "
                        "integer") from None
    return normalize_axis_index(axis, max(ndim, 1))


def _flat_or_1d(a: Array, axis) -> tuple[Array, int]:
    """NumPy's ``axis=None`` flattens; a 0-d array is seen as 1-d."""
    if axis is None:
        return a.reshape(-1), 0
    ax = _axis(axis, a.ndim)
    return (a.reshape(1) if a.ndim == 0 else a), ax


def _pack_order(bitorder) -> bool:
    # NumPy's packbits accepts a string starting with 'little' or 'big' (case-sensitive).
    if not isinstance(bitorder, str):
        raise TypeError(f"pack() argument 3 must be str, not {type(bitorder).__name__}")
    if bitorder.startswith("little"):
        return True
    if bitorder.startswith("big"):
        return False
    raise ValueError("'order' must be either 'little' or 'big'")


def _unpack_order(bitorder) -> bool:
    # NumPy's unpackbits looks at the first letter only (lower case).
    if not isinstance(bitorder, str):
        raise TypeError(f"unpack() argument 4 must be str, not {type(bitorder).__name__}")
    if bitorder[:1] == "l":
        return True
    if bitorder[:1] == "b":
        return False
    raise ValueError("'order' must begin with 'l' or 'b'")


def _blocks_of_8(x: Array, axis: int) -> Array:
    """``x`` rechunked along ``axis`` so that every block but the last holds a multiple of 8."""
    along = x.chunks[axis]
    if all(c % 8 == 0 for c in along[:-1]):
        return x
    size = -(-max(along) // 8) * 8
    n = x.shape[axis]
    chunks = list(x.chunks)
    chunks[axis] = tuple([size] * (n // size) + ([n % size] if n % size else []))
    return Array(_core.rechunk(x._node, tuple(chunks)))


@implements(np.packbits)
def packbits(a, /, axis=None, bitorder="big") -> Array:
    """Packs the elements of a bool or integer array into bits of a uint8 array (nonzero is 1),
    along ``axis`` (``None``: the flattened array), padding the last byte with zero bits."""
    a = _operand(a)
    if a.dtype.kind not in "biu":
        raise TypeError("Expected an input array of integer or boolean data type")
    little = _pack_order(bitorder)
    x, ax = _flat_or_1d(a, axis)
    if x.dtype != np.bool_:
        x = apply_ufunc(np.not_equal, x, 0)
    x = _blocks_of_8(x, ax)
    return Array(_core.packbits(x._node, ax, little))


@implements(np.unpackbits)
def unpackbits(a, /, axis=None, count=None, bitorder="big") -> Array:
    """Unpacks each byte of a uint8 array into 8 elements of 0 and 1 along ``axis`` (``None``:
    the flattened array); ``count`` keeps that many (negative: drops that many from the end,
    more than available: pads with zeros)."""
    a = _operand(a)
    if a.dtype != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if count is not None:
        if isinstance(count, (bool, np.bool_)):
            raise TypeError("an integer is required")
        count = operator.index(count)
    x, ax = _flat_or_1d(a, axis)
    little = _unpack_order(bitorder)
    out = Array(_core.unpackbits(x._node, ax, little))
    n = out.shape[ax]
    if count is None or count == n:
        return out
    if count < 0:
        if -count > n:
            raise ValueError("-count larger than number of elements")
        count += n
    if count <= n:
        index = (slice(None),) * ax + (slice(0, count),)
        return out[index]
    from ._creation import zeros
    from ._manipulation import concatenate

    shape = list(out.shape)
    shape[ax] = count - n
    return concatenate([out, zeros(tuple(shape), dtype=np.uint8)], axis=ax)
