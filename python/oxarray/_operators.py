"""Python's binary operators on Array (``x + y``, ``x == y``), with ndarray's rules for the other
operand, so a subclass or duck type with its own protocol gets its turn (NEP 13):

- an operand oxarray computes with (its Arrays, plain NumPy arrays, scalars, lists) is computed;
- one that opts out of ufuncs (``__array_ufunc__ = None``) gets ``NotImplemented``, so Python
  calls its reflected method;
- one with its own ``__array_ufunc__`` goes through the ufunc, whose dispatch calls it;
- anything else (``np.ma.MaskedArray``, ``__array_priority__`` types, strings, None) gets
  ``NotImplemented`` -- except ``==``/``!=`` against a value no number equals (a string, None,
  an object comparing by identity), which is NumPy's elementwise False/True.
"""

from __future__ import annotations

import numpy as np

from ._arguments import opaque_to_comparison
from ._array import Array
from ._elementwise import apply_ufunc, is_operand

_NDARRAY_UFUNC = np.ndarray.__array_ufunc__
# Operands computed with as they are: oxarray Arrays and Python numbers.
_PLAIN = frozenset({Array, int, float, complex, bool})


def binary(ufunc: np.ufunc, self: Array, other, reflected: bool = False):
    """``self <op> other`` (``other <op> self`` when ``reflected``), or ``NotImplemented``."""
    if type(other) in _PLAIN:  # the common case first: no comparison finds these opaque
        return apply_ufunc(ufunc, other, self) if reflected else apply_ufunc(ufunc, self, other)
    if is_operand(other):
        if _comparison(ufunc) and opaque_to_comparison(other):
            return _unequal(ufunc, self, other)
        return apply_ufunc(ufunc, other, self) if reflected else apply_ufunc(ufunc, self, other)
    method = getattr(type(other), "__array_ufunc__", _NDARRAY_UFUNC)
    if method is None:
        return NotImplemented  # NEP 13: it opts out of ufuncs; Python calls its reflected method
    if method is not _NDARRAY_UFUNC:
        return ufunc(other, self) if reflected else ufunc(self, other)  # its __array_ufunc__ runs
    if isinstance(other, np.ndarray) or hasattr(type(other), "__array_function__") \
            or getattr(other, "__array_priority__", 0.0) > 0.0:
        return NotImplemented  # np.ma.MaskedArray and friends: their reflected method runs
    if _comparison(ufunc) and opaque_to_comparison(other):
        return _unequal(ufunc, self, other)
    if ufunc is np.matmul and not isinstance(other, (str, bytes)):
        # NumPy's matmul takes None or any object as a 0-d operand, and refuses its shape.
        raise ValueError(f"matmul: Input operand {0 if reflected else 1} does not have enough "
                         f"dimensions (has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) "
                         f"requires 1)")
    return NotImplemented


def _comparison(ufunc: np.ufunc) -> bool:
    return ufunc is np.equal or ufunc is np.not_equal


def _unequal(ufunc: np.ufunc, self: Array, other) -> Array:
    """NumPy's ``==``/``!=`` against values no number equals: all False (all True for ``!=``)
    in the broadcast shape. Lazy: a constant, no data is read."""
    from ._creation import full

    other_shape = np.shape(other) if isinstance(other, (list, tuple, np.ndarray)) else ()
    shape = np.broadcast_shapes(self.shape, other_shape)
    return full(shape, ufunc is np.not_equal, dtype=bool)
