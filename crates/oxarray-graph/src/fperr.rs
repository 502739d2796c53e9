//! NumPy's floating-point error state (`np.errstate`) for lazy arrays.
//!
//! The rule: the state in force when an operation is *written* governs it. The Python front
//! captures `np.geterr()` at each ufunc call and hands it to the node as an [`FpMode`]; fused
//! programs keep it per instruction ([`FpCheck`]). At compute, the program tests the hardware's
//! sticky exception flags after each checked instruction on each block (on the worker thread
//! that ran it), adds the flags NumPy sets by hand (integer division by zero), and records them
//! per node in an [`FpLog`]. A flag whose mode is `raise` stops the run; the bindings then hand
//! the log to Python, which warns, calls the errcall or raises `FloatingPointError` with NumPy's
//! message ("divide by zero encountered in divide"), node by node in the order they were written.

use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{dispatch_typed, ColumnRef, DType, OxError, OxResult};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// NumPy's status bits (`NPY_FPE_*`), in the order NumPy handles them.
pub const DIVIDE: u8 = 1;
pub const OVERFLOW: u8 = 2;
pub const UNDERFLOW: u8 = 4;
pub const INVALID: u8 = 8;
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
/// NumPy reports per ufunc call) and that node's mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FpCheck {
    pub node: u64,
    pub mode: FpMode,
}

impl FpCheck {
    /// `None` when nothing would be reported (every flag ignored).
    pub fn new(node: u64, mode: FpMode) -> Option<FpCheck> {
        (mode.cares() != 0).then_some(FpCheck { node, mode })
    }
}

/// The flags each node raised during one compute (union over its blocks and chunks).
#[derive(Debug, Default)]
pub struct FpLog {
    events: Mutex<BTreeMap<u64, (FpMode, u8)>>,
}

impl FpLog {
    pub fn record(&self, check: FpCheck, flags: u8) {
        let mut ev = self.events.lock().unwrap_or_else(|p| p.into_inner());
        ev.entry(check.node).or_insert((check.mode, 0)).1 |= flags;
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
    if !matches!(
        op,
        BinaryOp::FloorDivide | BinaryOp::Remainder | BinaryOp::Fmod
    ) || !a.dtype().is_integer()
    {
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
    let transcendental = matches!(
        op,
        Sqrt | Cbrt
            | Exp
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

/// The hardware's sticky exception flags, as NumPy's status bits (C99 `<fenv.h>`; per thread).
pub fn test_flags() -> u8 {
    // SAFETY: fetestexcept only reads the calling thread's floating-point status.
    let raw = unsafe { fenv::fetestexcept(fenv::ALL) };
    let mut out = 0;
    for (bit, fe) in [
        (DIVIDE, fenv::DIVBYZERO),
        (OVERFLOW, fenv::OVERFLOW),
        (UNDERFLOW, fenv::UNDERFLOW),
        (INVALID, fenv::INVALID),
    ] {
        if raw & fe != 0 {
            out |= bit;
        }
    }
    out
}

/// Clears the calling thread's sticky exception flags.
pub fn clear_flags() {
    // SAFETY: feclearexcept only writes the calling thread's floating-point status.
    unsafe {
        fenv::feclearexcept(fenv::ALL);
    }
}

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

#[allow(dead_code)]
mod fenv {
    use std::os::raw::c_int;

    extern "C" {
        pub fn fetestexcept(excepts: c_int) -> c_int;
        pub fn feclearexcept(excepts: c_int) -> c_int;
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    mod bits {
        use std::os::raw::c_int;
        pub const INVALID: c_int = 0x01;
        pub const DIVBYZERO: c_int = 0x04;
        pub const OVERFLOW: c_int = 0x08;
        pub const UNDERFLOW: c_int = 0x10;
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    mod bits {
        // aarch64, riscv, ...: the C99 values glibc and Apple's libm use there.
        use std::os::raw::c_int;
        pub const INVALID: c_int = 0x01;
        pub const DIVBYZERO: c_int = 0x02;
        pub const OVERFLOW: c_int = 0x04;
        pub const UNDERFLOW: c_int = 0x08;
    }
    pub use bits::*;
    pub const ALL: c_int = INVALID | DIVBYZERO | OVERFLOW | UNDERFLOW;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hardware_flags_are_seen_and_cleared() {
        clear_flags();
        let z = std::hint::black_box(0.0f64);
        let _ = std::hint::black_box(1.0 / z);
        assert_eq!(test_flags() & DIVIDE, DIVIDE);
        clear_flags();
        assert_eq!(test_flags(), 0);
        let _ = std::hint::black_box(z / z);
        assert_eq!(test_flags(), INVALID);
        clear_flags();
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
