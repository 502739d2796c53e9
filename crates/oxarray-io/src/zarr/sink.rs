//! Writing a Zarr array in parallel: each block's task encodes and stores the Zarr chunks of the
//! block it was handed (the Python front rechunks the array onto the Zarr chunk grid first, so
//! no two tasks share a chunk and no chunk is read back). Chunks go through
//! [`super::store::AtomicFilesystemStore`]; the metadata is written last, by [`ZarrWriter::finish`],
//! so a failed run leaves no array that claims to be complete.

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
            shape,
            dtype,
            chunk_shape,
        })
    }

    /// A node whose blocks (one `true` per block of `x`) are computed by storing `x`'s blocks.
    /// Every block must start on a Zarr chunk boundary and end on one (or at the array's end).
    pub fn sink(&self, x: &NodeRef) -> OxResult<NodeRef> {
        if x.shape != self.shape || x.dtype != self.dtype {
            return Err(OxError::ShapeMismatch(format!(
                "cannot write a {:?} {} array into a Zarr array of {:?} {}",
                x.shape, x.dtype, self.shape, self.dtype
            )));
        }
        for (ax, bounds) in x.grid.chunks().iter().enumerate() {
            let step = self.chunk_shape[ax];
            let mut at = 0;
            for &b in bounds {
                at += b;
                if at % step != 0 && at != self.shape[ax] {
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
                .map(|&o| o as u64)
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
