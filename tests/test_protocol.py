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


# --- the public toolkit (oxarray.protocol) on a toy array type ----------------------------------
from oxarray.protocol import ArrayProtocols, Registry  # noqa: E402

toy_registry = Registry("toyarray")


class ToyArray(ArrayProtocols):
    """A list of floats that answers NEP 18 and NEP 13 through the toolkit."""

    _registry = toy_registry

    def __init__(self, values):
        self.values = [float(v) for v in values]


def _vals(a):
    return a.values if isinstance(a, ToyArray) else list(np.broadcast_to(a, (1,)))


@toy_registry.implements(np.sum)
def _toy_sum(a, axis=None):
    return sum(a.values)


@toy_registry.implements(np.concatenate)
def _toy_concatenate(arrays, axis=0):
    return ToyArray([v for a in arrays for v in _vals(a)])


@toy_registry.implements(np.add)
def _toy_add(a, b):
    va, vb = _vals(a), _vals(b)
    n = max(len(va), len(vb))
    return ToyArray([va[i % len(va)] + vb[i % len(vb)] for i in range(n)])


@toy_registry.implements(np.add.reduce)
def _toy_add_reduce(a, axis=0, **kwargs):
    return sum(a.values)


def test_toolkit_nep18_functions():
    t = ToyArray([1, 2, 3])
    assert np.sum(t) == 6.0
    assert np.concatenate([t, t]).values == [1, 2, 3, 1, 2, 3]
    assert np.concatenate([t, np.array([4.0])]).values == [1, 2, 3, 4]  # NumPy arrays are handled
    assert np.sum in toy_registry and len(toy_registry) == 4 and "toyarray" in repr(toy_registry)


def test_toolkit_nep13_ufuncs_and_methods():
    t = ToyArray([1, 2])
    assert np.add(t, 1).values == [2, 3]
    assert np.add(np.float64(1.0), t).values == [2, 3]
    assert np.add.reduce(t) == 3.0


def test_toolkit_missing_function_names_it_and_computes_nothing():
    t = ToyArray([1])
    with pytest.raises(TypeError, match=r"numpy\.mean.*toyarray does not implement it"):
        np.mean(t)
    with pytest.raises(TypeError, match=r"numpy\.sin"):
        np.sin(t)
    with pytest.raises(TypeError, match=r"numpy\.add\.accumulate"):
        np.add.accumulate(t)


def test_toolkit_defers_to_foreign_types():
    class Foreign:
        def __array_function__(self, func, types, args, kwargs):
            return "foreign"

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "foreign ufunc"

    t = ToyArray([1])
    assert np.concatenate([t, Foreign()]) == "foreign"
    assert np.add(t, Foreign()) == "foreign ufunc"
    # NumPy's masked arrays carry meaning a toy array would drop: step aside.
    assert t.__array_function__(np.sum, (ToyArray,), (np.ma.masked_array([1.0]),), {}) is NotImplemented


def test_toolkit_subclasses_share_the_family():
    class SubToy(ToyArray):
        pass

    assert np.concatenate([SubToy([1]), ToyArray([2])]).values == [1, 2]


def test_oxarray_uses_the_public_registry():
    from oxarray._dispatch import HANDLED_FUNCTIONS, REGISTRY

    assert isinstance(REGISTRY, Registry) and REGISTRY.functions is HANDLED_FUNCTIONS
    assert ox.HANDLED_FUNCTIONS is HANDLED_FUNCTIONS and np.sum in REGISTRY


def test_install_on_a_class_we_do_not_own():
    class Foreign:  # stands for torch.Tensor: a library's class with no NumPy protocols
        def __init__(self, values):
            self.values = list(values)

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.values, dtype=dtype)

    reg = Registry("foreign")

    @reg.implements(np.sum)
    def _sum(a, axis=None):
        return Foreign([sum(a.values)])

    @reg.implements(np.negative)
    def _neg(a):
        return Foreign([-v for v in a.values])

    before = np.sum(Foreign([1, 2]))
    assert isinstance(before, np.integer) and before == 3  # converted through __array__
    assert reg.install(Foreign) is Foreign
    try:
        assert np.sum(Foreign([1, 2])).values == [3]
        assert np.negative(Foreign([1, 2])).values == [-1, -2]
        with pytest.raises(TypeError, match="numpy.mean.*foreign does not implement it"):
            np.mean(Foreign([1, 2]))
    finally:
        reg.uninstall(Foreign)
    assert not hasattr(Foreign, "__array_function__") and np.sum(Foreign([1, 2])) == 3
    with pytest.raises(ValueError, match="not installed"):
        reg.uninstall(Foreign)


def test_torch_example():
    torch = pytest.importorskip("torch")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
    try:
        from torch_protocol import torch_registry
    finally:
        sys.path.pop(0)
    t = torch.arange(6.0).reshape(2, 3)
    torch_registry.install(torch.Tensor)
    try:
        s, m, c = np.sum(t), np.mean(t, axis=0), np.concatenate([t, t])
        assert all(isinstance(r, torch.Tensor) for r in (s, m, c))
        assert float(s) == 15.0
        assert torch.equal(m, torch.tensor([1.5, 2.5, 3.5]))
        assert tuple(c.shape) == (4, 3)
        assert isinstance(np.sin(t), torch.Tensor)
    finally:
        torch_registry.uninstall(torch.Tensor)
    assert "__array_function__" not in vars(torch.Tensor)  # torch's own behaviour is back


def test_the_protocol_module_examples_run():
    import doctest

    import oxarray.protocol

    result = doctest.testmod(oxarray.protocol)
    assert result.attempted >= 3 and result.failed == 0
