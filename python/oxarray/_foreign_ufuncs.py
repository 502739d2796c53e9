"""Ufuncs that are not NumPy's own (``scipy.special.erf``, ``gammaln``, ...), lazily, per block.

NEP 13 hands ``Array.__array_ufunc__`` any ``np.ufunc``. Those of NumPy's namespace are compiled
into oxarray's kernels (``_elementwise``); a foreign ufunc is another library's compiled loop that
oxarray cannot fuse, so it runs per block through a ``map_blocks`` node (the callback path of
``oxarray._apply``), as Dask runs it: the operands are broadcast and cut alike in the engine, each
task hands its NumPy blocks to the ufunc. The output dtypes come from the ufunc's own type
resolution, by calling it on empty operands (NEP 50 rules for Python scalars included).

``oxarray.special`` (python/oxarray/special.py) gives SciPy's Array API dispatch these as a
namespace, so ``scipy.special.erf(x)`` under ``SCIPY_ARRAY_API=1`` stays lazy too.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from ._array import Array

__all__ = ["foreign_ufunc", "is_foreign"]


def is_foreign(ufunc: np.ufunc) -> bool:
    """Not one of NumPy's own ufuncs (those are oxarray kernels or NotImplemented)."""
    return getattr(np, ufunc.__name__, None) is not ufunc


def foreign_ufunc(ufunc: np.ufunc, *inputs, out=None, where=True, dtype=None, casting="same_kind",
                  order="K", subok=True, signature=None):
    """``ufunc(*inputs)`` as a lazy Array (a tuple of them for several outputs), the ufunc run
    on every block."""
    import oxarray as ox

    from ._elementwise import check_dtype, rebind

    if ufunc.signature is not None:
        return NotImplemented  # a generalized ufunc: its core dimensions are not elementwise
    if where is not True or signature is not None:
        raise TypeError(f"{ufunc.__name__}: where= and signature= are not supported on "
                        "oxarray arrays for a ufunc outside NumPy")
    if len(inputs) != ufunc.nin:
        raise TypeError(f"{ufunc.__name__}() takes {ufunc.nin} positional arguments but "
                        f"{len(inputs)} were given")
    is_array = tuple(not isinstance(x, (numbers.Number, np.generic)) for x in inputs)
    arrays = [x if isinstance(x, Array) else ox.asarray(x)
              for x, a in zip(inputs, is_array, strict=True) if a]
    consts = tuple(None if a else x for x, a in zip(inputs, is_array, strict=True))
    kwargs = {"casting": casting}
    if dtype is not None:
        kwargs["dtype"] = dtype
    # The ufunc's own type resolution, on empty operands (no data).
    probe = ufunc(*_operands(is_array, consts, [np.empty(0, a.dtype) for a in arrays]), **kwargs)
    dtypes = [check_dtype(p.dtype) for p in (probe if ufunc.nout > 1 else (probe,))]
    if arrays:
        arrays = list(ox.broadcast_arrays(*arrays))
        lead = max(arrays, key=lambda a: a.npartitions)
        arrays = [a if a.chunks == lead.chunks else a.rechunk(lead.chunks) for a in arrays]
        shape, chunks = lead.shape, lead.chunks
    else:
        shape, chunks = (), ()
    if ufunc.nout > 1 and len(set(dtypes)) == 1:
        # One task per block computes every output (stacked on a new leading axis); each output
        # is a lazy slice of that, so computing them together runs the ufunc once per block.
        fn = functools.partial(_stacked_block, ufunc, is_array, consts, kwargs)
        stacked = ox.map_blocks(fn, *arrays, shape=(ufunc.nout, *shape), dtype=dtypes[0],
                                chunks=((ufunc.nout,), *chunks), name=ufunc.__name__)
        results = [stacked[k] for k in range(ufunc.nout)]
    else:
        # Outputs of different dtypes (frexp-like): one task per output and block.
        results = []
        for k, dt in enumerate(dtypes):
            fn = functools.partial(_block, ufunc, is_array, consts, kwargs,
                                   k if ufunc.nout > 1 else None)
            results.append(ox.map_blocks(fn, *arrays, shape=shape, dtype=dt, chunks=chunks,
                                         name=ufunc.__name__))
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        results = [r if o is None else rebind(o, r, ufunc.__name__, casting)
                   for o, r in zip(outs, results, strict=True)]
    return tuple(results) if ufunc.nout > 1 else results[0]


def _operands(is_array, consts, blocks):
    it = iter(blocks)
    return [next(it) if a else c for a, c in zip(is_array, consts, strict=True)]


# Module level, so a pickled graph refers to it by name.
def _block(ufunc, is_array, consts, kwargs, k, *blocks):
    out = ufunc(*_operands(is_array, consts, blocks), **kwargs)
    return out if k is None else out[k]


def _stacked_block(ufunc, is_array, consts, kwargs, *blocks):
    return np.stack(ufunc(*_operands(is_array, consts, blocks), **kwargs))
