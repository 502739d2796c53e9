//! Bindings of sorting and selection (`oxarray._sorting` normalizes the arguments as NumPy does).

use super::{wrap, PyNode};
use crate::errors::{PyOxError, PyOxResult};
use oxarray_graph::sort as build;
use pyo3::prelude::*;

/// `np.sort` (`indices=False`) or `np.argsort` of `x` along `axis`; stable; lazy.
#[pyfunction]
#[pyo3(signature = (x, axis, descending=false, indices=false))]
fn sort(x: PyRef<'_, PyNode>, axis: i64, descending: bool, indices: bool) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::sort(&x.inner, axis, descending, indices).map_err(PyOxError)?,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sort, m)?)?;
    Ok(())
}
