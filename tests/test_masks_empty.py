"""Boolean masks at their edges, against NumPy: masks of length 0 on an axis (NumPy accepts an
empty mask whose axes are either the array's or 0), and a 0-d mask assigned no values (what
array-api-extra's ``at(x, cond).set`` does for SciPy's ``pearsonr``)."""

from __future__ import annotations

import numpy as np
import pytest

import oxarray as ox
from helpers import public_type
from oxarray.testing import assert_eq

SHAPES = [(3, 4), (0, 0), (3, 0), (0, 4), (2,)]
MASKS = [(0,), (0, 0), (3, 0), (0, 4), (1, 0), (0, 1), (2, 0), (0, 5), (5,), ()]


@pytest.mark.parametrize("xs", SHAPES)
@pytest.mark.parametrize("ks", MASKS)
def test_getitem_with_empty_or_mismatched_masks(xs, ks):
    if len(ks) > len(xs):
        return
    a = np.arange(float(np.prod(xs))).reshape(xs)
    k = np.zeros(ks, bool)
    try:
        expected = a[k]
    except Exception as exc:
        with pytest.raises(public_type(exc)):
            ox.asarray(a)[ox.asarray(k)]
        return
    assert_eq(ox.asarray(a)[ox.asarray(k)], expected)


@pytest.mark.parametrize("mask", [False, True])
def test_0d_mask_assigned_no_values(mask):
    a = np.array(2.5)
    x = ox.asarray(a)
    try:
        a[np.bool_(mask)] = np.empty(0)
    except ValueError:
        x[ox.asarray(mask)] = ox.asarray(np.empty(0))
        with pytest.raises(ValueError, match="cannot assign 0 input values"):
            x.compute()
        return
    x[ox.asarray(mask)] = ox.asarray(np.empty(0))
    assert_eq(x, a)
