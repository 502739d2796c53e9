"""The seed walkthrough: NumPy's SVD on a lazy chunked oxarray array (TSQR, in Rust on faer).

Run it with `make demo` (or `python examples/svd.py`). It builds the SVD lazily, draws its task
graph, computes it, checks it against NumPy and compares the time. Exits non-zero if a check fails.
"""

import sys
import time

import numpy as np

import oxarray as ox

# The walkthrough, exactly as a user writes it.
x = ox.random.random((5000, 1000), chunks=(1000, 1000))
u, s, v = np.linalg.svd(x)          # NEP 18 -> oxarray; lazy
print("u =", repr(u))
print("s =", repr(s))
print("v =", repr(v))
assert (u.shape, s.shape, v.shape) == ((5000, 1000), (1000,), (1000, 1000))

# A picture of the TSQR graph: block QRs, the tree over stacked R factors, the small SVD, and the
# products that carry U back down to the row blocks.
picture = v.visualize("svd.svg")
print(f"wrote {picture.path}: {picture!r}")

start = time.perf_counter()
result = v.compute()                # numpy.ndarray
print(f"v.compute(): {type(result).__name__} {result.shape} in {time.perf_counter() - start:.2f} s")

# All three factors in one run: the decomposition is shared, not repeated per output.
start = time.perf_counter()
U, S, V = ox.compute(u, s, v)
ox_seconds = time.perf_counter() - start
print("plan of ox.compute(u, s, v):")
print(ox._core.explain([u._node, s._node, v._node]))

a = x.compute()
start = time.perf_counter()
s_np = np.linalg.svd(a, full_matrices=False)[1]
np_seconds = time.perf_counter() - start

checks = {
    "u @ diag(s) @ v reconstructs x": np.allclose(U @ np.diag(S) @ V, a, atol=1e-10),
    "s equals np.linalg.svd(x.compute())[1]": np.allclose(S, s_np, rtol=1e-10, atol=1e-10),
    "u has orthonormal columns": np.allclose(U.T @ U, np.eye(1000), atol=1e-10),
    "v has orthonormal rows": np.allclose(V @ V.T, np.eye(1000), atol=1e-10),
}
for name, ok in checks.items():
    print(f"  [{'ok' if ok else 'FAILED'}] {name}")
print(f"oxarray svd (u, s, v): {ox_seconds:.2f} s; numpy.linalg.svd(full_matrices=False): "
      f"{np_seconds:.2f} s; ratio {ox_seconds / np_seconds:.2f}x NumPy's time")
sys.exit(0 if all(checks.values()) else 1)
