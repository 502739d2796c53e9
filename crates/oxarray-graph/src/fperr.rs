//! NumPy's floating-point error state (`np.errstate`) for lazy arrays.
//!
//! The rule: the state in force when an operation is *written* governs it. The Python front
//! captures `np.geterr()` at each ufunc call and hands it to the node as an [`FpMode`]; fused
//! programs keep it per instruction ([`FpCheck`]). At compute, the program tests the hardware's
//! sticky exception flags after each checked instruction on each block (on the worker thread
//! that ran it), adds the flags NumPy sets by hand (integer division by zero), and records them
//! per node in an [`FpLog`]. A program whose flags all come from the hardware tests them once per
//! block instead, and runs a block again instruction by instruction only when it raised one. A flag whose mode is `raise` stops the run; the bindings then hand
//! the log to Python, which warns, calls the errcall or raises `FloatingPointError` with NumPy's
//! message ("divide by zero encountered in divide"), node by node in the order they were written.

use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{dispatch_typed, Chunk, ColumnRef, DType, OxError, OxResult};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub use oxarray_core::fpflags::{DIVIDE, INVALID, OVERFLOW, UNDERFLOW};
const FLAG_TEXT: [(u8, &str); 4] = [
    (DIVIDE, "divide by zero"),
    (OVERFLOW, "overflow"),
    (UNDERFLOW, "underflow"),
    (INVALID, "invalid value"),
];

/// The error state of one call, packed by the Python front: bits 0-3 the flags not ignored,
/// bits 4-7 those whose mode is `raise`, the rest an id the front uses to find the call's ufunc
/// name, modes and errcall again. Zero means "do not check" (internal ops, `where=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FpMode(pub u64);

impl FpMode {
    pub const UNCHECKED: FpMode = FpMode(0);
    pub fn cares(self) -> u8 {
        (self.0 & 0xF) as u8
    }
    pub fn raises(self) -> u8 {
        ((self.0 >> 4) & 0xF) as u8
    }
}

/// One instruction's error checking: which node it comes from (events are reported per node, as
/// NumPy reports per ufunc call) and that node's mode. `part` tells apart the steps of one node
/// that NumPy reports under different names (a mean's "reduce" and its final "divide").
///
/// Its `Debug` text leaves out the node id and the call's site id: a task's text is what its
/// exported key hashes (`exec::export::task_keys`), and both ids are numbers of one build in one
/// process, so the same expression built twice, or by another client, would get other keys. What
/// stays (the part, the flags checked and those that raise) is what the task does; where the
/// check sits in the task is given by its place in the text.
#[derive(Clone, Copy, PartialEq)]
pub struct FpCheck {
    pub node: u64,
    pub part: u8,
    pub mode: FpMode,
}

impl std::fmt::Debug for FpCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FpCheck")
            .field("part", &self.part)
            .field("cares", &self.mode.cares())
            .field("raises", &self.mode.raises())
            .finish_non_exhaustive()
    }
}

impl FpCheck {
    /// `None` when nothing would be reported (every flag ignored).
    pub fn new(node: u64, mode: FpMode) -> Option<FpCheck> {
        FpCheck::part(node, 0, mode)
    }
    /// The check of step `part` of `node`.
    pub fn part(node: u64, part: u8, mode: FpMode) -> Option<FpCheck> {
        (mode.cares() != 0).then_some(FpCheck { node, part, mode })
    }
}

/// The flags each node raised during one compute (union over its blocks and chunks).
#[derive(Debug, Default)]
pub struct FpLog {
    events: Mutex<BTreeMap<(u64, u8), (FpMode, u8)>>,
}

impl FpLog {
    pub fn record(&self, check: FpCheck, flags: u8) {
        let mut ev = self.events.lock().unwrap_or_else(|p| p.into_inner());
        ev.entry((check.node, check.part))
            .or_insert((check.mode, 0))
            .1 |= flags;
    }
    /// `(mode, flags)` per node that raised a flag its mode does not ignore, in node order.
    pub fn events(&self) -> Vec<(FpMode, u8)> {
        let ev = self.events.lock().unwrap_or_else(|p| p.into_inner());
        ev.values().copied().collect()
    }
    /// Whether some flag was raised under `raise` (the run was then stopped).
    pub fn raised(&self) -> bool {
        self.events().iter().any(|(m, f)| m.raises() & f != 0)
    }
}

/// NumPy's message for the first flag that `raise` applies to, e.g. "overflow encountered in
/// multiply" (the Python front raises it as `FloatingPointError`).
pub fn raise_error(op: &str, flags: u8) -> OxError {
    let text = FLAG_TEXT
        .iter()
        .find(|(f, _)| flags & f != 0)
        .map_or("floating point error", |(_, t)| t);
    OxError::Compute(format!("{text} encountered in {op}"))
}

/// Flags NumPy's integer loops set by hand: division or modulo by zero sets `divide`, and
/// `MIN // -1` sets `overflow` (floor_divide only). Float operands: nothing (the hardware did).
pub fn integer_flags(op: BinaryOp, a: ColumnRef<'_>, b: ColumnRef<'_>) -> u8 {
    if !has_integer_flags(op, a.dtype()) {
        return 0;
    }
    let zero = dispatch_typed!(ColumnRef, b, bv => bv.iter().any(is_zero));
    let overflow = op == BinaryOp::FloorDivide
        && match (a, b) {
            (ColumnRef::Int8(a), ColumnRef::Int8(b)) => min_by_minus_one(a, b, i8::MIN),
            (ColumnRef::Int16(a), ColumnRef::Int16(b)) => min_by_minus_one(a, b, i16::MIN),
            (ColumnRef::Int32(a), ColumnRef::Int32(b)) => min_by_minus_one(a, b, i32::MIN),
            (ColumnRef::Int64(a), ColumnRef::Int64(b)) => min_by_minus_one(a, b, i64::MIN),
            _ => false,
        };
    (if zero { DIVIDE } else { 0 }) | (if overflow { OVERFLOW } else { 0 })
}

/// Whether [`integer_flags`] can find a flag for `op` over `dtype` (an integer floor division or
/// remainder); every other binary op's flags are the hardware's alone.
pub fn has_integer_flags(op: BinaryOp, dtype: DType) -> bool {
    matches!(
        op,
        BinaryOp::FloorDivide | BinaryOp::Remainder | BinaryOp::Fmod
    ) && dtype.is_integer()
}

fn is_zero<T: PartialEq + Default>(v: &T) -> bool {
    *v == T::default()
}

fn min_by_minus_one<I: Copy + PartialEq + From<i8>>(a: &[I], b: &[I], min: I) -> bool {
    let minus_one = I::from(-1);
    a.iter().zip(b).any(|(&x, &y)| x == min && y == minus_one)
}

/// How the flags of a unary op are found. The C library's transcendental functions set flags
/// their result does not justify (an underflow inside `asinh` of a large number, an overflow of
/// `x*x` inside `acosh`) where NumPy's loops do not, so for those the flags are read off the
/// values, as IEEE 754 defines them: a NaN from a non-NaN is `invalid`; an infinity from a finite
/// input is `divide` at a pole (log of 0, arctanh of 1) and `overflow` elsewhere. Underflow is
/// taken from the hardware for `exp`/`exp2` only. Complex transcendental functions are not
/// checked (their flags differ from NumPy's too often to report).
pub enum UnaryFlags {
    Hardware,
    /// Flags from the values; the hardware's flags are kept under this mask.
    Values {
        hardware_mask: u8,
    },
    Unchecked,
}

pub fn unary_flags_source(op: UnaryOp, input: DType) -> UnaryFlags {
    use UnaryOp::*;
    // Not sqrt: it is an IEEE basic operation like `+` and `/`, and the hardware raises exactly
    // NumPy's flag (invalid, for a negative number), so no scan of the values is needed.
    let transcendental = matches!(
        op,
        Cbrt | Exp
            | Exp2
            | Expm1
            | Log
            | Log2
            | Log10
            | Log1p
            | Sin
            | Cos
            | Tan
            | Arcsin
            | Arccos
            | Arctan
            | Sinh
            | Cosh
            | Tanh
            | Arcsinh
            | Arccosh
            | Arctanh
    );
    if !transcendental {
        UnaryFlags::Hardware
    } else if input.is_complex() {
        UnaryFlags::Unchecked
    } else if matches!(op, Exp | Exp2) {
        UnaryFlags::Values {
            hardware_mask: UNDERFLOW,
        }
    } else {
        UnaryFlags::Values { hardware_mask: 0 }
    }
}

/// The flags of `out = op(x)` read off the values (see [`UnaryFlags`]); real floats only.
pub fn unary_value_flags(op: UnaryOp, x: ColumnRef<'_>, out: ColumnRef<'_>) -> u8 {
    let pole = matches!(
        op,
        UnaryOp::Log | UnaryOp::Log2 | UnaryOp::Log10 | UnaryOp::Log1p | UnaryOp::Arctanh
    );
    let (nan_from_number, inf_from_finite) = match (x, out) {
        (ColumnRef::Float64(x), ColumnRef::Float64(y)) => scan(x, y),
        (ColumnRef::Float32(x), ColumnRef::Float32(y)) => scan(x, y),
        (ColumnRef::Float16(x), ColumnRef::Float16(y)) => scan(x, y),
        _ => (false, false),
    };
    let inf_flag = if pole { DIVIDE } else { OVERFLOW };
    (if nan_from_number { INVALID } else { 0 }) | (if inf_from_finite { inf_flag } else { 0 })
}

fn scan<F: num_traits::Float>(x: &[F], y: &[F]) -> (bool, bool) {
    // Branch-free over the block, so the check costs a fraction of the op it checks.
    let mut nan = false;
    let mut inf = false;
    for (&a, &b) in x.iter().zip(y) {
        nan |= b.is_nan() & !a.is_nan();
        inf |= b.is_infinite() & a.is_finite();
    }
    (nan, inf)
}

/// Clears the calling thread's sticky exception flags.
pub use oxarray_core::fpflags::clear as clear_flags;
/// The hardware's sticky exception flags, as NumPy's status bits (per thread).
pub use oxarray_core::fpflags::test as test_flags;

/// Only what a checked instruction needs; `Err` when the flags call for `raise`.
pub fn check_after(
    op: &str,
    check: FpCheck,
    flags: u8,
    local: &mut u8,
    log: &FpLog,
) -> OxResult<()> {
    let seen = flags & check.mode.cares();
    if seen == 0 {
        return Ok(());
    }
    *local |= flags & 0xF;
    if seen & check.mode.raises() != 0 {
        log.record(check, flags & 0xF);
        return Err(raise_error(op, seen & check.mode.raises()));
    }
    Ok(())
}

/// The flags of a matrix product read off the values, as NumPy's `matmul` reports them: an
/// infinity in the result when no operand holds one is `overflow`, a NaN when no operand holds
/// one is `invalid` (inf * 0, inf - inf). Real and complex floats; integers raise nothing.
pub fn product_flags(pairs: &[(&Chunk, &Chunk)], out: &Chunk) -> u8 {
    let scan = |c: &Chunk| -> (bool, bool) {
        match c {
            Chunk::Float64(v) => finite_scan(v.iter().copied()),
            Chunk::Float32(v) => finite_scan(v.iter().map(|&x| f64::from(x))),
            Chunk::Complex128(v) => finite_scan(v.iter().flat_map(|z| [z.re, z.im])),
            Chunk::Complex64(v) => {
                finite_scan(v.iter().flat_map(|z| [f64::from(z.re), f64::from(z.im)]))
            }
            _ => (false, false),
        }
    };
    let (out_inf, out_nan) = scan(out);
    if !out_inf && !out_nan {
        return 0;
    }
    let (mut in_inf, mut in_nan) = (false, false);
    for (a, b) in pairs {
        for c in [a, b] {
            let (i, n) = scan(c);
            in_inf |= i;
            in_nan |= n;
        }
    }
    let overflow = out_inf && !in_inf && !in_nan;
    let invalid = out_nan && !in_nan;
    (if overflow { OVERFLOW } else { 0 }) | (if invalid { INVALID } else { 0 })
}

/// (any infinity, any NaN) among `values`.
fn finite_scan(values: impl Iterator<Item = f64>) -> (bool, bool) {
    let (mut inf, mut nan) = (false, false);
    for x in values {
        inf |= x.is_infinite();
        nan |= x.is_nan();
    }
    (inf, nan)
}

/// Runs a kernel step `f` whose hardware flags (on this thread: kernels that split a task across
/// threads hand theirs back, see `oxarray_core::fpflags::raise`) are checked against `check`,
/// plus any flags `f` found by hand (its second result): recorded in `log`, and `Err` with
/// NumPy's message when the mode says `raise`. No check: `f` runs alone.
pub fn checked<T>(
    op: &str,
    check: Option<&FpCheck>,
    log: &FpLog,
    f: impl FnOnce() -> OxResult<(T, u8)>,
) -> OxResult<T> {
    checked_with(op, check, log, true, f)
}

/// [`checked`] reading only the flags `f` found by hand: for kernels (matrix products) whose
/// threads' hardware flags are not all seen from this one.
pub fn checked_by_values<T>(
    op: &str,
    check: Option<&FpCheck>,
    log: &FpLog,
    f: impl FnOnce() -> OxResult<(T, u8)>,
) -> OxResult<T> {
    checked_with(op, check, log, false, f)
}

fn checked_with<T>(
    op: &str,
    check: Option<&FpCheck>,
    log: &FpLog,
    hardware: bool,
    f: impl FnOnce() -> OxResult<(T, u8)>,
) -> OxResult<T> {
    let Some(check) = check else {
        return f().map(|(v, _)| v);
    };
    clear_flags();
    let (value, by_hand) = f()?;
    let seen = if hardware { test_flags() } else { 0 };
    let flags = (seen | by_hand) & check.mode.cares();
    if flags != 0 {
        log.record(*check, flags);
        if flags & check.mode.raises() != 0 {
            return Err(raise_error(op, flags & check.mode.raises()));
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_steps_record_and_raise() {
        let log = FpLog::default();
        let warn = FpCheck::part(3, 1, FpMode(OVERFLOW as u64));
        // The result through black_box too: LLVM may otherwise sink the multiply past the test
        // (a kernel's results are stored to memory before it returns, which pins them).
        let step = || {
            Ok((
                std::hint::black_box(std::hint::black_box(1e308f64) * 10.0),
                0,
            ))
        };
        let v = checked("reduce", warn.as_ref(), &log, step).unwrap();
        assert!(v.is_infinite());
        assert_eq!(log.events(), vec![(FpMode(OVERFLOW as u64), OVERFLOW)]);
        let raise = FpCheck::new(4, FpMode((INVALID | INVALID << 4) as u64));
        let err = checked("cast", raise.as_ref(), &log, || Ok(((), INVALID))).unwrap_err();
        assert!(err
            .to_string()
            .contains("invalid value encountered in cast"));
        assert!(log.raised());
        // Unchecked: flags are left alone and nothing is recorded.
        let quiet = FpLog::default();
        checked("reduce", None, &quiet, || Ok(((), INVALID))).unwrap();
        assert!(quiet.events().is_empty());
    }

    #[test]
    fn integer_division_flags() {
        let a: &[i8] = &[i8::MIN, 1];
        let b: &[i8] = &[-1, 0];
        let (a, b) = (ColumnRef::Int8(a), ColumnRef::Int8(b));
        let f = integer_flags(BinaryOp::FloorDivide, a, b);
        assert_eq!(f, DIVIDE | OVERFLOW);
        let f = integer_flags(BinaryOp::Remainder, a, b);
        assert_eq!(f, DIVIDE);
        let c: &[i8] = &[1, 2];
        let c = ColumnRef::Int8(c);
        assert_eq!(integer_flags(BinaryOp::FloorDivide, c, c), 0);
    }
}
