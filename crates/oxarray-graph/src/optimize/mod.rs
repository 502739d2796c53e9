//! Optimizer passes over a lowered [`TaskGraph`](crate::task::TaskGraph). Each pass is one file
//! and one idea; [`optimize`] runs them in order. Passes keep tasks in topological order.

pub mod cull;
pub mod fuse;
pub mod fuse_random;
pub mod remat;

use crate::task::{TaskGraph, TaskId};

/// Fuses elementwise chains, then drops what no output needs. Returns the outputs' new ids.
pub fn optimize(graph: TaskGraph, outputs: &[TaskId]) -> (TaskGraph, Vec<TaskId>) {
    let mut graph = graph;
    fuse::fuse(&mut graph, outputs);
    fuse_random::fuse_random(&mut graph, outputs);
    cull::cull(graph, outputs)
}
