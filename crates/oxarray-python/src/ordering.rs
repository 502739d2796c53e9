//! Bindings of searches, lazy gathers and topk (`oxarray._searchsorted` normalizes the arguments
//! as NumPy does).

use super::{wrap, PyNode};
use crate::errors::{PyOxError, PyOxResult};
use oxarray_graph::ordering as build;
use pyo3::prelude::*;

/// `np.searchsorted(a, v, side)` (`right` for side="right"): `a` 1-d, `a` and `v` of one dtype.
#[pyfunction]
fn searchsorted(a: PyRef<'_, PyNode>, v: PyRef<'_, PyNode>, right: bool) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::searchsorted(&a.inner, &v.inner, right).map_err(PyOxError)?,
    ))
}

/// `take_along_axis(x, idx, axis)` with lazy int64 `idx` chunked as `x` off the axis.
#[pyfunction]
fn take_along(x: PyRef<'_, PyNode>, idx: PyRef<'_, PyNode>, axis: i64) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::take_along(&x.inner, &idx.inner, axis).map_err(PyOxError)?,
    ))
}

/// The int64 positions of the `k` largest (or smallest) along `axis`, best first.
#[pyfunction]
fn topk(x: PyRef<'_, PyNode>, axis: i64, k: usize, largest: bool) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::topk(&x.inner, axis, k, largest).map_err(PyOxError)?,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(take_along, m)?)?;
    m.add_function(wrap_pyfunction!(topk, m)?)?;
    Ok(())
}
