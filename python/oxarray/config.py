"""Engine settings. ``chunk_bytes`` is the target size of one chunk when ``chunks="auto"``;
``linalg_block_bytes`` bounds the blocks that ``svd``/``qr`` may build by rechunking (a row block
with all the columns, or the one block of NumPy's complete factors); ``fft_block_bytes`` bounds
the block of whole lanes an FFT along a chunked axis builds (a longer axis is a ``MemoryError`` at
the call, unless a four-step FFT applies)."""

from __future__ import annotations

from contextlib import contextmanager

from . import _core

_PY_SETTINGS = {"linalg_block_bytes": 1 << 30, "fft_block_bytes": 1 << 31}


def get(name: str):
    if name == "chunk_bytes":
        return _core.get_chunk_bytes()
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


def set(*, chunk_bytes: int | None = None, linalg_block_bytes: int | None = None,
        fft_block_bytes: int | None = None):
    """Change settings; usable as a context manager that restores them on exit.

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
    return _restore(old, old_py)
