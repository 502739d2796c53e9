"""Sizes and chunk counts a hostile (or unlucky) user can ask for: refused at the call with NumPy's
errors, or planned and computed in time and memory linear in the number of chunks; Ctrl-C stops a
large task from inside its kernel. Every case that could abort runs in a child process, so an abort
is a failure here, not a dead test run. Times are compared as ratios, never against a clock."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import oxarray as ox


def run_child(code: str, timeout: float = 120) -> dict:
    """Runs ``code`` in a fresh interpreter; it prints one JSON line, which is returned."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"child died ({proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_too_many_chunks_is_refused_at_the_call_naming_the_limit():
    for make in (lambda: ox.zeros(10**7, chunks=1), lambda: ox.asarray(np.zeros(10**7), chunks=1),
                 lambda: ox.ones((10**4, 10**4), chunks=(1, 10))):
        with pytest.raises(ValueError, match=f"limit of {2**21} blocks"):
            make()


def test_huge_lazy_arrays_get_huge_chunks_not_huge_plans():
    # Automatic chunks grow rather than cut 4 EiB into billions of blocks; computing it is NumPy's
    # MemoryError (checked in a child below), building it is instant.
    x = ox.zeros(2**62, dtype=np.int8)
    assert x.npartitions <= 2**21
    assert repr(x).startswith("oxarray.Array<shape=(4611686018427387904,)")
    out = run_child("""
        import json, oxarray as ox, numpy as np
        try:
            ox.zeros(2**62, dtype=np.int8).compute()
            print(json.dumps({"error": None}))
        except BaseException as e:
            print(json.dumps({"error": type(e).__name__}))
    """)
    assert out["error"] == "MemoryError"


@pytest.mark.parametrize("make", [
    lambda m: m.ones((0, 2**62)),
    lambda m: m.zeros((2**31, 2**31, 4)),
    lambda m: m.empty(2**61),
    lambda m: m.ones((0, 2**63)),
    lambda m: m.zeros(4).reshape(2**32, 2**32),
    lambda m: m.zeros(4).reshape(2**62, 4),
])
def test_impossible_sizes_are_numpys_value_error_at_the_call(make):
    with pytest.raises(ValueError) as np_err:
        make(np)
    with pytest.raises(ValueError) as ox_err:
        make(ox)
    assert str(np_err.value).split()[:2] == str(ox_err.value).split()[:2]


def test_random_of_an_impossible_size_is_refused_at_the_call():
    rng = ox.random.default_rng(0)
    for size in (2**62, (2**40, 2**40)):
        with pytest.raises(ValueError, match="array is too big"):
            rng.random(size=size)


def test_empty_arrays_with_huge_sides_are_one_chunk():
    x = ox.zeros((2**40, 0, 3))
    assert x.npartitions == 1
    assert x.compute().shape == (2**40, 0, 3)
    assert float(x.sum()) == 0.0


def test_empty_chunks_are_accepted_as_dask_takes_them():
    a = np.arange(12.0).reshape(3, 4)
    x = ox.asarray(a, chunks=((0, 3), (4,)))
    assert x.chunks == ((3,), (4,))
    np.testing.assert_array_equal(x.compute(), a)
    y = ox.asarray(a, chunks=((1, 0, 2), (2, 0, 2)))
    assert y.chunks == ((1, 2), (2, 2))
    np.testing.assert_array_equal((y + 1).compute(), a + 1)
    with pytest.raises(ValueError, match="do not add up"):
        ox.asarray(a, chunks=((1, 1), (4,)))


def test_plan_and_compute_are_linear_in_the_chunk_count():
    # (x + 1).sum() over 2**16 and 2**19 chunks: 8x the chunks must cost about 8x (quadratic
    # would be 64x). Build+plan+compute time and peak memory, each measured in its own child.
    code = """
        import json, resource, time, oxarray as ox
        n = {n}
        t = time.perf_counter()
        x = ox.zeros(n, chunks=1)
        s = float((x + 1).sum())
        dt = time.perf_counter() - t
        assert s == n, s
        print(json.dumps({{"t": dt, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
    """
    small = run_child(code.format(n=2**16))
    large = run_child(code.format(n=2**19))
    assert large["t"] / small["t"] < 24, (small, large)
    # Peak RSS includes the interpreter and NumPy (~60 MB): compare what the plan added.
    base = run_child("""
        import json, resource, oxarray as ox
        print(json.dumps({"rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    """)
    grew_small = max(small["rss"] - base["rss"], 1024)
    grew_large = large["rss"] - base["rss"]
    assert grew_large / grew_small < 24, (base, small, large)


def test_ctrl_c_stops_a_large_task_from_inside_its_kernel():
    # One 512 MiB chunk: before, the kernel ran to its end (0.7 s) before Ctrl-C was seen. The
    # child times the same compute uninterrupted, then interrupts it a little after it starts.
    # The timed run is the second: the first also maps the block (page faults), 5x slower.
    out = run_child("""
        import json, os, signal, threading, time, oxarray as ox
        x = ox.random.default_rng(0).random(2**26, chunks=2**26)
        y = ((x * 3.0 + 1.0) * x).sum()
        float(y)
        t = time.perf_counter(); float(y); full = time.perf_counter() - t
        sent = {}
        def interrupt():
            time.sleep(full / 4)
            sent["t"] = time.perf_counter()
            os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=interrupt).start()
        try:
            float(y)
            print(json.dumps({"interrupted": False, "full": full}))
        except KeyboardInterrupt:
            latency = time.perf_counter() - sent["t"]
            print(json.dumps({"interrupted": True, "latency": latency, "full": full}))
    """)
    assert out["interrupted"], out
    assert out["latency"] < out["full"] / 2, out


def test_plans_whose_tasks_would_read_too_many_blocks_are_refused_at_the_call():
    a = ox.zeros((1024, 1024), chunks=(1, 1))
    with pytest.raises(ValueError, match="matmul: the plan would read"):
        a @ a
    rows = ox.zeros((16384, 16384), chunks=(1, 16384))
    with pytest.raises(ValueError, match="rechunk: the plan would read"):
        rows.rechunk((16384, 1))
    # Well within the limit: planned as before.
    b = ox.zeros((64, 64), chunks=(8, 8))
    np.testing.assert_array_equal((b @ b).compute(), np.zeros((64, 64)))
