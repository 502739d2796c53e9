"""NumPy's rules for the arguments every family takes -- ``axis=``, ``keepdims=``, ``out=`` of a
reduction, ``order=``, shapes -- and for the operands oxarray steps aside from (NEP 13 / NEP 18).

One helper per rule, used by every function that takes the argument, so a bad value gets NumPy's
exception at the call wherever it is passed. Imports only NumPy (the bottom floor of the front).
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.exceptions import AxisError

_INTP_MAX = np.iinfo(np.intp).max
_MAXDIMS = 64


def _c_long(value: int) -> int:
    """An ``int`` NumPy would convert to a C long (``OverflowError`` beyond it, as NumPy)."""
    if not -_INTP_MAX - 1 <= value <= _INTP_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return value


def check_index_integer(i: int) -> None:
    """An integer index NumPy cannot hold: beyond 64 bits it is not an index at all
    (IndexError); in [2**63, 2**64) NumPy's conversion to intp overflows (OverflowError)."""
    if i < -_INTP_MAX - 1 or i >= 2**64:
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) "
                         "and integer or boolean arrays are valid indices")
    if i > _INTP_MAX:
        raise OverflowError("Python int too large to convert to C long")


def basic_index_item(k):
    """A 0-d integer NumPy array indexes as its integer (NumPy's basic indexing); an array of
    another dtype than integers or bools is NumPy's IndexError."""
    if isinstance(k, np.ndarray):
        if k.dtype.kind not in "biu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        if k.ndim == 0 and k.dtype.kind in "iu":
            return operator.index(k)
    elif isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
        check_index_integer(int(k))  # NumPy converts each integer before counting them
    return k


def axis_index(axis) -> int:
    """One integer axis as NumPy parses it: an int or NumPy integer, never a bool."""
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError("an integer is required")
    return _c_long(operator.index(axis))  # list, float, str, None, arrays: TypeError


def reduction_axes(axis, ndim: int, zero_d_axis: bool = False) -> list[int] | None:
    """``axis=`` of a reduction as NumPy's ``ufunc.reduce`` takes it -- None, an integer or a
    tuple of integers (a list is a TypeError, as is a bool) -- normalized against ``ndim``:
    AxisError out of range, ValueError for a duplicate. ``zero_d_axis``: a 0-d array also
    accepts axis 0 or -1 (NumPy's ufunc reductions do; mean/var/std do not)."""
    if axis is None:
        return None
    items = axis if isinstance(axis, tuple) else (axis,)
    axes = [axis_index(a) for a in items]
    if ndim == 0 and zero_d_axis and not isinstance(axis, tuple) and axes[0] in (0, -1):
        return None
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise AxisError(a, ndim)
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return out


def keepdims_flag(keepdims) -> bool:
    """``keepdims=`` of a ufunc reduction: an integer (a Python bool is one; NumPy's bool, a
    float, None or a string is a TypeError, as NumPy parses it)."""
    if isinstance(keepdims, bool):
        return keepdims
    return bool(operator.index(keepdims))


def reduced_shape(shape, axes, keepdims: bool) -> tuple[int, ...]:
    """The shape of a reduction over ``axes`` (normalized; None is every axis)."""
    if keepdims:
        return tuple(1 if axes is None or a in axes else n for a, n in enumerate(shape))
    return tuple(n for a, n in enumerate(shape) if axes is not None and a not in axes)


def reduction_out(out, shape: tuple[int, ...], name: str):
    """``out=`` of a reduction: ``None``, or an array of exactly the result's shape (NumPy does
    not broadcast a reduction into ``out``). Returns the array (a 1-tuple is unwrapped)."""
    if out is None:
        return None
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    out_shape = getattr(out, "shape", None)
    if out_shape is None or not hasattr(out, "dtype"):
        raise TypeError("output must be an array")
    if len(out_shape) != len(shape):
        raise ValueError(f"output parameter for reduction operation {name} has the wrong number "
                         f"of dimensions: Found {len(out_shape)} but expected {len(shape)}")
    if tuple(out_shape) != tuple(shape):
        raise ValueError(f"output parameter for reduction operation {name} has a shape "
                         f"{tuple(out_shape)} that does not match the result's {tuple(shape)}")
    return out


def check_order(order, allowed: str = "CFAK") -> str | None:
    """``order=`` in upper case (None stays None): a lazy array has no memory layout, but a bad
    value is NumPy's ValueError."""
    if order is None:
        return None
    if not isinstance(order, str):
        raise TypeError(f"order must be str, not {type(order).__name__}")
    if not (len(order) == 1 and order.upper() in allowed):
        listed = ", ".join(f"'{o}'" for o in allowed[:-1]) + f", or '{allowed[-1]}'"
        raise ValueError(f"order must be one of {listed} (got {order!r})")
    return order.upper()


def shape_tuple(shape) -> list[int]:
    """A shape argument as NumPy's creation functions check it: an integer or a sequence of
    integers (bools and floats are TypeErrors), non-negative, at most 64 dimensions."""
    if isinstance(shape, (bool, np.bool_)):
        raise TypeError(f"expected a sequence of integers or a single integer, got '{shape!r}'")
    if shape is None:
        raise TypeError("Use () not None as shape arguments")
    try:
        items = (operator.index(shape),)
    except TypeError:
        if isinstance(shape, (dict, set, str, bytes)) or not hasattr(shape, "__iter__"):
            raise TypeError(f"expected a sequence of integers or a single integer, "
                            f"got '{shape!r}'") from None
        items = tuple(shape)
    out = []
    for s in items:
        s = extent(s)
        if s < 0:
            raise ValueError("negative dimensions are not allowed")
        out.append(s)
    if len(out) > _MAXDIMS:
        raise ValueError(f"maximum supported dimension for an ndarray is currently {_MAXDIMS}, "
                         f"found {len(out)}")
    return out


def extent(s) -> int:
    """One extent of a shape: an integer, not a bool, at most NumPy's largest dimension."""
    if isinstance(s, (bool, np.bool_)):
        raise TypeError("an integer is required")
    s = operator.index(s)
    if s > _INTP_MAX:
        raise ValueError("Maximum allowed dimension exceeded")
    return s


def check_nbytes(shape, dtype) -> None:
    """NumPy's "array is too big": the product of the non-zero extents times the item size must
    fit an intp (NumPy skips empty axes, so ``(2**40, 0, 3)`` is fine and ``(0, 2**62)`` of
    float64 is not). A lazy array may exceed memory, not the address space."""
    nbytes = np.dtype(dtype).itemsize
    for s in shape:
        nbytes *= s if s else 1
        if nbytes > _INTP_MAX:
            raise ValueError("array is too big; `arr.size * arr.dtype.itemsize` is larger than "
                             "the maximum possible size.")


# --- operands: which types oxarray computes with, and which get their own turn ---------------
_NDARRAY_UFUNC = np.ndarray.__array_ufunc__
_NDARRAY_FUNCTION = np.ndarray.__array_function__


def plain_ndarray(x) -> bool:
    """An ndarray oxarray may treat as NumPy data: ``ndarray`` itself, or a subclass that keeps
    NumPy's protocols and does not claim priority over ndarray (``np.memmap``). A subclass with
    its own ``__array_ufunc__``/``__array_function__`` or a higher ``__array_priority__``
    (``np.ma.MaskedArray``, ``np.matrix``) carries meaning a lazy array would drop."""
    return plain_ndarray_type(type(x))


def plain_ndarray_type(t: type) -> bool:
    if t is np.ndarray:
        return True
    return (issubclass(t, np.ndarray) and t.__array_ufunc__ is _NDARRAY_UFUNC
            and t.__array_function__ is _NDARRAY_FUNCTION and _declared_priority(t) <= 0.0)


def _declared_priority(t: type) -> float:
    """The ``__array_priority__`` an ndarray subclass declares (ndarray's own is 0)."""
    for k in t.__mro__:
        if k is np.ndarray:
            break
        if "__array_priority__" in vars(k):
            return float(vars(k)["__array_priority__"])
    return 0.0


def opaque_to_comparison(x) -> bool:
    """An operand every number compares unequal to, as NumPy's ``==`` finds elementwise: None,
    strings, bytes, dates, and objects that keep ``object.__eq__`` (identity)."""
    if x is None or isinstance(x, (str, bytes, dict, set, frozenset)):
        return True
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype.kind in "USMmV"
    if isinstance(x, (list, tuple)):
        try:
            return np.asarray(x).dtype.kind in "USV"
        except (ValueError, TypeError):
            return False
    return type(x).__eq__ is object.__eq__ and not hasattr(type(x), "__array__")


def negative_integer_power(name: str, inputs, in_dtypes) -> None:
    """NumPy refuses an integer ``power`` with a negative exponent. An exponent whose values
    are at hand -- a Python or NumPy scalar, a NumPy array -- is checked at the call; a lazy
    exponent's values are not known until compute(), where the kernel raises."""
    if name != "power" or in_dtypes[1].kind not in "iu" or in_dtypes[0].kind not in "iu":
        return
    exponent = inputs[1]
    if 0 in np.broadcast_shapes(*(v.shape if hasattr(v, "shape") else np.shape(v) for v in inputs)):
        return  # NumPy raises in the loop: an empty result runs none
    if isinstance(exponent, (int, np.integer, np.ndarray, list, tuple)) and not isinstance(exponent, bool):
        if np.asarray(exponent).dtype.kind in "iuO" and np.any(np.asarray(exponent) < 0):
            raise ValueError("Integers to negative integer powers are not allowed.")
