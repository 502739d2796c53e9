//! Recompute cheap sources rather than hold them.
//!
//! In `x - x.mean()` every block of `x` is read twice: by the mean, and by the subtraction that
//! can only start when the mean is known. Held for the second reader, all of `x` would be in
//! memory at once. When the projected peak of a plan is over the memory limit, a source that
//! costs nothing to make again (random numbers are a pure function of their stream and offset;
//! `full`, `arange`, `linspace`, `eye` of their parameters) gets one copy per reader, placed just
//! before it, so each copy lives only as long as its one reader needs it.

use crate::task::{TaskGraph, TaskId, TaskKind};

/// Whether a task is a source that is cheaper to make again than to keep.
pub fn is_recomputable(kind: &TaskKind) -> bool {
    matches!(
        kind,
        TaskKind::Fill(_)
            | TaskKind::Arange { .. }
            | TaskKind::Linspace { .. }
            | TaskKind::Eye { .. }
            | TaskKind::Random { .. }
    ) || matches!(kind, TaskKind::Callback(f, _) if f.0.recomputable())
}

/// Gives every reader after the first of a recomputable source its own copy. Returns the new
/// graph, the outputs' new ids and how many copies were made.
pub fn rematerialize(graph: TaskGraph, outputs: &[TaskId]) -> (TaskGraph, Vec<TaskId>, usize) {
    let consumers = graph.consumers();
    let shared: Vec<bool> = graph
        .tasks
        .iter()
        .enumerate()
        .map(|(id, t)| is_recomputable(&t.kind) && consumers.count(id) > 1)
        .collect();
    if !shared.contains(&true) {
        return (graph, outputs.to_vec(), 0);
    }
    let mut out = TaskGraph::default();
    let mut new_id = vec![0; graph.len()];
    let mut copies = 0;
    for (id, mut task) in graph.tasks.into_iter().enumerate() {
        let mut own: Vec<(TaskId, TaskId)> = Vec::new();
        for d in task.deps.iter_mut() {
            let first_reader = consumers.of(*d).first() == Some(&id);
            if shared[*d] && !first_reader {
                let copy = match own.iter().find(|(old, _)| old == d) {
                    Some(&(_, c)) => c,
                    None => {
                        let original = out.tasks[new_id[*d]].clone();
                        let c = out.push(original);
                        copies += 1;
                        own.push((*d, c));
                        c
                    }
                };
                *d = copy;
            } else {
                *d = new_id[*d];
            }
        }
        new_id[id] = out.push(task);
    }
    let outputs = outputs.iter().map(|&o| new_id[o]).collect();
    (out, outputs, copies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Task;
    use oxarray_core::{DType, Scalar};

    fn task(kind: TaskKind, deps: Vec<TaskId>) -> Task {
        Task {
            kind,
            deps,
            shape: vec![4].into(),
            dtype: DType::Float64,
        }
    }

    #[test]
    fn each_later_reader_gets_its_own_copy_in_order() {
        let mut g = TaskGraph::default();
        let src = g.push(task(TaskKind::Fill(Scalar::Float(1.0)), vec![]));
        let a = g.push(task(TaskKind::Reshape, vec![src]));
        let b = g.push(task(TaskKind::Reshape, vec![a, src, src]));
        let (g2, outs, copies) = rematerialize(g, &[b]);
        assert_eq!(copies, 1);
        assert_eq!(g2.len(), 4);
        let last = &g2.tasks[outs[0]];
        assert_eq!(last.deps, vec![1, 2, 2]);
        assert!(matches!(g2.tasks[2].kind, TaskKind::Fill(_)));
        // Topological order holds.
        for (id, t) in g2.tasks.iter().enumerate() {
            assert!(t.deps.iter().all(|&d| d < id));
        }
    }
}
