//! Conversions across the boundary: NumPy arrays to chunks (copying, in parallel, without the
//! GIL) and back (moving the buffer, no copy), Python scalars, dtype names and `chunks=` specs.

use crate::errors::PyOxError;
use ndarray::{ArrayD, ArrayViewD, Slice};
use numpy::{IntoPyArray, PyArrayDyn, PyArrayMethods, PyUntypedArray};
use oxarray_core::chunk::Typed;
use oxarray_core::grid::DimSpec;
use oxarray_core::{
    dispatch_dtype, dispatch_typed, Chunk, ChunkGrid, DType, Element, OxError, OxResult, Scalar,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyComplex, PyFloat, PyInt, PyString, PyTuple};
use rayon::prelude::*;
use std::sync::Arc;

pub fn dtype_from_name(name: &str) -> PyResult<DType> {
    DType::from_name(name)
        .ok_or_else(|| PyTypeError::new_err(format!("oxarray does not support dtype {name:?}")))
}

pub fn scalar_from_py(v: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if v.is_instance_of::<PyBool>() {
        return Ok(Scalar::Bool(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Scalar::Int(i));
        }
        return Ok(Scalar::UInt(v.extract::<u64>()?));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(Scalar::Float(v.extract()?));
    }
    if let Ok(c) = v.downcast::<PyComplex>() {
        return Ok(Scalar::Complex(c.real(), c.imag()));
    }
    Err(PyTypeError::new_err(format!(
        "expected a Python scalar, got {}",
        v.get_type().name()?
    )))
}

/// A `chunks=` argument: "auto", an int for every axis, or one entry per axis (int, -1/None for
/// the whole axis, "auto", or a tuple of explicit sizes).
pub fn parse_chunks(
    spec: &Bound<'_, PyAny>,
    shape: &[usize],
    itemsize: usize,
    target: usize,
) -> PyResult<ChunkGrid> {
    let per_axis: Vec<DimSpec> = if is_auto(spec) {
        vec![DimSpec::Auto; shape.len()]
    } else if spec.is_none() {
        vec![DimSpec::Full; shape.len()]
    } else if spec.is_instance_of::<PyInt>() {
        vec![dim_spec(spec)?; shape.len()]
    } else if let Ok(t) = spec.extract::<Vec<Bound<'_, PyAny>>>() {
        if t.len() != shape.len() {
            return Err(PyValueError::new_err(format!(
                "chunks={} has {} entries, but the array has {} dimensions",
                spec.repr()?,
                t.len(),
                shape.len()
            )));
        }
        t.iter().map(dim_spec).collect::<PyResult<_>>()?
    } else {
        // A chunks= of the wrong kind is a bad value (as in Dask), not a type error.
        return Err(PyValueError::new_err(format!(
            "chunks must be 'auto', an int or a tuple, got {}",
            spec.repr()?
        )));
    };
    ChunkGrid::from_spec(shape, &per_axis, itemsize, target).map_err(|e| PyOxError(e).into())
}

fn is_auto(v: &Bound<'_, PyAny>) -> bool {
    v.downcast::<PyString>()
        .map(|s| s.to_str().map(|s| s == "auto").unwrap_or(false))
        .unwrap_or(false)
}

fn dim_spec(v: &Bound<'_, PyAny>) -> PyResult<DimSpec> {
    if is_auto(v) {
        return Ok(DimSpec::Auto);
    }
    if v.is_none() {
        return Ok(DimSpec::Full);
    }
    if v.is_instance_of::<PyBool>() {
        return Err(PyValueError::new_err(
            "chunk sizes must be integers, not bool",
        ));
    }
    if let Ok(i) = v.extract::<i64>() {
        return match i {
            -1 => Ok(DimSpec::Full),
            i if i > 0 => Ok(DimSpec::Size(i as usize)),
            i => Err(PyValueError::new_err(format!(
                "chunk sizes must be positive (or -1 for the whole axis), got {i}"
            ))),
        };
    }
    if v.downcast::<PyTuple>().is_ok() || v.extract::<Vec<i64>>().is_ok() {
        let sizes: Vec<i64> = v.extract()?;
        if sizes.iter().any(|&s| s < 0) {
            return Err(PyValueError::new_err(format!(
                "chunk sizes must not be negative, got {sizes:?}"
            )));
        }
        return Ok(DimSpec::Explicit(
            sizes.into_iter().map(|s| s as usize).collect(),
        ));
    }
    Err(PyValueError::new_err(format!(
        "cannot interpret {} as chunk sizes",
        v.repr()?
    )))
}

/// Copies a NumPy array (any strides, any order) into the blocks of `grid`. `byteswap` says the
/// buffer is in non-native byte order (the Python side reinterpreted its dtype without a copy).
pub fn ingest(
    py: Python<'_>,
    arr: &Bound<'_, PyUntypedArray>,
    dtype: DType,
    grid: &ChunkGrid,
    byteswap: bool,
) -> PyResult<Vec<Arc<Chunk>>> {
    dispatch_dtype!(dtype, T => {
        let a = arr.downcast::<PyArrayDyn<T>>().map_err(|_| PyTypeError::new_err(format!("expected a {dtype} array")))?;
        let ro = a.try_readonly().map_err(|e| PyValueError::new_err(e.to_string()))?;
        let view = ro.as_array();
        py.allow_threads(|| copy_blocks(view, grid, byteswap)).map_err(|e| PyOxError(e).into())
    })
}

fn copy_blocks<T: Element>(
    view: ArrayViewD<'_, T>,
    grid: &ChunkGrid,
    byteswap: bool,
) -> OxResult<Vec<Arc<Chunk>>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let blocks: Vec<Vec<usize>> = grid.block_indices().collect();
    let copy = |idx: &Vec<usize>| {
        let off = grid.block_offset(idx);
        let shp = grid.block_shape(idx);
        let part = view.slice_each_axis(|ax| {
            let i = ax.axis.index();
            Slice::from(off[i]..off[i] + shp[i])
        });
        let buffer = oxarray_core::buffer::zeroed_vec::<T>(part.len())?;
        let mut owned = ArrayD::from_shape_vec(part.raw_dim(), buffer)
            .map_err(|e| OxError::Internal(e.to_string()))?;
        owned.assign(&part);
        if byteswap {
            owned.mapv_inplace(T::swap_bytes);
        }
        Ok(Arc::new(Chunk::from_array(owned)))
    };
    if blocks.len() > 1 {
        blocks.par_iter().map(copy).collect()
    } else {
        blocks.iter().map(copy).collect()
    }
}

/// Hands a chunk to NumPy, moving its buffer (no copy).
pub fn chunk_into_py(py: Python<'_>, c: Chunk) -> PyObject {
    dispatch_typed!(Chunk, c, a => a.into_pyarray(py).into_any().unbind())
}
