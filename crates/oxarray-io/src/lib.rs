//! oxarray-io: chunked storage as sources and sinks of the graph.
//!
//! A file source is a per-block function with no inputs ([`oxarray_graph::callback`]): each of
//! its tasks reads one block (a `.npy` region out of a memory map, or the Zarr chunks under the
//! block); a sink is a per-block function of the array to store whose task writes the block it
//! was handed and returns one `true`, so the run holds only the blocks in flight. No PyO3 here;
//! every write goes to a temporary name renamed into place only when the whole run succeeded
//! (`.npy`), or to a temporary file per chunk renamed when that chunk is complete (Zarr).

pub mod descriptor;
pub mod npy;
pub mod region;
pub mod zarr;

use oxarray_core::OxError;
use std::path::{Path, PathBuf};

/// A failure to open or create a file (the bindings raise the matching `OSError` subclass:
/// `FileNotFoundError`, `PermissionError`, ...) or any other engine error.
#[derive(Debug)]
pub enum IoError {
    Os {
        path: PathBuf,
        source: std::io::Error,
    },
    Engine(OxError),
}

impl From<OxError> for IoError {
    fn from(e: OxError) -> Self {
        IoError::Engine(e)
    }
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IoError::Os { path, source } => write!(f, "{source}: {:?}", path.display().to_string()),
            IoError::Engine(e) => write!(f, "{e}"),
        }
    }
}

pub type IoResult<T> = Result<T, IoError>;

pub(crate) fn os_error(path: &Path) -> impl FnOnce(std::io::Error) -> IoError + '_ {
    move |source| IoError::Os {
        path: path.to_path_buf(),
        source,
    }
}

/// An I/O failure while a task reads or writes (the run stops with a `ValueError` naming it).
pub(crate) fn task_io_error(what: &str, path: &Path, e: std::io::Error) -> OxError {
    OxError::Value(format!("{what} {}: {e}", path.display()))
}

#[cfg(test)]
pub(crate) mod testing {
    use oxarray_core::{Chunk, ChunkGrid, DType};
    use oxarray_graph::{expr::Node, NodeKind, NodeRef};
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    /// A fresh empty directory under the system's temporary directory.
    pub fn temp_dir(tag: &str) -> std::path::PathBuf {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("oxarray-io-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// `0..n` as float64 of `shape`, in one literal block per block of `chunks`.
    pub fn ramp(shape: &[usize], chunks: Vec<Vec<usize>>) -> (NodeRef, Vec<f64>) {
        let n: usize = shape.iter().product();
        let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let whole = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), values.clone()).unwrap();
        let one = Node::new(
            shape.to_vec(),
            DType::Float64,
            ChunkGrid::single(shape),
            NodeKind::Literal {
                chunks: vec![Arc::new(Chunk::from_array(whole))],
            },
        );
        let grid = ChunkGrid::new(shape, chunks).unwrap();
        (
            oxarray_graph::construct::rechunk(&one, grid).unwrap(),
            values,
        )
    }

    pub fn compute(x: &NodeRef) -> Vec<f64> {
        let c = oxarray_graph::compute(std::slice::from_ref(x), &AtomicBool::new(false)).unwrap();
        c[0].as_array::<f64>().unwrap().iter().copied().collect()
    }

    pub fn run(sink: NodeRef) {
        oxarray_graph::compute(&[sink], &AtomicBool::new(false)).unwrap();
    }
}
