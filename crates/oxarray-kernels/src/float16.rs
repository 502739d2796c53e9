//! float16 (NumPy's `'e'`) in the kernels that are not elementwise: reductions, sorting, sets,
//! matmul and correlate see a half as the float32 it widens to (exactly), compute there as they
//! do for float32, and round results back to half once (see `elementwise/float16.rs` for the
//! elementwise loops). Orders and keys are those of the widened value, so NaN sorts last and
//! -0.0 equals 0.0 as for every float.

use crate::matmul::MatElement;
use crate::reduce::num::Num;
use crate::sets::keys::SetKey;
use crate::signal::MulAdd;
use crate::sort::order::NpOrd;
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewMut2, Zip};
use oxarray_core::{Chunk, C64, F16};
use std::cmp::Ordering;

impl Num for F16 {
    // Sums accumulate in double precision and round to half once (NumPy's float32 pairwise sum
    // rounds there too; along a strided axis NumPy rounds every step to half, which loses
    // integers above 2048 — oxarray gives the correctly rounded sum).
    type Wide = f64;
    type SumAcc = f64;
    type Moment = f64;
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
    fn from_c64(v: C64) -> Self {
        F16::from_f64(v.re)
    }
    #[inline]
    fn cast<U: Num>(self) -> U {
        U::from_f64(self.to_f64())
    }
    #[inline]
    fn add(self, o: Self) -> Self {
        F16::from_f32(self.to_f32() + o.to_f32())
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        F16::from_f32(self.to_f32() * o.to_f32())
    }
    #[inline]
    fn is_nan(self) -> bool {
        F16::is_nan(self)
    }
    #[inline]
    fn less(self, o: Self) -> bool {
        self < o
    }
    fn highest() -> Self {
        F16::INFINITY
    }
    fn lowest() -> Self {
        F16::NEG_INFINITY
    }
    #[inline]
    fn truthy(self) -> bool {
        self.to_f32() != 0.0
    }
    fn wrap(a: ArrayD<Self>) -> Chunk {
        Chunk::from_array(a)
    }
    fn unwrap(c: &Chunk) -> Option<&ArrayD<Self>> {
        c.as_array::<Self>()
    }
}

impl NpOrd for F16 {
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
        (*self < *other) | (other.is_nan() & !self.is_nan())
    }
    fn nan_value() -> Self {
        F16::NAN
    }
    const KEY_BYTES: u32 = 2;
    #[inline(always)]
    fn key(&self) -> u64 {
        // Sign-magnitude to an unsigned order, as for f32/f64: -0.0 is 0.0, NaN is last.
        if self.is_nan() {
            return 0xffff;
        }
        let b = if self.to_f32() == 0.0 {
            0
        } else {
            u64::from(self.to_bits())
        };
        if b & 0x8000 != 0 {
            !b & 0xffff
        } else {
            b | 0x8000
        }
    }
    #[inline(always)]
    fn from_key(k: u64) -> Self {
        if k == 0xffff {
            return F16::NAN;
        }
        let b = if k & 0x8000 != 0 {
            k & 0x7fff
        } else {
            !k & 0xffff
        };
        F16::from_bits(b as u16)
    }
    #[inline(always)]
    fn needs_fixup(&self) -> bool {
        self.to_f32() == 0.0 || self.is_nan()
    }
}

impl SetKey for F16 {
    const PARTS: usize = 1;
    const INEXACT: bool = true;
    #[inline]
    fn put_keys(self, out: &mut Vec<u64>) {
        out.push(SetKey::key(self));
    }
    /// float32's key of the widened value (the widening keeps the order).
    #[inline]
    fn key(self) -> u64 {
        SetKey::key(self.to_f32())
    }
    #[inline]
    fn from_keys(k: &[u64]) -> Self {
        F16::from_f32(<f32 as SetKey>::from_keys(k))
    }
    #[inline]
    fn is_nan(self) -> bool {
        F16::is_nan(self)
    }
}

impl MatElement for F16 {
    /// Products in float32 (as NumPy's half matmul accumulates), rounded to half once.
    fn gemm_seq(
        a: ArrayView2<Self>,
        b: ArrayView2<Self>,
        mut c: ArrayViewMut2<Self>,
        replace: bool,
    ) {
        let wa = a.mapv(F16::to_f32);
        let wb = b.mapv(F16::to_f32);
        let mut wc: Array2<f32> = if replace {
            Array2::zeros(c.raw_dim())
        } else {
            c.mapv(F16::to_f32)
        };
        f32::gemm_seq(wa.view(), wb.view(), wc.view_mut(), replace);
        Zip::from(&mut c)
            .and(&wc)
            .for_each(|o, &v| *o = F16::from_f32(v));
    }
}

impl MulAdd for F16 {
    #[inline]
    fn mul_add_acc(acc: Self, x: Self, y: Self) -> Self {
        F16::from_f32(acc.to_f32() + x.to_f32() * y.to_f32())
    }
}
