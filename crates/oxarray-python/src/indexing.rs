//! Bindings of the selection nodes (boolean masks, take along an axis): argument conversion
//! only; the Python front has normalized the indices as NumPy does.

use super::{gil, wrap, PyNode};
use crate::errors::{PyOxError, PyOxResult};
use numpy::PyReadonlyArray1;
use oxarray_core::OxError;
use oxarray_graph::indexing as build;
use pyo3::prelude::*;

/// `x[mask]` (mask over the leading axes, cut in bands of rows) with `counts` per band.
#[pyfunction]
fn compress(
    x: PyRef<'_, PyNode>,
    mask: PyRef<'_, PyNode>,
    counts: Vec<usize>,
) -> PyOxResult<PyNode> {
    Ok(wrap(build::compress(&x.inner, &mask.inner, counts)?))
}

/// `x` after `x[mask] = vals` (`vals` cut along axis 0 by the non-zero `counts`).
#[pyfunction]
fn expand(
    x: PyRef<'_, PyNode>,
    mask: PyRef<'_, PyNode>,
    vals: PyRef<'_, PyNode>,
    counts: Vec<usize>,
) -> PyOxResult<PyNode> {
    Ok(wrap(build::expand(
        &x.inner,
        &mask.inner,
        &vals.inner,
        counts,
    )?))
}

/// `x` indexed along `axis` by `indices` (int64, already non-negative).
#[pyfunction]
fn take_axis(
    x: PyRef<'_, PyNode>,
    axis: usize,
    indices: PyReadonlyArray1<'_, i64>,
) -> PyResult<PyNode> {
    let idx = indices
        .as_array()
        .iter()
        .map(|&i| {
            usize::try_from(i)
                .map_err(|_| PyOxError(OxError::Index(format!("index {i} is out of bounds"))))
        })
        .collect::<Result<Vec<usize>, PyOxError>>()?;
    Ok(wrap(
        build::take_axis(&x.inner, axis, idx).map_err(PyOxError)?,
    ))
}

/// The size pass of a mask: `(the mask's computed blocks as a new node, true count per band)`.
#[pyfunction]
fn mask_counts(py: Python<'_>, mask: PyRef<'_, PyNode>) -> PyResult<(PyNode, Vec<usize>)> {
    let m = mask.inner.clone();
    let (kept, counts) = gil::run_detached(py, |cancel| build::mask_counts(&m, cancel))?;
    Ok((wrap(kept), counts))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compress, m)?)?;
    m.add_function(wrap_pyfunction!(expand, m)?)?;
    m.add_function(wrap_pyfunction!(take_axis, m)?)?;
    m.add_function(wrap_pyfunction!(mask_counts, m)?)?;
    Ok(())
}
