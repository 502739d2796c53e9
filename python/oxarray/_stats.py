"""Statistics and comparisons (``average``, ``ptp``, ``cov``, ``corrcoef``, ``isclose``,
``allclose``, ``array_equal``, ``array_equiv``, and ``mean``/``var``/``std`` with ``where=``):
NumPy's own recipes composed from lazy elementwise ops, reductions and ``matmul``; no kernel of
their own. Checks NumPy makes on the values (weights summing to zero, negative weights) run at
compute through a check node (see ``_nan.checked``).

``allclose``, ``array_equal`` and ``array_equiv`` return a lazy 0-d bool Array (NumPy returns a
Python bool): ``bool(...)``, ``if``, ``assert`` compute it, as Dask's ``allclose`` does.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from . import _core
from . import _statistical as _stat
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype, node_of, rebind
from ._nan import _COUNT, checked
from ._searching import where as _where

__all__ = ["allclose", "array_equal", "array_equiv", "average", "corrcoef", "cov", "isclose", "ptp"]


def _arr(x, dtype=None) -> Array:
    if isinstance(x, Array) and (dtype is None or x.dtype == np.dtype(dtype)):
        return x
    return Array(node_of(x, None if dtype is None else check_dtype(dtype)))


def _cast(x: Array, dtype) -> Array:
    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else Array(_core.cast(x._node, check_dtype(dtype).name))


# --- mean/var/std with where= (NumPy's _methods._mean/_var recipes) ----------------------------
def moment_where(op: str, x, axis, dtype, out, keepdims, where, ddof=0, mean=np._NoValue) -> Array:
    """``mean``/``var``/``std`` over the elements selected by ``where``: sums of
    ``where(mask, x, 0)`` divided by the per-slice count of the mask; an empty (or ``ddof``
    exhausted) slice gives NaN and, at compute, NumPy's RuntimeWarning.

    Also NumPy's own recipe where the one-pass kernel would differ from it: a given ``mean=``
    (the deviations are taken from it), and a complex ``x`` with a real ``dtype`` (NumPy's mean
    is then the real sum, but the deviations are complex)."""
    x = _stat.as_array(x)
    axes = _stat.normalize_axis_arg(axis)
    mask = _arr(where, np.bool_)
    mask = Array(_core.broadcast_to(mask._node, list(np.broadcast_shapes(mask.shape, x.shape))))
    if mask.shape != x.shape:
        raise ValueError(f"non-broadcastable where mask with shape {mask.shape} for an array of "
                         f"shape {x.shape}")
    if dtype is None and x.dtype.kind in "biu":
        dtype = np.float64
    keep = bool(keepdims)
    cnt = _stat.reduce("sum", mask, axes, _COUNT, None, op != "mean" or keep)
    if mean is not np._NoValue and op != "mean":
        avg = _stat.as_array(mean)
    else:
        tot = _stat.reduce("sum", x, axes, dtype, None, op != "mean" or keep, where=mask)
        avg = _div_cast(tot, cnt)
    if op == "mean":
        avg = checked(avg, apply_ufunc(np.equal, cnt, 0), "Mean of empty slice", warn=True)
        return rebind(out, avg, op, "unsafe") if out is not None else avg
    dev = apply_ufunc(np.subtract, x, avg)
    if dev.dtype.kind == "c":
        sq = Array(_core.unary("real", apply_ufunc(np.multiply, dev, apply_ufunc(np.conjugate, dev))._node))
    else:
        sq = apply_ufunc(np.multiply, dev, dev)
    ssq = _stat.reduce("sum", sq, axes, dtype, None, keep, where=mask)
    n = cnt if keep else _stat.reduce("sum", mask, axes, _COUNT, None, False)
    dof = apply_ufunc(np.maximum, apply_ufunc(np.subtract, n, ddof), 0)
    res = _div_cast(ssq, dof)
    if op == "std":
        res = apply_ufunc(np.sqrt, res)
    bad = apply_ufunc(np.less_equal, apply_ufunc(np.subtract, n, ddof), 0)
    res = checked(res, bad, "Degrees of freedom <= 0 for slice", warn=True)
    return rebind(out, res, op, "unsafe") if out is not None else res


def _div_cast(a: Array, b) -> Array:
    """``true_divide(a, b, out=a, casting='unsafe')``: the promoted loop, cast back to ``a``."""
    q = apply_ufunc(np.divide, a, b)
    return _cast(q, a.dtype) if a.dtype.kind in "fc" else q


# --- average, ptp ----------------------------------------------------------------------------
@implements(np.average)
def average(a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    """Weighted mean along ``axis``; weights summing to zero raise NumPy's ZeroDivisionError from
    ``compute()`` (NumPy raises it at the call, having the values)."""
    a = _stat.as_array(a)
    if axis is not None:
        axis = normalize_axis_tuple(axis, a.ndim, argname="axis")
    keep = False if keepdims is np._NoValue else bool(keepdims)
    if weights is None:
        avg = _stat.mean(a, axis=axis, keepdims=keep)
        scl = Array(node_of(np.asarray(avg.dtype.type(a.size / avg.size))))
    else:
        wgt = _stat.as_array(weights)
        if a.shape != wgt.shape:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if wgt.shape != tuple(a.shape[ax] for ax in axis):
                raise ValueError("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
            from ._manipulation import reshape, transpose

            wgt = transpose(wgt, tuple(int(i) for i in np.argsort(axis)))
            wgt = reshape(wgt, tuple(s if ax in axis else 1 for ax, s in enumerate(a.shape)))
        if a.dtype.kind in "biu":
            result_dtype = np.result_type(a.dtype, wgt.dtype, "f8")
        else:
            result_dtype = np.result_type(a.dtype, wgt.dtype)
        result_dtype = check_dtype(result_dtype)
        scl = _stat.sum(wgt, axis=axis, dtype=result_dtype, keepdims=keep)
        num = _stat.sum(apply_ufunc(np.multiply, a, wgt, dtype=result_dtype), axis=axis,
                        keepdims=keep)
        avg = apply_ufunc(np.divide, num, scl)
        avg = checked(avg, apply_ufunc(np.equal, scl, 0.0), "Weights sum to zero, can't be normalized",
                      warn=False, zero_division=True)
    if returned:
        if scl.shape != avg.shape:
            scl = Array(_core.broadcast_to(scl._node, list(avg.shape)))
            if scl.chunks != avg.chunks:
                scl = scl.rechunk(avg.chunks)
        return avg, scl
    return avg


@implements(np.ptp)
def ptp(a, axis=None, out=None, keepdims=np._NoValue):
    """``max - min`` along ``axis`` (in ``a``'s dtype: integers wrap as in NumPy)."""
    a = _stat.as_array(a)
    keep = False if keepdims is np._NoValue else bool(keepdims)
    hi = _stat.max(a, axis=axis, keepdims=keep)
    lo = _stat.min(a, axis=axis, keepdims=keep)
    res = apply_ufunc(np.subtract, hi, lo)
    return rebind(out, res, "ptp") if out is not None else res


# --- cov, corrcoef ---------------------------------------------------------------------------
def _as_2d(x: Array) -> Array:
    from ._manipulation import reshape

    return reshape(x, (1, x.size) if x.ndim < 2 else x.shape) if x.ndim < 2 else x


def _weights_1d(w, name: str, n: int) -> Array:
    if isinstance(w, Array):
        w = _cast(w, np.float64)
    else:
        w = np.asarray(w, dtype=float)
        if name == "fweights" and not np.all(w == np.around(w)):
            raise TypeError("fweights must be integer")
        if w.ndim <= 1 and w.shape and w.shape[0] == n and np.any(w < 0):
            raise ValueError(f"{name} cannot be negative")
        w = Array(node_of(w))
    if w.ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if w.shape[0] != n:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    negative = _stat.any(apply_ufunc(np.less, w, 0))
    if name == "fweights":
        # A lazy fweights is checked at compute (NumPy's TypeError then comes as ValueError).
        not_int = _stat.any(apply_ufunc(np.not_equal, w, apply_ufunc(np.rint, w)))
        w = checked(w, not_int, "fweights must be integer", warn=False)
    return checked(w, negative, f"{name} cannot be negative", warn=False)


@implements(np.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """Covariance matrix: NumPy's recipe (weighted mean, centred rows, ``X @ X.T.conj()``)."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = _stat.as_array(m)
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if y is not None:
        y = _stat.as_array(y)
        if y.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    if dtype is None:
        dtype = np.result_type(m.dtype, np.float64) if y is None else \
            np.result_type(m.dtype, y.dtype, np.float64)
    dtype = check_dtype(dtype)
    from ._linalg import matmul
    from ._manipulation import concatenate

    X = _as_2d(_cast(m, dtype))
    if not rowvar and m.ndim != 1:
        X = X.T
    if X.shape[0] == 0:
        return Array(_core.full([0, 0], "float64", 0.0, "auto"))
    if y is not None:
        Y = _as_2d(_cast(y, dtype))
        if not rowvar and Y.shape[0] != 1:
            Y = Y.T
        X = concatenate((X, Y), axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        w = _weights_1d(fweights, "fweights", X.shape[1])
    if aweights is not None:
        aw = _weights_1d(aweights, "aweights", X.shape[1])
        w = aw if w is None else apply_ufunc(np.multiply, w, aw)
    avg, w_sum = average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        fact = X.shape[1] - ddof
        if fact <= 0:
            warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
            fact = 0.0
        fact = float(fact)
    else:
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = apply_ufunc(np.subtract, w_sum, ddof)
        else:
            wa = _stat.sum(apply_ufunc(np.multiply, w, aw))
            fact = apply_ufunc(np.subtract, w_sum,
                               apply_ufunc(np.divide, apply_ufunc(np.multiply, ddof, wa), w_sum))
        bad = apply_ufunc(np.less_equal, fact, 0)
        fact = checked(_where(bad, 0.0, fact), bad, "Degrees of freedom <= 0 for slice", warn=True)
    Xc = apply_ufunc(np.subtract, X, avg[:, None])
    if Xc.dtype != X.dtype:
        Xc = _cast(Xc, X.dtype)
    X_T = Xc.T if w is None else _cast(apply_ufunc(np.multiply, Xc, w), X.dtype).T
    c = matmul(Xc, apply_ufunc(np.conjugate, X_T) if X_T.dtype.kind == "c" else X_T)
    scale = apply_ufunc(np.true_divide, 1, fact)
    c = _cast(apply_ufunc(np.multiply, c, scale), c.dtype)
    from ._manipulation import squeeze

    return squeeze(c)


@implements(np.corrcoef)
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients: ``cov`` scaled by the outer product of the standard
    deviations, real (and imaginary) parts clipped to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim != 2:  # a scalar covariance: NaN for a bad value (nan, inf, 0), 1 otherwise
        return apply_ufunc(np.divide, c, c)
    from ._linalg import diagonal

    d = diagonal(c)
    stddev = apply_ufunc(np.sqrt, Array(_core.unary("real", d._node)) if d.dtype.kind == "c" else d)
    c = _cast(apply_ufunc(np.divide, c, stddev[:, None]), c.dtype)
    c = _cast(apply_ufunc(np.divide, c, stddev[None, :]), c.dtype)
    if c.dtype.kind == "c":
        re = _clip1(Array(_core.unary("real", c._node)))
        im = _clip1(Array(_core.unary("imag", c._node)))
        return _cast(apply_ufunc(np.add, re, apply_ufunc(np.multiply, im, 1j)), c.dtype)
    return _clip1(c)


def _clip1(x: Array) -> Array:
    # np.clip(x, -1, 1): NaN stays NaN (maximum/minimum propagate it).
    return apply_ufunc(np.minimum, apply_ufunc(np.maximum, x, -1), 1)


# --- comparisons -----------------------------------------------------------------------------
@implements(np.isclose)
def isclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """``|a - b| <= atol + rtol * |b|`` (finite ``b``) or ``a == b``, elementwise."""
    x, y, atol, rtol = (v if isinstance(v, (int, float, complex, Array)) else _arr(v)
                        for v in (a, b, atol, rtol))
    for t in (atol, rtol):
        if isinstance(t, (int, float)) and not math.isfinite(t):
            err = np.geterr()["invalid"]
            msg = f"One of rtol or atol is not valid, atol: {atol}, rtol: {rtol}"
            if err == "warn":
                warnings.warn(msg, RuntimeWarning, stacklevel=2)
            elif err == "raise":
                raise FloatingPointError(msg)
            break
    if isinstance(y, Array):
        y = _cast(y, np.result_type(y.dtype, 1.0))
    elif isinstance(y, int) and not isinstance(y, bool):
        y = float(y)
    elif isinstance(y, bool):
        y = float(y)
    diff = apply_ufunc(np.absolute, apply_ufunc(np.subtract, x, y))
    bound = apply_ufunc(np.add, atol, apply_ufunc(np.multiply, rtol, apply_ufunc(np.absolute, y)))
    result = apply_ufunc(np.logical_or,
                         apply_ufunc(np.logical_and, apply_ufunc(np.less_equal, diff, bound),
                                     apply_ufunc(np.isfinite, y)),
                         apply_ufunc(np.equal, x, y))
    if equal_nan:
        both = apply_ufunc(np.logical_and, apply_ufunc(np.isnan, x), apply_ufunc(np.isnan, y))
        result = apply_ufunc(np.logical_or, result, both)
    return _arr(result)


@implements(np.allclose)
def allclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """``all(isclose(...))`` as a lazy 0-d bool Array (``bool()`` computes it)."""
    return _stat.all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _false() -> Array:
    return Array(_core.full([], "bool", False, "auto"))


@implements(np.array_equal)
def array_equal(a1, a2, equal_nan=False):
    """Same shape and equal elements (NaN equal to NaN with ``equal_nan``): a lazy 0-d bool."""
    try:
        a1, a2 = _stat.as_array(a1), _stat.as_array(a2)
    except Exception:
        return _false()
    if a1.shape != a2.shape:
        return _false()
    eq = apply_ufunc(np.equal, a1, a2)
    if equal_nan and (a1.dtype.kind in "fc" or a2.dtype.kind in "fc"):
        both = apply_ufunc(np.logical_and, apply_ufunc(np.isnan, a1), apply_ufunc(np.isnan, a2))
        eq = apply_ufunc(np.logical_or, eq, both)
    return _stat.all(eq)


@implements(np.array_equiv)
def array_equiv(a1, a2):
    """Broadcastable and equal elements: a lazy 0-d bool."""
    try:
        a1, a2 = _stat.as_array(a1), _stat.as_array(a2)
        np.broadcast_shapes(a1.shape, a2.shape)
    except Exception:
        return _false()
    return _stat.all(apply_ufunc(np.equal, a1, a2))
