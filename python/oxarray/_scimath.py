"""``np.lib.scimath`` (``np.emath``): ``sqrt``, ``log``, ``log2``, ``log10``, ``logn``, ``power``,
``arccos``, ``arcsin``, ``arctanh`` that answer in complex numbers where the real function has
no real value (``emath.sqrt(-1)`` is ``1j``).

NumPy chooses the result's **dtype** from the data: a real input with a value out of the real
domain (a negative for ``sqrt``/``log*``/``power``, ``|x| > 1`` for ``arccos``/``arcsin``/
``arctanh``) is converted to complex first, otherwise the real ufunc runs. A lazy array does not
know its data at the call, and oxarray keeps NumPy's dtype exactly: the call computes the one
flag that decides it ("any value out of the domain?", a reduction to one bool), in the same pass
as the input's own blocks, which are kept so the input is never computed twice (see
``_ufuncs_more.decide_now``; the same rule as the mask of ``x[mask]``). The values stay lazy. No
pass happens where the dtype alone decides: complex inputs (already complex), and bool or
unsigned inputs of ``sqrt``/``log*``/``power`` (never negative).
"""

from __future__ import annotations

import numpy as np
import numpy.lib.scimath as _sm

from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of
from ._statistical import any as _any
from ._ufuncs_more import decide_now

__all__ = ["arccos", "arcsin", "arctanh", "log", "log10", "log2", "logn", "power", "sqrt"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(np.asarray(x)))


def _to_complex(x: Array) -> Array:
    """NumPy's ``_tocomplex``: complex64 from float32 and the 8/16-bit integers, else
    complex128."""
    small = x.dtype in (np.float32, np.int8, np.int16, np.uint8, np.uint16, np.complex64)
    return x.astype(np.complex64 if small else np.complex128)


def _fix(x, out_of_domain, convert, kinds: str):
    """``x`` converted by ``convert`` if any real value of ``x`` is out of the domain; the flag
    is computed at the call only for the dtype kinds in ``kinds``."""
    x = _arr(x)
    if x.dtype.kind not in kinds:
        return x
    x, out = decide_now(x, _any(out_of_domain(x)))  # isreal(x) is all True here
    return convert(x) if out else x


def _negative(x: Array) -> Array:
    return apply_ufunc(np.less, x, 0)


def _beyond_one(x: Array) -> Array:
    return apply_ufunc(np.greater, apply_ufunc(np.absolute, x), 1)


def _fix_real_lt_zero(x):
    return _fix(x, _negative, _to_complex, "if")


def _fix_int_lt_zero(x):
    return _fix(x, _negative, lambda a: apply_ufunc(np.multiply, a, 1.0), "i")


def _fix_real_abs_gt_1(x):
    return _fix(x, _beyond_one, _to_complex, "iuf")


@implements(_sm.sqrt)
def sqrt(x):
    """``sqrt``, complex for negative real input (decided at the call: see the module doc)."""
    return apply_ufunc(np.sqrt, _fix_real_lt_zero(x))


@implements(_sm.log)
def log(x):
    """``log``, complex for negative real input (decided at the call: see the module doc)."""
    return apply_ufunc(np.log, _fix_real_lt_zero(x))


@implements(_sm.log10)
def log10(x):
    """``log10``, complex for negative real input (decided at the call: see the module doc)."""
    return apply_ufunc(np.log10, _fix_real_lt_zero(x))


@implements(_sm.log2)
def log2(x):
    """``log2``, complex for negative real input (decided at the call: see the module doc)."""
    return apply_ufunc(np.log2, _fix_real_lt_zero(x))


@implements(_sm.logn)
def logn(n, x):
    """``log(x) / log(n)``, each complex for negative real input (see the module doc)."""
    x = _fix_real_lt_zero(x)
    n = _fix_real_lt_zero(n)
    return apply_ufunc(np.divide, apply_ufunc(np.log, x), apply_ufunc(np.log, n))


@implements(_sm.power)
def power(x, p):
    """``x**p``: ``x`` complex when negative, ``p`` float when a negative integer (see the
    module doc)."""
    x = _fix_real_lt_zero(x)
    p = _fix_int_lt_zero(p)
    return apply_ufunc(np.power, x, p)


@implements(_sm.arccos)
def arccos(x):
    """``arccos``, complex for real input beyond [-1, 1] (decided at the call: see the module
    doc)."""
    return apply_ufunc(np.arccos, _fix_real_abs_gt_1(x))


@implements(_sm.arcsin)
def arcsin(x):
    """``arcsin``, complex for real input beyond [-1, 1] (decided at the call: see the module
    doc)."""
    return apply_ufunc(np.arcsin, _fix_real_abs_gt_1(x))


@implements(_sm.arctanh)
def arctanh(x):
    """``arctanh``, complex for real input beyond [-1, 1] (decided at the call: see the module
    doc)."""
    return apply_ufunc(np.arctanh, _fix_real_abs_gt_1(x))


# The functions of np.emath oxarray implements (importing this module registers them).
EMATH = {name: globals()[name] for name in __all__}
