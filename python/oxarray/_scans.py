"""Scans and NEP 13's reduction-like ufunc methods: ``cumsum``, ``cumprod``, ``nancumsum``,
``nancumprod``, ``cumulative_sum``, ``cumulative_prod``, and ``ufunc.accumulate``,
``ufunc.reduce`` (every binary ufunc), ``ufunc.reduceat`` and ``ufunc.outer``.

Kernel family: a scan along a chunked axis cannot be composed from elementwise ops, so the Rust
scan kernels run per chunk; an associative op folds each chunk to its total, carries the totals
from chunk to chunk and scans each chunk from its carry-in (the offset is fused into the scan; the
axis is never gathered). ``outer`` is a composition: ``a[..., None, ...] op b``, lazily broadcast.

The loop dtype is NumPy's own: ``ufunc.resolve_dtypes`` with ``reduction=True`` (the output --
``out=`` or ``dtype=`` -- is the first operand, as in NumPy's reductions; small integers
accumulate in the platform integer for ``add``/``multiply``); the input is cast to it (unsafe, as
NumPy casts reduction inputs) and the result cast to ``out``'s dtype.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.exceptions import AxisError

from . import _core, _errstate
from ._arguments import axis_index, keepdims_flag, reduced_shape, reduction_axes, reduction_out
from ._array import Array
from ._dispatch import implements
from ._elementwise import _ALIASES, _BINARY, _REDUCE_METHODS, apply_ufunc, check_dtype, node_of, rebind

__all__ = [
    "cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum", "cumulative_prod",
]  # fmt: skip


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _cast(x: Array, dtype: np.dtype) -> Array:
    """``x`` in the loop dtype; its errors are NumPy's "overflow encountered in cast"."""
    if x.dtype == dtype:
        return x
    return Array(_core.cast(x._node, np.dtype(dtype).name, _errstate.capture("cast")))


def op_name(ufunc: np.ufunc) -> str | None:
    """The catalogue op computing ``ufunc`` in its loop, or None when oxarray lacks it."""
    name = _ALIASES.get(ufunc.__name__, ufunc.__name__)
    return name if name in _BINARY else None


def check_method(ufunc: np.ufunc, method: str) -> None:
    """NumPy's errors for a method a ufunc does not have."""
    if ufunc.nin != 2:
        raise ValueError(f"{method} only supported for binary functions")
    if ufunc.nout != 1 and method != "outer":
        raise ValueError(f"{method} only supported for functions returning a single value")
    if ufunc.signature is not None:
        if method == "outer":
            raise TypeError("method outer is not allowed in ufunc with non-trivial signature")
        raise RuntimeError("Reduction not defined on ufunc with signature")


def reduction_loop(ufunc: np.ufunc, in_dtype, dtype=None, out_dtype=None,
                   check: bool = True, uniform: str | None = None) -> np.dtype:
    """NumPy's loop dtype for ``ufunc.reduce``/``accumulate``/``reduceat`` (TypeError when there
    is none, or when it is one oxarray lacks). ``uniform`` names a method (accumulate,
    reduceat) whose loop NumPy requires to have one dtype throughout (not ``ldexp``'s)."""
    kwargs = {}
    if dtype is not None:
        kwargs["signature"] = (np.dtype(dtype), None, None)
    first = None if out_dtype is None else np.dtype(out_dtype)
    loop = ufunc.resolve_dtypes((first, np.dtype(in_dtype), None), reduction=True,
                                casting="unsafe", **kwargs)
    if uniform and not loop[0] == loop[1] == loop[2]:
        raise TypeError(f"the resolved dtypes are not compatible with {ufunc.__name__}.{uniform}. "
                        f"Resolved {loop}")
    return check_dtype(loop[0]) if check else loop[0]


@functools.cache
def _reorderable(ufunc: np.ufunc, loop: np.dtype) -> bool:
    """Whether NumPy lets ``ufunc.reduce`` take several axes (asked of NumPy on a 1x1 array of
    zeros: one element, so the op itself never runs)."""
    try:
        ufunc.reduce(np.zeros((1, 1), loop), axis=(0, 1))
    except ValueError:
        return False
    return True


def _single_axis(axis, ndim: int, method: str) -> int:
    """``axis=`` of accumulate/reduceat: one axis (None or a 1-tuple is accepted where it names
    one), normalized."""
    if axis is None:
        if ndim != 1:
            raise ValueError(f"{method} does not allow multiple axes")
        return 0
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise ValueError(f"{method} does not allow multiple axes")
        axis = axis[0]
    a = axis_index(axis)
    if not -ndim <= a < ndim:
        raise AxisError(a, ndim)
    return a % ndim


def _out(out):
    if out is None:
        return None
    if isinstance(out, tuple):
        if len(out) != 1:
            raise ValueError("The 'out' tuple must have exactly one entry per ufunc output")
        out = out[0]
    if out is None:
        return None
    if not hasattr(out, "shape") or not hasattr(out, "dtype"):
        raise TypeError("return arrays must be of ArrayType")
    return out


def _scan(name: str, x: Array, axis: int, loop: np.dtype) -> Array:
    """``x`` accumulated along ``axis`` with the catalogue op ``name``, in ``loop``."""
    fp = _errstate.capture_method(name, "accumulate")
    return Array(_core.accumulate(_cast(x, loop)._node, name, axis, fp))


# --- ufunc methods ------------------------------------------------------------------------
def ufunc_accumulate(ufunc: np.ufunc, array, axis=0, dtype=None, out=None):
    """``ufunc.accumulate(array, axis, dtype, out)``: lazy, chunks as ``array``'s."""
    check_method(ufunc, "accumulate")
    name = op_name(ufunc)
    if name is None:
        return NotImplemented
    x = _arr(array)
    if x.ndim == 0:
        raise TypeError("cannot accumulate on a scalar")
    out = _out(out)
    loop = reduction_loop(ufunc, x.dtype, dtype, None if out is None else out.dtype,
                          uniform="accumulate")
    axis = _single_axis(axis, x.ndim, "accumulate")
    if out is not None and tuple(out.shape) != x.shape:
        raise ValueError("provided out is the wrong size for the accumulation.")
    result = _scan(name, x, axis, loop)
    return rebind(out, result, ufunc.__name__, casting="unsafe") if out is not None else result


def _convert_initial(initial, loop: np.dtype):
    if isinstance(initial, (str, bytes)) or np.ndim(initial) != 0:
        np.array(initial, dtype=loop)  # NumPy's ValueError for 'a' or a sequence
        raise ValueError("setting an array element with a sequence.")
    return np.array(initial, dtype=loop)  # OverflowError for an int out of range, as NumPy


def ufunc_reduce(ufunc: np.ufunc, array, axis=0, dtype=None, out=None, keepdims=False,
                 initial=np._NoValue, where=True):
    """``ufunc.reduce`` for any binary ufunc: folds along the axes (one at a time; several only
    when NumPy calls the op reorderable). Empty reductions give the identity or ``initial``."""
    check_method(ufunc, "reduce")
    name = op_name(ufunc)
    if name is None:
        return NotImplemented
    x = _arr(array)
    keepdims = keepdims_flag(keepdims)
    out = _out(out)
    loop = reduction_loop(ufunc, x.dtype, dtype, None if out is None else out.dtype, check=False)
    axes = reduction_axes(axis, x.ndim, zero_d_axis=True)
    axes = list(range(x.ndim)) if axes is None else axes
    if len(axes) > 1 and not _reorderable(ufunc, loop):
        raise ValueError(f"reduction operation '{ufunc.__name__}' is not reorderable, so at most "
                         f"one axis may be specified")
    if initial is None:
        initial = np._NoValue  # NumPy: None is no initial value
    init = None if initial is np._NoValue else _convert_initial(initial, loop)
    empty = any(x.shape[a] == 0 for a in axes)
    if empty and init is None and ufunc.identity is None:
        raise ValueError(f"zero-size array to reduction operation {ufunc.__name__} which has no "
                         f"identity")
    loop = check_dtype(loop)
    if name in _REDUCE_METHODS:
        # The tree reductions (sum, prod, min, max, all, any), in NumPy's loop dtype (on bools
        # add is `or` and multiply is `and`).
        from ._statistical import reduce as tree_reduce

        op = _REDUCE_METHODS[name]
        if loop.kind == "b":
            op = {"sum": "any", "prod": "all"}.get(op, op)
        dt = loop if op in ("sum", "prod") else None
        return tree_reduce(op, _cast(x, loop), axis, dt, out, keepdims,
                           initial=np._NoValue if init is None else init[()], where=where)
    shape = reduced_shape(x.shape, axes, keepdims)
    out = reduction_out(out, shape, ufunc.__name__)
    identity = ufunc.identity
    x = _cast(x, loop)
    if where is not True and where is not np._NoValue:
        from ._searching import where as ox_where

        if identity is not None:
            fill = np.array(identity).astype(loop)
        elif init is not None and _idempotent(name):
            fill = init  # op(acc, initial) == acc once initial is folded in
        elif init is None:
            raise ValueError(f"reduction operation '{ufunc.__name__}' does not have an identity, "
                             f"so to use a where mask one has to specify 'initial'")
        else:
            raise NotImplementedError(f"{ufunc.__name__}.reduce with where= and initial=: "
                                      f"oxarray needs an identity or an idempotent op")
        x = ox_where(where, x, Array(_core.full([], loop.name, fill.item(), "auto")))
    if empty:
        start = init if init is not None else identity
        value = np.array(start).astype(loop)
        result = Array(_core.full(list(reduced_shape(x.shape, axes, False)), loop.name,
                                  value.item(), "auto"))
    else:
        node = x._node
        if init is not None and len(axes) == 1:
            # The initial value is the first operand of the fold: prepend it along the axis.
            a = axes[0]
            ishape = list(x.shape)
            ishape[a] = 1
            first = _core.full(ishape, loop.name, init.item(), "auto")
            node = _core.concatenate([first, node], a)
        for a in sorted(axes, reverse=True):
            node = _core.fold(node, name, a, _errstate.capture_method(name, "reduce"))
        if init is not None and len(axes) != 1:
            node = _core.binary(name, _core.full([], loop.name, init.item(), "auto"), node, 0)
        result = Array(node)
    if keepdims:
        result = Array(_core.reshape(result._node, list(shape)))
    return rebind(out, result, ufunc.__name__, casting="unsafe") if out is not None else result


def _idempotent(name: str) -> bool:
    return name in ("maximum", "minimum", "fmax", "fmin", "logical_and", "logical_or",
                    "bitwise_and", "bitwise_or", "gcd", "lcm")


def _reduceat_indices(indices) -> np.ndarray:
    """``indices`` as NumPy's reduceat takes them: a 1-d sequence cast to intp."""
    if isinstance(indices, Array):
        indices = indices.compute()  # the output chunks depend on the values: computed here
    idx = np.asarray(indices)
    if idx.ndim == 0:
        raise ValueError("object of too small depth for desired array")
    if idx.ndim > 1:
        raise ValueError("setting an array element with a sequence. The requested array would "
                         "exceed the maximum number of dimension of 1.")
    return idx.astype(np.intp, casting="unsafe")


def ufunc_reduceat(ufunc: np.ufunc, array, indices, axis=0, dtype=None, out=None):
    """``ufunc.reduceat``: row ``k`` folds ``indices[k]:indices[k+1]`` (just the element
    ``indices[k]`` where ``indices[k] >= indices[k+1]``, NumPy's rule); the last runs to the end."""
    check_method(ufunc, "reduceat")
    name = op_name(ufunc)
    if name is None:
        return NotImplemented
    x = _arr(array)
    if x.ndim == 0:
        raise TypeError("cannot reduceat on a scalar")
    idx = _reduceat_indices(indices)
    out = _out(out)
    axis = _single_axis(axis, x.ndim, "reduceat")
    n = x.shape[axis]
    for i in idx:
        if not 0 <= i < n:
            raise IndexError(f"index {i} out-of-bounds in {ufunc.__name__}.reduceat [0, {n})")
    loop = reduction_loop(ufunc, x.dtype, dtype, None if out is None else out.dtype,
                          uniform="reduceat")
    ends = np.append(idx[1:], n)[: len(idx)]
    segs = [(int(s), int(e) if e > s else int(s) + 1) for s, e in zip(idx, ends, strict=True)]
    fp = _errstate.capture_method(name, "reduceat")
    result = Array(_core.reduceat(_cast(x, loop)._node, name, axis, segs, fp))
    if out is not None and tuple(out.shape) != result.shape:
        raise ValueError(f"non-broadcastable output operand with shape {tuple(out.shape)} doesn't "
                         f"match the broadcast shape {result.shape}")
    return rebind(out, result, ufunc.__name__, casting="unsafe") if out is not None else result


def ufunc_outer(ufunc: np.ufunc, a, b, **kwargs):
    """``ufunc.outer(a, b)``: ``a[..., None, ...] op b``, a lazy broadcast (the result's chunks
    are ``a``'s then ``b``'s)."""
    check_method(ufunc, "outer")
    # NumPy converts each operand to an array first (a Python scalar is not weak here).
    a = a if isinstance(a, Array) else Array(node_of(np.asarray(a)))
    b = b if isinstance(b, Array) else Array(node_of(np.asarray(b)))
    a = Array(_core.reshape(a._node, list(a.shape) + [1] * b.ndim))
    return apply_ufunc(ufunc, a, b, **kwargs)


# --- NumPy functions and the Array API ------------------------------------------------------
def _flat_axis(x: Array, axis):
    """``axis=None`` flattens (NumPy's cumsum); otherwise one normalized axis."""
    if axis is None:
        return Array(_core.reshape(x._node, [x.size])), 0
    a = axis_index(axis) if not isinstance(axis, (bool, np.bool_)) else _bool_axis()
    ndim = max(x.ndim, 1)
    if not -ndim <= a < ndim:
        raise AxisError(a, ndim)
    if x.ndim == 0:
        x = Array(_core.reshape(x._node, [1]))
    return x, a % ndim


def _bool_axis():
    raise TypeError("an integer is required for the axis")


def _accumulate_fn(ufunc: np.ufunc, a, axis, dtype, out) -> Array:
    x, axis = _flat_axis(_arr(a), axis)
    out = _out(out)
    loop = reduction_loop(ufunc, x.dtype, dtype, None if out is None else out.dtype)
    if out is not None and tuple(out.shape) != x.shape:
        raise ValueError(f"operands could not be broadcast together with shapes {x.shape} "
                         f"{tuple(out.shape)}")
    result = _scan(op_name(ufunc), x, axis, loop)
    return rebind(out, result, ufunc.__name__, casting="unsafe") if out is not None else result


@implements(np.cumsum)
def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (flattened when None); small integers accumulate in the
    platform integer, as NumPy's.

    >>> import numpy as np, oxarray as ox
    >>> np.cumsum(ox.asarray([1, 2, 3, 4], chunks=2)).compute()
    array([ 1,  3,  6, 10])
    """
    return _accumulate_fn(np.add, a, axis, dtype, out)


@implements(np.cumprod)
def cumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product along ``axis`` (flattened when None)."""
    return _accumulate_fn(np.multiply, a, axis, dtype, out)


def _nan_filled(a, value) -> Array:
    """NaNs replaced by ``value`` (inexact dtypes only: others have no NaN), lazily."""
    x = _arr(a)
    if x.dtype.kind not in "fc":
        return x
    from ._searching import where as ox_where

    return ox_where(apply_ufunc(np.isnan, x), Array(_core.full([], x.dtype.name, value, "auto")), x)


@implements(np.nancumsum)
def nancumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum treating NaN as zero."""
    return _accumulate_fn(np.add, _nan_filled(a, 0), axis, dtype, out)


@implements(np.nancumprod)
def nancumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product treating NaN as one."""
    return _accumulate_fn(np.multiply, _nan_filled(a, 1), axis, dtype, out)


def _cumulative(ufunc: np.ufunc, x, axis, dtype, out, include_initial: bool) -> Array:
    """NumPy 2.1's ``cumulative_sum``/``cumulative_prod`` (the Array API's)."""
    x = _arr(x)
    if x.ndim == 0:
        x = Array(_core.reshape(x._node, [1]))
    if axis is None:
        if x.ndim >= 2:
            raise ValueError("For arrays which have more than one dimension ``axis`` argument is "
                             "required.")
        axis = 0
    axis = _single_axis(axis, x.ndim, "accumulate")
    out = _out(out)
    loop = reduction_loop(ufunc, x.dtype, dtype, None if out is None else out.dtype)
    res = _scan(op_name(ufunc), x, axis, loop)
    if include_initial:
        ishape = list(x.shape)
        ishape[axis] = 1
        first = _core.full(ishape, loop.name, ufunc.identity, "auto")
        res = Array(_core.concatenate([first, res._node], axis))
    if out is not None:
        if tuple(out.shape) != res.shape:
            raise ValueError("provided out is the wrong size for the accumulation.")
        return rebind(out, res, ufunc.__name__, casting="unsafe")
    return res


@implements(np.cumulative_sum)
def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Cumulative sum (Array API); ``include_initial`` starts with the zero."""
    return _cumulative(np.add, x, axis, dtype, out, include_initial)


@implements(np.cumulative_prod)
def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Cumulative product (Array API); ``include_initial`` starts with the one."""
    return _cumulative(np.multiply, x, axis, dtype, out, include_initial)
