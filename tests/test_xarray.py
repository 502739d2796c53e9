"""xarray over oxarray Arrays (python/oxarray/_xarray.py, the "oxarray" chunk manager): loading,
chunking a Dataset, apply_ufunc with dask="parallelized", and xarray's own reductions, rolling,
weighted and groupby staying lazy and equal to NumPy-backed xarray."""

import pickle

import numpy as np
import pytest

import oxarray as ox

xr = pytest.importorskip("xarray")

rng = np.random.default_rng(0)
DATA = rng.standard_normal((12, 5))


def _pair(chunks=(4, 5)):
    coords = {"time": np.arange(12), "x": np.arange(5) * 10}
    ref = xr.DataArray(DATA, dims=("time", "x"), coords=coords, name="v")
    lazy = xr.DataArray(ox.asarray(DATA, chunks=chunks), dims=("time", "x"), coords=coords,
                        name="v")
    return ref, lazy


def _is_lazy(da) -> bool:
    return isinstance(da.variable._data, ox.Array)


def test_chunk_manager_is_registered():
    from xarray.namedarray.parallelcompat import list_chunkmanagers

    assert "oxarray" in list_chunkmanagers()


def test_load_and_compute():
    ref, lazy = _pair()
    assert _is_lazy(lazy) and lazy.chunks == ((4, 4, 4), (5,))
    out = lazy.compute()
    assert isinstance(out.data, np.ndarray) and _is_lazy(lazy)
    xr.testing.assert_identical(out, ref)
    lazy.load()
    assert isinstance(lazy.data, np.ndarray)
    xr.testing.assert_identical(lazy, ref)


def test_dataset_chunk_with_oxarray():
    ref, _ = _pair()
    ds = xr.Dataset({"v": ref, "w": ref * 2})
    c = ds.chunk({"time": 5}, chunked_array_type="oxarray")
    assert isinstance(c["v"].data, ox.Array)
    assert c["v"].chunks == ((5, 5, 2), (5,))
    c2 = c.chunk({"time": 3})
    assert c2["w"].data.chunks == ((3, 3, 3, 3), (5,))
    xr.testing.assert_identical(c2.compute(), ds)
    p = c.persist()
    assert isinstance(p["v"].data, ox.Array)
    xr.testing.assert_identical(p.compute(), ds)


@pytest.mark.parametrize("method", ["mean", "std", "sum", "max", "median"])
def test_reductions_stay_lazy_and_equal(method):
    ref, lazy = _pair()
    kw = {"dim": "time"}
    out = getattr(lazy, method)(**kw)
    assert _is_lazy(out)
    xr.testing.assert_allclose(out.compute(), getattr(ref, method)(**kw))


def test_rolling_weighted_groupby():
    ref, lazy = _pair()
    r = lazy.rolling(time=3).mean()
    assert _is_lazy(r)
    xr.testing.assert_allclose(r.compute(), ref.rolling(time=3).mean())
    w = xr.DataArray(np.linspace(0.1, 1, 5), dims="x")
    wm = lazy.weighted(w).mean("x")
    assert _is_lazy(wm)
    xr.testing.assert_allclose(wm.compute(), ref.weighted(w).mean("x"))
    labels = xr.DataArray(np.arange(12) % 3, dims="time", name="g")
    g = lazy.groupby(labels).mean()
    assert _is_lazy(g)
    xr.testing.assert_allclose(g.compute(), ref.groupby(labels).mean())


def test_arithmetic_and_where_stay_lazy():
    ref, lazy = _pair()
    out = (lazy * 2 + 1).where(lazy > 0)
    assert _is_lazy(out)
    xr.testing.assert_allclose(out.compute(), (ref * 2 + 1).where(ref > 0))


def test_apply_ufunc_parallelized():
    ref, lazy = _pair()
    out = xr.apply_ufunc(np.exp, lazy, dask="parallelized", output_dtypes=[float])
    assert _is_lazy(out)
    xr.testing.assert_allclose(out.compute(), np.exp(ref))

    def norm(a):
        return np.sqrt((a * a).sum(axis=-1))

    out = xr.apply_ufunc(norm, lazy, input_core_dims=[["x"]], dask="parallelized",
                         output_dtypes=[float])
    assert _is_lazy(out)
    xr.testing.assert_allclose(out.compute(), xr.apply_ufunc(norm, ref,
                                                             input_core_dims=[["x"]]))
    two = xr.apply_ufunc(np.add, lazy, ref.isel(time=0), dask="parallelized",
                         output_dtypes=[float])
    xr.testing.assert_allclose(two.compute(), ref + ref.isel(time=0))


def test_apply_ufunc_core_dim_in_many_chunks_raises():
    _, lazy = _pair(chunks=(4, 2))
    with pytest.raises(ValueError, match="multiple chunks"):
        xr.apply_ufunc(np.sort, lazy, input_core_dims=[["x"]], output_core_dims=[["x"]],
                       dask="parallelized", output_dtypes=[float])


def test_quantile_sortby_and_copies():
    ref, lazy = _pair()
    # As with Dask, the quantile's core dimension must be one chunk.
    q = lazy.chunk({"time": -1}).quantile([0.25, 0.75], dim="time")
    xr.testing.assert_allclose(q.compute(), ref.quantile([0.25, 0.75], dim="time"))
    key = xr.DataArray(rng.permutation(12), dims="time")
    xr.testing.assert_allclose(lazy.sortby(key).compute(), ref.sortby(key))
    d = lazy.copy(deep=True)
    assert _is_lazy(d)
    xr.testing.assert_identical(d.compute(), ref)
    back = pickle.loads(pickle.dumps(lazy))
    assert _is_lazy(back)
    xr.testing.assert_identical(back.compute(), ref)


def test_ffill_through_scan():
    pytest.importorskip("bottleneck")
    a = DATA.copy()
    a[2:5, 1] = np.nan
    ref = xr.DataArray(a, dims=("time", "x"))
    lazy = xr.DataArray(ox.asarray(a, chunks=(4, 5)), dims=("time", "x"))
    xr.testing.assert_allclose(lazy.ffill("time").compute(), ref.ffill("time"))


def test_full_like_and_first():
    ref, lazy = _pair()
    z = xr.zeros_like(lazy)
    assert _is_lazy(z)
    xr.testing.assert_identical(z.compute(), xr.zeros_like(ref))
    labels = xr.DataArray(np.arange(12) // 4, dims="time", name="g")
    first = lazy.groupby(labels).first()
    assert _is_lazy(first)
    xr.testing.assert_allclose(first.compute(),
                               ref.groupby(labels).first())


def test_to_netcdf_like_store(tmp_path):
    ref, lazy = _pair()
    target = np.zeros(DATA.shape)
    from oxarray._xarray import OxarrayChunkManager

    OxarrayChunkManager().store([lazy.data], [target])
    np.testing.assert_array_equal(target, DATA)
