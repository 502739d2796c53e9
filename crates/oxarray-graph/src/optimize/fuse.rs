//! Fusion: an elementwise chain becomes one program per chunk, so its intermediates never leave
//! the cache. Rules, applied to each task in topological order:
//! - a program whose only consumer is a program of the same block shape is inlined into it;
//! - a constant block (`Fill`) read by a program becomes a constant of that program;
//! - a program whose only consumer is a reduction's per-chunk task is evaluated inside that task.
//!
//! Fusing an n-deep chain is O(n): an inlined producer's program is moved (never copied) into its
//! consumer, and the consumer's few instructions are appended to it.

use crate::program::FusedProgram;
use crate::task::{TaskGraph, TaskId, TaskKind};
use std::collections::HashMap;

pub fn fuse(graph: &mut TaskGraph, outputs: &[TaskId]) {
    let consumers = graph.consumers();
    let n_consumers: Vec<usize> = consumers.iter().map(|c| c.len()).collect();
    drop(consumers);
    let mut is_output = vec![false; graph.len()];
    for &o in outputs {
        is_output[o] = true;
    }
    let private = |p: TaskId| n_consumers[p] == 1 && !is_output[p];
    // A private producer is inlined once; its task is left empty for `cull` to drop.
    let mut inlined = vec![false; graph.len()];
    for c in 0..graph.len() {
        match &graph.tasks[c].kind {
            TaskKind::Program(_) => {
                inline_constants(graph, c);
                // Inlining a producer exposes its own inputs as candidates; the others were
                // already looked at and cannot become inlinable.
                let mut candidates: Vec<TaskId> = graph.tasks[c].deps.clone();
                while let Some(p) = candidates.pop() {
                    let fits = !inlined[p]
                        && private(p)
                        && matches!(&graph.tasks[p].kind, TaskKind::Program(q) if !q.steps.is_empty())
                        && graph.tasks[p].shape == graph.tasks[c].shape;
                    if fits {
                        candidates.extend_from_slice(&graph.tasks[p].deps);
                        inline_program(graph, c, p);
                        inlined[p] = true;
                    }
                }
            }
            TaskKind::ReducePartial { program: None, .. } => {
                let p = graph.tasks[c].deps[0];
                if private(p) && matches!(graph.tasks[p].kind, TaskKind::Program(_)) {
                    let empty = TaskKind::Program(FusedProgram::default());
                    if let TaskKind::Program(prog) =
                        std::mem::replace(&mut graph.tasks[p].kind, empty)
                    {
                        let deps = std::mem::take(&mut graph.tasks[p].deps);
                        if let TaskKind::ReducePartial { program, .. } = &mut graph.tasks[c].kind {
                            *program = Some(prog);
                        }
                        graph.tasks[c].deps = deps;
                        inlined[p] = true;
                    }
                }
            }
            _ => {}
        }
    }
    for t in &mut graph.tasks {
        let prog = match &mut t.kind {
            TaskKind::Program(p) => p,
            TaskKind::ReducePartial {
                program: Some(p), ..
            } => p,
            _ => continue,
        };
        dedup_inputs(prog, &mut t.deps);
    }
}

/// Inlines every `Fill` dependency of program task `c` as a constant, in one pass.
fn inline_constants(graph: &mut TaskGraph, c: TaskId) {
    let deps = &graph.tasks[c].deps;
    let consts: Vec<_> = deps
        .iter()
        .map(|&d| match graph.tasks[d].kind {
            TaskKind::Fill(v) => Some(v),
            _ => None,
        })
        .collect();
    if consts.iter().all(Option::is_none) {
        return;
    }
    let mut renumber = vec![usize::MAX; deps.len()];
    let mut kept = Vec::with_capacity(deps.len());
    for (k, &d) in deps.iter().enumerate() {
        if consts[k].is_none() {
            renumber[k] = kept.len();
            kept.push(d);
        }
    }
    if let TaskKind::Program(prog) = &mut graph.tasks[c].kind {
        prog.inline_consts(&consts, &renumber);
        graph.tasks[c].deps = kept;
    }
}

/// Inlines program task `p` (a dependency of program task `c`, at one or more positions) into
/// `c`: `p`'s program and dependencies are moved into `c`, `c`'s instructions appended.
fn inline_program(graph: &mut TaskGraph, c: TaskId, p: TaskId) {
    let empty = TaskKind::Program(FusedProgram::default());
    let TaskKind::Program(mut fused) = std::mem::replace(&mut graph.tasks[p].kind, empty) else {
        return;
    };
    let mut deps = std::mem::take(&mut graph.tasks[p].deps);
    let c_deps = std::mem::take(&mut graph.tasks[c].deps);
    let outer_inputs: Vec<usize> = c_deps
        .iter()
        .map(|&d| {
            if d == p {
                usize::MAX
            } else {
                deps.push(d);
                deps.len() - 1
            }
        })
        .collect();
    if let TaskKind::Program(outer) = &graph.tasks[c].kind {
        fused.append(outer, &outer_inputs);
    }
    graph.tasks[c].kind = TaskKind::Program(fused);
    graph.tasks[c].deps = deps;
}

/// One input per distinct dependency (inlining appends a task its consumer already read).
fn dedup_inputs(prog: &mut FusedProgram, deps: &mut Vec<TaskId>) {
    let mut first: HashMap<TaskId, usize> = HashMap::with_capacity(deps.len());
    let mut kept = Vec::with_capacity(deps.len());
    let renumber: Vec<usize> = deps
        .iter()
        .map(|&d| {
            *first.entry(d).or_insert_with(|| {
                kept.push(d);
                kept.len() - 1
            })
        })
        .collect();
    if kept.len() != deps.len() {
        prog.renumber_inputs(&renumber);
        *deps = kept;
    }
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

    /// `y = y + 1` 50,000 times fuses into one program of 50,000 ops reading one input, and
    /// does so by moving programs (a copy per link would be 10^9 steps and take minutes).
    #[test]
    fn deep_chain_fuses_linearly() {
        let f = DType::Float64;
        let mut g = TaskGraph::default();
        let task = |kind, deps| Task {
            kind,
            deps,
            shape: vec![4],
            dtype: f,
        };
        let x = g.push(task(
            TaskKind::Literal(std::sync::Arc::new(
                crate::result::chunk_from_vec(&[4], vec![0.0; 4]).unwrap(),
            )),
            vec![],
        ));
        let mut y = x;
        for _ in 0..50_000 {
            let one = g.push(task(TaskKind::Fill(Scalar::Float(1.0)), vec![]));
            let add =
                FusedProgram::single(2, &[f, f], |r| Instr::Binary(BinaryOp::Add, r[0], r[1]), f);
            y = g.push(task(TaskKind::Program(add), vec![y, one]));
        }
        let (g, outs) = crate::optimize::optimize(g, &[y]);
        assert_eq!(g.len(), 2);
        let TaskKind::Program(p) = &g.tasks[outs[0]].kind else {
            panic!("not a program")
        };
        assert_eq!(p.op_count(), 50_000);
        assert_eq!(g.tasks[outs[0]].deps, vec![0]);
    }
}
