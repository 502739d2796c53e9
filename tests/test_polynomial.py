"""The poly* family, roots, vander and linalg.cond against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential, quiet
from oxarray.testing import assert_eq, chunkings, dtypes


@st.composite
def coeffs(draw, kinds="iufc", min_side=1, max_side=6):
    n = draw(st.integers(min_side, max_side))
    a = draw(bounded_data(draw(dtypes(kinds)), (n,)))
    return a, ox.from_array(a, chunks=draw(chunkings(a.shape)))


def _tol(pn, xn, degree) -> dict:
    """Rounding bound for a sum of products of these magnitudes (the evaluation order of a
    complex product or of NumPy's dot may differ from ours)."""
    dt = np.result_type(pn, xn)
    if dt.kind not in "fc":
        return {}
    eps = float(np.finfo(dt).eps)
    mx = float(np.abs(xn.astype(np.complex128)).max(initial=0)) + 1
    scale = (float(np.abs(pn.astype(np.complex128)).max(initial=0)) + 1) * mx ** degree
    scale *= degree + 1
    return {"rtol": 16 * eps, "atol": 16 * eps * scale}


@given(p=coeffs(), x=coeffs(min_side=0, max_side=8))
@example(p=(np.array([1.0, 2.0, 3.0]), ox.asarray([1.0, 2.0, 3.0])),
         x=(np.array(2.0), ox.asarray(2.0)))
def test_polyval(p, x):
    (pn, px), (xn, xx) = p, x
    tol = _tol(pn, xn, len(pn))
    differential(lambda: np.polyval(pn, xn), lambda: np.polyval(px, xx), **tol)
    differential(lambda: np.polyval(pn, xn), lambda: np.polyval(px, xn), **tol)


@given(a=coeffs(), b=coeffs())
def test_polyadd_polysub_polymul(a, b):
    (an, ax), (bn, bx) = a, b
    differential(lambda: np.polyadd(an, bn), lambda: np.polyadd(ax, bx))
    differential(lambda: np.polysub(an, bn), lambda: np.polysub(ax, bn))
    differential(lambda: np.polymul(an, bn), lambda: np.polymul(ax, bx),
                 **_tol(an, bn, len(an) + len(bn)))


@given(p=coeffs(), m=st.integers(-1, 3))
def test_polyder(p, m):
    pn, px = p
    differential(lambda: np.polyder(pn, m), lambda: np.polyder(px, m))


@given(p=coeffs(), m=st.integers(-1, 3), k=st.sampled_from([None, 2.0, [1, 2, 3], [1j]]))
def test_polyint(p, m, k):
    pn, px = p
    differential(lambda: np.polyint(pn, m, k), lambda: np.polyint(px, m, k))


@given(u=coeffs(kinds="if"), v=coeffs(kinds="if", max_side=3))
@example(u=(np.array([1.0, -3.0, 2.0]), ox.asarray([1.0, -3.0, 2.0])),
         v=(np.array([1.0, -1.0]), ox.asarray([1.0, -1.0])))
def test_polydiv(u, v):
    (un, ux), (vn, vx) = u, v
    if vn[0] == 0:
        vn = vn.copy()
        vn[0] = 1
        vx = ox.asarray(vn)
    with quiet():
        expected = np.polydiv(un, vn)
    actual = np.polydiv(ux, vx)
    for a, e in zip(actual, expected, strict=True):
        assert_eq(a, e, rtol=1e-7, atol=1e-7)


@given(z=coeffs(kinds="ifc", min_side=0, max_side=5))
def test_poly_of_roots(z):
    zn, zx = z
    rtol = 1e-4 if zn.dtype.itemsize <= 8 and zn.dtype.kind in "fc" else 1e-7
    differential(lambda: np.poly(zn), lambda: ox.asarray(np.poly(zx)), rtol=rtol, atol=1e-6)


def test_poly_of_matrix():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert_eq(np.poly(ox.asarray(a)), np.poly(a), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("p", [[1.0, -3.0, 2.0], [0.0, 1.0, -3.0, 2.0, 0.0, 0.0], [2.0], [0.0],
                               [1, 0, 1], [3, 5]])
def test_roots(p):
    expected = np.sort_complex(np.roots(p).astype(complex))
    r = np.roots(ox.asarray(p, chunks=2))
    got = np.sort_complex(r.compute().astype(complex))
    assert r.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


@given(x=coeffs(kinds="biufc", min_side=0, max_side=6), N=st.sampled_from([None, 0, 1, 3, -1]),
       inc=st.booleans())
def test_vander(x, N, inc):
    xn, xx = x
    differential(lambda: np.vander(xn, N, inc), lambda: np.vander(xx, N, inc),
                 rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("deg", [0, 1, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ydim", [1, 2])
def test_polyfit(deg, weighted, ydim):
    rng = np.random.default_rng(deg)
    x = np.linspace(-1, 1, 20)
    y = rng.standard_normal((20,) if ydim == 1 else (20, 3))
    w = rng.random(20) + 0.5 if weighted else None
    xo, yo = ox.asarray(x, chunks=7), ox.asarray(y, chunks=(5, -1)[:ydim])
    assert_eq(np.polyfit(xo, yo, deg, w=w), np.polyfit(x, y, deg, w=w), rtol=1e-8, atol=1e-10)
    for cov in (True, "unscaled"):
        c, v = np.polyfit(xo, yo, deg, w=w, cov=cov)
        ce, ve = np.polyfit(x, y, deg, w=w, cov=cov)
        assert_eq(c, ce, rtol=1e-8, atol=1e-10)
        assert_eq(v, ve, rtol=1e-7, atol=1e-10)
    full = np.polyfit(xo, yo, deg, full=True)
    expected = np.polyfit(x, y, deg, full=True)
    for a, e in zip(full[:2], expected[:2], strict=True):
        assert_eq(a, e, rtol=1e-8, atol=1e-10)
    assert int(full[2]) == expected[2]


def test_polyfit_errors():
    for args in (([1.0, 2.0], [1.0], 1), ([[1.0]], [1.0], 1), ([], [], 1), ([1.0], [1.0], -1)):
        with pytest.raises((TypeError, ValueError)) as e_ox:
            np.polyfit(ox.asarray(args[0]), ox.asarray(args[1]), args[2])
        with pytest.raises(type(e_ox.value)):
            np.polyfit(*args)


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_cond(p, shape, dtype):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    tol = 1e-4 if dtype in (np.float32,) else 1e-8
    assert_eq(np.linalg.cond(ox.asarray(a), p), np.linalg.cond(a, p), rtol=tol, atol=0)


def test_cond_errors():
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cond(ox.asarray(np.ones(3)))
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cond(ox.asarray(np.ones((2, 3))), 1)


@given(x=coeffs(kinds="if", max_side=5), c=st.sampled_from([(1,), (2, 3), (3, 1), (1, 4)]),
       data=st.data())
def test_polyval2d_polygrid2d(x, c, data):
    from numpy.polynomial import polynomial as P

    xn, xx = x
    yn = data.draw(bounded_data(np.float64, xn.shape))
    yx = ox.from_array(yn, chunks=data.draw(chunkings(yn.shape)))
    cn = data.draw(bounded_data(data.draw(dtypes("iuf")), c))
    tol = {"rtol": 1e-5, "atol": 1e-3 * (1 + float(np.abs(cn.astype(float)).max()))
           * (1 + float(np.abs(np.r_[xn.astype(float), yn]).max(initial=0))) ** 8}
    differential(lambda: P.polyval2d(xn, yn, cn), lambda: P.polyval2d(xx, yx, cn), **tol)
    differential(lambda: P.polyval2d(xn, yn, cn), lambda: P.polyval2d(xx, yn, ox.asarray(cn)),
                 **tol)
    differential(lambda: P.polygrid2d(xn, yn[:2], cn), lambda: P.polygrid2d(xx, yx[:2], cn),
                 **tol)


def test_tri_like():
    x = ox.ones(2)
    for args in ((3,), (3, 4, 1), (2, 5, -1, int)):
        got = np.tri(*args, like=x)
        assert isinstance(got, ox.Array)
        assert_eq(got, np.tri(*args))
