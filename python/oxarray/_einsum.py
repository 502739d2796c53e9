"""``np.einsum`` and ``np.einsum_path`` on lazy arrays: a composition, no kernel of its own.

The subscripts are parsed and checked at the call as NumPy's C ``einsum`` does; the operands are
then contracted two at a time in an order chosen from their shapes (NumPy's own ``einsum_path``,
run on zero-strided stand-ins that hold no data, for ``optimize=`` True/'greedy'/'optimal' or a
path list; our greedy pairing inside a group of more than two). Each pairwise step is lowered
onto lazy ops that already exist: a summed index shared by both operands makes the pair one
batched ``matmul`` (blocked GEMM in Rust, chunk-parallel; extra free axes ride as broadcast batch
axes, so nothing is gathered), a pair with nothing to contract is a broadcast ``multiply`` (fused),
an index seen by one operand only is summed out first (a tree reduction), and a repeated index
within one operand is a diagonal (strided slices per chunk, concatenated).
"""

from __future__ import annotations

import math
import operator

import numpy as np

from ._array import Array
from ._dispatch import implements
from ._elementwise import node_of

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")


# --- parsing (NumPy's C einsum rules and messages) ---------------------------------------------


def _sublist_to_str(sub) -> str:
    """One sublist of the interleaved form (ints in [0, 52) and ``...``) as subscript letters."""
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
            continue
        try:
            s = operator.index(s)
        except TypeError:
            raise TypeError("each subscript must be either an integer or an ellipsis") from None
        if not 0 <= s < 52:
            raise ValueError("subscript is not within the valid range [0, 52)")
        out.append(_LETTERS[s])
    return "".join(out)


def _split_args(args):
    """``(subscripts, operands)`` from either call form: a string then operands, or operands
    interleaved with their sublists and an optional output sublist."""
    if not args:
        raise TypeError("einsum() missing required argument 'subscripts' (pos 0)")
    if isinstance(args[0], str):
        return args[0], list(args[1:])
    ops, subs = list(args[0::2]), [_sublist_to_str(s) for s in args[1::2]]
    out = None
    if len(args) % 2 == 1 and len(args) > 1:
        out = _sublist_to_str(args[-1])
        ops = ops[:-1]
    elif len(args) == 1:
        raise TypeError("einsum(): the interleaved form needs a sublist for each operand")
    return ",".join(subs) + ("" if out is None else "->" + out), ops


def _parse_term(term: str, i: int, what: str = "operand"):
    """Letters of one term and the position of its ellipsis (None without one)."""
    labels, ell, k = [], None, 0
    while k < len(term):
        c = term[k]
        if c == " ":
            k += 1
            continue
        if c == ".":
            if term[k : k + 3] != "..." or ell is not None:
                if what == "operand":
                    raise ValueError("einstein sum subscripts string contains a '.' that is not "
                                     f"part of an ellipsis ('...') in operand {i}")
                raise ValueError("einstein sum subscripts string contains a '.' that is not part "
                                 "of an ellipsis ('...') in the output")
            ell = len(labels)
            k += 3
            continue
        if c not in _LETTERS:
            raise ValueError(f"invalid subscript '{c}' in einstein sum subscripts string, "
                             "subscripts must be letters")
        labels.append(c)
        k += 1
    return labels, ell


class _Spec:
    """The parsed contraction: one label list per operand (ellipsis axes become labels
    ``0..n-1``, letters their character), the output labels, and every label's size."""

    def __init__(self, subscripts: str, shapes, allow_ellipsis_sum: bool):
        if not isinstance(subscripts, str):
            raise TypeError("einsum(): subscripts must be a string")
        if "->" in subscripts:
            lhs, rhs = subscripts.split("->", 1)
        else:
            lhs, rhs = subscripts, None
        if "-" in lhs or ">" in lhs or (rhs is not None and ("-" in rhs or ">" in rhs)):
            if rhs is not None and "->" in rhs:
                self._output_labels(rhs.replace("->", ""), {})  # NumPy's repeated-label error
            raise ValueError("einstein sum subscript string does not contain proper '->' output "
                             "specified")
        terms = lhs.split(",")
        if len(terms) > len(shapes):
            raise ValueError("fewer operands provided to einstein sum function than specified in "
                             "the subscripts string")
        if len(terms) < len(shapes):
            raise ValueError("more operands provided to einstein sum function than specified in "
                             "the subscripts string")
        self.inputs, ell_dims = [], []
        for i, (term, shape) in enumerate(zip(terms, shapes, strict=True)):
            labels, ell = _parse_term(term, i)
            nd = len(shape)
            if len(labels) > nd:
                raise ValueError("einstein sum subscripts string contains too many subscripts "
                                 f"for operand {i}")
            if ell is None and len(labels) < nd:
                raise ValueError("operand has more dimensions than subscripts given in einstein "
                                 "sum, but no '...' ellipsis provided to broadcast the extra "
                                 "dimensions.")
            ne = nd - len(labels)
            ell_dims.append(ne)
            ell = 0 if ell is None else ell
            self.inputs.append((labels[:ell], ne, labels[ell:]))
        self.nell = max(ell_dims, default=0)
        # Ellipsis axes are labelled 0..nell-1 from the left of the broadcast ellipsis, so an
        # operand with fewer of them holds the last ones (NumPy's right alignment).
        self.terms = [
            list(head) + list(range(self.nell - ne, self.nell)) + list(tail)
            for head, ne, tail in self.inputs
        ]
        self.sizes = {}
        for i, (term, shape) in enumerate(zip(self.terms, shapes, strict=True)):
            seen = {}
            for lab, n in zip(term, shape, strict=True):
                if lab in seen and seen[lab] != n:
                    raise ValueError(f"dimensions in operand {i} for collapsing index '{lab}' "
                                     f"don't match ({seen[lab]} != {n})")
                seen[lab] = n
        for term, shape in zip(self.terms, shapes, strict=True):
            for lab, n in zip(term, shape, strict=True):
                m = self.sizes.get(lab, 1)
                if m != n and m != 1 and n != 1:
                    self._broadcast_error(shapes)
                self.sizes[lab] = n if m == 1 else m
        counts = {}
        for term in self.terms:
            for lab in term:
                if isinstance(lab, str):
                    counts[lab] = counts.get(lab, 0) + 1
        if rhs is None:  # implicit: the broadcast axes, then labels seen once, in ASCII order
            self.output = list(range(self.nell)) + sorted(k for k, c in counts.items() if c == 1)
        else:
            self.output = self._output_labels(rhs, counts, allow_ellipsis_sum)

    def _output_labels(self, rhs: str, counts, allow_ellipsis_sum: bool = False):
        labels, ell = _parse_term(rhs, 0, "output")
        seen = set()
        for c in labels:
            if c in seen:
                raise ValueError(f"einstein sum subscripts string includes output subscript '{c}' "
                                 "multiple times")
            seen.add(c)
            if c not in counts:
                raise ValueError(f"einstein sum subscripts string included output subscript '{c}' "
                                 "which never appeared in an input")
        if ell is None:
            if self.nell and not allow_ellipsis_sum:
                raise ValueError("output has more dimensions than subscripts given in einstein "
                                 "sum, but no '...' ellipsis provided to broadcast the extra "
                                 "dimensions.")
            return labels
        return labels[:ell] + list(range(self.nell)) + labels[ell:]

    def _broadcast_error(self, shapes):
        def fmt(s):
            return "(" + ",".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"

        listed = " ".join(f"{fmt(s)}->{fmt(s)}" for s in shapes)
        raise ValueError("operands could not be broadcast together with remapped shapes "
                         f"[original->remapped]: {listed} ")

    def subscripts(self) -> str:
        """The contraction with ellipsis axes as spare letters, for NumPy's path search."""
        used = {c for t in self.terms for c in t if isinstance(c, str)}
        spare = iter(c for c in _LETTERS if c not in used)
        names = {k: next(spare) for k in range(self.nell)}

        def s(t):
            return "".join(names[c] if isinstance(c, int) else c for c in t)

        return ",".join(s(t) for t in self.terms) + "->" + s(self.output)


# --- the lazy lowering --------------------------------------------------------------------------


def _sum_axes(x: Array, axes) -> Array:
    """Sum over ``axes`` in ``x``'s own dtype (NumPy's einsum never widens: int8 wraps, bool is
    an or)."""
    if not axes:
        return x
    axes = tuple(axes)
    if x.dtype.kind == "b":
        return np.any(x, axis=axes)
    return np.sum(x, axis=axes, dtype=x.dtype)


def _lazy_diagonal(x: Array, ax1: int, ax2: int) -> Array:
    """The diagonal of axes ``ax1``/``ax2`` (equal lengths) as the last axis. Cut at the union
    of both axes' chunk boundaries, each piece lies in one block per axis, so its diagonal is a
    reshape and a strided slice of that block alone; the pieces are concatenated."""
    from ._linalg import _diagonal_last
    from ._manipulation import concatenate, moveaxis

    x = moveaxis(x, (ax1, ax2), (-2, -1))
    n = x.shape[-1]
    bounds = sorted({0, n} | {int(b) for c in x.chunks[-2:] for b in np.cumsum(c)})
    if len(bounds) <= 2:
        return _diagonal_last(x, 0)
    parts = [_diagonal_last(x[..., s:e, s:e], 0) for s, e in zip(bounds, bounds[1:], strict=False)
             if e > s]
    return concatenate(parts, axis=-1)


def _prepare(x: Array, term: list, sizes: dict, needed: set):
    """One operand's own work: diagonals of repeated labels, sums of labels nobody else needs."""
    term = list(term)
    while True:
        dup = next((lab for k, lab in enumerate(term) if lab in term[k + 1 :]), None)
        if dup is None:
            break
        a = term.index(dup)
        b = term.index(dup, a + 1)
        x = _lazy_diagonal(x, a, b)
        term = [t for k, t in enumerate(term) if k not in (a, b)] + [dup]
    drop = [k for k, lab in enumerate(term) if lab not in needed]
    x = _sum_axes(x, drop)
    return x, [lab for lab in term if lab in needed]


def _transpose_to(x: Array, term: list, order: list) -> Array:
    perm = [term.index(lab) for lab in order]
    if perm == list(range(len(perm))):
        return x
    from ._manipulation import transpose

    return transpose(x, perm)


def _reshape(x: Array, shape) -> Array:
    shape = tuple(shape)
    return x if x.shape == shape else x.reshape(shape)


def _pair(a: Array, ta: list, b: Array, tb: list, keep: set, dtype):
    """Contract two operands keeping the labels in ``keep``: each one's own sums first, in its
    own dtype (as NumPy's pairwise path does), then the product in ``dtype``."""
    from ._linalg import matmul

    a, ta = _prepare(a, ta, {}, keep | set(tb))
    b, tb = _prepare(b, tb, {}, keep | set(ta))
    # A shared summed label of length 1 on one side broadcasts: sum it out of the other side.
    for lab in [t for t in ta if t in tb and t not in keep]:
        na, nb = a.shape[ta.index(lab)], b.shape[tb.index(lab)]
        if na != nb and 1 in (na, nb):
            ka, kb = ta.index(lab), tb.index(lab)
            a = _sum_axes(a, [ka]) if na != 1 else _reshape(a, a.shape[:ka] + a.shape[ka + 1 :])
            b = _sum_axes(b, [kb]) if nb != 1 else _reshape(b, b.shape[:kb] + b.shape[kb + 1 :])
            ta, tb = [t for t in ta if t != lab], [t for t in tb if t != lab]
    a, b = _cast(a, dtype), _cast(b, dtype)
    batch = [t for t in ta if t in tb and t in keep]
    con = [t for t in ta if t in tb and t not in keep]
    fa = [t for t in ta if t not in tb]
    fb = [t for t in tb if t not in ta]
    size_a = dict(zip(ta, a.shape, strict=True))
    size_b = dict(zip(tb, b.shape, strict=True))
    if not con or not (fa or fb):
        # Nothing summed between them, or no free axis on either side (a batch of dot products):
        # one broadcast multiply, fused with the sum that follows.
        if not (fa or fb):
            a = _transpose_to(a, ta, batch + con)
            b = _transpose_to(b, tb, batch + con)
            return _sum_axes(np.multiply(a, b), range(len(batch), len(batch) + len(con))), batch
        a2 = _reshape(_transpose_to(a, ta, batch + fa), [size_a[t] for t in batch + fa] + [1] * len(fb))
        b2 = _transpose_to(b, tb, batch + fb)
        b2 = _reshape(b2, [size_b[t] for t in batch] + [1] * len(fa) + [size_b[t] for t in fb])
        return np.multiply(a2, b2), batch + fa + fb
    # The largest free axis of each side is its matrix axis; the others ride as batch axes.
    fa.sort(key=lambda t: size_a[t])
    fb.sort(key=lambda t: size_b[t])
    ma, mb = fa[-1:], fb[-1:]
    ra, rb = fa[:-1], fb[:-1]
    k = math.prod(size_a[t] for t in con)
    a2 = _transpose_to(a, ta, batch + ra + ma + con)
    a2 = _reshape(a2, [size_a[t] for t in batch + ra] + [1] * len(rb)
                  + [size_a[ma[0]] if ma else 1, k])
    b2 = _transpose_to(b, tb, batch + rb + con + mb)
    b2 = _reshape(b2, [size_b[t] for t in batch] + [1] * len(ra) + [size_b[t] for t in rb]
                  + [k, size_b[mb[0]] if mb else 1])
    out = matmul(a2, b2)
    labels = batch + ra + rb + ma + mb
    return _reshape(out, out.shape[: len(batch) + len(ra) + len(rb)]
                    + tuple(out.shape[-2:-1] if ma else ()) + tuple(out.shape[-1:] if mb else ())), labels


def _size(term, sizes) -> int:
    return math.prod(sizes[t] for t in term)


def _contract_group(items, keep_after: set, sizes: dict):
    """Contract a group of (array, labels) to one, two at a time: each step takes the pair whose
    result is smallest relative to its inputs (NumPy's greedy cost), earliest pair on ties."""
    items = list(items)
    if len(items) == 1:
        return _prepare(items[0][0], items[0][1], sizes, keep_after)
    while len(items) > 1:
        best = None
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                others = set().union(*(set(t) for k, (_, t) in enumerate(items) if k not in (i, j)))
                keep = keep_after | others
                ti, tj = items[i][1], items[j][1]
                res = [t for t in dict.fromkeys(ti + tj) if t in keep]
                cost = _size(res, sizes) - _size(ti, sizes) - _size(tj, sizes)
                if best is None or cost < best[0]:
                    best = (cost, i, j, keep)
        _, i, j, keep = best
        (a, ta), (b, tb) = items[i], items[j]
        dt = np.result_type(a.dtype, b.dtype)
        items = [it for k, it in enumerate(items) if k not in (i, j)] + [_pair(a, ta, b, tb, keep, dt)]
    x, t = items[0]
    return _prepare(x, t, sizes, keep_after)


def _stand_in(x):
    """A zero-strided array of ``x``'s shape: what NumPy's path search reads, and no data."""
    if isinstance(x, (Array, np.ndarray)):
        return np.broadcast_to(np.empty((), dtype=np.float64), x.shape)
    return x


def _path(spec: _Spec, shapes, optimize):
    """The contraction order as groups of operand positions (NumPy's path semantics)."""
    n = len(shapes)
    if optimize is False or n <= 2:
        return [tuple(range(n))]
    dummies = [np.broadcast_to(np.empty((), dtype=np.float64), s) for s in shapes]
    path, _ = np.einsum_path(spec.subscripts(), *dummies, optimize=optimize)
    return [tuple(p) for p in path[1:]]


@implements(np.einsum)
def einsum(*operands, out=None, optimize=False, dtype=None, order="K", casting="safe"):
    """NumPy's ``einsum``, lazy: every pairwise contraction is a blocked matmul, a broadcast
    multiply or a reduction of the operands' chunks (see the module docstring)."""
    from ._arguments import check_order

    subscripts, ops = _split_args(operands)
    arrays = [x if isinstance(x, Array) else Array(node_of(x)) for x in ops]
    if casting not in _CASTINGS:
        raise ValueError("casting must be one of 'no', 'equiv', 'safe', 'same_kind', 'unsafe' "
                         f"(got {casting!r})")
    check_order(order)
    shapes = [x.shape for x in arrays]
    spec = _Spec(subscripts, shapes, allow_ellipsis_sum=optimize is not False)
    result_dtype = np.result_type(*(x.dtype for x in arrays)) if dtype is None else np.dtype(dtype)
    from ._elementwise import check_dtype

    for i, x in enumerate(arrays):
        if not np.can_cast(x.dtype, result_dtype, casting):
            raise TypeError(f"Iterator operand {i} dtype could not be cast from {x.dtype!r} to "
                            f"{result_dtype!r} according to the rule '{casting}'")
    check_dtype(result_dtype)
    if out is not None:
        if not isinstance(out, Array):
            raise TypeError(f"einsum: out= must be an oxarray.Array, got {type(out).__name__}")
        want = tuple(spec.sizes[t] for t in spec.output)
        if out.ndim != len(want):
            raise ValueError("out parameter does not have the correct number of dimensions, has "
                             f"{out.ndim} but should have {len(want)}")
        if out.shape != want:
            raise ValueError(f"non-broadcastable output operand with shape {out.shape} doesn't "
                             f"match the broadcast shape {want}")
        if not np.can_cast(result_dtype, out.dtype, casting):
            raise TypeError(f"Iterator requested dtype could not be cast from {result_dtype!r} to "
                            f"{out.dtype!r}, the operand {len(arrays)} dtype, according to the rule "
                            f"'{casting}'")
    path = _path(spec, shapes, optimize)
    # NumPy's optimized einsum computes each step in its own operands' common dtype (an int8 by
    # int16 step wraps in int16 even when a later operand is int64); unoptimized, all at once.
    stepwise = optimize is not False and dtype is None
    items = [(x if stepwise else _cast(x, result_dtype), list(t))
             for x, t in zip(arrays, spec.terms, strict=True)]
    final = set(spec.output)
    for group in path:
        chosen = [items[k] for k in group]
        rest = [it for k, it in enumerate(items) if k not in group]
        keep = final.union(*(set(t) for _, t in rest))
        dt = np.result_type(*(x.dtype for x, _ in chosen))
        if len(chosen) > 2:  # one C einsum over the group in NumPy: all cast first
            chosen = [(_cast(x, dt), t) for x, t in chosen]
        # A pair (NumPy's bmm_einsum) first takes each operand's own diagonals and sums in its
        # own dtype, then multiplies in the common one.
        chosen = [_prepare(x, t, spec.sizes, keep | _others(chosen, k))
                  for k, (x, t) in enumerate(chosen)]
        x, t = _contract_group(chosen, keep, spec.sizes)
        x = _cast(x, dt)
        items = rest + [(x, t)]
    (x, t), = items
    x = _transpose_to(_cast(x, result_dtype), t, spec.output)
    want = tuple(spec.sizes[lab] for lab in spec.output)
    if x.shape != want:  # a label of length 1 here but longer in another operand
        from ._manipulation import broadcast_to

        x = broadcast_to(x, want)
    if out is not None:
        from ._elementwise import rebind

        return rebind(out, x, "einsum", casting)
    return x


def _cast(x: Array, dtype) -> Array:
    return x if x.dtype == dtype else x.astype(dtype)


def _others(chosen, k) -> set:
    return set().union(*(set(t) for j, (_, t) in enumerate(chosen) if j != k))


@implements(np.einsum_path)
def einsum_path(*operands, optimize="greedy", einsum_call=False):
    """NumPy's ``einsum_path`` (the path list and its report), computed from the operands'
    shapes alone: NumPy's search runs on zero-strided stand-ins that hold no data."""
    if einsum_call:
        raise TypeError("einsum_path: einsum_call=True is NumPy-internal")
    if operands and isinstance(operands[0], str):
        args = [operands[0]] + [_stand_in(x) for x in operands[1:]]
    else:
        args = [_stand_in(x) if k % 2 == 0 else x for k, x in enumerate(operands)]
    return np.einsum_path(*args, optimize=optimize)
