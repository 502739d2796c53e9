"""The fast path of a plain elementwise call (``x + 1``, ``np.sin(x)``, ``x * y``): NumPy's loop
for a ufunc on operands of given dtypes (Python scalars weak, NEP 50) is resolved once per
(ufunc, operand dtypes) and kept, so a call costs a dictionary lookup and the Rust node builds
instead of ``ufunc.resolve_dtypes``, ``np.dtype`` and broadcasting checks every time.

Only calls without keywords on oxarray Arrays of one shape and Python scalars take it, and only
where the general path (``_elementwise.apply_ufunc``) would do nothing but resolve, convert and
build: a Python int outside its loop's range, an exact integer comparison, an integer ``power``,
a loop oxarray lacks -- every case with a check or an error -- goes the general way, which stays
the reference for NumPy's semantics.
"""

from __future__ import annotations

import numpy as np

from . import _core, _errstate
from ._array import Array

# Operand keys: an Array's dtype name, or the type of a Python scalar.
_WEAK = (int, float, complex, bool)
# Integers a float loop holds exactly (2**mantissa bits), so converting a Python int there needs
# no rounding, whichever way the engine converts it.
_EXACT_IN_FLOAT = {"e": 2**11, "f": 2**24, "d": 2**53, "F": 2**24, "D": 2**53}
_COMPARISONS = frozenset({"less", "less_equal", "greater", "greater_equal", "equal", "not_equal"})
_MISS = object()
# (ufunc, operand keys...) -> (op name, loop input dtype names, output dtype name, int bounds per
# operand (None: no Python int there)), or None: this call takes the general path.
_LOOPS: dict = {}


def fast_call(ufunc: np.ufunc, inputs: tuple) -> Array | None:
    """``ufunc(*inputs)`` as a new Array, or ``None`` when the general path must handle it."""
    nodes = []
    keys = [ufunc]
    shape = None
    for x in inputs:
        t = type(x)
        if t is Array:
            node = x._node
            keys.append(node.dtype)
            s = node.shape
            if shape is None:
                shape = s
            elif s != shape:
                return None  # broadcasting: the general path checks it as NumPy does
            nodes.append(node)
        elif t in _WEAK:
            keys.append(t)
            nodes.append(x)
        else:
            return None
    key = tuple(keys)
    entry = _LOOPS.get(key, _MISS)
    if entry is _MISS:
        entry = _LOOPS[key] = _entry(ufunc, key[1:])
    if entry is None:
        return None
    name, in_names, out_name, bounds = entry
    for i, x in enumerate(nodes):
        if type(x) in _WEAK:
            b = bounds[i]
            if b is not None and not b[0] <= x <= b[1]:
                return None  # NumPy's OverflowError or exact comparison: the general path
            nodes[i] = _core.full([], in_names[i], x, "auto")
        elif x.dtype != in_names[i]:
            nodes[i] = _core.cast(x, in_names[i])
    fp = _errstate.capture(ufunc.__name__)
    if len(nodes) == 1:
        node = _core.unary(name, nodes[0], fp)
    else:
        node = _core.binary(name, nodes[0], nodes[1], fp)
    if node.dtype != out_name:
        node = _core.cast(node, out_name)
    return Array(node)


def _entry(ufunc: np.ufunc, keys: tuple):
    """The cached facts of ``ufunc`` on operands with these keys (see ``_LOOPS``)."""
    from ._elementwise import _ALIASES, _BINARY, _UNARY, GUFUNCS, SPECIAL_UFUNCS, SUPPORTED_DTYPES

    name = _ALIASES.get(ufunc.__name__, ufunc.__name__)
    if ufunc is np.matmul or ufunc in SPECIAL_UFUNCS or ufunc in GUFUNCS or ufunc.nout != 1:
        return None
    if ufunc.nin != len(keys) or name not in (_UNARY if ufunc.nin == 1 else _BINARY):
        return None
    if all(isinstance(k, type) for k in keys):
        return None  # no Array among the operands
    if getattr(np, ufunc.__name__, None) is not ufunc:
        return None  # a foreign ufunc (scipy.special's)
    # A Python bool is no weak scalar in NumPy's promotion: it counts as a bool array.
    types = tuple(np.dtype(k) if k is bool or isinstance(k, str) else k for k in keys) + (None,)
    try:
        loop = ufunc.resolve_dtypes(types, casting="same_kind")
    except Exception:
        return None  # the general path raises NumPy's error
    if any(d not in SUPPORTED_DTYPES for d in loop):
        return None
    kinds = "".join(d.kind for d in loop[: ufunc.nin])
    if name in _COMPARISONS and kinds in ("iu", "ui"):
        return None  # exact mixed-sign comparison
    if name == "power" and kinds in ("ii", "iu", "ui", "uu"):
        return None  # NumPy refuses negative integer exponents it can see
    bounds = []
    for k, d in zip(keys, loop, strict=False):
        if k is int:
            if d.kind in "iu":
                info = np.iinfo(d)
                bounds.append((int(info.min), int(info.max)))
            elif d.kind == "b":
                bounds.append((-(2**63), 2**63 - 1))
            else:  # float or complex: exactly representable ints only
                exact = _EXACT_IN_FLOAT.get(d.char, 0)
                bounds.append((-exact, exact))
        else:
            bounds.append(None)
    return name, tuple(d.name for d in loop[: ufunc.nin]), loop[ufunc.nin].name, tuple(bounds)
