"""`oxarray._core`: the bindings. Every function converts its arguments, asks the graph crate for
a node (or runs a plan through `gil::run_detached`) and converts the answer. No numerics here.

Stubs for the compiled extension (crates/oxarray-python/src/lib.rs); check them against the built
module with ``python -m mypy.stubtest oxarray._core``.
"""

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias, final

import numpy.typing as npt

#: A Python scalar as the engine accepts it (bool, int that fits int64/uint64, float, complex).
_PyScalar: TypeAlias = bool | int | float | complex

#: One axis of a ``chunks=`` spec: a positive size, ``-1``/``None`` for the whole axis, ``"auto"``,
#: or explicit sizes.
_AxisChunks: TypeAlias = int | Literal["auto"] | None | Sequence[int]

#: A ``chunks=`` argument: ``"auto"``, ``None`` (one chunk), an int for every axis, or one entry
#: per axis.
_ChunksSpec: TypeAlias = Literal["auto"] | int | None | Sequence[_AxisChunks]

_ReduceName: TypeAlias = Literal[
    "sum", "prod", "min", "max", "any", "all", "mean", "var", "std", "argmin", "argmax",
    "nanmean", "nanvar", "nanstd",
]

@final
class Node:
    """A node of the expression graph: shape, dtype and chunks are known; nothing is computed."""

    @property
    def shape(self) -> list[int]: ...
    @property
    def dtype(self) -> str: ...
    @property
    def chunks(self) -> list[list[int]]:
        """Chunk sizes along each axis (Dask's ``chunks``, as lists)."""
    @property
    def label(self) -> str: ...
    @property
    def is_literal(self) -> bool:
        """Whether the node's blocks are already in memory (ingested or persisted)."""

# --- configuration ---------------------------------------------------------------------------

def set_chunk_bytes(n: int) -> None:
    """Sets the target size in bytes of a chunk chosen by ``chunks="auto"`` (must be positive)."""

def get_chunk_bytes() -> int:
    """The target size in bytes of a chunk chosen by ``chunks="auto"`` (64 MiB by default)."""

def set_memory_limit(n: int) -> None:
    """Sets the memory limit of a run in bytes; 0 restores the default."""

def get_memory_limit() -> int:
    """The memory limit in force, in bytes (default: 3/4 of ``available_memory()``)."""

def available_memory() -> int:
    """Physical memory, or a container's cgroup limit when lower, in bytes."""

def pool_stats() -> dict[str, int]:
    """The block pool: ``live_bytes``, ``kept_bytes``, and blocks ``reused`` / ``mapped``."""

def release_pool() -> None:
    """Unmaps every block the pool keeps for reuse."""

def memory_bandwidth(n: int, repeats: int) -> dict[str, float]:
    """GB/s of plain loops over ``n`` float64: read_1, read_2, write, copy, fresh_write."""

# --- creation --------------------------------------------------------------------------------

def from_numpy(arr: npt.NDArray[Any], dtype: str, chunks: _ChunksSpec, byteswap: bool) -> Node:
    """Copies a NumPy array (of dtype `dtype`, a NumPy name) into a new literal node cut by `chunks`.

    ``byteswap`` says the buffer is in non-native byte order (the Python side reinterpreted its
    dtype without a copy).
    """

def full(shape: Sequence[int], dtype: str, value: _PyScalar, chunks: _ChunksSpec) -> Node:
    """A node whose every element is ``value`` cast to ``dtype``."""

def arange(start: _PyScalar, step: _PyScalar, len: int, dtype: str, chunks: _ChunksSpec) -> Node:
    """``start + i * step`` for ``i`` in ``range(len)``; values do not depend on the chunking."""

def linspace(
    start: float, stop: float, num: int, endpoint: bool, dtype: str, chunks: _ChunksSpec
) -> Node:
    """``num`` evenly spaced values from ``start`` to ``stop`` (inclusive when ``endpoint``)."""

def eye(n: int, m: int, k: int, dtype: str, chunks: _ChunksSpec) -> Node:
    """An ``n`` x ``m`` matrix with ones on the ``k``-th diagonal."""

# --- elementwise -----------------------------------------------------------------------------

def unary(op: str, x: Node, fp: int = 0) -> Node:
    """``np.<op>(x)`` for a one-input op of the catalogue (see :func:`unary_ops`); ``fp`` is the
    call's floating-point error state packed by ``_errstate.capture`` (0: not checked)."""

def binary(op: str, a: Node, b: Node, fp: int = 0) -> Node:
    """``np.<op>(a, b)`` for a two-input op of the catalogue (see :func:`binary_ops`).

    Both inputs must already be in the loop dtype NumPy resolved; shapes broadcast.
    """

def cast(x: Node, dtype: str) -> Node:
    """``x.astype(dtype, casting="unsafe")``."""

def where_(cond: Node, a: Node, b: Node) -> Node:
    """``np.where(cond, a, b)``; shapes broadcast."""

def unary_ops() -> list[str]:
    """The NumPy ufunc names of the one-input ops of the op catalogue (the Python front checks its
    NumPy-resolved loops against these)."""

def binary_ops() -> list[str]:
    """The NumPy ufunc names of the two-input ops of the op catalogue."""

# --- reductions and linear algebra -----------------------------------------------------------

def reduce(
    op: _ReduceName | str,
    x: Node,
    axis: Sequence[int] | None,
    keepdims: bool,
    dtype: str | None = None,
    ddof: int = 0,
) -> Node:
    """Reduces ``x`` over ``axis`` (``None``: every axis) with a partial per chunk and a tree combine.

    Raises ``numpy.exceptions.AxisError`` for an axis out of bounds.
    """

def matmul(a: Node, b: Node) -> Node:
    """``a @ b`` over the last two axes; batch axes broadcast."""

# --- manipulation and indexing ---------------------------------------------------------------

def transpose(x: Node, perm: Sequence[int]) -> Node:
    """Permutes the axes of ``x``."""

def reshape(x: Node, shape: Sequence[int]) -> Node:
    """``x`` with a new shape of the same size (C order)."""

def broadcast_to(x: Node, shape: Sequence[int]) -> Node:
    """``x`` broadcast to ``shape`` (NumPy's rules)."""

def slice(x: Node, axes: Sequence[tuple[int, int, int]]) -> Node:
    """`axes`: one `(start, step, len)` per axis, already normalized by the Python front."""

def concatenate(xs: Sequence[Node], axis: int) -> Node:
    """Joins nodes of the same dtype along ``axis``."""

def rechunk(x: Node, chunks: _ChunksSpec) -> Node:
    """``x`` cut into a new chunk grid."""

# --- value checks ----------------------------------------------------------------------------

def check(
    x: Node, flag: Node, message: str, warn: bool = False, zero_division: bool = False
) -> Node:
    """``x`` unchanged; at compute, any true element of the bool ``flag`` (same shape and chunks)
    raises ``ValueError(message)`` (``ZeroDivisionError`` with ``zero_division``), or with
    ``warn`` issues ``RuntimeWarning(message)`` once when the run returns."""

# --- running plans ---------------------------------------------------------------------------

def qr(x: Node, want_q: bool, split_every: int) -> list[Node]:
    """Reduced TSQR of a 2-d array with one column of chunks: ``[q, r]``, or ``[r]``."""

def svd(x: Node, uv: bool, split_every: int) -> list[Node]:
    """Reduced SVD (TSQR) of a 2-d array with one column of chunks: ``[u, s, vh]``, or ``[s]``."""

def svd_dense(x: Node) -> list[Node]:
    """NumPy's complete SVD of a one-block matrix: ``[u, s, vh]``."""

def qr_dense(x: Node) -> list[Node]:
    """NumPy's complete QR of a one-block matrix: ``[q, r]``."""

def linalg_batched(op: str, xs: list[Node], upper: bool = False, full: bool = False) -> list[Node]:
    """A batched dense linalg op over stacked matrices: its output nodes, in order."""

def compute(xs: Sequence[Node]) -> list[npt.NDArray[Any]]:
    """Computes the nodes in one run (sharing common work) and returns NumPy arrays.

    The GIL is released while the engine runs; Ctrl-C cancels the run (``KeyboardInterrupt``).
    """

def persist(xs: Sequence[Node]) -> list[Node]:
    """Computes the nodes' blocks and returns literal nodes holding them."""

def to_dot(xs: Sequence[Node]) -> str:
    """The optimized task graph of the nodes as Graphviz DOT."""

def explain(xs: Sequence[Node]) -> str:
    """A text summary of the optimized plan."""

def task_count(xs: Sequence[Node]) -> int:
    """Number of tasks in the optimized plan."""

# --- random ----------------------------------------------------------------------------------

_DistName: TypeAlias = Literal["uniform", "normal", "integers", "permutation", "choice"]

def random(
    shape: Sequence[int],
    dtype: str,
    chunks: _ChunksSpec,
    key: tuple[int, int],
    stream: int,
    dist: _DistName,
    params: Any,
) -> Node:
    """A lazy random array of `shape` drawn from distribution `dist` with `params`, on the stream
    (`key`, `stream`).

    ``params``: ``(low, high)`` for "uniform", ``(loc, scale)`` for "normal", ``(low, span)`` for
    "integers" (values ``low..=low+span``), ``n`` for "permutation", the probabilities for "choice".
    """

def weighted_choice(
    p: Sequence[float], k: int, chunks: _ChunksSpec, key: tuple[int, int], stream: int
) -> Node:
    """`k` distinct indices drawn with weights `p` (computed now), as a 1-d int64 node."""

def take_rows(x: Node, idx: Node) -> Node:
    """`x[idx]` along axis 0: `idx` (a 1-d int64 node) is computed now, the gather stays lazy."""

# --- selection (crates/oxarray-python/src/indexing.rs) ---------------------------------------
def compress(x: Node, mask: Node, counts: list[int]) -> Node:
    """`x[mask]` (bool mask over the leading axes, cut in bands of rows) with `counts` per band."""

def expand(x: Node, mask: Node, vals: Node, counts: list[int]) -> Node:
    """`x` after `x[mask] = vals` (`vals` cut along axis 0 by the non-zero `counts`)."""

def take_axis(x: Node, axis: int, indices: npt.NDArray[Any]) -> Node:
    """`x` indexed along `axis` by `indices` (int64, non-negative, checked)."""

def mask_counts(mask: Node) -> tuple[Node, list[int]]:
    """The size pass of a mask: its computed blocks as a new node, and the true count per band."""
# --- sorting (crates/oxarray-python/src/sorting.rs) -------------------------------------------
def sort(x: Node, axis: int, descending: bool = False, indices: bool = False) -> Node:
    """``np.sort`` (``indices=False``) or ``np.argsort`` of ``x`` along ``axis``; stable; lazy."""
def select(x: Node, axis: int, ranks: list[int], width: int, skip_nan: bool = False) -> Node:
    """Order statistics along ``axis`` at a row-major rank table (``width`` per row; row 0, or
    each lane's non-NaN count when ``skip_nan``); the axis becomes ``width`` long; lazy."""
def partition(x: Node, axis: int, kth: list[int], indices: bool = False) -> Node:
    """``np.partition`` (``indices=False``) or ``np.argpartition`` at the ranks ``kth``; lazy."""
def searchsorted(a: Node, v: Node, right: bool) -> Node:
    """``np.searchsorted(a, v, side)``: ``a`` 1-d and sorted (any chunks), ``a`` and ``v`` of one
    dtype; int64 of ``v``'s shape and chunks; lazy."""
def take_along(x: Node, idx: Node, axis: int) -> Node:
    """``take_along_axis(x, idx, axis)`` with lazy int64 ``idx`` chunked as ``x`` off the axis."""
def topk(x: Node, axis: int, k: int, largest: bool) -> Node:
    """The int64 positions of the ``k`` largest (or smallest) along ``axis``, best first; lazy."""
def fft(
    x: Node,
    kind: str,
    axis: int,
    n: int,
    scale: float,
    block_bytes: int,
    conj_in: bool = False,
    conj_out: bool = False,
) -> Node:
    """One axis transform (`"fft"`, `"ifft"`, `"rfft"`, `"irfft"`) of `n` points, times `scale`."""
# --- sets, counting, binning (crates/oxarray-python/src/sets.rs) ------------------------------
def distinct(x: Node, rows: bool, equal_nan: bool) -> Node:
    """The size pass of ``unique``: the sorted distinct values (or rows), computed now."""
def set_lookup(x: Node, table: Node, mode: str, flag: bool, rows: bool) -> Node:
    """Lazy lookup of each element (row) of ``x`` in ``table``: code, member, search or bin."""
def tally(codes: Node, op: str, length: int, weights: Node | None = None) -> Node:
    """Lazy tally of int64 ``codes`` into ``length`` slots: count, sum or minpos."""
# --- scans (crates/oxarray-python/src/scan.rs) ---------------------------------------------
def accumulate(x: Node, op: str, axis: int) -> Node:
    """``np.<op>.accumulate(x, axis)`` in ``x``'s dtype; lazy, ``x``'s chunks."""
def fold(x: Node, op: str, axis: int) -> Node:
    """``np.<op>.reduce(x, axis)`` over one non-empty axis, in ``x``'s dtype; lazy."""
def reduceat(x: Node, op: str, axis: int, segs: Sequence[tuple[int, int]]) -> Node:
    """``np.<op>.reduceat`` with its segments resolved to non-empty ``(start, end)`` ranges."""

__all__ = [
    "Node",
    "accumulate",
    "arange",
    "binary",
    "binary_ops",
    "broadcast_to",
    "cast",
    "compress",
    "check",
    "compute",
    "concatenate",
    "distinct",
    "explain",
    "expand",
    "eye",
    "fft",
    "fold",
    "from_numpy",
    "full",
    "available_memory",
    "get_chunk_bytes",
    "get_memory_limit",
    "linalg_batched",
    "linspace",
    "mask_counts",
    "matmul",
    "persist",
    "qr",
    "qr_dense",
    "random",
    "rechunk",
    "reduce",
    "reduceat",
    "reshape",
    "set_chunk_bytes",
    "set_memory_limit",
    "set_lookup",
    "slice",
    "sort",
    "svd",
    "svd_dense",
    "take_axis",
    "take_rows",
    "tally",
    "task_count",
    "to_dot",
    "transpose",
    "unary",
    "unary_ops",
    "weighted_choice",
    "where_",
]
# --- signals (crates/oxarray-python/src/signal.rs) -----------------------------------------
def correlate(x: Node, y: Node, n_left: int, length: int, chunks: list[int]) -> Node:
    """Lazy ``c[j] = sum_i xpad[j - n_left + i] * y[i]`` (1-d ``x``, one-block ``y``)."""
def interp(x: Node, xp: Node, fp: Node, left: float | complex | None = None,
           right: float | complex | None = None) -> Node:
    """Lazy ``np.interp`` of float64 ``x`` at one-block ``xp`` with values ``fp``."""
# --- bit packing (crates/oxarray-python/src/bits.rs) --------------------------------------
def packbits(x: Node, axis: int, little: bool) -> Node:
    """Lazy ``packbits`` of bool ``x`` along ``axis`` (blocks there hold multiples of 8)."""
def unpackbits(x: Node, axis: int, little: bool) -> Node:
    """Lazy ``unpackbits`` of uint8 ``x`` along ``axis`` (8 elements per byte)."""
# --- user callables per block (crates/oxarray-python/src/callback.rs) ----------------------
def map_blocks(xs: list[Node], f: Callable[..., Any], name: str, shape: list[int], dtype: str,
               chunks: list[list[int]]) -> Node:
    """Lazy node whose block ``b`` is ``f(block_index, *blocks b of xs)`` (a NumPy array)."""

# pickling (pickle.rs)
def graph_dumps(xs: list[Node]) -> tuple[bytes, list[tuple[Callable[..., Any], str]], list[int]]: ...
def graph_loads(data: bytes, callbacks: list[tuple[Callable[..., Any], str]],
                fp_sites: list[int]) -> list[Node]: ...

# --- files: .npy and Zarr (crates/oxarray-python/src/io.rs) --------------------------------
def from_npy(path: str, chunks: Any) -> Node:
    """Lazy node of the memory-mapped ``.npy`` file at ``path``."""
def to_npy(x: Node, path: str) -> None:
    """Writes ``x`` to ``path`` chunk by chunk (renamed into place at the end)."""
def to_npy_fd(x: Node, fd: int, base: int) -> int:
    """Writes ``x`` as a ``.npy`` into ``fd`` from byte ``base``; returns the end offset."""
def npy_header(dtype: str, shape: list[int]) -> bytes:
    """NumPy's ``.npy`` header bytes for ``shape`` and ``dtype``."""
def zarr_info(path: str) -> tuple[list[int], str, list[int]]:
    """Shape, dtype and chunk shape of the Zarr array at ``path``."""
def from_zarr(path: str, chunks: Any) -> Node:
    """Lazy node of the Zarr array at ``path``."""
def to_zarr(x: Node, path: str, metadata: str) -> None:
    """Writes ``x`` (aligned to the Zarr chunk grid) as the Zarr array ``metadata`` at ``path``."""
def to_zarr_region(x: Node, path: str, offset: list[int]) -> None:
    """Writes ``x`` into the region of its shape at ``offset`` of the Zarr array at ``path``."""

# --- executors: the plan handed to Dask/Ray (crates/oxarray-python/src/executor.rs) ---------
@final
class ExportedPlan:
    """A plan exported for an engine: tasks, keys and output blocks."""
    @property
    def token(self) -> int: ...
    def __len__(self) -> int: ...
    def tasks(self) -> list[tuple[str, str, bytes, list[str], int]]:
        """``(key, kind, program, dependency keys, projected bytes)`` per task."""
    def literal(self, i: int) -> npt.NDArray[Any]: ...
    def callback(self, i: int) -> tuple[Callable[..., Any], list[int]]: ...
    def outputs(self) -> list[list[str]]: ...
@final
class WorkerPlan:
    """A plan loaded on a worker."""
def export_plan(xs: list[Node]) -> tuple[ExportedPlan, bytes, list[tuple[Callable[..., Any], str]], list[int]]: ...
def load_plan(data: bytes, callbacks: list[tuple[Callable[..., Any], str]], fp_sites: list[int]) -> WorkerPlan: ...
def run_task(program: bytes, plan: WorkerPlan, inputs: list[Any]) -> Any:
    """Runs one exported task on its inputs with the GIL released."""
def task_program_version() -> int: ...
def literal_from_blocks(shape: list[int], dtype: str, chunks: Any, blocks: list[npt.NDArray[Any]]) -> Node: ...

# --- diagnostics.rs: task counters, the profiler, the task graph drawn (oxarray.diagnostics) ---
def progress_counters() -> tuple[int, int]:
    """``(submitted, finished)`` tasks of the scheduler since the process started."""
def profiler_start() -> None:
    """Starts recording time per task kind and peak memory."""
def profiler_stop() -> tuple[list[tuple[str, int, float]], int]:
    """Stops a profiler: ``([(kind, tasks, seconds)], peak_bytes)``."""
def graph_svg(xs: Sequence[Node], optimize: bool = True, max_nodes: int = 300,
              color: bool = True) -> tuple[str, int, int, int, bool]:
    """The task graph as SVG: ``(svg, tasks, boxes, edges, summarized)``."""
def graph_dot(xs: Sequence[Node], optimize: bool = True) -> str:
    """The task graph as Graphviz DOT, optimized or as lowered."""
