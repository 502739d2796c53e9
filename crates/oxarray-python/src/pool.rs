//! Bindings of the block pool (what it holds, emptying it) and of the memory-bandwidth probe
//! that `bench/` compares the reductions with. No numerics here.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The block pool's counters: live and kept bytes, blocks reused and freshly mapped.
#[pyfunction]
fn pool_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let s = oxarray_core::pool::POOL.stats();
    let d = PyDict::new(py);
    d.set_item("live_bytes", s.live_bytes)?;
    d.set_item("kept_bytes", s.kept_bytes)?;
    d.set_item("reused", s.reused)?;
    d.set_item("mapped", s.mapped)?;
    Ok(d)
}

/// Unmaps every block the pool keeps for reuse.
#[pyfunction]
fn release_pool() {
    oxarray_core::pool::POOL.release();
}

/// The machine's memory bandwidth in GB/s, measured over `n` float64 with plain loops (best of
/// `repeats`): read on 1 and 2 threads, write, copy, and write into fresh pages.
#[pyfunction]
fn memory_bandwidth(py: Python<'_>, n: usize, repeats: usize) -> PyResult<Bound<'_, PyDict>> {
    let b = py
        .allow_threads(|| oxarray_kernels::bandwidth::measure(n, repeats))
        .map_err(crate::errors::PyOxError)?;
    let d = PyDict::new(py);
    d.set_item("read_1", b.read_1)?;
    d.set_item("read_2", b.read_2)?;
    d.set_item("write", b.write)?;
    d.set_item("copy", b.copy)?;
    d.set_item("fresh_write", b.fresh_write)?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pool_stats, m)?)?;
    m.add_function(wrap_pyfunction!(release_pool, m)?)?;
    m.add_function(wrap_pyfunction!(memory_bandwidth, m)?)?;
    Ok(())
}
