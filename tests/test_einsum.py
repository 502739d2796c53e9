"""np.einsum / np.einsum_path against NumPy: random subscripts (repeated labels, ellipses,
broadcast length-1 axes, 1-4 operands, every optimize= mode) on chunked operands of every dtype
kind, the examples of NumPy's documentation, and the errors at the call."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import chunkings, dtypes

OPTIMIZE = [False, True, "greedy", "optimal"]


def tolerance(arrays, result_dtype, n_terms):
    if np.dtype(result_dtype).kind not in "fc":
        return {}
    # Optimized, NumPy sums an operand's own labels in its own dtype (float32 in a float64 result).
    eps = max(float(np.finfo(d).eps) for d in [np.dtype(result_dtype)] + [np.asarray(a).dtype for a in arrays]
              if d.kind in "fc")
    mag = 1.0
    for a in arrays:
        mag *= max(1.0, float(np.max(np.abs(a), initial=0)) if np.asarray(a).size else 1.0)
    return {"rtol": 64 * n_terms * eps, "atol": 64 * n_terms * eps * mag}


@st.composite
def einsum_cases(draw):
    """(subscripts, numpy operands, chunkings, optimize): a random contraction."""
    pool = "abcdeA"
    sizes = {c: draw(st.integers(0, 4) if draw(st.booleans()) else st.integers(1, 4)) for c in pool}
    n_ops = draw(st.integers(1, 4))
    with_ellipsis = draw(st.booleans())
    ell = draw(hnp.mutually_broadcastable_shapes(num_shapes=n_ops, max_dims=2, max_side=3)) \
        if with_ellipsis else None
    terms, shapes = [], []
    for i in range(n_ops):
        labels = draw(st.lists(st.sampled_from(pool), min_size=0, max_size=3))
        shape = []
        for c in labels:
            # A label of length 1 in one operand broadcasts against its length elsewhere.
            shape.append(1 if draw(st.integers(0, 7)) == 0 and labels.count(c) == 1 else sizes[c])
        term = "".join(labels)
        if ell is not None:
            pos = draw(st.integers(0, len(labels)))
            es = ell.input_shapes[i]
            term = term[:pos] + "..." + term[pos:]
            shape = shape[:pos] + list(es) + shape[pos:]
        terms.append(term)
        shapes.append(tuple(shape))
    seen = sorted({c for t in terms for c in t if c != "."})
    if draw(st.booleans()):
        subscripts = ",".join(terms)
    else:
        out = draw(st.permutations(seen))
        out = "".join(out[: draw(st.integers(0, len(out)))])
        if ell is not None:
            pos = draw(st.integers(0, len(out)))
            out = out[:pos] + "..." + out[pos:]
        subscripts = ",".join(terms) + "->" + out
    kinds = draw(st.sampled_from(["b", "iu", "f", "fc", "biufc"]))
    arrays = [draw(bounded_data(draw(dtypes(kinds)), s)) for s in shapes]
    chunks = [draw(chunkings(s)) for s in shapes]
    return subscripts, arrays, chunks, draw(st.sampled_from(OPTIMIZE))


@settings(max_examples=60, deadline=None)
@given(einsum_cases())
def test_einsum_random(case):
    subscripts, arrays, chunks, optimize = case
    xs = [ox.from_array(a, chunks=c) for a, c in zip(arrays, chunks, strict=True)]
    n_terms = max(1, max((a.size for a in arrays), default=1)) ** 2
    tol = tolerance(arrays, np.result_type(*arrays), n_terms)
    differential(lambda: np.einsum(subscripts, *arrays, optimize=optimize),
                 lambda: np.einsum(subscripts, *xs, optimize=optimize), **tol)


@settings(max_examples=25, deadline=None)
@given(einsum_cases())
def test_einsum_interleaved_and_path(case):
    subscripts, arrays, chunks, optimize = case
    if "->" in subscripts or "..." in subscripts:
        return
    xs = [ox.from_array(a, chunks=c) for a, c in zip(arrays, chunks, strict=True)]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    subs = [[letters.index(c) for c in t] for t in subscripts.split(",")]
    np_args = [v for a, s in zip(arrays, subs, strict=True) for v in (a, s)]
    ox_args = [v for a, s in zip(xs, subs, strict=True) for v in (a, s)]
    tol = tolerance(arrays, np.result_type(*arrays), max(1, max(a.size for a in arrays)) ** 2)
    differential(lambda: np.einsum(*np_args), lambda: np.einsum(*ox_args), **tol)
    if len(arrays) >= 1:
        try:
            expected = np.einsum_path(subscripts, *arrays, optimize=optimize or "greedy")
        except Exception as exc:
            with pytest.raises(type(exc)):
                np.einsum_path(subscripts, *xs, optimize=optimize or "greedy")
        else:
            assert np.einsum_path(subscripts, *xs, optimize=optimize or "greedy") == expected


# The examples of NumPy's einsum documentation.
A = np.arange(25).reshape(5, 5)
B = np.arange(5)
C = np.arange(6).reshape(2, 3)
DOCS = [
    ("ii", (A,)), ("ii->i", (A,)), ("ij->i", (A,)), ("...j->...", (A,)), ("ji", (C,)),
    ("ij->ji", (C,)), ("ij,j", (A, B)), ("...j,j", (A, B)), ("i,i", (B, B)), ("i,i->i", (B, B)),
    ("i,j", (np.arange(2) + 1, B)), ("ij,jk", (C, C.T)), (",ij", (3, C)), ("ij->", (C,)),
    ("ijk,jil->kl", (np.arange(60.0).reshape(3, 4, 5), np.arange(24.0).reshape(4, 3, 2))),
    ("ki,jk->ij", (C.T, C)), ("k...,jk", (C.T, C)), ("ii->", (A,)), ("...ii->...i", (np.ones((2, 3, 3)),)),
    ("bn,anm,bm->ba", (np.ones((2, 3)), np.arange(24.0).reshape(2, 3, 4), np.ones((2, 4)))),
    ("ea,fb,abcd,gc,hd->efgh", (np.ones((4, 2)), np.ones((4, 2)), np.arange(16.0).reshape(2, 2, 2, 2),
                                np.ones((4, 2)), np.ones((4, 2)))),
]


@pytest.mark.parametrize("optimize", OPTIMIZE)
@pytest.mark.parametrize(("subscripts", "operands"), DOCS)
def test_einsum_docs(subscripts, operands, optimize):
    xs = [ox.from_array(a, chunks=2) if isinstance(a, np.ndarray) else a for a in operands]
    differential(lambda: np.einsum(subscripts, *operands, optimize=optimize),
                 lambda: ox.einsum(subscripts, *xs, optimize=optimize), rtol=1e-12)


def test_einsum_matmul_is_one_matmul():
    """"ij,jk->ik" is exactly the matmul node: no transpose, no reshape, the same plan."""
    a = ox.ones((8, 6), chunks=(4, 3))
    b = ox.ones((6, 4), chunks=(3, 2))
    assert np.einsum("ij,jk->ik", a, b).explain() == (a @ b).explain()


@pytest.mark.parametrize(("kwargs"), [
    {"dtype": np.float32}, {"dtype": np.float32, "casting": "same_kind"},
    {"dtype": np.int8, "casting": "unsafe"}, {"dtype": np.complex128}, {"dtype": np.float16},
    {"casting": "bogus"}, {"order": "Q"}, {"order": "F"}, {"bogus": 1},
])
def test_einsum_keywords(kwargs):
    a, b = np.arange(12.0).reshape(3, 4), np.arange(8.0).reshape(4, 2)
    x, y = ox.from_array(a, chunks=2), ox.from_array(b, chunks=3)
    differential(lambda: np.einsum("ij,jk", a, b, **kwargs), lambda: np.einsum("ij,jk", x, y, **kwargs))


@pytest.mark.parametrize(("out_dtype", "out_shape", "casting"), [
    (np.float64, (3,), "safe"), (np.complex128, (3,), "safe"), (np.int64, (3,), "safe"),
    (np.int64, (3,), "unsafe"), (np.float64, (3, 1), "safe"), (np.float64, (), "safe"),
])
def test_einsum_out(out_dtype, out_shape, casting):
    a = np.arange(12.0).reshape(3, 4)
    x = ox.from_array(a, chunks=2)
    o = ox.zeros(out_shape, dtype=out_dtype)
    try:
        expected = np.einsum("ij->i", a, out=np.zeros(out_shape, out_dtype), casting=casting)
    except Exception as exc:
        with pytest.raises(type(exc)):
            np.einsum("ij->i", x, out=o, casting=casting)
        return
    got = np.einsum("ij->i", x, out=o, casting=casting)
    assert got is o
    np.testing.assert_array_equal(o.compute(), expected)
    assert o.dtype == expected.dtype


BAD = [
    ("ij,jk", ((2, 3),)), ("ij", ((2, 3), (3,))), ("i1", ((2,),)), ("ijk", ((2, 3),)), ("i", ((2, 3),)),
    ("ij->jii", ((2, 3),)), ("ij->k", ((2, 3),)), ("i..", ((2,),)), ("i-i", ((2,),)),
    ("i->i->i", ((2,),)), ("i,i", ((2,), (3,))), ("ii", ((2, 3),)), ("...i->i", ((2, 3),)),
    ("...i,...i", ((2, 3), (4, 3))), (3, ((2,),)),
]


@pytest.mark.parametrize(("subscripts", "shapes"), BAD)
@pytest.mark.parametrize("optimize", [False, True])
def test_einsum_errors(subscripts, shapes, optimize):
    arrays = [np.ones(s) for s in shapes]
    xs = [ox.ones(s, chunks=2) for s in shapes]
    differential(lambda: np.einsum(subscripts, *arrays, optimize=optimize),
                 lambda: np.einsum(subscripts, *xs, optimize=optimize))


@pytest.mark.parametrize(("args"), [
    ([0], [60]), ([0], [-1]), ([0], ["a"]), ([Ellipsis, 0], [0]), ([0], [0], [0]),
])
def test_einsum_interleaved_errors(args):
    a = np.arange(3.0)
    x = ox.from_array(a, chunks=2)
    np_args = [a, args[0]] + ([a, args[1]] if len(args) > 2 else []) + [args[-1]]
    ox_args = [x, args[0]] + ([x, args[1]] if len(args) > 2 else []) + [args[-1]]
    differential(lambda: np.einsum(*np_args), lambda: np.einsum(*ox_args))


def test_einsum_path_report_and_explicit_path():
    shapes = [(5, 4), (4, 3), (3, 6), (6, 2)]
    arrays = [np.ones(s) for s in shapes]
    xs = [ox.ones(s, chunks=2) for s in shapes]
    for opt in ("greedy", "optimal", True, False):
        assert np.einsum_path("ij,jk,kl,lm->im", *xs, optimize=opt) == \
            np.einsum_path("ij,jk,kl,lm->im", *arrays, optimize=opt)
    path = ["einsum_path", (2, 3), (0, 1), (0, 1)]
    differential(lambda: np.einsum("ij,jk,kl,lm->im", *arrays, optimize=path),
                 lambda: np.einsum("ij,jk,kl,lm->im", *xs, optimize=path), rtol=1e-12)


def test_einsum_chunked_is_lazy_and_parallel():
    """A chunked contraction stays a graph of per-block tasks (nothing computed at the call)."""
    x = ox.ones((64, 64), chunks=16)
    y = np.einsum("ij,jk,kl->il", x, x, x, optimize=True)
    assert isinstance(y, ox.Array) and y.numblocks == (4, 4)
    assert "matmul" in y.explain()
    np.testing.assert_array_equal(y.compute(), np.full((64, 64), 64.0**2))
