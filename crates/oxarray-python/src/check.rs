//! Bindings of value checks (`oxarray_graph::check`): the node, and the warnings a run recorded,
//! issued as Python `RuntimeWarning`s when the run returns.

use super::{wrap, PyNode};
use crate::errors::PyOxResult;
use oxarray_graph::check::{self as build, CheckAction};
use pyo3::exceptions::PyRuntimeWarning;
use pyo3::prelude::*;
use std::ffi::CString;

/// `x` unchanged; at compute, any true element of `flag` raises ValueError(`message`) (or
/// ZeroDivisionError with `zero_division`) or, with `warn`, issues RuntimeWarning(`message`) once
/// when the run returns.
#[pyfunction]
#[pyo3(signature = (x, flag, message, warn=false, zero_division=false))]
fn check(
    x: PyRef<'_, PyNode>,
    flag: PyRef<'_, PyNode>,
    message: &str,
    warn: bool,
    zero_division: bool,
) -> PyOxResult<PyNode> {
    let action = if warn {
        CheckAction::Warn(message.into())
    } else if zero_division {
        CheckAction::ZeroDivision(message.into())
    } else {
        CheckAction::Error(message.into())
    };
    Ok(wrap(build::check(&x.inner, &flag.inner, action)?))
}

/// Issues the warnings recorded by the checks of the run that just returned.
pub fn issue_warnings(py: Python<'_>) -> PyResult<()> {
    for m in build::take_warnings() {
        let category = py.get_type::<PyRuntimeWarning>();
        let message = CString::new(m.replace('\0', " ")).unwrap_or_default();
        PyErr::warn(py, category.as_any(), &message, 1)?;
    }
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(check, m)?)
}
