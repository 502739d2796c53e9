"""NumPy's floating-point error state (``np.errstate``) for lazy arrays.

The rule: **the error state in force when an operation is written governs it**, as it would
have in NumPy, where the operation ran on that line. Each elementwise call captures
``np.geterr()`` (and ``np.geterrcall()``); the engine checks the hardware's floating-point flags
of that op on every block at ``compute()`` (and sets ``divide`` by hand for integer division by
zero, as NumPy does), and this module then reports them op by op, in the order they were
written: a ``RuntimeWarning`` ("divide by zero encountered in divide"), a call of the errcall,
a line on stderr, a ``write`` to the log object, or ``FloatingPointError`` for ``raise`` (which
also stops the compute). The state in force at ``compute()`` plays no part.

Beyond elementwise calls, the same rule covers reductions (NumPy's "overflow encountered in
reduce"; a mean's or variance's final "divide"), scans ("... in accumulate", "... in reduceat"),
``astype`` ("invalid value encountered in cast") and ufuncs called with ``where=`` (only the
selected elements are checked, as in NumPy).
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np

_MODES = ("ignore", "warn", "raise", "call", "print", "log")
# NumPy's status bits, in the order NumPy reports them, with the key of np.geterr() and the text.
_FLAGS = ((1, "divide", "divide by zero"), (2, "over", "overflow"),
          (4, "under", "underflow"), (8, "invalid", "invalid value"))  # fmt: skip
# Ufuncs whose NumPy loops never report floating-point errors (comparisons, selection, bit
# operations): left unchecked, since a vectorized compare of NaN may set 'invalid' in hardware.
_QUIET = frozenset({
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "maximum", "minimum", "fmax",
    "fmin", "isnan", "isinf", "isfinite", "signbit", "copysign", "nextafter",
    "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift", "gcd",
    "lcm", "negative", "positive", "conjugate", "real", "imag", "sign", "floor",
    "ceil", "trunc", "rint", "fabs", "heaviside",
})  # fmt: skip
_PKG = os.path.dirname(os.path.abspath(__file__))

# The distinct (name, modes, errcall) of calls so far; a node keeps an index into this. The name
# is NumPy's word after "encountered in", or one per flag (divide, over, under, invalid) where
# NumPy's own steps would name the flags differently (a variance: "subtract", "square").
_SITES: list[tuple[str | tuple[str, ...], tuple[str, ...], object]] = []
_SITE_IDS: dict[tuple[str | tuple[str, ...], tuple[str, ...], int], int] = {}
# What NumPy's variance names each flag its steps raise: x - mean, then its square, then a sum.
_VARIANCE_STEPS = ("divide", "square", "square", "subtract")


def capture(name: str | tuple[str, ...]) -> int:
    """The error state in force now for a call of ufunc ``name``, packed for the engine: bits 0-3
    the flags not ignored, bits 4-7 those under ``raise``, the rest this module's record of the
    call (0: nothing to check)."""
    if name in _QUIET:
        return 0
    # np.errstate/np.seterr install a new state object each time, so the packed states found
    # under the current object stay right until it changes (np.geterr() costs microseconds).
    if _current_state is None:
        return _capture(name)
    global _cache
    state = _current_state()
    entry = _cache  # one read: another thread may swap in its own state's entry meanwhile
    if entry[0] is not state:
        entry = _cache = (state, {})
    packed = entry[1].get(name)
    if packed is None:
        packed = entry[1][name] = _capture(name)
    return packed


try:  # NumPy 2: the error state is one object in a context variable
    from numpy._core.umath import _extobj_contextvar

    _current_state = _extobj_contextvar.get
except ImportError:  # pragma: no cover - older layouts: np.geterr() on every call
    _current_state = None
# The state object the packed states were captured under (held, so its id stays unique), and
# those states by ufunc name.
_cache: tuple[object, dict] = (None, {})


def _capture(name: str | tuple[str, ...]) -> int:
    err = np.geterr()
    modes = (err["divide"], err["over"], err["under"], err["invalid"])
    care = sum(bit for (bit, _, _), m in zip(_FLAGS, modes, strict=True) if m != "ignore")
    if not care:
        return 0
    raises = sum(bit for (bit, _, _), m in zip(_FLAGS, modes, strict=True) if m == "raise")
    call = np.geterrcall() if ("call" in modes or "log" in modes) else None
    key = (name, modes, id(call))
    site = _SITE_IDS.get(key)
    if site is None:
        site = len(_SITES)
        _SITES.append((name, modes, call))  # keeps `call` alive, so its id stays unique
        _SITE_IDS[key] = site
    return site << 8 | raises << 4 | care


def export_sites(ids) -> list:
    """The ``(name, modes, errcall)`` of the sites ``ids``, for pickling a graph."""
    return [_SITES[i] for i in ids]


def import_sites(sites) -> list[int]:
    """Registers sites of :func:`export_sites` (from any process); returns their ids here."""
    ids = []
    for name, modes, call in sites:
        name = name if isinstance(name, str) else tuple(name)
        modes = tuple(modes)
        key = (name, modes, id(call))
        site = _SITE_IDS.get(key)
        if site is None:
            site = len(_SITES)
            _SITES.append((name, modes, call))
            _SITE_IDS[key] = site
        ids.append(site)
    return ids


def capture_method(ufunc_name: str, method: str) -> int:
    """The error state for ``ufunc.<method>`` ("reduce", "accumulate", "reduceat"): none for the
    ufuncs whose loops never report errors (maximum, logical_and, ...)."""
    return 0 if ufunc_name in _QUIET else capture(method)


def capture_reduction(op: str, zero_d: bool) -> tuple[int, int]:
    """The error states ``(accumulation, final division)`` of the reduction ``op`` of
    ``oxarray._statistical`` (``zero_d``: its result is 0-d, where NumPy's division is a
    "scalar divide")."""
    divide = "scalar divide" if zero_d else "divide"
    if op in ("sum", "prod"):
        return capture("reduce"), 0
    if op == "mean":
        return capture("reduce"), capture(divide)
    if op in ("var", "std"):
        return capture(_VARIANCE_STEPS), capture(divide)
    # NumPy's nan-reductions divide by the count under errstate(divide/invalid="ignore"), having
    # warned "Mean of empty slice" / "Degrees of freedom <= 0" itself.
    if op == "nanmean":
        return capture("reduce"), 0
    if op in ("nanvar", "nanstd"):
        return capture(_VARIANCE_STEPS), 0
    return 0, 0


def _stacklevel() -> int:
    """The stack level of the first frame outside oxarray (the user's line that computed)."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PKG):
        frame, level = frame.f_back, level + 1
    return level


def report(events) -> None:
    """Handles ``(packed state, flags)`` per op that raised a flag, in the order the ops were
    written, as NumPy's error state of each call says. Called by the engine after a compute."""
    for packed, flags in events:
        names, modes, call = _SITES[packed >> 8]
        for k, ((bit, _, text), mode) in enumerate(zip(_FLAGS, modes, strict=True)):
            if not flags & bit or mode == "ignore":
                continue
            name = names if isinstance(names, str) else names[k]
            msg = f"{text} encountered in {name}"
            if mode == "warn":
                warnings.warn(msg, RuntimeWarning, stacklevel=_stacklevel())
            elif mode == "raise":
                raise FloatingPointError(msg)
            elif mode == "call":
                if call is None:
                    raise NameError(f"python callback specified for {text} (in  {name}) but no "
                                    f"function found.")
                call(text, flags)
            elif mode == "print":
                print(f"Warning: {msg}", file=sys.stderr)
            elif mode == "log":
                if call is None:
                    raise NameError(f"log specified for {text} (in {name}) but no object with "
                                    f"write method found.")
                call.write(f"Warning: {msg}\n")
