"""Miscellaneous elementwise routines NumPy writes in Python: ``nan_to_num``, ``sinc``, ``angle``.

Each is NumPy's own formula on lazy elementwise ops (``where``, ``isnan``, ``arctan2``...), so a
chain of them fuses into one pass per chunk; no kernel of their own.
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of
from ._searching import where as _where

__all__ = ["angle", "nan_to_num", "sinc"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _replace_nonfinite(d: Array, nan, maxf, minf) -> Array:
    dt = d.dtype
    out = _where(apply_ufunc(np.equal, d, -np.inf), np.asarray(minf).astype(dt), d)
    out = _where(apply_ufunc(np.equal, d, np.inf), np.asarray(maxf).astype(dt), out)
    return _where(apply_ufunc(np.isnan, d), np.asarray(nan).astype(dt), out)


@implements(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (the largest finite
    values by default), in the real and imaginary parts of complex arrays alike."""
    x = _arr(x)
    if x.dtype.kind not in "fc":
        return Array(x._node)
    real_dt = np.finfo(x.dtype).dtype
    info = np.finfo(real_dt)
    maxf = info.max if posinf is None else posinf
    minf = info.min if neginf is None else neginf
    with np.errstate(over="ignore", invalid="ignore"):
        if x.dtype.kind == "f":
            return _replace_nonfinite(x, nan, maxf, minf)
        re = _replace_nonfinite(Array(_core.unary("real", x._node)), nan, maxf, minf)
        im = _replace_nonfinite(Array(_core.unary("imag", x._node)), nan, maxf, minf)
    z = apply_ufunc(np.add, Array(_core.cast(re._node, x.dtype.name)),
                    apply_ufunc(np.multiply, Array(_core.cast(im._node, x.dtype.name)), 1j))
    # z = re + 1j*im, except where im is +-inf or nan: x * 1j would mix the parts; those were
    # replaced above, so only a user-given non-finite replacement can reach here.
    return z


@implements(np.sinc)
def sinc(x):
    """``sin(pi x) / (pi x)``, 1 at 0: NumPy's recipe, ``y = pi x`` with its zeros replaced by the
    dtype's ``eps`` (1e-20 for complex) so that ``sin(y) / y`` rounds to 1 there (a fixed 1e-20
    would flush to 0 in float16)."""
    y = apply_ufunc(np.multiply, np.pi, _arr(x))
    eps = np.finfo(y.dtype).eps if y.dtype.kind == "f" else 1e-20
    y = _where(apply_ufunc(np.not_equal, y, 0), y, eps)
    return apply_ufunc(np.divide, apply_ufunc(np.sin, y), y)


@implements(np.angle)
def angle(z, deg=False):
    """The argument of complex ``z`` (``arctan2(imag, real)``), in degrees with ``deg``."""
    z = _arr(z)
    if z.dtype.kind == "c":
        a = apply_ufunc(np.arctan2, Array(_core.unary("imag", z._node)),
                        Array(_core.unary("real", z._node)))
    else:
        a = apply_ufunc(np.arctan2, 0, z)
    if deg:
        a = apply_ufunc(np.multiply, a, 180 / np.pi)
    return a
