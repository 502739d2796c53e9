"""The small-array fast paths (``_ufunc_cache``, the cached error state, plain reductions) give
NumPy's results, dtypes and errors, the same as the general path: the second call of a
signature takes the cached loop, so each case runs twice."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import oxarray as ox
from helpers import differential

DTYPES = ["bool", "int8", "uint8", "int16", "int32", "int64", "uint64", "float16", "float32",
          "float64", "complex64", "complex128"]  # fmt: skip
SCALARS = [1, -1, 300, 2**40, 2**60, 2**64, 0.5, -0.0, float("nan"), 1j, True, False]
UFUNCS = [np.add, np.subtract, np.multiply, np.true_divide, np.floor_divide, np.power, np.less,
          np.equal, np.not_equal, np.greater_equal, np.maximum, np.bitwise_and, np.arctan2]  # fmt: skip


def _data(dtype):
    return (np.arange(-3, 5) % 3).astype(dtype) if dtype != "bool" else np.arange(8) % 2 == 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ufunc", UFUNCS, ids=lambda u: u.__name__)
def test_array_with_python_scalar(dtype, ufunc):
    a = _data(dtype)
    x = ox.asarray(a)
    for s in SCALARS:
        for _ in range(2):  # the first call fills the cache, the second takes it
            differential(lambda s=s: ufunc(a, s), lambda s=s: ufunc(x, s))
            differential(lambda s=s: ufunc(s, a), lambda s=s: ufunc(s, x))


@pytest.mark.parametrize("left", DTYPES)
@pytest.mark.parametrize("right", ["bool", "int8", "uint64", "float32", "complex128"])
def test_operators_on_two_arrays(left, right):
    a, b = _data(left), _data(right)
    x, y = ox.asarray(a), ox.asarray(b)
    for _ in range(2):
        differential(lambda: a + b, lambda: x + y)
        differential(lambda: a < b, lambda: x < y)
        differential(lambda: a * b[:1], lambda: x * y[:1])  # broadcasting: the general path
        differential(lambda: a - b[:3], lambda: x - y[:3])  # a broadcasting error
        differential(lambda: -a, lambda: -x)
        differential(lambda: np.sin(a), lambda: np.sin(x))


def test_errstate_changes_between_calls():
    x = ox.asarray(np.array([1.0, 0.0]))
    for _ in range(2):
        with np.errstate(divide="raise"):
            y = 1 / x
        with pytest.raises(FloatingPointError):
            y.compute()
        with np.errstate(divide="ignore"):
            z = 1 / x
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert z.compute()[1] == np.inf
        w = 1 / x  # NumPy's default: a warning
        with pytest.warns(RuntimeWarning, match="divide by zero encountered in divide"):
            w.compute()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["sum", "prod", "min", "max", "any", "all", "mean", "var", "std"])
def test_plain_reductions(dtype, name):
    for a in (_data(dtype), np.zeros(0, dtype), np.array(3, dtype)):
        x = ox.asarray(a)
        f = getattr(np, name)
        differential(lambda f=f, a=a: f(a), lambda f=f, x=x: f(x), rtol=1e-5)
        differential(lambda a=a: getattr(a, name)(), lambda x=x: getattr(x, name)(), rtol=1e-5)


def test_sum_warns_under_errstate():
    x = ox.asarray(np.array([1e308, 1e308]))
    with np.errstate(over="raise"):
        s = np.sum(x)
    with pytest.raises(FloatingPointError):
        s.compute()
    with pytest.warns(RuntimeWarning, match="overflow encountered in reduce"):
        assert np.isinf(np.sum(x).compute())  # NumPy's default state: a warning


def test_explain_reports_graph_memory_per_task():
    x = ox.asarray(np.ones((100, 100)), chunks=(10, 10))
    line = next(s for s in (x + 1).sum().explain().splitlines() if s.startswith("graph memory:"))
    per_task = int(line.split("(")[1].split()[0])
    assert 0 < per_task < 4096, line
