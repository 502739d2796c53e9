"""``DaskExecutor``: the optimized plan as a plain ``dask.task_spec`` graph on a Dask
``distributed.Client``, and ``to_dask_array``.

``compute`` runs the fused chunk programs in *batches* (``_base.BatchGraph``): a few Dask tasks
per worker thread, each running its chunk programs in one call with the GIL released and
returning only the values read outside it, so the scheduler's per-task cost is paid per batch
rather than per chunk. ``persist`` keeps one task per fused chunk program, so each persisted
block is a Future of its own (addressable, released and rebuilt from lineage per block), and
``to_dask_array`` too, so each chunk is a key of the dask array.

Every task calls the same Rust kernels on NumPy chunks in the worker; the graph's in-memory
blocks are scattered once; the output blocks are gathered to the client as their batches
complete and assembled there, so no worker holds a whole result. Keys are hashes of what
defines each chunk (a batch's key, of its chunks' keys), so two arrays computed together share
their common tasks and a task lost with a worker is recomputed to the same value.

Scattered blocks have no lineage: when a worker holding one dies, Dask forgets the block and
cancels what reads it. The client still holds the data, so ``compute`` then scatters the blocks
again and resubmits what is missing (at most ``rescatters`` times). We chose this over
``scatter(broadcast=True)``: replicas multiply the data's memory by the number of workers, the
very data that outgrows one machine, and still fail once every holder is gone.

Security: the workers unpickle and run what the client sends. Listen on trusted networks only,
and use TLS with a ``distributed.security.Security`` (``Client(..., security=...)``) in real
deployments.
"""

from __future__ import annotations

import uuid

from ._base import BatchGraph, Export, assemble, persisted_array, refuse_oversized, run_batch, run_task


def _dask():
    try:
        from dask.task_spec import Alias, DataNode, Task, TaskRef
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("DaskExecutor and to_dask_array need dask>=2024.12 "
                          "(pip install 'dask[distributed]')") from e
    return Alias, DataNode, Task, TaskRef


def _per_key(resources: dict):
    """``resources=`` for ``Client.get``, one restriction per key. Dask applies a dict given
    there to *every* task (a task asking for resources named after our keys, which no worker
    has, waits forever); a callable is called with each key on the scheduler instead. A bound
    method of a stdlib ``defaultdict`` unpickles on a scheduler without oxarray, and gives the
    keys left out (the plan's data node) no restriction."""
    from collections import defaultdict

    return defaultdict(dict, resources).__getitem__


def _fetch_future(f):
    return f.result()


def _graph(ex: Export, refs: dict) -> dict:
    """The tasks of ``ex`` as ``{key: Task}``; ``refs`` maps keys held elsewhere (scattered
    data, persisted blocks) to their futures and gains the persisted blocks it finds."""
    _, DataNode, Task, TaskRef = _dask()
    dsk = {ex.plan_key: DataNode(ex.plan_key, ex.payload)}
    plan_ref = TaskRef(ex.plan_key)
    for t in ex.tasks:
        if t.key in refs or t.key in dsk:
            continue
        if t.kind == "data":
            dsk[t.key] = DataNode(t.key, ex.literal(t))
            continue
        if t.kind == "callback":
            remote = ex.remote_block(t)
            if remote is not None and remote[0].fetch is _fetch_future:
                refs[t.key] = remote[0].ref(remote[1])
                continue
        args = [refs.get(d) or TaskRef(d) for d in t.deps]
        dsk[t.key] = Task(t.key, run_task, t.program, t.key, plan_ref, *args)
    return dsk


class DaskExecutor:
    """Runs plans on a Dask cluster through ``client`` (default: ``distributed.get_client()``).

    >>> from dask.distributed import Client, LocalCluster            # doctest: +SKIP
    >>> client = Client(LocalCluster(n_workers=2, host="127.0.0.1"))  # doctest: +SKIP
    >>> (ox.ones(10**6, chunks=10**5) + 1).sum().compute(executor=ox.DaskExecutor(client))  # doctest: +SKIP

    ``memory_resource="MEMORY"`` declares each task's projected bytes as that worker resource
    (start the workers with ``--resources MEMORY=<bytes>``), so Dask never packs more work on a
    worker than it can hold. ``retries`` is passed to Dask.
    """

    def __init__(self, client=None, *, memory_resource: str | None = None, retries: int | None = None,
                 rescatters: int = 3):
        if client is None:
            from distributed import get_client

            client = get_client()
        self.client = client
        self.memory_resource = memory_resource
        self.retries = retries
        self.rescatters = rescatters

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r})"

    def _submit(self, nodes):
        """Exports the plan, scatters its data, submits its tasks; ``(export, {key: future})``."""
        ex = Export(nodes)
        refs = {}
        data = {t.key: ex.literal(t) for t in ex.tasks if t.kind == "data"}
        if data:
            # Scattered under a key of this submission: a block released by an earlier compute
            # may still be on its way out under its content key.
            tag = uuid.uuid4().hex[:12]
            scattered = self.client.scatter({f"{k}-{tag}": v for k, v in data.items()}, hash=False)
            refs.update({k: scattered[f"{k}-{tag}"] for k in data})
        dsk = _graph(ex, refs)
        for t in ex.tasks:  # the data blocks were scattered: not graph nodes
            if t.kind == "data":
                dsk.pop(t.key, None)
        wanted = list(dict.fromkeys(k for keys in ex.outputs for k in keys))
        to_run = [k for k in wanted if k not in refs]
        futures = dict(refs)
        if to_run:
            kwargs = {}
            if self.memory_resource:
                kwargs["resources"] = self._declare({t.key: t.projected_bytes
                                                     for t in ex.tasks if t.key in dsk})
            if self.retries is not None:
                kwargs["retries"] = self.retries
            got = self.client.get(dsk, to_run, sync=False, **kwargs)
            futures.update(zip(to_run, got, strict=True))
        return ex, futures

    def _scatter(self, ex: Export) -> dict:
        """The plan's data blocks scattered: ``{task key: future}``."""
        data = {t.key: ex.literal(t) for t in ex.tasks if t.kind == "data"}
        if not data:
            return {}
        # Scattered under a key of this submission: a block released by an earlier compute may
        # still be on its way out under its content key.
        tag = uuid.uuid4().hex[:12]
        scattered = self.client.scatter({f"{k}-{tag}": v for k, v in data.items()}, hash=False)
        return {k: scattered[f"{k}-{tag}"] for k in data}

    def _declare(self, projected: dict):
        """``resources=`` declaring each key's projected bytes as ``memory_resource``; a
        ``MemoryError`` naming the task, before anything is submitted, when no worker has that
        much (Dask would wait forever for a worker that can take it)."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        largest = max(((w.get("resources") or {}).get(self.memory_resource, 0) for w in workers),
                      default=0)
        refuse_oversized(projected, largest, repr(self.memory_resource), "worker")
        return _per_key({k: {self.memory_resource: n} for k, n in projected.items()})

    def _capacity(self):
        """``(threads, bytes one batch may hold)`` of the cluster: a quarter of a worker
        thread's share of its memory limit (or of its ``memory_resource``)."""
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        threads = sum(w.get("nthreads", 1) for w in workers) or 1
        per_thread = []
        for w in workers:
            n = max(1, w.get("nthreads", 1))
            if self.memory_resource:
                r = (w.get("resources") or {}).get(self.memory_resource)
                if r:
                    per_thread.append(r)  # a batch declares its bytes: it must fit the worker
                    continue
            if w.get("memory_limit"):
                per_thread.append(w["memory_limit"] / n / 4)
        return threads, int(min(per_thread, default=1 << 62))

    def _submit_batches(self, ex: Export, held: dict, wanted_keys):
        """Submits the batches holding ``wanted_keys`` (and what they read): ``{key: (future,
        position)}`` for each wanted key in a batch."""
        _, DataNode, Task, TaskRef = _dask()
        threads, max_bytes = self._capacity()
        bg = BatchGraph(ex, held, threads, max_bytes)
        plan_ref = TaskRef(ex.plan_key)
        dsk = {ex.plan_key: DataNode(ex.plan_key, ex.payload)}
        for b, batch in enumerate(bg.batches):
            program, keys, picks, *args = bg.call(b, held, lambda i: TaskRef(bg.batches[i].key))
            dsk[batch.key] = Task(batch.key, run_batch, program, keys, picks, plan_ref, *args)
        places = {k: bg.output(k) for k in wanted_keys}
        to_run = list(dict.fromkeys(bg.batches[p[0]].key for p in places.values() if p is not None))
        kwargs = {}
        if self.memory_resource:
            kwargs["resources"] = self._declare({b.key: b.projected_bytes for b in bg.batches})
        if self.retries is not None:
            kwargs["retries"] = self.retries
        got = self.client.get(dsk, to_run, sync=False, **kwargs) if to_run else []
        futures: dict = dict(zip(to_run, got, strict=True))
        out = {}
        for k, p in places.items():
            if p is None:
                f = held[k]
                out[k] = (f, -1)
            else:
                out[k] = (futures[bg.batches[p[0]].key], p[1])
        return out

    def compute(self, nodes) -> list:
        from distributed import as_completed

        ex = Export(nodes)
        wanted = list(dict.fromkeys(k for keys in ex.outputs for k in keys))
        blocks = {}
        for attempt in range(self.rescatters + 1):
            try:
                scattered = self._scatter(ex)
            except (OSError, TimeoutError):  # a worker died while it received blocks
                if attempt == self.rescatters:
                    raise
                continue
            held = dict(scattered)
            for t in ex.tasks:
                if t.kind == "callback" and t.key not in held:
                    remote = ex.remote_block(t)
                    if remote is not None and remote[0].fetch is _fetch_future:
                        held[t.key] = remote[0].ref(remote[1])
            missing = [k for k in wanted if k not in blocks]
            places = self._submit_batches(ex, held, missing)
            readers = {}  # a future's key -> [(plan key, position)]
            for k, (f, p) in places.items():
                readers.setdefault(f.key, []).append((k, p))
            pending = list({f.key: f for f, _ in places.values()}.values())
            try:
                for f in as_completed(pending):
                    value = f.result()  # raises the task's own exception
                    for k, p in readers[f.key]:
                        blocks[k] = value if p < 0 else value[p]
                break
            except BaseException as e:
                for f in pending:
                    f.cancel()
                if attempt < self.rescatters and self._lost(e, scattered):
                    continue  # a worker died with scattered blocks: scatter them again
                raise
            finally:
                del pending, places
        return [assemble(node, [blocks[k] for k in keys])
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]

    @staticmethod
    def _lost(e: BaseException, scattered: dict) -> bool:
        """Whether ``e`` is Dask cancelling tasks because a scattered block was lost."""
        from concurrent.futures import CancelledError

        if not isinstance(e, CancelledError):
            return False
        return any(f.status != "finished" for f in scattered.values())

    def persist(self, nodes) -> list:
        ex, futures = self._submit(nodes)
        return [persisted_array([futures[k] for k in keys], node, _fetch_future)
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]


def to_dask_array(x):
    """``x`` as a ``dask.array.Array`` whose chunks are oxarray's fused tasks (a copy of the
    plan: nothing is computed). Its in-memory blocks travel in the graph."""
    import dask.array as da
    import numpy as np
    from dask.highlevelgraph import HighLevelGraph

    Alias, _, _, _ = _dask()
    node = x._node
    ex = Export([node])
    dsk = _graph(ex, {})
    name = f"oxarray-{ex.token:016x}"
    grid = [len(c) for c in node.chunks]
    for b, key in enumerate(ex.outputs[0]):
        idx = np.unravel_index(b, grid) if grid else ()
        out = (name, *(int(i) for i in idx))
        dsk[out] = Alias(out, key)
    hlg = HighLevelGraph.from_collections(name, dsk, dependencies=())
    dtype = np.dtype(node.dtype)
    return da.Array(hlg, name, chunks=tuple(tuple(c) for c in node.chunks), dtype=dtype,
                    meta=np.empty((0,) * len(node.shape), dtype=dtype))
