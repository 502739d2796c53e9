"""xarray workflows on the "oxarray" chunk manager (python/oxarray/_xarray.py), each checked
lazy (the result's ``.data`` is still an ``oxarray.Array`` until ``.compute()``) and equal to
NumPy-backed xarray: Zarr in and out, a time series resampled and grouped, ``apply_ufunc``, and
the chunk manager's own block algorithms (tree reduction, blocked scan, shuffle, blockwise,
store) against NumPy."""

from __future__ import annotations

import functools
import pickle
import warnings

import numpy as np
import pytest

import oxarray as ox

xr = pytest.importorskip("xarray")
pd = pytest.importorskip("pandas")
pytest.importorskip("zarr")

from oxarray._xarray import OxarrayChunkManager  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:All-NaN slice", "ignore:Mean of empty slice",
                                        "ignore:Degrees of freedom")
rng = np.random.default_rng(12)
DATA = rng.standard_normal((48, 5))
WITH_NAN = np.where(rng.random((48, 5)) < 0.3, np.nan, DATA)
CM = OxarrayChunkManager()


def _pair(data=DATA, chunks=10):
    coords = {"time": pd.date_range("2000-01-01", periods=48, freq="6h"),
              "x": np.arange(5) * 10, "label": ("time", np.arange(48) % 3)}
    ref = xr.DataArray(data, dims=("time", "x"), coords=coords, name="v")
    lazy = xr.DataArray(ox.asarray(data, chunks=(chunks, 5)), dims=("time", "x"),
                        coords=coords, name="v")
    return ref, lazy


def _lazy(obj) -> bool:
    return isinstance(obj.variable._data, ox.Array)


def _same(lazy, ref, exact=False):
    """``lazy`` is still lazy, and computes to ``ref``."""
    assert _lazy(lazy), type(lazy.variable._data)
    out = lazy.compute()
    assert isinstance(out.data, np.ndarray)
    if exact:
        xr.testing.assert_identical(out, ref)
    else:
        xr.testing.assert_allclose(out, ref)


def test_load_and_compute_keep_or_replace_the_lazy_data():
    ref, lazy = _pair()
    assert isinstance(lazy.data, ox.Array)
    _same(lazy, ref, exact=True)
    assert isinstance(lazy.data, ox.Array)  # compute() returned a new object
    assert lazy.load() is lazy and isinstance(lazy.data, np.ndarray)
    xr.testing.assert_identical(lazy, ref)


def test_dataset_chunk_puts_every_numeric_variable_on_oxarray():
    ref, _ = _pair()
    ds = xr.Dataset({"v": ref, "w": ref * 2})
    c = ds.chunk({"time": 7}, chunked_array_type="oxarray")
    assert all(isinstance(c[k].data, ox.Array) for k in ("v", "w", "label"))
    assert c["v"].chunks == ((7,) * 6 + (6,), (5,))
    assert isinstance(c.indexes["time"], pd.DatetimeIndex)  # the index stays in memory
    xr.testing.assert_identical(c.compute(), ds)


@pytest.mark.parametrize("method", ["mean", "std", "var", "sum", "min", "max", "median"])
def test_reductions(method):
    ref, lazy = _pair(WITH_NAN)
    _same(getattr(lazy, method)("time"), getattr(ref, method)("time"))
    _same(getattr(lazy, method)(), getattr(ref, method)())


def test_rolling_weighted_groupby_resample():
    ref, lazy = _pair(WITH_NAN)
    _same(lazy.rolling(time=4).mean(), ref.rolling(time=4).mean())
    _same(lazy.rolling(time=3, center=True, min_periods=1).sum(),
          ref.rolling(time=3, center=True, min_periods=1).sum())
    w = xr.DataArray(np.linspace(0.1, 1, 5), dims="x")
    _same(lazy.weighted(w).mean("x"), ref.weighted(w).mean("x"))
    _same(lazy.groupby("label").mean(), ref.groupby("label").mean())
    _same(lazy.groupby("label").std(), ref.groupby("label").std())
    _same(lazy.groupby("time.day").max(), ref.groupby("time.day").max())
    _same(lazy.resample(time="1D").mean(), ref.resample(time="1D").mean())
    _same(lazy.resample(time="2D").sum(), ref.resample(time="2D").sum())
    _same(lazy.groupby("label").first(), ref.groupby("label").first())
    _same(lazy.groupby("label").last(), ref.groupby("label").last())


def test_groupby_by_a_chunked_label_is_xarrays_limit_as_with_dask():
    """xarray groups by a chunked label only through ``flox`` and with the labels given."""
    _, lazy = _pair()
    chunked = lazy.assign_coords(label=lazy.label.chunk(chunked_array_type="oxarray"))
    assert isinstance(chunked.label.data, ox.Array)
    with pytest.raises(ValueError, match="labels"):
        chunked.groupby("label").mean()


def test_shuffle_to_chunks_puts_each_group_in_one_block():
    ref, lazy = _pair()
    sh = lazy.groupby("label").shuffle_to_chunks()
    assert _lazy(sh)
    # every block holds whole groups
    bounds = np.cumsum((0,) + sh.chunks[0])
    labels = sh.label.values
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        for g in np.unique(labels[a:b]):
            assert (labels == g).sum() == (labels[a:b] == g).sum()
    xr.testing.assert_identical(sh.compute().sortby("time"), ref)


def test_apply_ufunc_parallelized():
    ref, lazy = _pair()
    _same(xr.apply_ufunc(np.sin, lazy, dask="parallelized", output_dtypes=[float]), np.sin(ref))
    norms = xr.apply_ufunc(lambda a: np.sqrt((a * a).sum(-1)), lazy, input_core_dims=[["x"]],
                           dask="parallelized", output_dtypes=[float])
    _same(norms, np.sqrt((ref * ref).sum("x")))
    big = xr.apply_ufunc(lambda a: np.repeat(a[..., None], 3, -1), lazy,
                         output_core_dims=[["k"]], dask="parallelized", output_dtypes=[float],
                         dask_gufunc_kwargs={"output_sizes": {"k": 3}})
    assert big.shape == (48, 5, 3)
    _same(big, ref.expand_dims(k=3, axis=-1).transpose("time", "x", "k"))


def test_ffill_and_bfill_compute_in_xarray():
    """xarray takes its blocked ``push`` (our ``scan``) only for Dask arrays; for other chunked
    arrays it calls bottleneck, which converts to NumPy: equal, but not lazy (xarray's limit)."""
    pytest.importorskip("bottleneck")
    ref, lazy = _pair(WITH_NAN, chunks=7)
    xr.testing.assert_allclose(lazy.ffill("time"), ref.ffill("time"))
    xr.testing.assert_allclose(lazy.bfill("time"), ref.bfill("time"))


def test_open_zarr_reads_lazily_and_to_zarr_writes_through_our_store(tmp_path):
    ref, lazy = _pair(WITH_NAN)
    path = str(tmp_path / "a.zarr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.to_dataset().to_zarr(path, encoding={"v": {"chunks": (8, 5)}})
        ds = xr.open_zarr(path, chunked_array_type="oxarray")
        assert isinstance(ds.v.data, ox.Array) and ds.v.chunks == ((8,) * 6, (5,))
        _same(ds.v.mean("x"), ref.mean("x"))
        back = pickle.loads(pickle.dumps(ds.v.data * 2))  # the file source travels by reference
        np.testing.assert_array_equal(back.compute(), WITH_NAN * 2)
        ds2 = xr.open_zarr(path, chunks={"time": 16}, chunked_array_type="oxarray",
                           from_array_kwargs={"name": "v"})
        assert ds2.v.chunks == ((16,) * 3, (5,))
        _same(ds2.v, ref, exact=True)
        # written block by block from the engine's tasks, read back by plain xarray
        out = str(tmp_path / "b.zarr")
        (lazy * 2).to_dataset().to_zarr(out)
        back = xr.open_zarr(out).compute()
        xr.testing.assert_allclose(back.v, ref * 2)
        # DataArray.to_zarr, through the chunk manager's store
        calls = []
        real = OxarrayChunkManager.store

        def spy(self, *a, **k):
            calls.append(len(a[0]))
            return real(self, *a, **k)

        OxarrayChunkManager.store = spy
        try:
            lazy.drop_vars("label").to_zarr(str(tmp_path / "d.zarr"))
        finally:
            OxarrayChunkManager.store = real
        assert calls == [1]
        back = xr.open_dataarray(str(tmp_path / "d.zarr"), engine="zarr")
        xr.testing.assert_allclose(back, ref.drop_vars("label"))
        # (to_zarr(compute=False) needs Dask in xarray: it wraps the writes in dask.delayed)
        ds3 = (lazy + 1).to_dataset().chunk({"time": 8}, chunked_array_type="oxarray")
        ds3.to_zarr(str(tmp_path / "c.zarr"), mode="w")
        xr.testing.assert_allclose(xr.open_zarr(str(tmp_path / "c.zarr")).v.compute(), ref + 1)


def test_a_file_read_stays_lazy_until_computed(tmp_path):
    """``from_array`` of a backend array reads nothing at open: each block reads its region."""
    reads = []

    class Source:
        shape, dtype, ndim = DATA.shape, DATA.dtype, 2

        def __getitem__(self, key):
            reads.append(key)
            return DATA[key]

    x = CM.from_array(Source(), (16, 5))
    assert isinstance(x, ox.Array) and reads == []
    np.testing.assert_array_equal(x.compute(), DATA)
    assert sorted(k[0].start for k in reads) == [0, 16, 32]


# --- the chunk manager's block algorithms, against NumPy --------------------------------------
A = np.where(rng.random((23, 6)) < 0.4, np.nan, rng.standard_normal((23, 6)))


@pytest.mark.parametrize("chunks", [(1, 6), (3, 4), (23, 6), (5, 1)])
@pytest.mark.parametrize("axis", [0, 1, (0, 1), None])
def test_tree_reduction(chunks, axis):
    x = ox.asarray(A, chunks=chunks)
    for keepdims in (False, True):
        r = CM.reduction(x, np.nansum, axis=axis, dtype=float, keepdims=keepdims, split_every=2)
        assert isinstance(r, ox.Array)
        np.testing.assert_allclose(r.compute(), np.nansum(A, axis=axis, keepdims=keepdims))
    r = CM.reduction(x, np.nanmax, aggregate_func=np.nanmax, axis=axis, dtype=float)
    np.testing.assert_allclose(r.compute(), np.nanmax(A, axis=axis))


def test_tree_reduction_bounds_each_task_to_split_every_partials():
    x = ox.asarray(A, chunks=(1, 6))
    seen = []

    def spy(b, axis, keepdims):
        seen.append(b.shape[0])
        return np.nansum(b, axis=axis, keepdims=keepdims)

    r = CM.reduction(x, np.nansum, combine_func=spy, aggregate_func=spy, axis=0, split_every=3)
    np.testing.assert_allclose(r.compute(), np.nansum(A, axis=0))
    assert max(seen) <= 3 and len(seen) > 3


@pytest.mark.parametrize("chunks", [(1, 6), (4, 4), (23, 6)])
@pytest.mark.parametrize("axis", [0, 1])
def test_blocked_scan(chunks, axis):
    x = ox.asarray(np.nan_to_num(A), chunks=chunks)
    s = CM.scan(np.cumsum, np.add, 0.0, x, axis=axis, dtype=float)
    np.testing.assert_allclose(s.compute(), np.cumsum(np.nan_to_num(A), axis=axis))
    p = CM.scan(np.maximum.accumulate, np.maximum, -np.inf, x, axis=axis, dtype=float,
                preop=functools.partial(np.max))
    np.testing.assert_allclose(p.compute(), np.maximum.accumulate(np.nan_to_num(A), axis=axis))


def test_shuffle():
    x = ox.asarray(A, chunks=(6, 3))
    groups = [[0, 5, 7], [1, 2], [], [3, 4, 6, 8, 9, 10], list(range(11, 23))]
    sh = CM.shuffle(x, groups, axis=0, chunks=None)
    assert sh.chunks[0] == (5, 6, 12)
    np.testing.assert_array_equal(sh.compute(), A[np.concatenate(groups).astype(int)])
    sh = CM.shuffle(x.T, groups, axis=-1, chunks=None)
    np.testing.assert_array_equal(sh.compute(), A.T[:, np.concatenate(groups).astype(int)])


def test_blockwise():
    z = np.nan_to_num(A)
    B = rng.standard_normal((6, 5))
    x, y = ox.asarray(z, chunks=(3, 4)), ox.asarray(B, chunks=(4, 2))
    m = CM.blockwise(lambda a, b: a @ b, "ik", x, "ij", y, "jk", dtype=float)
    np.testing.assert_allclose(m.compute(), z @ B)
    u, v = np.arange(5.0), np.arange(7.0)
    o = CM.blockwise(np.multiply.outer, "ij", ox.asarray(u, chunks=2), "i",
                     ox.asarray(v, chunks=3), "j", dtype=float)
    assert o.chunks == ((2, 2, 1), (3, 3, 1))
    np.testing.assert_array_equal(o.compute(), np.multiply.outer(u, v))
    t = CM.blockwise(lambda a: a.T, "ji", x, "ij", dtype=float)
    np.testing.assert_array_equal(t.compute(), z.T)
    c = CM.blockwise(lambda a, k: a * k, "ij", x, "ij", 3.0, None, dtype=float)
    np.testing.assert_array_equal(c.compute(), z * 3)
    r = CM.blockwise(lambda a: a[:, :1], "ij", x, "ij", adjust_chunks={"j": 1}, dtype=float)
    assert r.chunks == ((3,) * 7 + (2,), (1, 1))
    np.testing.assert_array_equal(r.compute(), z[:, [0, 4]])


def test_store_writes_each_block_into_its_region():
    x = ox.asarray(A, chunks=(4, 4))
    target = np.zeros((30, 6))
    CM.store([x, x[:3]], [target, target], regions=[(slice(5, 28), slice(None)),
                                                  (slice(0, 3), slice(None))])
    np.testing.assert_array_equal(target[5:28], A)
    np.testing.assert_array_equal(target[:3], A[:3])
    assert (target[3:5] == 0).all()
    later = np.zeros(A.shape)
    pending = CM.store(x, later, compute=False)
    assert (later == 0).all()
    ox.compute(*pending)
    np.testing.assert_array_equal(later, A)


def test_netcdf_round_trip_through_our_store(tmp_path):
    pytest.importorskip("scipy")
    ref, lazy = _pair(WITH_NAN)
    path = str(tmp_path / "a.nc")
    lazy.drop_vars("label").to_dataset().to_netcdf(path, engine="scipy")
    ds = xr.open_dataset(path, engine="scipy", chunks={"time": 16}, chunked_array_type="oxarray")
    assert ds.v.chunks == ((16,) * 3, (5,))
    _same(ds.v.sum("x"), ref.drop_vars("label").sum("x"))
    ds.close()


def test_map_blocks_with_dropped_and_new_axes():
    x = ox.asarray(A, chunks=(5, 3))
    same = CM.map_blocks(np.negative, x)
    np.testing.assert_array_equal(same.compute(), -A)
    summed = CM.map_blocks(lambda b: b.sum(axis=1), x, drop_axis=1, dtype=float)
    assert summed.chunks == ((5, 5, 5, 5, 3),)
    np.testing.assert_allclose(summed.compute(), A.sum(axis=1))
    twice = CM.map_blocks(lambda b: np.stack([b, 2 * b]), x, new_axis=0, chunks=((2,), (5,) * 4
                          + (3,), (3, 3)), dtype=float)
    assert twice.shape == (2, 23, 6)
    np.testing.assert_array_equal(twice.compute(), np.stack([A, 2 * A]))
    added = CM.map_blocks(lambda a, b, k: a + b + k, x, x, 1.0)
    np.testing.assert_array_equal(added.compute(), 2 * A + 1)


def test_without_dask_oxarray_is_xarrays_chunk_manager(tmp_path):
    try:
        import dask  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("with Dask installed xarray prefers it")
    ref, _ = _pair()
    assert isinstance(ref.chunk({"time": 12}).data, ox.Array)
    path = str(tmp_path / "a.zarr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.to_dataset().to_zarr(path)
        assert isinstance(xr.open_zarr(path).v.data, ox.Array)
