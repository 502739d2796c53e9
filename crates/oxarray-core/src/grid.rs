//! [`ChunkGrid`]: how an array's shape is cut into blocks, as Dask's `chunks` tuple-of-tuples.
//!
//! Invariant: along each axis the sizes sum to the axis length; an axis of length 0 has the single
//! chunk size `0`; every other chunk size is positive; an array has at most [`MAX_BLOCKS`] blocks.
//! Per-axis start offsets are kept beside the sizes, so finding a block's offset is O(ndim): a
//! graph of a million chunks must not pay a scan per block.

use crate::error::{OxError, OxResult};
use crate::shape::{checked_nbytes, checked_size, shape_str};

/// The most blocks one array may have. Every block becomes at least one task (with its own
/// bookkeeping) in every graph that reads it, so past a few million the plan, not the data, is what
/// runs out of time and memory; a `chunks=` asking for more is refused at the call, naming this
/// limit, and automatic chunking grows its blocks to stay under it.
pub const MAX_BLOCKS: usize = 1 << 21;

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
    /// Start offsets along each axis (`chunks[a].len() + 1` entries, the last the axis length).
    bounds: Vec<Vec<usize>>,
}

impl ChunkGrid {
    /// A grid from explicit per-axis sizes, checked against `shape`. Empty chunks are dropped (as
    /// Dask allows `chunks=((0, 3), (4,))`: the same data in fewer blocks).
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
        checked_size(shape)?;
        let mut chunks = chunks;
        for (axis, (c, &n)) in chunks.iter_mut().zip(shape).enumerate() {
            let total = c.iter().try_fold(0usize, |acc, &k| acc.checked_add(k));
            if total != Some(n) {
                return Err(OxError::Value(format!(
                    "chunks {:?} along axis {axis} do not add up to the shape {}",
                    c,
                    shape_str(shape)
                )));
            }
            if c.contains(&0) || c.is_empty() {
                c.retain(|&k| k > 0);
                if c.is_empty() {
                    c.push(0);
                }
            }
        }
        check_block_count(chunks.iter().map(|c| c.len()))?;
        Ok(Self::from_checked(chunks))
    }

    /// Builds the offsets of sizes already known to satisfy the invariant.
    fn from_checked(chunks: Vec<Vec<usize>>) -> Self {
        let bounds = chunks
            .iter()
            .map(|c| {
                let mut b = Vec::with_capacity(c.len() + 1);
                let mut acc = 0;
                b.push(0);
                for &k in c {
                    acc += k;
                    b.push(acc);
                }
                b
            })
            .collect();
        ChunkGrid { chunks, bounds }
    }

    /// One chunk covering the whole array.
    pub fn single(shape: &[usize]) -> Self {
        Self::from_checked(shape.iter().map(|&n| vec![n]).collect())
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
        checked_nbytes(shape, itemsize)?;
        // An empty array has no data to cut: automatic axes take one chunk each (cutting
        // `(2**40, 0, 3)` into 128 MiB blocks would make millions of empty tasks).
        let empty = shape.contains(&0);
        let mut sizes: Vec<Option<usize>> = Vec::with_capacity(shape.len());
        let mut explicit: Vec<Option<Vec<usize>>> = vec![None; shape.len()];
        for (axis, (s, &n)) in spec.iter().zip(shape).enumerate() {
            match s {
                DimSpec::Auto if empty => sizes.push(Some(n.max(1))),
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
            let extents: Vec<usize> = auto_axes.iter().map(|&i| shape[i]).collect();
            // Blocks of the fixed axes times blocks of the automatic ones stay under MAX_BLOCKS:
            // a huge lazy array gets huge chunks (a MemoryError if it is ever computed) rather
            // than a plan too large to build.
            let fixed_blocks: usize = (0..shape.len())
                .filter(|&i| sizes[i].is_some())
                .map(|i| match &explicit[i] {
                    Some(v) => v.len(),
                    None => shape[i].div_ceil(sizes[i].unwrap_or(1).max(1)).max(1),
                })
                .try_fold(1usize, |acc, b| acc.checked_mul(b))
                .unwrap_or(usize::MAX);
            let max_auto_blocks = (MAX_BLOCKS / fixed_blocks.max(1)).max(1);
            let auto = auto_sizes(&extents, budget_elems, max_auto_blocks);
            for (k, &i) in auto_axes.iter().enumerate() {
                sizes[i] = Some(auto[k]);
            }
        }
        check_block_count((0..shape.len()).map(|i| match &explicit[i] {
            Some(v) => v.len(),
            None => shape[i].div_ceil(sizes[i].unwrap_or(1).max(1)).max(1),
        }))?;
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
        index.iter().zip(&self.bounds).map(|(&i, b)| b[i]).collect()
    }
    /// Start offsets along one axis (length `numblocks + 1`, last = axis length).
    pub fn axis_bounds(&self, axis: usize) -> &[usize] {
        &self.bounds[axis]
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

/// Refuses a grid of more than [`MAX_BLOCKS`] blocks (given the count along each axis).
fn check_block_count(per_axis: impl Iterator<Item = usize>) -> OxResult<()> {
    let per_axis: Vec<usize> = per_axis.collect();
    let total = per_axis
        .iter()
        .try_fold(1usize, |acc, &b| acc.checked_mul(b));
    match total {
        Some(t) if t <= MAX_BLOCKS => Ok(()),
        _ => Err(OxError::Value(format!(
            "chunks of {} blocks ({}) exceed oxarray's limit of {MAX_BLOCKS} blocks per array; \
             use larger chunks",
            total.map_or_else(|| "more than 2**64".to_string(), |t| t.to_string()),
            per_axis
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(" x "),
        ))),
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
/// extent and halve the largest side until it fits (near-square blocks, as Dask aims for), but
/// never into more than `max_blocks` blocks.
fn auto_sizes(extents: &[usize], budget: usize, max_blocks: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = extents.iter().map(|&n| n.max(1)).collect();
    let blocks = |sizes: &[usize]| -> usize {
        sizes
            .iter()
            .zip(extents)
            .map(|(&s, &n)| n.div_ceil(s).max(1))
            .fold(1usize, |acc, b| acc.saturating_mul(b))
    };
    while sizes.iter().fold(1usize, |acc, &s| acc.saturating_mul(s)) > budget {
        let (i, _) = sizes
            .iter()
            .enumerate()
            .max_by_key(|(_, &s)| s)
            .unwrap_or((0, &1));
        if sizes[i] == 1 {
            break;
        }
        let before = sizes[i];
        sizes[i] = sizes[i].div_ceil(2);
        if blocks(&sizes) > max_blocks {
            sizes[i] = before;
            break;
        }
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
