"""NumPy-oracle test helpers for oxarray (and for code built on it).

``assert_eq`` compares an oxarray result with what NumPy computes on the same data and checks that the
lazy metadata (shape, dtype, chunk grid) agrees with what compute() delivers; the hypothesis strategies
draw the dtypes, shapes, irregular chunkings, data and axes that the differential tests need.
"""

from ._assertions import assert_chunks_valid, assert_eq, default_tolerance
from ._strategies import (
    SUPPORTED_DTYPES,
    arrays,
    axes,
    chunk_specs,
    chunked_arrays,
    chunkings,
    dtypes,
    shapes,
)

__all__ = [
    "SUPPORTED_DTYPES",
    "arrays",
    "assert_chunks_valid",
    "assert_eq",
    "axes",
    "chunk_specs",
    "chunked_arrays",
    "chunkings",
    "default_tolerance",
    "dtypes",
    "shapes",
]
