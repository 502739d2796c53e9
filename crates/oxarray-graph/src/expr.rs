//! The expression graph: what the user asked for, one node per NumPy-level operation.
//!
//! A [`Node`] knows its shape, dtype and chunk grid when it is built, so every shape or dtype error
//! is raised at the call, not at compute time. Nodes are immutable and shared through `Arc`; a
//! node's `id` is unique for the process, which lets lowering visit shared sub-expressions once.

use crate::fperr::FpMode;
use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use oxarray_core::{Chunk, ChunkGrid, DType, Scalar};
use oxarray_kernels::random::{Dist, Stream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub type NodeRef = Arc<Node>;

#[derive(Debug)]
pub struct Node {
    pub id: u64,
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub grid: ChunkGrid,
    pub kind: NodeKind,
}

/// Per-axis selection of a basic slice, in the input's coordinates: element `j` of the output is
/// element `start + j * step` of the input.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSlice {
    pub start: usize,
    pub step: isize,
    pub len: usize,
}

#[derive(Debug)]
pub enum NodeKind {
    /// Data already in memory (ingested from NumPy, or persisted): one chunk per block, C order.
    Literal {
        chunks: Vec<Arc<Chunk>>,
    },
    /// Every element equal to `value` (zeros, ones, full, empty).
    Full {
        value: Scalar,
    },
    /// `start + i * step` along a 1-d array (NumPy's `arange`).
    Arange {
        start: Scalar,
        step: Scalar,
    },
    /// NumPy's `linspace(start, stop, num, endpoint)`.
    Linspace {
        start: f64,
        stop: f64,
        num: usize,
        endpoint: bool,
    },
    /// Ones on the `k`-th diagonal of a 2-d array.
    Eye {
        k: i64,
    },
    /// `fp`: the floating-point error state of the call (see [`crate::fperr`]).
    Unary {
        op: UnaryOp,
        x: NodeRef,
        fp: FpMode,
    },
    /// Both inputs already have the loop dtype; broadcasting is resolved at lowering.
    Binary {
        op: BinaryOp,
        a: NodeRef,
        b: NodeRef,
        fp: FpMode,
    },
    /// `fp`: the error state of an `astype` (internal casts: unchecked).
    Cast {
        x: NodeRef,
        fp: FpMode,
    },
    Where {
        cond: NodeRef,
        a: NodeRef,
        b: NodeRef,
    },
    /// `fp` checks the accumulation (NumPy's "overflow encountered in reduce"), `fp_final` the
    /// final division of a mean or variance ("invalid value encountered in divide").
    Reduce {
        op: ReduceOp,
        x: NodeRef,
        axes: Vec<usize>,
        keepdims: bool,
        split_every: usize,
        fp: FpMode,
        fp_final: FpMode,
    },
    /// `a @ b` over the last two axes, batch axes broadcast; `fp`: the np.errstate of the call.
    Matmul {
        a: NodeRef,
        b: NodeRef,
        fp: FpMode,
    },
    Transpose {
        x: NodeRef,
        perm: Vec<usize>,
    },
    /// Same elements in C order, another shape.
    Reshape {
        x: NodeRef,
    },
    BroadcastTo {
        x: NodeRef,
    },
    Slice {
        x: NodeRef,
        axes: Vec<AxisSlice>,
    },
    Concatenate {
        xs: Vec<NodeRef>,
        axis: usize,
    },
    Rechunk {
        x: NodeRef,
    },
    /// `x[rows]` along axis 0, with the row indices known at construction.
    TakeRows {
        x: NodeRef,
        rows: Arc<Vec<usize>>,
    },
    /// Boolean-mask selection and assignment, `take` along any axis (see `indexing`).
    Index(crate::indexing::IndexOp),
    /// Counter-based random numbers: element `i` depends only on (`stream`, `dist`, `i`).
    Random {
        stream: Stream,
        dist: Dist,
    },
    /// Sorting and selection along an axis (`crate::sort`).
    Sort {
        x: NodeRef,
        op: crate::sort::SortOp,
    },
    /// Scans, folds and segment folds along an axis (`crate::scan`).
    Scan {
        x: NodeRef,
        op: crate::scan::ScanOp,
        fp: FpMode,
    },
    /// `x` unchanged, with a value check on `flag` at compute (see `check.rs`).
    Check {
        x: NodeRef,
        flag: NodeRef,
        action: crate::check::CheckAction,
    },
    /// A discrete Fourier transform along one axis (see [`crate::fft`]).
    Fft {
        x: NodeRef,
        plan: Arc<crate::fft::FftPlan>,
    },
    /// Set lookups and tallies (see [`crate::sets`]).
    Sets(crate::sets::SetsOp),
    /// Correlation and interpolation (see [`crate::signal`]).
    Signal(crate::signal::SignalOp),
    /// `packbits`/`unpackbits` along one axis (`crate::bits`).
    Bits(crate::bits::BitsOp),
    /// A user's function per block (see [`crate::callback`]).
    Callback(crate::callback::CallbackOp),
    /// Searches, lazy gathers and topk over NumPy's order (see [`crate::ordering`]).
    Ordering(crate::ordering::OrderingOp),
    /// Output `k` of a multi-output op (the op is lowered once for all its outputs).
    Pick {
        op: Arc<crate::multi::MultiOp>,
        k: usize,
    },
}

/// Dropping the last handle on a 100,000-deep chain must not recurse 100,000 frames deep: the
/// inputs of a node being dropped are moved onto a heap stack, and a node is taken apart there
/// only when this was its last reference (its own drop then finds no inputs left).
impl Drop for Node {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        self.take_inputs(&mut stack);
        while let Some(n) = stack.pop() {
            if let Ok(mut node) = Arc::try_unwrap(n) {
                node.take_inputs(&mut stack);
            }
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh process-unique id (nodes and multi-output ops share the counter).
pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

impl Node {
    pub fn new(shape: Vec<usize>, dtype: DType, grid: ChunkGrid, kind: NodeKind) -> NodeRef {
        debug_assert_eq!(grid.shape(), shape);
        Arc::new(Node {
            id: next_id(),
            shape,
            dtype,
            grid,
            kind,
        })
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// The nodes this one reads.
    pub fn inputs(&self) -> Vec<&NodeRef> {
        match &self.kind {
            NodeKind::Literal { .. }
            | NodeKind::Full { .. }
            | NodeKind::Arange { .. }
            | NodeKind::Linspace { .. }
            | NodeKind::Eye { .. }
            | NodeKind::Random { .. } => vec![],
            NodeKind::Unary { x, .. }
            | NodeKind::Cast { x, .. }
            | NodeKind::Reduce { x, .. }
            | NodeKind::Transpose { x, .. }
            | NodeKind::Reshape { x }
            | NodeKind::BroadcastTo { x }
            | NodeKind::Slice { x, .. }
            | NodeKind::Rechunk { x }
            | NodeKind::TakeRows { x, .. }
            | NodeKind::Sort { x, .. }
            | NodeKind::Scan { x, .. }
            | NodeKind::Fft { x, .. } => vec![x],
            NodeKind::Binary { a, b, .. } | NodeKind::Matmul { a, b, .. } => vec![a, b],
            NodeKind::Where { cond, a, b } => vec![cond, a, b],
            NodeKind::Check { x, flag, .. } => vec![x, flag],
            NodeKind::Concatenate { xs, .. } => xs.iter().collect(),
            NodeKind::Pick { op, .. } => op.inputs.iter().collect(),
            NodeKind::Index(op) => op.inputs(),
            NodeKind::Sets(op) => op.inputs(),
            NodeKind::Signal(op) => op.inputs(),
            NodeKind::Bits(op) => op.inputs(),
            NodeKind::Callback(op) => op.inputs(),
            NodeKind::Ordering(op) => op.inputs(),
        }
    }

    /// Moves the nodes this one reads out of its kind onto `out` (leaving a source in its place).
    fn take_inputs(&mut self, out: &mut Vec<NodeRef>) {
        let placeholder = NodeKind::Full {
            value: Scalar::Int(0),
        };
        match std::mem::replace(&mut self.kind, placeholder) {
            NodeKind::Literal { .. }
            | NodeKind::Full { .. }
            | NodeKind::Arange { .. }
            | NodeKind::Linspace { .. }
            | NodeKind::Eye { .. }
            | NodeKind::Random { .. } => {}
            NodeKind::Unary { x, .. }
            | NodeKind::Cast { x, .. }
            | NodeKind::Reduce { x, .. }
            | NodeKind::Transpose { x, .. }
            | NodeKind::Reshape { x }
            | NodeKind::BroadcastTo { x }
            | NodeKind::Slice { x, .. }
            | NodeKind::Rechunk { x }
            | NodeKind::TakeRows { x, .. }
            | NodeKind::Sort { x, .. }
            | NodeKind::Scan { x, .. }
            | NodeKind::Fft { x, .. } => out.push(x),
            NodeKind::Check { x, flag, .. } => out.extend([x, flag]),
            // Dropped here the ordinary way: selections are not links of long chains.
            NodeKind::Index(_)
            | NodeKind::Sets(_)
            | NodeKind::Signal(_)
            | NodeKind::Bits(_)
            | NodeKind::Callback(_)
            | NodeKind::Ordering(_) => {}
            NodeKind::Binary { a, b, .. } | NodeKind::Matmul { a, b, .. } => out.extend([a, b]),
            NodeKind::Where { cond, a, b } => out.extend([cond, a, b]),
            NodeKind::Concatenate { xs, .. } => out.extend(xs),
            NodeKind::Pick { op, .. } => {
                if let Ok(op) = Arc::try_unwrap(op) {
                    out.extend(op.inputs);
                }
            }
        }
    }

    /// A short name for plans and pictures.
    pub fn label(&self) -> String {
        match &self.kind {
            NodeKind::Literal { .. } => "array".into(),
            NodeKind::Full { .. } => "full".into(),
            NodeKind::Arange { .. } => "arange".into(),
            NodeKind::Linspace { .. } => "linspace".into(),
            NodeKind::Eye { .. } => "eye".into(),
            NodeKind::Unary { op, .. } => op.name().into(),
            NodeKind::Binary { op, .. } => op.name().into(),
            NodeKind::Cast { .. } => format!("astype[{}]", self.dtype),
            NodeKind::Where { .. } => "where".into(),
            NodeKind::Reduce { op, .. } => op.name().into(),
            NodeKind::Matmul { .. } => "matmul".into(),
            NodeKind::Transpose { .. } => "transpose".into(),
            NodeKind::Reshape { .. } => "reshape".into(),
            NodeKind::BroadcastTo { .. } => "broadcast_to".into(),
            NodeKind::Slice { .. } => "getitem".into(),
            NodeKind::Concatenate { .. } => "concatenate".into(),
            NodeKind::Rechunk { .. } => "rechunk".into(),
            NodeKind::TakeRows { .. } => "take".into(),
            NodeKind::Random { dist, .. } => format!("random-{}", dist.name()),
            NodeKind::Sort { op, .. } => op.label(),
            NodeKind::Scan { op, .. } => op.label(),
            NodeKind::Fft { plan, .. } => plan.label(),
            NodeKind::Pick { op, k } => op.label(*k),
            NodeKind::Index(op) => op.label().into(),
            NodeKind::Sets(op) => op.label().into(),
            NodeKind::Signal(op) => op.label().into(),
            NodeKind::Bits(op) => op.label().into(),
            NodeKind::Callback(op) => op.f.0.name(),
            NodeKind::Ordering(op) => op.label().into(),
            NodeKind::Check { .. } => "check".into(),
        }
    }
}
