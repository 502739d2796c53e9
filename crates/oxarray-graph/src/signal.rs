//! Signal ops in the graph: the 1-d correlation behind `convolve`/`correlate` (one task per output
//! block, reading only the signal blocks its window overlaps plus the one-block kernel) and
//! `interp` (one task per block of `x`, reading the one-block sample points and values).

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult, Scalar};
use oxarray_kernels::signal::{self as kernels, CorrelateBlock};
use std::sync::Arc;

#[derive(Debug)]
pub enum SignalOp {
    /// `c[j] = sum_i xpad[j - n_left + i] * y[i]`: `x` 1-d (any chunks), `y` one block, same dtype.
    Correlate {
        x: NodeRef,
        y: NodeRef,
        n_left: usize,
    },
    /// `np.interp(x, xp, fp, left, right)`: `x` float64, `xp` float64 and `fp` one block each.
    Interp {
        x: NodeRef,
        xp: NodeRef,
        fp: NodeRef,
        left: Option<Scalar>,
        right: Option<Scalar>,
    },
}

impl SignalOp {
    pub fn inputs(&self) -> Vec<&NodeRef> {
        match self {
            SignalOp::Correlate { x, y, .. } => vec![x, y],
            SignalOp::Interp { x, xp, fp, .. } => vec![x, xp, fp],
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            SignalOp::Correlate { .. } => "correlate",
            SignalOp::Interp { .. } => "interp",
        }
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum SignalTask {
    /// deps: the overlapping blocks of x (at `offsets`), then y.
    Correlate {
        at: CorrelateBlock,
        offsets: Vec<usize>,
    },
    /// deps: the block of x, xp, fp.
    Interp {
        left: Option<Scalar>,
        right: Option<Scalar>,
    },
}

impl SignalTask {
    pub fn label(&self) -> &'static str {
        match self {
            SignalTask::Correlate { .. } => "correlate",
            SignalTask::Interp { .. } => "interp",
        }
    }
}

fn one_block(n: &NodeRef, what: &str) -> OxResult<()> {
    if n.grid.nblocks() != 1 || n.ndim() != 1 {
        return Err(OxError::Internal(format!("{what} must be 1-d, one block")));
    }
    Ok(())
}

/// The correlation of the 1-d `x` with the one-block `y` (same dtype): `length` outputs starting
/// at lag `-n_left`, cut in blocks of `chunks`.
pub fn correlate(
    x: &NodeRef,
    y: &NodeRef,
    n_left: usize,
    length: usize,
    chunks: Vec<usize>,
) -> OxResult<NodeRef> {
    one_block(y, "the correlation kernel")?;
    if x.ndim() != 1 || x.dtype != y.dtype {
        return Err(OxError::Internal(
            "correlate: x must be 1-d of y's dtype".into(),
        ));
    }
    let shape = vec![length];
    let grid = ChunkGrid::new(&shape, vec![chunks])?;
    let op = SignalOp::Correlate {
        x: Arc::clone(x),
        y: Arc::clone(y),
        n_left,
    };
    Ok(Node::new(shape, x.dtype, grid, NodeKind::Signal(op)))
}

/// `np.interp` of float64 `x` (any shape and chunks) at float64 `xp` with values `fp`.
pub fn interp(
    x: &NodeRef,
    xp: &NodeRef,
    fp: &NodeRef,
    left: Option<Scalar>,
    right: Option<Scalar>,
) -> OxResult<NodeRef> {
    one_block(xp, "interp's xp")?;
    one_block(fp, "interp's fp")?;
    if x.dtype != DType::Float64 || xp.dtype != DType::Float64 {
        return Err(OxError::Internal("interp: x and xp must be float64".into()));
    }
    if !matches!(fp.dtype, DType::Float64 | DType::Complex128) {
        return Err(OxError::Internal(
            "interp: fp must be float64 or complex128".into(),
        ));
    }
    if xp.shape != fp.shape || xp.shape[0] == 0 {
        return Err(OxError::Internal("interp: xp and fp must match".into()));
    }
    let op = SignalOp::Interp {
        x: Arc::clone(x),
        xp: Arc::clone(xp),
        fp: Arc::clone(fp),
        left,
        right,
    };
    Ok(Node::new(
        x.shape.clone(),
        fp.dtype,
        x.grid.clone(),
        NodeKind::Signal(op),
    ))
}

fn push(
    lw: &mut Lowering,
    kind: SignalTask,
    deps: Vec<TaskId>,
    node: &Node,
    idx: &[usize],
) -> TaskId {
    lw.graph.push(Task {
        kind: TaskKind::Signal(kind),
        deps,
        shape: node.grid.block_shape(idx).into(),
        dtype: node.dtype,
    })
}

/// The tasks of a signal node (C order of its grid).
pub(crate) fn lower(lw: &mut Lowering, node: &Node, op: &SignalOp) -> OxResult<Vec<TaskId>> {
    let mut out = Vec::with_capacity(node.grid.nblocks());
    match op {
        SignalOp::Correlate { x, y, n_left } => {
            let xs = lw.input(x)?.clone();
            let yt = lw.input(y)?[0];
            let n = x.shape[0];
            let m = y.shape[0];
            let bounds = x.grid.axis_bounds(0).to_vec();
            for idx in node.grid.block_indices() {
                let start = node.grid.block_offset(&idx)[0];
                let len = node.grid.block_shape(&idx)[0];
                // The window [lo, hi) of x this block reads.
                let lo = start as i64 - *n_left as i64;
                let hi = lo + (len + m) as i64 - 1;
                let mut deps = Vec::new();
                let mut offsets = Vec::new();
                if len > 0 {
                    // The first block ending past lo, then every block starting before hi.
                    let first = bounds[1..].partition_point(|&e| (e as i64) <= lo);
                    for b in first..xs.len() {
                        let (b0, b1) = (bounds[b] as i64, bounds[b + 1] as i64);
                        if b0 >= hi {
                            break;
                        }
                        if b0 < b1 {
                            deps.push(xs[b]);
                            offsets.push(bounds[b]);
                        }
                    }
                }
                deps.push(yt);
                let at = CorrelateBlock {
                    n,
                    n_left: *n_left,
                    start,
                    len,
                };
                out.push(push(
                    lw,
                    SignalTask::Correlate { at, offsets },
                    deps,
                    node,
                    &idx,
                ));
            }
        }
        SignalOp::Interp {
            x,
            xp,
            fp,
            left,
            right,
        } => {
            let xs = lw.input(x)?.clone();
            let (tp, tf) = (lw.input(xp)?[0], lw.input(fp)?[0]);
            for (lin, idx) in node.grid.block_indices().enumerate() {
                let task = SignalTask::Interp {
                    left: *left,
                    right: *right,
                };
                out.push(push(lw, task, vec![xs[lin], tp, tf], node, &idx));
            }
        }
    }
    Ok(out)
}

fn chunk(v: &Value) -> OxResult<&Chunk> {
    match v {
        Value::Chunk(c) => Ok(c),
        _ => Err(OxError::Internal("signal task: expected a chunk".into())),
    }
}

/// Runs one signal task on its dependencies' values.
pub fn run(t: &SignalTask, deps: &[&Value]) -> OxResult<Value> {
    let cs = deps
        .iter()
        .map(|v| chunk(v))
        .collect::<OxResult<Vec<&Chunk>>>()?;
    let c = match t {
        SignalTask::Correlate { at, offsets } => {
            let (y, xs) = cs
                .split_last()
                .ok_or_else(|| OxError::Internal("correlate: no kernel".into()))?;
            let pieces: Vec<(usize, &Chunk)> =
                offsets.iter().copied().zip(xs.iter().copied()).collect();
            kernels::correlate_block(&pieces, y, *at)?
        }
        SignalTask::Interp { left, right } => match cs.as_slice() {
            [x, xp, fp] => kernels::interp_block(x, xp, fp, *left, *right)?,
            _ => return Err(OxError::Internal("interp: three inputs".into())),
        },
    };
    Ok(Value::Chunk(Arc::new(c)))
}
