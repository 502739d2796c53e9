//! Bindings of the random sources: argument conversion only (the Python front `oxarray.random`
//! has checked them as NumPy does).

use super::{grid_for, wrap, PyNode};
use crate::convert::dtype_from_name;
use crate::errors::PyOxError;
use oxarray_core::{DType, OxError};
use oxarray_graph::random as build;
use oxarray_graph::random::IntBounds;
use oxarray_graph::random::{Dist, Stream};
use pyo3::prelude::*;
use std::sync::Arc;

/// The distribution `name` with `params`, for a result of shape `shape`.
fn dist_from(name: &str, params: &Bound<'_, PyAny>, shape: &[usize]) -> PyResult<Dist> {
    Ok(match name {
        "uniform" => {
            let (low, high): (f64, f64) = params.extract()?;
            Dist::Uniform { low, high }
        }
        "normal" => {
            let (loc, scale): (f64, f64) = params.extract()?;
            Dist::Normal { loc, scale }
        }
        "integers" => {
            let (low, span): (i128, u64) = params.extract()?;
            Dist::Integers { low, span }
        }
        "integers_broadcast" => {
            let (bshape, low, span): (Vec<usize>, Vec<i128>, Vec<u64>) = params.extract()?;
            let bounds = IntBounds::new(shape, &bshape, low, span).map_err(PyOxError)?;
            Dist::IntegersBroadcast {
                bounds: Arc::new(bounds),
            }
        }
        "permutation" => Dist::Permutation {
            n: params.extract()?,
        },
        "choice" => build::categorical(&params.extract::<Vec<f64>>()?).map_err(PyOxError)?,
        other => {
            return Err(PyOxError(OxError::Value(format!("unknown distribution {other:?}"))).into())
        }
    })
}

/// A lazy random array of `shape` drawn from distribution `dist` with `params`, on the stream
/// (`key`, `stream`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn random(
    shape: Vec<usize>,
    dtype: &str,
    chunks: &Bound<'_, PyAny>,
    key: [u32; 2],
    stream: u32,
    dist: &str,
    params: &Bound<'_, PyAny>,
) -> PyResult<PyNode> {
    let dtype = dtype_from_name(dtype)?;
    let grid = grid_for(chunks, &shape, dtype)?;
    let dist = dist_from(dist, params, &shape)?;
    let node =
        build::random(shape, dtype, grid, Stream { key, stream }, dist).map_err(PyOxError)?;
    Ok(wrap(node))
}

/// `k` distinct indices drawn with weights `p` (computed now), as a 1-d int64 node.
#[pyfunction]
pub fn weighted_choice(
    p: Vec<f64>,
    k: usize,
    chunks: &Bound<'_, PyAny>,
    key: [u32; 2],
    stream: u32,
) -> PyResult<PyNode> {
    let grid = grid_for(chunks, &[k], DType::Int64)?;
    let node = build::weighted_choice(Stream { key, stream }, &p, k, grid).map_err(PyOxError)?;
    Ok(wrap(node))
}

/// `x[idx]` along axis 0: `idx` (a 1-d int64 node) is computed now, the gather stays lazy.
#[pyfunction]
pub fn take_rows(py: Python<'_>, x: PyRef<'_, PyNode>, idx: PyRef<'_, PyNode>) -> PyResult<PyNode> {
    let nodes = vec![idx.inner.clone()];
    let mut out = crate::gil::run_detached(py, |cancel| oxarray_graph::compute(&nodes, cancel))?;
    let chunk = out
        .pop()
        .ok_or_else(|| PyOxError(OxError::Internal("take_rows: no index array".into())))?;
    let values = chunk
        .as_array::<i64>()
        .ok_or_else(|| PyOxError(OxError::Type("take_rows: indices must be int64".into())))?;
    let rows = values
        .iter()
        .map(|&v| {
            usize::try_from(v).map_err(|_| {
                PyOxError(OxError::Index(format!(
                    "index {v} is out of bounds for axis 0"
                )))
            })
        })
        .collect::<Result<Vec<usize>, PyOxError>>()?;
    Ok(wrap(
        oxarray_graph::take::take_rows(&x.inner, rows).map_err(PyOxError)?,
    ))
}
