"""scikit-learn on oxarray arrays through the Array API (``array_api_dispatch=True``; SciPy
imported with ``SCIPY_ARRAY_API=1``, which scikit-learn requires): the estimators, metrics and
pairwise functions its documentation lists as Array API compatible fit on oxarray Arrays, hand
back oxarray Arrays (fitted attributes too) and equal their NumPy results."""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest

if "scipy" in sys.modules and os.environ.get("SCIPY_ARRAY_API") != "1":
    pytest.skip("SciPy was imported without SCIPY_ARRAY_API=1 before this module",
                allow_module_level=True)
os.environ["SCIPY_ARRAY_API"] = "1"
sklearn = pytest.importorskip("sklearn")

from sklearn import metrics  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
from sklearn.kernel_approximation import Nystroem  # noqa: E402
from sklearn.linear_model import Ridge, RidgeClassifier, RidgeCV  # noqa: E402
from sklearn.metrics import pairwise  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    Binarizer,
    KernelCenterer,
    LabelEncoder,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    StandardScaler,
)

import oxarray as ox  # noqa: E402
from oxarray._array import Array  # noqa: E402

rng = np.random.default_rng(3)
A = rng.standard_normal((60, 4))
YV = A @ np.arange(4.0) + 0.1 * rng.standard_normal(60)
YC = (YV > 0).astype(np.int64)
YP = (A[:, 0] > 0).astype(np.int64)
Y3 = np.digitize(YV, [-1.0, 1.0])  # three classes
PROBA = 1 / (1 + np.exp(-A[:, 0]))


def ox_(a):
    return ox.asarray(a, chunks=(20,) + a.shape[1:])


@pytest.fixture(autouse=True)
def dispatch():
    with sklearn.config_context(array_api_dispatch=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def check(got, want, rtol=1e-7, atol=1e-9):
    if isinstance(want, tuple):
        for g, w in zip(got, want, strict=True):
            check(g, w, rtol, atol)
        return
    if isinstance(want, np.ndarray) and want.ndim:
        assert isinstance(got, Array), type(got)
        got = got.compute()
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float),
                               rtol=rtol, atol=atol)


def test_array_api_compat_sees_oxarray():
    from sklearn.utils._array_api import get_namespace

    xp, is_array_api = get_namespace(ox_(A))
    assert is_array_api and xp.__name__ in ("oxarray", "sklearn.externals.array_api_compat")
    array_api_compat = pytest.importorskip("array_api_compat")
    assert array_api_compat.array_namespace(ox_(A)) is ox
    assert array_api_compat.is_array_api_obj(ox_(A))
    assert array_api_compat.device(ox_(A)) == "cpu"


def _signs(a, b):
    """PCA components are defined up to a sign per component."""
    return np.sign(np.asarray(a)[0]) * np.sign(np.asarray(b)[0])


@pytest.mark.parametrize("kw", [{"svd_solver": "full"}, {"svd_solver": "covariance_eigh"},
                                {"svd_solver": "randomized", "power_iteration_normalizer": "QR",
                                 "random_state": 0},
                                {"svd_solver": "full", "whiten": True}])
def test_pca(kw):
    got, want = PCA(n_components=2, **kw).fit(ox_(A)), PCA(n_components=2, **kw).fit(A)
    assert isinstance(got.components_, Array)
    check(got.explained_variance_, want.explained_variance_)
    check(got.explained_variance_ratio_, want.explained_variance_ratio_)
    check(abs(got.components_), abs(want.components_))
    check(abs(got.transform(ox_(A))), abs(want.transform(A)))
    check(got.inverse_transform(got.transform(ox_(A))), want.inverse_transform(want.transform(A)))


@pytest.mark.parametrize("y", [YC, Y3], ids=["two", "three"])
def test_linear_discriminant_analysis(y):
    got, want = LinearDiscriminantAnalysis().fit(ox_(A), ox_(y)), \
        LinearDiscriminantAnalysis().fit(A, y)
    check(got.predict(ox_(A)), want.predict(A))
    check(got.predict_proba(ox_(A)), want.predict_proba(A))
    check(abs(got.transform(ox_(A))), abs(want.transform(A)))
    check(got.decision_function(ox_(A)), want.decision_function(A))


def test_ridge_family():
    got, want = Ridge(alpha=0.5, solver="svd").fit(ox_(A), ox_(YV)), \
        Ridge(alpha=0.5, solver="svd").fit(A, YV)
    check(got.coef_, want.coef_)
    check(got.intercept_, want.intercept_)
    check(got.predict(ox_(A)), want.predict(A))
    cv = RidgeCV(alphas=(0.1, 1.0, 10.0)).fit(ox_(A), ox_(YV))
    check(cv.predict(ox_(A)), RidgeCV(alphas=(0.1, 1.0, 10.0)).fit(A, YV).predict(A))
    c = RidgeClassifier(solver="svd").fit(ox_(A), ox_(Y3))
    check(c.predict(ox_(A)), RidgeClassifier(solver="svd").fit(A, Y3).predict(A))


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler, MaxAbsScaler, Normalizer,
                                 Binarizer, PolynomialFeatures])
def test_preprocessing(cls):
    got, want = cls().fit(ox_(A)), cls().fit(A)
    check(got.transform(ox_(A)), want.transform(A))
    if hasattr(want, "inverse_transform"):
        check(got.inverse_transform(got.transform(ox_(A))), want.inverse_transform(want.transform(A)))


def test_kernel_centerer_label_encoder_gaussian_nb_nystroem():
    K = A @ A.T
    check(KernelCenterer().fit_transform(ox_(K)), KernelCenterer().fit_transform(K))
    check(LabelEncoder().fit_transform(ox_(Y3)), LabelEncoder().fit_transform(Y3))
    check(GaussianNB().fit(ox_(A), ox_(Y3)).predict_proba(ox_(A)),
          GaussianNB().fit(A, Y3).predict_proba(A))
    ny = Nystroem(n_components=10, random_state=0)
    check(abs(ny.fit_transform(ox_(A))),
          abs(Nystroem(n_components=10, random_state=0).fit_transform(A)), atol=1e-7)


REGRESSION = ["r2_score", "mean_squared_error", "root_mean_squared_error",
              "mean_absolute_error", "explained_variance_score", "max_error",
              "median_absolute_error", "mean_pinball_loss", "d2_tweedie_score"]
POSITIVE = ["mean_squared_log_error", "mean_poisson_deviance", "mean_gamma_deviance",
            "mean_tweedie_deviance", "mean_absolute_percentage_error"]


@pytest.mark.parametrize("name", REGRESSION + POSITIVE)
def test_regression_metrics(name):
    t = abs(YV) + 0.1 if name in POSITIVE else YV
    p = t * 1.1 + 0.05
    check(getattr(metrics, name)(ox_(t), ox_(p)), getattr(metrics, name)(t, p))


CLASSIFICATION = ["accuracy_score", "balanced_accuracy_score", "f1_score", "precision_score",
                  "recall_score", "jaccard_score", "hamming_loss", "zero_one_loss",
                  "confusion_matrix", "matthews_corrcoef", "cohen_kappa_score",
                  "precision_recall_fscore_support", "multilabel_confusion_matrix"]


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_metrics(name):
    check(getattr(metrics, name)(ox_(YC), ox_(YP)), getattr(metrics, name)(YC, YP))


@pytest.mark.parametrize("name", ["log_loss", "brier_score_loss", "roc_auc_score", "roc_curve",
                                  "average_precision_score"])
def test_probability_metrics(name):
    check(getattr(metrics, name)(ox_(YC), ox_(PROBA)), getattr(metrics, name)(YC, PROBA))


PAIRWISE = ["euclidean_distances", "manhattan_distances", "cosine_similarity",
            "cosine_distances", "linear_kernel", "polynomial_kernel", "rbf_kernel",
            "sigmoid_kernel", "laplacian_kernel", "pairwise_distances", "pairwise_kernels"]


@pytest.mark.parametrize("name", PAIRWISE)
def test_pairwise(name):
    # euclidean: sklearn's |x|^2 - 2 x.y + |y|^2 cancels on the diagonal (NumPy leaves ~1e-8)
    check(getattr(pairwise, name)(ox_(A), ox_(A[:7])), getattr(pairwise, name)(A, A[:7]),
          atol=1e-7)


def test_pairwise_others():
    P = abs(A)
    for name in ("additive_chi2_kernel", "chi2_kernel"):
        check(getattr(pairwise, name)(ox_(P), ox_(P[:7])), getattr(pairwise, name)(P, P[:7]))
    for name in ("paired_euclidean_distances", "paired_cosine_distances",
                 "paired_manhattan_distances"):
        check(getattr(pairwise, name)(ox_(A), ox_(A * 2 + 1)),
              getattr(pairwise, name)(A, A * 2 + 1))
    check(pairwise.pairwise_distances(ox_(A), ox_(A[:5]), metric="cosine"),
          pairwise.pairwise_distances(A, A[:5], metric="cosine"))


def test_float32_stays_float32():
    a, y = A.astype(np.float32), YV.astype(np.float32)
    check(abs(PCA(n_components=2).fit_transform(ox_(a))), abs(PCA(n_components=2).fit_transform(a)),
          rtol=1e-4, atol=1e-5)
    check(StandardScaler().fit_transform(ox_(a)), StandardScaler().fit_transform(a), rtol=1e-5,
          atol=1e-6)
    check(Ridge(solver="svd").fit(ox_(a), ox_(y)).coef_, Ridge(solver="svd").fit(a, y).coef_,
          rtol=1e-4, atol=1e-5)
    check(pairwise.rbf_kernel(ox_(a), ox_(a[:5])), pairwise.rbf_kernel(a, a[:5]), rtol=1e-5,
          atol=1e-6)
