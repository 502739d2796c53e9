"""``DaskExecutor``: the optimized plan as a plain ``dask.task_spec`` graph on a Dask
``distributed.Client``, one task per fused chunk program, and ``to_dask_array``.

Every task calls the same Rust kernels on NumPy chunks in the worker
(``oxarray.executors._base.run_task``); the graph's in-memory blocks are scattered once; the
output blocks are gathered to the client one by one as they complete and assembled there, so no
worker holds a whole result. Keys are hashes of what defines each chunk, so two arrays computed
together share their common tasks and a task lost with a worker is recomputed to the same value.

Security: the workers unpickle and run what the client sends. Listen on trusted networks only,
and use TLS with a ``distributed.security.Security`` (``Client(..., security=...)``) in real
deployments.
"""

from __future__ import annotations

import uuid

from ._base import Export, assemble, persisted_array, run_task


def _dask():
    try:
        from dask.task_spec import Alias, DataNode, Task, TaskRef
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("DaskExecutor and to_dask_array need dask>=2024.12 "
                          "(pip install 'dask[distributed]')") from e
    return Alias, DataNode, Task, TaskRef


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

    def __init__(self, client=None, *, memory_resource: str | None = None, retries: int | None = None):
        if client is None:
            from distributed import get_client

            client = get_client()
        self.client = client
        self.memory_resource = memory_resource
        self.retries = retries

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
                kwargs["resources"] = {t.key: {self.memory_resource: t.projected_bytes}
                                       for t in ex.tasks if t.key in dsk}
            if self.retries is not None:
                kwargs["retries"] = self.retries
            got = self.client.get(dsk, to_run, sync=False, **kwargs)
            futures.update(zip(to_run, got, strict=True))
        return ex, futures

    def compute(self, nodes) -> list:
        from distributed import as_completed

        ex, futures = self._submit(nodes)
        wanted = list(dict.fromkeys(k for keys in ex.outputs for k in keys))
        ours = {}  # a future's key -> the plan's keys it computes (persisted blocks differ)
        for k in wanted:
            ours.setdefault(futures[k].key, []).append(k)
        pending = list({futures[k].key: futures[k] for k in wanted}.values())
        blocks = {}
        try:
            for f in as_completed(pending):
                value = f.result()  # raises the task's own exception
                for k in ours[f.key]:
                    blocks[k] = value
        except BaseException:
            for f in pending:
                f.cancel()
            raise
        return [assemble(node, [blocks[k] for k in keys])
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]

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
