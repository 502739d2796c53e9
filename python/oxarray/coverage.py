"""Which of NumPy's functions and ufunc methods oxarray implements, generated, never typed by hand.

``python -m oxarray.coverage`` prints the table. The functions come from NumPy's own list of
overridable functions (``numpy.testing.overrides.get_overridable_numpy_array_functions()``) and
our NEP 18 registry (``HANDLED_FUNCTIONS``); the ufunc methods from asking each NumPy ufunc's
method on a tiny oxarray Array (a lazy node is built, nothing is computed) where NumPy itself
answers the same call. A function oxarray lacks is either a deliberate exclusion (with its
reason) or listed in ``NOT_YET``; ``tests/test_coverage.py`` fails on anything else.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

# Deliberate exclusions: families built on dtypes oxarray does not have.
EXCLUDED_MODULES = {
    "numpy.lib.recfunctions": "structured (record) dtypes: oxarray's dtypes are numeric only",
    "numpy.char": "string dtypes: oxarray's dtypes are numeric only",
    "numpy.strings": "string dtypes: oxarray's dtypes are numeric only",
}
# Whole submodules not yet implemented (the convenience-class polynomial package).
NOT_YET_MODULES = ("numpy.polynomial",)
EXCLUDED = {
    "numpy.busday_count": "datetime64 dtypes: not an oxarray dtype",
    "numpy.busday_offset": "datetime64 dtypes: not an oxarray dtype",
    "numpy.is_busday": "datetime64 dtypes: not an oxarray dtype",
    "numpy.datetime_as_string": "datetime64 dtypes: not an oxarray dtype",
}

# Not implemented yet (this list shrinks; an entry that gets implemented is reported as stale).
NOT_YET = """
""".split()
NOT_YET = frozenset("numpy." + n for n in NOT_YET)

UFUNC_METHODS = ("__call__", "reduce", "accumulate", "reduceat", "outer", "at")


def overridable_functions() -> dict[str, list]:
    """NumPy's overridable functions by public name (``numpy.linalg.svd``). NumPy registers a
    submodule's functions when it is imported, so the submodules are imported first; a name with
    several function objects is a public function and its NEP 35 ``like=`` dispatcher."""
    import numpy.char  # noqa: F401
    import numpy.fft  # noqa: F401
    import numpy.lib.recfunctions  # noqa: F401
    import numpy.lib.scimath  # noqa: F401
    import numpy.lib.stride_tricks  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.polynomial  # noqa: F401  (imports its submodules)
    import numpy.strings  # noqa: F401
    from numpy.testing.overrides import get_overridable_numpy_array_functions

    out: dict[str, list] = {}
    for f in get_overridable_numpy_array_functions():
        out.setdefault(f"{f.__module__}.{f.__name__}", []).append(f)
    return out


@dataclass
class Report:
    implemented: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    not_yet: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)  # neither: what the test fails on
    stale: list[str] = field(default_factory=list)  # listed as not yet, but implemented
    methods: dict[str, dict[str, bool]] = field(default_factory=dict)  # ufunc -> method -> ours


def function_report() -> Report:
    from ._dispatch import HANDLED_FUNCTIONS

    r = Report()
    for name, funcs in sorted(overridable_functions().items()):
        public = _public(name, funcs)
        module = name.rsplit(".", 1)[0]
        if public in HANDLED_FUNCTIONS:
            r.implemented.append(name)
            if name in NOT_YET:
                r.stale.append(name)
        elif module in EXCLUDED_MODULES:
            r.excluded[name] = EXCLUDED_MODULES[module]
        elif name in EXCLUDED:
            r.excluded[name] = EXCLUDED[name]
        elif name in NOT_YET or module.startswith(NOT_YET_MODULES):
            r.not_yet.append(name)
        else:
            r.unlisted.append(name)
    return r


def _public(name: str, funcs: list):
    """The function object a user calls (``np.ones``), not its ``like=`` dispatcher."""
    obj = sys.modules.get(name.rsplit(".", 1)[0])
    f = getattr(obj, name.rsplit(".", 1)[1], None) if obj is not None else None
    return f if f in funcs else funcs[0]


def _ufuncs() -> list[np.ufunc]:
    return sorted({u for u in vars(np).values() if isinstance(u, np.ufunc)}, key=lambda u: u.__name__)


def _operands(u: np.ufunc):
    """NumPy arrays for a probe call: the first loop of ``u`` over oxarray's dtypes."""
    from ._elementwise import SUPPORTED_DTYPES

    for t in u.types:
        ins = t.split("->")[0]
        try:
            dts = [np.dtype(c) for c in ins]
        except TypeError:
            continue
        if all(d in SUPPORTED_DTYPES for d in dts):
            return [np.ones(3, dtype=d) for d in dts]
    return None


def _probe(call, a_np, a_ox) -> bool | None:
    """``None`` when NumPy itself refuses the call (no such method for this ufunc)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            call(*a_np)
        except Exception:
            return None
        try:
            call(*a_ox)
        except Exception:
            return False
    return True


def method_report() -> dict[str, dict[str, bool]]:
    from ._creation import asarray

    out: dict[str, dict[str, bool]] = {}
    for u in _ufuncs():
        ops = _operands(u)
        if ops is None:
            continue
        # Fresh arrays per call: `at` updates its operand in place.
        def ox_ops(ops=ops):
            return [asarray(a) for a in ops]

        calls = {"__call__": lambda *a, u=u: u(*a)}
        if u.nin == 2 and u.nout == 1 and u.signature is None:
            calls.update({
                "reduce": lambda a, b, u=u: u.reduce(a),
                "accumulate": lambda a, b, u=u: u.accumulate(a),
                "reduceat": lambda a, b, u=u: u.reduceat(a, [0, 2]),
                "outer": lambda a, b, u=u: u.outer(a, b),
                "at": lambda a, b, u=u: u.at(a, [0, 1], b[:2]),
            })  # fmt: skip
        elif u.nin == 1 and u.nout == 1 and u.signature is None:
            calls["at"] = lambda a, u=u: u.at(a, [0, 1])
        row = {}
        for m, call in calls.items():
            got = _probe(call, [a.copy() for a in ops], ox_ops())
            if got is not None:
                row[m] = got
        out[u.__name__] = row
    return out


def main() -> int:
    r = function_report()
    methods = method_report()
    total = len(r.implemented) + len(r.excluded) + len(r.not_yet) + len(r.unlisted)
    outside = total - len(r.excluded)
    print(f"NumPy {np.__version__}: {total} overridable functions (NEP 18)")
    print(f"  implemented by oxarray: {len(r.implemented)} "
          f"({100 * len(r.implemented) / max(outside, 1):.0f}% of the {outside} not excluded)")
    print(f"  excluded on purpose:    {len(r.excluded)}")
    print(f"  not yet:                {len(r.not_yet)}")
    if r.unlisted:
        print(f"  UNLISTED (neither implemented nor listed): {len(r.unlisted)}")
    n_m = sum(len(v) for v in methods.values())
    ok_m = sum(sum(v.values()) for v in methods.values())
    print(f"ufunc methods NumPy answers: {n_m} over {len(methods)} ufuncs; oxarray answers {ok_m}")
    for m in UFUNC_METHODS:
        have = [u for u, v in methods.items() if v.get(m)]
        of = [u for u, v in methods.items() if m in v]
        print(f"  {m:<11} {len(have):>3} of {len(of)}")
    print("\nImplemented:\n  " + "\n  ".join(_wrap(r.implemented)))
    print("\nExcluded (reason):")
    for name, why in sorted(r.excluded.items()):
        print(f"  {name}: {why}")
    print("\nNot yet:\n  " + "\n  ".join(_wrap(r.not_yet)))
    missing = {u: [m for m, ok in v.items() if not ok] for u, v in methods.items()}
    missing = {u: ms for u, ms in missing.items() if ms}
    if missing:
        print("\nufunc methods not yet:")
        for u, ms in missing.items():
            print(f"  {u}: {', '.join(ms)}")
    if r.unlisted:
        print("\nUnlisted:\n  " + "\n  ".join(_wrap(r.unlisted)))
    if r.stale:
        print("\n(listed as not yet but implemented: " + ", ".join(r.stale) + ")")
    return 0


def _wrap(names: list[str], width: int = 96) -> list[str]:
    lines, line = [], ""
    for n in names:
        n = n.removeprefix("numpy.")
        if line and len(line) + len(n) + 1 > width:
            lines.append(line)
            line = ""
        line = f"{line} {n}".strip()
    return [*lines, line] if line else lines


if __name__ == "__main__":
    sys.exit(main())
