//! NumPy's sort order for every dtype: NaNs last, complex values lexicographic with NumPy's NaN
//! classes (`[R + Rj, R + nanj, nan + Rj, nan + nanj]`), `-0.0 == 0.0`. Values that compare equal
//! here are equal for NumPy's stable sort, so a stable sort with this order matches
//! `kind="stable"` element for element (signed zeros and NaN payloads included).

use num_complex::Complex;
use oxarray_core::Element;
use std::cmp::Ordering;

/// An element type with NumPy's total sort order.
pub trait NpOrd: Element {
    fn np_cmp(&self, other: &Self) -> Ordering;
    /// Whether the value is NaN (or has a NaN part): what `nan*` functions skip.
    fn is_nan_like(&self) -> bool {
        false
    }
    /// Bytes of the radix key; 0 when the order is not that of an integer key (complex).
    const KEY_BYTES: u32 = 0;
    /// An unsigned key whose order is `np_cmp`'s (equal values, equal keys), in the low
    /// `KEY_BYTES` bytes.
    fn key(&self) -> u64 {
        0
    }
    /// `key()` of a value for which `needs_fixup()` is false (for a float: neither zero nor
    /// NaN), without the tests for those.
    #[inline(always)]
    fn plain_key(&self) -> u64 {
        self.key()
    }
    /// The value of a key (`key`'s inverse; a float's zero and NaN come back as +0.0 and the
    /// canonical NaN, which `needs_fixup` values are restored from).
    fn from_key(_k: u64) -> Self {
        Self::default()
    }
    /// Whether `from_key(key())` may differ from the value (a float's -0.0 or a NaN payload).
    fn needs_fixup(&self) -> bool {
        false
    }
    /// `np_cmp(self, other) == Less`, without branches where the type allows (the merges' test).
    #[inline(always)]
    fn np_less(&self, other: &Self) -> bool {
        if Self::KEY_BYTES > 0 {
            self.key() < other.key()
        } else {
            self.np_cmp(other) == Ordering::Less
        }
    }
    /// NaN where the type has one (what an empty selection reads); the zero value otherwise.
    fn nan_value() -> Self {
        Self::default()
    }
}

macro_rules! ord_int {
    ($($t:ty => $u:ty),*) => {$(
        impl NpOrd for $t {
            #[inline(always)]
            fn np_cmp(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
            const KEY_BYTES: u32 = std::mem::size_of::<$t>() as u32;
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn key(&self) -> u64 {
                // Flipping the sign bit orders signed values as unsigned ones.
                let flip: $u = if <$t>::MIN == 0 as $t { 0 } else { 1 << (<$u>::BITS - 1) };
                ((*self as $u) ^ flip) as u64
            }
            #[inline(always)]
            #[allow(clippy::unnecessary_cast)]
            fn from_key(k: u64) -> Self {
                let flip: $u = if <$t>::MIN == 0 as $t { 0 } else { 1 << (<$u>::BITS - 1) };
                ((k as $u) ^ flip) as $t
            }
        }
    )*};
}
ord_int!(i8 => u8, i16 => u16, i32 => u32, i64 => u64, u8 => u8, u16 => u16, u32 => u32, u64 => u64);

impl NpOrd for bool {
    #[inline(always)]
    fn np_cmp(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
    const KEY_BYTES: u32 = 1;
    #[inline(always)]
    fn key(&self) -> u64 {
        *self as u64
    }
    #[inline(always)]
    fn from_key(k: u64) -> Self {
        k != 0
    }
}

macro_rules! ord_float {
    ($($t:ty),*) => {$(
        impl NpOrd for $t {
            #[inline(always)]
            fn np_cmp(&self, other: &Self) -> Ordering {
                match self.partial_cmp(other) {
                    Some(o) => o,
                    None => self.is_nan().cmp(&other.is_nan()),
                }
            }
            fn is_nan_like(&self) -> bool {
                self.is_nan()
            }
            #[inline(always)]
            fn np_less(&self, other: &Self) -> bool {
                // `<` orders every non-NaN (with -0.0 == 0.0); a NaN is above them all.
                (*self < *other) | (other.is_nan() & !self.is_nan())
            }
            fn nan_value() -> Self {
                <$t>::NAN
            }
            const KEY_BYTES: u32 = std::mem::size_of::<$t>() as u32;
            #[inline(always)]
            fn key(&self) -> u64 {
                // Sign-magnitude to an unsigned order: negative values have every bit flipped,
                // positive ones their sign bit; -0.0 is 0.0 and every NaN sorts last.
                let top = 1u64 << (8 * std::mem::size_of::<$t>() - 1);
                let all = top | (top - 1);
                let b = if *self == 0.0 { 0 } else { self.to_bits() as u64 };
                let k = if b & top != 0 { !b & all } else { b | top };
                if self.is_nan() { all } else { k }
            }
            #[inline(always)]
            fn plain_key(&self) -> u64 {
                let top = 1u64 << (8 * std::mem::size_of::<$t>() - 1);
                let all = top | (top - 1);
                let b = self.to_bits() as u64;
                b ^ if b & top != 0 { all } else { top }
            }
            #[inline(always)]
            fn from_key(k: u64) -> Self {
                let top = 1u64 << (8 * std::mem::size_of::<$t>() - 1);
                let all = top | (top - 1);
                if k == all {
                    return <$t>::NAN;
                }
                let b = if k & top != 0 { k & !top } else { !k & all };
                <$t>::from_bits(b as _)
            }
            #[inline(always)]
            fn needs_fixup(&self) -> bool {
                *self == 0.0 || self.is_nan()
            }
        }
        impl NpOrd for Complex<$t> {
            #[inline(always)]
            fn np_cmp(&self, other: &Self) -> Ordering {
                let class = |z: &Complex<$t>| (z.re.is_nan() as u8) * 2 + z.im.is_nan() as u8;
                let (ca, cb) = (class(self), class(other));
                if ca != cb {
                    return ca.cmp(&cb);
                }
                let eq = |a: $t, b: $t| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
                match ca {
                    0 => eq(self.re, other.re).then(eq(self.im, other.im)),
                    1 => eq(self.re, other.re),
                    2 => eq(self.im, other.im),
                    _ => Ordering::Equal,
                }
            }
            fn is_nan_like(&self) -> bool {
                self.re.is_nan() || self.im.is_nan()
            }
        }
    )*};
}
ord_float!(f32, f64);

/// The comparator of a sort: NumPy's order, or its reverse (NaN first) for `descending=True`.
/// Ties are left to the caller's stability, so equal values keep their index order either way
/// (the Array API's `descending` with `stable=True`).
#[inline(always)]
pub fn compare<T: NpOrd>(a: &T, b: &T, descending: bool) -> Ordering {
    if descending {
        b.np_cmp(a)
    } else {
        a.np_cmp(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_last_and_complex_classes() {
        let mut v = [f64::NAN, 1.0, -0.0, 0.0, f64::NEG_INFINITY, -f64::NAN];
        v.sort_by(|a, b| a.np_cmp(b));
        assert_eq!(v[0], f64::NEG_INFINITY);
        assert!(v[1] == 0.0 && v[1].is_sign_negative() && v[2].is_sign_positive());
        assert!(v[4].is_nan() && v[5].is_nan());
        let n = f64::NAN;
        let mut z = [
            Complex::new(n, n),
            Complex::new(n, 1.0),
            Complex::new(2.0, n),
            Complex::new(2.0, 1.0),
            Complex::new(1.0, 5.0),
        ];
        z.sort_by(|a, b| a.np_cmp(b));
        assert_eq!((z[0].re, z[0].im), (1.0, 5.0));
        assert_eq!((z[1].re, z[1].im), (2.0, 1.0));
        assert!(z[2].im.is_nan() && z[3].re.is_nan() && !z[3].im.is_nan());
        assert_eq!(compare(&1, &2, true), Ordering::Greater);
        let vals = [
            f64::NAN,
            -f64::NAN,
            f64::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            2.0,
            f64::INFINITY,
        ];
        for a in vals {
            for b in vals {
                assert_eq!(a.np_less(&b), a.np_cmp(&b) == Ordering::Less, "{a} < {b}");
                let (fa, fb) = (a as f32, b as f32);
                assert_eq!(fa.np_less(&fb), fa.np_cmp(&fb) == Ordering::Less);
            }
        }
        assert!(3i16.np_less(&4) && !true.np_less(&false));
    }
}
