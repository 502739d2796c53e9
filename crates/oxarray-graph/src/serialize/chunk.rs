//! In-memory blocks by value: dtype, shape, then the elements' bytes in C order, little-endian
//! (the header records the writer's byte order; a big-endian reader refuses the bytes).

use super::wire::{corrupt, Reader, Wire, Writer};
use ndarray::{ArrayD, IxDyn};
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::{dispatch_dtype, dispatch_typed, Chunk, DType, Element, OxError, OxResult};

/// The bytes of a slice of plain numbers (no padding; every dtype we store is such a type).
fn as_bytes<T: Element>(s: &[T]) -> &[u8] {
    // SAFETY: `T` is one of our 13 element types: integers, floats, bool and `Complex` of floats
    // (`repr(C)`, two floats): no padding, so every byte is initialized.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

impl Wire for Chunk {
    fn put(&self, w: &mut Writer) {
        self.dtype().put(w);
        self.shape().to_vec().put(w);
        dispatch_typed!(Chunk, self, a => {
            let a = a.as_standard_layout();
            match a.as_slice() {
                Some(s) => w.raw(as_bytes(s)),
                None => {
                    for x in a.iter() {
                        w.raw(as_bytes(std::slice::from_ref(x)));
                    }
                }
            }
        })
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let dtype = DType::get(r)?;
        let shape: Vec<usize> = Wire::get(r)?;
        let n = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| corrupt("block too big"))?;
        let nbytes = n
            .checked_mul(dtype.itemsize())
            .ok_or_else(|| corrupt("block too big"))?;
        let bytes = r.take(nbytes)?;
        if dtype == DType::Bool && bytes.iter().any(|&b| b > 1) {
            return Err(corrupt("bad boolean"));
        }
        dispatch_dtype!(dtype, T => {
            let mut v = zeroed_vec::<T>(n)?;
            // SAFETY: `v` holds `n` elements of `T`, `nbytes` bytes; every bit pattern is a valid
            // `T` (bools were checked to be 0 or 1 above).
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), v.as_mut_ptr().cast::<u8>(), nbytes);
            }
            let a = ArrayD::from_shape_vec(IxDyn(&shape), v)
                .map_err(|e| OxError::Value(e.to_string()))?;
            Ok(Chunk::from_array(a))
        })
    }
}
