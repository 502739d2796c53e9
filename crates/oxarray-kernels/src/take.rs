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
}
