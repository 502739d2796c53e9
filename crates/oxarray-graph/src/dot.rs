//! Pictures and plans: the optimized task graph as Graphviz DOT, and a text summary of it.

use crate::task::TaskGraph;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn to_dot(graph: &TaskGraph, outputs: &[usize]) -> String {
    let mut s =
        String::from("digraph oxarray {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n");
    // A lookup table, not `outputs.contains`: a graph of 10^6 output blocks must stay linear.
    let mut is_output = vec![false; graph.len()];
    for &o in outputs {
        if let Some(x) = is_output.get_mut(o) {
            *x = true;
        }
    }
    for (id, t) in graph.tasks.iter().enumerate() {
        let shape: Vec<String> = t.shape.iter().map(|d| d.to_string()).collect();
        let style = if is_output[id] { ", style=bold" } else { "" };
        let _ = writeln!(
            s,
            "  t{id} [label=\"{}\\n({}) {}\"{style}];",
            t.label(),
            shape.join(","),
            t.dtype
        );
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
