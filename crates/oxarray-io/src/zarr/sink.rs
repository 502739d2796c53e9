//! Writing a Zarr array in parallel: each block's task encodes and stores the Zarr chunks of the
//! block it was handed (the Python front rechunks the array onto the Zarr chunk grid first, so
//! no two tasks share a chunk and no chunk is read back). Chunks go through
//! [`super::store::AtomicFilesystemStore`]; the metadata is written last, by [`ZarrWriter::finish`],
//! so a failed run leaves no array that claims to be complete.
//!
//! A region of an existing array ([`ZarrWriter::open`], [`ZarrWriter::region`]) is written the
//! same way: the blocks end on the array's chunk boundaries, so each chunk belongs to one task;
//! a chunk the region covers only in part is read, updated and written back whole by that task
//! (zarrs' read-modify-write), still through a temporary file renamed over it.

use super::store::AtomicFilesystemStore;
use super::{dtype::from_zarr, zarr_error};
use crate::region::as_bytes;
use crate::IoResult;
use oxarray_core::{dispatch_typed, Chunk, ChunkGrid, DType, OxError, OxResult, Scalar};
use oxarray_graph::callback::{map_blocks, BlockFn, Callback};
use oxarray_graph::NodeRef;
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zarrs::array::{
    Array, ArrayBytes, ArrayMetadata, ArrayMetadataOptions, ArraySubset, CodecOptions,
};

type Store = AtomicFilesystemStore;

/// A Zarr array being written.
pub struct ZarrWriter {
    array: Arc<Array<Store>>,
    path: PathBuf,
    pub shape: Vec<usize>,
    pub dtype: DType,
    pub chunk_shape: Vec<usize>,
    /// Where the written array's region starts, and its shape (the whole array unless
    /// [`Self::region`] narrowed it).
    offset: Vec<usize>,
    region: Vec<usize>,
    /// An array that existed before: its metadata is left as it is.
    existing: bool,
}

impl ZarrWriter {
    /// An array at `path` described by `metadata` (a Zarr v2 `.zarray` or v3 `zarr.json`
    /// document, as JSON); nothing is written until blocks are stored.
    pub fn create(path: &Path, metadata: &str) -> IoResult<ZarrWriter> {
        std::fs::create_dir_all(path).map_err(crate::os_error(path))?;
        let meta: ArrayMetadata = serde_json::from_str(metadata)
            .map_err(|e| OxError::Value(format!("invalid Zarr metadata: {e}")))?;
        let store = Store::new(path).map_err(|e| zarr_error(path, e))?;
        let array = Array::new_with_metadata(Arc::new(store), "/", meta)
            .map_err(|e| zarr_error(path, e))?;
        let dtype = from_zarr(array.data_type())?;
        let shape: Vec<usize> = array.shape().iter().map(|&d| d as usize).collect();
        let chunk_shape = array
            .chunk_shape(&vec![0; shape.len()])
            .map_err(|e| zarr_error(path, e))?
            .iter()
            .map(|d| d.get() as usize)
            .collect();
        Ok(ZarrWriter {
            array: Arc::new(array),
            path: path.to_path_buf(),
            offset: vec![0; shape.len()],
            region: shape.clone(),
            shape,
            dtype,
            chunk_shape,
            existing: false,
        })
    }

    /// The existing Zarr array at `path`, to write regions of (its metadata is not rewritten).
    pub fn open(path: &Path) -> IoResult<ZarrWriter> {
        std::fs::metadata(path).map_err(crate::os_error(path))?;
        let store = Store::new(path).map_err(|e| zarr_error(path, e))?;
        let array = Array::open(Arc::new(store), "/")
            .map_err(|e| zarr_error(path, format!("cannot open it as a Zarr array: {e}")))?;
        let meta =
            serde_json::to_string(array.metadata()).map_err(|e| zarr_error(path, e.to_string()))?;
        let mut w = ZarrWriter::create(path, &meta)?;
        w.existing = true;
        Ok(w)
    }

    /// Narrows the writes to the region of `shape` at `offset` of the array.
    pub fn region(mut self, offset: Vec<usize>, shape: Vec<usize>) -> OxResult<ZarrWriter> {
        let inside = offset.len() == self.shape.len()
            && shape.len() == self.shape.len()
            && (0..shape.len()).all(|a| {
                offset[a]
                    .checked_add(shape[a])
                    .is_some_and(|e| e <= self.shape[a])
            });
        if !inside {
            return Err(OxError::Value(format!(
                "the region of shape {shape:?} at {offset:?} is not inside the Zarr array {} \
                 of shape {:?}",
                self.path.display(),
                self.shape
            )));
        }
        self.offset = offset;
        self.region = shape;
        Ok(self)
    }

    /// A node whose blocks (one `true` per block of `x`) are computed by storing `x`'s blocks.
    /// Every block must start on a Zarr chunk boundary and end on one (or at the array's end).
    pub fn sink(&self, x: &NodeRef) -> OxResult<NodeRef> {
        if x.shape != self.region || x.dtype != self.dtype {
            return Err(OxError::ShapeMismatch(format!(
                "cannot write a {:?} {} array into a Zarr region of {:?} {}",
                x.shape, x.dtype, self.region, self.dtype
            )));
        }
        for (ax, bounds) in x.grid.chunks().iter().enumerate() {
            let step = self.chunk_shape[ax];
            let mut at = self.offset[ax];
            for &b in bounds {
                at += b;
                if !at.is_multiple_of(step) && at != self.offset[ax] + self.region[ax] {
                    return Err(OxError::Value(format!(
                        "the blocks along axis {ax} ({bounds:?}) do not end on Zarr chunk \
                         boundaries (chunks of {step}): rechunk first"
                    )));
                }
            }
        }
        let nb = x.grid.numblocks();
        let chunks = nb.iter().map(|&n| vec![1; n]).collect();
        let f = ZarrSink {
            array: self.array.clone(),
            path: self.path.clone(),
            offset: self.offset.clone(),
            grid: x.grid.clone(),
            options: super::source::codec_options(x.grid.nblocks()),
        };
        map_blocks(
            std::slice::from_ref(x),
            Callback(Arc::new(f)),
            nb,
            DType::Bool,
            chunks,
        )
    }

    /// Writes the array's metadata (after every chunk is stored), without the `_zarrs`
    /// attribute zarrs adds by default (the file is the user's, not a record of our library).
    pub fn finish(self) -> IoResult<()> {
        if self.existing {
            return Ok(());
        }
        let options = ArrayMetadataOptions::default().with_include_zarrs_metadata(false);
        self.array
            .store_metadata_opt(&options)
            .map_err(|e| zarr_error(&self.path, e))?;
        Ok(())
    }
}

struct ZarrSink {
    array: Arc<Array<Store>>,
    path: PathBuf,
    /// The written region's offset in the array.
    offset: Vec<usize>,
    grid: ChunkGrid,
    options: CodecOptions,
}

impl BlockFn for ZarrSink {
    fn call(
        &self,
        block: &[usize],
        inputs: &[&Chunk],
        shape: &[usize],
        _: DType,
    ) -> OxResult<Chunk> {
        let c = inputs
            .first()
            .ok_or_else(|| OxError::Internal("to_zarr: no block to write".into()))?;
        if !c.is_empty() {
            let start = self
                .grid
                .block_offset(block)
                .iter()
                .zip(&self.offset)
                .map(|(&o, &r)| (o + r) as u64)
                .collect();
            let extent = c.shape().iter().map(|&s| s as u64).collect();
            let subset = ArraySubset::new_with_start_shape(start, extent)
                .map_err(|e| zarr_error(&self.path, e))?;
            dispatch_typed!(Chunk, c, a => {
                let std = a.as_standard_layout();
                let elems = std.as_slice().ok_or_else(|| OxError::Internal("layout".into()))?;
                let bytes = ArrayBytes::new_flen(Cow::Borrowed(as_bytes(elems)));
                self.array
                    .store_array_subset_opt(&subset, bytes, &self.options)
                    .map_err(|e| zarr_error(&self.path, e))
            })?;
        }
        Chunk::full(DType::Bool, shape, Scalar::Bool(true))
    }
    fn name(&self) -> String {
        "to_zarr".into()
    }
}
