"""Power-series polynomials (highest degree first): ``poly``, ``polyadd``, ``polysub``,
``polymul``, ``polydiv``, ``polyder``, ``polyint``, ``polyval``, ``polyfit``, ``roots``, and
``vander``.

Compositions of lazy ops, written as NumPy writes them (each ``np.*`` call below dispatches to
oxarray): ``polyval`` is Horner's rule, which fuses into one elementwise pass; ``polymul`` is our
``convolve`` kernel; ``polyfit`` is ``vander`` + our ``lstsq``; ``roots`` is our ``eigvals`` of the
companion matrix; ``vander`` is a cumulative product. Where NumPy's result shape or dtype depends
on the values, the call computes only that (documented): ``roots`` the positions of the first and
last non-zero coefficients, ``polydiv`` the number of leading near-zero remainder terms, ``poly``
whether complex roots come in conjugate pairs (then the result is real, as in NumPy).
``roots`` returns complex128 always, as our ``eigvals`` does. ``polyval2d``/``polygrid2d`` (of
``numpy.polynomial.polynomial``, lowest degree first) are Horner's rule along each coordinate.
"""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of

__all__ = ["poly", "polyadd", "polyder", "polydiv", "polyfit", "polygrid2d", "polyint", "polymul",
           "polysub", "polyval", "polyval2d", "roots", "vander"]


def _arr(x) -> Array:
    return x if isinstance(x, Array) else Array(node_of(x))


def _atleast_1d(x) -> Array:
    x = _arr(x)
    return x.reshape(1) if x.ndim == 0 else x


def _zeros(n: int, dtype) -> Array:
    from ._creation import zeros

    return zeros(n, dtype=dtype)


@implements(np.vander)
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-d ``x``: columns are powers of ``x`` (a cumulative
    product, so each power is the same sequence of multiplications as NumPy's)."""
    x = _arr(x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = x.shape[0]
    if N is None:
        N = n
    N = operator.index(N)
    dtype = np.promote_types(x.dtype, int)
    if N < 0:
        raise ValueError("negative dimensions are not allowed")
    if N == 0:
        return _zeros((n, 0), dtype)
    from ._creation import ones

    x = x.astype(dtype)
    cols = [ones((n, 1), dtype=dtype)]
    if N > 1:
        cols.append(np.cumprod(np.broadcast_to(x[:, np.newaxis], (n, N - 1)), axis=1))
    v = np.concatenate([_arr(c) for c in cols], axis=1)
    return v if increasing else v[:, ::-1]


@implements(np.polyval)
def polyval(p, x):
    """``p[0] * x**(N-1) + ... + p[N-1]`` by Horner's rule (one fused elementwise pass)."""
    p = _arr(p)
    x = _arr(x if isinstance(x, Array) else np.asanyarray(x))
    y = np.zeros_like(x)
    for i in range(len(p)):
        y = y * x + p[i]
    return y


def _poly_pad(a1: Array, a2: Array):
    diff = a2.shape[0] - a1.shape[0]
    if diff > 0:
        a1 = np.concatenate((_zeros(diff, a1.dtype), a1))
    elif diff < 0:
        a2 = np.concatenate((_zeros(-diff, a2.dtype), a2))
    return a1, a2


@implements(np.polyadd)
def polyadd(a1, a2):
    """The sum of two polynomials (the shorter padded with leading zeros)."""
    a1, a2 = _poly_pad(_atleast_1d(a1), _atleast_1d(a2))
    return a1 + a2


@implements(np.polysub)
def polysub(a1, a2):
    """The difference of two polynomials (the shorter padded with leading zeros)."""
    a1, a2 = _poly_pad(_atleast_1d(a1), _atleast_1d(a2))
    return a1 - a2


@implements(np.polymul)
def polymul(a1, a2):
    """The product of two polynomials: the convolution of their coefficients with leading zeros
    dropped, as NumPy's ``poly1d`` drops them (their count is computed at the call)."""
    return np.convolve(_poly1d_coeffs(a1), _poly1d_coeffs(a2))


def _poly1d_coeffs(c) -> Array:
    from ._shaping import trim_zeros

    c = _atleast_1d(c)
    if c.ndim > 1:
        raise ValueError("Polynomial must be 1d only.")
    c = trim_zeros(c, trim="f")
    return _zeros(1, c.dtype) if c.shape[0] == 0 else c


@implements(np.polyder)
def polyder(p, m=1):
    """The ``m``-th derivative of a polynomial."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = _arr(p)
    n = len(p) - 1
    y = p[:-1] * np.arange(n, 0, -1)
    return p if m == 0 else polyder(y, m - 1)


@implements(np.polyint)
def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative of a polynomial, with integration constants ``k``."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = np.zeros(m, float)
    k = _atleast_1d(k)
    if len(k) == 1 and m > 1:
        k = k[0] * np.ones(m, float)
    if len(k) < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = _arr(p)
    if m == 0:
        return p
    y = np.concatenate((p / np.arange(len(p), 0, -1), k[0:1]))
    return polyint(y, m - 1, k=k[1:])


@implements(np.polydiv)
def polydiv(u, v):
    """Quotient and remainder of polynomial division (NumPy's long division on lazy slices;
    the remainder's leading near-zero terms are trimmed, which computes them)."""
    u = _atleast_1d(u) + 0.0
    v = _atleast_1d(v) + 0.0
    w_dtype = np.result_type(u.dtype, v.dtype)
    m = len(u) - 1
    n = len(v) - 1
    scale = 1.0 / v[0]
    q = _zeros(max(m - n + 1, 1), w_dtype)
    r = u.astype(w_dtype)
    for k in range(m - n + 1):
        d = scale * r[k]
        q[k] = d
        r[k:k + n + 1] -= d * v
    # NumPy drops leading terms while allclose(r[0], 0, rtol=1e-14): |r[0]| <= 1e-8.
    small = (np.abs(r) <= 1e-8).compute()
    lead = 0
    while lead < len(small) - 1 and small[lead]:
        lead += 1
    return q, r[lead:]


@implements(np.poly)
def poly(seq_of_zeros):
    """The coefficients of the monic polynomial with the given roots (or of a square matrix's
    characteristic polynomial, through our ``eigvals``)."""
    z = _atleast_1d(seq_of_zeros)
    sh = z.shape
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        z = np.linalg.eigvals(z)
    elif len(sh) == 1:
        z = z.astype(np.dtype(np.mintypecode(z.dtype.char)))
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if len(z) == 0:
        return 1.0
    dt = z.dtype
    a = _arr(np.ones((1,), dtype=dt))
    for i in range(len(z)):
        # convolve(a, [1, -z]): the two products added in NumPy's order.
        neg = -z[i]
        a = np.concatenate((a, _zeros(1, dt))) + np.concatenate((_zeros(1, dt), a * neg))
    if a.dtype.kind == "c":
        roots_ = z.astype(np.complex128)
        if bool(np.all(np.sort(roots_) == np.sort(np.conjugate(roots_)))):
            a = np.real(a)
    return a


@implements(np.roots)
def roots(p):
    """The roots of a polynomial: eigenvalues of its companion matrix (our ``eigvals``). The
    positions of the first and last non-zero coefficients are computed at the call (they fix
    the result's length). The dtype depends on the data, as NumPy's (its ``eigvals`` returns
    real roots when every imaginary part is exactly zero, for a real polynomial): that one flag
    is computed at the call too, in the same pass as the roots, whose blocks are kept (see
    ``decide_now``), so nothing is computed twice and the result's dtype is known when the call
    returns."""
    p = _atleast_1d(p)
    if p.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    non_zero = np.nonzero((p != 0).compute())[0]
    if len(non_zero) == 0:
        return _arr(np.array([]))
    trailing_zeros = len(p) - int(non_zero[-1]) - 1
    p = p[int(non_zero[0]):int(non_zero[-1]) + 1]
    if p.dtype.kind not in "fc":
        p = p.astype(float)
    N = len(p)
    if N > 1:
        # The companion matrix: -p[1:] / p[0] on the first row, ones below the diagonal.
        first = (-p[1:] / p[0]).reshape(1, N - 1)
        A = np.concatenate((first.astype(p.dtype), _arr(np.eye(N - 2, N - 1, dtype=p.dtype))))
        r = np.linalg.eigvals(A)
        if p.dtype.kind != "c":
            from ._ufuncs_more import decide_now

            imag = Array(_core.unary("imag", r._node))
            r, real = decide_now(r, np.all(imag == 0))
            if real:
                r = Array(_core.unary("real", r._node))
    else:
        r = _arr(np.array([], dtype=p.dtype))
    return np.concatenate((r, _zeros(trailing_zeros, r.dtype)))


@implements(np.polyfit)
def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit: ``vander`` scaled per column, then our ``lstsq`` (with
    ``w=``, ``cov=`` (True or "unscaled") and ``full=`` as NumPy).

    Without ``full=True``, NumPy warns (``RankWarning``) when the fit is rank deficient, which
    only the data can tell: the coefficients (and the residuals for ``cov=True``) are then
    computed at the call, in one pass with the rank, and returned as in-memory Arrays. With
    ``full=True`` (no warning, the rank is returned) everything stays lazy."""
    order = int(deg) + 1
    x = _arr(x) + 0.0
    y = _arr(y) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = len(x) * np.finfo(x.dtype).eps
    lhs = vander(x, order)
    rhs = y
    if w is not None:
        w = _arr(w) + 0.0
        if w.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if w.shape[0] != y.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, np.newaxis]
        rhs = rhs * w[:, np.newaxis] if rhs.ndim == 2 else rhs * w
    scale = np.sqrt((lhs * lhs).sum(axis=0))
    lhs = lhs / scale
    c, resids, rank, s = np.linalg.lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if full:
        return c, resids, rank, s, rcond
    # NumPy's RankWarning needs the rank now: one pass computes it with what we return.
    kept = _core.persist([c._node, resids._node, rank._node])
    c, resids = Array(kept[0]), Array(kept[1])
    if int(Array(kept[2]).compute()) != order:
        import warnings

        from ._errstate import _stacklevel

        warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning,
                      stacklevel=_stacklevel() - 1)  # counted from here
    if cov:
        Vbase = np.linalg.inv(lhs.T @ lhs)
        Vbase = Vbase / np.outer(scale, scale)
        if cov == "unscaled":
            fac = 1
        else:
            if len(x) <= order:
                raise ValueError("the number of data points must exceed order to scale the "
                                 "covariance matrix")
            fac = resids / (len(x) - order)
        if y.ndim == 1:
            return c, Vbase * fac
        return c, Vbase[:, :, np.newaxis] * fac
    return c


def _series_val(x, c, tensor=True):
    """``numpy.polynomial.polynomial.polyval`` (coefficients lowest degree first; ``tensor``:
    each trailing coefficient axis evaluated at every ``x``), Horner's rule on lazy ops."""
    c = _atleast_1d(c)
    if c.dtype.kind in "biu":
        c = c + 0.0
    if isinstance(x, (tuple, list)):
        x = np.asarray(x)
    if isinstance(x, (np.ndarray, Array)) and tensor:
        c = c.reshape(c.shape + (1,) * x.ndim)
    c0 = c[-1] + x * 0
    for i in range(2, len(c) + 1):
        c0 = c[-i] + c0 * x
    return c0


@implements(np.polynomial.polynomial.polyval2d)
def polyval2d(x, y, c):
    """The 2-d power series ``sum c[i, j] x**i y**j`` at the points ``(x, y)``."""
    x, y = (a if isinstance(a, Array) else np.asanyarray(a) for a in (x, y))
    if x.shape != y.shape:
        raise ValueError("x, y are incompatible")
    return _series_val(y, _series_val(x, c), tensor=False)


@implements(np.polynomial.polynomial.polygrid2d)
def polygrid2d(x, y, c):
    """The 2-d power series on the Cartesian product of ``x`` and ``y``."""
    return _series_val(y, _series_val(x, c))
