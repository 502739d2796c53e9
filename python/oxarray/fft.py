"""Discrete Fourier transforms: NumPy's ``np.fft`` (NEP 18) and the Array API ``fft`` extension.

Every transform is a Rust kernel (rustfft/realfft, plans cached per length, lanes spread over
threads); this module normalizes the arguments exactly as NumPy's ``numpy/fft/_pocketfft.py``
does — same order of checks, same messages, same result dtypes (complex128 for integer, bool and
float64 input, complex64 for float32/complex64) — and asks Rust for one lazy node per axis
transform. An axis split across chunks needs no rechunking by the user: the graph makes it whole
per block of lanes, or runs a four-step FFT for one long 1-d axis (see ``crates/oxarray-graph/
src/fft.rs``); an axis too long to be one block raises ``MemoryError`` when the call is made.

``fftshift``/``ifftshift`` are compositions (a roll: two slices and a concatenate per axis) and
``fftfreq``/``rfftfreq`` are ``arange`` and elementwise arithmetic: all lazy, fused where possible.

>>> import numpy as np, oxarray as ox
>>> x = ox.asarray(np.arange(8.0), chunks=3)
>>> np.fft.fft(x).compute()[:3].round(3)
array([28.+0.j   , -4.+9.657j, -4.+4.j   ])
"""

from __future__ import annotations

import operator
import warnings

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements

__all__ = [
    "fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
    "fftn", "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]  # fmt: skip


def _as_array(a) -> Array:
    from ._creation import asarray

    return a if isinstance(a, Array) else asarray(a)


_SWAP_DIRECTION_MAP = {"backward": "forward", None: "forward", "ortho": "ortho", "forward": "backward"}


def _swap_direction(norm):
    try:
        return _SWAP_DIRECTION_MAP[norm]
    except KeyError:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", '
                         '"ortho" or "forward".') from None


def _real_dtype(dt: np.dtype) -> np.dtype:
    """NumPy's ``result_type(a.real.dtype, 1.0)``: the precision a transform of ``dt`` runs in."""
    if dt.kind == "c":
        dt = np.dtype(f"f{dt.itemsize // 2}")
    return np.result_type(dt, 1.0)


def _raw_fft(a: Array, n, axis, is_real, is_forward, norm, out=None, *, conj_in=False,
             conj_out=False) -> Array:
    """NumPy's ``_raw_fft``: checks in NumPy's order, then one transform node (a kernel)."""
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    if not is_forward:
        norm = _swap_direction(norm)
    real_dtype = _real_dtype(a.dtype)
    if norm is None or norm == "backward":
        fct = 1
    elif norm == "ortho":
        fct = np.reciprocal(np.sqrt(n, dtype=real_dtype))
    elif norm == "forward":
        fct = np.reciprocal(n, dtype=real_dtype)
    else:
        raise ValueError(f'Invalid norm value {norm}; should be "backward",'
                         '"ortho" or "forward".')
    if isinstance(n, (bool, np.bool_)):
        raise TypeError("an integer is required")
    n_out = n
    if is_real:
        if is_forward:
            kind, name = "rfft", "rfft_n_even" if n % 2 == 0 else "rfft_n_odd"
            n_out = n // 2 + 1
        else:
            kind, name = "irfft", "irfft"
    else:
        kind = name = "fft" if is_forward else "ifft"
    axis = normalize_axis_index(axis, a.ndim)
    n = operator.index(n)
    n_out = operator.index(n_out)
    if out is not None and (shape := getattr(out, "shape", None)) is not None and (
            len(shape) != a.ndim or shape[axis] != n_out):
        raise ValueError("output array has wrong shape.")
    if kind == "rfft" and a.dtype.kind == "c":
        raise TypeError(f"ufunc '{name}' not supported for the input types, and the inputs could "
                        f"not be safely coerced to any supported types according to the casting "
                        f"rule ''safe''")
    from . import config

    half = a.dtype == np.float16
    if half:
        a = a.astype(np.float32)  # NumPy's pocketfft computes float16 in single precision too
    node = _core.fft(a._node, kind, axis, n, float(fct), config.get("fft_block_bytes"),
                     conj_in, conj_out)
    result = Array(node)
    if half and kind == "irfft":
        result = result.astype(np.float16)  # NumPy's irfft answers in the input's real dtype
    if out is None:
        return result
    from ._elementwise import rebind

    if getattr(out, "shape", None) != result.shape:
        raise ValueError("output array has wrong shape.")
    return rebind(out, result, name)


@implements(np.fft.fft)
def fft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's ``fft``: the ``n``-point complex DFT along ``axis`` (a rustfft kernel, lazy)."""
    a = _as_array(a)
    if n is None:
        n = a.shape[axis]
    return _raw_fft(a, n, axis, False, True, norm, out)


@implements(np.fft.ifft)
def ifft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's ``ifft`` (a rustfft kernel, lazy)."""
    a = _as_array(a)
    if n is None:
        n = a.shape[axis]
    return _raw_fft(a, n, axis, False, False, norm, out=out)


@implements(np.fft.rfft)
def rfft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's ``rfft``: the ``n // 2 + 1`` non-negative frequencies of real input (realfft)."""
    a = _as_array(a)
    if n is None:
        n = a.shape[axis]
    return _raw_fft(a, n, axis, True, True, norm, out=out)


@implements(np.fft.irfft)
def irfft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's ``irfft``: ``n`` real points (default ``2 * (m - 1)``) from a half spectrum."""
    a = _as_array(a)
    if n is None:
        n = (a.shape[axis] - 1) * 2
    return _raw_fft(a, n, axis, True, False, norm, out=out)


@implements(np.fft.hfft)
def hfft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's ``hfft``: ``irfft(conj(a))`` with the norm swapped (the conjugate is done by the
    kernel). As NumPy 2.4 does, ``out`` is accepted and not written."""
    a = _as_array(a)
    if n is None:
        n = (a.shape[axis] - 1) * 2
    new_norm = _swap_direction(norm)
    return _raw_fft(a, n, axis, True, False, new_norm, out=None, conj_in=True)


@implements(np.fft.ihfft)
def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """NumPy's ``ihfft``: ``conj(rfft(a))`` with the norm swapped (conjugated in the kernel)."""
    a = _as_array(a)
    if n is None:
        n = a.shape[axis]
    new_norm = _swap_direction(norm)
    return _raw_fft(a, n, axis, True, True, new_norm, out=out, conj_out=True)


def _cook_nd_args(a: Array, s=None, axes=None, invreal=0):
    """NumPy's ``_cook_nd_args`` (including its NumPy 2.0 deprecation warnings)."""
    if s is None:
        shapeless = True
        s = list(a.shape) if axes is None else np.take(a.shape, axes)
    else:
        shapeless = False
    s = list(s)
    if axes is None:
        if not shapeless:
            warnings.warn(
                "`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). In "
                "a future version of NumPy, this will raise an error and `s[i]` will correspond "
                "to the size along the transformed axis specified by `axes[i]`. To retain "
                "current behaviour, pass a sequence [0, ..., k-1] to `axes` for an array of "
                "dimension k.", DeprecationWarning, stacklevel=3)
        axes = list(range(-len(s), 0))
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (a.shape[axes[-1]] - 1) * 2
    if None in s:
        warnings.warn(
            "Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 and "
            "will raise an error in a future version of NumPy. To use the default behaviour of "
            "the corresponding 1-D transform, pass the value matching the default for its `n` "
            "parameter. To use the default behaviour for every axis, the `s` argument can be "
            "omitted.", DeprecationWarning, stacklevel=3)
    s = [a.shape[_a] if _s == -1 else _s for _s, _a in zip(s, axes, strict=True)]
    return s, axes


def _raw_fftnd(a, s=None, axes=None, function=fft, norm=None, out=None):
    a = _as_array(a)
    s, axes = _cook_nd_args(a, s, axes)
    for ii in reversed(range(len(axes))):
        a = function(a, n=s[ii], axis=axes[ii], norm=norm, out=out)
    return a


@implements(np.fft.fftn)
def fftn(a, s=None, axes=None, norm=None, out=None):
    """NumPy's ``fftn``: one lazy transform per axis, last axis first."""
    return _raw_fftnd(a, s, axes, fft, norm, out=out)


@implements(np.fft.ifftn)
def ifftn(a, s=None, axes=None, norm=None, out=None):
    """NumPy's ``ifftn``."""
    return _raw_fftnd(a, s, axes, ifft, norm, out=out)


@implements(np.fft.fft2)
def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """NumPy's ``fft2``."""
    return _raw_fftnd(a, s, axes, fft, norm, out=out)


@implements(np.fft.ifft2)
def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """NumPy's ``ifft2`` (as NumPy 2.4 does, ``out`` is accepted and not written)."""
    return _raw_fftnd(a, s, axes, ifft, norm, out=None)


@implements(np.fft.rfftn)
def rfftn(a, s=None, axes=None, norm=None, out=None):
    """NumPy's ``rfftn``: ``rfft`` along the last axis, then ``fft`` along the others."""
    a = _as_array(a)
    s, axes = _cook_nd_args(a, s, axes)
    a = rfft(a, s[-1], axes[-1], norm, out=out)
    for ii in range(len(axes) - 2, -1, -1):
        a = fft(a, s[ii], axes[ii], norm, out=out)
    return a


@implements(np.fft.rfft2)
def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """NumPy's ``rfft2``."""
    return rfftn(a, s, axes, norm, out=out)


@implements(np.fft.irfftn)
def irfftn(a, s=None, axes=None, norm=None, out=None):
    """NumPy's ``irfftn``: ``ifft`` along all axes but the last, then ``irfft`` along it."""
    a = _as_array(a)
    s, axes = _cook_nd_args(a, s, axes, invreal=1)
    for ii in range(len(axes) - 1):
        a = ifft(a, s[ii], axes[ii], norm)
    return irfft(a, s[-1], axes[-1], norm, out=out)


@implements(np.fft.irfft2)
def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    """NumPy's ``irfft2`` (as NumPy 2.4 does, ``out`` is accepted and not written)."""
    return irfftn(a, s, axes, norm, out=None)


# --- frequencies and shifts: compositions of lazy ops ------------------------------------------

def _check_device(device) -> None:
    if device not in (None, "cpu"):
        raise ValueError(f'Device not understood. Only "cpu" is allowed, but received: {device}')


def fftfreq(n, d=1.0, device=None, *, dtype=None) -> Array:
    """NumPy's ``fftfreq`` (and the Array API's, with ``dtype=``): ``[0, 1, ..., -1] / (n*d)``.

    A composition: ``where(i < (n+1)//2, i, i - n) * (1 / (n*d))`` over a lazy ``arange``.

    >>> import oxarray as ox
    >>> ox.fft.fftfreq(5, d=0.5).compute()
    array([ 0. ,  0.4,  0.8, -0.8, -0.4])
    """
    from ._creation import arange
    from ._searching import where

    if not isinstance(n, (int, np.integer)):
        raise ValueError("n should be an integer")
    _check_device(device)
    val = 1.0 / (n * d)
    if n < 0:
        raise ValueError("negative dimensions are not allowed")
    i = arange(0, n, dtype=np.int64)
    results = where(i < (n - 1) // 2 + 1, i, i - n) * val
    return results if dtype is None else results.astype(dtype)


def rfftfreq(n, d=1.0, device=None, *, dtype=None) -> Array:
    """NumPy's ``rfftfreq`` (and the Array API's, with ``dtype=``): ``[0, 1, ..., n//2] / (n*d)``.

    >>> import oxarray as ox
    >>> ox.fft.rfftfreq(5, d=0.5).compute()
    array([0. , 0.4, 0.8])
    """
    from ._creation import arange

    if not isinstance(n, (int, np.integer)):
        raise ValueError("n should be an integer")
    _check_device(device)
    val = 1.0 / (n * d)
    results = arange(0, n // 2 + 1, dtype=np.int64) * val
    return results if dtype is None else results.astype(dtype)


def _roll(x: Array, shift, axes) -> Array:
    """NumPy's ``roll`` along ``axes`` (shifts broadcast against axes and summed per axis), as
    a composition: each rolled axis is two slices joined by ``concatenate``."""
    from ._manipulation import concatenate

    if x.ndim == 0:  # NumPy's roll of a 0-d array fails unpacking its (empty) shape
        raise ValueError("not enough values to unpack (expected 2, got 0)")
    shifts: dict[int, int] = {}
    for sh, ax in np.broadcast(shift, axes):
        ax = normalize_axis_index(int(ax), x.ndim)
        shifts[ax] = shifts.get(ax, 0) + int(sh)
    for ax, sh in shifts.items():
        n = x.shape[ax]
        k = sh % n if n else 0
        if k == 0:
            continue
        head = (slice(None),) * ax
        x = concatenate([x[head + (slice(n - k, None),)], x[head + (slice(0, n - k),)]], axis=ax)
    return Array(x._node)


@implements(np.fft.fftshift)
def fftshift(x, axes=None) -> Array:
    """NumPy's ``fftshift``: the zero frequency moved to the centre (a lazy roll)."""
    x = _as_array(x)
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [dim // 2 for dim in x.shape]
    elif isinstance(axes, (int, np.integer)):
        shift = x.shape[axes] // 2
    else:
        shift = [x.shape[ax] // 2 for ax in axes]
    return _roll(x, shift, axes)


@implements(np.fft.ifftshift)
def ifftshift(x, axes=None) -> Array:
    """NumPy's ``ifftshift``: the inverse of ``fftshift`` (a lazy roll)."""
    x = _as_array(x)
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [-(dim // 2) for dim in x.shape]
    elif isinstance(axes, (int, np.integer)):
        shift = -(x.shape[axes] // 2)
    else:
        shift = [-(x.shape[ax] // 2) for ax in axes]
    return _roll(x, shift, axes)
