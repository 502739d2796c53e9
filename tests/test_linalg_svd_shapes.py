"""svd with explicit ``full_matrices`` against NumPy for every shape class (tall, wide, square,
stacks, empty matrices): shapes, dtypes, reconstruction and orthonormal factors."""

from __future__ import annotations

import numpy as np
import pytest

import oxarray as ox

SHAPES = [(1, 2), (3, 5), (5, 3), (2, 1), (4, 4), (2, 3, 5), (2, 5, 3), (3, 1, 2), (3, 0), (0, 3),
          (0, 0), (2, 3, 0), (2, 0, 3)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("full", [True, False, 1, 0])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
def test_svd_factors_like_numpy(shape, full, dtype):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    a = (a * 3).astype(dtype)
    expected = np.linalg.svd(a, full_matrices=full)
    got = np.linalg.svd(ox.asarray(a), full_matrices=full)
    u, s, vh = ox.compute(*got)
    for g, c, e in zip(got, (u, s, vh), expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype
        assert c.shape == e.shape and c.dtype == e.dtype
    tol = 1e-4 if np.dtype(dtype) in (np.float32,) else 1e-10
    np.testing.assert_allclose(s, expected[1], rtol=tol, atol=tol)
    k = min(shape[-2:])
    rebuilt = (u[..., :, :k] * s[..., np.newaxis, :]) @ vh[..., :k, :]
    np.testing.assert_allclose(rebuilt, a, rtol=tol, atol=tol * 10)
    eye_u = np.broadcast_to(np.eye(u.shape[-1]), u.shape[:-2] + (u.shape[-1],) * 2)
    eye_v = np.broadcast_to(np.eye(vh.shape[-2]), vh.shape[:-2] + (vh.shape[-2],) * 2)
    np.testing.assert_allclose(np.conj(np.swapaxes(u, -1, -2)) @ u, eye_u, atol=tol * 10)
    np.testing.assert_allclose(vh @ np.conj(np.swapaxes(vh, -1, -2)), eye_v, atol=tol * 10)
    if 0 in shape[-2:]:
        for c, e in zip((u, s, vh), expected, strict=True):
            np.testing.assert_array_equal(c, e)


@pytest.mark.parametrize("shape", [(1, 2), (3, 5), (5, 3), (2, 3, 5), (3, 0)])
def test_array_api_svd_defaults_to_the_complete_factors(shape):
    # The Array API standard (and NumPy) default full_matrices=True; ox.linalg.svd follows it.
    a = np.random.default_rng(1).random(shape)
    got = ox.linalg.svd(ox.asarray(a))
    assert [g.shape for g in got] == [e.shape for e in np.linalg.svd(a)]
    # np.linalg.svd on an oxarray Array keeps the reduced (TSQR) default for 2-d input.
    if len(shape) == 2:
        k = min(shape)
        assert np.linalg.svd(ox.asarray(a))[2].shape == (k, shape[1])
