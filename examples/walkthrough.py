"""A walkthrough of oxarray: ordinary NumPy code on lazy, chunked arrays whose engine is Rust.

Run it with `make demo` (or `python examples/walkthrough.py`). It builds a few expressions
lazily, shows what oxarray knows before computing anything, computes them, checks every result
against NumPy and compares the time. It exits non-zero if a check fails.
"""

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import oxarray as ox

# 1. Data. `ox.asarray` copies a NumPy array into Rust-owned chunks of 1000 x 1000 (so a later
#    change to `a` cannot race with a compute). This is the only step that touches data eagerly.
a = np.random.default_rng(0).random((4000, 3000))
x = ox.asarray(a, chunks=(1000, 1000))
print("x =", repr(x))

# 2. NumPy calls on an oxarray.Array are lazy. Operators and ufuncs go through NEP 13
#    (`__array_ufunc__`), functions such as np.mean and np.concatenate through NEP 18
#    (`__array_function__`). Shapes, dtypes and chunks are known at once; nothing is computed.
y = np.sqrt(x * x + 1) - 2 * x
m = np.mean(y, axis=0, keepdims=True)
z = np.concatenate([x, x.T[:, :3000]], axis=0)[::2, 5:]
print("y =", repr(y))
print("m =", repr(m))
print("z =", repr(z))

# 3. The plan. At compute time the five elementwise ops of `y` become one fused program per
#    chunk, so the intermediates (x*x, x*x+1, ...) never leave the CPU cache.
print("\ny.explain():")
print(y.explain())

# 4. Compute. `ox.compute(m, z)` runs both in one pass over the graph (work they share is done
#    once) on all cores, with the GIL released, and returns plain numpy.ndarrays.
m_ox, z_ox = ox.compute(m, z)


# 5. Check the results against NumPy, which computes the same thing eagerly: same values (up to
#    rounding) and the same dtype.
def with_numpy():
    y = np.sqrt(a * a + 1) - 2 * a
    m = np.mean(y, axis=0, keepdims=True)
    z = np.concatenate([a, a.T[:, :3000]], axis=0)[::2, 5:]
    return y, m, z


def check(name: str, got: np.ndarray, expected: np.ndarray) -> bool:
    try:
        assert isinstance(got, np.ndarray), f"expected a numpy.ndarray, got {type(got)}"
        assert got.dtype == expected.dtype, f"dtype {got.dtype} != {expected.dtype}"
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    except AssertionError as e:
        print(f"check {name}: FAILED\n{e}")
        return False
    print(f"check {name}: OK  (shape {got.shape}, dtype {got.dtype})")
    return True


y_np, m_np, z_np = with_numpy()
print()
ok = check("m", m_ox, m_np) & check("z", z_ox, z_np) & check("y", y.compute(), y_np)


# 6. Time the same computation both ways (best of 3 runs each).
def best_time(fn, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


t_ox = best_time(lambda: ox.compute(m, z))
t_np = best_time(with_numpy)
print(
    f"\ntime for m and z: oxarray {t_ox * 1e3:.1f} ms, NumPy {t_np * 1e3:.1f} ms "
    f"(oxarray is {t_np / t_ox:.2f}x as fast)"
)

# 7. Pictures. `visualize` lays the task graph out and draws it as SVG in Rust (no Graphviz);
#    in Jupyter the returned picture shows inline, as does `y` itself (a chunk diagram and a table).
out_dir = Path(tempfile.mkdtemp(prefix="oxarray-walkthrough-"))
picture = y.visualize(str(out_dir / "y.svg"))
print(f"\ntask graph of y: {picture!r}")

sys.exit(0 if ok else 1)
