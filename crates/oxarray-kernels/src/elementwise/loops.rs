//! The generic slice loops every kernel runs through, and the reuse of the output buffer.
//!
//! Kernels pass a closure per element; the loop itself is a plain `extend` over zipped slices so
//! the compiler sees a trusted-length loop it can vectorize.

use oxarray_core::chunk::Typed;
use oxarray_core::{Column, ColumnRef, Element, OxError, OxResult, SliceElem};

/// An element type that has a `Column` variant: lets generic code take the output `Vec` out of a
/// `Column` (keeping its allocation) and put it back.
pub trait ColumnElem: Element + SliceElem {
    /// The `Vec` held by `col` if it has this element type, else a fresh one; `col` is left empty.
    fn take_vec(col: &mut Column) -> Vec<Self>;
    fn into_column(v: Vec<Self>) -> Column;
    #[cfg_attr(not(test), allow(dead_code))]
    fn slice_of(col: &Column) -> Option<&[Self]>;
}

impl<T: Element + SliceElem> ColumnElem for T
where
    Column: Typed<T, Container = Vec<T>>,
{
    fn take_vec(col: &mut Column) -> Vec<T> {
        // `Vec::new()` does not allocate, so the placeholder is free.
        let old = std::mem::replace(col, Column::Bool(Vec::new()));
        let mut v = <Column as Typed<T>>::into_inner(old).unwrap_or_default();
        v.clear();
        v
    }
    fn into_column(v: Vec<T>) -> Column {
        <Column as Typed<T>>::wrap(v)
    }
    fn slice_of(col: &Column) -> Option<&[T]> {
        <Column as Typed<T>>::view(col).map(|v| v.as_slice())
    }
}

/// out := f(x) elementwise.
#[inline]
pub fn map_into<T: Copy, U: ColumnElem>(out: &mut Column, x: &[T], f: impl Fn(T) -> U) {
    let mut v = U::take_vec(out);
    v.extend(x.iter().map(|&a| f(a)));
    *out = U::into_column(v);
}

/// out := f(a, b) elementwise; the caller has checked that the lengths agree.
#[inline]
pub fn zip_into<T: Copy, U: ColumnElem>(out: &mut Column, a: &[T], b: &[T], f: impl Fn(T, T) -> U) {
    let mut v = U::take_vec(out);
    v.extend(a.iter().zip(b).map(|(&a, &b)| f(a, b)));
    *out = U::into_column(v);
}

/// `b` seen with `a`'s element type, or the internal error the evaluator would have to report:
/// both inputs of a binary kernel are cast to the loop dtype before the call.
pub fn same_typed<'b, T: ColumnElem>(a: &[T], b: ColumnRef<'b>, what: &str) -> OxResult<&'b [T]> {
    let b_slice = T::from_ref(b).ok_or_else(|| {
        OxError::Internal(format!(
            "{what}: operands have dtypes {} and {}",
            T::DTYPE,
            b.dtype()
        ))
    })?;
    if b_slice.len() != a.len() {
        return Err(OxError::Internal(format!(
            "{what}: operands have lengths {} and {}",
            a.len(),
            b_slice.len()
        )));
    }
    Ok(b_slice)
}
