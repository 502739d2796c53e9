"""The protocol toolkit: give any array type NumPy's dispatch protocols in a few lines.

NumPy calls ``__array_function__`` (NEP 18) for functions such as ``np.sum`` or
``np.concatenate``, and ``__array_ufunc__`` (NEP 13) for ufuncs such as ``np.sin`` or ``x + 1``.
A :class:`Registry` maps each NumPy function (or ufunc, or ufunc method such as
``np.add.reduce``) to an implementation, in one readable dictionary (``Registry.functions``), and
answers both protocols by NumPy's rules: a foreign type that overrides the protocol gets its
turn (``NotImplemented``), a function the registry lacks raises ``TypeError`` naming it, and
nothing falls back to NumPy behind the user's back. oxarray's own ``Array`` dispatches through
one of these (``oxarray._dispatch.REGISTRY``).

A toy array type in a dozen lines::

    import numpy as np
    from oxarray.protocol import Registry, ArrayProtocols

    registry = Registry("listarray")

    class ListArray(ArrayProtocols):
        _registry = registry

        def __init__(self, values):
            self.values = list(values)

    @registry.implements(np.sum)
    def _sum(a, axis=None):
        return sum(a.values)

    @registry.implements(np.negative)          # a ufunc: NEP 13
    def _negative(a):
        return ListArray(-v for v in a.values)

    np.sum(ListArray([1, 2, 3]))                # 6
    np.negative(ListArray([1, 2])).values       # [-1, -2]

For a class you do not own, ``registry.install(cls)`` sets the two protocol methods on it:
``examples/torch_protocol.py`` does that for ``torch.Tensor``, so ``np.sum(t)`` on a plain tensor
returns a tensor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._arguments import plain_ndarray, plain_ndarray_type

__all__ = ["Registry", "ArrayProtocols", "implements"]


class Registry:
    """One array family's map from NumPy functions, ufuncs and ufunc methods to implementations.

    ``name`` names the family in error messages. ``functions`` is the dictionary itself
    (``{np.sum: my_sum, np.sin: my_sin, np.add.reduce: my_add_reduce}``); read it to answer
    "is ``np.f`` supported, and by what?". NumPy arrays and scalars are accepted beside the
    family's own type as arguments; ``also_handles`` adds other types the family converts.
    ``hint`` ends the ``TypeError`` for a missing function (say what the user can do instead).

    >>> import numpy as np
    >>> reg = Registry("demo")
    >>> @reg.implements(np.sum)
    ... def _sum(a, axis=None):
    ...     return "summed"
    >>> np.sum in reg
    True
    """

    def __init__(
        self,
        name: str = "array",
        functions: dict[Callable[..., Any], Callable[..., Any]] | None = None,
        also_handles: Iterable[type] = (),
        hint: str = "",
    ):
        self.name = name
        self.hint = hint
        self.functions: dict[Callable[..., Any], Callable[..., Any]] = {} if functions is None else functions
        self.also_handles = tuple(also_handles)
        # Classes given the protocols by `install`, with what they had before.
        self._installed: dict[type, dict[str, Any]] = {}

    def implements(self, *numpy_functions: Callable[..., Any]) -> Callable[[Callable], Callable]:
        """Decorator: register the decorated function as the implementation of each of
        ``numpy_functions`` (functions such as ``np.sum``, ufuncs such as ``np.sin``, or ufunc
        methods such as ``np.add.reduce``). Returns the function unchanged."""

        def decorator(func: Callable) -> Callable:
            for f in numpy_functions:
                self.functions[f] = func
            return func

        return decorator

    def install(self, cls: type) -> type:
        """Give an existing class that you do not own (``torch.Tensor``, a library's array) NEP 18
        and NEP 13 through this registry: ``np.sum(t)`` on a plain ``torch.Tensor`` then calls the
        implementation registered for ``np.sum`` instead of converting ``t`` to an ndarray.

        It sets ``cls.__array_function__`` and ``cls.__array_ufunc__`` (and remembers what was
        there, so :meth:`uninstall` puts it back). Functions the registry lacks raise
        ``TypeError`` naming the function, as for :class:`ArrayProtocols`. Returns ``cls``.

        >>> import numpy as np
        >>> class Plain:                      # a class we do not own
        ...     def __init__(self, v):
        ...         self.v = v
        >>> reg = Registry("plain")
        >>> @reg.implements(np.sum)
        ... def _sum(a, axis=None):
        ...     return a.v
        >>> _ = reg.install(Plain)
        >>> np.sum(Plain(4))
        4
        >>> reg.uninstall(Plain)
        """
        registry = self
        saved = {name: vars(cls).get(name, _ABSENT) for name in _PROTOCOL_NAMES}

        def __array_function__(self, func, types, args, kwargs):
            return registry.array_function(cls, func, types, args, kwargs)

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return registry.array_ufunc(cls, ufunc, method, *inputs, **kwargs)

        cls.__array_function__ = __array_function__
        cls.__array_ufunc__ = __array_ufunc__
        self._installed[cls] = saved
        return cls

    def uninstall(self, cls: type) -> None:
        """Undo :meth:`install`: ``cls`` gets back the protocol methods it had before."""
        saved = self._installed.pop(cls, None)
        if saved is None:
            raise ValueError(f"{self.name} registry is not installed on {cls!r}")
        for name, value in saved.items():
            if value is _ABSENT:
                delattr(cls, name)
            else:
                setattr(cls, name, value)

    def __contains__(self, numpy_function: object) -> bool:
        return numpy_function in self.functions

    def __len__(self) -> int:
        return len(self.functions)

    def __repr__(self) -> str:
        return f"<oxarray.protocol.Registry {self.name!r}: {len(self.functions)} functions>"

    def handles(self, own_type: type, t: type) -> bool:
        """Whether this family takes arguments of type ``t`` (its own type, plain NumPy arrays
        and scalars, or one of ``also_handles``); any other type that overrides a protocol goes
        first."""
        return issubclass(t, (own_type, np.generic, *self.also_handles)) or plain_ndarray_type(t)

    def array_function(self, own_type: type, func, types, args, kwargs):
        """NEP 18's ``__array_function__`` for arrays of ``own_type``."""
        # A foreign type gets its turn first, even for functions we lack (NEP 18).
        for t in types:
            if t is not own_type and not self.handles(own_type, t):
                return NotImplemented
        # An ndarray subclass with a meaning of its own (np.ma.MaskedArray) keeps NumPy's
        # __array_function__, so it is not in `types`: look for it among the arguments.
        if _any_foreign_ndarray(args, own_type) or (kwargs and _any_foreign_ndarray(kwargs.values(), own_type)):
            return NotImplemented
        impl = self.functions.get(func)
        if impl is None:
            return self._missing(func, own_type)
        return impl(*args, **kwargs)

    def array_ufunc(self, own_type: type, ufunc: np.ufunc, method: str, *inputs, **kwargs):
        """NEP 13's ``__array_ufunc__`` for arrays of ``own_type``: ``np.sin(x)`` finds the
        implementation registered for ``np.sin``, ``np.add.reduce(x)`` the one for
        ``np.add.reduce``. A foreign operand that overrides ``__array_ufunc__`` (or an ``out=``
        of one) makes us return ``NotImplemented``, as NEP 13 requires."""
        operands = (*inputs, *(kwargs.get("out") or ()))
        for a in operands:
            t = type(a)
            if hasattr(t, "__array_ufunc__") and not self.handles(own_type, t):
                return NotImplemented
        key = ufunc if method == "__call__" else getattr(ufunc, method)
        impl = self.functions.get(key)
        if impl is None:
            return self._missing(key, own_type)
        return impl(*inputs, **kwargs)

    def _missing(self, func, own_type: type) -> Any:
        # NEP 18 would turn NotImplemented into a generic message; ours names the function and
        # says that nothing was computed behind the user's back.
        raise TypeError(
            f"no implementation found for '{_qualified_name(func)}' on types that implement "
            f"__array_function__: [{own_type!r}] ({self.name} does not implement it yet; "
            f"nothing was computed{self.hint})"
        )


class ArrayProtocols:
    """Mixin that answers NEP 18 and NEP 13 through the class attribute ``_registry``.

    >>> import numpy as np
    >>> reg = Registry("box")
    >>> class Box(ArrayProtocols):
    ...     _registry = reg
    ...     def __init__(self, v):
    ...         self.v = v
    >>> @reg.implements(np.sum)
    ... def _sum(b, axis=None):
    ...     return b.v
    >>> np.sum(Box(3))
    3
    """

    _registry: Registry
    # NumPy defers to us in mixed binary operations (ndarray + ours -> ours.__radd__).
    __array_priority__ = 50

    def __array_function__(self, func, types, args, kwargs):
        return self._registry.array_function(_own_type(type(self)), func, types, args, kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return self._registry.array_ufunc(_own_type(type(self)), ufunc, method, *inputs, **kwargs)


_PROTOCOL_NAMES = ("__array_function__", "__array_ufunc__")
_ABSENT = object()


def implements(registry: Registry, *numpy_functions: Callable[..., Any]) -> Callable[[Callable], Callable]:
    """Decorator: ``@implements(registry, np.sum)`` is ``@registry.implements(np.sum)``."""
    return registry.implements(*numpy_functions)


def _own_type(t: type) -> type:
    """The class that declared ``_registry``: its subclasses count as the same family."""
    for k in t.__mro__:
        if "_registry" in vars(k):
            return k
    return t


def _any_foreign_ndarray(args, own_type: type) -> bool:
    """Whether an argument, or an item of a list/tuple argument (``np.concatenate([x, m])``), is
    an ndarray subclass with a meaning of its own (a plain loop: this runs on every call)."""
    for a in args:
        if type(a) is own_type:
            continue
        if isinstance(a, (list, tuple)):
            for b in a:
                if _foreign_ndarray(b, own_type):
                    return True
        elif _foreign_ndarray(a, own_type):
            return True
    return False


def _foreign_ndarray(a, own_type: type) -> bool:
    return isinstance(a, np.ndarray) and not isinstance(a, own_type) and not plain_ndarray(a)


def _qualified_name(func) -> str:
    owner = getattr(func, "__self__", None)
    if isinstance(owner, np.ufunc):  # a ufunc method: numpy.add.reduce
        return f"numpy.{owner.__name__}.{func.__name__}"
    return (getattr(func, "__module__", None) or "numpy") + "." + getattr(func, "__name__", repr(func))
