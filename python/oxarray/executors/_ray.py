"""``RayExecutor``: the optimized plan as Ray remote tasks on public Ray Core (``ray.remote``,
ObjectRefs as top-level arguments, ``max_retries``, ``memory=``).

``compute`` runs the fused chunk programs in batches (``_base.BatchGraph``, a few per CPU of the
cluster), ``persist`` one task per fused chunk program so each persisted block is an ObjectRef of
its own. Blocks ``ray.put`` by the driver are owned by it and survive a worker's death.

The plan's graph is put in the object store once; in-memory blocks are ``ray.put`` once; each
task's dependencies are passed as top-level ObjectRefs, so Ray resolves them on the worker and
rebuilds lost objects from lineage. Output blocks are fetched to the client one by one.
"""

from __future__ import annotations

from ._base import BatchGraph, Export, assemble, persisted_array, refuse_oversized, run_batch, run_task


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("RayExecutor needs ray (pip install ray)") from e
    return ray


def _fetch_ref(ref):
    return _ray().get(ref)


_REMOTE = {}


def _remote(ray, f=run_task):
    if f not in _REMOTE:
        _REMOTE[f] = ray.remote(f)
    return _REMOTE[f]


def _check_fits(ray, projected: dict) -> None:
    """A ``MemoryError`` naming the task when no live node has the ``memory`` it declares: Ray
    would keep such a task pending forever, waiting for an autoscaler."""
    largest = max((n["Resources"].get("memory", 0) for n in ray.nodes() if n.get("Alive")), default=0)
    refuse_oversized(projected, largest, "memory", "Ray node")


class RayExecutor:
    """Runs plans on the Ray cluster this process is connected to (``ray.init()`` first).

    ``max_retries`` (default 3) is Ray's, per task; ``declare_memory=True`` passes each task's
    projected bytes as its ``memory=`` requirement, so Ray's scheduler never overcommits."""

    def __init__(self, *, max_retries: int = 3, declare_memory: bool = False):
        self.max_retries = max_retries
        self.declare_memory = declare_memory

    def __repr__(self) -> str:
        return "RayExecutor()"

    def _submit(self, nodes):
        ray = _ray()
        run = _remote(ray)
        ex = Export(nodes)
        if self.declare_memory:
            _check_fits(ray, {t.key: t.projected_bytes for t in ex.tasks if t.kind != "data"})
        payload = ray.put(ex.payload)
        refs = {}
        for t in ex.tasks:
            if t.key in refs:
                continue
            if t.kind == "data":
                refs[t.key] = ray.put(ex.literal(t))
                continue
            if t.kind == "callback":
                remote = ex.remote_block(t)
                if remote is not None and remote[0].fetch is _fetch_ref:
                    refs[t.key] = remote[0].ref(remote[1])
                    continue
            opts = {"max_retries": self.max_retries}
            if self.declare_memory and t.projected_bytes:
                opts["memory"] = t.projected_bytes
            refs[t.key] = run.options(**opts).remote(t.program, t.key, payload,
                                                    *[refs[d] for d in t.deps])
        return ex, refs

    def compute(self, nodes) -> list:
        ray = _ray()
        run = _remote(ray, run_batch)
        ex = Export(nodes)
        payload = ray.put(ex.payload)
        held = {}
        for t in ex.tasks:
            if t.key in held:
                continue
            if t.kind == "data":
                held[t.key] = ray.put(ex.literal(t))
            elif t.kind == "callback":
                remote = ex.remote_block(t)
                if remote is not None and remote[0].fetch is _fetch_ref:
                    held[t.key] = remote[0].ref(remote[1])
        res = ray.cluster_resources()
        threads = max(1, int(res.get("CPU", 1)))
        max_bytes = res.get("memory", 0) / threads / 4 or 1 << 62
        bg = BatchGraph(ex, held, threads, max_bytes)
        if self.declare_memory:
            _check_fits(ray, {b.key: b.projected_bytes for b in bg.batches})
        refs = []
        for b, batch in enumerate(bg.batches):  # producers come first
            program, keys, picks, *args = bg.call(b, held, refs.__getitem__)
            opts = {"max_retries": self.max_retries}
            if self.declare_memory and batch.projected_bytes:
                opts["memory"] = batch.projected_bytes
            refs.append(run.options(**opts).remote(program, keys, picks, payload, *args))
        wanted = list(dict.fromkeys(k for keys in ex.outputs for k in keys))
        readers = {}  # an object ref -> [(plan key, position)]
        for k in wanted:
            p = bg.output(k)
            ref, pos = (held[k], -1) if p is None else (refs[p[0]], p[1])
            readers.setdefault(ref, []).append((k, pos))
        pending = set(readers)
        blocks = {}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for r in done:
                    pending.discard(r)
                    value = ray.get(r)  # raises the task's own exception
                    for k, pos in readers[r]:
                        blocks[k] = value if pos < 0 else value[pos]
        except BaseException:
            for r in pending:
                try:
                    ray.cancel(r)
                except Exception:  # noqa: S110 - a block ray.put by the driver is no task
                    pass
            raise
        return [assemble(node, [blocks[k] for k in keys])
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]

    def persist(self, nodes) -> list:
        ex, refs = self._submit(nodes)
        return [persisted_array([refs[k] for k in keys], node, _fetch_ref)
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]
