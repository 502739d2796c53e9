"""``RayExecutor``: the optimized plan as Ray remote tasks on public Ray Core (``ray.remote``,
ObjectRefs as top-level arguments, ``max_retries``, ``memory=``), one per fused chunk program.

The plan's graph is put in the object store once; in-memory blocks are ``ray.put`` once; each
task's dependencies are passed as top-level ObjectRefs, so Ray resolves them on the worker and
rebuilds lost objects from lineage. Output blocks are fetched to the client one by one.
"""

from __future__ import annotations

from ._base import Export, assemble, persisted_array, run_task


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("RayExecutor needs ray (pip install ray)") from e
    return ray


def _fetch_ref(ref):
    return _ray().get(ref)


_REMOTE = {}


def _remote(ray):
    if "run" not in _REMOTE:
        _REMOTE["run"] = ray.remote(run_task)
    return _REMOTE["run"]


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
        ex, refs = self._submit(nodes)
        wanted = list(dict.fromkeys(k for keys in ex.outputs for k in keys))
        pending = {refs[k]: k for k in wanted}
        blocks = {}
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                for r in done:
                    blocks[pending.pop(r)] = ray.get(r)  # raises the task's own exception
        except BaseException:
            for r in pending:
                ray.cancel(r)
            raise
        return [assemble(node, [blocks[k] for k in keys])
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]

    def persist(self, nodes) -> list:
        ex, refs = self._submit(nodes)
        return [persisted_array([refs[k] for k in keys], node, _fetch_ref)
                for node, keys in zip(ex.nodes, ex.outputs, strict=True)]
