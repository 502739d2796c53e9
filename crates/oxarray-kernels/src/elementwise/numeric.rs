//! Small numeric traits that let each kernel body be written once per family (integers, floats,
//! complex) or once for all 13 dtypes ([`Value`]), with NumPy's per-value rules in one place.

use super::cast::FromF64;
use super::loops::ColumnElem;
use num_complex::Complex;
use num_traits::{
    CheckedDiv, CheckedRem, FloatConst, PrimInt, WrappingAdd, WrappingMul, WrappingNeg,
    WrappingSub, Zero,
};

/// The 8 integer dtypes. Wrapping arithmetic everywhere: NumPy integers wrap on overflow.
pub trait Int:
    ColumnElem
    + PrimInt
    + WrappingAdd
    + WrappingSub
    + WrappingMul
    + WrappingNeg
    + CheckedDiv
    + CheckedRem
    + FromF64
{
    /// The unsigned type of the same width (gcd/lcm work on magnitudes, as NumPy's `npy_gcdu`).
    type Unsigned: PrimInt + WrappingMul;
    fn magnitude(self) -> Self::Unsigned;
    fn from_unsigned(u: Self::Unsigned) -> Self;
    fn to_f64(self) -> f64;

    /// Python's floor division; 0 for a zero divisor, `MIN // -1 == MIN` (both as NumPy).
    #[inline]
    fn floor_div(self, b: Self) -> Self {
        match self.checked_div(&b) {
            Some(q) => {
                let exact = self.checked_rem(&b).is_none_or(|r| r == Self::zero());
                if !exact && ((self < Self::zero()) != (b < Self::zero())) {
                    q - Self::one()
                } else {
                    q
                }
            }
            // Either b == 0 (NumPy returns 0) or MIN / -1 (NumPy returns MIN, i.e. wraps).
            None if b == Self::zero() => Self::zero(),
            None => self.wrapping_neg(),
        }
    }

    /// Python's remainder (sign of the divisor); 0 for a zero divisor and for `MIN % -1`.
    #[inline]
    fn py_rem(self, b: Self) -> Self {
        match self.checked_rem(&b) {
            Some(r) if r != Self::zero() && ((r < Self::zero()) != (b < Self::zero())) => r + b,
            Some(r) => r,
            None => Self::zero(),
        }
    }

    /// C's `%` (sign of the dividend); 0 where C would trap.
    #[inline]
    fn c_fmod(self, b: Self) -> Self {
        self.checked_rem(&b).unwrap_or_else(Self::zero)
    }

    /// `a ** e` by squaring, wrapping; the caller rejects negative exponents first.
    #[inline]
    fn wrapping_pow_int(self, e: Self) -> Self {
        let mut e = e.to_u64().unwrap_or(0);
        let (mut base, mut acc) = (self, Self::one());
        while e != 0 {
            if e & 1 == 1 {
                acc = acc.wrapping_mul(&base);
            }
            base = base.wrapping_mul(&base);
            e >>= 1;
        }
        acc
    }

    /// NumPy's `npy_lshift`: the shift is read as unsigned, and shifting out every bit gives 0.
    #[inline]
    fn np_shl(self, s: Self) -> Self {
        match s.to_u32() {
            Some(k) if k < Self::zero().count_zeros() => self.unsigned_shl(k),
            _ => Self::zero(),
        }
    }

    /// NumPy's `npy_rshift`: arithmetic for signed types; over-wide shifts keep only the sign.
    #[inline]
    fn np_shr(self, s: Self) -> Self {
        match s.to_u32() {
            Some(k) if k < Self::zero().count_zeros() => self >> k as usize,
            _ if self < Self::zero() => !Self::zero(),
            _ => Self::zero(),
        }
    }

    /// gcd of the magnitudes, computed unsigned and cast back (so gcd(MIN, 0) == MIN, as NumPy).
    #[inline]
    fn np_gcd(self, b: Self) -> Self {
        Self::from_unsigned(gcd_unsigned(self.magnitude(), b.magnitude()))
    }

    #[inline]
    fn np_lcm(self, b: Self) -> Self {
        let (a, b) = (self.magnitude(), b.magnitude());
        let g = gcd_unsigned(a, b);
        if g.is_zero() {
            return Self::zero();
        }
        Self::from_unsigned((a / g).wrapping_mul(&b))
    }

    #[inline]
    fn np_sign(self) -> Self {
        if self > Self::zero() {
            Self::one()
        } else if self < Self::zero() {
            Self::zero().wrapping_sub(&Self::one())
        } else {
            Self::zero()
        }
    }
}

fn gcd_unsigned<U: PrimInt>(mut a: U, mut b: U) -> U {
    while b != U::zero() {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

macro_rules! impl_int {
    ($($t:ty => $u:ty),*) => {$(
        impl Int for $t {
            type Unsigned = $u;
            #[inline]
            #[allow(clippy::cast_sign_loss, clippy::unnecessary_cast)]
            fn magnitude(self) -> $u {
                // `unsigned_abs` for signed types; the identity for unsigned ones.
                if self < 0 as $t { (self as $u).wrapping_neg() } else { self as $u }
            }
            #[inline]
            #[allow(clippy::unnecessary_cast)]
            fn from_unsigned(u: $u) -> $t {
                u as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
impl_int!(i8 => u8, i16 => u16, i32 => u32, i64 => u64, u8 => u8, u16 => u16, u32 => u32, u64 => u64);

/// The 2 float dtypes (and the component type of the 2 complex ones).
pub trait Real: ColumnElem + num_traits::Float + FloatConst {
    fn round_even(self) -> Self;
    /// C's `nextafter`.
    fn next_after(self, toward: Self) -> Self;
    fn lit(v: f64) -> Self;
}

macro_rules! impl_real {
    ($($t:ty => $bits:ty),*) => {$(
        impl Real for $t {
            #[inline]
            fn round_even(self) -> Self {
                self.round_ties_even()
            }
            #[inline]
            fn next_after(self, toward: Self) -> Self {
                if self.is_nan() || toward.is_nan() {
                    return self + toward;
                }
                if self == toward {
                    return toward;
                }
                if self == 0.0 {
                    // The smallest subnormal, with the sign of the direction of travel.
                    return <$t>::from_bits(1).copysign(toward);
                }
                let bits = self.to_bits();
                // Moving away from zero increments the magnitude bits.
                let away = (toward > self) == (self > 0.0);
                <$t>::from_bits(if away { bits + 1 } else { bits - 1 })
            }
            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn lit(v: f64) -> Self {
                v as $t
            }
        }
    )*};
}
impl_real!(f32 => u32, f64 => u64);

/// What every one of the 13 element types answers: truthiness, classification, NumPy's total-ish
/// order (lexicographic with NaN rules for complex), and the real/imaginary parts.
pub trait Value: ColumnElem {
    /// The real dtype of the same precision (`Self` for real types).
    type Part: ColumnElem;
    fn truthy(self) -> bool;
    fn is_nan_(self) -> bool;
    fn is_inf_(self) -> bool;
    fn is_finite_(self) -> bool;
    fn lt(self, b: Self) -> bool;
    fn le(self, b: Self) -> bool;
    /// NumPy's `maximum`/`minimum`: NaN propagates.
    fn maximum(self, b: Self) -> Self;
    fn minimum(self, b: Self) -> Self;
    /// NumPy's `fmax`/`fmin`: NaN is ignored unless both are NaN.
    fn fmax(self, b: Self) -> Self;
    fn fmin(self, b: Self) -> Self;
    fn re(self) -> Self::Part;
    fn im(self) -> Self::Part;
}

macro_rules! impl_value_real {
    ($is_inf:path; $($t:ty),*) => {$(
        impl Value for $t {
            type Part = $t;
            #[inline]
            fn truthy(self) -> bool { self != <$t>::default() }
            // `x != x` is NaN for floats and constant-false for exact types.
            #[inline]
            #[allow(clippy::eq_op)]
            fn is_nan_(self) -> bool { self != self }
            #[inline]
            fn is_inf_(self) -> bool { $is_inf(self) }
            #[inline]
            fn is_finite_(self) -> bool { !self.is_nan_() && !self.is_inf_() }
            #[inline]
            fn lt(self, b: Self) -> bool { self < b }
            #[inline]
            fn le(self, b: Self) -> bool { self <= b }
            // NumPy returns the second operand on ties (visible as maximum(-0.0, 0.0) == 0.0).
            #[inline]
            fn maximum(self, b: Self) -> Self { if self.is_nan_() || self > b { self } else { b } }
            #[inline]
            fn minimum(self, b: Self) -> Self { if self.is_nan_() || self < b { self } else { b } }
            #[inline]
            fn fmax(self, b: Self) -> Self { if b.is_nan_() || self > b { self } else { b } }
            #[inline]
            fn fmin(self, b: Self) -> Self { if b.is_nan_() || self < b { self } else { b } }
            #[inline]
            fn re(self) -> Self { self }
            #[inline]
            fn im(self) -> Self { <$t>::default() }
        }
    )*};
}
impl_value_real!(never_inf; bool, i8, i16, i32, i64, u8, u16, u32, u64);
impl_value_real!(f32::is_infinite; f32);
impl_value_real!(f64::is_infinite; f64);

/// Exact types are never infinite.
#[inline]
fn never_inf<T>(_: T) -> bool {
    false
}

/// NumPy's complex order (`CLT`/`CLE` in `loops.c.src`): lexicographic, and a NaN imaginary part
/// makes a strict real-part comparison false.
impl<F: Real> Value for Complex<F>
where
    Complex<F>: ColumnElem,
{
    type Part = F;
    #[inline]
    fn truthy(self) -> bool {
        self.re != F::zero() || self.im != F::zero()
    }
    #[inline]
    fn is_nan_(self) -> bool {
        self.re.is_nan() || self.im.is_nan()
    }
    #[inline]
    fn is_inf_(self) -> bool {
        self.re.is_infinite() || self.im.is_infinite()
    }
    #[inline]
    fn is_finite_(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
    #[inline]
    fn lt(self, b: Self) -> bool {
        (self.re < b.re && !self.im.is_nan() && !b.im.is_nan())
            || (self.re == b.re && self.im < b.im)
    }
    #[inline]
    fn le(self, b: Self) -> bool {
        (self.re < b.re && !self.im.is_nan() && !b.im.is_nan())
            || (self.re == b.re && self.im <= b.im)
    }
    #[inline]
    fn maximum(self, b: Self) -> Self {
        if self.is_nan_() || b.le(self) {
            self
        } else {
            b
        }
    }
    #[inline]
    fn minimum(self, b: Self) -> Self {
        if self.is_nan_() || self.le(b) {
            self
        } else {
            b
        }
    }
    #[inline]
    fn fmax(self, b: Self) -> Self {
        if b.is_nan_() || b.le(self) {
            self
        } else {
            b
        }
    }
    #[inline]
    fn fmin(self, b: Self) -> Self {
        if b.is_nan_() || self.le(b) {
            self
        } else {
            b
        }
    }
    #[inline]
    fn re(self) -> F {
        self.re
    }
    #[inline]
    fn im(self) -> F {
        self.im
    }
}
