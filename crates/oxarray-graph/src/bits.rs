//! Bit packing in the graph: `packbits` (bool -> uint8, 8 elements per byte along one axis) and
//! `unpackbits` (uint8 -> uint8 of 0/1, 8 per byte). One task per input block: the Python front
//! rechunks a packed axis so that every block but the last holds a multiple of 8 elements, so each
//! output block depends on exactly one input block.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{ChunkGrid, DType, OxError, OxResult};
use oxarray_kernels::bits as kernels;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitsKind {
    Pack,
    Unpack,
}

#[derive(Debug)]
pub struct BitsOp {
    pub x: NodeRef,
    pub kind: BitsKind,
    pub axis: usize,
    pub little: bool,
}

impl BitsOp {
    pub fn inputs(&self) -> Vec<&NodeRef> {
        vec![&self.x]
    }
    pub fn label(&self) -> &'static str {
        match self.kind {
            BitsKind::Pack => "packbits",
            BitsKind::Unpack => "unpackbits",
        }
    }
}

/// One task's kernel: its one dependency is the input block.
#[derive(Clone, Debug)]
pub struct BitsTask {
    pub kind: BitsKind,
    pub axis: usize,
    pub little: bool,
}

impl BitsTask {
    pub fn label(&self) -> &'static str {
        match self.kind {
            BitsKind::Pack => "packbits",
            BitsKind::Unpack => "unpackbits",
        }
    }
}

/// `packbits` of the bool `x` along `axis` (`little`: NumPy's `bitorder='little'`), or
/// `unpackbits` of the uint8 `x`. For packing, every block of `x` along `axis` but the last must
/// hold a multiple of 8 elements.
pub fn bits(x: &NodeRef, kind: BitsKind, axis: usize, little: bool) -> OxResult<NodeRef> {
    if axis >= x.ndim() {
        return Err(OxError::Internal("bits: axis out of range".into()));
    }
    let want = match kind {
        BitsKind::Pack => DType::Bool,
        BitsKind::Unpack => DType::UInt8,
    };
    if x.dtype != want {
        return Err(OxError::Internal(format!("{kind:?}: input must be {want}")));
    }
    let mut chunks: Vec<Vec<usize>> = x.grid.chunks().to_vec();
    let along = &mut chunks[axis];
    let last = along.len().saturating_sub(1);
    for (i, c) in along.iter_mut().enumerate() {
        *c = match kind {
            BitsKind::Pack if i < last && !c.is_multiple_of(8) => {
                return Err(OxError::Internal(
                    "packbits: blocks must hold multiples of 8 along the axis".into(),
                ))
            }
            BitsKind::Pack => c.div_ceil(8),
            BitsKind::Unpack => c
                .checked_mul(8)
                .ok_or_else(|| OxError::Memory("unpackbits: output too big".into()))?,
        };
    }
    let mut shape = x.shape.clone();
    shape[axis] = along.iter().sum();
    let grid = ChunkGrid::new(&shape, chunks)?;
    let op = BitsOp {
        x: Arc::clone(x),
        kind,
        axis,
        little,
    };
    Ok(Node::new(shape, DType::UInt8, grid, NodeKind::Bits(op)))
}

/// The tasks of a bits node (C order of its grid, which matches its input's).
pub(crate) fn lower(lw: &mut Lowering, node: &Node, op: &BitsOp) -> OxResult<Vec<TaskId>> {
    let xs = lw.input(&op.x)?.clone();
    let mut out = Vec::with_capacity(xs.len());
    for (lin, idx) in node.grid.block_indices().enumerate() {
        let task = BitsTask {
            kind: op.kind,
            axis: op.axis,
            little: op.little,
        };
        out.push(lw.graph.push(Task {
            kind: TaskKind::Bits(task),
            deps: vec![xs[lin]],
            shape: node.grid.block_shape(&idx).into(),
            dtype: node.dtype,
        }));
    }
    Ok(out)
}

/// Runs one bits task on its input block.
pub fn run(t: &BitsTask, deps: &[&Value]) -> OxResult<Value> {
    let x = match deps {
        [Value::Chunk(c)] => c,
        _ => return Err(OxError::Internal("bits task: expected one chunk".into())),
    };
    let c = match t.kind {
        BitsKind::Pack => kernels::pack(x, t.axis, t.little)?,
        BitsKind::Unpack => kernels::unpack(x, t.axis, t.little)?,
    };
    Ok(Value::Chunk(Arc::new(c)))
}
