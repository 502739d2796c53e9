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


def run_task(program: bytes, key: str, payload, *inputs):
    """Runs one exported task on a worker: its inputs are its dependencies' values in order."""
    plan = _plan_for(payload)
    try:
        return _core.run_task(program, plan, list(inputs))
    except Exception as e:
        name_chunk(e, key)
        raise
