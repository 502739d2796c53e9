//! The one place where engine errors become Python exceptions, with NumPy's exception types.

use oxarray_core::OxError;
use pyo3::exceptions::{
    PyIndexError, PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError,
    PyZeroDivisionError,
};
use pyo3::prelude::*;

/// Wraps [`OxError`] so `?` converts it into a `PyErr` (orphan rules forbid a direct `From`).
pub struct PyOxError(pub OxError);

impl From<OxError> for PyOxError {
    fn from(e: OxError) -> Self {
        PyOxError(e)
    }
}

impl From<PyOxError> for PyErr {
    fn from(PyOxError(e): PyOxError) -> PyErr {
        let msg = e.to_string();
        if matches!(&e, OxError::Compute(m) if m == crate::callback::RAISED_MESSAGE) {
            if let Some(raised) = crate::callback::take_raised() {
                return raised;
            }
        }
        match e {
            OxError::ShapeMismatch(_) | OxError::Value(_) | OxError::Compute(_) => {
                PyValueError::new_err(msg)
            }
            OxError::AxisOutOfBounds { axis, ndim } => Python::with_gil(|py| {
                // numpy.exceptions.AxisError(axis, ndim) words the message exactly as NumPy does.
                py.import("numpy.exceptions")
                    .and_then(|m| m.getattr("AxisError"))
                    .and_then(|cls| cls.call1((axis, ndim)))
                    .map(|exc| PyErr::from_value(exc))
                    .unwrap_or_else(|_| PyValueError::new_err(msg))
            }),
            OxError::DTypeNotSupported(_) | OxError::Type(_) => PyTypeError::new_err(msg),
            OxError::LinAlg(_) => Python::with_gil(|py| {
                // numpy.linalg.LinAlgError, so `except np.linalg.LinAlgError` works unchanged.
                py.import("numpy.linalg")
                    .and_then(|m| m.getattr("LinAlgError"))
                    .and_then(|cls| cls.call1((msg.clone(),)))
                    .map(|exc| PyErr::from_value(exc))
                    .unwrap_or_else(|_| PyValueError::new_err(msg))
            }),
            OxError::Index(_) => PyIndexError::new_err(msg),
            OxError::Memory(_) => PyMemoryError::new_err(msg),
            OxError::ZeroDivision(_) => PyZeroDivisionError::new_err(msg),
            OxError::Cancelled => PyKeyboardInterrupt::new_err(msg),
            OxError::Internal(_) => PyRuntimeError::new_err(msg),
        }
    }
}

pub type PyOxResult<T> = Result<T, PyOxError>;
