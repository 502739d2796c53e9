//! Sorting the lanes of one block: `np.sort` / `np.argsort` along an axis held by one chunk, and
//! the first step of a sort along a chunked axis (each chunk sorted on its own).

use super::lanes::{fill_lanes2, map_lanes, Lanes};
use super::order::{compare, NpOrd};
use super::{msd, radix, simd};
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::OxResult;
use rayon::prelude::*;

/// Sorts one lane in place (stable: equal values keep their order): the AVX-512 quicksort on keys
/// where the CPU has it ([`simd`]), else radix, else a comparison sort.
pub fn sort_lane<T: NpOrd>(v: &mut [T], descending: bool) {
    // Long lanes: MSD radix (whose cache-sized buckets take the vectorized sort); short ones
    // the vectorized sort; radix or comparison where it does not apply.
    let done = if v.len() >= msd::MIN_LEN {
        radix::sort_values(v, descending)
    } else {
        simd::sort_values(v, descending) || radix::sort_values(v, descending)
    };
    if !done {
        v.sort_by(|a, b| compare(a, b, descending));
    }
}

/// The stable order of one lane: `idx[k]` is the position (plus `offset`) of the k-th value;
/// `vals` receives the sorted values.
pub fn argsort_lane<T: NpOrd>(
    v: &[T],
    descending: bool,
    offset: i64,
    vals: &mut [T],
    idx: &mut [i64],
) {
    if radix::argsort(v, descending, offset, vals, idx) {
        return;
    }
    let mut pairs: Vec<(T, i64)> = v
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, i as i64 + offset))
        .collect();
    pairs.sort_by(|a, b| compare(&a.0, &b.0, descending));
    for ((p, vo), io) in pairs.iter().zip(vals.iter_mut()).zip(idx.iter_mut()) {
        *vo = p.0;
        *io = p.1;
    }
}

/// Every lane of `src` sorted.
pub fn sort_block<T: NpOrd>(src: &[T], lanes: Lanes, descending: bool) -> OxResult<Vec<T>> {
    if lanes.inner == 1 && lanes.n > 0 {
        // Contiguous lanes: each is radix-sorted straight from the input into the output, so the
        // data is read once and written once per radix pass, with no staging copy.
        let mut out: Vec<T> = zeroed_vec(src.len())?;
        out.par_chunks_mut(lanes.n)
            .zip(src.par_chunks(lanes.n))
            .with_min_len((4096 / lanes.n).max(1))
            .for_each(|(dst, lane)| {
                if !msd::sort_into(lane, dst, descending)
                    && !simd::sort_into(lane, dst, descending)
                    && !radix::sort_into(lane, dst, descending)
                {
                    dst.copy_from_slice(lane);
                    sort_lane(dst, descending);
                }
            });
        return Ok(out);
    }
    map_lanes(src, lanes, lanes.n, |buf: &mut Vec<T>, out: &mut [T]| {
        out.copy_from_slice(buf);
        sort_lane(out, descending);
    })
}

/// Every lane of `src` argsorted: (sorted values, int64 positions plus `offset`).
pub fn argsort_block<T: NpOrd>(
    src: &[T],
    lanes: Lanes,
    descending: bool,
    offset: i64,
) -> OxResult<(Vec<T>, Vec<i64>)> {
    fill_lanes2(
        lanes.outer,
        lanes.inner,
        lanes.n,
        |l, vals: &mut [T], idx: &mut [i64]| {
            let mut buf = Vec::new();
            lanes.read(src, l, &mut buf);
            argsort_lane(&buf, descending, offset, vals, idx);
        },
    )
}
