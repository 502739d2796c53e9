"""Array API consumers on oxarray arrays: scikit-learn (``array_api_dispatch=True``) and SciPy
(``SCIPY_ARRAY_API=1``) take an oxarray Array, compute in our namespace and hand an oxarray Array
back, equal to their NumPy results. Skipped when they are not installed (they are not among the
Makefile's dependencies); each case runs in a subprocess because SciPy reads its switch at import."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import numpy as np, oxarray as ox
rng = np.random.default_rng(0)
A = rng.standard_normal((120, 5)); yv = A @ np.arange(5.0) + 0.1 * rng.standard_normal(120)
X = ox.asarray(A, chunks=(40, 5)); Y = ox.asarray(yv, chunks=40)
def check(got, want):
    assert isinstance(got, ox.Array), type(got)
    np.testing.assert_allclose(got.compute(), want, rtol=1e-6, atol=1e-8)
"""

CASES = {
    "scipy": """
import scipy.special, scipy.stats
check(scipy.special.logsumexp(X, axis=0), scipy.special.logsumexp(A, axis=0))
check(scipy.stats.zscore(X, axis=0), scipy.stats.zscore(A, axis=0))
""",
    "sklearn": """
import warnings, sklearn
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.preprocessing import StandardScaler
warnings.simplefilter("ignore")
sklearn.set_config(array_api_dispatch=True)
check(StandardScaler().fit_transform(X), StandardScaler().fit_transform(A))
pca = PCA(n_components=3, svd_solver="full")
check(abs(pca.fit_transform(X)), abs(PCA(n_components=3, svd_solver="full").fit_transform(A)))
check(Ridge(alpha=1.0, solver="svd").fit(X, Y).coef_, Ridge(alpha=1.0, solver="svd").fit(A, yv).coef_)
check(euclidean_distances(X, X[:10]), euclidean_distances(A, A[:10]))
""",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_consumer_runs_on_oxarray(name):
    pytest.importorskip("scipy")
    if name == "sklearn":
        pytest.importorskip("sklearn")
        pytest.importorskip("array_api_compat")
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    code = textwrap.dedent(PRELUDE) + textwrap.dedent(CASES[name])
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
