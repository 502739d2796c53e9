//! The scatter of [`super::classify`] for 8-byte values with software write-combining (kernel):
//! each bucket collects its values in a cache-line buffer of its own, and a full line goes to the
//! output in one 64-byte non-temporal store. A plain scatter to ~2,000 buckets writes 8 bytes at a
//! time to as many places at once, so nearly every store misses the cache and first reads the
//! line it changes; here the buffers (one line per bucket, 128 KiB) stay in L2 and the output is
//! written in whole lines that are never read first. Same result as the plain scatter: stable,
//! each stored bucket's values at its offsets in input order.
//!
//! Lines are aligned in memory, not in the bucket: a bucket's first and last lines are shared
//! with its neighbours, so those are written under a mask (ordinary stores) and only the lines
//! a bucket owns whole take the non-temporal store.

use std::arch::x86_64::*;

/// One bucket's pending line, aligned as the output's lines are.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u64; 8]);

/// `out[off[b]..]` receives, in order, the values `src[i]` with `ids[i] == b` for every bucket
/// with `stored[b]`; `off` ends advanced past each stored bucket's values. Values of the other
/// buckets are skipped.
///
/// # Safety
/// The CPU must have AVX-512F; `out` must be valid for writes of `len` values and 8-byte
/// aligned; every id must be below `off.len() == stored.len()`, and each stored bucket's values
/// must fit in `out` from its offset on (the offsets are prefix sums of the stored buckets'
/// counts of these very ids).
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn scatter8(
    src: &[u64],
    ids: &[u16],
    off: &mut [usize],
    stored: &[bool],
    out: *mut u64,
    len: usize,
) {
    let nb = off.len();
    debug_assert_eq!(stored.len(), nb);
    debug_assert!(ids.iter().all(|&b| (b as usize) < nb));
    debug_assert_eq!(out as usize % 8, 0);
    let mut lines = vec![Line([0; 8]); nb];
    // Per bucket: the index in `out` of its pending line's first slot (it may lie before `out`:
    // `wrapping` arithmetic, and those lanes are masked off), the next slot to fill in that
    // line, and the first slot of the line that belongs to the bucket (0 after its first line).
    let mut base = vec![0isize; nb];
    let mut fill = vec![0u8; nb];
    let mut first = vec![0u8; nb];
    let lane0 = (out as usize / 8) % 8;
    for b in 0..nb {
        let lane = (lane0 + off[b]) % 8;
        base[b] = off[b] as isize - lane as isize;
        fill[b] = lane as u8;
        first[b] = lane as u8;
    }
    for (&x, &b) in src.iter().zip(ids) {
        let b = b as usize;
        // SAFETY: `b < nb` (caller), the index of every per-bucket vector.
        unsafe {
            if !*stored.get_unchecked(b) {
                continue;
            }
            let f = *fill.get_unchecked(b) as usize;
            let line = lines.get_unchecked_mut(b);
            *line.0.get_unchecked_mut(f) = x;
            if f < 7 {
                *fill.get_unchecked_mut(b) = f as u8 + 1;
                continue;
            }
            // The line is full: its slots `first..8` are this bucket's, inside `out` (caller).
            let v = _mm512_load_si512(line.0.as_ptr() as *const __m512i);
            let p = out.wrapping_offset(*base.get_unchecked(b));
            let lo = *first.get_unchecked(b);
            if lo == 0 {
                // A whole line of the output, 64-byte aligned (`base` is aligned in memory).
                _mm512_stream_si512(p as *mut __m512i, v);
            } else {
                _mm512_mask_storeu_epi64(p as *mut i64, (0xFFu16 << lo) as __mmask8, v);
                *first.get_unchecked_mut(b) = 0;
            }
            *base.get_unchecked_mut(b) += 8;
            *fill.get_unchecked_mut(b) = 0;
        }
    }
    for b in (0..nb).filter(|&b| stored[b]) {
        let (lo, hi) = (first[b] as u32, fill[b] as u32);
        if hi > lo {
            let mask = ((1u32 << hi) - (1u32 << lo)) as __mmask8;
            // SAFETY: slots `lo..hi` of the pending line are the bucket's last values, inside
            // `out` (caller); the other lanes are not accessed.
            unsafe {
                let v = _mm512_load_si512(lines[b].0.as_ptr() as *const __m512i);
                _mm512_mask_storeu_epi64(out.wrapping_offset(base[b]) as *mut i64, mask, v);
            }
        }
        off[b] = (base[b] + fill[b] as isize) as usize;
    }
    debug_assert!((0..nb).all(|b| !stored[b] || off[b] <= len));
    // The non-temporal stores are weakly ordered: fence them before another thread reads `out`.
    _mm_sfence();
}
