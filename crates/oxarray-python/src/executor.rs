//! Bindings of the executor contract (`oxarray_graph::exec::export`, issue 11): the client
//! exports a plan as tasks (`export_plan`), a worker loads the plan's graph once (`load_plan`)
//! and runs its tasks (`run_task`) on NumPy chunks with the GIL released. No numerics here.
//!
//! Values between tasks are NumPy arrays (C-contiguous, so each engine's zero-copy
//! serialization applies); a partial reduction travels as `("partial", *arrays)`, the several
//! blocks of a factorization as `("parts", *arrays)`.

use super::{nodes, PyNode};
use crate::callback::{callback_from_py, callback_to_py};
use crate::convert::{chunk_into_py, dtype_from_name, ingest};
use crate::errors::PyOxError;
use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use oxarray_core::{Chunk, ChunkGrid, OxError};
use oxarray_graph::construct as build;
use oxarray_graph::exec::export::{self, batch, TaskPlan};
use oxarray_graph::fperr::FpLog;
use oxarray_graph::serialize;
use oxarray_graph::task::{TaskKind, Value};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

const PARTIAL: &str = "partial";
const PARTS: &str = "parts";

/// A plan exported for an engine: its tasks, keys and output blocks.
#[pyclass(frozen, module = "oxarray._core", name = "ExportedPlan")]
struct PyExportedPlan {
    plan: TaskPlan,
    keys: Vec<String>,
    token: u64,
}

/// One task as `(key, kind, program, dependency keys, projected bytes)`; kind is `"data"` for
/// a block held in memory (see `literal`), `"callback"` for a per-block Python function without
/// inputs (see `callback`), `"task"` otherwise.
type TaskRow = (String, &'static str, Py<PyBytes>, Vec<String>, usize);

/// One batch: `(key, program, tasks, inputs, outputs, projected bytes)`.
type BatchRow = (
    String,
    Py<PyBytes>,
    Vec<usize>,
    Vec<usize>,
    Vec<usize>,
    usize,
);

#[pymethods]
impl PyExportedPlan {
    #[getter]
    fn token(&self) -> u64 {
        self.token
    }
    fn __len__(&self) -> usize {
        self.plan.graph.len()
    }
    fn tasks(&self, py: Python<'_>) -> Vec<TaskRow> {
        let g = &self.plan.graph;
        g.tasks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let kind = match &t.kind {
                    TaskKind::Literal(_) => "data",
                    TaskKind::Callback(..) if t.deps.is_empty() => "callback",
                    _ => "task",
                };
                let program = export::program(g, self.token, i);
                (
                    self.keys[i].clone(),
                    kind,
                    PyBytes::new(py, &program).unbind(),
                    t.deps.iter().map(|&d| self.keys[d].clone()).collect(),
                    oxarray_graph::memory::projected_task_bytes(t),
                )
            })
            .collect()
    }
    /// The block of data task `i` as a NumPy array (a copy).
    fn literal(&self, py: Python<'_>, i: usize) -> PyResult<PyObject> {
        match self.plan.graph.tasks.get(i).map(|t| &t.kind) {
            Some(TaskKind::Literal(c)) => {
                let c = export::c_contiguous(Chunk::clone(c));
                Ok(chunk_into_py(py, c))
            }
            _ => Err(PyTypeError::new_err(format!("task {i} holds no data"))),
        }
    }
    /// The Python function and block index of callback task `i`.
    fn callback(&self, py: Python<'_>, i: usize) -> PyResult<(PyObject, Vec<usize>)> {
        match self.plan.graph.tasks.get(i).map(|t| &t.kind) {
            Some(TaskKind::Callback(f, block)) => {
                // A function of the engine's own (a file source) has no Python object: None.
                let f = callback_to_py(py, f).map_or_else(|_| py.None(), |(f, _)| f);
                Ok((f, block.clone()))
            }
            _ => Err(PyTypeError::new_err(format!("task {i} is no callback"))),
        }
    }
    /// The plan's tasks grouped into batches (`exec::export::batch`), the tasks in `excluded`
    /// (data blocks, blocks an engine holds) left out: per batch `(key, program, task indices,
    /// input task indices, output task indices, projected bytes)`.
    fn batches(
        &self,
        py: Python<'_>,
        excluded: Vec<usize>,
        max_tasks: usize,
        max_bytes: usize,
    ) -> Vec<BatchRow> {
        let g = &self.plan.graph;
        let mut skip = vec![false; g.len()];
        for i in excluded {
            if let Some(s) = skip.get_mut(i) {
                *s = true;
            }
        }
        let outputs: Vec<usize> = self.plan.outputs.iter().flatten().copied().collect();
        let caps = batch::BatchCaps {
            max_tasks,
            max_bytes,
        };
        let bs = py.allow_threads(|| batch::batches(g, &outputs, &skip, caps));
        bs.into_iter()
            .map(|b| {
                let bytes = b
                    .tasks
                    .iter()
                    .map(|&t| oxarray_graph::memory::projected_task_bytes(&g.tasks[t]))
                    .fold(0usize, usize::saturating_add);
                (
                    batch::batch_key(&self.keys, &b),
                    PyBytes::new(py, &batch::batch_program(g, self.token, &b)).unbind(),
                    b.tasks,
                    b.inputs,
                    b.outputs,
                    bytes,
                )
            })
            .collect()
    }
    /// For each node, the key of each of its blocks (C order of the blocks).
    fn outputs(&self) -> Vec<Vec<String>> {
        self.plan
            .outputs
            .iter()
            .map(|o| o.iter().map(|&t| self.keys[t].clone()).collect())
            .collect()
    }
}

type Exported = (
    PyExportedPlan,
    Py<PyBytes>,
    Vec<(PyObject, String)>,
    Vec<u64>,
);

/// The plan of the nodes for an engine, and the graph the workers plan it from, as
/// `(plan, graph bytes, [(callable, name)], [errstate site])` (the tables as `graph_dumps`).
#[pyfunction]
fn export_plan(py: Python<'_>, xs: Vec<PyRef<'_, PyNode>>) -> PyResult<Exported> {
    let ns = nodes(&xs);
    let r = py.allow_threads(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let enc = serialize::encode_without_data(&ns);
            let token = export::plan_token(&enc.bytes);
            let plan = export::task_plan(&ns)?;
            let keys = export::task_keys(&plan.graph);
            Ok((enc, PyExportedPlan { plan, keys, token }))
        }))
        .unwrap_or_else(|_| Err(OxError::Internal("exporting the plan panicked".into())))
    });
    let (enc, plan) = r.map_err(PyOxError)?;
    let callbacks = enc
        .callbacks
        .iter()
        .map(|c| callback_to_py(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((
        plan,
        PyBytes::new(py, &enc.bytes).unbind(),
        callbacks,
        enc.fp_sites,
    ))
}

/// A plan loaded on a worker: the tasks its programs refer to.
#[pyclass(frozen, module = "oxarray._core", name = "WorkerPlan")]
struct PyWorkerPlan {
    plan: TaskPlan,
    token: u64,
}

/// Plans the graph of `export_plan` on a worker (`fp_sites`: registered again).
#[pyfunction]
fn load_plan(
    py: Python<'_>,
    data: &[u8],
    callbacks: Vec<(Py<PyAny>, String)>,
    fp_sites: Vec<u64>,
) -> PyResult<PyWorkerPlan> {
    let callbacks: Vec<_> = callbacks
        .into_iter()
        .map(|(f, name)| callback_from_py(f, name))
        .collect();
    let r = py.allow_threads(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let ns = serialize::decode(data, &callbacks, &fp_sites)?;
            let plan = export::task_plan(&ns)?;
            Ok(PyWorkerPlan {
                plan,
                token: export::plan_token(data),
            })
        }))
        .unwrap_or_else(|_| Err(OxError::Internal("loading the plan panicked".into())))
    });
    Ok(r.map_err(PyOxError)?)
}

fn chunk_from_py(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Chunk> {
    let arr = x
        .downcast::<PyUntypedArray>()
        .map_err(|_| PyTypeError::new_err("an oxarray task input must be a NumPy array"))?;
    let name: String = arr.dtype().getattr("name")?.extract()?;
    let dtype = dtype_from_name(&name)?;
    let grid = ChunkGrid::single(arr.shape());
    let mut blocks = ingest(py, arr, dtype, &grid, false)?;
    blocks
        .pop()
        .map(Arc::unwrap_or_clone)
        .ok_or_else(|| PyTypeError::new_err("no block ingested"))
}

fn value_from_py(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(t) = x.downcast::<PyTuple>() {
        let tag: String = t.get_item(0)?.extract()?;
        let chunks = t
            .iter()
            .skip(1)
            .map(|c| chunk_from_py(py, &c))
            .collect::<PyResult<Vec<Chunk>>>()?;
        return match tag.as_str() {
            PARTIAL => Ok(export::partial_value(chunks)),
            PARTS => Ok(Value::Parts(chunks.into_iter().map(Arc::new).collect())),
            _ => Err(PyTypeError::new_err(format!(
                "unknown oxarray task value {tag:?}"
            ))),
        };
    }
    Ok(Value::Chunk(Arc::new(chunk_from_py(py, x)?)))
}

fn value_into_py(py: Python<'_>, v: Value) -> PyResult<PyObject> {
    let tagged = |tag: &str, cs: Vec<Chunk>| -> PyResult<PyObject> {
        let mut items: Vec<PyObject> = vec![tag.into_pyobject(py)?.into_any().unbind()];
        items.extend(cs.into_iter().map(|c| chunk_into_py(py, c)));
        Ok(PyTuple::new(py, items)?.into_any().unbind())
    };
    match v {
        Value::Chunk(c) => Ok(chunk_into_py(py, Arc::unwrap_or_clone(c))),
        Value::Partial(p) => tagged(PARTIAL, export::partial_chunks(p)),
        Value::Parts(ps) => tagged(
            PARTS,
            ps.into_iter()
                .map(|c| export::c_contiguous(Arc::unwrap_or_clone(c)))
                .collect(),
        ),
        Value::Written => Err(PyTypeError::new_err("the task wrote no value")),
    }
}

/// Runs one task of `plan` on its inputs (NumPy chunks, or the tagged tuples above, in the
/// order of the task's dependencies) with the GIL released; returns its value.
#[pyfunction]
fn run_task(
    py: Python<'_>,
    program: &[u8],
    plan: PyRef<'_, PyWorkerPlan>,
    inputs: Vec<Bound<'_, PyAny>>,
) -> PyResult<PyObject> {
    let prog = export::decode_program(program).map_err(PyOxError)?;
    let values = inputs
        .iter()
        .map(|x| value_from_py(py, x))
        .collect::<PyResult<Vec<Value>>>()?;
    let log = FpLog::default();
    let cancel = AtomicBool::new(false);
    let plan = &*plan;
    let run = py
        .allow_threads(|| {
            export::run_exported(&plan.plan, plan.token, &prog, &values, &log, &cancel)
        })
        .map_err(|e| PyErr::from(PyOxError(e)));
    crate::check::issue_warnings(py)?;
    let v = crate::errstate::reported(py, &log, run)?;
    value_into_py(py, v)
}

/// Runs one batch of `plan` (a batch program of `ExportedPlan.batches`) on its inputs with the
/// GIL released; returns the values of its outputs as a tuple. A failing task's exception
/// carries its position in the batch as `oxarray_batch_position`.
#[pyfunction]
fn run_batch(
    py: Python<'_>,
    program: &[u8],
    plan: PyRef<'_, PyWorkerPlan>,
    inputs: Vec<Bound<'_, PyAny>>,
) -> PyResult<Py<PyTuple>> {
    let prog = batch::decode_batch_program(program).map_err(PyOxError)?;
    let values = inputs
        .iter()
        .map(|x| value_from_py(py, x))
        .collect::<PyResult<Vec<Value>>>()?;
    let log = FpLog::default();
    let cancel = AtomicBool::new(false);
    let plan = &*plan;
    let run =
        py.allow_threads(|| batch::run_batch(&plan.plan, plan.token, &prog, values, &log, &cancel));
    let run = run.map_err(|e| {
        let err = PyErr::from(PyOxError(e.error));
        if let Some(p) = e.position {
            let _ = err.value(py).setattr("oxarray_batch_position", p);
        }
        err
    });
    crate::check::issue_warnings(py)?;
    let vs = crate::errstate::reported(py, &log, run)?;
    let items = vs
        .into_iter()
        .map(|v| value_into_py(py, v))
        .collect::<PyResult<Vec<PyObject>>>()?;
    Ok(PyTuple::new(py, items)?.unbind())
}

/// A literal node of `shape` cut by `chunks` from its blocks (NumPy arrays, blocks in C order):
/// how a client assembles the chunks an engine computed (the copy into one result is then the
/// engine's, by `compute`).
#[pyfunction]
fn literal_from_blocks(
    py: Python<'_>,
    shape: Vec<usize>,
    dtype: &str,
    chunks: &Bound<'_, PyAny>,
    blocks: Vec<Bound<'_, PyAny>>,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let grid = super::grid_for(chunks, &shape, dtype)?;
    let mut cs = Vec::with_capacity(blocks.len());
    for (b, x) in blocks.iter().enumerate() {
        let c = chunk_from_py(py, x)?;
        if b >= grid.nblocks()
            || c.dtype() != dtype
            || c.shape() != grid.block_shape(&grid.unravel(b)).as_slice()
        {
            return Err(PyTypeError::new_err(format!(
                "block {b} of the result has shape {:?} and dtype {}, not the plan's",
                c.shape(),
                c.dtype()
            )));
        }
        cs.push(Arc::new(c));
    }
    let node = build::literal(shape, dtype, grid, cs).map_err(PyOxError)?;
    Ok(super::wrap(node))
}

/// The task-program format version of this build.
#[pyfunction]
fn task_program_version() -> u8 {
    export::PROGRAM_VERSION
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyExportedPlan>()?;
    m.add_class::<PyWorkerPlan>()?;
    m.add_function(wrap_pyfunction!(export_plan, m)?)?;
    m.add_function(wrap_pyfunction!(load_plan, m)?)?;
    m.add_function(wrap_pyfunction!(run_task, m)?)?;
    m.add_function(wrap_pyfunction!(run_batch, m)?)?;
    m.add_function(wrap_pyfunction!(task_program_version, m)?)?;
    m.add_function(wrap_pyfunction!(literal_from_blocks, m)?)?;
    Ok(())
}
