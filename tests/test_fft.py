"""np.fft on lazy arrays against numpy.fft: every function and keyword (n=/s=, axis=/axes=,
norm=, out=), irregular chunks along and across the transformed axes, bool/int/float32/float64/
complex dtypes, n smaller and larger than the axis, odd/even/prime lengths, and NumPy's errors at
the call. Tolerances grow with log2(n) and the size of the input (the L1 norm bounds every DFT
output), in the precision of the result.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential, quiet
from oxarray.testing import assert_eq, chunkings

NORMS = [None, "backward", "ortho", "forward"]
DTYPES = ["bool", "int8", "int64", "uint16", "float32", "float64", "complex64", "complex128"]
REAL_DTYPES = [d for d in DTYPES if not d.startswith("complex")]
ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn"]
SETTINGS = settings(max_examples=40, deadline=None)


def tolerance(a: np.ndarray, n: int) -> dict:
    """rtol/atol for a transform of `a` over `n` points: eps of the result precision times
    log2(n), relative to the L1 norm of the input (a bound on every output)."""
    single = a.dtype in (np.float32, np.complex64)
    eps = float(np.finfo(np.float32 if single else np.float64).eps)
    growth = 16 * (math.log2(max(n, 2)) + 1) * eps
    scale = max(1.0, float(np.abs(a.astype(np.complex128)).sum()))
    return {"rtol": growth, "atol": growth * scale}


@st.composite
def signals(draw, dtypes=DTYPES, min_dims=1, max_dims=3, max_side=12):
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=min_dims, max_size=max_dims)))
    a = draw(bounded_data(dtype, shape))
    return a, draw(chunkings(a.shape))


@given(data=st.data(), sig=signals(), func=st.sampled_from(ONE_D), norm=st.sampled_from(NORMS))
@SETTINGS
@example(data=None, sig=(np.arange(7.0), ((3, 4),)), func="fft", norm=None)
@example(data=None, sig=(np.zeros((3, 0)), ((3,), (0,))), func="rfft", norm=None)
@example(data=None, sig=(np.ones(1, complex), ((1,),)), func="irfft", norm=None)
def test_one_d_transforms(data, sig, func, norm):
    a, chunks = sig
    if data is None:
        axis, n = -1, None
    else:
        axis = data.draw(st.integers(-a.ndim - 1, a.ndim), label="axis")
        n = data.draw(st.one_of(st.none(), st.integers(-1, 2 * max(a.shape) + 3)), label="n")
    x = ox.asarray(a, chunks=chunks)
    np_f, ox_f = getattr(np.fft, func), getattr(ox.fft, func)
    length = n if n is not None and n > 0 else (a.shape[axis] if -a.ndim <= axis < a.ndim else 1)
    differential(lambda: np_f(a, n=n, axis=axis, norm=norm),
                 lambda: np_f(x, n=n, axis=axis, norm=norm), **tolerance(a, length))
    differential(lambda: np_f(a, n, axis, norm), lambda: ox_f(x, n, axis, norm),
                 **tolerance(a, length))


@st.composite
def nd_args(draw, a):
    """(s, axes) for the n-d transforms: axes None or a list of (maybe repeated, negative)
    axes; s None or one length per axis (-1 for "keep")."""
    axes = draw(st.one_of(
        st.none(),
        st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=a.ndim + 1),
    ))
    k = a.ndim if axes is None else len(axes)
    s = draw(st.one_of(st.none(), st.lists(st.integers(1, 9) | st.just(-1), min_size=k, max_size=k)))
    if s is not None and axes is None:
        axes = list(range(-len(s), 0))  # NumPy's deprecated spelling is tested below
    return s, axes


@given(data=st.data(), sig=signals(max_side=7), func=st.sampled_from(N_D),
       norm=st.sampled_from(NORMS))
@SETTINGS
@example(data=None, sig=(np.arange(12.0).reshape(3, 4), ((1, 2), (3, 1))), func="rfft2", norm="ortho")
def test_n_d_transforms(data, sig, func, norm):
    a, chunks = sig
    x = ox.asarray(a, chunks=chunks)
    if data is None:
        s, axes = None, (-2, -1)
    else:
        s, axes = data.draw(nd_args(a), label="s, axes")
    kwargs = {"s": s, "norm": norm}
    if axes is not None or func.endswith("n"):
        kwargs["axes"] = axes
    n = math.prod([v for v in (s or a.shape) if v and v > 0] or [1])
    differential(lambda: getattr(np.fft, func)(a, **kwargs),
                 lambda: getattr(np.fft, func)(x, **kwargs), **tolerance(a, n))


def test_nd_deprecated_s_without_axes_warns_as_numpy():
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=2)
    with pytest.warns(DeprecationWarning):
        got = np.fft.fftn(x, s=(5,))
    with quiet():
        assert_eq(got, np.fft.fftn(a, s=(5,)))


@given(sig=signals(dtypes=["float64", "complex128", "int32", "float32"], min_dims=1, max_dims=2),
       func=st.sampled_from(["fft", "ifft", "rfft", "ihfft"]), data=st.data())
@settings(max_examples=25, deadline=None)
def test_out_is_rebound_as_numpy_writes_it(sig, func, data):
    a, chunks = sig
    if a.shape[-1] == 0 or (func in ("rfft", "ihfft") and a.dtype.kind == "c"):
        return
    expected = getattr(np.fft, func)(a)
    out_dtype = data.draw(st.sampled_from([expected.dtype, np.complex64, np.complex128]))
    out = ox.zeros(expected.shape, dtype=out_dtype, chunks=3)
    res = getattr(np.fft, func)(ox.asarray(a, chunks=chunks), out=out)
    assert res is out
    np_out = np.zeros(expected.shape, dtype=out_dtype)
    getattr(np.fft, func)(a, out=np_out)
    assert_eq(out, np_out, **tolerance(a, a.shape[-1]))


def test_out_errors_and_ignored_out():
    x = ox.asarray(np.ones((2, 3)), chunks=1)
    with pytest.raises(ValueError, match="output array has wrong shape"):
        np.fft.fft(x, out=ox.zeros((2, 4), dtype=complex))
    with pytest.raises(TypeError, match="Cannot cast ufunc 'fft' output"):
        np.fft.fft(x, out=ox.zeros((2, 3)))
    # NumPy 2.4's hfft/ifft2/irfft2 accept out= and do not write it; so do we.
    out = ox.zeros((2, 4))
    y = np.fft.hfft(x, out=out)
    assert y is not out and (out.compute() == 0).all()


@pytest.mark.parametrize("call, exc, match", [
    (lambda f, x: f.fft(x, n=0), ValueError, r"Invalid number of FFT data points \(0\) specified."),
    (lambda f, x: f.fft(x, n=-1), ValueError, r"Invalid number of FFT data points \(-1\)"),
    (lambda f, x: f.ifft(x[:, :0]), ValueError, r"Invalid number of FFT data points \(0\)"),
    (lambda f, x: f.irfft(x[:, :1]), ValueError, r"Invalid number of FFT data points \(0\)"),
    (lambda f, x: f.fft(x, norm="bad"), ValueError, r'"backward","ortho" or "forward"'),
    (lambda f, x: f.ifft(x, norm="bad"), ValueError, r'"backward", "ortho" or "forward"'),
    (lambda f, x: f.hfft(x, norm="bad"), ValueError, "Invalid norm value bad"),
    (lambda f, x: f.fft(x, axis=2), IndexError, "tuple index out of range"),
    (lambda f, x: f.fft(x, n=4, axis=2), np.exceptions.AxisError, "axis 2 is out of bounds"),
    (lambda f, x: f.fft(x, n=2.0), TypeError, "cannot be interpreted as an integer"),
    (lambda f, x: f.fft(x, axis=1.0), TypeError, "tuple indices must be integers"),
    (lambda f, x: f.rfft(x.astype(complex)), TypeError, "not supported for the input types"),
    (lambda f, x: f.fftn(x, s=(4, 5), axes=(0, 1, 1)), ValueError, "Shape and axes have different"),
    (lambda f, x: f.fftn(x, s=(2, 3, 4)), np.exceptions.AxisError, "out of bounds"),
    (lambda f, x: f.rfftn(x, axes=()), IndexError, ""),
    (lambda f, x: f.fftfreq(4.0), ValueError, "n should be an integer"),
    (lambda f, x: f.fftshift(x, axes=5), IndexError, ""),
])
def test_numpy_errors_at_the_call(call, exc, match):
    a = np.arange(12.0).reshape(3, 4)
    with quiet(), pytest.raises(exc, match=match):
        call(np.fft, a)
    with quiet(), pytest.raises(exc, match=match):
        call(np.fft, ox.asarray(a, chunks=2))  # NEP 18
    with quiet(), pytest.raises(exc, match=match):
        call(ox.fft, ox.asarray(a, chunks=2))


def test_zero_d_input_errors_as_numpy():
    for kwargs, exc in [({}, IndexError), ({"n": 4}, np.exceptions.AxisError)]:
        with pytest.raises(exc):
            np.fft.fft(np.float64(3), **kwargs)
        with pytest.raises(exc):
            np.fft.fft(ox.asarray(3.0), **kwargs)


@pytest.mark.parametrize("dtype, want", [
    ("bool", "complex128"), ("int8", "complex128"), ("uint64", "complex128"),
    ("float32", "complex64"), ("float64", "complex128"), ("complex64", "complex64"),
])
def test_result_dtypes_are_numpy_2s(dtype, want):
    x = ox.ones(6, dtype=dtype, chunks=4)
    assert np.fft.fft(x).dtype == np.dtype(want) == np.fft.fft(np.ones(6, dtype)).dtype
    assert np.fft.ifftn(x).dtype == np.dtype(want)
    real = np.dtype(want).char.lower().replace("g", "f")
    assert np.fft.irfft(x).dtype == np.fft.irfft(np.ones(6, dtype)).dtype
    assert np.fft.hfft(x).dtype == np.fft.hfft(np.ones(6, dtype)).dtype
    if not dtype.startswith("complex"):
        assert np.fft.rfft(x).dtype == np.dtype(want) == np.fft.ihfft(x).dtype
    assert real


@given(n=st.integers(-2, 40), d=st.sampled_from([1.0, 0.5, 3, np.float32(0.25)]),
       func=st.sampled_from(["fftfreq", "rfftfreq"]))
@settings(max_examples=40, deadline=None)
@example(n=0, d=1.0, func="fftfreq")
def test_frequencies(n, d, func):
    differential(lambda: getattr(np.fft, func)(n, d), lambda: getattr(ox.fft, func)(n, d))


def test_frequencies_device_and_dtype():
    f = ox.fft.fftfreq(8, d=0.1, device="cpu", dtype=np.float32)
    assert f.dtype == np.float32
    assert_eq(f, np.fft.fftfreq(8, d=0.1).astype(np.float32))
    with pytest.raises(ValueError, match="Device not understood"):
        ox.fft.rfftfreq(8, device="gpu")


@given(sig=signals(dtypes=["int16", "float64", "complex64"], min_dims=0, max_dims=3, max_side=7),
       func=st.sampled_from(["fftshift", "ifftshift"]), data=st.data())
@settings(max_examples=40, deadline=None)
def test_shifts(sig, func, data):
    a, chunks = sig
    axes = data.draw(st.one_of(
        st.none(),
        st.integers(-a.ndim, a.ndim - 1) if a.ndim else st.none(),
        st.lists(st.integers(-a.ndim, a.ndim - 1), max_size=3) if a.ndim else st.just([]),
    ), label="axes")
    x = ox.asarray(a, chunks=chunks)
    got = differential(lambda: getattr(np.fft, func)(a, axes), lambda: getattr(np.fft, func)(x, axes))
    if got is not None:
        assert ox.fft.fftshift(ox.fft.ifftshift(x, axes), axes).shape == a.shape


def test_array_api_namespace_has_the_fft_extension():
    x = ox.asarray(np.arange(10.0), chunks=3)
    xp = x.__array_namespace__()
    assert xp.fft is ox.fft
    assert_eq(xp.fft.irfft(xp.fft.rfft(x, n=10), n=10), np.arange(10.0), atol=1e-12)
    for name in ["fft", "ifft", "fftn", "ifftn", "rfft", "irfft", "rfftn", "irfftn", "hfft",
                 "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]:
        assert callable(getattr(xp.fft, name))
    assert_eq(xp.fft.fftn(x, s=(12,), axes=(0,), norm="ortho"),
              np.fft.fftn(np.arange(10.0), s=(12,), axes=(0,), norm="ortho"))


def test_lazy_until_computed_and_chunks_kept_across():
    a = np.random.default_rng(1).random((9, 10))
    x = ox.asarray(a, chunks=((4, 5), (3, 3, 4)))
    y = np.fft.fft(x, axis=1)
    assert isinstance(y, ox.Array)
    assert y.chunks == ((4, 5), (10,))
    z = np.fft.rfft(x, axis=0)
    assert z.chunks == ((5,), (3, 3, 4))
    assert_eq(z, np.fft.rfft(a, axis=0))


def test_blocks_of_whole_lanes_stay_near_chunk_bytes():
    a = np.ones((64, 64))
    with ox.config.set(chunk_bytes=64 * 16 * 8):  # eight complex lanes
        y = np.fft.fft(ox.asarray(a, chunks=(64, 16)), axis=1)
    assert y.chunks == ((8,) * 8, (64,))
    assert_eq(y, np.fft.fft(a, axis=1))


@pytest.mark.parametrize("n, chunks, call", [
    (1 << 16, ((10_000, 30_000, 25_536),), lambda f, x: f.fft(x)),
    (1 << 16, ((1 << 15, 1 << 15),), lambda f, x: f.ifft(x, norm="ortho")),
    (3 * 7 * 4096, 20_000, lambda f, x: f.fft(x, n=3 * 7 * 4096 + 4096)),
    (70_000, 30_000, lambda f, x: f.fft(x, n=1 << 16, norm="forward")),
    (65_537, 30_000, lambda f, x: f.fft(x)),  # prime: whole-axis lanes
])
def test_long_split_axes_four_step(n, chunks, call):
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    x = ox.asarray(a, chunks=chunks)
    got = call(np.fft, x)
    want = call(np.fft, a)
    tol = tolerance(a, n)
    assert_eq(got, want, rtol=tol["rtol"], atol=tol["atol"] / math.sqrt(n))
    assert_eq(np.fft.ifft(got), np.fft.ifft(want), atol=tol["atol"] / math.sqrt(n))


def test_four_step_single_precision_and_real_input():
    a = np.random.default_rng(2).standard_normal(1 << 17).astype(np.float32)
    x = ox.asarray(a, chunks=40_000)
    got = np.fft.fft(x)
    assert got.dtype == np.complex64
    want = np.fft.fft(a)
    assert_eq(got, want, rtol=1e-3, atol=1e-3 * float(np.abs(a).sum()) / math.sqrt(a.size))


def test_lane_too_large_for_a_block_is_a_memory_error_at_the_call():
    x = ox.asarray(np.ones(1009), chunks=500)  # prime: no four-step
    with ox.config.set(fft_block_bytes=1000), pytest.raises(MemoryError, match="fft_block_bytes"):
        np.fft.fft(x)
    with ox.config.set(fft_block_bytes=1000), pytest.raises(MemoryError):
        np.fft.rfft(ox.ones((3, 1 << 20), chunks=(1, 1 << 19)))
