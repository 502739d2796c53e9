"""Item assignment ``x[key] = value`` and NumPy's other in-place writers.

An oxarray Array is a handle on an immutable node, so writing "in place" points the handle at a
new node (as ``x += 1`` does): every reference to that Array object sees the new value, while a
view taken earlier (``y = x[1:3]``) keeps the old one — NumPy's views share memory, a lazy view
cannot. Compositions, all lazy:

* basic indices and integer arrays: ``where(region, spread(value), x)``, where ``region`` is a
  product of per-axis masks (fused into one pass) and ``spread`` places the value's elements at
  their positions (a ``take`` where the value varies along an indexed axis);
* ``x[mask] = v`` with ``v`` constant along the selected elements: ``where(mask, v, x)``;
* ``x[mask] = values`` (one value per selected element): the mask's size pass (as ``x[mask]``)
  and a Rust expand kernel per band.

The value is converted as NumPy converts it: Python scalars and sequences with NumPy's errors
(``OverflowError`` for 300 into int8, ``TypeError`` for a complex into a float array), arrays by
an unsafe cast (``ComplexWarning`` when an imaginary part is dropped).
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from . import _core
from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of
from ._indexing import _adjacent, _move, bounds, index_arrays, is_advanced, parse_key


def value_array(x: Array, value) -> Array:
    """``value`` as an Array of ``x``'s dtype, converted as NumPy's ``x[...] = value`` does."""
    dt = x.dtype
    if isinstance(value, Array):
        if value.dtype == dt:
            return value
        if value.dtype.kind == "c" and dt.kind != "c":
            warnings.warn("Casting complex values to real discards the imaginary part",
                          np.exceptions.ComplexWarning, stacklevel=3)
        return Array(_core.cast(value._node, dt.name))
    if isinstance(value, np.generic) and dt.kind == "i" and value.dtype.kind in "iuf":
        # NumPy converts a scalar into a signed integer array through int(): NaN is a
        # ValueError, a value out of range an OverflowError.
        whole = int(value)
        info = np.iinfo(dt)
        if not info.min <= whole <= info.max:
            raise OverflowError(f"Python integer {whole} out of bounds for {dt}")
        a = np.asarray(whole, dtype=dt)
    elif isinstance(value, (np.ndarray, np.generic)):
        a = np.asarray(value).astype(dt)  # NumPy's unsafe cast, with its warnings
    else:
        a = np.asarray(value, dtype=dt)  # NumPy's conversion errors for scalars and sequences
    from ._creation import asarray

    return asarray(a)


def setitem(x: Array, key, value) -> None:
    """``x[key] = value``: ``x`` is rebound to the updated array (lazy)."""
    entries = parse_key(x.shape, key)
    v = value_array(x, value)
    new = assign(x, entries, v)
    if new.chunks != x.chunks:
        new = new.rechunk(x.chunks)
    x._node = new._node


def assign(x: Array, entries, v: Array) -> Array:
    """The array ``x`` with ``x[entries] = v`` (``v`` already of ``x``'s dtype)."""
    if not is_advanced(entries):
        return _where_assign(x, entries, v, None)
    adv = [e for e in entries if e[0] in ("bool", "intarr")]
    if len(adv) == 1 and adv[0][0] == "bool" and not any(e[0] == "int" for e in entries):
        mask = adv[0][1]
        pos = next(i for i, e in enumerate(entries) if e is adv[0])  # result position of the count
        shape = _result_shape(x, entries, [1])
        v = _squeeze_leading(v, len(shape))
        vv = (1,) * (len(shape) - v.ndim) + v.shape
        if v.ndim <= len(shape) and vv[pos] == 1:
            return _where_assign(x, entries, v, ("mask", mask, adv[0][2]))
        whole = all(e[0] == "bool" or (e[0] == "slice" and e[1].indices(x.shape[e[2]]) ==
                                       (0, x.shape[e[2]], 1)) for e in entries)
        if whole and mask.ndim:
            return _expand_assign(x, mask, adv[0][2], pos, v)
        if mask.ndim == 0 and v.size == 0 and x.size:
            # No values for a 0-d mask (array-api-extra's ``at(x, cond).set`` does this): nothing
            # changes when it is False; when it is True NumPy raises, here at compute.
            from ._manipulation import broadcast_to

            flag = broadcast_to(mask if isinstance(mask, Array) else Array(node_of(mask)),
                                x.shape).rechunk(x.chunks)
            n = int(np.prod(shape))
            msg = (f"NumPy boolean array indexing assignment cannot assign 0 input values to the "
                   f"{n} output values where the mask is true")
            return Array(_core.check(x._node, flag._node, msg))
    arrays, axes = index_arrays(x.shape, entries, check=False)  # NumPy checks the value first
    if None in axes:
        raise NotImplementedError("oxarray: assignment with a 0-d boolean index combined with "
                                  "other array indices is not supported")
    return _where_assign(x, entries, v, ("points", arrays, axes, _adjacent(entries)))


def _result_shape(x: Array, entries, group_shape) -> list[int]:
    """The shape of ``x[entries]`` with ``group_shape`` for the advanced dimensions."""
    out, group_at, seen = [], None, False
    for kind, k, axis in entries:
        if kind in ("bool", "intarr", "int") and is_advanced(entries):
            if not seen:
                group_at, seen = len(out), True
            continue
        if kind == "new":
            out.append(1)
        elif kind == "slice":
            out.append(len(range(*k.indices(x.shape[axis]))))
    if group_at is None:
        return out
    if not _adjacent(entries):
        group_at = 0
    return out[:group_at] + list(group_shape) + out[group_at:]


def _mismatch(v: Array, shape, advanced: bool) -> ValueError:
    s = "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    vs = "(" + ",".join(map(str, v.shape)) + ("," if v.ndim == 1 else "") + ")"
    if advanced:
        return ValueError(f"shape mismatch: value array of shape {vs} could not be broadcast to "
                          f"indexing result of shape {s}")
    return ValueError(f"could not broadcast input array from shape {vs} into shape {s}")


def _squeeze_leading(v: Array, ndim: int) -> Array:
    """NumPy drops a value's leading length-1 axes beyond the indexed result's dimensions."""
    extra = 0
    while v.ndim - extra > ndim and v.shape[extra] == 1:
        extra += 1
    return _reshape(v, v.shape[extra:]) if extra else v


def _reshape(a: Array, shape) -> Array:
    shape = [int(s) for s in shape]
    return a if list(a.shape) == shape else Array(_core.reshape(a._node, shape))


def _take(a: Array, axis: int, idx: np.ndarray) -> Array:
    return Array(_core.take_axis(a._node, axis, np.ascontiguousarray(idx, dtype=np.int64)))


def _slice_map(s: slice, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For an axis of length ``n``: which positions ``s`` selects, and for each the position in
    the selection (0 elsewhere). Index arguments, so NumPy builds them."""
    start, stop, step = s.indices(n)
    sel = np.zeros(n, dtype=bool)
    where = np.zeros(n, dtype=np.int64)
    picked = np.arange(start, stop, step)
    sel[picked] = True
    where[picked] = np.arange(len(picked))
    return sel, where


def _where_assign(x: Array, entries, v: Array, group) -> Array:
    """``where(region, spread(v), x)``: see the module docstring."""
    from ._creation import asarray
    from ._searching import where

    advanced = group is not None
    gshape = [1] if not advanced else [1] if group[0] == "mask" else list(group[1][0].shape)
    shape = _result_shape(x, entries, gshape)
    v = _squeeze_leading(v, len(shape))
    if v.ndim > len(shape):
        raise _mismatch(v, _result_shape(x, entries, ["N"]) if group and group[0] == "mask" else shape,
                        advanced)
    vshape = (1,) * (len(shape) - v.ndim) + v.shape
    if any(a != 1 and a != b for a, b in zip(vshape, shape, strict=True)):
        raise _mismatch(v, shape, advanced)
    v = _reshape(v, vshape)
    if advanced and group[0] == "points":
        group = ("points", bounds(x.shape, group[1], group[2]), group[2], group[3])
    if 0 in shape:
        return x  # nothing selected
    # Layout of v's dimensions: ("axis", d, slice) / ("new",) / ("group",) per result dim.
    layout, group_done = [], False
    for kind, k, axis in entries:
        if kind in ("bool", "intarr", "int") and advanced:
            if not group_done:
                layout += [("group",)] * len(gshape)
                group_done = True
        elif kind == "new":
            layout.append(("new",))
        elif kind == "slice":
            layout.append(("axis", axis, k))
    if advanced and not _adjacent(entries):
        layout = [d for d in layout if d[0] == "group"] + [d for d in layout if d[0] != "group"]
    # Drop the new axes, merge the group dims into one (at the front).
    keep = [i for i, d in enumerate(layout) if d[0] != "new"]
    v = _reshape(v, [v.shape[i] for i in keep])
    layout = [layout[i] for i in keep]
    gdims = [i for i, d in enumerate(layout) if d[0] == "group"]
    group_axes = []
    if advanced:
        v = _move(v, gdims, 0)
        g = [v.shape[i] for i in range(len(gdims))]
        rest = list(v.shape[len(gdims):])
        if any(s != 1 for s in g):
            v = Array(_core.broadcast_to(v._node, list(gshape) + rest))
            v = _reshape(v, [int(np.prod(gshape, dtype=np.int64))] + rest)
        else:
            v = _reshape(v, [1] + rest)
        layout = [("group",)] + [d for d in layout if d[0] != "group"]
        if group[0] == "mask":
            mask, a0 = group[1], group[2]
            group_axes = list(range(a0, a0 + mask.ndim))
            gsel = mask
            v = _reshape(v, [1] * len(group_axes) + rest)
        else:
            arrays, group_axes = group[1], list(group[2])
            dims = [x.shape[a] for a in group_axes]
            size = int(np.prod(dims, dtype=np.int64))
            flat = np.ravel_multi_index(tuple(arrays), dims).ravel() if arrays[0].size else np.zeros(0, np.intp)
            gsel = np.zeros(size, dtype=bool)
            gsel[flat] = True
            if v.shape[0] != 1:
                idxmap = np.zeros(size, dtype=np.int64)
                idxmap[flat] = np.arange(flat.size)  # repeated indices: the last value wins
                v = _take(v, 0, idxmap)
                v = _reshape(v, dims + rest)
            else:
                v = _reshape(v, [1] * len(dims) + rest)
            gsel = gsel.reshape(dims)
    # Spread the value along the sliced axes; collect the per-axis region masks.
    others = [d for d in range(x.ndim) if d not in group_axes]
    slices = {axis: k for kind, k, axis in entries if kind in ("slice", "int") and axis not in group_axes}
    pos = len(group_axes)
    pieces = []
    for d in others:
        s = slices[d]
        n = x.shape[d]
        if isinstance(s, slice):
            sel, where_in = _slice_map(s, n)
            if v.shape[pos] != 1 and s.indices(n) != (0, n, 1):
                v = _take(v, pos, where_in)
        else:  # an integer: one position, no dimension in the value
            sel = np.zeros(n, dtype=bool)
            sel[s] = True
            v = _reshape(v, list(v.shape[:pos]) + [1] + list(v.shape[pos:]))
        if not sel.all():
            pieces.append(asarray(sel.reshape([n if i == d else 1 for i in range(x.ndim)])))
        pos += 1
    # v's axes are (group axes..., other axes...): back to x's order.
    order = group_axes + others
    perm = [order.index(d) for d in range(x.ndim)]
    if perm != list(range(x.ndim)):
        v = Array(_core.transpose(v._node, perm))
    if advanced:
        gshape_x = [x.shape[d] if d in group_axes else 1 for d in range(x.ndim)]
        if isinstance(gsel, Array):
            pieces.append(_reshape(gsel, gshape_x))
        elif not gsel.all():
            pieces.append(asarray(gsel.reshape(gshape_x)))
    if not pieces:
        return Array(_core.broadcast_to(v._node, list(x.shape)))
    region = pieces[0]
    for p in pieces[1:]:
        region = np.logical_and(region, p)
    return where(region, v, x)


def _expand_assign(x: Array, mask, a0: int, pos: int, v: Array) -> Array:
    """``x[..., mask, ...] = values`` with one value per selected element (the mask covers axes
    ``a0..``, every other index is ``:``): the mask's size pass, then a Rust expand per band."""
    from ._masking import _bands, kept_mask

    k = mask.ndim
    axes = list(range(a0, a0 + k))
    y = _bands(_move(x, axes, 0), k)
    kept, counts = kept_mask(mask, y.chunks[0])
    total = sum(counts)
    rest = list(y.shape[k:])
    shape = list(x.shape[:a0]) + [total] + list(x.shape[a0 + k:])
    v = _squeeze_leading(v, len(shape))
    if v.ndim > len(shape):
        raise _mismatch(v, shape, True)
    vshape = (1,) * (len(shape) - v.ndim) + v.shape
    if any(a != 1 and a != b for a, b in zip(vshape, shape, strict=True)):
        if len(shape) == 1:
            raise ValueError(f"NumPy boolean array indexing assignment cannot assign {v.size} input "
                             f"values to the {total} output values where the mask is true")
        raise _mismatch(v, shape, True)
    v = _move(_reshape(v, vshape), [pos], 0)
    vals = Array(_core.broadcast_to(v._node, [total] + rest))
    cut = tuple(c for c in counts if c) or (0,)
    vals = vals.rechunk((cut,) + tuple(y.chunks[k:]))
    out = Array(_core.expand(y._node, kept, vals._node, counts))
    # Undo the move: the mask's axes were at the front.
    back = list(range(k, k + a0)) + list(range(k)) + list(range(k + a0, x.ndim))
    return Array(_core.transpose(out._node, back)) if a0 else out


# --- NumPy's in-place writers: each rebinds its Array argument ----------------------------------
def _target(a, name: str) -> Array:
    if not isinstance(a, Array):
        raise TypeError(f"{name}() argument 1 must be numpy.ndarray, not {type(a).__name__}")
    return a


def _cycled(values: Array, n: int) -> Array:
    """The first ``n`` elements of ``ravel(values)`` repeated as needed (NumPy's ``put`` and
    ``place`` rule): a lazy take."""
    from ._manipulation import ravel

    flat = ravel(values)
    if flat.size == n:
        return flat
    return _take(flat, 0, np.arange(n) % flat.size)


@implements(np.put)
def put(a, ind, v, mode="raise") -> None:
    """``a.flat[ind] = v`` (``v`` repeated as needed; the last of repeated indices wins), with
    NumPy's ``mode``. ``a`` is rebound (lazy); the indices are checked at the call."""
    from ._take import _known, _normalize

    a = _target(a, "put")
    idx = np.ravel(_normalize(_known(ind), a.size, 0, mode))
    vals = value_array(a, v)
    if idx.size == 0:
        return
    if vals.size == 0:
        return
    key = np.unravel_index(idx, a.shape) if a.ndim else ()
    new = assign(a, parse_key(a.shape, key), _cycled(vals, idx.size))
    a._node = new._node


@implements(np.put_along_axis)
def put_along_axis(arr, indices, values, axis) -> None:
    """``arr[fancy] = values`` with the fancy index of ``take_along_axis`` (lazy; rebinds)."""
    from ._manipulation import ravel
    from ._take import _known, along_axis_key

    arr = _target(arr, "put_along_axis")
    idx = _known(indices)
    if axis is None:
        if idx.ndim != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        flat = ravel(arr)
        setitem(flat, along_axis_key(flat.shape, idx, 0), values)
        arr._node = _core.reshape(flat._node, list(arr.shape))
        return
    axis = normalize_axis_index(axis, arr.ndim)
    setitem(arr, along_axis_key(arr.shape, idx, axis), values)


@implements(np.place)
def place(arr, mask, vals) -> None:
    """``arr[mask] = vals`` with ``vals`` repeated as needed (the mask's size pass, as
    ``x[mask]``; lazy values; rebinds)."""
    from ._masking import _bands, _truth, kept_mask

    arr = _target(arr, "place")
    m = _truth(mask if isinstance(mask, Array) else Array(node_of(mask)))
    if m.size != arr.size:
        raise ValueError("place: mask and data must be the same size")
    if m.shape != arr.shape:
        m = Array(_core.reshape(m._node, list(arr.shape)))
    vals = value_array(arr, vals)
    if arr.ndim == 0:
        if vals.size == 0:
            raise ValueError("Cannot insert from an empty array!")
        arr._node = np.where(m, _cycled(vals, 1).reshape(()), arr)._node
        return
    y = _bands(arr, arr.ndim)
    kept, counts = kept_mask(m, y.chunks[0])
    total = sum(counts)
    if total == 0:
        return
    if vals.size == 0:
        raise ValueError("Cannot insert from an empty array!")
    vals = _cycled(vals, total)
    cut = tuple(c for c in counts if c)
    vals = vals.rechunk((cut,))
    new = Array(_core.expand(y._node, kept, vals._node, counts))
    arr._node = (new if new.chunks == arr.chunks else new.rechunk(arr.chunks))._node


@implements(np.putmask)
def putmask(a, mask, values) -> None:
    """``a.flat[n] = values[n % len(values)]`` where ``mask.flat[n]``: ``where`` over the
    (cycled) values, lazy, no size pass; rebinds ``a``."""
    from ._searching import where

    a = _target(a, "putmask")
    m = mask if isinstance(mask, Array) else Array(node_of(np.asarray(mask, dtype=bool)))
    if m.dtype != bool:
        m = Array(_core.cast(m._node, "bool"))
    if m.size != a.size:
        raise ValueError("putmask: mask and data must be the same size")
    vals = value_array(a, values)
    if vals.size == 0:
        return
    full = _cycled(vals, a.size)
    full = _reshape(full, a.shape)
    a._node = where(_reshape(m, a.shape), full, a)._node


@implements(np.copyto)
def copyto(dst, src, casting="same_kind", where=True) -> None:
    """``dst[...] = src`` where ``where`` holds, with NumPy's ``casting`` check; rebinds ``dst``
    (lazy)."""
    from ._elementwise import rebind
    from ._searching import where as ox_where

    dst = _target(dst, "copyto")
    if type(src) in (int, float, complex, bool):
        # NEP 50: a Python scalar is weak; any casting takes it into a dtype of its kind or above.
        sd = np.asarray(src).dtype
        rank = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}
        weak_ok = type(src) is not bool and rank[dst.dtype.kind] >= rank[sd.kind]
        if not weak_ok and not np.can_cast(sd, dst.dtype, casting=casting):
            raise TypeError(f"Cannot cast scalar from {sd!r} to {dst.dtype!r} according to the "
                            f"rule '{casting}'")
        if type(src) is int and dst.dtype.kind in "iu":
            scalar = np.array(src, dtype=dst.dtype)  # NumPy's OverflowError
        else:
            with np.errstate(all="ignore"):
                scalar = np.asarray(src).astype(dst.dtype)
        s = Array(node_of(scalar))
    else:
        s = src if isinstance(src, Array) else Array(node_of(src))
        if not np.can_cast(s.dtype, dst.dtype, casting=casting):
            raise TypeError(f"Cannot cast array data from {s.dtype!r} to {dst.dtype!r} according "
                            f"to the rule '{casting}'")
        if s.dtype != dst.dtype:
            s = Array(_core.cast(s._node, dst.dtype.name))
    try:
        np.broadcast_shapes(s.shape, dst.shape)
        ok = np.broadcast_shapes(s.shape, dst.shape) == dst.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"could not broadcast input array from shape {s.shape} into shape {dst.shape}")
    if where is True:
        result = s
    else:
        w = where if isinstance(where, Array) else Array(node_of(np.asarray(where, dtype=bool)))
        result = ox_where(w, s, dst)
    rebind(dst, result, "copyto", "unsafe")


@implements(np.fill_diagonal)
def fill_diagonal(a, val, wrap=False) -> None:
    """Writes ``val`` (repeated as needed) on the main diagonal of ``a`` (every dimension equal
    when ``a.ndim > 2``; ``wrap`` for tall matrices as NumPy); rebinds ``a`` (lazy)."""
    a = _target(a, "fill_diagonal")
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if a.ndim == 2:
        step = a.shape[1] + 1
        end = a.size if wrap else a.shape[1] * a.shape[1]
    else:
        if len(set(a.shape)) != 1:
            raise ValueError("All dimensions of input must be of equal length")
        step = 1 + int(np.cumprod(a.shape[:-1]).sum())
        end = a.size
    flat = np.arange(0, min(end, a.size), step)
    vals = value_array(a, val)
    if vals.size == 0 or flat.size == 0:
        return
    key = np.unravel_index(flat, a.shape)
    new = assign(a, parse_key(a.shape, key), _cycled(vals, flat.size))
    a._node = new._node


def ufunc_at(ufunc: np.ufunc, a, indices, b=None) -> None:
    """``ufunc.at(a, indices, b)``: unbuffered, so a repeated index applies the ufunc once per
    occurrence. Rounds of distinct indices (the k-th occurrence of each in round k), each one
    ``a[idx] = ufunc(a[idx], b[...])``: lazy, as many rounds as the most repeated index."""
    from ._elementwise import apply_ufunc

    a = _target(a, f"{ufunc.__name__}.at")
    entries = parse_key(a.shape, indices)
    if not is_advanced(entries):
        cur = a[indices]
        res = apply_ufunc(ufunc, cur) if b is None else apply_ufunc(ufunc, cur, b)
        setitem(a, indices, res)
        return
    arrays, axes = index_arrays(a.shape, entries)
    b_arr = None if b is None else (b if isinstance(b, Array) else Array(node_of(b)))
    dims = [a.shape[d] for d in axes]
    flat = np.ravel_multi_index(tuple(arrays), dims).ravel() if arrays[0].size else np.zeros(0, np.intp)
    order = np.argsort(flat, kind="stable")
    ranks = np.empty(flat.size, dtype=np.intp)
    if flat.size:
        sorted_flat = flat[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_flat)) + 1]
        group_start = np.repeat(starts, np.diff(np.r_[starts, flat.size]))
        ranks[order] = np.arange(flat.size) - group_start
    plain = [e for e in entries if e[0] not in ("bool", "intarr", "int")]
    if plain and any(e[0] != "slice" or e[1] != slice(None) for e in plain):
        raise NotImplementedError(f"{ufunc.__name__}.at: integer-array indices mixed with "
                                  f"non-trivial slices are not supported")
    bshape = arrays[0].shape
    if b_arr is not None:
        shape = a[indices].shape
        if b_arr.shape != shape:
            b_arr = Array(_core.broadcast_to(b_arr._node, list(shape)))
        p = axes[0] if _adjacent(entries) else 0  # where the broadcast index dims sit
        merged = list(shape[:p]) + [int(np.prod(bshape, dtype=np.int64))] + list(shape[p + len(bshape):])
        b_arr = _reshape(b_arr, merged)
    for r in range(int(ranks.max()) + 1 if flat.size else 0):
        pick = np.flatnonzero(ranks == r)
        key = [slice(None)] * a.ndim
        for d, arr in zip(axes, arrays, strict=True):
            key[d] = np.ravel(arr)[pick]
        cur = a[tuple(key)]
        if b_arr is None:
            res = apply_ufunc(ufunc, cur)
        else:
            res = apply_ufunc(ufunc, cur, _take(b_arr, p, pick))
        setitem(a, tuple(key), res)
