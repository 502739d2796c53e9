//! Linear algebra in the graph: tall-skinny QR and SVD (TSQR) as multi-output ops, their lowering
//! to a reduction tree of block QRs, and the task kinds that run the faer kernels.
//!
//! TSQR on an array with one column of chunks: each row block is factored (`A_i = Q_i R_i`), the
//! R factors are stacked `split_every` at a time and factored again, up to one final `R`. The Q of
//! the whole array is never formed as one matrix: the final coefficient (identity for `qr`, the
//! `U` of the small SVD of `R` for `svd`) is carried down the tree, `C_child = Q_stack[rows] @
//! C_parent`, and each output block is `Q_i @ C_i`.

use crate::expr::NodeRef;
use crate::lower::Lowering;
use crate::multi::{MultiKind, MultiOp, OutputSpec};
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use oxarray_kernels::linalg::{decomp, tsqr};
use std::sync::Arc;

/// A linear-algebra op with several outputs.
#[derive(Clone, Debug)]
pub enum LinalgOp {
    /// TSQR: outputs `[q, r]`, or `[r]` without `want_q`.
    Qr { want_q: bool, split_every: usize },
    /// TSQR then the SVD of the final R: outputs `[u, s, vh]`, or `[s]` without `uv`.
    Svd { uv: bool, split_every: usize },
    /// NumPy's complete factors of a one-block matrix: `[u, s, vh]` with `full_matrices=True`.
    SvdFull,
    /// The complete QR of a one-block matrix: `[q, r]`, q square.
    QrComplete,
    /// A per-matrix kernel over stacked matrices (see [`crate::batched`]).
    Batched(crate::batched::BatchedOp),
}

impl LinalgOp {
    pub fn output_label(&self, k: usize) -> String {
        if let LinalgOp::Batched(b) = self {
            return b.output_label(k);
        }
        let names: &[&str] = match self {
            LinalgOp::Qr { want_q: true, .. } => &["qr-q", "qr-r"],
            LinalgOp::Qr { want_q: false, .. } => &["qr-r"],
            LinalgOp::Svd { uv: true, .. } => &["svd-u", "svd-s", "svd-vh"],
            LinalgOp::Svd { uv: false, .. } => &["svd-s"],
            LinalgOp::SvdFull => &["svd-u", "svd-s", "svd-vh"],
            LinalgOp::QrComplete => &["qr-q", "qr-r"],
            LinalgOp::Batched(_) => &[],
        };
        names.get(k).unwrap_or(&"linalg").to_string()
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum LinalgTask {
    /// QR of a row block: parts `[R]` or `[R, Q]`.
    QrBlock { want_q: bool },
    /// QR of the stacked R factors (the deps): parts `[R]` or `[R, Q]`.
    QrStack { want_q: bool },
    /// SVD of one matrix: parts `[s]` or `[s, U, Vh]`.
    Svd { full: bool, uv: bool },
    /// Rows `start..start + len` of deps[0], times deps[1] when present.
    RowsTimes { start: usize, len: usize },
    /// Complete QR of one matrix: parts `[R, Q]`.
    QrComplete,
    /// A per-matrix kernel over one batch block: parts are the op's outputs in order.
    Batched(crate::batched::BatchedOp),
}

impl LinalgTask {
    pub fn label(&self) -> &'static str {
        match self {
            LinalgTask::QrBlock { .. } => "qr",
            LinalgTask::QrStack { .. } => "qr-stack",
            LinalgTask::Svd { .. } => "svd",
            LinalgTask::RowsTimes { .. } => "q-down",
            LinalgTask::QrComplete => "qr-complete",
            LinalgTask::Batched(_) => "linalg-batched",
        }
    }
}

fn check_tall(x: &NodeRef, what: &str) -> OxResult<()> {
    if x.ndim() != 2 {
        return Err(OxError::Value(format!(
            "{what}: TSQR needs a 2-d array, got {} dimensions",
            x.ndim()
        )));
    }
    if x.grid.numblocks()[1] != 1 {
        return Err(OxError::Value(format!(
            "{what}: TSQR needs one chunk along the columns (got {}); rechunk first",
            x.grid.numblocks()[1]
        )));
    }
    if !x.dtype.is_inexact() {
        return Err(OxError::DTypeNotSupported(format!(
            "array type {} is unsupported in linalg",
            x.dtype
        )));
    }
    Ok(())
}

fn spec(shape: Vec<usize>, dtype: DType, chunks: Vec<Vec<usize>>) -> OxResult<OutputSpec> {
    Ok(OutputSpec {
        grid: ChunkGrid::new(&shape, chunks)?,
        shape,
        dtype,
    })
}

/// `q, r` (reduced) or `r` of a tall-skinny array: q has x's row chunks and `min(m, n)` columns.
pub fn qr(x: &NodeRef, want_q: bool, split_every: usize) -> OxResult<Vec<NodeRef>> {
    check_tall(x, "qr")?;
    let (m, n) = (x.shape[0], x.shape[1]);
    let k = m.min(n);
    let mut outs = Vec::new();
    if want_q {
        outs.push(spec(
            vec![m, k],
            x.dtype,
            vec![x.grid.chunks()[0].clone(), vec![k]],
        )?);
    }
    outs.push(spec(vec![k, n], x.dtype, vec![vec![k], vec![n]])?);
    let op = LinalgOp::Qr {
        want_q,
        split_every: split_every.max(2),
    };
    Ok(MultiOp::build(
        MultiKind::Linalg(op),
        vec![Arc::clone(x)],
        outs,
    ))
}

/// `u, s, vh` (reduced) or `s` of a tall-skinny array.
pub fn svd(x: &NodeRef, uv: bool, split_every: usize) -> OxResult<Vec<NodeRef>> {
    check_tall(x, "svd")?;
    let (m, n) = (x.shape[0], x.shape[1]);
    let k = m.min(n);
    let real = x.dtype.real_of();
    let mut outs = Vec::new();
    if uv {
        outs.push(spec(
            vec![m, k],
            x.dtype,
            vec![x.grid.chunks()[0].clone(), vec![k]],
        )?);
    }
    outs.push(spec(vec![k], real, vec![vec![k]])?);
    if uv {
        outs.push(spec(vec![k, n], x.dtype, vec![vec![k], vec![n]])?);
    }
    let op = LinalgOp::Svd {
        uv,
        split_every: split_every.max(2),
    };
    Ok(MultiOp::build(
        MultiKind::Linalg(op),
        vec![Arc::clone(x)],
        outs,
    ))
}

fn check_one_block(x: &NodeRef, what: &str) -> OxResult<(usize, usize)> {
    if x.ndim() != 2 || x.grid.nblocks() != 1 {
        return Err(OxError::Internal(format!("{what}: expected one 2-d block")));
    }
    if !x.dtype.is_inexact() {
        return Err(OxError::DTypeNotSupported(format!(
            "array type {} is unsupported in linalg",
            x.dtype
        )));
    }
    Ok((x.shape[0], x.shape[1]))
}

fn single(shape: Vec<usize>, dtype: DType) -> OxResult<OutputSpec> {
    let chunks = shape.iter().map(|&d| vec![d]).collect();
    spec(shape, dtype, chunks)
}

/// NumPy's `svd(x, full_matrices=True)` of a one-block matrix: `[u (m x m), s, vh (n x n)]`.
pub fn svd_full(x: &NodeRef) -> OxResult<Vec<NodeRef>> {
    let (m, n) = check_one_block(x, "svd")?;
    let outs = vec![
        single(vec![m, m], x.dtype)?,
        single(vec![m.min(n)], x.dtype.real_of())?,
        single(vec![n, n], x.dtype)?,
    ];
    let kind = MultiKind::Linalg(LinalgOp::SvdFull);
    Ok(MultiOp::build(kind, vec![Arc::clone(x)], outs))
}

/// NumPy's `qr(x, mode="complete")` of a one-block matrix: `[q (m x m), r (m x n)]`.
pub fn qr_complete(x: &NodeRef) -> OxResult<Vec<NodeRef>> {
    let (m, n) = check_one_block(x, "qr")?;
    let outs = vec![single(vec![m, m], x.dtype)?, single(vec![m, n], x.dtype)?];
    let kind = MultiKind::Linalg(LinalgOp::QrComplete);
    Ok(MultiOp::build(kind, vec![Arc::clone(x)], outs))
}

/// One task on a one-block input whose parts, picked in `order`, are the outputs.
fn lower_dense(
    lw: &mut Lowering,
    op: &MultiOp,
    x: &NodeRef,
    task: LinalgTask,
    order: &[usize],
) -> OxResult<Vec<Vec<TaskId>>> {
    let input = lw.input(x)?.clone();
    let parts = lw.graph.push(Task {
        kind: TaskKind::Linalg(task),
        deps: input,
        shape: x.shape.clone().into(),
        dtype: x.dtype,
    });
    let mut outs = Vec::with_capacity(order.len());
    for (o, &p) in op.outputs.iter().zip(order) {
        outs.push(vec![lw.graph.push(Task {
            kind: TaskKind::Pick(p),
            deps: vec![parts],
            shape: o.shape.clone().into(),
            dtype: o.dtype,
        })]);
    }
    Ok(outs)
}

/// One node of the TSQR tree: the task holding its factor parts, its R pick, and for each child
/// (an entry of the level below) the rows of this node's stacked Q that belong to it.
struct TreeNode {
    parts: TaskId,
    r: TaskId,
    r_rows: usize,
    children: Vec<(usize, usize, usize)>,
}

/// Lowers a linalg multi-output op; returns the tasks of each output, per block.
pub(crate) fn lower(lw: &mut Lowering, op: &MultiOp, l: &LinalgOp) -> OxResult<Vec<Vec<TaskId>>> {
    let x = op
        .inputs
        .first()
        .ok_or_else(|| OxError::Internal("linalg op without input".into()))?;
    let (want_q, split_every) = match l {
        LinalgOp::Qr {
            want_q,
            split_every,
        } => (*want_q, *split_every),
        LinalgOp::Svd { uv, split_every } => (*uv, *split_every),
        LinalgOp::SvdFull => {
            let task = LinalgTask::Svd {
                full: true,
                uv: true,
            };
            return lower_dense(lw, op, x, task, &[1, 0, 2]);
        }
        LinalgOp::QrComplete => return lower_dense(lw, op, x, LinalgTask::QrComplete, &[1, 0]),
        LinalgOp::Batched(b) => return crate::batched::lower(lw, op, *b),
    };
    let (dtype, n) = (x.dtype, x.shape[1]);
    let push = |lw: &mut Lowering, kind, deps, shape: Vec<usize>, dtype| {
        lw.graph.push(Task {
            kind,
            deps,
            shape: shape.into(),
            dtype,
        })
    };
    // Leaves: one QR per row block. Blocks that are not tall (at most 2n rows) would give R
    // factors as large as themselves, so such blocks enter the tree as they are ("raw" leaves:
    // their Q is the rows of their parent's): the first stack then factors them directly and
    // TSQR does the flops of one QR instead of two.
    let blocks = lw.input(x)?.clone();
    let rows = x.grid.chunks()[0].clone();
    let raw = blocks.len() > 1 && rows.iter().all(|&r| r <= 2 * n);
    let mut levels: Vec<Vec<TreeNode>> = vec![Vec::new()];
    for (b, &t) in blocks.iter().enumerate() {
        if raw {
            levels[0].push(TreeNode {
                parts: t,
                r: t,
                r_rows: rows[b],
                children: vec![],
            });
            continue;
        }
        let k = rows[b].min(n);
        let kind = TaskKind::Linalg(LinalgTask::QrBlock { want_q });
        let parts = push(lw, kind, vec![t], vec![rows[b], n], dtype);
        let r = push(lw, TaskKind::Pick(0), vec![parts], vec![k, n], dtype);
        levels[0].push(TreeNode {
            parts,
            r,
            r_rows: k,
            children: vec![],
        });
    }
    // The tree: stack `split_every` R factors at a time until one is left.
    while levels.last().map_or(0, |l| l.len()) > 1 {
        let below = levels.last().map(|l| l.as_slice()).unwrap_or(&[]);
        let mut level = Vec::new();
        for (g, group) in below.chunks(split_every).enumerate() {
            let stacked: usize = group.iter().map(|c| c.r_rows).sum();
            let mut children = Vec::new();
            let mut start = 0;
            for (j, c) in group.iter().enumerate() {
                children.push((g * split_every + j, start, c.r_rows));
                start += c.r_rows;
            }
            let deps = group.iter().map(|c| c.r).collect();
            let kind = TaskKind::Linalg(LinalgTask::QrStack { want_q });
            let parts = push(lw, kind, deps, vec![stacked, n], dtype);
            let k = stacked.min(n);
            let r = push(lw, TaskKind::Pick(0), vec![parts], vec![k, n], dtype);
            level.push(TreeNode {
                parts,
                r,
                r_rows: k,
                children,
            });
        }
        levels.push(level);
    }
    let root = levels
        .last()
        .and_then(|l| l.first())
        .ok_or_else(|| OxError::Internal("TSQR of an array without blocks".into()))?;
    let (root_r, k) = (root.r, root.r_rows);
    // The final factor, and the coefficient carried down (None: the identity).
    let (tail, mut top): (Vec<TaskId>, Option<TaskId>) = match l {
        LinalgOp::Qr { .. } | LinalgOp::SvdFull | LinalgOp::QrComplete | LinalgOp::Batched(_) => {
            (vec![root_r], None)
        }
        LinalgOp::Svd { uv, .. } => {
            let kind = TaskKind::Linalg(LinalgTask::Svd {
                full: false,
                uv: *uv,
            });
            let parts = push(lw, kind, vec![root_r], vec![k, n], dtype);
            let s = push(lw, TaskKind::Pick(0), vec![parts], vec![k], dtype.real_of());
            if *uv {
                let u = push(lw, TaskKind::Pick(1), vec![parts], vec![k, k], dtype);
                let vh = push(lw, TaskKind::Pick(2), vec![parts], vec![k, n], dtype);
                (vec![s, vh], Some(u))
            } else {
                (vec![s], None)
            }
        }
    };
    if !want_q {
        return Ok(tail.into_iter().map(|t| vec![t]).collect());
    }
    // Down the tree: every node's coefficient, then each leaf's output block Q_i @ C_i.
    let mut coeff: Vec<Option<TaskId>> = vec![top.take()];
    for depth in (1..levels.len()).rev() {
        let mut below = vec![None; levels[depth - 1].len()];
        for (i, node) in levels[depth].iter().enumerate() {
            let stacked: usize = node.children.iter().map(|c| c.2).sum();
            let shape = vec![stacked, node.r_rows];
            let q = push(lw, TaskKind::Pick(1), vec![node.parts], shape, dtype);
            for &(c, start, len) in &node.children {
                let mut deps = vec![q];
                deps.extend(coeff[i]);
                let kind = TaskKind::Linalg(LinalgTask::RowsTimes { start, len });
                below[c] = Some(push(lw, kind, deps, vec![len, k], dtype));
            }
        }
        coeff = below;
    }
    let mut out = Vec::with_capacity(levels[0].len());
    for (b, leaf) in levels[0].iter().enumerate() {
        if raw {
            // A raw leaf's output block is the coefficient its parent carried down.
            let c = coeff[b].ok_or_else(|| OxError::Internal("TSQR: raw leaf without Q".into()))?;
            out.push(c);
            continue;
        }
        let kq = leaf.r_rows;
        let q = push(
            lw,
            TaskKind::Pick(1),
            vec![leaf.parts],
            vec![rows[b], kq],
            dtype,
        );
        out.push(match coeff[b] {
            None => q,
            Some(c) => {
                let kind = TaskKind::Linalg(LinalgTask::RowsTimes {
                    start: 0,
                    len: rows[b],
                });
                push(lw, kind, vec![q, c], vec![rows[b], k], dtype)
            }
        });
    }
    let mut outputs = vec![out];
    outputs.extend(tail.into_iter().map(|t| vec![t]));
    Ok(outputs)
}

/// Runs one linalg task on its dependencies' chunks.
pub(crate) fn run(task: &LinalgTask, deps: &[&Chunk]) -> OxResult<Value> {
    let first = || {
        deps.first()
            .copied()
            .ok_or_else(|| OxError::Internal("linalg task without input".into()))
    };
    let parts = |r: Chunk, q: Option<Chunk>| {
        let mut v = vec![Arc::new(r)];
        v.extend(q.map(Arc::new));
        Value::Parts(v)
    };
    Ok(match task {
        LinalgTask::QrBlock { want_q } => {
            let (q, r) = tsqr::qr_block(first()?, *want_q)?;
            parts(r, q)
        }
        LinalgTask::QrStack { want_q } => {
            let (q, r) = tsqr::qr_stack(deps, *want_q)?;
            parts(r, q)
        }
        LinalgTask::Svd { full, uv } => {
            let p = decomp::svd(first()?, *full, *uv)?;
            let mut v = vec![Arc::new(p.s)];
            v.extend(p.u.map(Arc::new));
            v.extend(p.vh.map(Arc::new));
            Value::Parts(v)
        }
        LinalgTask::QrComplete => {
            let (q, r) = tsqr::qr_complete(first()?)?;
            parts(r, Some(q))
        }
        LinalgTask::Batched(b) => return crate::batched::run(*b, deps),
        LinalgTask::RowsTimes { start, len } => Value::Chunk(Arc::new(tsqr::rows_times(
            first()?,
            *start,
            *len,
            deps.get(1).copied(),
        )?)),
    })
}
