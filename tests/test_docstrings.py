"""Every public function and class of oxarray has a docstring: the names of the ``oxarray``
namespace (its ``__all__`` when it has one), of its public submodules, and the public methods
of ``oxarray.Array``. Names NumPy lends us (dtypes, constants) are NumPy's to document."""

from __future__ import annotations

import inspect
import types

import oxarray as ox

PUBLIC_MODULES = ["oxarray", "oxarray.linalg", "oxarray.fft", "oxarray.random", "oxarray.config",
                  "oxarray.testing", "oxarray.diagnostics", "oxarray.protocol", "oxarray.lib"]


def public_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    return list(names) if names is not None else [n for n in dir(module) if not n.startswith("_")]


def ours(obj) -> bool:
    """A function or class written in oxarray (not a NumPy object re-exported)."""
    if not (inspect.isroutine(obj) or inspect.isclass(obj)):
        return False
    return (getattr(obj, "__module__", None) or "").startswith("oxarray")


def undocumented():
    import importlib

    missing = []
    for modname in PUBLIC_MODULES:
        module = importlib.import_module(modname)
        for name in public_names(module):
            obj = getattr(module, name, None)
            if isinstance(obj, types.ModuleType) or not ours(obj):
                continue
            if not (inspect.getdoc(obj) or "").strip():
                missing.append(f"{modname}.{name}")
    for name, obj in vars(ox.Array).items():
        if name.startswith("_") or not (inspect.isroutine(obj) or isinstance(obj, property)):
            continue
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(f"oxarray.Array.{name}")
    return sorted(set(missing))


def test_every_public_function_has_a_docstring():
    missing = undocumented()
    assert not missing, f"{len(missing)} public names without a docstring: {missing}"


def test_the_walk_finds_functions():
    # The walk itself must see the API, or the test above proves nothing.
    import importlib

    seen = sum(ours(getattr(importlib.import_module(m), n, None))
               for m in PUBLIC_MODULES for n in public_names(importlib.import_module(m)))
    assert seen > 300
