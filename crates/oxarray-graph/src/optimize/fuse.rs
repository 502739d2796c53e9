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
use oxarray_core::Scalar;
use std::collections::HashMap;
use std::sync::{Arc, Weak};

pub fn fuse(graph: &mut TaskGraph, outputs: &[TaskId]) {
    // Readers that no output needs do not count (the `.T` tasks a contraction reads through,
    // for one): `cull` drops them after this pass.
    let live = live_tasks(graph, outputs);
    let n_consumers: Vec<usize> = {
        let consumers = graph.consumers();
        (0..graph.len())
            .map(|id| consumers.of(id).iter().filter(|&&c| live[c]).count())
            .collect()
    };
    let mut is_output = vec![false; graph.len()];
    for &o in outputs {
        is_output[o] = true;
    }
    let private = |p: TaskId| n_consumers[p] == 1 && !is_output[p];
    // A private producer is inlined once; its task is left empty for `cull` to drop.
    let mut inlined = vec![false; graph.len()];
    let mut memo = Rewrites::default();
    for (c, &alive) in live.iter().enumerate() {
        if !alive {
            continue;
        }
        match &graph.tasks[c].kind {
            TaskKind::Program(_) => {
                inline_constants(graph, c, &mut memo);
                // Inlining a producer exposes its own inputs as candidates; the others were
                // already looked at and cannot become inlinable.
                let mut candidates: Vec<TaskId> = graph.tasks[c].deps.clone();
                while let Some(p) = candidates.pop() {
                    let fits = !inlined[p]
                        && private(p)
                        && matches!(&graph.tasks[p].kind, TaskKind::Program(q) if !q.steps().is_empty())
                        && graph.tasks[p].shape == graph.tasks[c].shape;
                    if fits {
                        candidates.extend_from_slice(&graph.tasks[p].deps);
                        inline_program(graph, c, p, &mut memo);
                        inlined[p] = true;
                    }
                }
            }
            TaskKind::ReducePartial { program: None, .. } => {
                let p = graph.tasks[c].deps[0];
                if private(p) && matches!(graph.tasks[p].kind, TaskKind::Program(_)) {
                    let empty = TaskKind::Program(Arc::default());
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
            TaskKind::Contract(_) => {
                if let Some(&p) = graph.tasks[c].deps.first() {
                    if !inlined[p] && crate::contract::absorb(graph, c, private) {
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
        dedup_inputs(prog, &mut t.deps, &mut memo);
    }
}

/// The tasks some output needs (tasks are in topological order: readers after what they read).
fn live_tasks(graph: &TaskGraph, outputs: &[TaskId]) -> Vec<bool> {
    let mut live = vec![false; graph.len()];
    for &o in outputs {
        live[o] = true;
    }
    for id in (0..graph.len()).rev() {
        if live[id] {
            for &d in &graph.tasks[id].deps {
                live[d] = true;
            }
        }
    }
    live
}

/// The rewritten programs already made, by what they were made from. The blocks of one node
/// share one program and undergo the same rewrites, so a rewrite of a shared program is done
/// once and its result shared. Entries hold weak references: a program is kept no longer than
/// its tasks need it, yet its address is not reused while a key names it.
#[derive(Default)]
struct Rewrites {
    made: HashMap<RewriteKey, (Vec<Weak<FusedProgram>>, Weak<FusedProgram>)>,
}

#[derive(PartialEq, Eq, Hash)]
enum RewriteKey {
    /// Program, and per input the bits of the constant it becomes (dtype tag and value).
    Constants(usize, Vec<Option<(u8, u128)>>),
    /// Producer, consumer, and where the consumer's inputs go.
    Inline(usize, usize, Vec<usize>),
    /// Program and its input renumbering.
    Renumber(usize, Vec<usize>),
}

/// Entries kept at most: a graph whose blocks all differ gains nothing from the memo.
const MAX_REWRITES: usize = 256;

impl Rewrites {
    /// The program `make` builds from `sources`, made once per key while it is alive. A source
    /// that no other task shares is rewritten in place (`make` gets it by value), so a chain
    /// private to one block is fused by moving its program, never copying it.
    fn rewrite(
        &mut self,
        key: RewriteKey,
        source: Arc<FusedProgram>,
        others: &[&Arc<FusedProgram>],
        make: impl FnOnce(FusedProgram) -> FusedProgram,
    ) -> Arc<FusedProgram> {
        let source = match Arc::try_unwrap(source) {
            Ok(unique) => return Arc::new(make(unique)),
            Err(shared) => shared,
        };
        if let Some(made) = self.made.get(&key).and_then(|(_, m)| m.upgrade()) {
            return made;
        }
        let made = Arc::new(make(FusedProgram::clone(&source)));
        if self.made.len() >= MAX_REWRITES {
            self.made.clear();
        }
        let mut kept: Vec<Weak<FusedProgram>> = others.iter().map(|s| Arc::downgrade(s)).collect();
        kept.push(Arc::downgrade(&source));
        self.made.insert(key, (kept, Arc::downgrade(&made)));
        made
    }
}

fn address(p: &Arc<FusedProgram>) -> usize {
    Arc::as_ptr(p) as usize
}

/// A constant as hashable bits: equal bits, equal constant (NaN included).
fn scalar_bits(v: &Scalar) -> (u8, u128) {
    match *v {
        Scalar::Bool(b) => (0, b as u128),
        Scalar::Int(i) => (1, i as u128),
        Scalar::UInt(u) => (2, u as u128),
        Scalar::Float(f) => (3, f.to_bits() as u128),
        Scalar::Complex(re, im) => (4, ((re.to_bits() as u128) << 64) | im.to_bits() as u128),
    }
}

/// Inlines every `Fill` dependency of program task `c` as a constant, in one pass.
fn inline_constants(graph: &mut TaskGraph, c: TaskId, memo: &mut Rewrites) {
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
    let task = &mut graph.tasks[c];
    if let TaskKind::Program(prog) = &mut task.kind {
        let key = RewriteKey::Constants(
            address(prog),
            consts.iter().map(|v| v.as_ref().map(scalar_bits)).collect(),
        );
        *prog = memo.rewrite(key, std::mem::take(prog), &[], |mut p| {
            p.inline_consts(&consts, &renumber);
            p
        });
        task.deps = kept;
    }
}

/// Inlines program task `p` (a dependency of program task `c`, at one or more positions) into
/// `c`: `p`'s program and dependencies are moved into `c`, `c`'s instructions appended.
fn inline_program(graph: &mut TaskGraph, c: TaskId, p: TaskId, memo: &mut Rewrites) {
    let empty = TaskKind::Program(Arc::default());
    let TaskKind::Program(inner) = std::mem::replace(&mut graph.tasks[p].kind, empty) else {
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
        let key = RewriteKey::Inline(address(&inner), address(outer), outer_inputs.clone());
        let made = memo.rewrite(key, inner, &[outer], |mut fused| {
            fused.append(outer, &outer_inputs);
            fused
        });
        graph.tasks[c].kind = TaskKind::Program(made);
    }
    graph.tasks[c].deps = deps;
}

/// One input per distinct dependency (inlining appends a task its consumer already read).
fn dedup_inputs(prog: &mut Arc<FusedProgram>, deps: &mut Vec<TaskId>, memo: &mut Rewrites) {
    if deps.len() <= 1 {
        return;
    }
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
        let key = RewriteKey::Renumber(address(prog), renumber.clone());
        *prog = memo.rewrite(key, std::mem::take(prog), &[], |mut p| {
            p.renumber_inputs(&renumber);
            p
        });
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
            shape: vec![4].into(),
            dtype: f,
        };
        let x = g.push(task(TaskKind::Fill(Scalar::Float(2.0)), vec![]));
        let x = g.push(task(
            TaskKind::Program(Arc::new(FusedProgram::single(
                1,
                &[f],
                |r| Instr::Cast(r[0]),
                f,
            ))),
            vec![x],
        ));
        let one = g.push(task(TaskKind::Fill(Scalar::Float(1.0)), vec![]));
        let sq = g.push(task(
            TaskKind::Program(Arc::new(FusedProgram::single(
                2,
                &[f, f],
                |r| Instr::Binary(BinaryOp::Multiply, r[0], r[1]),
                f,
            ))),
            vec![x, x],
        ));
        let add = g.push(task(
            TaskKind::Program(Arc::new(FusedProgram::single(
                2,
                &[f, f],
                |r| Instr::Binary(BinaryOp::Add, r[0], r[1]),
                f,
            ))),
            vec![sq, one],
        ));
        let out = g.push(task(
            TaskKind::Program(Arc::new(FusedProgram::single(
                1,
                &[f],
                |r| Instr::Unary(UnaryOp::Sqrt, r[0]),
                f,
            ))),
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
            shape: vec![4].into(),
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
            y = g.push(task(TaskKind::Program(Arc::new(add)), vec![y, one]));
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
