"""Indexing ``x[key]`` with NumPy's rules: basic indices (integers, slices with any step, ``...``,
``None``), boolean masks of any dimension (mixed with slices) and integer arrays (broadcast
together, mixed with slices; when advanced indices are separated by a slice the broadcast
dimensions go first).

* Basic indexing is one strided-slice node plus one reshape node (lazy, no data moves).
* A boolean mask has a data-dependent result length. As in NumPy the shape is known when
  ``x[mask]`` returns: at the call oxarray computes the mask's blocks (kept, so they are not
  computed twice) and counts the ``True`` per band of rows; the values of ``x`` stay lazy (a Rust
  compress kernel per band). Nothing else is computed.
* Integer-array indices are arguments: NumPy arrays and lists are checked at the call
  (``IndexError`` for an index out of bounds); an oxarray Array used as an index is computed at
  the call (its values fix the result's shape and must be bounds-checked). The selection itself
  is a lazy ``take`` node (a Rust gather per output block).
"""

from __future__ import annotations

import operator

import numpy as np

from . import _core
from ._arguments import basic_index_item
from ._array import Array

_VALID = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or "
          "boolean arrays are valid indices")


# --- parsing a key ------------------------------------------------------------------------------
def _entry(k):
    """One entry of a key as ``(kind, value)``; kinds: new, ell, slice, int, bool, intarr."""
    if k is None:
        return ("new", None)
    if k is Ellipsis:
        return ("ell", None)
    if isinstance(k, slice):
        return ("slice", k)
    if isinstance(k, (bool, np.bool_)):
        return ("bool", np.asarray(k))
    if isinstance(k, Array):
        if k.dtype == bool:
            return ("bool", k)
        if k.dtype.kind in "iu":
            return ("intarr", k)
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    if isinstance(k, (np.ndarray, list, tuple)):
        if isinstance(k, (list, tuple)) and any(isinstance(e, Array) for e in k):
            k = [e.compute() if isinstance(e, Array) else e for e in k]
        a = np.asarray(k)
        if a.dtype == bool:
            return ("bool", a)
        if a.dtype.kind in "iu":
            return ("intarr", a)
        if a.size == 0 and not isinstance(k, np.ndarray):
            return ("intarr", a.astype(np.intp))
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    try:
        return ("int", operator.index(k))
    except TypeError:
        raise IndexError(_VALID) from None


def parse_key(shape: tuple[int, ...], key) -> list[list]:
    """The key as a list of ``[kind, value, axis]`` over every axis of ``shape`` (``...``
    expanded, trailing axes filled with ``:``), checked as NumPy checks it."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(basic_index_item(k) for k in key)
    entries = [list(_entry(k)) for k in key]
    ndim = len(shape)
    n_ell = sum(e[0] == "ell" for e in entries)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(1 if e[0] in ("slice", "int", "intarr") else e[1].ndim if e[0] == "bool" else 0
                   for e in entries)
    if consumed > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but "
                         f"{consumed} were indexed")
    fill = [["slice", slice(None)] for _ in range(ndim - consumed)]
    if n_ell:
        i = next(i for i, e in enumerate(entries) if e[0] == "ell")
        entries = entries[:i] + fill + entries[i + 1 :]
    else:
        entries = entries + fill
    axis = 0
    for e in entries:
        e.append(axis)
        kind, v = e[0], e[1]
        if kind == "int":
            n = shape[axis]
            if not -n <= v < n:
                raise IndexError(f"index {v} is out of bounds for axis {axis} with size {n}")
            e[1] = v % n
        elif kind == "bool":
            for j, m in enumerate(v.shape):
                # NumPy lets an empty mask have length 0 on any axis (it selects nothing).
                if m != shape[axis + j] and not (m == 0 and v.size == 0):
                    raise IndexError(
                        f"boolean index did not match indexed array along axis {axis + j}; size "
                        f"of axis is {shape[axis + j]} but size of corresponding boolean axis is {m}")
            if v.ndim and v.size == 0:
                # An empty mask becomes empty index arrays in NumPy: nothing selected.
                v = e[1] = np.zeros(shape[axis : axis + v.ndim], dtype=bool)
        axis += 0 if kind == "new" else v.ndim if kind == "bool" else 1
    return entries


def is_advanced(entries) -> bool:
    return any(e[0] in ("bool", "intarr") for e in entries)


# --- basic indexing -----------------------------------------------------------------------------
def basic(x: Array, entries) -> Array:
    """``x[key]`` for a key of new/slice/int entries only: one slice node and one reshape."""
    sel = []  # (start, step, len) per input axis
    out_shape = []
    for kind, k, axis in entries:
        if kind == "new":
            out_shape.append(1)
            continue
        n = x.shape[axis]
        if kind == "slice":
            start, stop, step = k.indices(n)
            length = len(range(start, stop, step))
            # (a step beyond the extent takes one element: any step then, one that fits Rust)
            sel.append((start if length else 0, step if length > 1 else 1, length))
            out_shape.append(length)
        else:
            sel.append((k, 1, 1))
    if len(out_shape) > 64:
        raise IndexError(f"number of dimensions must be within [0, 64], indexing result would "
                         f"have {len(out_shape)}")
    node = _core.slice(x._node, sel)
    if list(node.shape) != out_shape:
        node = _core.reshape(node, out_shape)
    return Array(node)


def _basic_part(x: Array, entries) -> tuple[Array, list[int]]:
    """Applies the slices and ``None`` of an advanced key (advanced entries taken whole); returns
    the array and, for each advanced entry, the position of its first axis in that array."""
    plain, positions, pos = [], [], 0
    for kind, v, axis in entries:
        if kind == "bool" and v.ndim == 0:
            # NumPy: a 0-d mask among other array indices indexes a new length-1 axis.
            positions.append(pos)
            plain.append(["new", None, axis])
            pos += 1
        elif kind in ("bool", "intarr", "int"):
            k = v.ndim if kind == "bool" else 1
            positions.append(pos)
            plain += [["slice", slice(None), axis + j] for j in range(k)]
            pos += k
        else:
            plain.append([kind, v, axis])
            pos += 1
    return basic(x, plain), positions


def _adjacent(entries) -> bool:
    at = [i for i, e in enumerate(entries) if e[0] in ("bool", "intarr", "int")]
    return at == list(range(at[0], at[0] + len(at)))


def _move(x: Array, src: list[int], dst: int) -> Array:
    """Axes ``src`` (in order) moved to start at position ``dst``."""
    rest = [d for d in range(x.ndim) if d not in src]
    perm = rest[:dst] + list(src) + rest[dst:]
    if perm == list(range(x.ndim)):
        return x
    return Array(_core.transpose(x._node, perm))


# --- getitem ------------------------------------------------------------------------------------
def getitem(x: Array, key) -> Array:
    entries = parse_key(x.shape, key)
    if not is_advanced(entries):
        return basic(x, entries)
    adv = [e for e in entries if e[0] in ("bool", "intarr")]
    if len(adv) == 1 and adv[0][0] == "bool" and not any(e[0] == "int" for e in entries):
        return _mask_getitem(x, entries)
    arrays, axes = index_arrays(x.shape, entries)
    y, positions = _basic_part(x, entries)
    ypos = []
    for (kind, v, _axis), p in zip((e for e in entries if e[0] in ("bool", "intarr", "int")), positions,
                                   strict=True):
        ypos += [p + j for j in range(max(v.ndim, 1) if kind == "bool" else 1)]
    return _take_points(y, arrays, ypos, [1 if a is None else x.shape[a] for a in axes],
                        _adjacent(entries))


def _mask_getitem(x: Array, entries) -> Array:
    y, (q,) = _basic_part(x, entries)
    mask = next(e[1] for e in entries if e[0] == "bool")
    k = mask.ndim
    if k == 0:  # _basic_part gave the mask its new length-1 axis at q: keep it or empty it
        if bool(mask):
            return y
        return Array(_core.slice(y._node, [(0, 1, 0) if d == q else (0, 1, n) for d, n in enumerate(y.shape)]))
    from ._masking import compress_leading

    moved = _move(y, list(range(q, q + k)), 0)
    return _move(compress_leading(moved, mask), [0], q)


def index_arrays(shape, entries, check: bool = True) -> tuple[list[np.ndarray], list[int]]:
    """The advanced entries as broadcast, non-negative integer NumPy arrays, one per indexed axis
    (boolean masks become their ``nonzero()``), and the axis each one indexes. Without ``check``
    they are broadcast only (``bounds`` checks them later)."""
    arrays, axes = [], []
    for kind, v, axis in entries:
        if kind == "int":
            arrays.append(np.asarray(v, dtype=np.intp))
            axes.append(axis)
        elif kind == "intarr":
            a = v.compute() if isinstance(v, Array) else v  # documented: an index is computed
            arrays.append(a.astype(np.intp, copy=False))
            axes.append(axis)
        elif kind == "bool":
            if v.ndim == 0:  # indexes a new length-1 axis (see _basic_part)
                truth = v.compute() if isinstance(v, Array) else v
                arrays.append(np.zeros(1 if bool(truth) else 0, dtype=np.intp))
                axes.append(None)
                continue
            if isinstance(v, Array):
                from ._masking import nonzero

                nz = [a.compute() for a in nonzero(v)]  # documented: the mask is computed
            else:
                nz = list(np.nonzero(v))
            arrays += nz
            axes += [axis + j for j in range(v.ndim)]
    try:
        arrays = list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = " ".join("(" + ",".join(map(str, a.shape)) + ("," if a.ndim == 1 else "") + ")"
                          for a in arrays)
        raise IndexError(f"shape mismatch: indexing arrays could not be broadcast together with "
                         f"shapes {shapes} ") from None
    return (bounds(shape, arrays, axes) if check else arrays), axes


def bounds(shape, arrays, axes) -> list[np.ndarray]:
    """The index arrays checked against ``shape`` (NumPy's IndexError), negatives wrapped."""
    out = []
    for a, axis in zip(arrays, axes, strict=True):
        n = 1 if axis is None else shape[axis]
        bad = (a < -n) | (a >= n)
        if bad.any():
            raise IndexError(f"index {a[bad].flat[0]} is out of bounds for axis {axis} with size {n}")
        out.append(np.where(a < 0, a + n, a) if a.size else a)
    return out


def _take_points(y: Array, arrays, ypos, dims, adjacent: bool) -> Array:
    """``y`` indexed by the broadcast, checked integer ``arrays`` on axes ``ypos``."""
    b_shape = arrays[0].shape if arrays else ()
    if len(arrays) == 1:
        a = ypos[0]
        z = Array(_core.take_axis(y._node, a, np.ascontiguousarray(arrays[0].ravel(), dtype=np.int64)))
        if b_shape != (z.shape[a],):
            z = Array(_core.reshape(z._node, list(y.shape[:a]) + list(b_shape) + list(y.shape[a + 1 :])))
        return z
    moved = _move(y, ypos, 0)
    rest = list(moved.shape[len(ypos):])
    merged = Array(_core.reshape(moved._node, [int(np.prod(dims, dtype=np.int64))] + rest))
    flat = np.ravel_multi_index(tuple(arrays), dims) if arrays[0].size else np.zeros(0, np.intp)
    z = Array(_core.take_axis(merged._node, 0, np.ascontiguousarray(np.ravel(flat), dtype=np.int64)))
    z = Array(_core.reshape(z._node, list(b_shape) + rest))
    if adjacent and ypos[0]:
        z = _move(z, list(range(len(b_shape))), ypos[0])
    return z
