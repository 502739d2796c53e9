"""np.array2string / array_repr / array_str of Arrays: NumPy's text, exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import oxarray as ox
from oxarray.testing import arrays, chunkings, dtypes, shapes

FUNCS = [np.array2string, np.array_repr, np.array_str]


@pytest.mark.parametrize("fn", FUNCS)
@given(data=st.data())
@example(data=None)
def test_text_equals_numpys(fn, data):
    if data is None:
        a, chunks = np.array([np.nan, -np.inf, 1e-300, 2.5]), ((2, 2),)
    else:
        dtype = data.draw(dtypes())
        shape = data.draw(shapes(max_dims=3, max_side=5))
        a = data.draw(arrays(dtype, shape))
        chunks = data.draw(chunkings(shape))
    x = ox.from_array(a, chunks=chunks)
    assert fn(x) == fn(a)


@pytest.mark.parametrize("shape", [(2000,), (40, 30), (3, 400), (12, 1, 100), (2, 3, 4, 50)])
@pytest.mark.parametrize("fn", FUNCS)
def test_summarized_large_arrays(fn, shape):
    a = np.random.default_rng(0).standard_normal(shape) * 10 ** np.arange(shape[-1] % 7)[0]
    a.flat[-1] = 1e6  # a corner value that changes the format
    x = ox.asarray(a, chunks=7)
    assert fn(x) == fn(a)
    if fn is np.array2string:
        for kw in ({"threshold": 10, "edgeitems": 1}, {"edgeitems": 5}, {"precision": 2},
                   {"max_line_width": 40, "separator": ", ", "prefix": "  "}, {"threshold": 10**9},
                   {"edgeitems": 0, "threshold": 5}):
            assert fn(x, **kw) == fn(a, **kw)
    else:
        assert fn(x, 50, 3, True) == fn(a, 50, 3, True)


def test_print_options_and_dtypes():
    a = np.arange(2000, dtype=np.int16).reshape(40, 50)
    x = ox.asarray(a, chunks=(9, 11))
    with np.printoptions(threshold=100, edgeitems=2, linewidth=60):
        for fn in FUNCS:
            assert fn(x) == fn(a)
    for b in (np.array(3.25), np.array(True), np.zeros((0, 3), np.float32), np.array([1 + 2j]),
              np.arange(1500, dtype=np.uint64)):
        for fn in FUNCS:
            assert fn(ox.asarray(b)) == fn(b)


def test_repr_stays_lazy():
    x = ox.ones((3, 4), chunks=2)
    assert repr(x).startswith("oxarray.Array<shape=(3, 4)")
