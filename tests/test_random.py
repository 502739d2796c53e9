"""oxarray.random: chunk-, thread- and order-invariance, distributions with fixed seeds, dtypes
and NumPy's errors. The values are not NumPy's (counter-based Philox, not PCG64), so the oracle
here is the distribution: moments, KS distances and frequencies with bounds loose enough for a
fixed seed, tight enough to catch a wrong transform."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox

SHAPE = (37, 23)
CHUNKINGS = [None, (10, 23), (7, 5), ((1, 20, 16), (3, 3, 17)), 1]

DRAWS = {
    "random": lambda g, c: g.random(SHAPE, chunks=c),
    "random32": lambda g, c: g.random(SHAPE, dtype=np.float32, chunks=c),
    "uniform": lambda g, c: g.uniform(-3, 5, SHAPE, chunks=c),
    "standard_normal": lambda g, c: g.standard_normal(SHAPE, chunks=c),
    "normal32": lambda g, c: g.standard_normal(SHAPE, dtype=np.float32, chunks=c),
    "normal": lambda g, c: g.normal(2.0, 3.0, SHAPE, chunks=c),
    "integers": lambda g, c: g.integers(-5, 9, SHAPE, chunks=c),
    "integers_u8": lambda g, c: g.integers(0, 255, SHAPE, dtype=np.uint8, endpoint=True, chunks=c),
    "integers_wide": lambda g, c: g.integers(-2**62, 2**62, SHAPE, chunks=c),
    "choice_p": lambda g, c: g.choice(5, SHAPE, p=[0.1, 0.2, 0.3, 0.0, 0.4], chunks=c),
    "choice_noreplace": lambda g, c: g.choice(10_000, SHAPE, replace=False, chunks=c),
    # Array bounds: spans from 1 to beyond 32 bits, broadcast along the first axis.
    "integers_array": lambda g, c: g.integers(np.arange(23) - 10, np.arange(23) - 9 + 7 ** np.arange(23),
                                              SHAPE, chunks=c),
    "integers_array_u8": lambda g, c: g.integers(0, np.arange(37)[:, None] * 7, SHAPE,
                                                 dtype=np.uint8, endpoint=True, chunks=c),
    "choice_axis1": lambda g, c: g.choice(np.arange(37 * 50).reshape(37, 50), 23, axis=1, chunks=c),
    "permutation_axis1": lambda g, c: g.permutation(np.arange(37 * 23).reshape(37, 23), axis=1,
                                                    chunks=c),
    "shuffled": lambda g, c: _shuffled(g, ox.asarray(np.arange(37 * 23).reshape(37, 23), chunks=c)),
}


def _shuffled(g, x):
    g.shuffle(x, axis=1)
    return x


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_seed_same_bits_whatever_the_chunks(name):
    draw = DRAWS[name]
    arrays = [draw(ox.random.default_rng(1234), c) for c in CHUNKINGS]
    assert len({a.chunks for a in arrays}) == len(CHUNKINGS)
    first = arrays[0].compute()
    assert first.shape == SHAPE
    for a in arrays[1:]:
        got = a.compute()
        assert got.dtype == first.dtype
        assert got.tobytes() == first.tobytes()


@given(seed=st.integers(0, 2**64 - 1), n=st.integers(0, 300),
       chunk=st.integers(1, 300), start=st.integers(0, 300))
def test_a_slice_of_the_whole_equals_the_whole_sliced(seed, n, chunk, start):
    whole = ox.random.default_rng(seed).standard_normal(n, chunks=chunk)
    expected = whole.compute()
    stop = min(n, start + chunk)
    start = min(start, stop)
    # Computing only a slice computes only its blocks; the values must not move.
    np.testing.assert_array_equal(whole[start:stop].compute(), expected[start:stop])


def test_compute_order_and_persist_do_not_matter():
    x = ox.random.default_rng(5).random((64, 64), chunks=(8, 16))
    expected = x.compute()
    parts = [x[i:i + 8].compute() for i in reversed(range(0, 64, 8))][::-1]
    np.testing.assert_array_equal(np.concatenate(parts), expected)
    np.testing.assert_array_equal(x.persist().compute() if hasattr(x, "persist") else
                                  ox.persist(x)[0].compute(), expected)


_THREADS_SCRIPT = """
import hashlib, oxarray as ox
a = ox.random.default_rng(99).normal(size=(300_000,), chunks=70_001).compute()
b = ox.random.default_rng(99).normal(size=(300_000,), chunks=300_000).compute()
print(hashlib.sha256(a.tobytes()).hexdigest(), hashlib.sha256(b.tobytes()).hexdigest())
"""


def test_thread_count_does_not_matter():
    outs = set()
    for threads in ("1", "2", "3"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], env=env, capture_output=True,
                           text=True, check=True)
        outs.update(r.stdout.split())
    assert len(outs) == 1


def test_successive_calls_differ_and_seeds_differ():
    g = ox.random.default_rng(0)
    a, b = g.random(100).compute(), g.random(100).compute()
    assert not np.array_equal(a, b)
    c = ox.random.default_rng(1).random(100).compute()
    assert not np.array_equal(a, c)
    # Replaying the same calls from the same seed gives the same arrays.
    h = ox.random.default_rng(0)
    np.testing.assert_array_equal(h.random(100).compute(), a)
    np.testing.assert_array_equal(h.random(100).compute(), b)
    # None draws fresh entropy.
    assert not np.array_equal(ox.random.default_rng().random(8).compute(),
                              ox.random.default_rng().random(8).compute())
    # A SeedSequence and a Generator are accepted as NumPy accepts them.
    np.testing.assert_array_equal(
        ox.random.default_rng(np.random.SeedSequence(0)).random(100).compute(), a)
    assert ox.random.default_rng(g) is g


def test_module_level_functions_like_dask():
    x = ox.random.random((500, 100), chunks=(100, 100))
    assert x.shape == (500, 100) and x.chunks == ((100,) * 5, (100,))
    ox.random.seed(7)
    a = ox.random.normal(1, 2, size=10).compute()
    ox.random.seed(7)
    np.testing.assert_array_equal(ox.random.normal(1, 2, size=10).compute(), a)
    assert ox.random.integers(3, size=4).dtype == np.int64
    assert ox.random.randint(3, size=4).compute().max() < 3
    assert ox.random.uniform(size=3).dtype == np.float64
    assert ox.random.standard_normal(3, dtype=np.float32).dtype == np.float32
    assert sorted(ox.random.permutation(6).compute().tolist()) == list(range(6))
    assert ox.random.choice(4, 3).shape == (3,)
    assert ox.random.random_sample(2).shape == (2,)


# --- distributions -------------------------------------------------------------------------------

def _ks_distance(sample, cdf) -> float:
    x = np.sort(sample.astype(np.float64))
    n = len(x)
    f = cdf(x)
    return float(max((np.arange(1, n + 1) / n - f).max(), (f - np.arange(n) / n).max()))


def _normal_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


# With n = 200_000 the 99.9% KS critical value is 1.95 / sqrt(n) ~ 0.0044.
N = 200_000
KS_BOUND = 1.95 / math.sqrt(N)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_random_is_uniform(dtype):
    x = ox.random.default_rng(11).random(N, dtype=dtype, chunks=30_000).compute()
    assert x.dtype == dtype
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.003 and abs(x.var() - 1 / 12) < 0.002
    assert _ks_distance(x, lambda t: t) < KS_BOUND
    # Resolution: float64 values use 53 bits, float32 24 bits (multiples of 2**-53 / 2**-24).
    bits = 53 if dtype == np.float64 else 24
    scaled = x.astype(np.float64) * 2.0**bits
    np.testing.assert_array_equal(scaled, np.floor(scaled))
    if dtype == np.float64:
        assert np.count_nonzero(x * 2.0**24 != np.floor(x * 2.0**24)) > N * 0.99


def test_uniform_bounds_and_broadcasting():
    x = ox.random.default_rng(12).uniform(-2.0, 6.0, N).compute()
    assert x.min() >= -2 and x.max() < 6
    assert _ks_distance(x, lambda t: (t + 2) / 8) < KS_BOUND
    y = ox.random.default_rng(12).uniform(np.array([0.0, 10.0]), 20.0, size=(3, 2)).compute()
    assert y.shape == (3, 2) and (y[:, 1] >= 10).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_standard_normal_is_normal(dtype):
    z = ox.random.default_rng(13).standard_normal(N, dtype=dtype, chunks=33_333).compute()
    assert z.dtype == dtype and np.isfinite(z).all()
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1) < 0.01
    m = z.astype(np.float64)
    assert abs(np.mean(m**3)) < 0.03 and abs(np.mean(m**4) - 3) < 0.06  # skew, kurtosis
    assert _ks_distance(z, _normal_cdf) < KS_BOUND


def test_normal_loc_scale():
    z = ox.random.default_rng(14).normal(-3.0, 0.5, N).compute()
    assert abs(z.mean() + 3) < 0.005 and abs(z.std() - 0.5) < 0.005
    assert _ks_distance(z, lambda t: _normal_cdf((t + 3) / 0.5)) < KS_BOUND
    assert (ox.random.default_rng(1).normal(4.0, 0.0, 5).compute() == 4.0).all()


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                   np.uint32, np.uint64])
def test_integers_cover_the_range_evenly(dtype):
    info = np.iinfo(dtype)
    low, high = max(int(info.min), -3), min(int(info.max), 9)
    x = ox.random.default_rng(15).integers(low, high, N, dtype=dtype, endpoint=True).compute()
    assert x.dtype == dtype
    values, counts = np.unique(x, return_counts=True)
    assert values.tolist() == list(range(low, high + 1))
    expected = N / (high - low + 1)
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 40  # 99.9% point of chi-square with <= 12 degrees of freedom is 32.9


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int64, np.uint64])
def test_integers_extreme_ranges(dtype):
    info = np.iinfo(dtype)
    x = ox.random.default_rng(16).integers(info.min, info.max, 5000, dtype=dtype,
                                           endpoint=True).compute()
    assert x.dtype == dtype and x.min() >= info.min and x.max() <= info.max
    if info.bits == 8:
        assert len(np.unique(x)) == 256
    else:  # both halves of the range are hit
        mid = info.min // 2 + info.max // 2
        assert (x < mid).sum() > 2000 and (x > mid).sum() > 2000


def test_integers_exclusive_high_and_non_power_of_two_span():
    x = ox.random.default_rng(17).integers(0, 3, N).compute()
    assert set(np.unique(x).tolist()) == {0, 1, 2}
    # A span just above 2**31: the rejection is frequent, the result still uniform.
    span = 2**31 + 1
    y = ox.random.default_rng(18).integers(0, span, N, dtype=np.int64).compute()
    assert y.min() >= 0 and y.max() < span
    assert _ks_distance(y / span, lambda t: t) < KS_BOUND
    b = ox.random.default_rng(19).integers(0, 2, 1000, dtype=bool).compute()
    assert b.dtype == bool and 400 < b.sum() < 600


def test_choice_with_probabilities():
    p = np.array([0.1, 0.2, 0.3, 0.0, 0.4])
    x = ox.random.default_rng(20).choice(5, N, p=p).compute()
    counts = np.bincount(x, minlength=5)
    assert counts[3] == 0
    expected = N * p[p > 0]
    assert float(((counts[p > 0] - expected) ** 2 / expected).sum()) < 25


def test_choice_and_permutation_are_subsets_and_permutations():
    g = ox.random.default_rng(21)
    perm = g.permutation(1000, chunks=128).compute()
    assert perm.dtype == np.int64 and sorted(perm.tolist()) == list(range(1000))
    assert not np.array_equal(perm, np.arange(1000))
    sub = g.choice(50, (4, 5), replace=False).compute()
    assert sub.shape == (4, 5) and sub.dtype == np.int64
    assert len(set(sub.ravel().tolist())) == 20 and sub.max() < 50
    full = g.choice(20, 20, replace=False).compute()
    assert sorted(full.tolist()) == list(range(20))
    a = np.arange(30.0).reshape(10, 3)
    pa = g.permutation(a).compute()
    assert pa.shape == (10, 3) and pa.dtype == a.dtype
    assert sorted(map(tuple, pa.tolist())) == sorted(map(tuple, a.tolist()))
    lazy = ox.asarray(a, chunks=(3, 2))
    pl = g.permutation(lazy).compute()
    assert sorted(map(tuple, pl.tolist())) == sorted(map(tuple, a.tolist()))
    picks = g.choice(np.array([10, 20, 30]), size=(2, 6)).compute()
    assert picks.shape == (2, 6) and set(picks.ravel().tolist()) <= {10, 20, 30}
    w = g.choice(6, 3, replace=False, p=[0.5, 0.0, 0.1, 0.1, 0.3, 0.0]).compute()
    assert len(set(w.tolist())) == 3 and not {1, 5} & set(w.tolist())
    rows = g.choice(a, 4, replace=False).compute()
    assert rows.shape == (4, 3) and len({tuple(r) for r in rows.tolist()}) == 4


def test_permutation_positions_are_uniform():
    # Where element 0 lands in permutations of 8 elements over many streams.
    g = ox.random.default_rng(22)
    pos = [int(np.argmax(g.permutation(8).compute() == 0)) for _ in range(1600)]
    counts = np.bincount(pos, minlength=8)
    assert float(((counts - 200) ** 2 / 200).sum()) < 30


# --- dtypes and errors, as NumPy raises them ------------------------------------------------------

def _same_error(np_call, ox_call):
    with pytest.raises(Exception) as expected:
        np_call(np.random.default_rng(0))
    with pytest.raises(type(expected.value)) as got:
        ox_call(ox.random.default_rng(0))
    return str(expected.value), str(got.value)


@pytest.mark.parametrize("call", [
    lambda g: g.random(-1),
    lambda g: g.random((3, -2)),
    lambda g: g.standard_normal(-1),
    lambda g: g.integers(0, 5, size=-1),
    lambda g: g.random(3, dtype=np.int32),
    lambda g: g.random(3, dtype=np.float16),
    lambda g: g.standard_normal(3, dtype=np.int64),
    lambda g: g.integers(0, 5, 3, dtype=np.float64),
    lambda g: g.integers(5, 5),
    lambda g: g.integers(6, 5, endpoint=True),
    lambda g: g.integers(-1, 5, dtype=np.uint8),
    lambda g: g.integers(0, 300, dtype=np.uint8),
    lambda g: g.normal(0, -1.0, 3),
    lambda g: g.choice(3, 4, replace=False),
    lambda g: g.choice(3, 2, p=[0.5, 0.5]),
    lambda g: g.choice(3, 2, p=[0.5, 0.6, -0.1]),
    lambda g: g.choice(3, 2, p=[0.2, 0.2, 0.2]),
    lambda g: g.choice(0, 2),
    lambda g: g.choice(3, 3, replace=False, p=[0.5, 0.5, 0.0]),
    lambda g: g.integers(np.array([0, -1]), 10, dtype=np.uint8),
    lambda g: g.integers([0, 1], np.array([10, 300]), dtype=np.uint8),
    lambda g: g.integers(np.array([0, 5]), np.array([10, 5])),
    lambda g: g.integers(np.array([0, 6]), [10, 5], endpoint=True),
    lambda g: g.integers([0, 1], 3, size=(3, 3)),
    lambda g: g.choice(np.ones((3, 4)), 2, axis=2),
    lambda g: g.choice(np.ones((3, 4)), 5, replace=False, axis=1),
    lambda g: g.permutation(np.ones((3, 4)), axis=2),
    lambda g: g.shuffle(np.array(5)),
    lambda g: g.shuffle(np.arange(5), axis=1),
    lambda g: g.shuffle((1, 2, 3)),
    lambda g: g.shuffle([1, 2, 3], axis=1),
])
def test_errors_match_numpy(call):
    _same_error(call, call)


def test_error_messages():
    same = _same_error(lambda g: g.integers(5, 5), lambda g: g.integers(5, 5))
    assert same == ("low >= high",) * 2
    msg = _same_error(lambda g: g.random(-1), lambda g: g.random(-1))[1]
    assert "negative dimensions" in msg
    msg = _same_error(lambda g: g.random(3, dtype=np.int32), lambda g: g.random(3, dtype=np.int32))
    assert msg[0] == msg[1]


def test_shapes_dtypes_and_chunks_keyword():
    g = ox.random.default_rng(3)
    assert g.random().shape == () and 0 <= float(g.random()) < 1
    assert g.random(0).compute().shape == (0,)
    assert g.integers(0, 4, (0, 3)).compute().shape == (0, 3)
    x = g.standard_normal((6, 4), chunks=(4, 3))
    assert x.chunks == ((4, 2), (3, 1)) and x.dtype == np.float64
    assert g.integers(10, dtype=np.int16).dtype == np.int16
    assert g.permutation(0).compute().shape == (0,)
    assert g.choice(5, 0, replace=False).compute().shape == (0,)
    assert isinstance(g.random(3), ox.Array)  # lazy


def test_docstring_examples_run():
    import doctest

    import oxarray.random

    assert doctest.testmod(oxarray.random).failed == 0


# --- array bounds, sampling along an axis, shuffle, spawn -----------------------------------------

def test_integers_array_bounds_broadcast_and_hold():
    g = ox.random.default_rng(8)
    low = np.array([[-3], [0], [-2**40]])
    high = np.array([1, 2, 3, 2**41])
    x = g.integers(low, high, chunks=(2, 3))
    assert x.shape == (3, 4) and x.dtype == np.int64
    v = x.compute()
    assert ((v >= low) & (v < high)).all()
    # size= broadcasts the bounds; endpoint includes high; a lazy bound is accepted.
    big = g.integers(ox.asarray([0, 10]), [1, 12], size=(5000, 2), endpoint=True).compute()
    assert set(big[:, 0].tolist()) == {0, 1} and set(big[:, 1].tolist()) == {10, 11, 12}
    counts = np.bincount(big[:, 1] - 10, minlength=3)
    assert float(((counts - 5000 / 3) ** 2 / (5000 / 3)).sum()) < 20
    full = g.integers(0, np.array([2**64 - 1, 2**64 - 1], dtype=np.uint64), dtype=np.uint64,
                      endpoint=True).compute()
    assert full.dtype == np.uint64 and full.shape == (2,)
    assert g.integers(np.array([], dtype=int), 5).compute().shape == (0,)


def test_choice_along_an_axis():
    a = np.arange(60).reshape(3, 4, 5)
    g = ox.random.default_rng(4)
    x = g.choice(a, (2, 6), axis=-1, chunks="auto").compute()
    assert x.shape == (3, 4, 2, 6)
    cols = x[0, 0].ravel()  # column indices into a's last axis, the same for every (i, j)
    np.testing.assert_array_equal(x, a[:, :, cols].reshape(3, 4, 2, 6))
    one = g.choice(ox.asarray(a), axis=1).compute()
    assert one.shape == (3, 5) and any((one == a[:, j]).all() for j in range(4))
    nore = g.choice(a, 4, replace=False, axis=1).compute()
    assert sorted(nore[0, :, 0].tolist()) == [0, 5, 10, 15]
    assert g.choice(5, 3, axis=1).shape == (3,)  # NumPy ignores axis for an int population


def test_permutation_along_an_axis():
    a = np.arange(12).reshape(3, 4)
    p = ox.random.default_rng(2).permutation(a, axis=-1).compute()
    order = p[0]
    np.testing.assert_array_equal(p, a[:, order])
    assert sorted(order.tolist()) == [0, 1, 2, 3]


def test_shuffle_rebinds_an_array_and_rewrites_numpy_and_lists():
    a = np.arange(40).reshape(8, 5)
    x = ox.asarray(a, chunks=3)
    g = ox.random.default_rng(11)
    assert g.shuffle(x) is None
    got = x.compute()
    assert sorted(got[:, 0].tolist()) == a[:, 0].tolist()
    np.testing.assert_array_equal(got, a[got[:, 0] // 5])
    y = ox.asarray(a, chunks=(8, 5))
    ox.random.default_rng(11).shuffle(y)
    np.testing.assert_array_equal(y.compute(), got)  # the chunks do not matter
    b = a.copy()
    ox.random.default_rng(11).shuffle(b)
    np.testing.assert_array_equal(b, got)  # a NumPy array is shuffled in place, the same way
    c = a.copy()
    ox.random.default_rng(11).shuffle(c, axis=1)
    assert sorted(c[0].tolist()) == a[0].tolist() and (c == a[:, c[0]]).all()
    items = list(range(10))
    ox.random.default_rng(3).shuffle(items)
    assert sorted(items) == list(range(10)) and items != list(range(10))


def test_spawn_gives_independent_reproducible_children():
    g = ox.random.default_rng(123)
    kids = g.spawn(3)
    assert len(kids) == 3 and all(isinstance(k, ox.random.Generator) for k in kids)
    draws = [k.random(50).compute() for k in kids] + [g.random(50).compute()]
    assert len({d.tobytes() for d in draws}) == 4
    again = ox.random.default_rng(123).spawn(3)
    for k, d in zip(again, draws, strict=False):
        np.testing.assert_array_equal(k.random(50).compute(), d)
    later = g.spawn(1)[0].random(50).compute()  # a second spawn gives new children, as in NumPy
    assert all(later.tobytes() != d.tobytes() for d in draws)
    assert g.spawn(0) == []
