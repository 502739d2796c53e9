"""The coverage report (``python -m oxarray.coverage``): every function NumPy lets us override is
implemented, excluded with a reason, or listed as not yet; the report runs and adds up."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

import oxarray as ox
from oxarray import coverage
from oxarray.testing import assert_eq


def test_every_overridable_function_is_accounted_for():
    r = coverage.function_report()
    assert r.unlisted == [], (
        "NumPy functions neither implemented nor listed in oxarray.coverage (EXCLUDED or NOT_YET): "
        + ", ".join(r.unlisted))
    assert all(why for why in r.excluded.values())
    assert len(r.implemented) > 150


def test_ufunc_methods_are_probed_without_computing():
    methods = coverage.method_report()
    assert methods["add"]["__call__"] and methods["add"]["reduce"]
    assert "reduce" not in methods["sin"]  # NumPy has no reduce for a unary ufunc
    assert methods["sin"]["__call__"]


def test_module_prints_the_totals():
    out = subprocess.run([sys.executable, "-m", "oxarray.coverage"], capture_output=True,
                         text=True, check=True).stdout
    assert "overridable functions" in out and "implemented by oxarray" in out
    assert "ufunc methods" in out and "Excluded (reason)" in out


def test_small_dtype_functions_are_metadata_only():
    a = np.arange(6.0).reshape(2, 3)
    x = ox.asarray(a, chunks=1)
    for v, w in ((x, a), (x.astype("complex64"), a.astype("complex64"))):
        assert np.iscomplexobj(v) == np.iscomplexobj(w)
        assert np.isrealobj(v) == np.isrealobj(w)
    assert np.common_type(x, x.astype("float32")) is np.common_type(a, a.astype("float32"))
    assert np.common_type(x.astype("int8")) is np.common_type(a.astype("int8"))
    c = np.copy(x)
    assert isinstance(c, ox.Array) and c is not x
    assert_eq(c, a)
    assert_eq(ox.copy(a), a)
