"""The remaining ufuncs (bitwise_count, spacing, degrees/radians, ldexp, frexp, modf, divmod), the
elementwise functions NumPy writes on ufuncs (fix, isposinf, isneginf, iscomplex, isreal,
real_if_close, i0, unwrap) and np.emath, against NumPy."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential, public_type, quiet
from oxarray.testing import SUPPORTED_DTYPES, arrays, assert_eq, chunkings, dtypes, shapes

ALL = sorted(SUPPORTED_DTYPES, key=str)
SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.5, -2.5, 3.0, -7.0, 1e-310, 1e308])


@st.composite
def case(draw, kinds="biufc", max_dims=3):
    shape = draw(shapes(max_dims=max_dims, max_side=5))
    a = draw(arrays(draw(dtypes(kinds)), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


def _lazy(a):
    return ox.from_array(a, chunks=max(1, a.size // 3) if a.ndim == 1 else "auto")


def _same_zeros(actual, expected):
    """assert_allclose does not see the sign of zero; NumPy's ufuncs here promise it."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if expected.dtype.kind == "f":
        zero = expected == 0
        np.testing.assert_array_equal(np.signbit(actual[zero]), np.signbit(expected[zero]))


# --- one-output ufuncs -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bitwise_count", "spacing", "degrees", "radians"])
@given(c=case())
def test_unary(name, c):
    a, x = c
    f = getattr(np, name)
    actual = differential(lambda: f(a), lambda: f(x))
    if actual is not None:
        with quiet():
            want = f(a)
        _same_zeros(actual.compute(), want)
        assert_eq(getattr(ox, name)(x), want)  # the namespace's function


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_spacing_special_values(dtype):
    a = SPECIALS.astype(dtype)
    with quiet():
        want = np.spacing(a)
    got = np.spacing(_lazy(a)).compute()
    np.testing.assert_array_equal(got, want)
    _same_zeros(got, want)


@given(c=case("biuf"), e=st.data())
@example(c=(SPECIALS, ox.asarray(SPECIALS, chunks=4)), e=None)
def test_ldexp(c, e):
    a, x = c
    if e is None:
        n = np.arange(-5, 6) * 300
    else:
        n = e.draw(arrays(e.draw(dtypes("biu")), a.shape))
    for exp in (n, ox.asarray(n), 3, -2000, 2**70):  # 2**70: NumPy's OverflowError
        differential(lambda exp=exp: np.ldexp(a, exp), lambda exp=exp: np.ldexp(x, exp))


def test_ldexp_rounding_and_flags():
    x = np.array([1.0, 1.5, 3.0, 1e308, 5e-324, -1.0])
    n = np.array([-1075, -1074, -1073, 10, 2098, 1023], dtype=np.int32)
    np.testing.assert_array_equal(np.ldexp(ox.asarray(x), n).compute(), np.ldexp(x, n))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        np.ldexp(ox.asarray(x), n).compute()
    assert [str(m.message) for m in w] == ["overflow encountered in ldexp"]
    with np.errstate(over="raise"):
        y = np.ldexp(ox.asarray(x), n)
    with pytest.raises(FloatingPointError, match="overflow encountered in ldexp"):
        y.compute()


def _messages(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
        if isinstance(out, ox.Array):
            out.compute()
    return [str(m.message) for m in w]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_spacing_and_i0_report_numpys_overflow(dtype):
    a = np.array([1.0, np.finfo(dtype).max, np.inf, np.nan], dtype=dtype)
    assert _messages(lambda: np.spacing(ox.asarray(a))) == _messages(lambda: np.spacing(a))
    b = np.array([1.0, 800.0, 30.0], dtype=dtype)  # i0(inf) is NaN, reported by NumPy as divide's
    assert _messages(lambda: np.i0(ox.asarray(b))) == _messages(lambda: np.i0(b))
    with np.errstate(over="raise"):
        y = np.spacing(ox.asarray(a))
    with pytest.raises(FloatingPointError, match="overflow encountered in spacing"):
        y.compute()


# --- two-output ufuncs -------------------------------------------------------------------------
def _pairs_equal(actual, expected):
    assert isinstance(actual, tuple) and len(actual) == len(expected) == 2
    for got, want in zip(actual, expected, strict=True):
        with quiet():
            assert_eq(got, want)
        _same_zeros(got.compute(), want)


@pytest.mark.parametrize("name", ["modf", "frexp"])
@given(c=case())
@example(c=(SPECIALS, ox.asarray(SPECIALS, chunks=3)))
@example(c=(SPECIALS.astype(np.float32)[:0], ox.asarray(SPECIALS.astype(np.float32)[:0])))
@example(c=(np.array(-2.5), ox.asarray(np.array(-2.5))))
def test_two_outputs(name, c):
    a, x = c
    f = getattr(np, name)
    try:
        with quiet():
            want = f(a)
    except Exception as exc:
        with pytest.raises(public_type(exc)):
            f(x)
        return
    _pairs_equal(f(x), want)
    _pairs_equal(getattr(ox, name)(x), want)


@given(c=case("biuf", max_dims=2), data=st.data())
def test_divmod(c, data):
    a, x = c
    b = data.draw(arrays(data.draw(dtypes("biuf")), a.shape[-1:] if a.ndim else ()))
    y = data.draw(st.sampled_from([b, ox.asarray(b), 3, -2.5]))
    bb = np.asarray(y.compute()) if isinstance(y, ox.Array) else y
    try:
        with quiet():
            want = np.divmod(a, bb)
    except Exception as exc:
        with pytest.raises(public_type(exc)):
            np.divmod(x, y)
        return
    with quiet():
        _pairs_equal(np.divmod(x, y), want)
        _pairs_equal(ox.divmod(x, y), want)


def test_divmod_reports_numpys_errors_once():
    a, b = np.array([1.0, 0.0, -3.0, np.inf]), np.array([0.0, 0.0, 2.0, 1.0])

    def messages(f, *args):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = f(*args)
            if isinstance(out[0], ox.Array):
                ox.compute(*out)
        return sorted(str(m.message) for m in w)

    assert messages(np.divmod, ox.asarray(a), ox.asarray(b)) == messages(np.divmod, a, b)
    for i in range(a.size):  # one flag pattern at a time
        sa, sb = a[i:i + 1], b[i:i + 1]
        assert messages(np.divmod, ox.asarray(sa), sb) == messages(np.divmod, sa, sb)
    ia, ib = np.array([4, 5]), np.array([0, 2])
    assert messages(np.divmod, ox.asarray(ia), ox.asarray(ib)) == messages(np.divmod, ia, ib)
    with np.errstate(divide="raise"):
        q, r = np.divmod(ox.asarray(a), 0.0)
    with pytest.raises(FloatingPointError, match="divide by zero encountered in divmod"):
        ox.compute(q, r)


def test_out_tuples_and_where():
    a = np.array([-2.5, 0.5, 3.0, -0.0])
    x = ox.asarray(a, chunks=2)
    f, i = ox.zeros(4), ox.ones(4)
    res = np.modf(x, out=(f, i))
    assert res[0] is f and res[1] is i
    _pairs_equal((f, i), np.modf(a))
    m, e = ox.zeros(4), ox.zeros(4, dtype=np.int32)
    np.frexp(x, m, e)  # positional outs
    _pairs_equal((m, e), np.frexp(a))
    frac, _ = np.modf(x, out=(ox.full(4, 9.0), None), where=np.array([True, False, True, False]))
    assert_eq(frac, np.modf(a, out=(np.full(4, 9.0), None), where=np.array([True, False, True, False]))[0])
    with pytest.raises(ValueError, match="exactly one entry per ufunc output"):
        np.modf(x, out=(ox.zeros(4),))
    with pytest.raises(TypeError):
        np.modf(x, out=ox.zeros(4))
    with pytest.raises(TypeError):  # a float mantissa into an int out: same_kind refuses
        np.frexp(x, out=(ox.zeros(4, dtype=np.int64), ox.zeros(4, dtype=np.int32)))
    q, r = ox.zeros(4), ox.zeros(4)
    np.divmod(x, 2, out=(q, r))
    _pairs_equal((q, r), np.divmod(a, 2))


# --- type resolution: every input dtype (pair), graph only ---------------------------------------
def _resolution(f, *args):
    try:
        out = f(*args)
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return public_type(exc)
    outs = out if isinstance(out, tuple) else (out,)
    return tuple(o.dtype for o in outs)


@pytest.mark.parametrize("name", ["bitwise_count", "spacing", "degrees", "radians", "modf", "frexp"])
def test_unary_dtype_table(name):
    f = getattr(np, name)
    for d in ALL:
        want = _resolution(f, np.ones(2, d))
        assert _resolution(f, ox.ones(2, dtype=d)) == want, (name, d)


@pytest.mark.parametrize("name", ["ldexp", "divmod"])
def test_binary_dtype_table(name):
    f = getattr(np, name)
    for d1 in ALL:
        for d2 in ALL:
            want = _resolution(f, np.ones(2, d1), np.ones(2, d2))
            got = _resolution(f, ox.ones(2, dtype=d1), ox.ones(2, dtype=d2))
            assert got == want, (name, d1, d2)


# --- ufunc methods -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["bitwise_count", "spacing", "degrees", "radians"])
def test_unary_at(name):
    f = getattr(np, name)
    a = np.arange(-3, 5) if name == "bitwise_count" else np.linspace(-3, 4, 8)
    idx = [0, 2, 2, 7]
    want = a.copy()
    f.at(want, idx)
    x = ox.asarray(a, chunks=3)
    assert f.at(x, idx) is None
    assert_eq(x, want)


def test_ldexp_at_outer_and_refused_methods():
    a = np.linspace(-3, 4, 8)
    want = a.copy()
    np.ldexp.at(want, [1, 1, 5], np.array([2, 3, -1]))
    x = ox.asarray(a, chunks=3)
    np.ldexp.at(x, [1, 1, 5], np.array([2, 3, -1]))
    assert_eq(x, want)
    assert_eq(np.ldexp.outer(ox.asarray(a[:3]), np.arange(4)), np.ldexp.outer(a[:3], np.arange(4)))
    q, r = np.divmod.outer(ox.asarray(a[:3]), np.array([2.0, -3.0]))
    wq, wr = np.divmod.outer(a[:3], np.array([2.0, -3.0]))
    assert_eq(q, wq)
    assert_eq(r, wr)
    for call in (lambda m: np.ldexp.reduce(m), lambda m: np.ldexp.accumulate(m),
                 lambda m: np.modf.at(m, [0]), lambda m: np.frexp.outer(m, m),
                 lambda m: np.modf.reduce(m), lambda m: np.divmod.at(m, [0], 1.0)):
        with pytest.raises(Exception) as exc:
            call(a.copy())
        with pytest.raises(public_type(exc.value)):
            call(ox.asarray(a))


def test_new_ops_fuse_into_one_program():
    x = ox.asarray(np.linspace(-3, 3, 10), chunks=5)
    y = np.modf(x)[0] * 2 + np.ldexp(x, 3) + np.spacing(np.degrees(x))
    assert re.search(r"fused\s+2\n", y.explain()), y.explain()  # one program per chunk
    with quiet():
        want = np.modf(x.compute())[0] * 2 + np.ldexp(x.compute(), 3) + np.spacing(np.degrees(x.compute()))
    assert_eq(y, want)


# --- NEP 18 functions ----------------------------------------------------------------------------
@given(c=case())
@example(c=(SPECIALS, ox.asarray(SPECIALS, chunks=4)))
def test_fix_and_infinity_tests(c):
    a, x = c
    for f in (np.fix, np.isposinf, np.isneginf, np.iscomplex, np.isreal):
        actual = differential(lambda f=f: f(a), lambda f=f: f(x))
        if f is np.fix and actual is not None:
            _same_zeros(actual.compute(), np.fix(a))
    out = ox.zeros(a.shape, dtype=bool)
    if a.dtype.kind != "c":
        np.isposinf(x, out=out)
        assert_eq(out, np.isposinf(a))


@given(c=case("biufc"), tol=st.sampled_from([100, 1000, 1e-3]), small=st.booleans())
def test_real_if_close(c, tol, small):
    a, x = c
    if small and a.dtype.kind == "c":
        a = (a.real + 1j * np.finfo(a.dtype).eps).astype(a.dtype)
        x = ox.asarray(a, chunks=x.chunks)
    differential(lambda: np.real_if_close(a, tol=tol), lambda: np.real_if_close(x, tol=tol))
    if a.dtype.kind == "c":
        lazy = x * 1  # not in memory: its blocks are computed once, with the flag
        differential(lambda: np.real_if_close(a * 1, tol=tol), lambda: np.real_if_close(lazy, tol=tol))


@given(c=case("biufc"))
@example(c=(np.array([0.0, -0.0, 1.0, -8.0, 8.0, 8.5, -30.0, 700.0, 720.0, np.inf, np.nan]),
            ox.asarray(np.array([0.0, -0.0, 1.0, -8.0, 8.0, 8.5, -30.0, 700.0, 720.0, np.inf, np.nan]))))
def test_i0(c):
    a, x = c
    differential(lambda: np.i0(a), lambda: np.i0(x), rtol=1e-6 if a.dtype == np.float32 else 1e-13)


@given(data=st.data())
def test_unwrap(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=6))
    dtype = data.draw(dtypes("iuf"))
    a = data.draw(bounded_data(dtype, shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    kw = data.draw(st.sampled_from([{}, {"discont": 4.0}, {"period": 360}, {"period": 7, "discont": 1},
                                    {"period": 6}, {"period": 1.5}]))
    differential(lambda: np.unwrap(a, axis=axis, **kw), lambda: np.unwrap(x, axis=axis, **kw),
                 rtol=1e-5, atol=1e-4)


def test_unwrap_errors_and_edges():
    a = np.array([0.0, 3.0, 6.5, -1.0, 12.0])
    assert_eq(np.unwrap(ox.asarray(a, chunks=2)), np.unwrap(a))
    with pytest.raises(np.exceptions.AxisError):
        np.unwrap(ox.asarray(a), axis=1)
    with pytest.raises(ValueError):
        np.unwrap(ox.asarray(np.array(1.0)))
    assert_eq(np.unwrap(ox.asarray(a[:1])), np.unwrap(a[:1]))
    assert_eq(np.unwrap(ox.asarray(a[:0])), np.unwrap(a[:0]))


# --- np.emath ----------------------------------------------------------------------------------
EMATH = ["sqrt", "log", "log2", "log10", "arccos", "arcsin", "arctanh"]


@pytest.mark.parametrize("name", EMATH)
@given(c=case("biufc"))
@example(c=(np.array([0.25, 4.0]), ox.asarray(np.array([0.25, 4.0]))))
@example(c=(np.array([-0.25, 4.0]), ox.asarray(np.array([-0.25, 4.0]))))
@example(c=(np.array([], dtype=np.float32), ox.asarray(np.array([], dtype=np.float32))))
def test_emath_unary(name, c):
    a, x = c
    f = getattr(np.emath, name)
    differential(lambda: f(a), lambda: f(x), rtol=1e-5, atol=1e-6)
    differential(lambda: f(a * 1), lambda: f(x * 1), rtol=1e-5, atol=1e-6)  # not in memory


@given(c=case("iuf", max_dims=1), p=st.sampled_from([2, -2, 0.5, 3, np.array([2, -1])]),
       n=st.sampled_from([2, 10, -3, 0.5]))
def test_emath_power_and_logn(c, p, n):
    a, x = c
    if isinstance(p, np.ndarray) and a.shape not in ((2,), ()):
        p = 2
    pp = ox.asarray(p) if isinstance(p, np.ndarray) else p
    differential(lambda: np.emath.power(a, p), lambda: np.emath.power(x, pp), rtol=1e-5, atol=1e-6)
    differential(lambda: np.emath.logn(n, a), lambda: np.emath.logn(n, x), rtol=1e-5, atol=1e-6)


def test_emath_decides_dtype_at_the_call():
    x = ox.asarray(np.array([4.0, -1.0]), chunks=1)
    y = np.emath.sqrt(x)
    assert y.dtype == np.complex128
    assert np.emath.sqrt(ox.asarray(np.array([4.0, 1.0]))).dtype == np.float64
    u8 = np.array([4, 1], dtype=np.uint8)  # NumPy computes sqrt of uint8 in float16, as we do
    assert_eq(np.emath.sqrt(ox.asarray(u8)), np.emath.sqrt(u8))
    assert_eq(y, np.emath.sqrt(np.array([4.0, -1.0])))
