//! Reading a Zarr array lazily: each block's task asks zarrs for the region of its block (the
//! Python front cuts blocks on Zarr chunk boundaries, several small chunks to a block), decoded
//! to this machine's byte order and copied into a chunk.

use super::dtype::from_zarr as dtype_of;
use super::zarr_error;
use crate::region::as_bytes_mut;
use crate::IoResult;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, Chunk, ChunkGrid, DType, Element, OxError, OxResult, Scalar};
use oxarray_graph::callback::{map_blocks, BlockFn, Callback};
use oxarray_graph::NodeRef;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zarrs::array::{Array, ArrayBytes, ArraySubset};
use zarrs::filesystem::FilesystemStore;

/// An opened Zarr array (v2 or v3, detected from its metadata).
pub struct ZarrReader {
    array: Array<FilesystemStore>,
    pub path: PathBuf,
    pub shape: Vec<usize>,
    pub dtype: DType,
    /// The shape of one chunk (of one shard, for a sharded array: the unit a read decodes).
    pub chunk_shape: Vec<usize>,
}

impl ZarrReader {
    pub fn open(path: &Path) -> IoResult<ZarrReader> {
        std::fs::metadata(path).map_err(crate::os_error(path))?;
        let store = FilesystemStore::new(path).map_err(|e| zarr_error(path, e))?;
        let array = Array::open(Arc::new(store), "/")
            .map_err(|e| zarr_error(path, format!("cannot open it as a Zarr array: {e}")))?;
        let dtype = dtype_of(array.data_type())?;
        let shape = array
            .shape()
            .iter()
            .map(|&d| d as usize)
            .collect::<Vec<_>>();
        let chunk_shape = array
            .chunk_shape(&vec![0; shape.len()])
            .map_err(|e| zarr_error(path, e))?
            .iter()
            .map(|d| d.get() as usize)
            .collect();
        Ok(ZarrReader {
            array,
            path: path.to_path_buf(),
            shape,
            dtype,
            chunk_shape,
        })
    }

    /// The block of `shape` at `offset` as a chunk.
    pub fn read_block(&self, offset: &[usize], shape: &[usize]) -> OxResult<Chunk> {
        if shape.contains(&0) {
            return Chunk::zeros(self.dtype, shape);
        }
        let start = offset.iter().map(|&o| o as u64).collect();
        let extent = shape.iter().map(|&s| s as u64).collect();
        let subset = ArraySubset::new_with_start_shape(start, extent)
            .map_err(|e| zarr_error(&self.path, e))?;
        let bytes: ArrayBytes<'static> = self
            .array
            .retrieve_array_subset(&subset)
            .map_err(|e| zarr_error(&self.path, e))?;
        let raw = bytes.into_fixed().map_err(|e| zarr_error(&self.path, e))?;
        dispatch_dtype!(self.dtype, T => typed_chunk::<T>(&raw, shape))
    }
}

/// A chunk of `shape` from native-order element bytes (bools compared with zero).
fn typed_chunk<T: Element>(raw: &[u8], shape: &[usize]) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let n: usize = shape.iter().product();
    if raw.len() != n * std::mem::size_of::<T>() {
        return Err(OxError::Value(format!(
            "a Zarr chunk decoded to {} bytes, expected {}",
            raw.len(),
            n * std::mem::size_of::<T>()
        )));
    }
    let v: Vec<T> = if T::DTYPE == DType::Bool {
        raw.iter()
            .map(|&b| T::from_scalar(Scalar::Bool(b != 0)))
            .collect()
    } else {
        let mut v = oxarray_core::buffer::zeroed_vec::<T>(n)?;
        // SAFETY: T is not bool here.
        unsafe { as_bytes_mut(&mut v) }.copy_from_slice(raw);
        v
    };
    let a =
        ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| OxError::Internal(e.to_string()))?;
    Ok(Chunk::from_array(a))
}

struct ZarrSource {
    reader: ZarrReader,
    grid: ChunkGrid,
}

impl BlockFn for ZarrSource {
    fn call(&self, block: &[usize], _: &[&Chunk], shape: &[usize], _: DType) -> OxResult<Chunk> {
        self.reader
            .read_block(&self.grid.block_offset(block), shape)
    }
    fn name(&self) -> String {
        "from_zarr".into()
    }
}

/// A lazy array of the opened Zarr array, cut by `grid`.
pub fn from_zarr(reader: ZarrReader, grid: ChunkGrid) -> OxResult<NodeRef> {
    if grid.shape() != reader.shape {
        return Err(OxError::Internal(
            "from_zarr: grid and array shapes differ".into(),
        ));
    }
    let (shape, dtype) = (reader.shape.clone(), reader.dtype);
    let chunks = grid.chunks().to_vec();
    map_blocks(
        &[],
        Callback(Arc::new(ZarrSource { reader, grid })),
        shape,
        dtype,
        chunks,
    )
}
