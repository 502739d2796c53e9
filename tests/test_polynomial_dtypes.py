"""Data-dependent results of roots, polyfit and linalg.cond, as NumPy: roots' dtype (real when
every root is real), polyfit's RankWarning, cond's inf for singular matrices (stacks too)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import oxarray as ox
from oxarray.testing import assert_eq


@pytest.mark.parametrize("p", [[1.0, -3.0, 2.0], [1, 0, 1], [1, -3, 2], [5], [0, 0], [1, 2, 0],
                               [0.0, 1.0, -3.0, 2.0, 0.0, 0.0], [1j, 1], [1, 0, 0],
                               np.array([1, -3, 2], np.float32), np.array([1, 0, 4], np.float32)])
def test_roots_dtype_and_values_like_numpy(p):
    expected = np.roots(p)
    r = np.roots(ox.asarray(p, chunks=2))
    assert r.dtype == expected.dtype and r.shape == expected.shape
    got = r.compute()
    assert got.dtype == expected.dtype
    tol = 1e-5 if expected.dtype.itemsize <= 8 and expected.dtype.kind in "fc" else 1e-10
    np.testing.assert_allclose(np.sort_complex(got), np.sort_complex(expected), rtol=tol,
                               atol=tol)


def test_polyfit_warns_when_rank_deficient_as_numpy():
    x = np.array([1.0, 1.0, 1.0, 2.0])
    y = np.array([1.0, 2.0, 3.0, 4.0])
    with pytest.warns(np.exceptions.RankWarning):
        expected = np.polyfit(x, y, 3)
    with pytest.warns(np.exceptions.RankWarning):
        got = np.polyfit(ox.asarray(x, chunks=2), ox.asarray(y, chunks=2), 3)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = np.polyfit(ox.asarray(x), ox.asarray(y), 3, full=True)  # no warning, as NumPy
        np.polyfit(ox.asarray([0.0, 1.0, 2.0]), ox.asarray([1.0, 0.0, 1.0]), 2)
    assert int(full[2]) == np.polyfit(x, y, 3, full=True)[2]


def test_polyfit_warning_points_at_the_caller():
    with pytest.warns(np.exceptions.RankWarning) as record:
        np.polyfit(ox.asarray([1.0, 1.0]), ox.asarray([1.0, 2.0]), 1)
    assert record[0].filename == __file__


# "nuc" left out: NumPy's own svd of the NaN inverse raises "SVD did not converge" there.
@pytest.mark.parametrize("p", [None, 1, -1, 2, -2, np.inf, -np.inf, "fro"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
def test_cond_of_singular_matrices_like_numpy(p, dtype):
    a = np.array([[[1, 2], [2, 4]], [[2, 1], [1, 3]], [[0, 0], [0, 0]]]).astype(dtype)
    with np.errstate(all="ignore"):
        expected = np.linalg.cond(a, p)
        got = np.linalg.cond(ox.asarray(a, chunks=(1, 2, 2)), p)
        tol = 1e-4 if dtype == np.float32 else 1e-8
        # Singular matrices: inf (2-norm: the ratio of rounding-level singular values, any big
        # number; NumPy gets inf or ~1e16 from LAPACK's rounding, as we do from faer's).
        e, g = expected.copy(), got.compute()
        assert g.dtype == e.dtype
        big = np.abs(e) > 1e6
        assert np.array_equal(np.abs(g) > 1e6, big)
        np.testing.assert_allclose(g[~big], e[~big], rtol=tol, atol=1e-6)
        if p not in (None, 2, -2):
            assert_eq(got, expected, rtol=tol)


def test_cond_nan_matrix_stays_nan():
    a = np.array([[np.nan, 1.0], [1.0, 1.0]])
    assert_eq(np.linalg.cond(ox.asarray(a), 1), np.linalg.cond(a, 1))
