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
    f: impl FnMut(usize, usize, usize) -> OxResult<()>,
) -> OxResult<()> {
    for_each_run2(full, offset, shape, &vec![0; shape.len()], shape, f)
}

/// Calls `f(a_element, b_element, len)` for each run of a region of `shape` that is contiguous
/// both at `off_a` inside the C-ordered array of shape `full_a` and at `off_b` inside the one of
/// shape `full_b`, in C order of the region (so a region moves between them one copy per run).
pub fn for_each_run2(
    full_a: &[usize],
    off_a: &[usize],
    shape: &[usize],
    off_b: &[usize],
    full_b: &[usize],
    mut f: impl FnMut(usize, usize, usize) -> OxResult<()>,
) -> OxResult<()> {
    let n = shape.len();
    if n == 0 {
        return f(0, 0, 1);
    }
    if shape.contains(&0) {
        return Ok(());
    }
    // Axes after `k` are covered whole on both sides, so each run spans axes k.. of the region.
    let split = |full: &[usize]| {
        let mut k = n - 1;
        while k > 0 && shape[k] == full[k] {
            k -= 1;
        }
        k
    };
    let k = split(full_a).max(split(full_b));
    let run: usize = shape[k..].iter().product();
    let (sa, sb) = (c_strides(full_a), c_strides(full_b));
    let dot = |i: &[usize], s: &[usize]| i.iter().zip(s).map(|(i, s)| i * s).sum::<usize>();
    let (base_a, base_b) = (dot(off_a, &sa), dot(off_b, &sb));
    let mut idx = vec![0usize; k];
    loop {
        f(base_a + dot(&idx, &sa), base_b + dot(&idx, &sb), run)?;
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

    #[test]
    fn runs_between_two_arrays() {
        let mut v = Vec::new();
        // A 2x3 region at (1, 1) of a 4x5 array and at (0, 0) of a 2x3 one.
        for_each_run2(&[4, 5], &[1, 1], &[2, 3], &[0, 0], &[2, 3], |a, b, l| {
            v.push((a, b, l));
            Ok(())
        })
        .unwrap();
        assert_eq!(v, vec![(6, 0, 3), (11, 3, 3)]);
        v.clear();
        // Whole rows on both sides: one run.
        for_each_run2(&[4, 3], &[2, 0], &[2, 3], &[0, 0], &[6, 3], |a, b, l| {
            v.push((a, b, l));
            Ok(())
        })
        .unwrap();
        assert_eq!(v, vec![(6, 0, 6)]);
    }
}
