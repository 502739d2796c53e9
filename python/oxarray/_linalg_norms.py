"""NumPy 2's (and the Array API's) ``linalg.vector_norm`` and ``linalg.matrix_norm``: lazy
compositions of ``linalg.norm``'s reductions (a transpose and reshape gather several axes into one;
the spectral norms take the SVD's singular values)."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from ._array import Array
from ._dispatch import implements


def _as(x) -> Array:
    from ._creation import asarray

    return x if isinstance(x, Array) else asarray(x)


@implements(np.linalg.vector_norm)
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2) -> Array:
    """The ``ord``-norm of the vectors along ``axis`` (all axes when ``None``; a tuple of axes
    is taken as one flattened axis), as NumPy's.

    >>> import numpy as np, oxarray as ox
    >>> float(np.linalg.vector_norm(ox.asarray([[3.0, 0.0], [0.0, 4.0]])))
    5.0
    """
    from .linalg import norm

    x = _as(x)
    shape = list(x.shape)
    if axis is None:
        x, red = x.reshape(-1), 0
    elif isinstance(axis, tuple):
        axes = normalize_axis_tuple(axis, x.ndim)  # AxisError / duplicate ValueError, as NumPy
        rest = [i for i in range(x.ndim) if i not in axes]
        x = x.transpose(list(axes) + rest)
        x = x.reshape((math.prod(shape[i] for i in axes), *[shape[i] for i in rest]))
        red = 0
    else:
        red = axis
    r = norm(x, ord=ord, axis=red)
    if keepdims:
        for i in normalize_axis_tuple(range(len(shape)) if axis is None else axis, len(shape)):
            shape[i] = 1
        r = r.reshape(tuple(shape))
    return r


@implements(np.linalg.matrix_norm)
def matrix_norm(x, /, *, keepdims=False, ord="fro") -> Array:
    """The ``ord``-norm of each matrix of the stack (the last two axes), as NumPy's.

    >>> import numpy as np, oxarray as ox
    >>> float(np.linalg.matrix_norm(ox.asarray([[1.0, 2.0], [3.0, 4.0]]), ord=1))
    6.0
    """
    from .linalg import norm

    return norm(_as(x), ord=ord, axis=(-2, -1), keepdims=keepdims)  # AxisError below 2-d
