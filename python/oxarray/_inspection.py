"""The Array API's inspection section: ``__array_namespace_info__()`` and the device vocabulary.

oxarray has one device, ``"cpu"`` (the Rust thread pool over host memory); every array lives
there, and a ``device=`` argument accepts ``"cpu"`` or ``None``. Nothing here touches data.
"""

from __future__ import annotations

import numpy as np

CPU = "cpu"

_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
}
_KINDS["integral"] = _KINDS["signed integer"] + _KINDS["unsigned integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"] + _KINDS["complex floating"]
_ALL = _KINDS["bool"] + _KINDS["numeric"]


def check_device(device) -> None:
    """``None`` or ``"cpu"``; anything else is a ValueError naming the one device there is."""
    if device is not None and device != CPU:
        raise ValueError(f"oxarray arrays live on the 'cpu' device, not {device!r}")


class Info:
    """What ``xp.__array_namespace_info__()`` returns: the library's capabilities, its device
    and its data types (Array API 2023.12+; ``devices()`` a tuple as 2025.12 asks).

    >>> import oxarray as ox
    >>> info = ox.__array_namespace_info__()
    >>> info.capabilities()["boolean indexing"], info.default_device()
    (True, 'cpu')
    >>> list(info.dtypes(kind="real floating"))
    ['float32', 'float64']
    """

    __module__ = "oxarray"

    def capabilities(self) -> dict:
        # Boolean masks and nonzero/unique-style shapes are known when the call returns (a size
        # pass computes the mask's counts; see _masking). NumPy's limit on dimensions is ours.
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self) -> str:
        return CPU

    def devices(self) -> tuple[str, ...]:
        return (CPU,)

    def default_dtypes(self, *, device=None) -> dict:
        check_device(device)
        return {
            "real floating": np.dtype("float64"),
            "complex floating": np.dtype("complex128"),
            "integral": np.dtype("int64"),
            "indexing": np.dtype("int64"),
        }

    def dtypes(self, *, device=None, kind=None) -> dict:
        check_device(device)
        if kind is None:
            names = _ALL
        else:
            kinds = (kind,) if isinstance(kind, str) else tuple(kind)
            names = ()
            for k in kinds:
                if not isinstance(k, str) or k not in _KINDS:
                    raise ValueError(f"unsupported data type kind {k!r} (one of {sorted(_KINDS)})")
                names += tuple(n for n in _KINDS[k] if n not in names)
            names = tuple(n for n in _ALL if n in names)  # the standard's order
        return {n: np.dtype(n) for n in names}


def __array_namespace_info__() -> Info:
    """The Array API inspection namespace (``info.capabilities()``, ``info.dtypes()``, ...)."""
    return Info()
