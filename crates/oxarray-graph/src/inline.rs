//! The fast path for tiny computations: `np.sum(x).compute()` of 8 elements, `bool(x > 0)`.
//!
//! Such a plan has a handful of tasks over a few kilobytes; handing them to the thread pool costs
//! more than running them (a wake-up of a pool thread per task, and on a loaded machine the wait
//! for it to be scheduled), so they run in task order on the calling thread. The bindings check
//! [`is_small`] before the plan exists, to skip the watchdog thread that turns Ctrl-C into a
//! cancellation (a small plan finishes before a second Ctrl-C could matter).

use crate::exec::{run_task, Sink};
use crate::expr::NodeRef;
use crate::fperr::FpLog;
use crate::program::RawDest;
use crate::task::{TaskGraph, TaskId, Value};
use oxarray_core::{OxError, OxResult};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Nodes at most in a small expression, and bytes at most per node.
const SMALL_NODES: usize = 24;
const SMALL_NODE_BYTES: usize = 64 * 1024;
/// Tasks at most in a plan run inline, and bytes at most per task.
const SMALL_TASKS: usize = 32;
const SMALL_TASK_BYTES: usize = 256 * 1024;

/// Whether the expression under `nodes` is tiny: few nodes, none of them large. Stops walking
/// as soon as the answer is no, so a large graph costs a few steps.
pub fn is_small(nodes: &[NodeRef]) -> bool {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut stack: Vec<&NodeRef> = nodes.iter().collect();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.id) {
            continue;
        }
        let bytes = n
            .shape
            .iter()
            .fold(n.dtype.itemsize(), |a, &d| a.saturating_mul(d));
        if seen.len() > SMALL_NODES || bytes > SMALL_NODE_BYTES {
            return false;
        }
        stack.extend(n.inputs());
    }
    true
}

/// Whether a plan is run inline (see the module doc).
pub(crate) fn runs_inline(graph: &TaskGraph) -> bool {
    graph.len() <= SMALL_TASKS && graph.tasks.iter().all(|t| t.nbytes() <= SMALL_TASK_BYTES)
}

/// Runs every task of `graph` in order on this thread (tasks are in topological order), sending
/// each output's value to `sink`; values are dropped once their last reader has run.
pub(crate) fn execute_inline(
    graph: &TaskGraph,
    outputs: &[TaskId],
    sink: &Sink,
    direct: &HashMap<TaskId, RawDest>,
    cancel: &AtomicBool,
    fp: &FpLog,
) -> OxResult<()> {
    let n = graph.len();
    // Progress bars and profilers watch inline runs too (the pool executor's hooks).
    crate::diagnostics::run_started(n);
    let mut finished = 0;
    let result = run_in_order(graph, outputs, sink, direct, cancel, fp, &mut finished);
    crate::diagnostics::run_ended(n, finished);
    result
}

fn run_in_order(
    graph: &TaskGraph,
    outputs: &[TaskId],
    sink: &Sink,
    direct: &HashMap<TaskId, RawDest>,
    cancel: &AtomicBool,
    fp: &FpLog,
    finished: &mut usize,
) -> OxResult<()> {
    let n = graph.len();
    let consumers = graph.consumers();
    let mut readers_left: Vec<usize> = (0..n).map(|id| consumers.count(id)).collect();
    let mut is_output = vec![false; n];
    for &o in outputs {
        is_output[o] = true;
    }
    let mut values: Vec<Option<Arc<Value>>> = vec![None; n];
    for (id, task) in graph.tasks.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(OxError::Cancelled);
        }
        let value = {
            let deps = task
                .deps
                .iter()
                .map(|&d| values[d].as_deref())
                .collect::<Option<Vec<&Value>>>()
                .ok_or_else(|| OxError::Internal("a task ran before its input".into()))?;
            // A task writes straight into the result only when nothing else reads its block.
            let dest = (consumers.count(id) == 0)
                .then(|| direct.get(&id).copied())
                .flatten();
            let clock = crate::diagnostics::task_clock();
            let value = run_task(task, &deps, dest, fp)?;
            if let Some(start) = clock {
                crate::diagnostics::record_task(task.label(), start);
            }
            Arc::new(value)
        };
        let mut read: Vec<TaskId> = task.deps.clone();
        read.sort_unstable();
        read.dedup();
        for d in read {
            readers_left[d] = readers_left[d].saturating_sub(1);
            if readers_left[d] == 0 {
                values[d] = None;
            }
        }
        if is_output[id] {
            sink(id, Arc::clone(&value))?;
        }
        if readers_left[id] > 0 {
            values[id] = Some(value);
        }
        *finished += 1;
        crate::diagnostics::task_finished();
    }
    Ok(())
}
