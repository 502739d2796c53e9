//! Reading a `.npy` file lazily: the file is memory-mapped once, and each block's task copies its
//! region out (byte-swapping big-endian data, transposing Fortran-ordered data), so only the
//! blocks being used are ever read from disk.
//!
//! Like NumPy's `mmap_mode`, this relies on the file not being truncated while the array is in
//! use (a mapped page past the new end would fault); its length is checked when it is opened.

use super::header::{self, NpyHeader};
use crate::region::for_each_run;
use crate::{os_error, IoResult};
use memmap2::Mmap;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, Chunk, ChunkGrid, DType, Element, OxError, OxResult};
use oxarray_graph::callback::{map_blocks, BlockFn, Callback};
use oxarray_graph::NodeRef;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An open, mapped `.npy` file.
pub struct NpyFile {
    pub header: NpyHeader,
    pub path: PathBuf,
    map: Option<Mmap>,
}

impl NpyFile {
    pub fn open(path: &Path) -> IoResult<NpyFile> {
        let file = File::open(path).map_err(os_error(path))?;
        let len = file.metadata().map_err(os_error(path))?.len() as usize;
        // SAFETY: the map is read-only and private to us; a file truncated by another process
        // while mapped is the documented caveat of memory-mapped arrays (NumPy's too).
        let map = if len == 0 {
            None
        } else {
            Some(unsafe { Mmap::map(&file) }.map_err(os_error(path))?)
        };
        let bytes: &[u8] = map.as_deref().unwrap_or(&[]);
        let header = header::parse(bytes)?;
        let need = header
            .data_bytes()?
            .checked_add(header.data_offset)
            .ok_or_else(|| OxError::Value("not a valid .npy file: too large".into()))?;
        if bytes.len() < need {
            return Err(OxError::Value(format!(
                "the .npy file {} is truncated: its header promises {} bytes of data, \
                 the file holds {}",
                path.display(),
                need - header.data_offset,
                bytes.len() - header.data_offset
            ))
            .into());
        }
        Ok(NpyFile {
            header,
            path: path.to_path_buf(),
            map,
        })
    }

    pub(crate) fn data(&self) -> &[u8] {
        let bytes: &[u8] = self.map.as_deref().unwrap_or(&[]);
        &bytes[self.header.data_offset..]
    }

    /// The block of `shape` at `offset` (in the array's own axes), as a C-ordered chunk.
    pub fn read_block(&self, offset: &[usize], shape: &[usize]) -> OxResult<Chunk> {
        dispatch_dtype!(self.header.dtype, T => self.read_typed::<T>(offset, shape))
    }

    fn read_typed<T: Element>(&self, offset: &[usize], shape: &[usize]) -> OxResult<Chunk>
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        let h = &self.header;
        // A Fortran-ordered file is the C-ordered file of the reversed axes.
        let rev = |v: &[usize]| v.iter().rev().copied().collect::<Vec<_>>();
        let (full, off, shp) = if h.fortran_order {
            (rev(&h.shape), rev(offset), rev(shape))
        } else {
            (h.shape.clone(), offset.to_vec(), shape.to_vec())
        };
        let n: usize = shp.iter().product();
        let size = std::mem::size_of::<T>();
        let data = self.data();
        let mut v: Vec<T> = if T::DTYPE == DType::Bool {
            // Bytes other than 0/1 are not bools: read as u8 and compare with zero.
            let mut raw = oxarray_core::buffer::zeroed_vec::<u8>(n)?;
            for_each_run(&full, &off, &shp, |at, to, len| {
                raw[to..to + len].copy_from_slice(&data[at..at + len]);
                Ok(())
            })?;
            raw.into_iter()
                .map(|b| T::from_scalar(oxarray_core::Scalar::Bool(b != 0)))
                .collect()
        } else {
            // Not zero-filled first: the runs tile the block, so every byte is copied in before
            // the block is used (the fallible pattern of `zeroed_vec`, without its zeroing:
            // zeroing a fresh block costs as much as the copy).
            let mut v: Vec<T> = Vec::new();
            v.try_reserve_exact(n).map_err(|_| {
                OxError::Memory(format!(
                    "Unable to allocate {n} elements of {size} bytes for a .npy block"
                ))
            })?;
            let dst = v.spare_capacity_mut().as_mut_ptr().cast::<u8>();
            for_each_run(&full, &off, &shp, |at, to, len| {
                let src = &data[at * size..(at + len) * size];
                // SAFETY: the run lies inside the block's `n` elements of capacity (`to + len
                // <= n`), and `src` is a slice of the map, which never overlaps the new block.
                unsafe {
                    std::ptr::copy_nonoverlapping(src.as_ptr(), dst.add(to * size), src.len())
                };
                Ok(())
            })?;
            // SAFETY: the runs of the block cover its `n` elements, all written above; T is
            // not bool here (any bytes are a valid integer or float).
            unsafe { v.set_len(n) };
            v
        };
        if h.big_endian {
            v.iter_mut().for_each(|x| *x = x.swap_bytes());
        }
        let a =
            ArrayD::from_shape_vec(IxDyn(&shp), v).map_err(|e| OxError::Internal(e.to_string()))?;
        let a = if h.fortran_order {
            let t = a.reversed_axes();
            if t.is_standard_layout() {
                t
            } else {
                t.as_standard_layout().into_owned()
            }
        } else {
            a
        };
        Ok(Chunk::from_array(a))
    }
}

pub(crate) struct NpySource {
    pub(crate) file: NpyFile,
    grid: ChunkGrid,
}

impl BlockFn for NpySource {
    fn call(&self, block: &[usize], _: &[&Chunk], shape: &[usize], _: DType) -> OxResult<Chunk> {
        self.file.read_block(&self.grid.block_offset(block), shape)
    }
    fn name(&self) -> String {
        "from_npy".into()
    }
    fn recomputable(&self) -> bool {
        true
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn descriptor(&self) -> Option<(String, Vec<u8>)> {
        let h = &self.file.header;
        let d = crate::descriptor::describe(&self.file.path, h.dtype, &self.grid)?;
        Some((crate::descriptor::NPY.into(), d))
    }
}

/// The block function reading `file` cut by `grid` (whose shape is the file's).
pub(crate) fn npy_source(file: NpyFile, grid: ChunkGrid) -> Callback {
    Callback(Arc::new(NpySource { file, grid }))
}

/// A lazy array of the opened `.npy` file, cut by `grid` (whose shape is the file's).
pub fn from_npy(file: NpyFile, grid: ChunkGrid) -> OxResult<NodeRef> {
    let h = &file.header;
    if grid.shape() != h.shape {
        return Err(OxError::Internal(
            "from_npy: grid and file shapes differ".into(),
        ));
    }
    let (shape, dtype) = (h.shape.clone(), h.dtype);
    let chunks = grid.chunks().to_vec();
    map_blocks(&[], npy_source(file, grid), shape, dtype, chunks)
}
