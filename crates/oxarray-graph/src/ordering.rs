//! Searches and selections over NumPy's order that read several inputs (`NodeKind::Ordering`):
//! `np.searchsorted` against a sorted `a` in any number of chunks, a gather along an axis by
//! lazy indices (`take_along_axis` of a computed permutation: lexsort, weighted quantiles, topk
//! values), and `topk` (selection per chunk, then one merge of the candidates).
//!
//! Every task allocates one output block. A search or gather task reads the blocks of its input
//! along the searched axis as they are (shared, never concatenated).

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::scan::column;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::shape::normalize_axis;
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use oxarray_kernels::sort::{search, topk};
use std::sync::Arc;

#[derive(Debug)]
pub enum OrderingOp {
    /// `np.searchsorted(a, v, side)`: `a` 1-d and sorted, `v` of the same dtype; int64 of `v`'s
    /// shape and chunks.
    SearchSorted { a: NodeRef, v: NodeRef, right: bool },
    /// `take_along_axis(x, idx, axis)` with lazy int64 `idx` (chunked as `x` off the axis).
    TakeAlong {
        x: NodeRef,
        idx: NodeRef,
        axis: usize,
    },
    /// The int64 positions of the `k` largest (or smallest) of every lane along `axis`, best
    /// first, ties to the lower position.
    TopK {
        x: NodeRef,
        axis: usize,
        k: usize,
        largest: bool,
    },
}

impl OrderingOp {
    pub fn inputs(&self) -> Vec<&NodeRef> {
        match self {
            OrderingOp::SearchSorted { a, v, .. } => vec![a, v],
            OrderingOp::TakeAlong { x, idx, .. } => vec![x, idx],
            OrderingOp::TopK { x, .. } => vec![x],
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            OrderingOp::SearchSorted { .. } => "searchsorted",
            OrderingOp::TakeAlong { .. } => "take_along_axis",
            OrderingOp::TopK { .. } => "topk",
        }
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum OrderingTask {
    /// deps: the block of `v`, then every chunk of `a` in order.
    Search { right: bool },
    /// deps: the block of indices, then the blocks of `x` along `axis` in order.
    TakeAlong { axis: usize },
    /// deps: one block; parts: the best values and their positions plus `offset`.
    TopKChunk {
        axis: usize,
        k: usize,
        largest: bool,
        offset: usize,
    },
    /// deps: one block whose axis is whole; the positions.
    TopKLanes {
        axis: usize,
        k: usize,
        largest: bool,
    },
    /// deps: the `TopKChunk` tasks of one column of blocks.
    TopKMerge {
        axis: usize,
        k: usize,
        largest: bool,
    },
}

impl OrderingTask {
    pub fn label(&self) -> &'static str {
        match self {
            OrderingTask::Search { .. } => "searchsorted",
            OrderingTask::TakeAlong { .. } => "take_along_axis",
            OrderingTask::TopKChunk { .. } => "topk-chunk",
            OrderingTask::TopKLanes { .. } => "topk",
            OrderingTask::TopKMerge { .. } => "topk-merge",
        }
    }
}

/// `np.searchsorted(a, v, side="right" if right else "left")`; `a` 1-d, both of one dtype.
pub fn searchsorted(a: &NodeRef, v: &NodeRef, right: bool) -> OxResult<NodeRef> {
    if a.ndim() != 1 {
        return Err(OxError::Value("object too deep for desired array".into()));
    }
    if a.dtype != v.dtype {
        return Err(OxError::Internal(
            "searchsorted: a and v of two dtypes".into(),
        ));
    }
    let op = OrderingOp::SearchSorted {
        a: Arc::clone(a),
        v: Arc::clone(v),
        right,
    };
    Ok(Node::new(
        v.shape.clone(),
        DType::Int64,
        v.grid.clone(),
        NodeKind::Ordering(op),
    ))
}

/// `take_along_axis(x, idx, axis)` for lazy int64 `idx` of `x`'s shape off the axis, chunked
/// as `x` there (its chunks along the axis are free); the result has `idx`'s shape and chunks.
pub fn take_along(x: &NodeRef, idx: &NodeRef, axis: i64) -> OxResult<NodeRef> {
    let axis = normalize_axis(axis, x.ndim())?;
    if idx.dtype != DType::Int64 || idx.ndim() != x.ndim() {
        return Err(OxError::Internal(
            "take_along: int64 indices of x's rank".into(),
        ));
    }
    for d in 0..x.ndim() {
        if d != axis && (idx.shape[d] != x.shape[d] || idx.grid.chunks()[d] != x.grid.chunks()[d]) {
            return Err(OxError::Internal(
                "take_along: indices must line up with x off the axis".into(),
            ));
        }
    }
    if x.shape[axis] == 0 && idx.size() > 0 {
        return Err(OxError::Index(
            "cannot do a non-empty take from an empty axes.".into(),
        ));
    }
    let op = OrderingOp::TakeAlong {
        x: Arc::clone(x),
        idx: Arc::clone(idx),
        axis,
    };
    Ok(Node::new(
        idx.shape.clone(),
        x.dtype,
        idx.grid.clone(),
        NodeKind::Ordering(op),
    ))
}

/// The int64 positions of the `k` largest (`largest`) or smallest elements of every lane of `x`
/// along `axis`, best first; the axis becomes `k` long (one chunk).
pub fn topk(x: &NodeRef, axis: i64, k: usize, largest: bool) -> OxResult<NodeRef> {
    let axis = normalize_axis(axis, x.ndim())?;
    if k > x.shape[axis] {
        return Err(OxError::Value(format!(
            "k(={k}) out of bounds ({})",
            x.shape[axis]
        )));
    }
    let mut shape = x.shape.clone();
    shape[axis] = k;
    let mut chunks = x.grid.chunks().to_vec();
    chunks[axis] = vec![k];
    let grid = ChunkGrid::new(&shape, chunks)?;
    let op = OrderingOp::TopK {
        x: Arc::clone(x),
        axis,
        k,
        largest,
    };
    Ok(Node::new(shape, DType::Int64, grid, NodeKind::Ordering(op)))
}

fn push(
    lw: &mut Lowering,
    kind: OrderingTask,
    deps: Vec<TaskId>,
    shape: Vec<usize>,
    dtype: DType,
) -> TaskId {
    lw.graph.push(Task {
        kind: TaskKind::Ordering(kind),
        deps,
        shape: shape.into(),
        dtype,
    })
}

/// The tasks of every block of an ordering node (C order of its grid).
pub(crate) fn lower(lw: &mut Lowering, node: &Node, op: &OrderingOp) -> OxResult<Vec<TaskId>> {
    let grid = &node.grid;
    let mut out = Vec::with_capacity(grid.nblocks());
    match op {
        OrderingOp::SearchSorted { a, v, right } => {
            let a_tasks = lw.input(a)?.clone();
            let v_tasks = lw.input(v)?.clone();
            for (lin, idx) in grid.block_indices().enumerate() {
                let mut deps = vec![v_tasks[lin]];
                deps.extend(&a_tasks);
                let kind = OrderingTask::Search { right: *right };
                out.push(push(lw, kind, deps, grid.block_shape(&idx), node.dtype));
            }
        }
        OrderingOp::TakeAlong { x, idx, axis } => {
            let x_tasks = lw.input(x)?.clone();
            let i_tasks = lw.input(idx)?.clone();
            for (lin, bi) in grid.block_indices().enumerate() {
                let mut deps = vec![i_tasks[lin]];
                deps.extend(
                    column(&x.grid, &bi_on(&bi, *axis), *axis)
                        .iter()
                        .map(|&l| x_tasks[l]),
                );
                let kind = OrderingTask::TakeAlong { axis: *axis };
                out.push(push(lw, kind, deps, grid.block_shape(&bi), node.dtype));
            }
        }
        OrderingOp::TopK {
            x,
            axis,
            k,
            largest,
        } => {
            let (axis, k, largest) = (*axis, *k, *largest);
            let x_tasks = lw.input(x)?.clone();
            let xg = &x.grid;
            let bounds = xg.axis_bounds(axis).to_vec();
            out = vec![0; grid.nblocks()];
            for start in xg.block_indices().filter(|i| i[axis] == 0) {
                let col = column(xg, &start, axis);
                let mut oshape = xg.block_shape(&start);
                oshape[axis] = k;
                let target = grid.linear(&start);
                if col.len() == 1 {
                    let kind = OrderingTask::TopKLanes { axis, k, largest };
                    out[target] = push(lw, kind, vec![x_tasks[col[0]]], oshape, DType::Int64);
                    continue;
                }
                let locals = col
                    .iter()
                    .enumerate()
                    .map(|(b, &lin)| {
                        let kind = OrderingTask::TopKChunk {
                            axis,
                            k,
                            largest,
                            offset: bounds[b],
                        };
                        let mut shape = xg.block_shape(&xg.unravel(lin));
                        shape[axis] = shape[axis].min(k);
                        push(lw, kind, vec![x_tasks[lin]], shape, x.dtype)
                    })
                    .collect();
                let kind = OrderingTask::TopKMerge { axis, k, largest };
                out[target] = push(lw, kind, locals, oshape, DType::Int64);
            }
        }
    }
    Ok(out)
}

/// A block index with its position on `axis` reset (the start of its column).
fn bi_on(bi: &[usize], axis: usize) -> Vec<usize> {
    let mut i = bi.to_vec();
    i[axis] = 0;
    i
}

fn chunk(v: &Value) -> OxResult<&Chunk> {
    match v {
        Value::Chunk(c) => Ok(c),
        _ => Err(OxError::Internal("ordering: expected a chunk".into())),
    }
}

/// Runs one ordering task.
pub(crate) fn run(t: &OrderingTask, deps: &[&Value]) -> OxResult<Value> {
    let (first, rest) = deps
        .split_first()
        .ok_or_else(|| OxError::Internal("ordering: no input".into()))?;
    let c = match t {
        OrderingTask::Search { right } => {
            let a = rest
                .iter()
                .map(|d| chunk(d))
                .collect::<OxResult<Vec<_>>>()?;
            search::searchsorted_chunk(&a, chunk(first)?, *right)?
        }
        OrderingTask::TakeAlong { axis } => {
            let x = rest
                .iter()
                .map(|d| chunk(d))
                .collect::<OxResult<Vec<_>>>()?;
            search::take_along_chunk(&x, chunk(first)?, *axis)?
        }
        OrderingTask::TopKChunk {
            axis,
            k,
            largest,
            offset,
        } => {
            let (v, i) = topk::topk_chunk(chunk(first)?, *axis, *k, *largest, *offset as i64)?;
            return Ok(Value::Parts(vec![Arc::new(v), Arc::new(i)]));
        }
        OrderingTask::TopKLanes { axis, k, largest } => {
            topk::topk_chunk(chunk(first)?, *axis, *k, *largest, 0)?.1
        }
        OrderingTask::TopKMerge { axis, k, largest } => {
            let locals = deps
                .iter()
                .map(|d| match d {
                    Value::Parts(p) if p.len() == 2 => Ok((&*p[0], &*p[1])),
                    _ => Err(OxError::Internal("topk merge: expected candidates".into())),
                })
                .collect::<OxResult<Vec<_>>>()?;
            topk::topk_merge(&locals, *axis, *k, *largest)?
        }
    };
    Ok(Value::Chunk(Arc::new(c)))
}
