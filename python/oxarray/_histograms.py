"""Counting and binning: ``bincount``, ``digitize``, ``histogram``, ``histogram_bin_edges``,
``histogram2d``, ``histogramdd``.

The counts are lazy: each chunk's values are binned by a Rust kernel (a binary search among the
edges, or the value itself for ``bincount``) and tallied per bin (Rust), and the per-chunk
tallies are summed in a tree. What NumPy decides from the data is decided at the call, and
documented per function: ``bincount``'s length (the data's max; its min for NumPy's error on
negative values), ``histogram``'s range when ``range=None`` (the data's min and max: the edges
and NumPy's error for a non-finite range need them) and the number of bins of a string estimator
(``'auto'``, ``'fd'``... need statistics of the data). The edges themselves are built from those
scalars exactly as NumPy builds them.
"""

from __future__ import annotations

import operator
import warnings

import numpy as np

from ._array import Array
from ._dispatch import implements
from ._sets import _arr, _flat, _lookup, _tally


def _scalars(*xs: Array) -> list:
    """Computes the 0-d arrays ``xs`` in one run; NumPy scalars of their dtypes."""
    from . import compute

    return [np.asarray(v)[()] for v in compute(*xs)]


def _like_codes(w: Array, codes: Array) -> Array:
    w = _flat(w)
    return w if w.chunks == codes.chunks else w.rechunk(codes.chunks)


@implements(np.bincount)
def bincount(x, /, weights=None, minlength=0) -> Array:
    """The number of occurrences of each value in the 1-d non-negative integer ``x`` (weighted
    sums with ``weights``), NumPy's ``np.bincount``. Computed at the call: the min and max of
    ``x`` (the result's length is ``max(x) + 1``; a negative value is NumPy's ValueError). The
    counts are lazy (a tally per chunk, summed in a tree).

    >>> import numpy as np, oxarray as ox
    >>> np.bincount(ox.asarray([0, 2, 2, 5])).compute()
    array([1, 0, 2, 0, 0, 1])
    """
    x = _arr(x)
    if x.ndim != 1:
        raise ValueError("object too deep for desired array" if x.ndim > 1 else
                         "object of too small depth for desired array")
    if minlength is None:
        raise TypeError("'NoneType' object cannot be interpreted as an integer")
    minlength = operator.index(minlength)
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    if x.dtype.kind not in "biu":  # NumPy casts uint64 too (values past 2**63 turn negative)
        raise TypeError(f"Cannot cast array data from {x.dtype!r} to dtype('int64') "
                        "according to the rule 'safe'")
    codes = x.astype(np.int64)
    length = minlength
    if x.size:
        lo, hi = _scalars(codes.min(), codes.max())  # documented: the length needs them
        if lo < 0:
            raise ValueError("'list' argument must have no negative elements")
        length = max(int(hi) + 1, minlength)
    if weights is None:
        return _tally(codes, "count", length)
    w = _arr(weights)
    if w.shape != x.shape:
        raise ValueError("The weights and list don't have the same length.")
    if w.dtype.kind == "c":
        raise TypeError("Cannot cast array data from dtype('complex128') to dtype('float64') "
                        "according to the rule 'safe'")
    return _tally(codes, "sum", length, _like_codes(w.astype(np.float64), codes))


def _monotonicity(bins) -> int:
    """1 increasing, -1 decreasing, 0 neither (NumPy's rule); computed at the call for a lazy
    ``bins`` (documented)."""
    if isinstance(bins, Array):
        if bins.ndim != 1:
            raise ValueError("object too deep for desired array" if bins.ndim > 1 else
                             "object of too small depth for desired array")
        if bins.size < 2:
            return 1
        inc, dec = _scalars((bins[1:] >= bins[:-1]).all(), (bins[1:] <= bins[:-1]).all())
        return 1 if inc else (-1 if dec else 0)
    b = np.asarray(bins)
    if b.ndim != 1:
        raise ValueError("object too deep for desired array" if b.ndim > 1 else
                         "object of too small depth for desired array")
    if b.size < 2 or np.all(b[1:] >= b[:-1]):
        return 1
    return -1 if np.all(b[1:] <= b[:-1]) else 0


@implements(np.digitize)
def digitize(x, bins, right=False) -> Array:
    """The index of the bin of each value of ``x`` (NumPy's ``np.digitize``). Lazy: each chunk
    is searched among the bins in Rust. ``bins``' monotonicity is checked at the call (computed
    there when ``bins`` is an oxarray Array)."""
    x = _arr(x)
    if x.dtype.kind == "c":
        raise TypeError("x may not be complex")
    mono = _monotonicity(bins)
    if mono == 0:
        raise ValueError("bins must be monotonically increasing or decreasing")
    b = _arr(bins)
    dt = np.result_type(x.dtype, b.dtype)
    xs, bs = x.astype(dt), b.astype(dt)
    if mono == -1:
        rev = bs[::-1]
        return b.shape[0] - _lookup(xs, rev, "search", not right)
    return _lookup(xs, bs, "search", not right)


def _unsigned_subtract(a, b):
    """``a - b`` as NumPy's histogram does it (exact for integers)."""
    a, b = np.asarray(a), np.asarray(b)
    dt = np.result_type(a, b)
    if dt.kind == "i":
        u = np.dtype(f"u{dt.itemsize}")
        return np.subtract(a, b, casting="unsafe", dtype=u)
    return np.subtract(a, b, dtype=dt)


def _outer_edges(a: Array, range):
    """NumPy's ``_get_outer_edges``; ``range=None`` computes the data's min and max here."""
    if range is not None:
        first_edge, last_edge = range
        if first_edge > last_edge:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(f"supplied range of [{first_edge}, {last_edge}] is not finite")
    elif a.size == 0:
        first_edge, last_edge = 0, 1
    else:
        first_edge, last_edge = _scalars(a.min(), a.max())
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(f"autodetected range of [{first_edge}, {last_edge}] is not finite")
    if first_edge == last_edge:
        first_edge = first_edge - 0.5
        last_edge = last_edge + 0.5
    return first_edge, last_edge


def _percentiles(a: Array, qs) -> list[float]:
    """NumPy's default (linear) percentiles of the flat ``a``, computed at the call."""
    from ._sorting import sort

    s = sort(_flat(a))
    n = s.shape[0]
    picks, plan = [], []
    for q in qs:
        v = q / 100 * (n - 1)
        lo = int(np.floor(v))
        hi = min(lo + 1, n - 1)
        plan.append((len(picks), v - lo))
        picks += [s[lo], s[hi]]
    vals = _scalars(*picks)
    out = []
    for i, t in plan:
        lo, hi = np.float64(vals[i]), np.float64(vals[i + 1])
        diff = hi - lo
        out.append(hi - diff * (1 - t) if t >= 0.5 else lo + diff * t)
    return out


def _bin_width(name: str, a: Array, first_edge, last_edge) -> float:
    """NumPy's bin-width estimators; their statistics are computed at the call."""
    n = a.size
    ptp = float(_unsigned_subtract(*_scalars(a.max(), a.min())))

    def sturges():
        return ptp / (np.log2(n) + 1.0)

    def fd():
        q75, q25 = _percentiles(a, [75, 25])
        return 2.0 * (q75 - q25) * n ** (-1.0 / 3.0)

    if name == "sqrt":
        return ptp / np.sqrt(n)
    if name == "sturges":
        return sturges()
    if name == "rice":
        return ptp / (2.0 * n ** (1.0 / 3))
    if name == "scott":
        return (24.0 * np.pi**0.5 / n) ** (1.0 / 3.0) * float(_scalars(a.std())[0])
    if name == "fd":
        return fd()
    if name == "auto":
        fd_bw = fd()
        return min(fd_bw, sturges()) if fd_bw else sturges()
    if name == "doane":
        if n > 2:
            sg1 = np.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)))
            x = a.astype(np.float64) if a.dtype.kind in "biu" else a
            sigma = float(_scalars(x.std())[0])
            if sigma > 0.0:
                g1 = float(_scalars((((x - x.mean()) / sigma) ** 3).mean())[0])
                return ptp / (1.0 + np.log2(n) + np.log2(1.0 + np.absolute(g1) / sg1))
        return 0.0
    # stone: the bin count minimizing the estimated integrated squared error
    if n <= 1 or ptp == 0:
        return 0
    upper = max(100, int(np.sqrt(n)))
    from . import compute

    counts = compute(*[_counts(a, _edges_equal(first_edge, last_edge, k, a), None)
                       for k in range(1, upper + 1)])

    def jhat(k):
        p = counts[k - 1] / n
        return (2 - (n + 1) * p.dot(p)) / (ptp / k)

    best = min(range(1, upper + 1), key=jhat)
    if best == upper:
        warnings.warn("The number of bins estimated may be suboptimal.", RuntimeWarning,
                      stacklevel=4)
    return ptp / best


def _edges_equal(first_edge, last_edge, n: int, a: Array) -> np.ndarray:
    bin_type = np.result_type(first_edge, last_edge, a.dtype)
    if np.issubdtype(bin_type, np.integer):
        bin_type = np.result_type(bin_type, float)
    return np.linspace(first_edge, last_edge, n + 1, endpoint=True, dtype=bin_type)


def _ravel_and_check_weights(a, weights):
    a = _arr(a)
    if a.dtype == np.bool_:
        warnings.warn(f"Converting input from {a.dtype} to {np.uint8} for compatibility.",
                      RuntimeWarning, stacklevel=3)
        a = a.astype(np.uint8)
    if weights is not None:
        weights = _arr(weights)
        if weights.shape != a.shape:
            raise ValueError("weights should have the same shape as a.")
        weights = _flat(weights)
    return _flat(a), weights


def _bin_edges(a: Array, bins, range, weights) -> np.ndarray:
    """NumPy's ``_get_bin_edges`` (edges as a NumPy array built from scalars)."""
    if isinstance(bins, str):
        if bins not in ("stone", "auto", "doane", "fd", "rice", "scott", "sqrt", "sturges"):
            raise ValueError(f"{bins!r} is not a valid estimator for `bins`")
        if weights is not None:
            raise TypeError("Automated estimation of the number of bins is not supported for "
                            "weighted data")
        first_edge, last_edge = _outer_edges(a, range)
        if range is not None:
            keep = (a >= first_edge) & (a <= last_edge)
            if not bool(keep.all()):
                a = a[keep]
        if a.size == 0:
            n_equal_bins = 1
        else:
            width = _bin_width(bins, a, first_edge, last_edge)
            if width:
                if np.issubdtype(a.dtype, np.integer) and width < 1:
                    width = 1
                n_equal_bins = int(np.ceil(_unsigned_subtract(last_edge, first_edge) / width))
            else:
                n_equal_bins = 1
    elif np.ndim(bins) == 0:
        try:
            n_equal_bins = operator.index(bins)
        except TypeError as e:
            raise TypeError("`bins` must be an integer, a string, or an array") from e
        if n_equal_bins < 1:
            raise ValueError("`bins` must be positive, when an integer")
        first_edge, last_edge = _outer_edges(a, range)
    elif np.ndim(bins) == 1:
        edges = bins.compute() if isinstance(bins, Array) else np.asarray(bins)
        if np.any(edges[:-1] > edges[1:]):
            raise ValueError("`bins` must increase monotonically, when an array")
        return edges
    else:
        raise ValueError("`bins` must be 1d, when an array")
    edges = _edges_equal(first_edge, last_edge, n_equal_bins, a)
    if np.any(edges[:-1] >= edges[1:]):
        raise ValueError(f"Too many bins for data range. Cannot create {n_equal_bins} "
                         "finite-sized bins.")
    return edges


def _bins_of(a: Array, edges: np.ndarray) -> Array:
    """Lazy int64 bin of each value of the 1-d ``a`` among ``edges`` (-1 outside)."""
    from ._creation import asarray

    dt = np.result_type(a.dtype, edges.dtype)
    if dt.kind == "c":
        raise TypeError("histogram of complex values is not supported")
    e = asarray(edges.astype(dt))
    return _lookup(a.astype(dt), e, "bin")


def _counts(a: Array, edges: np.ndarray, weights: Array | None) -> Array:
    nb = max(len(edges) - 1, 0)
    codes = _bins_of(a, edges)
    if weights is None:
        return _tally(codes, "count", nb)
    w = _like_codes(weights, codes)
    if w.dtype.kind == "c":
        re = _tally(codes, "sum", nb, w.real.astype(np.float64))
        im = _tally(codes, "sum", nb, w.imag.astype(np.float64))
        return (re + 1j * im).astype(w.dtype)
    s = _tally(codes, "sum", nb, w.astype(np.float64))
    return s if w.dtype == np.float64 else s.astype(w.dtype)


@implements(np.histogram)
def histogram(a, bins=10, range=None, density=None, weights=None):
    """The histogram of ``a`` (NumPy's ``np.histogram``: every ``bins`` form, ``range``,
    ``density``, ``weights``). Lazy counts (a Rust bin search and tally per chunk, summed in a
    tree). Computed at the call: with ``range=None`` the data's min and max (the edges and
    NumPy's error for a non-finite range need them); with a string ``bins`` the statistics of
    its estimator. The edges are a small in-memory array built as NumPy builds them.

    >>> import numpy as np, oxarray as ox
    >>> np.histogram(ox.asarray([1, 2, 1]), bins=[0, 1, 2, 3])[0].compute()
    array([0, 2, 1])
    """
    from ._creation import asarray

    a, weights = _ravel_and_check_weights(a, weights)
    edges = _bin_edges(a, bins, range, weights)
    n = _counts(a, edges, weights)
    if density:
        db = asarray(np.array(np.diff(edges), float))
        return n / db / n.sum(), asarray(edges)
    return n, asarray(edges)


@implements(np.histogram_bin_edges)
def histogram_bin_edges(a, bins=10, range=None, weights=None) -> Array:
    """The edges ``histogram`` would use (computed at the call, as they depend on the data's
    range or statistics unless ``bins`` is a sequence)."""
    from ._creation import asarray

    a, weights = _ravel_and_check_weights(a, weights)
    return asarray(_bin_edges(a, bins, range, weights))


def _columns(sample) -> list[Array]:
    if isinstance(sample, (list, tuple)):
        cols = [_arr(s) for s in sample]
        if any(c.ndim != 1 for c in cols) or len({c.shape for c in cols}) > 1:
            raise ValueError("all the sample columns must be 1-d of one length")
        return cols
    s = _arr(sample)
    if s.ndim <= 1:
        return [_flat(s)]
    if s.ndim != 2:
        raise ValueError(f"too many values to unpack (expected 2, got {s.ndim})")
    return [s[:, i] for i in np.arange(s.shape[1]).tolist()]


@implements(np.histogramdd)
def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """The multidimensional histogram of ``sample`` (NumPy's ``np.histogramdd``). Lazy counts (a
    bin search per column, a flat bin index, a tally per chunk). Computed at the call: the min
    and max of each column whose ``range`` is not given (NumPy's edges need them)."""
    from ._creation import asarray

    cols = _columns(sample)
    D = len(cols)
    if weights is not None:
        weights = _flat(_arr(weights))
    try:
        M = len(bins)
        if M != D:
            raise ValueError("The dimension of bins must be equal to the dimension of the "
                             "sample x.")
    except TypeError:
        bins = D * [bins]
    if range is None:
        range = (None,) * D
    elif len(range) != D:
        raise ValueError("range argument must have one entry per dimension")
    edges = []
    for i in np.arange(D).tolist():
        if np.ndim(bins[i]) == 0:
            if bins[i] < 1:
                raise ValueError(f"`bins[{i}]` must be positive, when an integer")
            smin, smax = _outer_edges(cols[i], range[i])
            try:
                n = operator.index(bins[i])
            except TypeError as e:
                raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from e
            edges.append(np.linspace(smin, smax, n + 1))
        elif np.ndim(bins[i]) == 1:
            e = bins[i].compute() if isinstance(bins[i], Array) else np.asarray(bins[i])
            if np.any(e[:-1] > e[1:]):
                raise ValueError(f"`bins[{i}]` must be monotonically increasing, when an array")
            edges.append(e)
        else:
            raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
    nbin = [len(e) - 1 for e in edges]
    flat = None
    valid = None
    stride = 1
    for c, e, nb in list(zip(cols, edges, nbin, strict=True))[::-1]:
        b = _bins_of(c, e)
        ok = b >= 0
        flat = b * stride if flat is None else flat + b * stride
        valid = ok if valid is None else valid & ok
        stride *= max(nb, 1)
    total = int(np.prod(nbin, dtype=np.int64))
    if flat is None:
        raise ValueError("histogramdd needs at least one sample column")
    codes = np.where(valid, flat, -1)
    if weights is None:
        hist = _tally(codes, "count", total).astype(np.float64)
    else:
        if weights.shape != codes.shape:
            raise ValueError("weights should have the same length as the sample.")
        hist = _tally(codes, "sum", total, _like_codes(weights.astype(np.float64), codes))
    hist = hist.reshape(nbin)
    if density:
        s = hist.sum()
        for i in np.arange(D).tolist():
            shape = [1] * D
            shape[i] = nbin[i]
            hist = hist / asarray(np.diff(edges[i]).reshape(shape))
        hist = hist / s
    return hist, [asarray(e) for e in edges]


@implements(np.histogram2d)
def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """The 2-d histogram of ``x`` and ``y`` (NumPy's ``np.histogram2d``; ``histogramdd`` of the
    two columns: lazy counts, the ranges not given computed at the call)."""
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N != 1 and N != 2:
        xedges = yedges = bins
        bins = [xedges, yedges]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]
