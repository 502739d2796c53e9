//! Floating-point errors of a compute, handed to the Python front (`oxarray._errstate.report`),
//! which warns, calls the errcall or raises `FloatingPointError` as NumPy's error state of each
//! call said. No numerics here: the engine recorded the flags (`oxarray_graph::fperr`).

use oxarray_graph::fperr::FpLog;
use pyo3::prelude::*;

/// `result` after reporting the run's floating-point errors: a flag under `raise` becomes
/// NumPy's `FloatingPointError` (the engine stopped the run for it), the others warn or call
/// first. Any other failure (Ctrl-C, memory) is returned as it is, without reports.
pub fn reported<T>(py: Python<'_>, log: &FpLog, result: PyResult<T>) -> PyResult<T> {
    let events = log.events();
    if events.is_empty() || (result.is_err() && !log.raised()) {
        return result;
    }
    let events: Vec<(u64, u8)> = events.iter().map(|(m, f)| (m.0, *f)).collect();
    py.import("oxarray._errstate")?
        .call_method1("report", (events,))?;
    result
}
