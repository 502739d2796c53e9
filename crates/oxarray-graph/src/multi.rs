//! Multi-output ops: one computation with several results (u, s, vh of an SVD; q, r of a QR; ...).
//!
//! A [`MultiOp`] is shared (`Arc`) by the output nodes that pick its results
//! ([`NodeKind::Pick`](crate::expr::NodeKind::Pick)); each output is an ordinary node with its own
//! shape, dtype and grid. Lowering memoizes the op's tasks by its `id`, so computing several
//! outputs together (`compute(u, s, vh)`) runs the decomposition once. A task that produces several
//! blocks returns [`Value::Parts`](crate::task::Value::Parts); small `Pick` tasks select from it.

use crate::expr::{next_id, Node, NodeKind, NodeRef};
use crate::linalg::LinalgOp;
use oxarray_core::{ChunkGrid, DType};
use std::sync::Arc;

/// What one output of a multi-output op looks like.
#[derive(Clone, Debug)]
pub struct OutputSpec {
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub grid: ChunkGrid,
}

/// The computations with several outputs (one family for now; others add a variant).
#[derive(Debug)]
pub enum MultiKind {
    Linalg(LinalgOp),
}

#[derive(Debug)]
pub struct MultiOp {
    pub id: u64,
    pub kind: MultiKind,
    pub inputs: Vec<NodeRef>,
    pub outputs: Vec<OutputSpec>,
}

impl MultiOp {
    /// Builds the op and returns one node per output, in order.
    pub fn build(kind: MultiKind, inputs: Vec<NodeRef>, outputs: Vec<OutputSpec>) -> Vec<NodeRef> {
        let op = Arc::new(MultiOp {
            id: next_id(),
            kind,
            inputs,
            outputs,
        });
        op.outputs
            .iter()
            .enumerate()
            .map(|(k, o)| {
                Node::new(
                    o.shape.clone(),
                    o.dtype,
                    o.grid.clone(),
                    NodeKind::Pick {
                        op: Arc::clone(&op),
                        k,
                    },
                )
            })
            .collect()
    }

    pub fn label(&self, k: usize) -> String {
        match &self.kind {
            MultiKind::Linalg(l) => l.output_label(k),
        }
    }
}
