"""Searching a sorted array and order-based selection: ``searchsorted``, ``lexsort``,
``sort_complex`` and ``topk``/``argtopk``.

``searchsorted`` and ``topk`` are Rust kernels (``_core.searchsorted``: the chunk of ``a`` is
found from the chunks' first elements, then a binary search within it, so a chunked ``a`` is
never concatenated; ``_core.topk``: the ``k`` best candidates per chunk by selection, then one
merge). ``lexsort`` and ``sort_complex`` are compositions: stable argsorts (the chunked merge
sort) and lazy gathers (``_core.take_along``, a Rust gather by lazy indices) for ``lexsort``, a
sort then a cast for ``sort_complex``. Nothing is computed at the call.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import check_dtype, node_of
from ._sorting import sort

__all__ = ["argtopk", "lexsort", "searchsorted", "sort_complex", "topk"]


def _as_array(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def take_along(x: Array, idx: Array, axis: int) -> Array:
    """``take_along_axis(x, idx, axis)`` with lazy int64 ``idx`` of ``x``'s shape off ``axis``
    (a Rust gather; the indices are rechunked to ``x``'s chunks off the axis)."""
    axis = normalize_axis_index(axis, x.ndim)
    if idx.dtype != np.int64:
        idx = idx.astype(np.int64)
    want = tuple(c if d != axis else idx.chunks[d] for d, c in enumerate(x.chunks))
    if idx.chunks != want:
        idx = idx.rechunk(want)
    return Array(_core.take_along(x._node, idx._node, axis))


# --- searchsorted -------------------------------------------------------------------------------

def _side(side) -> bool:
    """NumPy's parse of ``side=``; True for 'right'."""
    if isinstance(side, bytes):
        side = side.decode("latin-1")
    if not isinstance(side, str):
        raise TypeError(f"search side must be str, not {type(side).__name__}")
    if side in ("left", "right"):
        return side == "right"
    if side[:1].lower() in ("l", "r"):
        raise ValueError("search side must be one of 'left' or 'right'")
    raise ValueError(f"search side must be 'left' or 'right' (got {side!r})")


def _sorter(sorter, n: int) -> Array:
    if isinstance(sorter, Array):
        s = sorter
    else:
        data = np.asarray(sorter)
        if data.dtype.kind not in "iub" and data.size:
            raise TypeError("sorter must only contain integers")
        s = Array(node_of(data.astype(np.int64) if data.dtype.kind == "b" else data))
    if s.ndim != 1:
        raise TypeError("could not parse sorter argument")
    if s.dtype.kind not in "iu":
        if s.dtype.kind != "b" and s.size:
            raise TypeError("sorter must only contain integers")
    if s.size != n:
        raise ValueError("sorter.size must equal a.size")
    return s.astype(np.int64) if s.dtype != np.int64 else s


@implements(np.searchsorted)
def searchsorted(a, v, side="left", sorter=None) -> Array:
    """Positions that keep ``a`` (1-d, sorted ascending) sorted when ``v`` is inserted before
    them: NumPy's ``np.searchsorted`` and ``a.searchsorted(v)``, and the Array API's
    ``searchsorted(x1, x2, side=, sorter=)``. NaN sorts last, as in NumPy's sort.

    Lazy, a Rust kernel: ``a`` may be in any number of chunks (each search finds the chunk from
    the chunks' first elements, then binary-searches that chunk only); the result has ``v``'s
    shape and chunks. ``sorter`` (int positions sorting ``a``) is applied as a lazy gather; a
    position out of range raises IndexError at compute.

    >>> import numpy as np, oxarray as ox
    >>> a = ox.asarray(np.array([1.0, 2.0, 2.0, 3.0, np.nan]), chunks=2)
    >>> np.searchsorted(a, np.array([2.0, np.nan, 0.0]), side="right").compute()
    array([3, 5, 0])
    """
    right = _side(side)
    x = _as_array(a)
    if x.ndim == 0:
        raise ValueError("object of too small depth for desired array")
    if x.ndim > 1:
        raise ValueError("object too deep for desired array")
    if sorter is not None:
        x = take_along(x, _sorter(sorter, x.shape[0]), 0)
    vd = v.dtype if isinstance(v, Array) else np.asarray(v).dtype
    common = check_dtype(np.result_type(x.dtype, vd))
    an = x._node if x.dtype == common else _core.cast(x._node, common.name)
    vn = node_of(v if isinstance(v, Array) else np.asarray(v), common)
    return Array(_core.searchsorted(an, vn, right))


def _searchsorted_method(self, v, side="left", sorter=None):
    return searchsorted(self, v, side=side, sorter=sorter)


Array.searchsorted = _searchsorted_method


# --- lexsort ------------------------------------------------------------------------------------

def _keys(keys) -> list[Array]:
    if isinstance(keys, (Array, np.ndarray)):
        ks = [keys[i] for i in range(keys.shape[0])] if keys.ndim else None
    elif isinstance(keys, (list, tuple)):
        ks = list(keys)
    else:
        ks = None
    if not ks:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    arrays = [_as_array(k) for k in ks]
    if any(k.shape != arrays[0].shape for k in arrays):
        raise ValueError("all keys need to be the same shape")
    return arrays


@implements(np.lexsort)
def lexsort(keys, axis=-1) -> Array:
    """The int64 indices that sort by several keys along ``axis``: the *last* key is the primary
    one, earlier keys break its ties, and remaining ties keep index order (stable), as NumPy's
    ``np.lexsort``; NaN sorts last in each key.

    A composition of Rust kernels, lazy: one stable argsort per key (the chunked merge sort, so a
    chunked axis is never gathered into one chunk), each key read in the order found so far by a
    lazy gather (``_core.take_along``); the result has the first key's chunks.

    >>> import numpy as np, oxarray as ox
    >>> first = ox.asarray(np.array([3, 1, 2, 1]), chunks=2)
    >>> last = ox.asarray(np.array([0, 1, 0, 1]), chunks=2)
    >>> np.lexsort((first, last)).compute()
    array([2, 0, 1, 3])
    """
    ks = _keys(keys)
    if axis is None:
        raise TypeError("'NoneType' object cannot be interpreted as an integer")
    axis = operator.index(axis)
    base = ks[0]
    if base.ndim == 0:
        if axis not in (0, -1):
            raise np.exceptions.AxisError(axis, 0)
        return Array(node_of(np.int64(0)))
    ax = normalize_axis_index(axis, base.ndim)
    order = Array(_core.sort(base._node, ax, False, True))
    for key in ks[1:]:
        if key.chunks != base.chunks:
            key = key.rechunk(base.chunks)
        seen = take_along(key, order, ax)
        step = Array(_core.sort(seen._node, ax, False, True))
        order = take_along(order, step, ax)
    return order


# --- sort_complex -------------------------------------------------------------------------------

@implements(np.sort_complex)
def sort_complex(a) -> Array:
    """``a`` sorted along its last axis (real part first, then imaginary; NaN classes last) as a
    complex array: NumPy's ``np.sort_complex`` and its result types (complex64 for int8, int16,
    uint8 and uint16, complex128 for the other real types; complex input keeps its type).
    A Rust sort then a lazy cast.

    >>> import numpy as np, oxarray as ox
    >>> np.sort_complex(ox.asarray(np.array([5, 3, 6, 2, 1], dtype=np.int16))).compute()
    array([1.+0.j, 2.+0.j, 3.+0.j, 5.+0.j, 6.+0.j], dtype=complex64)
    """
    x = _as_array(a)
    if x.ndim == 0:
        raise np.exceptions.AxisError(-1, 0)
    b = sort(x, axis=-1)
    if b.dtype.kind == "c":
        return b
    return b.astype(np.complex64 if b.dtype.char in "bhBH" else np.complex128)


# --- topk ---------------------------------------------------------------------------------------

def _topk_indices(x, k, axis, largest) -> tuple[Array, Array, int]:
    x = _as_array(x)
    k = operator.index(k)
    if x.ndim == 0:
        raise np.exceptions.AxisError(operator.index(axis), 0)
    ax = normalize_axis_index(operator.index(axis), x.ndim)
    if k < 0:  # dask's convention: a negative k asks for the -k smallest
        k, largest = -k, not largest
    n = x.shape[ax]
    if k > n:
        raise ValueError(f"k(={k}) must not exceed the length of axis {ax} ({n})")
    return x, Array(_core.topk(x._node, ax, k, bool(largest))), ax


def topk(x, k, /, axis=-1, *, largest=True, sorted=True) -> tuple[Array, Array]:
    """The ``k`` largest elements of ``x`` along ``axis`` (the smallest with ``largest=False`` or
    a negative ``k``, as ``dask.array.topk``) and their int64 positions: ``(values, indices)``,
    each with the axis ``k`` long, like the Array API's proposed ``topk``.

    The elements come best first (largest first, or smallest first), whatever ``sorted`` says,
    and ties go to the lower position, so the result is the first ``k`` of a stable argsort
    (descending for ``largest``); NaN counts as the largest value, as in NumPy's sort.
    A Rust kernel, lazy: each chunk of the axis keeps its own ``k`` best by selection
    (``select_nth_unstable``, no sort), then one merge per lane group selects among the
    ``k x chunks`` candidates; ``values`` is a lazy gather of ``x`` at ``indices``.

    >>> import numpy as np, oxarray as ox
    >>> v, i = ox.topk(ox.asarray(np.array([3, 9, 1, 7, 9]), chunks=2), 2)
    >>> v.compute(), i.compute()
    (array([9, 9]), array([1, 4]))
    """
    x, idx, ax = _topk_indices(x, k, axis, largest)
    return take_along(x, idx, ax), idx


def argtopk(x, k, /, axis=-1, *, largest=True) -> Array:
    """The int64 positions of :func:`topk` (``dask.array.argtopk``)."""
    return _topk_indices(x, k, axis, largest)[1]
