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

/// Order statistics of `x` along `axis` at the ranks of a row-major table (`width` per row; row
/// 0, or the row of each lane's non-NaN count when `skip_nan`); the axis becomes `width` long.
#[pyfunction]
#[pyo3(signature = (x, axis, ranks, width, skip_nan=false))]
fn select(
    x: PyRef<'_, PyNode>,
    axis: i64,
    ranks: Vec<usize>,
    width: usize,
    skip_nan: bool,
) -> PyOxResult<PyNode> {
    Ok(wrap(
        oxarray_graph::select::select(&x.inner, axis, ranks, width, skip_nan).map_err(PyOxError)?,
    ))
}

/// `np.partition` (`indices=False`) or `np.argpartition` of `x` along `axis` at the normalized
/// ranks `kth`; lazy.
#[pyfunction]
#[pyo3(signature = (x, axis, kth, indices=false))]
fn partition(
    x: PyRef<'_, PyNode>,
    axis: i64,
    kth: Vec<usize>,
    indices: bool,
) -> PyOxResult<PyNode> {
    Ok(wrap(
        oxarray_graph::select::partition(&x.inner, axis, kth, indices).map_err(PyOxError)?,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sort, m)?)?;
    m.add_function(wrap_pyfunction!(select, m)?)?;
    m.add_function(wrap_pyfunction!(partition, m)?)?;
    Ok(())
}
