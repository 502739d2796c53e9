//! Sets, counting and binning in the graph: the size pass of `unique` (distinct values found per
//! chunk and merged in a tree, run at the call because their number fixes the result's shape)
//! and two lazy node kinds: a per-block lookup in a small table (`unique`'s inverse, `isin`,
//! `digitize`, histogram bins) and a tally per code reduced in a tree (`bincount`, histogram
//! counts, `unique`'s counts and first indices).

use crate::expr::{Node, NodeKind, NodeRef};
use crate::fperr::FpLog;
use crate::lower::Lowering;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use oxarray_kernels::histogram as hist;
pub use oxarray_kernels::histogram::TallyOp;
use oxarray_kernels::sets as kernels;
pub use oxarray_kernels::sets::LookupMode;
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// Partials merged per tree level.
const SPLIT_EVERY: usize = 8;

/// How each element of `x` is looked up in `table`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LookupKind {
    Set(LookupMode),
    /// Histogram bin among ascending edges (-1 outside).
    Bin,
}

#[derive(Debug)]
pub enum SetsOp {
    /// Per block of `x`: a lookup in `table` (one block). `rows`: `x` is `(n, m)` cut in bands of
    /// whole rows and each row is one item.
    Lookup {
        x: NodeRef,
        table: NodeRef,
        kind: LookupKind,
        rows: bool,
    },
    /// A tally of the 1-d int64 `codes` (with float64 `weights` for sums) into `length` slots.
    Tally {
        codes: NodeRef,
        weights: Option<NodeRef>,
        op: TallyOp,
    },
}

impl SetsOp {
    pub fn inputs(&self) -> Vec<&NodeRef> {
        match self {
            SetsOp::Lookup { x, table, .. } => vec![x, table],
            SetsOp::Tally { codes, weights, .. } => std::iter::once(codes).chain(weights).collect(),
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            SetsOp::Lookup {
                kind: LookupKind::Bin,
                ..
            } => "histogram-bin",
            SetsOp::Lookup { .. } => "set-lookup",
            SetsOp::Tally { .. } => "tally",
        }
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum SetsTask {
    /// Sorted distinct values (or rows of `row_width`) of all deps.
    Distinct {
        row_width: Option<usize>,
        equal_nan: bool,
    },
    /// deps: the block of `x`, the table.
    Lookup {
        kind: LookupKind,
        rows: bool,
    },
    /// deps: the block of codes (and of weights); `offset`: the block's flat start.
    Tally {
        op: TallyOp,
        length: usize,
        offset: usize,
    },
    Combine {
        op: TallyOp,
    },
}

impl SetsTask {
    pub fn label(&self) -> &'static str {
        match self {
            SetsTask::Distinct { .. } => "distinct",
            SetsTask::Lookup { .. } => "set-lookup",
            SetsTask::Tally { .. } => "tally",
            SetsTask::Combine { .. } => "tally-combine",
        }
    }
}

fn one_block(n: &NodeRef, what: &str) -> OxResult<()> {
    if n.grid.nblocks() != 1 {
        return Err(OxError::Internal(format!("{what} must be one block")));
    }
    Ok(())
}

fn check_rows(x: &NodeRef, table: &NodeRef) -> OxResult<usize> {
    if x.ndim() != 2 || table.ndim() != 2 || x.shape[1] != table.shape[1] {
        return Err(OxError::Internal(
            "row lookup: (n, m) against (k, m)".into(),
        ));
    }
    if x.grid.chunks()[1].len() != 1 {
        return Err(OxError::Internal("row lookup: rows must be whole".into()));
    }
    Ok(x.shape[1])
}

/// `x` looked up per element (or per row) in `table` (same dtype, one block).
pub fn lookup(x: &NodeRef, table: &NodeRef, kind: LookupKind, rows: bool) -> OxResult<NodeRef> {
    one_block(table, "lookup table")?;
    if x.dtype != table.dtype {
        return Err(OxError::Internal("lookup: table of another dtype".into()));
    }
    if kind == LookupKind::Bin && (x.dtype.is_complex() || rows) {
        return Err(OxError::DTypeNotSupported(
            "histogram bins of complex values".into(),
        ));
    }
    let dtype = match kind {
        LookupKind::Set(m) => kernels::lookup_dtype(m),
        LookupKind::Bin => DType::Int64,
    };
    let (shape, grid) = if rows {
        check_rows(x, table)?;
        let shape = vec![x.shape[0]];
        let grid = ChunkGrid::new(&shape, vec![x.grid.chunks()[0].clone()])?;
        (shape, grid)
    } else {
        (x.shape.clone(), x.grid.clone())
    };
    let op = SetsOp::Lookup {
        x: Arc::clone(x),
        table: Arc::clone(table),
        kind,
        rows,
    };
    Ok(Node::new(shape, dtype, grid, NodeKind::Sets(op)))
}

/// A tally of the 1-d int64 `codes` into `length` slots (one block).
pub fn tally(
    codes: &NodeRef,
    weights: Option<&NodeRef>,
    op: TallyOp,
    length: usize,
) -> OxResult<NodeRef> {
    if codes.ndim() != 1 || codes.dtype != DType::Int64 {
        return Err(OxError::Internal("tally: codes must be 1-d int64".into()));
    }
    if (op == TallyOp::Sum) != weights.is_some() {
        return Err(OxError::Internal("tally: weights go with sums".into()));
    }
    if let Some(w) = weights {
        if w.dtype != DType::Float64 || w.shape != codes.shape || w.grid != codes.grid {
            return Err(OxError::Internal(
                "tally: weights must match the codes".into(),
            ));
        }
    }
    let shape = vec![length];
    let grid = ChunkGrid::new(&shape, vec![vec![length]])?;
    let op = SetsOp::Tally {
        codes: Arc::clone(codes),
        weights: weights.cloned(),
        op,
    };
    Ok(Node::new(shape, op_dtype(&op), grid, NodeKind::Sets(op)))
}

fn op_dtype(op: &SetsOp) -> DType {
    match op {
        SetsOp::Tally { op, .. } => op.dtype(),
        SetsOp::Lookup { .. } => DType::Int64,
    }
}

fn push(
    lw: &mut Lowering,
    kind: SetsTask,
    deps: Vec<TaskId>,
    shape: Vec<usize>,
    dtype: DType,
) -> TaskId {
    lw.graph.push(Task {
        kind: TaskKind::Sets(kind),
        deps,
        shape: shape.into(),
        dtype,
    })
}

/// Merges `level` with `kind` tasks, `SPLIT_EVERY` at a time, until one task is left.
fn tree(
    lw: &mut Lowering,
    mut level: Vec<TaskId>,
    kind: SetsTask,
    shape: &[usize],
    dtype: DType,
) -> OxResult<TaskId> {
    while level.len() > 1 {
        level = level
            .chunks(SPLIT_EVERY)
            .map(|deps| push(lw, kind.clone(), deps.to_vec(), shape.to_vec(), dtype))
            .collect();
    }
    level
        .first()
        .copied()
        .ok_or_else(|| OxError::Internal("sets: a node without blocks".into()))
}

/// The tasks of a sets node (C order of its grid).
pub(crate) fn lower(lw: &mut Lowering, node: &Node, op: &SetsOp) -> OxResult<Vec<TaskId>> {
    match op {
        SetsOp::Lookup {
            x,
            table,
            kind,
            rows,
        } => {
            let t = lw.input(table)?[0];
            let xs = lw.input(x)?.clone();
            let mut out = Vec::with_capacity(node.grid.nblocks());
            for (lin, idx) in node.grid.block_indices().enumerate() {
                let dep = if *rows {
                    xs[x.grid.linear(&[idx[0], 0])]
                } else {
                    xs[lin]
                };
                let task = SetsTask::Lookup {
                    kind: *kind,
                    rows: *rows,
                };
                out.push(push(
                    lw,
                    task,
                    vec![dep, t],
                    node.grid.block_shape(&idx),
                    node.dtype,
                ));
            }
            Ok(out)
        }
        SetsOp::Tally { codes, weights, op } => {
            let length = node.shape[0];
            let cs = lw.input(codes)?.clone();
            let ws = match weights {
                Some(w) => Some(lw.input(w)?.clone()),
                None => None,
            };
            let bounds = codes.grid.axis_bounds(0).to_vec();
            let mut level = Vec::with_capacity(cs.len());
            for (b, &c) in cs.iter().enumerate() {
                let mut deps = vec![c];
                if let Some(ws) = &ws {
                    deps.push(ws[b]);
                }
                let task = SetsTask::Tally {
                    op: *op,
                    length,
                    offset: bounds[b],
                };
                level.push(push(lw, task, deps, vec![length], node.dtype));
            }
            Ok(vec![tree(
                lw,
                level,
                SetsTask::Combine { op: *op },
                &[length],
                node.dtype,
            )?])
        }
    }
}

fn chunk(v: &Value) -> OxResult<&Chunk> {
    match v {
        Value::Chunk(c) => Ok(c),
        _ => Err(OxError::Internal("sets task: expected a chunk".into())),
    }
}

/// Runs one sets task on its dependencies' values.
pub fn run(t: &SetsTask, deps: &[&Value]) -> OxResult<Value> {
    let cs = deps
        .iter()
        .map(|v| chunk(v))
        .collect::<OxResult<Vec<&Chunk>>>()?;
    let dep = |i: usize| {
        cs.get(i)
            .copied()
            .ok_or_else(|| OxError::Internal("sets task: missing input".into()))
    };
    let c = match t {
        SetsTask::Distinct {
            row_width,
            equal_nan,
        } => kernels::distinct(&cs, *row_width, *equal_nan)?,
        SetsTask::Lookup {
            kind: LookupKind::Set(m),
            rows,
        } => {
            let width = if *rows {
                dep(0)?.shape().get(1).copied()
            } else {
                None
            };
            kernels::lookup(dep(0)?, dep(1)?, *m, width)?
        }
        SetsTask::Lookup {
            kind: LookupKind::Bin,
            ..
        } => hist::bin_index(dep(0)?, dep(1)?)?,
        SetsTask::Tally { op, length, offset } => {
            hist::tally(*op, dep(0)?, cs.get(1).copied(), *length, *offset)?
        }
        SetsTask::Combine { op } => hist::combine(*op, &cs)?,
    };
    Ok(Value::Chunk(Arc::new(c)))
}

/// The size pass of `unique`: the sorted distinct values of `x` (rows of a 2-d `x` cut in bands
/// of whole rows, with `rows`), found per block and merged in a tree, computed now; returned as
/// a one-block literal node.
pub fn distinct(
    x: &NodeRef,
    rows: bool,
    equal_nan: bool,
    cancel: &AtomicBool,
) -> OxResult<NodeRef> {
    let row_width = if rows {
        if x.ndim() != 2 || x.grid.chunks()[1].len() != 1 {
            return Err(OxError::Internal(
                "distinct rows: (n, m) with whole rows".into(),
            ));
        }
        Some(x.shape[1])
    } else {
        None
    };
    let mut lw = Lowering::new();
    let blocks = lw.lower(x)?;
    let kind = SetsTask::Distinct {
        row_width,
        equal_nan,
    };
    let level: Vec<TaskId> = blocks
        .iter()
        .enumerate()
        .map(|(b, &t)| {
            let shape = x.grid.block_shape(&x.grid.unravel(b));
            push(&mut lw, kind.clone(), vec![t], shape, x.dtype)
        })
        .collect();
    let last = tree(&mut lw, level, kind, &x.shape, x.dtype)?;
    let (graph, ids) = crate::optimize::optimize(lw.graph, &[last]);
    let slot: Mutex<Option<Arc<Value>>> = Mutex::new(None);
    let sink = |_: TaskId, v: Arc<Value>| -> OxResult<()> {
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
        Ok(())
    };
    crate::exec::execute(
        &graph,
        &ids,
        &sink,
        &HashMap::new(),
        cancel,
        &FpLog::default(),
        crate::exec::Limits::for_run(0, false),
    )?;
    let v = slot
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .ok_or_else(|| OxError::Internal("distinct: no result".into()))?;
    let c = chunk(&v)?.clone();
    let shape = c.shape().to_vec();
    let grid = ChunkGrid::single(&shape);
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Literal {
            chunks: vec![Arc::new(c)],
        },
    ))
}
