//! `oxarray._core`: the bindings. Every function converts its arguments, asks the graph crate for
//! a node (or runs a plan through `gil::run_detached`) and converts the answer. No numerics here.

mod bits;
mod callback;
mod check;
mod convert;
mod diagnostics;
mod errors;
mod errstate;
mod executor;
mod fft;
mod gil;
mod indexing;
mod io;
mod ordering;
mod pickle;
mod pool;
mod random;
mod scan;
mod sets;
mod signal;
mod sorting;

use convert::{chunk_into_py, dtype_from_name, ingest, parse_chunks, scalar_from_py};
use errors::{PyOxError, PyOxResult};
use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use oxarray_core::shape::normalize_axes;
use oxarray_core::{DType, OxError};
use oxarray_graph::construct as build;
use oxarray_graph::expr::AxisSlice;
use oxarray_graph::fperr::{FpLog, FpMode};
use oxarray_graph::NodeRef;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Large buffers (blocks, results) come from the block pool: a freed block, even one NumPy
/// held, serves the next allocation of its size without page faults or zeroing.
#[global_allocator]
static ALLOCATOR: oxarray_core::pool::BlockAllocator = oxarray_core::pool::BlockAllocator;

static CHUNK_BYTES: AtomicUsize = AtomicUsize::new(build::DEFAULT_CHUNK_BYTES);

/// A node of the expression graph: shape, dtype and chunks are known; nothing is computed.
#[pyclass(frozen, module = "oxarray._core", name = "Node")]
struct PyNode {
    inner: NodeRef,
}

fn wrap(n: NodeRef) -> PyNode {
    PyNode { inner: n }
}

#[pymethods]
impl PyNode {
    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.inner.shape.clone()
    }
    #[getter]
    fn dtype(&self) -> &'static str {
        self.inner.dtype.name()
    }
    #[getter]
    fn chunks(&self) -> Vec<Vec<usize>> {
        self.inner.grid.chunks().to_vec()
    }
    #[getter]
    fn label(&self) -> String {
        self.inner.label()
    }
    /// Whether the node's blocks are already in memory (ingested or persisted).
    #[getter]
    fn is_literal(&self) -> bool {
        matches!(self.inner.kind, oxarray_graph::NodeKind::Literal { .. })
    }
}

fn nodes(xs: &[PyRef<'_, PyNode>]) -> Vec<NodeRef> {
    xs.iter().map(|x| x.inner.clone()).collect()
}

#[pyfunction]
fn set_chunk_bytes(n: usize) -> PyResult<()> {
    if n == 0 {
        return Err(PyValueError::new_err("chunk_bytes must be positive"));
    }
    CHUNK_BYTES.store(n, Ordering::Relaxed);
    Ok(())
}

#[pyfunction]
fn get_chunk_bytes() -> usize {
    CHUNK_BYTES.load(Ordering::Relaxed)
}

/// Sets the memory limit of runs in bytes; 0 restores the default.
#[pyfunction]
fn set_memory_limit(n: usize) {
    oxarray_graph::memory::set_limit((n > 0).then_some(n));
}

/// The memory this process may use (physical, or a cgroup's limit), in bytes.
#[pyfunction]
fn available_memory() -> usize {
    oxarray_graph::memory::available_memory()
}

/// The memory limit in force, in bytes.
#[pyfunction]
fn get_memory_limit() -> usize {
    oxarray_graph::memory::limit()
}

fn grid_for(
    spec: &Bound<'_, PyAny>,
    shape: &[usize],
    dtype: DType,
) -> PyResult<oxarray_core::ChunkGrid> {
    parse_chunks(
        spec,
        shape,
        dtype.itemsize(),
        CHUNK_BYTES.load(Ordering::Relaxed),
    )
}

/// Copies a NumPy array (of dtype `dtype`, a NumPy name) into a new literal node cut by `chunks`.
#[pyfunction]
fn from_numpy(
    py: Python<'_>,
    arr: &Bound<'_, PyUntypedArray>,
    dtype: &str,
    chunks: &Bound<'_, PyAny>,
    byteswap: bool,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let shape = arr.shape().to_vec();
    let grid = grid_for(chunks, &shape, dtype)?;
    let blocks = ingest(py, arr, dtype, &grid, byteswap)?;
    Ok(wrap(
        build::literal(shape, dtype, grid, blocks).map_err(PyOxError)?,
    ))
}

#[pyfunction]
fn full(
    shape: Vec<usize>,
    dtype: &str,
    value: &Bound<'_, PyAny>,
    chunks: &Bound<'_, PyAny>,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let grid = grid_for(chunks, &shape, dtype)?;
    Ok(wrap(build::full(
        shape,
        dtype,
        scalar_from_py(value)?,
        grid,
    )))
}

#[pyfunction]
fn arange(
    start: &Bound<'_, PyAny>,
    step: &Bound<'_, PyAny>,
    len: usize,
    dtype: &str,
    chunks: &Bound<'_, PyAny>,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let grid = grid_for(chunks, &[len], dtype)?;
    Ok(wrap(build::arange(
        scalar_from_py(start)?,
        scalar_from_py(step)?,
        len,
        dtype,
        grid,
    )))
}

#[pyfunction]
fn linspace(
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    dtype: &str,
    chunks: &Bound<'_, PyAny>,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let grid = grid_for(chunks, &[num], dtype)?;
    Ok(wrap(build::linspace(
        start, stop, num, endpoint, dtype, grid,
    )))
}

#[pyfunction]
fn eye(n: usize, m: usize, k: i64, dtype: &str, chunks: &Bound<'_, PyAny>) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let grid = grid_for(chunks, &[n, m], dtype)?;
    Ok(wrap(build::eye(n, m, k, dtype, grid)))
}

fn unknown_op(name: &str) -> PyOxError {
    PyOxError(OxError::Type(format!(
        "oxarray has no elementwise op {name:?}"
    )))
}

/// `fp`: the floating-point error state of the call, packed by `oxarray._errstate.capture`
/// (0: not checked).
#[pyfunction]
#[pyo3(signature = (op, x, fp=0))]
fn unary(op: &str, x: PyRef<'_, PyNode>, fp: u64) -> PyOxResult<PyNode> {
    let op = UnaryOp::from_name(op).ok_or_else(|| unknown_op(op))?;
    Ok(wrap(build::unary(op, &x.inner, FpMode(fp))?))
}

#[pyfunction]
#[pyo3(signature = (op, a, b, fp=0))]
fn binary(op: &str, a: PyRef<'_, PyNode>, b: PyRef<'_, PyNode>, fp: u64) -> PyOxResult<PyNode> {
    let op = BinaryOp::from_name(op).ok_or_else(|| unknown_op(op))?;
    Ok(wrap(build::binary(op, &a.inner, &b.inner, FpMode(fp))?))
}

/// `x.astype(dtype)`; `fp`: the packed np.errstate of an `astype` call (0: an internal cast,
/// not checked).
#[pyfunction]
#[pyo3(signature = (x, dtype, fp=0))]
fn cast(x: PyRef<'_, PyNode>, dtype: &str, fp: u64) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    Ok(wrap(build::cast_checked(&x.inner, dtype, FpMode(fp))))
}

#[pyfunction]
fn where_(
    cond: PyRef<'_, PyNode>,
    a: PyRef<'_, PyNode>,
    b: PyRef<'_, PyNode>,
) -> PyOxResult<PyNode> {
    Ok(wrap(build::where_(&cond.inner, &a.inner, &b.inner)?))
}

/// Output dtype names of the unary / binary ops for an input dtype (the Python front checks its
/// NumPy-resolved loops against these).
#[pyfunction]
fn unary_ops() -> Vec<&'static str> {
    UnaryOp::ALL.iter().map(|o| o.name()).collect()
}

#[pyfunction]
fn binary_ops() -> Vec<&'static str> {
    BinaryOp::ALL.iter().map(|o| o.name()).collect()
}

#[pyfunction]
#[pyo3(signature = (op, x, axis, keepdims, dtype=None, ddof=0, fp=0, fp_final=0))]
#[allow(clippy::too_many_arguments)] // NumPy's keywords plus the two packed error states
fn reduce(
    op: &str,
    x: PyRef<'_, PyNode>,
    axis: Option<Vec<i64>>,
    keepdims: bool,
    dtype: Option<&str>,
    ddof: u32,
    fp: u64,
    fp_final: u64,
) -> PyResult<PyNode> {
    let op = match op {
        "sum" => ReduceOp::Sum,
        "prod" => ReduceOp::Prod,
        "min" => ReduceOp::Min,
        "max" => ReduceOp::Max,
        "any" => ReduceOp::Any,
        "all" => ReduceOp::All,
        "mean" => ReduceOp::Mean,
        "var" => ReduceOp::Var { ddof },
        "std" => ReduceOp::Std { ddof },
        "argmin" => ReduceOp::ArgMin,
        "argmax" => ReduceOp::ArgMax,
        "nanmean" => ReduceOp::NanMean,
        "nanvar" => ReduceOp::NanVar { ddof },
        "nanstd" => ReduceOp::NanStd { ddof },
        other => {
            return Err(PyOxError(OxError::Type(format!("unknown reduction {other:?}"))).into())
        }
    };
    let axes = normalize_axes(axis.as_deref(), x.inner.ndim()).map_err(PyOxError)?;
    let dtype = dtype.map(dtype_from_name).transpose()?;
    Ok(wrap(
        build::reduce_checked(
            op,
            &x.inner,
            axes,
            keepdims,
            dtype,
            (FpMode(fp), FpMode(fp_final)),
        )
        .map_err(PyOxError)?,
    ))
}

#[pyfunction]
#[pyo3(signature = (a, b, fp=0))]
fn matmul(a: PyRef<'_, PyNode>, b: PyRef<'_, PyNode>, fp: u64) -> PyOxResult<PyNode> {
    Ok(wrap(build::matmul_checked(&a.inner, &b.inner, FpMode(fp))?))
}

#[pyfunction]
fn transpose(x: PyRef<'_, PyNode>, perm: Vec<usize>) -> PyOxResult<PyNode> {
    Ok(wrap(build::transpose(&x.inner, &perm)?))
}

#[pyfunction]
fn reshape(x: PyRef<'_, PyNode>, shape: Vec<usize>) -> PyOxResult<PyNode> {
    Ok(wrap(build::reshape(&x.inner, shape)?))
}

#[pyfunction]
fn broadcast_to(x: PyRef<'_, PyNode>, shape: Vec<usize>) -> PyOxResult<PyNode> {
    Ok(wrap(build::broadcast_to(&x.inner, shape)?))
}

/// `axes`: one `(start, step, len)` per axis, already normalized by the Python front.
#[pyfunction]
fn slice(x: PyRef<'_, PyNode>, axes: Vec<(usize, isize, usize)>) -> PyOxResult<PyNode> {
    let axes = axes
        .into_iter()
        .map(|(start, step, len)| AxisSlice { start, step, len })
        .collect();
    Ok(wrap(build::slice(&x.inner, axes)?))
}

#[pyfunction]
fn concatenate(xs: Vec<PyRef<'_, PyNode>>, axis: i64) -> PyOxResult<PyNode> {
    Ok(wrap(build::concatenate(&nodes(&xs), axis)?))
}

#[pyfunction]
fn rechunk(x: PyRef<'_, PyNode>, chunks: &Bound<'_, PyAny>) -> PyResult<PyNode> {
    let grid = grid_for(chunks, &x.inner.shape, x.inner.dtype)?;
    Ok(wrap(build::rechunk(&x.inner, grid).map_err(PyOxError)?))
}

/// Reduced TSQR of a 2-d array with one column of chunks: `[q, r]`, or `[r]` without `want_q`.
#[pyfunction]
fn qr(x: PyRef<'_, PyNode>, want_q: bool, split_every: usize) -> PyOxResult<Vec<PyNode>> {
    let out = oxarray_graph::linalg::qr(&x.inner, want_q, split_every)?;
    Ok(out.into_iter().map(wrap).collect())
}

/// Reduced SVD (TSQR) of a 2-d array with one column of chunks: `[u, s, vh]`, or `[s]`.
#[pyfunction]
fn svd(x: PyRef<'_, PyNode>, uv: bool, split_every: usize) -> PyOxResult<Vec<PyNode>> {
    let out = oxarray_graph::linalg::svd(&x.inner, uv, split_every)?;
    Ok(out.into_iter().map(wrap).collect())
}

/// NumPy's complete SVD of a one-block matrix: `[u, s, vh]`.
#[pyfunction]
fn svd_dense(x: PyRef<'_, PyNode>) -> PyOxResult<Vec<PyNode>> {
    let out = oxarray_graph::linalg::svd_full(&x.inner)?;
    Ok(out.into_iter().map(wrap).collect())
}

/// NumPy's complete QR of a one-block matrix: `[q, r]`.
#[pyfunction]
fn qr_dense(x: PyRef<'_, PyNode>) -> PyOxResult<Vec<PyNode>> {
    let out = oxarray_graph::linalg::qr_complete(&x.inner)?;
    Ok(out.into_iter().map(wrap).collect())
}

/// A batched dense linalg op (`"det"`, `"solve"`, `"eigh"`, `"qr-complete"`, ...) over stacked
/// matrices: its output nodes, in order.
#[pyfunction]
#[pyo3(signature = (op, xs, upper=false, full=false))]
fn linalg_batched(
    op: &str,
    xs: Vec<PyRef<'_, PyNode>>,
    upper: bool,
    full: bool,
) -> PyOxResult<Vec<PyNode>> {
    let op = oxarray_graph::batched::BatchedOp::from_name(op, upper, full)?;
    let out = oxarray_graph::batched::batched(op, &nodes(&xs))?;
    Ok(out.into_iter().map(wrap).collect())
}

/// Computes the nodes in one run (sharing common work) and returns NumPy arrays.
#[pyfunction]
fn compute(py: Python<'_>, xs: Vec<PyRef<'_, PyNode>>) -> PyResult<Vec<PyObject>> {
    let ns = nodes(&xs);
    let log = FpLog::default();
    let work =
        |cancel: &std::sync::atomic::AtomicBool| oxarray_graph::compute_logged(&ns, cancel, &log);
    let run = if oxarray_graph::inline::is_small(&ns) {
        gil::run_inline(py, work)
    } else {
        gil::run_detached(py, work)
    };
    check::issue_warnings(py)?;
    let chunks = errstate::reported(py, &log, run)?;
    Ok(chunks.into_iter().map(|c| chunk_into_py(py, c)).collect())
}

/// Computes the nodes' blocks and returns literal nodes holding them.
#[pyfunction]
fn persist(py: Python<'_>, xs: Vec<PyRef<'_, PyNode>>) -> PyResult<Vec<PyNode>> {
    let ns = nodes(&xs);
    let log = FpLog::default();
    let run = gil::run_detached(py, |cancel| {
        oxarray_graph::persist_logged(&ns, cancel, &log)
    });
    check::issue_warnings(py)?;
    let out = errstate::reported(py, &log, run)?;
    Ok(out.into_iter().map(wrap).collect())
}

/// The optimized task graph of the nodes as Graphviz DOT.
#[pyfunction]
fn to_dot(xs: Vec<PyRef<'_, PyNode>>) -> PyOxResult<String> {
    let plan = oxarray_graph::plan(&nodes(&xs))?;
    Ok(oxarray_graph::dot::to_dot(
        &plan.graph,
        &plan.outputs.concat(),
    ))
}

/// A text summary of the optimized plan.
#[pyfunction]
fn explain(xs: Vec<PyRef<'_, PyNode>>) -> PyOxResult<String> {
    let plan = oxarray_graph::plan(&nodes(&xs))?;
    let mut text = oxarray_graph::dot::explain(&plan.graph, &plan.outputs.concat());
    text.push_str(&oxarray_graph::dot::memory_summary(&plan));
    Ok(text)
}

/// Number of tasks in the optimized plan.
#[pyfunction]
fn task_count(xs: Vec<PyRef<'_, PyNode>>) -> PyOxResult<usize> {
    Ok(oxarray_graph::plan(&nodes(&xs))?.graph.len())
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNode>()?;
    m.add_function(wrap_pyfunction!(set_chunk_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(get_chunk_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(set_memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(get_memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(available_memory, m)?)?;
    m.add_function(wrap_pyfunction!(from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(linspace, m)?)?;
    m.add_function(wrap_pyfunction!(eye, m)?)?;
    m.add_function(wrap_pyfunction!(unary, m)?)?;
    m.add_function(wrap_pyfunction!(binary, m)?)?;
    m.add_function(wrap_pyfunction!(cast, m)?)?;
    m.add_function(wrap_pyfunction!(where_, m)?)?;
    m.add_function(wrap_pyfunction!(unary_ops, m)?)?;
    m.add_function(wrap_pyfunction!(binary_ops, m)?)?;
    m.add_function(wrap_pyfunction!(reduce, m)?)?;
    m.add_function(wrap_pyfunction!(matmul, m)?)?;
    m.add_function(wrap_pyfunction!(transpose, m)?)?;
    m.add_function(wrap_pyfunction!(reshape, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast_to, m)?)?;
    m.add_function(wrap_pyfunction!(slice, m)?)?;
    m.add_function(wrap_pyfunction!(concatenate, m)?)?;
    m.add_function(wrap_pyfunction!(rechunk, m)?)?;
    m.add_function(wrap_pyfunction!(qr, m)?)?;
    m.add_function(wrap_pyfunction!(svd, m)?)?;
    m.add_function(wrap_pyfunction!(svd_dense, m)?)?;
    m.add_function(wrap_pyfunction!(qr_dense, m)?)?;
    m.add_function(wrap_pyfunction!(linalg_batched, m)?)?;
    m.add_function(wrap_pyfunction!(compute, m)?)?;
    m.add_function(wrap_pyfunction!(persist, m)?)?;
    m.add_function(wrap_pyfunction!(to_dot, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(task_count, m)?)?;
    m.add_function(wrap_pyfunction!(random::random, m)?)?;
    m.add_function(wrap_pyfunction!(random::weighted_choice, m)?)?;
    m.add_function(wrap_pyfunction!(random::take_rows, m)?)?;
    indexing::register(m)?;
    sorting::register(m)?;
    sets::register(m)?;
    check::register(m)?;
    fft::register(m)?;
    scan::register(m)?;
    signal::register(m)?;
    bits::register(m)?;
    callback::register(m)?;
    diagnostics::register(m)?;
    pool::register(m)?;
    ordering::register(m)?;
    pickle::register(m)?;
    io::register(m)?;
    executor::register(m)?;
    Ok(())
}
