"""NEP 35 ``like=``: NumPy's creation functions return an oxarray Array when ``like`` is one.

``np.ones(3, like=x)`` makes NumPy call ``x.__array_function__(np.ones, types, args, kwargs)``
with the *public* function and ``like`` removed from ``kwargs`` (NumPy 2.4's ``_*_with_like``
dispatchers and its C creation functions both do this), so registering the public functions here
is all NEP 35 needs. The same entries answer NEP 18 calls whose array argument is an Array
(``np.ascontiguousarray(x)``, ``np.require(x)``).

Creation from nothing is lazy (Rust sources). Parsing functions (``fromiter``, ``frombuffer``,
``fromstring``, ``fromfile``, ``loadtxt``, ``genfromtxt``) let NumPy parse the bytes or text --
the data is not an oxarray Array yet, so no lazy graph is computed -- and the parsed buffer is
copied into Rust chunks (oxarray has no lazy readers yet).
"""

from __future__ import annotations

import numpy as np

from . import _creation as _cr
from ._arguments import check_order
from ._array import Array
from ._dispatch import implements
from ._elementwise import check_dtype
from ._manipulation import reshape

__all__ = ["array", "ascontiguousarray", "asfortranarray", "fromfunction", "require"]


def _ndmin(x: Array, ndmin) -> Array:
    ndmin = int(ndmin)
    if ndmin > 64:
        raise ValueError("ndmin bigger than allowable number of dimensions NPY_MAXDIMS (=64)")
    if x.ndim >= ndmin:
        return x
    return reshape(x, (1,) * (ndmin - x.ndim) + x.shape)


@implements(np.array)
def array(object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, ndmax=0,
          chunks="auto") -> Array:
    """``np.array(..., like=x)``: an Array (lazy for an Array ``object``; NumPy data is copied in).

    >>> import numpy as np, oxarray as ox
    >>> np.array([[1, 2]], like=ox.ones(1), ndmin=3).shape
    (1, 1, 2)
    """
    check_order(order)
    if isinstance(object, Array):
        if dtype is not None:
            np.dtype(dtype)
        out = _cr.asarray(object, dtype=dtype, copy=bool(copy) or None, chunks=chunks)
        return _ndmin(out, ndmin)
    if copy is False:
        raise ValueError("Unable to avoid copy while creating an array as requested "
                         "(oxarray always copies NumPy data into its own chunks).")
    kw = {"ndmax": ndmax} if ndmax else {}
    a = np.array(object, dtype=dtype, order=order, ndmin=ndmin, **kw)
    return _cr.asarray(a, chunks=chunks)


@implements(np.asarray, np.asanyarray)
def asarray_like(a, dtype=None, order=None, *, device=None, copy=None, chunks="auto") -> Array:
    """``np.asarray``/``np.asanyarray`` with ``like=`` an Array: :func:`oxarray.asarray`."""
    return _cr.asarray(a, dtype=dtype, order=order, copy=copy, device=device, chunks=chunks)


@implements(np.ascontiguousarray)
def ascontiguousarray(a, dtype=None, *, chunks="auto") -> Array:
    """An Array of ``a`` with at least one dimension (NumPy's rule); a lazy array has no memory
    layout, so this is :func:`oxarray.asarray` otherwise (no copy of an Array)."""
    return _ndmin(_cr.asarray(a, dtype=dtype, chunks=chunks), 1)


@implements(np.asfortranarray)
def asfortranarray(a, dtype=None, *, chunks="auto") -> Array:
    """As :func:`ascontiguousarray`: the layout of a lazy array is decided when it is computed."""
    return _ndmin(_cr.asarray(a, dtype=dtype, chunks=chunks), 1)


_FLAGS = {"C": "C", "C_CONTIGUOUS": "C", "CONTIGUOUS": "C", "F": "F", "F_CONTIGUOUS": "F",
          "FORTRAN": "F", "A": "A", "ALIGNED": "A", "W": "W", "WRITEABLE": "W", "O": "O",
          "OWNDATA": "O", "E": "E", "ENSUREARRAY": "E"}


@implements(np.require)
def require(a, dtype=None, requirements=None) -> Array:
    """An Array of ``a`` in ``dtype``; the flags are checked as NumPy checks them (an unknown one
    is a KeyError, C with F a ValueError) and are met by construction: a computed chunk is
    contiguous, aligned, writeable and owns its data."""
    if requirements:
        flags = {_FLAGS[r.upper()] for r in requirements}
        if {"C", "F"} <= flags:
            raise ValueError('Cannot specify both "C" and "F" order')
    return _cr.asarray(a, dtype=dtype)


@implements(np.empty)
def empty(shape, dtype=float, order="C", *, device=None, chunks="auto") -> Array:
    """Lazy, like Dask's: the values are zeros (NumPy leaves them undefined)."""
    return _cr.empty(shape, dtype, order, chunks=chunks, device=device)


@implements(np.zeros)
def zeros(shape, dtype=float, order="C", *, device=None, chunks="auto") -> Array:
    return _cr.zeros(shape, dtype, order, chunks=chunks, device=device)


@implements(np.ones)
def ones(shape, dtype=None, order="C", *, device=None, chunks="auto") -> Array:
    return _cr.ones(shape, dtype, order, chunks=chunks, device=device)


@implements(np.full)
def full(shape, fill_value, dtype=None, order="C", *, device=None, chunks="auto") -> Array:
    return _cr.full(shape, fill_value, dtype, order, chunks=chunks, device=device)


@implements(np.eye)
def eye(N, M=None, k=0, dtype=float, order="C", *, device=None, chunks="auto") -> Array:
    return _cr.eye(N, M, k, float if dtype is None else dtype, order, chunks=chunks,
                   device=device)


@implements(np.identity)
def identity(n, dtype=None, *, chunks="auto") -> Array:
    return _cr.identity(n, float if dtype is None else dtype, chunks=chunks)


@implements(np.tri)
def tri(N, M=None, k=0, dtype=float, *, chunks="auto") -> Array:
    from ._matrices import tri as _tri

    return _tri(N, M, k, dtype, chunks=chunks)


@implements(np.arange)
def arange(*args, dtype=None, device=None, chunks="auto", **kwargs) -> Array:
    """``np.arange([start,] stop[, step], dtype=None, *, device=None)`` with NumPy's argument
    rules (``start=``/``stop=``/``step=`` by keyword too)."""
    if len(args) > 4:
        raise TypeError(f"arange() takes from 1 to 4 positional arguments but {len(args)} "
                        f"were given")
    names = ("start", "stop", "step", "dtype")
    given = dict(zip(names, args, strict=False))
    for k, v in kwargs.items():
        if k not in names[:3]:
            raise TypeError(f"arange() got an unexpected keyword argument '{k}'")
        if k in given:
            raise TypeError(f"argument for arange() given by name ('{k}') and position")
        given[k] = v
    if "dtype" in given:
        if dtype is not None:
            raise TypeError("argument for arange() given by name ('dtype') and position")
        dtype = given.pop("dtype")
    start, stop, step = given.get("start"), given.get("stop"), given.get("step")
    if start is None and stop is None:
        raise TypeError("arange() requires stop to be specified.")
    if stop is None:  # arange(stop) or arange(start=stop)
        start, stop = 0, start
    elif start is None:
        start = 0
    return _cr.arange(start, stop, 1 if step is None else step, dtype, chunks=chunks,
                      device=device)


@implements(np.fromfunction)
def fromfunction(function, shape, *, dtype=float, **kwargs):
    """``function(*indices(shape, dtype), **kwargs)`` with lazy index Arrays: NumPy's own
    recipe, so ``function`` runs once, on lazy Arrays (it is not called per element)."""
    from ._matrices import indices

    return function(*indices(shape, dtype=dtype), **kwargs)


def _ingest(parsed):
    """Copies what NumPy parsed into Rust chunks (a tuple stays a tuple, as ``unpack=True``)."""
    if isinstance(parsed, np.ma.MaskedArray):
        raise TypeError("oxarray has no masked arrays: genfromtxt(usemask=True, like=...) "
                        "cannot return one")
    if isinstance(parsed, (tuple, list)):
        return type(parsed)(_ingest(p) for p in parsed)
    if isinstance(parsed, dict):
        return {k: _ingest(v) for k, v in parsed.items()}
    check_dtype(parsed.dtype)
    return _cr.asarray(parsed)


@implements(np.fromiter)
def fromiter(iter, dtype, count=-1) -> Array:
    """NumPy consumes the iterable, then the values are copied into Rust chunks."""
    return _ingest(np.fromiter(iter, dtype, count))


@implements(np.frombuffer)
def frombuffer(buffer, dtype=float, count=-1, offset=0) -> Array:
    """NumPy interprets the buffer, then the values are copied into Rust chunks (so later
    changes to the buffer are not seen, unlike NumPy's view)."""
    return _ingest(np.frombuffer(buffer, dtype, count, offset))


@implements(np.fromstring)
def fromstring(string, dtype=float, count=-1, *, sep):
    """NumPy parses the text, then the values are copied into Rust chunks."""
    return _ingest(np.fromstring(string, dtype, count, sep=sep))


@implements(np.fromfile)
def fromfile(file, dtype=float, count=-1, sep="", offset=0) -> Array:
    """NumPy reads the file, then the values are copied into Rust chunks."""
    return _ingest(np.fromfile(file, dtype, count, sep, offset))


@implements(np.loadtxt)
def loadtxt(*args, **kwargs):
    """NumPy parses the text (every keyword as NumPy), then the values are copied into Rust chunks."""
    return _ingest(np.loadtxt(*args, **kwargs))


@implements(np.genfromtxt)
def genfromtxt(*args, **kwargs):
    """NumPy parses the text, then the values are copied into Rust chunks; ``usemask=True`` is
    refused (TypeError): oxarray has no masked arrays."""
    return _ingest(np.genfromtxt(*args, **kwargs))
