//! Kernels that move elements without computing on them: strided copies (slicing, rechunk),
//! transposition, broadcasting and the general reshape gather.

use ndarray::{ArrayD, IxDyn, Slice};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, dispatch_typed, Chunk, DType, Element, OxError, OxResult};

/// Elements `start + j*step` for `j < len` along one axis of a source chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSel {
    pub start: usize,
    pub step: isize,
    pub len: usize,
}

impl AxisSel {
    pub fn range(start: usize, len: usize) -> Self {
        AxisSel {
            start,
            step: 1,
            len,
        }
    }
    fn to_slice(&self) -> Slice {
        if self.len == 0 {
            return Slice::new(0, Some(0), 1);
        }
        let s = self.start as isize;
        let last = s + (self.len as isize - 1) * self.step;
        if self.step > 0 {
            Slice::new(s, Some(last + 1), self.step)
        } else {
            // ndarray walks a negative step from the end of the range: end-1 = start.
            Slice::new(last, Some(s + 1), self.step)
        }
    }
}

/// One strided region of dependency `dep`, copied to `dst_offset` in the output chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    pub dep: usize,
    pub src: Vec<AxisSel>,
    pub dst_offset: Vec<usize>,
}

/// A chunk of `shape` assembled from regions of `deps`.
pub fn assemble(
    shape: &[usize],
    dtype: DType,
    pieces: &[Piece],
    deps: &[&Chunk],
) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => {
        // A single piece covering the output is just a strided view copied out.
        if let [p] = pieces {
            let src = typed::<T>(deps[p.dep])?;
            let view = src.slice_each_axis(|ax| p.src[ax.axis.index()].to_slice());
            if view.shape() == shape {
                let mut out = huge_zeros::<T>(shape)?;
                out.assign(&view);
                return Ok(Chunk::from_array(out));
            }
        }
        let mut out = huge_zeros::<T>(shape)?;
        for p in pieces {
            let src = typed::<T>(deps[p.dep])?;
            let view = src.slice_each_axis(|ax| p.src[ax.axis.index()].to_slice());
            let mut dst = out.slice_each_axis_mut(|ax| {
                let i = ax.axis.index();
                let o = p.dst_offset[i] as isize;
                Slice::new(o, Some(o + p.src[i].len as isize), 1)
            });
            dst.assign(&view);
        }
        Ok(Chunk::from_array(out))
    })
}

/// A zeroed array of `shape` on huge pages when large: rechunked blocks feed GEMMs and fused
/// loops, where 4 KiB pages cost TLB misses.
fn huge_zeros<T: Element>(shape: &[usize]) -> OxResult<ArrayD<T>> {
    let zeros = oxarray_core::buffer::zeroed_vec::<T>(shape.iter().product())?;
    ArrayD::from_shape_vec(IxDyn(shape), zeros).map_err(|e| OxError::Internal(e.to_string()))
}

/// The typed array inside a chunk, or an internal error if lowering mixed up dtypes.
pub fn typed<T: Element>(c: &Chunk) -> OxResult<&ArrayD<T>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    c.as_array::<T>().ok_or_else(|| {
        OxError::Internal(format!("expected a {} chunk, got {}", T::DTYPE, c.dtype()))
    })
}

pub fn transpose(c: &Chunk, perm: &[usize]) -> Chunk {
    dispatch_typed!(Chunk, c, a => Chunk::from_array(a.view().permuted_axes(IxDyn(perm)).as_standard_layout().into_owned()))
}

/// The same elements with another shape of equal size.
pub fn reshape(c: &Chunk, shape: &[usize]) -> Chunk {
    c.clone().into_shape(shape)
}

pub fn broadcast(c: &Chunk, shape: &[usize]) -> OxResult<Chunk> {
    dispatch_typed!(Chunk, c, a => {
        let v = a.broadcast(IxDyn(shape)).ok_or_else(|| OxError::Internal(format!("cannot broadcast {:?} to {:?}", a.shape(), shape)))?;
        Ok(Chunk::from_array(v.as_standard_layout().into_owned()))
    })
}

/// One output block of a general (C-order) reshape: the block at `out_offset` with shape
/// `out_block` of an array of `out_shape`, read from an input of `in_shape` cut by `in_chunks`;
/// `deps[i]` is the input block at `in_blocks[i]`.
pub struct GatherSpec<'a> {
    pub out_offset: &'a [usize],
    pub out_block: &'a [usize],
    pub out_shape: &'a [usize],
    pub in_chunks: &'a [Vec<usize>],
    pub in_blocks: &'a [Vec<usize>],
}

pub fn gather(spec: &GatherSpec, dtype: DType, deps: &[&Chunk]) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => gather_typed::<T>(spec, deps).map(Chunk::from_array))
}

fn gather_typed<T: Element>(spec: &GatherSpec, deps: &[&Chunk]) -> OxResult<ArrayD<T>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let in_shape: Vec<usize> = spec.in_chunks.iter().map(|c| c.iter().sum()).collect();
    let bounds: Vec<Vec<usize>> = spec
        .in_chunks
        .iter()
        .map(|c| {
            std::iter::once(0)
                .chain(c.iter().scan(0, |acc, &x| {
                    *acc += x;
                    Some(*acc)
                }))
                .collect()
        })
        .collect();
    let out_strides = oxarray_core::shape::c_strides(spec.out_shape);
    let in_strides = oxarray_core::shape::c_strides(&in_shape);
    let n: usize = spec.out_block.iter().product();
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return ArrayD::from_shape_vec(IxDyn(spec.out_block), out)
            .map_err(|e| OxError::Internal(e.to_string()));
    }
    let nd_out = spec.out_block.len();
    let row = spec.out_block.last().copied().unwrap_or(1);
    let rows = n / row.max(1);
    let last_in = in_shape.len().saturating_sub(1);
    let mut in_idx = vec![0usize; in_shape.len()];
    let mut blk = vec![0usize; in_shape.len()];
    for r in 0..rows {
        // Flat index (in the whole array) of the first element of this output row.
        let mut rem = r;
        let mut flat = 0;
        for d in (0..nd_out.saturating_sub(1)).rev() {
            let i = rem % spec.out_block[d];
            rem /= spec.out_block[d];
            flat += (spec.out_offset[d] + i) * out_strides[d];
        }
        if nd_out > 0 {
            flat += spec.out_offset[nd_out - 1];
        }
        let mut left = row;
        while left > 0 {
            let mut f = flat;
            for d in 0..in_shape.len() {
                in_idx[d] = f / in_strides[d];
                f %= in_strides[d];
                blk[d] = bounds[d].partition_point(|&e| e <= in_idx[d]) - 1;
            }
            let k = spec
                .in_blocks
                .iter()
                .position(|b| b == &blk)
                .ok_or_else(|| {
                    OxError::Internal(
                        "reshape gather: input block not among the dependencies".into(),
                    )
                })?;
            let src = deps[k]
                .as_array::<T>()
                .ok_or_else(|| OxError::Internal("reshape gather: dtype".into()))?;
            let src = src
                .as_slice()
                .ok_or_else(|| OxError::Internal("reshape gather: non-contiguous block".into()))?;
            let local: Vec<usize> = (0..in_shape.len())
                .map(|d| in_idx[d] - bounds[d][blk[d]])
                .collect();
            let shape = &src_shape(spec.in_chunks, &blk);
            let lstrides = oxarray_core::shape::c_strides(shape);
            let pos: usize = local.iter().zip(&lstrides).map(|(a, b)| a * b).sum();
            // Run along the input's last axis until the block or the row ends.
            let run = if in_shape.is_empty() {
                1
            } else {
                shape[last_in] - local[last_in]
            }
            .min(left);
            out.extend_from_slice(&src[pos..pos + run]);
            left -= run;
            flat += run;
        }
    }
    ArrayD::from_shape_vec(IxDyn(spec.out_block), out).map_err(|e| OxError::Internal(e.to_string()))
}

fn src_shape(in_chunks: &[Vec<usize>], blk: &[usize]) -> Vec<usize> {
    blk.iter().zip(in_chunks).map(|(&b, c)| c[b]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iota(shape: &[usize]) -> Chunk {
        let n = shape.iter().product::<usize>();
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), (0..n as i64).collect()).unwrap())
    }

    #[test]
    fn assemble_with_negative_step() {
        let c = iota(&[10]);
        let p = Piece {
            dep: 0,
            src: vec![AxisSel {
                start: 9,
                step: -3,
                len: 4,
            }],
            dst_offset: vec![0],
        };
        let out = assemble(&[4], DType::Int64, &[p], &[&c]).unwrap();
        assert_eq!(
            out.as_array::<i64>().unwrap().as_slice().unwrap(),
            &[9, 6, 3, 0]
        );
    }

    #[test]
    fn assemble_two_pieces() {
        let a = iota(&[2, 2]);
        let pieces = vec![
            Piece {
                dep: 0,
                src: vec![AxisSel::range(0, 2), AxisSel::range(1, 1)],
                dst_offset: vec![0, 0],
            },
            Piece {
                dep: 0,
                src: vec![AxisSel::range(0, 2), AxisSel::range(0, 1)],
                dst_offset: vec![0, 1],
            },
        ];
        let out = assemble(&[2, 2], DType::Int64, &pieces, &[&a]).unwrap();
        assert_eq!(
            out.as_array::<i64>().unwrap().as_slice().unwrap(),
            &[1, 0, 3, 2]
        );
    }

    #[test]
    fn gather_flattens_across_blocks() {
        // A 4x3 array cut into 2x2 blocks [[0..2],[2..4]] x [[0..2],[2..3]], reshaped to (12,).
        let full: &Vec<i64> = &(0..12).collect();
        let block = |r0: usize, r: usize, c0: usize, c: usize| {
            let v: Vec<i64> = (0..r)
                .flat_map(|i| (0..c).map(move |j| full[(r0 + i) * 3 + c0 + j]))
                .collect();
            Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[r, c]), v).unwrap())
        };
        let blocks = [
            block(0, 2, 0, 2),
            block(0, 2, 2, 1),
            block(2, 2, 0, 2),
            block(2, 2, 2, 1),
        ];
        let in_chunks = vec![vec![2, 2], vec![2, 1]];
        let in_blocks = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
        let spec = GatherSpec {
            out_offset: &[2],
            out_block: &[8],
            out_shape: &[12],
            in_chunks: &in_chunks,
            in_blocks: &in_blocks,
        };
        let deps: Vec<&Chunk> = blocks.iter().collect();
        let out = gather(&spec, DType::Int64, &deps).unwrap();
        assert_eq!(
            out.as_array::<i64>().unwrap().as_slice().unwrap(),
            &[2, 3, 4, 5, 6, 7, 8, 9]
        );
    }
}
