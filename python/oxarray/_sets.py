"""Set routines: ``unique`` (every NumPy keyword), the Array API's ``unique_all``/``unique_counts``/
``unique_inverse``/``unique_values``, ``isin``, ``intersect1d``, ``union1d``, ``setdiff1d``,
``setxor1d``.

What runs at the call (as for boolean masks, the result's shape is known when the call returns):
the number of distinct values fixes ``unique``'s shape, so ``unique`` computes them at the call —
a Rust kernel per chunk (a dense table or a hash set of the values' keys), merged in a tree and
sorted — and nothing else. ``return_inverse``/``return_counts``/``return_index`` stay lazy: a
per-chunk lookup of each value among the distinct ones (Rust), then a tree of per-chunk tallies
(counts, first positions). When one of them is asked for, the input's chunks are computed once
and kept (unless already in memory) so the lazy outputs do not compute it again. ``isin`` is lazy
(a lazy sort of the test values, then a lookup per chunk). ``intersect1d``/``setdiff1d``/
``setxor1d`` select with a mask, so they also run the mask's size pass.
"""

from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np
from numpy.exceptions import AxisError
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _flat(x: Array) -> Array:
    from ._manipulation import ravel

    return ravel(x) if x.ndim != 1 else x


def _kept(x: Array) -> Array:
    """``x`` with its chunks computed and kept (the documented cost of the lazy outputs)."""
    return x if x._node.is_literal else x.persist()


def _one_block(x: Array) -> Array:
    return x if x.numblocks == (1,) * x.ndim else x.rechunk(tuple(-1 for _ in x.shape))


def _lookup(x: Array, table: Array, mode: str, flag: bool = False, rows: bool = False) -> Array:
    return Array(_core.set_lookup(x._node, _one_block(table)._node, mode, flag, rows))


def _tally(codes: Array, op: str, length: int, weights: Array | None = None) -> Array:
    w = None if weights is None else weights._node
    return Array(_core.tally(codes._node, op, length, w))


def _unpack(ret: tuple):
    return ret[0] if len(ret) == 1 else ret


def _unique_items(items: Array, rows: bool, equal_nan: bool, want_index: bool,
                  want_inverse: bool, want_counts: bool) -> tuple:
    """``(values, [index], [inverse codes], [counts])`` of the 1-d ``items`` (or the rows of a
    2-d ``items`` cut in bands of whole rows): the distinct values now, the rest lazy."""
    if want_index or want_inverse or want_counts:
        items = _kept(items)
    values = Array(_core.distinct(items._node, rows, equal_nan))
    k = values.shape[0]
    codes = _lookup(items, values, "code", rows=rows) if (want_index or want_inverse or
                                                          want_counts) else None
    nan_split = (not equal_nan and not rows and values.dtype.kind == "f" and k > 0
                 and bool(np.isnan(values[-1])))  # documented: reads the computed values
    ret: tuple = (values,)
    if want_index:
        index = _tally(codes, "minpos", k)
        if nan_split:  # every NaN is its own value: the j-th is the j-th NaN's position
            from ._joining import concatenate
            from ._masking import flatnonzero

            first = k - int(np.isnan(values).sum())
            index = concatenate([index[:first], flatnonzero(np.isnan(items))])
        ret += (index,)
    if want_inverse:
        ret += (codes,)
    if want_counts:
        counts = _tally(codes, "count", k)
        if nan_split:
            counts = np.where(np.isnan(values), 1, counts)
        ret += (counts,)
    return ret


@implements(np.unique)
def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, sorted=True):
    """The sorted distinct elements of ``ar`` (NumPy's ``np.unique``, every keyword).

    Computed at the call: the distinct values (their number is the result's shape). Lazy: the
    inverse, counts and first indices (a lookup per chunk and tallies summed in a tree); asking
    for any of them computes ``ar`` once at the call and keeps its chunks. The values are always
    sorted (``sorted=False`` allows any order). With ``equal_nan=False`` every NaN is its own
    value; its inverse then points to the first NaN (NumPy's order among NaNs is unspecified).

    >>> import numpy as np, oxarray as ox
    >>> np.unique(ox.asarray([3, 1, 3, 2])).compute()
    array([1, 2, 3])
    """
    ar = _arr(ar)
    flags = (bool(return_index), bool(return_inverse), bool(return_counts))
    if axis is None or ar.ndim == 1:
        if axis is not None:
            normalize_axis_index(operator.index(axis), ar.ndim)
        ret = _unique_items(_flat(ar), False, bool(equal_nan), *flags)
        if return_inverse:
            i = 1 + flags[0]
            ret = ret[:i] + (ret[i].reshape(ar.shape),) + ret[i + 1:]
        return _unpack(ret)
    from ._manipulation import moveaxis

    try:
        axis = normalize_axis_index(operator.index(axis), ar.ndim)
    except AxisError:
        raise AxisError(axis, ar.ndim) from None
    moved = moveaxis(ar, axis, 0)
    n, rest = moved.shape[0], moved.shape[1:]
    m = int(np.prod(rest, dtype=np.int64))
    if m == 0:  # rows without elements are all equal: the answer follows from the shape alone
        return _unpack(_empty_rows(ar.dtype, n, rest, axis, *flags))
    items = moved.reshape(n, m)
    if items.numblocks[1] != 1:
        items = items.rechunk((items.chunks[0], -1))
    ret = _unique_items(items, True, bool(equal_nan), *flags)
    vals = ret[0].reshape((ret[0].shape[0],) + rest)
    return _unpack((moveaxis(vals, 0, axis),) + ret[1:])


def _empty_rows(dtype, n: int, rest: tuple, axis: int, want_index: bool, want_inverse: bool,
                want_counts: bool) -> tuple:
    from ._creation import full, zeros
    from ._manipulation import moveaxis

    k = min(n, 1)
    ret: tuple = (moveaxis(zeros((k,) + rest, dtype=dtype), 0, axis),)
    if want_index:
        ret += (zeros(k, dtype=np.int64),)
    if want_inverse:
        ret += (zeros(n, dtype=np.int64),)
    if want_counts:
        ret += (full(k, n, dtype=np.int64),)
    return ret


class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


@implements(np.unique_all)
def unique_all(x, /) -> UniqueAllResult:
    """Array API ``unique_all``: values, first indices, inverse (``x``'s shape) and counts, with
    NaNs distinct (``unique(..., equal_nan=False)``; values computed at the call, the rest lazy)."""
    return UniqueAllResult(*unique(x, True, True, True, equal_nan=False))


@implements(np.unique_counts)
def unique_counts(x, /) -> UniqueCountsResult:
    """Array API ``unique_counts`` (values computed at the call, counts lazy)."""
    return UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False))


@implements(np.unique_inverse)
def unique_inverse(x, /) -> UniqueInverseResult:
    """Array API ``unique_inverse`` (values computed at the call, inverse lazy, ``x``'s shape)."""
    return UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False))


@implements(np.unique_values)
def unique_values(x, /) -> Array:
    """Array API ``unique_values`` (computed at the call: the values fix the shape)."""
    return unique(x, equal_nan=False)


def _common(*xs: Array) -> list[Array]:
    dt = np.result_type(*[x.dtype for x in xs])
    return [x if x.dtype == dt else x.astype(dt) for x in xs]


def _sorted_table(test: Array) -> Array:
    """The test values, sorted lazily into one block (what a membership lookup searches)."""
    from ._sorting import sort

    return _one_block(sort(_flat(test)))


@implements(np.isin)
def isin(element, test_elements, assume_unique=False, invert=False, *, kind=None) -> Array:
    """Whether each element of ``element`` is in ``test_elements`` (NumPy's ``np.isin``), with
    ``element``'s shape. Lazy: the test values are sorted (a lazy sort), then each chunk of
    ``element`` is looked up in them in Rust. ``kind`` is checked as NumPy does; every kind gives
    the same result. NaN is never a member.

    >>> import numpy as np, oxarray as ox
    >>> np.isin(ox.asarray([1, 2, 3]), [2, 5]).compute()
    array([False,  True, False])
    """
    el, test = _arr(element), _arr(test_elements)
    if kind not in {None, "sort", "table"}:
        raise ValueError(f"Invalid kind: '{kind}'. Please use None, 'sort' or 'table'.")
    if kind == "table" and not all(a.dtype.kind in "uib" for a in (el, test)):
        raise ValueError("The 'table' method is only supported for boolean or integer arrays. "
                         "Please select 'sort' or None for kind.")
    el, test = _common(el, test)
    return _lookup(el, _sorted_table(test), "member", bool(invert))


def _member(a: Array, b: Array, invert: bool = False) -> Array:
    a2, b2 = _common(a, b)
    return _lookup(a2, _sorted_table(b2), "member", invert)


def _unique_or_flat(a: Array, assume_unique: bool) -> Array:
    return _flat(a) if assume_unique else unique(a)


@implements(np.intersect1d)
def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """Sorted distinct values in both arrays (NumPy's ``np.intersect1d``), with
    ``return_indices`` the first positions in each. Computed at the call: the distinct values of
    each array and the mask of common ones (size passes); the indices are lazy, except the
    positions in ``ar2``, which index an array and are computed at the call."""
    a, b = _arr(ar1), _arr(ar2)
    dt = np.result_type(a.dtype, b.dtype)
    if return_indices:
        u1, i1 = unique(a, return_index=True)
        u2, i2 = unique(b, return_index=True)
    else:
        u1, u2 = unique(a), unique(b)
    m = _member(u1, u2)
    common = u1[m]
    out = common if common.dtype == dt else common.astype(dt)
    if not return_indices:
        return out
    from ._take import take

    c2, u2c = _common(common, u2)
    pos2 = _lookup(c2, u2c, "code")
    return out, i1[m], take(i2, pos2)


@implements(np.union1d)
def union1d(ar1, ar2) -> Array:
    """Sorted distinct values of either array (``unique`` of both: computed at the call)."""
    from ._joining import concatenate

    return unique(concatenate([_flat(_arr(ar1)), _flat(_arr(ar2))]))


@implements(np.setdiff1d)
def setdiff1d(ar1, ar2, assume_unique=False) -> Array:
    """Values of ``ar1`` not in ``ar2`` (sorted distinct unless ``assume_unique``); ``ar1``'s
    distinct values and the mask's size pass run at the call."""
    a = _unique_or_flat(_arr(ar1), bool(assume_unique))
    b = _arr(ar2) if assume_unique else unique(_arr(ar2))
    return a[_member(a, b, invert=True)]


@implements(np.setxor1d)
def setxor1d(ar1, ar2, assume_unique=False) -> Array:
    """Sorted values in exactly one of the arrays (size passes at the call, as ``setdiff1d``)."""
    from ._joining import concatenate

    a = _unique_or_flat(_arr(ar1), bool(assume_unique))
    b = _unique_or_flat(_arr(ar2), bool(assume_unique))
    a, b = _common(a, b)
    if a.size + b.size == 0:
        return concatenate([a, b])
    if assume_unique:
        both = concatenate([a, b])
        u, counts = unique(both, return_counts=True, equal_nan=False)
        return u[counts == 1]
    only = concatenate([a[_member(a, b, True)], b[_member(b, a, True)]])
    return unique(only, equal_nan=False)
