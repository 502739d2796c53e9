//! Kernels that make a block from nothing: ranges, linspace, identity-like matrices. Each takes
//! the block's offset in the whole array, so any chunking gives the same values.

use ndarray::{ArrayD, IxDyn};
use oxarray_core::{dispatch_dtype, Chunk, DType, Element, OxError, OxResult, Scalar};

/// Elements `offset..offset+len` of NumPy's `arange(start, stop, step)`: `start + i*step`,
/// computed exactly in integers when both are integers, in f64 otherwise (as NumPy's fill does).
pub fn arange(
    start: Scalar,
    step: Scalar,
    offset: usize,
    len: usize,
    dtype: DType,
) -> OxResult<Chunk> {
    let values: Vec<Scalar> = match (start, step) {
        (Scalar::Int(s), Scalar::Int(d)) => (0..len)
            .map(|i| Scalar::Int(s.wrapping_add(d.wrapping_mul((offset + i) as i64))))
            .collect(),
        _ => {
            let s = as_f64(start)?;
            let d = as_f64(step)?;
            (0..len)
                .map(|i| Scalar::Float(s + (offset + i) as f64 * d))
                .collect()
        }
    };
    from_scalars(&values, &[len], dtype)
}

/// Elements `offset..offset+len` of NumPy's `linspace(start, stop, num, endpoint)`, with NumPy's
/// formula (`i*step + start`, the last element set to `stop`, integer dtypes floored).
pub fn linspace(
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    offset: usize,
    len: usize,
    dtype: DType,
) -> OxResult<Chunk> {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let step = if div > 0 {
        delta / div as f64
    } else {
        f64::NAN
    };
    let values: Vec<Scalar> = (offset..offset + len)
        .map(|i| {
            let i_f = i as f64;
            let mut y = if div > 0 {
                if step == 0.0 {
                    i_f / div as f64 * delta
                } else {
                    i_f * step
                }
            } else {
                i_f * delta
            } + start;
            if endpoint && num > 1 && i == num - 1 {
                y = stop;
            }
            if dtype.is_integer() {
                y = y.floor();
            }
            Scalar::Float(y)
        })
        .collect();
    from_scalars(&values, &[len], dtype)
}

/// The block at `offset` of shape `shape` of an array with ones on diagonal `k`.
pub fn eye(k: i64, offset: [usize; 2], shape: &[usize], dtype: DType) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => {
        let one = T::from_scalar(Scalar::Int(1));
        let a = ArrayD::<T>::from_shape_fn(IxDyn(shape), |ix| {
            let (r, c) = ((offset[0] + ix[0]) as i64, (offset[1] + ix[1]) as i64);
            if c - r == k { one } else { T::default() }
        });
        Ok(Chunk::from_array(a))
    })
}

fn as_f64(s: Scalar) -> OxResult<f64> {
    match s {
        Scalar::Int(v) => Ok(v as f64),
        Scalar::UInt(v) => Ok(v as f64),
        Scalar::Float(v) => Ok(v),
        Scalar::Bool(b) => Ok(b as u8 as f64),
        Scalar::Complex(..) => Err(OxError::Type("complex arange is not supported".into())),
    }
}

fn from_scalars(values: &[Scalar], shape: &[usize], dtype: DType) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => {
        let v: Vec<T> = values.iter().map(|&s| T::from_scalar(s)).collect();
        ArrayD::from_shape_vec(IxDyn(shape), v).map(Chunk::from_array).map_err(|e| OxError::Internal(e.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_do_not_depend_on_the_block() {
        let whole = linspace(0.0, 1.0, 7, true, 0, 7, DType::Float64).unwrap();
        let tail = linspace(0.0, 1.0, 7, true, 4, 3, DType::Float64).unwrap();
        assert_eq!(
            whole.as_array::<f64>().unwrap().as_slice().unwrap()[4..],
            tail.as_array::<f64>().unwrap().as_slice().unwrap()[..]
        );
        assert_eq!(tail.as_array::<f64>().unwrap()[[2]], 1.0);
        let a = arange(Scalar::Int(5), Scalar::Int(-2), 1, 3, DType::Int8).unwrap();
        assert_eq!(a.as_array::<i8>().unwrap().as_slice().unwrap(), &[3, 1, -1]);
        let e = eye(1, [0, 0], &[2, 3], DType::Float32).unwrap();
        assert_eq!(
            e.as_array::<f32>().unwrap().as_slice().unwrap(),
            &[0., 1., 0., 0., 0., 1.]
        );
    }
}
