"""nan_to_num, sinc, angle against NumPy."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from helpers import differential
from oxarray.testing import arrays, chunkings, dtypes, shapes


@st.composite
def case(draw, kinds="biufc"):
    shape = draw(shapes(max_dims=3, max_side=5))
    a = draw(arrays(draw(dtypes(kinds)), shape))
    return a, ox.from_array(a, chunks=draw(chunkings(shape)))


@given(c=case(), data=st.data())
def test_nan_to_num(c, data):
    a, x = c
    kw = {}
    if data.draw(st.booleans()):
        kw = {"nan": data.draw(st.sampled_from([0.0, -1.5, 7])),
              "posinf": data.draw(st.sampled_from([None, 1e3, 9])),
              "neginf": data.draw(st.sampled_from([None, -1e3]))}
    differential(lambda: np.nan_to_num(a, **kw), lambda: np.nan_to_num(x, **kw))


@given(c=case("iufc"))
def test_sinc(c):
    a, x = c
    differential(lambda: np.sinc(a), lambda: np.sinc(x), rtol=1e-5, atol=1e-6)


@given(c=case(), deg=st.booleans())
def test_angle(c, deg):
    a, x = c
    differential(lambda: np.angle(a, deg), lambda: np.angle(x, deg), rtol=1e-6)
