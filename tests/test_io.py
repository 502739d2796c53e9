"""np.save / savez / savez_compressed / savetxt of Arrays, memory sharing, min_scalar_type."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oxarray as ox
from oxarray.testing import arrays, chunkings, dtypes, shapes


@given(data=st.data())
def test_save_writes_numpys_file(tmp_path_factory, data):
    dtype = data.draw(dtypes())
    shape = data.draw(shapes(max_dims=3, max_side=5))
    a = data.draw(arrays(dtype, shape))
    x = ox.from_array(a, chunks=data.draw(chunkings(shape)))
    d = tmp_path_factory.mktemp("save")
    np.save(d / "ox.npy", x)
    np.save(d / "np.npy", a)
    assert (d / "ox.npy").read_bytes() == (d / "np.npy").read_bytes()
    np.testing.assert_array_equal(np.load(d / "ox.npy"), a)


def test_save_appends_suffix_and_file_objects(tmp_path):
    x = ox.arange(10, chunks=3) * 2
    np.save(tmp_path / "a", x)
    assert (tmp_path / "a.npy").exists()
    with open(tmp_path / "b.npy", "wb") as f:
        np.save(f, x)
    np.testing.assert_array_equal(np.load(tmp_path / "b.npy"), np.arange(10) * 2)


@pytest.mark.parametrize("fn", [np.savez, np.savez_compressed])
def test_savez(tmp_path, fn):
    x = ox.arange(6.0, chunks=4).reshape(2, 3)
    y = x.sum(axis=0)
    plain = np.array([1, 2])
    fn(tmp_path / "ox", x, plain, total=y, other=[1.5])
    fn(tmp_path / "np", x.compute(), plain, total=y.compute(), other=[1.5])
    with np.load(tmp_path / "ox.npz") as got, np.load(tmp_path / "np.npz") as want:
        assert sorted(got.files) == sorted(want.files) == ["arr_0", "arr_1", "other", "total"]
        for k in want.files:
            np.testing.assert_array_equal(got[k], want[k])
            assert got[k].dtype == want[k].dtype


@pytest.mark.parametrize("kw", [{}, {"fmt": "%d", "delimiter": ","}, {"header": "h", "footer": "f"},
                                {"fmt": "%.3f", "newline": ";"}])
def test_savetxt(tmp_path, kw):
    a = np.arange(12).reshape(3, 4)
    x = ox.asarray(a, chunks=2)
    np.savetxt(tmp_path / "ox.txt", x, **kw)
    np.savetxt(tmp_path / "np.txt", a, **kw)
    assert (tmp_path / "ox.txt").read_text() == (tmp_path / "np.txt").read_text()
    with pytest.raises(ValueError):
        np.savetxt(tmp_path / "bad.txt", ox.ones((2, 2, 2)))


def test_memory_sharing_is_false_unless_the_same_array():
    x = ox.arange(4)
    assert np.may_share_memory(x, x) and np.shares_memory(x, x)
    assert not np.may_share_memory(x, x[1:])
    assert not np.shares_memory(x, x.copy())
    assert not np.may_share_memory(x, np.arange(4))
    e = ox.zeros(0)
    assert np.may_share_memory(e, e) == np.may_share_memory(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError):
        np.shares_memory(x, x, max_work=1.5)


@pytest.mark.parametrize("value", [3, -3, 300, 70000, 1.5, 1e300, 2.5j, True, -2**40])
def test_min_scalar_type(value):
    a = np.array(value)
    assert np.min_scalar_type(ox.asarray(a)) == np.min_scalar_type(a)  # 0-d: by value
    b = np.array([value, value])
    assert np.min_scalar_type(ox.asarray(b)) == np.min_scalar_type(b)  # by dtype, no compute
