//! float16 loops (NumPy's `'e'` type): values are stored as IEEE half and every op computes in
//! float32 and rounds its result back to half, as NumPy's half loops do (`npy_half_to_float`,
//! the float loop, `npy_float_to_half`), so a fused chain rounds at each op boundary and equals
//! NumPy bit for bit. `spacing` and `nextafter` step through the half grid itself, as NumPy's
//! dedicated half loops do. Rounding to half raises NumPy's `overflow`/`underflow` flags.

use super::binary::BinaryKernels;
use super::cast::{CastSource, CastTarget};
use super::loops::{map_into, zip_into};
use super::numeric::Value;
use super::unary::UnaryKernels;
use oxarray_core::fpflags::{self, INVALID, OVERFLOW, UNDERFLOW};
use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{Column, ColumnRef, DType, OxResult, F16};

/// The float32 values of a run of halves (exact).
pub(crate) fn widen(x: &[F16]) -> Vec<f32> {
    x.iter().map(|h| h.to_f32()).collect()
}

/// NumPy's flags of rounding `x` to half: `overflow` when a finite value becomes infinite,
/// `underflow` when a nonzero value below the smallest normal half is rounded.
pub(crate) fn half_flags(x: f64, h: F16) -> u8 {
    let mut f = 0;
    if x.is_finite() && h.is_infinite() {
        f |= OVERFLOW;
    }
    if x != 0.0 && x.abs() < f64::from(F16::MIN_POSITIVE.to_f32()) && h.to_f64() != x {
        f |= UNDERFLOW;
    }
    f
}

/// The halves nearest to `x`, raising the flags NumPy's rounding raises on this thread.
fn narrow(x: &[f32]) -> Vec<F16> {
    let mut flags = 0;
    let v = x
        .iter()
        .map(|&a| {
            let h = F16::from_f32(a);
            flags |= half_flags(f64::from(a), h);
            h
        })
        .collect();
    fpflags::raise(flags);
    v
}

/// `out` := the float32 loop's result, rounded to half when it is a float (the loop's output
/// dtype was float16); a bool or int32 result (comparisons, `frexp`'s exponent) is kept.
fn finish(wide: Column, out: &mut Column) {
    *out = match wide {
        Column::Float32(v) => Column::Float16(narrow(&v)),
        other => other,
    };
}

/// NumPy's half `spacing`: the gap to the next half away from zero (toward zero for a negative
/// power of two), always positive; NaN (`invalid`) for inf and NaN, inf (`overflow`) at the top.
fn spacing(h: F16) -> F16 {
    let bits = h.to_bits();
    let exp = i32::from((bits >> 10) & 0x1f);
    if exp == 0x1f {
        fpflags::raise(INVALID);
        return F16::NAN;
    }
    if bits == 0x7bff {
        fpflags::raise(OVERFLOW);
        return F16::INFINITY;
    }
    let negative_power_of_two = bits & 0x8000 != 0 && bits & 0x3ff == 0 && exp > 0;
    let e = if negative_power_of_two { exp - 1 } else { exp };
    F16::from_f32(2f32.powi(e.max(1) - 25))
}

/// NumPy's half `nextafter`: the next half after `x` toward `y` (`x` itself when they are
/// equal); `overflow` when a finite `x` steps to infinity.
fn nextafter(x: F16, y: F16) -> F16 {
    if x.is_nan() || y.is_nan() {
        return F16::NAN;
    }
    if x == y {
        return x;
    }
    if x.to_bits() & 0x7fff == 0 {
        return F16::from_bits((y.to_bits() & 0x8000) | 1);
    }
    let away = (x < y) == (x > F16::ZERO);
    let bits = x.to_bits();
    let r = F16::from_bits(if away { bits + 1 } else { bits - 1 });
    if r.is_infinite() && x.is_finite() {
        fpflags::raise(OVERFLOW);
    }
    r
}

impl UnaryKernels for F16 {
    fn unary(op: UnaryOp, x: &[F16], out: &mut Column) -> OxResult<()> {
        if op == UnaryOp::Spacing {
            map_into(out, x, spacing);
            return Ok(());
        }
        let mut wide = Column::Float32(Vec::new());
        f32::unary(op, &widen(x), &mut wide)?;
        finish(wide, out);
        Ok(())
    }
}

impl BinaryKernels for F16 {
    fn binary(op: BinaryOp, a: &[F16], b: &[F16], out: &mut Column) -> OxResult<()> {
        match op {
            BinaryOp::Nextafter => zip_into(out, a, b, nextafter),
            BinaryOp::Maximum => zip_into(out, a, b, F16::maximum),
            BinaryOp::Minimum => zip_into(out, a, b, F16::minimum),
            BinaryOp::Fmax => zip_into(out, a, b, F16::fmax),
            BinaryOp::Fmin => zip_into(out, a, b, F16::fmin),
            _ => {
                let mut wide = Column::Float32(Vec::new());
                f32::binary(op, &widen(a), &widen(b), &mut wide)?;
                finish(wide, out);
            }
        }
        Ok(())
    }
}

impl Value for F16 {
    type Part = F16;
    #[inline]
    fn truthy(self) -> bool {
        self.to_f32() != 0.0
    }
    #[inline]
    fn is_nan_(self) -> bool {
        self.is_nan()
    }
    #[inline]
    fn is_inf_(self) -> bool {
        self.is_infinite()
    }
    #[inline]
    fn is_finite_(self) -> bool {
        self.is_finite()
    }
    #[inline]
    fn lt(self, b: Self) -> bool {
        self < b
    }
    #[inline]
    fn le(self, b: Self) -> bool {
        self <= b
    }
    // NaN propagates as for the other floats, but NumPy's half loops give the *first* operand
    // on ties (`maximum(-0.0, 0.0)` is -0.0 in float16, 0.0 in float32).
    #[inline]
    fn maximum(self, b: Self) -> Self {
        if self.is_nan() || self >= b {
            self
        } else {
            b
        }
    }
    #[inline]
    fn minimum(self, b: Self) -> Self {
        if self.is_nan() || self <= b {
            self
        } else {
            b
        }
    }
    #[inline]
    fn fmax(self, b: Self) -> Self {
        if b.is_nan() || self >= b {
            self
        } else {
            b
        }
    }
    #[inline]
    fn fmin(self, b: Self) -> Self {
        if b.is_nan() || self <= b {
            self
        } else {
            b
        }
    }
    #[inline]
    fn re(self) -> Self {
        self
    }
    #[inline]
    fn im(self) -> Self {
        F16::ZERO
    }
}

impl CastTarget for F16 {
    #[inline]
    fn from_bool(b: bool) -> Self {
        if b {
            F16::ONE
        } else {
            F16::ZERO
        }
    }
    // NumPy converts an integer through float32 (exact below 2**24; larger ones are inf in half).
    #[inline]
    fn from_i64(v: i64) -> Self {
        F16::from_f32(v as f32)
    }
    #[inline]
    fn from_u64(v: u64) -> Self {
        F16::from_f32(v as f32)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        F16::from_f64(v)
    }
    #[inline]
    fn from_complex(re: f64, _im: f64) -> Self {
        F16::from_f64(re)
    }
}

impl CastSource for F16 {
    #[inline]
    fn cast<D: CastTarget>(self) -> D {
        let x = self.to_f64();
        if D::DTYPE == DType::UInt32 {
            // NumPy's half -> uint32 converts to int64 first (x86's `cvttss2si` with a 64-bit
            // destination), so inf and NaN become 0, not float -> uint32's 2**31.
            let wide = if x.is_finite() { x as i64 } else { i64::MIN };
            return D::from_i64(wide);
        }
        D::from_f64(x)
    }
}

/// NumPy's flags of casting `x` to float16: `overflow`/`underflow` of the rounding (integers
/// included: 70000 overflows), nothing from another half or a bool.
pub(super) fn cast_flags_to_half(x: ColumnRef<'_>) -> u8 {
    fn all(values: impl Iterator<Item = f64>) -> u8 {
        values.fold(0, |f, v| f | half_flags(v, F16::from_f64(v)))
    }
    match x {
        ColumnRef::Bool(_) | ColumnRef::Float16(_) => 0,
        ColumnRef::Float32(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::Float64(v) => all(v.iter().copied()),
        ColumnRef::Complex64(v) => all(v.iter().map(|a| f64::from(a.re))),
        ColumnRef::Complex128(v) => all(v.iter().map(|a| a.re)),
        ColumnRef::Int8(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::UInt8(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::Int16(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::UInt16(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::Int32(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::UInt32(v) => all(v.iter().map(|&a| f64::from(a))),
        ColumnRef::Int64(v) => all(v.iter().map(|&a| a as f32 as f64)),
        ColumnRef::UInt64(v) => all(v.iter().map(|&a| a as f32 as f64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: f32) -> F16 {
        F16::from_f32(v)
    }

    #[test]
    fn spacing_and_nextafter_follow_numpy_half() {
        // Values from numpy 2.4.
        assert_eq!(spacing(h(1.0)), h(9.765625e-4));
        assert_eq!(spacing(h(-1.0)), h(4.8828125e-4));
        assert_eq!(spacing(h(-65504.0)), h(32.0));
        assert_eq!(spacing(h(-0.0)).to_bits(), 1);
        assert!(spacing(h(65504.0)).is_infinite());
        assert!(spacing(F16::INFINITY).is_nan());
        assert_eq!(nextafter(h(-0.0), h(0.0)).to_bits(), 0x8000);
        assert_eq!(nextafter(h(0.0), h(-1.0)).to_bits(), 0x8001);
        assert_eq!(nextafter(h(1.0), h(2.0)).to_bits(), 0x3c01);
        assert!(nextafter(h(65504.0), F16::INFINITY).is_infinite());
        assert_eq!(nextafter(F16::INFINITY, h(0.0)), F16::MAX);
    }

    #[test]
    fn ops_round_to_half_after_each_op() {
        let mut out = Column::Bool(Vec::new());
        F16::binary(
            BinaryOp::Add,
            &[h(60000.0), h(1.0)],
            &[h(60000.0), h(1e-4)],
            &mut out,
        )
        .unwrap();
        assert_eq!(out, Column::Float16(vec![F16::INFINITY, h(1.0)]));
        F16::binary(BinaryOp::Less, &[h(1.0)], &[h(2.0)], &mut out).unwrap();
        assert_eq!(out, Column::Bool(vec![true]));
        F16::unary(UnaryOp::Sin, &[h(1.0)], &mut out).unwrap();
        assert_eq!(out, Column::Float16(vec![h(1f32.sin())]));
        F16::binary(BinaryOp::Maximum, &[h(-0.0)], &[h(0.0)], &mut out).unwrap();
        assert_eq!(out, Column::Float16(vec![h(-0.0)]));
        let mut out = Column::Bool(Vec::new());
        super::super::cast::cast_into(
            ColumnRef::Float16(&[F16::NAN, h(-2.0)]),
            DType::UInt32,
            &mut out,
        );
        assert_eq!(out, Column::UInt32(vec![0, u32::MAX - 1]));
    }
}
