"""What every executor shares: the local executor, the export of a plan on the client, the
worker-side run of one task, and the assembly of computed blocks on the client.

The executor contract itself is Rust (``crates/oxarray-graph/src/exec/export.rs``): a plan is a
list of tasks, each with a deterministic key, a small versioned program, its dependencies' keys
and its projected bytes. The plan's graph (without its in-memory blocks, which are data inputs)
travels once per compute; each worker plans it once and keeps the plan for its tasks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from .. import _core, _errstate
from .._pickle import _dump_callables, _load_callables

# Plans loaded in this (worker) process, newest last.
_PLANS: OrderedDict = OrderedDict()
_PLANS_LOCK = threading.Lock()
_PLANS_KEPT = 8


class LocalExecutor:
    """Today's engine: the memory-bounded scheduler of this process, all cores (the default)."""

    def compute(self, nodes) -> list:
        from .._array import compute_nodes

        return compute_nodes(nodes)

    def persist(self, nodes) -> list:
        from .._array import Array

        return [Array(n) for n in _core.persist(nodes)]

    def __repr__(self) -> str:
        return "LocalExecutor()"


_LOCAL = LocalExecutor()


def resolve(executor):
    """The executor to use: ``None`` is the local one."""
    if executor is None:
        return _LOCAL
    if not (hasattr(executor, "compute") and hasattr(executor, "persist")):
        raise TypeError(f"executor must be an oxarray executor (e.g. ox.DaskExecutor(client)), "
                        f"got {type(executor).__name__}")
    return executor


@dataclass
class Task:
    """One task of an exported plan."""

    index: int
    key: str
    kind: str  # "data", "callback" or "task"
    program: bytes
    deps: list
    projected_bytes: int


@dataclass
class Batch:
    """Tasks of an exported plan run as one engine task (``exec/export/batch.rs``): ``tasks``,
    ``inputs`` (the tasks outside it they read) and ``outputs`` (what it returns, a tuple) are
    task indices in plan order."""

    key: str
    program: bytes
    tasks: list
    inputs: list
    outputs: list
    projected_bytes: int


# Batches per engine thread: enough to balance the load and to lose little with a worker, few
# enough that the engine's per-task cost is paid rarely.
BATCHES_PER_THREAD = 4


class Export:
    """A plan exported on the client: its tasks, the payload every worker plans from, and the
    key of each output block."""

    def __init__(self, nodes):
        plan, data, callables, sites = _core.export_plan(list(nodes))
        self.plan = plan
        self.token = plan.token
        self.payload = (plan.token, data, _dump_callables(callables), _errstate.export_sites(sites))
        self.tasks = [Task(i, *row) for i, row in enumerate(plan.tasks())]
        self.outputs = plan.outputs()
        self.nodes = list(nodes)

    @property
    def plan_key(self) -> str:
        return f"oxarray-plan-{self.token:016x}"

    def batches(self, excluded, threads: int, max_bytes: int) -> list:
        """The plan's tasks but ``excluded`` (indices) in batches: about ``BATCHES_PER_THREAD``
        per engine thread, each projected to hold at most ``max_bytes``."""
        n = len(self.tasks) - len(excluded)
        max_tasks = max(1, -(-n // (max(1, threads) * BATCHES_PER_THREAD)))
        rows = self.plan.batches(sorted(excluded), max_tasks, max(1, int(max_bytes)))
        return [Batch(*row) for row in rows]

    def literal(self, task: Task):
        return self.plan.literal(task.index)

    def remote_block(self, task: Task):
        """``(RemoteBlocks, block)`` when a callback task reads an engine's persisted block."""
        f, block = self.plan.callback(task.index)
        if isinstance(f, RemoteBlocks):
            return f, tuple(block)
        return None


class RemoteBlocks:
    """The blocks of an array persisted on an engine (Dask futures, Ray object refs), C order.

    Computed locally, a block is fetched from the engine; an executor of the same engine reads
    the block where it is instead."""

    def __init__(self, refs, grid_shape, fetch):
        self.refs = list(refs)
        self.grid_shape = tuple(grid_shape)
        self.fetch = fetch

    def ref(self, block) -> object:
        linear = 0
        for i, n in zip(block, self.grid_shape, strict=True):
            linear = linear * n + i
        return self.refs[linear]

    def __call__(self, block, *inputs):
        return self.fetch(self.ref(block))

    @property
    def __name__(self) -> str:
        return "persisted"


def refuse_oversized(projected: dict, largest: int, what: str, where: str) -> None:
    """A ``MemoryError`` naming the task of ``projected`` (``{key: bytes}``) that declares more
    ``what`` than ``largest``, the most any ``where`` has: a cluster scheduler would keep such a
    task waiting forever for a place to run it. Raised before anything is submitted."""
    key, need = max(projected.items(), key=lambda kv: kv[1], default=(None, 0))
    if need > largest:
        raise MemoryError(f"task {key} needs {need} bytes of {what}, more than any {where} has "
                          f"({int(largest)}): use smaller chunks or bigger {where}s")


def persisted_array(refs, node, fetch):
    """A lazy Array over blocks held by an engine (``refs`` in C order of the blocks)."""
    from .._array import Array

    grid_shape = [len(c) for c in node.chunks]
    blocks = RemoteBlocks(refs, grid_shape, fetch)
    return Array(_core.map_blocks([], blocks, "persisted", list(node.shape), node.dtype,
                                  [list(c) for c in node.chunks]))


def assemble(node, blocks):
    """The result of ``node`` from its computed blocks (NumPy arrays, C order), copied into one
    array by the engine."""
    from .._array import compute_nodes

    lit = _core.literal_from_blocks(list(node.shape), node.dtype, tuple(tuple(c) for c in node.chunks),
                                    list(blocks))
    return compute_nodes([lit])[0]


# --- on the worker --------------------------------------------------------------------------

def _plan_for(payload):
    token, data, callables, sites = payload
    with _PLANS_LOCK:
        plan = _PLANS.get(token)
        if plan is not None:
            _PLANS.move_to_end(token)
            return plan
    plan = _core.load_plan(data, _load_callables(callables), _errstate.import_sites(sites))
    with _PLANS_LOCK:
        _PLANS[token] = plan
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


def name_chunk(e: BaseException, key: str) -> None:
    """Name the task (and so the chunk) in the exception's message, keeping its type."""
    where = f"(in oxarray task {key!r})"
    if e.args and isinstance(e.args[0], str) and where not in e.args[0]:
        e.args = (f"{e.args[0]} {where}",) + tuple(e.args[1:])
    elif not e.args:
        e.args = (where,)


class BatchGraph:
    """The batches of a plan and where each task's value is: ``place[t] = (batch, position)``
    in the batch's output tuple; ``held`` maps the keys of the tasks outside every batch (data
    blocks, blocks an engine holds) to the engine's references."""

    def __init__(self, ex: Export, held: dict, threads: int, max_bytes: int):
        self.ex = ex
        excluded = [t.index for t in ex.tasks if t.key in held]
        self.batches = ex.batches(excluded, threads, max_bytes)
        self.place = {}
        for b, batch in enumerate(self.batches):
            for p, t in enumerate(batch.outputs):
                self.place[t] = (b, p)
        self.by_key = {}
        for t in ex.tasks:
            self.by_key.setdefault(t.key, []).append(t.index)

    def call(self, b: int, held: dict, ref):
        """The arguments of batch ``b``'s call, ``(program, keys, picks, *args)``:
        ``ref(batch)`` is the engine's reference to another batch's output tuple."""
        batch = self.batches[b]
        args, picks, slot = [], [], {}
        for t in batch.inputs:
            where = self.place.get(t)
            if where is None:
                ident, pos = ("held", self.ex.tasks[t].key), -1
            else:
                ident, pos = ("batch", where[0]), where[1]
            if ident not in slot:
                slot[ident] = len(args)
                args.append(held[ident[1]] if ident[0] == "held" else ref(ident[1]))
            picks.append((slot[ident], pos))
        keys = [self.ex.tasks[t].key for t in batch.tasks]
        return (batch.program, keys, picks, *args)

    def output(self, key: str):
        """Where the value of output ``key`` is: ``(batch, position)``, or ``None`` if held."""
        for t in self.by_key[key]:
            if t in self.place:
                return self.place[t]
        return None


def run_batch(program: bytes, keys, picks, payload, *args):
    """Runs one batch of an exported plan on a worker: its inputs are picked from ``args``
    (another batch's output tuple, or a data block), ``picks`` as ``(argument, position or
    -1)``; returns the tuple of its outputs."""
    plan = _plan_for(payload)
    inputs = [args[a] if i < 0 else args[a][i] for a, i in picks]
    try:
        return _core.run_batch(program, plan, inputs)
    except Exception as e:
        pos = getattr(e, "oxarray_batch_position", None)
        name_chunk(e, keys[pos] if pos is not None and pos < len(keys) else "batch")
        raise


def run_task(program: bytes, key: str, payload, *inputs):
    """Runs one exported task on a worker: its inputs are its dependencies' values in order."""
    plan = _plan_for(payload)
    try:
        return _core.run_task(program, plan, list(inputs))
    except Exception as e:
        name_chunk(e, key)
        raise
