"""Saving values and asking about memory: ``np.save``, ``np.savez``, ``np.savez_compressed``,
``np.savetxt``, ``np.may_share_memory``, ``np.shares_memory`` and ``np.min_scalar_type``.

The writers compute, then hand the computed buffers to NumPy's own writers, so the files are
byte for byte what NumPy writes for the same values. ``savez`` computes all its arrays in one run
(shared work is done once). Not yet streamed: the whole array is computed before it is written
(a chunk-by-chunk ``.npy`` writer is future work), so the array must fit in memory.

Memory sharing: an Array is a handle on an immutable node, and every in-place operation points
the handle at a new node (see the design notes), so writing through one Array never changes
another. ``may_share_memory``/``shares_memory`` therefore say True only for the same Array object
(``np.may_share_memory(x, x)``), and False for two different Arrays -- even views of one
source, or two handles on one node -- and for an Array and a NumPy array (data is copied in).
"""

from __future__ import annotations

import numpy as np

from ._array import Array, compute_nodes
from ._dispatch import implements

__all__ = ["may_share_memory", "min_scalar_type", "shares_memory"]


def _computed(values):
    """``values`` with every Array replaced by its computed ndarray, in one run."""
    values = list(values)
    at = [i for i, v in enumerate(values) if isinstance(v, Array)]
    for i, got in zip(at, compute_nodes([values[i]._node for i in at]), strict=True):
        values[i] = got
    return values


@implements(np.save)
def save(file, arr, allow_pickle=True) -> None:
    """NumPy's ``.npy`` file of ``arr``'s values. Computes the whole array, then writes it."""
    (arr,) = _computed([arr])
    np.save(file, arr, allow_pickle=allow_pickle)


def _savez(writer, file, args, kwds, **kw) -> None:
    names = list(kwds)
    values = _computed([*args, *(kwds[n] for n in names)])
    writer(file, *values[: len(args)], **dict(zip(names, values[len(args):], strict=True)), **kw)


@implements(np.savez)
def savez(file, *args, allow_pickle=True, **kwds) -> None:
    """NumPy's ``.npz`` of the values; all Arrays are computed in one run, then written."""
    _savez(np.savez, file, args, kwds, allow_pickle=allow_pickle)


@implements(np.savez_compressed)
def savez_compressed(file, *args, allow_pickle=True, **kwds) -> None:
    """NumPy's compressed ``.npz`` of the values; computed in one run, then written."""
    _savez(np.savez_compressed, file, args, kwds, allow_pickle=allow_pickle)


@implements(np.savetxt)
def savetxt(fname, X, fmt="%.18e", delimiter=" ", newline="\n", header="", footer="",
            comments="# ", encoding=None) -> None:
    """NumPy's text file of ``X``'s values (computed, then formatted by NumPy)."""
    (X,) = _computed([X])
    np.savetxt(fname, X, fmt=fmt, delimiter=delimiter, newline=newline, header=header,
               footer=footer, comments=comments, encoding=encoding)


def _check_max_work(max_work) -> None:
    if max_work is not None and not isinstance(max_work, (int, np.integer)):
        raise ValueError("max_work must be an integer")


@implements(np.may_share_memory)
def may_share_memory(a, b, /, max_work=None) -> bool:
    """True only when ``a`` and ``b`` are the same non-empty Array object (see the module
    docstring); no compute."""
    _check_max_work(max_work)
    return a is b and isinstance(a, Array) and a.size > 0


@implements(np.shares_memory)
def shares_memory(a, b, /, max_work=None) -> bool:
    """As :func:`may_share_memory` (the answer is exact for lazy Arrays)."""
    _check_max_work(max_work)
    return a is b and isinstance(a, Array) and a.size > 0


@implements(np.min_scalar_type)
def min_scalar_type(a, /) -> np.dtype:
    """The dtype of an Array with dimensions (NumPy looks at values only for scalars and 0-d
    arrays); a 0-d Array is computed (one value) and its value asked about, as NumPy does."""
    if isinstance(a, Array):
        return a.dtype if a.ndim else np.min_scalar_type(a.compute())
    return np.min_scalar_type(a)
