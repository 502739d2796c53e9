"""oxarray's own NEP 18 registry: one :class:`oxarray.protocol.Registry`, whose dictionary
``HANDLED_FUNCTIONS`` maps each NumPy function to its oxarray implementation.

``implements(np.f)`` fills that one dictionary, so "is ``np.f`` supported, and how?" is answered
by reading ``HANDLED_FUNCTIONS`` (or grepping for ``@implements(np.f)``). The dispatch rules
themselves (NEP 18's ``types`` check, foreign ndarray subclasses, the error for a missing
function) live in the public toolkit, ``oxarray/protocol.py``; ufuncs (NEP 13) go through
``_elementwise.array_ufunc``, which handles ``out=``, ``where=``, ``casting=`` and all six methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .protocol import Registry

HANDLED_FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {}

REGISTRY = Registry("oxarray", HANDLED_FUNCTIONS, hint=": call .compute() first to use NumPy's")



def implements(*numpy_functions: Callable[..., Any]) -> Callable[[Callable], Callable]:
    """Register the decorated function as oxarray's implementation of ``numpy_functions``.

    A function without a docstring of its own gets one that names its NumPy counterpart (whose
    documentation describes the arguments and results oxarray reproduces), as Dask's
    ``derived_from`` does; ``tests/test_docstrings.py`` checks every public function has one."""
    register = REGISTRY.implements(*numpy_functions)

    def decorator(func: Callable) -> Callable:
        if not (func.__doc__ or "").strip() and numpy_functions:
            func.__doc__ = _numpy_pointer(numpy_functions[0])
        return register(func)

    return decorator


def _numpy_pointer(f) -> str:
    module = getattr(f, "__module__", None) or "numpy"
    name = f"{module}.{getattr(f, '__name__', repr(f))}"
    return (f"Lazy ``{name}``: the same arguments, results, dtypes and errors as NumPy's (see "
            f"its documentation); nothing is computed until ``compute()``.")


def document_methods(cls: type) -> None:
    """Gives each public method or property of ``cls`` that lacks a docstring one naming its
    ``numpy.ndarray`` counterpart. Called once, when every family has attached its methods."""
    for name, member in vars(cls).items():
        if name.startswith("_") or (getattr(member, "__doc__", None) or "").strip():
            continue
        if (callable(member) or isinstance(member, property)) and hasattr(np.ndarray, name):
            doc = (f"Lazy ``numpy.ndarray.{name}``: as NumPy's (see its documentation); "
                   f"nothing is computed until ``compute()``.")
            try:
                member.__doc__ = doc
            except AttributeError:
                pass
