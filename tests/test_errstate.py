"""np.errstate on lazy arrays, NumPy as the oracle: the error state in force when an op is
written governs it; at compute the op warns, raises FloatingPointError, calls the errcall or
stays silent exactly as NumPy did on that line (same messages, same order)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import oxarray as ox

I64_MIN = np.iinfo(np.int64).min

# (name, function, inputs): each input is given to NumPy as is and to oxarray in chunks of 2.
CASES = [
    ("float divide", lambda x, y: x / y, [1.0, 0.0, -1.0, 3.0], [0.0, 0.0, 2.0, 0.0]),
    ("int floor_divide", lambda x, y: x // y, [1, 0, I64_MIN, 5], [0, 0, -1, 2]),
    ("int remainder", lambda x, y: x % y, [1, 7, 3], [0, 2, 1]),
    ("int fmod", np.fmod, [1, 7, -3], [2, 0, 1]),
    ("int true divide", lambda x, y: x / y, [1, 0, 4], [0, 0, 2]),
    ("int32 floor_divide", lambda x, y: x // y, np.array([5, -(2**31)], np.int32),
     np.array([2, -1], np.int32)),
    ("multiply overflow", lambda x, y: x * y, [1e300, 2.0, -1e200], [1e300, 3.0, 1e200]),
    ("float32 overflow", lambda x, y: x * y, np.array([3e38, 1], np.float32),
     np.array([10, 1], np.float32)),
    ("exp overflow", np.exp, [1000.0, 1.0, 2.0]),
    ("exp underflow", np.exp, [-1000.0, 0.0]),
    ("power overflow", np.power, [10.0, 2.0], [400.0, 2.0]),
    ("sqrt negative", np.sqrt, [-1.0, 4.0, 9.0]),
    ("log negative and zero", np.log, [-1.0, 0.0, 1.0]),
    ("zero over zero", lambda x, y: x / y, [0.0, 1.0], [0.0, 1.0]),
    ("underflow multiply", lambda x, y: x * y, [1e-300, 1.0], [1e-300, 1.0]),
    ("float floor_divide", lambda x, y: x // y, [1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    ("float remainder", lambda x, y: x % y, [1.0, 2.0], [0.0, 1.0]),
    ("arctanh", np.arctanh, [1.0, 0.5]),
    ("float_power", np.float_power, [0.0, 2.0], [-1.0, 2.0]),
    ("sin of inf", np.sin, [np.inf, 0.0]),
    ("inf minus inf", lambda x, y: x - y, [np.inf, 1.0], [np.inf, 1.0]),
    ("nan compared", lambda x, y: x < y, [np.nan, 1.0], [1.0, np.nan]),
    ("maximum of nan", np.maximum, [np.nan, 1.0], [0.0, np.nan]),
    ("no error", lambda x, y: x + y, [1.0, 2.0], [3.0, 4.0]),
    ("complex divide", lambda x, y: x / y, [1 + 1j, 0j, 2j], [0j, 1 + 0j, 1j]),
    ("arcsinh of large values", np.arcsinh, [1e300, -1e300, 0.5, 1e-310]),
    ("arccosh", np.arccosh, [0.5, 1e300, 1.0]),
    ("log1p", np.log1p, [-1.0, -2.0, 1e-310, 3.0]),
    ("tan of tiny values", np.tan, [1e-310, np.inf, 1.0]),
    ("sum of a fused division", lambda x, y: np.sum(x / y * 2.0), [1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    # Reductions: NumPy's "... encountered in reduce", a mean's or variance's final "divide".
    ("sum overflow in a chunk", np.sum, [1e308, 1e308, 1.0]),
    ("sum overflow across chunks", np.sum, [1e308, 1.0, 1e308, 1.0]),
    ("sum of inf and -inf", np.sum, [np.inf, 1.0, -np.inf]),
    ("sum with inf is quiet", np.sum, [np.inf, 1.0, 2.0]),
    ("sum in float32", lambda x: np.sum(x, dtype=np.float32), [1e300, 1.0]),
    ("sum along an axis", lambda x: np.sum(x, axis=0), np.array([[1e308, 1.0], [1e308, 2.0]])),
    ("prod overflow", np.prod, [1e200, 1e200, 2.0]),
    ("prod underflow", np.prod, [1e-200, 1e-200]),
    ("prod of inf and zero", np.prod, [np.inf, 0.0]),
    ("mean overflow", np.mean, [1e308, 1e308, 1e308]),
    ("mean of nothing", np.mean, np.zeros(0)),
    ("mean along an empty axis", lambda x: np.mean(x, axis=0), np.zeros((0, 3))),
    ("var of inf", np.var, [np.inf, 1.0, 2.0]),
    ("var of huge values", np.var, [1e200, -1e200]),
    ("var with ddof = n", lambda x: np.var(x, ddof=2), [1.0, 2.0]),
    ("std of constants with ddof = n", lambda x: np.std(x, ddof=2), [1.0, 1.0]),
    ("nansum overflow", np.nansum, [1e308, np.nan, 1e308]),
    ("nanmean overflow", np.nanmean, [1e308, np.nan, 1e308]),
    ("nanmean of all-NaN", np.nanmean, [np.nan, np.nan]),
    ("nanvar of inf", np.nanvar, [np.inf, np.nan, 1.0]),
    ("max of nan is quiet", np.max, [np.nan, 1.0, 2.0]),
    ("argmin of nan is quiet", np.argmin, [np.nan, 1.0, 2.0]),
    ("add.reduce", np.add.reduce, [1e308, 1e308]),
    ("subtract.reduce", np.subtract.reduce, [-1e308, 1e308, 1.0]),
    ("divide.reduce", np.divide.reduce, [1.0, 0.0, 2.0]),
    # Scans: "... encountered in accumulate" / "reduceat".
    ("cumsum overflow", np.cumsum, [1e308, 1e308, 1.0]),
    ("cumprod overflow", np.cumprod, [1e200, 1e200, 1.0]),
    ("cumsum of inf and -inf", np.cumsum, [np.inf, -np.inf, 1.0]),
    ("multiply.accumulate", np.multiply.accumulate, [1e200, 1.0, 1e200]),
    ("maximum.accumulate is quiet", np.maximum.accumulate, [np.nan, 1.0, 2.0]),
    ("add.reduceat", lambda x: np.add.reduceat(x, [0, 2]), [1e308, 1e308, 1.0]),
    ("cumsum into float32", lambda x: np.cumsum(x, dtype=np.float32), [1e300, 1.0]),
    # astype: "invalid value encountered in cast", "overflow encountered in cast".
    ("astype nan to int64", lambda x: x.astype(np.int64), [np.nan, 1.0, 1e19]),
    ("astype to int8", lambda x: x.astype(np.int8), [300.0, 1e10, -1.0]),
    ("astype in range to int8", lambda x: x.astype(np.int8), [300.0, -1.0, 70000.0]),
    ("astype to uint32", lambda x: x.astype(np.uint32), [1e10, -1e10, 4294967296.0]),
    ("astype out of uint32", lambda x: x.astype(np.uint32), [1e19, 1.0]),
    ("astype to uint64", lambda x: x.astype(np.uint64), [1.8e19, -1.0, 2.0]),
    ("astype past uint64", lambda x: x.astype(np.uint64), [2.0**64, 1.0]),
    ("astype to float32", lambda x: x.astype(np.float32), [1e300, 1.0, np.inf]),
    ("astype inf to float32", lambda x: x.astype(np.float32), [np.inf, np.nan, 1e-300]),
    ("astype complex to complex64", lambda x: x.astype(np.complex64), [1 + 1e300j, 1j]),
    ("astype float32 to int16", lambda x: x.astype(np.int16), np.array([np.nan, 1.0], np.float32)),
    ("astype bool is quiet", lambda x: x.astype(bool), [np.nan, 0.0]),
    # Matrix products: read off the values ("overflow encountered in matmul" / "in dot").
    ("matmul overflow", lambda x, y: x.reshape(2, 2) @ y.reshape(2, 2), [1e200, 1.0, 1.0, 1.0],
     [1e200, 1.0, 1.0, 1.0]),
    ("matmul of inf and zero", lambda x, y: x.reshape(1, 2) @ y.reshape(2, 1), [np.inf, 1.0],
     [0.0, 1.0]),
    ("matmul with inf is quiet", lambda x, y: np.matmul(x, y), [np.inf, 1.0], [1.0, 1.0]),
    ("dot overflow", np.dot, [1e200, 1e200], [1e200, 1.0]),
    ("integer matmul is quiet", lambda x, y: x @ y, [2**62, 2**62], [4, 4]),
    # where=: only the selected elements are checked.
    ("where= skips the error", lambda x, y: np.divide(x, y, where=y != 0), [1.0, 2.0], [0.0, 1.0]),
    ("where= selects the error", lambda x, y: np.divide(x, y, where=x > 0), [1.0, -1.0], [0.0, 0.0]),
    ("where= on a unary ufunc", lambda x: np.log(x, where=x > 0), [-1.0, 0.0, 2.0]),
    ("where= on arctanh", lambda x: np.arctanh(x, where=x < 1), [1.0, 0.5, 2.0]),
]
STATES = [
    {"all": "raise"},
    {"all": "warn"},
    {"all": "ignore"},
    {"all": "call"},
    {},  # NumPy's default: warn, except underflow (ignore)
    {"divide": "raise", "invalid": "warn", "over": "ignore", "under": "warn"},
    {"divide": "ignore", "invalid": "raise", "over": "warn", "under": "ignore"},
    {"divide": "warn", "invalid": "ignore", "over": "raise", "under": "raise"},
]


class Recorder:
    """An errcall that remembers its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, kind, flag):
        self.calls.append((kind, flag))


def _outcome(run):
    """What `run()` did: the warnings' messages, the calls of the errcall, the exception."""
    rec = Recorder()
    old = np.seterrcall(rec)
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                run()
                exc = None
            except FloatingPointError as e:
                exc = str(e)
    finally:
        np.seterrcall(old)
    return [str(x.message) for x in w if x.category is RuntimeWarning], rec.calls, exc


def _both(fn, inputs, state):
    """NumPy's outcome of `fn` on `inputs` under `state`, and oxarray's: the op written under
    `state`, computed under the opposite state (which must not matter)."""
    np_in = [np.asarray(x) for x in inputs]
    ox_in = [ox.asarray(x, chunks=2) for x in np_in]

    def numpy_run():
        with np.errstate(**state):
            fn(*np_in)

    built = {}

    def ox_run():
        with np.errstate(**state):
            built["y"] = fn(*ox_in)
        with np.errstate(all="ignore" if state.get("all") != "ignore" else "raise"):
            built["y"].compute()

    return _outcome(numpy_run), _outcome(ox_run)


@pytest.mark.parametrize("state", STATES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "default")
@pytest.mark.parametrize(("name", "fn", "inputs"), [(c[0], c[1], c[2:]) for c in CASES], ids=[c[0] for c in CASES])
def test_errstate_matches_numpy(name, fn, inputs, state):
    expected, got = _both(fn, inputs, state)
    assert got == expected


def test_only_the_op_written_under_raise_raises():
    x_np, x = np.array([1.0, 0.0, 2.0]), ox.asarray([1.0, 0.0, 2.0], chunks=2)
    with np.errstate(all="ignore"):
        a_np, a = x_np / 0.0, x / 0.0  # inf, nan, inf: ignored here
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError, match="invalid value encountered in multiply"):
            a_np * 0.0  # inf * 0
        b = a * 0.0
    with np.errstate(all="ignore"):
        c = b + 1.0  # fused with the raising op, itself silent
    with pytest.raises(FloatingPointError, match="^invalid value encountered in multiply$"):
        c.compute()
    # The ignored division alone computes silently, whatever the state at compute.
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(a.compute(), a_np)


def test_warnings_of_earlier_ops_come_before_the_raise():
    x = ox.asarray([1.0, -1.0], chunks=1)
    with np.errstate(divide="warn"):
        a = x / 0.0
    with np.errstate(over="raise"):
        b = a * 1e308 * 10.0  # a finite value would overflow: here only inf * 1e308 (no flag)
    with np.errstate(invalid="raise"):
        c = np.sqrt(-np.abs(x))
    y = b + c
    with pytest.warns(RuntimeWarning, match="divide by zero encountered in divide"):
        with pytest.raises(FloatingPointError, match="invalid value encountered in sqrt"):
            y.compute()


def test_state_at_compute_does_not_matter():
    x = ox.asarray([1.0, 0.0])
    with np.errstate(all="ignore"):
        y = x / 0.0
    with np.errstate(all="raise"):
        y.compute()
    z = x / 0.0  # NumPy's default: warn
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning) as w:
        z.compute()
    assert [str(m.message) for m in w] == ["divide by zero encountered in divide",
                                           "invalid value encountered in divide"]


def test_where_keyword_checks_only_the_selected_elements():
    # NumPy computes only where the mask is True: masked-out elements raise nothing.
    x = ox.asarray([1.0, 2.0])
    with np.errstate(all="raise"):
        y = np.divide(x, 0.0, where=np.array([False, False]), out=ox.zeros(2))
    np.testing.assert_array_equal(y.compute(), [0.0, 0.0])


def test_print_and_log_modes(capfd):
    class Log:
        def __init__(self):
            self.lines = []

        def write(self, s):
            self.lines.append(s)

    x = ox.asarray([1.0, 0.0])
    log = Log()
    old = np.seterrcall(log)
    try:
        with np.errstate(divide="log", invalid="print"):
            y = x / 0.0
    finally:
        np.seterrcall(old)
    y.compute()
    assert log.lines == ["Warning: divide by zero encountered in divide\n"]
    assert capfd.readouterr().err == "Warning: invalid value encountered in divide\n"


def test_call_without_a_callback_is_numpys_name_error():
    x = ox.asarray([1.0])
    old = np.seterrcall(None)
    try:
        with np.errstate(divide="call"):
            y = x / 0.0
    finally:
        np.seterrcall(old)
    with pytest.raises(NameError, match="python callback specified for divide by zero"):
        y.compute()


def test_persist_reports_too():
    x = ox.asarray([1.0])
    with np.errstate(over="raise"):
        y = x * 1e308 * 10.0
    with pytest.raises(FloatingPointError, match="overflow encountered in multiply"):
        y.persist()


def test_reduction_raise_stops_the_run():
    x = ox.asarray(np.full(2**21, 1e303), chunks=2**20)  # big chunks: reduced on several threads
    with np.errstate(over="raise"):
        y = np.sum(x)
    with pytest.raises(FloatingPointError, match="^overflow encountered in reduce$"):
        y.compute()
    with np.errstate(over="ignore"):
        z = np.sum(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert z.compute() == np.inf


def test_fused_producer_and_its_reduction_are_reported_apart():
    x = ox.asarray(np.arange(2**18, dtype=float), chunks=2**17)
    with np.errstate(divide="warn", over="warn"):
        # log(0) divides by zero; the sum of 2**18 values of 1e304 overflows, streamed in slabs
        y = np.sum(np.maximum(np.log(x), 0.0) + 1e304)
    with pytest.warns(RuntimeWarning) as w:
        y.compute()
    assert [str(m.message) for m in w] == ["divide by zero encountered in log",
                                           "overflow encountered in reduce"]


@pytest.mark.parametrize("state", [{"divide": "warn"}, {"divide": "raise"}, {"all": "ignore"}])
def test_flags_deep_inside_a_long_chunk(state):
    """A chunk of many blocks: the flags of a whole block are tested at once and only a block that
    raised one is run again op by op. The zero divisor sits deep in the chunk, and an op written
    under `ignore` raises `invalid` (inf - inf) in every block before the checked division."""
    n = 50_000
    x_np = np.arange(n, dtype=np.float64)
    x_np[::7] = np.inf
    d_np = np.ones(n)
    d_np[31_337] = 0.0
    x, d = ox.asarray(x_np, chunks=20_000), ox.asarray(d_np, chunks=20_000)

    def numpy_run():
        with np.errstate(invalid="ignore"):
            t = x_np - x_np
        with np.errstate(**state):
            return (t + 1.0) / d_np

    def ox_run():
        with np.errstate(invalid="ignore"):
            t = x - x
        with np.errstate(**state):
            y = (t + 1.0) / d
        with np.errstate(all="raise"):
            return y.compute()

    assert _outcome(ox_run) == _outcome(numpy_run)
    if state != {"divide": "raise"}:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            np.testing.assert_array_equal(ox_run(), numpy_run())
