//! `astype(casting="unsafe")`: C casts between the 13 dtypes.
//!
//! Every source type calls the one `CastTarget` constructor that matches its kind, so a cast
//! compiles to a straight conversion loop (no per-element branching on dtype). Float→int casts
//! reproduce what NumPy does on x86-64, including out-of-range values and NaN (C leaves those
//! undefined; x86's `cvttsd2si` yields the "integer indefinite" value `MIN`, and narrower targets
//! keep its low bits), so results agree with NumPy on the platform most users run.

use super::loops::ColumnElem;
use num_complex::Complex;
use oxarray_core::{dispatch_dtype, dispatch_typed, Column, ColumnRef, DType};

/// x86-64 `cvttsd2si` with a 32-bit destination.
#[inline]
fn cvtt32(x: f64) -> i32 {
    // Compare the truncated value: NaN fails the test, as it does in hardware.
    if (-2_147_483_648.0..2_147_483_648.0).contains(&x.trunc()) {
        x as i32
    } else {
        i32::MIN
    }
}

/// x86-64 `cvttsd2si` with a 64-bit destination.
#[inline]
fn cvtt64(x: f64) -> i64 {
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x.trunc()) {
        x as i64
    } else {
        i64::MIN
    }
}

/// Conversion of a float to an integer type as NumPy's compiled C casts do on x86-64.
pub trait FromF64 {
    fn from_f64_c(x: f64) -> Self;
}

macro_rules! from_f64_via_i32 {
    ($($t:ty),*) => {$(
        impl FromF64 for $t {
            #[inline]
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::unnecessary_cast)]
            fn from_f64_c(x: f64) -> $t { cvtt32(x) as $t }
        }
    )*};
}
from_f64_via_i32!(i8, i16, i32, u8, u16);

impl FromF64 for i64 {
    #[inline]
    fn from_f64_c(x: f64) -> i64 {
        cvtt64(x)
    }
}

/// Unsigned targets as wide as a register: compilers convert values >= 2^(bits-1) by subtracting
/// 2^(bits-1) first and flipping the top bit back.
impl FromF64 for u32 {
    #[inline]
    fn from_f64_c(x: f64) -> u32 {
        const HALF: f64 = 2_147_483_648.0;
        if x >= HALF {
            (cvtt32(x - HALF) as u32) ^ 0x8000_0000
        } else {
            cvtt32(x) as u32
        }
    }
}

impl FromF64 for u64 {
    #[inline]
    fn from_f64_c(x: f64) -> u64 {
        const HALF: f64 = 9_223_372_036_854_775_808.0;
        if x >= HALF {
            (cvtt64(x - HALF) as u64) ^ (1 << 63)
        } else {
            cvtt64(x) as u64
        }
    }
}

/// A cast destination: one constructor per kind of source.
pub trait CastTarget: ColumnElem {
    fn from_bool(b: bool) -> Self;
    fn from_i64(v: i64) -> Self;
    fn from_u64(v: u64) -> Self;
    fn from_f64(v: f64) -> Self;
    /// Complex → real drops the imaginary part (NumPy warns `ComplexWarning`); → bool tests both.
    fn from_complex(re: f64, im: f64) -> Self;
}

macro_rules! cast_target_int {
    ($($t:ty),*) => {$(
        impl CastTarget for $t {
            #[inline] fn from_bool(b: bool) -> Self { b as $t }
            #[inline]
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::unnecessary_cast)]
            fn from_i64(v: i64) -> Self { v as $t }
            #[inline]
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap, clippy::unnecessary_cast)]
            fn from_u64(v: u64) -> Self { v as $t }
            #[inline] fn from_f64(v: f64) -> Self { <$t as FromF64>::from_f64_c(v) }
            #[inline] fn from_complex(re: f64, _im: f64) -> Self { <$t as FromF64>::from_f64_c(re) }
        }
    )*};
}
cast_target_int!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! cast_target_float {
    ($($t:ty),*) => {$(
        impl CastTarget for $t {
            #[inline] fn from_bool(b: bool) -> Self { u8::from(b) as $t }
            #[inline] fn from_i64(v: i64) -> Self { v as $t }
            #[inline] fn from_u64(v: u64) -> Self { v as $t }
            #[inline]
            #[allow(clippy::cast_possible_truncation, clippy::unnecessary_cast)]
            fn from_f64(v: f64) -> Self { v as $t }
            #[inline]
            #[allow(clippy::cast_possible_truncation, clippy::unnecessary_cast)]
            fn from_complex(re: f64, _im: f64) -> Self { re as $t }
        }
        impl CastTarget for Complex<$t> {
            #[inline] fn from_bool(b: bool) -> Self { Complex::new(<$t>::from_bool(b), 0.0) }
            #[inline] fn from_i64(v: i64) -> Self { Complex::new(<$t>::from_i64(v), 0.0) }
            #[inline] fn from_u64(v: u64) -> Self { Complex::new(<$t>::from_u64(v), 0.0) }
            #[inline] fn from_f64(v: f64) -> Self { Complex::new(<$t>::from_f64(v), 0.0) }
            #[inline]
            fn from_complex(re: f64, im: f64) -> Self { Complex::new(<$t>::from_f64(re), <$t>::from_f64(im)) }
        }
    )*};
}
cast_target_float!(f32, f64);

impl CastTarget for bool {
    #[inline]
    fn from_bool(b: bool) -> Self {
        b
    }
    #[inline]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline]
    fn from_u64(v: u64) -> Self {
        v != 0
    }
    /// NaN is truthy (`NaN != 0`).
    #[inline]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline]
    fn from_complex(re: f64, im: f64) -> Self {
        re != 0.0 || im != 0.0
    }
}

/// A cast source: picks the `CastTarget` constructor for its kind (widening losslessly first).
pub trait CastSource: Copy {
    fn cast<D: CastTarget>(self) -> D;
}

macro_rules! cast_source {
    ($ctor:ident as $wide:ty: $($t:ty),*) => {$(
        impl CastSource for $t {
            #[inline]
            #[allow(clippy::unnecessary_cast)]
            fn cast<D: CastTarget>(self) -> D { D::$ctor(self as $wide) }
        }
    )*};
}
cast_source!(from_bool as bool: bool);
cast_source!(from_i64 as i64: i8, i16, i32, i64);
cast_source!(from_u64 as u64: u8, u16, u32, u64);
cast_source!(from_f64 as f64: f32, f64);

impl<F: Copy + Into<f64>> CastSource for Complex<F> {
    #[inline]
    fn cast<D: CastTarget>(self) -> D {
        D::from_complex(self.re.into(), self.im.into())
    }
}

fn cast_slice<S: CastSource, D: CastTarget>(x: &[S], out: &mut Column) {
    super::loops::map_into(out, x, |a| a.cast::<D>());
}

/// out := `x.astype(to, casting="unsafe")`.
pub fn cast_into<'a>(x: impl Into<ColumnRef<'a>>, to: DType, out: &mut Column) {
    dispatch_typed!(ColumnRef, x.into(), v => dispatch_dtype!(to, D => cast_slice::<_, D>(v, out)))
}

/// The floating-point flags NumPy's cast of `x` to `to` raises on x86-64, read off the values
/// (as NumPy's status bits): `invalid` where a float→integer conversion falls outside the range
/// of the instruction NumPy's C cast compiles to (32-bit for targets narrower than 32 bits, 64-bit
/// for `int64`/`uint32`, the two-step sequence for `uint64`), NaN and infinities included;
/// `overflow` where a finite value becomes infinite in a narrower float, `underflow` where a
/// nonzero value below its smallest normal number is rounded. Other casts raise none.
pub fn cast_flags<'a>(x: impl Into<ColumnRef<'a>>, to: DType) -> u8 {
    use oxarray_core::fpflags::INVALID;
    let x = x.into();
    let to_int = to.is_integer();
    if to == DType::Float16 {
        return super::float16::cast_flags_to_half(x);
    }
    let narrower_float = matches!(to, DType::Float32 | DType::Complex64);
    if !(to_int || narrower_float) {
        return 0;
    }
    // Only the real part of a complex value is converted to an integer.
    let flag = |bad: bool, f: u8| if bad { f } else { 0 };
    match x {
        ColumnRef::Float64(v) if to_int => flag(v.iter().any(|&a| !int_in_range(a, to)), INVALID),
        ColumnRef::Float32(v) if to_int => {
            flag(v.iter().any(|&a| !int_in_range(f64::from(a), to)), INVALID)
        }
        ColumnRef::Float16(v) if to_int => {
            flag(v.iter().any(|&a| !int_in_range(a.to_f64(), to)), INVALID)
        }
        ColumnRef::Complex128(v) if to_int => {
            flag(v.iter().any(|a| !int_in_range(a.re, to)), INVALID)
        }
        ColumnRef::Complex64(v) if to_int => flag(
            v.iter().any(|a| !int_in_range(f64::from(a.re), to)),
            INVALID,
        ),
        ColumnRef::Float64(v) => narrowing_flags(v.iter().copied()),
        ColumnRef::Complex128(v) if to == DType::Complex64 => {
            narrowing_flags(v.iter().flat_map(|a| [a.re, a.im]))
        }
        ColumnRef::Complex128(v) => narrowing_flags(v.iter().map(|a| a.re)),
        _ => 0,
    }
}

/// `overflow` and `underflow` of converting `values` to float32.
fn narrowing_flags(values: impl Iterator<Item = f64>) -> u8 {
    use oxarray_core::fpflags::{OVERFLOW, UNDERFLOW};
    let (mut over, mut under) = (false, false);
    for x in values {
        let y = x as f32;
        over |= x.is_finite() && y.is_infinite();
        under |= x != 0.0 && x.abs() < f64::from(f32::MIN_POSITIVE) && f64::from(y) != x;
    }
    (if over { OVERFLOW } else { 0 }) | (if under { UNDERFLOW } else { 0 })
}

/// Whether `cvttsd2si` (or the sequence NumPy's cast to `to` compiles to) converts `x` without
/// the "integer indefinite" result, i.e. without raising `invalid`.
#[inline]
fn int_in_range(x: f64, to: DType) -> bool {
    const TWO_31: f64 = 2_147_483_648.0;
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let t = x.trunc();
    match to {
        DType::Int64 | DType::UInt32 => (-TWO_63..TWO_63).contains(&t),
        DType::UInt64 if x >= TWO_63 => t - TWO_63 < TWO_63,
        DType::UInt64 => (-TWO_63..TWO_63).contains(&t),
        _ => (-TWO_31..TWO_31).contains(&t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxarray_core::{C32, C64};

    fn cast<S: ColumnElem, D: ColumnElem>(x: Vec<S>) -> Vec<D> {
        let mut out = Column::empty(DType::Bool);
        cast_into(&S::into_column(x), D::DTYPE, &mut out);
        D::slice_of(&out)
            .expect("cast_into produced the target dtype")
            .to_vec()
    }

    #[test]
    fn integer_casts_wrap() {
        assert_eq!(cast::<i64, u8>(vec![-1, 256, 300]), vec![255, 0, 44]);
        assert_eq!(cast::<u64, i8>(vec![u64::MAX, 128]), vec![-1, -128]);
        assert_eq!(cast::<bool, i32>(vec![true, false]), vec![1, 0]);
        assert_eq!(cast::<i16, bool>(vec![0, -3]), vec![false, true]);
    }

    #[test]
    fn cast_flags_match_numpy_x86() {
        use oxarray_core::fpflags::{INVALID, OVERFLOW, UNDERFLOW};
        let f = |xs: &[f64], to| cast_flags(ColumnRef::Float64(xs), to);
        // NumPy 2.4 on x86-64: narrow targets go through a 32-bit conversion.
        assert_eq!(f(&[300.0, -1.0, 70000.0], DType::Int8), 0);
        assert_eq!(f(&[1e10], DType::Int8), INVALID);
        assert_eq!(f(&[f64::NAN], DType::UInt8), INVALID);
        assert_eq!(f(&[1e10, -1e10, 4294967296.0], DType::UInt32), 0);
        assert_eq!(f(&[1e19], DType::UInt32), INVALID);
        assert_eq!(f(&[1.8e19, -1.0], DType::UInt64), 0);
        assert_eq!(f(&[18446744073709551616.0], DType::UInt64), INVALID);
        assert_eq!(f(&[-9.3e18], DType::UInt64), INVALID);
        assert_eq!(f(&[9223372036854775808.0], DType::Int64), INVALID);
        assert_eq!(f(&[f64::NAN, 1e300], DType::Bool), 0);
        assert_eq!(f(&[1e300, f64::INFINITY], DType::Float32), OVERFLOW);
        assert_eq!(f(&[1e-300, f64::NAN, 0.0], DType::Float32), UNDERFLOW);
        assert_eq!(f(&[1e300], DType::Float64), 0);
        let c = [C64::new(1.0, 1e300)];
        assert_eq!(
            cast_flags(ColumnRef::Complex128(&c), DType::Complex64),
            OVERFLOW
        );
        assert_eq!(cast_flags(ColumnRef::Complex128(&c), DType::Int32), 0);
    }

    #[test]
    fn float_to_int_matches_numpy_x86() {
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        // Values from numpy 2.4 on x86-64.
        assert_eq!(cast::<f64, i32>(vec![3.7, -3.7]), vec![3, -3]);
        let xs = vec![
            300.0,
            -1.0,
            1e10,
            nan,
            inf,
            -inf,
            -129.5,
            2f64.powi(63),
            1e30,
        ];
        assert_eq!(
            cast::<f64, i8>(xs.clone()),
            vec![44, -1, 0, 0, 0, 0, 127, 0, 0]
        );
        assert_eq!(
            cast::<f64, u8>(xs.clone()),
            vec![44, 255, 0, 0, 0, 0, 127, 0, 0]
        );
        let m = i32::MIN;
        assert_eq!(
            cast::<f64, i32>(xs.clone()),
            vec![300, -1, m, m, m, m, -129, m, m]
        );
        let h = 1u32 << 31;
        assert_eq!(
            cast::<f64, u32>(xs.clone()),
            vec![300, u32::MAX, 0, h, 0, h, 4294967167, 0, 0]
        );
        let m = i64::MIN;
        assert_eq!(
            cast::<f64, i64>(xs.clone()),
            vec![300, -1, 10_000_000_000, m, m, m, -129, m, m]
        );
        let h = 1u64 << 63;
        assert_eq!(
            cast::<f64, u64>(vec![
                300.0,
                -1.0,
                nan,
                inf,
                -inf,
                2f64.powi(63),
                2f64.powi(64),
                -2f64.powi(63) - 4096.0
            ]),
            vec![300, u64::MAX, h, 0, h, h, 0, h]
        );
        assert_eq!(
            cast::<f32, i16>(vec![300.0, -1.0, 1e10, f32::NAN]),
            vec![300, -1, 0, 0]
        );
    }

    #[test]
    fn float_and_complex_casts() {
        assert_eq!(
            cast::<f64, bool>(vec![f64::NAN, 0.0, -0.0, 0.5]),
            vec![true, false, false, true]
        );
        assert_eq!(cast::<C64, f64>(vec![C64::new(1.5, -2.0)]), vec![1.5]);
        assert_eq!(cast::<C64, i16>(vec![C64::new(1.5, -2.0)]), vec![1]);
        assert_eq!(
            cast::<C32, bool>(vec![C32::new(0.0, 1.0), C32::new(0.0, -0.0)]),
            vec![true, false]
        );
        assert_eq!(cast::<f64, C32>(vec![2.5]), vec![C32::new(2.5, 0.0)]);
        assert_eq!(cast::<u64, f32>(vec![u64::MAX]), vec![1.8446744e19]);
        assert_eq!(cast::<f64, f32>(vec![1e300]), vec![f32::INFINITY]);
    }

    #[test]
    fn reuses_or_replaces_out() {
        let x = Column::Int32(vec![1, 2, 3]);
        let mut out = Column::Float64(Vec::with_capacity(64));
        cast_into(&x, DType::Float64, &mut out);
        assert_eq!(out, Column::Float64(vec![1.0, 2.0, 3.0]));
        let Column::Float64(v) = &out else {
            unreachable!()
        };
        assert!(v.capacity() >= 64, "allocation kept");
        cast_into(&x, DType::UInt8, &mut out);
        assert_eq!(out, Column::UInt8(vec![1, 2, 3]));
    }
}
