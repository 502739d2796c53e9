//! The one error enum of the engine. Each variant maps to one NumPy exception type in the bindings
//! crate (`oxarray-python/src/errors.rs`); messages are worded as NumPy words them.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum OxError {
    /// NumPy: `ValueError: operands could not be broadcast together with shapes (2,3) (4,)`.
    ShapeMismatch(String),
    /// NumPy: `numpy.exceptions.AxisError: axis 3 is out of bounds for array of dimension 2`.
    AxisOutOfBounds { axis: i64, ndim: usize },
    /// NumPy: `TypeError` (no loop for this dtype, unsupported dtype).
    DTypeNotSupported(String),
    /// NumPy: `IndexError`.
    Index(String),
    /// NumPy: `ValueError` for any other bad argument value (bad chunks, bad reshape, ...).
    Value(String),
    /// NumPy: `TypeError` for bad argument types.
    Type(String),
    /// Data-dependent failure found while computing (e.g. integer to a negative power).
    Compute(String),
    /// NumPy: `numpy.linalg.LinAlgError` (singular matrix, no convergence, not positive definite).
    LinAlg(String),
    /// Python's `ZeroDivisionError`, which NumPy raises from the values (`np.average` of weights
    /// that sum to zero).
    ZeroDivision(String),
    /// NumPy: `MemoryError` (a buffer could not be allocated: "Unable to allocate 8.00 TiB ...").
    Memory(String),
    /// The run was cancelled (Ctrl-C); maps to `KeyboardInterrupt`.
    Cancelled,
    /// A bug: an invariant of ours was broken. Maps to `RuntimeError` with a request to report it.
    Internal(String),
}

pub type OxResult<T> = Result<T, OxError>;

impl OxError {
    pub fn axis(axis: i64, ndim: usize) -> Self {
        OxError::AxisOutOfBounds { axis, ndim }
    }
}

impl fmt::Display for OxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OxError::ShapeMismatch(m)
            | OxError::DTypeNotSupported(m)
            | OxError::Index(m)
            | OxError::Value(m)
            | OxError::Type(m)
            | OxError::Compute(m)
            | OxError::LinAlg(m)
            | OxError::ZeroDivision(m)
            | OxError::Memory(m) => f.write_str(m),
            OxError::AxisOutOfBounds { axis, ndim } => {
                write!(
                    f,
                    "axis {axis} is out of bounds for array of dimension {ndim}"
                )
            }
            OxError::Cancelled => f.write_str("computation cancelled"),
            OxError::Internal(m) => write!(f, "internal error in oxarray (please report): {m}"),
        }
    }
}

impl std::error::Error for OxError {}
