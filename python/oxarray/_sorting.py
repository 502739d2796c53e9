"""Sorting and selection along an axis (NumPy's "sorting, searching, and counting" routines and
the Array API's sorting functions).

Every function here is a Rust kernel, not a composition: a sort along an axis held by one chunk
sorts each lane of each block (rayon over the lanes); along a chunked axis it is a merge sort in
the graph — each chunk sorted, exact rank cuts between the sorted chunks, one merge per output
chunk — so the result keeps the input's chunks and the axis is never gathered into one chunk.
Sorts are stable whatever ``kind=`` says (NumPy allows it), so ``argsort`` breaks ties by index.
"""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of

_KINDS = {"q": "quicksort", "h": "heapsort", "m": "mergesort", "s": "stable"}


def _as_array(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _check_kind(kind, stable) -> None:
    """NumPy's checks of ``kind=`` and ``stable=`` (every kind gives the same result here)."""
    if kind is not None:
        if stable is not None:
            raise ValueError("`kind` and keyword parameters can't be provided at the same time. "
                             "Use only one of them.")
        if not isinstance(kind, str):
            raise TypeError(f"sort kind must be str, not {type(kind).__name__}")
        if not kind or kind[0].lower() not in _KINDS:
            raise ValueError(f"sort kind must be one of 'quick', 'heap', or 'stable' (got {kind!r})")


def _check_order(order) -> None:
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")


def _sort_axis(x: Array, axis) -> tuple[Array, int]:
    """``axis=None`` sorts the flattened array (NumPy's rule); otherwise an integer axis."""
    if axis is None:
        from ._manipulation import ravel

        return ravel(x), 0
    return x, operator.index(axis)


@implements(np.sort)
def sort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """A sorted copy of ``a`` along ``axis`` (NumPy's ``np.sort`` and the Array API's ``sort``).

    NaNs sort last, complex values lexicographically (NumPy's order); ``descending=True`` (Array
    API) reverses the order, NaNs first. Lazy: the result has ``a``'s chunks, and a chunked sort
    axis is never gathered into one chunk.

    >>> import numpy as np, oxarray as ox
    >>> x = ox.asarray(np.array([3.0, np.nan, 1.0, 2.0]), chunks=2)
    >>> np.sort(x).compute()
    array([ 1.,  2.,  3., nan])
    """
    _check_kind(kind, stable)
    _check_order(order)
    x, ax = _sort_axis(_as_array(a), axis)
    return Array(_core.sort(x._node, ax, bool(descending), False))


@implements(np.argsort)
def argsort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """The int64 indices that sort ``a`` along ``axis``; ties keep their index order (stable),
    also with ``descending=True`` (the Array API's rule).

    >>> import numpy as np, oxarray as ox
    >>> np.argsort(ox.asarray(np.array([2, 1, 2, 0]), chunks=2)).compute()
    array([3, 1, 0, 2])
    """
    _check_kind(kind, stable)
    _check_order(order)
    x = _as_array(a)
    if x.ndim == 0:
        axis = None  # NumPy: the argsort of a 0-d array is [0]
    x, ax = _sort_axis(x, axis)
    return Array(_core.sort(x._node, ax, bool(descending), True))


def _sort_method(self, axis=-1, kind=None, order=None, *, stable=None):
    """``x.sort()``: sorts in place, as NumPy does — the Array now stands for its sorted self
    (every reference to this object sees it, as with ``x += 1``)."""
    if self.ndim == 0 and axis is not None:
        raise np.exceptions.AxisError(operator.index(axis), 0)
    result = sort(self, axis=axis, kind=kind, order=order, stable=stable)
    self._node = result._node


def _argsort_method(self, axis=-1, kind=None, order=None, *, stable=None):
    return argsort(self, axis=axis, kind=kind, order=order, stable=stable)


Array.sort = _sort_method
Array.argsort = _argsort_method
