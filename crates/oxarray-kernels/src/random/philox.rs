//! Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a keyed
//! bijection of 128-bit counters. Every random value of oxarray is a function of (key, counter)
//! only, which is what makes the values independent of the chunking and of the thread schedule.
//!
//! [`philox_blocks`] evaluates many consecutive counters at once in a lane-parallel layout that
//! LLVM vectorizes; on x86-64 with AVX2 the same code is also compiled for AVX2 and picked at run
//! time (integer arithmetic only, so both paths give identical bits).

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;
const ROUNDS: usize = 10;

/// Counters evaluated together by [`philox_blocks`].
pub const LANES: usize = 16;

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = a as u64 * b as u64;
    ((p >> 32) as u32, p as u32)
}

/// One Philox4x32-10 evaluation: the Random123 reference function `philox4x32(ctr, key)`.
#[inline(always)]
pub fn philox4x32(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut c0, mut c1, mut c2, mut c3] = ctr;
    let [mut k0, mut k1] = key;
    for r in 0..ROUNDS {
        if r > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        let (hi0, lo0) = mulhilo(M0, c0);
        let (hi1, lo1) = mulhilo(M1, c2);
        (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
    }
    [c0, c1, c2, c3]
}

/// The counter of block `index` of a stream: words 0-1 the 64-bit block index, word 2 the
/// generator call (`stream`), word 3 a tag that separates the primary draws (0) from the extra
/// draws that rejection sampling and permutations take (>= 1).
#[inline(always)]
pub fn counter(index: u64, stream: u32, tag: u32) -> [u32; 4] {
    [index as u32, (index >> 32) as u32, stream, tag]
}

// Index loops over the lanes on purpose: the same index into four arrays is what vectorizes.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn blocks_generic(key: [u32; 2], stream: u32, tag: u32, first: u64, out: &mut [[u32; 4]; LANES]) {
    // Structure of arrays: each round is the same operation on LANES independent counters.
    let mut c0 = [0u32; LANES];
    let mut c1 = [0u32; LANES];
    let c2 = [stream; LANES];
    let c3 = [tag; LANES];
    for l in 0..LANES {
        let i = first.wrapping_add(l as u64);
        c0[l] = i as u32;
        c1[l] = (i >> 32) as u32;
    }
    let (mut c2, mut c3) = (c2, c3);
    let [mut k0, mut k1] = key;
    for r in 0..ROUNDS {
        if r > 0 {
            k0 = k0.wrapping_add(W0);
            k1 = k1.wrapping_add(W1);
        }
        for l in 0..LANES {
            let (hi0, lo0) = mulhilo(M0, c0[l]);
            let (hi1, lo1) = mulhilo(M1, c2[l]);
            let n0 = hi1 ^ c1[l] ^ k0;
            let n2 = hi0 ^ c3[l] ^ k1;
            c0[l] = n0;
            c1[l] = lo1;
            c2[l] = n2;
            c3[l] = lo0;
        }
    }
    for l in 0..LANES {
        out[l] = [c0[l], c1[l], c2[l], c3[l]];
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn blocks_avx2(
    key: [u32; 2],
    stream: u32,
    tag: u32,
    first: u64,
    out: &mut [[u32; 4]; LANES],
) {
    blocks_generic(key, stream, tag, first, out)
}

/// Philox of the `LANES` consecutive counters `counter(first + l, stream, tag)`.
#[inline]
pub fn philox_blocks(
    key: [u32; 2],
    stream: u32,
    tag: u32,
    first: u64,
    out: &mut [[u32; 4]; LANES],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { blocks_avx2(key, stream, tag, first, out) };
        }
    }
    blocks_generic(key, stream, tag, first, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random123's `tests/kat_vectors`, the three "philox4x32 10" lines: counter, key, expected.
    const KAT: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
        (
            [0, 0, 0, 0],
            [0, 0],
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        ),
        (
            [u32::MAX; 4],
            [u32::MAX; 2],
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        ),
        (
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
        ),
    ];

    #[test]
    fn known_answers() {
        for (ctr, key, want) in KAT {
            assert_eq!(philox4x32(ctr, key), want);
        }
    }

    #[test]
    fn lanes_equal_the_scalar_function() {
        let key = [0xa4093822, 0x299f31d0];
        let first = u32::MAX as u64 - 3; // the low word wraps inside the batch
        let mut out = [[0u32; 4]; LANES];
        philox_blocks(key, 7, 2, first, &mut out);
        for (l, got) in out.iter().enumerate() {
            assert_eq!(*got, philox4x32(counter(first + l as u64, 7, 2), key));
        }
    }
}
