"""Data type functions: ``astype``, ``result_type``, ``can_cast``, ``finfo``/``iinfo`` (NumPy's)."""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import check_dtype, node_of

finfo = np.finfo
iinfo = np.iinfo
can_cast = np.can_cast


def _weak_or_dtype(x):
    if type(x) in (int, float, complex):
        return x  # NEP 50: Python scalars are weak in result_type
    if isinstance(x, (Array, np.ndarray, np.generic)):
        return x.dtype
    return np.asarray(x).dtype


def result_type_of(*args) -> np.dtype:
    return check_dtype(np.result_type(*(_weak_or_dtype(a) for a in args)))


@implements(np.result_type)
def result_type(*arrays_and_dtypes) -> np.dtype:
    return np.result_type(*(_weak_or_dtype(a) if not isinstance(a, (np.dtype, type, str)) else a
                            for a in arrays_and_dtypes))


@implements(np.astype)
def astype(x, dtype, /, *, copy: bool = True, casting: str = "unsafe", device=None) -> Array:
    """Convert to ``dtype`` with C-cast semantics (``casting`` checked as NumPy does)."""
    x = x if isinstance(x, Array) else Array(node_of(x))
    dtype = check_dtype(dtype)
    if not np.can_cast(x.dtype, dtype, casting=casting):
        raise TypeError(f"Cannot cast array data from {x.dtype!r} to {dtype!r} according to the "
                        f"rule '{casting}'")
    if dtype == x.dtype:
        return Array(x._node)
    return Array(_core.cast(x._node, dtype.name))
