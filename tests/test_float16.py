"""float16 (NumPy's 'e'), the 14th dtype: ingest and results, casts both ways with NumPy's cast
warnings, every ufunc on float16 and on the bool/int8/uint8 inputs NumPy computes in float16
(each op rounds to half, so fused chains equal NumPy bit for bit), reductions, scans and sorting,
against NumPy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential, quiet
from oxarray.testing import SUPPORTED_DTYPES, arrays, assert_eq, chunkings, shapes

F16 = np.dtype("float16")
SMALL = [np.dtype(d) for d in ("bool", "int8", "uint8")]
SPECIALS = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -2.5, 65504, -65504, 6e-8, -6e-5,
                     1e-4, 0.5, 3.0, 1000.0, -7.0], dtype=F16)
UNARY = sorted(u.__name__ for u in vars(np).values()
               if isinstance(u, np.ufunc) and u.nin == 1 and u.nout == 1
               and any(t.startswith("e->") for t in u.types))
BINARY = sorted(u.__name__ for u in vars(np).values()
                if isinstance(u, np.ufunc) and u.nin == 2 and u.nout == 1 and u.signature is None
                and any(t.startswith("ee->") for t in u.types))
MULTI = ["frexp", "modf", "divmod", "ldexp"]
SETTINGS = settings(max_examples=25, deadline=None)
PER_UFUNC = settings(max_examples=6, deadline=None)  # ~200 ufunc x dtype pairs: keep the file fast


def halves(**kw):
    return st.floats(width=16, **kw)


@st.composite
def case(draw, dtype=F16, max_dims=2, elements=None):
    shape = draw(shapes(max_dims=max_dims, max_side=6))
    a = draw(arrays(dtype, shape, elements=elements))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


def _bits_equal(actual, expected):
    """Same dtype and the same bits (NaNs equal, zeros' signs seen)."""
    actual = np.asarray(actual.compute() if isinstance(actual, ox.Array) else actual)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if expected.dtype == F16:
        nan = np.isnan(expected)
        np.testing.assert_array_equal(np.isnan(actual), nan)
        np.testing.assert_array_equal(actual.view(np.uint16)[~nan], expected.view(np.uint16)[~nan])
    else:
        np.testing.assert_array_equal(actual, expected)


# --- storage ---------------------------------------------------------------------------------
@SETTINGS
@given(c=case(elements=halves()))
@example(c=(SPECIALS, ox.from_array(SPECIALS, chunks=5)))
def test_ingest_and_compute_round_trip(c):
    a, x = c
    assert x.dtype == F16
    _bits_equal(x, a)
    _bits_equal(ox.asarray(a) + 0, a + np.float16(0))


def test_namespace_and_info():
    assert ox.float16 is np.float16
    fi = ox.finfo(ox.float16)
    assert (fi.bits, fi.eps, fi.max, fi.smallest_normal) == (16, 2.0**-10, 65504.0, 2.0**-14)
    assert type(fi.eps) is float
    assert "float16" not in ox.__array_namespace_info__().dtypes()  # not an Array API dtype
    x = ox.asarray(np.arange(3, dtype=F16))
    assert repr(np.asarray(x)) == repr(np.arange(3, dtype=F16))
    assert ox.zeros(3, dtype="float16").dtype == F16
    assert_eq(ox.ones(2, dtype=F16), np.ones(2, F16))


# --- casts -----------------------------------------------------------------------------------
ALL = [*sorted(SUPPORTED_DTYPES, key=str)]


@pytest.mark.parametrize("dtype", ALL, ids=str)
def test_cast_to_half(dtype):
    src = np.array([0, 1, -1, 2.5, 1e-8, 1e-5, 65519, 65520, 70000, 1e30, np.nan, np.inf, 300, -129],
                   dtype=np.float64)
    with quiet():
        a = src.astype(dtype)
        want = a.astype(F16)
    _bits_equal(ox.asarray(a).astype(F16), want)
    # The same warnings as NumPy ("overflow encountered in cast"...), at the call's errstate.
    with warnings.catch_warnings(record=True) as got_np:
        warnings.simplefilter("always")
        a.astype(F16)
    with warnings.catch_warnings(record=True) as got_ox:
        warnings.simplefilter("always")
        ox.asarray(a).astype(F16).compute()
    assert sorted({str(w.message) for w in got_ox if w.category is RuntimeWarning}) == \
        sorted({str(w.message) for w in got_np if w.category is RuntimeWarning})


@pytest.mark.parametrize("dtype", ALL, ids=str)
def test_cast_from_half(dtype):
    a = SPECIALS
    with quiet():
        want = a.astype(dtype)
    _bits_equal(ox.asarray(a).astype(dtype), want)
    with np.errstate(invalid="raise"):
        if dtype.kind in "iu":
            with pytest.raises(FloatingPointError, match="invalid value encountered in cast"):
                a.astype(dtype)
            with pytest.raises(FloatingPointError, match="invalid value encountered in cast"):
                ox.asarray(a).astype(dtype).compute()


def test_cast_overflow_raises_under_errstate():
    a = np.array([1.0, 1e5])
    with np.errstate(over="raise"):
        x = ox.asarray(a).astype("float16")
    with pytest.raises(FloatingPointError, match="overflow encountered in cast"):
        x.compute()


# --- ufuncs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [F16, *SMALL], ids=str)
@PER_UFUNC
@given(data=st.data())
def test_unary_ufuncs(name, dtype, data):
    f = getattr(np, name)
    a, x = data.draw(case(dtype, elements=halves() if dtype == F16 else None))
    differential(lambda: f(a), lambda: f(x))


@pytest.mark.parametrize("name", UNARY)
def test_unary_ufuncs_special_values(name):
    f = getattr(np, name)
    x = ox.from_array(SPECIALS, chunks=6)
    actual = differential(lambda: f(SPECIALS), lambda: f(x))
    if actual is not None and name not in ("sin", "cos", "tan", "arcsin", "arccos", "arctan",
                                           "sinh", "cosh", "tanh", "arcsinh", "arccosh",
                                           "arctanh", "exp", "exp2", "expm1", "log", "log2",
                                           "log10", "log1p", "cbrt"):
        with quiet():
            _bits_equal(actual, f(SPECIALS))  # exact ops: NumPy's bits


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("dtype", [F16, *SMALL], ids=str)
@PER_UFUNC
@given(data=st.data())
def test_binary_ufuncs(name, dtype, data):
    f = getattr(np, name)
    shape = data.draw(shapes(max_dims=2, max_side=5))
    el = halves() if dtype == F16 else None
    a = data.draw(arrays(dtype, shape, elements=el))
    b = data.draw(arrays(dtype, shape, elements=el))
    x, y = ox.from_array(a, chunks=data.draw(chunkings(shape))), ox.asarray(b)
    differential(lambda: f(a, b), lambda: f(x, y))


@pytest.mark.parametrize("name", BINARY)
def test_binary_ufuncs_special_values(name):
    f = getattr(np, name)
    a, b = np.meshgrid(SPECIALS, SPECIALS)
    x, y = ox.from_array(a, chunks=(5, 7)), ox.asarray(b)
    actual = differential(lambda: f(a, b), lambda: f(x, y))
    if actual is not None and name in ("add", "subtract", "multiply", "divide", "true_divide",
                                       "maximum", "minimum", "fmax", "fmin", "nextafter",
                                       "copysign", "less", "equal", "greater_equal"):
        with quiet():
            _bits_equal(actual, f(a, b))


@pytest.mark.parametrize("name", MULTI)
@pytest.mark.parametrize("dtype", [F16, *SMALL], ids=str)
def test_multi_output_ufuncs(name, dtype):
    f = getattr(np, name)
    a = SPECIALS.astype(dtype) if dtype == F16 else np.arange(-5, 6).astype(dtype)
    x = ox.asarray(a)
    if name in ("divmod",):
        args_np, args_ox = (a, a[::-1]), (x, x[::-1])
    elif name == "ldexp":
        n = np.arange(a.size, dtype=np.int32) - 8
        args_np, args_ox = (a, n), (x, ox.asarray(n))
    else:
        args_np, args_ox = (a,), (x,)
    try:
        with quiet():
            want = f(*args_np)
    except TypeError:
        with pytest.raises(TypeError):
            f(*args_ox)
        return
    with quiet():
        got = f(*args_ox)
    for g, w in zip(got, want, strict=True):
        assert_eq(g, w)


@SETTINGS
@given(c=case(elements=halves(min_value=-8, max_value=8)))
def test_fused_chain_rounds_at_each_op(c):
    a, x = c
    with quiet():
        want = (a * a + a) / np.float16(3) - np.sqrt(np.abs(a))
        got = (x * x + x) / np.float16(3) - np.sqrt(np.abs(x))
        _bits_equal(got, want)


def test_arithmetic_overflow_warns_as_numpy():
    a = np.array([60000, 1], dtype=F16)
    with pytest.warns(RuntimeWarning, match="overflow encountered in add"):
        (ox.asarray(a) + ox.asarray(a)).compute()
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow encountered in multiply"):
        (ox.asarray(a) * np.float16(2)).compute()


def test_small_integers_compute_in_half():
    a = np.arange(-4, 5, dtype=np.int8)
    for f in (np.sin, np.sqrt, np.exp, np.log, np.degrees, np.cbrt, np.spacing):
        with quiet():
            want = f(a)
            got = f(ox.asarray(a))
        assert want.dtype == F16 and got.dtype == F16
        assert_eq(got, want)


# --- reductions, scans, sorting ----------------------------------------------------------------
INTS = halves(min_value=-16, max_value=16).map(round)  # sums exact in half


@pytest.mark.parametrize("name", ["sum", "prod", "min", "max", "argmin", "argmax", "mean", "ptp",
                                  "all", "any", "nansum", "nanmax", "nanmin"])
@SETTINGS
@given(c=case(elements=INTS), axis=st.sampled_from([None, 0, -1]))
def test_reductions(name, c, axis):
    a, x = c
    if name == "prod":
        a = np.clip(a, -2, 2)
        x = ox.from_array(a, chunks=x.chunks)
    if axis is not None and a.ndim == 0:
        axis = None
    f = getattr(np, name)
    differential(lambda: f(a, axis=axis), lambda: f(x, axis=axis))


@SETTINGS
@given(c=case(elements=halves(min_value=-100, max_value=100)))
def test_mean_var_std_within_half_precision(c):
    a, x = c
    for f in (np.mean, np.var, np.std):
        with quiet():
            want = f(a.astype(np.float64)).astype(F16)  # NumPy's own float16 var loses more
            got = f(x)
        assert got.dtype == F16
        assert_eq(got, want, rtol=2e-3, atol=1e-2)


def test_long_sum_is_accurate():
    a = np.ones(10000, F16)
    assert float(ox.asarray(a).sum()) == float(a.sum()) == 10000.0


@SETTINGS
@given(c=case(max_dims=2, elements=halves()))
def test_cumsum_sort_argsort(c):
    a, x = c
    if a.ndim == 0:
        return
    with quiet():
        assert_eq(np.sort(x, axis=-1), np.sort(a, axis=-1))
        assert_eq(np.argsort(x, axis=-1, stable=True), np.argsort(a, axis=-1, stable=True))
        assert_eq(np.cumsum(x.astype(np.float32), axis=-1).astype(F16),
                  np.cumsum(a.astype(np.float32), axis=-1).astype(F16))
        assert_eq(np.cumsum(x, axis=-1), np.cumsum(a.astype(np.float64), axis=-1).astype(F16),
                  rtol=2e-3, atol=1e-2)


@SETTINGS
@given(c=case(max_dims=1, elements=halves()))
def test_unique_searchsorted(c):
    a, x = c
    if a.ndim == 0:
        return
    assert_eq(np.unique(x), np.unique(a))
    s = np.sort(a)
    v = SPECIALS
    assert_eq(np.searchsorted(ox.asarray(s), ox.asarray(v)), np.searchsorted(s, v))


def test_matmul_and_where():
    a = np.arange(6, dtype=F16).reshape(2, 3)
    assert_eq(ox.asarray(a) @ ox.asarray(a.T), a @ a.T)
    assert_eq(ox.where(ox.asarray(a) > 2, ox.asarray(a), np.float16(-1)),
              np.where(a > 2, a, np.float16(-1)))


@pytest.mark.parametrize("name", ["nanmean", "nanvar", "nanstd", "nansum", "nanmedian"])
def test_nan_aware_statistics(name):
    a = np.array([[1, 2.5, -3], [np.nan, 4, 0.1], [np.nan, np.nan, 7]], F16)
    f = getattr(np, name)
    for axis in (None, 0, 1):
        differential(lambda axis=axis: f(a, axis=axis), lambda axis=axis: f(ox.asarray(a, chunks=2), axis=axis),
                     rtol=2e-3, atol=1e-3)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "rfftn"])
def test_fft_computes_half_in_single_precision(name):
    a = np.array([[1, 2.5, -3, 0.5], [2, 4, 0.1, -1]], F16)
    f = getattr(np.fft, name)
    differential(lambda: f(a), lambda: f(ox.asarray(a, chunks=1)), rtol=2e-3, atol=1e-3)
