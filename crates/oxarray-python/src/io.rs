//! Files: `.npy` and Zarr sources and sinks (the work is in `oxarray-io`). Opening a file maps
//! its failure to the matching `OSError` (`FileNotFoundError`, ...); a run that writes releases
//! the GIL like any compute, and publishes the file only when every block was written.

use super::{gil, grid_for, wrap, PyNode};
use crate::check;
use crate::errors::PyOxError;
use crate::errstate;
use oxarray_graph::fperr::FpLog;
use oxarray_graph::NodeRef;
use oxarray_io::npy::{self, NpyFile, NpyWriter};
use oxarray_io::zarr::{self, ZarrReader, ZarrWriter};
use oxarray_io::IoError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

fn py_err(e: IoError) -> PyErr {
    match e {
        IoError::Os { path, source } => std::io::Error::new(
            source.kind(),
            format!("{source}: {:?}", path.display().to_string()),
        )
        .into(),
        IoError::Engine(e) => PyOxError(e).into(),
    }
}

/// Runs the sink node (its blocks write the file), GIL released, floating-point state reported.
fn run_sink(py: Python<'_>, sink: NodeRef) -> PyResult<()> {
    let log = FpLog::default();
    let run = gil::run_detached(py, |cancel| {
        oxarray_graph::compute_logged(&[sink], cancel, &log).map(|_| ())
    });
    check::issue_warnings(py)?;
    errstate::reported(py, &log, run)
}

/// A lazy array of the `.npy` file at `path`, memory-mapped, cut by `chunks`.
#[pyfunction]
fn from_npy(path: PathBuf, chunks: &Bound<'_, PyAny>) -> PyResult<PyNode> {
    let file = NpyFile::open(&path).map_err(py_err)?;
    let grid = grid_for(chunks, &file.header.shape, file.header.dtype)?;
    Ok(wrap(npy::from_npy(file, grid).map_err(PyOxError)?))
}

/// Writes `x` to the `.npy` file `path`, block by block (published by a rename at the end).
#[pyfunction]
fn to_npy(py: Python<'_>, x: PyRef<'_, PyNode>, path: PathBuf) -> PyResult<()> {
    let x = x.inner.clone();
    let w = NpyWriter::create(&path, x.dtype, &x.shape).map_err(py_err)?;
    if x.size() > 0 {
        run_sink(py, w.sink(&x).map_err(PyOxError)?)?;
    }
    w.finish().map_err(py_err)
}

/// Writes `x` as a `.npy` into the open file descriptor `fd` from byte `base` on; returns the
/// offset of the end of the data (the caller seeks its file object there).
#[pyfunction]
fn to_npy_fd(py: Python<'_>, x: PyRef<'_, PyNode>, fd: i32, base: u64) -> PyResult<u64> {
    use std::os::fd::BorrowedFd;
    let x = x.inner.clone();
    // SAFETY: the caller's file object owns `fd` and keeps it open for this call; we write
    // through a duplicate, closed when the writer is dropped.
    let owned = unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned()?;
    let w = NpyWriter::into_file(std::fs::File::from(owned), base, x.dtype, &x.shape)
        .map_err(py_err)?;
    if x.size() > 0 {
        run_sink(py, w.sink(&x).map_err(PyOxError)?)?;
    }
    let end = w.end();
    w.finish().map_err(py_err)?;
    Ok(end)
}

/// NumPy's `.npy` header bytes for `shape` and `dtype` (for writers that stream in order).
#[pyfunction]
fn npy_header<'py>(
    py: Python<'py>,
    dtype: &str,
    shape: Vec<usize>,
) -> PyResult<Bound<'py, PyBytes>> {
    let dtype = crate::convert::dtype_from_name(dtype)?;
    Ok(PyBytes::new(py, &npy::header::write(dtype, &shape)))
}

/// The shape, dtype and chunk shape of the Zarr array at `path`.
#[pyfunction]
fn zarr_info(path: PathBuf) -> PyResult<(Vec<usize>, &'static str, Vec<usize>)> {
    let r = ZarrReader::open(&path).map_err(py_err)?;
    Ok((r.shape.clone(), r.dtype.name(), r.chunk_shape.clone()))
}

/// A lazy array of the Zarr array at `path`, cut by `chunks`.
#[pyfunction]
fn from_zarr(path: PathBuf, chunks: &Bound<'_, PyAny>) -> PyResult<PyNode> {
    let r = ZarrReader::open(&path).map_err(py_err)?;
    let grid = grid_for(chunks, &r.shape, r.dtype)?;
    Ok(wrap(zarr::from_zarr(r, grid).map_err(PyOxError)?))
}

/// Writes `x` (cut on the Zarr chunk grid) as the Zarr array `metadata` (JSON) at `path`.
#[pyfunction]
fn to_zarr(py: Python<'_>, x: PyRef<'_, PyNode>, path: PathBuf, metadata: &str) -> PyResult<()> {
    let x = x.inner.clone();
    let w = ZarrWriter::create(&path, metadata).map_err(py_err)?;
    if x.size() > 0 {
        run_sink(py, w.sink(&x).map_err(PyOxError)?)?;
    }
    w.finish().map_err(py_err)
}

/// Writes `x` into the region of its shape at `offset` of the existing Zarr array at `path`
/// (`x` cut so that its blocks end on the array's chunk boundaries).
#[pyfunction]
fn to_zarr_region(
    py: Python<'_>,
    x: PyRef<'_, PyNode>,
    path: PathBuf,
    offset: Vec<usize>,
) -> PyResult<()> {
    let x = x.inner.clone();
    let w = ZarrWriter::open(&path)
        .map_err(py_err)?
        .region(offset, x.shape.clone())
        .map_err(PyOxError)?;
    if x.size() > 0 {
        run_sink(py, w.sink(&x).map_err(PyOxError)?)?;
    }
    w.finish().map_err(py_err)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Pickled arrays and executor tasks that read files rebuild their sources in this process.
    oxarray_io::descriptor::register();
    m.add_function(wrap_pyfunction!(to_zarr_region, m)?)?;
    m.add_function(wrap_pyfunction!(from_npy, m)?)?;
    m.add_function(wrap_pyfunction!(to_npy, m)?)?;
    m.add_function(wrap_pyfunction!(to_npy_fd, m)?)?;
    m.add_function(wrap_pyfunction!(npy_header, m)?)?;
    m.add_function(wrap_pyfunction!(zarr_info, m)?)?;
    m.add_function(wrap_pyfunction!(from_zarr, m)?)?;
    m.add_function(wrap_pyfunction!(to_zarr, m)?)?;
    Ok(())
}
