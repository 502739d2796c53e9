"""The one home of NumPy's dispatch protocols: NEP 18 (``__array_function__``), NEP 13
(``__array_ufunc__``) and the registry that maps a NumPy function to its oxarray implementation.

``implements(np.f)`` fills one dictionary, so "is ``np.f`` supported, and how?" is answered by
reading ``HANDLED_FUNCTIONS`` (or grepping for ``@implements(np.f)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._arguments import plain_ndarray, plain_ndarray_type

HANDLED_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}


def implements(*numpy_functions: Callable[..., Any]) -> Callable[[Callable], Callable]:
    """Register the decorated function as oxarray's implementation of ``numpy_functions``."""

    def decorator(func: Callable) -> Callable:
        for f in numpy_functions:
            HANDLED_FUNCTIONS[f] = func
        return func

    return decorator


class Registry:
    """A reusable NEP 18 dispatcher: one instance per array family (oxarray's own is below).

    ``handled_types`` are the types this family can take as arguments (its own array class, NumPy
    arrays and scalars); any other type that overrides ``__array_function__`` makes us step aside
    with ``NotImplemented``, as NEP 18 requires.
    """

    def __init__(self, functions: dict[Callable[..., Any], Callable[..., Any]]):
        self.functions = functions

    def array_function(self, own_type: type, func, types, args, kwargs):
        # A foreign type gets its turn first, even for functions we lack (NEP 18).
        for t in types:
            if not (issubclass(t, own_type) or plain_ndarray_type(t)):
                return NotImplemented
        # An ndarray subclass with a meaning of its own (np.ma.MaskedArray) keeps NumPy's
        # __array_function__, so it is not in `types`: look for it among the arguments.
        if any(_foreign(a, own_type) for a in _arguments_of(args, kwargs)):
            return NotImplemented
        if func not in self.functions:
            return _not_implemented_error(func)
        return self.functions[func](*args, **kwargs)


def _arguments_of(args, kwargs):
    """The arguments and the items of list/tuple arguments (``np.concatenate([x, m])``)."""
    for a in (*args, *kwargs.values()):
        yield a
        if isinstance(a, (list, tuple)):
            yield from a


def _foreign(a, own_type: type) -> bool:
    return isinstance(a, np.ndarray) and not isinstance(a, own_type) and not plain_ndarray(a)


def _not_implemented_error(func) -> Any:
    # NEP 18 would turn NotImplemented into a generic message; ours names the function and says
    # that nothing was computed behind the user's back.
    name = getattr(func, "__module__", "numpy") + "." + getattr(func, "__name__", repr(func))
    raise TypeError(
        f"no implementation found for '{name}' on types that implement __array_function__: "
        f"[<class 'oxarray.Array'>] (oxarray does not implement it yet; nothing was computed: "
        f"call .compute() first to use NumPy's)"
    )


REGISTRY = Registry(HANDLED_FUNCTIONS)
