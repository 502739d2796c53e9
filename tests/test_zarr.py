"""Zarr v2 and v3: ``ox.from_zarr`` / ``x.to_zarr`` against zarr-python (files written by one are
read by the other), codecs, sharding, chunk grouping, bad input and failed writes."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oxarray as ox
from oxarray import testing as oxst
from oxarray.testing import SUPPORTED_DTYPES, assert_eq

zarr = pytest.importorskip("zarr")

SETTINGS = settings(max_examples=30, deadline=None)


def files_under(path) -> list[str]:
    return [os.path.join(r, f) for r, _, fs in os.walk(path) for f in fs]


def zarr_python_compressors(codec, fmt):
    if codec is None:
        return None
    if fmt == 2:
        import numcodecs

        return {"blosc": numcodecs.Blosc(cname="zstd"), "zstd": numcodecs.Zstd(),
                "gzip": numcodecs.GZip()}[codec]
    from zarr.codecs import BloscCodec, GzipCodec, ZstdCodec

    return {"blosc": BloscCodec(cname="zstd"), "zstd": ZstdCodec(), "gzip": GzipCodec()}[codec]


@SETTINGS
@given(oxst.chunked_arrays(shape=oxst.shapes(min_dims=0, max_dims=3, min_side=1)),
       st.sampled_from([2, 3]), st.sampled_from(["blosc", "zstd", "gzip", None]))
def test_ox_writes_zarr_python_reads(tmp_path_factory, a_chunks, fmt, codec):
    a, chunks = a_chunks
    p = tmp_path_factory.mktemp("z") / "a.zarr"
    ox.asarray(a, chunks=chunks).to_zarr(p, zarr_format=fmt, codec=codec)
    z = zarr.open_array(str(p), mode="r")
    assert z.metadata.zarr_format == fmt
    got = z[...]
    assert got.dtype == a.dtype and got.shape == a.shape
    np.testing.assert_array_equal(got, a)
    assert not [f for f in files_under(p) if "partial" in f]
    assert_eq(ox.from_zarr(p), a)  # and back


@SETTINGS
@given(oxst.chunked_arrays(shape=oxst.shapes(min_dims=1, max_dims=3, min_side=1)),
       st.sampled_from([2, 3]), st.sampled_from(["blosc", "zstd", "gzip", None]),
       st.data())
def test_zarr_python_writes_ox_reads(tmp_path_factory, a_chunks, fmt, codec, data):
    a, _ = a_chunks
    zchunks = tuple(data.draw(st.integers(1, n)) for n in a.shape)
    p = str(tmp_path_factory.mktemp("z") / "a.zarr")
    z = zarr.create_array(store=p, shape=a.shape, chunks=zchunks, dtype=a.dtype,
                          zarr_format=fmt, compressors=zarr_python_compressors(codec, fmt))
    z[...] = a
    x = ox.from_zarr(p)
    # Blocks hold whole Zarr chunks.
    for c, zc, n in zip(x.chunks, zchunks, a.shape, strict=True):
        assert all(b % zc == 0 for b in c[:-1]) and sum(c) == n
    assert_eq(x, a)
    any_chunks = data.draw(oxst.chunkings(a.shape))
    assert_eq(ox.from_zarr(p, chunks=any_chunks), a)


def test_sharded_round_trip(tmp_path):
    a = np.arange(24 * 30, dtype=np.float32).reshape(24, 30)
    x = ox.asarray(a, chunks=(5, 7))  # not aligned: rechunked onto the shards
    x.to_zarr(tmp_path / "s.zarr", chunks=(4, 5), shards=(8, 10))
    z = zarr.open_array(str(tmp_path / "s.zarr"), mode="r")
    assert z.shards == (8, 10) and z.chunks == (4, 5)
    np.testing.assert_array_equal(z[...], a)
    y = ox.from_zarr(tmp_path / "s.zarr")
    assert all(b % 8 == 0 for b in y.chunks[0][:-1])
    assert_eq(y, a)
    # zarr-python's own sharded array.
    p = str(tmp_path / "zp.zarr")
    zp = zarr.create_array(store=p, shape=a.shape, chunks=(3, 5), shards=(6, 10), dtype=a.dtype)
    zp[...] = a
    assert_eq(ox.from_zarr(p)[5:17, 3:], a[5:17, 3:])


def test_lazy_graph_to_zarr_and_explicit_chunks(tmp_path):
    rng = ox.random.default_rng(1)
    x = rng.random((50, 40), chunks=(10, 40)) * 3 - 1
    x.to_zarr(tmp_path / "a.zarr", chunks=(25, 20), codec="zstd")
    z = zarr.open_array(str(tmp_path / "a.zarr"), mode="r")
    assert z.chunks == (25, 20)
    np.testing.assert_array_equal(z[...], x.compute())
    assert_eq(np.mean(ox.from_zarr(tmp_path / "a.zarr")[:, :7], axis=1),
              x.compute()[:, :7].mean(axis=1))


def test_every_dtype_round_trips(tmp_path):
    for dt in SUPPORTED_DTYPES:
        a = (np.arange(12) % 3).astype(dt).reshape(3, 4)
        for fmt in (2, 3):
            p = tmp_path / f"{dt}-{fmt}.zarr"
            ox.asarray(a, chunks=2).to_zarr(p, zarr_format=fmt)
            np.testing.assert_array_equal(zarr.open_array(str(p), mode="r")[...], a)
            assert_eq(ox.from_zarr(p), a)


def test_float16_both_ways(tmp_path):
    a = np.linspace(-70000, 70000, 37).astype(np.float16)
    p = str(tmp_path / "f16.zarr")
    z = zarr.create_array(store=p, shape=a.shape, chunks=(8,), dtype="float16")
    z[:] = a
    np.testing.assert_array_equal(ox.from_zarr(p).compute(), a)
    ox.asarray(a, chunks=10).to_zarr(tmp_path / "g16.zarr", chunks=8)
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "g16.zarr"))[:], a)


def test_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError):
        ox.from_zarr(tmp_path / "missing.zarr")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="Zarr"):
        ox.from_zarr(tmp_path / "empty")
    p = str(tmp_path / "u4.zarr")
    zarr.create_array(store=p, shape=(4,), chunks=(2,), dtype="U4")
    with pytest.raises(TypeError, match="(?i)not support"):
        ox.from_zarr(p)
    x = ox.arange(10, chunks=5)
    x.to_zarr(tmp_path / "a.zarr")
    with pytest.raises(FileExistsError):
        x.to_zarr(tmp_path / "a.zarr")
    x.to_zarr(tmp_path / "a.zarr", overwrite=True, chunks=2)
    with pytest.raises(ValueError, match="chunks"):
        x.to_zarr(tmp_path / "b.zarr", chunks=(2, 2))
    with pytest.raises(ValueError, match="codec"):
        x.to_zarr(tmp_path / "b.zarr", codec="lz77")
    with pytest.raises(ValueError, match="sharding"):
        x.to_zarr(tmp_path / "b.zarr", chunks=2, shards=4, zarr_format=2)
    with pytest.raises(ValueError, match="multiples"):
        x.to_zarr(tmp_path / "b.zarr", chunks=3, shards=4)
    # A corrupt chunk is found when it is read, as a ValueError naming the array.
    chunk = os.path.join(tmp_path, "a.zarr", "c", "1")
    with open(chunk, "wb") as f:
        f.write(b"garbage")
    y = ox.from_zarr(tmp_path / "a.zarr")
    with pytest.raises(ValueError, match=r"a\.zarr.*chunk c/1\b"):
        y.compute()
    assert_eq(ox.from_zarr(tmp_path / "a.zarr", chunks=2)[:2], np.arange(2))


def test_failed_write_leaves_nothing(tmp_path):
    def f(block):
        if block[0] >= 6:
            raise ZeroDivisionError("a later chunk fails")
        return block

    x = ox.map_blocks(f, ox.arange(10, chunks=2), shape=(10,), dtype=np.int64,
                      chunks=((2,) * 5,))
    with pytest.raises(ZeroDivisionError):
        x.to_zarr(tmp_path / "a.zarr", chunks=2)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fmt,codec", [(3, "blosc"), (3, "zstd"), (2, "blosc"), (2, "gzip")])
def test_corrupt_or_truncated_chunk_is_named(tmp_path, fmt, codec):
    p = tmp_path / "a.zarr"
    ox.arange(40.0, chunks=8).to_zarr(p, chunks=8, codec=codec, zarr_format=fmt)
    key = os.path.join("c", "2") if fmt == 3 else "2"
    with open(p / key, "rb") as f:
        good = f.read()
    for bad in (good[: len(good) // 2], b"\x02\x01" + b"\xff" * 30):
        with open(p / key, "wb") as f:
            f.write(bad)
        with pytest.raises(ValueError, match="chunk " + key.replace(os.sep, "/")):
            ox.from_zarr(p).compute()
        # The other chunks still read.
        assert_eq(ox.from_zarr(p, chunks=8)[:16], np.arange(16.0))


@pytest.mark.parametrize("fmt", [2, 3])
def test_blocks_across_blosc_chunks(tmp_path, fmt):
    # Edge chunks, blocks cutting chunks, blocks holding several chunks, a missing chunk
    # (read as the fill value): every path of the chunk decoder against zarr-python's reading.
    a = np.arange(11 * 13, dtype=np.int32).reshape(11, 13) - 50
    p = tmp_path / "b.zarr"
    ox.asarray(a, chunks=(4, 5)).to_zarr(p, chunks=(4, 5), zarr_format=fmt)
    for chunks in [None, (3, 7), (11, 13), (8, 10), (1, 13), (5, 2)]:
        assert_eq(ox.from_zarr(p, chunks=chunks), a)
    os.remove(p / (os.path.join("c", "1", "1") if fmt == 3 else "1.1"))
    want = zarr.open_array(str(p), mode="r")[...]
    assert (want[4:8, 5:10] == 0).all()
    for chunks in [None, (3, 7), (11, 13)]:
        assert_eq(ox.from_zarr(p, chunks=chunks), want)
    z0 = tmp_path / "z0.zarr"
    ox.asarray(np.float64(2.5)).to_zarr(z0, zarr_format=fmt)
    assert_eq(ox.from_zarr(z0), np.float64(2.5))
    assert zarr.open_array(str(z0), mode="r")[()] == 2.5


def test_metadata_is_plain(tmp_path):
    import json

    ox.arange(10, chunks=5).to_zarr(tmp_path / "a.zarr")
    meta = json.loads((tmp_path / "a.zarr" / "zarr.json").read_text())
    assert "_zarrs" not in meta.get("attributes", {})
    assert meta["codecs"][0] == {"name": "bytes", "configuration": {"endian": "little"}}
    ox.arange(10, chunks=5).to_zarr(tmp_path / "b.zarr", zarr_format=2)
    attrs = tmp_path / "b.zarr" / ".zattrs"
    assert not attrs.exists() or "_zarrs" not in json.loads(attrs.read_text())


@pytest.mark.parametrize("fmt,shards", [(3, None), (3, 8), (2, None)])
def test_interrupted_overwrite_leaves_nothing(tmp_path, fmt, shards):
    def f(block):
        if block[0] >= 24:
            raise KeyboardInterrupt  # as a Ctrl-C in the middle of the run
        return block

    p = tmp_path / "a.zarr"
    ox.arange(32, chunks=4).to_zarr(p, chunks=4)
    x = ox.map_blocks(f, ox.arange(32, chunks=4), shape=(32,), dtype=np.int64,
                      chunks=((4,) * 8,))
    with pytest.raises(KeyboardInterrupt):
        x.to_zarr(p, chunks=4, shards=shards, zarr_format=fmt, overwrite=True)
    assert os.listdir(tmp_path) == []


def test_xarray_opens_arrays_written_in_a_group(tmp_path):
    xr = pytest.importorskip("xarray")
    g = str(tmp_path / "g.zarr")
    zarr.open_group(g, mode="w", zarr_format=3)
    a = np.arange(24.0).reshape(4, 6)
    ox.asarray(a, chunks=(2, 3)).to_zarr(os.path.join(g, "v"), dimension_names=("t", "x"))
    ds = xr.open_zarr(g, consolidated=False)
    assert ds["v"].dims == ("t", "x")
    np.testing.assert_array_equal(ds["v"].values, a)
    assert_eq(ox.from_zarr(os.path.join(g, "v")), a)
    with pytest.raises(ValueError, match="dimension_names"):
        ox.asarray(a).to_zarr(tmp_path / "b.zarr", dimension_names=("t",))
    with pytest.raises(ValueError, match="dimension_names"):
        ox.asarray(a).to_zarr(tmp_path / "c.zarr", dimension_names=("t", "x"), zarr_format=2)


# --- to_zarr(region=...) ------------------------------------------------------------------------

def _zarr_python_array(p, shape, chunks, fmt=3, dtype="f8"):
    z = zarr.create_array(store=str(p), shape=shape, chunks=chunks, dtype=dtype, zarr_format=fmt,
                          compressors=zarr_python_compressors("blosc", fmt))
    base = np.arange(np.prod(shape), dtype=dtype).reshape(shape)
    z[...] = base
    return base


@settings(max_examples=25, deadline=None)
@given(st.data(), st.sampled_from([2, 3]))
def test_region_writes_match_zarr_python(tmp_path_factory, data, fmt):
    shape = data.draw(st.tuples(st.integers(1, 12), st.integers(1, 9)))
    zchunks = data.draw(st.tuples(*[st.integers(1, s) for s in shape]))
    starts = [data.draw(st.integers(0, s)) for s in shape]
    stops = [data.draw(st.integers(a, s)) for a, s in zip(starts, shape, strict=True)]
    sub = tuple(b - a for a, b in zip(starts, stops, strict=True))
    xchunks = data.draw(oxst.chunkings(sub))
    d = tmp_path_factory.mktemp("region")
    mine, theirs = d / "ox.zarr", d / "zp.zarr"
    want = _zarr_python_array(mine, shape, zchunks, fmt)
    _zarr_python_array(theirs, shape, zchunks, fmt)
    vals = -np.arange(1, np.prod(sub) + 1, dtype="f8").reshape(sub)
    region = tuple(slice(a, b) for a, b in zip(starts, stops, strict=True))
    ox.asarray(vals, chunks=xchunks).to_zarr(mine, region=region)
    zarr.open_array(str(theirs), mode="r+")[region] = vals
    want[region] = vals
    got = zarr.open_array(str(mine), mode="r")[...]
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, zarr.open_array(str(theirs), mode="r")[...])
    assert not [f for f in files_under(mine) if "partial" in f]


def test_region_forms_sharded_and_lazy(tmp_path):
    p = tmp_path / "s.zarr"
    a = np.zeros((8, 6))
    ox.asarray(a, chunks=(4, 3)).to_zarr(p, chunks=(2, 3), shards=(4, 6))
    x = ox.arange(12.0, chunks=5).reshape(2, 6) + 1  # lazy: computed as it is written
    ox.asarray(x).to_zarr(p, region=slice(3, 5))
    a[3:5] = np.arange(12.0).reshape(2, 6) + 1
    ox.ones((8, 2), dtype="i4").to_zarr(p, region=(..., slice(4, 6)))  # int32 -> float64: safe
    a[:, 4:6] = 1
    np.testing.assert_array_equal(zarr.open_array(str(p), mode="r")[...], a)
    assert_eq(ox.from_zarr(p), a)


def test_region_errors(tmp_path):
    p = tmp_path / "a.zarr"
    ox.zeros((6, 4), chunks=3).to_zarr(p)
    before = zarr.open_array(str(p), mode="r")[...]
    with pytest.raises(ValueError, match="out of bounds"):
        ox.ones((3, 4)).to_zarr(p, region=(slice(4, 7),))
    with pytest.raises(ValueError, match="shape"):
        ox.ones((2, 4)).to_zarr(p, region=(slice(0, 3),))
    with pytest.raises(TypeError, match="float64"):
        ox.ones((3, 4), dtype=complex).to_zarr(p, region=(slice(0, 3),))
    with pytest.raises(ValueError, match="step"):
        ox.ones((3, 4)).to_zarr(p, region=(slice(0, 6, 2),))
    with pytest.raises(IndexError, match="axes"):
        ox.ones((3, 4)).to_zarr(p, region=(slice(0, 3), slice(None), slice(None)))
    with pytest.raises(TypeError, match="slice"):
        ox.ones((3, 4)).to_zarr(p, region=(1,))
    with pytest.raises(ValueError, match="existing array"):
        ox.ones((3, 4)).to_zarr(p, chunks=2, region=(slice(0, 3),))
    with pytest.raises(FileNotFoundError):
        ox.ones((3, 4)).to_zarr(tmp_path / "missing.zarr", region=(slice(0, 3),))
    np.testing.assert_array_equal(zarr.open_array(str(p), mode="r")[...], before)
    # A failed run keeps the array (each chunk old or new), never removes it.
    q = tmp_path / "bad.zarr"
    ox.ones((3, 4), chunks=(1, 4)).to_zarr(q, chunks=(1, 4))
    victim = sorted(f for f in files_under(q) if "zarr.json" not in f)[1]
    with open(victim, "wb") as f:
        f.write(b"not a chunk")
    with pytest.raises(ValueError, match="cannot be decoded"):
        ox.from_zarr(q).to_zarr(p, region=(slice(0, 3),))
    z = zarr.open_array(str(p), mode="r")[...]
    assert z.shape == (6, 4) and set(np.unique(z)) <= {0.0, 1.0}
    assert not [f for f in files_under(p) if "partial" in f]


# --- pickling arrays read from files ------------------------------------------------------------

def test_file_sources_pickle_and_compute_in_a_child(tmp_path):
    import pickle
    import subprocess
    import sys

    a = np.arange(60.0).reshape(6, 10)
    ox.asarray(a, chunks=(2, 5)).to_zarr(tmp_path / "a.zarr")
    np.save(tmp_path / "b.npy", a.T.copy())
    x = ox.from_zarr(tmp_path / "a.zarr")[1:5] + 1
    y = ox.from_npy(tmp_path / "b.npy", chunks=(3, 4)).T[1:5] * 2
    blob = pickle.dumps((x, y))
    assert len(blob) < 4000  # the data stays in the files
    x2, y2 = pickle.loads(blob)
    assert_eq(x2 + y2, a[1:5] + 1 + a[1:5] * 2)
    (tmp_path / "g.pkl").write_bytes(blob)
    code = ("import pickle, sys, numpy as np\n"
            "x, y = pickle.loads(open(sys.argv[1], 'rb').read())\n"
            "np.save(sys.argv[2], (x + y).compute())\n")
    # Another working directory: the sources hold absolute paths.
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "g.pkl"), str(tmp_path / "r.npy")],
                   check=True, cwd="/")
    np.testing.assert_array_equal(np.load(tmp_path / "r.npy"), a[1:5] + 1 + a[1:5] * 2)
