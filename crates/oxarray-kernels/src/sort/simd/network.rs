//! Bitonic sorting networks over a few AVX-512 registers: the base case of the vectorized
//! quicksort ([`super::quick`]), for up to 16 registers of keys (128 u64 or 256 u32).
//!
//! The keys are loaded into `R` registers (the missing lanes padded with the largest key, which
//! sorts last), the whole `R * LANES` array is sorted by Batcher's bitonic network, and the first
//! `n` keys are stored back. A compare-exchange at distance `j >= LANES` is a min/max between two
//! registers; at a smaller distance it is a lane permutation, a min/max and a blend inside one
//! register.

#![cfg(target_arch = "x86_64")]

use super::width::Width;

/// Lanes `i` (of one register) with `i & b != 0`; none when `b >= LANES`.
#[inline(always)]
pub(crate) fn lane_bits<W: Width>(b: usize) -> u32 {
    let pattern = match b {
        1 => 0xAAAA_AAAA,
        2 => 0xCCCC_CCCC,
        4 => 0xF0F0_F0F0,
        8 => 0xFF00_FF00,
        16 => 0xFFFF_0000,
        _ => 0,
    };
    pattern & W::FULL
}

/// One compare-exchange step of the bitonic network over `r`: blocks of `k` keys, pairs at
/// distance `j`. With `k` and `j` constants (see [`bitonic`]) it compiles to straight-line
/// register code.
#[inline(always)]
unsafe fn stage<W: Width, const R: usize>(r: &mut [W::V; R], k: usize, j: usize) {
    let l = W::LANES;
    if k > R * l {
        return;
    }
    if j >= l {
        let jr = j / l;
        for a in 0..R {
            let b = a ^ jr;
            if b > a {
                // SAFETY (all the calls here): the caller runs with AVX-512F.
                let (mn, mx) = unsafe { (W::vmin(r[a], r[b]), W::vmax(r[a], r[b])) };
                if (a * l) & k == 0 {
                    (r[a], r[b]) = (mn, mx);
                } else {
                    (r[a], r[b]) = (mx, mn);
                }
            }
        }
    } else {
        // Lane i takes the max when it is the upper of its pair in an ascending block, or the
        // lower in a descending one.
        let upper = lane_bits::<W>(j);
        for (a, v) in r.iter_mut().enumerate() {
            let desc = if k < l {
                lane_bits::<W>(k)
            } else if (a * l) & k != 0 {
                W::FULL
            } else {
                0
            };
            unsafe {
                let p = W::swap(*v, j);
                *v = W::blend(upper ^ desc, W::vmin(*v, p), W::vmax(*v, p));
            }
        }
    }
}

/// Sorts the `R * LANES` keys of `r` (register-major) ascending: Batcher's bitonic network, its
/// steps written out (a loop over them would keep the registers in memory).
#[inline(always)]
unsafe fn bitonic<W: Width, const R: usize>(r: &mut [W::V; R]) {
    macro_rules! steps {
        ($($k:literal: $($j:literal)*;)*) => {
            // SAFETY: the caller runs with AVX-512F.
            $($(unsafe { stage::<W, R>(r, $k, $j) };)*)*
        };
    }
    steps! {
        2: 1;
        4: 2 1;
        8: 4 2 1;
        16: 8 4 2 1;
        32: 16 8 4 2 1;
        64: 32 16 8 4 2 1;
        128: 64 32 16 8 4 2 1;
        256: 128 64 32 16 8 4 2 1;
    }
    debug_assert!(R * W::LANES <= 256);
}

/// Sorts the `n <= R * LANES` keys at `p` in place.
///
/// # Safety
/// AVX-512F must be available and `p..p + n` must be valid for reads and writes.
#[inline(always)]
unsafe fn sort_regs<W: Width, const R: usize>(p: *mut W, n: usize) {
    let l = W::LANES;
    debug_assert!(n <= R * l);
    // SAFETY: the caller's AVX-512F check.
    let mut r: [W::V; R] = [unsafe { W::splat(W::MAX) }; R];
    for (i, v) in r.iter_mut().enumerate() {
        let m = lane_mask::<W>(n, i * l);
        if m != 0 {
            // SAFETY: the lanes of `m` are the keys `i * l .. min(n, (i + 1) * l)` of `p..p+n`.
            *v = unsafe { W::load(p.add(i * l), m) };
        }
    }
    // SAFETY: AVX-512F, as above.
    unsafe { bitonic::<W, R>(&mut r) };
    for (i, v) in r.iter().enumerate() {
        let m = lane_mask::<W>(n, i * l);
        if m != 0 {
            // SAFETY: as for the loads.
            unsafe { W::store(p.add(i * l), m, *v) };
        }
    }
}

/// The lanes of the register starting at key `start` that lie below `n`.
#[inline(always)]
pub(crate) fn lane_mask<W: Width>(n: usize, start: usize) -> u32 {
    if start >= n {
        0
    } else if n - start >= W::LANES {
        W::FULL
    } else {
        (1u32 << (n - start)) - 1
    }
}

/// The most keys [`sort_small`] sorts.
pub(crate) const fn small_max<W: Width>() -> usize {
    16 * W::LANES
}

/// Sorts `v` (at most [`small_max`] keys) in place.
///
/// # Safety
/// AVX-512F must be available.
#[target_feature(enable = "avx512f,popcnt")]
pub(crate) unsafe fn sort_small<W: Width>(v: &mut [W]) {
    let n = v.len();
    let l = W::LANES;
    let p = v.as_mut_ptr();
    // SAFETY: `p..p + n` is `v`; each arm's register count covers `n` keys.
    unsafe {
        if n <= 1 {
        } else if n <= l {
            sort_regs::<W, 1>(p, n)
        } else if n <= 2 * l {
            sort_regs::<W, 2>(p, n)
        } else if n <= 4 * l {
            sort_regs::<W, 4>(p, n)
        } else if n <= 8 * l {
            sort_regs::<W, 8>(p, n)
        } else {
            assert!(n <= small_max::<W>());
            sort_regs::<W, 16>(p, n)
        }
    }
}
