//! Pickling of lazy arrays: the graph as bytes (`oxarray_graph::serialize`), with the Python
//! callables of per-block functions and the `np.errstate` call sites handed to Python beside
//! them, for `pickle` to carry (`oxarray/_pickle.py`). Encoding and decoding run with the GIL
//! released; no numerics here.

use super::{nodes, wrap, PyNode};
use crate::callback::{callback_from_py, callback_to_py};
use crate::errors::PyOxError;
use oxarray_core::OxError;
use oxarray_graph::serialize;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

type Dumped = (Py<PyBytes>, Vec<(PyObject, String)>, Vec<u64>);

/// The graph of the nodes as `(bytes, [(callable, name)], [errstate site])`.
#[pyfunction]
fn graph_dumps(py: Python<'_>, xs: Vec<PyRef<'_, PyNode>>) -> PyResult<Dumped> {
    let ns = nodes(&xs);
    let enc = py.allow_threads(|| serialize::encode(&ns));
    let callbacks = enc
        .callbacks
        .iter()
        .map(|c| callback_to_py(py, c))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((
        PyBytes::new(py, &enc.bytes).unbind(),
        callbacks,
        enc.fp_sites,
    ))
}

/// The nodes of [`graph_dumps`]'s output, rebuilt (`fp_sites`: the sites registered again).
#[pyfunction]
fn graph_loads(
    py: Python<'_>,
    data: &[u8],
    callbacks: Vec<(Py<PyAny>, String)>,
    fp_sites: Vec<u64>,
) -> PyResult<Vec<PyNode>> {
    let callbacks: Vec<_> = callbacks
        .into_iter()
        .map(|(f, name)| callback_from_py(f, name))
        .collect();
    let r = py.allow_threads(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            serialize::decode(data, &callbacks, &fp_sites)
        }))
        .unwrap_or_else(|_| Err(OxError::Internal("loading the graph panicked".into())))
    });
    let ns = r.map_err(PyOxError)?;
    Ok(ns.into_iter().map(wrap).collect())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(graph_dumps, m)?)?;
    m.add_function(wrap_pyfunction!(graph_loads, m)?)?;
    Ok(())
}
