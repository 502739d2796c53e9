"""xarray's chunk manager for oxarray Arrays (registered under the ``xarray.chunkmanagers`` entry
point as ``"oxarray"``, as cubed-xarray does for cubed).

With it, a ``DataArray`` over an oxarray Array loads (``.load()``, ``.compute()``, ``.values``),
``ds.chunk(chunked_array_type="oxarray")`` puts a Dataset's variables on oxarray, and
``xr.apply_ufunc(..., dask="parallelized")`` runs the user's function per block. Everything else
xarray does on the data (``mean``, ``std``, ``rolling``, ``weighted``, ``groupby``, ...) goes
through NumPy's protocols and stays lazy without this module.

``from_array`` of data xarray holds lazily (a file's variable) reads it whole once: oxarray has
no lazy external sources other than its own yet. The per-block paths (``apply_gufunc``,
``map_blocks``, ``reduction``, ``scan``) run the given Python functions on NumPy blocks through
``oxarray.map_blocks``; everything around them (rechunking, broadcasting, assembling) stays in the
engine.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple
from xarray.namedarray.parallelcompat import ChunkManagerEntrypoint

import oxarray as ox

from . import _core
from ._apply import map_blocks as _map_blocks
from ._array import Array


def _spec(chunks, ndim: int) -> tuple:
    """A per-axis chunk spec of Dask's spellings (dict by axis, None/-1 for whole axes)."""
    if isinstance(chunks, dict):
        chunks = tuple(chunks.get(i, chunks.get(str(i), "auto")) for i in range(ndim))
    if isinstance(chunks, (int, np.integer, str)) or chunks is None:
        chunks = (chunks,) * ndim
    return tuple(-1 if c is None else c for c in chunks)


class OxarrayChunkManager(ChunkManagerEntrypoint[Array]):
    """xarray's interface to oxarray (``chunked_array_type="oxarray"``)."""

    available = True

    def __init__(self) -> None:
        self.array_cls = Array

    def is_chunked_array(self, data: Any) -> bool:
        return isinstance(data, Array)

    def chunks(self, data: Array) -> tuple[tuple[int, ...], ...]:
        return data.chunks

    def normalize_chunks(self, chunks, shape=None, limit=None, dtype=None, previous_chunks=None):
        """Dask's spellings to explicit sizes, as oxarray cuts them (no data touched)."""
        if shape is None:
            if all(isinstance(c, tuple) for c in chunks):
                return tuple(tuple(int(k) for k in c) for c in chunks)
            raise ValueError("normalize_chunks needs the shape")
        dtype = np.dtype(dtype if dtype is not None else np.float64)
        if dtype.kind not in "biufc":
            dtype = np.dtype(np.float64)
        return ox.empty(tuple(shape), dtype=dtype, chunks=_spec(chunks, len(shape))).chunks

    def from_array(self, data: Any, chunks, **kwargs) -> Array:
        if isinstance(data, Array):
            return data.rechunk(_spec(chunks, data.ndim))
        a = np.asarray(data)  # xarray's own (NumPy or lazily indexed) data, read once
        return ox.asarray(a, chunks=_spec(chunks, a.ndim))

    def rechunk(self, data: Array, chunks, **kwargs) -> Array:
        return data.rechunk(_spec(chunks, data.ndim))

    def compute(self, *data: Any, **kwargs: Any) -> tuple[Any, ...]:
        lazy = [d for d in data if isinstance(d, Array)]
        done = iter(ox.compute(*lazy)) if lazy else iter(())
        return tuple(next(done) if isinstance(d, Array) else d for d in data)

    def persist(self, *data: Any, **kwargs: Any) -> tuple[Any, ...]:
        lazy = [d for d in data if isinstance(d, Array)]
        done = iter(ox.persist(*lazy)) if lazy else iter(())
        return tuple(next(done) if isinstance(d, Array) else d for d in data)

    @property
    def array_api(self) -> Any:
        return ox

    def get_auto_chunk_size(self) -> int:
        return _core.get_chunk_bytes()

    def reduction(self, arr: Array, func, combine_func=None, aggregate_func=None, axis=None,
                  dtype=None, keepdims=False) -> Array:
        """``func`` on every block (keeping the reduced axes), then ``aggregate_func`` on the
        partials gathered along those axes."""
        axes = tuple(range(arr.ndim)) if axis is None else normalize_axis_tuple(axis, arr.ndim)
        dtype = np.dtype(dtype if dtype is not None else arr.dtype)
        pchunks = tuple((1,) * len(c) if i in axes else c for i, c in enumerate(arr.chunks))
        pshape = tuple(sum(c) for c in pchunks)
        partial = _map_blocks(functools.partial(_reduce_block, func, axes), arr, shape=pshape,
                              dtype=dtype, chunks=pchunks, name="reduction")
        partial = partial.rechunk(tuple(-1 if i in axes else c
                                        for i, c in enumerate(pchunks)))
        agg = aggregate_func if aggregate_func is not None else func
        ochunks = tuple((1,) if i in axes else c for i, c in enumerate(partial.chunks))
        out = _map_blocks(functools.partial(_reduce_block, agg, axes), partial,
                          shape=tuple(sum(c) for c in ochunks), dtype=dtype, chunks=ochunks,
                          name="reduction-aggregate")
        return out if keepdims else ox.squeeze(out, axis=axes)

    def scan(self, func, binop, ident, arr: Array, axis=None, dtype=None, **kwargs) -> Array:
        """``func`` along ``axis`` with the axis gathered into one block (xarray's ``ffill``)."""
        axis = 0 if axis is None else axis % arr.ndim
        x = arr.rechunk(tuple(-1 if i == axis else c for i, c in enumerate(arr.chunks)))
        return _map_blocks(functools.partial(_scan_block, func, axis, kwargs), x, shape=x.shape,
                           dtype=np.dtype(dtype if dtype is not None else arr.dtype),
                           chunks=x.chunks, name="scan")

    def map_blocks(self, func, *args, dtype=None, chunks=None, drop_axis=None, new_axis=None,
                   **kwargs) -> Array:
        """``func`` on the blocks of same-chunked arrays, with the blocks' shapes (xarray's
        encoding paths)."""
        if drop_axis or new_axis:
            raise NotImplementedError("oxarray's map_blocks keeps the blocks' dimensions")
        arrays = [a for a in args if isinstance(a, Array)]
        if not arrays:
            raise TypeError("map_blocks needs an oxarray Array argument")
        first = arrays[0]
        arrays = [a if a.chunks == first.chunks else a.rechunk(first.chunks) for a in arrays]
        out_chunks = first.chunks if chunks is None else chunks
        fn = functools.partial(_map_block, func, tuple(isinstance(a, Array) for a in args),
                               tuple(None if isinstance(a, Array) else a for a in args), kwargs)
        return _map_blocks(fn, *arrays, shape=tuple(sum(c) for c in out_chunks),
                           dtype=np.dtype(dtype if dtype is not None else first.dtype),
                           chunks=out_chunks, name=getattr(func, "__name__", "map_blocks"))

    def unify_chunks(self, *args, **kwargs):
        """Dask's ``unify_chunks(a, "ij", b, "jk", ...)``: each index takes the chunks of the
        first array that spans it (not of size 1), and the others are rechunked to them."""
        pairs = list(zip(args[::2], args[1::2], strict=True))
        chunkss: dict = {}
        for a, ind in pairs:
            if not isinstance(a, Array):
                continue
            for i, c in zip(ind, a.chunks, strict=True):
                if i not in chunkss or (len(chunkss[i]) == 1 and chunkss[i][0] == 1):
                    chunkss[i] = c
        out = []
        for a, ind in pairs:
            if isinstance(a, Array):
                want = tuple(c if c == (1,) or sum(c) != sum(chunkss[i]) else chunkss[i]
                             for i, c in zip(ind, a.chunks, strict=True))
                a = a if want == a.chunks else a.rechunk(want)
            out.append(a)
        return chunkss, out

    def apply_gufunc(self, func, signature, *args, axes=None, axis=None, keepdims=False,
                     output_dtypes=None, output_sizes=None, vectorize=None, allow_rechunk=False,
                     meta=None, **kwargs):
        """NumPy's generalized-ufunc rules over the blocks: loop dimensions broadcast and cut
        alike, core dimensions whole in each block, ``func`` per block (xarray's
        ``apply_ufunc(..., dask="parallelized")``)."""
        if axes is not None or axis is not None or keepdims:
            raise NotImplementedError("oxarray's apply_gufunc takes core dimensions last")
        ins, outs = _parse_signature(signature)
        if len(args) != len(ins):
            raise ValueError(f"{signature} takes {len(ins)} arguments, got {len(args)}")
        arrays = [a if isinstance(a, Array) else ox.asarray(a) for a in args]
        loop_nd = max(a.ndim - len(core) for a, core in zip(arrays, ins, strict=True))
        sizes = dict(output_sizes or {})
        loop_shape = np.broadcast_shapes(*(a.shape[:a.ndim - len(c)]
                                           for a, c in zip(arrays, ins, strict=True)))
        # Loop chunks: those of the first array that spans each loop dimension.
        loop_chunks = [None] * loop_nd
        for a, core in zip(arrays, ins, strict=True):
            lead = loop_nd - (a.ndim - len(core))
            for d, c in enumerate(a.chunks[:a.ndim - len(core)]):
                if loop_chunks[lead + d] is None and sum(c) == loop_shape[lead + d]:
                    loop_chunks[lead + d] = c
        loop_chunks = tuple(c if c is not None else (n,) for c, n in zip(loop_chunks, loop_shape,
                                                                        strict=True))
        fitted = []
        for a, core in zip(arrays, ins, strict=True):
            core_shape = a.shape[a.ndim - len(core):]
            for name, n in zip(core, core_shape, strict=True):
                if sizes.setdefault(name, n) != n:
                    raise ValueError(f"core dimension {name!r} has sizes {sizes[name]} and {n}")
            core_chunks = a.chunks[a.ndim - len(core):]
            if any(len(c) > 1 for c in core_chunks) and not allow_rechunk:
                raise ValueError(
                    f"Core dimension(s) {core} of an argument consist of multiple chunks; "
                    "rechunk them to one chunk each (``.chunk({dim: -1})``) or pass "
                    "``allow_rechunk=True``")
            b = ox.broadcast_to(a, loop_shape + core_shape)
            want = loop_chunks + tuple((n,) for n in core_shape)
            fitted.append(b if b.chunks == want else b.rechunk(want))
        if vectorize:
            func = np.vectorize(func, signature=signature, otypes=output_dtypes)
        dtypes = output_dtypes if output_dtypes is not None else [arrays[0].dtype] * len(outs)
        if not isinstance(dtypes, (list, tuple)):
            dtypes = [dtypes]
        results = []
        for k, core in enumerate(outs):
            missing = [d for d in core if d not in sizes]
            if missing:
                raise ValueError(f"output core dimension(s) {missing} need output_sizes")
            chunks = loop_chunks + tuple((sizes[d],) for d in core)
            fn = functools.partial(_gufunc_block, func, kwargs, k if len(outs) > 1 else None)
            results.append(_map_blocks(fn, *fitted, shape=tuple(sum(c) for c in chunks),
                                       dtype=np.dtype(dtypes[k]), chunks=chunks,
                                       name=getattr(func, "__name__", "apply_gufunc")))
        return tuple(results) if len(outs) > 1 else results[0]

    def store(self, sources, targets, **kwargs):
        """Computes the sources in one run and writes each into its target (``target[region] =
        value``), as xarray's writers expect."""
        if isinstance(sources, Array):
            sources, targets = [sources], [targets]
        regions = kwargs.get("regions") or [None] * len(sources)
        if not isinstance(regions, (list, tuple)):
            regions = [regions] * len(sources)
        values = self.compute(*sources)
        for v, t, r in zip(values, targets, regions, strict=True):
            t[r if r is not None else ...] = v
        return None


_DIMS = re.compile(r"\(([^()]*)\)")


def _parse_signature(signature: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """``"(i),(i)->()"`` as ``([("i",), ("i",)], [()])``."""
    try:
        left, right = signature.replace(" ", "").split("->")
    except ValueError:
        raise ValueError(f"not a gufunc signature: {signature!r}") from None

    def side(s):
        return [tuple(d for d in g.split(",") if d) for g in _DIMS.findall(s)]

    return side(left), side(right)


# The per-block functions, at module level so a graph holding them can be pickled.
def _reduce_block(func, axes, block):
    return np.asarray(func(block, axis=axes, keepdims=True))


def _scan_block(func, axis, kwargs, block):
    return np.asarray(func(block, axis=axis, **kwargs))


def _map_block(func, is_array, consts, kwargs, *blocks):
    it = iter(blocks)
    args = [next(it) if a else c for a, c in zip(is_array, consts, strict=True)]
    return func(*args, **kwargs)


def _gufunc_block(func, kwargs, k, *blocks):
    out = func(*blocks, **kwargs)
    return out if k is None else out[k]
