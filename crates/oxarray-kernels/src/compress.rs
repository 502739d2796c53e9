//! Boolean-mask selection and its inverse, block by block: the kernels behind `x[mask]`,
//! `nonzero`, `extract`, `compress` (compress) and `x[mask] = values` (expand).
//!
//! A block of `x` is seen as `(lead, inner)`: `lead` is the number of elements of the mask's block
//! (the mask covers the leading axes of `x`), `inner` the product of the remaining axes. Both
//! kernels walk the mask once in C order, which is the order NumPy gives the selected elements.

use ndarray::{ArrayD, IxDyn};
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, Chunk, DType, Element, OxError, OxResult};

fn bools(mask: &Chunk) -> OxResult<&[bool]> {
    mask.as_array::<bool>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("mask: expected a C-ordered bool block".into()))
}

fn slice_of<T: Element>(c: &Chunk) -> OxResult<&[T]>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    <Chunk as Typed<T>>::view(c)
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("mask: input of the wrong dtype or layout".into()))
}

/// The number of `true` elements of a bool block.
pub fn count_true(mask: &Chunk) -> OxResult<usize> {
    // `b as usize` summed: no branch, so the loop vectorizes.
    Ok(bools(mask)?.iter().map(|&b| b as usize).sum())
}

/// The rows (inner runs) of `x` where `mask` is true, in C order, as a block of `out_shape`
/// (`out_shape[0]` is the number of `true` in the mask).
pub fn compress(x: &Chunk, mask: &Chunk, out_shape: &[usize], dtype: DType) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => compress_typed::<T>(x, mask, out_shape))
}

fn inner_of(x_len: usize, lead: usize, fallback: usize) -> OxResult<usize> {
    if lead == 0 {
        return Ok(fallback);
    }
    if !x_len.is_multiple_of(lead) {
        return Err(OxError::Internal(
            "mask: block does not match the mask".into(),
        ));
    }
    Ok(x_len / lead)
}

fn compress_typed<T: Element>(x: &Chunk, mask: &Chunk, out_shape: &[usize]) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let m = bools(mask)?;
    let xs = slice_of::<T>(x)?;
    let inner = inner_of(xs.len(), m.len(), out_shape[1..].iter().product())?;
    let rows = *out_shape
        .first()
        .ok_or_else(|| OxError::Internal("compress: 0-d output".into()))?;
    let n_out = rows
        .checked_mul(inner)
        .ok_or_else(|| OxError::Memory("compress: output too big".into()))?;
    let mut out = zeroed_vec::<T>(n_out)?;
    let mut k = 0usize;
    if inner == 1 {
        // Branch-free: always store, advance only on `true` (a random mask defeats prediction).
        // The store past the end is skipped, so the last `false`s cost nothing either.
        for (&v, &b) in xs.iter().zip(m) {
            if let Some(o) = out.get_mut(k) {
                *o = v;
            }
            k += b as usize;
        }
    } else {
        for (i, &b) in m.iter().enumerate() {
            if b {
                let dst = out.get_mut(k * inner..(k + 1) * inner);
                let src = xs.get(i * inner..(i + 1) * inner);
                match (dst, src) {
                    (Some(d), Some(s)) => d.copy_from_slice(s),
                    _ => return Err(OxError::Internal("compress: counts do not match".into())),
                }
                k += 1;
            }
        }
    }
    if k != rows {
        return Err(OxError::Internal(format!(
            "compress: the mask has {k} true elements, {rows} were counted"
        )));
    }
    let a = ArrayD::from_shape_vec(IxDyn(out_shape), out)
        .map_err(|e| OxError::Internal(e.to_string()))?;
    Ok(Chunk::from_array(a))
}

/// `x` with its rows where `mask` is true replaced, in C order, by the rows of `vals`.
pub fn expand(x: &Chunk, mask: &Chunk, vals: &Chunk, dtype: DType) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => expand_typed::<T>(x, mask, vals))
}

fn expand_typed<T: Element>(x: &Chunk, mask: &Chunk, vals: &Chunk) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let m = bools(mask)?;
    let xs = slice_of::<T>(x)?;
    let vs = slice_of::<T>(vals)?;
    let inner = inner_of(xs.len(), m.len(), 1)?;
    let mut out = zeroed_vec::<T>(xs.len())?;
    out.copy_from_slice(xs);
    let mut k = 0usize;
    for (i, &b) in m.iter().enumerate() {
        if b {
            let dst = out.get_mut(i * inner..(i + 1) * inner);
            let src = vs.get(k * inner..(k + 1) * inner);
            match (dst, src) {
                (Some(d), Some(s)) => d.copy_from_slice(s),
                _ => return Err(OxError::Internal("expand: counts do not match".into())),
            }
            k += 1;
        }
    }
    if k * inner != vs.len() {
        return Err(OxError::Internal("expand: values left over".into()));
    }
    let a = ArrayD::from_shape_vec(IxDyn(x.shape()), out)
        .map_err(|e| OxError::Internal(e.to_string()))?;
    Ok(Chunk::from_array(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk<T: Element>(shape: &[usize], v: Vec<T>) -> Chunk
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
    }

    #[test]
    fn compress_and_expand_rows() {
        let x = chunk(&[3, 2], vec![0i32, 1, 2, 3, 4, 5]);
        let m = chunk(&[3], vec![true, false, true]);
        assert_eq!(count_true(&m).unwrap(), 2);
        let c = compress(&x, &m, &[2, 2], DType::Int32).unwrap();
        assert_eq!(
            c.as_array::<i32>().unwrap().as_slice().unwrap(),
            &[0, 1, 4, 5]
        );
        let v = chunk(&[2, 2], vec![9i32, 9, 8, 8]);
        let e = expand(&x, &m, &v, DType::Int32).unwrap();
        assert_eq!(
            e.as_array::<i32>().unwrap().as_slice().unwrap(),
            &[9, 9, 2, 3, 8, 8]
        );
    }

    #[test]
    fn compress_flat_and_wrong_counts() {
        let x = chunk(&[4], vec![1.0f64, 2.0, 3.0, 4.0]);
        let m = chunk(&[4], vec![false, true, true, false]);
        let c = compress(&x, &m, &[2], DType::Float64).unwrap();
        assert_eq!(
            c.as_array::<f64>().unwrap().as_slice().unwrap(),
            &[2.0, 3.0]
        );
        assert!(compress(&x, &m, &[3], DType::Float64).is_err());
        let empty = compress(&x, &chunk(&[4], vec![false; 4]), &[0], DType::Float64).unwrap();
        assert_eq!(empty.len(), 0);
    }
}
