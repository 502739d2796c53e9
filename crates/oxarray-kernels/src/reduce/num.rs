//! The numeric vocabulary the reduction kernels are written against: C-cast conversions between the
//! 13 element types, the two monoids (add, multiply; wrapping for integers), NaN-aware ordering
//! (lexicographic for complex) and truthiness. One trait impl per *kind* of type, so every kernel
//! body exists once.

use ndarray::ArrayD;
use oxarray_core::{Chunk, Element, C32, C64};

/// An element type the reducers can compute with. Conversions follow NumPy's `casting="unsafe"`
/// (C casts): integers wrap, floats truncate toward zero, complex to real drops the imaginary part.
pub(crate) trait Num: Element {
    /// Accumulator of a sum/product whose result has this dtype: float32 and complex64 accumulate
    /// in double precision (more accurate than NumPy's float32 pairwise sum); others in themselves.
    type Wide: Num;
    /// Accumulator of `sum`/`prod` without `dtype=` (the wide type of NumPy's result dtype:
    /// int64 for bool and signed ints, uint64 for unsigned, double precision for floats).
    type SumAcc: Num;
    /// Field in which mean/variance of values of this type are computed.
    type Moment: Field;

    fn from_i64(v: i64) -> Self;
    fn from_u64(v: u64) -> Self;
    fn from_f64(v: f64) -> Self;
    fn from_c64(v: C64) -> Self;
    /// C-cast to another element type.
    fn cast<U: Num>(self) -> U;

    fn zero() -> Self {
        Self::from_u64(0)
    }
    fn one() -> Self {
        Self::from_u64(1)
    }
    /// Addition; wrapping for integers, logical OR for bool (NumPy's `add` on bools).
    fn add(self, o: Self) -> Self;
    /// Multiplication; wrapping for integers, logical AND for bool.
    fn mul(self, o: Self) -> Self;

    fn is_nan(self) -> bool;
    /// Strict `<` for non-NaN values (complex: lexicographic on (re, im), as NumPy sorts them).
    fn less(self, o: Self) -> bool;
    /// The identity of `min` (largest value) and of `max` (smallest value).
    fn highest() -> Self;
    fn lowest() -> Self;
    /// Nonzero test of `any`/`all` (NaN is truthy).
    fn truthy(self) -> bool;

    fn wrap(a: ArrayD<Self>) -> Chunk;
    fn unwrap(c: &Chunk) -> Option<&ArrayD<Self>>;
}

/// The scalar field of a mean/variance: `f64` for real data, `C64` for complex.
pub(crate) trait Field:
    Num + std::ops::Sub<Output = Self> + std::ops::Div<f64, Output = Self>
{
    fn scale(self, k: f64) -> Self;
    /// `|x|^2`, a real number.
    fn abs2(self) -> f64;
}

impl Field for f64 {
    #[inline]
    fn scale(self, k: f64) -> Self {
        self * k
    }
    #[inline]
    fn abs2(self) -> f64 {
        self * self
    }
}

impl Field for C64 {
    #[inline]
    fn scale(self, k: f64) -> Self {
        self * k
    }
    #[inline]
    fn abs2(self) -> f64 {
        self.norm_sqr()
    }
}

macro_rules! chunk_wrap {
    () => {
        fn wrap(a: ArrayD<Self>) -> Chunk {
            Chunk::from_array(a)
        }
        fn unwrap(c: &Chunk) -> Option<&ArrayD<Self>> {
            c.as_array::<Self>()
        }
    };
}

macro_rules! from_real {
    ($t:ty) => {
        #[inline]
        fn from_i64(v: i64) -> Self {
            v as $t
        }
        #[inline]
        fn from_u64(v: u64) -> Self {
            v as $t
        }
        #[inline]
        fn from_f64(v: f64) -> Self {
            v as $t
        }
        #[inline]
        fn from_c64(v: C64) -> Self {
            v.re as $t
        }
    };
}

macro_rules! impl_int {
    ($t:ty, $via:ident, $sum:ty) => {
        impl Num for $t {
            type Wide = $t;
            type SumAcc = $sum;
            type Moment = f64;
            from_real!($t);
            #[inline]
            fn cast<U: Num>(self) -> U {
                U::$via(self as _)
            }
            #[inline]
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline]
            fn is_nan(self) -> bool {
                false
            }
            #[inline]
            fn less(self, o: Self) -> bool {
                self < o
            }
            fn highest() -> Self {
                <$t>::MAX
            }
            fn lowest() -> Self {
                <$t>::MIN
            }
            #[inline]
            fn truthy(self) -> bool {
                self != 0
            }
            chunk_wrap!();
        }
    };
}
impl_int!(i8, from_i64, i64);
impl_int!(i16, from_i64, i64);
impl_int!(i32, from_i64, i64);
impl_int!(i64, from_i64, i64);
impl_int!(u8, from_u64, u64);
impl_int!(u16, from_u64, u64);
impl_int!(u32, from_u64, u64);
impl_int!(u64, from_u64, u64);

macro_rules! impl_float {
    ($t:ty, $wide:ty) => {
        impl Num for $t {
            type Wide = $wide;
            type SumAcc = $wide;
            type Moment = f64;
            from_real!($t);
            #[inline]
            fn cast<U: Num>(self) -> U {
                U::from_f64(self as f64)
            }
            #[inline]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline]
            fn less(self, o: Self) -> bool {
                self < o
            }
            fn highest() -> Self {
                <$t>::INFINITY
            }
            fn lowest() -> Self {
                <$t>::NEG_INFINITY
            }
            #[inline]
            fn truthy(self) -> bool {
                self != 0.0
            }
            chunk_wrap!();
        }
    };
}
impl_float!(f32, f64);
impl_float!(f64, f64);

macro_rules! impl_complex {
    ($t:ty, $f:ty, $wide:ty) => {
        impl Num for $t {
            type Wide = $wide;
            type SumAcc = $wide;
            type Moment = C64;
            #[inline]
            fn from_i64(v: i64) -> Self {
                <$t>::new(v as $f, 0.0)
            }
            #[inline]
            fn from_u64(v: u64) -> Self {
                <$t>::new(v as $f, 0.0)
            }
            #[inline]
            fn from_f64(v: f64) -> Self {
                <$t>::new(v as $f, 0.0)
            }
            #[inline]
            fn from_c64(v: C64) -> Self {
                <$t>::new(v.re as $f, v.im as $f)
            }
            #[inline]
            fn cast<U: Num>(self) -> U {
                U::from_c64(C64::new(self.re as f64, self.im as f64))
            }
            #[inline]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.re.is_nan() || self.im.is_nan()
            }
            #[inline]
            fn less(self, o: Self) -> bool {
                self.re < o.re || (self.re == o.re && self.im < o.im)
            }
            fn highest() -> Self {
                <$t>::new(<$f>::INFINITY, <$f>::INFINITY)
            }
            fn lowest() -> Self {
                <$t>::new(<$f>::NEG_INFINITY, <$f>::NEG_INFINITY)
            }
            #[inline]
            fn truthy(self) -> bool {
                self.re != 0.0 || self.im != 0.0
            }
            chunk_wrap!();
        }
    };
}
impl_complex!(C32, f32, C64);
impl_complex!(C64, f64, C64);

impl Num for bool {
    type Wide = bool;
    type SumAcc = i64;
    type Moment = f64;
    #[inline]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline]
    fn from_u64(v: u64) -> Self {
        v != 0
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline]
    fn from_c64(v: C64) -> Self {
        v.re != 0.0 || v.im != 0.0
    }
    #[inline]
    fn cast<U: Num>(self) -> U {
        U::from_u64(self as u64)
    }
    #[inline]
    fn add(self, o: Self) -> Self {
        self | o
    }
    #[inline]
    fn mul(self, o: Self) -> Self {
        self & o
    }
    #[inline]
    fn is_nan(self) -> bool {
        false
    }
    #[inline]
    fn less(self, o: Self) -> bool {
        !self & o
    }
    fn highest() -> Self {
        true
    }
    fn lowest() -> Self {
        false
    }
    #[inline]
    fn truthy(self) -> bool {
        self
    }
    chunk_wrap!();
}
