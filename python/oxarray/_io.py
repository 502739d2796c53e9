"""Files: ``.npy`` reading (``ox.from_npy``) and streamed writing (``x.to_npy``, ``np.save``,
``np.savez``, ``np.savez_compressed``, ``np.savetxt``), plus ``np.may_share_memory``,
``np.shares_memory`` and ``np.min_scalar_type``.

Reading: ``from_npy`` memory-maps the file in Rust and each chunk's task copies its region out
(byte-swapped from big-endian, transposed from Fortran order), so only the chunks a computation
needs are read. Writing streams: ``to_npy`` writes NumPy's header, then every chunk's task writes
the chunk it computed at its offset in the file (a positioned write), so the whole array is never
in memory; the file is written under a temporary name and renamed into place only when every
chunk is written (a failed run leaves nothing). The bytes equal ``np.save``'s for the same values.

``np.save`` to a path or to a real file (one with a file descriptor) uses that writer; to any
other file object, and for the members of ``np.savez``'s zip, the array is computed and written
slab by slab along the first axis in file order (one slab of chunks in memory at a time), the
data bytes from Rust and the container (zip, deflate) from Python's ``zipfile`` -- NumPy's own
``savez`` uses the same module, so the archive is the one NumPy writes. ``np.savetxt`` formats
each slab as it is computed.

Memory sharing: an Array is a handle on an immutable node, and every in-place operation points
the handle at a new node (see the design notes), so writing through one Array never changes
another. ``may_share_memory``/``shares_memory`` therefore say True only for the same Array object
(``np.may_share_memory(x, x)``), and False for two different Arrays -- even views of one
source, or two handles on one node -- and for an Array and a NumPy array (data is copied in).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import zipfile

import numpy as np

from . import _core
from ._array import Array, _chunk_spec, compute_nodes
from ._dispatch import implements

__all__ = ["from_npy", "may_share_memory", "min_scalar_type", "shares_memory", "to_npy"]


def from_npy(path, chunks="auto") -> Array:
    """A lazy Array of the ``.npy`` file at ``path`` (memory-mapped; chunks read on demand).

    >>> import numpy as np, oxarray as ox, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.npy"); np.save(p, np.arange(6).reshape(2, 3))
    >>> ox.from_npy(p, chunks=(1, 3)).sum(axis=1).compute()
    array([ 3, 12])
    """
    return Array(_core.from_npy(os.fspath(path), _chunk_spec(chunks)))


def to_npy(x, path) -> None:
    """Writes ``x`` to the ``.npy`` file ``path`` chunk by chunk (see the module docstring)."""
    if not isinstance(x, Array):
        raise TypeError(f"to_npy expects an oxarray Array, got {type(x).__name__}")
    _core.to_npy(x._node, os.fspath(path))


def _slabs(x: Array):
    """``x``'s values in file order, one slab of chunks along the first axis at a time."""
    if x.ndim == 0 or x.size == 0:
        yield compute_nodes([x._node])[0]
        return
    start = 0
    for n in x.chunks[0]:
        yield compute_nodes([x[start:start + n]._node])[0]
        start += n


def _write_in_order(f, x: Array) -> None:
    """The ``.npy`` of ``x`` written to the file object ``f`` sequentially."""
    f.write(_core.npy_header(x.dtype.name, list(x.shape)))
    for slab in _slabs(x):
        f.write(memoryview(np.ascontiguousarray(slab)).cast("B"))


def _real_file(f) -> bool:
    try:
        f.fileno()
        return f.seekable() and "a" not in getattr(f, "mode", "")
    except (AttributeError, OSError, io.UnsupportedOperation):
        return False


@implements(np.save)
def save(file, arr, allow_pickle=True, **kwargs) -> None:
    """NumPy's ``.npy`` of ``arr``, streamed chunk by chunk (see the module docstring)."""
    if not isinstance(arr, Array):
        np.save(file, arr, allow_pickle=allow_pickle, **kwargs)
        return
    if isinstance(file, (str, os.PathLike)):
        file = os.fspath(file)
        to_npy(arr, file if file.endswith(".npy") else file + ".npy")
    elif _real_file(file):
        file.flush()
        end = _core.to_npy_fd(arr._node, file.fileno(), file.tell())
        file.seek(end)
    else:
        _write_in_order(file, arr)


@contextlib.contextmanager
def _published(path: str):
    """A temporary file beside ``path``, renamed onto it when the block succeeds."""
    tmp = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.{os.getpid()}.partial")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def _savez(file, args, kwds, compress: bool, allow_pickle: bool) -> None:
    named = dict(kwds)
    for i, v in enumerate(args):
        key = f"arr_{i}"
        if key in named:
            raise ValueError(f"Cannot use un-named variables and keyword {key}")
        named[key] = v
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED

    def write(target) -> None:
        with zipfile.ZipFile(target, mode="w", compression=mode, allowZip64=True) as zf:
            for key, val in named.items():
                with zf.open(key + ".npy", "w", force_zip64=True) as f:
                    if isinstance(val, Array):
                        _write_in_order(f, val)
                    else:
                        np.lib.format.write_array(f, np.asanyarray(val), allow_pickle=allow_pickle)

    if isinstance(file, (str, os.PathLike)):
        file = os.fspath(file)
        with _published(file if file.endswith(".npz") else file + ".npz") as tmp:
            write(tmp)
    else:
        write(file)


@implements(np.savez)
def savez(file, *args, allow_pickle=True, **kwds) -> None:
    """NumPy's ``.npz`` of the values, each Array streamed into the zip slab by slab."""
    _savez(file, args, kwds, False, allow_pickle)


@implements(np.savez_compressed)
def savez_compressed(file, *args, allow_pickle=True, **kwds) -> None:
    """NumPy's compressed ``.npz`` of the values, each Array streamed into the zip."""
    _savez(file, args, kwds, True, allow_pickle)


@implements(np.savetxt)
def savetxt(fname, X, fmt="%.18e", delimiter=" ", newline="\n", header="", footer="",
            comments="# ", encoding=None) -> None:
    """NumPy's text file of ``X``, each slab of rows formatted by NumPy as it is computed."""
    if not isinstance(X, Array) or X.ndim not in (1, 2) or X.size == 0:
        (X,) = (compute_nodes([X._node]) if isinstance(X, Array) else [X])
        np.savetxt(fname, X, fmt=fmt, delimiter=delimiter, newline=newline, header=header,
                   footer=footer, comments=comments, encoding=encoding)
        return
    own = isinstance(fname, (str, os.PathLike))
    if own:
        path = os.fspath(fname)
        f = gzip.open(path, "wb") if path.endswith(".gz") else open(path, "wb")  # noqa: SIM115
    else:
        f = fname
    try:
        slabs = list(_slab_views(X))
        for i, part in enumerate(slabs):
            (slab,) = compute_nodes([part._node])
            np.savetxt(f, slab, fmt=fmt, delimiter=delimiter, newline=newline,
                       header=header if i == 0 else "", footer=footer if i == len(slabs) - 1 else "",
                       comments=comments, encoding=encoding)
    finally:
        if own:
            f.close()


def _slab_views(x: Array):
    start = 0
    for n in x.chunks[0]:
        yield x[start:start + n]
        start += n


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
