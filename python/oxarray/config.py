"""Engine settings. ``chunk_bytes`` is the target size of one chunk when ``chunks="auto"``;
``linalg_block_bytes`` bounds the blocks that ``svd``/``qr`` may build by rechunking (a row block
with all the columns, or the one block of NumPy's complete factors); ``fft_block_bytes`` bounds
the block of whole lanes an FFT along a chunked axis builds (a longer axis is a ``MemoryError`` at
the call, unless a four-step FFT applies). ``memory_limit`` bounds what one run may allocate
(results, the blocks held for their readers, the tasks running): tasks start only while the run
stays under it, and a plan whose result or single task cannot fit it raises ``MemoryError``
before any work; the default is three quarters of the memory this process may use (physical
memory, or a container's cgroup limit)."""

from __future__ import annotations

from contextlib import contextmanager

from . import _core

_PY_SETTINGS = {"linalg_block_bytes": 1 << 30, "fft_block_bytes": 1 << 31, "memory_limit": None}

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
          "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}


def parse_bytes(value) -> int:
    """Bytes from an int or a string as Dask writes them: ``"2 GiB"`` (2**31), ``"500MB"``
    (5 * 10**8), ``"1.5e9"``. A float in (0, 1] is that fraction of this process's memory.

    >>> parse_bytes("2 GiB"), parse_bytes("500MB"), parse_bytes(4096)
    (2147483648, 500000000, 4096)
    """
    if isinstance(value, bool):
        raise TypeError("memory_limit must be a number of bytes or a string such as '2 GiB'")
    if isinstance(value, int):
        n = value
    elif isinstance(value, float):
        if not 0 < value <= 1:
            raise ValueError(f"a float memory_limit is a fraction of memory in (0, 1], got {value}")
        n = int(value * _core.available_memory())
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").lower()
        i = len(text)
        while i > 0 and text[i - 1].isalpha():
            i -= 1
        number, unit = text[:i], text[i:]
        if unit not in _UNITS or not number:
            raise ValueError(f"could not read {value!r} as a size (try '2 GiB' or '500 MB')")
        try:
            n = int(float(number) * _UNITS[unit])
        except ValueError:
            raise ValueError(f"could not read {value!r} as a size (try '2 GiB' or '500 MB')") from None
    else:
        raise TypeError("memory_limit must be a number of bytes or a string such as '2 GiB'")
    if n <= 0:
        raise ValueError(f"memory_limit must be positive, got {value!r}")
    return n


def get(name: str):
    """The current value of the setting ``name`` (``chunk_bytes``, ``memory_limit``, ...)."""
    if name == "chunk_bytes":
        return _core.get_chunk_bytes()
    if name == "memory_limit":
        return _core.get_memory_limit()
    if name in _PY_SETTINGS:
        return _PY_SETTINGS[name]
    raise KeyError(f"unknown oxarray setting {name!r}")


@contextmanager
def _restore(old: int, old_py: dict):
    try:
        yield
    finally:
        _core.set_chunk_bytes(old)
        _PY_SETTINGS.update(old_py)
        _core.set_memory_limit(old_py["memory_limit"] or 0)


def set(*, chunk_bytes: int | None = None, linalg_block_bytes: int | None = None,
        fft_block_bytes: int | None = None, memory_limit: int | str | float | None = None):
    """Change settings; usable as a context manager that restores them on exit.
    ``memory_limit`` takes bytes, a string such as ``"2 GiB"``, or a fraction of memory;
    ``"default"`` restores the default.

    >>> import oxarray as ox
    >>> with ox.config.set(chunk_bytes=1 << 20):
    ...     ox.zeros((1024, 1024)).numblocks
    (16, 1)
    """
    old, old_py = _core.get_chunk_bytes(), dict(_PY_SETTINGS)
    if chunk_bytes is not None:
        _core.set_chunk_bytes(int(chunk_bytes))
    if linalg_block_bytes is not None:
        if int(linalg_block_bytes) <= 0:
            raise ValueError("linalg_block_bytes must be positive")
        _PY_SETTINGS["linalg_block_bytes"] = int(linalg_block_bytes)
    if fft_block_bytes is not None:
        if int(fft_block_bytes) <= 0:
            raise ValueError("fft_block_bytes must be positive")
        _PY_SETTINGS["fft_block_bytes"] = int(fft_block_bytes)
    if memory_limit is not None:
        n = None if memory_limit == "default" else parse_bytes(memory_limit)
        _PY_SETTINGS["memory_limit"] = n
        _core.set_memory_limit(n or 0)
    return _restore(old, old_py)
