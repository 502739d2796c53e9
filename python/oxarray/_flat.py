"""``x.flat``: NumPy's flat iterator over an oxarray Array, lazily where NumPy returns arrays.

``x.flat[key]`` indexes the array as if it were raveled (C order): a lazy ``x.reshape(-1)[key]``.
``x.flat[key] = values`` writes through to ``x`` (the Array object now stands for the updated
array, as ``x[key] = v`` does), recycling ``values`` when there are fewer of them than selected
elements, as NumPy's flat assignment does; ``x.flat = values`` assigns every element that way.
Iterating ``x.flat`` (or ``list(x.flat)``) demands the values, like ``tolist()``: the array is
computed once and its elements are yielded as NumPy scalars.
"""

from __future__ import annotations

import numpy as np

from ._array import Array

__all__ = ["FlatIter"]


class FlatIter:
    """The object ``x.flat`` returns (NumPy's ``numpy.flatiter``, for a lazy array)."""

    def __init__(self, base: Array):
        self.base = base

    def __len__(self) -> int:
        return self.base.size

    def __getitem__(self, key) -> Array:
        return self.base.reshape(-1)[key]

    def __setitem__(self, key, value) -> None:
        flat = self.base.reshape(-1)
        selected = _selection(self.base.size, key) if _index_is_cheap(key) else flat[key]
        value = _recycled(value, selected.size, self.base.dtype)
        flat[key] = value
        self.base._node = flat.reshape(self.base.shape)._node

    def __iter__(self):
        return iter(self.base.compute().flat)

    def __array__(self, dtype=None, copy=None):
        return self.base.compute().reshape(-1) if dtype is None else self.base.compute().reshape(-1).astype(dtype)

    def copy(self) -> Array:
        """A 1-D copy of the array's elements, lazily (``x.reshape(-1)``)."""
        return self.base.reshape(-1).copy()

    def __repr__(self) -> str:
        return f"<oxarray flat iterator over {self.base!r}>"


def _index_is_cheap(key) -> bool:
    """An index whose selection size NumPy finds without the data (ints, slices, NumPy index
    arrays): the size comes from indexing an empty array of the right length."""
    keys = key if isinstance(key, tuple) else (key,)
    return not any(isinstance(k, Array) for k in keys)


def _selection(size: int, key) -> np.ndarray:
    """What ``key`` selects from ``size`` elements, on a zero-stride stand-in (no allocation of
    ``size`` bytes; only the selection's own size for index arrays)."""
    return np.broadcast_to(np.zeros((), dtype=np.bool_), (size,))[key]


def _recycled(value, n: int, dtype):
    """NumPy's flat assignment repeats the values over the selection when there are fewer."""
    if isinstance(value, Array):
        if value.size in (1, n) or n == 0:
            return value
        return np.resize(value.reshape(-1), (n,))
    v = np.asarray(value)
    if v.size in (1, n) or n == 0:
        return value
    if v.size == 0:
        raise ValueError("cannot assign an empty sequence to the flat iterator of a non-empty selection")
    return np.resize(v.reshape(-1), (n,)).astype(v.dtype, copy=False)
