//! Selection in the graph: order statistics (what quantiles and medians read) and
//! `np.partition` / `np.argpartition`; nodes are `NodeKind::Sort` with a selection `SortOp`.
//!
//! Along an axis held by one chunk, one task per block selects in its lanes (no sort). Along a
//! chunked axis, order statistics come from the per-chunk sorts of `crate::sort` and one `Pick`
//! task per column of blocks that finds each rank by exact co-ranks (no merge, no gathered axis);
//! a partition along a chunked axis is the chunked sort itself (a sorted lane is partitioned at
//! every rank).

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::sort::{self, SortOp, SortTask};
use crate::task::{TaskId, Value};
use oxarray_core::grid::ChunkGrid;
use oxarray_core::shape::normalize_axis;
use oxarray_core::{Chunk, DType, OxError, OxResult};
use oxarray_kernels::sort as kernels;
use oxarray_kernels::sort::select::RankTable;
use std::sync::Arc;

/// Order statistics of `x` along `axis`: the axis is replaced by `width` values per lane, the
/// values of ranks `ranks` (a row-major table, see `RankTable`); `x`'s dtype.
pub fn select(
    x: &NodeRef,
    axis: i64,
    ranks: Vec<usize>,
    width: usize,
    skip_nan: bool,
) -> OxResult<NodeRef> {
    let axis = normalize_axis(axis, x.ndim())?;
    let n = x.shape[axis];
    let rows = if skip_nan { n + 1 } else { 1 };
    if ranks.len() != rows * width {
        return Err(OxError::Value(format!(
            "select: {} ranks for {rows} rows of width {width}",
            ranks.len()
        )));
    }
    let mut shape = x.shape.clone();
    shape[axis] = width;
    let mut chunks = x.grid.chunks().to_vec();
    chunks[axis] = vec![width];
    let grid = ChunkGrid::new(&shape, chunks)?;
    let op = SortOp::Select {
        axis,
        ranks,
        width,
        skip_nan,
    };
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Sort {
            x: Arc::clone(x),
            op,
        },
    ))
}

/// `np.partition` (`indices == false`) or `np.argpartition` of `x` along `axis` at the ranks
/// `kth` (already normalized, any order); the result has `x`'s shape and chunks.
pub fn partition(x: &NodeRef, axis: i64, kth: Vec<usize>, indices: bool) -> OxResult<NodeRef> {
    let axis = normalize_axis(axis, x.ndim())?;
    let n = x.shape[axis];
    if let Some(&k) = kth.iter().find(|&&k| k >= n) {
        return Err(OxError::Value(format!("kth(={k}) out of bounds ({n})")));
    }
    let mut kth = kth;
    kth.sort_unstable();
    kth.dedup();
    let dtype = if indices { DType::Int64 } else { x.dtype };
    let op = SortOp::Partition { axis, kth, indices };
    Ok(Node::new(
        x.shape.clone(),
        dtype,
        x.grid.clone(),
        NodeKind::Sort {
            x: Arc::clone(x),
            op,
        },
    ))
}

/// The tasks of every block of a selection node (C order of its grid).
pub(crate) fn lower(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    op: &SortOp,
) -> OxResult<Vec<TaskId>> {
    let grid = &x.grid;
    match op.clone() {
        SortOp::Partition { axis, kth, indices } => {
            if grid.numblocks()[axis] > 1 {
                // A sorted lane is partitioned at every rank: the chunked sort is a partition.
                return sort::lower_sort(lw, node, x, axis, false, indices);
            }
            let inputs = lw.input(x)?.clone();
            let mut out = Vec::with_capacity(grid.nblocks());
            for (lin, idx) in grid.block_indices().enumerate() {
                let kind = SortTask::PartitionLanes {
                    axis,
                    kth: kth.clone(),
                    indices,
                };
                out.push(sort::push(
                    lw,
                    kind,
                    vec![inputs[lin]],
                    grid.block_shape(&idx),
                    node.dtype,
                ));
            }
            Ok(out)
        }
        SortOp::Select {
            axis,
            ranks,
            width,
            skip_nan,
        } => {
            let inputs = lw.input(x)?.clone();
            let ranks: Arc<[usize]> = ranks.into();
            let k = grid.numblocks()[axis];
            let mut out = vec![0; node.grid.nblocks()];
            for start in grid.block_indices().filter(|i| i[axis] == 0) {
                let column: Vec<usize> = (0..k)
                    .map(|b| {
                        let mut i = start.clone();
                        i[axis] = b;
                        grid.linear(&i)
                    })
                    .collect();
                let mut oshape = grid.block_shape(&start);
                oshape[axis] = width;
                let (kind, deps) = if k == 1 {
                    let kind = SortTask::SelectLanes {
                        axis,
                        ranks: Arc::clone(&ranks),
                        width,
                        skip_nan,
                    };
                    (kind, vec![inputs[column[0]]])
                } else {
                    let locals = column
                        .iter()
                        .map(|&lin| {
                            let kind = SortTask::Local {
                                axis,
                                descending: false,
                                indices: false,
                                offset: 0,
                            };
                            let shape = grid.block_shape(&grid.unravel(lin));
                            sort::push(lw, kind, vec![inputs[lin]], shape, x.dtype)
                        })
                        .collect();
                    let kind = SortTask::Pick {
                        axis,
                        ranks: Arc::clone(&ranks),
                        width,
                        skip_nan,
                    };
                    (kind, locals)
                };
                out[node.grid.linear(&start)] = sort::push(lw, kind, deps, oshape, node.dtype);
            }
            Ok(out)
        }
        SortOp::Sort { .. } => Err(OxError::Internal("select: a sort node".into())),
    }
}

fn chunk(v: &Value) -> OxResult<&Chunk> {
    match v {
        Value::Chunk(c) => Ok(c),
        _ => Err(OxError::Internal("select: expected a chunk".into())),
    }
}

/// Runs one selection task.
pub(crate) fn run(t: &SortTask, deps: &[&Value]) -> OxResult<Value> {
    let first = || {
        deps.first()
            .ok_or_else(|| OxError::Internal("select: no input".into()))
    };
    let c = match t {
        SortTask::SelectLanes {
            axis,
            ranks,
            width,
            skip_nan,
        } => {
            let table = RankTable {
                ranks,
                width: *width,
                skip_nan: *skip_nan,
            };
            kernels::select_chunk(chunk(first()?)?, *axis, table)?
        }
        SortTask::PartitionLanes { axis, kth, indices } => {
            kernels::partition_chunk(chunk(first()?)?, *axis, kth, *indices)?
        }
        SortTask::Pick {
            axis,
            ranks,
            width,
            skip_nan,
        } => {
            let sorted = deps
                .iter()
                .map(|d| match d {
                    Value::Parts(p) if !p.is_empty() => Ok(&*p[0]),
                    _ => Err(OxError::Internal("select: expected sorted parts".into())),
                })
                .collect::<OxResult<Vec<&Chunk>>>()?;
            let table = RankTable {
                ranks,
                width: *width,
                skip_nan: *skip_nan,
            };
            kernels::pick_chunk(&sorted, *axis, table)?
        }
        _ => return Err(OxError::Internal("select: not a selection task".into())),
    };
    Ok(Value::Chunk(Arc::new(c)))
}
