//! Reading a Zarr array lazily: each block's task decodes the Zarr chunks under its block (the
//! Python front cuts blocks on Zarr chunk boundaries, several small chunks to a block) straight
//! into the block's buffer ([`super::chunks`]), in this machine's byte order, on the scheduler's
//! thread with the GIL released. Codec concurrency inside a task is one thread when the array
//! has at least as many blocks as there are threads (the scheduler runs the blocks in parallel;
//! nesting zarrs' own parallelism under it would only interleave them). A block read is a pure
//! function of the file, so the planner may read it again rather than hold it (`recomputable`).

use super::chunks::BlockBytes;
use super::dtype::from_zarr as dtype_of;
use super::zarr_error;
use crate::IoResult;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, Chunk, ChunkGrid, DType, Element, OxError, OxResult, Scalar};
use oxarray_graph::callback::{map_blocks, BlockFn, Callback};
use oxarray_graph::NodeRef;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zarrs::array::{Array, CodecOptions};
use zarrs::filesystem::FilesystemStore;

/// An opened Zarr array (v2 or v3, detected from its metadata).
pub struct ZarrReader {
    pub(crate) array: Array<FilesystemStore>,
    /// Chunks are plain blosc frames (see [`super::blosc::plain_blosc`]).
    pub(crate) blosc: bool,
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
        let blosc = serde_json::to_value(array.metadata())
            .map(|m| super::blosc::plain_blosc(&m))
            .unwrap_or(false);
        Ok(ZarrReader {
            array,
            blosc,
            path: path.to_path_buf(),
            shape,
            dtype,
            chunk_shape,
        })
    }

    /// The block of `shape` at `offset` as a chunk.
    pub fn read_block(
        &self,
        offset: &[usize],
        shape: &[usize],
        options: &CodecOptions,
    ) -> OxResult<Chunk> {
        if shape.contains(&0) {
            return Chunk::zeros(self.dtype, shape);
        }
        dispatch_dtype!(self.dtype, T => self.read_typed::<T>(offset, shape, options))
    }

    fn read_typed<T: Element>(
        &self,
        offset: &[usize],
        shape: &[usize],
        options: &CodecOptions,
    ) -> OxResult<Chunk>
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        let n: usize = shape.iter().product();
        let v: Vec<T> = if T::DTYPE == DType::Bool {
            // Bytes other than 0/1 are not bools: decoded as u8 and compared with zero.
            let mut raw = oxarray_core::buffer::zeroed_vec::<u8>(n)?;
            self.read_into(offset, shape, &mut BlockBytes::init(&mut raw), options)?;
            raw.into_iter()
                .map(|b| T::from_scalar(Scalar::Bool(b != 0)))
                .collect()
        } else {
            // Not zero-filled: the chunks write every byte (see `BlockBytes`). The fallible
            // pattern of `oxarray_core::buffer::zeroed_vec`, without its zeroing.
            let mut v: Vec<T> = Vec::new();
            v.try_reserve_exact(n).map_err(|_| {
                OxError::Memory(format!(
                    "Unable to allocate {n} elements of {} bytes for a Zarr block",
                    std::mem::size_of::<T>()
                ))
            })?;
            let spare = v.spare_capacity_mut();
            let len = std::mem::size_of_val(spare);
            // SAFETY: the spare capacity of `n` elements viewed as maybe-uninitialised bytes.
            let bytes = unsafe { std::slice::from_raw_parts_mut(spare.as_mut_ptr().cast(), len) };
            self.read_into(offset, shape, &mut BlockBytes::uninit(bytes), options)?;
            // SAFETY: `read_into` succeeded, so it wrote all `n` elements' bytes, and T is not
            // bool here (any bytes are a valid integer or float).
            unsafe { v.set_len(n) };
            v
        };
        let a = ArrayD::from_shape_vec(IxDyn(shape), v)
            .map_err(|e| OxError::Internal(e.to_string()))?;
        Ok(Chunk::from_array(a))
    }
}

/// Codec options for a task of an array cut in `nblocks` blocks: zarrs' own parallelism only
/// when there are fewer blocks than threads.
pub(crate) fn codec_options(nblocks: usize) -> CodecOptions {
    let threads = rayon::current_num_threads().max(1);
    CodecOptions::default().with_concurrent_target(threads.div_ceil(nblocks.max(1)).max(1))
}

struct ZarrSource {
    reader: ZarrReader,
    grid: ChunkGrid,
    options: CodecOptions,
}

impl BlockFn for ZarrSource {
    fn call(&self, block: &[usize], _: &[&Chunk], shape: &[usize], _: DType) -> OxResult<Chunk> {
        self.reader
            .read_block(&self.grid.block_offset(block), shape, &self.options)
    }
    fn name(&self) -> String {
        "from_zarr".into()
    }
    fn recomputable(&self) -> bool {
        true
    }
    fn descriptor(&self) -> Option<(String, Vec<u8>)> {
        let d = crate::descriptor::describe(&self.reader.path, self.reader.dtype, &self.grid)?;
        Some((crate::descriptor::ZARR.into(), d))
    }
}

/// The block function reading `reader` cut by `grid` (whose shape is the array's).
pub(crate) fn zarr_source(reader: ZarrReader, grid: ChunkGrid) -> Callback {
    Callback(Arc::new(ZarrSource {
        options: codec_options(grid.nblocks()),
        reader,
        grid,
    }))
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
    map_blocks(&[], zarr_source(reader, grid), shape, dtype, chunks)
}
