"""Scans against NumPy: cumsum/cumprod (and the nan- and Array API forms), and NEP 13's
accumulate, reduce, reduceat and outer for every binary ufunc oxarray implements.

Integers are compared exactly (overflow wraps as NumPy's). An associative float scan carries
chunk totals computed in parallel, so it rounds like a sum in another order: floats are compared
with a tolerance scaled by the length and magnitude of the lanes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray._elementwise import _BINARY
from oxarray.testing import assert_eq, chunkings, dtypes, shapes
from tests.helpers import bounded_data, differential, public_type, quiet

SETTINGS = settings(max_examples=40, deadline=None)
BINARY_UFUNCS = [getattr(np, n) for n in sorted(_BINARY)] + [np.float_power]


def _tolerance(a: np.ndarray, result_dtype) -> dict:
    """rtol/atol for a scan of ``a`` computed in another order than NumPy's."""
    dt = np.dtype(result_dtype)
    if dt.kind not in "fc":
        return {}
    eps = np.finfo(dt).eps
    n = max(a.size, 1)
    with quiet():
        mag = float(np.max(np.abs(a[np.isfinite(a)]))) if a.size and np.isfinite(a).any() else 1.0
    return {"rtol": 8 * n * eps, "atol": 8 * n * eps * max(mag, 1.0)}


@st.composite
def cases(draw, kinds="biufc", min_dims=0, max_dims=3, bounded=True):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, max_side=7))
    dtype = draw(dtypes(kinds))
    if bounded or dtype.kind in "fc":
        a = draw(bounded_data(dtype, shape))
    else:
        from oxarray.testing import arrays

        a = draw(arrays(dtype, shape))
    return a, draw(chunkings(a.shape))


def _axis(draw, ndim, allow_none=True):
    choices = [st.integers(-ndim, ndim - 1)] if ndim else []
    if allow_none or not ndim:
        choices.append(st.none())
    return draw(st.one_of(*choices))


# --- cumsum, cumprod and their nan/Array API forms ------------------------------------------
@SETTINGS
@given(c=cases(bounded=False), data=st.data())
@example(c=(np.array([100, 100, 100], np.int8), ((1, 2),)), data=None)
@example(c=(np.array(3.5), ()), data=None)
@example(c=(np.zeros((2, 0)), ((2,), (0,))), data=None)
@example(c=(np.array([1.0, np.nan, np.inf, 2.0, -np.inf]), ((2, 3),)), data=None)
def test_cumsum_cumprod(c, data):
    a, chunks = c
    x = ox.asarray(a, chunks=chunks)
    axis = _axis(data.draw, a.ndim) if data is not None else (None if a.ndim == 0 else -1)
    dtype = data.draw(st.sampled_from([None, None, "int64", "float64", "int8", "complex128"])) \
        if data is not None else None
    for np_f, ox_f in ((np.cumsum, np.cumsum), (np.cumprod, np.cumprod)):
        with quiet():
            try:
                want = np_f(a, axis=axis, dtype=dtype)
            except Exception:
                want = None
        tol = _tolerance(a, want.dtype) if want is not None else {}
        if np_f is np.cumprod and want is not None and want.dtype.kind in "fc":
            tol = {"rtol": tol["rtol"], "atol": 0}
        differential(lambda f=np_f: f(a, axis=axis, dtype=dtype),
                     lambda f=ox_f: f(x, axis=axis, dtype=dtype), **tol)
    tol = _tolerance(a, np.cumsum(a).dtype)
    assert_eq(x.cumsum(axis=axis), np.cumsum(a, axis=axis), **tol)


@SETTINGS
@given(c=cases("fc", min_dims=1), data=st.data())
def test_nancumsum_nancumprod(c, data):
    a, chunks = c
    a = a.copy()
    if a.size:
        a.flat[data.draw(st.lists(st.integers(0, a.size - 1), max_size=3))] = np.nan
    x = ox.asarray(a, chunks=chunks)
    axis = _axis(data.draw, a.ndim)
    tol = _tolerance(np.nan_to_num(a), a.dtype)
    differential(lambda: np.nancumsum(a, axis=axis), lambda: np.nancumsum(x, axis=axis), **tol)
    differential(lambda: np.nancumprod(a, axis=axis), lambda: np.nancumprod(x, axis=axis),
                 rtol=tol["rtol"], atol=0)


def test_nancum_of_integers_is_cum():
    a = np.arange(-3, 9, dtype=np.int16).reshape(3, 4)
    x = ox.asarray(a, chunks=(2, 3))
    assert_eq(np.nancumsum(x, axis=0), np.nancumsum(a, axis=0))
    assert_eq(np.nancumprod(x), np.nancumprod(a))


@SETTINGS
@given(c=cases(min_dims=0, max_dims=2), data=st.data())
def test_cumulative_sum_prod(c, data):
    a, chunks = c
    x = ox.asarray(a, chunks=chunks)
    axis = _axis(data.draw, a.ndim)
    include = data.draw(st.booleans())
    dtype = data.draw(st.sampled_from([None, "float64", "int32"]))
    kw = dict(axis=axis, include_initial=include, dtype=dtype)
    for name in ("cumulative_sum", "cumulative_prod"):
        with quiet():
            try:
                want = getattr(np, name)(a, **kw)
            except Exception:
                want = None
        tol = _tolerance(a, want.dtype) if want is not None else {}
        if name == "cumulative_prod" and tol:
            tol["atol"] = 0
        differential(lambda n=name: getattr(np, n)(a, **kw), lambda n=name: getattr(np, n)(x, **kw),
                     **tol)
        if want is not None:
            assert_eq(getattr(ox, name)(x, **kw), want, **tol)  # the Array API names


def test_cumsum_keeps_chunks_and_never_gathers():
    a = np.arange(40.0).reshape(4, 10)
    x = ox.asarray(a, chunks=(2, 3))
    y = np.cumsum(x, axis=1)
    assert y.chunks == x.chunks
    assert_eq(y, np.cumsum(a, axis=1))
    # The plan scans per block: no task reads more than its own block and a carry.
    assert "scan" in y.explain()


def test_small_ints_accumulate_in_the_platform_int():
    for dt, want in (("bool", "int64"), ("int8", "int64"), ("uint16", "uint64"), ("int32", "int64"),
                     ("float32", "float32"), ("complex64", "complex64")):
        x = ox.asarray(np.ones(5, dt), chunks=2)
        assert np.cumsum(x).dtype == np.dtype(want)
        assert np.cumprod(x).dtype == np.dtype(want)
        assert np.add.accumulate(x).dtype == np.dtype(want)


def test_out_of_scans():
    a = np.array([[100, 100], [100, 100]], np.int8)
    x = ox.asarray(a, chunks=1)
    for kw in ({}, {"axis": 0}, {"axis": 1}):
        for out_dt in ("int8", "float32", "float64", "bool"):
            want_out = np.zeros(a.size if not kw else a.shape, out_dt)
            o = ox.asarray(np.zeros(want_out.shape, out_dt))
            r = np.cumsum(x, out=o, **kw)
            np.cumsum(a, out=want_out, **kw)
            assert r is o
            assert_eq(o, want_out)
    o = ox.asarray(np.zeros(3, np.int8))
    differential(lambda: np.cumsum(a, out=np.zeros(3, np.int8)), lambda: np.cumsum(x, out=o))
    out = ox.zeros(5)
    np.cumulative_sum(ox.asarray([1.0, 2, 3, 4]), out=out, include_initial=True)
    assert_eq(out, np.array([0.0, 1, 3, 6, 10]))


# --- ufunc.accumulate ----------------------------------------------------------------------
@SETTINGS
@given(c=cases(min_dims=1), uf=st.sampled_from(BINARY_UFUNCS), data=st.data())
@example(c=(np.array([1.0, 2, 3, 4, 5]), ((2, 3),)), uf=np.subtract, data=None)
@example(c=(np.array([[3, 2], [1, 7]], np.uint8), ((1, 1), (2,))), uf=np.power, data=None)
@example(c=(np.array([True, False, True]), ((1, 1, 1),)), uf=np.less, data=None)
@example(c=(np.array([[0.5, np.nan], [2.0, 1.0]]), ((1, 1), (1, 1))), uf=np.maximum, data=None)
def test_accumulate_every_binary_ufunc(c, uf, data):
    a, chunks = c
    x = ox.asarray(a, chunks=chunks)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1)) if data is not None else 0
    dtype = data.draw(st.sampled_from([None, None, "float64", "int64", "bool"])) \
        if data is not None else None
    with quiet():
        try:
            want = uf.accumulate(a, axis=axis, dtype=dtype)
        except Exception:
            want = None
    tol = {}
    if want is not None and want.dtype.kind in "fc":
        tol = _tolerance(a, want.dtype) if uf in (np.add, np.multiply) else {
            "rtol": 1e-9 if want.dtype.itemsize * (2 if want.dtype.kind == "f" else 1) >= 16
            else 1e-4, "atol": 0}
        if uf is np.multiply:
            tol["atol"] = 0
    differential(lambda: uf.accumulate(a, axis=axis, dtype=dtype),
                 lambda: uf.accumulate(x, axis=axis, dtype=dtype), **tol)


def test_accumulate_out_and_errors():
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=(2, 3))
    o = ox.zeros((3, 4), dtype="int32")
    np.subtract.accumulate(x, axis=1, out=o)
    assert_eq(o, np.subtract.accumulate(a, axis=1, out=np.zeros((3, 4), "int32")))
    for call in (
        lambda m, v: np.add.accumulate(v, axis=2),
        lambda m, v: np.add.accumulate(v, axis=None),
        lambda m, v: np.add.accumulate(v, axis=(0, 1)),
        lambda m, v: np.add.accumulate(v, axis=1.0),
        lambda m, v: np.add.accumulate(v[0, 0]),
        lambda m, v: np.less.accumulate(v),
        lambda m, v: np.sin.accumulate(v),
        lambda m, v: np.divmod.accumulate(v),
        lambda m, v: np.add.accumulate(v, dtype="U"),
        lambda m, v: np.add.accumulate(v, out=m.zeros((3, 3))),
        lambda m, v: np.cumsum(v, axis=True),
        lambda m, v: np.cumsum(v, axis=-3),
        lambda m, v: np.cumsum(v, out=m.zeros(3)),
        lambda m, v: np.cumulative_sum(v),
        lambda m, v: np.cumulative_sum(v, axis=4),
        lambda m, v: np.arctan2.accumulate(v.astype("int8")),
    ):
        differential(lambda c=call: c(np, a), lambda c=call: c(ox, x))


# --- ufunc.reduce --------------------------------------------------------------------------
@SETTINGS
@given(c=cases(), uf=st.sampled_from(BINARY_UFUNCS), data=st.data())
@example(c=(np.array([5.0, 1, 2]), ((1, 2),)), uf=np.subtract, data=None)
@example(c=(np.zeros((2, 0)), ((2,), (0,))), uf=np.power, data=None)
@example(c=(np.array(4.0), ()), uf=np.divide, data=None)
def test_reduce_every_binary_ufunc(c, uf, data):
    a, chunks = c
    x = ox.asarray(a, chunks=chunks)
    kw = {}
    if data is not None:
        axis = data.draw(st.one_of(st.none(), st.integers(-a.ndim, a.ndim - 1) if a.ndim
                                   else st.just(0),
                                   st.lists(st.integers(0, max(a.ndim - 1, 0)), unique=True,
                                            max_size=a.ndim).map(tuple)))
        kw["axis"] = axis
        if data.draw(st.booleans()):
            kw["keepdims"] = True
        if data.draw(st.booleans()):
            kw["initial"] = data.draw(st.sampled_from([0, 1, 2.5, True]))
        if data.draw(st.booleans()):
            kw["dtype"] = data.draw(st.sampled_from(["float64", "int64", "bool", "complex128"]))
        if a.ndim and data.draw(st.booleans()):
            kw["where"] = data.draw(bounded_data(np.bool_, a.shape[-1:]))
    with quiet():
        try:
            want = uf.reduce(a, **kw)
        except Exception:
            want = None
    tol = {}
    if want is not None and np.asarray(want).dtype.kind in "fc":
        tol = _tolerance(a, np.asarray(want).dtype)
        if uf is not np.add:
            tol = {"rtol": max(tol["rtol"], 1e-9 if np.asarray(want).dtype.itemsize >= 8 else 1e-4),
                   "atol": 0 if uf is np.multiply else tol["atol"]}
    try:
        differential(lambda: uf.reduce(a, **kw), lambda: uf.reduce(x, **kw), **tol)
    except NotImplementedError:
        assert "where" in kw and "initial" in kw  # the one documented gap


@pytest.mark.parametrize("call", [
    lambda v: np.logical_and.reduce(v, initial=False),
    lambda v: np.logical_or.reduce(v, initial=True),
    lambda v: np.logical_and.reduce(v, axis=0, initial=True),
    lambda v: np.maximum.reduce(v, dtype=float),
    lambda v: np.minimum.reduce(v, axis=None, dtype="int8"),
    lambda v: np.maximum.reduce(v, axis=1, dtype=complex),
    lambda v: np.add.reduce(v, dtype=bool),
    lambda v: np.multiply.reduce(v > 2, axis=1),
    lambda v: np.subtract.reduce(v, axis=(0, 1)),
    lambda v: np.subtract.reduce(v, axis=None),
    lambda v: np.subtract.reduce(v, axis=1, where=v > 2),
    lambda v: np.subtract.reduce(v, axis=1, initial=100, keepdims=True),
    lambda v: np.power.reduce(v[:, :0], axis=1),
    lambda v: np.bitwise_xor.reduce(v, axis=None),
    lambda v: np.hypot.reduce(v.astype(float), axis=(0, 1)),
    lambda v: np.gcd.reduce(v, axis=0, where=v > 3),
    lambda v: np.lcm.reduce(v, axis=(0, 1)),
    lambda v: np.equal.reduce(v > 3, axis=1),
    lambda v: np.fmax.reduce(v, axis=0, initial=7, where=v > 3),
    lambda v: np.add.reduce(v, out=np.zeros(2)),
])
def test_reduce_named_cases(call):
    a = np.arange(1, 13, dtype=np.int64).reshape(3, 4)
    x = ox.asarray(a, chunks=(2, 3))

    differential(lambda: call(a), lambda: call(x))


def test_reduce_out():
    a = np.arange(1.0, 13).reshape(3, 4)
    x = ox.asarray(a, chunks=(2, 3))
    o = ox.zeros(3)
    r = np.subtract.reduce(x, axis=1, out=o)
    assert r is o
    assert_eq(o, np.subtract.reduce(a, axis=1))
    o2 = ox.zeros((3, 1), dtype="int16")
    np.maximum.reduce(x, axis=1, out=o2, keepdims=True)
    assert_eq(o2, np.maximum.reduce(a, axis=1, out=np.zeros((3, 1), "int16"), keepdims=True))


# --- ufunc.reduceat ------------------------------------------------------------------------
@SETTINGS
@given(c=cases(min_dims=1), uf=st.sampled_from(BINARY_UFUNCS), data=st.data())
@example(c=(np.arange(10.0), ((3, 3, 4),)), uf=np.subtract, data=None)
def test_reduceat_every_binary_ufunc(c, uf, data):
    a, chunks = c
    x = ox.asarray(a, chunks=chunks)
    if data is None:
        axis, idx = 0, [0, 3, 3, 9, 2]
    else:
        axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
        n = a.shape[axis]
        idx = data.draw(st.lists(st.integers(-1 if n == 0 else 0, max(n, 1)), max_size=6))
    with quiet():
        try:
            want = uf.reduceat(a, idx, axis=axis)
        except Exception:
            want = None
    tol = {}
    if want is not None and want.dtype.kind in "fc":
        tol = {"rtol": 1e-9 if want.dtype.itemsize >= 8 else 1e-4,
               "atol": _tolerance(a, want.dtype)["atol"]}
    differential(lambda: uf.reduceat(a, idx, axis=axis), lambda: uf.reduceat(x, idx, axis=axis),
                 **tol)


def test_reduceat_keywords_and_errors():
    a = np.arange(24.0).reshape(4, 6)
    x = ox.asarray(a, chunks=(3, 2))
    o = ox.zeros((4, 3), dtype="int8")
    np.add.reduceat(x, [0, 4, 1], axis=1, out=o)
    assert_eq(o, np.add.reduceat(a, [0, 4, 1], axis=1, out=np.zeros((4, 3), "int8")))
    assert_eq(np.multiply.reduceat(x, np.array([1, 2], np.uint8), dtype="int64"),
              np.multiply.reduceat(a, np.array([1, 2], np.uint8), dtype="int64"))
    for call in (
        lambda v: np.add.reduceat(v, [0, 4]),
        lambda v: np.add.reduceat(v, [-1]),
        lambda v: np.add.reduceat(v, [[0]]),
        lambda v: np.add.reduceat(v, 0),
        lambda v: np.add.reduceat(v, [0], axis=None),
        lambda v: np.add.reduceat(v, [0], axis=2),
        lambda v: np.add.reduceat(v[0, 0], [0]),
        lambda v: np.add.reduceat(v, []),
        lambda v: np.add.reduceat(v, [0.5, 2]),
        lambda v: np.sin.reduceat(v, [0]),
    ):
        differential(lambda c=call: c(a), lambda c=call: c(x))


# --- ufunc.outer ---------------------------------------------------------------------------
@SETTINGS
@given(ca=cases(max_dims=2), cb=cases(max_dims=2), uf=st.sampled_from(BINARY_UFUNCS))
def test_outer_every_binary_ufunc(ca, cb, uf):
    (a, ach), (b, bch) = ca, cb
    x, y = ox.asarray(a, chunks=ach), ox.asarray(b, chunks=bch)
    r = differential(lambda: uf.outer(a, b), lambda: uf.outer(x, y))
    if r is not None:
        assert r.chunks == x.chunks + y.chunks  # a's chunks, then b's


def test_outer_keywords():
    a, b = np.arange(3.0), np.arange(4)
    x, y = ox.asarray(a, chunks=2), ox.asarray(b, chunks=3)
    assert_eq(np.add.outer(x, 3), np.add.outer(a, 3))
    assert_eq(np.add.outer(ox.asarray(np.int8([1, 2])), 3), np.add.outer(np.int8([1, 2]), 3))
    assert_eq(np.multiply.outer(x, y, dtype="float32"), np.multiply.outer(a, b, dtype="float32"))
    o = ox.zeros((3, 4))
    np.subtract.outer(x, y, out=o)
    assert_eq(o, np.subtract.outer(a, b))
    for call in (
        lambda v, w: np.sin.outer(v, w),
        lambda v, w: np.matmul.outer(v, w),
        lambda v, w: np.add.outer(v, w, dtype="int8"),
    ):
        differential(lambda c=call: c(a, b), lambda c=call: c(x, y))
    q, r = np.divmod.outer(np.array([7, 8]), np.array([2, 3]))
    q2, r2 = np.divmod.outer(ox.asarray([7, 8]), ox.asarray([2, 3]))
    assert_eq(q2, q)
    assert_eq(r2, r)


def test_all_six_methods_answer_for_every_binary_ufunc():
    a = np.arange(1, 7, dtype=np.int64).reshape(2, 3) % 4 + 1
    for uf in BINARY_UFUNCS:
        x = ox.asarray(a, chunks=1)
        for method, args in (("__call__", (a, a)), ("reduce", (a,)), ("accumulate", (a,)),
                             ("reduceat", (a, [0, 1])), ("outer", (a[0], a[1]))):
            ox_args = tuple(x if v is a else ox.asarray(v) if isinstance(v, np.ndarray) else v
                            for v in args)
            differential(lambda m=method, aa=args: getattr(uf, m)(*aa),
                         lambda m=method, aa=ox_args: getattr(uf, m)(*aa), rtol=1e-9, atol=0)
        # at: in place, on the ndarray and on the Array's handle
        a2, x2 = a.copy(), ox.asarray(a, chunks=1)
        try:
            with quiet():
                uf.at(a2, [0, 1], 2)
        except Exception as exc:
            with pytest.raises(public_type(exc)):
                uf.at(x2, [0, 1], 2)
            continue
        uf.at(x2, [0, 1], 2)
        assert_eq(x2, a2, rtol=1e-9, atol=0)
