//! Batched dense linear algebra (NumPy's stacked `solve`, `inv`, `det`, `slogdet`, `cholesky`,
//! `eigh`, `eig`, and `svd`/`qr` of arrays with more than two dimensions) as multi-output ops.
//!
//! The input is rechunked so that its last two axes are one chunk (whole matrices) while the
//! leading (batch) axes keep their chunking; each batch block is then one task that runs the
//! per-matrix kernel over every matrix in the block and returns its factors as `Value::Parts`.
//! The outputs share the batch chunking, with their own core axes whole.

use crate::construct;
use crate::expr::NodeRef;
use crate::lower::Lowering;
use crate::multi::{MultiKind, MultiOp, OutputSpec};
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use oxarray_kernels::linalg::stacked::QrMode;
use oxarray_kernels::linalg::{dense, eig, stacked};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchedOp {
    Det,
    /// Outputs `[sign, logabsdet]`.
    Slogdet,
    /// `nan_if_singular`: a singular matrix's inverse is all NaN (NumPy's `inv` gufunc under
    /// `errstate(all='ignore')`, which `cond` uses) instead of a LinAlgError.
    Inv {
        nan_if_singular: bool,
    },
    /// Inputs `[a (..., m, m), b (..., m, k)]` with equal batch shapes.
    Solve,
    Cholesky {
        upper: bool,
    },
    /// Outputs `[w, v]`, or `[w]` without `vectors`.
    Eigh {
        upper: bool,
        vectors: bool,
    },
    /// Outputs `[w, v]` (complex), or `[w]` without `vectors`.
    Eig {
        vectors: bool,
    },
    /// Outputs `[u, s, vh]`, or `[s]` without `uv`.
    Svd {
        full: bool,
        uv: bool,
    },
    /// Outputs `[q, r]`, or `[r]` for `QrMode::R`.
    Qr {
        mode: QrMode,
    },
}

impl BatchedOp {
    /// The op named as the bindings name it (`"det"`, `"eigvalsh"`, `"qr-complete"`, ...).
    pub fn from_name(name: &str, upper: bool, full: bool) -> OxResult<BatchedOp> {
        Ok(match name {
            "det" => BatchedOp::Det,
            "slogdet" => BatchedOp::Slogdet,
            "inv" | "inv-or-nan" => BatchedOp::Inv {
                nan_if_singular: name == "inv-or-nan",
            },
            "solve" => BatchedOp::Solve,
            "cholesky" => BatchedOp::Cholesky { upper },
            "eigh" | "eigvalsh" => BatchedOp::Eigh {
                upper,
                vectors: name == "eigh",
            },
            "eig" | "eigvals" => BatchedOp::Eig {
                vectors: name == "eig",
            },
            "svd" | "svdvals" => BatchedOp::Svd {
                full,
                uv: name == "svd",
            },
            "qr-reduced" => BatchedOp::Qr {
                mode: QrMode::Reduced,
            },
            "qr-complete" => BatchedOp::Qr {
                mode: QrMode::Complete,
            },
            "qr-r" => BatchedOp::Qr { mode: QrMode::R },
            other => {
                return Err(OxError::Value(format!(
                    "unknown batched linalg op {other:?}"
                )))
            }
        })
    }

    pub fn output_label(&self, k: usize) -> String {
        let names: &[&str] = match self {
            BatchedOp::Det => &["det"],
            BatchedOp::Slogdet => &["slogdet-sign", "slogdet-logabsdet"],
            BatchedOp::Inv { .. } => &["inv"],
            BatchedOp::Solve => &["solve"],
            BatchedOp::Cholesky { .. } => &["cholesky"],
            BatchedOp::Eigh { vectors: true, .. } => &["eigh-w", "eigh-v"],
            BatchedOp::Eigh { vectors: false, .. } => &["eigvalsh"],
            BatchedOp::Eig { vectors: true } => &["eig-w", "eig-v"],
            BatchedOp::Eig { vectors: false } => &["eigvals"],
            BatchedOp::Svd { uv: true, .. } => &["svd-u", "svd-s", "svd-vh"],
            BatchedOp::Svd { uv: false, .. } => &["svd-s"],
            BatchedOp::Qr { mode: QrMode::R } => &["qr-r"],
            BatchedOp::Qr { .. } => &["qr-q", "qr-r"],
        };
        names.get(k).unwrap_or(&"linalg").to_string()
    }

    fn square(&self) -> bool {
        !matches!(self, BatchedOp::Svd { .. } | BatchedOp::Qr { .. })
    }

    /// Core shapes and dtypes of the outputs of `(m, n)` matrices (`k` columns of b for solve).
    fn outputs(&self, m: usize, n: usize, k: usize, dt: DType) -> Vec<(Vec<usize>, DType)> {
        let (real, cplx) = (dt.real_of(), complex_of(dt));
        let p = m.min(n);
        match *self {
            BatchedOp::Det => vec![(vec![], dt)],
            BatchedOp::Slogdet => vec![(vec![], dt), (vec![], real)],
            BatchedOp::Inv { .. } | BatchedOp::Cholesky { .. } => vec![(vec![n, n], dt)],
            BatchedOp::Solve => vec![(vec![m, k], dt)],
            BatchedOp::Eigh { vectors, .. } => {
                let mut o = vec![(vec![n], real)];
                if vectors {
                    o.push((vec![n, n], dt));
                }
                o
            }
            BatchedOp::Eig { vectors } => {
                let mut o = vec![(vec![n], cplx)];
                if vectors {
                    o.push((vec![n, n], cplx));
                }
                o
            }
            BatchedOp::Svd { uv: false, .. } => vec![(vec![p], real)],
            BatchedOp::Svd { full, uv: true } => {
                let (uc, vr) = if full { (m, n) } else { (p, p) };
                vec![(vec![m, uc], dt), (vec![p], real), (vec![vr, n], dt)]
            }
            BatchedOp::Qr { mode } => {
                let r = (vec![if mode == QrMode::Complete { m } else { p }, n], dt);
                match mode {
                    QrMode::R => vec![r],
                    QrMode::Reduced => vec![(vec![m, p], dt), r],
                    QrMode::Complete => vec![(vec![m, m], dt), r],
                }
            }
        }
    }
}

fn complex_of(dt: DType) -> DType {
    match dt {
        DType::Float32 | DType::Complex64 => DType::Complex64,
        _ => DType::Complex128,
    }
}

/// `x` with its last two axes one chunk, keeping `batch_chunks` on the leading axes.
fn whole_matrices(x: &NodeRef, batch_chunks: &[Vec<usize>]) -> OxResult<NodeRef> {
    let nd = x.ndim();
    let mut chunks = batch_chunks.to_vec();
    chunks.extend([vec![x.shape[nd - 2]], vec![x.shape[nd - 1]]]);
    construct::rechunk(x, ChunkGrid::new(&x.shape, chunks)?)
}

/// The op's output nodes, in order. Checks what NumPy checks when the call is made (at least
/// two dimensions, square where needed, a float or complex dtype, solve's operand shapes).
pub fn batched(op: BatchedOp, inputs: &[NodeRef]) -> OxResult<Vec<NodeRef>> {
    let want = if op == BatchedOp::Solve { 2 } else { 1 };
    if inputs.len() != want {
        return Err(OxError::Value(format!(
            "batched linalg: expected {want} operands, got {}",
            inputs.len()
        )));
    }
    for x in inputs {
        if x.ndim() < 2 {
            return Err(OxError::LinAlg(format!(
                "{}-dimensional array given. Array must be at least two-dimensional",
                x.ndim()
            )));
        }
        if !x.dtype.is_inexact() {
            return Err(OxError::DTypeNotSupported(format!(
                "array type {} is unsupported in linalg",
                x.dtype
            )));
        }
    }
    let a = &inputs[0];
    let nd = a.ndim();
    let (m, n) = (a.shape[nd - 2], a.shape[nd - 1]);
    if op.square() && m != n {
        return Err(OxError::LinAlg(
            "Last 2 dimensions of the array must be square".into(),
        ));
    }
    let batch_chunks = a.grid.chunks()[..nd - 2].to_vec();
    let mut nodes = vec![whole_matrices(a, &batch_chunks)?];
    let mut k = n;
    if let Some(b) = inputs.get(1) {
        let bd = b.ndim();
        if b.shape[..bd - 2] != a.shape[..nd - 2] || b.shape[bd - 2] != m || b.dtype != a.dtype {
            return Err(OxError::ShapeMismatch(format!(
                "solve: b of shape {:?} ({}) does not match a of shape {:?} ({})",
                b.shape, b.dtype, a.shape, a.dtype
            )));
        }
        k = b.shape[bd - 1];
        nodes.push(whole_matrices(b, &batch_chunks)?);
    }
    let batch = &a.shape[..nd - 2];
    let mut outs = Vec::new();
    for (core, dtype) in op.outputs(m, n, k, a.dtype) {
        let mut shape = batch.to_vec();
        shape.extend_from_slice(&core);
        let mut chunks = batch_chunks.clone();
        chunks.extend(core.iter().map(|&d| vec![d]));
        outs.push(OutputSpec {
            grid: ChunkGrid::new(&shape, chunks)?,
            shape,
            dtype,
        });
    }
    let kind = MultiKind::Linalg(crate::linalg::LinalgOp::Batched(op));
    Ok(MultiOp::build(kind, nodes, outs))
}

/// One task per batch block (the inputs' blocks line up: the core axes are single chunks), then
/// one pick per output block.
pub(crate) fn lower(lw: &mut Lowering, op: &MultiOp, b: BatchedOp) -> OxResult<Vec<Vec<TaskId>>> {
    let a = op
        .inputs
        .first()
        .ok_or_else(|| OxError::Internal("batched linalg op without input".into()))?;
    let ins: Vec<Vec<TaskId>> = op
        .inputs
        .iter()
        .map(|x| lw.input(x).cloned())
        .collect::<OxResult<_>>()?;
    let mut outs = vec![Vec::new(); op.outputs.len()];
    for (lin, idx) in a.grid.block_indices().enumerate() {
        let deps = ins
            .iter()
            .map(|t| {
                t.get(lin).copied().ok_or_else(|| {
                    OxError::Internal("batched linalg: operands' blocks do not line up".into())
                })
            })
            .collect::<OxResult<Vec<TaskId>>>()?;
        let parts = lw.graph.push(Task {
            kind: TaskKind::Linalg(crate::linalg::LinalgTask::Batched(b)),
            deps,
            shape: a.grid.block_shape(&idx).into(),
            dtype: a.dtype,
        });
        for (o, spec) in op.outputs.iter().enumerate() {
            let oidx = spec.grid.unravel(lin);
            outs[o].push(lw.graph.push(Task {
                kind: TaskKind::Pick(o),
                deps: vec![parts],
                shape: spec.grid.block_shape(&oidx).into(),
                dtype: spec.dtype,
            }));
        }
    }
    Ok(outs)
}

/// Runs the per-matrix kernel over one batch block; the parts are the outputs in order.
pub(crate) fn run(op: BatchedOp, deps: &[&Chunk]) -> OxResult<Value> {
    let a = deps
        .first()
        .copied()
        .ok_or_else(|| OxError::Internal("batched linalg task without input".into()))?;
    let pair = |(x, y): (Chunk, Option<Chunk>)| {
        let mut v = vec![x];
        v.extend(y);
        v
    };
    let parts = match op {
        BatchedOp::Det => vec![dense::det(a)?],
        BatchedOp::Slogdet => {
            let (s, l) = dense::slogdet(a)?;
            vec![s, l]
        }
        BatchedOp::Inv { nan_if_singular } => vec![dense::inv(a, nan_if_singular)?],
        BatchedOp::Solve => {
            let b = deps
                .get(1)
                .copied()
                .ok_or_else(|| OxError::Internal("solve task without b".into()))?;
            vec![dense::solve(a, b)?]
        }
        BatchedOp::Cholesky { upper } => vec![dense::cholesky(a, upper)?],
        BatchedOp::Eigh { upper, vectors } => pair(eig::eigh(a, upper, vectors)?),
        BatchedOp::Eig { vectors } => pair(eig::eig(a, vectors)?),
        BatchedOp::Svd { full, uv } => stacked::svd(a, full, uv)?,
        BatchedOp::Qr { mode } => stacked::qr(a, mode)?,
    };
    Ok(Value::Parts(parts.into_iter().map(Arc::new).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::construct::full;
    use oxarray_core::Scalar;

    fn node(shape: &[usize], chunks: Vec<Vec<usize>>) -> NodeRef {
        full(
            shape.to_vec(),
            DType::Float64,
            Scalar::Float(1.0),
            ChunkGrid::new(shape, chunks).unwrap(),
        )
    }

    #[test]
    fn outputs_keep_batch_chunks_and_whole_matrices() {
        let x = node(&[4, 3, 3], vec![vec![2, 2], vec![2, 1], vec![3]]);
        let outs = batched(BatchedOp::Slogdet, std::slice::from_ref(&x)).unwrap();
        assert_eq!(outs.len(), 2);
        assert_eq!(outs[0].shape, vec![4]);
        assert_eq!(outs[0].grid.chunks(), &[vec![2, 2]]);
        assert_eq!(outs[1].dtype, DType::Float64);
        let v = batched(BatchedOp::Eig { vectors: true }, std::slice::from_ref(&x)).unwrap();
        assert_eq!(v[1].grid.chunks(), &[vec![2, 2], vec![3], vec![3]]);
        assert_eq!(v[0].dtype, DType::Complex128);
        let plan = crate::plan(&outs).unwrap();
        assert!(plan.graph.len() > 2);
    }

    #[test]
    fn numpy_errors_at_the_call() {
        let rect = node(&[2, 3], vec![vec![2], vec![3]]);
        assert!(matches!(
            batched(
                BatchedOp::Inv {
                    nan_if_singular: false
                },
                std::slice::from_ref(&rect)
            ),
            Err(OxError::LinAlg(_))
        ));
        assert!(batched(BatchedOp::Qr { mode: QrMode::R }, &[rect]).is_ok());
        let vec1 = node(&[3], vec![vec![3]]);
        assert!(matches!(
            batched(BatchedOp::Det, &[vec1]),
            Err(OxError::LinAlg(_))
        ));
        let a = node(&[3, 3], vec![vec![3], vec![3]]);
        let b = node(&[2, 1], vec![vec![2], vec![1]]);
        assert!(batched(BatchedOp::Solve, &[a, b]).is_err());
    }
}
