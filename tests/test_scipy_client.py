"""SciPy on oxarray arrays through the Array API (``SCIPY_ARRAY_API=1``, set here before SciPy is
imported): ``scipy.special``, ``scipy.stats``, ``scipy.fft`` and ``scipy.cluster.vq`` take oxarray
Arrays, return oxarray Arrays equal to their NumPy results, and (where SciPy itself does not
convert) without turning our data into NumPy: every conversion (``__array__``, ``__dlpack__``) is
counted. SciPy's special functions stay lazy through ``oxarray.special`` (its ufuncs per block)."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

if "scipy" in sys.modules and os.environ.get("SCIPY_ARRAY_API") != "1":
    pytest.skip("SciPy was imported without SCIPY_ARRAY_API=1 before this module",
                allow_module_level=True)
os.environ["SCIPY_ARRAY_API"] = "1"
pytest.importorskip("scipy")
import scipy.cluster.vq as vq  # noqa: E402
import scipy.fft  # noqa: E402
import scipy.special as special  # noqa: E402
import scipy.stats as stats  # noqa: E402

import oxarray as ox  # noqa: E402
from oxarray._array import Array  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

rng = np.random.default_rng(2)
A = rng.standard_normal((30, 4))
B = rng.standard_normal((25, 4)) + 0.3
P = np.abs(A) + 0.5
U = np.clip(A / 4, -0.9, 0.9) * 0.5 + 0.5  # in (0, 1)


def ox_(a):
    return ox.asarray(a, chunks=(10,) + a.shape[1:]) if a.ndim else ox.asarray(a)


@pytest.fixture
def conversions(monkeypatch):
    """How many times our data went to NumPy (``__array__`` or ``__dlpack__``)."""
    count = [0]
    for name in ("__array__", "__dlpack__"):
        orig = getattr(Array, name)

        def spy(self, *a, _orig=orig, **k):
            count[0] += 1
            return _orig(self, *a, **k)

        monkeypatch.setattr(Array, name, spy)
    return count


def check(got, want, rtol=1e-7, atol=1e-10):
    """Same values as SciPy on NumPy; every array in ``got`` is an oxarray Array."""
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            check(g, w, rtol, atol)
        return
    assert isinstance(got, Array), type(got)
    got = got.compute()
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def test_array_api_compat_sees_oxarray():
    from scipy._lib._array_api import array_namespace

    assert array_namespace(ox_(A)) is ox
    assert array_namespace(ox_(A), ox_(B)) is ox


UNARY = {
    "erf": A, "erfc": A, "erfcx": A, "erfinv": U * 1.8 - 0.9, "gammaln": P, "gamma": P,
    "digamma": P, "expit": A, "logit": U, "ndtr": A, "ndtri": U, "log_ndtr": A, "i0": A,
    "i0e": A, "i1": A, "i1e": A, "entr": P,
}
BINARY = ["xlogy", "xlog1py", "rel_entr", "betaln", "chdtr", "gammainc", "gammaincc", "beta"]


@pytest.mark.parametrize("name", sorted(UNARY))
def test_special_unary_stays_lazy(name, conversions):
    a = UNARY[name]
    got = getattr(special, name)(ox_(a))
    assert conversions[0] == 0
    check(got, getattr(special, name)(a))


@pytest.mark.parametrize("name", BINARY)
def test_special_binary_stays_lazy(name, conversions):
    got = getattr(special, name)(ox_(P), ox_(P + 1))
    got2 = getattr(special, name)(ox_(P), 2.0)  # a Python scalar operand (NEP 50)
    assert conversions[0] == 0
    check(got, getattr(special, name)(P, P + 1))
    check(got2, getattr(special, name)(P, 2.0))


def test_special_dtypes_and_broadcasting():
    f32 = A.astype(np.float32)
    check(special.erf(ox_(f32)), special.erf(f32), rtol=1e-6)
    check(special.gammaln(ox.asarray(np.arange(1, 7))), special.gammaln(np.arange(1, 7)))
    row = P[0]
    check(special.xlogy(ox_(P), ox.asarray(row)), special.xlogy(P, row))
    e = special.ellipj(ox_(U), 0.5)  # several outputs
    check(tuple(e), special.ellipj(U, 0.5))
    check(special.erf(ox.asarray(np.float64(0.5))), special.erf(np.float64(0.5)))


def test_special_without_the_array_api_switch_is_lazy_too():
    """The bare ufunc (NEP 13): what SciPy calls without SCIPY_ARRAY_API."""
    from scipy.special import _ufuncs

    got = _ufuncs.erf(ox_(A))
    assert isinstance(got, Array)
    check(got, special.erf(A))
    assert ox.special.erf is _ufuncs.erf
    assert "gammaln" in dir(ox.special)
    with pytest.raises(AttributeError):
        ox.special.not_a_function  # noqa: B018


@pytest.mark.parametrize("name,kw", [("logsumexp", {"axis": 0}), ("logsumexp", {}),
                                     ("softmax", {"axis": 1}), ("log_softmax", {"axis": 0})])
def test_special_reductions(name, kw, conversions):
    got = getattr(special, name)(ox_(A), **kw)
    assert conversions[0] == 0
    check(got, getattr(special, name)(A, **kw))
    if name == "logsumexp":
        check(special.logsumexp(ox_(A), axis=1, b=ox_(P)), special.logsumexp(A, axis=1, b=P))


STATS = {
    "zscore": {}, "skew": {}, "kurtosis": {}, "sem": {}, "moment": {"order": 3},
    "tmean": {}, "tvar": {}, "tstd": {}, "trim_mean": {"proportiontocut": 0.1}, "iqr": {},
    "rankdata": {}, "circmean": {}, "circvar": {}, "circstd": {}, "differential_entropy": {},
    "median_abs_deviation": {}, "quantile": {"p": 0.3}, "variation": {}, "gmean": {},
    "hmean": {}, "pmean": {"p": 2.0}, "entropy": {}, "gstd": {},
}
POSITIVE = {"variation", "gmean", "hmean", "pmean", "entropy", "gstd"}


@pytest.mark.parametrize("name", sorted(STATS))
def test_stats_descriptive(name, conversions):
    a = P if name in POSITIVE else A
    got = getattr(stats, name)(ox_(a), axis=0, **STATS[name])
    assert conversions[0] == 0
    check(got, getattr(stats, name)(a, axis=0, **STATS[name]))


def test_stats_describe_mode_zmap(conversions):
    d, w = stats.describe(ox_(A), axis=0), stats.describe(A, axis=0)
    check(tuple(d)[1:], tuple(w)[1:])
    assert int(d.nobs) == w.nobs
    check(stats.zmap(ox_(A), ox_(B)), stats.zmap(A, B))
    r = np.round(A)
    check(tuple(stats.mode(ox_(r), axis=0)), tuple(stats.mode(r, axis=0)))
    assert conversions[0] == 0


TESTS = {
    "pearsonr": lambda m, a, b, p: m.pearsonr(a, a * 0.5 + p, axis=0),
    "ttest_ind": lambda m, a, b, p: m.ttest_ind(a, b, axis=0),
    "ttest_ind_welch": lambda m, a, b, p: m.ttest_ind(a, b, axis=0, equal_var=False),
    "ttest_1samp": lambda m, a, b, p: m.ttest_1samp(a, 0.1, axis=0),
    "ttest_rel": lambda m, a, b, p: m.ttest_rel(a[:25], b, axis=0),
    "skewtest": lambda m, a, b, p: m.skewtest(a, axis=0),
    "kurtosistest": lambda m, a, b, p: m.kurtosistest(a, axis=0),
    "normaltest": lambda m, a, b, p: m.normaltest(a, axis=0),
    "jarque_bera": lambda m, a, b, p: m.jarque_bera(a, axis=0),
    "chisquare": lambda m, a, b, p: m.chisquare(p, axis=0),
    "power_divergence": lambda m, a, b, p: m.power_divergence(p, axis=0, lambda_="log-likelihood"),
    "spearmanr": lambda m, a, b, p: m.spearmanr(a[:, 0], a[:, 1]),
}


@pytest.mark.parametrize("name", sorted(TESTS))
def test_stats_hypothesis_tests_stay_lazy(name, conversions):
    got = TESTS[name](stats, ox_(A), ox_(B), ox_(P))
    assert conversions[0] == 0
    want = TESTS[name](stats, A, B, P)
    check((got.statistic, got.pvalue), (want.statistic, want.pvalue), rtol=1e-6)


def test_pearsonr_of_vectors():
    got, want = stats.pearsonr(ox_(A[:, 0]), ox_(A[:, 1])), stats.pearsonr(A[:, 0], A[:, 1])
    check((got.statistic, got.pvalue), (want.statistic, want.pvalue))


FFT = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "fftn", "ifftn",
       "rfftn", "irfftn", "rfft2", "irfft2", "fftshift", "ifftshift"]


@pytest.mark.parametrize("name", FFT)
def test_fft_stays_lazy(name, conversions):
    got = getattr(scipy.fft, name)(ox_(A))
    assert conversions[0] == 0
    check(got, getattr(scipy.fft, name)(A))


def test_fft_keywords_and_frequencies():
    check(scipy.fft.fft(ox_(A), n=16, axis=0, norm="ortho"),
          scipy.fft.fft(A, n=16, axis=0, norm="ortho"))
    check(scipy.fft.irfft(ox_(A), n=7, axis=0, norm="forward"),
          scipy.fft.irfft(A, n=7, axis=0, norm="forward"))
    check(scipy.fft.fftfreq(8, d=0.5, xp=ox), scipy.fft.fftfreq(8, d=0.5))
    check(scipy.fft.rfftfreq(9, xp=ox), scipy.fft.rfftfreq(9))


@pytest.mark.parametrize("name", ["dct", "idct", "dst", "idst", "dctn"])
def test_fft_real_transforms_convert_in_scipy(name):
    """SciPy runs the DCT/DST family in its NumPy code for other namespaces (its limitation):
    equal, and handed back as an oxarray Array."""
    check(getattr(scipy.fft, name)(ox_(A)), getattr(scipy.fft, name)(A))


def test_cluster_vq(conversions):
    check(vq.whiten(ox_(A)), vq.whiten(A))
    assert conversions[0] == 0
    book = A[:3].copy()
    # vq and kmeans2 run SciPy's compiled loop on NumPy copies (its limitation)
    check(vq.vq(ox_(A), ox.asarray(book)), vq.vq(A, book))
    check(vq.kmeans2(ox_(A), ox.asarray(book), iter=5, minit="matrix"),
          vq.kmeans2(A, book, iter=5, minit="matrix"))
    got, want = vq.kmeans(ox_(A), ox.asarray(book), iter=5), vq.kmeans(A, book, iter=5)
    check(got[0], want[0])
    assert float(got[1]) == pytest.approx(float(want[1]))


def test_foreign_ufunc_keywords_and_errors():
    from scipy.special import _ufuncs

    x = ox_(A)
    check(_ufuncs.erf(x, dtype=np.float32), _ufuncs.erf(A, dtype=np.float32))
    target = ox.zeros(A.shape)
    res = _ufuncs.erf(x, out=target)
    assert res is target
    check(target, _ufuncs.erf(A))
    with pytest.raises(TypeError):
        _ufuncs.xlogy(x)
    with pytest.raises(TypeError, match="where"):
        _ufuncs.erf(x, where=x > 0)
    empty = ox.asarray(np.zeros((0, 3)))
    check(_ufuncs.gammaln(empty), _ufuncs.gammaln(np.zeros((0, 3))))


def test_stats_float32():
    a, b = A.astype(np.float32), B.astype(np.float32)
    check(stats.zscore(ox_(a), axis=0), stats.zscore(a, axis=0), rtol=1e-5, atol=1e-6)
    check(stats.skew(ox_(a), axis=0), stats.skew(a, axis=0), rtol=1e-4, atol=1e-6)
    got, want = stats.ttest_ind(ox_(a), ox_(b), axis=0), stats.ttest_ind(a, b, axis=0)
    check((got.statistic, got.pvalue), (want.statistic, want.pvalue), rtol=1e-4, atol=1e-6)
    check(scipy.fft.rfft(ox_(a), axis=0), scipy.fft.rfft(a, axis=0), rtol=1e-5, atol=1e-5)


def test_foreign_ufunc_with_several_outputs_runs_once_per_block(monkeypatch):
    from scipy.special import _ufuncs

    import oxarray._foreign_ufuncs as fu

    calls = []
    operands = fu._operands
    monkeypatch.setattr(fu, "_operands", lambda *a: calls.append(1) or operands(*a))
    x = ox.asarray(U, chunks=(max(1, U.shape[0] // 2), U.shape[1]))
    outputs = _ufuncs.ellipj(x, 0.5)
    calls.clear()  # the build's probe on empty operands (the ufunc's type resolution)
    got = ox.compute(*outputs)
    assert len(calls) == x.npartitions  # not once per output and block
    for g, w in zip(got, _ufuncs.ellipj(U, 0.5), strict=True):
        np.testing.assert_allclose(g, w)
