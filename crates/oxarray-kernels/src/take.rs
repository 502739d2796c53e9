//! Gathering rows (sub-arrays along the first axis) from several blocks into a new block: the
//! kernel behind `permutation(x)` and `choice(x)` of an array, whose indices are known when the
//! graph is built.

use ndarray::{ArrayD, Axis, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, Chunk, DType, Element, OxError, OxResult};

/// A block of `shape` whose row `r` is row `rows[r].1` of block `deps[rows[r].0]`.
pub fn take_rows(
    deps: &[&Chunk],
    rows: &[(usize, usize)],
    shape: &[usize],
    dtype: DType,
) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => gather::<T>(deps, rows, shape))
}

fn gather<T: Element>(deps: &[&Chunk], rows: &[(usize, usize)], shape: &[usize]) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    if shape.first() != Some(&rows.len()) {
        return Err(OxError::Internal(
            "take: rows do not match the block".into(),
        ));
    }
    let inputs = deps
        .iter()
        .map(|c| {
            <Chunk as Typed<T>>::view(c)
                .ok_or_else(|| OxError::Internal("take: input of the wrong dtype".into()))
        })
        .collect::<OxResult<Vec<&ArrayD<T>>>>()?;
    let mut out = ArrayD::<T>::default(IxDyn(shape));
    for (mut dst, &(k, r)) in out.axis_iter_mut(Axis(0)).zip(rows) {
        let src = inputs
            .get(k)
            .filter(|a| r < a.shape()[0] && a.shape()[1..] == shape[1..])
            .ok_or_else(|| OxError::Internal("take: row outside its block".into()))?;
        dst.assign(&src.index_axis(Axis(0), r));
    }
    Ok(Chunk::from_array(out))
}

/// A block of `shape` whose position `r` along `axis` is position `plan[r].1` along `axis` of
/// block `deps[plan[r].0]` (the other axes of every dependency match the block's): `x[..., idx]`
/// along any axis, the kernel behind integer-array indexing and `take`.
pub fn take_axis(
    deps: &[&Chunk],
    plan: &[(usize, usize)],
    axis: usize,
    shape: &[usize],
    dtype: DType,
) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => gather_axis::<T>(deps, plan, axis, shape))
}

fn gather_axis<T: Element>(
    deps: &[&Chunk],
    plan: &[(usize, usize)],
    axis: usize,
    shape: &[usize],
) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let bad = |m: &str| OxError::Internal(format!("take: {m}"));
    if shape.get(axis) != Some(&plan.len()) {
        return Err(bad("plan does not match the block"));
    }
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let n_out = plan.len();
    let inputs = deps
        .iter()
        .map(|c| {
            let a = <Chunk as Typed<T>>::view(c).ok_or_else(|| bad("input of the wrong dtype"))?;
            let n = *a
                .shape()
                .get(axis)
                .ok_or_else(|| bad("input of the wrong rank"))?;
            let s = a.as_slice().ok_or_else(|| bad("input not C-ordered"))?;
            if s.len() != outer * n * inner {
                return Err(bad("input does not match the block"));
            }
            Ok((s, n))
        })
        .collect::<OxResult<Vec<(&[T], usize)>>>()?;
    let mut out = oxarray_core::buffer::zeroed_vec::<T>(outer * n_out * inner)?;
    for o in 0..outer {
        for (r, &(k, l)) in plan.iter().enumerate() {
            let (src, n) = *inputs.get(k).ok_or_else(|| bad("no such input"))?;
            if l >= n {
                return Err(bad("index outside its block"));
            }
            let at = (o * n + l) * inner;
            let to = (o * n_out + r) * inner;
            out[to..to + inner].copy_from_slice(&src[at..at + inner]);
        }
    }
    let a = ArrayD::from_shape_vec(IxDyn(shape), out).map_err(|e| bad(&e.to_string()))?;
    Ok(Chunk::from_array(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_from_their_blocks() {
        let a =
            Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![0i32, 1, 2, 3]).unwrap());
        let b = Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[1, 2]), vec![4i32, 5]).unwrap());
        let out = take_rows(&[&a, &b], &[(1, 0), (0, 1), (0, 0)], &[3, 2], DType::Int32).unwrap();
        assert_eq!(
            out.as_array::<i32>().unwrap().as_slice().unwrap(),
            &[4, 5, 2, 3, 0, 1]
        );
    }

    #[test]
    fn take_along_a_middle_axis() {
        let a = Chunk::from_array(
            ArrayD::from_shape_vec(IxDyn(&[2, 2, 1]), vec![0i64, 1, 2, 3]).unwrap(),
        );
        let b =
            Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[2, 1, 1]), vec![4i64, 5]).unwrap());
        let out = take_axis(
            &[&a, &b],
            &[(1, 0), (0, 1), (0, 1)],
            1,
            &[2, 3, 1],
            DType::Int64,
        )
        .unwrap();
        assert_eq!(
            out.as_array::<i64>().unwrap().as_slice().unwrap(),
            &[4, 1, 1, 5, 3, 3]
        );
    }
}
