//! The executor contract (issue 11): the optimized plan handed to another engine (Dask
//! distributed, Ray) as a list of tasks, and one of those tasks run on a worker.
//!
//! # What travels
//!
//! - The **plan graph**, once per compute: the lazy graph in the graph format
//!   ([`crate::serialize::encode_without_data`]: versioned, checksummed), with every in-memory
//!   block left out. Each worker plans it once ([`task_plan`]: the same lowering and optimizer
//!   passes as the local compute, without the local memory rewrite) and keeps the plan for the
//!   plan's tasks.
//! - Per task, a **program** of 29 bytes ([`program`]): format magic and version, the plan's
//!   token, the task's index in the plan and its structural fingerprint. A task's kinds and
//!   kernels are thereby exactly the local engine's (`run_task`), not a second encoding of them.
//!   A worker whose plan differs from the client's (another oxarray build) fails with a clear
//!   error on the fingerprint, never computes something else.
//! - The **data inputs**: the blocks of in-memory sources (`asarray` of NumPy data, persisted
//!   blocks), handed out once by the client (scattered on Dask) and given to the tasks reading
//!   them as inputs like any other dependency.
//!
//! # Keys
//!
//! A task's key ([`task_keys`]) is a 128-bit hash of everything that defines its value: its
//! kind with all parameters (programs, offsets, seeds, checks), shape, dtype and the keys of its
//! inputs in order; a data block's key hashes its bytes. Equal work has equal keys, so two
//! arrays computed together share their common tasks, and a recomputation after a lost worker
//! reproduces the same value under the same key.

use crate::expr::NodeRef;
use crate::fperr::FpLog;
use crate::lower::Lowering;
use crate::optimize::optimize;
use crate::serialize::wire::{Wire, Writer};
use crate::task::{TaskGraph, TaskId, TaskKind, Value};
use oxarray_core::{dispatch_typed, Chunk, OxError, OxResult};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

pub mod batch;

/// The version of the task-program format; a worker refuses programs of another version.
pub const PROGRAM_VERSION: u8 = 1;
const MAGIC: &[u8; 4] = b"OXTK";
const PROGRAM_LEN: usize = 4 + 1 + 8 + 8 + 8;

/// The optimized tasks of some nodes, and for each node the task of each block (C order).
pub struct TaskPlan {
    pub graph: TaskGraph,
    pub outputs: Vec<Vec<TaskId>>,
}

/// Lowers and optimizes `nodes` as the local compute does, without the rewrite that fits the
/// local memory limit (each engine places tasks itself). Deterministic: a worker planning the
/// decoded graph gets the client's tasks in the client's order.
pub fn task_plan(nodes: &[NodeRef]) -> OxResult<TaskPlan> {
    let mut lowering = Lowering::new();
    let per_node = lowering.lower_all(nodes)?;
    let flat: Vec<TaskId> = per_node.iter().flatten().copied().collect();
    let (graph, new_ids) = optimize(lowering.graph, &flat);
    let mut it = new_ids.into_iter();
    let outputs = per_node
        .iter()
        .map(|v| it.by_ref().take(v.len()).collect())
        .collect();
    Ok(TaskPlan { graph, outputs })
}

/// A 128-bit hash fed word by word (identity, not security).
struct KeyHasher {
    a: u64,
    b: u64,
    len: u64,
}

fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl KeyHasher {
    fn new() -> Self {
        KeyHasher {
            a: 0xcbf2_9ce4_8422_2325,
            b: 0x9e37_79b9_7f4a_7c15,
            len: 0,
        }
    }
    fn mix(&mut self, x: u64) {
        self.a = (self.a ^ x)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(29);
        self.b = (self.b ^ x.rotate_left(17))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(31);
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.mix(u64::from_le_bytes(b));
        }
        for &b in words.remainder() {
            self.mix(u64::from(b) | 0x100);
        }
        self.mix(bytes.len() as u64);
        self.len = self.len.wrapping_add(bytes.len() as u64);
    }
    fn finish(&self) -> (u64, u64) {
        let a = fmix(self.a ^ self.len);
        (a, fmix(self.b ^ a))
    }
}

/// What identifies a plan (the hash of its graph's bytes): in every task program, so a task
/// never runs against another plan.
pub fn plan_token(graph_bytes: &[u8]) -> u64 {
    let mut h = KeyHasher::new();
    h.write(graph_bytes);
    h.finish().0
}

/// The bytes of a data block (dtype, shape, elements), hashed.
fn chunk_hash(h: &mut KeyHasher, c: &Chunk) {
    let mut w = Writer::default();
    c.put(&mut w);
    h.write(&w.buf);
}

/// Every task's key: `<label>-<32 hex digits>` (see the module doc).
pub fn task_keys(graph: &TaskGraph) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(graph.len());
    // The tasks of a node share their program: its description is hashed once.
    let mut programs: HashMap<usize, (u64, u64)> = HashMap::new();
    for t in &graph.tasks {
        let mut h = KeyHasher::new();
        h.write(t.label().as_bytes());
        h.write(t.dtype.name().as_bytes());
        for &d in t.shape.iter() {
            h.mix(d as u64);
        }
        match &t.kind {
            TaskKind::Literal(c) => chunk_hash(&mut h, c),
            TaskKind::Program(p) => {
                let (a, b) = *programs.entry(Arc::as_ptr(p) as usize).or_insert_with(|| {
                    let mut ph = KeyHasher::new();
                    ph.write(format!("{p:?}").as_bytes());
                    ph.finish()
                });
                h.mix(a);
                h.mix(b);
            }
            TaskKind::Callback(f, block) => {
                // Two functions of one name differ: the function's identity is part of the key.
                h.mix(Arc::as_ptr(&f.0) as *const () as usize as u64);
                h.write(format!("{f:?}{block:?}").as_bytes());
            }
            kind => h.write(format!("{kind:?}").as_bytes()),
        }
        for &d in &t.deps {
            h.write(keys[d].as_bytes());
        }
        let (a, b) = h.finish();
        keys.push(format!("{}-{a:016x}{b:016x}", t.label()));
    }
    keys
}

/// The task's place in the plan's structure (kind, shape, dtype, inputs), which client and
/// worker compute alike from their own plans.
pub fn fingerprint(graph: &TaskGraph, id: TaskId) -> u64 {
    let mut h = KeyHasher::new();
    if let Some(t) = graph.tasks.get(id) {
        h.write(t.label().as_bytes());
        h.write(t.dtype.name().as_bytes());
        for &d in t.shape.iter() {
            h.mix(d as u64);
        }
        h.mix(t.deps.len() as u64);
        for &d in &t.deps {
            h.mix(d as u64);
        }
    }
    h.finish().0
}

/// The program of task `id` of the plan identified by `token`.
pub fn program(graph: &TaskGraph, token: u64, id: TaskId) -> Vec<u8> {
    let mut b = Vec::with_capacity(PROGRAM_LEN);
    b.extend_from_slice(MAGIC);
    b.push(PROGRAM_VERSION);
    b.extend_from_slice(&token.to_le_bytes());
    b.extend_from_slice(&(id as u64).to_le_bytes());
    b.extend_from_slice(&fingerprint(graph, id).to_le_bytes());
    b
}

/// A decoded task program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskProgram {
    pub token: u64,
    pub task: TaskId,
    pub fingerprint: u64,
}

fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Reads a task program, checking its format version first.
pub fn decode_program(bytes: &[u8]) -> OxResult<TaskProgram> {
    if bytes.len() < 5 || &bytes[..4] != MAGIC {
        return Err(OxError::Value(
            "cannot run the oxarray task: these bytes are not an oxarray task program".into(),
        ));
    }
    if bytes[4] != PROGRAM_VERSION {
        return Err(OxError::Value(format!(
            "cannot run the oxarray task: the client wrote it in task-program format version {}, \
             and this worker's oxarray reads version {PROGRAM_VERSION}; install the same oxarray \
             version on the client and on every worker",
            bytes[4]
        )));
    }
    if bytes.len() != PROGRAM_LEN {
        return Err(OxError::Value(
            "cannot run the oxarray task: the task program is truncated or corrupted".into(),
        ));
    }
    Ok(TaskProgram {
        token: word(bytes, 5),
        task: usize::try_from(word(bytes, 13)).unwrap_or(usize::MAX),
        fingerprint: word(bytes, 21),
    })
}

/// The same chunk in C order (what every engine serializes without a copy).
pub fn c_contiguous(c: Chunk) -> Chunk {
    dispatch_typed!(Chunk, c, a => {
        if a.is_standard_layout() {
            Chunk::from_array(a)
        } else {
            Chunk::from_array(a.as_standard_layout().into_owned())
        }
    })
}

/// A partial reduction rebuilt from its blocks (as it travelled between workers).
pub fn partial_value(parts: Vec<Chunk>) -> Value {
    Value::Partial(oxarray_kernels::reduce::Partial { parts })
}

/// The blocks of a partial reduction, each in C order.
pub fn partial_chunks(p: oxarray_kernels::reduce::Partial) -> Vec<Chunk> {
    p.parts.into_iter().map(c_contiguous).collect()
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    let msg = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("a kernel panicked: {msg}")
}

/// Runs the task of `program` from `plan` (planned from the graph whose token is `token`) on
/// its dependencies' values, in the order of the task's dependencies. Kernel panics become
/// errors; the worker lives on.
pub fn run_exported(
    plan: &TaskPlan,
    token: u64,
    program: &TaskProgram,
    inputs: &[Value],
    fp: &FpLog,
    cancel: &AtomicBool,
) -> OxResult<Value> {
    if program.token != token {
        return Err(OxError::Value(
            "cannot run the oxarray task: it belongs to another plan than the one given".into(),
        ));
    }
    let Some(task) = plan.graph.tasks.get(program.task) else {
        return Err(OxError::Value(format!(
            "cannot run the oxarray task: the plan has no task {}",
            program.task
        )));
    };
    if fingerprint(&plan.graph, program.task) != program.fingerprint {
        return Err(OxError::Value(format!(
            "cannot run the oxarray task: the worker planned the graph differently from the \
             client (task {} is a {} task here); run the same oxarray build on the client and \
             on every worker",
            program.task,
            task.label()
        )));
    }
    if inputs.len() != task.deps.len() {
        return Err(OxError::Value(format!(
            "cannot run the oxarray task: it takes {} inputs, {} were given",
            task.deps.len(),
            inputs.len()
        )));
    }
    let refs: Vec<&Value> = inputs.iter().collect();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        oxarray_core::cancel::with_flag(cancel, || super::run_task(task, &refs, None, fp))
    }));
    let value = caught.unwrap_or_else(|p| Err(OxError::Internal(panic_message(p.as_ref()))))?;
    Ok(c_contiguous_value(value))
}

/// A task's value with its chunk in C order (partial reductions and parts are made C order
/// when they leave for the engine).
fn c_contiguous_value(value: Value) -> Value {
    match value {
        Value::Chunk(c) => Value::Chunk(Arc::new(c_contiguous(Arc::unwrap_or_clone(c)))),
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxarray_core::Scalar;

    #[test]
    fn programs_round_trip_and_check_their_version() {
        let mut g = TaskGraph::default();
        g.push(crate::task::Task {
            kind: TaskKind::Fill(Scalar::Float(1.0)),
            deps: vec![],
            shape: vec![3].into(),
            dtype: oxarray_core::DType::Float64,
        });
        let p = program(&g, 7, 0);
        assert_eq!(p.len(), PROGRAM_LEN);
        let d = decode_program(&p).unwrap();
        assert_eq!((d.token, d.task), (7, 0));
        assert_eq!(d.fingerprint, fingerprint(&g, 0));
        let mut other = p.clone();
        other[4] = PROGRAM_VERSION + 1;
        let e = decode_program(&other).unwrap_err().to_string();
        assert!(
            e.contains("version 2") && e.contains("reads version 1"),
            "{e}"
        );
        assert!(decode_program(b"nope").is_err());
        assert!(decode_program(&p[..20]).is_err());
        let v = run_exported(
            &TaskPlan {
                graph: g,
                outputs: vec![vec![0]],
            },
            7,
            &d,
            &[],
            &FpLog::default(),
            &AtomicBool::new(false),
        )
        .unwrap();
        assert!(matches!(v, Value::Chunk(c) if c.shape() == [3]));
    }

    /// `mean(sqrt(x * 2 + 2) @ x.T)` with floating-point checks under `site` (the front's id of
    /// the call's error state, which differs between processes) and flags `care`.
    fn checked_expression(site: u64, care: u64) -> Vec<NodeRef> {
        use crate::construct::{binary, full, matmul_checked, reduce_checked, transpose, unary};
        use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
        let fp = crate::fperr::FpMode(site << 8 | care);
        let grid = oxarray_core::ChunkGrid::new(&[6, 4], vec![vec![2; 3], vec![4]]).unwrap();
        let x = full(
            vec![6, 4],
            oxarray_core::DType::Float64,
            Scalar::Float(0.5),
            grid,
        );
        let two = full(
            vec![],
            oxarray_core::DType::Float64,
            Scalar::Float(2.0),
            oxarray_core::ChunkGrid::new(&[], vec![]).unwrap(),
        );
        let y = binary(BinaryOp::Multiply, &x, &two, fp).unwrap();
        let y = binary(BinaryOp::Add, &y, &two, fp).unwrap();
        let y = unary(UnaryOp::Sqrt, &y, fp).unwrap();
        let g = matmul_checked(&y, &transpose(&x, &[1, 0]).unwrap(), fp).unwrap();
        let m = reduce_checked(ReduceOp::Mean, &g, vec![0], false, None, (fp, fp)).unwrap();
        vec![m, g]
    }

    /// The same expression built twice (new node ids), even by another process (other ids for
    /// the same error state), gets the same keys; another error state gets other keys.
    #[test]
    fn keys_do_not_depend_on_the_build() {
        let keys = |nodes: &[NodeRef]| task_keys(&task_plan(nodes).unwrap().graph);
        let first = keys(&checked_expression(3, 0x0B));
        assert_eq!(first, keys(&checked_expression(3, 0x0B)));
        assert_eq!(first, keys(&checked_expression(41, 0x0B)));
        let raising = keys(&checked_expression(3, 0x1B));
        let data = first.iter().filter(|k| raising.contains(k)).count();
        assert!(
            data < first.len(),
            "a raising state must change the checked tasks' keys"
        );
    }

    #[test]
    fn keys_are_deterministic_and_differ_by_data() {
        let f = oxarray_core::DType::Float64;
        let lit = |v: f64| crate::task::Task {
            kind: TaskKind::Literal(Arc::new(
                crate::result::chunk_from_vec(&[2], vec![v, v]).unwrap(),
            )),
            deps: vec![],
            shape: vec![2].into(),
            dtype: f,
        };
        let mut g = TaskGraph::default();
        g.push(lit(1.0));
        g.push(lit(2.0));
        g.push(lit(1.0));
        let k = task_keys(&g);
        assert_eq!(k, task_keys(&g));
        assert_ne!(k[0], k[1]);
        assert_eq!(k[0], k[2]);
        assert!(k[0].starts_with("array-"));
    }
}
