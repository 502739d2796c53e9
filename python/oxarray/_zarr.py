"""Zarr v2 and v3 arrays: ``ox.from_zarr`` (lazy) and ``x.to_zarr`` (parallel, chunk-aligned).

The chunks are read and written in Rust by the ``zarrs`` crate (codecs ``blosc``, ``zstd``,
``gzip``, sharding), the GIL released. A block of the lazy array covers one or several whole Zarr
chunks, so each chunk is decoded once. Writing rechunks the array onto the Zarr chunk (or shard)
grid when its chunks do not line up, then each task encodes and stores the chunks of the block
it computed; every chunk file is written under a temporary name and renamed into place, and the
array's metadata is written last, so a failed run never leaves a torn chunk nor a half-written
array (the directory it created is removed). Files interoperate with zarr-python.

``to_zarr(region=...)`` writes into a region of an existing array, as xarray and zarr-python
(``z[region] = x``) do: the array is rechunked so that its blocks end on the Zarr array's chunk
(shard) boundaries, so chunks the region covers whole are encoded and written directly, and an
edge chunk it covers in part is read, updated and written back whole by the one task that owns
it; each chunk is replaced atomically (a failed run leaves every chunk either old or new).
"""

from __future__ import annotations

import json
import math
import operator
import os
import shutil

import numpy as np

from . import _core
from ._array import Array, _chunk_spec

__all__ = ["from_zarr", "to_zarr"]

_CODECS = ("blosc", "zstd", "gzip", None)

# Blocks read from a Zarr array are at most this large (unless ``chunks=`` says otherwise): a
# freed block of up to 32 MiB goes back to the allocator's heap (glibc's mmap threshold adapts
# up to 32 MiB) and serves the next block, where each larger block is fresh memory whose pages
# the kernel must fault in and zero (measured: a third of the CPU time of a read + sum).
_READ_BLOCK_BYTES = 16 << 20


def _grouped_chunks(shape, itemsize: int, zchunks) -> tuple[int, ...]:
    """Blocks of whole Zarr chunks of about the configured chunk size (the last axes grown
    first, so a block is as contiguous as it can be)."""
    target = min(_core.get_chunk_bytes(), _READ_BLOCK_BYTES)
    block = [max(1, min(c, s)) for c, s in zip(zchunks, shape, strict=True)]
    for ax in reversed(range(len(shape))):
        nbytes = itemsize * math.prod(block)
        grow = max(1, target // max(nbytes, 1))
        if grow > 1 and block[ax] < shape[ax]:
            block[ax] = min(shape[ax], block[ax] * grow)
    return tuple(block)


def from_zarr(path, chunks=None) -> Array:
    """A lazy Array of the Zarr array (v2 or v3) at ``path``.

    ``chunks=None`` cuts blocks of whole Zarr chunks (shards, for a sharded array) of about the
    configured chunk size; any other ``chunks=`` is taken as given.

    >>> import numpy as np, oxarray as ox, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.zarr")
    >>> ox.arange(6, chunks=2).to_zarr(p)
    >>> ox.from_zarr(p).sum().compute()
    np.int64(15)
    """
    path = os.fspath(path)
    shape, dtype, zchunks = _core.zarr_info(path)
    if chunks is None:
        chunks = _grouped_chunks(shape, np.dtype(dtype).itemsize, zchunks)
    return Array(_core.from_zarr(path, _chunk_spec(chunks)))


def _regular(chunks: tuple[int, ...]) -> int | None:
    """The chunk size of an axis cut in equal blocks (the last may be smaller), else None."""
    if len(chunks) == 0:
        return None
    first = chunks[0]
    if all(c == first for c in chunks[:-1]) and chunks[-1] <= first:
        return first
    return None


def _v3_name(dtype: np.dtype) -> str:
    return "bool" if dtype == np.bool_ else dtype.name


def _fill(dtype: np.dtype):
    if dtype.kind == "b":
        return False
    if dtype.kind == "c":
        return [0.0, 0.0]
    return 0.0 if dtype.kind == "f" else 0


def _metadata(shape, dtype: np.dtype, chunks, shards, codec, level, zarr_format: int,
              dimension_names=None) -> str:
    itemsize = dtype.itemsize
    if zarr_format == 2:
        if shards is not None:
            raise ValueError("sharding needs zarr_format=3")
        compressor = {
            "blosc": {"id": "blosc", "cname": "zstd", "clevel": 5 if level is None else level,
                      "shuffle": 1, "blocksize": 0},
            "zstd": {"id": "zstd", "level": 3 if level is None else level},
            "gzip": {"id": "gzip", "level": 5 if level is None else level},
            None: None,
        }[codec]
        descr = dtype.newbyteorder("<").str if itemsize > 1 else dtype.str
        if dimension_names is not None:
            raise ValueError("dimension_names needs zarr_format=3")
        return json.dumps({
            "zarr_format": 2, "shape": list(shape), "chunks": list(chunks), "dtype": descr,
            "compressor": compressor, "fill_value": _fill(dtype), "order": "C", "filters": None,
            "dimension_separator": ".",
        })
    if zarr_format != 3:
        raise ValueError(f"zarr_format must be 2 or 3, got {zarr_format!r}")
    # With its configuration always: zarrs shortens a bare bytes codec to a string, which
    # zarr-python does not read.
    codecs = [{"name": "bytes", "configuration": {"endian": "little"}}]
    if codec == "blosc":
        codecs.append({"name": "blosc", "configuration": {
            "cname": "zstd", "clevel": 5 if level is None else level,
            "shuffle": "bitshuffle" if itemsize == 1 else "shuffle", "typesize": itemsize,
            "blocksize": 0}})
    elif codec == "zstd":
        codecs.append({"name": "zstd", "configuration": {"level": 3 if level is None else level,
                                                         "checksum": False}})
    elif codec == "gzip":
        codecs.append({"name": "gzip", "configuration": {"level": 5 if level is None else level}})
    grid = list(chunks)
    if shards is not None:
        codecs = [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": list(chunks), "codecs": codecs,
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                             {"name": "crc32c"}],
            "index_location": "end"}}]
        grid = list(shards)
    meta = {
        "zarr_format": 3, "node_type": "array", "shape": list(shape), "data_type": _v3_name(dtype),
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": _fill(dtype), "codecs": codecs, "attributes": {},
    }
    if dimension_names is not None:
        names = list(dimension_names)
        if len(names) != len(shape) or not all(isinstance(n, str) for n in names):
            raise ValueError(f"dimension_names={dimension_names!r} must name each of the "
                             f"{len(shape)} axes with a string")
        meta["dimension_names"] = names
    return json.dumps(meta)


def _normalize_shape(name: str, value, ndim: int) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        value = (int(value),) * ndim
    value = tuple(int(v) for v in value)
    if len(value) != ndim or any(v < 1 for v in value):
        raise ValueError(f"{name}={value!r} must give one positive size per axis ({ndim} axes)")
    return value


def _region_tuple(region) -> tuple:
    """``region`` as a tuple (a slice, or a tuple of slices with step 1; fewer than the axes
    leave the rest whole; ``None`` or one ``...`` for whole axes)."""
    if isinstance(region, dict):
        raise TypeError("region must be a tuple of slices (one per axis); a dict of dimension "
                        "names is xarray's Dataset.to_zarr")
    if not isinstance(region, tuple):
        region = (region,)
    return region


def _write_region(x, path: str, region) -> None:
    """``x`` written into ``region`` of the existing Zarr array at ``path`` (module docstring)."""
    zshape, zdtype, unit = _core.zarr_info(path)
    zdtype = np.dtype(zdtype)
    region = _region_tuple(region)
    if sum(r is Ellipsis for r in region) > 1:
        raise IndexError("region may hold at most one Ellipsis")
    if Ellipsis in region:
        i = region.index(Ellipsis)
        region = region[:i] + (slice(None),) * (len(zshape) - len(region) + 1) + region[i + 1:]
    if len(region) > len(zshape):
        raise IndexError(f"region has {len(region)} axes, the Zarr array has {len(zshape)}")
    region = region + (slice(None),) * (len(zshape) - len(region))
    starts, stops = [], []
    for ax, (r, n) in enumerate(zip(region, zshape, strict=True)):
        if r is None:
            r = slice(None)
        if not isinstance(r, slice):
            raise TypeError(f"region[{ax}] must be a slice, got {type(r).__name__}")
        if r.step not in (None, 1):
            raise ValueError(f"region[{ax}] = {r} must have step 1")
        start = 0 if r.start is None else operator.index(r.start)
        stop = n if r.stop is None else operator.index(r.stop)
        if not 0 <= start <= stop <= n:
            raise ValueError(f"region {tuple(region)} is out of bounds for the Zarr array at "
                             f"{path!r} of shape {tuple(zshape)} (axis {ax}: {start}:{stop})")
        starts.append(start)
        stops.append(stop)
    want = tuple(b - a for a, b in zip(starts, stops, strict=True))
    if x.shape != want:
        raise ValueError(f"cannot write an array of shape {x.shape} into the region "
                         f"{tuple(region)} of shape {want} of the Zarr array at {path!r}")
    if x.dtype != zdtype:
        if not np.can_cast(x.dtype, zdtype, "safe"):
            raise TypeError(f"cannot write {x.dtype} values into the {zdtype} Zarr array at "
                            f"{path!r} without losing values; cast them first (x.astype)")
        x = x.astype(zdtype)
    # Blocks end on the array's chunk boundaries: each chunk is written by one task.
    chunks = []
    for a, b, u, c in zip(starts, stops, unit, x.chunks, strict=True):
        ends = np.cumsum(c) + a
        if all(e % u == 0 or e == b for e in ends):
            chunks.append(tuple(c))
            continue
        cut, at = [], a
        while at < b:
            nxt = min(b, (at // u + 1) * u)
            cut.append(nxt - at)
            at = nxt
        chunks.append(tuple(cut) or (0,))
    if tuple(chunks) != tuple(x.chunks):
        x = x.rechunk(tuple(chunks))
    _core.to_zarr_region(x._node, path, starts)


def to_zarr(x, path, chunks=None, *, shards=None, codec="blosc", level=None, zarr_format=3,
            overwrite=False, dimension_names=None, region=None) -> None:
    """Writes ``x`` as a Zarr array at ``path`` (see the module docstring).

    ``chunks``: the Zarr chunk shape (default: ``x``'s chunks when they are regular);
    ``shards``: the shard shape (v3 only; each shard holds whole chunks); ``codec``: ``"blosc"``
    (zstd inside, shuffled), ``"zstd"``, ``"gzip"`` or ``None``; ``zarr_format``: 2 or 3;
    ``overwrite``: replace what is at ``path`` (else a non-empty ``path`` is an error);
    ``dimension_names``: one name per axis (v3), which xarray reads as the variable's dimensions
    when the array is written inside a Zarr group (``xr.open_zarr`` opens groups, not arrays).

    ``region``: write ``x`` into this region (a tuple of slices) of the existing array at
    ``path`` instead (its chunks, codecs and metadata stay; ``chunks``, ``shards`` and
    ``dimension_names`` are then not allowed); see the module docstring.

    >>> import oxarray as ox, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.zarr")
    >>> ox.zeros((4, 4), chunks=2).to_zarr(p)
    >>> ox.ones((2, 3)).to_zarr(p, region=(slice(1, 3), slice(0, 3)))
    >>> ox.from_zarr(p).sum(axis=1).compute()
    array([0., 3., 3., 0.])
    """
    if not isinstance(x, Array):
        raise TypeError(f"to_zarr expects an oxarray Array, got {type(x).__name__}")
    if region is not None:
        if chunks is not None or shards is not None or dimension_names is not None:
            raise ValueError("region= writes into an existing array: its chunks, shards and "
                             "dimension names are the array's own")
        _write_region(x, os.fspath(path), region)
        return
    if codec not in _CODECS:
        raise ValueError(f"codec must be one of {_CODECS}, got {codec!r}")
    path = os.fspath(path)
    ndim = x.ndim
    if chunks is None:
        chunks = tuple(max(1, _regular(c) or max(c, default=1)) for c in x.chunks)
    chunks = _normalize_shape("chunks", chunks, ndim)
    unit = chunks
    if shards is not None:
        shards = _normalize_shape("shards", shards, ndim)
        if any(s % c for s, c in zip(shards, chunks, strict=True)):
            raise ValueError(f"shards={shards} must be multiples of chunks={chunks}")
        unit = shards
    meta = _metadata(x.shape, x.dtype, chunks, shards, codec, level, zarr_format, dimension_names)
    # Blocks must end on the write unit's boundaries; else rechunk onto its grid.
    aligned = all(
        all((b % u == 0) or (b == s) for b in np.cumsum(c))
        for c, u, s in zip(x.chunks, unit, x.shape, strict=True)
    )
    if not aligned:
        x = x.rechunk(tuple(min(u, max(s, 1)) for u, s in zip(unit, x.shape, strict=True)))
    if os.path.exists(path):
        if not overwrite and (not os.path.isdir(path) or os.listdir(path)):
            raise FileExistsError(f"{path!r} exists (pass overwrite=True to replace it)")
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    try:
        _core.to_zarr(x._node, path, meta)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
