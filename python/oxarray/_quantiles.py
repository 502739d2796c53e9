"""Selection and order statistics: ``partition``/``argpartition``, ``median``, ``quantile``,
``percentile`` and their ``nan`` forms.

Each function selects instead of sorting: a Rust kernel reads only the order statistics it needs
(``_core.select``: per lane ``select_nth_unstable`` on an axis held by one chunk; per-chunk sorts
and exact co-ranks on a chunked axis, never a merged sort nor a gathered axis). NumPy's
interpolation (the 13 ``method=`` of Hyndman & Fan) is then a lazy elementwise composition
(``where``, ``+``, ``*``) that fuses. The ranks and the interpolation weights depend only on the
lane length and ``q``, so they are computed here, from the arguments, never from the data; the
``nan`` forms pass a table with one row per possible count of non-NaN values, and the kernel
picks each lane's row.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from . import _core
from ._arguments import keepdims_flag
from ._array import Array
from ._dispatch import implements
from ._elementwise import apply_ufunc, node_of, rebind
from ._manipulation import moveaxis, ravel, reshape
from ._rearranging import take_axis
from ._searching import where

_METHODS = ("inverted_cdf", "averaged_inverted_cdf", "closest_observation",
            "interpolated_inverted_cdf", "hazen", "weibull", "linear", "median_unbiased",
            "normal_unbiased", "lower", "higher", "midpoint", "nearest")
# (alpha, beta) of the continuous methods (Hyndman & Fan's definitions 4 to 9).
_CONTINUOUS = {"interpolated_inverted_cdf": (0, 1), "hazen": (0.5, 0.5), "weibull": (0, 0),
               "median_unbiased": (1 / 3.0, 1 / 3.0), "normal_unbiased": (3 / 8.0, 3 / 8.0)}
_DISCRETE = ("inverted_cdf", "closest_observation", "lower", "higher", "nearest")


def _as_array(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


# --- the positions each method reads (from n and q only) ---------------------------------------
# Written with NumPy's functions and no item assignment, so that the same code runs on NumPy
# arrays (a known sample size, or a table of every count) and on a lazy oxarray count per lane
# (``nanquantile``'s interpolation weights), with NumPy's arithmetic and so its rounding.

def _arr(v):
    return v if isinstance(v, Array) else np.asanyarray(v)


def _boundary_rank(index, keep_previous):
    """The discrete methods' rank: ``floor(index)`` where ``keep_previous(gamma, index)``, else
    the next one; never below 0."""
    previous = np.floor(index)
    gamma = index - previous
    res = np.where(keep_previous(gamma, index), previous, previous + 1).astype(np.intp)
    return np.where(res < 0, 0, res)


def _virtual_index(method: str, n, q):
    """Where ``q`` falls in the sorted sample of ``n`` values (a float position, or an integer
    rank for the discrete methods)."""
    if method == "linear":
        return _arr((n - 1) * q)
    if method in _CONTINUOUS:
        alpha, beta = _CONTINUOUS[method]
        return _arr(n * q + (alpha + q * (1 - alpha - beta)) - 1)
    if method == "averaged_inverted_cdf":
        return _arr((n * q) - 1)
    if method == "inverted_cdf":
        return _boundary_rank(_arr((n * q) - 1), lambda g, _: g == 0)
    if method == "closest_observation":
        return _boundary_rank(_arr((n * q) - 1 - 0.5),
                              lambda g, i: (g == 0) & (np.floor(i) % 2 == 1))
    if method == "lower":
        return np.floor((n - 1) * q).astype(np.intp)
    if method == "higher":
        return np.ceil((n - 1) * q).astype(np.intp)
    if method == "nearest":
        return np.around((n - 1) * q).astype(np.intp)
    return _arr(0.5 * (np.floor((n - 1) * q) + np.ceil((n - 1) * q)))  # midpoint


def _gamma(method: str, virtual, previous):
    """The interpolation weight between the two neighbouring ranks."""
    gamma = virtual - previous
    if method == "averaged_inverted_cdf":
        gamma = np.where(gamma == 0, 0.5, 1.0)
    elif method == "midpoint":
        gamma = np.where(virtual % 1 == 0, 0.0, 0.5)
    return gamma.astype(virtual.dtype)


def _neighbours(virtual, n, inexact: bool):
    """The ranks either side of each virtual index (-1 standing for the last), clamped."""
    previous = np.floor(virtual)
    following = previous + 1
    above = virtual >= n - 1
    previous = np.where(above, -1, previous)
    following = np.where(above, -1, following)
    below = virtual < 0
    previous = np.where(below, 0, previous)
    following = np.where(below, 0, following)
    if inexact:
        nans = np.isnan(virtual)
        previous = np.where(nans, -1, previous)
        following = np.where(nans, -1, following)
    return previous.astype(np.intp), following.astype(np.intp)


def _is_discrete(method: str, virtual) -> bool:
    return method in _DISCRETE or (method == "linear" and virtual.dtype.kind in "iu")


def _plan(method: str, n, q, inexact: bool):
    """For samples of ``n`` values (an int, or an array of counts broadcasting against ``q``):
    (ranks, None, None) for the methods that take one value, or (previous ranks, next ranks,
    gamma) for those that interpolate; ranks in [0, n)."""
    virtual = _virtual_index(method, n, q)
    if _is_discrete(method, virtual):
        return np.where(virtual < 0, virtual + n, virtual), None, None
    previous, following = _neighbours(virtual, n, inexact)
    gamma = _gamma(method, virtual, previous)
    return (np.where(previous < 0, previous + n, previous),
            np.where(following < 0, following + n, following), gamma)


# --- arguments ----------------------------------------------------------------------------------

def _merged(x: Array, axis):
    """NumPy's ``_ureduce``: the reduced axes moved last and merged into one. Returns the array,
    the normalized axes (None for every axis) and the merged axis's length."""
    if axis is None:
        flat = ravel(x)
        return flat, None, flat.shape[0]
    axes = normalize_axis_tuple(axis, x.ndim)
    if len(axes) == 1:
        return moveaxis(x, axes[0], -1), axes, x.shape[axes[0]]
    moved = moveaxis(x, axes, tuple(range(-len(axes), 0)))
    kept = moved.shape[:x.ndim - len(axes)]
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    return reshape(moved, kept + (n,)), axes, n


def _keep_shape(x: Array, axes, lead: tuple, keepdims: bool, rest: tuple) -> tuple:
    if not keepdims:
        return lead + rest
    if axes is None:
        return lead + (1,) * x.ndim
    return lead + tuple(1 if d in axes else s for d, s in enumerate(x.shape))


def _check_real(x: Array) -> None:
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")


def _check_method(method, interpolation, name: str) -> str:
    if interpolation is not None:
        raise TypeError(f"{name}() got an unexpected keyword argument 'interpolation' "
                        "(deprecated in NumPy 1.22 and removed here; use method=)")
    if method not in _METHODS:
        raise ValueError(f"{method!r} is not a valid method. Use one of: {_METHODS}")
    return method


def _q_array(q, scale: float | None):
    if isinstance(q, Array):
        raise TypeError("q must be known at the call (a NumPy array or a Python number), "
                        "not a lazy oxarray.Array")
    weak = type(q) in (int, float)
    if scale is not None:
        q = np.true_divide(q, scale)
    q = np.asanyarray(q)
    if q.ndim > 2:
        raise ValueError("q must be a scalar or 1d")
    if q.size and not (np.min(q) >= 0 and np.max(q) <= 1):
        raise ValueError("Percentiles must be in the range [0, 100]" if scale is not None
                         else "Quantiles must be in the range [0, 1]")
    return q, weak


# --- order statistics and the interpolation -----------------------------------------------------

def _order_stats(x: Array, table: np.ndarray, skip_nan: bool) -> Array:
    """The values of the ranks in ``table`` (rows x width) along the last axis of ``x``, the
    ranks axis moved first (Rust selection, lazy)."""
    width = table.shape[-1]
    ranks = [int(r) for r in np.asarray(table, dtype=np.int64).ravel()]
    stats = Array(_core.select(x._node, x.ndim - 1, ranks, width, skip_nan))
    return moveaxis(stats, -1, 0)


def _pick(stats: Array, positions: np.ndarray) -> Array:
    """Rows of ``stats`` (ranks first) at ``positions``: the result has shape
    ``positions.shape + rest``."""
    if positions.ndim == 0:
        return stats[int(positions)]
    taken = take_axis(stats, positions.ravel(), 0)
    return reshape(taken, positions.shape + stats.shape[1:])


def _lerp(a: Array, b: Array, t, omt, upper):
    """NumPy's ``_lerp``: ``a + (b - a) * t``, or ``b - (b - a) * (1 - t)`` where ``t >= 0.5``."""
    diff = apply_ufunc(np.subtract, b, a)
    low = apply_ufunc(np.add, a, apply_ufunc(np.multiply, diff, t))
    high = apply_ufunc(np.subtract, b, apply_ufunc(np.multiply, diff, omt))
    if isinstance(upper, (bool, np.bool_)):
        return high if upper else low
    return where(upper, high, low)


def _weights_of(gamma: np.ndarray, weak: bool, dtype: np.dtype):
    """``t``, ``1 - t`` and ``t >= 0.5`` as NumPy's ``_lerp`` sees them: Python floats (cast to
    the data's type, NEP 50's weak scalars) for a scalar ``q``, arrays otherwise."""
    omt = 1 - gamma
    upper = gamma >= 0.5
    if weak:
        dt = np.result_type(dtype, 1.0)
        return gamma.astype(dt), np.asarray(omt).astype(dt), upper
    return gamma, omt, upper


def _quantile(x: Array, q: np.ndarray, weak: bool, axis, out, method: str, keepdims, name: str,
              skip_nan: bool) -> Array:
    _check_real(x)
    keepdims = keepdims_flag(keepdims)
    flat, axes, n = _merged(x, axis)
    inexact = x.dtype.kind == "f"
    skip_nan = skip_nan and inexact
    rest = flat.shape[:-1]
    shape = _keep_shape(x, axes, q.shape, keepdims, rest)
    if n == 0:
        raise IndexError("index -1 is out of bounds for axis 0 with size 0")
    if not skip_nan:
        previous, following, gamma = _plan(method, n, q, inexact)
        needed = [previous.ravel()] + ([] if following is None else [following.ravel()])
        if inexact:
            needed.append(np.array([n - 1]))
        ranks = np.unique(np.concatenate(needed))
        stats = _order_stats(flat, ranks[None, :], False)
        where_of = {int(r): i for i, r in enumerate(ranks)}

        def at(r):
            return _pick(stats, np.vectorize(where_of.__getitem__, otypes=[np.intp])(r))

        if following is None:
            result = at(previous)
        else:
            t, omt, upper = _weights_of(gamma, weak, x.dtype)
            if not weak:
                lead = gamma.shape + (1,) * len(rest)
                t, omt, upper = t.reshape(lead), omt.reshape(lead), upper.reshape(lead)
            else:
                t, omt, upper = t[()], omt[()], bool(upper)
            result = _lerp(at(previous), at(following), t, omt, upper)
        if inexact:
            last = stats[where_of[n - 1]]
            result = where(apply_ufunc(np.isnan, last), last, result)
    else:
        result = _all_nan(flat, _nan_quantile(flat, q, weak, method, n, rest))
    result = reshape(result, shape) if result.shape != shape else result
    return rebind(out, result, name, casting="same_kind") if out is not None else result


def _nan_quantile(flat: Array, q: np.ndarray, weak: bool, method: str, n: int, rest) -> Array:
    """``nanquantile`` of a floating array. The ranks depend on each lane's non-NaN count ``c``:
    the kernel gets one row of ranks per possible count (row ``c`` is the quantile of ``c``
    values; row 0 reads NaN) and picks each lane's row; the interpolation weights are the same
    formulas evaluated lazily on the lanes' counts."""
    m = q.size
    counts = np.arange(n + 1).reshape((-1,) + (1,) * q.ndim)
    if q.dtype.kind == "f":
        counts = counts.astype(q.dtype)  # NumPy multiplies q by a Python int: q's precision
    with np.errstate(all="ignore"):
        previous, following, _ = _plan(method, counts, q, True)
    previous = previous.reshape(n + 1, m)
    following = previous if following is None else following.reshape(n + 1, m)
    table = np.concatenate([previous, following], axis=1).astype(np.int64)
    table[0] = n  # no values: past the end, NaN
    stats = _order_stats(flat, table, True)
    a, b = stats[:m], stats[m:]
    virtual = _virtual_index(method, counts[1:2], q)
    if not _is_discrete(method, virtual):
        c = Array(_core.reduce("sum", apply_ufunc(np.logical_not,
                                                  apply_ufunc(np.isnan, flat))._node,
                               [flat.ndim - 1], False, "int64", 0))
        if q.dtype.kind == "f":
            c = c.astype(q.dtype)
        qb = q.reshape(q.shape + (1,) * len(rest))
        virtual = _virtual_index(method, c, qb)
        prev_lazy, _ = _neighbours(virtual, c, True)
        gamma = _gamma(method, virtual, prev_lazy)
        omt = 1 - gamma
        upper = gamma >= 0.5
        if weak:
            dt = np.result_type(flat.dtype, 1.0)
            gamma, omt = gamma.astype(dt), omt.astype(dt)
        shape = q.shape + tuple(rest)
        a, b = reshape(a, shape), reshape(b, shape)
        return _lerp(a, b, gamma, omt, upper)
    if q.ndim == 0:
        return a[0]
    return reshape(a, q.shape + tuple(rest))


@implements(np.quantile)
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
             *, weights=None, interpolation=None):
    """NumPy's ``quantile`` (every ``method=``): order statistics by selection in Rust, NumPy's
    interpolation as a lazy composition. ``weights=`` (``method="inverted_cdf"`` only, as NumPy
    2.x): a stable argsort, lazy gathers and a CDF search (``_quantile_weights``); negative, NaN,
    inf or all-zero lazy weights raise NumPy's ValueError from ``compute()``.

    >>> import numpy as np, oxarray as ox
    >>> np.quantile(ox.asarray(np.array([[10, 7, 4], [3, 2, 1]])), 0.5, axis=0).compute()
    array([6.5, 4.5, 2.5])
    """
    x = _as_array(a)
    _check_real(x)
    q, weak = _q_array(q, None)
    method = _check_method(method, interpolation, "quantile")
    if weights is not None:
        return _weighted(x, q, axis, out, method, keepdims, "quantile", False, weights)
    return _quantile(x, q, weak, axis, out, method, keepdims, "quantile", False)


@implements(np.percentile)
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
               *, weights=None, interpolation=None):
    """NumPy's ``percentile``: ``quantile`` of ``q / 100`` (``weights=`` with
    ``method="inverted_cdf"``, as NumPy 2.x)."""
    x = _as_array(a)
    _check_real(x)
    q, weak = _q_array(q, 100)
    method = _check_method(method, interpolation, "percentile")
    if weights is not None:
        return _weighted(x, q, axis, out, method, keepdims, "percentile", False, weights)
    return _quantile(x, q, weak, axis, out, method, keepdims, "percentile", False)


@implements(np.nanquantile)
def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=np._NoValue, *, weights=None, interpolation=None):
    """NumPy's ``nanquantile``: the quantiles of each lane's non-NaN values (NaN for an all-NaN
    lane, with NumPy's "All-NaN slice encountered" RuntimeWarning, issued by ``compute()``: a
    lazy array learns it from the values). ``weights=`` with ``method="inverted_cdf"``, as NumPy
    2.x."""
    x = _as_array(a)
    _check_real(x)
    q, weak = _q_array(q, None)
    method = _check_method(method, interpolation, "nanquantile")
    if weights is not None:
        return _weighted(x, q, axis, out, method, _keep(keepdims), "nanquantile", True, weights)
    return _quantile(x, q, weak, axis, out, method, _keep(keepdims), "nanquantile", True)


@implements(np.nanpercentile)
def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=np._NoValue, *, weights=None, interpolation=None):
    """NumPy's ``nanpercentile``: ``nanquantile`` of ``q / 100`` (its All-NaN RuntimeWarning is
    issued by ``compute()``; ``weights=`` with ``method="inverted_cdf"``)."""
    x = _as_array(a)
    _check_real(x)
    q, weak = _q_array(q, 100)
    method = _check_method(method, interpolation, "nanpercentile")
    if weights is not None:
        return _weighted(x, q, axis, out, method, _keep(keepdims), "nanpercentile", True, weights)
    return _quantile(x, q, weak, axis, out, method, _keep(keepdims), "nanpercentile", True)


def _keep(keepdims) -> bool:
    return False if keepdims is np._NoValue else keepdims


def _weighted(x: Array, q: np.ndarray, axis, out, method: str, keepdims, name: str,
              skip_nan: bool, weights) -> Array:
    """``weights=`` (NumPy 2.x: ``method="inverted_cdf"`` only; see ``_quantile_weights``)."""
    from ._quantile_weights import valid_weights, weighted_quantile

    if method != "inverted_cdf":
        raise ValueError(f"Only method 'inverted_cdf' supports weights. Got: {method}.")
    w, negative = valid_weights(weights, x, axis)
    keepdims = keepdims_flag(keepdims)
    flat, axes, n = _merged(x, axis)
    wflat = _merged(w, axis)[0]
    rest = flat.shape[:-1]
    shape = _keep_shape(x, axes, q.shape, keepdims, rest)
    if n == 0:
        raise IndexError("index -1 is out of bounds for axis 0 with size 0")
    result = weighted_quantile(flat, wflat, negative, q, skip_nan)
    result = reshape(result, shape) if result.shape != shape else result
    return rebind(out, result, name, casting="same_kind") if out is not None else result


def _all_nan(flat: Array, result: Array) -> Array:
    """``result`` with NumPy's "All-NaN slice encountered" RuntimeWarning, issued by
    ``compute()`` when a lane of ``flat`` (its last axis) holds only NaN."""
    from ._nan import checked
    from ._statistical import all as all_

    return checked(result, all_(apply_ufunc(np.isnan, flat), axis=-1), "All-NaN slice encountered",
                   warn=True)


# --- median -------------------------------------------------------------------------------------

def _median(x: Array, axis, out, keepdims, skip_nan: bool) -> Array:
    keepdims = keepdims_flag(keepdims)
    flat, axes, n = _merged(x, axis)
    rest = flat.shape[:-1]
    shape = _keep_shape(x, axes, (), keepdims, rest)
    inexact = x.dtype.kind in "fc"
    from ._statistical import mean

    if n == 0:
        result = mean(flat, axis=-1)  # NumPy: the mean of an empty slice (NaN, RuntimeWarning)
    elif skip_nan and x.dtype.kind == "f":
        rows = [[n, n]] + [[(c - 1) // 2, c // 2] for c in range(1, n + 1)]
        stats = _order_stats(flat, np.array(rows), True)
        result = _all_nan(flat, mean(stats, axis=0))
    else:
        middle = [(n - 1) // 2] if n % 2 else [n // 2 - 1, n // 2]
        ranks = middle + ([n - 1] if inexact and n - 1 not in middle else [])
        stats = _order_stats(flat, np.array([ranks]), False)
        result = mean(stats[:len(middle)], axis=0)
        if inexact:
            last = stats[len(ranks) - 1]
            result = where(apply_ufunc(np.isnan, last), last, result)
    result = reshape(result, shape) if result.shape != shape else result
    return rebind(out, result, "median", casting="same_kind") if out is not None else result


@implements(np.median)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """NumPy's ``median``: the middle order statistics by selection (Rust), their mean lazily;
    NaN where a lane holds NaN.

    >>> import numpy as np, oxarray as ox
    >>> np.median(ox.asarray(np.array([[10, 7, 4], [3, 2, 1]])), axis=0).compute()
    array([6.5, 4.5, 2.5])
    """
    return _median(_as_array(a), axis, out, keepdims, False)


@implements(np.nanmedian)
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=np._NoValue):
    """NumPy's ``nanmedian``: the median of each lane's non-NaN values (NaN for an all-NaN lane;
    the middle pair is averaged, and an odd count averages the middle value with itself). An
    all-NaN lane also gives NumPy's "All-NaN slice encountered" RuntimeWarning, issued by
    ``compute()`` (a lazy array learns it from the values, at compute)."""
    return _median(_as_array(a), axis, out, _keep(keepdims), True)


# --- partition ----------------------------------------------------------------------------------

def _kth(kth, n: int) -> list[int]:
    k = np.asarray(kth)
    if k.dtype.kind not in "iu":
        if k.dtype.kind == "b":
            raise ValueError("Booleans unacceptable as partition index")
        raise TypeError("Partition index must be integer")
    if k.ndim > 1:
        raise ValueError("kth array must have dimension <= 1")
    out = []
    for v in k.ravel().tolist():
        if not -n <= v < n:
            raise ValueError(f"kth(={v}) out of bounds ({n})")
        out.append(v + n if v < 0 else v)
    return out


def _partition(a, kth, axis, kind, order, indices: bool) -> Array:
    if kind != "introselect":
        raise ValueError(f"partition kind must be 'introselect' (got {kind!r})")
    if order is not None:
        raise ValueError("Cannot specify order when the array has no fields.")
    x = _as_array(a)
    if axis is None:
        x, ax = ravel(x), 0
    else:
        if x.ndim == 0:
            raise np.exceptions.AxisError(operator.index(axis), 0)
        ax = normalize_axis_index(operator.index(axis), x.ndim)
    ks = _kth(kth, x.shape[ax])
    return Array(_core.partition(x._node, ax, ks, indices))


@implements(np.partition)
def partition(a, kth, axis=-1, kind="introselect", order=None):
    """NumPy's ``partition``: along an axis held by one chunk each lane is selected in Rust
    (``select_nth_unstable`` at each ``kth``); along a chunked axis the chunked sort is returned
    (a sorted lane is partitioned at every rank), keeping the chunks.

    >>> import numpy as np, oxarray as ox
    >>> int(np.partition(ox.asarray(np.array([3, 4, 2, 1])), 2)[2])
    3
    """
    return _partition(a, kth, axis, kind, order, False)


@implements(np.argpartition)
def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """NumPy's ``argpartition`` (int64 positions), as ``partition`` arranges the values."""
    return _partition(a, kth, axis, kind, order, True)


def _partition_method(self, kth, axis=-1, kind="introselect", order=None):
    """``x.partition(kth)``: in place, as NumPy's method — the Array now stands for its
    partitioned self."""
    self._node = partition(self, kth, axis=axis, kind=kind, order=order)._node


def _argpartition_method(self, kth, axis=-1, kind="introselect", order=None):
    return argpartition(self, kth, axis=axis, kind=kind, order=order)


Array.partition = _partition_method
Array.argpartition = _argpartition_method
