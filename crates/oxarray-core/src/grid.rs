//! [`ChunkGrid`]: how an array's shape is cut into blocks, as Dask's `chunks` tuple-of-tuples.
//!
//! Invariant: along each axis the sizes sum to the axis length; an axis of length 0 has the single
//! chunk size `0`; every other chunk size is positive.

use crate::error::{OxError, OxResult};
use crate::shape::shape_str;

/// One axis of a user's `chunks=` argument, before normalization.
#[derive(Clone, Debug, PartialEq)]
pub enum DimSpec {
    /// Let the byte target decide.
    Auto,
    /// One chunk spanning the axis (`-1` or `None` in Dask's spelling).
    Full,
    /// Blocks of this size; the last one may be smaller.
    Size(usize),
    /// Explicit sizes that must sum to the axis length.
    Explicit(Vec<usize>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChunkGrid {
    chunks: Vec<Vec<usize>>,
}

impl ChunkGrid {
    /// A grid from explicit per-axis sizes, checked against `shape`.
    pub fn new(shape: &[usize], chunks: Vec<Vec<usize>>) -> OxResult<Self> {
        if chunks.len() != shape.len() {
            return Err(OxError::Value(format!(
                "chunks {:?} have {} dimensions but the array shape {} has {}",
                chunks,
                chunks.len(),
                shape_str(shape),
                shape.len()
            )));
        }
        for (axis, (c, &n)) in chunks.iter().zip(shape).enumerate() {
            let total: usize = c.iter().sum();
            let bad_zero = n > 0 && c.contains(&0);
            if total != n || c.is_empty() || bad_zero || (n == 0 && c != &[0]) {
                return Err(OxError::Value(format!(
                    "chunks {:?} along axis {axis} do not add up to the shape {}",
                    c,
                    shape_str(shape)
                )));
            }
        }
        Ok(ChunkGrid { chunks })
    }

    /// One chunk covering the whole array.
    pub fn single(shape: &[usize]) -> Self {
        ChunkGrid {
            chunks: shape.iter().map(|&n| vec![n]).collect(),
        }
    }

    /// Normalizes a `chunks=` argument (one spec per axis) with `target_bytes` for `Auto` axes.
    pub fn from_spec(
        shape: &[usize],
        spec: &[DimSpec],
        itemsize: usize,
        target_bytes: usize,
    ) -> OxResult<Self> {
        if spec.len() != shape.len() {
            return Err(OxError::Value(format!(
                "chunks have {} dimensions but the array shape {} has {}",
                spec.len(),
                shape_str(shape),
                shape.len()
            )));
        }
        let mut sizes: Vec<Option<usize>> = Vec::with_capacity(shape.len());
        let mut explicit: Vec<Option<Vec<usize>>> = vec![None; shape.len()];
        for (axis, (s, &n)) in spec.iter().zip(shape).enumerate() {
            match s {
                DimSpec::Auto => sizes.push(None),
                DimSpec::Full => sizes.push(Some(n.max(1))),
                DimSpec::Size(0) => {
                    return Err(OxError::Value(format!(
                        "chunk size along axis {axis} must be positive, got 0"
                    )))
                }
                DimSpec::Size(k) => sizes.push(Some(*k)),
                DimSpec::Explicit(v) => {
                    sizes.push(Some(1));
                    explicit[axis] = Some(v.clone());
                }
            }
        }
        // Auto axes share the byte budget left over by the fixed ones, as evenly as possible.
        let auto_axes: Vec<usize> = (0..shape.len()).filter(|&i| sizes[i].is_none()).collect();
        if !auto_axes.is_empty() {
            let fixed: usize = (0..shape.len())
                .filter_map(|i| {
                    sizes[i].map(|s| {
                        if explicit[i].is_some() {
                            max_or_one(explicit[i].as_deref())
                        } else {
                            s.min(shape[i].max(1))
                        }
                    })
                })
                .product::<usize>()
                .max(1);
            let budget_elems = (target_bytes / itemsize.max(1) / fixed).max(1);
            let auto = auto_sizes(
                &auto_axes.iter().map(|&i| shape[i]).collect::<Vec<_>>(),
                budget_elems,
            );
            for (k, &i) in auto_axes.iter().enumerate() {
                sizes[i] = Some(auto[k]);
            }
        }
        let chunks = (0..shape.len())
            .map(|i| match &explicit[i] {
                Some(v) => v.clone(),
                None => regular(shape[i], sizes[i].unwrap_or(1)),
            })
            .collect();
        ChunkGrid::new(shape, chunks)
    }

    /// Chunks for `shape` of about `target_bytes` each, as `chunks="auto"` picks them.
    pub fn auto(shape: &[usize], itemsize: usize, target_bytes: usize) -> Self {
        let spec = vec![DimSpec::Auto; shape.len()];
        Self::from_spec(shape, &spec, itemsize, target_bytes)
            .unwrap_or_else(|_| Self::single(shape))
    }

    pub fn chunks(&self) -> &[Vec<usize>] {
        &self.chunks
    }
    pub fn ndim(&self) -> usize {
        self.chunks.len()
    }
    pub fn numblocks(&self) -> Vec<usize> {
        self.chunks.iter().map(|c| c.len()).collect()
    }
    pub fn nblocks(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).product()
    }
    pub fn shape(&self) -> Vec<usize> {
        self.chunks.iter().map(|c| c.iter().sum()).collect()
    }
    /// The shape of the block at a block index.
    pub fn block_shape(&self, index: &[usize]) -> Vec<usize> {
        index.iter().zip(&self.chunks).map(|(&i, c)| c[i]).collect()
    }
    /// The global offset of the block at a block index.
    pub fn block_offset(&self, index: &[usize]) -> Vec<usize> {
        index
            .iter()
            .zip(&self.chunks)
            .map(|(&i, c)| c[..i].iter().sum())
            .collect()
    }
    /// Start offsets along one axis (length `numblocks + 1`, last = axis length).
    pub fn axis_bounds(&self, axis: usize) -> Vec<usize> {
        let mut b = Vec::with_capacity(self.chunks[axis].len() + 1);
        let mut acc = 0;
        b.push(0);
        for &c in &self.chunks[axis] {
            acc += c;
            b.push(acc);
        }
        b
    }
    /// Linear (C-order) position of a block index.
    pub fn linear(&self, index: &[usize]) -> usize {
        index
            .iter()
            .zip(&self.chunks)
            .fold(0, |acc, (&i, c)| acc * c.len() + i)
    }
    /// Block index of a linear position.
    pub fn unravel(&self, mut linear: usize) -> Vec<usize> {
        let mut idx = vec![0; self.chunks.len()];
        for (axis, c) in self.chunks.iter().enumerate().rev() {
            idx[axis] = linear % c.len();
            linear /= c.len();
        }
        idx
    }
    /// Every block index in C order.
    pub fn block_indices(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        (0..self.nblocks()).map(|l| self.unravel(l))
    }
    /// The largest block's size in elements.
    pub fn max_block_len(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .product()
    }
}

fn max_or_one(v: Option<&[usize]>) -> usize {
    v.and_then(|v| v.iter().copied().max()).unwrap_or(1).max(1)
}

/// Regular chunks of size `size` along an axis of length `n` (last one ragged).
pub fn regular(n: usize, size: usize) -> Vec<usize> {
    if n == 0 {
        return vec![0];
    }
    let size = size.clamp(1, n);
    let mut v = vec![size; n / size];
    if !n.is_multiple_of(size) {
        v.push(n % size);
    }
    v
}

/// Sizes for the auto axes whose product stays within `budget` elements: start from the whole
/// extent and halve the largest side until it fits (near-square blocks, as Dask aims for).
fn auto_sizes(extents: &[usize], budget: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = extents.iter().map(|&n| n.max(1)).collect();
    while sizes.iter().product::<usize>() > budget {
        let (i, _) = sizes
            .iter()
            .enumerate()
            .max_by_key(|(_, &s)| s)
            .unwrap_or((0, &1));
        if sizes[i] == 1 {
            break;
        }
        sizes[i] = sizes[i].div_ceil(2);
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_and_explicit() {
        let g =
            ChunkGrid::from_spec(&[10, 7], &[DimSpec::Size(4), DimSpec::Full], 8, 1 << 20).unwrap();
        assert_eq!(g.chunks(), &[vec![4, 4, 2], vec![7]]);
        assert_eq!(g.numblocks(), vec![3, 1]);
        assert_eq!(g.block_offset(&[2, 0]), vec![8, 0]);
        assert_eq!(g.linear(&[2, 0]), 2);
        assert_eq!(g.unravel(2), vec![2, 0]);
        assert!(ChunkGrid::new(&[5], vec![vec![2, 2]]).is_err());
        assert!(ChunkGrid::from_spec(&[5], &[DimSpec::Size(0)], 8, 100).is_err());
        let e =
            ChunkGrid::from_spec(&[0, 3], &[DimSpec::Size(2), DimSpec::Size(2)], 8, 100).unwrap();
        assert_eq!(e.chunks(), &[vec![0], vec![2, 1]]);
    }

    #[test]
    fn auto_respects_budget() {
        let g = ChunkGrid::auto(&[4000, 3000], 8, 8 << 20);
        assert!(g.max_block_len() * 8 <= 8 << 20);
        assert_eq!(g.shape(), vec![4000, 3000]);
        let small = ChunkGrid::auto(&[10, 10], 8, 1 << 20);
        assert_eq!(small.nblocks(), 1);
        assert_eq!(ChunkGrid::auto(&[], 8, 100).nblocks(), 1);
    }
}
