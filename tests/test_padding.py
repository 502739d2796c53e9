"""np.pad, every mode, against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import bounded_data, differential
from oxarray.testing import assert_eq, chunkings, dtypes, shapes

MODES = ["constant", "edge", "linear_ramp", "maximum", "mean", "minimum", "reflect", "symmetric",
         "wrap"]


def widths(ndim):
    pair = st.tuples(st.integers(0, 7), st.integers(0, 7))
    return st.one_of(st.integers(0, 7), pair, st.lists(pair, min_size=ndim, max_size=ndim),
                     st.just({0: (2, 1)}) if ndim else st.just(1))


@pytest.mark.parametrize("mode", MODES)
@given(data=st.data())
def test_pad_modes(mode, data):
    dtype = data.draw(dtypes("iuf" if mode in ("linear_ramp", "mean") else "biufc"))
    shape = data.draw(shapes(max_dims=3, max_side=4))
    a = data.draw(bounded_data(dtype, shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    pw = data.draw(widths(a.ndim))
    kw = {}
    if mode == "constant":
        kw["constant_values"] = data.draw(st.sampled_from([0, 3, (1, 2), ((1, 2),) * max(a.ndim, 1)]))
    elif mode == "linear_ramp":
        kw["end_values"] = data.draw(st.sampled_from([0, 5, (1, -2)]))
    elif mode in ("maximum", "minimum", "mean"):
        kw["stat_length"] = data.draw(st.sampled_from([None, 1, 2, (1, 3)]))
    elif mode in ("reflect", "symmetric"):
        kw["reflect_type"] = data.draw(st.sampled_from(["even", "odd"]))
    tol = {"rtol": 1e-5, "atol": 1e-5} if a.dtype.kind in "fc" else {}
    differential(lambda: np.pad(a, pw, mode, **kw), lambda: np.pad(x, pw, mode, **kw), **tol)


def test_pad_empty_mode_shape_and_dtype():
    a = np.ones((2, 3), "int16")
    got = np.pad(ox.asarray(a), ((1, 2), (0, 1)), "empty")
    assert got.shape == (5, 4) and got.dtype == np.int16
    assert_eq(got[1:3, :3], a)


def test_pad_errors():
    x = ox.asarray(np.ones((2, 3)))
    with pytest.raises(TypeError):
        np.pad(x, 1.5)
    with pytest.raises(ValueError):
        np.pad(x, -1)
    with pytest.raises(ValueError):
        np.pad(x, 1, mode="nope")
    with pytest.raises(ValueError):
        np.pad(x, 1, mode="edge", constant_values=3)
    with pytest.raises(ValueError):
        np.pad(ox.ones((0, 3)), 1, mode="edge")
    with pytest.raises(ValueError):
        np.pad(x, 1, mode="maximum", stat_length=0)
    with pytest.raises(TypeError):
        np.pad(x, 1, mode=lambda v, w, i, k: None)
