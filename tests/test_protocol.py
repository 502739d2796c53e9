"""NEP 18 / NEP 13 / Array API protocol rules: dispatch, unknown functions, foreign types."""

from __future__ import annotations

import numpy as np
import pytest

import oxarray as ox
from oxarray.testing import assert_eq


@pytest.fixture
def x():
    return ox.asarray(np.arange(12.0).reshape(3, 4), chunks=(2, 3))


A = np.arange(12.0).reshape(3, 4)


def test_numpy_functions_return_lazy_arrays(x):
    for r in (np.sum(x), np.sum(x, axis=0, keepdims=True), np.mean(x), np.transpose(x),
              np.reshape(x, (4, 3)), np.concatenate([x, x]), np.where(x > 3, x, 0),
              np.sin(x), np.add(x, 1), np.matmul(x, x.T), np.clip(x, 1, 2), np.round(x, 1)):
        assert isinstance(r, ox.Array), type(r)


def test_ufunc_with_numpy_array_on_the_left_returns_lazy(x):
    r = A + x
    assert isinstance(r, ox.Array)
    assert_eq(r, A + A)
    assert isinstance(np.add(A, x), ox.Array)
    assert isinstance(np.float64(2.0) * x, ox.Array)


UNIMPLEMENTED = [
    ("is_busday", lambda v: np.is_busday(v)),  # datetime64: excluded for good
    ("datetime_as_string", lambda v: np.datetime_as_string(v)),
]


@pytest.mark.parametrize("name, call", UNIMPLEMENTED, ids=[n for n, _ in UNIMPLEMENTED])
def test_unimplemented_function_raises_type_error_naming_it(x, name, call):
    with pytest.raises(TypeError, match=name):
        call(x)


def test_array_function_types_check(x):
    class Foreign:
        def __array_function__(self, func, types, args, kwargs):
            return NotImplemented

    r = x.__array_function__(np.sum, (ox.Array, Foreign), (x,), {})
    assert r is NotImplemented
    r = x.__array_function__(np.sum, (ox.Array, np.ndarray), (x,), {})
    assert isinstance(r, ox.Array)


class Duck:
    """A foreign array type with its own protocols."""

    def __init__(self, handle=True):
        self.handle = handle

    def __array_function__(self, func, types, args, kwargs):
        return ("duck", func.__name__) if self.handle else NotImplemented

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return ("duck", ufunc.__name__) if self.handle else NotImplemented


def test_foreign_type_gets_its_turn(x):
    # oxarray steps aside (NotImplemented), so NumPy asks the duck, which handles it.
    assert np.concatenate([x, Duck()]) == ("duck", "concatenate")
    assert np.stack([Duck(), x]) == ("duck", "stack")
    assert np.add(x, Duck()) == ("duck", "add")


def test_foreign_type_gets_its_turn_for_functions_oxarray_lacks(x):
    # NEP 18: unknown function *and* a foreign type -> the foreign type must still be asked.
    assert np.kron(x, Duck()) == ("duck", "kron")


def test_nobody_handles_it_gives_numpys_type_error(x):
    with pytest.raises(TypeError, match="concatenate"):
        np.concatenate([x, Duck(handle=False)])
    with pytest.raises(TypeError):
        np.add(x, Duck(handle=False))


def test_binops_defer_to_array_ufunc_none():
    class Opaque:
        __array_ufunc__ = None

        def __radd__(self, other):
            return "radd"

        def __rmul__(self, other):
            return "rmul"

        def __rlt__(self, other):  # pragma: no cover - Python uses __gt__ for reflected <
            return "rlt"

        def __gt__(self, other):
            return "gt"

    x = ox.ones(3)
    assert x + Opaque() == "radd"
    assert x * Opaque() == "rmul"
    assert (x < Opaque()) == "gt"
    with pytest.raises(TypeError):
        np.add(x, Opaque())


def test_mixing_with_numpy_arrays(x):
    b = np.ones((3, 4), "float32")
    for r, e in (
        (np.concatenate([x, b]), np.concatenate([A, b])),
        (np.stack([b, x]), np.stack([b, A])),
        (np.where(b > 0, x, b), np.where(b > 0, A, b)),
        (np.maximum(b, x), np.maximum(b, A)),
        (np.matmul(b, x.T), np.matmul(b, A.T)),
        (x - b, A - b),
        (b - x, b - A),
    ):
        assert isinstance(r, ox.Array)
        assert_eq(r, e)


def test_keywords_pass_through(x):
    assert_eq(np.sum(x, axis=(0, 1), keepdims=True, dtype="float32"),
              np.sum(A, axis=(0, 1), keepdims=True, dtype="float32"))
    assert_eq(np.std(x, axis=1, ddof=1), np.std(A, axis=1, ddof=1))
    with pytest.raises(TypeError):
        np.sum(x, not_a_keyword=1)


def test_array_namespace(x):
    assert x.__array_namespace__() is ox
    assert x.__array_namespace__(api_version=None) is ox
    xp = x.__array_namespace__()
    assert_eq(xp.sum(xp.asarray(A)), np.sum(A))


@pytest.mark.parametrize("method", ["reduce", "accumulate", "outer"])
def test_other_ufunc_methods_compute_lazily_or_refuse(x, method):
    # Either oxarray implements the method (lazily, correct), or NumPy's TypeError: never a
    # silent NumPy computation.
    args = (x, x[0]) if method == "outer" else (x,)
    nargs = (A, A[0]) if method == "outer" else (A,)
    try:
        r = getattr(np.add, method)(*args)
    except TypeError:
        return
    assert isinstance(r, ox.Array)
    assert_eq(r, getattr(np.add, method)(*nargs))
