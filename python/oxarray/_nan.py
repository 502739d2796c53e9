"""NaN-aware reductions (``np.nansum`` ... ``np.nanargmax``): compositions of existing lazy ops.

Each one is NumPy's own recipe on the graph: NaN is replaced by the reduction's neutral value
with ``where(isnan(x), fill, x)``, which fuses into the per-chunk step of the reduction (one pass
over the data, no temporary copy as NumPy's ``_replace_nan`` makes), and a NaN count, where one is
needed, is a second fused reduction over the same chunks. ``nanmean``/``nanvar``/``nanstd``
have a kernel of their own (reduce/nan_moments.rs) that sums and counts the non-NaN values in the
same pass, halving the memory traffic of the composition.

What NumPy decides from the values is decided at compute, by a check node (``_core.check``):
"Mean of empty slice", "All-NaN slice encountered" and "Degrees of freedom <= 0 for slice." are
RuntimeWarnings issued when ``compute()`` returns, and ``nanargmin``/``nanargmax`` of an all-NaN
slice raise NumPy's ValueError from ``compute()`` (NumPy raises at the call, having the values).
"""

from __future__ import annotations

import numpy as np

from . import _core
from . import _statistical as _stat
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, check_dtype, rebind
from ._searching import _arg
from ._searching import where as _where

__all__ = ["nanargmax", "nanargmin", "nanmax", "nanmean", "nanmin", "nanprod", "nanstd", "nansum",
           "nanvar"]

_ALL_NAN = "All-NaN slice encountered"
# The dtype of NaN counts: a bool sum is already intp (NumPy's count dtype); asking for it
# explicitly would add a cast of every element before the reduction.
_COUNT = None


def _has_nan(x: Array) -> bool:
    return x.dtype.kind in "fc"


def _nan_filled(x: Array, fill) -> tuple[Array, Array]:
    """``(where(isnan(x), fill, x), isnan(x))``: NumPy's ``_replace_nan`` without the copy."""
    mask = apply_ufunc(np.isnan, x)
    if x.dtype.kind == "c" and fill in (np.inf, -np.inf):
        fill = complex(fill, fill)
    return _where(mask, np.asarray(fill, x.dtype), x), mask


def checked(result: Array, flag: Array, message: str, *, warn: bool,
            zero_division: bool = False) -> Array:
    """``result``, with ``message`` raised as ValueError (ZeroDivisionError with
    ``zero_division``; or warned, with ``warn``) at compute when any element of the bool ``flag``
    (broadcast to ``result``) is true."""
    flag = Array(flag._node)
    if flag.shape != result.shape:
        flag = Array(_core.broadcast_to(flag._node, list(result.shape)))
    if flag.chunks != result.chunks:
        flag = flag.rechunk(result.chunks)
    return Array(_core.check(result._node, flag._node, message, warn, zero_division))


def _keep(keepdims) -> bool:
    return False if keepdims is np._NoValue else bool(keepdims)


def _inexact_args(dtype, out) -> None:
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        raise TypeError("If a is inexact, then dtype must be inexact")
    if out is not None and getattr(out, "dtype", np.dtype(float)).kind not in "fc":
        raise TypeError("If a is inexact, then out must be inexact")


def _divide_keep(a: Array, b) -> Array:
    """NumPy's ``_divide_by_count``: ``a / b`` computed in the promoted loop, cast back to
    ``a``'s dtype (``casting='unsafe'``)."""
    q = apply_ufunc(np.divide, a, b)
    return q if q.dtype == a.dtype else Array(_core.cast(q._node, a.dtype.name))


@implements(np.nansum)
def nansum(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
           where=np._NoValue):
    """Sum treating NaN as zero (``where(isnan(a), 0, a)`` fused into the sum)."""
    a = _stat.as_array(a)
    if _has_nan(a):
        a = _nan_filled(a, 0)[0]
    return _stat.sum(a, axis=axis, dtype=dtype, out=out, keepdims=_keep(keepdims), initial=initial,
                     where=where)


@implements(np.nanprod)
def nanprod(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
            where=np._NoValue):
    """Product treating NaN as one."""
    a = _stat.as_array(a)
    if _has_nan(a):
        a = _nan_filled(a, 1)[0]
    return _stat.prod(a, axis=axis, dtype=dtype, out=out, keepdims=_keep(keepdims), initial=initial,
                      where=where)


def _nan_extremum(op: str, a, axis, out, keepdims, initial, where) -> Array:
    a = _stat.as_array(a)
    keepdims = _keep(keepdims)
    fname = "fmin" if op == "min" else "fmax"
    if where is not np._NoValue and where is not True and initial is np._NoValue:
        raise ValueError(f"reduction operation '{fname}' does not have an identity, so to use a "
                         f"where mask one has to specify 'initial'")
    if not _has_nan(a):
        return _stat.reduce(op, a, axis, None, out, keepdims, initial=initial, where=where)
    axes = _stat.normalize_axis_arg(axis)
    if _stat._reduced_size(a, axes) == 0 and initial is np._NoValue:
        raise ValueError(f"zero-size array to reduction operation {fname} which has no identity")
    filled, mask = _nan_filled(a, np.inf if op == "min" else -np.inf)
    result = _stat.reduce(op, filled, axis, None, None, keepdims, initial=initial, where=where)
    if initial is np._NoValue:
        # fmin/fmax of an all-NaN slice is NaN, and NumPy warns.
        all_nan = _stat.reduce("all", mask, axis, None, None, keepdims, where=where)
        result = _where(all_nan, np.asarray(np.nan, result.dtype), result)
        result = checked(result, all_nan, _ALL_NAN, warn=True)
    elif np.isnan(initial):
        result = checked(result, apply_ufunc(np.isnan, result), _ALL_NAN, warn=True)
    return rebind(out, result, fname) if out is not None else result


@implements(np.nanmin)
def nanmin(a, axis=None, out=None, keepdims=np._NoValue, initial=np._NoValue, where=np._NoValue):
    """Minimum ignoring NaN (NumPy's ``fmin.reduce``); an all-NaN slice gives NaN and, at
    compute, RuntimeWarning("All-NaN slice encountered")."""
    return _nan_extremum("min", a, axis, out, keepdims, initial, where)


@implements(np.nanmax)
def nanmax(a, axis=None, out=None, keepdims=np._NoValue, initial=np._NoValue, where=np._NoValue):
    """Maximum ignoring NaN; see :func:`nanmin`."""
    return _nan_extremum("max", a, axis, out, keepdims, initial, where)


def _nan_arg(op: str, a, axis, out, keepdims) -> Array:
    a = _stat.as_array(a)
    keepdims = _keep(keepdims)
    if not _has_nan(a):
        return _arg(op, a, axis, out, keepdims)
    filled, mask = _nan_filled(a, np.inf if op == "argmin" else -np.inf)
    result = _arg(op, filled, axis, None, keepdims)
    if a.size:
        all_nan = _stat.reduce("all", mask, axis, None, None, keepdims)
        result = checked(result, all_nan, _ALL_NAN, warn=False)
    return rebind(out, result, op) if out is not None else result


@implements(np.nanargmin)
def nanargmin(a, axis=None, out=None, *, keepdims=np._NoValue):
    """Index of the minimum ignoring NaN; an all-NaN slice raises NumPy's
    ValueError("All-NaN slice encountered") from ``compute()`` (NumPy: at the call)."""
    return _nan_arg("argmin", a, axis, out, keepdims)


@implements(np.nanargmax)
def nanargmax(a, axis=None, out=None, *, keepdims=np._NoValue):
    """Index of the maximum ignoring NaN; see :func:`nanargmin`."""
    return _nan_arg("argmax", a, axis, out, keepdims)


@implements(np.nanmean)
def nanmean(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, *, where=np._NoValue):
    """Mean of the non-NaN values: one pass of the ``nanmean`` kernel, which sums the non-NaN values
    and counts them together per chunk (with ``where=``: two fused reductions, the masked sum and
    count). An empty slice gives NaN and, at compute, RuntimeWarning("Mean of empty slice") (the
    warning's flag is a count of the non-NaN values, a second reduction of ``a``)."""
    a = _stat.as_array(a)
    keepdims = _keep(keepdims)
    if not _has_nan(a):
        return _stat.mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)
    _inexact_args(dtype, out)
    # float16 takes NumPy's recipe below (a float16 sum, then the division): the one-pass kernel
    # has no half loop, and computing wider would not overflow where NumPy's float16 sum does.
    if _plain_where(where) and a.dtype != np.float16:
        avg = _stat.reduce("nanmean", a, axis, dtype, None, keepdims)
        avg = checked(avg, apply_ufunc(np.equal, _valid_count(a, axis, keepdims), 0),
                      "Mean of empty slice", warn=True)
        return rebind(out, avg, "nanmean", "unsafe") if out is not None else avg
    filled, mask = _nan_filled(a, 0)
    valid = apply_ufunc(np.logical_not, mask)
    cnt = _stat.reduce("sum", valid, axis, _COUNT, None, keepdims, where=where)
    tot = _stat.reduce("sum", filled, axis, dtype, None, keepdims, where=where)
    avg = checked(_divide_keep(tot, cnt), apply_ufunc(np.equal, cnt, 0), "Mean of empty slice",
                  warn=True)
    return rebind(out, avg, "nanmean", "unsafe") if out is not None else avg


def _valid_count(a, axis, keepdims):
    """The number of non-NaN values per slice (what NumPy's warnings of nanmean/nanvar test)."""
    valid = apply_ufunc(np.logical_not, apply_ufunc(np.isnan, a))
    return _stat.reduce("sum", valid, axis, _COUNT, None, keepdims)


def _plain_where(where) -> bool:
    return where is np._NoValue or where is True


@implements(np.nanvar)
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *, where=np._NoValue,
           mean=np._NoValue, correction=np._NoValue):
    """Variance of the non-NaN values: the ``nanvar`` kernel (NaN skipped and counted in the same
    walk; two passes per chunk, no separate count pass), or with ``where=``/``mean=``/a
    fractional ``ddof`` NumPy's two-pass recipe composed of lazy ops; ``dof <= 0`` gives NaN and,
    at compute, RuntimeWarning."""
    a = _stat.as_array(a)
    keepdims = _keep(keepdims)
    if not _has_nan(a):
        kw = {} if correction is np._NoValue else {"correction": correction}
        if correction is not np._NoValue and ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        return _stat.var(a, axis=axis, dtype=dtype, out=out, ddof=0 if kw else ddof,
                         keepdims=keepdims, where=where, **kw)
    return _nan_var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, "nanvar")


def _nan_var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, name, sqrt=False):
    _inexact_args(dtype, out)
    if correction is not np._NoValue:
        if ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        ddof = correction
    if dtype is not None:
        dtype = check_dtype(dtype)
    natural = np.empty(0, a.dtype).real.dtype
    if _plain_where(where) and mean is np._NoValue and _small_whole(ddof) \
            and (dtype is None or (dtype == natural and a.dtype.kind != "c")) \
            and a.dtype != np.float16:
        # One kernel (``nanvar``): per chunk the non-NaN sum and count in one pass, then the
        # squared deviations; chunks combined with Chan et al.'s update. NaN where dof <= 0,
        # warned at compute (the flag counts the non-NaN values: a NaN from inf - inf is not it).
        var = _stat.reduce(name, a, axis, dtype, None, keepdims, ddof=int(ddof))
        var = checked(var, apply_ufunc(np.less_equal, _valid_count(a, axis, keepdims), int(ddof)),
                      "Degrees of freedom <= 0 for slice.", warn=True)
        return rebind(out, var, name, "unsafe") if out is not None else var
    filled, mask = _nan_filled(a, 0)
    valid = apply_ufunc(np.logical_not, mask)
    cnt = _stat.reduce("sum", valid, axis, _COUNT, None, True, where=where)
    if mean is not np._NoValue:
        avg = _stat.as_array(mean)
    else:
        avg = _divide_keep(_stat.reduce("sum", filled, axis, dtype, None, True, where=where), cnt)
    dev = apply_ufunc(np.subtract, filled, avg)
    if dev.dtype != filled.dtype:  # NumPy subtracts into arr (casting='unsafe')
        dev = Array(_core.cast(dev._node, filled.dtype.name))
    dev = _where(mask, np.asarray(0, dev.dtype), dev)
    if dev.dtype.kind == "c":
        sqr = apply_ufunc(np.multiply, dev, apply_ufunc(np.conjugate, dev))
        sqr = Array(_core.unary("real", sqr._node))
    else:
        sqr = apply_ufunc(np.multiply, dev, dev)
    var = _stat.reduce("sum", sqr, axis, dtype, None, keepdims, where=where)
    if not keepdims:
        cnt = _stat.reduce("sum", valid, axis, _COUNT, None, False, where=where)
    dof = apply_ufunc(np.subtract, cnt, ddof)
    var = _divide_keep(var, dof)
    bad = apply_ufunc(np.less_equal, dof, 0)
    var = _where(bad, np.asarray(np.nan, var.dtype), var)
    if sqrt:
        var = apply_ufunc(np.sqrt, var)
    var = checked(var, bad, "Degrees of freedom <= 0 for slice.", warn=True)
    return rebind(out, var, name, "unsafe") if out is not None else var


def _small_whole(ddof) -> bool:
    try:
        return 0 <= ddof < 2**31 and float(ddof).is_integer()
    except TypeError:
        return False


@implements(np.nanstd)
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *, where=np._NoValue,
           mean=np._NoValue, correction=np._NoValue):
    """Standard deviation of the non-NaN values: ``sqrt(nanvar(...))``."""
    a = _stat.as_array(a)
    keepdims = _keep(keepdims)
    if not _has_nan(a):
        if correction is not np._NoValue and ddof != 0:
            raise ValueError("ddof and correction can't be provided simultaneously.")
        kw = {} if correction is np._NoValue else {"correction": correction}
        return _stat.std(a, axis=axis, dtype=dtype, out=out, ddof=0 if kw else ddof,
                         keepdims=keepdims, where=where, **kw)
    return _nan_var(a, axis, dtype, out, ddof, keepdims, where, mean, correction, "nanstd", True)
