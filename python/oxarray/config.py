"""Engine settings. ``chunk_bytes`` is the target size of one chunk when ``chunks="auto"``."""

from __future__ import annotations

from contextlib import contextmanager

from . import _core


def get(name: str):
    if name == "chunk_bytes":
        return _core.get_chunk_bytes()
    raise KeyError(f"unknown oxarray setting {name!r}")


@contextmanager
def _restore(old: int):
    try:
        yield
    finally:
        _core.set_chunk_bytes(old)


def set(*, chunk_bytes: int | None = None):
    """Change settings; usable as a context manager that restores them on exit.

    >>> import oxarray as ox
    >>> with ox.config.set(chunk_bytes=1 << 20):
    ...     ox.zeros((1024, 1024)).numblocks
    (16, 1)
    """
    old = _core.get_chunk_bytes()
    if chunk_bytes is not None:
        _core.set_chunk_bytes(int(chunk_bytes))
    return _restore(old)
