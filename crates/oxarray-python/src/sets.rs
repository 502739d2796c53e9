//! Bindings of sets, counting and binning (`oxarray._sets`, `oxarray._histograms` normalize the
//! arguments as NumPy does): argument conversion only.

use super::{gil, wrap, PyNode};
use crate::errors::{PyOxError, PyOxResult};
use oxarray_core::OxError;
use oxarray_graph::sets::{self as build, LookupKind, LookupMode, TallyOp};
use pyo3::prelude::*;

/// The size pass of `unique`: the sorted distinct values (rows, with `rows`) of `x`, computed
/// now, as a one-block literal node.
#[pyfunction]
fn distinct(py: Python<'_>, x: PyRef<'_, PyNode>, rows: bool, equal_nan: bool) -> PyResult<PyNode> {
    let x = x.inner.clone();
    let n = gil::run_detached(py, |cancel| build::distinct(&x, rows, equal_nan, cancel))?;
    Ok(wrap(n))
}

/// A lazy per-element (per-row with `rows`) lookup of `x` in the one-block `table`: `mode` is
/// "code", "member" (`flag`: invert), "search" (`flag`: right) or "bin".
#[pyfunction]
fn set_lookup(
    x: PyRef<'_, PyNode>,
    table: PyRef<'_, PyNode>,
    mode: &str,
    flag: bool,
    rows: bool,
) -> PyOxResult<PyNode> {
    let kind = match mode {
        "code" => LookupKind::Set(LookupMode::Code),
        "member" => LookupKind::Set(LookupMode::Member { invert: flag }),
        "search" => LookupKind::Set(LookupMode::Search { right: flag }),
        "bin" => LookupKind::Bin,
        _ => return Err(PyOxError(OxError::Internal(format!("lookup mode {mode}")))),
    };
    Ok(wrap(build::lookup(&x.inner, &table.inner, kind, rows)?))
}

/// A lazy tally of 1-d int64 `codes` into `length` slots: "count", "sum" (float64 `weights`) or
/// "minpos" (first flat position).
#[pyfunction]
#[pyo3(signature = (codes, op, length, weights=None))]
fn tally(
    codes: PyRef<'_, PyNode>,
    op: &str,
    length: usize,
    weights: Option<PyRef<'_, PyNode>>,
) -> PyOxResult<PyNode> {
    let op = match op {
        "count" => TallyOp::Count,
        "sum" => TallyOp::Sum,
        "minpos" => TallyOp::MinPos,
        _ => return Err(PyOxError(OxError::Internal(format!("tally op {op}")))),
    };
    let w = weights.as_ref().map(|w| w.inner.clone());
    Ok(wrap(build::tally(&codes.inner, w.as_ref(), op, length)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(distinct, m)?)?;
    m.add_function(wrap_pyfunction!(set_lookup, m)?)?;
    m.add_function(wrap_pyfunction!(tally, m)?)?;
    Ok(())
}
