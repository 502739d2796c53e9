//! Culling: keep only the tasks some output needs (slicing `x[:10]` needs few of x's blocks).

use crate::task::{TaskGraph, TaskId};

/// The sub-graph reachable from `outputs`, renumbered in the same (topological) order.
pub fn cull(graph: TaskGraph, outputs: &[TaskId]) -> (TaskGraph, Vec<TaskId>) {
    let n = graph.tasks.len();
    let mut needed = vec![false; n];
    for &o in outputs {
        needed[o] = true;
    }
    // Consumers have larger ids than their dependencies, so one backward sweep suffices.
    for id in (0..n).rev() {
        if needed[id] {
            for &d in &graph.tasks[id].deps {
                needed[d] = true;
            }
        }
    }
    // Compacted in place: a million-task plan is not held twice.
    let mut new_id = vec![usize::MAX; n];
    let mut graph = graph;
    let mut kept = 0;
    for id in 0..n {
        if needed[id] {
            graph.tasks.swap(kept, id);
            let task = &mut graph.tasks[kept];
            task.deps.iter_mut().for_each(|d| *d = new_id[*d]);
            new_id[id] = kept;
            kept += 1;
        }
    }
    graph.tasks.truncate(kept);
    // The plan is held for the whole run (and reported by `explain()`): room left by culled
    // tasks or by lowering's reservations is given back when it is over a quarter of the list.
    if graph.tasks.capacity() - kept > kept / 4 {
        graph.tasks.shrink_to_fit();
    }
    let outputs = outputs.iter().map(|&o| new_id[o]).collect();
    (graph, outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Task, TaskKind};
    use oxarray_core::{DType, Scalar};

    #[test]
    fn drops_unneeded_tasks() {
        let mut g = TaskGraph::default();
        let fill = |g: &mut TaskGraph, deps: Vec<TaskId>| {
            g.push(Task {
                kind: TaskKind::Fill(Scalar::Int(0)),
                deps,
                shape: vec![1].into(),
                dtype: DType::Int8,
            })
        };
        let a = fill(&mut g, vec![]);
        let _b = fill(&mut g, vec![]);
        let c = fill(&mut g, vec![a]);
        let (g2, outs) = cull(g, &[c]);
        assert_eq!(g2.len(), 2);
        assert_eq!(outs, vec![1]);
        assert_eq!(g2.tasks[1].deps, vec![0]);
    }
}
