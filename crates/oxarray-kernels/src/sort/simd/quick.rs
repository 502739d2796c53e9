//! Quicksort of keys with an AVX-512 partition (the idea of Bramas 2017 and of Intel's
//! x86-simd-sort, written anew): a register of keys is compared with the pivot, the keys that
//! stay left are compressed to the bottom of a register and stored at the left write position,
//! those that go right at the right write position; the base case is a bitonic network
//! ([`super::network`]). Unstable, which is fine for keys: equal keys are interchangeable.
//!
//! Progress is guaranteed on every input: the pivot is one of the keys, so the left part
//! (`<= pivot`) is never empty; when the right part (`> pivot`) is, the pivot is the largest key
//! and a second partition by `>= pivot` splits off the keys equal to it, which need no more
//! sorting. Past a recursion depth of about `2 log2 n` (adversarial pivots) the rest is handed to
//! `slice::sort_unstable`. Large parts are sorted in parallel (rayon).

#![cfg(target_arch = "x86_64")]

use super::network::{lane_mask, small_max, sort_small};
use super::width::Width;

/// Parts at least this long are sorted in parallel with their sibling.
const PAR_LEN: usize = 1 << 16;

/// Partitions `v` (longer than two registers) around `pivot`: the keys for which `right` is false
/// end in `v[..m]`, the others in `v[m..]`; returns `m`.
///
/// # Safety
/// AVX-512F must be available.
#[target_feature(enable = "avx512f,popcnt")]
unsafe fn partition<W: Width>(v: &mut [W], pivot: W, ge: bool) -> usize {
    let n = v.len();
    let l = W::LANES;
    assert!(n >= 2 * l);
    let a = v.as_mut_ptr();
    let rem = n % l;
    // SAFETY (whole body): AVX-512F is available (caller). Memory: the first `rem` keys and the
    // first and last full registers after them are read before anything is written, leaving
    // `rem + 2l` free slots; the loop keeps free slots = `rem + 2l` in total, always reads from
    // the side with fewer free slots, so after a read both sides have at least `l` free slots and
    // the (masked) stores of one register's keys land in free slots inside `v`. At the end the
    // free slots are exactly the saved keys' count, stored last.
    unsafe {
        let pv = W::splat(pivot);
        let cmp = |x: W::V| if ge { W::vge(x, pv) } else { W::vgt(x, pv) };
        let head = W::load(a, (1u32 << rem) - 1);
        let first = W::load(a.add(rem), W::FULL);
        let last = W::load(a.add(n - l), W::FULL);
        let (mut ls, mut rs) = (0usize, n);
        let (mut lr, mut rr) = (rem + l, n - l);
        let put = |x: W::V, valid: u32, ls: &mut usize, rs: &mut usize| {
            let up = cmp(x) & valid;
            let down = !up & valid;
            let (nd, nu) = (down.count_ones() as usize, up.count_ones() as usize);
            W::store(a.add(*ls), ((1u64 << nd) - 1) as u32, W::compress(down, x));
            *rs -= nu;
            W::store(a.add(*rs), ((1u64 << nu) - 1) as u32, W::compress(up, x));
            *ls += nd;
        };
        while lr < rr {
            let x = if lr - ls <= rs - rr {
                let x = W::load(a.add(lr), W::FULL);
                lr += l;
                x
            } else {
                rr -= l;
                W::load(a.add(rr), W::FULL)
            };
            put(x, W::FULL, &mut ls, &mut rs);
        }
        put(first, W::FULL, &mut ls, &mut rs);
        put(last, W::FULL, &mut ls, &mut rs);
        put(head, (1u32 << rem) - 1, &mut ls, &mut rs);
        debug_assert_eq!(ls, rs);
        ls
    }
}

/// Partitions `v` as [`partition`] does, unrolled as far as its length pays for.
///
/// # Safety
/// AVX-512F must be available.
#[target_feature(enable = "avx512f,popcnt")]
unsafe fn split_at_pivot<W: Width>(v: &mut [W], pivot: W, ge: bool) -> usize {
    // SAFETY: AVX-512F (caller).
    unsafe {
        if v.len() >= 32 * W::LANES {
            partition_unrolled::<W, 8>(v, pivot, ge)
        } else {
            partition_unrolled::<W, 2>(v, pivot, ge)
        }
    }
}

/// [`partition`] reading `U` registers at a time: which side to read from is decided once per
/// `U` registers, so its mispredicted branch (the side alternates unpredictably) is paid once per
/// `U * LANES` keys instead of once per register, and the `U` compressions overlap.
///
/// # Safety
/// AVX-512F must be available.
#[target_feature(enable = "avx512f,popcnt")]
unsafe fn partition_unrolled<W: Width, const U: usize>(v: &mut [W], pivot: W, ge: bool) -> usize {
    let n = v.len();
    let l = W::LANES;
    let b = U * l;
    if n < 3 * b {
        // SAFETY: AVX-512F (caller); callers pass more than two registers.
        return unsafe { partition(v, pivot, ge) };
    }
    let a = v.as_mut_ptr();
    let rem = n % b;
    // SAFETY (whole body): as in `partition`, with batches of `b` keys: the first `rem` keys and
    // the first and last batches after them are read before anything is written (`rem + 2b`
    // free slots, `n >= 3b > rem + 2b`); each step reads a batch from the side with fewer free
    // slots, after which both sides have at least `b` free, and the batch's `b` keys are written
    // into free slots of the two sides. `rr - lr` stays a multiple of `b`.
    unsafe {
        let pv = W::splat(pivot);
        let cmp = |x: W::V| if ge { W::vge(x, pv) } else { W::vgt(x, pv) };
        let head: [W::V; U] = std::array::from_fn(|i| {
            let m = lane_mask::<W>(rem, i * l);
            W::load(a.add(i * l), m)
        });
        let first: [W::V; U] = std::array::from_fn(|i| W::load(a.add(rem + i * l), W::FULL));
        let last: [W::V; U] = std::array::from_fn(|i| W::load(a.add(n - b + i * l), W::FULL));
        let (mut ls, mut rs) = (0usize, n);
        let (mut lr, mut rr) = (rem + b, n - b);
        let put = |x: W::V, valid: u32, ls: &mut usize, rs: &mut usize| {
            let up = cmp(x) & valid;
            let down = !up & valid;
            let (nd, nu) = (down.count_ones() as usize, up.count_ones() as usize);
            if W::SPLITS && valid == W::FULL {
                // One permutation, then the two ends' lanes stored under masks. The right
                // store's base may lie before `a` (its masked-off lanes are never accessed).
                let y = W::split(up, x);
                let low = ((1u64 << nd) - 1) as u32;
                W::store(a.add(*ls), low, y);
                W::store(a.wrapping_add(*rs).wrapping_sub(l), W::FULL & !low, y);
            } else {
                W::store(a.add(*ls), ((1u64 << nd) - 1) as u32, W::compress(down, x));
                W::store(
                    a.add(*rs - nu),
                    ((1u64 << nu) - 1) as u32,
                    W::compress(up, x),
                );
            }
            *rs -= nu;
            *ls += nd;
        };
        while lr < rr {
            let at = if lr - ls <= rs - rr {
                lr += b;
                lr - b
            } else {
                rr -= b;
                rr
            };
            let x: [W::V; U] = std::array::from_fn(|i| W::load(a.add(at + i * l), W::FULL));
            for xi in x {
                if W::SPLITS {
                    // One permutation puts the left keys first and the right keys last; the
                    // whole register is stored at both ends (each side has at least `l` free
                    // slots before each of the batch's registers, so the extra lanes land in
                    // free slots, overwritten later).
                    let up = cmp(xi);
                    let nu = up.count_ones() as usize;
                    let y = W::split(up, xi);
                    W::store(a.add(ls), W::FULL, y);
                    W::store(a.add(rs - l), W::FULL, y);
                    ls += l - nu;
                    rs -= nu;
                } else {
                    put(xi, W::FULL, &mut ls, &mut rs);
                }
            }
        }
        for x in first.into_iter().chain(last) {
            put(x, W::FULL, &mut ls, &mut rs);
        }
        for (i, x) in head.into_iter().enumerate().take(rem.div_ceil(l)) {
            put(x, lane_mask::<W>(rem, i * l), &mut ls, &mut rs);
        }
        debug_assert_eq!(ls, rs);
        ls
    }
}

/// A pivot: the lower median of 16 keys spread over `v`, sorted by the network (a scalar sort of
/// the sample, with its mispredicted branches, cost as much as partitioning a few hundred keys).
///
/// # Safety
/// AVX-512F must be available.
#[target_feature(enable = "avx512f,popcnt")]
unsafe fn pivot_of<W: Width>(v: &[W]) -> W {
    let n = v.len();
    let mut s: [W; 16] = std::array::from_fn(|i| v[i * (n / 16) + (n / 32)]);
    // SAFETY: AVX-512F (caller).
    unsafe { sort_small(&mut s) };
    s[7]
}

/// Sorts `v` ascending.
///
/// # Safety
/// AVX-512F must be available.
#[target_feature(enable = "avx512f,popcnt")]
pub(crate) unsafe fn sort<W: Width>(v: &mut [W]) {
    let depth = 2 * (usize::BITS - v.len().leading_zeros()) + 4;
    // SAFETY: the caller's AVX-512F check.
    unsafe { sort_rec(v, depth) }
}

#[target_feature(enable = "avx512f,popcnt")]
unsafe fn sort_rec<W: Width>(mut v: &mut [W], mut depth: u32) {
    loop {
        let n = v.len();
        if n <= small_max::<W>() {
            // SAFETY: AVX-512F (caller).
            unsafe { sort_small(v) };
            return;
        }
        if depth == 0 {
            v.sort_unstable();
            return;
        }
        depth -= 1;
        // SAFETY: AVX-512F (caller).
        let pivot = unsafe { pivot_of(v) };
        // SAFETY: AVX-512F (caller); `n > small_max >= 2 * LANES`.
        let mut m = unsafe { split_at_pivot(v, pivot, false) };
        if m == n {
            // Nothing above the pivot: split off the keys equal to it (already in place).
            // SAFETY: as above.
            m = unsafe { split_at_pivot(v, pivot, true) };
            v = &mut v[..m];
            continue;
        }
        let (lo, hi) = v.split_at_mut(m);
        if lo.len() >= PAR_LEN && hi.len() >= PAR_LEN {
            // SAFETY: AVX-512F (caller), on the other thread too (same CPU features).
            rayon::join(
                || unsafe { sort_rec(lo, depth) },
                || unsafe { sort_rec(hi, depth) },
            );
            return;
        }
        // Recurse into the shorter part, loop on the longer (stack depth O(log n)).
        if lo.len() <= hi.len() {
            // SAFETY: AVX-512F (caller).
            unsafe { sort_rec(lo, depth) };
            v = hi;
        } else {
            // SAFETY: AVX-512F (caller).
            unsafe { sort_rec(hi, depth) };
            v = lo;
        }
    }
}
