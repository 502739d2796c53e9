//! Contractions along a chunked axis: `X.T @ X`, `tensordot`, `vdot` and `einsum` over the long
//! axis of tall-skinny data (all reach the graph as one 2-d `Matmul` node).
//!
//! The general lowering makes one task per output block that sums every pair's product in turn:
//! for a Gram matrix of 2,000,000 × 50 in 20 row chunks that is one single-threaded task, and the
//! `X.T` operand was first copied, chunk by chunk, into transposed blocks. When the products per
//! chunk are small against the blocks they read, this lowering instead makes
//! - one *partial* task per chunk of the contracted axis (they run in parallel), whose GEMM reads
//!   a transposed operand as a view of its block (the `Transpose` node is folded away);
//! - a tree of *sum* tasks, `SPLIT_EVERY` partials at a time.
//!
//! The optimizer then moves an elementwise producer into the partial tasks (see [`absorb`]): for
//! `z = (x - mean) / std; z.T @ z` each task evaluates `z` slab by slab into a cache-sized scratch
//! and multiplies the slab, so `z` is never written to memory.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::fperr::{self, FpCheck, FpLog, FpMode};
use crate::lower::Lowering;
use crate::program::FusedProgram;
use crate::task::{Task, TaskGraph, TaskId, TaskKind};
use oxarray_core::ops::BinaryOp;
use oxarray_core::{dispatch_typed, Chunk, Column, OxError, OxResult};
use oxarray_kernels::elementwise::binary_into;
use oxarray_kernels::matmul::matmul_views;
use std::sync::Arc;

/// Partial products summed per task of the tree.
const SPLIT_EVERY: usize = 8;
/// Bytes of one slab of a fused producer's output: it stays in L2 between the program and the
/// GEMM that reads it.
const SLAB_BYTES: usize = 512 * 1024;

/// One task of a contraction's lowering.
#[derive(Clone, Debug)]
pub enum ContractTask {
    /// `op(a) @ op(b)` of one chunk of the contracted axis.
    Partial(Partial),
    /// The sum of its dependencies (partial products or sums).
    Sum(Option<Arc<FpCheck>>),
}

#[derive(Clone, Debug)]
pub struct Partial {
    /// Operand `a` is its block transposed (a folded `.T`); likewise `b`.
    pub ta: bool,
    pub tb: bool,
    /// One dependency is both operands (`z.T @ z`): deps `[z]` instead of `[a, b]`.
    pub same: bool,
    /// The elementwise program producing the operand, moved here by [`absorb`]: the deps are
    /// then its inputs and `operand_shape` the shape of its output.
    pub program: Option<Arc<FusedProgram>>,
    pub operand_shape: Option<Arc<[usize]>>,
    pub check: Option<Arc<FpCheck>>,
}

impl ContractTask {
    pub fn label(&self) -> &'static str {
        match self {
            ContractTask::Partial(_) => "matmul-chunk",
            ContractTask::Sum(_) => "matmul-sum",
        }
    }
}

/// The operand `x` of a product as (task of block `(r, c)` reads, transposed): a 2-d `Transpose`
/// node is read through its input's block `(c, r)`.
fn operand_source<'x>(low: &Lowering, x: &'x NodeRef) -> (&'x NodeRef, bool) {
    if let NodeKind::Transpose { x: inner, perm } = &x.kind {
        if perm.as_slice() == [1, 0] && low.input(inner).is_ok() {
            return (inner, true);
        }
    }
    (x, false)
}

/// The tasks of output block `idx` of `a @ b` (2-d), when the contraction is worth splitting:
/// pushes the partial products and the inner sums, returns the root sum's kind and deps for the
/// caller to push. `None`: the general lowering applies.
pub(crate) fn lower_block(
    low: &mut Lowering,
    node: &Node,
    (a, b, fp): (&NodeRef, &NodeRef, FpMode),
    idx: &[usize],
) -> OxResult<Option<(TaskKind, Vec<TaskId>)>> {
    if a.ndim() != 2 || b.ndim() != 2 || idx.len() != 2 {
        return Ok(None);
    }
    let kchunks = &a.grid.chunks()[1];
    let (i, j) = (idx[0], idx[1]);
    let mb = a.grid.chunks()[0].get(i).copied().unwrap_or(0);
    let nb = b.grid.chunks()[1].get(j).copied().unwrap_or(0);
    let kmin = kchunks.iter().copied().min().unwrap_or(0);
    // Worth it when each chunk's product is small against the blocks it reads: then the
    // partials cost little memory and the sums little time (tall-skinny contractions, vdot).
    let long = kchunks.len() >= 2 && mb.max(nb).saturating_mul(4) <= kmin.saturating_mul(2);
    if !long || b.grid.chunks()[0] != *kchunks {
        return Ok(None);
    }
    let check = FpCheck::new(node.id, fp).map(Arc::new);
    let (asrc, ta) = operand_source(low, a);
    let (bsrc, tb) = operand_source(low, b);
    let (a_tasks, b_tasks) = (low.input(asrc)?.clone(), low.input(bsrc)?.clone());
    let shape: Arc<[usize]> = node.grid.block_shape(idx).into();
    let mut level = Vec::with_capacity(kchunks.len());
    for kb in 0..kchunks.len() {
        let ai = if ta { [kb, i] } else { [i, kb] };
        let bi = if tb { [j, kb] } else { [kb, j] };
        let da = a_tasks[asrc.grid.linear(&ai)];
        let db = b_tasks[bsrc.grid.linear(&bi)];
        let same = da == db;
        let deps = if same { vec![da] } else { vec![da, db] };
        let part = Partial {
            ta,
            tb,
            same,
            program: None,
            operand_shape: None,
            check: check.clone(),
        };
        level.push(push(low, ContractTask::Partial(part), deps, &shape, node));
    }
    while level.len() > SPLIT_EVERY {
        level = level
            .chunks(SPLIT_EVERY)
            .map(|g| {
                if g.len() == 1 {
                    g[0]
                } else {
                    push(
                        low,
                        ContractTask::Sum(check.clone()),
                        g.to_vec(),
                        &shape,
                        node,
                    )
                }
            })
            .collect();
    }
    Ok(Some((
        TaskKind::Contract(Arc::new(ContractTask::Sum(check))),
        level,
    )))
}

fn push(
    low: &mut Lowering,
    t: ContractTask,
    deps: Vec<TaskId>,
    shape: &Arc<[usize]>,
    node: &Node,
) -> TaskId {
    low.graph.push(Task {
        kind: TaskKind::Contract(Arc::new(t)),
        deps,
        shape: Arc::clone(shape),
        dtype: node.dtype,
    })
}

/// Optimizer rule (run by `fuse`): a partial product `z.T @ z` whose one operand is an
/// elementwise program read by nobody else takes that program in, evaluating it slab by slab.
/// `private(p)`: task `p` has this one reader and is no output.
pub(crate) fn absorb(graph: &mut TaskGraph, c: TaskId, private: impl Fn(TaskId) -> bool) -> bool {
    let TaskKind::Contract(ct) = &graph.tasks[c].kind else {
        return false;
    };
    let ContractTask::Partial(part) = ct.as_ref() else {
        return false;
    };
    let part = part.clone();
    // Slabs run along axis 0 of the operand, the contracted axis of `z.T @ z`.
    if !(part.same && part.ta && !part.tb && part.program.is_none()) {
        return false;
    }
    let Some(&p) = graph.tasks[c].deps.first() else {
        return false;
    };
    let fits = private(p)
        && graph.tasks[p].shape.len() == 2
        && matches!(&graph.tasks[p].kind, TaskKind::Program(q) if !q.steps().is_empty());
    if !fits {
        return false;
    }
    let TaskKind::Program(prog) =
        std::mem::replace(&mut graph.tasks[p].kind, TaskKind::Program(Arc::default()))
    else {
        return false;
    };
    let mut fused = part;
    fused.program = Some(prog);
    fused.operand_shape = Some(Arc::clone(&graph.tasks[p].shape));
    graph.tasks[c].deps = std::mem::take(&mut graph.tasks[p].deps);
    graph.tasks[c].kind = TaskKind::Contract(Arc::new(ContractTask::Partial(fused)));
    true
}

/// Runs one task of a contraction.
pub(crate) fn run(t: &ContractTask, deps: &[&Chunk], log: &FpLog) -> OxResult<Chunk> {
    match t {
        ContractTask::Partial(p) => partial(p, deps, log),
        ContractTask::Sum(check) => {
            fperr::checked_by_values("matmul", check.as_deref(), log, || {
                let out = sum(deps)?;
                let flags = check.as_ref().map_or(0, |_| {
                    let pairs: Vec<(&Chunk, &Chunk)> = deps.iter().map(|&d| (d, d)).collect();
                    fperr::product_flags(&pairs, &out)
                });
                Ok((out, flags))
            })
        }
    }
}

fn partial(p: &Partial, deps: &[&Chunk], log: &FpLog) -> OxResult<Chunk> {
    let check = p.check.as_deref();
    let product = |a: &Chunk, b: &Chunk| {
        fperr::checked_by_values("matmul", check, log, || {
            let out = if std::ptr::eq(a, b) && p.ta && !p.tb {
                gram_in_slabs(a)?
            } else {
                matmul_views((a, p.ta), (b, p.tb), None, None)?
            };
            let flags = check.map_or(0, |_| fperr::product_flags(&[(a, b)], &out));
            Ok((out, flags))
        })
    };
    let (Some(prog), Some(shape)) = (&p.program, &p.operand_shape) else {
        let a = *deps.first().ok_or_else(no_operand)?;
        let b = if p.same {
            a
        } else {
            *deps.get(1).ok_or_else(no_operand)?
        };
        return product(a, b);
    };
    let rows = shape.first().copied().unwrap_or(0);
    let row_bytes = shape.iter().skip(1).product::<usize>() * prog.out_dtype().itemsize();
    let slab_rows = (SLAB_BYTES / row_bytes.max(1)).clamp(1, rows.max(1));
    if rows <= slab_rows {
        let z = prog.run(deps, shape, log)?;
        return product(&z, &z);
    }
    let parts = prog.map_row_slabs(deps, shape, slab_rows, log, |z| product(&z, &z))?;
    let refs: Vec<&Chunk> = parts.iter().collect();
    sum(&refs)
}

/// `z.T @ z` of one block, accumulated over slabs of its rows that stay in L2 while the
/// symmetric product (its lower triangle, in several GEMMs) reads them.
fn gram_in_slabs(z: &Chunk) -> OxResult<Chunk> {
    let rows = z.shape().first().copied().unwrap_or(0);
    let row_bytes = z.shape().iter().skip(1).product::<usize>() * z.dtype().itemsize();
    let slab = (SLAB_BYTES / row_bytes.max(1)).max(1);
    let mut acc = None;
    let mut r0 = 0;
    loop {
        let r1 = rows.min(r0 + slab);
        acc = Some(matmul_views((z, true), (z, false), Some(r0..r1), acc)?);
        if r1 >= rows {
            break;
        }
        r0 = r1;
    }
    acc.ok_or_else(no_operand)
}

fn no_operand() -> OxError {
    OxError::Internal("matmul: a partial product lost its operand".into())
}

/// All `len` elements of `c`, flat.
fn whole(c: &Chunk, len: usize) -> OxResult<oxarray_core::ColumnRef<'_>> {
    c.flat_range(0, len)
        .ok_or_else(|| OxError::Internal("matmul: partial products differ in shape".into()))
}

/// The elementwise sum of equally shaped chunks (NumPy's `add`: integers wrap, bools or).
fn sum(parts: &[&Chunk]) -> OxResult<Chunk> {
    let (&first, rest) = parts
        .split_first()
        .ok_or_else(|| OxError::Internal("matmul: nothing to sum".into()))?;
    let len = first.len();
    let shape = first.shape().to_vec();
    let mut acc = Column::empty(first.dtype());
    let mut tmp = Column::empty(first.dtype());
    let Some((&second, more)) = rest.split_first() else {
        return Ok(first.clone());
    };
    binary_into(
        BinaryOp::Add,
        whole(first, len)?,
        whole(second, len)?,
        &mut acc,
    )?;
    for c in more {
        binary_into(BinaryOp::Add, &acc, whole(c, len)?, &mut tmp)?;
        std::mem::swap(&mut acc, &mut tmp);
    }
    dispatch_typed!(Column, acc, v => crate::result::chunk_from_vec(&shape, v))
}

/// Scratch a contraction task holds beside its output (for the memory plan): a fused
/// producer's slabs in flight, one per thread.
pub(crate) fn scratch_bytes(t: &ContractTask) -> usize {
    match t {
        ContractTask::Partial(Partial {
            program: Some(_), ..
        }) => SLAB_BYTES.saturating_mul(rayon::current_num_threads()),
        _ => 0,
    }
}
