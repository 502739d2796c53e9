//! Bindings of scans and folds (`oxarray._scans` normalizes the arguments as NumPy does and
//! casts to NumPy's loop dtype first).

use super::{wrap, PyNode};
use crate::errors::{PyOxError, PyOxResult};
use oxarray_graph::fperr::FpMode;
use oxarray_graph::scan as build;
use pyo3::prelude::*;

/// `np.<op>.accumulate(x, axis)` in `x`'s dtype; lazy, the result has `x`'s chunks. `fp`: the
/// packed np.errstate of the call (0: not checked), as for `unary`.
#[pyfunction]
#[pyo3(signature = (x, op, axis, fp=0))]
fn accumulate(x: PyRef<'_, PyNode>, op: &str, axis: i64, fp: u64) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::accumulate(&x.inner, op, axis, FpMode(fp)).map_err(PyOxError)?,
    ))
}

/// `np.<op>.reduce(x, axis)` over one non-empty axis, in `x`'s dtype; lazy.
#[pyfunction]
#[pyo3(signature = (x, op, axis, fp=0))]
fn fold(x: PyRef<'_, PyNode>, op: &str, axis: i64, fp: u64) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::fold(&x.inner, op, axis, FpMode(fp)).map_err(PyOxError)?,
    ))
}

/// `np.<op>.reduceat(x, indices, axis)` with its segments resolved to non-empty `(start, end)`
/// ranges of the axis; lazy.
#[pyfunction]
#[pyo3(signature = (x, op, axis, segs, fp=0))]
fn reduceat(
    x: PyRef<'_, PyNode>,
    op: &str,
    axis: i64,
    segs: Vec<(usize, usize)>,
    fp: u64,
) -> PyOxResult<PyNode> {
    Ok(wrap(
        build::reduceat(&x.inner, op, axis, segs, FpMode(fp)).map_err(PyOxError)?,
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(accumulate, m)?)?;
    m.add_function(wrap_pyfunction!(fold, m)?)?;
    m.add_function(wrap_pyfunction!(reduceat, m)?)?;
    Ok(())
}
