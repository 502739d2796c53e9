"""Hypothesis strategies for differential tests against NumPy.

They draw what a user can hand to oxarray: every supported dtype, shapes including 0-d and empty
ones, irregular chunk grids (explicit sizes per axis, ragged last chunks, one-element chunks), data
with NaN/inf and integer extremes, and ``axis`` arguments in all their spellings.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "SUPPORTED_DTYPES",
    "arrays",
    "axes",
    "chunk_specs",
    "chunked_arrays",
    "chunkings",
    "dtypes",
    "shapes",
]

SUPPORTED_DTYPES = tuple(
    np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "complex64", "complex128",
    )
)


def dtypes(kinds: str = "biufc") -> st.SearchStrategy[np.dtype]:
    """One of oxarray's dtypes whose ``kind`` is in ``kinds`` (b=bool, i, u, f, c)."""
    return st.sampled_from([d for d in SUPPORTED_DTYPES if d.kind in kinds])


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 6):
    """Array shapes, 0-d and zero-length axes included unless excluded by the bounds."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max(min_dims, max_dims),
                            min_side=min_side, max_side=max_side)


@st.composite
def _axis_chunks(draw, n: int) -> tuple[int, ...]:
    if n == 0:
        return (0,)
    # A random composition of n: choose the cut points between chunks.
    cuts = draw(st.sets(st.integers(1, n - 1), max_size=n - 1)) if n > 1 else set()
    bounds = [0, *sorted(cuts), n]
    return tuple(b - a for a, b in zip(bounds, bounds[1:], strict=False))


def chunkings(shape) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Explicit, irregular chunk grids for ``shape``: one tuple of chunk sizes per axis."""
    return st.tuples(*[_axis_chunks(n) for n in shape])


def chunk_specs(shape):
    """A ``chunks=`` argument in any accepted spelling (without the grid it implies)."""
    per_axis = [
        st.one_of(
            st.just(-1), st.none(), st.just("auto"),
            st.integers(1, max(n, 1) + 2), _axis_chunks(n),
        )
        for n in shape
    ]
    return st.one_of(
        st.just("auto"),
        st.integers(1, max([*shape, 1]) + 2),
        st.tuples(*per_axis),
    )


def arrays(dtype, shape, *, elements=None, **element_kwargs):
    """NumPy arrays (``dtype``/``shape`` may be strategies) with NaN, inf and integer extremes.

    ``element_kwargs`` go to ``hypothesis.extra.numpy.from_dtype`` (``min_value``, ``allow_nan``…).
    """
    if elements is None and element_kwargs:
        if isinstance(dtype, st.SearchStrategy):
            raise TypeError("element_kwargs need a concrete dtype")
        elements = hnp.from_dtype(np.dtype(dtype), **element_kwargs)
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def chunked_arrays(draw, dtype=None, shape=None, **element_kwargs):
    """(numpy array, chunks) with an irregular chunk grid for it."""
    if dtype is None:
        dtype = dtypes()
    if isinstance(dtype, st.SearchStrategy):
        dtype = draw(dtype)
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    a = draw(arrays(dtype, shape, **element_kwargs))
    return a, draw(chunkings(a.shape))


@st.composite
def axes(draw, ndim: int, *, allow_none: bool = True, allow_int: bool = True,
         allow_tuple: bool = True):
    """An ``axis`` argument valid for ``ndim``: None, an int (maybe negative), or a tuple."""
    choices = []
    if allow_none:
        choices.append("none")
    if allow_int and ndim > 0:
        choices.append("int")
    if allow_tuple:
        choices.append("tuple")
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None

    def spell(ax: int) -> int:
        return ax - ndim if draw(st.booleans()) else ax

    if kind == "int":
        return spell(draw(st.integers(0, ndim - 1)))
    picked = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)) if ndim else []
    return tuple(spell(a) for a in picked)
