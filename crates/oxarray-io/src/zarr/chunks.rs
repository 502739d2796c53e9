//! Decoding the Zarr chunks under a block into the block's own buffer, chunk by chunk: each
//! chunk lands at its place (no per-block intermediate array, no copy of the whole block), and
//! a chunk that fails to decode is named in the error. Plain blosc chunks take the direct path
//! of [`super::blosc`]; every other layout (sharding, zstd, gzip, big-endian, partial chunks,
//! missing chunks read as the fill value) goes through zarrs' own decoder.

use super::blosc;
use super::source::ZarrReader;
use crate::region::for_each_run2;
use oxarray_core::{OxError, OxResult};
use std::cell::RefCell;
use std::io::Read;
use std::mem::MaybeUninit;
use unsafe_cell_slice::UnsafeCellSlice;
use zarrs::array::{
    ArrayBytesDecodeIntoTarget, ArrayBytesFixedDisjointView, ArraySubset, CodecOptions,
};

/// Per-thread buffers kept between chunks (a fresh buffer per chunk costs a page fault per
/// 4 KiB); dropped when one grew past this size.
const KEEP_BYTES: usize = 64 << 20;

thread_local! {
    static FILE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn u64s(v: &[usize]) -> Vec<u64> {
    v.iter().map(|&x| x as u64).collect()
}

/// A block's bytes while its chunks are decoded into it. A block from `uninit` is zero-filled
/// when it is made (see there); zarrs' decoder needs initialised bytes, and the chunks under the
/// block may mix the blosc path and zarrs' path.
pub(crate) struct BlockBytes<'a> {
    bytes: &'a mut [MaybeUninit<u8>],
    initialised: bool,
}

impl<'a> BlockBytes<'a> {
    pub(crate) fn uninit(bytes: &'a mut [MaybeUninit<u8>]) -> Self {
        // Zero-filled now, not at the first use of zarrs' decoder: by then chunks decoded
        // through the blosc path may already sit in the block, and a late fill wiped them
        // (tests/test_zarr.py::test_blocks_across_blosc_chunks). Not filling at all needs to
        // know up front that every chunk under the block takes the blosc path.
        bytes.fill(MaybeUninit::new(0));
        BlockBytes {
            bytes,
            initialised: true,
        }
    }
    pub(crate) fn init(bytes: &'a mut [u8]) -> Self {
        let len = bytes.len();
        // SAFETY: initialised bytes viewed as maybe-uninitialised ones; only initialised values
        // are ever written through the view.
        let bytes = unsafe { std::slice::from_raw_parts_mut(bytes.as_mut_ptr().cast(), len) };
        BlockBytes {
            bytes,
            initialised: true,
        }
    }
    fn part(&mut self, at: usize, len: usize) -> &mut [MaybeUninit<u8>] {
        &mut self.bytes[at..at + len]
    }
    fn copy(&mut self, at: usize, src: &[u8]) {
        for (d, &s) in self.bytes[at..at + src.len()].iter_mut().zip(src) {
            d.write(s);
        }
    }
    /// The bytes as initialised ones (zero-filled the first time).
    fn initialised(&mut self) -> &mut [u8] {
        if !self.initialised {
            self.bytes.fill(MaybeUninit::new(0));
            self.initialised = true;
        }
        // SAFETY: every byte was written (zero-filled above or initialised from the start).
        unsafe { std::slice::from_raw_parts_mut(self.bytes.as_mut_ptr().cast(), self.bytes.len()) }
    }
}

impl ZarrReader {
    /// Decodes the region of `shape` at `offset` into `out`, its C-ordered native bytes; on
    /// success every byte of `out` is written.
    pub(crate) fn read_into(
        &self,
        offset: &[usize],
        shape: &[usize],
        out: &mut BlockBytes<'_>,
        options: &CodecOptions,
    ) -> OxResult<()> {
        let n = shape.len();
        let cs = &self.chunk_shape;
        let lo: Vec<usize> = (0..n).map(|a| offset[a] / cs[a]).collect();
        let hi: Vec<usize> = (0..n)
            .map(|a| (offset[a] + shape[a]).div_ceil(cs[a]))
            .collect();
        let mut idx = lo.clone();
        loop {
            let start: Vec<usize> = (0..n).map(|a| idx[a] * cs[a]).collect();
            let rs: Vec<usize> = (0..n).map(|a| start[a].max(offset[a])).collect();
            let region: Vec<usize> = (0..n)
                .map(|a| (start[a] + cs[a]).min(offset[a] + shape[a]) - rs[a])
                .collect();
            let in_block: Vec<usize> = (0..n).map(|a| rs[a] - offset[a]).collect();
            let done =
                self.blosc && self.blosc_chunk(&idx, &start, &region, shape, &in_block, out)?;
            if !done {
                self.zarrs_chunk(&idx, &rs, &region, shape, &in_block, out, options)?;
            }
            // Odometer over the chunks under the block.
            let mut ax = n;
            loop {
                if ax == 0 {
                    return Ok(());
                }
                ax -= 1;
                idx[ax] += 1;
                if idx[ax] < hi[ax] {
                    break;
                }
                idx[ax] = lo[ax];
            }
        }
    }

    fn chunk_error(&self, idx: &[usize], e: impl std::fmt::Display) -> OxError {
        let key = self.array.chunk_key(&u64s(idx));
        OxError::Value(format!(
            "Zarr array {}: chunk {} cannot be decoded: {e}",
            self.path.display(),
            key.as_str()
        ))
    }

    /// The chunk at `idx` (starting at `start`) through c-blosc, when the block takes all of
    /// it; `false`: not this path (a partial or missing chunk), zarrs decodes it.
    fn blosc_chunk(
        &self,
        idx: &[usize],
        start: &[usize],
        region: &[usize],
        block: &[usize],
        in_block: &[usize],
        out: &mut BlockBytes<'_>,
    ) -> OxResult<bool> {
        let cs = &self.chunk_shape;
        let whole = (0..cs.len()).all(|a| region[a] == cs[a].min(self.shape[a] - start[a]));
        if !whole {
            return Ok(false);
        }
        let key = self.array.chunk_key(&u64s(idx));
        let file = self.path.join(key.as_str());
        let item = self.dtype.itemsize();
        let chunk_bytes = cs.iter().product::<usize>() * item;
        FILE.with_borrow_mut(|src| {
            src.clear();
            let read = std::fs::File::open(&file).and_then(|mut f| f.read_to_end(src));
            match read {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
                Err(e) => return Err(self.chunk_error(idx, e)),
                Ok(_) => {}
            }
            // One run when the chunk is a contiguous stretch of the block: decode in place.
            let mut runs = Vec::with_capacity(1);
            for_each_run2(
                block,
                in_block,
                region,
                &vec![0; cs.len()],
                cs,
                |a, b, l| {
                    runs.push((a, b, l));
                    Ok(())
                },
            )?;
            let r = if let [(at, 0, len)] = runs[..] {
                if len * item == chunk_bytes {
                    blosc::decompress_into(src, out.part(at * item, len * item))
                } else {
                    self.via_scratch(src, chunk_bytes, block, in_block, region, out)
                }
            } else {
                self.via_scratch(src, chunk_bytes, block, in_block, region, out)
            };
            if src.capacity() > KEEP_BYTES {
                *src = Vec::new();
            }
            r.map(|_| true).map_err(|e| self.chunk_error(idx, e))
        })
    }

    /// Decompresses into a per-thread buffer, then copies the chunk's runs into the block.
    fn via_scratch(
        &self,
        src: &[u8],
        chunk_bytes: usize,
        block: &[usize],
        in_block: &[usize],
        region: &[usize],
        out: &mut BlockBytes<'_>,
    ) -> Result<(), String> {
        let item = self.dtype.itemsize();
        SCRATCH.with_borrow_mut(|buf| {
            buf.clear();
            buf.try_reserve(chunk_bytes).map_err(|e| e.to_string())?;
            buf.resize(chunk_bytes, 0);
            let decoded = blosc::decompress_into(src, BlockBytes::init(buf).part(0, chunk_bytes));
            let r = decoded.and_then(|()| {
                let zero = vec![0; region.len()];
                for_each_run2(
                    &self.chunk_shape,
                    &zero,
                    region,
                    in_block,
                    block,
                    |a, b, l| {
                        out.copy(b * item, &buf[a * item..(a + l) * item]);
                        Ok(())
                    },
                )
                .map_err(|e| e.to_string())
            });
            if buf.capacity() > KEEP_BYTES {
                *buf = Vec::new();
            }
            r
        })
    }

    /// The part `region` (at `rs` in the array) of the chunk at `idx`, decoded by zarrs into
    /// its place in the block.
    #[allow(clippy::too_many_arguments)]
    fn zarrs_chunk(
        &self,
        idx: &[usize],
        rs: &[usize],
        region: &[usize],
        block: &[usize],
        in_block: &[usize],
        out: &mut BlockBytes<'_>,
        options: &CodecOptions,
    ) -> OxResult<()> {
        let out = out.initialised();
        let err = |e: &dyn std::fmt::Display| self.chunk_error(idx, e);
        let subset =
            ArraySubset::new_with_start_shape(u64s(rs), u64s(region)).map_err(|e| err(&e))?;
        let in_out =
            ArraySubset::new_with_start_shape(u64s(in_block), u64s(region)).map_err(|e| err(&e))?;
        let block = u64s(block);
        let cells = UnsafeCellSlice::new(out);
        // SAFETY: this is the only view of `out` alive (one chunk at a time).
        let mut view = unsafe {
            ArrayBytesFixedDisjointView::new(cells, self.dtype.itemsize(), &block, in_out)
        }
        .map_err(|e| err(&e))?;
        self.array
            .retrieve_array_subset_into_opt(
                &subset,
                ArrayBytesDecodeIntoTarget::Fixed(&mut view),
                options,
            )
            .map_err(|e| err(&e))
    }
}
