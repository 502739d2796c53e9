"""The memory limit: parsing it, projecting a plan's memory, refusing what cannot fit before any
work, and keeping a streamed run's peak RSS under the limit (measured in a child process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray.config import parse_bytes


@pytest.mark.parametrize(
    ("text", "n"),
    [("2 GiB", 2 << 30), ("500MB", 500 * 10**6), ("1.5e9", 1_500_000_000), (4096, 4096),
     ("64 mib", 64 << 20), ("1kB", 1000), ("3 KiB", 3072), ("7", 7)],
)
def test_parse_bytes(text, n):
    assert parse_bytes(text) == n


@pytest.mark.parametrize("bad", ["two GiB", "5 parsecs", "", "GiB", -1, 0, "0 MB"])
def test_parse_bytes_refuses(bad):
    with pytest.raises(ValueError):
        parse_bytes(bad)


@pytest.mark.parametrize("bad", [True, [1], b"1 GiB"])
def test_parse_bytes_type(bad):
    with pytest.raises(TypeError):
        parse_bytes(bad)


def test_fraction_of_memory():
    n = parse_bytes(0.5)
    assert 0 < n <= ox._core.available_memory()
    with pytest.raises(ValueError):
        parse_bytes(1.5)


def test_set_restores_and_default():
    default = ox.config.get("memory_limit")
    assert default == ox._core.available_memory() // 4 * 3
    with ox.config.set(memory_limit="1 GiB"):
        assert ox.config.get("memory_limit") == 1 << 30
        with ox.config.set(memory_limit="default"):
            assert ox.config.get("memory_limit") == default
        assert ox.config.get("memory_limit") == 1 << 30
    assert ox.config.get("memory_limit") == default


def test_explain_shows_projected_peak():
    x = ox.random.random((1 << 16, 64), chunks=(1 << 12, 64))
    with ox.config.set(memory_limit="1 GiB"):
        text = np.sum(x * 2, axis=0).explain()
    assert "projected peak memory:" in text
    assert "memory limit 1.00 GiB" in text
    assert "largest task: random" in text


def test_single_task_over_the_limit_fails_before_work():
    x = ox.random.random(1 << 22, chunks=1 << 22)  # one 32 MiB block
    y = np.sum(x * 2)
    with ox.config.set(memory_limit="16 MiB"):
        assert "does not fit" in y.explain()
        with pytest.raises(MemoryError, match=r"'random' of a \(4194304\) float64 block"):
            y.compute()
        assert np.sum(x).compute() > 0  # drawn slab by slab inside the sum: it fits
        with pytest.raises(MemoryError, match="memory limit of 16.00 MiB"):
            x.persist()
    assert np.sum(x).compute() > 0


def test_result_over_the_limit_fails_before_allocating():
    x = ox.zeros((1 << 13, 1 << 12), chunks=(1 << 10, 1 << 12))  # a 256 MiB result
    with ox.config.set(memory_limit="64 MiB"):
        with pytest.raises(MemoryError, match="Unable to allocate 256.00 MiB for the result"):
            x.compute()


def test_user_callable_does_not_run_when_the_plan_cannot_fit():
    calls = []

    def f(block):
        calls.append(1)
        return block

    x = ox.map_blocks(f, ox.ones(1 << 22, chunks=1 << 21), shape=(1 << 22,), dtype="float64",
                      chunks=((1 << 21, 1 << 21),))
    with ox.config.set(memory_limit="8 MiB"), pytest.raises(MemoryError):
        x.sum().compute()
    assert calls == []


def test_recomputes_cheap_sources_to_stay_under_the_limit():
    x = ox.random.default_rng(3).random(1 << 22, chunks=1 << 17)  # 32 blocks of 1 MiB
    y = np.sum(x - x.mean())
    with ox.config.set(memory_limit="8 MiB"):
        assert "recomputed sources: 32" in y.explain()
        tight = y.compute()
    assert "recomputed sources" not in y.explain()
    assert tight == pytest.approx(y.compute(), abs=1e-6)
    z = np.abs(x - x.mean()).max()
    with ox.config.set(memory_limit="8 MiB"):
        assert z.compute() == z.compute()
    np.testing.assert_allclose((x - x.mean()).compute(), x.compute() - x.compute().mean(),
                               rtol=0, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 1 << 16),
    chunk=st.integers(1000, 20000),
    limit=st.sampled_from(["2 MiB", "3 MiB", "64 MiB"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_results_do_not_depend_on_the_limit(n, chunk, limit, seed):
    x = ox.random.default_rng(seed).standard_normal((n, 3), chunks=(chunk, 3))
    exprs = [
        lambda: (x - x.mean(axis=0)) / x.std(axis=0),
        lambda: np.cumsum(x * 2, axis=0)[::7],
        lambda: np.sort(x, axis=0)[-3:],
        lambda: x.T @ x,
    ]
    want = [f().compute() for f in exprs]
    with ox.config.set(memory_limit=limit):
        for f, w in zip(exprs, want, strict=True):
            try:
                got = f().compute()
            except MemoryError:
                continue  # a block of this plan is larger than the limit: refused, not run
            np.testing.assert_array_equal(got, w)


def _peak_rss_mib(code: str) -> tuple[float, float]:
    """Runs `code` in a fresh interpreter; returns (baseline, peak) RSS in MiB."""
    script = textwrap.dedent(
        """
        import resource, numpy as np, oxarray as ox
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        """
    ) + textwrap.dedent(code) + textwrap.dedent(
        """
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(base, peak)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    base, peak = map(float, out.stdout.split())
    return base, peak


def test_streamed_sum_of_8_gib_stays_under_a_512_mib_limit():
    base, peak = _peak_rss_mib(
        """
        ox.config.set(memory_limit="512 MiB")
        x = ox.random.random(2**30, chunks=2**23)    # 8 GiB of float64 in 64 MiB blocks
        s = np.sum(x).compute()
        assert abs(s / 2**30 - 0.5) < 1e-3
        """
    )
    assert peak - base < 512, (base, peak)


def test_centering_holds_no_more_than_the_limit():
    base, peak = _peak_rss_mib(
        """
        ox.config.set(memory_limit="256 MiB")
        x = ox.random.random(2**28, chunks=2**22)    # 2 GiB, read twice (mean, then x - mean)
        s = np.sum(np.abs(x - x.mean())).compute()
        assert abs(s / 2**28 - 0.25) < 1e-3
        """
    )
    assert peak - base < 256 + 64, (base, peak)


@pytest.mark.parametrize("op", ["sum", "mean", "std", "var", "max", "min", "argmax", "prod"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_random_drawn_inside_the_reduction(op, axis):
    # The random blocks are drawn slab by slab inside the reduction's tasks (no 'random' task
    # left in the plan); the values are those of the same array computed first.
    x = ox.random.default_rng(5).random((3000, 70), chunks=(700, 30))
    y = getattr(np, op)(x, axis=axis)
    assert "random " not in y.explain()
    want = getattr(np, op)(x.compute(), axis=axis)
    got = y.compute()
    assert got.dtype == want.dtype and got.shape == want.shape
    if op in ("max", "min", "argmax"):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-11)
