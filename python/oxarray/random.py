"""Random numbers as lazy chunked arrays, like ``numpy.random.Generator`` and ``dask.array.random``.

Values are counter-based (Philox4x32-10, computed in Rust): element ``i`` of a result depends only
on the generator's seed, on how many calls the generator has made before, and on ``i`` -- never on
the chunks, the number of threads or the order in which blocks are computed. A seed therefore
gives the same array on every machine and with any ``chunks=``. The values are not NumPy's
(NumPy's ``default_rng`` uses PCG64 sequentially); the distributions are the same.

>>> import oxarray as ox
>>> rng = ox.random.default_rng(42)
>>> x = rng.random((4, 3), chunks=(2, 3))          # lazy
>>> y = ox.random.default_rng(42).random((4, 3), chunks=(1, 1))
>>> bool((x.compute() == y.compute()).all())
True
"""

from __future__ import annotations

import math
import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._arguments import check_nbytes
from ._array import Array, _chunk_spec
from ._creation import _shape

__all__ = [
    "Generator",
    "choice",
    "default_rng",
    "integers",
    "normal",
    "permutation",
    "randint",
    "random",
    "random_sample",
    "seed",
    "shuffle",
    "standard_normal",
    "uniform",
]

_STREAMS = 1 << 32


def _size(size) -> list[int]:
    """NumPy's ``size=``: None is one value (a 0-d array), else a shape."""
    return [] if size is None else _shape(size)


def _is_scalar(v) -> bool:
    return not isinstance(v, Array) and np.ndim(v) == 0


class Generator:
    """A source of lazy random arrays (the analogue of ``numpy.random.Generator``).

    Each call draws from a new stream, so successive calls give different arrays, as NumPy's do.
    Every method takes ``chunks=`` (default ``"auto"``, as everywhere in oxarray).

    >>> import oxarray as ox
    >>> rng = ox.random.default_rng(0)
    >>> rng.integers(0, 10, size=5, chunks=2).shape
    (5,)
    """

    def __init__(self, seed=None):
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._seed_seq = ss
        k = ss.generate_state(2, np.uint32)
        self._key = (int(k[0]), int(k[1]))
        self._stream = 0

    def __repr__(self) -> str:
        key = f"{self._key[0]:08x}{self._key[1]:08x}"
        return f"oxarray.random.Generator(key={key}, calls={self._stream})"

    def _next_stream(self) -> int:
        s = self._stream % _STREAMS
        self._stream += 1
        return s

    def _draw(self, shape, dtype, chunks, dist: str, params) -> Array:
        check_nbytes(shape, np.dtype(dtype))  # NumPy's "array is too big", at the call
        return Array(_core.random(shape, np.dtype(dtype).name, _chunk_spec(chunks), self._key,
                                  self._next_stream(), dist, params))

    # --- floats ------------------------------------------------------------------------------

    def random(self, size=None, dtype=np.float64, *, chunks="auto") -> Array:
        """Floats uniform in [0, 1) (53 random bits for float64, 24 for float32).

        >>> import oxarray as ox
        >>> x = ox.random.default_rng(1).random(1000, chunks=100).compute()
        >>> bool(((0 <= x) & (x < 1)).all())
        True
        """
        dt = _float_dtype(dtype, "random")
        return self._draw(_size(size), dt, chunks, "uniform", (0.0, 1.0))

    def uniform(self, low=0.0, high=1.0, size=None, *, chunks="auto") -> Array:
        """Floats uniform in [low, high): ``low + (high - low) * random()`` as NumPy computes it.

        Array-like bounds broadcast against ``size`` (the result is then a lazy expression).
        """
        if _is_scalar(low) and _is_scalar(high):
            low, high = float(low), float(high)
            if not math.isfinite(high - low):
                raise OverflowError("high - low range exceeds valid bounds")
            if high < low:
                raise ValueError("high - low < 0")
            return self._draw(_size(size), np.float64, chunks, "uniform", (low, high))
        shape = _broadcast_size(size, low, high)
        if not isinstance(low, Array) and not isinstance(high, Array):
            # NumPy checks NumPy bounds before drawing (a lazy bound is not computed to check).
            with np.errstate(invalid="ignore", over="ignore"):
                span = np.asarray(high, dtype=np.float64) - np.asarray(low, dtype=np.float64)
            if not np.all(np.isfinite(span)):
                raise OverflowError("Range exceeds valid bounds")
            if np.any(span < 0):
                raise ValueError("high - low < 0")
        u = self.random(shape, chunks=chunks)
        return low + (_as_float(high) - low) * u

    def standard_normal(self, size=None, dtype=np.float64, *, chunks="auto") -> Array:
        """Standard normal floats (ziggurat on the counter stream)."""
        dt = _float_dtype(dtype, "standard_normal")
        return self._draw(_size(size), dt, chunks, "normal", (0.0, 1.0))

    def normal(self, loc=0.0, scale=1.0, size=None, *, chunks="auto") -> Array:
        """Normal floats with mean ``loc`` and standard deviation ``scale`` (``scale >= 0``).

        A lazy ``scale`` array is not computed to check its sign (NumPy's ValueError for
        ``scale < 0`` is raised for scalar and NumPy scales).
        """
        if not isinstance(scale, Array) and np.any(np.asarray(scale) < 0):
            raise ValueError("scale < 0")
        if _is_scalar(loc) and _is_scalar(scale):
            return self._draw(_size(size), np.float64, chunks, "normal", (float(loc), float(scale)))
        shape = _broadcast_size(size, loc, scale)
        return loc + _as_float(scale) * self.standard_normal(shape, chunks=chunks)

    # --- integers ----------------------------------------------------------------------------

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False, *,
                 chunks="auto") -> Array:
        """Integers uniform in [low, high) (or [low, high] with ``endpoint=True``), unbiased.

        ``dtype`` may be any integer dtype or bool, as in NumPy.

        >>> import oxarray as ox
        >>> x = ox.random.default_rng(2).integers(1, 6, size=1000, endpoint=True).compute()
        >>> sorted(set(x.tolist()))
        [1, 2, 3, 4, 5, 6]
        """
        dt = np.dtype(dtype)
        if dt.kind not in "biu":
            raise TypeError(f"Unsupported dtype {dt!r} for integers")
        if high is None:
            low, high = 0, low
        lo_min, hi_max = (0, 1) if dt.kind == "b" else (np.iinfo(dt).min, np.iinfo(dt).max)
        if not (_is_scalar(low) and _is_scalar(high)):
            return self._integers_broadcast(low, high, size, dt, endpoint, chunks, lo_min, hi_max)
        low, high = _int_bound(low, "low"), _int_bound(high, "high")
        hi = high if endpoint else high - 1
        if low < lo_min:
            raise ValueError(f"low is out of bounds for {dt.name}")
        if hi > hi_max:
            raise ValueError(f"high is out of bounds for {dt.name}")
        if low > hi:
            raise ValueError("low > high" if endpoint else "low >= high")
        return self._draw(_size(size), dt, chunks, "integers", (low, hi - low))

    def _integers_broadcast(self, low, high, size, dt, endpoint, chunks, lo_min, hi_max) -> Array:
        # NumPy checks every bound before drawing, so array bounds are values now (a lazy Array
        # is computed here); the draws stay lazy, one unbiased draw per element from its own
        # flat index, hence the same values for any chunking.
        low, high = (_bound_array(v) for v in (low, high))
        shape = _broadcast_size(size, low, high)
        bshape = np.broadcast_shapes(low.shape, high.shape)
        lows = [int(v) for v in np.broadcast_to(low, bshape).ravel().tolist()]
        his = [int(v) - (0 if endpoint else 1) for v in np.broadcast_to(high, bshape).ravel().tolist()]
        if any(v < lo_min for v in lows):
            raise ValueError(f"low is out of bounds for {dt.name}")
        if any(v > hi_max for v in his):
            raise ValueError(f"high is out of bounds for {dt.name}")
        if any(lo > hi for lo, hi in zip(lows, his, strict=True)):
            raise ValueError("low > high" if endpoint else "low >= high")
        spans = [hi - lo for lo, hi in zip(lows, his, strict=True)]
        return self._draw(list(shape), dt, chunks, "integers_broadcast", (list(bshape), lows, spans))

    # --- sampling ----------------------------------------------------------------------------

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True, *,
               chunks="auto") -> Array:
        """Samples of ``a`` (an int ``n`` means ``arange(n)``), along ``axis`` of ``a``.

        With replacement the result is lazy; without replacement and without ``p`` it is lazy too
        (the first draws of a permutation). Without replacement *and* with ``p`` the indices are
        computed at the call (the weighted draw needs every weight): the result is materialized.
        """
        if isinstance(a, np.ndarray) and a.ndim == 0 and a.dtype.kind in "iu":
            a = int(a)  # NumPy takes a 0-d integer array as the integer
        if isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)):
            pop = operator.index(a)  # NumPy ignores ``axis`` for an integer population
            arr = None
        else:
            arr = a if isinstance(a, Array) else np.asarray(a)
            if arr.ndim == 0:
                raise ValueError("a must be a sequence or an integer, not a 0-d array")
            axis = operator.index(axis)
            pop = arr.shape[axis]  # out of range: NumPy's IndexError, from the same lookup
            axis %= arr.ndim
        shape = _size(size)
        k = math.prod(shape)
        if pop < 0 or (pop == 0 and k):
            raise ValueError("a must be a positive integer unless no samples are taken"
                             if arr is None else "a cannot be empty unless no samples are taken")
        if p is not None:
            p = np.asarray(p.compute() if isinstance(p, Array) else p, dtype=np.float64)
            if p.ndim != 1:
                raise ValueError("p must be 1-dimensional")
            if p.size != pop:
                raise ValueError("a and p must have same size")
            if np.any(np.isnan(p)):
                raise ValueError("probabilities contain NaN")
            if np.any(p < 0):
                raise ValueError("probabilities are not non-negative")
            if abs(float(p.sum()) - 1.0) > np.sqrt(np.finfo(np.float64).eps):
                raise ValueError("probabilities do not sum to 1")
        if not replace and k > pop:
            raise ValueError("Cannot take a larger sample than population when replace=False")
        # chunks= shapes the result: the indices themselves when `a` is an int, else the gather.
        ichunks = chunks if arr is None else "auto"
        if replace:
            if p is None:
                idx = self.integers(0, pop, size=shape, chunks=ichunks) if pop else \
                    self._draw(shape, np.int64, ichunks, "integers", (0, 0))
            else:
                idx = self._draw(shape, np.int64, ichunks, "choice", tuple(p.tolist()))
        elif p is None:
            idx = self._draw(shape, np.int64, ichunks, "permutation", pop)
        else:
            if np.count_nonzero(p) < k:
                raise ValueError("Fewer non-zero entries in p than size")
            flat = Array(_core.weighted_choice(p.tolist(), k, _chunk_spec(ichunks) if len(shape) == 1
                                               else "auto", self._key, self._next_stream()))
            idx = flat.reshape(shape) if len(shape) != 1 else flat
        return idx if arr is None else _take(arr, idx, chunks, axis)

    def permutation(self, x, axis=0, *, chunks="auto") -> Array:
        """A permuted ``arange(x)`` (int ``x``) or ``x`` permuted along ``axis``. Lazy and
        chunk-invariant: element ``i`` is a keyed pseudo-random bijection of ``i``."""
        if isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)):
            n = max(operator.index(x), 0)  # NumPy: a permuted arange(x), empty for x < 0
            return self._draw([n], np.int64, chunks, "permutation", n)
        arr = x if isinstance(x, Array) else np.asarray(x)
        if arr.ndim == 0:
            raise np.exceptions.AxisError("x must be an integer or at least 1-dimensional")
        axis = normalize_axis_index(axis, arr.ndim)
        n = arr.shape[axis]
        return _take(arr, self._draw([n], np.int64, "auto", "permutation", n), chunks, axis)

    def shuffle(self, x, axis=0) -> None:
        """Shuffles ``x`` in place along ``axis``, as NumPy does. An oxarray Array is lazy, so
        "in place" means the Array now stands for its shuffled self (as ``x += 1`` does); a
        NumPy array or a list is rewritten with the permuted values.

        >>> import oxarray as ox
        >>> x = ox.arange(5)
        >>> ox.random.default_rng(0).shuffle(x)
        >>> sorted(x.compute().tolist())
        [0, 1, 2, 3, 4]
        """
        if isinstance(x, Array):
            if x.ndim == 0:
                raise TypeError("len() of unsized object")
            x._node = self.permutation(x, axis, chunks=x.chunks)._node  # keeps its chunks
            return
        if isinstance(x, np.ndarray):
            if x.ndim == 0:
                raise TypeError("len() of unsized object")
            axis = normalize_axis_index(axis, x.ndim)
            perm = self.permutation(x.shape[axis]).compute()
            x[...] = np.take(x, perm, axis=axis)
            return
        if axis != 0:
            raise NotImplementedError("Axis argument is only supported on ndarray objects")
        perm = self.permutation(len(x)).compute().tolist()
        items = [x[i] for i in perm]
        x[:] = items  # a tuple raises NumPy's TypeError here
        return

    def spawn(self, n_children) -> list[Generator]:
        """``n_children`` independent generators, from ``SeedSequence.spawn`` as in NumPy
        (successive calls give new children)."""
        return [Generator(ss) for ss in self._seed_seq.spawn(n_children)]


def _float_dtype(dtype, name: str) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise TypeError(f"Unsupported dtype {dt!r} for {name}")
    return dt


def _int_bound(v, name: str) -> int:
    """A scalar bound as NumPy takes it: an integer of any size (2**64 included), or a float
    truncated toward zero (NaN is NumPy's ValueError)."""
    if isinstance(v, (int, np.integer, np.bool_)):
        return int(v)
    if isinstance(v, (float, np.floating, str)):
        return int(v)  # NaN or 'a': ValueError, inf: OverflowError, as NumPy
    a = np.asarray(v)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an integer (got {type(v).__name__})")
    return int(a)


def _as_float(v):
    return v.astype(np.float64) if isinstance(v, Array) else np.asarray(v, dtype=np.float64)


def _broadcast_size(size, *params) -> tuple[int, ...]:
    shapes = [p.shape if isinstance(p, Array) else np.shape(p) for p in params]
    bshape = np.broadcast_shapes(*shapes)
    if size is None:
        return bshape
    shape = tuple(_size(size))
    if np.broadcast_shapes(shape, bshape) != shape:
        raise ValueError(f"shape mismatch: objects cannot be broadcast to a single shape.  "
                         f"Mismatch is between arg 0 with shape {shape} and arg 1 with shape "
                         f"{bshape}.")
    return shape


def _take(arr, idx: Array, chunks, axis: int = 0) -> Array:
    """``np.take(arr, idx, axis)`` (the indices are computed now; the gather is lazy): the
    axis is moved first, gathered as rows, and the index axes put back where it was."""
    from ._creation import asarray
    from ._manipulation import moveaxis

    x = arr if isinstance(arr, Array) else asarray(arr)
    if axis:
        x = moveaxis(x, axis, 0)
    flat = idx.reshape(-1) if idx.ndim != 1 else idx
    out = Array(_core.take_rows(x._node, flat._node))
    shape = tuple(idx.shape) + tuple(x.shape[1:])
    if out.shape != shape:
        out = out.reshape(shape)
    if axis and idx.ndim:  # (a 0-d index removed the axis: the rest are already in order)
        out = moveaxis(out, tuple(range(idx.ndim)), tuple(range(axis, axis + idx.ndim)))
    return out if chunks == "auto" else out.rechunk(chunks)


def _bound_array(v) -> np.ndarray:
    """An array-valued ``low``/``high`` as NumPy takes it (floats truncate toward zero)."""
    a = np.asarray(v.compute() if isinstance(v, Array) else v)
    if a.dtype.kind == "f":
        a = a.astype(np.int64)
    elif a.dtype.kind == "O" and all(isinstance(e, int) for e in a.ravel().tolist()):
        pass  # Python ints beyond 64 bits: the bounds checks below refuse them as NumPy does
    elif a.dtype.kind not in "biu":
        raise TypeError(f"Unsupported bound dtype {a.dtype}")
    return a


# --- the module-level functions, backed by one default generator (like dask.array.random) -----

_default = Generator()


def default_rng(seed=None) -> Generator:
    """A new :class:`Generator` (``seed``: None for fresh entropy, an int, a sequence of ints, a
    ``numpy.random.SeedSequence``, or a Generator, which is returned as is)."""
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)


def seed(seed=None) -> None:
    """Reseeds the generator behind the module-level functions."""
    global _default
    _default = Generator(seed)


def random(size=None, dtype=np.float64, *, chunks="auto") -> Array:
    """``ox.random.random((5000, 1000), chunks=(1000, 1000))``: floats uniform in [0, 1)."""
    return _default.random(size, dtype, chunks=chunks)


def random_sample(size=None, *, chunks="auto") -> Array:
    """Floats in [0, 1) from the default generator, lazily, like ``numpy.random.random_sample``."""
    return _default.random(size, chunks=chunks)


def uniform(low=0.0, high=1.0, size=None, *, chunks="auto") -> Array:
    """Floats in [low, high) from the default generator, lazily, like ``numpy.random.uniform``."""
    return _default.uniform(low, high, size, chunks=chunks)


def standard_normal(size=None, dtype=np.float64, *, chunks="auto") -> Array:
    """Standard normal samples from the default generator, lazily, like ``numpy.random.standard_normal``."""
    return _default.standard_normal(size, dtype, chunks=chunks)


def normal(loc=0.0, scale=1.0, size=None, *, chunks="auto") -> Array:
    """Normal samples of mean ``loc`` and deviation ``scale`` from the default generator, lazily."""
    return _default.normal(loc, scale, size, chunks=chunks)


def integers(low, high=None, size=None, dtype=np.int64, endpoint=False, *, chunks="auto") -> Array:
    """Integers in [low, high) (``endpoint=True``: [low, high]) from the default generator, lazily."""
    return _default.integers(low, high, size, dtype, endpoint, chunks=chunks)


def randint(low, high=None, size=None, dtype=np.int64, *, chunks="auto") -> Array:
    """Like ``numpy.random.randint`` / ``dask.array.random.randint`` (``high`` exclusive)."""
    return _default.integers(low, high, size, dtype, chunks=chunks)


def choice(a, size=None, replace=True, p=None, *, chunks="auto") -> Array:
    """A random sample of ``a`` (``replace=``, weights ``p=``) from the default generator."""
    return _default.choice(a, size, replace, p, chunks=chunks)


def shuffle(x) -> None:
    """Shuffles ``x`` along its first axis (an oxarray Array is rebound to its shuffled self)."""
    _default.shuffle(x)


def permutation(x, *, chunks="auto") -> Array:
    """A random permutation of ``x`` (or of ``arange(x)`` for an integer) from the default generator."""
    return _default.permutation(x, chunks=chunks)
