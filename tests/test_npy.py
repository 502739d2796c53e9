"""``.npy`` files: ``ox.from_npy`` (memory-mapped, lazy) and the streamed writers (``to_npy``,
``np.save``, ``np.savez``, ``np.savez_compressed``, ``np.savetxt``), against NumPy's own."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray import testing as oxst
from oxarray.testing import assert_eq

SETTINGS = settings(max_examples=40, deadline=None)


def leftovers(d) -> list[str]:
    return [n for n in os.listdir(d) if "partial" in n]


@SETTINGS
@given(oxst.chunked_arrays(), st.sampled_from(["C", "F"]), st.booleans())
@example((np.array(1.5), ()), "C", False)
@example((np.zeros((0, 3), np.int16), ((0,), (3,))), "F", True)
def test_from_npy_matches_np_load(tmp_path_factory, a_chunks, order, big):
    a, chunks = a_chunks
    if big and a.dtype.itemsize > 1:
        a = a.astype(a.dtype.newbyteorder(">"))
    p = tmp_path_factory.mktemp("npy") / "a.npy"
    np.save(p, np.asarray(a, order=order))
    x = ox.from_npy(p, chunks=chunks)
    assert x.chunks == chunks
    assert_eq(x, np.load(p).astype(a.dtype.newbyteorder("=")))


@SETTINGS
@given(oxst.chunked_arrays())
def test_to_npy_is_np_save_byte_for_byte(tmp_path_factory, a_chunks):
    a, chunks = a_chunks
    d = tmp_path_factory.mktemp("npy")
    x = ox.asarray(a, chunks=chunks)
    x.to_npy(d / "ox.npy")
    np.save(d / "np.npy", a)
    assert (d / "ox.npy").read_bytes() == (d / "np.npy").read_bytes()
    assert leftovers(d) == []


def test_header_versions_and_long_headers(tmp_path):
    a = np.arange(12.0).reshape(3, 4)
    for version in [(1, 0), (2, 0), (3, 0)]:
        p = tmp_path / f"v{version[0]}.npy"
        with open(p, "wb") as f:
            np.lib.format.write_array(f, a, version=version)
        assert_eq(ox.from_npy(p, chunks=2), a)
    # Many axes: NumPy's header grows; our writer matches it.
    b = np.zeros((1,) * 30 + (2,), np.uint8)
    ox.asarray(b).to_npy(tmp_path / "deep.npy")
    np.save(tmp_path / "deep_np.npy", b)
    assert (tmp_path / "deep.npy").read_bytes() == (tmp_path / "deep_np.npy").read_bytes()


def test_from_npy_is_lazy_and_reads_only_what_it_needs(tmp_path):
    a = np.arange(40.0).reshape(8, 5)
    np.save(tmp_path / "a.npy", a)
    x = ox.from_npy(tmp_path / "a.npy", chunks=(2, 5))
    assert x.chunks == ((2, 2, 2, 2), (5,))
    assert_eq(np.sum(x[2:4], axis=1), a[2:4].sum(axis=1))
    assert_eq((x * 2 + 1).T, (a * 2 + 1).T)


def test_np_save_paths_and_file_objects(tmp_path):
    a = np.arange(30, dtype=np.int32).reshape(5, 6)
    x = ox.asarray(a, chunks=(2, 4)) + 1
    np.save(str(tmp_path / "noext"), x)  # NumPy appends .npy
    assert_eq(np.load(tmp_path / "noext.npy"), a + 1)
    with open(tmp_path / "f.bin", "wb") as f:  # a real file: positioned writes after a prefix
        f.write(b"prefix")
        np.save(f, x)
        np.save(f, x[:1])
    with open(tmp_path / "f.bin", "rb") as f:
        assert f.read(6) == b"prefix"
        assert_eq(np.load(f), a + 1)
        assert_eq(np.load(f), (a + 1)[:1])
    buf = io.BytesIO()  # no file descriptor: written in order
    np.save(buf, x)
    buf.seek(0)
    assert_eq(np.load(buf), a + 1)
    ref = io.BytesIO()
    np.save(ref, a + 1)
    assert buf.getvalue() == ref.getvalue()


@pytest.mark.parametrize("compressed", [False, True])
def test_savez_streams_members(tmp_path, compressed):
    a = np.arange(20.0).reshape(4, 5)
    x = ox.asarray(a, chunks=(1, 2))
    fn = np.savez_compressed if compressed else np.savez
    fn(tmp_path / "z", x, y=x * 2, plain=np.arange(3))
    with np.load(tmp_path / "z.npz") as z:
        assert sorted(z.files) == ["arr_0", "plain", "y"]
        assert_eq(z["arr_0"], a)
        assert_eq(z["y"], a * 2)
        assert_eq(z["plain"], np.arange(3))
    with zipfile.ZipFile(tmp_path / "z.npz") as zf:
        kind = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
        assert {i.compress_type for i in zf.infolist()} == {kind}
    with pytest.raises(ValueError, match="Cannot use un-named"):
        np.savez(tmp_path / "bad", x, arr_0=x)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("shape", [(7,), (5, 3), (0, 2)])
def test_savetxt_matches_numpy(tmp_path, shape):
    a = np.arange(np.prod(shape), dtype=float).reshape(shape) / 3
    x = ox.asarray(a, chunks=2)
    kw = {"fmt": "%.6g", "delimiter": ",", "header": "h1\nh2", "footer": "end"}
    np.savetxt(tmp_path / "ox.txt", x, **kw)
    np.savetxt(tmp_path / "np.txt", a, **kw)
    assert (tmp_path / "ox.txt").read_text() == (tmp_path / "np.txt").read_text()
    buf = io.StringIO()
    np.savetxt(buf, x)
    ref = io.StringIO()
    np.savetxt(ref, a)
    assert buf.getvalue() == ref.getvalue()


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        ox.from_npy(tmp_path / "missing.npy")
    (tmp_path / "junk.npy").write_bytes(b"not an npy file at all")
    with pytest.raises(ValueError, match="magic"):
        ox.from_npy(tmp_path / "junk.npy")
    np.save(tmp_path / "t.npy", np.arange(100.0))
    data = (tmp_path / "t.npy").read_bytes()
    (tmp_path / "t.npy").write_bytes(data[:-8])
    with pytest.raises(ValueError, match="truncated"):
        ox.from_npy(tmp_path / "t.npy")
    (tmp_path / "h.npy").write_bytes(data[:20])
    with pytest.raises(ValueError, match="header"):
        ox.from_npy(tmp_path / "h.npy")
    h = np.linspace(-7e4, 7e4, 9).astype(np.float16)
    for a in (h, h.astype(">f2")):
        np.save(tmp_path / "f16.npy", a)
        np.testing.assert_array_equal(ox.from_npy(tmp_path / "f16.npy", chunks=4).compute(), a)
    ox.asarray(h, chunks=4).to_npy(tmp_path / "g16.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "g16.npy"), h)
    np.save(tmp_path / "rec.npy", np.zeros(2, dtype=[("a", "i4")]))
    with pytest.raises(TypeError, match="structured"):
        ox.from_npy(tmp_path / "rec.npy")
    with pytest.raises(FileNotFoundError):
        ox.arange(3).to_npy(tmp_path / "no" / "dir" / "a.npy")
    with pytest.raises(TypeError):
        ox.to_npy(np.arange(3), tmp_path / "x.npy")


def test_failed_write_leaves_nothing(tmp_path):
    def f(block):
        if block[0] >= 6:
            raise ZeroDivisionError("chunk 3 fails")
        return block

    x = ox.map_blocks(f, ox.arange(10, chunks=2), shape=(10,), dtype=np.int64,
                      chunks=((2,) * 5,))
    with pytest.raises(ZeroDivisionError, match="chunk 3"):
        x.to_npy(tmp_path / "a.npy")
    with pytest.raises(ZeroDivisionError):
        np.savez(tmp_path / "z.npz", x)
    assert os.listdir(tmp_path) == []
    np.save(tmp_path / "a.npy", np.arange(3))  # an existing file survives a failed overwrite
    with pytest.raises(ZeroDivisionError):
        np.save(tmp_path / "a.npy", x)
    assert_eq(np.load(tmp_path / "a.npy"), np.arange(3))
    assert leftovers(tmp_path) == []


def test_to_npy_streams_in_bounded_memory(tmp_path):
    """512 MiB written in 4 MiB chunks: the process never holds the whole array (peak RSS is
    measured in a child process, against the array's size)."""
    script = textwrap.dedent(f"""
        import resource, numpy as np, oxarray as ox
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        x = ox.random.default_rng(0).random(2**26, chunks=2**19)
        x.to_npy({str(tmp_path / "big.npy")!r})
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * 1024)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    grew = int(out.stdout.strip())
    assert 2**29 < os.path.getsize(tmp_path / "big.npy") < 2**29 + 1024
    assert grew < 2**27, f"peak RSS grew by {grew / 2**20:.0f} MiB writing 512 MiB"
    y = ox.from_npy(tmp_path / "big.npy", chunks=2**22)
    assert_eq(y[-5:], ox.random.default_rng(0).random(2**26, chunks=2**19)[-5:].compute())


@settings(max_examples=25, deadline=None)
@given(oxst.chunked_arrays(shape=oxst.shapes(min_dims=1, max_dims=3, min_side=1)),
       st.sampled_from(["C", "F", ">"]))
def test_npy_to_npy_copies_the_file(tmp_path_factory, a_chunks, layout):
    # A from_npy array written by to_npy: blocks go file to file (C order, native bytes) or
    # through memory (Fortran order, big-endian); the bytes are np.save's either way.
    a, chunks = a_chunks
    d = tmp_path_factory.mktemp("copy")
    src = np.asfortranarray(a) if layout == "F" else a
    if layout == ">" and a.dtype.itemsize > 1:
        src = a.astype(a.dtype.newbyteorder(">"))
    np.save(d / "src.npy", src)
    ox.from_npy(d / "src.npy", chunks=chunks).to_npy(d / "ox.npy")
    np.save(d / "np.npy", a)
    assert (d / "ox.npy").read_bytes() == (d / "np.npy").read_bytes()


def test_npy_sources_pickle(tmp_path):
    import pickle

    a = np.arange(24, dtype="i4").reshape(4, 6)
    np.save(tmp_path / "a.npy", a)
    x = pickle.loads(pickle.dumps(ox.from_npy(tmp_path / "a.npy", chunks=(3, 4))[1:] - 1))
    assert_eq(x, a[1:] - 1)
