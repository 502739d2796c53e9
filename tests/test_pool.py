"""The block pool: results written into reused (not zeroed) blocks are the same as NumPy's.

Large results and blocks (>= 4 MiB) come from a pool of freed blocks, not zeroed: every test here
first fills the pool with blocks of the same size holding other values (NaN, ones, garbage bytes
for bool), then checks a result that must overwrite every byte of them."""

import numpy as np
import pytest

import oxarray as ox
from oxarray import _core
from oxarray.testing import assert_eq

N = 1 << 20  # 8 MiB of float64: a pooled block
CHUNK = 1 << 18  # 2 MiB blocks


def _pollute(nbytes: int, fill: float = np.nan) -> None:
    """Frees blocks of `nbytes` that held `fill`: the pool keeps them for the next allocation."""
    arrays = [ox.full(nbytes // 8, fill, chunks=nbytes // 8).compute() for _ in range(3)]
    del arrays


def test_a_freed_result_is_reused_by_the_next_compute():
    a = np.random.default_rng(0).random(N)
    x = ox.asarray(a, chunks=CHUNK)
    expr = 2 * x + 3 * x * x - np.sqrt(x)
    want = 2 * a + 3 * a * a - np.sqrt(a)
    first = expr.compute()
    del first
    before = _core.pool_stats()
    got = expr.compute()
    after = _core.pool_stats()
    assert after["reused"] > before["reused"], (before, after)
    np.testing.assert_allclose(got, want, rtol=1e-15)


@pytest.mark.parametrize(
    "make",
    [
        lambda x: 2 * x + 3 * x * x - np.sqrt(x),  # fused, written straight into the result
        lambda x: x.reshape(1024, -1).T,  # blocks copied into the result
        lambda x: x > 0.5,
        lambda x: np.broadcast_to(x > 0.5, (8, N)),  # 8 MiB of bool: stale bytes are not 0/1
        lambda x: np.cumsum(x),  # a scan written into the result
        lambda x: np.fft.fft(x).real,
        lambda x: np.sort(x),
        lambda x: x.reshape(-1, 64).sum(axis=1),
        lambda x: np.concatenate([x[: N // 2], x[N // 2 :] + 1]),
        lambda x: ox.random.default_rng(3).random(N, chunks=CHUNK) + x,
    ],
)
@pytest.mark.parametrize("chunk", [CHUNK, N])
def test_results_in_reused_blocks_match_numpy(make, chunk):
    a = np.random.default_rng(1).random(N)
    x = ox.asarray(a, chunks=chunk)
    # The same plan on fresh pages first: with stale blocks in the pool it must give the very
    # same bits (a chunked FFT and a one-block FFT differ in rounding, so the plan is fixed).
    _core.release_pool()
    want = make(x).compute()
    assert_eq(want, make(ox.asarray(a, chunks=N)).compute(), rtol=1e-9, atol=1e-9)
    for fill in (np.nan, -1.0):
        _pollute(want.nbytes, fill)
        got = make(x).compute()
        np.testing.assert_array_equal(got, want)


def test_pooling_keeps_values_of_numpy():
    # The same computations as NumPy's, with the pool warm and cold.
    rng = np.random.default_rng(2)
    a, b = rng.random((1024, 1024)), rng.random((1024, 1024))
    x, y = ox.asarray(a, chunks=(256, 1024)), ox.asarray(b, chunks=(256, 1024))
    for release in (True, False):
        if release:
            _core.release_pool()
        assert_eq(x * y - x, a * b - a)
        assert_eq((x + y).sum(axis=0), (a + b).sum(axis=0))
        assert_eq(np.where(x > y, x, 0), np.where(a > b, a, 0))


def test_the_pool_stays_under_a_lowered_limit():
    _pollute(8 << 20)
    assert _core.pool_stats()["kept_bytes"] > 0
    with ox.config.set(memory_limit="64 MiB"):
        x = ox.ones(1 << 20, chunks=1 << 18)
        (x + 1).compute()  # planning under the limit trims the pool to an eighth of it
        assert _core.pool_stats()["kept_bytes"] <= (64 << 20) // 8
    _core.release_pool()
    assert _core.pool_stats()["kept_bytes"] == 0
