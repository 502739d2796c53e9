//! Selection nodes driven by data or by index arrays: `x[mask]` (compress), `x[mask] = values`
//! (expand) and `take` along any axis by indices known when the node is built.
//!
//! A boolean mask's result has a data-dependent length. The front computes the mask's blocks
//! once ([`mask_counts`]: persisted, and the number of `true` per band of rows counted), then
//! builds a compress node whose shape and chunks are known: output block `b` along axis 0 holds
//! the selected rows of band `b`. The mask covers the leading `k` axes of `x`, and neither is cut
//! along axes `1..k`, so a band's selected elements are contiguous in C order (NumPy's order).

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::task::{Task, TaskId, TaskKind};
use oxarray_core::grid::regular;
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult, Scalar};
use oxarray_kernels::{compress as kernels, take};
use rayon::prelude::*;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

#[derive(Debug)]
pub enum IndexOp {
    /// `x[mask]`: output block `i` along axis 0 holds the selected rows of band `bands[i]` (no
    /// entry for bands without a selected row; an empty result is one empty block).
    Compress {
        x: NodeRef,
        mask: NodeRef,
        bands: Vec<usize>,
    },
    /// `x` with the rows selected by `mask` replaced by `vals`; band `b` reads block
    /// `vals_block[b]` of `vals` along axis 0 (`None`: nothing selected, the band is `x`'s).
    Expand {
        x: NodeRef,
        mask: NodeRef,
        vals: NodeRef,
        vals_block: Vec<Option<usize>>,
    },
    /// `x` indexed along `axis` by `indices` (each already in bounds).
    Take {
        x: NodeRef,
        axis: usize,
        indices: Arc<Vec<usize>>,
    },
}

impl IndexOp {
    pub fn inputs(&self) -> Vec<&NodeRef> {
        match self {
            IndexOp::Compress { x, mask, .. } => vec![x, mask],
            IndexOp::Expand { x, mask, vals, .. } => vec![x, mask, vals],
            IndexOp::Take { x, .. } => vec![x],
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            IndexOp::Compress { .. } => "compress",
            IndexOp::Expand { .. } => "setitem-mask",
            IndexOp::Take { .. } => "take",
        }
    }
}

/// What one selection task runs.
#[derive(Clone, Debug)]
pub enum IndexTask {
    /// deps: the band of `x`, the band of the mask.
    Compress,
    /// deps: the block of `x`, the band of the mask, the block of the values.
    Expand,
    /// Position `r` along `axis` is position `plan[r].1` of dependency `plan[r].0`.
    Take {
        axis: usize,
        plan: Vec<(usize, usize)>,
    },
}

impl IndexTask {
    pub fn label(&self) -> &'static str {
        match self {
            IndexTask::Compress => "compress",
            IndexTask::Expand => "setitem-mask",
            IndexTask::Take { .. } => "take",
        }
    }
}

/// Checks that `mask` (bool) covers the leading axes of `x` and is cut as the front arranges it.
fn check_mask(x: &NodeRef, mask: &NodeRef) -> OxResult<usize> {
    let k = mask.ndim();
    let internal = |m: &str| Err(OxError::Internal(format!("mask selection: {m}")));
    if mask.dtype != DType::Bool || k == 0 || k > x.ndim() || mask.shape[..] != x.shape[..k] {
        return internal("the mask must be a bool array over the leading axes");
    }
    let (xc, mc) = (x.grid.chunks(), mask.grid.chunks());
    if xc[0] != mc[0] || (1..k).any(|d| xc[d].len() != 1 || mc[d].len() != 1) {
        return internal("the mask and the array must be cut in bands of rows only");
    }
    Ok(k)
}

fn check_counts(mask: &NodeRef, counts: &[usize]) -> OxResult<()> {
    let bands = &mask.grid.chunks()[0];
    let per_row: usize = mask.shape[1..].iter().product();
    if counts.len() != bands.len() || counts.iter().zip(bands).any(|(&c, &b)| c > b * per_row) {
        return Err(OxError::Internal(
            "mask selection: counts do not match the mask's bands".into(),
        ));
    }
    Ok(())
}

/// Chunks along the selected axis: the non-zero counts (or one empty chunk).
fn selected_chunks(counts: &[usize]) -> Vec<usize> {
    let c: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
    if c.is_empty() {
        vec![0]
    } else {
        c
    }
}

/// `x[mask]` with `counts[b]` true elements in band `b` of the mask.
pub fn compress(x: &NodeRef, mask: &NodeRef, counts: Vec<usize>) -> OxResult<NodeRef> {
    let k = check_mask(x, mask)?;
    check_counts(mask, &counts)?;
    let total: usize = counts.iter().sum();
    let mut shape = vec![total];
    shape.extend_from_slice(&x.shape[k..]);
    let mut chunks = vec![selected_chunks(&counts)];
    chunks.extend_from_slice(&x.grid.chunks()[k..]);
    let grid = ChunkGrid::new(&shape, chunks)?;
    let bands = (0..counts.len()).filter(|&b| counts[b] > 0).collect();
    let op = IndexOp::Compress {
        x: Arc::clone(x),
        mask: Arc::clone(mask),
        bands,
    };
    Ok(Node::new(shape, x.dtype, grid, NodeKind::Index(op)))
}

/// `x` with `x[mask] = vals`: `vals` has `x[mask]`'s shape and dtype and is cut along axis 0 by
/// the non-zero `counts`, along the other axes as `x`.
pub fn expand(
    x: &NodeRef,
    mask: &NodeRef,
    vals: &NodeRef,
    counts: Vec<usize>,
) -> OxResult<NodeRef> {
    let k = check_mask(x, mask)?;
    check_counts(mask, &counts)?;
    let total: usize = counts.iter().sum();
    let mut want = vec![selected_chunks(&counts)];
    want.extend_from_slice(&x.grid.chunks()[k..]);
    if vals.dtype != x.dtype || vals.shape[0] != total || vals.grid.chunks() != want {
        return Err(OxError::Internal(
            "mask assignment: values not cut by the counts".into(),
        ));
    }
    let mut next = 0;
    let vals_block = counts
        .iter()
        .map(|&c| {
            (c > 0).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    let op = IndexOp::Expand {
        x: Arc::clone(x),
        mask: Arc::clone(mask),
        vals: Arc::clone(vals),
        vals_block,
    };
    Ok(Node::new(
        x.shape.clone(),
        x.dtype,
        x.grid.clone(),
        NodeKind::Index(op),
    ))
}

/// `x` indexed along `axis` by `indices`; cut along `axis` by `x`'s first chunk size there.
pub fn take_axis(x: &NodeRef, axis: usize, indices: Vec<usize>) -> OxResult<NodeRef> {
    let n = *x
        .shape
        .get(axis)
        .ok_or_else(|| OxError::axis(axis as i64, x.ndim()))?;
    if let Some(&bad) = indices.iter().find(|&&r| r >= n) {
        return Err(OxError::Index(format!(
            "index {bad} is out of bounds for axis {axis} with size {n}"
        )));
    }
    let mut shape = x.shape.clone();
    shape[axis] = indices.len();
    let mut chunks = x.grid.chunks().to_vec();
    chunks[axis] = regular(indices.len(), chunks[axis][0].max(1));
    let grid = ChunkGrid::new(&shape, chunks)?;
    let op = IndexOp::Take {
        x: Arc::clone(x),
        axis,
        indices: Arc::new(indices),
    };
    Ok(Node::new(shape, x.dtype, grid, NodeKind::Index(op)))
}

/// The size pass of a boolean mask: computes the mask's blocks (kept, as a literal node, so the
/// values are not computed twice) and counts the `true` elements of each band of rows.
pub fn mask_counts(mask: &NodeRef, cancel: &AtomicBool) -> OxResult<(NodeRef, Vec<usize>)> {
    let kept = crate::result::persist(std::slice::from_ref(mask), cancel)?
        .pop()
        .ok_or_else(|| OxError::Internal("persist lost the mask".into()))?;
    let NodeKind::Literal { chunks } = &kept.kind else {
        return Err(OxError::Internal("persist did not give a literal".into()));
    };
    let per_block = chunks
        .par_iter()
        .map(|c| kernels::count_true(c))
        .collect::<OxResult<Vec<usize>>>()?;
    let mut counts = vec![0usize; kept.grid.numblocks().first().copied().unwrap_or(1)];
    for (lin, c) in per_block.into_iter().enumerate() {
        let band = kept.grid.unravel(lin).first().copied().unwrap_or(0);
        counts[band] += c;
    }
    Ok((kept, counts))
}

/// The tasks of each block of a selection node.
pub(crate) fn lower(lw: &mut Lowering, node: &Node, op: &IndexOp) -> OxResult<Vec<TaskId>> {
    let grid = node.grid.clone();
    let mut out = Vec::with_capacity(grid.nblocks());
    for idx in grid.block_indices() {
        let shape = grid.block_shape(&idx);
        let (kind, deps) = match op {
            IndexOp::Compress { x, mask, bands } => {
                let Some(&band) = bands.get(idx[0]) else {
                    out.push(empty_block(lw, node, shape));
                    continue;
                };
                let k = mask.ndim();
                let mut xi = vec![band];
                xi.extend(std::iter::repeat_n(0, k - 1));
                xi.extend_from_slice(&idx[1..]);
                let mut mi = vec![band];
                mi.extend(std::iter::repeat_n(0, k - 1));
                let deps = vec![
                    lw.input(x)?[x.grid.linear(&xi)],
                    lw.input(mask)?[mask.grid.linear(&mi)],
                ];
                (IndexTask::Compress, deps)
            }
            IndexOp::Expand {
                x,
                mask,
                vals,
                vals_block,
            } => {
                let xt = lw.input(x)?[x.grid.linear(&idx)];
                let Some(vb) = vals_block.get(idx[0]).copied().flatten() else {
                    out.push(xt); // nothing selected in this band: the block is x's
                    continue;
                };
                let k = mask.ndim();
                let mut mi = vec![idx[0]];
                mi.extend(std::iter::repeat_n(0, k - 1));
                let mut vi = vec![vb];
                vi.extend_from_slice(&idx[k..]);
                let deps = vec![
                    xt,
                    lw.input(mask)?[mask.grid.linear(&mi)],
                    lw.input(vals)?[vals.grid.linear(&vi)],
                ];
                (IndexTask::Expand, deps)
            }
            IndexOp::Take { x, axis, indices } => {
                let start = grid.block_offset(&idx)[*axis];
                let mine = &indices[start..start + shape[*axis]];
                if mine.is_empty() {
                    out.push(empty_block(lw, node, shape));
                    continue;
                }
                let (blocks, plan) = crate::take::rows_plan(mine, x.grid.axis_bounds(*axis));
                let inputs = lw.input(x)?;
                let deps = blocks
                    .iter()
                    .map(|&b| {
                        let mut i = idx.clone();
                        i[*axis] = b;
                        inputs[x.grid.linear(&i)]
                    })
                    .collect();
                (IndexTask::Take { axis: *axis, plan }, deps)
            }
        };
        out.push(lw.graph.push(Task {
            kind: TaskKind::Index(kind),
            deps,
            shape: shape.into(),
            dtype: node.dtype,
        }));
    }
    Ok(out)
}

fn empty_block(lw: &mut Lowering, node: &Node, shape: Vec<usize>) -> TaskId {
    lw.graph.push(Task {
        kind: TaskKind::Fill(Scalar::Int(0)),
        deps: vec![],
        shape: shape.into(),
        dtype: node.dtype,
    })
}

/// Runs one selection task on its dependencies' chunks.
pub fn run(t: &IndexTask, deps: &[&Chunk], shape: &[usize], dtype: DType) -> OxResult<Chunk> {
    let dep = |i: usize| {
        deps.get(i)
            .copied()
            .ok_or_else(|| OxError::Internal("selection task: missing input".into()))
    };
    match t {
        IndexTask::Compress => kernels::compress(dep(0)?, dep(1)?, shape, dtype),
        IndexTask::Expand => kernels::expand(dep(0)?, dep(1)?, dep(2)?, dtype),
        IndexTask::Take { axis, plan } => take::take_axis(deps, plan, *axis, shape, dtype),
    }
}
