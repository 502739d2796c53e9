//! Admission: which ready task starts next, and whether memory allows it now.
//!
//! Ready tasks wait here, not in rayon's queues, so the scheduler chooses. Consumers come before
//! new sources (a consumer frees what it reads; a source only adds), the most recently readied
//! consumer first (depth first, so a chain finishes and frees its chunks before another starts),
//! and sources in id order (so output blocks complete roughly in order). A task starts only while
//! the bytes held for consumers, plus the projected bytes of the tasks running, plus its own
//! projection stay under the limit, and never more tasks than threads: a source cannot race
//! ahead of the consumers that drain it. When nothing runs, the next task starts whatever it
//! needs — the only alternative would be to stop, and planning already refused a task that could
//! not fit on its own.

use crate::memory::projected_task_bytes;
use crate::task::{TaskGraph, TaskId};
use std::collections::VecDeque;
use std::sync::Mutex;

pub(super) struct Admission<'g> {
    graph: &'g TaskGraph,
    limit: usize,
    max_running: usize,
    state: Mutex<State>,
}

struct State {
    consumers: Vec<TaskId>,
    sources: VecDeque<TaskId>,
    running: usize,
    running_bytes: usize,
    held: usize,
    peak: usize,
}

impl<'g> Admission<'g> {
    /// `sources`: the tasks ready at the start, in id order.
    pub(super) fn new(
        graph: &'g TaskGraph,
        sources: impl Iterator<Item = TaskId>,
        limit: usize,
        max_running: usize,
    ) -> Self {
        let sources = sources.collect();
        Admission {
            graph,
            limit,
            max_running: max_running.max(1),
            state: Mutex::new(State {
                consumers: Vec::new(),
                sources,
                running: 0,
                running_bytes: 0,
                held: 0,
                peak: 0,
            }),
        }
    }

    /// The tasks to start at the beginning of the run.
    pub(super) fn start(&self) -> Vec<TaskId> {
        let mut s = self.lock();
        self.admit(&mut s)
    }

    /// Records a finished task (`held_added` bytes of its value kept for consumers or as an
    /// output, `held_freed` bytes of inputs dropped, `ready` consumers it made ready) and returns
    /// the tasks to start now.
    pub(super) fn finished(
        &self,
        id: TaskId,
        held_added: usize,
        held_freed: usize,
        ready: &[TaskId],
    ) -> Vec<TaskId> {
        let mut s = self.lock();
        s.running -= 1;
        s.running_bytes -= projected_task_bytes(&self.graph.tasks[id]);
        s.held = (s.held + held_added).saturating_sub(held_freed);
        s.consumers.extend_from_slice(ready);
        self.admit(&mut s)
    }

    /// A task that failed or was cancelled gives back its slot (no value, nothing freed).
    pub(super) fn abandoned(&self, id: TaskId) {
        let mut s = self.lock();
        s.running -= 1;
        s.running_bytes -= projected_task_bytes(&self.graph.tasks[id]);
    }

    /// The highest the held plus running bytes went (tests check the limit held).
    pub(super) fn peak(&self) -> usize {
        self.lock().peak
    }

    fn admit(&self, s: &mut State) -> Vec<TaskId> {
        let mut out = Vec::new();
        while s.running < self.max_running {
            let (id, from_consumers) = match s.consumers.last() {
                Some(&c) => (c, true),
                None => match s.sources.front() {
                    Some(&src) => (src, false),
                    None => break,
                },
            };
            let need = projected_task_bytes(&self.graph.tasks[id]);
            let total = s.held + s.running_bytes + need;
            if s.running > 0 && total > self.limit {
                break;
            }
            if from_consumers {
                s.consumers.pop();
            } else {
                s.sources.pop_front();
            }
            s.running += 1;
            s.running_bytes += need;
            s.peak = s.peak.max(total);
            out.push(id);
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
