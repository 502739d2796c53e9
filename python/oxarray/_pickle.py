"""Pickling and copying of lazy Arrays.

``pickle.dumps(x)`` writes the lazy graph, not its values: the Rust engine encodes it compactly
(``crates/oxarray-graph/src/serialize``: a versioned binary format, nodes in topological order,
shared sub-expressions once, in-memory blocks by value), and ``pickle.loads`` rebuilds an equal
lazy Array, in this process or another. Two things are Python objects and travel through pickle
itself beside those bytes: the user's functions of per-block nodes (``map_blocks``,
``apply_along_axis``, ``piecewise``; pickled by ``cloudpickle`` when it is installed, else by
``pickle``, which refuses lambdas as it always does) and the ``np.errstate`` in force at each
call, so a loaded graph warns or raises as the original would.

``copy.copy`` and ``copy.deepcopy`` give a new Array handle on the same node: nodes are
immutable, so sharing one is a full copy (an in-place update of either handle points that handle
at a new node and leaves the other alone).
"""

from __future__ import annotations

import pickle

from . import _core, _errstate
from ._array import Array

# The callables' pickle when cloudpickle pickled them (loadable by pickle.loads).
_CLOUDPICKLED = "cloudpickle"


def _dump_callables(callables: list):
    if not callables:
        return callables
    try:
        import cloudpickle
    except ImportError:
        return callables  # pickled by the caller's pickler, with the rest
    return (_CLOUDPICKLED, cloudpickle.dumps(callables))


def _load_callables(payload) -> list:
    if isinstance(payload, tuple) and payload and payload[0] == _CLOUDPICKLED:
        return pickle.loads(payload[1])
    return list(payload)


def reduce_array(x: Array):
    """``Array.__reduce__``: rebuild from the encoded graph."""
    data, callables, sites = _core.graph_dumps([x._node])
    return (_rebuild, (data, _dump_callables(callables), _errstate.export_sites(sites)))


def _rebuild(data: bytes, callables, sites) -> Array:
    (node,) = _core.graph_loads(data, _load_callables(callables), _errstate.import_sites(sites))
    return Array(node)


def dumps_graph(*arrays: Array) -> tuple:
    """The graph of ``arrays`` as ``(bytes, callables, errstate sites)``: what an executor ships
    (``loads_graph`` is the inverse). Shared sub-expressions of the arrays are written once."""
    data, callables, sites = _core.graph_dumps([a._node for a in arrays])
    return data, _dump_callables(callables), _errstate.export_sites(sites)


def loads_graph(data: bytes, callables, sites) -> list[Array]:
    nodes = _core.graph_loads(data, _load_callables(callables), _errstate.import_sites(sites))
    return [Array(n) for n in nodes]
