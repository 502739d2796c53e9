//! Scans in the graph: `ufunc.accumulate` (`cumsum`, `cumprod`, ...), `ufunc.reduce` of any
//! binary op along one axis, and `ufunc.reduceat` — the node (`NodeKind::Scan`) and its lowering.
//!
//! A chunked axis is never gathered. For an associative op (`reorder`), each chunk but the last
//! is folded to one row (its total, in parallel), the totals are carried from chunk to chunk by
//! small tasks, and each chunk is scanned starting from its carry-in: the offset is fused into the
//! scan, so the data is read twice and written once. Any other op (`subtract`, `power`, ...) is
//! inherently sequential along the axis: chunk `b` is scanned from the last row of chunk `b - 1`'s
//! result (still parallel across the other axes' blocks). A fold is the same without the scan;
//! reduceat folds each output block's segments from the input blocks they cover.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::fperr::{FpCheck, FpMode};
use crate::lower::Lowering;
use crate::program::RawDest;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::ops::BinaryOp;
use oxarray_core::shape::normalize_axis;
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use oxarray_kernels::elementwise::binary_output_dtype;
use oxarray_kernels::scan as kernels;
use std::sync::Arc;

/// What a scan node computes.
#[derive(Clone, Debug, PartialEq)]
pub enum ScanOp {
    /// `op.accumulate(x, axis)`: the input's shape and chunks.
    Accumulate { op: BinaryOp, axis: usize },
    /// `op.reduce(x, axis)` over one axis: the input's shape without `axis`.
    Fold { op: BinaryOp, axis: usize },
    /// `op.reduceat(x, indices, axis)`: row `k` folds the half-open range `segs[k]` of the axis
    /// (never empty: NumPy's rule for `indices[k] >= indices[k + 1]` is applied by the caller).
    Segments {
        op: BinaryOp,
        axis: usize,
        segs: Arc<Vec<(usize, usize)>>,
    },
}

impl ScanOp {
    pub fn label(&self) -> String {
        match self {
            ScanOp::Accumulate { op, .. } => format!("{}.accumulate", op.name()),
            ScanOp::Fold { op, .. } => format!("{}.reduce", op.name()),
            ScanOp::Segments { op, .. } => format!("{}.reduceat", op.name()),
        }
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum ScanTask {
    /// Scan deps[0] along `axis`, after the last row of deps[1] when there is one.
    Scan { op: BinaryOp, axis: usize },
    /// Fold the deps in order along `axis` into one row (then shaped as the task's block).
    Fold {
        op: BinaryOp,
        axis: usize,
        reorder: bool,
    },
    /// Rows `range` of the segments, from deps cut at `offsets` along `axis`.
    Segments {
        op: BinaryOp,
        axis: usize,
        segs: Arc<Vec<(usize, usize)>>,
        range: (usize, usize),
        offsets: Vec<usize>,
    },
}

impl ScanTask {
    pub fn label(&self) -> &'static str {
        match self {
            ScanTask::Scan { .. } => "scan",
            ScanTask::Fold { .. } => "scan-fold",
            ScanTask::Segments { .. } => "reduceat",
        }
    }
}

/// Ops whose folds may be regrouped: chunk totals are computed in parallel and carried (floats
/// then round as a pairwise sum would, as Dask's and NumPy's own reductions do).
pub fn reorderable(op: BinaryOp) -> bool {
    use BinaryOp::*;
    matches!(
        op,
        Add | Multiply
            | Maximum
            | Minimum
            | Fmax
            | Fmin
            | LogicalAnd
            | LogicalOr
            | LogicalXor
            | BitwiseAnd
            | BitwiseOr
            | BitwiseXor
            | Gcd
    )
}

fn check_loop(op: BinaryOp, dtype: DType) -> OxResult<()> {
    let out = binary_output_dtype(op, dtype)?;
    if out != dtype {
        return Err(OxError::DTypeNotSupported(format!(
            "ufunc '{}' on {dtype} gives {out}, so it cannot be accumulated in {dtype}",
            op.name()
        )));
    }
    Ok(())
}

fn op_of(name: &str) -> OxResult<BinaryOp> {
    BinaryOp::from_name(name)
        .ok_or_else(|| OxError::Value(format!("'{name}' is not a binary ufunc of oxarray")))
}

/// `np.<op>.accumulate(x, axis)` in `x`'s dtype (the caller casts to NumPy's loop first).
/// `np.<op>.accumulate(x, axis)`; `fp`: the np.errstate of the call.
pub fn accumulate(x: &NodeRef, op: &str, axis: i64, fp: FpMode) -> OxResult<NodeRef> {
    let op = op_of(op)?;
    let axis = normalize_axis(axis, x.ndim())?;
    check_loop(op, x.dtype)?;
    Ok(Node::new(
        x.shape.clone(),
        x.dtype,
        x.grid.clone(),
        NodeKind::Scan {
            x: Arc::clone(x),
            op: ScanOp::Accumulate { op, axis },
            fp,
        },
    ))
}

/// `np.<op>.reduce(x, axis)` over one axis, in `x`'s dtype; the axis must not be empty (the
/// caller substitutes the identity, or raises NumPy's error, first).
pub fn fold(x: &NodeRef, op: &str, axis: i64, fp: FpMode) -> OxResult<NodeRef> {
    let op = op_of(op)?;
    let axis = normalize_axis(axis, x.ndim())?;
    check_loop(op, x.dtype)?;
    if x.shape[axis] == 0 {
        return Err(OxError::Value(format!(
            "zero-size array to reduction operation {} which has no identity",
            op.name()
        )));
    }
    let mut shape = x.shape.clone();
    shape.remove(axis);
    let mut chunks = x.grid.chunks().to_vec();
    chunks.remove(axis);
    let grid = ChunkGrid::new(&shape, chunks)?;
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Scan {
            x: Arc::clone(x),
            op: ScanOp::Fold { op, axis },
            fp,
        },
    ))
}

/// `np.<op>.reduceat(x, indices, axis)` with the segments already resolved (`segs[k]` is the
/// non-empty range `start..end` of the axis folded into row `k`).
pub fn reduceat(
    x: &NodeRef,
    op: &str,
    axis: i64,
    segs: Vec<(usize, usize)>,
    fp: FpMode,
) -> OxResult<NodeRef> {
    let op = op_of(op)?;
    let axis = normalize_axis(axis, x.ndim())?;
    check_loop(op, x.dtype)?;
    let n = x.shape[axis];
    if let Some(&(s, e)) = segs.iter().find(|&&(s, e)| s >= e || e > n) {
        return Err(OxError::Index(format!(
            "segment {s}..{e} out of bounds in {}.reduceat [0, {n})",
            op.name()
        )));
    }
    let mut shape = x.shape.clone();
    shape[axis] = segs.len();
    let mut chunks = x.grid.chunks().to_vec();
    chunks[axis] = segment_chunks(
        &segs,
        x.grid.chunks()[axis].iter().copied().max().unwrap_or(1),
    );
    let grid = ChunkGrid::new(&shape, chunks)?;
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Scan {
            x: Arc::clone(x),
            op: ScanOp::Segments {
                op,
                axis,
                segs: Arc::new(segs),
            },
            fp,
        },
    ))
}

/// Output chunks of a reduceat along its axis: at most `target` segments per block, and a
/// block closed once its segments span a few input chunks' worth of rows.
fn segment_chunks(segs: &[(usize, usize)], target: usize) -> Vec<usize> {
    let target = target.max(1);
    let mut out = Vec::new();
    let (mut count, mut span) = (0usize, 0usize);
    for &(s, e) in segs {
        if count > 0 && (count == target || span + (e - s) > 4 * target) {
            out.push(count);
            (count, span) = (0, 0);
        }
        count += 1;
        span += e - s;
    }
    if count > 0 || out.is_empty() {
        out.push(count);
    }
    out
}

fn push_task(
    lw: &mut Lowering,
    (kind, check): (ScanTask, Option<Arc<FpCheck>>),
    deps: Vec<TaskId>,
    shape: Vec<usize>,
    dtype: DType,
) -> TaskId {
    lw.graph.push(Task {
        kind: TaskKind::Scan(kind, check),
        deps,
        shape: shape.into(),
        dtype,
    })
}

/// The blocks of `grid` along `axis` through the block `start` (whose `axis` index is ignored).
pub(crate) fn column(grid: &ChunkGrid, start: &[usize], axis: usize) -> Vec<usize> {
    (0..grid.numblocks()[axis])
        .map(|b| {
            let mut i = start.to_vec();
            i[axis] = b;
            grid.linear(&i)
        })
        .collect()
}

/// The tasks of every block of a scan node (C order of its grid).
pub(crate) fn lower(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    op: &ScanOp,
    fp: FpMode,
) -> OxResult<Vec<TaskId>> {
    let check = FpCheck::new(node.id, fp).map(Arc::new);
    let push = |lw: &mut Lowering, kind, deps, shape, dtype| {
        push_task(lw, (kind, check.clone()), deps, shape, dtype)
    };
    let inputs = lw.input(x)?.clone();
    let grid = &x.grid;
    let mut out = vec![0; node.grid.nblocks()];
    let dtype = node.dtype;
    match op {
        ScanOp::Accumulate { op, axis } => {
            let (op, axis) = (*op, *axis);
            for start in grid.block_indices().filter(|i| i[axis] == 0) {
                let col = column(grid, &start, axis);
                // `carry`: the task whose last row is the fold of every block before this one.
                let mut carry: Option<TaskId> = None;
                for (b, &lin) in col.iter().enumerate() {
                    let shape = grid.block_shape(&grid.unravel(lin));
                    let deps: Vec<TaskId> = std::iter::once(inputs[lin]).chain(carry).collect();
                    out[lin] = push(lw, ScanTask::Scan { op, axis }, deps, shape.clone(), dtype);
                    if b + 1 == col.len() {
                        break;
                    }
                    carry = Some(if reorderable(op) {
                        let mut row = shape;
                        row[axis] = 1;
                        let kind = ScanTask::Fold {
                            op,
                            axis,
                            reorder: true,
                        };
                        let total = push(lw, kind.clone(), vec![inputs[lin]], row.clone(), dtype);
                        match carry {
                            None => total,
                            Some(c) => push(lw, kind, vec![c, total], row, dtype),
                        }
                    } else {
                        out[lin]
                    });
                }
            }
        }
        ScanOp::Fold { op, axis } => {
            let (op, axis) = (*op, *axis);
            let reorder = reorderable(op);
            for start in grid.block_indices().filter(|i| i[axis] == 0) {
                let col = column(grid, &start, axis);
                let mut row = grid.block_shape(&start);
                row[axis] = 1;
                let mut out_idx = start.clone();
                out_idx.remove(axis);
                let final_shape = node.grid.block_shape(&out_idx);
                let kind = ScanTask::Fold { op, axis, reorder };
                let last = if reorder {
                    // Totals per block in parallel, then folded in order, 32 at a time.
                    let mut level: Vec<TaskId> = if col.len() == 1 {
                        vec![inputs[col[0]]]
                    } else {
                        col.iter()
                            .map(|&lin| {
                                push(lw, kind.clone(), vec![inputs[lin]], row.clone(), dtype)
                            })
                            .collect()
                    };
                    while level.len() > 32 {
                        level = level
                            .chunks(32)
                            .map(|g| push(lw, kind.clone(), g.to_vec(), row.clone(), dtype))
                            .collect();
                    }
                    level
                } else {
                    // Sequential: each block folded after the carried total of those before it.
                    let mut carry: Option<TaskId> = None;
                    for &lin in &col[..col.len() - 1] {
                        let deps = carry.into_iter().chain([inputs[lin]]).collect();
                        carry = Some(push(lw, kind.clone(), deps, row.clone(), dtype));
                    }
                    carry
                        .into_iter()
                        .chain([inputs[col[col.len() - 1]]])
                        .collect()
                };
                out[node.grid.linear(&out_idx)] = push(lw, kind, last, final_shape, dtype);
            }
        }
        ScanOp::Segments { op, axis, segs } => {
            let (op, axis) = (*op, *axis);
            let bounds = grid.axis_bounds(axis);
            let out_bounds = node.grid.axis_bounds(axis);
            for idx in node.grid.block_indices() {
                let (lo, hi) = (out_bounds[idx[axis]], out_bounds[idx[axis] + 1]);
                // The input blocks the segments of this output block touch, in order.
                let mut touched = vec![false; bounds.len() - 1];
                for &(s, e) in &segs[lo..hi] {
                    let first = bounds.partition_point(|&b| b <= s) - 1;
                    let last = bounds.partition_point(|&b| b < e) - 1;
                    touched[first..=last].iter_mut().for_each(|t| *t = true);
                }
                let mut deps = Vec::new();
                let mut offsets = Vec::new();
                for (b, _) in touched.iter().enumerate().filter(|(_, &t)| t) {
                    let mut i = idx.clone();
                    i[axis] = b;
                    deps.push(inputs[grid.linear(&i)]);
                    offsets.push(bounds[b]);
                }
                let kind = ScanTask::Segments {
                    op,
                    axis,
                    segs: Arc::clone(segs),
                    range: (lo, hi),
                    offsets,
                };
                out[node.grid.linear(&idx)] =
                    push(lw, kind, deps, node.grid.block_shape(&idx), dtype);
            }
        }
    }
    Ok(out)
}

/// Runs one scan task; a scanned output block is written straight into `dest` when given.
pub(crate) fn run(
    t: &ScanTask,
    deps: &[&Chunk],
    task: &Task,
    dest: Option<RawDest>,
) -> OxResult<Value> {
    if let (ScanTask::Scan { op, axis }, Some(d)) = (t, dest) {
        let x = deps
            .first()
            .ok_or_else(|| OxError::Internal("scan: no input".into()))?;
        // SAFETY: the result assembly hands each output block its own live region.
        unsafe { kernels::scan_into(*op, x, *axis, deps.get(1).copied(), d.ptr, d.len, d.dtype)? };
        return Ok(Value::Written);
    }
    Ok(Value::Chunk(Arc::new(run_chunk(
        t,
        deps,
        &task.shape,
        task.dtype,
    )?)))
}

fn run_chunk(t: &ScanTask, deps: &[&Chunk], shape: &[usize], dtype: DType) -> OxResult<Chunk> {
    match t {
        ScanTask::Scan { op, axis } => {
            let x = deps
                .first()
                .ok_or_else(|| OxError::Internal("scan: no input".into()))?;
            kernels::scan_chunk(*op, x, *axis, deps.get(1).copied())
        }
        ScanTask::Fold { op, axis, reorder } => {
            let row = kernels::fold_chunks(*op, deps, *axis, *reorder)?;
            if row.shape() == shape {
                Ok(row)
            } else if row.len() == shape.iter().product::<usize>() {
                Ok(row.into_shape(shape))
            } else {
                Err(OxError::Internal(
                    "fold: result does not fit its block".into(),
                ))
            }
        }
        ScanTask::Segments {
            op,
            axis,
            segs,
            range,
            offsets,
        } => {
            let segs = segs
                .get(range.0..range.1)
                .ok_or_else(|| OxError::Internal("reduceat: no such segments".into()))?;
            kernels::fold_segments(*op, deps, offsets, *axis, segs, shape, dtype)
        }
    }
}
