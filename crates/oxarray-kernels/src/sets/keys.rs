//! Order-preserving integer keys for set operations: every element maps to one or two `u64`
//! parts whose unsigned order is NumPy's sort order and whose equality is NumPy's `==`, except
//! that all NaNs share one key (the largest, so NaN sorts last) and -0.0 shares +0.0's key.
//! Complex values are two parts (real, imaginary), compared lexicographically as NumPy does.

use oxarray_core::{Element, C32, C64};

/// The key of a NaN: after every finite or infinite value.
pub const NAN_KEY: u64 = u64::MAX;
const SIGN: u64 = 1 << 63;

pub trait SetKey: Element {
    /// Number of `u64` parts per element (2 for complex).
    const PARTS: usize;
    /// Whether the dtype has NaNs (floating or complex).
    const INEXACT: bool;
    /// The element's key parts (appended to `out`).
    fn put_keys(self, out: &mut Vec<u64>);
    /// The first key part: the whole key when `PARTS == 1`.
    fn key(self) -> u64;
    /// The element whose key is `k` (`k.len() == PARTS`).
    fn from_keys(k: &[u64]) -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! signed_key {
    ($($t:ty),*) => {$(
        impl SetKey for $t {
            const PARTS: usize = 1;
            const INEXACT: bool = false;
            #[inline]
            fn put_keys(self, out: &mut Vec<u64>) {
                out.push(self.key());
            }
            #[inline]
            fn key(self) -> u64 {
                (self as i64 as u64) ^ SIGN
            }
            #[inline]
            fn from_keys(k: &[u64]) -> Self {
                (k[0] ^ SIGN) as i64 as $t
            }
            #[inline]
            fn is_nan(self) -> bool {
                false
            }
        }
    )*};
}
signed_key!(i8, i16, i32, i64);

macro_rules! unsigned_key {
    ($($t:ty),*) => {$(
        impl SetKey for $t {
            const PARTS: usize = 1;
            const INEXACT: bool = false;
            #[inline]
            fn put_keys(self, out: &mut Vec<u64>) {
                out.push(self.key());
            }
            #[inline]
            fn key(self) -> u64 {
                self as u64
            }
            #[inline]
            fn from_keys(k: &[u64]) -> Self {
                k[0] as $t
            }
            #[inline]
            fn is_nan(self) -> bool {
                false
            }
        }
    )*};
}
unsigned_key!(u8, u16, u32, u64);

impl SetKey for bool {
    const PARTS: usize = 1;
    const INEXACT: bool = false;
    #[inline]
    fn put_keys(self, out: &mut Vec<u64>) {
        out.push(self.key());
    }
    #[inline]
    fn key(self) -> u64 {
        self as u64
    }
    #[inline]
    fn from_keys(k: &[u64]) -> Self {
        k[0] != 0
    }
    #[inline]
    fn is_nan(self) -> bool {
        false
    }
}

macro_rules! float_key_impl {
    ($t:ty, $ut:ty) => {
        impl SetKey for $t {
            const PARTS: usize = 1;
            const INEXACT: bool = true;
            #[inline]
            fn put_keys(self, out: &mut Vec<u64>) {
                out.push(self.key());
            }
            /// The classic monotone map of IEEE bits: positives get the sign bit set, negatives
            /// are inverted (larger magnitudes sort first); f32 keys widen without reordering.
            #[inline]
            fn key(self) -> u64 {
                if self.is_nan() {
                    return NAN_KEY;
                }
                let v = if self == 0.0 { 0.0 } else { self }; // -0.0 == 0.0
                let bits = v.to_bits();
                let sign: $ut = 1 << (<$ut>::BITS - 1);
                (if bits & sign == 0 { bits | sign } else { !bits }) as u64
            }
            #[inline]
            fn from_keys(k: &[u64]) -> Self {
                if k[0] == NAN_KEY {
                    return <$t>::NAN;
                }
                let k = k[0] as $ut;
                let sign: $ut = 1 << (<$ut>::BITS - 1);
                <$t>::from_bits(if k & sign != 0 { k & !sign } else { !k })
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }
    };
}
float_key_impl!(f32, u32);
float_key_impl!(f64, u64);

macro_rules! complex_key {
    ($t:ty, $f:ty) => {
        impl SetKey for $t {
            const PARTS: usize = 2;
            const INEXACT: bool = true;
            #[inline]
            fn put_keys(self, out: &mut Vec<u64>) {
                out.push(self.re.key());
                out.push(self.im.key());
            }
            #[inline]
            fn key(self) -> u64 {
                self.re.key()
            }
            #[inline]
            fn from_keys(k: &[u64]) -> Self {
                <$t>::new(<$f>::from_keys(&k[..1]), <$f>::from_keys(&k[1..2]))
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.re.is_nan() || self.im.is_nan()
            }
        }
    };
}
complex_key!(C32, f32);
complex_key!(C64, f64);

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_and_order<T: SetKey + PartialOrd>(vals: &[T]) {
        for w in vals.windows(2) {
            assert!(w[0].key() < w[1].key(), "{:?} {:?}", w[0], w[1]);
        }
        for &v in vals {
            assert_eq!(T::from_keys(&[v.key()]), v);
        }
    }

    #[test]
    fn keys_follow_numpy_order() {
        roundtrip_and_order(&[i64::MIN, -5, -1, 0, 1, i64::MAX]);
        roundtrip_and_order(&[i8::MIN, -1, 0, 1, i8::MAX]);
        roundtrip_and_order(&[0u64, 1, u64::MAX]);
        roundtrip_and_order(&[
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -1e-300,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ]);
        roundtrip_and_order(&[
            f32::NEG_INFINITY,
            -3.5f32,
            -1e-30,
            0.0,
            1e-30,
            7.0,
            f32::INFINITY,
        ]);
        assert_eq!((-0.0f64).key(), 0.0f64.key());
        assert_eq!(f64::NAN.key(), NAN_KEY);
        assert!(f64::INFINITY.key() < NAN_KEY);
        assert!(f32::INFINITY.key() < NAN_KEY);
        assert!(f64::from_keys(&[NAN_KEY]).is_nan());
    }
}
