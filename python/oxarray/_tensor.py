"""Tensor products and solves: ``np.kron``, ``np.linalg.tensorsolve``/``tensorinv`` and the
gufuncs ``np.vecdot``/``np.matvec``/``np.vecmat`` (NumPy 2.0/2.2). All compositions of lazy ops:
``kron`` is one broadcast multiply and a reshape, the solves reshape onto the batched dense
``solve``/``inv`` (faer), ``matvec``/``vecmat`` are one blocked ``matmul``, ``vecdot`` a fused
multiply-sum."""

from __future__ import annotations

import math

import numpy as np
from numpy.exceptions import AxisError
from numpy.lib.array_utils import normalize_axis_index

from ._array import Array
from ._dispatch import implements
from ._elementwise import GUFUNCS, node_of


def _as(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


@implements(np.kron)
def kron(a, b) -> Array:
    """NumPy's ``kron``: the shapes padded to one rank with leading 1s, ``a``'s axes interleaved
    with ``b``'s as a broadcast product (fused), then each pair of axes merged by a reshape."""
    a, b = _as(a), _as(b)
    if b.ndim == 0:
        return np.multiply(a, b)
    nd = max(a.ndim, b.ndim)
    sa = (1,) * (nd - a.ndim) + a.shape
    sb = (1,) * (nd - b.ndim) + b.shape
    a2 = a.reshape(tuple(x for n in sa for x in (n, 1)))
    b2 = b.reshape(tuple(x for n in sb for x in (1, n)))
    return np.multiply(a2, b2).reshape(tuple(p * q for p, q in zip(sa, sb, strict=True)))


@implements(np.linalg.tensorinv)
def tensorinv(a, ind=2) -> Array:
    """The inverse of ``a`` seen as a matrix of ``prod(a.shape[:ind])`` rows (the dense ``inv``;
    a singular matrix raises ``LinAlgError`` at compute, as ``inv`` does)."""
    from ._linalg_dense import inv

    a = _as(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    rows = math.prod(a.shape[ind:])
    if rows == 0 or a.size % rows:
        raise ValueError(f"cannot reshape array of size {a.size} into shape ({rows},newaxis)")
    cols = a.size // rows
    return inv(a.reshape(rows, cols)).reshape(a.shape[ind:] + a.shape[:ind])


@implements(np.linalg.tensorsolve)
def tensorsolve(a, b, axes=None) -> Array:
    """``x`` with ``tensordot(a, x, x.ndim) == b``: ``a`` reshaped to a square matrix and the
    dense ``solve`` (axes in ``axes`` moved to the end first, as NumPy does)."""
    from ._linalg_dense import solve
    from ._manipulation import transpose

    a, b = _as(a), _as(b)
    an = a.ndim
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        a = transpose(a, order)
    oldshape = a.shape[-(an - b.ndim):]
    prod = math.prod(oldshape)
    if a.size != prod**2:
        raise np.linalg.LinAlgError(
            "Input arrays must satisfy the requirement             "
            "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return solve(a.reshape(prod, prod), b.reshape(-1)).reshape(oldshape)


# --- the NumPy 2 linear-algebra gufuncs ----------------------------------------------------------

_SIGNATURES = {"vecdot": "(n),(n)->()", "matvec": "(m,n),(n)->(m)", "vecmat": "(n),(n,m)->(m)"}
_CORE = {"vecdot": (1, 1, 0), "matvec": (2, 1, 1), "vecmat": (1, 2, 1)}


def _core_axes(name: str, ndims, axes, axis, keepdims):
    """Where each operand's core axes are (NumPy's ``axes=``/``axis=``/``keepdims=`` rules)."""
    cin0, cin1, cout = _CORE[name]
    sig = _SIGNATURES[name]
    if axis is not None and axes is not None:
        raise TypeError("cannot specify both 'axis' and 'axes'")
    if keepdims and name != "vecdot":
        raise TypeError(f"{name} does not support keepdims: its signature {sig} requires input 1 "
                        "to have 1 core dimensions, but keepdims can only be used when all "
                        "inputs have the same number of core dimensions and all outputs have no "
                        "core dimensions.")
    if axis is not None:
        if name != "vecdot":
            raise TypeError(f"{name}: axis can only be used with a single shared core dimension, "
                            f"not with the 2 distinct ones implied by signature {sig}.")
        axes = [(axis,), (axis,)] + ([(axis,)] if keepdims else [])
    if axes is None:
        return None
    if not isinstance(axes, list):
        raise TypeError(f"axes should be a list, got {axes!r}")
    if len(axes) not in ((2, 3) if cout == 0 else (3,)):
        raise ValueError("axes should be a list with an entry for all 3 inputs and outputs; "
                         "entries for outputs can only be omitted if none of them has core "
                         "axes.")
    counts = (cin0, cin1, cout + (1 if keepdims else 0))
    out = []
    for k, (entry, nc) in enumerate(zip(axes, counts, strict=False)):
        entry = (entry,) if isinstance(entry, (int, np.integer)) else tuple(entry)
        if len(entry) != nc:
            raise AxisError(f"{name}: operand {k} has {nc} core dimensions, but {len(entry)} "
                            "dimensions are specified by axes tuple.")
        nd = ndims[k] if k < 2 else None
        out.append(tuple(normalize_axis_index(e, nd) for e in entry) if nd is not None else entry)
    return out


def _to_end(x: Array, where) -> Array:
    from ._manipulation import moveaxis

    if where is None:
        return x
    return moveaxis(x, where, tuple(range(-len(where), 0)))


def _gufunc(ufunc: np.ufunc):
    name = ufunc.__name__

    def apply(x1, x2, /, out=None, *, axes=None, axis=None, keepdims=False, dtype=None,
              casting="same_kind", order="K", subok=True, signature=None):
        from ._arguments import check_order
        from ._elementwise import _loop_type, _single_out, rebind

        check_order(order)
        if signature is not None:
            raise TypeError(f"{name}: signature= is not supported by oxarray")
        sig = (None, None, None if dtype is None else np.dtype(dtype))
        loop = ufunc.resolve_dtypes((_loop_type(x1), _loop_type(x2), None), signature=sig,
                                    casting=casting)
        a, b = Array(node_of(x1, loop[0])), Array(node_of(x2, loop[1]))
        cin0, cin1, cout = _CORE[name]
        for i, (v, nc) in enumerate(((a, cin0), (b, cin1))):
            if v.ndim < nc:
                raise ValueError(f"{name}: Input operand {i} does not have enough dimensions (has "
                                 f"{v.ndim}, gufunc core with signature {_SIGNATURES[name]} "
                                 f"requires {nc})")
        where = _core_axes(name, (a.ndim, b.ndim), axes, axis, keepdims)
        if where is not None:
            a, b = _to_end(a, where[0]), _to_end(b, where[1])
        n_a = a.shape[-1]
        n_b = b.shape[-2] if name == "vecmat" else b.shape[-1]
        if n_a != n_b:
            raise ValueError(f"{name}: Input operand 1 has a mismatch in its core dimension 0, "
                             f"with gufunc signature {_SIGNATURES[name]} (size {n_b} is different "
                             f"from {n_a})")
        result = _core(name, a, b)
        if result.dtype != loop[2]:
            result = result.astype(loop[2])
        if keepdims:
            pos = where[2][0] if where is not None and len(where) > 2 else -1
            from ._manipulation import expand_dims

            result = expand_dims(result, pos)
        elif cout and where is not None and len(where) > 2:
            from ._manipulation import moveaxis

            result = moveaxis(result, -1, where[2][0])
        target = _single_out(out)
        if target is not None:
            return rebind(target, result, name, casting)
        return result

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"NumPy's ``np.{name}`` gufunc ``{_SIGNATURES[name]}``, lazy."
    return apply


def _core(name: str, a: Array, b: Array) -> Array:
    from ._linalg import matmul

    if name == "matvec":
        r = matmul(a, b.reshape(b.shape + (1,)))
        return r.reshape(r.shape[:-1])
    if a.dtype.kind == "c":
        a = np.conjugate(a)
    if name == "vecmat":
        r = matmul(a.reshape(a.shape[:-1] + (1, a.shape[-1])), b)
        return r.reshape(r.shape[:-2] + r.shape[-1:])
    if a.dtype.kind == "b":
        return np.any(a & b, axis=-1)
    return np.sum(a * b, axis=-1, dtype=a.dtype)


vecdot_ufunc = _gufunc(np.vecdot)
GUFUNCS[np.vecdot] = vecdot_ufunc
if hasattr(np, "matvec"):  # NumPy >= 2.2
    matvec = _gufunc(np.matvec)
    vecmat = _gufunc(np.vecmat)
    GUFUNCS[np.matvec] = matvec
    GUFUNCS[np.vecmat] = vecmat
