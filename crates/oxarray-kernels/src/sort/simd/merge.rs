//! The k-way merge of one cache-sized block of a chunked sort ([`super::super::merge`]) on keys
//! with AVX-512: the parts are turned into keys, merged by a balanced tree of vectorized two-way
//! merges (a bitonic merge network of two registers, fed from the run whose next key is smaller),
//! and turned back into values. Keys lose a float's -0.0/0.0 and NaN payloads, and the network is
//! not stable, so those values are put back afterwards in their stable order (part order, then
//! position: [`super::super::radix::restore_special`]); every other equal-key value is the same
//! value, so the result is the stable merge bit for bit.

#![cfg(target_arch = "x86_64")]

use super::network::lane_bits;
use super::width::Width;
use crate::sort::order::NpOrd;

/// Scratch buffers of a block merge (kept across blocks: no allocation or page fault per block).
#[derive(Default)]
pub struct Scratch {
    a: Vec<u64>,
    b: Vec<u64>,
}

/// `dst` receives the stable merge of the sorted `parts` (their total length); `false` (nothing
/// written) when the CPU lacks AVX-512F or the type has no 64-bit key.
pub fn merge_into<T: NpOrd>(
    parts: &[&[T]],
    dst: &mut [T],
    descending: bool,
    scratch: &mut Scratch,
) -> bool {
    if T::KEY_BYTES != 8 || !super::available() {
        return false;
    }
    let m = dst.len();
    if parts.iter().map(|p| p.len()).sum::<usize>() != m {
        return false;
    }
    let Scratch { a, b } = scratch;
    for buf in [&mut *a, &mut *b] {
        buf.clear();
        if buf.try_reserve_exact(m).is_err() {
            return false;
        }
    }
    let mut special: Vec<T> = Vec::new();
    let mut bounds = Vec::with_capacity(parts.len());
    for p in parts.iter().filter(|p| !p.is_empty()) {
        let s = a.len();
        a.extend(p.iter().map(|x| {
            let k = x.key();
            if descending {
                !k
            } else {
                k
            }
        }));
        special.extend(p.iter().filter(|x| x.needs_fixup()));
        bounds.push((s, a.len()));
    }
    b.resize(m, 0);
    // SAFETY: `available()` checked AVX-512F above.
    let keys = unsafe { merge_tree(a, b, bounds) };
    for (d, &k) in dst.iter_mut().zip(keys.iter()) {
        *d = T::from_key(if descending { !k } else { k });
    }
    super::super::radix::restore_special(dst, &special, descending);
    true
}

/// Merges the sorted runs `bounds` of `a` pairwise, level by level, between `a` and `b`; returns
/// the buffer that holds the result.
#[target_feature(enable = "avx512f,popcnt")]
unsafe fn merge_tree<'a>(
    a: &'a mut [u64],
    b: &'a mut [u64],
    mut bounds: Vec<(usize, usize)>,
) -> &'a [u64] {
    let (mut src, mut dst) = (a, b);
    while bounds.len() > 1 {
        let mut next = Vec::with_capacity(bounds.len().div_ceil(2));
        for pair in bounds.chunks(2) {
            match *pair {
                [(s, m), (_, e)] => {
                    // SAFETY: AVX-512F (caller).
                    unsafe { merge2(&src[s..m], &src[m..e], &mut dst[s..e]) };
                    next.push((s, e));
                }
                [(s, e)] => {
                    dst[s..e].copy_from_slice(&src[s..e]);
                    next.push((s, e));
                }
                _ => {}
            }
        }
        bounds = next;
        std::mem::swap(&mut src, &mut dst);
    }
    src
}

/// The two sorted registers `x`, `y` merged: (lowest `LANES` keys, highest), both sorted.
#[inline(always)]
unsafe fn merge_regs<W: Width>(x: W::V, y: W::V) -> (W::V, W::V) {
    let l = W::LANES;
    // SAFETY (all): AVX-512F (caller). Reversing `y` makes `x ++ rev(y)` bitonic; one min/max
    // splits it into two bitonic halves, each sorted by the half-cleaners at distances l/2..1.
    unsafe {
        let yr = W::swap(y, l - 1);
        let (mut lo, mut hi) = (W::vmin(x, yr), W::vmax(x, yr));
        let mut j = l / 2;
        while j > 0 {
            let (pl, ph) = (W::swap(lo, j), W::swap(hi, j));
            let up = lane_bits::<W>(j);
            lo = W::blend(up, W::vmin(lo, pl), W::vmax(lo, pl));
            hi = W::blend(up, W::vmin(hi, ph), W::vmax(hi, ph));
            j /= 2;
        }
        (lo, hi)
    }
}

/// Two-way merge of sorted keys `a` and `b` into `out` (their total length).
#[target_feature(enable = "avx512f,popcnt")]
unsafe fn merge2<W: Width>(a: &[W], b: &[W], out: &mut [W]) {
    let l = W::LANES;
    let (na, nb) = (a.len(), b.len());
    assert_eq!(out.len(), na + nb);
    if na < l || nb < l {
        return scalar_merge(a, b, out);
    }
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    // SAFETY: AVX-512F (caller). Loads read `a[ia..ia + l]` / `b[ib..ib + l]` only when that
    // many remain; the store writes `out[o..o + l]` with `o + l <= ia + ib <= na + nb` (the carry
    // holds `l` keys read but not yet written).
    let (carry, ia, ib, o) = unsafe {
        let mut carry = W::load(pa, W::FULL);
        let (mut ia, mut ib, mut o) = (l, 0usize, 0usize);
        loop {
            let from_a = match (ia < na, ib < nb) {
                (true, true) => a[ia] <= b[ib],
                (true, false) => true,
                (false, true) => false,
                (false, false) => break,
            };
            let next = if from_a {
                if na - ia < l {
                    break;
                }
                ia += l;
                W::load(pa.add(ia - l), W::FULL)
            } else {
                if nb - ib < l {
                    break;
                }
                ib += l;
                W::load(pb.add(ib - l), W::FULL)
            };
            let (lo, hi) = merge_regs::<W>(carry, next);
            W::store(po.add(o), W::FULL, lo);
            o += l;
            carry = hi;
        }
        let mut c = [W::MAX; 16];
        W::store(c.as_mut_ptr(), W::FULL, carry);
        (c, ia, ib, o)
    };
    // The tail: the carry and what is left of `a` and `b`, all at least the keys written so far.
    let mut tmp = Vec::with_capacity(l + na - ia);
    tmp.resize(l + na - ia, W::MAX);
    scalar_merge(&carry[..l], &a[ia..], &mut tmp);
    scalar_merge(&tmp, &b[ib..], &mut out[o..]);
}

/// Branch-light scalar merge of sorted `a` and `b` into `out` (their total length).
fn scalar_merge<W: Width>(a: &[W], b: &[W], out: &mut [W]) {
    let (mut i, mut j) = (0, 0);
    for o in out.iter_mut() {
        let take_b = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => y < x,
            (None, _) => true,
            (_, None) => false,
        };
        *o = if take_b { b[j] } else { a[i] };
        j += take_b as usize;
        i += !take_b as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sort::order::compare;

    #[test]
    fn block_merge_matches_the_stable_merge() {
        if !super::super::available() {
            return;
        }
        let mut s = 41u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut scratch = Scratch::default();
        for sizes in [
            vec![0usize, 0],
            vec![3, 5],
            vec![8, 8],
            vec![9, 100, 0, 7, 64, 1],
            vec![1000, 3, 2000, 17, 5000, 1, 0, 999],
        ] {
            for few in [false, true] {
                for descending in [false, true] {
                    let parts: Vec<Vec<f64>> = sizes
                        .iter()
                        .map(|&n| {
                            let mut v: Vec<f64> = (0..n)
                                .map(|_| match next() % 9 {
                                    0 => f64::NAN,
                                    1 => -0.0,
                                    2 => 0.0,
                                    3 => -f64::NAN,
                                    _ if few => (next() % 3) as f64,
                                    _ => (next() % 100_000) as f64 - 500.0,
                                })
                                .collect();
                            v.sort_by(|a, b| compare(a, b, descending));
                            v
                        })
                        .collect();
                    let slices: Vec<&[f64]> = parts.iter().map(|v| v.as_slice()).collect();
                    let mut want = parts.concat();
                    want.sort_by(|a, b| compare(a, b, descending));
                    let mut got = vec![1.5; want.len()];
                    assert!(merge_into(&slices, &mut got, descending, &mut scratch));
                    let bits = |x: &[f64]| x.iter().map(|y| y.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&got), bits(&want), "{sizes:?} {descending}");
                }
            }
        }
        let ints: Vec<Vec<i64>> = vec![vec![-5, 1, 9, 9, 12], vec![i64::MIN, 0, 9, i64::MAX]];
        let slices: Vec<&[i64]> = ints.iter().map(|v| v.as_slice()).collect();
        let mut got = vec![0i64; 9];
        assert!(merge_into(&slices, &mut got, false, &mut scratch));
        assert_eq!(got, vec![i64::MIN, -5, 0, 1, 9, 9, 9, 12, i64::MAX]);
        let mut keys: Vec<u64> = (0..777).map(|_| next() % 50).collect();
        let (x, y) = keys.split_at_mut(300);
        x.sort_unstable();
        y.sort_unstable();
        let mut out = vec![0u64; 777];
        // SAFETY: AVX-512F checked above.
        unsafe { merge2(x, y, &mut out) };
        keys.sort_unstable();
        assert_eq!(out, keys);
    }
}
