//! Typed buffers: [`Chunk`] (one n-d block of an array, C-ordered, immutable once published) and
//! [`Column`] (a flat block of values that a fused program works on).
//!
//! Kernels are written once, generic over [`Element`](crate::Element); the `dispatch_*` macros are
//! the one place that turns a runtime dtype into a monomorphized call.

use crate::dtype::{DType, Element, Scalar, C32, C64, F16};
use crate::error::{OxError, OxResult};
use ndarray::{ArrayD, IxDyn};

macro_rules! typed_enum {
    ($(#[$m:meta])* $name:ident, $container:ident) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            Bool($container<bool>),
            Int8($container<i8>),
            Int16($container<i16>),
            Int32($container<i32>),
            Int64($container<i64>),
            UInt8($container<u8>),
            UInt16($container<u16>),
            UInt32($container<u32>),
            UInt64($container<u64>),
            Float16($container<F16>),
            Float32($container<f32>),
            Float64($container<f64>),
            Complex64($container<C32>),
            Complex128($container<C64>),
        }
    };
}

typed_enum!(
    /// One block of an array: an owned n-d array of one dtype, in standard (C) layout.
    Chunk,
    ArrayD
);
typed_enum!(
    /// A flat run of values of one dtype (a register of a fused program, or a 1-d buffer).
    Column,
    Vec
);

/// `dispatch_chunk!(chunk, a => expr)`: evaluates `expr` with `a: &ArrayD<T>` (or moved) for the
/// chunk's element type. Works for `Chunk` and `Column` alike (any of our typed enums).
#[macro_export]
macro_rules! dispatch_typed {
    ($enum:ident, $value:expr, $a:ident => $body:expr) => {
        match $value {
            $crate::$enum::Bool($a) => $body,
            $crate::$enum::Int8($a) => $body,
            $crate::$enum::Int16($a) => $body,
            $crate::$enum::Int32($a) => $body,
            $crate::$enum::Int64($a) => $body,
            $crate::$enum::UInt8($a) => $body,
            $crate::$enum::UInt16($a) => $body,
            $crate::$enum::UInt32($a) => $body,
            $crate::$enum::UInt64($a) => $body,
            $crate::$enum::Float16($a) => $body,
            $crate::$enum::Float32($a) => $body,
            $crate::$enum::Float64($a) => $body,
            $crate::$enum::Complex64($a) => $body,
            $crate::$enum::Complex128($a) => $body,
        }
    };
}

/// `dispatch_dtype!(dtype, T => expr)`: evaluates `expr` with the type alias `T` bound to the
/// element type of `dtype`.
#[macro_export]
macro_rules! dispatch_dtype {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            $crate::DType::Bool => {
                type $t = bool;
                $body
            }
            $crate::DType::Int8 => {
                type $t = i8;
                $body
            }
            $crate::DType::Int16 => {
                type $t = i16;
                $body
            }
            $crate::DType::Int32 => {
                type $t = i32;
                $body
            }
            $crate::DType::Int64 => {
                type $t = i64;
                $body
            }
            $crate::DType::UInt8 => {
                type $t = u8;
                $body
            }
            $crate::DType::UInt16 => {
                type $t = u16;
                $body
            }
            $crate::DType::UInt32 => {
                type $t = u32;
                $body
            }
            $crate::DType::UInt64 => {
                type $t = u64;
                $body
            }
            $crate::DType::Float16 => {
                type $t = $crate::F16;
                $body
            }
            $crate::DType::Float32 => {
                type $t = f32;
                $body
            }
            $crate::DType::Float64 => {
                type $t = f64;
                $body
            }
            $crate::DType::Complex64 => {
                type $t = $crate::C32;
                $body
            }
            $crate::DType::Complex128 => {
                type $t = $crate::C64;
                $body
            }
        }
    };
}

/// Conversion between a typed container and the enum that holds it; lets generic code build a
/// `Chunk`/`Column` from `ArrayD<T>`/`Vec<T>` and borrow it back.
pub trait Typed<T: Element>: Sized {
    type Container;
    fn wrap(c: Self::Container) -> Self;
    fn view(&self) -> Option<&Self::Container>;
    fn into_inner(self) -> Option<Self::Container>;
}

macro_rules! impl_typed {
    ($enum:ident, $container:ident, $t:ty, $variant:ident) => {
        impl Typed<$t> for $enum {
            type Container = $container<$t>;
            fn wrap(c: Self::Container) -> Self {
                $enum::$variant(c)
            }
            fn view(&self) -> Option<&Self::Container> {
                match self {
                    $enum::$variant(c) => Some(c),
                    _ => None,
                }
            }
            fn into_inner(self) -> Option<Self::Container> {
                match self {
                    $enum::$variant(c) => Some(c),
                    _ => None,
                }
            }
        }
    };
}
macro_rules! impl_typed_all {
    ($enum:ident, $container:ident) => {
        impl_typed!($enum, $container, bool, Bool);
        impl_typed!($enum, $container, i8, Int8);
        impl_typed!($enum, $container, i16, Int16);
        impl_typed!($enum, $container, i32, Int32);
        impl_typed!($enum, $container, i64, Int64);
        impl_typed!($enum, $container, u8, UInt8);
        impl_typed!($enum, $container, u16, UInt16);
        impl_typed!($enum, $container, u32, UInt32);
        impl_typed!($enum, $container, u64, UInt64);
        impl_typed!($enum, $container, F16, Float16);
        impl_typed!($enum, $container, f32, Float32);
        impl_typed!($enum, $container, f64, Float64);
        impl_typed!($enum, $container, C32, Complex64);
        impl_typed!($enum, $container, C64, Complex128);
    };
}
impl_typed_all!(Chunk, ArrayD);
impl_typed_all!(Column, Vec);

impl Chunk {
    pub fn dtype(&self) -> DType {
        dispatch_typed!(Chunk, self, a => element_dtype(a.as_slice_memory_order()))
    }
    pub fn shape(&self) -> &[usize] {
        dispatch_typed!(Chunk, self, a => a.shape())
    }
    pub fn len(&self) -> usize {
        dispatch_typed!(Chunk, self, a => a.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype().itemsize()
    }
    /// A chunk of `shape` filled with `value` converted to `dtype`; `OxError::Memory` when it
    /// cannot be allocated.
    pub fn full(dtype: DType, shape: &[usize], value: Scalar) -> OxResult<Chunk> {
        dispatch_dtype!(dtype, T => {
            let mut c = Self::zeros_typed::<T>(shape)?;
            c.fill(T::from_scalar(value)); // always: -0.0 compares equal to the zeros there
            Ok(Chunk::from_array(c))
        })
    }
    /// A zero-filled chunk (huge-page backed when large), for results written in place.
    pub fn zeros(dtype: DType, shape: &[usize]) -> OxResult<Chunk> {
        dispatch_dtype!(dtype, T => Ok(Chunk::from_array(Self::zeros_typed::<T>(shape)?)))
    }
    /// A chunk whose elements are not initialized, for a result every element of which is
    /// written next (no zeroing pass; a block reused from the pool costs no page faults).
    ///
    /// # Safety
    /// Every element must be written before the chunk is read, cloned or handed out.
    pub unsafe fn uninit(dtype: DType, shape: &[usize]) -> OxResult<Chunk> {
        dispatch_dtype!(dtype, T => {
            let n = element_count(shape)?;
            // SAFETY: the caller writes every element before any is read.
            let v = unsafe { crate::buffer::assume_init(crate::buffer::uninit_vec::<T>(n)?) };
            let a = ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| OxError::Memory(e.to_string()))?;
            Ok(Chunk::from_array(a))
        })
    }
    fn zeros_typed<T: Element>(shape: &[usize]) -> OxResult<ArrayD<T>> {
        let v = crate::buffer::zeroed_vec::<T>(element_count(shape)?)?;
        ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| OxError::Memory(e.to_string()))
    }
    pub fn from_array<T: Element>(a: ArrayD<T>) -> Chunk
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        <Chunk as Typed<T>>::wrap(a)
    }
    /// Borrow as `ArrayD<T>`; `None` if the dtype is not `T`'s.
    pub fn as_array<T: Element>(&self) -> Option<&ArrayD<T>>
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        <Chunk as Typed<T>>::view(self)
    }
    /// The same data with another shape of equal size (C order). The chunk must be standard layout.
    pub fn into_shape(self, shape: &[usize]) -> Chunk {
        dispatch_typed!(Chunk, self, a => {
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            let v = a.into_raw_vec_and_offset().0;
            Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), v).expect("into_shape: size preserved by caller"))
        })
    }
}

/// The number of elements of `shape`; `MemoryError` when it overflows.
fn element_count(shape: &[usize]) -> OxResult<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| OxError::Memory(format!("array of shape {shape:?} is too big")))
}

/// The dtype of an element slice (used by the dispatch macro on chunks).
fn element_dtype<T: Element>(_: Option<&[T]>) -> DType {
    T::DTYPE
}

impl Column {
    pub fn dtype(&self) -> DType {
        dispatch_typed!(Column, self, v => element_dtype(Some(v.as_slice())))
    }
    pub fn len(&self) -> usize {
        dispatch_typed!(Column, self, v => v.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn empty(dtype: DType) -> Column {
        dispatch_dtype!(dtype, T => <Column as Typed<T>>::wrap(Vec::<T>::new()))
    }
    pub fn full(dtype: DType, len: usize, value: Scalar) -> Column {
        dispatch_dtype!(dtype, T => <Column as Typed<T>>::wrap(vec![T::from_scalar(value); len]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_basics() {
        let c = Chunk::full(DType::Int16, &[2, 3], Scalar::Int(7)).unwrap();
        assert_eq!(c.dtype(), DType::Int16);
        assert_eq!(c.shape(), &[2, 3]);
        assert_eq!(c.nbytes(), 12);
        let r = c.into_shape(&[3, 2]);
        assert_eq!(r.shape(), &[3, 2]);
        assert_eq!(r.as_array::<i16>().map(|a| a[[2, 1]]), Some(7));
        assert!(r.as_array::<i32>().is_none());
        let col = Column::full(DType::Complex64, 4, Scalar::Float(1.5));
        assert_eq!(col.dtype(), DType::Complex64);
        assert_eq!(col.len(), 4);
    }
}
