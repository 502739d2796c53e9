//! Bindings of the Fourier transforms: argument conversion only (the Python front `oxarray.fft`
//! has normalized `n`, `axis` and `norm` as NumPy does).

use super::{get_chunk_bytes, wrap, PyNode};
use crate::errors::{PyOxError, PyOxResult};
use oxarray_core::OxError;
use oxarray_graph::fft::{FftBudget, FftRequest, Transform};
use pyo3::prelude::*;

/// One axis transform of `x`: `kind` is `"fft"`, `"ifft"`, `"rfft"` or `"irfft"` (unnormalized
/// directions; `scale` multiplies the result), over `n` points along `axis`.
#[pyfunction]
#[pyo3(signature = (x, kind, axis, n, scale, block_bytes, conj_in=false, conj_out=false))]
#[allow(clippy::too_many_arguments)]
pub fn fft(
    x: PyRef<'_, PyNode>,
    kind: &str,
    axis: usize,
    n: usize,
    scale: f64,
    block_bytes: usize,
    conj_in: bool,
    conj_out: bool,
) -> PyOxResult<PyNode> {
    let transform = match kind {
        "fft" => Transform::Forward,
        "ifft" => Transform::Inverse,
        "rfft" => Transform::RealForward,
        "irfft" => Transform::RealInverse,
        other => {
            return Err(PyOxError(OxError::Value(format!(
                "unknown transform {other:?}"
            ))))
        }
    };
    let req = FftRequest {
        transform,
        axis,
        n,
        scale,
        conj_in,
        conj_out,
    };
    let budget = FftBudget {
        chunk_bytes: get_chunk_bytes(),
        block_bytes,
        threads: rayon::current_num_threads(),
    };
    Ok(wrap(oxarray_graph::fft::fft(&x.inner, &req, &budget)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fft, m)?)
}
