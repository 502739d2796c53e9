//! What a task graph itself takes in memory (its bookkeeping, not the chunks it computes), for
//! `explain()`: at a million chunks the plan is a memory cost of its own.
//!
//! Counted: the task array, each task's dependency list and the vectors its kind owns, and the
//! shared parts (block shapes, fused programs, a reduction's axes) once per distinct allocation.
//! Literal data is not the graph's: it is resident whether or not the plan exists.

use crate::program::FusedProgram;
use crate::task::{Task, TaskGraph, TaskKind};
use std::collections::HashSet;
use std::mem::size_of;

/// Bytes of `graph`'s bookkeeping (an estimate from capacities; allocator overhead aside).
pub fn graph_bytes(graph: &TaskGraph) -> usize {
    let mut shared: HashSet<usize> = HashSet::new();
    let mut bytes = graph.tasks.capacity() * size_of::<Task>();
    for t in &graph.tasks {
        bytes += t.deps.capacity() * size_of::<usize>();
        if shared.insert(t.shape.as_ptr() as usize) {
            bytes += 2 * size_of::<usize>() + size_of_val(&*t.shape);
        }
        bytes += kind_bytes(&t.kind, &mut shared);
    }
    bytes
}

/// The heap a task's kind owns (shared allocations counted at their first sight only).
fn kind_bytes(kind: &TaskKind, shared: &mut HashSet<usize>) -> usize {
    let words = |v: &[usize]| size_of_val(v);
    let program = |p: &std::sync::Arc<FusedProgram>, shared: &mut HashSet<usize>| {
        if shared.insert(std::sync::Arc::as_ptr(p) as usize) {
            size_of::<FusedProgram>() + std::mem::size_of_val(p.steps())
        } else {
            0
        }
    };
    match kind {
        TaskKind::Program(p) => program(p, shared),
        TaskKind::ReducePartial {
            offset, program: p, ..
        } => words(offset) + p.as_ref().map_or(0, |p| program(p, shared)),
        TaskKind::Random { offset, .. } => words(offset),
        TaskKind::ReduceCombine { axes, layout, .. } => words(axes) + words(layout),
        TaskKind::ReduceFinalize { axes, .. } | TaskKind::Transpose(axes) => words(axes),
        TaskKind::Assemble(pieces) => pieces
            .iter()
            .map(|p| {
                size_of_val(&*p.src)
                    + words(&p.dst_offset)
                    + size_of::<oxarray_kernels::layout::Piece>()
            })
            .sum(),
        TaskKind::Gather {
            out_offset,
            out_shape,
            in_blocks,
            ..
        } => {
            words(out_offset)
                + words(out_shape)
                + in_blocks
                    .iter()
                    .map(|b| words(b) + 3 * size_of::<usize>())
                    .sum::<usize>()
        }
        TaskKind::TakeRows(rows) => size_of_val(&**rows),
        _ => 0,
    }
}
