"""The repo's own adversary: a catalogue of bad inputs held against NumPy's behaviour.

Each case is one expression written once against ``xp`` (``numpy``, then ``oxarray``) and the
operands below (NumPy arrays for NumPy, chunked oxarray Arrays for oxarray). oxarray must raise
NumPy's exception type (``helpers.public_type``) at the same moment -- at the call when NumPy
raises and the problem shows in shapes, dtypes or arguments, not later at ``compute()`` -- or
return the same value, dtype and shape. A NumPy result in a dtype oxarray lacks (object,
strings) must be oxarray's TypeError, never a substitute.

The cases run in child processes, one batch per child, each reporting one JSON line per case, so
an abort (a Rust allocation failure, a panic) or a hang fails its case instead of killing the run:
the parent restarts a child on the cases after it. Run ``python tests/test_hostile.py N...`` to
run cases by index in this process.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

import pytest


class Case(NamedTuple):
    expr: str  # an expression (or statements setting ``r``), run with xp = numpy and oxarray
    np_expr: str | None = None  # NumPy's version when it must differ (``raise_(E)``: expect E)
    values: bool = True  # False: compare dtype and shape only (random draws)
    at_compute: bool = False  # the problem is in the data: oxarray may raise at compute()
    owner: str | None = None  # owned by another item of issue 13: strict xfail until it is fixed
    timeout: float = 20.0  # seconds before the case counts as a hang
    eager: bool = False  # NumPy's ndarray result may come back as an ndarray (a conversion)


CASES: list[Case] = []


def c(expr: str, np_expr: str | None = None, **kw) -> None:
    CASES.append(Case(expr, np_expr, **kw))


def lead(expr: str, item: str, np_expr: str | None = None, **kw) -> None:
    c(expr, np_expr, owner=f"owned by lead: {item}", **kw)


def expect(expr: str, exc: str, **kw) -> None:
    """oxarray-only arguments (chunks=, persist): no NumPy counterpart, the error is ours."""
    c(expr, f"raise_({exc})", **kw)


# =============================================================================== creation
for shape in ["-1", "(2, -1)", "2.0", "(2, 2.0)", "True", "(True,)", "np.True_", "'3'", "None",
              "[2, [3]]", "np.int64(3)", "np.uint8(3)", "(np.int64(2), 3)", "np.array(3)",
              "np.array([2, 3])", "np.array([2.0, 3.0])", "2**63", "2**64", "(2**32, 2**32)",
              "(2**62, 2)", "(3, 2**62, 0)", "-2**63", "(1,) * 65", "{}", "()", "[]"]:
    c(f"xp.zeros({shape})")
    c(f"xp.ones({shape}, dtype=np.int8)")
for dt in ["'float16'", "object", "'U3'", "'nonsense'", "np.datetime64", "[('a', int)]",
           "'S2'", "np.longdouble", "int", "'c8'", "None", "np.bool_", "'uint16'"]:
    c(f"xp.ones((2, 3), dtype={dt})")
    c(f"xp.full(3, 1, dtype={dt})")
c("xp.ones(3, order='Q')")
c("xp.zeros(3, order='F')")
c("xp.full(3, 'a')")
c("xp.full(3, None)")
c("xp.full(3, 300, dtype=np.int8)")
c("xp.full(3, -1, dtype=np.uint8)")
c("xp.full(3, 2**64)")
c("xp.full(3, np.nan, dtype=int)")
c("xp.full((2, 3), [1, 2])")
c("xp.full((2, 3), [1, 2, 3])")
c("xp.full(-1, 0)")
c("xp.full((2, 3), np.ones((3, 3)))")
c("xp.full_like(x, 'a')")
c("xp.full_like(x, 1, dtype='float16')")
c("xp.zeros_like(x, shape=-1)")
c("xp.zeros_like(x, shape=(2, 2.5))")
c("xp.ones_like(x, dtype='nonsense')")
c("xp.empty_like(x, order='Q')")
for args in ["10, dtype=bool", "2, dtype=bool", "3, dtype=bool", "0, 10, 0", "0, 10, 0.0",
             "np.nan", "np.inf", "0, np.inf, 1", "2**63 - 2, 2**63 + 2", "2**63 - 2, 2**63",
             "2**64 - 2, 2**64 + 2", "-2**63 - 2, -2**63 + 2", "-(2**63), 0, 2**62",
             "'a'", "None", "5, 0, -1, np.uint8", "5, 0, -1, None", "5, dtype='float16'", "-1, 5, dtype=np.uint8",
             "300, dtype=np.int8", "0, 5, 1, dtype=np.uint8", "5, 0, -2**70",
             "0, 1, 1e-300", "0, 10, 3, dtype=int", "2.5, 1, -0.5", "0, 300, 100, dtype=np.int8",
             "True", "0, 5, None", "5, dtype=object"]:
    c(f"xp.arange({args})")
for args in ["0, 1, -1", "0, 1, 2.5", "0, 1, True", "0, 1, 5, dtype=int",
             "0, 1, 5, dtype='float16'", "0, np.nan, 3", "0, 1, '5'", "0, 1, 2**62",
             "0, 1, 5, endpoint='yes'", "'a', 1, 5"]:
    c(f"xp.linspace({args})")
for args in ["-1", "2.5", "3, k=1.5", "3, dtype='U1'", "3, 4, 10", "3, M=-1", "3, dtype='float16'",
             "True", "3, order='Q'", "2**40, 2**40"]:
    c(f"xp.eye({args})")
c("xp.identity(-2)")
c("xp.identity(2.0)")
for obj in ["[1, [2]]", "'abc'", "None", "[1, None]", "{1: 2}", "[[1, 2], [3]]", "2**64", "-2**63 - 1",
            "[2**63, -1]", "b'ab'", "object()", "[1.5, 'a']", "np.float16(1)", "x.tolist()"]:
    c(f"xp.asarray({obj})")
c("xp.asarray(X, dtype='float16')")
c("xp.asarray(X, dtype='nonsense')")
c("xp.asarray([1, 2], copy=False)")
c("xp.asarray(X, device='gpu')")
c("xp.asarray(X, order='Q')")
c("xp.asarray(X, dtype=np.int8)")
c("xp.asarray([300], dtype=np.int8)")
# chunks=: oxarray's own argument, refused at the call with ValueError/TypeError
for bad, exc in [("0", "ValueError"), ("-2", "ValueError"), ("((2, 2),)", "ValueError"),
                 ("(2, 2)", "ValueError"), ("'foo'", "ValueError"), ("{}", "TypeError"),
                 ("((1, -1, 5),)", "ValueError"), ("((5,), (1,))", "ValueError"),
                 ("((2.5, 2.5),)", "TypeError"), ("2.5", "ValueError"),
                 ("((6, -1),)", "ValueError"), ("(('a',),)", "TypeError"),
                 ("((2**64, 5 - 2**64),)", "ValueError"), ("[[]]", "ValueError")]:
    expect(f"xp.ones(5, chunks={bad})", exc)
c("xp.ones((3, 4), chunks=(1, 1))", "xp.ones((3, 4))")
c("xp.asarray(X, chunks=((1, 1), (3,), (4,)))", "X")
c("xp.ones((0, 3), chunks=((0,), (3,)))", "xp.ones((0, 3))")
c("xp.ones((3, 4), chunks=((0, 3), (4,)))", "xp.ones((3, 4))")
c("xp.zeros(2**62, dtype=np.int8)", "raise_(MemoryError)", at_compute=True)
c("xp.ones((0, 2**62))")
c("xp.zeros((2**40, 0, 3))", timeout=4)
c("xp.zeros(10**7, chunks=1).sum()", "raise_(ValueError)", timeout=4)
c("xp.asarray(np.zeros(10**7), chunks=1)", "raise_(ValueError)", timeout=4)

# ============================================================================ elementwise
for op in ["==", "!="]:
    for other in ["'abc'", "b'abc'", "None", "object()", "{}", "['a', 'b', 'c', 'd']",
                  "np.datetime64('2020')", "[1, 'a', 'b', 'c']"]:
        c(f"x {op} {other}")
        if "datetime" not in other:  # (NumPy's scalar converts x: oxarray's own == never runs)
            c(f"{other} {op} x")
for op in ["<", "+", "*", "-", "/", "//", "**", "&", "@"]:
    for other in ["'abc'", "None", "object()"]:
        c(f"x {op} {other}")
c("x + [1, 'a', 2, 3]")
c("x + [1, None, 2, 3]")
c("x + [[1], [2, 3]]")
c("x == [[1], [2, 3]]")
c("x == v")
c("x + v")
c("x < np.ones(5)")
c("x + np.float16(1)")
c("x + 1j")
c("x + 2**64")
c("x + 10**400")
c("f + 1e300")
c("x < 1j")
c("x + np.datetime64('2020')")
for other in ["300", "-1", "2**64", "256.0", "np.int64(300)", "True", "-1.5"]:
    c(f"u + {other}")
c("i + 2**63")
c("i + 2**64")
c("i + -2**63")
c("i == 2**64")
c("i < -2**70")
c("u == -1")
c("b + b")
c("b - b")
c("-b")
c("~x")
c("x & 1")
c("x << 1")
c("i << -1")
c("i << 64")
c("u >> 9")
c("abs(c)")
c("divmod(x, 0)")
c("divmod(i, 'a')")
c("i // 0")
c("i % 0")
c("asx(np.array([-2**63])) // -1")
c("x / 0")
c("np.divide(i, 0)")
for exp in ["-1", "np.int64(-1)", "np.array(-1)", "np.array([1, -1, 2])", "-2", "-1.0",
            "np.array([[-1], [2]])", "-(2**70)"]:
    c(f"i ** {exp}")
c("b ** -1")
c("u ** -1")
c("u ** np.int8(-1)")
c("np.power(i, -1)")
c("np.power(i, -1, dtype=float)")
c("np.float_power(i, -1)")
c("np.power(2, asx(np.array([-1, 2])))", at_compute=True)
c("i ** asx(np.array([1, -1, 2]))", at_compute=True)
c("np.power(x, 'a')")
c("np.add(x, 1, out=asx(np.zeros((2, 2, 3, 4))))")
c("np.add(x, 1, out=asx(np.zeros(4)))")
c("np.add(x, 1, out=asx(np.zeros((3, 4))))")
c("np.add(x, 1, out=(asx(np.zeros((2, 3, 4))), asx(np.zeros((2, 3, 4)))))")
c("np.add(x, 1, out=5)")
c("np.add(x, 1, out=(5,))")
c("np.add(x, 1, out=asx(np.zeros((2, 3, 4), int)))")
c("np.add(i, 1.5, out=asx(np.zeros((2, 3), int)))")
c("np.add(i, 1, out=asx(np.zeros((2, 3), np.int8)), casting='unsafe')")
c("np.add(x, 1, casting='bogus')")
c("np.add(x, 1, casting='no')")
c("np.add(x, x, casting='no')")
c("np.add(i, 1.5, casting='safe')")
c("np.add(i, 1.5, dtype=int, casting='safe')")
c("np.add(i, 1.5, dtype=int, casting='unsafe')")
c("np.add(x, 1, dtype='float16')")
c("np.add(x, 1, dtype='U3')")
c("np.add(x, 1, dtype='nonsense')")
c("np.add(x, 1, dtype=int)")
c("np.add(x, 1, where='yes')")
c("np.add(x, 1, where=asx(np.ones(5, bool)))")
c("np.add(x, 1, where=1.5)")
c("np.add(x, 1, order='Q')")
c("np.add(x, 1, order='F')")
c("np.add(x, 1, 2)")
c("np.add(x)")
c("np.sin(x, dtype=int)")
c("np.sin(x, dtype='float16')")
c("np.sin(u)")
c("np.sqrt(b)")
c("np.sin(c, casting='safe', dtype=float)")
c("np.invert(x)")
c("np.bitwise_and(x, 1)")
c("np.maximum(x, 'a')")
c("np.arctan2(c, c)")
c("np.round(x, 1.5)")
c("np.round(x, '1')")
c("np.round(b, 1)")
c("np.round(x, 2**70)")
c("np.clip(x, 'a', 1)")
c("np.clip(x)")
c("np.clip(i, 1.5, 3)")
c("np.clip(u, -1, 300)")
c("np.clip(x, 1, 2, out=asx(np.zeros(3)))")
c("np.where(x, 1, 2)")
c("np.where(b, x, 'a')")
c("np.where(b, x)")
c("np.where(b, x, None)")
c("np.where(asx(np.ones(5, bool)), x, 0)")
c("x.astype('float16')")
c("x.astype('nonsense')")
c("x.astype(int, casting='safe')")
c("x.astype(int, casting='bogus')")
c("x.astype(object)")
c("r = i.copy() if hasattr(i, 'copy') else i\nr += 1.5", "r = i.copy()\nr += 1.5")
c("r = b\nr += 1")
c("r = x\nr += v")
c("r = i\nr //= 0")
c("with np.errstate(divide='raise'):\n    r = x / 0", at_compute=True)
c("y = x\nfor _ in range(10000):\n    y = y + 1\nr = y", timeout=10)

# ============================================================================= reductions
for f in ["sum", "mean", "var", "max", "any", "argmax"]:
    for axis in ["[0, 1]", "[0]", "True", "False", "np.True_", "(True,)", "1.0", "'0'", "3", "-4",
                 "(0, 0)", "(0, -3)", "(None,)", "2**63", "np.array([0, 1])", "np.array(1)",
                 "(np.int64(0),)", "()"]:
        c(f"np.{f}(x, axis={axis})")
for f in ["prod", "min", "std", "all", "argmin"]:
    for axis in ["[0, 1]", "True", "(0, 0)", "3"]:
        c(f"x.{f}(axis={axis})")
for f in ["sum", "mean", "var", "min", "all", "argmax"]:
    for kd in ["'yes'", "None", "1.0", "np.True_", "2", "np.int64(1)", "np.array(True)", "[]"]:
        c(f"np.{f}(x, axis=1, keepdims={kd})")
for f in ["sum", "max", "mean", "any"]:
    for shape in ["(2, 3, 4)", "(1, 3, 4)", "(3, 5)", "(4, 3)", "()"]:
        c(f"np.{f}(x, axis=0, out=asx(np.zeros({shape})))")
c("np.sum(x, axis=0, keepdims=True, out=asx(np.zeros((1, 3, 4))))")
c("np.sum(x, axis=0, keepdims=True, out=asx(np.zeros((3, 4))))")
c("np.sum(x, axis=0, out=asx(np.zeros((3, 4), int)))")
c("np.sum(i, axis=0, out=asx(np.zeros(3)))")
c("np.mean(x, out=asx(np.zeros(())))")
c("np.max(x, out=5)")
c("np.argmax(x, axis=0, out=asx(np.zeros((3, 4))))")
c("np.argmax(x, axis=0, out=asx(np.zeros((3, 4), np.int32)))")
c("np.argmax(x, axis=0, out=asx(np.zeros(3, np.intp)))")
c("np.argmin(x, out=asx(np.zeros((), np.intp)))")
c("np.argmin(x, axis=1, keepdims=True, out=asx(np.zeros((2, 3), np.intp)))")
for f in ["var", "std"]:
    for kw in ["ddof=1, correction=1", "ddof=0, correction=1", "correction=1.5", "ddof='a'",
               "ddof=None", "ddof=10", "ddof=-1", "ddof=np.int64(1)", "ddof=True"]:
        c(f"np.{f}(v, {kw})")
for dt in ["'float16'", "'U'", "bool", "'nonsense'", "np.int8", "np.complex64"]:
    c(f"np.sum(x, dtype={dt})")
    c(f"np.mean(i, dtype={dt})")
c("np.sum(x, initial='a')")
c("np.sum(x, initial=None)")
c("np.sum(x, initial=np.nan)")
c("np.max(x, initial=[1, 2])")
c("np.max(e)")
c("np.max(e, axis=0)")
c("np.max(e, axis=1)")
c("np.max(e, initial=0)")
c("np.argmax(e)")
c("np.argmax(e, axis=0)")
c("np.argmax(e, axis=1)")
c("np.sum(x, where=asx(np.ones(5, bool)))")
c("np.sum(x, where='a')")
c("np.max(x, where=b[..., None] if False else asx(np.ones((3, 4), bool)))")
c("np.mean(x, where=asx(np.arange(4) > 1))")
c("np.sum(z, axis=0)")
c("np.sum(z, axis=1)")
c("np.mean(z, axis=0)")
c("np.argmax(z, axis=0)")
c("np.argmax(z, axis=1)")
c("np.var(e)")
c("np.add.reduce(x, axis=(0, 0))")
c("np.add.reduce(x, axis=True)")
c("np.minimum.reduce(e)")
c("np.add.reduce(x, axis=3)")
c("x.sum(0, 1)")
c("x.sum(0, None, None, 'yes')")
c("x.mean(axis=1, dtype='float16')")
c("np.prod(i, dtype=np.int8)")
c("np.sum(b)")
c("np.sum(u)")

# =========================================================================== manipulation
for shape in ["(-1, -1)", "(5, 5)", "(-2, 12)", "(2.0, 12)", "(0, -1)", "'a'", "None", "(2, [12])",
              "(2**62, 2**62)", "[2, 12]", "np.array([2, 12])", "(True, 24)", "(-1, 5)", "()",
              "(2**63, 0)"]:
    c(f"xp.reshape(x, {shape})")
c("xp.reshape(e, (-1, 0))")
c("xp.reshape(e, (0, 2**62, 2**62))")
c("xp.reshape(e, (2**62, 2**62, 0))")
c("x.reshape((2, 12), order='Q')")
c("x.reshape(2, 12, order='A')")
c("np.ravel(x, order='Q')")
c("np.ravel(x, order='K')")
c("x.reshape(5, 5)")
c("x.reshape(2.0, 12)")
for axes in ["(0, 0, 1)", "(0, 1)", "(0, 1, 3)", "(0, 1, 2.0)", "[0, 1, True]", "(0, 1, -4)",
             "'abc'", "(0, 1, 2, 3)"]:
    c(f"np.transpose(x, {axes})")
c("x.transpose(1, 0)")
c("x.transpose(1, 0, 0)")
c("np.swapaxes(x, 0, 3)")
c("np.swapaxes(x, 0, 1.0)")
c("np.swapaxes(x, 0, True)")
for src, dst in [("0", "3"), ("[0, 1]", "[2]"), ("[0, 0]", "[1, 2]"), ("0.0", "1"), ("-4", "0"),
                 ("(0,)", "(1, 2)")]:
    c(f"np.moveaxis(x, {src}, {dst})")
for axis in ["4", "-5", "(0, 0)", "1.5", "[0, 1]", "True", "(0, 4)", "None"]:
    c(f"np.expand_dims(x, {axis})")
for axis in ["0", "5", "(0, 0)", "1.0", "True", "[0]"]:
    c(f"np.squeeze(x, axis={axis})")
c("np.squeeze(asx(np.ones((1, 3))), axis=0)")
c("np.squeeze(asx(np.ones((1, 3))), axis=(0, 0))")
c("np.squeeze(z, axis=0)")
c("np.squeeze(z, axis=1)")
for shape in ["(3, 3, 4)", "(3, 4)", "(-1, 3, 4)", "2.5", "(2**62, 2**62, 4)", "(2, 2, 3, 4)",
              "(0, 3, 4)", "(2, 3, 4.0)"]:
    c(f"np.broadcast_to(x, {shape})")
c("np.broadcast_arrays(x, v)")
c("np.broadcast_arrays(x, i[..., None])")
for arrays, kw in [("[x, asx(np.ones((2, 3)))]", ""), ("[x, asx(np.ones((2, 2, 2)))]", "axis=0"),
                   ("[]", ""), ("[x]", "axis=3"), ("[x, x]", "axis=1.0"), ("[z, z]", ""),
                   ("[x, i]", ""), ("[x, x]", "axis=None"), ("[i, x]", ""),
                   ("[x, x]", "dtype=int"), ("[x, x]", "dtype=int, casting='unsafe'"),
                   ("[x, x]", "out=asx(np.zeros(5))"), ("x", ""), ("[x, 'a']", ""),
                   ("[x, x]", "casting='bogus'"), ("[x, x]", "dtype='float16'"),
                   ("[i, u]", "dtype=np.uint8"), ("[x, x]", "axis=True"), ("[x, x]", "axis=2**63"),
                   ("[x, x]", "axis=-4"), ("(a for a in [x, x])", "")]:
    c(f"np.concatenate({arrays}{', ' if kw else ''}{kw})")
c("np.stack([x, x[:1]])")
c("np.stack([])")
c("np.stack([x, x], axis=4)")
c("np.stack([z, z])")
c("np.stack([x, x], axis=1.5)")
c("np.stack([x, i])")
c("z.mT")
c("v.mT")
c("np.atleast_2d(z)")
c("np.diagonal(v)")
c("np.diagonal(x, axis1=0, axis2=0)")
c("np.diagonal(x, offset=1.5)")
c("np.diagonal(x, axis1=3)")
c("np.trace(v)")
c("np.trace(x, axis1=0, axis2=-3)")

# =============================================================================== indexing
for key in ["0, 0, 0, 0", "2", "-3", "0, 3", "1.0", "np.float64(1)", "'a'", "..., ...",
            "None, ..., None, 0", "2**63", "2**64", "-2**63", "-2**63 - 1", "2**100", "2**63 - 1",
            "np.uint64(2**63)", "{}", "object()", "np.array(1)", "np.array(1.0)", "np.int8(1)",
            ":, :, :, :", "0, ..., 0, 0, 0", "1:0", "::-1, ::2", "(None,) * 62", "(None,) * 70",
            "0, 1.5", "slice(None), 'a'", "..., 4", "np.int64(-3)", "0, np.uint8(2)", "(0, 1, 2)"]:
    c(f"x[{key}]")
for key in ["2**63:", "::2**63", "::-2**63", "::-2**63 - 1", "::0", "0:1.5", "slice('a')", "5",
            "-6", "4", "(1,)", "None, None, None", "np.uint64(1):np.int64(3)", "-2**70:2**70",
            "::2**64"]:
    c(f"v[{key}]")
for key in ["0", "()", "...", "None", "..., None", "0:1"]:
    c(f"z[{key}]")
c("e[0]")
c("e[:, 3]")
c("e[:, 2]")
c("len(z)")
c("len(x)")
c("list(z)")
c("len(list(x))")

# ================================================================================= linalg
for f in ["inv", "det", "cholesky", "eigh", "eigvalsh", "eig", "slogdet", "qr", "svd", "pinv",
          "eigvals"]:
    c(f"np.linalg.{f}(v)")
for f in ["inv", "det", "cholesky", "eigh", "eig", "slogdet"]:
    c(f"np.linalg.{f}(t)")
    c(f"np.linalg.{f}(z)")
c("np.linalg.inv(x)")
c("np.linalg.inv(asx(np.zeros((3, 3))))", at_compute=True)
c("np.linalg.cholesky(asx(-np.eye(3)))", at_compute=True)
c("np.linalg.solve(m, v)")
c("np.linalg.solve(m, asx(np.ones(4)))")
c("np.linalg.solve(t, v)")
c("np.linalg.solve(m, asx(np.ones((2, 3))))")
c("np.linalg.solve(m, 'a')")
c("m @ v")
c("x @ x")
c("z @ v")
c("v @ z")
c("m @ t")
c("np.matmul(m, m, out=asx(np.zeros((2, 2))))")
c("np.dot(v, m)")
c("np.dot(m, t)")
c("np.vdot(v, m)")
c("np.vdot(v, v[:4])")
c("np.outer(v, x).shape")
c("np.linalg.matrix_rank(m)")
for axes in ["3", "((0,), (0, 1))", "-1", "1.5", "((0,), (5,))", "([0, 0], [0, 1])", "'a'"]:
    c(f"np.tensordot(m, m, axes={axes})")
c("np.cross(v, v)")
c("np.cross(m, t)")
c("np.cross(m, m, axis=5)")
c("np.linalg.svd(x, compute_uv=False)")
c("np.linalg.qr(t, mode='bogus')")
c("np.linalg.svd(t, full_matrices='yes', compute_uv=False)")
for kw in ["ord='fro'", "ord=3", "axis=(0, 1, 2)", "axis=3", "ord='nuc', axis=0", "axis=(0, 0)",
           "ord='bogus'", "ord=1j"]:
    c(f"np.linalg.norm(x, {kw})")
c("np.linalg.norm(v, ord='fro')")
c("np.linalg.norm(m, ord=3)")
c("np.linalg.matrix_power(m, 1.5)")
c("np.linalg.matrix_power(t, 2)")
c("np.linalg.matrix_power(m, 2**70)")
c("np.linalg.matrix_power(asx(np.zeros((3, 3))), -1)", at_compute=True)
c("np.trace(m, axis1=0, axis2=0)")
c("np.linalg.vecdot(m, v)")
c("np.linalg.matrix_transpose(v)")

# ================================================================================= random
rng = "xp.random.default_rng(0)"
for call in ["uniform(2, 1, size=3)", "uniform(0, np.inf)", "uniform(0, np.nan)",
             "uniform(np.array([0, 2]), 1, size=2)", "uniform(size=-1)", "uniform(size=2.5)",
             "uniform(size=(2, -1))", "uniform(1, 1, size=2)", "uniform(-np.inf, 0)",
             "uniform(1e308, -1e308)", "uniform('a', 1)", "uniform(size=(2, 3))",
             "random(size=-1)", "random(size=2.5)", "random(size='a')", "random(dtype=np.int64)",
             "random(dtype='float16')", "random(size=(2**62, 2**62))", "random(size=True)",
             "random(size=np.array([2, 3]))", "random(size=(3,), dtype=np.float32)",
             "integers(0, 2**64)", "integers(0, 2**64, dtype=np.uint64)",
             "integers(0, 2**65, dtype=np.uint64)", "integers(-1, 5, dtype=np.uint64)",
             "integers(5, 5)", "integers(5, 5, endpoint=True)", "integers(5, 4, endpoint=True)",
             "integers(0, 1.5)", "integers(0, 10, dtype=float)", "integers(0, 10, dtype=bool)",
             "integers(0, 2, dtype=bool)", "integers(0, 'a')", "integers(-2**63 - 1, 0)",
             "integers(2**63)", "integers(0, 10, size=-1)", "integers(0, 10, dtype='float16')",
             "integers(np.array([0, 5]), 3)", "integers(0, [1, 2**64])",
             "normal(0, -1)", "normal(0, np.array([1, -1]))", "normal(0, 1, size=-1)",
             "normal('a')", "standard_normal(dtype=np.int32)",
             "choice(0, 3)", "choice(5, 6, replace=False)", "choice(5, p=[0.5, 0.5])",
             "choice(3, p=[0.5, 0.6, -0.1])", "choice(3, p=[0.2, 0.2, 0.2])", "choice(2.5)",
             "choice([])", "choice(np.array(3))", "choice(-1)", "choice(3, p=[[1.0]])",
             "choice(3, p=[np.nan, 0.5, 0.5])", "choice(3, size=2.5)",
             "permutation(-1)", "permutation(2.5)", "permutation(np.array(5))",
             "permutation(x, axis=3)", "shuffle(np.array(5))", "shuffle(x, axis=5)"]:
    c(f"{rng}.{call}", values=False)
for seed in ["'a'", "-1", "1.5", "[1, -1]", "2**200"]:
    c(f"xp.random.default_rng({seed}).random(2)", values=False)
c(f"{rng}.random(size=2**62)", values=False)

# ============================================================================ conversions
for expr in ["bool(x)", "bool(e)", "bool(v[:1])", "bool(z)", "int(x)", "float(x)", "complex(x)",
             "int(v[1:2])", "float(e)", "operator.index(x)",
             "operator.index(v[0])", "operator.index(i[0, 1])", "list(range(i[0, 2]))",
             "x.item()", "z.item()", "x.item(100)", "x.item(1, 2, 3)", "x.item(0.5)",
             "x.item(1, 2)", "hash(x)", "int(z)", "float(z)", "x.tolist()[1][2]", "e.tolist()",
             "iter(z)", "x.__array_namespace__(api_version='2099.01')", "round(z)",
             "z.__index__()", "format(z, '.2f')", "f'{x}'[:0]"]:
    c(expr)
c("np.asarray(x, dtype=np.float16)", eager=True)
c("np.asarray(x, dtype='nonsense')")
c("np.array(x, copy=True)", eager=True)
c("xp.asarray(M)")
expect("xp.persist(None)", "TypeError")
expect("xp.persist(x, 'a')", "TypeError")
expect("xp.compute(None)", "TypeError")
expect("xp.compute(object())", "TypeError")

# =============================================================================== protocol
for expr in ["x + M", "M + x", "x == M", "x * M", "x[0] - M", "x + U()", "x == U()", "x * U()",
             "x + F()", "x == F()", "np.add(x, F())", "np.sin(F())", "x + P()", "x * P()",
             "v[:3] + S2()", "v[:3] + S3()", "np.add(v[:3], S3())", "np.concatenate([x, G()])",
             "np.sum(G())", "x < U()", "x - F()", "U() + x", "F() * x"]:
    c(expr)


# ------------------------------------------------------------------------ the operands
class U:
    """Opts out of NumPy's ufuncs (NEP 13: ``__array_ufunc__ = None``) but adds from the right."""

    __array_ufunc__ = None

    def __radd__(self, other):
        return "U.radd"

    def __eq__(self, other):
        return "U.eq"

    __hash__ = None


class F:
    """A duck array that overrides every ufunc."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return "F." + ufunc.__name__


class G:
    """A duck array that overrides every NumPy function (NEP 18)."""

    def __array_function__(self, func, types, args, kwargs):
        return "G." + func.__name__


class P:
    """No protocol, a high ``__array_priority__`` and a reflected add."""

    __array_priority__ = 1000

    def __radd__(self, other):
        return "P.radd"


def _subclasses():
    import numpy as np

    class S2(np.ndarray):
        __array_priority__ = 20

        def __radd__(self, other):
            return "S2.radd"

    class S3(np.ndarray):
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "S3." + ufunc.__name__

    return (lambda: np.ones(3).view(S2)), (lambda: np.ones(3).view(S3))


def raise_(exc):
    raise exc("expected")


HOST = {  # operand: (data, oxarray chunks)
    "x": ("np.arange(24.0).reshape(2, 3, 4)", (1, 2, 3)),
    "v": ("np.arange(5.0)", 2),
    "i": ("np.arange(6).reshape(2, 3)", (1, 2)),
    "u": ("np.array([0, 1, 200, 255], np.uint8)", 3),
    "b": ("np.array([[True, False, True], [False, True, False]])", (2, 2)),
    "f": ("np.array([1.0, 2.5, -3.0], np.float32)", 2),
    "c": ("np.array([1 + 2j, -1j, 3.0])", 2),
    "z": ("np.array(2.5)", ()),
    "e": ("np.zeros((0, 3))", (1, 2)),
    "m": ("np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])", 2),
    "t": ("np.arange(8.0).reshape(4, 2) ** 2", 2),
}


class Operands(dict):
    """The operands a case names, made when first looked up (fresh for every case: cases may
    rebind them in place)."""

    def __init__(self, lib: str, glob: dict):
        super().__init__()
        self.lib, self.glob = lib, glob

    def __missing__(self, name):
        if name not in HOST:
            raise KeyError(name)
        code, chunks = HOST[name]
        data = eval(code, self.glob)
        value = data if self.lib == "np" else self.glob["xp"].asarray(data, chunks=chunks)
        self[name] = value
        return value


def namespace(lib: str) -> tuple[dict, Operands]:
    """(globals, locals) for a case: NumPy arrays (``lib='np'``) or chunked oxarray Arrays."""
    import operator

    import numpy as np

    make_s2, make_s3 = _subclasses()
    glob = {"np": np, "operator": operator, "raise_": raise_, "U": U, "F": F, "G": G, "P": P,
            "S2": make_s2, "S3": make_s3, "X": np.arange(24.0).reshape(2, 3, 4),
            "M": np.ma.masked_array(np.arange(4.0), mask=[False, True, False, False])}
    if lib == "np":
        glob["xp"], glob["asx"] = np, np.asarray
    else:
        import oxarray as ox

        glob["xp"], glob["asx"] = ox, ox.asarray
    return glob, Operands(lib, glob)


# ------------------------------------------------------------------------ running one case
def _evaluate(code: str, glob: dict, ns: Operands):
    try:
        compiled = compile(code, "<case>", "eval")
    except SyntaxError:
        exec(compile(code, "<case>", "exec"), glob, ns)
        return ns.get("r")
    return eval(compiled, glob, ns)


def _outcome(code: str, lib: str):
    """('raise', type, moment, message) or ('value', raw result, computed result)."""
    from helpers import public_type

    try:
        raw = _evaluate(code, *namespace(lib))
    except Exception as exc:
        return ("raise", public_type(exc), "call", f"{type(exc).__name__}: {exc}"[:300])
    try:
        return ("value", raw, _materialize(raw))
    except Exception as exc:
        return ("raise", public_type(exc), "compute", f"{type(exc).__name__}: {exc}"[:300])


def _materialize(r):
    import oxarray as ox

    if isinstance(r, ox.Array):
        return r.compute()
    if isinstance(r, tuple) and any(isinstance(a, ox.Array) for a in r):
        return tuple(_materialize(a) for a in r)
    return r


def _unsupported(value) -> bool:
    import numpy as np

    from oxarray.testing import SUPPORTED_DTYPES

    if isinstance(value, tuple):
        return any(_unsupported(v) for v in value)
    known = (*SUPPORTED_DTYPES, np.dtype(np.float16))
    return isinstance(value, (np.ndarray, np.generic)) and value.dtype not in known


def _compare(case: Case, want, raw, got, where: str = "result") -> str | None:
    import numpy as np

    import oxarray as ox

    if isinstance(want, np.ma.MaskedArray) or (isinstance(want, np.ndarray) and type(want) is not np.ndarray):
        if type(got) is not type(want):
            return f"{where}: NumPy gives {type(want).__name__}, oxarray {type(got).__name__}"
        masked = isinstance(want, np.ma.MaskedArray)
        if masked and not np.array_equal(np.ma.getmaskarray(want), np.ma.getmaskarray(got)):
            return f"{where}: masks differ"
        want, got = np.asarray(want), np.asarray(got)
    elif isinstance(want, (np.ndarray, np.generic)):
        if not (isinstance(raw, ox.Array) or (case.eager and isinstance(raw, np.ndarray))):
            return f"{where}: NumPy gives an array, oxarray {type(raw).__name__} ({raw!r:.80})"
    elif isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"{where}: NumPy gives {want!r:.80}, oxarray {got!r:.80}"
        raws = raw if isinstance(raw, (tuple, list)) else [None] * len(got)
        for k, (w, r, g) in enumerate(zip(want, raws, got, strict=True)):
            msg = _compare(case, w, r, g, f"{where}[{k}]")
            if msg:
                return msg
        return None
    elif not case.values and isinstance(raw, ox.Array) and raw.ndim == 0:
        # A draw of one value: NumPy's Python scalar, oxarray's lazy 0-d Array (dtype kind only).
        return None if np.asarray(want).dtype.kind == got.dtype.kind else f"{where}: kinds differ"
    else:
        same = type(want) is type(got) and (want == got or (want != want and got != got))
        return None if same else f"{where}: NumPy gives {want!r:.80}, oxarray {got!r:.80}"
    want, got = np.asarray(want), np.asarray(got)
    if want.dtype != got.dtype or want.shape != got.shape:
        return f"{where}: NumPy gives {want.dtype}{want.shape}, oxarray {got.dtype}{got.shape}"
    if case.values:
        if want.dtype.kind in "fc":
            scale = float(np.nanmax(np.abs(want), initial=0, where=np.isfinite(want)))
            ok = np.allclose(got, want, rtol=1e-6, atol=1e-9 * scale, equal_nan=True) \
                or np.array_equal(got, want, equal_nan=True)
        else:
            ok = np.array_equal(got, want)
        if not ok:
            return f"{where}: values differ: NumPy {want!r:.120}, oxarray {got!r:.120}"
    return None


def check(case: Case) -> str | None:
    """None when oxarray behaves as NumPy on this case, else what differs."""
    want = _outcome(case.np_expr or case.expr, "np")
    got = _outcome(case.expr, "ox")
    if want[0] == "raise":
        if got[0] != "raise":
            return f"NumPy raises {want[3]}; oxarray returns {got[1]!r:.100}"
        if got[1] is not want[1]:
            return f"NumPy raises {want[3]}; oxarray raises {got[3]} (at {got[2]})"
        if got[2] == "compute" and not case.at_compute:
            return f"NumPy raises {want[3]} at the call; oxarray only at compute"
        return None
    if _unsupported(want[2]) and not case.eager:
        if got[0] == "raise" and got[1] is TypeError and got[2] == "call":
            return None
        return (f"NumPy computes in a dtype oxarray lacks; oxarray must raise TypeError at the call, "
                f"got {got[1:]!r:.150}")
    if got[0] == "raise":
        return f"NumPy returns {want[2]!r:.100}; oxarray raises {got[3]} (at {got[2]})"
    return _compare(case, want[2], got[1], got[2])


def _child_main(indices: list[int]) -> None:
    """Run cases by index, one JSON line each, under an address-space limit (a runaway
    allocation is a MemoryError or an abort of this child, never of the machine)."""
    import resource
    import warnings

    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    warnings.simplefilter("ignore")
    import numpy as np

    np.seterr(all="ignore")
    for i in indices:
        try:
            msg = check(CASES[i])
        except BaseException as exc:  # the harness itself must report, not die
            msg = f"harness error: {type(exc).__name__}: {exc}"
        print(json.dumps({"i": i, "fail": msg}), flush=True)


# ------------------------------------------------------------------------ the parent side
BATCH = 250
_RESULTS: dict[int, str | None] = {}


def _run_batch(indices: list[int]) -> None:
    """Run ``indices`` in child processes; a case that kills or hangs its child fails, and a
    new child takes the cases after it."""
    pending = list(indices)
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONWARNINGS="ignore", RUST_BACKTRACE="0")
    while pending:
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), *map(str, pending)],
                                    stdout=subprocess.PIPE, stderr=err, cwd=here, env=env)
            buf = b""
            deadline = time.monotonic() + CASES[pending[0]].timeout
            died = None
            while pending:
                if b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    rec = json.loads(line)
                    _RESULTS[rec["i"]] = rec["fail"]
                    pending.remove(rec["i"])
                    if pending:
                        deadline = time.monotonic() + CASES[pending[0]].timeout
                    continue
                left = deadline - time.monotonic()
                ready, _, _ = select.select([proc.stdout], [], [], max(left, 0))
                if not ready:
                    died = f"hang: no result in {CASES[pending[0]].timeout:.0f} s"
                    break
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    proc.wait()
                    err.seek(0)
                    tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
                    died = f"the child died (exit {proc.returncode}): {' | '.join(tail)}"
                    break
                buf += chunk
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            if died is not None:
                _RESULTS[pending.pop(0)] = died


def _result(index: int) -> str | None:
    if index not in _RESULTS:
        start = index - index % BATCH
        _run_batch(list(range(start, min(start + BATCH, len(CASES)))))
    return _RESULTS[index]


def _param(i: int, case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.owner)] if case.owner else []
    return pytest.param(i, id=f"{i}:{case.expr[:70]}", marks=marks)


@pytest.mark.parametrize("index", [_param(i, k) for i, k in enumerate(CASES)])
def test_hostile(index):
    fail = _result(index)
    if fail is not None:
        pytest.fail(f"{CASES[index].expr!r}: {fail}", pytrace=False)


def test_catalogue_size():
    assert len(CASES) >= 300
    assert len({k.expr for k in CASES}) == len(CASES), "duplicate cases"


if __name__ == "__main__":
    _child_main([int(a) for a in sys.argv[1:]])
