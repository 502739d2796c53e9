"""Printing values: ``np.array2string``, ``np.array_repr`` and ``np.array_str`` of an Array.

These demand values, so they compute (as ``__array__`` does); the text is NumPy's own, made by
NumPy's formatter from the computed values, so it matches NumPy's output exactly. When NumPy
would summarize (``size > threshold``), only what it shows is computed: the ``edgeitems`` corners
of every long axis (NumPy chooses the number format from those corners too), laid out in a small
stand-in array with one unshown element in the middle of each long axis, so NumPy's summary
(with its "...") is produced from a few hundred values instead of the whole array.

``repr(x)`` of an Array stays oxarray's own lazy description (shape, dtype, chunks, tasks) and
computes nothing.
"""

from __future__ import annotations

import numpy as np

from ._array import Array
from ._dispatch import implements

__all__ = ["array2string", "array_repr", "array_str"]


def _options() -> dict:
    """NumPy's current print options, with ``legacy`` as the int NumPy compares against."""
    try:
        from numpy._core.arrayprint import format_options

        return dict(format_options.get())
    except (ImportError, AttributeError):  # pragma: no cover - NumPy internals moved
        opts = np.get_printoptions()
        legacy = opts.get("legacy")
        opts["legacy"] = 2**63 - 1 if not legacy else int(str(legacy).replace(".", ""))
        return opts


def _values(x: Array, threshold: int | None, edgeitems: int | None) -> tuple[np.ndarray, bool]:
    """The values NumPy would print of ``x``: all of them, or (when NumPy summarizes) a stand-in
    with the corners of ``x``; the flag says which."""
    opts = _options()
    threshold = opts["threshold"] if threshold is None else threshold
    edge = opts["edgeitems"] if edgeitems is None else edgeitems
    long_axes = [d for d, n in enumerate(x.shape) if n > 2 * edge]
    if x.size <= threshold or edge <= 0 or not long_axes:
        return x.compute(), False
    y = x
    for d in long_axes:
        n = x.shape[d]
        # The corners, and one of them again as the unshown middle element.
        idx = np.r_[0:edge, edge - 1, n - edge:n]
        y = np.take(y, idx, axis=d)
    return y.compute(), True


@implements(np.array2string)
def array2string(a, max_line_width=None, precision=None, suppress_small=None, separator=" ",
                 prefix="", *, formatter=None, threshold=None, edgeitems=None, sign=None,
                 floatmode=None, suffix="", legacy=None) -> str:
    """NumPy's text of the values of ``a``. Computes (only the corners NumPy shows when it
    summarizes a large array; see the module docstring)."""
    values, stand_in = _values(a, threshold, edgeitems)
    if stand_in:
        threshold = values.size - 1  # the stand-in is summarized as the whole array would be
    return np.array2string(values, max_line_width, precision, suppress_small, separator, prefix,
                           formatter=formatter, threshold=threshold, edgeitems=edgeitems,
                           sign=sign, floatmode=floatmode, suffix=suffix, legacy=legacy)


@implements(np.array_str)
def array_str(a, max_line_width=None, precision=None, suppress_small=None) -> str:
    """NumPy's ``str`` of the values of ``a`` (a 0-d array prints as its scalar). Computes."""
    if a.ndim == 0:
        return np.array_str(a.compute(), max_line_width, precision, suppress_small)
    return array2string(a, max_line_width, precision, suppress_small, " ", "")


@implements(np.array_repr)
def array_repr(arr, max_line_width=None, precision=None, suppress_small=None) -> str:
    """NumPy's ``repr`` of the values of ``arr`` (``array([...], dtype=...)``), as NumPy writes it
    for an ndarray of those values. Computes (only the corners when NumPy summarizes)."""
    opts = _options()
    if opts.get("override_repr") is not None or arr.ndim == 0 or arr.size <= opts["threshold"]:
        return np.array_repr(arr.compute(), max_line_width, precision, suppress_small)
    # NumPy's _array_repr_implementation, with the stand-in's text and the real shape.
    if max_line_width is None:
        max_line_width = opts["linewidth"]
    prefix = "array("
    lst = array2string(arr, max_line_width, precision, suppress_small, ", ", prefix, suffix=")")
    extras = []
    if opts["legacy"] > 210:
        extras.append(f"shape={arr.shape}")
    from numpy._core.arrayprint import dtype_is_implied, dtype_short_repr

    if not dtype_is_implied(arr.dtype):
        extras.append(f"dtype={dtype_short_repr(arr.dtype)}")
    if not extras:
        return prefix + lst + ")"
    arr_str = prefix + lst + ","
    extra_str = ", ".join(extras) + ")"
    last_line_len = len(arr_str) - (arr_str.rfind("\n") + 1)
    spacer = " "
    if opts["legacy"] > 113 and last_line_len + len(extra_str) + 1 > max_line_width:
        spacer = "\n" + " " * len(prefix)
    return arr_str + spacer + extra_str
