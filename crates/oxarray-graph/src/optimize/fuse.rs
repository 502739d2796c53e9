//! Fusion: an elementwise chain becomes one program per chunk, so its intermediates never leave
//! the cache. Rules, applied to each task in topological order:
//! - a program whose only consumer is a program of the same block shape is inlined into it;
//! - a constant block (`Fill`) read by a program becomes a constant of that program;
//! - a program whose only consumer is a reduction's per-chunk task is evaluated inside that task.

use crate::program::FusedProgram;
use crate::task::{TaskGraph, TaskId, TaskKind};

pub fn fuse(graph: &mut TaskGraph, outputs: &[TaskId]) {
    let consumers = graph.consumers();
    let n_consumers: Vec<usize> = consumers.iter().map(|c| c.len()).collect();
    let mut is_output = vec![false; graph.len()];
    for &o in outputs {
        is_output[o] = true;
    }
    let private = |p: TaskId| n_consumers[p] == 1 && !is_output[p];
    for c in 0..graph.len() {
        match &graph.tasks[c].kind {
            TaskKind::Program(_) => {
                inline_constants(graph, c);
                // Inline producers until none is left to inline (each inlining may expose more).
                while let Some(p) = graph.tasks[c].deps.iter().copied().find(|&p| {
                    private(p)
                        && matches!(graph.tasks[p].kind, TaskKind::Program(_))
                        && graph.tasks[p].shape == graph.tasks[c].shape
                }) {
                    inline_program(graph, c, p);
                }
            }
            TaskKind::ReducePartial { program: None, .. } => {
                let p = graph.tasks[c].deps[0];
                if private(p) {
                    if let TaskKind::Program(prog) = &mut graph.tasks[p].kind {
                        // The producer is private, so cull drops it: move its program and deps.
                        let prog = std::mem::take(prog);
                        let deps = std::mem::take(&mut graph.tasks[p].deps);
                        if let TaskKind::ReducePartial { program, .. } = &mut graph.tasks[c].kind {
                            *program = Some(prog);
                        }
                        graph.tasks[c].deps = deps;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Inlines every `Fill` dependency of program task `c` as a constant.
fn inline_constants(graph: &mut TaskGraph, c: TaskId) {
    loop {
        let deps = &graph.tasks[c].deps;
        let Some(k) = deps
            .iter()
            .position(|&d| matches!(graph.tasks[d].kind, TaskKind::Fill(_)))
        else {
            return;
        };
        let TaskKind::Fill(value) = graph.tasks[deps[k]].kind else {
            return;
        };
        let TaskKind::Program(prog) = &graph.tasks[c].kind else {
            return;
        };
        let new = prog.inline_const(k, value, |i| if i > k { i - 1 } else { i });
        graph.tasks[c].kind = TaskKind::Program(new);
        graph.tasks[c].deps.remove(k);
    }
}

/// Inlines program task `p` (a dependency of program task `c`, at one or more positions) into `c`.
fn inline_program(graph: &mut TaskGraph, c: TaskId, p: TaskId) {
    let (TaskKind::Program(outer), TaskKind::Program(inner)) =
        (&graph.tasks[c].kind, &graph.tasks[p].kind)
    else {
        return;
    };
    let c_deps = &graph.tasks[c].deps;
    let p_deps = &graph.tasks[p].deps;
    let mut deps: Vec<TaskId> = Vec::with_capacity(c_deps.len() + p_deps.len());
    let index_of = |t: TaskId, deps: &mut Vec<TaskId>| match deps.iter().position(|&d| d == t) {
        Some(i) => i,
        None => {
            deps.push(t);
            deps.len() - 1
        }
    };
    let outer_inputs: Vec<usize> = c_deps
        .iter()
        .map(|&d| {
            if d == p {
                usize::MAX
            } else {
                index_of(d, &mut deps)
            }
        })
        .collect();
    let inner_inputs: Vec<usize> = p_deps.iter().map(|&d| index_of(d, &mut deps)).collect();
    let ks: Vec<usize> = c_deps
        .iter()
        .enumerate()
        .filter(|(_, &d)| d == p)
        .map(|(k, _)| k)
        .collect();
    let fused: FusedProgram = outer.inline(&ks, inner, &inner_inputs, &outer_inputs);
    graph.tasks[c].kind = TaskKind::Program(fused);
    graph.tasks[c].deps = deps;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Instr;
    use crate::task::Task;
    use oxarray_core::ops::{BinaryOp, UnaryOp};
    use oxarray_core::{DType, Scalar};

    /// Builds `sqrt(x * x + 1)` over one block and checks that it becomes a single program task
    /// reading only x (the graph is inspected, never executed).
    #[test]
    fn chain_becomes_one_program() {
        let f = DType::Float64;
        let mut g = TaskGraph::default();
        let task = |kind, deps| Task {
            kind,
            deps,
            shape: vec![4],
            dtype: f,
        };
        let x = g.push(task(TaskKind::Fill(Scalar::Float(2.0)), vec![]));
        let x = g.push(task(
            TaskKind::Program(FusedProgram::single(1, &[f], |r| Instr::Cast(r[0]), f)),
            vec![x],
        ));
        let one = g.push(task(TaskKind::Fill(Scalar::Float(1.0)), vec![]));
        let sq = g.push(task(
            TaskKind::Program(FusedProgram::single(
                2,
                &[f, f],
                |r| Instr::Binary(BinaryOp::Multiply, r[0], r[1]),
                f,
            )),
            vec![x, x],
        ));
        let add = g.push(task(
            TaskKind::Program(FusedProgram::single(
                2,
                &[f, f],
                |r| Instr::Binary(BinaryOp::Add, r[0], r[1]),
                f,
            )),
            vec![sq, one],
        ));
        let out = g.push(task(
            TaskKind::Program(FusedProgram::single(
                1,
                &[f],
                |r| Instr::Unary(UnaryOp::Sqrt, r[0]),
                f,
            )),
            vec![add],
        ));
        let (g, outs) = crate::optimize::optimize(g, &[out]);
        assert_eq!(outs.len(), 1);
        let programs = g
            .tasks
            .iter()
            .filter(|t| matches!(t.kind, TaskKind::Program(_)))
            .count();
        assert_eq!(programs, 1, "{g:#?}");
        let TaskKind::Program(p) = &g.tasks[outs[0]].kind else {
            panic!("not a program")
        };
        assert_eq!(p.op_count(), 4);
        assert!(
            g.tasks[outs[0]].deps.is_empty(),
            "the fill source was inlined as a constant"
        );
    }
}
