//! A random block read only by a reduction's per-chunk step is drawn inside that step, slab by
//! slab (`stream_reduce::random_partial`): `np.sum(ox.random.random(2**32))` then never writes a
//! block of random numbers to memory and reads it back, which costs more than the sum itself
//! and holds a block per thread.

use crate::stream_reduce::RandomReduce;
use crate::task::{TaskGraph, TaskId, TaskKind};
use std::sync::Arc;

pub fn fuse_random(graph: &mut TaskGraph, outputs: &[TaskId]) {
    let consumers = graph.consumers();
    let mut is_output = vec![false; graph.len()];
    for &o in outputs {
        is_output[o] = true;
    }
    for c in 0..graph.len() {
        let TaskKind::ReducePartial {
            op,
            axes,
            out_dtype,
            offset,
            full_shape,
            program: None,
            check,
        } = &graph.tasks[c].kind
        else {
            continue;
        };
        let &[p] = graph.tasks[c].deps.as_slice() else {
            continue;
        };
        let producer = &graph.tasks[p];
        let TaskKind::Random {
            stream,
            dist,
            offset: at,
            full_shape: of,
        } = &producer.kind
        else {
            continue;
        };
        // The reduction reads exactly this block of exactly this array.
        if consumers.count(p) != 1 || is_output[p] || at != offset || of != full_shape {
            continue;
        }
        let fused = RandomReduce {
            stream: *stream,
            dist: dist.clone(),
            offset: offset.clone(),
            full_shape: Arc::clone(full_shape),
            op: *op,
            axes: Arc::clone(axes),
            out_dtype: *out_dtype,
            check: check.clone(),
        };
        graph.tasks[c].kind = TaskKind::RandomReduce(Arc::new(fused));
        graph.tasks[c].deps.clear();
        // The producer now has no reader; `cull` drops it.
    }
}
