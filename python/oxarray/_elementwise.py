"""Elementwise functions: NumPy's ufuncs (NEP 13) and the Array API elementwise section.

Type promotion is NumPy's own: ``ufunc.resolve_dtypes`` picks the loop (NEP 50: Python scalars
are weak), inputs are cast to the loop's dtypes, and the Rust op catalogue computes in that loop.
"""

from __future__ import annotations

import operator

import numpy as np

from . import _core, _errstate
from ._arguments import check_order, negative_integer_power, plain_ndarray
from ._array import Array
from ._dispatch import implements
from ._ufunc_cache import fast_call

SUPPORTED_DTYPES = frozenset(
    np.dtype(n)
    for n in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "complex64", "complex128",
    )
)  # fmt: skip
_UNARY = frozenset(_core.unary_ops())
_BINARY = frozenset(_core.binary_ops())
# NumPy ufuncs computed by another op of the catalogue once the inputs are cast to their loop.
_ALIASES = {"float_power": "power", "degrees": "rad2deg", "radians": "deg2rad"}
_WEAK_TYPES = (int, float, complex)
# Generalized ufuncs implemented by a family module (np.vecdot, np.matvec, np.vecmat: _tensor.py).
GUFUNCS: dict = {}
# Ufuncs a family module computes itself, with apply_ufunc's keywords (two outputs, mixed loop
# dtypes: np.divmod, np.modf, np.frexp, np.ldexp in _ufuncs_more.py).
SPECIAL_UFUNCS: dict = {}


def is_operand(x) -> bool:
    """Whether oxarray computes with ``x`` as an array argument. An ndarray subclass or duck type
    with its own protocol or priority (np.ma.MaskedArray) gets its own turn instead (NEP 13)."""
    if isinstance(x, np.ndarray):
        return plain_ndarray(x)
    return isinstance(x, (Array, np.generic, bool, int, float, complex, list, tuple))


def check_dtype(dtype: np.dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"oxarray does not support dtype {dtype} (supported: bool, integers, "
                        f"float16/32/64, complex64/128)")
    return dtype


def node_of(x, dtype: np.dtype | None = None) -> _core.Node:
    """A graph node for an operand, cast to ``dtype`` when given. NumPy data is copied in."""
    if isinstance(x, Array):
        node = x._node
    elif type(x) in _WEAK_TYPES or type(x) is bool:
        target = dtype if dtype is not None else np.asarray(x).dtype
        if dtype is not None and type(x) is int:
            kind = np.dtype(dtype).kind
            if kind in "iu":
                np.array(x, dtype=dtype)  # NEP 50: raises OverflowError as NumPy does
            elif kind == "b" and not -(2**63) <= x < 2**63:
                raise OverflowError("Python int too large to convert to C long")  # as NumPy
            elif kind in "fc":
                # Beyond 64 bits (float64 + 2**64) the int only fits as the float it becomes.
                x = np.array(x, dtype=dtype).item()
        return _core.full([], check_dtype(target).name, x, "auto")
    else:
        from ._creation import asarray

        if dtype is not None and np.asarray(x).dtype not in SUPPORTED_DTYPES:
            x = np.asarray(x).astype(dtype)  # e.g. where='yes': cast to its loop as NumPy does
        node = asarray(x)._node
    if dtype is not None and node.dtype != np.dtype(dtype).name:
        node = _core.cast(node, check_dtype(dtype).name)
    return node


def _check_broadcast(operands) -> None:
    shapes = [x.shape if isinstance(x, (Array, np.ndarray, np.generic)) else np.shape(x) for x in operands]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " ".join("(" + ",".join(map(str, s)) + ("," if len(s) == 1 else "") + ")" for s in shapes)
        raise ValueError(f"operands could not be broadcast together with shapes {listed} ") from None


def _loop_type(x):
    if type(x) in _WEAK_TYPES:
        return type(x)
    if isinstance(x, (Array, np.ndarray, np.generic)):
        return x.dtype
    return np.asarray(x).dtype


def resolve(ufunc: np.ufunc, operands, dtype=None, casting: str = "same_kind"):
    """NumPy's loop for ``ufunc`` on these operands: ``(input dtypes, output dtypes)``."""
    types = tuple(_loop_type(x) for x in operands) + (None,) * ufunc.nout
    kwargs = {"casting": casting}
    if dtype is not None:
        kwargs["signature"] = (None,) * ufunc.nin + (np.dtype(dtype),) * ufunc.nout
    if dtype is not None and ufunc.__name__ not in _MIRRORED and any(type(x) is int for x in operands):
        # NumPy converts a Python int to its loop's dtype before it checks the casting.
        unsafe = ufunc.resolve_dtypes(types, signature=kwargs["signature"], casting="unsafe")
        for x, d in zip(operands, unsafe, strict=False):
            if type(x) is int and d.kind in "iu":
                np.array(x, dtype=d)  # OverflowError when it does not fit
            elif type(x) is int and d.kind == "b" and not -(2**63) <= x < 2**63:
                raise OverflowError("Python int too large to convert to C long")
    loop = ufunc.resolve_dtypes(types, **kwargs)  # no loop: NumPy's TypeError, before shapes
    if ufunc.nin == 2 and ufunc.signature is None:  # gufuncs (matmul) check their core dims
        _check_broadcast(operands)  # ...and shapes before the loops oxarray lacks
    for d in loop:
        if d not in SUPPORTED_DTYPES:
            raise TypeError(f"ufunc '{ufunc.__name__}' would compute in {d}, which oxarray does "
                            f"not support (supported: bool, integers, float16/32/64, complex64/128)")
    return loop[: ufunc.nin], loop[ufunc.nin :]


def rebind(target: Array, result: Array, name: str, casting: str = "same_kind") -> Array:
    """``out=`` semantics for a lazy array: ``target`` now stands for ``result`` (cast to its
    dtype, broadcast to its shape), as NumPy would have written it in place."""
    if not isinstance(target, Array):
        raise TypeError(f"{name}: out= must be an oxarray.Array, got {type(target).__name__}")
    if not np.can_cast(result.dtype, target.dtype, casting=casting):
        raise TypeError(f"Cannot cast ufunc '{name}' output from {result.dtype!r} to "
                        f"{target.dtype!r} with casting rule '{casting}'")
    node = result._node
    if result.shape != target.shape:
        try:
            np.broadcast_shapes(result.shape, target.shape)
            ok = np.broadcast_shapes(result.shape, target.shape) == target.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"non-broadcastable output operand with shape {target.shape} doesn't "
                             f"match the broadcast shape {result.shape}")
        node = _core.broadcast_to(node, list(target.shape))
    if node.dtype != target.dtype.name:
        node = _core.cast(node, target.dtype.name)
    target._node = node
    return target


def apply_ufunc(ufunc: np.ufunc, *inputs, out=None, where=True, dtype=None,
                casting: str = "same_kind", order="K", subok=True, signature=None):
    """``ufunc(*inputs)`` as a lazy oxarray computation, with NumPy's keywords."""
    if out is None and where is True and dtype is None and signature is None \
            and casting == "same_kind" and order == "K":
        result = fast_call(ufunc, inputs)  # a loop resolved before, no checks needed
        if result is not None:
            return result
    name = _ALIASES.get(ufunc.__name__, ufunc.__name__)
    if signature is not None:
        raise TypeError(f"{ufunc.__name__}: signature= is not supported by oxarray")
    check_order(order)
    if ufunc is np.matmul:
        from ._linalg import matmul

        result = matmul(*inputs)
        return rebind(_single_out(out), result, "matmul", casting) if out is not None else result
    if ufunc in SPECIAL_UFUNCS:
        return SPECIAL_UFUNCS[ufunc](*inputs, out=out, where=where, dtype=dtype, casting=casting, order=order)
    if ufunc.nout != 1 or not ((ufunc.nin == 1 and name in _UNARY) or (ufunc.nin == 2 and name in _BINARY)):
        return NotImplemented
    in_dtypes, out_dtypes = resolve(ufunc, inputs, dtype, casting)
    result = _exact_integer_comparison(name, inputs, in_dtypes) if name in _MIRRORED else None
    if result is None:
        nodes = [node_of(x, d) for x, d in zip(inputs, in_dtypes, strict=True)]
        negative_integer_power(name, inputs, in_dtypes)  # NumPy's ValueError, at the call
        # np.errstate: the state in force at this call governs the op (see _errstate).
        fp = _errstate.capture(ufunc.__name__)
        if fp and where is not True:
            nodes = _selected_only(name, nodes, where)
        node = _core.unary(name, nodes[0], fp) if ufunc.nin == 1 else _core.binary(name, *nodes, fp)
        if node.dtype != out_dtypes[0].name:
            node = _core.cast(node, out_dtypes[0].name)
        result = Array(node)
    target = _single_out(out)
    if where is not True:
        from ._searching import where as ox_where

        base = target if target is not None else Array(_core.full(list(result.shape), result.dtype.name, 0, "auto"))
        result = ox_where(where, result, base)
    if target is not None:
        return rebind(target, result, ufunc.__name__, casting)
    return result


def _selected_only(name: str, nodes: list, where) -> list:
    """The operands with the elements ``where=`` leaves out replaced by a value no ufunc raises a
    floating-point error on (1, and 0 for arctanh's pole at 1): NumPy checks only the selected
    elements, and these unselected results are discarded anyway."""
    from ._searching import where as ox_where

    safe = 0 if name == "arctanh" else 1
    return [ox_where(where, Array(n), Array(_core.full([], n.dtype, safe, "auto")))._node
            for n in nodes]


# Comparison -> the same comparison with its operands swapped.
_MIRRORED = {
    "less": "greater", "less_equal": "greater_equal", "greater": "less",
    "greater_equal": "less_equal", "equal": "equal", "not_equal": "not_equal",
}  # fmt: skip
# Comparisons that hold when the left operand is the smaller one (or the two differ).
_TRUE_WHEN_LEFT_SMALLER = frozenset({"less", "less_equal", "not_equal"})


def _exact_integer_comparison(name: str, inputs, in_dtypes) -> Array | None:
    """NumPy 2 compares integers exactly where one loop dtype cannot hold both sides: an int64
    against a uint64 (mixed-sign loop), or an array against a Python int out of its dtype's
    range (``int8_array == 300`` is all False). ``None`` when the ordinary loop is exact."""
    for i, x in enumerate(inputs):
        other_kind = np.dtype(_loop_type(inputs[1 - i])).kind if type(inputs[1 - i]) is not int else ""
        # Only an integer array gets the exact comparison; a bool array's loop is int64 and an
        # int beyond it is NumPy's OverflowError (raised by node_of below).
        if type(x) is int and in_dtypes[i].kind in "iu" and other_kind in ("i", "u"):
            info = np.iinfo(in_dtypes[i])
            if info.min <= x <= info.max:
                continue
            from ._creation import full_like

            op = name if i == 1 else _MIRRORED[name]  # the comparison as `other <op> x`
            if op in ("equal", "not_equal"):
                truth = op == "not_equal"
            else:
                truth = (op in _TRUE_WHEN_LEFT_SMALLER) == (x > info.max)
            other = inputs[1 - i]
            return full_like(other if isinstance(other, Array) else np.asarray(other), truth, dtype=bool)
    kinds = "".join(d.kind for d in in_dtypes)
    if kinds not in ("iu", "ui"):
        return None
    signed_at = kinds.index("i")
    s = Array(node_of(inputs[signed_at], in_dtypes[signed_at]))
    u = Array(node_of(inputs[1 - signed_at], in_dtypes[1 - signed_at]))
    op = name if signed_at == 0 else _MIRRORED[name]  # the comparison as `s <op> u`
    negative = apply_ufunc(np.less, s, 0)
    same_sign = apply_ufunc(getattr(np, op), Array(_core.cast(s._node, u.dtype.name)), u)
    if op in _TRUE_WHEN_LEFT_SMALLER:  # a negative s is smaller than every u
        return apply_ufunc(np.logical_or, negative, same_sign)
    return apply_ufunc(np.logical_and, apply_ufunc(np.logical_not, negative), same_sign)


def _single_out(out):
    if out is None:
        return None
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        return out[0]
    return out


_REDUCE_METHODS = {
    "add": "sum", "multiply": "prod", "minimum": "min", "maximum": "max",
    "logical_and": "all", "logical_or": "any",
}  # fmt: skip


def array_ufunc(ufunc: np.ufunc, method: str, *inputs, **kwargs):
    """NEP 13 entry point (``Array.__array_ufunc__``)."""
    if method == "at":
        from ._assignment import ufunc_at

        if ufunc.nout != 1:
            raise ValueError("Only single output ufuncs supported at this time")
        return ufunc_at(ufunc, *inputs, **kwargs)
    for x in inputs + tuple(kwargs.get("out") or ()):
        if not is_operand(x) and x is not None:
            return NotImplemented
    if method == "__call__" and ufunc in GUFUNCS:
        return GUFUNCS[ufunc](*inputs, **kwargs)
    from ._foreign_ufuncs import foreign_ufunc, is_foreign

    if method == "__call__" and is_foreign(ufunc):
        return foreign_ufunc(ufunc, *inputs, **kwargs)  # scipy.special's ufuncs, per block
    if method == "__call__":
        return apply_ufunc(ufunc, *inputs, **kwargs)
    if method in ("reduce", "accumulate", "reduceat", "outer"):
        from . import _scans

        return getattr(_scans, f"ufunc_{method}")(ufunc, *inputs, **kwargs)
    return NotImplemented


# --- the functions of the namespace: NumPy names and Array API names ------------------------
def _make(ufunc: np.ufunc, name: str):
    def f(*args, **kwargs):
        return apply_ufunc(ufunc, *args, **kwargs)

    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"Elementwise ``np.{ufunc.__name__}``, lazy. Same arguments as NumPy's ufunc."
    return f


# The catalogue's ops that are NumPy ufuncs (not `real`/`imag`/`i0`, nor the internal halves of
# the two-output ufuncs).
_NUMPY_UFUNCS = sorted({n for n in _UNARY | _BINARY if isinstance(getattr(np, n, None), np.ufunc)}
                       | {"float_power", "degrees", "radians"})
_ARRAY_API_NAMES = {
    "abs": "absolute", "acos": "arccos", "acosh": "arccosh", "asin": "arcsin",
    "asinh": "arcsinh", "atan": "arctan", "atan2": "arctan2", "atanh": "arctanh",
    "bitwise_invert": "invert", "bitwise_not": "invert", "bitwise_left_shift": "left_shift",
    "bitwise_right_shift": "right_shift", "conj": "conjugate", "pow": "power",
    "true_divide": "divide", "mod": "remainder",
}  # fmt: skip
FUNCTIONS = {n: _make(getattr(np, n), n) for n in _NUMPY_UFUNCS}
FUNCTIONS.update({alias: _make(getattr(np, n), alias) for alias, n in _ARRAY_API_NAMES.items()})


@implements(np.real)
def real(x):
    x = x if isinstance(x, Array) else Array(node_of(x))
    return Array(_core.unary("real", x._node))


@implements(np.imag)
def imag(x):
    x = x if isinstance(x, Array) else Array(node_of(x))
    return Array(_core.unary("imag", x._node))


@implements(np.round, np.around)
def round(x, decimals: int = 0, out=None):
    """NumPy's ``round``: half to even, ``decimals`` digits (``rint(x * 10**d) / 10**d``)."""
    x = x if isinstance(x, Array) else Array(node_of(x))
    decimals = operator.index(decimals)  # NumPy: TypeError for round(x, 1.5)
    if x.dtype.kind == "b" and decimals != 0:
        op = "multiply" if decimals > 0 else "divide"
        raise TypeError(f"Cannot cast ufunc '{op}' output from dtype('float64') to dtype('bool') "
                        f"with casting rule 'same_kind'")
    if x.dtype.kind in "iu":
        if decimals >= 0:
            result = Array(x._node)
        else:
            # NumPy's own route: in float64, then cast back (wrapping, as NumPy's unsafe cast).
            scale = 10.0 ** -decimals
            as_float = Array(_core.cast(x._node, "float64"))
            rounded = apply_ufunc(np.multiply, apply_ufunc(np.rint, apply_ufunc(np.divide, as_float, scale)), scale)
            result = Array(_core.cast(rounded._node, x.dtype.name))
    elif decimals == 0:
        result = apply_ufunc(np.rint, x)
    else:
        scale = 10.0 ** abs(decimals)
        if decimals > 0:
            result = apply_ufunc(np.divide, apply_ufunc(np.rint, apply_ufunc(np.multiply, x, scale)), scale)
        else:
            result = apply_ufunc(np.multiply, apply_ufunc(np.rint, apply_ufunc(np.divide, x, scale)), scale)
    return rebind(out, result, "round") if out is not None else result


@implements(np.clip)
def clip(a, /, min=None, max=None, out=None, *, a_min=None, a_max=None, **kwargs):
    """``minimum(maximum(a, min), max)`` with NumPy's promotion; NaN in ``a`` stays NaN. The
    bounds are named as the Array API names them (``np.clip``'s ``a_min``/``a_max`` are taken as
    keywords too)."""
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    result = a if isinstance(a, Array) else Array(node_of(a))
    if result.dtype.kind in "iu":
        # NumPy's rule (NEP 50 without value-based casting): a Python int bound beyond the
        # dtype's range is no bound at all rather than an OverflowError.
        info = np.iinfo(result.dtype)
        lo = None if type(lo) is int and lo <= info.min else lo
        hi = None if type(hi) is int and hi >= info.max else hi
    if lo is None and hi is None:
        result = apply_ufunc(np.positive, result, **kwargs)  # NumPy's clip(a, None, None)
    if lo is not None:
        result = apply_ufunc(np.maximum, result, lo, **kwargs)
    if hi is not None:
        result = apply_ufunc(np.minimum, result, hi, **kwargs)
    return rebind(out, result, "clip") if out is not None else result
