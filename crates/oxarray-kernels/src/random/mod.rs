//! Counter-based random numbers: a block of a random array is computed from its place in the
//! whole array, never from the state of a sequential generator. The value of element `i` (flat
//! C-order index) depends only on the generator's key, the call's stream number and `i`, so any
//! chunking, thread count or order of computation gives the same bits on every machine.
//!
//! [`philox`] is the bit source, [`dists`] turns bits into values, [`permute`] samples without
//! replacement; this module maps a block of an n-d array onto runs of flat indices and spreads
//! a large block over rayon's threads.

pub mod bounds;
pub mod dists;
pub mod permute;
pub mod philox;
pub mod ziggurat;

#[cfg(test)]
mod tests;

use bounds::IntBounds;
use dists::{fill_blocks, unit24, unit53, Bounded};
use ndarray::{ArrayD, IxDyn};
use oxarray_core::shape::c_strides;
use oxarray_core::{Chunk, DType, Element, OxError, OxResult};
use rayon::prelude::*;
use std::sync::Arc;

/// Which random sequence: `key` comes from the seed, `stream` counts the generator's calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    pub key: [u32; 2],
    pub stream: u32,
}

/// What the bits become.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// `low + (high - low) * u`, `u` in [0, 1) with 53 random bits (float64) or 24 (float32).
    Uniform { low: f64, high: f64 },
    /// `loc + scale * z`, `z` standard normal (ziggurat, 64 bits of a Philox block per value).
    Normal { loc: f64, scale: f64 },
    /// `low + r`, `r` uniform on the integers `0..=span` (Lemire's method, unbiased).
    Integers { low: i128, span: u64 },
    /// `low + r` with `r` uniform on `0..=span`, the pair taken per element from an array of
    /// bounds broadcast against the result (64 bits per element, Lemire with rejection).
    IntegersBroadcast { bounds: Arc<IntBounds> },
    /// Element `i` of a pseudo-random permutation of `0..n` (int64).
    Permutation { n: u64 },
    /// Index `j` with probability `cdf[j] - cdf[j-1]` (`cdf` ends at 1; int64).
    Categorical { cdf: Arc<Vec<f64>> },
}

impl Dist {
    /// Whether the distribution can produce `dtype`.
    pub fn supports(&self, dtype: DType) -> bool {
        match self {
            Dist::Uniform { .. } | Dist::Normal { .. } => dtype.is_float(),
            Dist::Integers { .. } | Dist::IntegersBroadcast { .. } => {
                dtype.is_integer() || dtype == DType::Bool
            }
            Dist::Permutation { .. } | Dist::Categorical { .. } => dtype == DType::Int64,
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Uniform { .. } => "uniform",
            Dist::Normal { .. } => "normal",
            Dist::Integers { .. } | Dist::IntegersBroadcast { .. } => "integers",
            Dist::Permutation { .. } => "permutation",
            Dist::Categorical { .. } => "choice",
        }
    }
}

/// An element type random values can be written as (the real dtypes).
pub trait RandomElement: Element {
    fn from_f64(v: f64) -> Self;
    fn from_i128(v: i128) -> Self;
}

macro_rules! impl_random_element {
    ($($t:ty),*) => {$(
        impl RandomElement for $t {
            #[allow(clippy::unnecessary_cast)]
            fn from_f64(v: f64) -> Self { v as $t }
            #[allow(clippy::unnecessary_cast)]
            fn from_i128(v: i128) -> Self { v as $t }
        }
    )*};
}
impl_random_element!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl RandomElement for bool {
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn from_i128(v: i128) -> Self {
        v != 0
    }
}

/// `dispatch_random!(dtype, T => expr)`: `expr` with `T` the element type of a real dtype;
/// complex dtypes are an error.
macro_rules! dispatch_random {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            DType::Bool => {
                type $t = bool;
                $body
            }
            DType::Int8 => {
                type $t = i8;
                $body
            }
            DType::Int16 => {
                type $t = i16;
                $body
            }
            DType::Int32 => {
                type $t = i32;
                $body
            }
            DType::Int64 => {
                type $t = i64;
                $body
            }
            DType::UInt8 => {
                type $t = u8;
                $body
            }
            DType::UInt16 => {
                type $t = u16;
                $body
            }
            DType::UInt32 => {
                type $t = u32;
                $body
            }
            DType::UInt64 => {
                type $t = u64;
                $body
            }
            DType::Float32 => {
                type $t = f32;
                $body
            }
            DType::Float64 => {
                type $t = f64;
                $body
            }
            DType::Float16 | DType::Complex64 | DType::Complex128 => {
                Err(OxError::DTypeNotSupported(format!(
                    "random numbers of dtype {} are not supported",
                    $dtype
                )))
            }
        }
    };
}

/// Elements `start..start + out.len()` (flat indices) of the random array.
pub fn fill_span<T: RandomElement>(s: &Stream, dist: &Dist, start: u64, out: &mut [T]) {
    let single = T::DTYPE == DType::Float32;
    match dist {
        Dist::Uniform { low, high } => {
            let (low, width) = (*low, *high - *low);
            if single {
                fill_blocks::<T, 4>(s, start, out, |w, _| {
                    w.map(|x| T::from_f64(low + width * unit24(x)))
                })
            } else {
                fill_blocks::<T, 2>(s, start, out, |w, _| {
                    [
                        T::from_f64(low + width * unit53(w[0], w[1])),
                        T::from_f64(low + width * unit53(w[2], w[3])),
                    ]
                })
            }
        }
        Dist::Normal { loc, scale } => fill_blocks::<T, 2>(s, start, out, |w, i0| {
            let z0 = ziggurat::normal(s, i0, ((w[1] as u64) << 32) | w[0] as u64);
            let z1 = ziggurat::normal(s, i0 + 1, ((w[3] as u64) << 32) | w[2] as u64);
            [T::from_f64(loc + scale * z0), T::from_f64(loc + scale * z1)]
        }),
        Dist::Integers { low, span } => {
            let b = Bounded::new(*span);
            let low = *low;
            if b.narrow() {
                fill_blocks::<T, 4>(s, start, out, |w, i0| {
                    std::array::from_fn(|j| {
                        let r = b.try32(w[j]).unwrap_or_else(|| b.retry(s, i0 + j as u64));
                        T::from_i128(low + r as i128)
                    })
                })
            } else {
                fill_blocks::<T, 2>(s, start, out, |w, i0| {
                    std::array::from_fn(|j| {
                        let x = ((w[2 * j + 1] as u64) << 32) | w[2 * j] as u64;
                        let r = b.try64(x).unwrap_or_else(|| b.retry(s, i0 + j as u64));
                        T::from_i128(low + r as i128)
                    })
                })
            }
        }
        Dist::IntegersBroadcast { bounds } => fill_blocks::<T, 2>(s, start, out, |w, i0| {
            std::array::from_fn(|j| {
                let i = i0 + j as u64;
                let (low, span) = bounds.at(i);
                let b = Bounded::new(span);
                let x = ((w[2 * j + 1] as u64) << 32) | w[2 * j] as u64;
                let r = b.try64(x).unwrap_or_else(|| b.retry(s, i));
                T::from_i128(low + r as i128)
            })
        }),
        Dist::Permutation { n } => {
            for (j, o) in out.iter_mut().enumerate() {
                *o = T::from_i128(permute::permuted_index(s, *n, start + j as u64) as i128);
            }
        }
        Dist::Categorical { cdf } => {
            let last = cdf.len().saturating_sub(1);
            let pick = |u: f64| T::from_i128(cdf.partition_point(|&c| c <= u).min(last) as i128);
            fill_blocks::<T, 2>(s, start, out, |w, _| {
                [pick(unit53(w[0], w[1])), pick(unit53(w[2], w[3]))]
            })
        }
    }
}

/// Elements per job when a block is spread over threads.
const PAR_SPAN: usize = 1 << 16;

/// Fills `out` (the block at `offset` of shape `block` in an array of shape `full`, C order).
/// The block is a set of runs of consecutive flat indices: a run spans axis `split` (the last
/// axis the block does not cover whole) and every axis after it.
pub fn fill_block<T: RandomElement>(
    s: &Stream,
    dist: &Dist,
    full: &[usize],
    offset: &[usize],
    block: &[usize],
    out: &mut [T],
) {
    let nd = block.len();
    let split = (0..nd).rev().find(|&a| block[a] != full[a]).unwrap_or(0);
    let run_len: usize = block[split.min(nd)..].iter().product::<usize>().max(1);
    let strides = c_strides(full);
    let fill_part = |lo: usize, part: &mut [T]| {
        let mut q = 0;
        while q < part.len() {
            let (run, pos) = ((lo + q) / run_len, (lo + q) % run_len);
            let mut rem = run;
            let mut flat = 0usize;
            for ax in (0..split).rev() {
                flat += (offset[ax] + rem % block[ax]) * strides[ax];
                rem /= block[ax];
            }
            if nd > 0 {
                flat += offset[split] * strides[split] + pos;
            }
            let len = (run_len - pos).min(part.len() - q);
            fill_span(s, dist, flat as u64, &mut part[q..q + len]);
            q += len;
        }
    };
    if out.len() > 2 * PAR_SPAN && rayon::current_num_threads() > 1 {
        // After Ctrl-C the remaining spans are skipped; the caller reports the cancellation.
        let cancel = oxarray_core::cancel::CancelFlag::current();
        out.par_chunks_mut(PAR_SPAN)
            .enumerate()
            .for_each(|(k, part)| {
                if !cancel.is_set() {
                    fill_part(k * PAR_SPAN, part)
                }
            });
    } else {
        fill_part(0, out);
    }
}

/// The block at `offset` of shape `block` of a random array of shape `full` and dtype `dtype`.
pub fn random_chunk(
    s: &Stream,
    dist: &Dist,
    dtype: DType,
    full: &[usize],
    offset: &[usize],
    block: &[usize],
) -> OxResult<Chunk> {
    dispatch_random!(dtype, T => {
        // Huge pages for large blocks: page faults would otherwise cost as much as the numbers.
        let mut v = oxarray_core::buffer::zeroed_vec::<T>(block.iter().product())?;
        fill_block(s, dist, full, offset, block, &mut v);
        oxarray_core::cancel::CancelFlag::current().check()?;
        ArrayD::from_shape_vec(IxDyn(block), v)
            .map(Chunk::from_array)
            .map_err(|e| OxError::Internal(e.to_string()))
    })
}

/// Like [`random_chunk`], written into `len` elements of `dtype` at `ptr`.
///
/// # Safety
/// `ptr` must point to `len` writable, aligned elements of `dtype` that nothing else accesses
/// during the call, and `len` must be the block's size.
#[allow(clippy::too_many_arguments)]
pub unsafe fn random_into(
    s: &Stream,
    dist: &Dist,
    dtype: DType,
    full: &[usize],
    offset: &[usize],
    block: &[usize],
    ptr: usize,
    len: usize,
) -> OxResult<()> {
    if len != block.iter().product::<usize>() {
        return Err(OxError::Internal(
            "random block does not match its destination".into(),
        ));
    }
    dispatch_random!(dtype, T => {
        // SAFETY: guaranteed by the caller.
        let out = unsafe { std::slice::from_raw_parts_mut(ptr as *mut T, len) };
        fill_block(s, dist, full, offset, block, out);
        oxarray_core::cancel::CancelFlag::current().check()
    })
}
