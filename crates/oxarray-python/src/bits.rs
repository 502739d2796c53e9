//! Bindings of `packbits`/`unpackbits` (`oxarray._bits` normalizes the arguments as NumPy does):
//! argument conversion only.

use super::{wrap, PyNode};
use crate::errors::PyOxResult;
use oxarray_graph::bits::{self as build, BitsKind};
use pyo3::prelude::*;

/// The lazy `packbits` of the bool `x` along `axis` (blocks along `axis` hold multiples of 8).
#[pyfunction]
fn packbits(x: PyRef<'_, PyNode>, axis: usize, little: bool) -> PyOxResult<PyNode> {
    Ok(wrap(build::bits(&x.inner, BitsKind::Pack, axis, little)?))
}

/// The lazy `unpackbits` of the uint8 `x` along `axis` (8 elements per byte, no count).
#[pyfunction]
fn unpackbits(x: PyRef<'_, PyNode>, axis: usize, little: bool) -> PyOxResult<PyNode> {
    Ok(wrap(build::bits(&x.inner, BitsKind::Unpack, axis, little)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(packbits, m)?)?;
    m.add_function(wrap_pyfunction!(unpackbits, m)?)?;
    Ok(())
}
