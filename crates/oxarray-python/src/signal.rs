//! Bindings of the signal ops (`oxarray._convolve` and `oxarray._interp` normalize the arguments
//! as NumPy does): argument conversion only.

use super::{wrap, PyNode};
use crate::convert::scalar_from_py;
use crate::errors::PyOxResult;
use oxarray_graph::signal as build;
use pyo3::prelude::*;

/// The lazy correlation of the 1-d `x` with the one-block `y` (same dtype):
/// `c[j] = sum_i xpad[j - n_left + i] * y[i]` for `j < length`, cut in blocks of `chunks`.
#[pyfunction]
fn correlate(
    x: PyRef<'_, PyNode>,
    y: PyRef<'_, PyNode>,
    n_left: usize,
    length: usize,
    chunks: Vec<usize>,
) -> PyOxResult<PyNode> {
    Ok(wrap(build::correlate(
        &x.inner, &y.inner, n_left, length, chunks,
    )?))
}

/// The lazy `np.interp` of float64 `x` at one-block float64 `xp` with values `fp`.
#[pyfunction]
#[pyo3(signature = (x, xp, fp, left=None, right=None))]
fn interp(
    x: PyRef<'_, PyNode>,
    xp: PyRef<'_, PyNode>,
    fp: PyRef<'_, PyNode>,
    left: Option<&Bound<'_, PyAny>>,
    right: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyNode> {
    let left = left.map(scalar_from_py).transpose()?;
    let right = right.map(scalar_from_py).transpose()?;
    let n = build::interp(&x.inner, &xp.inner, &fp.inner, left, right)
        .map_err(crate::errors::PyOxError)?;
    Ok(wrap(n))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(correlate, m)?)?;
    m.add_function(wrap_pyfunction!(interp, m)?)?;
    Ok(())
}
