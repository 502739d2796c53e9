//! Constructors of random sources. The Python front has already checked the arguments as NumPy
//! does (bounds, sizes, probabilities); this checks what the kernels rely on.

use crate::construct::rechunk;
use crate::expr::{Node, NodeKind, NodeRef};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
pub use oxarray_kernels::random::bounds::IntBounds;
use oxarray_kernels::random::permute;
pub use oxarray_kernels::random::{Dist, Stream};
use std::sync::Arc;

/// A lazy random array: each block is generated from its place in the whole.
pub fn random(
    shape: Vec<usize>,
    dtype: DType,
    grid: ChunkGrid,
    stream: Stream,
    dist: Dist,
) -> OxResult<NodeRef> {
    if !dist.supports(dtype) {
        return Err(OxError::DTypeNotSupported(format!(
            "Unsupported dtype {dtype} for {}",
            dist.name()
        )));
    }
    if let Dist::Permutation { n } = dist {
        let size: usize = shape.iter().product();
        if size as u64 > n {
            return Err(OxError::Value(
                "Cannot take a larger sample than population when replace=False".into(),
            ));
        }
    }
    Ok(Node::new(
        shape,
        dtype,
        grid,
        NodeKind::Random { stream, dist },
    ))
}

/// The cumulative distribution of the probabilities `p` (non-negative, positive sum), ending at
/// exactly 1 as NumPy's `choice` makes it.
pub fn categorical(p: &[f64]) -> OxResult<Dist> {
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = p
        .iter()
        .map(|&w| {
            acc += w;
            acc
        })
        .collect();
    let total = acc;
    let bad = |w: f64| w.is_nan() || w < 0.0;
    if p.is_empty() || bad(total) || total == 0.0 || !total.is_finite() || p.iter().any(|&w| bad(w))
    {
        return Err(OxError::Value("probabilities are not non-negative".into()));
    }
    cdf.iter_mut().for_each(|c| *c /= total);
    Ok(Dist::Categorical { cdf: Arc::new(cdf) })
}

/// `k` distinct indices drawn with weights `p`, as a 1-d int64 array cut by `grid` (this one is
/// computed now: the choice needs every weight's key).
pub fn weighted_choice(stream: Stream, p: &[f64], k: usize, grid: ChunkGrid) -> OxResult<NodeRef> {
    let idx = permute::weighted_sample(&stream, p, k);
    if idx.len() != k {
        return Err(OxError::Value(
            "Fewer non-zero entries in p than size".into(),
        ));
    }
    let chunk = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[k]), idx)
        .map(Chunk::from_array)
        .map_err(|e| OxError::Internal(e.to_string()))?;
    let whole = Node::new(
        vec![k],
        DType::Int64,
        ChunkGrid::single(&[k]),
        NodeKind::Literal {
            chunks: vec![Arc::new(chunk)],
        },
    );
    if grid.nblocks() == 1 {
        return Ok(whole);
    }
    rechunk(&whole, grid)
}
