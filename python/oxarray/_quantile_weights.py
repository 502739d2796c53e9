"""``weights=`` of ``quantile``/``percentile``/``nanquantile``/``nanpercentile`` (NumPy 2.x: only
``method="inverted_cdf"``).

A composition of lazy ops and Rust kernels, as NumPy's own recipe: a stable argsort of each lane
(the chunked merge sort), the values and weights gathered in that order (``_core.take_along``),
the cumulative weights (a Rust scan) normalized to a CDF, and for each ``q`` the first position
whose CDF reaches ``q`` (a count of the CDF below ``q``: an elementwise compare fused into a sum),
whose value is gathered. What NumPy decides from the values is decided at compute by check
nodes: negative lazy weights, and NaN, inf or all-zero weights, raise NumPy's ValueError from
``compute()`` (at the call when the weights are NumPy data, as NumPy does).
"""

from __future__ import annotations

import numpy as np

from ._array import Array
from ._elementwise import apply_ufunc, node_of
from ._manipulation import broadcast_to, moveaxis, reshape
from ._nan import checked
from ._searching import where
from ._searchsorted import take_along

_BAD_WEIGHTS = "Weights included NaN, inf or were all zero."
_NEGATIVE = "Weights must be non-negative."
_ALL_NAN = "All-NaN slice encountered"


def valid_weights(weights, x: Array, axis):
    """NumPy's ``_weights_are_valid`` and its sign check: the weights broadcast to ``x``'s shape
    (lazy) and a 0-d bool Array, true when a lazy weight is negative (None for NumPy data,
    checked here)."""
    w = weights if isinstance(weights, Array) else np.asanyarray(weights)
    if axis is not None:
        axis = np.lib.array_utils.normalize_axis_tuple(axis, x.ndim, argname="axis")
    if w.shape != x.shape:
        if axis is None:
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        if w.shape != tuple(x.shape[ax] for ax in axis):
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
        order = tuple(int(i) for i in np.argsort(axis))
        w = w.transpose(order)
        w = reshape(w, tuple(s if ax in axis else 1 for ax, s in enumerate(x.shape))) \
            if isinstance(w, Array) else w.reshape(tuple(s if ax in axis else 1
                                                          for ax, s in enumerate(x.shape)))
    negative = None
    if isinstance(w, Array):
        from ._statistical import any as any_

        negative = any_(apply_ufunc(np.less, w, 0))
    elif np.any(w < 0):  # NumPy data: checked at the call, as NumPy does
        raise ValueError(_NEGATIVE)
    w = w if isinstance(w, Array) else Array(node_of(w))
    if w.shape != x.shape:
        w = broadcast_to(w, x.shape)
    return w, negative


def weighted_quantile(flat: Array, wflat: Array, negative: Array | None, q: np.ndarray,
                      skip_nan: bool) -> Array:
    """The weighted ``inverted_cdf`` quantiles of the last axis of ``flat`` (weights ``wflat`` of
    the same shape): shape ``q.shape + flat.shape[:-1]``, ``flat``'s dtype."""
    from ._scans import cumsum
    from ._statistical import sum as sum_

    n = flat.shape[-1]
    rest = flat.shape[:-1]
    inexact = flat.dtype.kind == "f"
    nan = apply_ufunc(np.isnan, flat) if inexact else None
    if skip_nan and inexact:
        wflat = where(nan, np.asarray(0, wflat.dtype), wflat)  # a NaN's weight does not count
    if wflat.chunks != flat.chunks:
        wflat = wflat.rechunk(flat.chunks)
    from ._sorting import argsort

    order = argsort(flat, axis=-1)
    values = take_along(flat, order, -1)
    w = take_along(wflat, order, -1)
    cdf = cumsum(w, axis=-1, dtype=np.float64)
    total = cdf[..., n - 1:]
    if skip_nan and inexact:
        count = sum_(apply_ufunc(np.logical_not, nan), axis=-1)
        empty = apply_ufunc(np.equal, count, 0)
        # An all-NaN lane has no values (NumPy drops them): no 0/0 there, its last value is NaN.
        total = where(reshape(empty, rest + (1,)), np.asarray(1.0), total)
    cdf = apply_ufunc(np.true_divide, cdf, total)
    bad = apply_ufunc(np.isnan, cdf[..., n - 1])  # 0/0 or inf/inf: NumPy's test
    if q.dtype.kind == "f" and q.dtype != np.float64:
        cdf = cdf.astype(q.dtype)
    # Leading zero weights: NumPy sets a zero CDF to -1 so that q = 0 picks the first value of
    # positive weight (a lane whose first CDF is not zero has no zero at all).
    cdf = where(apply_ufunc(np.equal, cdf, 0), np.asarray(-1, cdf.dtype), cdf)
    m = q.size
    qs = np.asarray(q).reshape(m, 1)
    below = apply_ufunc(np.less, reshape(cdf, rest + (1, n)), qs.astype(cdf.dtype))
    idx = sum_(below, axis=-1)  # rest + (m,)
    if skip_nan and inexact:
        last = apply_ufunc(np.subtract, count, 1)
        idx = apply_ufunc(np.minimum, idx, reshape(last, rest + (1,)))
    else:
        idx = apply_ufunc(np.minimum, idx, n - 1)
    result = take_along(values, idx, -1)  # rest + (m,): an all-NaN lane reads its last, NaN
    if inexact and not skip_nan:
        last = values[..., n - 1:]
        result = where(apply_ufunc(np.isnan, last), last, result)
    result = moveaxis(result, -1, 0)
    result = reshape(result, q.shape + rest)
    result = checked(result, reshape(bad, rest), _BAD_WEIGHTS, warn=False)
    if negative is not None:
        result = checked(result, negative, _NEGATIVE, warn=False)
    if skip_nan and inexact:
        result = checked(result, empty, _ALL_NAN, warn=True)
    return result
