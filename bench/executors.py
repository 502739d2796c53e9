"""oxarray's DaskExecutor against dask.array on the same 2-worker LocalCluster (issue 11).

1. Per-task overhead: ``(x + 1).sum()`` over 1000 chunks of 1000 elements (the work per chunk
   is negligible, so the time per chunk is the overhead per task).
2. The tall SVD: singular values of a 200000×200 random matrix in chunks of 10000 rows.
3. Worker killed mid-compute, ``--kills N`` times: the result must be bit-identical to the local
   one every time.
4. What a worker pays to take in its inputs: one task run as a worker runs it (``run_task`` on
   a 128 MB NumPy input), beside a plain NumPy copy of that input. A task's inputs are copied
   into engine-owned blocks (a ``Chunk`` owns its buffer), so for memory-bound programs the
   copy is most of the task; outputs go back to NumPy without a copy.

    python bench/executors.py [--repeat 3] [--kills 10] [--only overhead|svd|kills|inputs]

Prints median times, the load average beside them, and ratios; asserts nothing about time.
DaskExecutor runs the chunk programs in batches (a few Dask tasks per worker thread), dask.array
one Dask task per chunk (its blockwise fusion makes ``full``, ``+ 1`` and the chunk's ``sum`` one
task): the per-chunk time is what each pays per chunk on the same cluster.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from functools import partial

import numpy as np

import oxarray as ox


def best(make, repeat):
    """The median time of ``repeat`` computes, each of a fresh graph from ``make(i)`` (other
    values, other keys: the cluster cannot answer from results it still holds)."""
    times = []
    for i in range(repeat):
        run = make(i)
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def load():
    a, b, c = os.getloadavg()
    return f"load {a:.1f} {b:.1f} {c:.1f}"


def overhead(client, repeat):
    import dask.array as da

    n, c = 1_000_000, 1000
    ex = ox.DaskExecutor(client)
    assert (ox.ones(n, chunks=c) + 1).sum().compute(executor=ex) == (da.ones(n, chunks=c) + 1).sum().compute()
    t_ox = best(lambda i: partial((ox.full(n, i + 2.0, chunks=c) + 1).sum().compute, executor=ex),
                repeat)
    t_da = best(lambda i: (da.full(n, i + 2.0, chunks=c) + 1).sum().compute, repeat)
    t_local = best(lambda i: (ox.full(n, i + 2.0, chunks=c) + 1).sum().compute, repeat)
    chunks = n // c
    print(f"per-task overhead, (x + 1).sum() over {chunks} chunks ({load()}):")
    print(f"  oxarray DaskExecutor {t_ox:7.3f} s  ({t_ox / chunks * 1e6:6.0f} us per chunk)")
    print(f"  dask.array           {t_da:7.3f} s  ({t_da / chunks * 1e6:6.0f} us per chunk)")
    print(f"  oxarray local        {t_local:7.3f} s  ({t_local / chunks * 1e6:6.0f} us per chunk)")
    print(f"  overhead ratio oxarray DaskExecutor / dask.array = {t_ox / t_da:.3f}")


def tall_svd(client, repeat):
    import dask.array as da

    shape, chunks = (200_000, 200), (10_000, 200)
    ex = ox.DaskExecutor(client)
    def s_ox(i):
        return np.linalg.svd(ox.random.default_rng(i).standard_normal(shape, chunks=chunks),
                             compute_uv=False)

    def s_da(i):
        return da.linalg.svd(da.random.default_rng(i).standard_normal(shape, chunks=chunks))[1]

    t_ox = best(lambda i: partial(s_ox(i).compute, executor=ex), repeat)
    t_da = best(lambda i: s_da(i).compute, repeat)
    t_local = best(lambda i: s_ox(i).compute, repeat)
    print(f"tall SVD {shape[0]}x{shape[1]} in chunks of {chunks[0]} rows (singular values, "
          f"{load()}):")
    print(f"  oxarray DaskExecutor {t_ox:7.3f} s")
    print(f"  dask.array           {t_da:7.3f} s")
    print(f"  oxarray local        {t_local:7.3f} s")
    print(f"  dask.array / oxarray DaskExecutor = {t_da / t_ox:.2f}x")


def worker_kills(client, kills):
    """Alternately a random source (recomputed from lineage) and blocks scattered from the client
    (scattered again when lost)."""
    x = ox.random.default_rng(11).standard_normal((4_000_000,), chunks=100_000)
    ys = [ox.exp(ox.sin(s) * ox.cos(s)).reshape(40, 100_000).sum(axis=1)
          for s in (x, ox.asarray(np.random.default_rng(12).standard_normal(4_000_000), chunks=100_000))]
    expecteds = [y.compute() for y in ys]
    same = 0
    for i in range(kills):
        y, expected = ys[i % 2], expecteds[i % 2]
        deadline = time.monotonic() + 60  # the nanny restarts the worker killed last time
        while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = sorted(client.scheduler_info()["workers"])
        victim = workers[i % len(workers)]

        def kill(victim=victim):
            time.sleep(0.3)
            try:
                client.run(os._exit, 1, workers=[victim])
            except Exception:
                pass

        t = threading.Thread(target=kill, daemon=True)
        t.start()
        got = y.compute(executor=ox.DaskExecutor(client))
        t.join(timeout=30)  # client.run may never hear back from the worker it killed
        same += got.tobytes() == expected.tobytes()
    print(f"worker killed mid-compute: {same} of {kills} results bit-identical to the local one")


def worker_inputs(repeat):
    """``run_task`` on one 128 MB input, beside a NumPy copy of it (no cluster needed)."""
    from oxarray import _core
    from oxarray.executors import _base

    n = 16_000_000
    data = np.random.default_rng(0).standard_normal(n)
    copy = best(lambda i: data.copy, max(repeat, 7))
    print(f"worker inputs, one task on a {data.nbytes >> 20} MiB input ({load()}):")
    for text in ("x * 2 + 1", "x.sum()"):
        y = eval(text, {"x": ox.asarray(data, chunks=n)})
        ex = _base.Export([y._node])
        plan = _base._plan_for(ex.payload)
        task = next(t for t in ex.tasks if t.kind == "task")
        run = partial(_core.run_task, task.program, plan, [data])
        t = best(lambda i, run=run: run, max(repeat, 7))
        print(f"  {text:10} run_task {t * 1e3:6.1f} ms; a NumPy copy of the input {copy * 1e3:6.1f} ms"
              f" ({copy / t:.0%} of the task)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--kills", type=int, default=10)
    p.add_argument("--only", choices=["overhead", "svd", "kills", "inputs"])
    a = p.parse_args()
    if a.only in (None, "inputs"):
        worker_inputs(a.repeat)
    if a.only == "inputs":
        return
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        if a.only in (None, "overhead"):
            overhead(client, a.repeat)
        if a.only in (None, "svd"):
            tall_svd(client, a.repeat)
        if a.kills and a.only in (None, "kills"):
            worker_kills(client, a.kills)


if __name__ == "__main__":
    main()
