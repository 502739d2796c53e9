"""Array creation: from NumPy data (copied into Rust chunks) and from nothing (lazy)."""

from __future__ import annotations

import builtins
import math
import operator

import numpy as np

from . import _core
from ._arguments import check_nbytes, check_order, shape_tuple
from ._array import Array, _chunk_spec
from ._dispatch import implements
from ._elementwise import check_dtype
from ._inspection import check_device


def _shape(shape, dtype=None) -> list[int]:
    """A shape argument as NumPy checks it; with ``dtype``, also that the array could exist."""
    out = shape_tuple(shape)
    if dtype is not None:
        check_nbytes(out, np.dtype(dtype))
    return out


def _check_size(size: int, dtype: np.dtype) -> None:
    # NumPy's limit, at the call as NumPy: a lazy array may exceed memory, not the address space.
    check_nbytes((size,), dtype)


def asarray(obj, dtype=None, order=None, *, copy: bool | None = None, chunks="auto", device=None,
            like=None) -> Array:
    """An oxarray.Array of ``obj`` (an Array, a NumPy array, or anything ``np.asarray`` takes).

    NumPy data is copied into Rust-owned chunks, so later changes to the NumPy array cannot race
    with a computation. ``copy=False`` cannot be honoured for NumPy input and raises ValueError.

    >>> import numpy as np, oxarray as ox
    >>> ox.asarray(np.ones((4, 4)), chunks=2).chunks
    ((2, 2), (2, 2))
    """
    check_device(device)
    check_order(order)
    if isinstance(obj, Array):
        out = obj
        if dtype is not None and np.dtype(dtype) != obj.dtype:
            if copy is False:
                raise ValueError("Unable to avoid copy while creating an array as requested.")
            out = Array(_core.cast(obj._node, check_dtype(dtype).name))
        if chunks != "auto":
            out = out.rechunk(chunks)
        if copy and out is obj:
            out = Array(obj._node)  # a new handle: in-place updates of either stay its own
        return out
    if copy is False:
        raise ValueError("Unable to avoid copy while creating an array as requested "
                         "(oxarray always copies NumPy data into its own chunks).")
    a = np.asarray(obj, dtype=dtype)
    byteswap = not a.dtype.isnative
    if byteswap:
        # Reinterpret without touching data; Rust swaps the bytes while copying.
        a = a.view(a.dtype.newbyteorder("="))
    check_dtype(a.dtype)
    return Array(_core.from_numpy(a, a.dtype.name, _chunk_spec(chunks), byteswap))


def from_dlpack(x, /, *, device=None, copy: bool | None = None, chunks="auto") -> Array:
    """An Array of any DLPack producer (NumPy, torch, CuPy on the host...): NumPy reads the
    capsule without a copy, then the data is copied into Rust chunks (copy on ingest, as
    ``asarray``), so ``copy=False`` is refused with ``BufferError``. An oxarray Array is taken
    as it is (no compute).

    >>> import numpy as np, oxarray as ox
    >>> ox.from_dlpack(np.arange(3)).compute()
    array([0, 1, 2])
    """
    check_device(device)
    if isinstance(x, Array):
        return Array(x._node) if copy else x
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: {type(x).__name__} does not implement __dlpack__")
    if copy is False:
        raise BufferError("oxarray copies data into its own chunks; from_dlpack(copy=False) "
                          "cannot be honoured")
    return asarray(np.from_dlpack(x), chunks=chunks)


@implements(np.copy)
def copy(a, order="K", subok=False) -> Array:
    """A new Array of the same values (a new handle, as ``Array.copy``); NumPy data is copied in."""
    check_order(order)
    return asarray(a, copy=True)


def from_array(x, chunks="auto") -> Array:
    """Like ``dask.array.from_array``: copy a NumPy array into chunks."""
    return asarray(x, chunks=chunks)


def full(shape, fill_value, dtype=None, order="C", *, chunks="auto", device=None) -> Array:
    """A lazy array of ``shape`` filled with ``fill_value``, like ``numpy.full`` (``chunks=``: the chunking)."""
    check_device(device)
    check_order(order, "CF")
    if isinstance(fill_value, Array):
        fill_value = fill_value.compute()
    fv = np.asarray(fill_value)
    if fv.ndim:
        from ._manipulation import broadcast_to

        return broadcast_to(asarray(fv, dtype=dtype), tuple(_shape(shape)))
    if dtype is not None:
        np.dtype(dtype)  # NumPy parses the dtype first (TypeError), then the shape...
    shape = _shape(shape)  # ...then whether oxarray has the dtype
    dt = check_dtype(dtype if dtype is not None else fv.dtype)
    return Array(_core.full(_shape(shape, dt), dt.name, _fill_scalar(fill_value, dt), _chunk_spec(chunks)))


def _fill_scalar(fill_value, dt: np.dtype):
    """The Python scalar NumPy's ``copyto(..., casting='unsafe')`` would store: NumPy scalars and
    floats are cast (wrapping), but a Python int out of the dtype's range is an OverflowError."""
    if type(fill_value) is int and dt.kind in "iu":
        np.array(fill_value, dtype=dt)  # NumPy 2 (NEP 50): raises OverflowError when out of range
    with np.errstate(over="ignore", invalid="ignore"):
        value = np.asarray(fill_value).astype(dt).item()
    if dt.kind in "biu" and isinstance(value, float):
        value = int(value)
    return value


def zeros(shape, dtype=float, order="C", *, chunks="auto", device=None) -> Array:
    """A lazy array of zeros, like ``numpy.zeros`` (``chunks=`` sets the chunking)."""
    return full(shape, 0, dtype if dtype is not None else float, order, chunks=chunks, device=device)


def ones(shape, dtype=float, order="C", *, chunks="auto", device=None) -> Array:
    """A lazy array of ones, like ``numpy.ones`` (``chunks=`` sets the chunking)."""
    return full(shape, 1, dtype if dtype is not None else float, order, chunks=chunks, device=device)


def empty(shape, dtype=float, order="C", *, chunks="auto", device=None) -> Array:
    """Lazy like Dask's: the values are zeros (NumPy leaves them undefined)."""
    return zeros(shape, dtype, order, chunks=chunks, device=device)


def _like_chunks(a, shape, chunks):
    if chunks is not None:
        return chunks
    if isinstance(a, Array) and (shape is None or tuple(_shape(shape)) == a.shape):
        return a.chunks
    return "auto"


@implements(np.full_like)
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, chunks=None, device=None):
    check_device(device)
    if dtype is not None:
        np.dtype(dtype)  # NumPy parses the dtype before the order
    check_order(order)
    shp = a.shape if shape is None else shape
    dt = dtype if dtype is not None else np.asarray(a).dtype if not isinstance(a, Array) else a.dtype
    return full(shp, fill_value, dt, chunks=_like_chunks(a, shape, chunks))


@implements(np.zeros_like)
def zeros_like(a, dtype=None, order="K", subok=True, shape=None, *, chunks=None, device=None):
    return full_like(a, 0, dtype, order, shape=shape, chunks=chunks, device=device)


@implements(np.ones_like)
def ones_like(a, dtype=None, order="K", subok=True, shape=None, *, chunks=None, device=None):
    return full_like(a, 1, dtype, order, shape=shape, chunks=chunks, device=device)


@implements(np.empty_like)
def empty_like(a, dtype=None, order="K", subok=True, shape=None, *, chunks=None, device=None):
    return full_like(a, 0, dtype, order, shape=shape, chunks=chunks, device=device)


def arange(start, stop=None, step=1, dtype=None, *, chunks="auto", device=None) -> Array:
    """NumPy's ``arange``: ``start + i*step`` for ``i < ceil((stop - start) / step)``."""
    check_device(device)
    if dtype is not None and np.dtype(dtype).kind not in "biufc":
        raise TypeError(f"arange() not supported for inputs with DType {type(np.dtype(dtype))}.")
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if step == 0:
        raise ZeroDivisionError("division by zero")
    # NumPy's dtype for these argument types, found from an empty range of the same types.
    zero = [_arange_type(v, 0) for v in (start, stop)]
    step_one = _arange_type(step, 1)
    beyond = any(v is None for v in (*zero, step_one))  # NumPy's object dtype: refused below
    dt = np.dtype(object) if beyond and dtype is None else np.dtype(
        dtype if dtype is not None else np.arange(zero[0], zero[1], step_one).dtype)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, stop, step)):
        start, stop, step = int(start), int(stop), int(step)
        length = -((start - stop) // step)
    else:
        length = (stop - start) / step
        if math.isnan(length):
            raise ValueError("arange: cannot compute length")
        length = math.inf if math.isinf(length) else math.ceil(length)
        start, step = float(start), float(step)
        # NumPy's fill computes each element as start + i * (start + step - start).
        step = (start + step) - start
    # As NumPy, a length that does not fit an intp is an error even when it is negative (an
    # empty range only when it does fit).
    info = np.iinfo(np.intp)
    if not info.min <= length <= info.max:
        raise ValueError("Maximum allowed size exceeded")
    n = max(0, length)
    dt = check_dtype(dt)  # (after the length: NumPy's size errors come first)
    _check_size(n, dt)
    if dt.kind in "iu" and type(start) is int:
        np.array(start, dtype=dt)  # NEP 50: OverflowError for a start beyond the dtype, as NumPy
    if dt.kind == "b" and n > 2:
        raise TypeError("arange() is only supported for booleans when the result has at most length 2.")
    if dt.kind in "fc":
        start, step = float(start), float(step)  # beyond int64 (2**63 + 2) as NumPy: in floats
    return Array(_core.arange(start, step, n, dt.name, _chunk_spec(chunks)))


def _arange_type(v, one: int):
    """A value of ``v``'s type for NumPy's dtype discovery in ``arange``: NumPy types Python
    ints by value there (int64; uint64 beyond it, so ``arange(2**63 - 2, 2**63 + 2)`` is
    float64; object beyond that, which oxarray lacks)."""
    if isinstance(v, np.generic):
        return v.dtype.type(one)
    if type(v) is int and not -(2**63) <= v < 2**63:
        return np.uint64(one) if 0 <= v < 2**64 else None  # None: NumPy's object dtype
    return type(v)(one)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             chunks="auto", device=None):
    """NumPy's ``linspace`` (real numbers): same formula, so the same floats."""
    check_device(device)
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    if np.iscomplexobj(start) or np.iscomplexobj(stop):
        raise TypeError("oxarray.linspace supports real start and stop only")
    if np.ndim(start) or np.ndim(stop) or axis != 0:
        raise TypeError("oxarray.linspace supports scalar start and stop only")
    dt = check_dtype(dtype if dtype is not None else np.result_type(start, stop, float))
    _check_size(num, dt)
    out = Array(_core.linspace(float(start), float(stop), num, bool(endpoint), dt.name, _chunk_spec(chunks)))
    if retstep:
        div = (num - 1) if endpoint else num
        return out, ((stop - start) / div if div > 0 else np.nan)
    return out


def eye(N, M=None, k=0, dtype=float, order="C", *, chunks="auto", device=None) -> Array:
    """A lazy 2-d array with ones on the ``k``-th diagonal, like ``numpy.eye``."""
    check_device(device)
    check_order(order, "CF")
    dt = check_dtype(dtype)
    N, M = _shape((N, N if M is None else M), dt)
    # Any k is NumPy's (k = 2**63 is all zeros): a diagonal past either edge is the same as one
    # just past it, so k is clamped into the engine's int64.
    k = builtins.max(-N, builtins.min(M, operator.index(k)))
    return Array(_core.eye(N, M, k, dt.name, _chunk_spec(chunks)))


def identity(n, dtype=float, *, chunks="auto") -> Array:
    """The lazy ``n`` x ``n`` identity matrix, like ``numpy.identity``."""
    return eye(n, dtype=dtype, chunks=chunks)
