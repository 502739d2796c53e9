"""``np.sort`` of a 1-d array along its chunked axis: a sample sort where the CPU has AVX-512
(splitters, a vectorized bucket search and scatter per input chunk, bucket sorts per output
chunk), else per-chunk sorts and a merge. Either way the result is NumPy's stable sort bit for
bit (-0.0 before 0.0 in index order, NaN last with their payloads in index order) and keeps the
input's chunks, whatever the chunk sizes (odd, uneven, empty) and the data (all equal, few
distinct values, sorted, reversed, mostly NaN).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxarray as ox
from tests.test_sorting import assert_same_bits

DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64",
          "uint32", "uint16", "uint8", "bool", "complex128"]
# Past one bucket (2**17 keys), so classify scatters into several buckets.
N = 300_007


def _random(dtype: str, n: int, rng) -> np.ndarray:
    if dtype == "bool":
        return rng.random(n) < 0.3
    if dtype.startswith("complex"):
        return (rng.integers(-5, 5, n) + 1j * rng.integers(-5, 5, n)).astype(dtype)
    if dtype.startswith("float"):
        a = rng.standard_normal(n).astype(dtype)
        a[rng.random(n) < 0.05] = np.nan
        a[rng.random(n) < 0.05] = -0.0
        a[rng.random(n) < 0.05] = 0.0
        return a
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)


def _check(a: np.ndarray, chunks) -> None:
    x = ox.asarray(a, chunks=chunks)
    y = np.sort(x)
    assert y.chunks == x.chunks
    assert_same_bits(y, np.sort(a, kind="stable"))


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_over_several_buckets(dtype):
    a = _random(dtype, N, np.random.default_rng(1))
    _check(a, ((100_003, 1, 0, 120_000, 80_003),))


@pytest.mark.parametrize(
    "name",
    ["all_equal", "few_distinct", "sorted", "reversed", "nan_heavy", "signed_zeros", "sawtooth"],
)
def test_structured_inputs(name):
    rng = np.random.default_rng(2)
    a = {
        "all_equal": np.full(N, 2.5),
        "few_distinct": rng.integers(0, 5, N).astype(np.float64),
        "sorted": np.sort(rng.random(N)),
        "reversed": np.sort(rng.random(N))[::-1].copy(),
        "nan_heavy": np.where(rng.random(N) < 0.9, np.nan, rng.random(N)),
        "signed_zeros": np.where(rng.random(N) < 0.5, -0.0, 0.0),
        "sawtooth": (np.arange(N) % 1000).astype(np.float64),
    }[name]
    for chunks in (70_001, ((150_000, 0, 150_007),)):
        _check(a, chunks)


def test_nan_payloads_keep_index_order():
    rng = np.random.default_rng(3)
    a = rng.random(N)
    bits = a.view(np.uint64)
    bits[rng.random(N) < 0.1] = np.uint64(0x7FF8_0000_0000_0001)
    bits[rng.random(N) < 0.1] = np.uint64(0xFFF8_0000_0000_0000)
    bits[rng.random(N) < 0.1] = np.uint64(0x7FF8_0000_0000_0000)
    _check(a, 65_537)


def test_descending_and_integers_few_distinct():
    rng = np.random.default_rng(4)
    a = rng.integers(-3, 3, N).astype(np.int32)
    x = ox.asarray(a, chunks=99_999)
    assert_same_bits(ox.sort(x, descending=True, stable=True),
                     np.flip(np.sort(np.flip(a), kind="stable")))
    f = _random("float64", N, rng)
    x = ox.asarray(f, chunks=123_457)
    assert_same_bits(ox.sort(x, descending=True, stable=True),
                     np.flip(np.sort(np.flip(f), kind="stable")))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 40), min_size=2, max_size=6),
    st.sampled_from(["float64", "float32", "int64", "uint8", "int16"]),
    st.integers(0, 2**32 - 1),
)
def test_any_chunking_small(chunks, dtype, seed):
    a = _random(dtype, sum(chunks), np.random.default_rng(seed))
    _check(a, (tuple(chunks),))
