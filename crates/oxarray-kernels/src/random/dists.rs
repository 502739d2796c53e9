//! Distributions over the Philox stream. Element `i` (flat C-order index in the whole array) of
//! a distribution that uses `E` elements per Philox block takes its bits from block `i / E`, so a
//! span of elements can start anywhere: the values never depend on where a chunk begins. Draws
//! that rejection sampling throws away are replaced from extra counters keyed by `i` itself
//! (tags >= 1), so they stay chunk-invariant too. Normals come from [`super::ziggurat`].

use super::philox::{counter, philox4x32, philox_blocks, LANES};
use super::Stream;

/// Fills `out` with elements `start..start + out.len()` of a distribution whose Philox block
/// `b` (of the primary tag 0) yields elements `b*E .. b*E + E` through `f(words, b*E)`.
pub(crate) fn fill_blocks<T: Copy, const E: usize>(
    s: &Stream,
    start: u64,
    out: &mut [T],
    f: impl Fn(&[u32; 4], u64) -> [T; E],
) {
    let e = E as u64;
    let mut block = start / e;
    let mut pos = 0usize;
    // A partial first block: compute it whole and keep the tail.
    let skip = (start % e) as usize;
    if skip != 0 {
        let vals = f(&philox4x32(counter(block, s.stream, 0), s.key), block * e);
        let take = (E - skip).min(out.len());
        out[..take].copy_from_slice(&vals[skip..skip + take]);
        pos = take;
        block += 1;
    }
    let mut words = [[0u32; 4]; LANES];
    let mut batches = out[pos..].chunks_exact_mut(LANES * E);
    for batch in &mut batches {
        philox_blocks(s.key, s.stream, 0, block, &mut words);
        for (l, dst) in batch.chunks_exact_mut(E).enumerate() {
            dst.copy_from_slice(&f(&words[l], (block + l as u64) * e));
        }
        block += LANES as u64;
    }
    let rest = batches.into_remainder();
    if !rest.is_empty() {
        philox_blocks(s.key, s.stream, 0, block, &mut words);
        for (l, dst) in rest.chunks_mut(E).enumerate() {
            let vals = f(&words[l], (block + l as u64) * e);
            dst.copy_from_slice(&vals[..dst.len()]);
        }
    }
}

const TWO_M53: f64 = 1.0 / (1u64 << 53) as f64;
const TWO_M24: f64 = 1.0 / (1u64 << 24) as f64;

/// The top 53 bits of two words as a float64 in [0, 1).
#[inline(always)]
pub(crate) fn unit53(lo: u32, hi: u32) -> f64 {
    // Through i64: the value fits 53 bits, and x86-64 converts signed integers in one step.
    (((((hi as u64) << 32) | lo as u64) >> 11) as i64) as f64 * TWO_M53
}

/// The top 24 bits of one word as a float in [0, 1) (exact in float32).
#[inline(always)]
pub(crate) fn unit24(w: u32) -> f64 {
    ((w >> 8) as i32) as f64 * TWO_M24
}

/// Bounded integers in `[0, span]` by Lemire's multiply-shift with rejection ("Fast random
/// integer generation in an interval", 2019): unbiased, and almost never rejects.
pub(crate) struct Bounded {
    span: u64,
}

impl Bounded {
    pub fn new(span: u64) -> Self {
        Bounded { span }
    }
    /// Words per element: one for ranges that fit 32 bits, two otherwise.
    pub fn narrow(&self) -> bool {
        self.span <= u32::MAX as u64
    }

    /// Element from a 32-bit word, or None to reject.
    #[inline(always)]
    pub fn try32(&self, w: u32) -> Option<u64> {
        if self.span == u32::MAX as u64 {
            return Some(w as u64);
        }
        let n = self.span as u32 + 1;
        let m = w as u64 * n as u64;
        let l = m as u32;
        if l < n && l < n.wrapping_neg() % n {
            return None;
        }
        Some(m >> 32)
    }

    /// Element from a 64-bit draw, or None to reject.
    #[inline(always)]
    pub fn try64(&self, x: u64) -> Option<u64> {
        if self.span == u64::MAX {
            return Some(x);
        }
        let n = self.span + 1;
        let m = x as u128 * n as u128;
        let l = m as u64;
        if l < n && l < n.wrapping_neg() % n {
            return None;
        }
        Some((m >> 64) as u64)
    }

    /// The replacement for rejected element `i`: draws from the blocks `counter(i, stream, k)`,
    /// k = 1, 2, ... (each gives four 32-bit or two 64-bit candidates) until one is accepted.
    #[cold]
    pub fn retry(&self, s: &Stream, i: u64) -> u64 {
        for tag in 1u32.. {
            let w = philox4x32(counter(i, s.stream, tag), s.key);
            let got = if self.narrow() {
                w.iter().find_map(|&x| self.try32(x))
            } else {
                [(w[0], w[1]), (w[2], w[3])]
                    .iter()
                    .find_map(|&(lo, hi)| self.try64(((hi as u64) << 32) | lo as u64))
            };
            if let Some(v) = got {
                return v;
            }
        }
        // Unreachable in practice: a rejection has probability < 1/2 per draw.
        0
    }
}
