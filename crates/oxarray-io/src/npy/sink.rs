//! Writing a `.npy` file chunk by chunk: the header is written first and the file sized, then
//! each block's task writes the block it was handed at its offset (a positioned write, so tasks
//! run in any order on any thread) and keeps nothing: the whole array is never in memory.
//!
//! A file named by path is written under a temporary name beside it and renamed into place only
//! after every block is written; a failed run removes it, so no half-written `.npy` is left.

use super::header;
use super::source::NpySource;
use crate::region::{as_bytes, for_each_run};
use crate::{os_error, task_io_error, IoResult};
use oxarray_core::{dispatch_typed, Chunk, ChunkGrid, DType, OxError, OxResult, Scalar};
use oxarray_graph::callback::{map_blocks, BlockFn, Callback};
use oxarray_graph::NodeRef;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name in `dest`'s directory (so the final rename stays on one file system).
pub(crate) fn temp_name(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dest.with_file_name(format!(
        ".{name}.{}-{n}.oxarray-partial",
        std::process::id()
    ))
}

/// A `.npy` file being written: the header is in place, the data is written by [`Self::sink`]'s
/// tasks, and [`Self::finish`] publishes it.
pub struct NpyWriter {
    file: Arc<File>,
    /// (temporary, final) names; `None` when writing into a file the caller opened.
    names: Option<(PathBuf, PathBuf)>,
    data_offset: u64,
    shape: Vec<usize>,
    dtype: DType,
}

impl NpyWriter {
    /// Starts the file `dest` (created under a temporary name beside it).
    pub fn create(dest: &Path, dtype: DType, shape: &[usize]) -> IoResult<NpyWriter> {
        let tmp = temp_name(dest);
        let file = File::create(&tmp).map_err(os_error(dest))?;
        let mut w = NpyWriter {
            file: Arc::new(file),
            names: Some((tmp, dest.to_path_buf())),
            data_offset: 0,
            shape: shape.to_vec(),
            dtype,
        };
        w.start(0)?;
        Ok(w)
    }

    /// Writes into `file` (opened by the caller for writing) from byte `base` on.
    pub fn into_file(file: File, base: u64, dtype: DType, shape: &[usize]) -> IoResult<NpyWriter> {
        let mut w = NpyWriter {
            file: Arc::new(file),
            names: None,
            data_offset: 0,
            shape: shape.to_vec(),
            dtype,
        };
        w.start(base)?;
        Ok(w)
    }

    fn start(&mut self, base: u64) -> IoResult<()> {
        let path = self.path();
        let head = header::write(self.dtype, &self.shape);
        let data: u64 = self
            .shape
            .iter()
            .try_fold(self.dtype.itemsize() as u64, |a, &d| {
                a.checked_mul(d as u64)
            })
            .ok_or_else(|| OxError::Value("array too large for a .npy file".into()))?;
        self.file
            .write_all_at(&head, base)
            .map_err(os_error(&path))?;
        self.data_offset = base + head.len() as u64;
        // Sized up front: blocks land anywhere, and a short disk fails here, not mid-run.
        self.file
            .set_len(self.data_offset + data)
            .map_err(os_error(&path))?;
        Ok(())
    }

    fn path(&self) -> PathBuf {
        self.names
            .as_ref()
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| PathBuf::from("<file>"))
    }

    /// Bytes from the start of the header to the end of the data.
    pub fn end(&self) -> u64 {
        let n: usize = self.shape.iter().product();
        self.data_offset + (n * self.dtype.itemsize()) as u64
    }

    /// A node whose blocks (one `true` per block of `x`) are computed by writing `x`'s blocks.
    pub fn sink(&self, x: &NodeRef) -> OxResult<NodeRef> {
        if x.shape != self.shape || x.dtype != self.dtype {
            return Err(OxError::ShapeMismatch(format!(
                "cannot write a {:?} {} array into a .npy file of {:?} {}",
                x.shape, x.dtype, self.shape, self.dtype
            )));
        }
        let nb = x.grid.numblocks();
        let chunks: Vec<Vec<usize>> = nb.iter().map(|&n| vec![1; n]).collect();
        if let Some(src) = plain_npy_source(x) {
            // A `.npy` file written straight to another: each task writes its block's bytes out
            // of the source's map (one copy, as `np.save` of a memory map; no block in memory).
            let f = NpyCopy {
                src,
                file: self.file.clone(),
                path: self.path(),
                data_offset: self.data_offset,
                shape: self.shape.clone(),
                grid: x.grid.clone(),
            };
            return map_blocks(&[], Callback(Arc::new(f)), nb, DType::Bool, chunks);
        }
        let f = NpySink {
            file: self.file.clone(),
            path: self.path(),
            data_offset: self.data_offset,
            shape: self.shape.clone(),
            grid: x.grid.clone(),
        };
        map_blocks(
            std::slice::from_ref(x),
            Callback(Arc::new(f)),
            nb,
            DType::Bool,
            chunks,
        )
    }

    /// Publishes the file: renamed into place when written under a temporary name.
    pub fn finish(mut self) -> IoResult<()> {
        if let Some((tmp, dest)) = self.names.take() {
            if let Err(e) = std::fs::rename(&tmp, &dest) {
                let _ = std::fs::remove_file(&tmp);
                return Err(os_error(&dest)(e));
            }
        }
        Ok(())
    }
}

impl Drop for NpyWriter {
    /// Not finished (a failed or cancelled run): the partial file is removed.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.names.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

struct NpySink {
    file: Arc<File>,
    path: PathBuf,
    data_offset: u64,
    shape: Vec<usize>,
    grid: ChunkGrid,
}

impl BlockFn for NpySink {
    fn call(
        &self,
        block: &[usize],
        inputs: &[&Chunk],
        shape: &[usize],
        _: DType,
    ) -> OxResult<Chunk> {
        let c = inputs
            .first()
            .ok_or_else(|| OxError::Internal("to_npy: no block to write".into()))?;
        let offset = self.grid.block_offset(block);
        let itemsize = c.dtype().itemsize();
        dispatch_typed!(Chunk, c, a => {
            let std = a.as_standard_layout();
            let elems = std.as_slice().ok_or_else(|| OxError::Internal("layout".into()))?;
            let bytes = as_bytes(elems);
            for_each_run(&self.shape, &offset, a.shape(), |at, from, len| {
                let pos = self.data_offset + (at * itemsize) as u64;
                self.file
                    .write_all_at(&bytes[from * itemsize..(from + len) * itemsize], pos)
                    .map_err(|e| task_io_error("cannot write to", &self.path, e))
            })
        })?;
        Chunk::full(DType::Bool, shape, Scalar::Bool(true))
    }
    fn name(&self) -> String {
        "to_npy".into()
    }
}

/// The source function of `x` when `x` is a `from_npy` array of a C-ordered file in this
/// machine's byte order (its blocks are then byte ranges of the file, the same as in ours).
fn plain_npy_source(x: &NodeRef) -> Option<Callback> {
    let oxarray_graph::NodeKind::Callback(op) = &x.kind else {
        return None;
    };
    let src = op.f.0.as_any()?.downcast_ref::<NpySource>()?;
    let h = &src.file.header;
    let plain = op.inputs.is_empty() && !h.fortran_order && !h.big_endian && h.dtype != DType::Bool;
    plain.then(|| op.f.clone())
}

/// Writes block `b` of a `.npy` source's array into the file at the same place.
struct NpyCopy {
    /// The `from_npy` function (an [`NpySource`]).
    src: Callback,
    file: Arc<File>,
    path: PathBuf,
    data_offset: u64,
    shape: Vec<usize>,
    grid: ChunkGrid,
}

impl BlockFn for NpyCopy {
    fn call(&self, block: &[usize], _: &[&Chunk], shape: &[usize], _: DType) -> OxResult<Chunk> {
        let src = self
            .src
            .0
            .as_any()
            .and_then(|a| a.downcast_ref::<NpySource>())
            .ok_or_else(|| OxError::Internal("to_npy: not a .npy source".into()))?;
        let data = src.file.data();
        let itemsize = src.file.header.dtype.itemsize();
        let offset = self.grid.block_offset(block);
        let block_shape = self.grid.block_shape(block);
        for_each_run(&self.shape, &offset, &block_shape, |at, _, len| {
            let bytes = &data[at * itemsize..(at + len) * itemsize];
            let pos = self.data_offset + (at * itemsize) as u64;
            self.file
                .write_all_at(bytes, pos)
                .map_err(|e| task_io_error("cannot write to", &self.path, e))
        })?;
        Chunk::full(DType::Bool, shape, Scalar::Bool(true))
    }
    fn name(&self) -> String {
        "npy_to_npy".into()
    }
}
