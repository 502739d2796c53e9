"""``oxarray.diagnostics``: the progress bar (driven by the scheduler's task counter) and the
profiler (time per task kind and peak memory, recorded in Rust while one is active)."""

from __future__ import annotations

import io

import numpy as np
import pytest

import oxarray as ox
from oxarray import _core
from oxarray.diagnostics import KindStats, Profiler, ProgressBar


def test_counters_count_every_task_of_a_run():
    y = (ox.ones((100, 100), chunks=10) + 1).sum()
    n = _core.task_count([y._node])
    s0, f0 = _core.progress_counters()
    assert y.compute() == 20_000
    s1, f1 = _core.progress_counters()
    assert (s1 - s0, f1 - f0) == (n, n)


def test_progress_bar_reaches_100_percent():
    out = io.StringIO()
    y = (ox.ones((1000, 100), chunks=10) + 1).sum()
    with ProgressBar(out=out, dt=0.01) as bar:
        assert y.compute() == 200_000
    text = out.getvalue()
    assert "100% Completed" in text and text.endswith("\n")
    n = _core.task_count([y._node])
    assert f"{n} of {n} tasks" in text
    assert bar.last_fraction == 1.0


def test_progress_bar_polls_while_a_run_is_in_progress():
    # A run long enough for several polls: the bar draws intermediate states from its thread.
    out = io.StringIO()
    x = ox.random.default_rng(0).random((1_000, 1_000), chunks=(100, 100))
    with ProgressBar(out=out, dt=0.001):
        np.sort(x, axis=0).sum().compute()
    assert out.getvalue().count("\r[") >= 2


def test_progress_bar_minimum_keeps_short_runs_quiet():
    out = io.StringIO()
    with ProgressBar(out=out, minimum=60.0):
        (ox.ones(10, chunks=5) + 1).compute()
    assert out.getvalue() == ""


def test_progress_bar_on_error_does_not_claim_completion():
    out = io.StringIO()
    with pytest.raises(ZeroDivisionError), ProgressBar(out=out, dt=0.01):
        raise ZeroDivisionError
    assert "100%" not in out.getvalue()


def test_compute_progress_keyword(capsys):
    y = (ox.ones((10, 10), chunks=5) * 3).sum()
    assert y.compute(progress=True) == 300
    assert "100% Completed" in capsys.readouterr().out
    a, b = ox.compute(y, y + 1, progress=True)
    assert (a, b) == (300, 301)
    assert "100% Completed" in capsys.readouterr().out


def test_progress_bar_bad_dt():
    with pytest.raises(ValueError):
        ProgressBar(dt=0)


def test_profiler_times_each_kind_and_peak_memory():
    x = ox.ones((1000, 1000), chunks=(100, 1000))
    y = (x * 2 + 1).sum(axis=1)
    with Profiler() as prof:
        out = y.compute()
    np.testing.assert_array_equal(out, np.full(1000, 3000.0))
    assert prof.results["reduce-chunk"].tasks == 10
    assert all(isinstance(s, KindStats) and s.seconds >= 0 for s in prof.results.values())
    assert sum(s.tasks for s in prof.results.values()) == _core.task_count([y._node])
    assert prof.peak_bytes >= 100 * 1000 * 8  # at least one chunk was held or projected
    assert prof.wall_seconds > 0
    text = prof.summary()
    assert "reduce-chunk" in text and "peak memory" in text
    assert "tasks of" in repr(prof)


def test_profiler_off_records_nothing_and_restarts_clean():
    y = (ox.ones(100, chunks=10) + 1).sum()
    with Profiler() as first:
        y.compute()
    y.compute()  # outside: not recorded anywhere
    with Profiler() as second:
        pass
    assert first.results and second.results == {} and second.peak_bytes == 0


def test_profiler_cannot_be_entered_twice():
    prof = Profiler()
    with prof, pytest.raises(RuntimeError):
        prof.__enter__()
