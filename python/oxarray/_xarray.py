"""xarray's chunk manager for oxarray Arrays (registered under the ``xarray.chunkmanagers`` entry
point as ``"oxarray"``, as cubed-xarray does for cubed).

With it, a ``DataArray`` over an oxarray Array loads (``.load()``, ``.compute()``, ``.values``),
``ds.chunk(chunked_array_type="oxarray")`` puts a Dataset's variables on oxarray, and
``xr.apply_ufunc(..., dask="parallelized")`` runs the user's function per block. Everything else
xarray does on the data (``mean``, ``std``, ``rolling``, ``weighted``, ``groupby``, ...) goes
through NumPy's protocols and stays lazy without this module.

``from_array`` of data xarray holds lazily (a file's variable, as ``xr.open_zarr(...,
chunked_array_type="oxarray")`` hands over) becomes a lazy source: each block reads its own region
when computed. The per-block paths (``apply_gufunc``, ``blockwise``, ``map_blocks``, the tree
``reduction``, the blocked ``scan``) run the given Python functions on NumPy blocks through
``oxarray.map_blocks``, as Dask does; everything around them (rechunking, broadcasting, gathering
partials, ``shuffle``'s take) is oxarray operations in the engine. ``store`` writes each block from
the task that computed it.
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
from ._elementwise import SUPPORTED_DTYPES


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
        """``data`` as an oxarray Array. NumPy data is copied in; any other array-like (a file's
        variable, lazily indexed by xarray's backends) becomes a lazy source whose blocks each
        read their own region (``data[region]``) when computed, so ``xr.open_zarr(...,
        chunked_array_type="oxarray")`` reads nothing at open. A dtype oxarray lacks
        (datetime64, strings, objects) stays in NumPy, read at once, as xarray keeps an index."""
        if isinstance(data, Array):
            return data.rechunk(_spec(chunks, data.ndim))
        dtype = getattr(data, "dtype", None)
        dtype = np.dtype(dtype) if dtype is not None else np.asarray(data).dtype
        if dtype not in SUPPORTED_DTYPES:
            return np.asarray(data)
        if isinstance(data, np.ndarray) or not hasattr(data, "__getitem__") \
                or not hasattr(data, "shape"):
            a = np.asarray(data)
            return ox.asarray(a, chunks=_spec(chunks, a.ndim))
        shape = tuple(int(n) for n in data.shape)
        sizes = self.normalize_chunks(_spec(chunks, len(shape)), shape, dtype=dtype)
        starts = tuple(tuple(int(o) for o in np.cumsum((0,) + c)) for c in sizes)
        read = functools.partial(_read_block, data, starts, dtype)
        name = str(kwargs.get("name") or "from_array")
        return Array(_core.map_blocks([], read, name, list(shape), dtype.name,
                                      [list(c) for c in sizes]))

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
                  dtype=None, keepdims=False, split_every: int = 4) -> Array:
        """Dask's tree reduction: ``func`` on every block (keeping the reduced axes, one partial
        per block), then ``combine_func`` on groups of ``split_every`` partials along those
        axes, level after level, and ``aggregate_func`` on the last group. No level gathers more
        than ``split_every`` partials per axis into one task."""
        axes = tuple(range(arr.ndim)) if axis is None else normalize_axis_tuple(axis, arr.ndim)
        dtype = np.dtype(dtype if dtype is not None else arr.dtype)
        agg = aggregate_func if aggregate_func is not None else func
        combine = combine_func if combine_func is not None else agg
        split = max(2, int(split_every))
        x = _per_block(func, axes, arr, dtype, "reduction")
        while any(len(x.chunks[i]) > split for i in axes):
            x = x.rechunk(tuple(split if i in axes else c for i, c in enumerate(x.chunks)))
            x = _per_block(combine, axes, x, dtype, "reduction-combine")
        x = x.rechunk(tuple(-1 if i in axes else c for i, c in enumerate(x.chunks)))
        out = _per_block(agg, axes, x, dtype, "reduction-aggregate")
        return out if keepdims else ox.squeeze(out, axis=axes)

    def scan(self, func, binop, ident, arr: Array, axis=None, dtype=None, preop=None,
             **kwargs) -> Array:
        """Dask's blocked prefix scan (xarray's ``ffill``/``bfill``): ``func`` along ``axis``
        within each block; each block's carry is ``binop`` folded over the tails of the blocks
        before it (``preop`` of each block, or its last slice) starting from ``ident``; the
        block's result is ``binop(carry, scanned block)``. Only the small array of tails (one
        slice per block) is gathered whole."""
        axis = 0 if axis is None else axis % arr.ndim
        dtype = np.dtype(dtype if dtype is not None else arr.dtype)
        kwargs.pop("method", None)
        scanned = _map_blocks(functools.partial(_scan_block, func, axis, kwargs), arr,
                              shape=arr.shape, dtype=dtype, chunks=arr.chunks, name="scan")
        if len(arr.chunks[axis]) <= 1:
            return scanned
        if preop is not None:
            tails = _per_block(preop, (axis,), arr, dtype, "scan-preop")
        else:
            last = np.cumsum(arr.chunks[axis]) - 1  # the blocks' last indices (metadata)
            tails = ox.take(scanned, ox.asarray(last), axis=axis)
            tails = tails.rechunk(tuple((1,) * len(last) if i == axis else c
                                        for i, c in enumerate(scanned.chunks)))
        whole = tails.rechunk(tuple(-1 if i == axis else c for i, c in enumerate(tails.chunks)))
        carry = _map_blocks(functools.partial(_exclusive_fold, binop, ident, axis, dtype), whole,
                            shape=whole.shape, dtype=dtype, chunks=whole.chunks,
                            name="scan-carry")
        carry = carry.rechunk(tails.chunks)
        return _map_blocks(functools.partial(_apply_carry, binop), carry, scanned,
                           shape=arr.shape, dtype=dtype, chunks=arr.chunks, name="scan-apply")

    def shuffle(self, x: Array, indexer, axis: int, chunks) -> Array:
        """The groups of ``indexer`` (lists of positions along ``axis``) one after another,
        each group whole in one block and blocks of whole groups up to the input's largest block
        along the axis (``GroupBy.shuffle_to_chunks``). A lazy ``take`` and a rechunk."""
        axis = axis % x.ndim
        groups = [np.asarray(g, dtype=np.intp).ravel() for g in indexer]
        flat = np.concatenate(groups) if groups else np.zeros(0, np.intp)
        out = ox.take(x, ox.asarray(flat), axis=axis)
        want = _spec(chunks, x.ndim)[axis] if chunks is not None else None
        limit = int(want) if isinstance(want, (int, np.integer)) and want > 0 else \
            max(x.chunks[axis], default=1)
        sizes: list[int] = []
        for g in groups:
            if sizes and sizes[-1] + len(g) <= limit and len(g) > 0:
                sizes[-1] += len(g)
            elif len(g) > 0:
                sizes.append(len(g))
        if not sizes:
            return out
        return out.rechunk(tuple(tuple(sizes) if i == axis else c
                                 for i, c in enumerate(out.chunks)))

    def map_blocks(self, func, *args, dtype=None, chunks=None, drop_axis=None, new_axis=None,
                   **kwargs) -> Array:
        """``func`` on the blocks of same-chunked arrays (xarray's encoding paths). As in Dask,
        ``drop_axis`` names axes ``func`` removes (gathered whole first: one block each) and
        ``new_axis`` positions of the output that ``func`` adds (one block each, of the sizes
        ``chunks`` gives there, else 1); ``chunks`` may give the output's block sizes."""
        arrays = [a for a in args if isinstance(a, Array)]
        if not arrays:
            raise TypeError("map_blocks needs an oxarray Array argument")
        first = arrays[0]
        drop = normalize_axis_tuple(drop_axis, first.ndim) if drop_axis not in (None, []) else ()
        if drop:
            first = first.rechunk(tuple(-1 if i in drop else c
                                        for i, c in enumerate(first.chunks)))
        arrays = [a if a.chunks == first.chunks else a.rechunk(first.chunks) for a in arrays]
        kept = [c for i, c in enumerate(first.chunks) if i not in drop]
        new = [new_axis] if isinstance(new_axis, (int, np.integer)) else list(new_axis or [])
        nd = len(kept) + len(new)
        new = sorted(int(k) % nd for k in new)
        for k in new:
            kept.insert(k, (1,))
        if chunks is not None:
            given = tuple(tuple(c) if isinstance(c, (tuple, list)) else (int(c),)
                          for c in chunks)
            if len(given) != len(kept):
                raise ValueError(f"chunks has {len(given)} dimensions, the output {len(kept)}")
            kept = [g if (k in new or len(g) == len(c)) else c
                    for k, (g, c) in enumerate(zip(given, kept, strict=True))]
        out_chunks = tuple(kept)
        if any(len(out_chunks[k]) != 1 for k in new):
            raise NotImplementedError("oxarray's map_blocks takes each new axis as one block")
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

    def blockwise(self, func, out_ind, *args, adjust_chunks=None, new_axes=None,
                  align_arrays=True, concatenate=None, meta=None, dtype=None, **kwargs) -> Array:
        """Dask's ``blockwise`` over index strings: ``args`` alternate an array (or a constant,
        index ``None``) and its indices; indices in ``out_ind`` are cut alike across arrays
        (the first array spanning one gives its chunks), indices absent from ``out_ind`` are
        contracted and handed to ``func`` whole (Dask's ``concatenate=True``). ``func`` gets
        each array's block in that array's own index order. ``new_axes`` adds output indices of
        the given sizes (one block each); ``adjust_chunks`` maps an index to new block sizes (a
        callable, an int or a tuple)."""
        pairs = list(zip(args[::2], args[1::2], strict=True))
        arrays = [(a if isinstance(a, Array) else ox.asarray(a), tuple(ind))
                  for a, ind in pairs if ind is not None]
        if not arrays:
            raise TypeError("blockwise needs an array argument with indices")
        chunkss, fitted_in = self.unify_chunks(*[v for a, ind in arrays for v in (a, ind)])
        unified = [(a, ind) for a, (_, ind) in zip(fitted_in, arrays, strict=True)]
        sizes = {i: sum(c) for i, c in chunkss.items()}
        new_axes = dict(new_axes or {})
        out_ind = tuple(out_ind)
        out_chunks = []
        for i in out_ind:
            if i in new_axes:
                n = new_axes[i]
                out_chunks.append(tuple(n) if isinstance(n, tuple) else (int(n),))
            elif i in chunkss:
                out_chunks.append(tuple(chunkss[i]))
            else:
                raise ValueError(f"output index {i!r} is on no input and not in new_axes")
        for k, i in enumerate(out_ind):
            adj = (adjust_chunks or {}).get(i)
            if callable(adj):
                out_chunks[k] = tuple(int(adj(c)) for c in out_chunks[k])
            elif isinstance(adj, (int, np.integer)):
                out_chunks[k] = (int(adj),) * len(out_chunks[k])
            elif adj is not None:
                out_chunks[k] = tuple(int(c) for c in adj)
        loop = tuple(i for i in out_ind if i not in new_axes)
        fitted, layouts = [], []
        for a, ind in unified:
            contracted = tuple(i for i in ind if i not in out_ind)
            # Laid out as (output indices in output order..., contracted indices...), the
            # indices the array lacks broadcast; the block function undoes it.
            order = [ind.index(i) for i in loop if i in ind] + [ind.index(i) for i in contracted]
            b = ox.permute_dims(a, tuple(order))
            have = [i for i in loop if i in ind] + list(contracted)
            for pos, i in enumerate(loop):
                if i not in ind:
                    b = ox.expand_dims(b, axis=pos)
                    have.insert(pos, i)
            target = tuple(sizes[i] for i in loop) + tuple(sizes[i] for i in contracted)
            b = ox.broadcast_to(b, target)
            want = tuple(tuple(chunkss[i]) for i in loop) + tuple((sizes[i],) for i in contracted)
            fitted.append(b if b.chunks == want else b.rechunk(want))
            layouts.append((tuple(i in ind for i in loop), tuple(np.argsort(order)), len(loop)))
        if dtype is None:
            dtype = getattr(meta, "dtype", None) or unified[0][0].dtype
        consts = tuple(a if ind is None else None for a, ind in pairs)
        is_array = tuple(ind is not None for a, ind in pairs)
        # Output blocks follow the loop indices; new axes are one block each.
        grid_chunks = tuple(c for i, c in zip(out_ind, out_chunks, strict=True))
        if any(len(c) != 1 for i, c in zip(out_ind, out_chunks, strict=True) if i in new_axes):
            raise NotImplementedError("oxarray's blockwise takes each new axis as one block")
        fn = functools.partial(_blockwise_block, func, is_array, consts, tuple(layouts), kwargs,
                               tuple(k for k, i in enumerate(out_ind) if i in new_axes))
        return _map_blocks(fn, *fitted, shape=tuple(sum(c) for c in grid_chunks),
                           dtype=np.dtype(dtype), chunks=grid_chunks,
                           name=getattr(func, "__name__", "blockwise"))

    def store(self, sources, targets, lock=None, compute=True, regions=None, **kwargs):
        """Writes each source into its target (``target[region] = value``), block by block:
        every block is written by the task that computed it (under ``lock`` when given), all
        sources in one run of the engine, so no source is ever whole in memory. With
        ``compute=False``, returns the lazy writes (an Array of one flag per block; computing
        it writes)."""
        if isinstance(sources, Array) or not isinstance(sources, (list, tuple)):
            sources, targets = [sources], [targets]
        if regions is None or not isinstance(regions, (list, tuple)):
            regions = [regions] * len(sources)
        marks = []
        for src, tgt, reg in zip(sources, targets, regions, strict=True):
            if not isinstance(src, Array):
                tgt[reg if reg is not None else ...] = src
                continue
            base = tuple((r.start or 0) if isinstance(r, slice) else int(r)
                         for r in (reg if reg is not None else (slice(0),) * src.ndim))
            starts = tuple(tuple(int(o) for o in np.cumsum((0,) + c)) for c in src.chunks)
            fn = functools.partial(_write_block, tgt, starts, base, lock)
            grid = tuple((1,) * len(c) for c in src.chunks)
            marks.append(Array(_core.map_blocks(
                [src._node], fn, "store", [len(c) for c in src.chunks], "bool",
                [list(c) for c in grid])))
        if not compute:
            return marks
        if marks:
            ox.compute(*marks)
        return None


def _per_block(func, axes, x: Array, dtype, name: str) -> Array:
    """``func(block, axis=axes, keepdims=True)`` on every block: one value per block along
    ``axes``."""
    chunks = tuple((1,) * len(c) if i in axes else c for i, c in enumerate(x.chunks))
    return _map_blocks(functools.partial(_reduce_block, func, axes), x,
                       shape=tuple(sum(c) for c in chunks), dtype=dtype, chunks=chunks,
                       name=name)


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
def _read_block(data, starts, dtype, index):
    """Block ``index`` of a lazy source: its region of ``data``, read now (a source of the
    graph, like a Zarr chunk read)."""
    key = tuple(slice(s[i], s[i + 1]) for s, i in zip(starts, index, strict=True))
    return np.ascontiguousarray(np.asarray(data[key]), dtype=dtype)


def _reduce_block(func, axes, block):
    return np.asarray(func(block, axis=axes, keepdims=True))


def _scan_block(func, axis, kwargs, block):
    return np.asarray(func(block, axis=axis, **kwargs))


def _exclusive_fold(binop, ident, axis, dtype, tails):
    out = np.empty(tails.shape, dtype=dtype)
    one = [slice(None)] * tails.ndim
    one[axis] = slice(0, 1)
    acc = np.full(tails[tuple(one)].shape, ident, dtype=dtype)
    for k in range(tails.shape[axis]):
        one[axis] = slice(k, k + 1)
        out[tuple(one)] = acc
        acc = binop(acc, tails[tuple(one)])
    return out


def _apply_carry(binop, carry, block):
    return binop(carry, block)


def _write_block(target, starts, base, lock, index, block):
    key = tuple(slice(b + s[i], b + s[i + 1]) for b, s, i in zip(base, starts, index, strict=True))
    if lock:
        with lock:
            target[key if key else ...] = block
    else:
        target[key if key else ...] = block
    return np.ones((1,) * block.ndim, dtype=bool)


def _blockwise_block(func, is_array, consts, layouts, kwargs, new_positions, *blocks):
    it = iter(zip(blocks, layouts, strict=True))
    args = []
    for a, c in zip(is_array, consts, strict=True):
        if not a:
            args.append(c)
            continue
        block, (present, inverse, nloop) = next(it)
        # Drop the broadcast loop axes the argument lacks, then its own index order back.
        key = tuple(slice(None) if p else 0 for p in present)
        block = block[key]
        args.append(np.transpose(block, inverse))
    out = np.asarray(func(*args, **kwargs))
    return out


def _map_block(func, is_array, consts, kwargs, *blocks):
    it = iter(blocks)
    args = [next(it) if a else c for a, c in zip(is_array, consts, strict=True)]
    return func(*args, **kwargs)


def _gufunc_block(func, kwargs, k, *blocks):
    out = func(*blocks, **kwargs)
    return out if k is None else out[k]
