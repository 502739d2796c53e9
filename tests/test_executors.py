"""Executors (issue 11): the same plans on the local engine and on a Dask cluster, results
bit-identical; the executor contract's errors; ``to_dask_array``; a worker killed mid-compute.

One 2-worker ``LocalCluster`` (processes, 127.0.0.1 only) serves the whole module."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import oxarray as ox
from oxarray import _core
from oxarray.executors import _base

distributed = pytest.importorskip("distributed")

MEMORY = 2 << 30  # each worker's "MEMORY" resource


def _wait_workers(client, n=2, timeout=60):
    """Waits for the nanny to restart a killed worker."""
    deadline = time.monotonic() + timeout
    while len(client.scheduler_info()["workers"]) < n and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, resources={"MEMORY": MEMORY})
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def ray_started():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(params=["local", "dask", "ray"])
def executor(request):
    if request.param == "local":
        return ox.LocalExecutor()
    if request.param == "ray":
        request.getfixturevalue("ray_started")
        return ox.RayExecutor()
    return ox.DaskExecutor(request.getfixturevalue("client"))


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _elementwise():
    x = ox.asarray(_data((60, 40)), chunks=(16, 15))
    return (ox.sin(x) * 2 + x ** 2 - 1) / (ox.abs(x) + 1)


def _reductions():
    x = ox.asarray(_data((60, 40)), chunks=(16, 15))
    return ox.stack([x.sum(axis=0), x.mean(axis=0), x.max(axis=0), ox.argmax(x, axis=0) * 1.0])


def _reduce_all():
    return (ox.asarray(_data((300,)), chunks=17) + 1).sum()


def _rechunk():
    x = ox.asarray(_data((60, 40)), chunks=(16, 15))
    return (x + 1).rechunk((7, 40)).T * 3


def _svd():
    x = ox.random.default_rng(1).standard_normal((4000, 20), chunks=(500, 20))
    return np.linalg.svd(x, compute_uv=False)


def _random():
    rng = ox.random.default_rng(7)
    return rng.standard_normal((1000, 30), chunks=(100, 30)).sum(axis=1)


def _integers():
    return ox.arange(1000, chunks=64).reshape(10, 100) % 7


CASES = {"elementwise": _elementwise, "reductions": _reductions, "reduce_all": _reduce_all,
         "rechunk": _rechunk, "svd": _svd, "random": _random, "integers": _integers}


def _identical(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_result_as_local(case, executor):
    x = CASES[case]()
    _identical(x.compute(executor=executor), x.compute())


def test_several_arrays_share_work(executor):
    x = ox.random.default_rng(3).standard_normal((3000, 10), chunks=(500, 10))
    u, s, vt = ox.compute(*np.linalg.svd(x, full_matrices=False), executor=executor)
    lu, ls, lvt = ox.compute(*np.linalg.svd(x, full_matrices=False))
    for a, b in ((u, lu), (s, ls), (vt, lvt)):
        _identical(a, b)


def test_persist_then_compute(executor):
    x = ox.asarray(_data((50, 30)), chunks=(10, 30))
    y = (x * 2 + 1).persist(executor=executor)
    assert y.chunks == x.chunks
    z = (y.sum(axis=0) - 1).compute(executor=executor)
    _identical(z, (x * 2 + 1).sum(axis=0).compute() - 1)
    _identical(y.compute(), (x * 2 + 1).compute())  # fetched from the cluster, locally
    (p,) = ox.persist(x + 1, executor=executor)
    _identical(p.compute(executor=executor), (x + 1).compute())


def test_zero_dim_and_single_block(executor):
    x = ox.asarray(np.arange(5.0))
    _identical((x * 2).compute(executor=executor), np.arange(5.0) * 2)
    _identical(x.sum().compute(executor=executor), np.float64(10.0))


def test_task_error_keeps_type_and_names_the_chunk(executor):
    x = ox.asarray(np.zeros((4, 2, 2)), chunks=(2, 2, 2))
    y = ox.map_blocks(np.linalg.inv, x, shape=x.shape, dtype=x.dtype, chunks=x.chunks)
    with pytest.raises(np.linalg.LinAlgError) as info:
        y.compute(executor=executor)
    if not isinstance(executor, ox.LocalExecutor):
        assert "oxarray task" in str(info.value)


def test_bad_executor():
    with pytest.raises(TypeError, match="executor"):
        ox.ones(3).compute(executor=object())


def test_program_version_mismatch():
    y = ox.ones(10, chunks=5) + 1
    ex = _base.Export([y._node])
    plan = _base._plan_for(ex.payload)
    task = next(t for t in ex.tasks if t.kind == "task" and not t.deps)
    good = _base.run_task(task.program, task.key, ex.payload)
    _identical(good, np.full(5, 2.0))
    bad = bytearray(task.program)
    bad[4] = _core.task_program_version() + 1
    with pytest.raises(ValueError, match=r"version \d+.*reads version \d+"):
        _core.run_task(bytes(bad), plan, [])
    with pytest.raises(ValueError, match="not an oxarray task program"):
        _core.run_task(b"junk", plan, [])
    other = _base._plan_for(_base.Export([(ox.ones(10, chunks=5) * 3)._node]).payload)
    with pytest.raises(ValueError, match="another plan"):
        _core.run_task(task.program, other, [])


def test_keys_are_deterministic_and_data_is_not_embedded():
    data = _data((100, 10))
    y = ox.asarray(data, chunks=(10, 10)) + 1
    a = _base.Export([y._node])
    b = _base.Export([y._node])
    assert [t.key for t in a.tasks] == [t.key for t in b.tasks]
    z = ox.asarray(data.copy(), chunks=(10, 10))
    assert {t.key for t in _base.Export([z._node]).tasks} <= {t.key for t in a.tasks}
    c = _base.Export([(ox.asarray(data + 1, chunks=(10, 10)) + 1)._node])
    assert {t.key for t in a.tasks}.isdisjoint({t.key for t in c.tasks})
    assert len(a.payload[1]) < data.nbytes / 4  # the blocks travel as data inputs
    assert sum(t.kind == "data" for t in a.tasks) == 10
    assert all(len(t.program) < 64 for t in a.tasks)


@pytest.mark.parametrize("case", sorted(CASES))
def test_keys_are_the_same_for_the_same_expression_built_twice(case):
    """Keys hash what defines a chunk, not the ids of one build: the same code run twice asks
    the cluster for the same keys (and shares what it holds). Another error state is another
    task: under ``raise`` it must fail where the first one warned."""
    first = [t.key for t in _base.Export([CASES[case]()._node]).tasks]
    assert first == [t.key for t in _base.Export([CASES[case]()._node]).tasks]
    with np.errstate(all="raise"):
        raising = [t.key for t in _base.Export([CASES[case]()._node]).tasks]
    if case != "svd":  # np.linalg answers LinAlgError, not errstate (as NumPy's does)
        assert raising != first


def test_to_dask_array(client):
    import dask.array as da

    x = ox.arange(10_000.0, chunks=700).reshape(100, 100)
    d = (x + 1).to_dask_array()
    assert isinstance(d, da.Array)
    assert d.chunks == (x + 1).chunks
    assert d.sum().compute() == (x + 1).sum().compute()
    _identical(d.compute(), (x + 1).compute())
    y = ox.asarray(_data((30, 20)), chunks=(7, 20))
    _identical((y * 2).to_dask_array().compute(), (y * 2).compute())


@pytest.mark.parametrize("source", ["random", "scattered"])
def test_worker_killed_mid_compute(client, source):
    _wait_workers(client)
    if source == "random":
        x = ox.random.default_rng(11).standard_normal((4_000_000,), chunks=100_000)
    else:  # blocks scattered from the client: lost with the worker, scattered again
        x = ox.asarray(_data((4_000_000,), seed=12), chunks=100_000)
    y = ox.exp(ox.sin(x) * ox.cos(x)).reshape(40, 100_000).sum(axis=1)
    expected = y.compute()
    victim = sorted(client.scheduler_info()["workers"])[0]

    def kill():
        time.sleep(0.3)
        try:
            client.run(os._exit, 1, workers=[victim])
        except Exception:  # the worker dies before answering
            pass

    t = threading.Thread(target=kill, daemon=True)
    t.start()
    got = y.compute(executor=ox.DaskExecutor(client))
    t.join(timeout=30)  # client.run may never hear back from the worker it killed
    _identical(got, expected)


def test_file_sources_are_read_by_the_workers(executor, tmp_path):
    # The workers reopen the files by path (the data never travels in the graph).
    a = _data((40, 30))
    ox.asarray(a, chunks=(10, 15)).to_zarr(tmp_path / "a.zarr", chunks=(10, 15))
    np.save(tmp_path / "a.npy", a)
    z = ox.from_zarr(tmp_path / "a.zarr")[5:35] * 2
    n = ox.from_npy(tmp_path / "a.npy", chunks=(8, 30)).sum(axis=0)
    _identical(z.compute(executor=executor), z.compute())
    _identical(n.compute(executor=executor), n.compute())


def test_batches_cover_the_plan_in_a_few_tasks_per_thread():
    y = (ox.full(100_000, 2.0, chunks=100) + 1).sum()
    ex = _base.Export([y._node])
    batches = ex.batches([], threads=2, max_bytes=1 << 40)
    ran = sorted(t for b in batches for t in b.tasks)
    assert ran == list(range(len(ex.tasks)))  # every task once
    cap = -(-len(ex.tasks) // (2 * _base.BATCHES_PER_THREAD))
    assert all(len(b.tasks) <= cap for b in batches)
    assert 2 * _base.BATCHES_PER_THREAD <= len(batches) < len(ex.tasks) / 20
    assert sum(len(b.outputs) for b in batches) < len(ex.tasks) / 20  # subtrees return their combine
    # Keys are deterministic; a byte cap splits batches further.
    again = _base.Export([y._node]).batches([], threads=2, max_bytes=1 << 40)
    assert [b.key for b in again] == [b.key for b in batches]
    small = ex.batches([], threads=2, max_bytes=4 * batches[0].projected_bytes // len(batches[0].tasks))
    assert len(small) > len(batches)
    with pytest.raises(ValueError, match="not an oxarray batch program"):
        _core.run_batch(b"junk", _base._plan_for(ex.payload), [])


def test_ctrl_c_during_cluster_compute(client):
    import _thread

    _wait_workers(client)

    def slow(b):
        time.sleep(0.5)
        return b * 2

    x = ox.asarray(_data((40, 10)), chunks=(1, 10))
    y = ox.map_blocks(slow, x, shape=x.shape, dtype=x.dtype, chunks=x.chunks)
    ex = ox.DaskExecutor(client)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        y.compute(executor=ex)  # 40 × 0.5 s on 2 workers: 10 s
    assert time.monotonic() - t0 < 5
    timer.join()
    # The futures were cancelled: the scheduler forgets the compute's tasks.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        keys = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks))
        if not any(str(k).startswith("oxbatch-") for k in keys):
            break
        time.sleep(0.1)
    assert not any(str(k).startswith("oxbatch-") for k in keys)
    _identical((x[:2] + 1).compute(executor=ex), (x[:2] + 1).compute())  # the client still works


def test_memory_resource(client):
    _wait_workers(client)
    ex = ox.DaskExecutor(client, memory_resource="MEMORY")
    threads, max_bytes = ex._capacity()
    assert threads >= 1 and max_bytes == MEMORY  # a batch never declares more than a worker has
    x = ox.asarray(_data((200, 50)), chunks=(20, 50))
    _identical((x * 2).sum(axis=0).compute(executor=ex), (x * 2).sum(axis=0).compute())
    (p,) = ox.persist(ox.sin(x) + 1, executor=ex)
    pex = _base.Export([p._node])
    held = next(pex.remote_block(t) for t in pex.tasks if t.kind == "callback")[0]
    keys = {f.key for f in held.refs}
    distributed.wait(held.refs)  # the graph reaches the scheduler after persist returns
    restrictions = client.run_on_scheduler(
        lambda dask_scheduler: [dask_scheduler.tasks[k].resource_restrictions for k in keys])
    assert len(restrictions) == 10
    assert all(r and 0 < r["MEMORY"] <= MEMORY for r in restrictions)
    _identical(p.compute(executor=ex), (ox.sin(x) + 1).compute())


def test_memory_resource_too_small_fails_before_submitting(client):
    # Dask would wait forever for a worker with that much of the resource.
    ex = ox.DaskExecutor(client, memory_resource="MEMORY")
    x = ox.ones(2**29, chunks=2**29)  # one 4 GiB chunk against workers of 2 GiB
    with pytest.raises(MemoryError, match="needs .* bytes of 'MEMORY'"):
        (x + 1).compute(executor=ex)
    with pytest.raises(MemoryError, match="more than any worker has"):
        ox.persist(x + 1, executor=ex)
    _identical((ox.ones(10, chunks=5) + 1).compute(executor=ex), np.full(10, 2.0))


def test_ray_memory_too_small_fails_before_submitting(ray_started):
    ex = ox.RayExecutor(declare_memory=True)
    nodes_memory = max(n["Resources"].get("memory", 0) for n in ray_started.nodes())
    x = ox.ones(int(nodes_memory) // 8 + 2**20, chunks=-1)  # one chunk larger than any node
    with ox.config.set(memory_limit=1 << 50):  # not refused by the local planner first
        with pytest.raises(MemoryError, match="more than any Ray node has"):
            (x + 1).compute(executor=ex)
        with pytest.raises(MemoryError, match="more than any Ray node has"):
            ox.persist(x + 1, executor=ex)
    _identical((ox.ones(10, chunks=5) + 1).compute(executor=ex), np.full(10, 2.0))
