//! Pictures and plans: the optimized task graph as Graphviz DOT, and a text summary of it.

use crate::task::TaskGraph;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One task as the pictures show it (DOT here, SVG in [`crate::draw`]).
pub struct DrawnTask {
    /// The task's kind (`fused`, `reduce-chunk`, ...): the colour of its box.
    pub kind: &'static str,
    /// The shape and dtype of its block, as `(2,3) float64`.
    pub detail: String,
    pub deps: Vec<usize>,
    /// Whether the task makes a block of a requested result.
    pub output: bool,
}

/// The walk both pictures share: every task with its kind, block and inputs.
pub fn drawn_tasks(graph: &TaskGraph, outputs: &[usize]) -> Vec<DrawnTask> {
    // A lookup table, not `outputs.contains`: a graph of 10^6 output blocks must stay linear.
    let mut is_output = vec![false; graph.len()];
    for &o in outputs {
        if let Some(x) = is_output.get_mut(o) {
            *x = true;
        }
    }
    graph
        .tasks
        .iter()
        .zip(is_output)
        .map(|(t, output)| {
            let shape: Vec<String> = t.shape.iter().map(|d| d.to_string()).collect();
            DrawnTask {
                kind: t.label(),
                detail: format!("({}) {}", shape.join(","), t.dtype),
                deps: t.deps.clone(),
                output,
            }
        })
        .collect()
}

pub fn to_dot(graph: &TaskGraph, outputs: &[usize]) -> String {
    tasks_to_dot(&drawn_tasks(graph, outputs))
}

/// DOT of tasks from [`drawn_tasks`].
pub fn tasks_to_dot(tasks: &[DrawnTask]) -> String {
    let mut s =
        String::from("digraph oxarray {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n");
    for (id, t) in tasks.iter().enumerate() {
        let style = if t.output { ", style=bold" } else { "" };
        let _ = writeln!(s, "  t{id} [label=\"{}\\n{}\"{style}];", t.kind, t.detail);
        for d in &t.deps {
            let _ = writeln!(s, "  t{d} -> t{id};");
        }
    }
    s.push_str("}\n");
    s
}

/// Task counts by kind, the fused programs' sizes and the bytes the outputs will take.
pub fn explain(graph: &TaskGraph, outputs: &[usize]) -> String {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fused_ops = 0;
    for t in &graph.tasks {
        *kinds.entry(t.label()).or_default() += 1;
        // Programs run as tasks of their own or inside a reduction's per-chunk tasks.
        let program = match &t.kind {
            crate::task::TaskKind::Program(p) => Some(p),
            crate::task::TaskKind::ReducePartial { program, .. } => program.as_ref(),
            _ => None,
        };
        if let Some(p) = program {
            fused_ops = fused_ops.max(p.op_count());
        }
    }
    let out_bytes: usize = outputs.iter().map(|&o| graph.tasks[o].nbytes()).sum();
    let largest = graph.tasks.iter().map(|t| t.nbytes()).max().unwrap_or(0);
    let mut s = format!("{} tasks\n", graph.len());
    for (k, n) in &kinds {
        let _ = writeln!(s, "  {k:<18} {n}");
    }
    let _ = writeln!(s, "largest fused program: {fused_ops} ops per element");
    let _ = writeln!(
        s,
        "output bytes: {out_bytes}; largest block: {largest} bytes"
    );
    s
}

/// The memory lines of `explain()`: the run's projected peak against the limit, the largest task,
/// the sources recomputed to stay under the limit, or why the plan cannot run.
pub fn memory_summary(plan: &crate::Plan) -> String {
    use crate::memory::{format_bytes, largest_task, projected_peak};
    let g = &plan.graph;
    let peak = projected_peak(g, rayon::current_num_threads()).saturating_add(plan.result_bytes);
    let mut s = format!(
        "projected peak memory: {} (memory limit {}; results {})\n",
        format_bytes(peak),
        format_bytes(plan.memory_limit),
        format_bytes(plan.result_bytes)
    );
    let graph = crate::graph_bytes::graph_bytes(g);
    let _ = writeln!(
        s,
        "graph memory: {} ({} bytes per task)",
        format_bytes(graph),
        graph / g.len().max(1)
    );
    if let Some((id, bytes)) = largest_task(g) {
        let _ = writeln!(
            s,
            "largest task: {} ({} with its scratch)",
            g.tasks[id].label(),
            format_bytes(bytes)
        );
    }
    if plan.recomputed > 0 {
        let _ = writeln!(
            s,
            "recomputed sources: {} (made again for each reader rather than held)",
            plan.recomputed
        );
    }
    if let Err(e) = crate::memory::check_fits(g, plan.result_bytes, plan.memory_limit) {
        let _ = writeln!(s, "does not fit (MemoryError at compute): {e}");
    }
    s
}
