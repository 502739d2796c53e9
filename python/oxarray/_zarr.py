"""Zarr v2 and v3 arrays: ``ox.from_zarr`` (lazy) and ``x.to_zarr`` (parallel, chunk-aligned).

The chunks are read and written in Rust by the ``zarrs`` crate (codecs ``blosc``, ``zstd``,
``gzip``, sharding), the GIL released. A block of the lazy array covers one or several whole Zarr
chunks, so each chunk is decoded once. Writing rechunks the array onto the Zarr chunk (or shard)
grid when its chunks do not line up, then each task encodes and stores the chunks of the block
it computed; every chunk file is written under a temporary name and renamed into place, and the
array's metadata is written last, so a failed run never leaves a torn chunk nor a half-written
array (the directory it created is removed). Files interoperate with zarr-python.
"""

from __future__ import annotations

import json
import math
import os
import shutil

import numpy as np

from . import _core
from ._array import Array, _chunk_spec

__all__ = ["from_zarr", "to_zarr"]

_CODECS = ("blosc", "zstd", "gzip", None)


def _grouped_chunks(shape, itemsize: int, zchunks) -> tuple[int, ...]:
    """Blocks of whole Zarr chunks of about the configured chunk size (the last axes grown
    first, so a block is as contiguous as it can be)."""
    target = _core.get_chunk_bytes()
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


def to_zarr(x, path, chunks=None, *, shards=None, codec="blosc", level=None, zarr_format=3,
            overwrite=False, dimension_names=None) -> None:
    """Writes ``x`` as a Zarr array at ``path`` (see the module docstring).

    ``chunks``: the Zarr chunk shape (default: ``x``'s chunks when they are regular);
    ``shards``: the shard shape (v3 only; each shard holds whole chunks); ``codec``: ``"blosc"``
    (zstd inside, shuffled), ``"zstd"``, ``"gzip"`` or ``None``; ``zarr_format``: 2 or 3;
    ``overwrite``: replace what is at ``path`` (else a non-empty ``path`` is an error);
    ``dimension_names``: one name per axis (v3), which xarray reads as the variable's dimensions
    when the array is written inside a Zarr group (``xr.open_zarr`` opens groups, not arrays).
    """
    if not isinstance(x, Array):
        raise TypeError(f"to_zarr expects an oxarray Array, got {type(x).__name__}")
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
