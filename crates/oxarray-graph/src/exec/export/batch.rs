//! Batches of exported tasks: several fused chunk programs run as one engine task, so a
//! cluster scheduler pays its per-task cost (tens to hundreds of microseconds on Dask
//! distributed) once per batch instead of once per chunk.
//!
//! # How tasks are grouped
//!
//! 1. **Trees.** In topological order, a task absorbs the batches of its inputs whose last task
//!    (the batch's *head*) it alone reads: a chunk task's chain, the chunk tasks of one
//!    reduction combine and that combine, and so on up while the batch stays under the caps.
//!    Every task of a batch but its head is then read only inside the batch.
//! 2. **Siblings.** The batches of one *level* of the batch graph (1 + the highest level of the
//!    batches they read; 0 for those reading only data) cannot read one another, so packing
//!    batches of one level together never makes a cycle; they are packed in task order up to
//!    the caps.
//!
//! The caps are a number of tasks (so there are a few batches per worker thread, never one
//! giant batch) and a number of bytes (the sum of the members' projected task bytes, an upper
//! bound of what a batch holds while it runs).
//!
//! A batch returns the values of its tasks that a task outside it reads or that are plan
//! outputs, in task order; its inputs are the values of the tasks outside it that its tasks
//! read, in order of first use. Both are computed alike on the client and on the worker.

use super::{fingerprint, KeyHasher, MAGIC};
use crate::fperr::FpLog;
use crate::memory::projected_task_bytes;
use crate::task::{TaskGraph, TaskId, Value};
use oxarray_core::{OxError, OxResult};
use std::sync::atomic::AtomicBool;

/// The version of the batch-program format.
pub const BATCH_VERSION: u8 = 1;
const BATCH_MAGIC: &[u8; 4] = b"OXBT";

/// Tasks run as one engine task (see the module doc).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// The tasks, in topological (plan) order.
    pub tasks: Vec<TaskId>,
    /// The tasks outside the batch it reads, in order of first use.
    pub inputs: Vec<TaskId>,
    /// The tasks whose values it returns, in plan order.
    pub outputs: Vec<TaskId>,
}

/// The caps of one batch.
#[derive(Clone, Copy, Debug)]
pub struct BatchCaps {
    pub max_tasks: usize,
    pub max_bytes: usize,
}

/// The batches of the tasks of `graph` not `excluded` (data blocks and blocks held by the
/// engine, which travel on their own); `outputs` are the plan's output tasks.
pub fn batches(
    graph: &TaskGraph,
    outputs: &[TaskId],
    excluded: &[bool],
    caps: BatchCaps,
) -> Vec<Batch> {
    let n = graph.len();
    let max_tasks = caps.max_tasks.max(1);
    let skip = |id: TaskId| excluded.get(id).copied().unwrap_or(false);
    let consumers = graph.consumers();
    let mut is_output = vec![false; n];
    for &o in outputs {
        if o < n {
            is_output[o] = true;
        }
    }
    // Phase 1: trees. `of[t]` is the batch of task t; a batch's members are kept in `members`.
    let none = usize::MAX;
    let mut of = vec![none; n];
    let mut members: Vec<Vec<TaskId>> = Vec::new();
    let mut bytes: Vec<usize> = Vec::new();
    let mut head: Vec<TaskId> = Vec::new();
    for id in 0..n {
        if skip(id) {
            continue;
        }
        let b = members.len();
        members.push(vec![id]);
        bytes.push(projected_task_bytes(&graph.tasks[id]));
        head.push(id);
        of[id] = b;
        for &d in &graph.tasks[id].deps {
            if skip(d) {
                continue;
            }
            let p = of[d];
            if p == b || head[p] != d || consumers.count(d) != 1 {
                continue;
            }
            let (tasks, size) = (members[p].len() + members[b].len(), bytes[p] + bytes[b]);
            if tasks > max_tasks || size > caps.max_bytes {
                continue;
            }
            let moved = std::mem::take(&mut members[p]);
            for &t in &moved {
                of[t] = b;
            }
            members[b].extend(moved);
            bytes[b] = size;
            bytes[p] = 0;
        }
    }
    // Phase 2: siblings, level by level (a batch's level exceeds those of the batches it reads;
    // batches are visited in the order of their heads, which is topological).
    let mut order: Vec<usize> = (0..members.len())
        .filter(|&b| !members[b].is_empty())
        .collect();
    order.sort_by_key(|&b| head[b]);
    let mut level = vec![0usize; members.len()];
    for &b in &order {
        let mut l = 0;
        for &t in &members[b] {
            for &d in &graph.tasks[t].deps {
                if !skip(d) && of[d] != b {
                    l = l.max(level[of[d]] + 1);
                }
            }
        }
        level[b] = l;
    }
    let mut by_level: Vec<Vec<usize>> = Vec::new();
    for &b in &order {
        if by_level.len() <= level[b] {
            by_level.resize(level[b] + 1, Vec::new());
        }
        by_level[level[b]].push(b);
    }
    let mut groups: Vec<Vec<TaskId>> = Vec::new();
    for bs in by_level {
        let mut current: Vec<TaskId> = Vec::new();
        let mut current_bytes = 0usize;
        for b in bs {
            let fits = current.len() + members[b].len() <= max_tasks
                && current_bytes.saturating_add(bytes[b]) <= caps.max_bytes;
            if !fits && !current.is_empty() {
                groups.push(std::mem::take(&mut current));
                current_bytes = 0;
            }
            current.extend_from_slice(&members[b]);
            current_bytes = current_bytes.saturating_add(bytes[b]);
        }
        if !current.is_empty() {
            groups.push(current);
        }
    }
    // Each group's inputs and outputs.
    let mut group_of = vec![none; n];
    for (g, ts) in groups.iter_mut().enumerate() {
        ts.sort_unstable();
        for &t in ts.iter() {
            group_of[t] = g;
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(g, tasks)| {
            let outputs = tasks
                .iter()
                .copied()
                .filter(|&t| is_output[t] || consumers.of(t).iter().any(|&c| group_of[c] != g))
                .collect();
            Batch {
                inputs: inputs_of(graph, &tasks),
                tasks,
                outputs,
            }
        })
        .collect()
}

/// The tasks outside `tasks` (sorted) that they read, in order of first use.
fn inputs_of(graph: &TaskGraph, tasks: &[TaskId]) -> Vec<TaskId> {
    let mut inputs: Vec<TaskId> = Vec::new();
    for &t in tasks {
        for &d in &graph.tasks[t].deps {
            if tasks.binary_search(&d).is_err() && !inputs.contains(&d) {
                inputs.push(d);
            }
        }
    }
    inputs
}

/// The key of a batch: a hash of its tasks' keys and of which it returns.
pub fn batch_key(keys: &[String], batch: &Batch) -> String {
    let mut h = KeyHasher::new();
    for &t in &batch.tasks {
        h.write(keys[t].as_bytes());
    }
    h.mix(u64::MAX);
    for &t in &batch.outputs {
        h.write(keys[t].as_bytes());
    }
    let (a, b) = h.finish();
    format!("oxbatch-{a:016x}{b:016x}")
}

fn put_u64(b: &mut Vec<u8>, x: u64) {
    b.extend_from_slice(&x.to_le_bytes());
}

/// The program of `batch` of the plan identified by `token`: magic, version, token, then each
/// task with its fingerprint, then the positions (in the batch) of the tasks it returns.
pub fn batch_program(graph: &TaskGraph, token: u64, batch: &Batch) -> Vec<u8> {
    let mut b =
        Vec::with_capacity(4 + 1 + 8 + 8 + 16 * batch.tasks.len() + 8 * batch.outputs.len() + 8);
    b.extend_from_slice(BATCH_MAGIC);
    b.push(BATCH_VERSION);
    put_u64(&mut b, token);
    put_u64(&mut b, batch.tasks.len() as u64);
    for &t in &batch.tasks {
        put_u64(&mut b, t as u64);
        put_u64(&mut b, fingerprint(graph, t));
    }
    put_u64(&mut b, batch.outputs.len() as u64);
    for &o in &batch.outputs {
        put_u64(&mut b, o as u64);
    }
    b
}

/// A decoded batch program: the plan's token, the tasks with their fingerprints, the outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchProgram {
    pub token: u64,
    pub tasks: Vec<(TaskId, u64)>,
    pub outputs: Vec<TaskId>,
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u64(&mut self) -> OxResult<u64> {
        let end = self.at.checked_add(8).filter(|&e| e <= self.b.len());
        let Some(end) = end else {
            return Err(OxError::Value(
                "cannot run the oxarray batch: its program is truncated or corrupted".into(),
            ));
        };
        let v = super::word(self.b, self.at);
        self.at = end;
        Ok(v)
    }
    fn id(&mut self) -> OxResult<TaskId> {
        Ok(usize::try_from(self.u64()?).unwrap_or(usize::MAX))
    }
    /// A count of items of `size` bytes each, at most what the rest of the program holds.
    fn count(&mut self, size: usize) -> OxResult<usize> {
        let n = self.id()?;
        if n > (self.b.len() - self.at) / size {
            return Err(OxError::Value(
                "cannot run the oxarray batch: its program is truncated or corrupted".into(),
            ));
        }
        Ok(n)
    }
}

/// Reads a batch program, checking its format version first.
pub fn decode_batch_program(bytes: &[u8]) -> OxResult<BatchProgram> {
    if bytes.len() >= 5 && &bytes[..4] == MAGIC {
        return Err(OxError::Value(
            "cannot run the oxarray batch: these bytes are a single task's program".into(),
        ));
    }
    if bytes.len() < 5 || &bytes[..4] != BATCH_MAGIC {
        return Err(OxError::Value(
            "cannot run the oxarray batch: these bytes are not an oxarray batch program".into(),
        ));
    }
    if bytes[4] != BATCH_VERSION {
        return Err(OxError::Value(format!(
            "cannot run the oxarray batch: the client wrote it in batch-program format version \
             {}, and this worker's oxarray reads version {BATCH_VERSION}; install the same \
             oxarray version on the client and on every worker",
            bytes[4]
        )));
    }
    let mut r = Reader { b: bytes, at: 5 };
    let token = r.u64()?;
    let n = r.count(16)?;
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        let t = r.id()?;
        tasks.push((t, r.u64()?));
    }
    let m = r.count(8)?;
    let mut outputs = Vec::with_capacity(m);
    for _ in 0..m {
        outputs.push(r.id()?);
    }
    if r.at != bytes.len() {
        return Err(OxError::Value(
            "cannot run the oxarray batch: its program is truncated or corrupted".into(),
        ));
    }
    Ok(BatchProgram {
        token,
        tasks,
        outputs,
    })
}

/// A task of a batch that failed: its position in the batch and the error.
pub struct BatchError {
    pub position: Option<usize>,
    pub error: OxError,
}

impl From<OxError> for BatchError {
    fn from(error: OxError) -> Self {
        BatchError {
            position: None,
            error,
        }
    }
}

/// Runs the tasks of `program` from `plan` in order on the batch's inputs (the values of the
/// tasks outside the batch they read, in order of first use); returns the values of its
/// outputs. A value read only inside the batch is dropped after its last reader.
pub fn run_batch(
    plan: &super::TaskPlan,
    token: u64,
    program: &BatchProgram,
    inputs: Vec<Value>,
    fp: &FpLog,
    cancel: &AtomicBool,
) -> Result<Vec<Value>, BatchError> {
    let graph = &plan.graph;
    if program.token != token {
        return Err(OxError::Value(
            "cannot run the oxarray batch: it belongs to another plan than the one given".into(),
        )
        .into());
    }
    let mut tasks: Vec<TaskId> = Vec::with_capacity(program.tasks.len());
    for &(t, fprint) in &program.tasks {
        let ok = t < graph.len() && tasks.last().is_none_or(|&p| p < t);
        if !ok || fingerprint(graph, t) != fprint {
            return Err(OxError::Value(format!(
                "cannot run the oxarray batch: the worker planned the graph differently from \
                 the client (at task {t}); run the same oxarray build on the client and on \
                 every worker"
            ))
            .into());
        }
        tasks.push(t);
    }
    let ext = inputs_of(graph, &tasks);
    if ext.len() != inputs.len() {
        return Err(OxError::Value(format!(
            "cannot run the oxarray batch: it takes {} inputs, {} were given",
            ext.len(),
            inputs.len()
        ))
        .into());
    }
    if let Some(&o) = program
        .outputs
        .iter()
        .find(|o| tasks.binary_search(o).is_err())
    {
        return Err(OxError::Value(format!(
            "cannot run the oxarray batch: its output {o} is none of its tasks"
        ))
        .into());
    }
    // Slots: the inputs first, then the batch's tasks; readers left per slot.
    let slot = |id: TaskId| -> usize {
        match tasks.binary_search(&id) {
            Ok(i) => ext.len() + i,
            Err(_) => ext.iter().position(|&e| e == id).unwrap_or(usize::MAX),
        }
    };
    let mut values: Vec<Option<Value>> = inputs.into_iter().map(Some).collect();
    values.extend(tasks.iter().map(|_| None));
    let mut readers = vec![0usize; values.len()];
    let dep_slots: Vec<Vec<usize>> = tasks
        .iter()
        .map(|&t| graph.tasks[t].deps.iter().map(|&d| slot(d)).collect())
        .collect();
    for s in dep_slots.iter().flatten() {
        readers[*s] += 1;
    }
    for &o in &program.outputs {
        readers[slot(o)] += 1; // kept to the end
    }
    for (i, &t) in tasks.iter().enumerate() {
        let task = &graph.tasks[t];
        let deps: Vec<&Value> = dep_slots[i]
            .iter()
            .map(|&s| values[s].as_ref())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| OxError::Internal("a batch input was dropped too early".into()))?;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            oxarray_core::cancel::with_flag(cancel, || crate::exec::run_task(task, &deps, None, fp))
        }));
        let value = caught
            .unwrap_or_else(|p| Err(OxError::Internal(super::panic_message(p.as_ref()))))
            .map_err(|error| BatchError {
                position: Some(i),
                error,
            })?;
        drop(deps);
        values[ext.len() + i] = Some(value);
        for &s in &dep_slots[i] {
            readers[s] -= 1;
            if readers[s] == 0 {
                values[s] = None;
            }
        }
    }
    // Outputs leave in C order (what every engine serializes without a copy).
    program
        .outputs
        .iter()
        .map(|&o| {
            let v = values[slot(o)].take();
            v.map(super::c_contiguous_value).ok_or_else(|| {
                OxError::Value("cannot run the oxarray batch: an output is listed twice".into())
                    .into()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Task, TaskKind};
    use oxarray_core::{DType, Scalar};

    fn fill(g: &mut TaskGraph, deps: Vec<TaskId>) -> TaskId {
        g.push(Task {
            kind: TaskKind::Fill(Scalar::Float(1.0)),
            deps,
            shape: vec![2].into(),
            dtype: DType::Float64,
        })
    }

    #[test]
    fn trees_then_siblings_and_no_giant_batch() {
        // 8 leaves, combines of 2, then one root: 15 tasks.
        let mut g = TaskGraph::default();
        let leaves: Vec<_> = (0..8).map(|_| fill(&mut g, vec![])).collect();
        let l1: Vec<_> = leaves.chunks(2).map(|p| fill(&mut g, p.to_vec())).collect();
        let l2: Vec<_> = l1.chunks(2).map(|p| fill(&mut g, p.to_vec())).collect();
        let root = fill(&mut g, l2.clone());
        let caps = BatchCaps {
            max_tasks: 4,
            max_bytes: usize::MAX,
        };
        let bs = batches(&g, &[root], &[], caps);
        let mut all: Vec<_> = bs.iter().flat_map(|b| b.tasks.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..g.len()).collect::<Vec<_>>());
        assert!(bs.iter().all(|b| b.tasks.len() <= 4), "{bs:?}");
        // Each leaf pair joins its combine (which may join the next level up, within the cap).
        for (pair, combine) in [([0, 1], 8), ([2, 3], 9), ([4, 5], 10), ([6, 7], 11)] {
            let holds = |t: &usize| {
                bs.iter()
                    .any(|b| b.tasks.contains(t) && b.tasks.contains(&combine))
            };
            assert!(pair.iter().all(holds), "{bs:?}");
        }
        let with_root = bs.iter().find(|b| b.tasks.contains(&root)).unwrap();
        assert_eq!(with_root.outputs, vec![root]);
        // One batch: the plan at once when the caps allow it.
        let one = batches(
            &g,
            &[root],
            &[],
            BatchCaps {
                max_tasks: 100,
                max_bytes: usize::MAX,
            },
        );
        assert_eq!(one.len(), 1);
        assert!(one[0].inputs.is_empty());
    }

    #[test]
    fn batches_run_and_check_their_program() {
        let mut g = TaskGraph::default();
        let a = fill(&mut g, vec![]);
        let b = fill(&mut g, vec![]);
        let outputs = vec![a, b];
        let bs = batches(
            &g,
            &outputs,
            &[],
            BatchCaps {
                max_tasks: 8,
                max_bytes: usize::MAX,
            },
        );
        assert_eq!(bs.len(), 1);
        let plan = super::super::TaskPlan {
            graph: g,
            outputs: vec![outputs],
        };
        let p = batch_program(&plan.graph, 5, &bs[0]);
        let d = decode_batch_program(&p).unwrap();
        let out = run_batch(
            &plan,
            5,
            &d,
            vec![],
            &FpLog::default(),
            &AtomicBool::new(false),
        )
        .ok()
        .unwrap();
        assert_eq!(out.len(), 2);
        assert!(matches!(&out[0], Value::Chunk(c) if c.shape() == [2]));
        let mut bad = p.clone();
        bad[4] = BATCH_VERSION + 1;
        assert!(decode_batch_program(&bad).is_err());
        assert!(decode_batch_program(&p[..p.len() - 3]).is_err());
        assert!(run_batch(
            &plan,
            6,
            &d,
            vec![],
            &FpLog::default(),
            &AtomicBool::new(false)
        )
        .is_err());
    }
}
