//! Bindings of what Python shows about graphs and runs (`oxarray.diagnostics`, `visualize`): the
//! scheduler's task counters, the profiler, and the task graph drawn as SVG or DOT. Nothing here
//! computes an array; planning runs with the GIL released.

use super::{nodes, PyNode};
use crate::errors::PyOxResult;
use oxarray_graph::{diagnostics, dot, draw};
use pyo3::prelude::*;

/// `(submitted, finished)`: tasks given to and finished by the scheduler since the process started.
#[pyfunction]
fn progress_counters() -> (usize, usize) {
    diagnostics::counters()
}

/// Starts recording time per task kind and peak memory (until the matching `profiler_stop`).
#[pyfunction]
fn profiler_start() {
    diagnostics::profiler_start()
}

/// Stops a profiler: `([(kind, tasks, seconds)], peak_bytes)`.
#[pyfunction]
fn profiler_stop() -> (Vec<(&'static str, u64, f64)>, usize) {
    let (kinds, peak) = diagnostics::profiler_stop();
    let rows = kinds
        .into_iter()
        .map(|(k, t)| (k, t.tasks, t.nanos as f64 * 1e-9))
        .collect();
    (rows, peak)
}

fn drawn(
    py: Python<'_>,
    xs: &[PyRef<'_, PyNode>],
    optimize: bool,
) -> PyOxResult<Vec<dot::DrawnTask>> {
    let ns = nodes(xs);
    let tasks = py.allow_threads(|| -> oxarray_core::OxResult<_> {
        if optimize {
            let plan = oxarray_graph::plan(&ns)?;
            Ok(dot::drawn_tasks(&plan.graph, &plan.outputs.concat()))
        } else {
            let (graph, outputs) = draw::raw_graph(&ns)?;
            Ok(dot::drawn_tasks(&graph, &outputs))
        }
    })?;
    Ok(tasks)
}

/// The task graph as SVG: `(svg, tasks, boxes, edges, summarized)`.
#[pyfunction]
#[pyo3(signature = (xs, optimize=true, max_nodes=300, color=true))]
fn graph_svg(
    py: Python<'_>,
    xs: Vec<PyRef<'_, PyNode>>,
    optimize: bool,
    max_nodes: usize,
    color: bool,
) -> PyOxResult<(String, usize, usize, usize, bool)> {
    let tasks = drawn(py, &xs, optimize)?;
    let p = py.allow_threads(|| draw::to_svg(&tasks, max_nodes, color));
    Ok((p.svg, p.tasks, p.boxes, p.edges, p.summarized))
}

/// The task graph as Graphviz DOT, optimized or as lowered.
#[pyfunction]
#[pyo3(signature = (xs, optimize=true))]
fn graph_dot(py: Python<'_>, xs: Vec<PyRef<'_, PyNode>>, optimize: bool) -> PyOxResult<String> {
    let tasks = drawn(py, &xs, optimize)?;
    Ok(dot::tasks_to_dot(&tasks))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(progress_counters, m)?)?;
    m.add_function(wrap_pyfunction!(profiler_start, m)?)?;
    m.add_function(wrap_pyfunction!(profiler_stop, m)?)?;
    m.add_function(wrap_pyfunction!(graph_svg, m)?)?;
    m.add_function(wrap_pyfunction!(graph_dot, m)?)?;
    Ok(())
}
