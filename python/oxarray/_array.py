"""``oxarray.Array``: a lazy chunked array. Every method builds a graph node in Rust; data is
touched only by ``compute()`` (and by the Python conversions that demand a value)."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from . import _core
from ._dispatch import REGISTRY

# The versions of the Array API standard ``__array_namespace__(api_version=...)`` accepts; the
# namespace's ``__array_api_version__`` is the newest.
SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")


class Array:
    """A lazy, chunked N-d array that answers NumPy's protocols (NEP 18, NEP 13, Array API).

    >>> import numpy as np, oxarray as ox
    >>> x = ox.asarray(np.arange(6.0).reshape(2, 3), chunks=(1, 3))
    >>> np.sum(x * 2, axis=1).compute()
    array([ 6., 24.])
    """

    __slots__ = ("_node",)
    # NumPy defers to us in mixed binary operations (ndarray + Array -> Array.__radd__).
    __array_priority__ = 100

    def __init__(self, node: _core.Node):
        self._node = node

    # --- pickling and copying (see _pickle.py) ------------------------------------------------
    def __reduce__(self):
        from ._pickle import reduce_array

        return reduce_array(self)

    def __copy__(self) -> Array:
        return Array(self._node)

    def __deepcopy__(self, memo) -> Array:
        return Array(self._node)

    # --- metadata (known without computing) ---------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The length of each axis (known without computing)."""
        return tuple(self._node.shape)

    @property
    def dtype(self) -> np.dtype:
        """The ``numpy.dtype`` of the elements."""
        return np.dtype(self._node.dtype)

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return len(self._node.shape)

    @property
    def size(self) -> int:
        """The number of elements."""
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def itemsize(self) -> int:
        """The bytes of one element."""
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        """The bytes the computed array takes (``size * itemsize``)."""
        return self.size * self.itemsize

    @property
    def chunks(self) -> tuple[tuple[int, ...], ...]:
        """The chunk sizes along each axis, Dask's form: ``((2, 2, 1), (3,))``."""
        return tuple(tuple(c) for c in self._node.chunks)

    @property
    def numblocks(self) -> tuple[int, ...]:
        """The number of chunks along each axis."""
        return tuple(len(c) for c in self._node.chunks)

    @property
    def npartitions(self) -> int:
        """The number of chunks in all."""
        return int(np.prod(self.numblocks, dtype=np.int64))

    @property
    def device(self) -> str:
        """Always ``"cpu"`` (the Array API's device)."""
        return "cpu"

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        chunks = _short_chunks(self.chunks)
        tasks = _core.task_count([self._node])
        return f"oxarray.Array<shape={self.shape}, dtype={self.dtype}, chunks={chunks}, tasks={tasks}>"

    __hash__ = None  # type: ignore[assignment]  # mutable-by-rebinding, like ndarray

    # --- computing ---------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        """The notebook view: a chunk diagram and a table of shape, dtype, bytes, chunks, tasks
        (from metadata and the plan; nothing is computed)."""
        from ._repr import html_repr

        return html_repr(self)

    # --- computing ---------------------------------------------------------------------------
    def compute(self, executor=None, progress: bool = False) -> np.ndarray:
        """Run the graph and return a ``numpy.ndarray``: on all cores here (GIL released), or on
        a cluster with ``executor=ox.DaskExecutor(client)`` (see ``oxarray.executors``).

        ``progress=True`` shows a progress bar (``oxarray.diagnostics.ProgressBar``) of the
        local scheduler.

        >>> import oxarray as ox
        >>> (ox.ones(4, chunks=2) + 1).compute()
        array([2., 2., 2., 2.])
        """
        if executor is None and not progress:
            return compute_nodes((self._node,))[0]
        if executor is not None:
            from .executors import resolve

            return resolve(executor).compute([self._node])[0]
        if progress:
            from .diagnostics import ProgressBar

            with ProgressBar():
                return compute_nodes([self._node])[0]
        return compute_nodes([self._node])[0]

    def persist(self, executor=None) -> Array:
        """Compute the blocks and keep them as a new Array of the same chunks: in Rust memory,
        or on the cluster of ``executor`` (Dask futures, Ray object refs)."""
        if executor is None:
            return Array(_core.persist([self._node])[0])
        from .executors import resolve

        return resolve(executor).persist([self._node])[0]

    def to_dask_array(self):
        """A ``dask.array.Array`` whose chunks are this array's fused chunk tasks (nothing is
        computed)."""
        from .executors import to_dask_array

        return to_dask_array(self)

    def explain(self) -> str:
        """The optimized plan: tasks by kind, fused program sizes, bytes."""
        return _core.explain([self._node])

    def visualize(self, filename: str | None = None, format: str | None = None, optimize: bool = True,
                  color: str | None = "kind", max_nodes: int = 300):
        """Draw the task graph as SVG, laid out in Rust (no Graphviz needed); nothing is computed.

        Returns a picture that Jupyter shows inline (``_repr_svg_``). ``filename`` writes it too;
        ``format`` ("svg", "png" or "dot") defaults to the file's extension. ``optimize=False``
        draws the graph as lowered, before fusion and culling. ``color="kind"`` fills each task
        by its kind (``None``: grey). A graph of more than ``max_nodes`` tasks is summarized: the
        tasks of one kind at one depth become one box with their count. PNG needs the
        ``vl-convert-python`` package.

        >>> import oxarray as ox
        >>> picture = (ox.ones((4, 4), chunks=2) + 1).sum().visualize()
        >>> picture.boxes > 0
        True
        """
        from ._repr import visualize

        return visualize([self._node], filename, format, optimize, color, max_nodes)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if copy is False:
            raise ValueError("Unable to avoid copy while creating an array as requested.")
        out = self.compute()
        return out if dtype is None else out.astype(dtype, copy=False)

    def __bool__(self) -> bool:
        return bool(self.compute())

    def __float__(self) -> float:
        return float(self.compute())

    def __int__(self) -> int:
        return int(self.compute())

    def __complex__(self) -> complex:
        return complex(self.compute())

    def __index__(self) -> int:
        return operator.index(self.compute())

    def __format__(self, spec: str) -> str:
        return format(self.compute(), spec) if self.ndim == 0 else object.__format__(self, spec)

    def item(self, *args):
        return self.compute().item(*args)

    def tolist(self):
        return self.compute().tolist()

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")  # at iter(), as NumPy
        return (self[i] for i in range(self.shape[0]))

    # --- protocols -----------------------------------------------------------------------------
    def __array_function__(self, func, types, args, kwargs):
        return REGISTRY.array_function(Array, func, types, args, kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ._elementwise import array_ufunc

        return array_ufunc(ufunc, method, *inputs, **kwargs)

    def __array_namespace__(self, *, api_version: str | None = None):
        if api_version not in (None, *SUPPORTED_API_VERSIONS):
            raise ValueError(f"oxarray does not support Array API version {api_version!r}")
        import oxarray

        return oxarray

    def to_device(self, device, /, *, stream=None) -> Array:
        """The Array on ``device``: oxarray has one, ``"cpu"``, so this is ``self``."""
        if stream is not None:
            raise ValueError("oxarray's 'cpu' device has no streams; stream must be None")
        if device != "cpu" and device is not None:
            raise ValueError(f"oxarray arrays live on the 'cpu' device, not {device!r}")
        return self

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """DLPack export: computes the array (this is a conversion that demands values, like
        ``__array__``), then hands over the computed NumPy array's capsule without a copy."""
        if stream is not None:
            raise BufferError("oxarray's 'cpu' device has no streams; stream must be None")
        kwargs = {"dl_device": dl_device, "copy": copy}
        if max_version is not None:
            kwargs["max_version"] = max_version
        return self.compute().__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # (kDLCPU, device 0), known without computing

    def __getitem__(self, key) -> Array:
        """NumPy's indexing (basic, boolean masks, integer arrays), lazy. A boolean mask's size
        pass (the mask computed once and kept, its ``True`` counted per band) and an oxarray
        Array used as integer index are computed at the call; see ``oxarray._indexing``."""
        from ._indexing import getitem

        return getitem(self, key)

    def __setitem__(self, key, value):
        """``x[key] = value``: ``x`` now stands for the updated array, as after ``x += 1``
        (lazy; views taken before keep the old value). See ``oxarray._assignment``."""
        from ._assignment import setitem

        setitem(self, key, value)

    def copy(self) -> Array:
        """A new Array of the same values (a new handle: in-place updates of one do not show in
        the other)."""
        return Array(self._node)

    def nonzero(self) -> tuple[Array, ...]:
        return np.nonzero(self)

    def compress(self, condition, axis=None, out=None) -> Array:
        return np.compress(condition, self, axis=axis, out=out)

    def take(self, indices, axis=None, out=None, mode="raise") -> Array:
        return np.take(self, indices, axis=axis, out=out, mode=mode)

    def put(self, indices, values, mode="raise") -> None:
        np.put(self, indices, values, mode=mode)

    def fill(self, value) -> None:
        self[...] = value

    # --- methods that mirror ndarray's (each one call into the implementations) --------------
    def rechunk(self, chunks="auto") -> Array:
        """The same values in new chunks (``chunks=`` as for ``asarray``), lazily."""
        return Array(_core.rechunk(self._node, _chunk_spec(chunks)))

    def to_npy(self, path) -> None:
        """Writes the array to the ``.npy`` file ``path``, streamed chunk by chunk (``_io``)."""
        from ._io import to_npy

        to_npy(self, path)

    def to_zarr(self, path, chunks=None, **kwargs) -> None:
        """Writes the array as a Zarr array at ``path``, chunks in parallel (``_zarr``)."""
        from ._zarr import to_zarr

        to_zarr(self, path, chunks, **kwargs)

    def astype(self, dtype, order="K", casting: str = "unsafe", subok=True, copy: bool = True) -> Array:
        from ._arguments import check_order
        from ._data_types import astype

        check_order(order)
        return astype(self, dtype, copy=copy, casting=casting)

    def reshape(self, *shape, order: str = "C") -> Array:
        from ._manipulation import reshape

        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = shape[0]
        return reshape(self, shape, order=order)

    def transpose(self, *axes) -> Array:
        from ._manipulation import transpose

        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], (int, np.integer))):
            axes = axes[0]
        return transpose(self, axes or None)

    @property
    def T(self) -> Array:
        return self.transpose()

    @property
    def mT(self) -> Array:
        from ._manipulation import swapaxes

        if self.ndim < 2:
            raise ValueError("matrix transpose with ndim < 2 is undefined")
        return swapaxes(self, -1, -2)

    @property
    def real(self) -> Array:
        return np.real(self)

    @property
    def imag(self) -> Array:
        return np.imag(self)

    def conj(self) -> Array:
        return np.conjugate(self)

    def squeeze(self, axis=None) -> Array:
        return np.squeeze(self, axis=axis)

    def ravel(self) -> Array:
        return self.reshape(-1)

    def flatten(self) -> Array:
        return self.reshape(-1)

    def dot(self, other) -> Array:
        return np.dot(self, other)

    def clip(self, min=None, max=None) -> Array:
        return np.clip(self, min, max)

    def to_numpy(self) -> np.ndarray:
        """Compute and return a ``numpy.ndarray`` (the same as ``compute()``)."""
        return self.compute()

    def round(self, decimals: int = 0, out=None) -> Array:
        """Same as ``np.round(x, decimals)``: lazy."""
        return np.round(self, decimals, out=out)

    def conjugate(self) -> Array:
        """Same as ``np.conjugate(x)``: lazy."""
        return np.conjugate(self)

    def swapaxes(self, axis1: int, axis2: int) -> Array:
        """Same as ``np.swapaxes(x, axis1, axis2)``: lazy."""
        return np.swapaxes(self, axis1, axis2)

    def choose(self, choices, out=None, mode: str = "raise") -> Array:
        """Same as ``np.choose(x, choices)``: lazy."""
        return np.choose(self, choices, out=out, mode=mode)

    @property
    def flat(self):
        """NumPy's flat iterator: ``x.flat[k]`` indexes the raveled array lazily and
        ``x.flat[k] = v`` writes through to ``x`` (see ``oxarray._flat``)."""
        from ._flat import FlatIter

        return FlatIter(self)

    @flat.setter
    def flat(self, value) -> None:
        from ._flat import FlatIter

        FlatIter(self)[...] = value

    @property
    def base(self) -> None:
        """``None``: an oxarray Array never shares memory with another (a lazy view is a new
        node over the same graph, not a window on a buffer)."""
        return None

    def __contains__(self, value) -> bool:
        """``value in x``, as NumPy: ``(x == value).any()``, computed (like ``bool(x)``)."""
        return bool((self == value).any())

    def __delitem__(self, key):
        raise ValueError("cannot delete array elements")  # NumPy's words

    def tobytes(self, order: str = "C") -> bytes:
        """Computes the array and returns its raw bytes, as ``ndarray.tobytes``."""
        return self.compute().tobytes(order)

    def tofile(self, fid, sep: str = "", format: str = "%s") -> None:
        """Computes the array and writes it to ``fid``, as ``ndarray.tofile`` (for a file that
        NumPy reads back with its header, ``x.to_npy(path)`` streams chunk by chunk)."""
        self.compute().tofile(fid, sep=sep, format=format)

    def dumps(self) -> bytes:
        """The pickle of this lazy Array (its graph; data sources by value), as
        ``ndarray.dumps``; ``pickle.loads`` gives back an equal lazy Array."""
        import pickle

        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    def dump(self, file) -> None:
        """Pickles this lazy Array to ``file`` (a path or a binary file), as ``ndarray.dump``."""
        import os
        import pickle

        if isinstance(file, (str, os.PathLike)):
            with open(file, "wb") as f:
                pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            pickle.dump(self, file, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def __class_getitem__(cls, item):
        """``oxarray.Array[shape, dtype]`` in annotations, as ``numpy.ndarray[...]``."""
        import types

        return types.GenericAlias(cls, item)


def _reduction_method(name: str):
    def method(self, *args, **kwargs):
        return getattr(np, name)(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"Same as ``np.{name}(x, ...)``: lazy."
    return method


for _name in ("sum", "prod", "min", "max", "mean", "var", "std", "any", "all", "argmin", "argmax",
              "diagonal", "trace", "repeat", "cumsum", "cumprod"):
    setattr(Array, _name, _reduction_method(_name))


def _binary(ufunc, reflected: bool = False):
    def op(self, other):
        return (_operators_binary or _load_binary())(ufunc, self, other, reflected)

    return op


# ``_operators.binary``, imported at the first operator call (it imports this module); kept here
# so ``x + 1`` pays no import statement.
_operators_binary = None


def _load_binary():
    global _operators_binary
    from ._operators import binary

    _operators_binary = binary
    return binary


def _inplace(ufunc):
    def op(self, other):
        from ._elementwise import apply_ufunc, is_operand

        if not is_operand(other):
            return NotImplemented
        return apply_ufunc(ufunc, self, other, out=(self,))

    return op


def _matmul(reflected: bool = False, inplace: bool = False):
    def op(self, other):
        from ._elementwise import is_operand
        from ._linalg import matmul

        if not is_operand(other):
            from ._operators import binary

            return binary(np.matmul, self, other, reflected)
        out = matmul(other, self) if reflected else matmul(self, other)
        if inplace:
            from ._elementwise import rebind

            return rebind(self, out, "matmul")
        return out

    return op


_BINARY_OPERATORS = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "and": np.bitwise_and,
    "or": np.bitwise_or, "xor": np.bitwise_xor, "lshift": np.left_shift,
    "rshift": np.right_shift,
}  # fmt: skip
for _name, _uf in _BINARY_OPERATORS.items():
    setattr(Array, f"__{_name}__", _binary(_uf))
    setattr(Array, f"__r{_name}__", _binary(_uf, reflected=True))
    setattr(Array, f"__i{_name}__", _inplace(_uf))
for _name, _uf in {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
                   "gt": np.greater, "ge": np.greater_equal}.items():  # fmt: skip
    setattr(Array, f"__{_name}__", _binary(_uf))
Array.__matmul__ = _matmul()
Array.__rmatmul__ = _matmul(reflected=True)
Array.__imatmul__ = _matmul(inplace=True)


def _divmod(self, other):
    return (self // other, self % other)


def _rdivmod(self, other):
    from ._elementwise import is_operand

    if not is_operand(other):
        return NotImplemented
    return (other // self, other % self)


Array.__divmod__ = _divmod
Array.__rdivmod__ = _rdivmod
Array.__neg__ = lambda self: np.negative(self)
Array.__pos__ = lambda self: np.positive(self)
Array.__abs__ = lambda self: np.absolute(self)
Array.__invert__ = lambda self: np.invert(self)


def compute_nodes(nodes) -> list[np.ndarray]:
    """``_core.compute``, for results of any number of axes: rust-numpy hands over at most 32
    (NumPy allows 64), so a result with more comes back flat and is reshaped (a NumPy view)."""
    if len(nodes) == 1 and len(nodes[0].shape) <= 32:
        return _core.compute(nodes)  # the common case, without the lists below
    flat = [_core.reshape(n, [math.prod(n.shape)]) if len(n.shape) > 32 else n for n in nodes]
    out = _core.compute(flat)
    return [o.reshape(tuple(n.shape)) if len(n.shape) > 32 else o for o, n in zip(out, nodes, strict=True)]


def _chunk_spec(chunks: Any) -> Any:
    """Normalize a ``chunks=`` argument to what ``_core`` parses (lists become tuples)."""
    if isinstance(chunks, dict):
        raise TypeError("chunks as a dict is not supported; give one entry per axis")
    if isinstance(chunks, list):
        return tuple(_chunk_spec(c) for c in chunks)
    if isinstance(chunks, (np.integer,)):
        return int(chunks)
    if isinstance(chunks, int) and not -(2**63) <= chunks < 2**63:
        raise ValueError(f"chunk size {chunks} is out of range")  # not an OverflowError from Rust
    if isinstance(chunks, tuple):
        return tuple(_chunk_spec(c) for c in chunks)
    return chunks


def _short_chunks(chunks: tuple[tuple[int, ...], ...]) -> str:
    parts = []
    for c in chunks:
        if len(c) > 4:
            parts.append(f"({c[0]}, ... x{len(c)}, {c[-1]})")
        else:
            parts.append(str(c))
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
