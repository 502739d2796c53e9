//! A Python callable as a per-block function of the graph (`oxarray._apply` wraps the user's
//! function): the task takes the GIL, hands the blocks over as NumPy arrays (copies) and ingests
//! the returned array. An exception the function raises is kept here and re-raised as itself
//! when the run's error reaches Python (`errors.rs`).

use super::{nodes, wrap, PyNode};
use crate::convert::{chunk_into_py, dtype_from_name, ingest};
use crate::errors::PyOxResult;
use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
use oxarray_graph::callback::{self as build, BlockFn, Callback};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::{Arc, Mutex};

/// The message of the engine error standing for a Python exception kept in [`RAISED`].
pub const RAISED_MESSAGE: &str = "the Python function raised an exception";

static RAISED: Mutex<Option<PyErr>> = Mutex::new(None);

/// The exception a per-block function raised during the last failed run, if any.
pub fn take_raised() -> Option<PyErr> {
    RAISED.lock().ok().and_then(|mut r| r.take())
}

fn keep(e: PyErr) -> OxError {
    if let Ok(mut r) = RAISED.lock() {
        if r.is_none() {
            *r = Some(e);
        }
    }
    OxError::Compute(RAISED_MESSAGE.into())
}

struct PyBlockFn {
    f: Py<PyAny>,
    name: String,
}

impl PyBlockFn {
    fn call_py(
        &self,
        py: Python<'_>,
        block: &[usize],
        inputs: &[&Chunk],
        shape: &[usize],
        dtype: DType,
    ) -> PyResult<Result<Chunk, String>> {
        let mut args: Vec<PyObject> = vec![PyTuple::new(py, block)?.into_any().unbind()];
        args.extend(inputs.iter().map(|c| chunk_into_py(py, (*c).clone())));
        let r = self.f.call1(py, PyTuple::new(py, args)?)?;
        let r = r.bind(py);
        let Ok(arr) = r.downcast::<PyUntypedArray>() else {
            return Ok(Err("the block function must return a NumPy array".into()));
        };
        if arr.shape() != shape {
            return Ok(Err(format!(
                "the block function returned shape {:?}, expected {shape:?}",
                arr.shape()
            )));
        }
        let grid = ChunkGrid::single(shape);
        let mut blocks = ingest(py, arr, dtype, &grid, false)?;
        match blocks.pop() {
            Some(c) => Ok(Ok(Arc::unwrap_or_clone(c))),
            None => Ok(Err("no block ingested".into())),
        }
    }
}

impl BlockFn for PyBlockFn {
    fn call(
        &self,
        block: &[usize],
        inputs: &[&Chunk],
        shape: &[usize],
        dtype: DType,
    ) -> OxResult<Chunk> {
        Python::with_gil(|py| match self.call_py(py, block, inputs, shape, dtype) {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(m)) => Err(OxError::Internal(m)),
            Err(e) => Err(keep(e)),
        })
    }
    fn name(&self) -> String {
        self.name.clone()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// The Python function and name behind a per-block function (for pickling, `pickle.rs`).
pub fn callback_to_py(py: Python<'_>, c: &Callback) -> PyResult<(PyObject, String)> {
    match c.0.as_any().and_then(|a| a.downcast_ref::<PyBlockFn>()) {
        Some(b) => Ok((b.f.clone_ref(py), b.name.clone())),
        None => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "cannot pickle the per-block function {}",
            c.0.name()
        ))),
    }
}

/// A per-block function calling the Python callable `f`.
pub fn callback_from_py(f: Py<PyAny>, name: String) -> Callback {
    Callback(Arc::new(PyBlockFn { f, name }))
}

/// A lazy node whose block `b` is `f(block_index, *blocks b of xs)` (a NumPy array of the
/// block's shape and `dtype`); every input has as many blocks as the output.
#[pyfunction]
fn map_blocks(
    xs: Vec<PyRef<'_, PyNode>>,
    f: Py<PyAny>,
    name: String,
    shape: Vec<usize>,
    dtype: &str,
    chunks: Vec<Vec<usize>>,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let f = Callback(Arc::new(PyBlockFn { f, name }));
    let n: PyOxResult<_> =
        build::map_blocks(&nodes(&xs), f, shape, dtype, chunks).map_err(Into::into);
    Ok(wrap(n?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(map_blocks, m)?)?;
    Ok(())
}
