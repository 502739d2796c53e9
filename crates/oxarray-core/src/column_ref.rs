//! [`ColumnRef`]: a borrowed flat run of values of one dtype — a register of a fused program, or a
//! slice of an input chunk read in place (so a program never copies its inputs into registers).

use crate::dtype::{DType, Element, C32, C64, F16};
use crate::{dispatch_typed, Chunk, Column};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColumnRef<'a> {
    Bool(&'a [bool]),
    Int8(&'a [i8]),
    Int16(&'a [i16]),
    Int32(&'a [i32]),
    Int64(&'a [i64]),
    UInt8(&'a [u8]),
    UInt16(&'a [u16]),
    UInt32(&'a [u32]),
    UInt64(&'a [u64]),
    Float16(&'a [F16]),
    Float32(&'a [f32]),
    Float64(&'a [f64]),
    Complex64(&'a [C32]),
    Complex128(&'a [C64]),
}

/// An element type that has a `ColumnRef` variant.
pub trait SliceElem: Element {
    fn column_ref(s: &[Self]) -> ColumnRef<'_>;
    /// The slice held by `c` if it has this element type.
    fn from_ref(c: ColumnRef<'_>) -> Option<&[Self]>;
}

macro_rules! impl_slice_elem {
    ($($t:ty => $variant:ident),*) => {$(
        impl SliceElem for $t {
            fn column_ref(s: &[Self]) -> ColumnRef<'_> {
                ColumnRef::$variant(s)
            }
            fn from_ref(c: ColumnRef<'_>) -> Option<&[Self]> {
                match c {
                    ColumnRef::$variant(s) => Some(s),
                    _ => None,
                }
            }
        }
    )*};
}
impl_slice_elem!(bool => Bool, i8 => Int8, i16 => Int16, i32 => Int32, i64 => Int64,
    u8 => UInt8, u16 => UInt16, u32 => UInt32, u64 => UInt64, F16 => Float16, f32 => Float32, f64 => Float64,
    C32 => Complex64, C64 => Complex128);

impl<'a> ColumnRef<'a> {
    pub fn dtype(&self) -> DType {
        dispatch_typed!(ColumnRef, *self, s => element_dtype(s))
    }
    pub fn len(&self) -> usize {
        dispatch_typed!(ColumnRef, *self, s => s.len())
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn element_dtype<T: Element>(_: &[T]) -> DType {
    T::DTYPE
}

impl<'a> From<&'a Column> for ColumnRef<'a> {
    fn from(c: &'a Column) -> Self {
        dispatch_typed!(Column, c, v => SliceElem::column_ref(v.as_slice()))
    }
}

impl Chunk {
    /// Elements `lo..lo + len` of the chunk in C order, borrowed; `None` unless the chunk is in
    /// standard layout (every chunk we build is) and the range is inside it.
    pub fn flat_range(&self, lo: usize, len: usize) -> Option<ColumnRef<'_>> {
        dispatch_typed!(Chunk, self, a => a
            .as_slice()
            .and_then(|s| s.get(lo..lo + len))
            .map(SliceElem::column_ref))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn views_of_columns_and_chunks() {
        let col = Column::Int16(vec![1, 2, 3]);
        let r = ColumnRef::from(&col);
        assert_eq!((r.dtype(), r.len()), (DType::Int16, 3));
        assert_eq!(i16::from_ref(r), Some(&[1i16, 2, 3][..]));
        assert_eq!(f64::from_ref(r), None);
        let chunk = Chunk::from_array(
            ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
        );
        assert_eq!(
            chunk.flat_range(1, 2),
            Some(ColumnRef::Float64(&[2.0, 3.0]))
        );
        assert_eq!(chunk.flat_range(3, 2), None);
    }
}
