"""NumPy's dense ``np.linalg`` functions on stacked matrices ``(..., m, n)``: ``solve``, ``inv``,
``det``, ``slogdet``, ``cholesky``, ``eigh``/``eigvalsh``, ``eig``/``eigvals``, and the
``svd``/``qr`` of arrays with more than two dimensions (``linalg.py`` routes those here).

Each call checks what NumPy checks when it is made (at least two dimensions, square matrices, a
supported dtype), then asks Rust for one batched op: the array is rechunked so every matrix is
whole in one chunk while the leading (batch) axes keep their chunks, and one task per batch block
runs the per-matrix faer kernel. Errors that depend on the values (``LinAlgError("Singular
matrix")``, ``"Matrix is not positive definite"``) are raised by ``compute()``, not by the call.

As in NumPy, the factorizations run in float64/complex128 and the results are cast back to single
precision when every operand is float32/complex64; integers and bools give float64.
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._array import Array
from ._dispatch import implements

LinAlgError = np.linalg.LinAlgError

try:  # NumPy's named result tuples (sign, logabsdet = ... and .sign/.logabsdet both work)
    from numpy.linalg._linalg import EighResult, EigResult, QRResult, SlogdetResult, SVDResult
except ImportError:  # pragma: no cover - NumPy < 2
    EighResult = EigResult = QRResult = SlogdetResult = SVDResult = None

_SINGLE = (np.dtype(np.float32), np.dtype(np.complex64))
_DOUBLE = (np.dtype(np.float64), np.dtype(np.complex128))


def _as_array(a) -> Array:
    from ._creation import asarray

    return a if isinstance(a, Array) else asarray(a)


def _named(cls, *parts):
    return cls(*parts) if cls is not None else tuple(parts)


def _common_type(*xs: Array) -> tuple[np.dtype, np.dtype]:
    """NumPy's ``_commonType``: (the dtype the kernel runs in, the dtype of the results)."""
    single, is_complex = True, False
    for x in xs:
        dt = x.dtype
        if dt.kind in "fc":
            if dt not in _SINGLE + _DOUBLE:
                raise TypeError(f"array type {dt.name} is unsupported in linalg")
            is_complex |= dt.kind == "c"
            single &= dt in _SINGLE
        else:
            single = False
    compute = np.dtype(np.complex128 if is_complex else np.float64)
    result = np.dtype({(True, False): np.float32, (True, True): np.complex64,
                       (False, False): np.float64, (False, True): np.complex128}[single, is_complex])
    return compute, result


def _check_stacked(x: Array, square: bool = True) -> None:
    if x.ndim < 2:
        raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be at least two-dimensional")
    if square and x.shape[-1] != x.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")


def _cast(x: Array, dtype) -> Array:
    return x if x.dtype == dtype else x.astype(dtype)


def _batch_chunks(x: Array, per_matrix: int) -> tuple:
    """``x``'s batch chunks, split where a block of whole matrices would pass ``chunk_bytes``.

    Existing chunks are only ever cut, never merged; inner batch axes keep theirs first."""
    from . import config

    room = max(1, config.get("chunk_bytes") // max(per_matrix, 1))  # matrices per block
    chunks = list(x.chunks[:-2])
    for d in reversed(range(len(chunks))):
        biggest = max(chunks[d], default=0)
        if biggest <= room:
            room //= max(biggest, 1)
            continue
        n, size = x.shape[d], room
        chunks[d] = (size,) * (n // size) + ((n % size,) if n % size else ())
        room = 1
    return tuple(chunks)


def _run(op: str, xs, compute: np.dtype, **flags) -> list[Array]:
    """The batched op on ``xs`` cast to ``compute``, each matrix whole in its chunk."""
    from . import config

    xs = [_cast(x, compute) for x in xs]
    per_matrix = sum(x.shape[-1] * x.shape[-2] * compute.itemsize for x in xs)
    budget = config.get("linalg_block_bytes")
    if per_matrix > budget:
        m, n = xs[0].shape[-2:]
        raise ValueError(f"{op}: one {m}x{n} matrix ({per_matrix} bytes with its operands) "
                         f"exceeds ox.config linalg_block_bytes={budget}; raise it with "
                         f"ox.config.set(linalg_block_bytes=...)")
    a = xs[0]
    a = a.rechunk(_batch_chunks(a, per_matrix) + ((a.shape[-2],), (a.shape[-1],)))
    nodes = [a._node] + [x._node for x in xs[1:]]
    return [Array(n) for n in _core.linalg_batched(op, nodes, **flags)]


def _real(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dt in _SINGLE else np.dtype(np.float64)


def _complex(dt: np.dtype) -> np.dtype:
    return np.dtype(np.complex64) if dt in _SINGLE else np.dtype(np.complex128)


def _square(a):
    x = _as_array(a)
    _check_stacked(x)
    t, r = _common_type(x)
    return x, t, r


@implements(np.linalg.det)
def det(a) -> Array:
    """Determinant of each matrix, lazy (1 for 0x0 matrices; 0 for singular ones, no error).

    >>> import numpy as np, oxarray as ox
    >>> round(float(np.linalg.det(ox.asarray([[1.0, 2.0], [3.0, 4.0]]))), 12)
    -2.0
    """
    x, t, r = _square(a)
    (d,) = _run("det", [x], t)
    return _cast(d, r)


@implements(np.linalg.slogdet)
def slogdet(a):
    """``SlogdetResult(sign, logabsdet)`` of each matrix; singular matrices give ``(0, -inf)``.

    >>> import numpy as np, oxarray as ox
    >>> sign, logdet = np.linalg.slogdet(ox.asarray([[0.0, 2.0], [3.0, 4.0]]))
    >>> float(sign), round(float(logdet), 6)
    (-1.0, 1.791759)
    """
    x, t, r = _square(a)
    sign, logdet = _run("slogdet", [x], t)
    return _named(SlogdetResult, _cast(sign, r), _cast(logdet, _real(r)))


@implements(np.linalg.inv)
def inv(a) -> Array:
    """Inverse of each matrix; ``compute()`` raises ``LinAlgError("Singular matrix")`` when a
    pivot of the LU is exactly zero, as LAPACK does for NumPy.

    >>> import numpy as np, oxarray as ox
    >>> np.linalg.inv(ox.asarray([[2.0, 0.0], [0.0, 4.0]])).compute()
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    x, t, r = _square(a)
    (out,) = _run("inv", [x], t)
    return _cast(out, r)


def _shape_str(shape) -> str:
    return "(" + ",".join(str(s) for s in shape) + ")"


@implements(np.linalg.solve)
def solve(a, b) -> Array:
    """``x`` with ``a @ x == b`` per matrix. NumPy 2's rule: ``b`` is a vector only when
    ``b.ndim == 1``; otherwise it is a stack of ``(m, k)`` matrices, and the batch axes of ``a``
    and ``b`` broadcast.

    >>> import numpy as np, oxarray as ox
    >>> np.linalg.solve(ox.asarray([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, 1.0])).compute()
    array([0.5 , 0.25])
    """
    from ._manipulation import broadcast_to

    x, y = _as_array(a), _as_array(b)
    _check_stacked(x)
    t, r = _common_type(x, y)
    m = x.shape[-1]
    vector = y.ndim == 1
    if vector:
        if y.shape[0] != m:
            raise ValueError(f"solve1: Input operand 1 has a mismatch in its core dimension 0, "
                             f"with gufunc signature (m,m),(m)->(m) (size {y.shape[0]} is "
                             f"different from {m})")
        batch = x.shape[:-2]
        y = broadcast_to(y.reshape(m, 1), batch + (m, 1))
    else:
        if y.ndim < 2:
            raise ValueError(f"solve: Input operand 1 does not have enough dimensions (has "
                             f"{y.ndim}, gufunc core with signature (m,m),(m,n)->(m,n) requires 2)")
        if y.shape[-2] != m:
            raise ValueError(f"solve: Input operand 1 has a mismatch in its core dimension 0, "
                             f"with gufunc signature (m,m),(m,n)->(m,n) (size {y.shape[-2]} is "
                             f"different from {m})")
        try:
            batch = np.broadcast_shapes(x.shape[:-2], y.shape[:-2])
        except ValueError:
            remap = " ".join(f"{_shape_str(s.shape)}->{_shape_str(s.shape[:-2] + ('newaxis',) * 2)}"
                             for s in (x, y))
            raise ValueError(f"operands could not be broadcast together with remapped shapes "
                             f"[original->remapped]: {remap}  and requested shape "
                             f"{_shape_str((m, y.shape[-1]))}") from None
        y = broadcast_to(y, batch + y.shape[-2:])
    x = broadcast_to(x, batch + (m, m))
    (out,) = _run("solve", [x, y], t)
    if vector:
        out = out.reshape(batch + (m,))
    return _cast(out, r)


@implements(np.linalg.cholesky)
def cholesky(a, /, *, upper=False) -> Array:
    """Cholesky factor of each Hermitian positive-definite matrix: ``L`` (lower, from the lower
    triangle) or with ``upper=True`` ``U = L^H`` (from the upper triangle), as NumPy 2;
    ``compute()`` raises ``LinAlgError("Matrix is not positive definite")``.

    >>> import numpy as np, oxarray as ox
    >>> np.linalg.cholesky(ox.asarray([[4.0, 2.0], [2.0, 5.0]])).compute()
    array([[2., 0.],
           [1., 2.]])
    """
    x, t, r = _square(a)
    (out,) = _run("cholesky", [x], t, upper=bool(upper))
    return _cast(out, r)


def _uplo(UPLO) -> bool:
    u = UPLO.upper() if isinstance(UPLO, str) else UPLO
    if u not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return u == "U"


@implements(np.linalg.eigh)
def eigh(a, UPLO="L"):
    """``EighResult(eigenvalues, eigenvectors)`` of Hermitian matrices: real eigenvalues in
    ascending order, eigenvectors as columns; only the ``UPLO`` triangle is read.

    >>> import numpy as np, oxarray as ox
    >>> w, v = np.linalg.eigh(ox.asarray([[2.0, 1.0], [1.0, 2.0]]))
    >>> w.compute()
    array([1., 3.])
    """
    upper = _uplo(UPLO)
    x, t, r = _square(a)
    w, v = _run("eigh", [x], t, upper=upper)
    return _named(EighResult, _cast(w, _real(r)), _cast(v, r))


@implements(np.linalg.eigvalsh)
def eigvalsh(a, UPLO="L") -> Array:
    """Eigenvalues of Hermitian matrices, real and ascending (only the ``UPLO`` triangle is read).

    >>> import numpy as np, oxarray as ox
    >>> np.linalg.eigvalsh(ox.asarray([[2.0, 1.0], [1.0, 2.0]])).compute()
    array([1., 3.])
    """
    upper = _uplo(UPLO)
    x, t, r = _square(a)
    (w,) = _run("eigvalsh", [x], t, upper=upper)
    return _cast(w, _real(r))


@implements(np.linalg.eig)
def eig(a):
    """``EigResult(eigenvalues, eigenvectors)`` of general matrices (eigenvectors as columns, of
    unit norm with their largest component real, as LAPACK's ``geev`` leaves them).

    Difference from NumPy: the results are always complex (complex64 for float32/complex64
    input, complex128 otherwise). NumPy returns a real array when every eigenvalue of a real
    matrix is real, but that depends on the values and a lazy array's dtype is fixed when it is
    built (Dask does not offer ``eig`` at all). Take ``.real`` when you know the spectrum is real.
    The order of the eigenvalues is not defined (as in NumPy) and may differ from NumPy's.
    ``compute()`` raises ``LinAlgError("Array must not contain infs or NaNs")`` as NumPy does.

    >>> import numpy as np, oxarray as ox
    >>> w, v = np.linalg.eig(ox.asarray([[0.0, -1.0], [1.0, 0.0]]))
    >>> sorted(w.compute().tolist(), key=lambda z: z.imag)
    [-1j, 1j]
    """
    x, t, r = _square(a)
    w, v = _run("eig", [x], t)
    c = _complex(r)
    return _named(EigResult, _cast(w, c), _cast(v, c))


@implements(np.linalg.eigvals)
def eigvals(a) -> Array:
    """Eigenvalues of general matrices, always complex (see :func:`eig` for why).

    >>> import numpy as np, oxarray as ox
    >>> np.linalg.eigvals(ox.asarray([[2.0, 0.0], [0.0, 3.0]])).dtype
    dtype('complex128')
    """
    x, t, r = _square(a)
    (w,) = _run("eigvals", [x], t)
    return _cast(w, _complex(r))


def stacked_svd(x: Array, full_matrices: bool, compute_uv: bool):
    """NumPy's ``svd`` of an array with more than two dimensions (each matrix whole in a chunk)."""
    t, r = _common_type(x)
    if not compute_uv:
        (s,) = _run("svdvals", [x], t)
        return _cast(s, _real(r))
    u, s, vh = _run("svd", [x], t, full=bool(full_matrices))
    return _named(SVDResult, _cast(u, r), _cast(s, _real(r)), _cast(vh, r))


def stacked_qr(x: Array, mode: str):
    """NumPy's ``qr`` (modes reduced, complete, r) of an array with more than two dimensions."""
    t, r = _common_type(x)
    out = [_cast(o, r) for o in _run(f"qr-{mode}", [x], t)]
    return out[0] if mode == "r" else _named(QRResult, *out)
