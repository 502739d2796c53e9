//! Execution: runs a task graph on rayon's thread pool, under a memory limit.
//!
//! Dependency counting makes a task ready as soon as its inputs exist; [`admission`] decides
//! which ready task starts next and whether memory allows it now (consumers first, depth-first,
//! so chunks are freed early); a value is dropped when its last consumer has read it. Output
//! values go to a sink as they complete.

mod admission;
pub mod export;
mod run_task;

pub use run_task::run_task;

use crate::fperr::FpLog;
use crate::memory::value_bytes;
use crate::program::RawDest;
use crate::task::{Consumers, TaskGraph, TaskId, TaskKind, Value};
use oxarray_core::{OxError, OxResult};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Receives each output task's value once it is computed (called from worker threads).
pub type Sink<'a> = dyn Fn(TaskId, Arc<Value>) -> OxResult<()> + Sync + 'a;

/// How much memory a run may use, and whether its outputs stay in memory after it (`persist`)
/// or leave for a result buffer counted before the run (`compute`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub memory: usize,
    pub hold_outputs: bool,
}

impl Limits {
    /// The configured memory limit, less `result_bytes` already set aside for the results.
    pub fn for_run(result_bytes: usize, hold_outputs: bool) -> Self {
        Limits {
            memory: crate::memory::limit().saturating_sub(result_bytes),
            hold_outputs,
        }
    }
}

/// What a run measured about itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunStats {
    /// The highest the bytes held plus the projections of the tasks running went.
    pub peak_bytes: usize,
}

struct Run<'g, 's> {
    graph: &'g TaskGraph,
    consumers: Consumers,
    waiting_on: Vec<AtomicUsize>,
    readers_left: Vec<AtomicUsize>,
    values: Vec<Mutex<Option<Arc<Value>>>>,
    is_output: Vec<bool>,
    sink: &'s Sink<'s>,
    direct: &'s HashMap<TaskId, RawDest>,
    cancel: &'s AtomicBool,
    fp: &'s FpLog,
    error: Mutex<Option<OxError>>,
    done: AtomicUsize,
    admission: admission::Admission<'g>,
    hold_outputs: bool,
}

/// Runs every task of `graph`, sending each task in `outputs` to `sink`. Setting `cancel` stops
/// the run at the next task boundary with [`OxError::Cancelled`]; the first error stops it too.
/// Floating-point errors of fused programs are recorded in `fp`. Tasks start only while memory
/// stays under `limits.memory` (see [`admission`]).
pub fn execute(
    graph: &TaskGraph,
    outputs: &[TaskId],
    sink: &Sink,
    direct: &HashMap<TaskId, RawDest>,
    cancel: &AtomicBool,
    fp: &FpLog,
    limits: Limits,
) -> OxResult<RunStats> {
    let n = graph.len();
    let consumers = graph.consumers();
    let mut is_output = vec![false; n];
    for &o in outputs {
        is_output[o] = true;
    }
    let mut waiting_on: Vec<usize> = graph
        .tasks
        .iter()
        .map(|t| crate::memory::count_distinct(&t.deps))
        .collect();
    let mut values: Vec<Mutex<Option<Arc<Value>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    // Blocks already in memory are handed to their readers now instead of being scheduled: with
    // persisted data in small chunks, they are half the tasks, and a task costs more to schedule
    // than the `Arc` clone it does (an output literal still runs, to reach the sink).
    let mut preset = vec![false; n];
    let mut presets = 0;
    for (id, t) in graph.tasks.iter().enumerate() {
        if let TaskKind::Literal(block) = &t.kind {
            if !is_output[id] && consumers.count(id) > 0 {
                preset[id] = true;
                presets += 1;
                *values[id].get_mut().unwrap_or_else(|p| p.into_inner()) =
                    Some(Arc::new(Value::Chunk(Arc::clone(block))));
                for &reader in consumers.of(id) {
                    waiting_on[reader] -= 1;
                }
            }
        }
    }
    let sources = (0..n).filter(|&id| waiting_on[id] == 0 && !preset[id]);
    let admission =
        admission::Admission::new(graph, sources, limits.memory, rayon::current_num_threads());
    let run = Run {
        graph,
        waiting_on: waiting_on.into_iter().map(AtomicUsize::new).collect(),
        readers_left: (0..n)
            .map(|id| AtomicUsize::new(consumers.count(id)))
            .collect(),
        consumers,
        values,
        is_output,
        sink,
        direct,
        cancel,
        fp,
        error: Mutex::new(None),
        done: AtomicUsize::new(presets),
        admission,
        hold_outputs: limits.hold_outputs,
    };
    crate::diagnostics::run_started(n);
    crate::diagnostics::tasks_finished(presets);
    rayon::in_place_scope(|scope| {
        for id in run.admission.start() {
            let run = &run;
            scope.spawn(move |s| run.task(s, id));
        }
    });
    let finished = run.done.load(Ordering::Relaxed);
    crate::diagnostics::run_ended(n, finished);
    crate::diagnostics::record_peak(run.admission.peak());
    if let Some(e) = run.error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(OxError::Cancelled);
    }
    if run.done.load(Ordering::Relaxed) != n {
        return Err(OxError::Internal(
            "scheduler finished with tasks left".into(),
        ));
    }
    Ok(RunStats {
        peak_bytes: run.admission.peak(),
    })
}

impl<'g, 's> Run<'g, 's> {
    fn fail(&self, e: OxError) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(e);
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// A task writes straight into the result only when nothing else reads its block.
    fn direct_dest(&self, id: TaskId) -> Option<RawDest> {
        if self.consumers.count(id) == 0 {
            self.direct.get(&id).copied()
        } else {
            None
        }
    }

    fn value(&self, id: TaskId) -> Option<Arc<Value>> {
        self.values[id]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs task `id`, then, while finishing a task admits others, the first of them on this
    /// thread (the rest are spawned): a chain of small tasks costs no queue round trip per link.
    fn task<'scope>(&'scope self, scope: &rayon::Scope<'scope>, id: TaskId) {
        let mut next = Some(id);
        while let Some(id) = next {
            next = self.run_one(id).and_then(|admitted| {
                let mut admitted = admitted.into_iter();
                let first = admitted.next();
                for c in admitted {
                    scope.spawn(move |s| self.task(s, c));
                }
                first
            });
        }
    }

    /// Runs one task and records its value; returns the tasks admitted after it (`None` when
    /// the run stops).
    fn run_one(&self, id: TaskId) -> Option<Vec<TaskId>> {
        if self.cancel.load(Ordering::Relaxed) {
            self.admission.abandoned(id);
            return None;
        }
        let task = &self.graph.tasks[id];
        let deps: Option<Vec<Arc<Value>>> = task.deps.iter().map(|&d| self.value(d)).collect();
        let result = match deps {
            Some(deps) => {
                let clock = crate::diagnostics::task_clock();
                let refs: Vec<&Value> = deps.iter().map(|v| v.as_ref()).collect();
                // A panic in a kernel is a bug of ours; it becomes an error, never an abort.
                let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    oxarray_core::cancel::with_flag(self.cancel, || {
                        run_task(task, &refs, self.direct_dest(id), self.fp)
                    })
                }));
                if let Some(start) = clock {
                    crate::diagnostics::record_task(task.label(), start);
                }
                caught.unwrap_or_else(|p| Err(OxError::Internal(panic_message(&p))))
            }
            None => Err(OxError::Internal(format!(
                "task {id} ran before its inputs"
            ))),
        };
        let value = match result {
            Ok(v) => Arc::new(v),
            Err(e) => {
                self.admission.abandoned(id);
                self.fail(e);
                return None;
            }
        };
        if self.is_output[id] {
            if let Err(e) = (self.sink)(id, Arc::clone(&value)) {
                self.admission.abandoned(id);
                self.fail(e);
                return None;
            }
        }
        let readers = self.consumers.count(id);
        let kept = readers != 0 || (self.is_output[id] && self.hold_outputs);
        let held_added = if kept { value_bytes(task, &value) } else { 0 };
        if readers != 0 {
            *self.values[id].lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
        }
        // Free inputs whose last reader this was (an output kept by the run stays counted).
        let mut held_freed = 0;
        crate::memory::for_each_distinct(&task.deps, |d| {
            if self.readers_left[d].fetch_sub(1, Ordering::AcqRel) == 1 {
                let v = self.values[d]
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                if let Some(v) = v {
                    if !(self.is_output[d] && self.hold_outputs) {
                        held_freed += value_bytes(&self.graph.tasks[d], &v);
                    }
                }
            }
        });
        self.done.fetch_add(1, Ordering::Relaxed);
        crate::diagnostics::task_finished();
        let ready: Vec<TaskId> = self
            .consumers
            .of(id)
            .iter()
            .copied()
            .filter(|&c| self.waiting_on[c].fetch_sub(1, Ordering::AcqRel) == 1)
            .collect();
        Some(self.admission.finished(id, held_added, held_freed, &ready))
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    let msg = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("a kernel panicked: {msg}")
}
