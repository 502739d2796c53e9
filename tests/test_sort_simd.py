"""The vectorized (AVX-512) sort and key merge against NumPy's stable sort, bit for bit.

Where the CPU has AVX-512 the 32- and 64-bit dtypes take a quicksort with a vectorized partition
and sorting networks (lanes of every length around the network and register sizes), and chunked
axes a vectorized merge of keys; -0.0/0.0 and NaN payloads must still come out in NumPy's stable
order. Elsewhere the same tests run the radix sorts.
"""

from __future__ import annotations

import numpy as np
import pytest

import oxarray as ox
from tests.test_sorting import assert_same_bits

DTYPES = ["float64", "float32", "int64", "int32", "uint64", "uint32"]
LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 31, 127, 128, 129, 255, 256, 257, 1000, 5003]


def _data(dtype: str, n: int, rng) -> np.ndarray:
    if dtype.startswith("float"):
        a = rng.integers(-20, 20, n).astype(dtype)
        a[rng.random(n) < 0.1] = np.nan
        a[rng.random(n) < 0.1] = -0.0
        a[rng.random(n) < 0.05] = -np.inf
        if dtype == "float64" and n:
            # NaNs with payloads and signs: kept in index order among the NaNs.
            bits = a.view(np.uint64)
            bits[rng.random(n) < 0.05] = np.uint64(0x7FF8_0000_0000_0001)
            bits[rng.random(n) < 0.05] = np.uint64(0xFFF8_0000_0000_0000)
        return a
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    a[rng.random(n) < 0.2] = info.max
    a[rng.random(n) < 0.2] = info.min
    return a


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_length_around_the_register_sizes(dtype):
    rng = np.random.default_rng(11)
    for n in LENGTHS:
        a = np.stack([_data(dtype, n, rng), np.sort(_data(dtype, n, rng))[::-1],
                      np.full(n, 3, dtype)])
        for axis in (-1, 0):
            x = ox.asarray(a, chunks=(2, max(n, 1)))
            assert_same_bits(np.sort(x, axis=axis), np.sort(a, axis=axis, kind="stable"))
        assert_same_bits(ox.sort(ox.asarray(a), descending=True, stable=True),
                         np.flip(np.sort(np.flip(a, axis=-1), kind="stable"), axis=-1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_chunked_axis_merges_keys(dtype):
    rng = np.random.default_rng(12)
    a = _data(dtype, 200_003, rng)
    expected = np.sort(a, kind="stable")
    for chunks in (70_001, 2**16, 33_333):
        assert_same_bits(np.sort(ox.asarray(a, chunks=chunks)), expected)
    few = rng.integers(0, 3, 150_001).astype(dtype)
    assert_same_bits(np.sort(ox.asarray(few, chunks=40_000)), np.sort(few, kind="stable"))
