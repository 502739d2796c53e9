"""The ufuncs that do not fit the one-op mould of ``_elementwise``: two outputs (``frexp``,
``modf``, ``divmod``), an integer exponent beside a float (``ldexp``), NumPy's second names
(``degrees``/``radians``), and the elementwise functions NumPy writes in Python on top of them
(``fix``, ``isposinf``/``isneginf``, ``iscomplex``/``isreal``, ``real_if_close``, ``i0``,
``unwrap``).

A two-output ufunc is two nodes on the same input, one op of the Rust catalogue each
(``_modf_fractional`` and ``_modf_integral``...): each is an ordinary instruction of a fused
program, so ``np.modf(x)[0] * 2`` fuses into one pass. Type resolution is NumPy's own
(``ufunc.resolve_dtypes``), as for every other ufunc.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core, _elementwise, _errstate
from ._arguments import check_order
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of, rebind, resolve
from ._searching import where as _where
from ._statistical import all as _all

__all__ = ["fix", "i0", "iscomplex", "isneginf", "isposinf", "isreal", "real_if_close", "unwrap"]

def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _outs(out, nout: int) -> tuple:
    """NumPy's ``out=`` for a ufunc of ``nout`` outputs: a tuple of one entry per output (None
    for "allocate"); a bare array is only accepted for a single output."""
    if out is None:
        return (None,) * nout
    if not isinstance(out, tuple):
        if nout == 1:
            return (out,)
        raise TypeError("'out' must be a tuple of arrays")
    if len(out) != nout:
        raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
    return out


def _finish(name: str, result: Array, target, where, casting: str):
    """The tail every ufunc call shares: ``where=`` keeps ``target`` (or 0) where False, and
    ``out=`` rebinds the target to the result (see ``_elementwise.rebind``)."""
    if where is not True:
        base = target if target is not None else Array(_core.full(list(result.shape), result.dtype.name, 0, "auto"))
        result = _where(where, result, base)
    return rebind(target, result, name, casting) if target is not None else result


def _check_keywords(name: str, order, signature) -> None:
    if signature is not None:
        raise TypeError(f"{name}: signature= is not supported by oxarray")
    check_order(order)


def _fp(name: str, where) -> int:
    # np.errstate in force at this call (see _errstate); with where= NumPy checks only the
    # selected elements, which a whole-array op cannot tell.
    return _errstate.capture(name) if where is True else 0


# --- ufuncs (NEP 13, through apply_ufunc's hook) -----------------------------------------------
def _ldexp(x1, x2, out=None, where=True, dtype=None, casting="same_kind", order="K", subok=True,
           signature=None):
    """``x1 * 2**x2`` (one Rust op): the int exponent is cast to the float loop's dtype, which
    holds every exponent that can matter (past ±2200 every finite result is 0 or inf)."""
    _check_keywords("ldexp", order, signature)
    (fdt, idt), (odt,) = resolve(np.ldexp, (x1, x2), dtype, casting)
    exponent = node_of(x2, idt)  # NumPy's OverflowError for a Python int beyond its dtype
    # A Python int becomes a float constant (fused as such), an array a cast of its values.
    exponent = node_of(float(x2), fdt) if type(x2) in (int, bool) else _core.cast(exponent, fdt.name)
    node = _core.binary("ldexp", node_of(x1, fdt), exponent, _fp("ldexp", where))
    if node.dtype != odt.name:
        node = _core.cast(node, odt.name)
    return _finish("ldexp", Array(node), _outs(out, 1)[0], where, casting)


def _two_outputs(ufunc: np.ufunc, ops, inputs, out, where, dtype, casting, order, signature, fps):
    _check_keywords(ufunc.__name__, order, signature)
    targets = _outs(out, 2)
    in_dtypes, out_dtypes = resolve(ufunc, inputs, dtype, casting)
    nodes = [node_of(x, d) for x, d in zip(inputs, in_dtypes, strict=True)]
    results = []
    for op, fp, odt, target in zip(ops, fps, out_dtypes, targets, strict=True):
        node = _core.unary(op, nodes[0], fp) if len(nodes) == 1 else _core.binary(op, *nodes, fp)
        if node.dtype != odt.name:
            node = _core.cast(node, odt.name)
        results.append(_finish(ufunc.__name__, Array(node), target, where, casting))
    return tuple(results)


def _modf(x, out=None, where=True, dtype=None, casting="same_kind", order="K", subok=True,
          signature=None):
    """(fractional, integral) parts, both with the sign of ``x``; NumPy reports no errors."""
    return _two_outputs(np.modf, ("_modf_fractional", "_modf_integral"), (x,), out, where, dtype,
                        casting, order, signature, (0, 0))


def _frexp(x, out=None, where=True, dtype=None, casting="same_kind", order="K", subok=True,
           signature=None):
    """(mantissa in [0.5, 1), int32 exponent); NumPy reports no errors."""
    return _two_outputs(np.frexp, ("_frexp_mantissa", "_frexp_exponent"), (x,), out, where, dtype,
                        casting, order, signature, (0, 0))


def _divmod(x1, x2, out=None, where=True, dtype=None, casting="same_kind", order="K", subok=True,
            signature=None):
    """(floor_divide, remainder), NumPy's ``divmod`` loop pair. Its floating-point errors are
    reported as ``divmod``'s by the quotient alone: the quotient's flags are NumPy's ``divmod``
    flags (divide by zero, overflow, invalid), and the remainder's are among them, so checking
    both would report ``invalid`` twice."""
    return _two_outputs(np.divmod, ("floor_divide", "remainder"), (x1, x2), out, where, dtype,
                        casting, order, signature, (_fp("divmod", where), 0))


_elementwise.SPECIAL_UFUNCS.update({np.ldexp: _ldexp, np.modf: _modf, np.frexp: _frexp,
                                    np.divmod: _divmod})
_elementwise.FUNCTIONS.update({"ldexp": _ldexp, "modf": _modf, "frexp": _frexp, "divmod": _divmod})
for _f, _n in ((_ldexp, "ldexp"), (_modf, "modf"), (_frexp, "frexp"), (_divmod, "divmod")):
    _f.__name__ = _f.__qualname__ = _n


# --- NumPy's elementwise functions written on ufuncs (NEP 18) -----------------------------------
@implements(np.fix)
def fix(x, out=None):
    """Round toward zero, keeping the dtype (``ceil`` below 0, ``floor`` above: ``trunc``'s
    kernel, which is the same elementwise, -0.0 included). Composition: one op."""
    x = _arr(x)
    resolve(np.ceil, (x,))  # NumPy's TypeError for complex names ceil
    return apply_ufunc(np.trunc, x, out=out)


def _signbit_or_ambiguous(x: Array) -> Array:
    try:
        return apply_ufunc(np.signbit, x)
    except TypeError as e:
        raise TypeError(f"This operation is not supported for {x.dtype} values because it "
                        f"would be ambiguous.") from e


@implements(np.isposinf)
def isposinf(x, out=None):
    """``isinf(x) & ~signbit(x)``, fused; complex input is NumPy's TypeError."""
    x = _arr(x)
    positive = apply_ufunc(np.logical_not, _signbit_or_ambiguous(x))
    return apply_ufunc(np.logical_and, apply_ufunc(np.isinf, x), positive, out=out)


@implements(np.isneginf)
def isneginf(x, out=None):
    """``isinf(x) & signbit(x)``, fused; complex input is NumPy's TypeError."""
    x = _arr(x)
    negative = _signbit_or_ambiguous(x)
    return apply_ufunc(np.logical_and, apply_ufunc(np.isinf, x), negative, out=out)


@implements(np.iscomplex)
def iscomplex(x):
    """``imag(x) != 0`` for a complex dtype, else all False (decided by the dtype alone)."""
    x = _arr(x)
    if x.dtype.kind == "c":
        return apply_ufunc(np.not_equal, Array(_core.unary("imag", x._node)), 0)
    return Array(_core.full(list(x.shape), "bool", False, "auto"))


@implements(np.isreal)
def isreal(x):
    """``imag(x) == 0``: all True for a real dtype."""
    x = _arr(x)
    return apply_ufunc(np.equal, Array(_core.unary("imag", x._node)), 0)


def decide_now(x: Array, flag: Array) -> tuple[Array, bool]:
    """The one pass that computes at the call, for results whose **dtype** NumPy decides from
    the data (``real_if_close``, ``np.emath``): ``flag`` (a 0-d bool reduction of ``x``) is
    computed now. When ``x`` is not in memory yet, ``x`` is computed in the same pass and its
    blocks kept, so it is never computed twice (as the mask of ``x[mask]`` is). Returns ``x``
    (the kept blocks) and the flag."""
    if x._node.is_literal:
        return x, bool(flag.compute())
    kept_x, kept_flag = _core.persist([x._node, flag._node])
    return Array(kept_x), bool(Array(kept_flag).compute())


@implements(np.real_if_close)
def real_if_close(a, tol=100):
    """The real part when every imaginary part is below ``tol`` (in machine epsilons when
    ``tol > 1``), else ``a``. The result's dtype depends on the data: decided by a small pass at
    the call (see ``decide_now``), so the result's dtype is known when the call returns."""
    a = _arr(a)
    if a.dtype.kind != "c":
        return a
    if tol > 1:
        tol = np.finfo(a.dtype).eps * tol
    im = Array(_core.unary("imag", a._node))
    small = apply_ufunc(np.less, apply_ufunc(np.absolute, im), tol)
    a, close = decide_now(a, _all(small))
    return Array(_core.unary("real", a._node)) if close else a


@implements(np.i0)
def i0(x):
    """The modified Bessel function of order 0, NumPy's Chebyshev expansions in one Rust kernel
    (in float64; a float32 input gives float32, as NumPy). Complex input: TypeError."""
    x = _arr(x)
    if x.dtype.kind == "c":
        raise TypeError("i0 not supported for complex values")
    node = x._node if x.dtype.kind == "f" else _core.cast(x._node, "float64")
    # NumPy's i0 reports the overflow of its exp (x > 709.78) as exp's.
    return Array(_core.unary("i0", node, _errstate.capture("exp")))


@implements(np.unwrap)
def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """NumPy's formula on lazy ops: the jumps ``diff(p)`` folded into ``[-period/2, period/2]``
    and summed along ``axis`` (``cumsum``: a scan kernel), added to ``p``'s tail."""
    p = _arr(p)
    if p.ndim == 0:
        np.diff(np.empty(()), axis=axis)  # NumPy's ValueError for a 0-d input
    axis = normalize_axis_index(axis, p.ndim)
    dd = np.diff(p, axis=axis)
    if discont is None:
        discont = period / 2
    dtype = np.result_type(dd.dtype, period)
    if np.issubdtype(dtype, np.integer):
        interval_high, rem = divmod(period, 2)
        boundary_ambiguous = rem == 0
    else:
        interval_high = period / 2
        boundary_ambiguous = True
    interval_low = -interval_high
    ddmod = np.add(np.mod(np.subtract(dd, interval_low), period), interval_low)
    if boundary_ambiguous:
        at_low = np.logical_and(np.equal(ddmod, interval_low), np.greater(dd, 0))
        ddmod = _where(at_low, np.asarray(interval_high).astype(ddmod.dtype), ddmod)
    ph_correct = np.subtract(ddmod, dd)
    ph_correct = _where(np.less(np.absolute(dd), discont), np.zeros((), ph_correct.dtype), ph_correct)
    up = p.astype(dtype)
    head = [slice(None)] * p.ndim
    tail = list(head)
    head[axis], tail[axis] = slice(0, 1), slice(1, None)
    if p.shape[axis] == 0:
        return up
    body = np.add(p[tuple(tail)], np.cumsum(ph_correct, axis=axis))
    return np.concatenate([up[tuple(head)], body.astype(dtype, copy=False)], axis=axis)
