"""Data type functions: ``astype``, ``result_type``, ``can_cast``, ``isdtype``, ``finfo``/``iinfo``.

All of them read dtypes only (an Array's metadata); none touches data. ``finfo``/``iinfo`` answer
with Python ``float``/``int`` values, as the Array API asks (NumPy's hold NumPy scalars).
"""

from __future__ import annotations

import numpy as np

from . import _core, _errstate
from ._array import Array
from ._dispatch import implements
from ._elementwise import check_dtype, node_of


def _dtype_of(x) -> np.dtype:
    """The dtype of an Array, ndarray or NumPy scalar, or ``x`` read as a dtype."""
    if isinstance(x, (Array, np.ndarray, np.generic)):
        return x.dtype
    return np.dtype(x)


class finfo_object:
    """Machine limits of a floating dtype, as Python floats (Array API ``finfo``)."""

    __slots__ = ("bits", "eps", "max", "min", "smallest_normal", "dtype", "resolution", "tiny",
                 "precision")

    def __init__(self, info: np.finfo):
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.tiny = self.smallest_normal  # NumPy's name for it
        self.resolution = float(info.resolution)
        self.precision = int(info.precision)
        self.dtype = info.dtype  # the real dtype, also for complex input (the standard's rule)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, "
                f"dtype={self.dtype})")


class iinfo_object:
    """Machine limits of an integer dtype, as Python ints (Array API ``iinfo``)."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, info: np.iinfo):
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = info.dtype

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def finfo(type, /) -> finfo_object:
    """Floating-point limits of ``type`` (a dtype, an Array or a NumPy array/scalar).

    >>> import oxarray as ox
    >>> ox.finfo(ox.float32).eps
    1.1920928955078125e-07
    """
    dt = _dtype_of(type)
    if dt.kind not in "fc":
        raise ValueError(f"data type {dt} not inexact")  # NumPy's message
    return finfo_object(np.finfo(dt))


def iinfo(type, /) -> iinfo_object:
    """Integer limits of ``type`` (a dtype, an Array or a NumPy array/scalar).

    >>> import oxarray as ox
    >>> ox.iinfo(ox.int8).min
    -128
    """
    dt = _dtype_of(type)
    if dt.kind not in "iu":
        raise ValueError(f"Invalid integer data type {dt.kind!r}.")  # NumPy's message
    return iinfo_object(np.iinfo(dt))


@implements(np.can_cast)
def can_cast(from_, to, casting: str = "safe") -> bool:
    """NumPy's ``can_cast``, taking an oxarray Array for its dtype (metadata only)."""
    return bool(np.can_cast(_dtype_of(from_), to, casting=casting))


_ISDTYPE_KINDS = ("bool", "signed integer", "unsigned integer", "integral", "real floating",
                  "complex floating", "numeric")


def isdtype(dtype, kind) -> bool:
    """Array API ``isdtype``: whether ``dtype`` is of ``kind`` (a dtype, a kind name, or a tuple).

    >>> import oxarray as ox
    >>> ox.isdtype(ox.float32, ("integral", "real floating"))
    True
    """
    if isinstance(dtype, (Array, np.ndarray)):
        raise TypeError(f"dtype argument must be a NumPy dtype, but it is a {type(dtype)}.")
    dt = np.dtype(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, str):
            if k not in _ISDTYPE_KINDS:
                raise ValueError(f"kind argument is a string, but {k!r} is not a known kind name.")
        elif not isinstance(k, (np.dtype, type)) or isinstance(k, tuple):
            raise TypeError(f"kind argument must be comprised of NumPy dtypes or strings only, "
                            f"but is a {type(k)}.")
    return bool(np.isdtype(dt, tuple(np.dtype(k) if not isinstance(k, str) else k for k in kinds)))


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
    # np.errstate: NumPy's "invalid value encountered in cast" (NaN or out of range to an integer),
    # "overflow encountered in cast" (a finite value too large for float32), by the state now.
    return Array(_core.cast(x._node, dtype.name, _errstate.capture("cast")))


@implements(np.iscomplexobj)
def iscomplexobj(x) -> bool:
    """Whether ``x``'s dtype is complex (its metadata; nothing computed)."""
    return _dtype_of(x).kind == "c" if isinstance(x, Array) else np.iscomplexobj(x)


@implements(np.isrealobj)
def isrealobj(x) -> bool:
    return not iscomplexobj(x)


@implements(np.common_type)
def common_type(*arrays):
    """NumPy's ``common_type`` from the arrays' dtypes (metadata only)."""
    return np.common_type(*(np.empty(0, a.dtype) if isinstance(a, Array) else a for a in arrays))
