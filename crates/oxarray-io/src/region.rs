//! A block's place in a C-ordered file: the contiguous runs of elements it covers, so a reader
//! or writer moves each run with one copy (one run when the block spans the trailing axes).

use oxarray_core::shape::c_strides;
use oxarray_core::{Element, OxResult};

/// Calls `f(file_element, block_element, len)` for each contiguous run of the block of `shape`
/// at `offset` inside a C-ordered array of shape `full`, in C order of the block.
pub fn for_each_run(
    full: &[usize],
    offset: &[usize],
    shape: &[usize],
    mut f: impl FnMut(usize, usize, usize) -> OxResult<()>,
) -> OxResult<()> {
    let n = full.len();
    if n == 0 {
        return f(0, 0, 1);
    }
    if shape.contains(&0) {
        return Ok(());
    }
    // Axes after `k` are covered whole, so each run spans axes k.. of the block.
    let mut k = n - 1;
    while k > 0 && shape[k] == full[k] {
        k -= 1;
    }
    let run: usize = shape[k..].iter().product();
    let strides = c_strides(full);
    let base: usize = offset.iter().zip(&strides).map(|(o, s)| o * s).sum();
    let mut idx = vec![0usize; k];
    let mut block_at = 0;
    loop {
        let at = base + idx.iter().zip(&strides).map(|(i, s)| i * s).sum::<usize>();
        f(at, block_at, run)?;
        block_at += run;
        // Odometer over the outer axes 0..k.
        let mut ax = k;
        loop {
            if ax == 0 {
                return Ok(());
            }
            ax -= 1;
            idx[ax] += 1;
            if idx[ax] < shape[ax] {
                break;
            }
            idx[ax] = 0;
        }
    }
}

/// The bytes of a slice of elements (every element type is plain data: bool reads as 0/1).
pub fn as_bytes<T: Element>(s: &[T]) -> &[u8] {
    // SAFETY: `Element` types (bool, integers, floats, complex pairs of floats) have no padding
    // and no invalid bit patterns when read as bytes; the length covers exactly the slice.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

/// Writable bytes of a slice of non-bool elements (any bit pattern is a valid integer or float).
///
/// # Safety
/// `T` must not be `bool` (not every byte is a valid bool).
pub unsafe fn as_bytes_mut<T: Element>(s: &mut [T]) -> &mut [u8] {
    // SAFETY: the caller rules out bool; other element types accept any bytes.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(full: &[usize], off: &[usize], shape: &[usize]) -> Vec<(usize, usize, usize)> {
        let mut v = Vec::new();
        for_each_run(full, off, shape, |a, b, l| {
            v.push((a, b, l));
            Ok(())
        })
        .unwrap();
        v
    }

    #[test]
    fn runs_of_blocks() {
        assert_eq!(runs(&[], &[], &[]), vec![(0, 0, 1)]);
        assert_eq!(runs(&[4, 5], &[2, 0], &[2, 5]), vec![(10, 0, 10)]);
        assert_eq!(runs(&[4, 5], &[1, 1], &[2, 3]), vec![(6, 0, 3), (11, 3, 3)]);
        assert_eq!(runs(&[4, 0], &[0, 0], &[4, 0]), vec![]);
        assert_eq!(
            runs(&[2, 3, 4], &[0, 1, 0], &[2, 2, 4]),
            vec![(4, 0, 8), (16, 8, 8)]
        );
    }
}
