//! A user's function run per block: the one node kind whose task leaves Rust. `apply_along_axis`
//! and `piecewise` call the user's own Python callable on each block (the bindings implement
//! [`BlockFn`] by taking the GIL and handing the blocks over as NumPy arrays); everything around
//! it (rechunking, broadcasting, assembling) stays in the engine.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use std::fmt;
use std::sync::Arc;

/// A function from input blocks to one output block of `shape` and `dtype`.
pub trait BlockFn: Send + Sync {
    fn call(
        &self,
        block: &[usize],
        inputs: &[&Chunk],
        shape: &[usize],
        dtype: DType,
    ) -> OxResult<Chunk>;
    /// A short name for plans and pictures.
    fn name(&self) -> String;
    /// Whether a block is a pure function of its index, cheap enough to make again rather than
    /// hold for a later reader (a file source: see [`crate::optimize::remat`]).
    fn recomputable(&self) -> bool {
        false
    }
    /// The implementor itself, so the bindings can serialize their own functions
    /// ([`crate::serialize`] hands callbacks back to its caller); `None`: cannot be serialized.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// A description the engine can rebuild the function from in another process without the
    /// caller (a file source: which file and how it is cut; the data stays in the file), as
    /// `(kind, bytes)` for the decoder registered under `kind` ([`register_descriptor_kind`]);
    /// `None`: the function travels in the caller's table instead.
    fn descriptor(&self) -> Option<(String, Vec<u8>)> {
        None
    }
}

/// Rebuilds a per-block function from the bytes of its [`BlockFn::descriptor`].
pub type DescriptorDecoder = fn(&[u8]) -> OxResult<Callback>;

static DECODERS: std::sync::RwLock<Vec<(String, DescriptorDecoder)>> =
    std::sync::RwLock::new(Vec::new());

/// Registers how functions described as `kind` are rebuilt when a graph is loaded (a crate that
/// implements describable functions, e.g. the file sources of `oxarray-io`, registers its kinds
/// once per process; registering a kind again replaces its decoder).
pub fn register_descriptor_kind(kind: &str, decode: DescriptorDecoder) {
    let mut d = DECODERS.write().unwrap_or_else(|e| e.into_inner());
    d.retain(|(k, _)| k != kind);
    d.push((kind.to_owned(), decode));
}

/// The function described by `(kind, bytes)`.
pub fn from_descriptor(kind: &str, bytes: &[u8]) -> OxResult<Callback> {
    let decode = {
        let d = DECODERS.read().unwrap_or_else(|e| e.into_inner());
        d.iter().find(|(k, _)| k == kind).map(|(_, f)| *f)
    };
    match decode {
        Some(f) => f(bytes),
        None => Err(OxError::Value(format!(
            "cannot load the oxarray graph: it reads a {kind:?} source, which this process \
             does not know how to open"
        ))),
    }
}

/// Shared by the node and every task of it.
#[derive(Clone)]
pub struct Callback(pub Arc<dyn BlockFn>);

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Callback({})", self.0.name())
    }
}

/// Output block `b` (C order) is `f` of block `b` of every input: each input has as many blocks
/// as the output.
#[derive(Debug)]
pub struct CallbackOp {
    pub inputs: Vec<NodeRef>,
    pub f: Callback,
}

impl CallbackOp {
    pub fn inputs(&self) -> Vec<&NodeRef> {
        self.inputs.iter().collect()
    }
}

/// A node of `shape`, `dtype`, cut by `chunks`, whose blocks are `f` of the inputs' blocks.
pub fn map_blocks(
    inputs: &[NodeRef],
    f: Callback,
    shape: Vec<usize>,
    dtype: DType,
    chunks: Vec<Vec<usize>>,
) -> OxResult<NodeRef> {
    let grid = ChunkGrid::new(&shape, chunks)?;
    if inputs.iter().any(|x| x.grid.nblocks() != grid.nblocks()) {
        return Err(OxError::Internal(
            "map_blocks: every input needs one block per output block".into(),
        ));
    }
    let op = CallbackOp {
        inputs: inputs.to_vec(),
        f,
    };
    Ok(Node::new(shape, dtype, grid, NodeKind::Callback(op)))
}

pub(crate) fn lower(lw: &mut Lowering, node: &Node, op: &CallbackOp) -> OxResult<Vec<TaskId>> {
    let ins = op
        .inputs
        .iter()
        .map(|x| lw.input(x).cloned())
        .collect::<OxResult<Vec<_>>>()?;
    let mut out = Vec::with_capacity(node.grid.nblocks());
    for (lin, idx) in node.grid.block_indices().enumerate() {
        let deps = ins.iter().map(|ts| ts[lin]).collect();
        out.push(lw.graph.push(Task {
            kind: TaskKind::Callback(op.f.clone(), idx.clone()),
            deps,
            shape: node.grid.block_shape(&idx).into(),
            dtype: node.dtype,
        }));
    }
    Ok(out)
}

/// Runs the user's function on one block.
pub fn run(f: &Callback, block: &[usize], task: &Task, deps: &[&Value]) -> OxResult<Value> {
    let cs = deps
        .iter()
        .map(|v| match v {
            Value::Chunk(c) => Ok(&**c),
            _ => Err(OxError::Internal("callback: expected a chunk".into())),
        })
        .collect::<OxResult<Vec<&Chunk>>>()?;
    let c = f.0.call(block, &cs, &task.shape, task.dtype)?;
    if c.shape() != &*task.shape || c.dtype() != task.dtype {
        return Err(OxError::Internal(format!(
            "callback returned a {:?} {} block, expected {:?} {}",
            c.shape(),
            c.dtype(),
            task.shape,
            task.dtype
        )));
    }
    Ok(Value::Chunk(Arc::new(c)))
}
