//! The 14 dtypes oxarray stores, named as NumPy names them, and the scalar that carries one value.
//!
//! Type *promotion* is decided in the Python front by NumPy itself (`ufunc.resolve_dtypes`), so
//! our results follow NEP 50 exactly; Rust only checks that a requested loop exists.

use num_complex::Complex;
use std::fmt;

pub type C32 = Complex<f32>;
pub type C64 = Complex<f64>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float16,
    Float32,
    Float64,
    Complex64,
    Complex128,
}

/// The kind of a dtype, as NumPy's `dtype.kind` letter groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    SignedInt,
    UnsignedInt,
    Float,
    Complex,
}

impl DType {
    pub const ALL: [DType; 14] = [
        DType::Bool,
        DType::Int8,
        DType::Int16,
        DType::Int32,
        DType::Int64,
        DType::UInt8,
        DType::UInt16,
        DType::UInt32,
        DType::UInt64,
        DType::Float16,
        DType::Float32,
        DType::Float64,
        DType::Complex64,
        DType::Complex128,
    ];

    /// NumPy's canonical name (`np.dtype(name)` round-trips).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int8 => "int8",
            DType::Int16 => "int16",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::UInt8 => "uint8",
            DType::UInt16 => "uint16",
            DType::UInt32 => "uint32",
            DType::UInt64 => "uint64",
            DType::Float16 => "float16",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
            DType::Complex64 => "complex64",
            DType::Complex128 => "complex128",
        }
    }

    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.iter().copied().find(|d| d.name() == name)
    }

    pub fn itemsize(self) -> usize {
        match self {
            DType::Bool | DType::Int8 | DType::UInt8 => 1,
            DType::Int16 | DType::UInt16 | DType::Float16 => 2,
            DType::Int32 | DType::UInt32 | DType::Float32 => 4,
            DType::Int64 | DType::UInt64 | DType::Float64 | DType::Complex64 => 8,
            DType::Complex128 => 16,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::Int8 | DType::Int16 | DType::Int32 | DType::Int64 => Kind::SignedInt,
            DType::UInt8 | DType::UInt16 | DType::UInt32 | DType::UInt64 => Kind::UnsignedInt,
            DType::Float16 | DType::Float32 | DType::Float64 => Kind::Float,
            DType::Complex64 | DType::Complex128 => Kind::Complex,
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(self.kind(), Kind::SignedInt | Kind::UnsignedInt)
    }
    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }
    pub fn is_complex(self) -> bool {
        self.kind() == Kind::Complex
    }
    pub fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }

    /// The real dtype of the same precision (`complex128 -> float64`); itself for real dtypes.
    pub fn real_of(self) -> DType {
        match self {
            DType::Complex64 => DType::Float32,
            DType::Complex128 => DType::Float64,
            d => d,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value of any dtype; used for constants in programs, `full`, and reduction identities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Complex(f64, f64),
}

/// A Rust element type that backs one dtype. Conversions mirror NumPy's `astype` with
/// `casting="unsafe"` (C casts: wrap-around for integers, truncation toward zero from floats).
pub trait Element: Copy + Send + Sync + PartialEq + Default + fmt::Debug + 'static {
    const DTYPE: DType;
    fn from_scalar(s: Scalar) -> Self;
    fn to_scalar(self) -> Scalar;
    /// The value with its bytes reversed (reading non-native byte order).
    fn swap_bytes(self) -> Self;
}

macro_rules! impl_element_int {
    ($t:ty, $d:ident, $variant:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            #[allow(clippy::unnecessary_cast)]
            fn from_scalar(s: Scalar) -> Self {
                match s {
                    Scalar::Bool(b) => b as $t,
                    Scalar::Int(v) => v as $t,
                    Scalar::UInt(v) => v as $t,
                    Scalar::Float(v) => v as $t,
                    Scalar::Complex(re, _) => re as $t,
                }
            }
            #[allow(clippy::unnecessary_cast)]
            fn to_scalar(self) -> Scalar {
                Scalar::$variant(self as _)
            }
            fn swap_bytes(self) -> Self {
                <$t>::swap_bytes(self)
            }
        }
    };
}
impl_element_int!(i8, Int8, Int);
impl_element_int!(i16, Int16, Int);
impl_element_int!(i32, Int32, Int);
impl_element_int!(i64, Int64, Int);
impl_element_int!(u8, UInt8, UInt);
impl_element_int!(u16, UInt16, UInt);
impl_element_int!(u32, UInt32, UInt);
impl_element_int!(u64, UInt64, UInt);

macro_rules! impl_element_float {
    ($t:ty, $d:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$d;
            fn from_scalar(s: Scalar) -> Self {
                match s {
                    Scalar::Bool(b) => b as u8 as $t,
                    Scalar::Int(v) => v as $t,
                    Scalar::UInt(v) => v as $t,
                    Scalar::Float(v) => v as $t,
                    Scalar::Complex(re, _) => re as $t,
                }
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Float(self as f64)
            }
            fn swap_bytes(self) -> Self {
                <$t>::from_bits(self.to_bits().swap_bytes())
            }
        }
    };
}
impl_element_float!(f32, Float32);
impl_element_float!(f64, Float64);

/// IEEE half precision, NumPy's float16: stored as 16 bits, computed in f32 (see `F16`).
pub type F16 = half::f16;

impl Element for F16 {
    const DTYPE: DType = DType::Float16;
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => F16::from_f32(b as u8 as f32),
            // NumPy converts integers through float (exact below 2**24; anything larger is inf).
            Scalar::Int(v) => F16::from_f32(v as f32),
            Scalar::UInt(v) => F16::from_f32(v as f32),
            Scalar::Float(v) => F16::from_f64(v),
            Scalar::Complex(re, _) => F16::from_f64(re),
        }
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Float(self.to_f64())
    }
    fn swap_bytes(self) -> Self {
        F16::from_bits(self.to_bits().swap_bytes())
    }
}

macro_rules! impl_element_complex {
    ($t:ty, $f:ty, $d:ident) => {
        impl Element for Complex<$f> {
            const DTYPE: DType = DType::$d;
            fn from_scalar(s: Scalar) -> Self {
                match s {
                    Scalar::Bool(b) => Complex::new(b as u8 as $f, 0.0),
                    Scalar::Int(v) => Complex::new(v as $f, 0.0),
                    Scalar::UInt(v) => Complex::new(v as $f, 0.0),
                    Scalar::Float(v) => Complex::new(v as $f, 0.0),
                    Scalar::Complex(re, im) => Complex::new(re as $f, im as $f),
                }
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Complex(self.re as f64, self.im as f64)
            }
            fn swap_bytes(self) -> Self {
                Complex::new(
                    <$f>::from_bits(self.re.to_bits().swap_bytes()),
                    <$f>::from_bits(self.im.to_bits().swap_bytes()),
                )
            }
        }
    };
}
impl_element_complex!(C32, f32, Complex64);
impl_element_complex!(C64, f64, Complex128);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => b,
            Scalar::Int(v) => v != 0,
            Scalar::UInt(v) => v != 0,
            Scalar::Float(v) => v != 0.0,
            Scalar::Complex(re, im) => re != 0.0 || im != 0.0,
        }
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
    fn swap_bytes(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(d.name()), Some(d));
        }
        assert_eq!(DType::from_name("float16"), Some(DType::Float16));
        assert_eq!(DType::from_name("float128"), None);
    }

    #[test]
    fn scalar_conversions_follow_c_casts() {
        assert_eq!(i8::from_scalar(Scalar::Int(300)), 44);
        assert_eq!(u8::from_scalar(Scalar::Int(-1)), 255);
        assert_eq!(i32::from_scalar(Scalar::Float(-2.7)), -2);
        assert!(bool::from_scalar(Scalar::Float(0.5)));
        assert_eq!(C64::from_scalar(Scalar::Float(2.0)), C64::new(2.0, 0.0));
    }
}
