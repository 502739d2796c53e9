"""Elementwise functions (NEP 13 ufuncs, ox.<name>, Array API aliases, operators) against NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import oxarray as ox
from helpers import differential, quiet, run_ox
from oxarray.testing import arrays, assert_eq, chunked_arrays, chunkings, dtypes, shapes

UNARY = """absolute fabs negative positive sqrt cbrt square reciprocal exp exp2 expm1 log log2 log10
log1p sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh deg2rad rad2deg floor
ceil trunc rint sign signbit isnan isinf isfinite logical_not invert conjugate""".split()

BINARY = """add subtract multiply divide floor_divide remainder fmod power float_power maximum minimum
fmax fmin equal not_equal less less_equal greater greater_equal logical_and logical_or logical_xor
bitwise_and bitwise_or bitwise_xor left_shift right_shift arctan2 hypot copysign logaddexp logaddexp2
nextafter heaviside gcd lcm""".split()

# Array API spellings -> the NumPy function they must agree with.
ALIASES = {
    "acos": np.arccos, "asin": np.arcsin, "atan": np.arctan, "acosh": np.arccosh,
    "asinh": np.arcsinh, "atanh": np.arctanh, "bitwise_invert": np.invert, "abs": np.absolute,
    "conj": np.conjugate, "real": np.real, "imag": np.imag, "round": np.round,
}
BINARY_ALIASES = {"atan2": np.arctan2, "pow": np.power, "bitwise_left_shift": np.left_shift,
                  "bitwise_right_shift": np.right_shift}


def small_shapes():
    return shapes(max_dims=3, max_side=5)


def operand(data, a):
    """Present NumPy data ``a`` as an oxarray.Array with a drawn irregular chunking."""
    return ox.from_array(a, chunks=data.draw(chunkings(a.shape)))


# ----------------------------------------------------------------------------------------- unary


def with_bugs(names, bugs):
    """Parametrize over ``names``; those in ``bugs`` get a strict xfail with the diagnosis, so a
    fix shows up as XPASS and the mark must go."""
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=bugs[n])) if n in bugs
            else n for n in names]


UNARY_BUGS = {}
BINARY_BUGS = {}
OPERATOR_BUGS = {}


@pytest.mark.parametrize("name", with_bugs(UNARY, UNARY_BUGS))
@given(data=st.data())
def test_unary_ufunc(name, data):
    a = data.draw(arrays(dtypes(), small_shapes()), label="a")
    x = operand(data, a)
    uf = getattr(np, name)
    differential(lambda: uf(a), lambda: uf(x))


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "int64", "float32", "float64",
                                   "complex64", "complex128"])
def test_unary_ox_function_matches_numpy(name, dtype):
    a = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    if a.dtype.kind in "fc":
        a = a / 7 - 0.25
    x = ox.asarray(a, chunks=(1, 2))
    differential(lambda: getattr(np, name)(a), lambda: getattr(ox, name)(x))


@pytest.mark.parametrize("name", sorted(ALIASES))
@pytest.mark.parametrize("dtype", ["int16", "float64", "complex64", "bool"])
def test_array_api_unary_aliases(name, dtype):
    a = (np.linspace(-0.9, 2.5, 12).reshape(3, 4) * (1 if dtype != "int16" else 10)).astype(dtype)
    if dtype.startswith("complex"):
        a = a + 0.5j * a[::-1]
    x = ox.asarray(a, chunks=(2, 3))
    differential(lambda: ALIASES[name](a), lambda: getattr(ox, name)(x))


# ---------------------------------------------------------------------------------------- binary


@st.composite
def python_scalar(draw, kind):
    if kind == "b":
        return draw(st.booleans())
    if kind in "iu":
        return draw(st.integers(-300, 300))
    if kind == "f":
        return draw(st.floats(width=64))
    return complex(draw(st.floats(width=64)), draw(st.floats(width=64)))


@st.composite
def binary_operands(draw):
    """Two operands of a binary ufunc: (numpy version, oxarray version) for each, at least one
    oxarray.Array; others are NumPy arrays, NumPy scalars or (weak) Python scalars."""
    s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4),
                  label="shapes").input_shapes
    a = draw(arrays(dtypes(), s1), label="a")
    x = ox.from_array(a, chunks=draw(chunkings(a.shape)))
    form = draw(st.sampled_from(["ox", "ndarray", "npscalar", "pyscalar"]), label="form")
    if form == "pyscalar":
        b = y = draw(python_scalar(draw(st.sampled_from("bifc"))), label="b")
    else:
        b = draw(arrays(dtypes(), s2 if form != "npscalar" else ()), label="b")
        if form == "npscalar":
            b = y = b[()]
        elif form == "ndarray":
            y = b
        else:
            y = ox.from_array(b, chunks=draw(chunkings(b.shape)))
    if draw(st.booleans(), label="swap"):
        return (b, a), (y, x)
    return (a, b), (x, y)


@pytest.mark.parametrize("name", with_bugs(BINARY, BINARY_BUGS))
@given(ops=binary_operands())
def test_binary_ufunc(name, ops):
    (a, b), (x, y) = ops
    uf = getattr(np, name)
    differential(lambda: uf(a, b), lambda: uf(x, y))


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "int64", "float32", "float64",
                                   "complex128"])
def test_binary_ox_function_matches_numpy(name, dtype):
    a = np.array([[1, 2, 3], [4, 5, 6]]).astype(dtype)
    b = np.array([3, 1, 2]).astype(dtype)
    x, y = ox.asarray(a, chunks=(1, 2)), ox.asarray(b, chunks=2)
    differential(lambda: getattr(np, name)(a, b), lambda: getattr(ox, name)(x, y))
    differential(lambda: getattr(np, name)(a, 2), lambda: getattr(ox, name)(x, 2))


@pytest.mark.parametrize("name", sorted(BINARY_ALIASES))
def test_array_api_binary_aliases(name):
    a = np.arange(1, 7, dtype="int32").reshape(2, 3)
    b = np.array([1, 2, 3], dtype="int32")
    x, y = ox.asarray(a, chunks=1), ox.asarray(b, chunks=2)
    differential(lambda: BINARY_ALIASES[name](a, b), lambda: getattr(ox, name)(x, y))


# ------------------------------------------------------------------------ promotion (NEP 50)


@pytest.mark.parametrize(
    "dtype, scalar",
    [("int8", 1), ("int8", 127), ("int8", -128), ("int8", 300), ("uint8", -1), ("uint8", 255),
     ("uint8", 256), ("int16", 1.5), ("float32", 1e300), ("float32", 2), ("float32", 1j),
     ("uint64", 2**64 - 1), ("int64", 2**63), ("bool", 1), ("bool", True), ("bool", 2.5),
     ("complex64", 1.5), ("uint32", -(2**31))],
    ids=repr,
)
@pytest.mark.parametrize("op", ["add", "multiply", "maximum", "equal", "less"])
def test_weak_python_scalars(dtype, scalar, op):
    a = np.array([0, 1, 2, 3], dtype=dtype)
    x = ox.asarray(a, chunks=3)
    uf = getattr(np, op)
    differential(lambda: uf(a, scalar), lambda: uf(x, scalar))
    differential(lambda: uf(scalar, a), lambda: uf(scalar, x))


def test_weak_int_stays_int8_and_overflow_raises():
    x = ox.asarray(np.array([1, 2], dtype="int8"))
    assert (x + 1).dtype == np.dtype("int8")
    assert_eq(x + 1, np.array([2, 3], dtype="int8"))
    with pytest.raises(OverflowError):
        run_ox(lambda: x + 300)


@pytest.mark.parametrize("scalar", [np.float32(2), np.int64(3), np.uint8(200), np.complex64(1j),
                                    np.bool_(True), np.float64(0.5)], ids=repr)
@pytest.mark.parametrize("dtype", ["int8", "uint16", "float32", "bool"])
def test_numpy_scalars_are_strong(scalar, dtype):
    a = np.array([1, 0, 3], dtype=dtype)
    x = ox.asarray(a)
    differential(lambda: a * scalar, lambda: x * scalar)
    differential(lambda: scalar - a, lambda: scalar - x)


# ------------------------------------------------------------------------- integer edge cases


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
@pytest.mark.parametrize(
    "name", ["floor_divide", "remainder", "fmod", "divide", "gcd", "lcm", "power", "multiply",
             "subtract", "add", "left_shift", "right_shift"]
)
def test_signed_integer_extremes(dtype, name):
    info = np.iinfo(dtype)
    a = np.array([info.min, info.min, info.max, -7, 7, 0, -1, 5, info.min, 3], dtype=dtype)
    b = np.array([-1, 0, 0, 2, -2, 0, info.min, 70, 1, info.bits - 1], dtype=dtype)
    x, y = ox.asarray(a, chunks=3), ox.asarray(b, chunks=4)
    uf = getattr(np, name)
    if name == "power":
        b = np.abs(b) % 9  # negative exponents raise; tested separately
        y = ox.asarray(b, chunks=4)
    differential(lambda: uf(a, b), lambda: uf(x, y))


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64"])
@pytest.mark.parametrize("name", ["floor_divide", "remainder", "fmod", "subtract", "left_shift",
                                  "right_shift", "power", "gcd", "lcm"])
def test_unsigned_integer_extremes(dtype, name):
    info = np.iinfo(dtype)
    a = np.array([info.max, 0, 1, info.max, 5, 200, 3], dtype=dtype)
    b = np.array([0, 0, info.max, 2, info.bits, info.bits + 1, 7], dtype=dtype)
    x, y = ox.asarray(a, chunks=2), ox.asarray(b, chunks=5)
    differential(lambda: getattr(np, name)(a, b), lambda: getattr(np, name)(x, y))


@pytest.mark.parametrize("dtype", ["int8", "int64"])
@pytest.mark.parametrize("name", ["absolute", "negative", "sign", "square", "reciprocal"])
def test_signed_unary_extremes(dtype, name):
    info = np.iinfo(dtype)
    a = np.array([info.min, info.max, -1, 0, 1, 2], dtype=dtype)
    differential(lambda: getattr(np, name)(a), lambda: getattr(np, name)(ox.asarray(a, chunks=4)))


def test_integer_negative_power_raises_value_error():
    x = ox.asarray(np.array([2, 3], dtype="int32"))
    with pytest.raises(ValueError):
        run_ox(lambda: x ** -1)
    with pytest.raises(ValueError):
        run_ox(lambda: np.power(x, ox.asarray(np.array([1, -2], "int32"))))


# ------------------------------------------------------------------------- float edge cases

FLOAT_EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.1, -0.1, 1e-310, -1e-310, 1e308, -1e308, np.inf,
                        -np.inf, np.nan, 3.0, -3.0, 0.5, 2.5, -2.5, 7.0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["floor_divide", "remainder", "fmod", "divide", "arctan2",
                                  "copysign", "nextafter", "heaviside", "maximum", "minimum",
                                  "fmax", "fmin", "power", "hypot", "logaddexp", "logaddexp2"])
def test_float_binary_edge_grid(dtype, name):
    with quiet():
        a = FLOAT_EDGES.astype(dtype)
    aa, bb = np.meshgrid(a, a, indexing="ij")
    x, y = ox.asarray(aa, chunks=(5, 7)), ox.asarray(bb, chunks=(4, 19))
    uf = getattr(np, name)
    res = differential(lambda: uf(aa, bb), lambda: uf(x, y))
    if res is not None and name in ("floor_divide", "remainder", "fmod", "copysign", "maximum",
                                    "minimum", "fmax", "fmin"):
        # The sign of zero is part of NumPy's answer for these (e.g. -0.0 % 3 == -0.0... or 0.0).
        with quiet():
            np.testing.assert_array_equal(np.signbit(res.compute()), np.signbit(uf(aa, bb)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["rint", "floor", "ceil", "trunc", "sign", "signbit", "sqrt",
                                  "reciprocal", "negative", "absolute", "square", "log1p",
                                  "expm1", "arctanh", "cbrt"])
def test_float_unary_edges(dtype, name):
    with quiet():
        a = FLOAT_EDGES.astype(dtype)
    uf = getattr(np, name)
    res = differential(lambda: uf(a), lambda: uf(ox.asarray(a, chunks=4)))
    if res is not None and res.dtype.kind == "f":
        with quiet():
            np.testing.assert_array_equal(np.signbit(res.compute()), np.signbit(uf(a)))


def test_float_floor_divide_is_numpys_divmod():
    a = np.array([1.0, -1.0, 7.5, -7.5, 0.3])
    b = np.array([0.1, 0.1, -2.0, 2.0, 0.1])
    x, y = ox.asarray(a, chunks=2), ox.asarray(b, chunks=3)
    assert_eq(x // y, a // b, rtol=0, atol=0)  # 1.0 // 0.1 == 9.0 in NumPy, not 10.0
    assert_eq(x % y, a % b, rtol=0, atol=0)


@given(st.data())
def test_complex_division_does_not_overflow(data):
    a = data.draw(arrays("complex128", (6,), elements=st.complex_numbers(
        min_magnitude=1e-5, max_magnitude=1e300, allow_nan=False, allow_infinity=False)))
    b = data.draw(arrays("complex128", (6,), elements=st.complex_numbers(
        min_magnitude=1e-5, max_magnitude=1e300, allow_nan=False, allow_infinity=False)))
    differential(lambda: a / b, lambda: ox.asarray(a, chunks=4) / ox.asarray(b, chunks=2))


# --------------------------------------------------------------- real / imag / round / clip / where


@given(chunked_arrays(dtypes("biufc"), small_shapes()))
def test_real_imag(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.real(a), lambda: np.real(x))
    differential(lambda: np.imag(a), lambda: np.imag(x))
    differential(lambda: np.real(a), lambda: ox.real(x))
    differential(lambda: np.imag(a), lambda: ox.imag(x))


@given(chunked_arrays(dtypes("iuf"), small_shapes()), st.integers(-3, 4))
@example((np.array([0.5, 1.5, 2.5, -0.5, -2.5, 0.125, 1234.5678]), ((3, 4),)), 2)
@example((np.array([15, 25, -35, 127], "int8"), ((2, 2),)), -1)
def test_round(arg, decimals):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    differential(lambda: np.round(a, decimals), lambda: np.round(x, decimals))
    differential(lambda: np.round(a, decimals), lambda: ox.round(x, decimals=decimals))


def test_round_complex_and_default():
    a = np.array([0.5 + 1.5j, 2.567 - 3.333j])
    assert_eq(np.round(ox.asarray(a), 1), np.round(a, 1))
    assert_eq(np.round(ox.asarray(a)), np.round(a))


@given(st.data())
def test_clip(data):
    a = data.draw(arrays(dtypes("iuf"), small_shapes()))
    x = operand(data, a)
    lo = data.draw(st.one_of(st.none(), st.integers(-5, 5), st.floats(-5, 5)))
    hi = data.draw(st.one_of(st.integers(-5, 5), st.floats(-5, 5)))
    differential(lambda: np.clip(a, lo, hi), lambda: np.clip(x, lo, hi))
    differential(lambda: np.clip(a, lo, hi), lambda: ox.clip(x, lo, hi))


def test_clip_with_arrays():
    a = np.arange(12.0).reshape(3, 4)
    lo = np.array([1.0, 2.0, 3.0, 4.0])
    x = ox.asarray(a, chunks=2)
    assert_eq(np.clip(x, ox.asarray(lo), 8), np.clip(a, lo, 8))
    assert_eq(np.clip(x, lo, None), np.clip(a, lo, None))


@given(st.data())
def test_where(data):
    s = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
    sc, sa, sb = s.input_shapes
    c = data.draw(arrays("bool", sc))
    a = data.draw(arrays(dtypes(), sa))
    b = data.draw(arrays(dtypes(), sb))
    xc, xa, xb = (operand(data, v) for v in (c, a, b))
    differential(lambda: np.where(c, a, b), lambda: np.where(xc, xa, xb))
    differential(lambda: np.where(c, a, 0), lambda: np.where(xc, xa, 0))
    differential(lambda: np.where(c, 1.5, b), lambda: np.where(c, 1.5, xb))


def test_where_non_bool_condition():
    c = np.array([0, 2, -1, 0])
    a = np.arange(4.0)
    assert_eq(np.where(ox.asarray(c), ox.asarray(a), -a), np.where(c, a, -a))


# ------------------------------------------------------------------------------- out= / dtype=


@given(chunked_arrays(dtypes("if"), shapes(max_dims=2, max_side=5)))
def test_out_keyword(arg):
    a, chunks = arg
    x = ox.from_array(a, chunks=chunks)
    out = ox.zeros(a.shape, dtype=a.dtype, chunks=chunks)
    with quiet():
        r = np.add(x, x, out=out)
        expected = np.add(a, a)
    assert r is out
    assert_eq(out, expected)
    out2 = ox.zeros(a.shape, dtype=a.dtype)
    with quiet():
        r2 = np.negative(x, out=(out2,))
    assert r2 is out2
    with quiet():
        assert_eq(out2, np.negative(a))


def test_out_casting_follows_numpy():
    x = ox.asarray(np.arange(4.0))
    out = ox.zeros(4, dtype="int64")
    with pytest.raises(TypeError):  # float64 -> int64 is not same_kind
        np.add(x, 1, out=out)
    out32 = ox.zeros(4, dtype="float32")
    np.multiply(x, 2, out=out32)
    assert_eq(out32, (np.arange(4.0) * 2).astype("float32"))


def test_out_broadcasts_into_larger_output():
    x = ox.asarray(np.arange(3.0))
    out = ox.zeros((2, 3))
    np.add(x, 1, out=out)
    assert_eq(out, np.broadcast_to(np.arange(3.0) + 1, (2, 3)))
    with pytest.raises(ValueError):
        np.add(ox.zeros((2, 3)), 1, out=ox.zeros(3))


@pytest.mark.parametrize(
    "name, dtype",
    [("add", "float32"), ("add", "int16"), ("multiply", "complex128"), ("divide", "float32"),
     ("sqrt", "complex64"), ("sin", "float32"), ("subtract", "float64"), ("less", "bool"),
     ("add", "int8"), ("negative", "int32"), ("float_power", "complex128")],
)
def test_dtype_keyword(name, dtype):
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype="int64")
    x = ox.asarray(a, chunks=(1, 2))
    uf = getattr(np, name)
    args = (a,) if uf.nin == 1 else (a, a[::-1])
    oargs = (x,) if uf.nin == 1 else (x, ox.asarray(a[::-1], chunks=1))
    differential(lambda: uf(*args, dtype=dtype), lambda: uf(*oargs, dtype=dtype))


# ---------------------------------------------------------------------------------- operators

OPERATORS = {
    "+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q,
    "/": lambda p, q: p / q, "//": lambda p, q: p // q, "%": lambda p, q: p % q,
    "**": lambda p, q: p**q, "&": lambda p, q: p & q, "|": lambda p, q: p | q,
    "^": lambda p, q: p ^ q, "<<": lambda p, q: p << q, ">>": lambda p, q: p >> q,
    "==": lambda p, q: p == q, "!=": lambda p, q: p != q, "<": lambda p, q: p < q,
    "<=": lambda p, q: p <= q, ">": lambda p, q: p > q, ">=": lambda p, q: p >= q,
}


@pytest.mark.parametrize("op", with_bugs(sorted(OPERATORS), OPERATOR_BUGS))
@given(ops=binary_operands())
def test_binary_operators_both_sides(op, ops):
    (a, b), (x, y) = ops
    f = OPERATORS[op]
    differential(lambda: f(a, b), lambda: f(x, y))


@pytest.mark.parametrize(
    "op", [lambda v: -v, lambda v: +v, lambda v: ~v, abs], ids=["neg", "pos", "invert", "abs"]
)
@given(chunked_arrays(dtypes(), small_shapes()))
def test_unary_operators(op, arg):
    a, chunks = arg
    differential(lambda: op(a), lambda: op(ox.from_array(a, chunks=chunks)))


@pytest.mark.parametrize(
    "op", ["+=", "-=", "*=", "/=", "//=", "**=", "&=", "|=", "<<="],
)
@pytest.mark.parametrize("dtype", ["int16", "float64", "bool"])
@pytest.mark.parametrize("other", [2, 1.5, np.array([1, 2, 3], "int8")], ids=["int", "float", "arr"])
def test_inplace_operators(op, dtype, other):
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=dtype)
    x = ox.asarray(a, chunks=(1, 2))

    def apply(v):
        v = v.copy() if isinstance(v, np.ndarray) else v
        ns = {"v": v, "o": other}
        exec(f"v {op} o", ns)
        return ns["v"]

    res = differential(lambda: apply(a), lambda: apply(x))
    if res is not None:
        assert res.dtype == a.dtype  # in-place never changes the dtype


def test_matmul_operator_and_reflected():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4)
    x, y = ox.asarray(a, chunks=2), ox.asarray(b, chunks=(2, 3))
    assert_eq(x @ y, a @ b)
    r = a @ y
    assert isinstance(r, ox.Array)
    assert_eq(r, a @ b)
    assert_eq(x @ b, a @ b)


def test_reflected_python_scalars():
    a = np.array([1.0, 2.0, 4.0], "float32")
    x = ox.asarray(a, chunks=2)
    for f in (lambda v: 1 + v, lambda v: 1 - v, lambda v: 2 * v, lambda v: 1 / v, lambda v: 2**v,
              lambda v: 7 // v, lambda v: 7 % v, lambda v: 3 < v, lambda v: 2 == v):
        differential(lambda: f(a), lambda: f(x))


# ------------------------------------------------- regressions: bugs once found, pinned minimally
# A bug not yet fixed gets a strict xfail here (XPASS once fixed: then remove the mark).

@pytest.mark.parametrize("name", ["less", "less_equal", "greater", "greater_equal", "equal",
                                  "not_equal"])
def test_compare_int64_with_uint64_is_exact(name):
    a = np.array([-1, 0, 5], "int64")
    b = np.array([2**64 - 1, 0, 5], "uint64")
    uf = getattr(np, name)
    differential(lambda: uf(a, b), lambda: uf(ox.asarray(a), ox.asarray(b)))


@pytest.mark.parametrize("dtype, scalar", [("int8", 300), ("uint8", -1), ("int64", 2**63), ("int8", 2**64),
                                           ("bool", 300), ("bool", 2**64)])
def test_compare_with_out_of_range_python_int_is_exact(dtype, scalar):
    a = np.array([0, 1, 2], dtype)
    x = ox.asarray(a)
    differential(lambda: a == scalar, lambda: x == scalar)
    differential(lambda: a < scalar, lambda: x < scalar)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8"])
def test_signbit_of_small_integers_float16_loop(dtype):
    a = np.array([0, 1], dtype)
    differential(lambda: np.signbit(a), lambda: np.signbit(ox.asarray(a)))


# Complex functions whose modulus overflows: NumPy (glibc's cexp/csinh) scales exp(re) so
# only parts that really overflow become inf; exp(re) * (cos + i sin) would give inf * 0 = nan.
def test_complex_exp2_overflow_is_inf_not_nan():
    a = np.array([128 + 0j, 128 + 1e-5j], "complex64")
    differential(lambda: np.exp2(a), lambda: np.exp2(ox.asarray(a)))


def test_complex_float_power_overflow_is_inf_not_nan():
    a, b = np.array([2], "int8"), np.array([1025 + 0j], "complex64")
    differential(lambda: np.float_power(a, b), lambda: np.float_power(ox.asarray(a), ox.asarray(b)))


def test_round_integers_negative_decimals():
    a = np.array([15, 25, -35, 127], "int8")
    differential(lambda: np.round(a, -1), lambda: np.round(ox.asarray(a), -1))


@pytest.mark.parametrize("name, z", [("sin", 90j), ("sin", 1 + 90j), ("sinh", 90 + 0j),
                                     ("sinh", 90 + 1j)])
def test_complex64_trig_overflow_is_scaled(name, z):
    a = np.array([z], "complex64")
    uf = getattr(np, name)
    differential(lambda: uf(a), lambda: uf(ox.asarray(a)))


SPECIAL_PARTS = [0.0, -0.0, 1.0, -1.0, 3.0, 1e-40, 88.5, 90.0, -90.0, 200.0, 709.5, 720.0, -720.0,
                 2000.0, np.inf, -np.inf, np.nan]


def _same_parts(expected, actual):
    """Equal, NaN where NumPy has NaN, and zeros and infinities with NumPy's signs."""
    for e, g in ((expected.real, actual.real), (expected.imag, actual.imag)):
        nan = np.isnan(e)
        assert (np.isnan(g) == nan).all()
        e, g = e[~nan], g[~nan]
        exact = (e == 0) | np.isinf(e)
        assert (g[exact] == e[exact]).all() and (np.signbit(g[exact]) == np.signbit(e[exact])).all()
        np.testing.assert_allclose(g[~exact], e[~exact], rtol=1e-5)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", ["exp", "exp2", "sin", "cos", "tan", "sinh", "cosh", "tanh"])
def test_complex_special_values_follow_c99(name, dtype):
    # Every pair of signed zeros, infinities, NaN and overflowing magnitudes: C99 Annex G's table
    # with glibc's choices where it leaves a sign open, which is what NumPy returns.
    z = np.array([complex(a, b) for a in SPECIAL_PARTS for b in SPECIAL_PARTS], dtype)
    uf = getattr(np, name)
    with quiet():
        expected = uf(z)
        actual = np.asarray(uf(ox.asarray(z)))
    assert actual.dtype == expected.dtype
    _same_parts(expected, actual)


@pytest.mark.parametrize("dtype, scalar", [("float64", 2**64), ("float32", 2**70), ("complex128", -(2**65)),
                                           ("float64", -(2**63) - 1)])
def test_python_int_beyond_64_bits_with_float_arrays(dtype, scalar):
    # NEP 50: the int becomes the float it is; only integer arrays reject it (OverflowError).
    a = np.array([1.0, 2.0**64], dtype)
    differential(lambda: a + scalar, lambda: ox.asarray(a) + scalar)
    differential(lambda: a == scalar, lambda: ox.asarray(a) == scalar)


@pytest.mark.parametrize("dtype", ["bool", "int8", "float32", "complex64"])
def test_clip_without_bounds_is_positive(dtype):
    a = np.array([0, 1, 2], dtype)
    differential(lambda: np.clip(a, None, None), lambda: np.clip(ox.asarray(a), None, None))


@pytest.mark.parametrize("lo, hi", [(0, 300), (-5, None), (None, 300), (-5, 10), (None, -1),
                                    (-300, 2**70), (1.5, 300)])
def test_clip_python_int_bounds_beyond_the_dtype(lo, hi):
    a = np.array([1, 200, 3], "uint8")
    differential(lambda: np.clip(a, lo, hi), lambda: np.clip(ox.asarray(a), lo, hi))


def test_round_decimals_must_be_an_integer():
    a = np.array([1.25, 2.5])
    differential(lambda: np.round(a, 1.5), lambda: np.round(ox.asarray(a), 1.5))
