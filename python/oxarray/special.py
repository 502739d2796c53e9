"""``oxarray.special``: SciPy's special functions on oxarray Arrays, lazily.

SciPy's Array API dispatch (``SCIPY_ARRAY_API=1``) looks for ``xp.special.<name>`` before it
falls back to converting the arguments to NumPy. Here every elementwise function of
``scipy.special`` (its ufuncs: ``erf``, ``gammaln``, ``ndtr``, ``xlogy``, ...) is that
function applied per block (``oxarray._foreign_ufuncs``): ``scipy.special.erf(x)`` on an
oxarray Array returns a lazy Array. SciPy is imported on first use, not with oxarray.
"""

from __future__ import annotations


def __getattr__(name: str):
    import numpy as np

    try:
        from scipy.special import _ufuncs
    except ImportError:
        raise AttributeError(f"oxarray.special.{name} needs SciPy") from None
    f = getattr(_ufuncs, name, None)
    if name.startswith("_") or not isinstance(f, np.ufunc):
        raise AttributeError(f"module 'oxarray.special' has no attribute {name!r}")
    return f  # a NumPy ufunc: on an oxarray Array, NEP 13 makes it lazy (per block)


def __dir__():
    import numpy as np

    try:
        from scipy.special import _ufuncs
    except ImportError:
        return []
    return sorted(n for n in dir(_ufuncs)
                  if not n.startswith("_") and isinstance(getattr(_ufuncs, n), np.ufunc))
