"""Storage throughput: Zarr write and read of oxarray (zarrs, in Rust) against zarr-python driven
by dask.array on the same data, codec (blosc/zstd, shuffle, level 5) and chunks; and ``to_npy`` /
``from_npy`` against ``np.save`` / ``np.load`` of the same memory-mapped source. One process;
every result is checked (the two Zarr stores decode to the same bits, each library reads the
other's store). Never asserts a time; prints ``uptime`` before and after (the machine is shared).

    python bench/storage.py               # 1 GiB of float64
    python bench/storage.py --gib 4       # the 4 GiB case of issue 10
    python bench/storage.py --dir /tmp/x  # where the files go (default: a temporary directory)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time

import numpy as np

import oxarray as ox

COLS = 2**12  # float64 per row: 32 KiB


CPU: dict[str, float] = {}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(f) -> float:
    """Wall seconds of ``f()``; its CPU seconds (every thread of this process, user + system)
    are kept for ``report``: on a loaded machine the wall-clock ratio favours whichever library
    runs more threads, the CPU cost per byte does not."""
    c, t = _cpu(), time.perf_counter()
    f()
    wall = time.perf_counter() - t
    CPU["last"] = _cpu() - c
    return wall


def report(name: str, ox_s: float, other: str, other_s: float, gib: float,
           ox_cpu: float | None = None, other_cpu: float | None = None) -> None:
    print(f"{name:<26} oxarray {ox_s:7.2f} s ({gib / ox_s:5.2f} GiB/s)   "
          f"{other} {other_s:7.2f} s ({gib / other_s:5.2f} GiB/s)   ratio {other_s / ox_s:5.2f}x")
    if ox_cpu is not None and other_cpu is not None:
        print(f"{'':<26} CPU s: oxarray {ox_cpu:7.2f}   {other} {other_cpu:7.2f}   "
              f"ratio {other_cpu / max(ox_cpu, 1e-9):5.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=1.0)
    ap.add_argument("--chunk-mib", type=int, default=16)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    import dask
    import dask.array as da
    import zarr
    from zarr.codecs import BloscCodec

    rows = int(args.gib * 2**30) // (COLS * 8)
    crow = args.chunk_mib * 2**20 // (COLS * 8)
    gib = rows * COLS * 8 / 2**30
    base = args.dir or tempfile.mkdtemp(prefix="oxbench-")
    os.makedirs(base, exist_ok=True)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"{gib:.2f} GiB float64 ({rows} x {COLS}), chunks ({crow}, {COLS}), blosc zstd 5 shuffle,"
          f" in {base}; dask {dask.__version__}, zarr {zarr.__version__}")
    src = os.path.join(base, "src.npy")
    # The same data for both: a .npy written once by oxarray, read by each library.
    ox.random.default_rng(0).random((rows, COLS), chunks=(crow, COLS)).to_npy(src)

    p_ox, p_da = os.path.join(base, "ox.zarr"), os.path.join(base, "da.zarr")
    w_ox = timed(lambda: ox.from_npy(src, chunks=(crow, COLS)).to_zarr(
        p_ox, chunks=(crow, COLS), codec="blosc", overwrite=True))
    c_w_ox = CPU["last"]

    def dask_write():
        z = zarr.create_array(store=p_da, shape=(rows, COLS), chunks=(crow, COLS), dtype="f8",
                              compressors=BloscCodec(cname="zstd", clevel=5, shuffle="shuffle"),
                              overwrite=True)
        d = da.from_array(np.load(src, mmap_mode="r"), chunks=(crow, COLS))
        da.store(d, z, lock=False, scheduler="threads")

    w_da = timed(dask_write)
    report("zarr write", w_ox, "zarr-python+dask", w_da, gib, c_w_ox, CPU["last"])

    got = {}
    r_ox = timed(lambda: got.__setitem__("ox", float(ox.from_zarr(p_ox).sum().compute())))
    c_r_ox = CPU["last"]
    r_da = timed(lambda: got.__setitem__("da", float(da.from_zarr(p_ox).sum().compute(
        scheduler="threads"))))
    report("zarr read + sum", r_ox, "zarr-python+dask", r_da, gib, c_r_ox, CPU["last"])
    report("zarr write + read + sum", w_ox + r_ox, "zarr-python+dask", w_da + r_da, gib)
    same = not bool((ox.from_zarr(p_ox) != ox.from_zarr(p_da)).any().compute())
    same = same and not bool((ox.from_zarr(p_ox) != ox.from_npy(src)).any().compute())
    close = np.isclose(got["ox"], got["da"], rtol=1e-12)
    print(f"bit-identical stores (each other and the source): {same}; sums agree: {close}")

    # Only one .npy written at a time (the disk holds the source and one copy).
    shutil.rmtree(p_ox, ignore_errors=True)
    shutil.rmtree(p_da, ignore_errors=True)
    # The same memory-mapped source for both writers.
    p_npy = os.path.join(base, "out.npy")
    t_np = timed(lambda: np.save(p_npy, np.load(src, mmap_mode="r")))
    c_np = CPU["last"]
    r_np = timed(lambda: np.load(p_npy).sum())
    with open(p_npy, "rb") as f:
        head = f.read(1 << 20)
    os.remove(p_npy)
    t_ox = timed(lambda: ox.from_npy(src).to_npy(p_npy))
    c_ox = CPU["last"]
    r_ox = timed(lambda: ox.from_npy(p_npy).sum().compute())
    report("to_npy / np.save", t_ox, "numpy", t_np, gib, c_ox, c_np)
    report("from_npy+sum / np.load", r_ox, "numpy", r_np, gib)
    with open(p_npy, "rb") as f:
        same_npy = f.read(1 << 20) == head
    print(f"first MiB of the two .npy files identical: {same_npy}")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.dir is None:
        shutil.rmtree(base, ignore_errors=True)
    if not (same and close and same_npy):
        raise SystemExit("results differ")


if __name__ == "__main__":
    main()
