"""oxarray: NumPy-protocol lazy chunked arrays with the whole engine in Rust.

>>> import numpy as np, oxarray as ox
>>> x = ox.asarray(np.arange(12.0).reshape(3, 4), chunks=(2, 2))
>>> float(np.sqrt(x * x).sum())
66.0
"""

from __future__ import annotations

import numpy as _np

from . import config, diagnostics, fft, lib, linalg, protocol  # progress bar and profiler; the NEP 18/13 toolkit
from . import random as random  # the public ox.random module
from . import special as special  # scipy.special's ufuncs, lazily (SCIPY_ARRAY_API)
from ._apply import apply_along_axis, apply_over_axes, map_blocks, piecewise
from ._array import Array
from ._assignment import copyto, fill_diagonal, place, put, put_along_axis, putmask
from ._bits import packbits, unpackbits
from ._convolve import convolve, correlate
from ._creation import (
    arange,
    asarray,
    copy,
    empty,
    empty_like,
    eye,
    from_array,
    from_dlpack,
    full,
    full_like,
    identity,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from ._data_types import (
    astype,
    can_cast,
    common_type,
    finfo,
    iinfo,
    iscomplexobj,
    isdtype,
    isrealobj,
    result_type,
)
from ._differences import diff, ediff1d, gradient, trapezoid
from ._dispatch import HANDLED_FUNCTIONS, implements
from ._einsum import einsum, einsum_path  # the einsum family: einsum, kron, tensorsolve, ...
from ._elementwise import FUNCTIONS as _ELEMENTWISE
from ._elementwise import clip, imag, real, round
from ._histograms import (
    bincount,
    digitize,
    histogram,
    histogram2d,
    histogram_bin_edges,
    histogramdd,
)

# The Array API's inspection section and the names it adds at 2025.12.
from ._inspection import __array_namespace_info__
from ._interp import interp
from ._io import from_npy, may_share_memory, min_scalar_type, shares_memory, to_npy
from ._joining import (
    append,
    array_split,
    atleast_3d,
    block,
    column_stack,
    delete,
    dsplit,
    dstack,
    hsplit,
    hstack,
    insert,
    split,
    unstack,
    vsplit,
    vstack,
)
from ._like import array, ascontiguousarray, asfortranarray, fromfunction, require
from ._linalg import (
    cross,
    diagonal,
    dot,
    matmul,
    matrix_transpose,
    outer,
    tensordot,
    trace,
    vdot,
    vecdot,
)
from ._manipulation import (
    atleast_1d,
    atleast_2d,
    broadcast_arrays,
    broadcast_shapes,
    broadcast_to,
    concat,
    concatenate,
    expand_dims,
    moveaxis,
    permute_dims,
    ravel,
    reshape,
    squeeze,
    stack,
    swapaxes,
    transpose,
)
from ._masking import argwhere, compress, count_nonzero, extract, flatnonzero, nonzero
from ._mathmisc import angle, nan_to_num, sinc
from ._matrices import diag, diagflat, indices, meshgrid, tri, tril, triu
from ._nan import nanargmax, nanargmin, nanmax, nanmean, nanmin, nanprod, nanstd, nansum, nanvar
from ._padding import pad
from ._polynomial import (
    poly,
    polyadd,
    polyder,
    polydiv,
    polyfit,
    polyint,
    polymul,
    polysub,
    polyval,
    roots,
    vander,
)
from ._printing import array2string, array_repr, array_str
from ._quantiles import (
    argpartition,
    median,
    nanmedian,
    nanpercentile,
    nanquantile,
    partition,
    percentile,
    quantile,
)
from ._rearranging import flip, fliplr, flipud, repeat, roll, rot90, tile
from ._scans import cumprod, cumsum, cumulative_prod, cumulative_sum, nancumprod, nancumsum
from ._scimath import EMATH as _EMATH  # np.emath, registered for NEP 18 on import
from ._searching import argmax, argmin, where
from ._searchsorted import argtopk, lexsort, searchsorted, sort_complex, topk  # sorting: searches
from ._sets import (
    intersect1d,
    isin,
    setdiff1d,
    setxor1d,
    union1d,
    unique,
    unique_all,
    unique_counts,
    unique_inverse,
    unique_values,
)
from ._shaping import ix_, resize, rollaxis, sliding_window_view, trim_zeros
from ._sorting import argsort, sort
from ._spaces import geomspace, linspace, logspace
from ._statistical import all, any, max, mean, min, prod, std, sum, var
from ._stats import allclose, array_equal, array_equiv, average, corrcoef, cov, isclose, ptp
from ._take import (
    choose,
    diag_indices,
    diag_indices_from,
    ravel_multi_index,
    select,
    take,
    take_along_axis,
    tril_indices,
    tril_indices_from,
    triu_indices,
    triu_indices_from,
    unravel_index,
)
from ._tensor import kron, matvec, vecmat
from ._ufuncs_more import fix, i0, iscomplex, isneginf, isposinf, isreal, real_if_close, unwrap
from ._zarr import from_zarr, to_zarr  # Zarr v2/v3 storage (zarrs, in Rust)

# Scale-out: run a plan on Dask distributed or Ray (issue 11)
from .executors import DaskExecutor, LocalExecutor, RayExecutor

globals().update(_ELEMENTWISE)

__version__ = "0.1.0"
__array_api_version__ = "2025.12"

bool = _np.bool_
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8, uint16, uint32, uint64 = _np.uint8, _np.uint16, _np.uint32, _np.uint64
float16, float32, float64 = _np.float16, _np.float32, _np.float64
complex64, complex128 = _np.complex64, _np.complex128
e, pi, inf, nan, newaxis = _np.e, _np.pi, _np.inf, _np.nan, None


def compute(*arrays, executor=None, progress: bool = False):
    """Compute several arrays in one run, sharing their common work (like ``dask.compute``).
    ``progress=True`` shows a progress bar (``oxarray.diagnostics.ProgressBar``).

    >>> import oxarray as ox
    >>> a = ox.ones(3)
    >>> ox.compute(a + 1, a * 2)
    (array([2., 2., 2.]), array([2., 2., 2.]))
    """
    from .executors import resolve

    nodes = [a._node if isinstance(a, Array) else asarray(a)._node for a in arrays]
    if progress and executor is None:
        from .diagnostics import ProgressBar

        with ProgressBar():
            return tuple(resolve(executor).compute(nodes))
    return tuple(resolve(executor).compute(nodes))


def persist(*arrays, executor=None):
    """Compute several arrays' blocks in one run and keep them as new Arrays (on the cluster of
    ``executor`` when one is given)."""
    from .executors import resolve

    nodes = [a._node if isinstance(a, Array) else asarray(a)._node for a in arrays]
    return tuple(resolve(executor).persist(nodes))


# Methods the families attached to Array without a docstring get one naming NumPy's (docstrings).
from ._dispatch import document_methods as _document_methods  # noqa: E402

_document_methods(Array)
