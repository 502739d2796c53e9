//! Values sort of one long lane by keys, cache-conscious: an MSD radix pass on the top bits that
//! vary splits the keys into buckets (recursively until a bucket fits in the L2 cache), each
//! bucket is then sorted in cache (AVX-512 quicksort, [`super::simd`], where the CPU has it, else
//! LSD radix) and written back as values. Compared with an LSD sort
//! straight over the lane (one DRAM read and scattered write per byte of key), the lane crosses
//! DRAM about three times instead of fourteen, and the key transform is done once.
//!
//! Equal keys are equal values in NumPy's order except -0.0/0.0 and NaN payloads, which are put
//! back afterwards in index order ([`super::radix::restore_special`]), so the result is exactly
//! NumPy's stable sort (the passes are stable anyway).

use super::order::NpOrd;
use rayon::prelude::*;

/// Lanes shorter than this use the plain LSD sort ([`super::radix::sort_into`]).
pub const MIN_LEN: usize = 1 << 16;
/// Buckets up to this many keys (512 KiB) are sorted by LSD passes in cache.
const CACHE_KEYS: usize = 1 << 16;
/// Most bits of the digit of an MSD pass (1024 buckets: few enough write streams for DRAM).
const MSD_BITS: u32 = 10;
/// An MSD pass aims at buckets of about this many keys (in cache, yet long enough that the LSD
/// passes' 256-bucket histograms cost little per key).
const BUCKET_KEYS: usize = 1 << 13;

/// Digit bits of an MSD pass over `n` keys that vary in their low `bits` bits.
fn msd_bits(n: usize, bits: u32) -> u32 {
    let want = (n / BUCKET_KEYS)
        .max(2)
        .next_power_of_two()
        .trailing_zeros();
    want.clamp(1, MSD_BITS).min(bits)
}

#[inline(always)]
fn key_of<T: NpOrd>(x: &T, descending: bool) -> u64 {
    let k = x.key();
    if descending {
        !k
    } else {
        k
    }
}

/// A fallible buffer of `n` keys, uninitialized contents replaced by zeros lazily (the first
/// write of each page is the scatter's).
fn key_buffer(n: usize) -> Option<Vec<u64>> {
    oxarray_core::buffer::zeroed_vec::<u64>(n).ok()
}

/// `dst` receives `src` sorted (NumPy's order, reversed when `descending`); `false` (nothing
/// written) when the type has no key, the lane is short or a buffer cannot be allocated.
pub fn sort_into<T: NpOrd>(src: &[T], dst: &mut [T], descending: bool) -> bool {
    let n = src.len();
    if T::KEY_BYTES == 0 || n < MIN_LEN || dst.len() != n {
        return false;
    }
    // Pass 1 (read): which key bits vary, and the values a key does not give back.
    let (mut and, mut or) = (u64::MAX, 0u64);
    let mut special: Vec<T> = Vec::new();
    for x in src {
        let k = key_of(x, descending);
        and &= k;
        or |= k;
        if x.needs_fixup() {
            special.push(*x);
        }
    }
    let value = |k: u64| T::from_key(if descending { !k } else { k });
    let varying = and ^ or;
    if varying == 0 {
        let v = value(and);
        dst.iter_mut().for_each(|d| *d = v);
        super::radix::restore_special(dst, &special, descending);
        return true;
    }
    // Keys agree above bit `bits`; the first digit is the top `MSD_BITS` of the rest.
    let bits = u64::BITS - varying.leading_zeros();
    let d = msd_bits(n, bits);
    let shift = bits - d;
    let mask = (1u64 << d) - 1;
    // Pass 2 (read): the digit histogram. Pass 3 (scattered write): keys to their buckets.
    let mut count = vec![0usize; 1 << d];
    for x in src {
        count[((key_of(x, descending) >> shift) & mask) as usize] += 1;
    }
    let Some(mut buf) = key_buffer(n) else {
        return false;
    };
    let mut off = starts(&count);
    let out = buf.as_mut_ptr();
    for x in src {
        let k = key_of(x, descending);
        let b = ((k >> shift) & mask) as usize;
        // SAFETY: `off` starts at the prefix sums of these very digits over `src`, so bucket b's
        // writes stay in [start_b, start_b + count_b) inside `buf` (length n), each slot once.
        unsafe { *out.add(off[b]) = k };
        off[b] += 1;
    }
    // Each bucket is sorted on its own (in parallel) and written back as values.
    let mut bucket_keys: Vec<&mut [u64]> = Vec::with_capacity(count.len());
    let mut bucket_dst: Vec<&mut [T]> = Vec::with_capacity(count.len());
    let (mut rest_k, mut rest_d) = (&mut buf[..], &mut dst[..]);
    for &c in count.iter().filter(|&&c| c > 0) {
        let (a, r) = rest_k.split_at_mut(c);
        let (b, s) = rest_d.split_at_mut(c);
        bucket_keys.push(a);
        bucket_dst.push(b);
        rest_k = r;
        rest_d = s;
    }
    let ok = bucket_keys
        .into_par_iter()
        .zip(bucket_dst)
        .with_max_len(1)
        .map(|(keys, out)| {
            // A bucket fits in cache: the AVX-512 quicksort where the CPU has it, else LSD.
            if !super::simd::sort_u64_keys(keys) {
                let mut tmp = Vec::new();
                if tmp.try_reserve_exact(keys.len()).is_err() {
                    return false;
                }
                tmp.resize(keys.len(), 0u64);
                sort_keys(keys, &mut tmp, shift);
            }
            for (o, &k) in out.iter_mut().zip(keys.iter()) {
                *o = value(k);
            }
            true
        })
        .reduce(|| true, |a, b| a && b);
    if !ok {
        return false;
    }
    super::radix::restore_special(dst, &special, descending);
    true
}

/// Bucket starts: the exclusive prefix sums of `count`.
fn starts(count: &[usize]) -> Vec<usize> {
    let mut s = 0;
    count
        .iter()
        .map(|&c| {
            let o = s;
            s += c;
            o
        })
        .collect()
}

/// Sorts `a` (whose keys agree above bit `bits`) in place; `tmp` is scratch of `a`'s length.
pub fn sort_keys(a: &mut [u64], tmp: &mut [u64], bits: u32) {
    let n = a.len();
    if n <= 1 || bits == 0 {
        return;
    }
    if n <= 32 {
        a.sort_unstable();
        return;
    }
    if n <= CACHE_KEYS {
        return lsd(a, tmp, bits);
    }
    let d = msd_bits(n, bits);
    let shift = bits - d;
    let mask = (1u64 << d) - 1;
    let mut count = vec![0usize; 1 << d];
    for &k in a.iter() {
        count[((k >> shift) & mask) as usize] += 1;
    }
    if count.contains(&n) {
        return sort_keys(a, tmp, shift);
    }
    let mut off = starts(&count);
    let out = tmp.as_mut_ptr();
    debug_assert_eq!(tmp.len(), n);
    for &k in a.iter() {
        let b = ((k >> shift) & mask) as usize;
        // SAFETY: as in `sort_into`: prefix sums of these digits keep writes inside `tmp`.
        unsafe { *out.add(off[b]) = k };
        off[b] += 1;
    }
    let mut s = 0;
    for &c in &count {
        let (tb, ab) = (&mut tmp[s..s + c], &mut a[s..s + c]);
        sort_keys(tb, ab, shift);
        ab.copy_from_slice(tb);
        s += c;
    }
}

/// LSD radix sort by bytes of the low `bits` bits of `a` (in cache), skipping the bytes that are
/// the same for every key; the result ends in `a`.
fn lsd(a: &mut [u64], tmp: &mut [u64], bits: u32) {
    let n = a.len();
    let digits = bits.div_ceil(8) as usize;
    let mut hist = [[0u32; 256]; 8];
    for &k in a.iter() {
        for (p, h) in hist.iter_mut().enumerate().take(digits) {
            h[((k >> (8 * p)) & 0xff) as usize] += 1;
        }
    }
    let mut in_a = true;
    for (p, h) in hist.iter().enumerate().take(digits) {
        if h.contains(&(n as u32)) {
            continue;
        }
        let mut off = [0u32; 256];
        let mut s = 0u32;
        for (o, &c) in off.iter_mut().zip(h) {
            *o = s;
            s += c;
        }
        let (src, dst): (&[u64], &mut [u64]) = if in_a { (a, tmp) } else { (tmp, a) };
        let out = dst.as_mut_ptr();
        for &k in src {
            let b = ((k >> (8 * p)) & 0xff) as usize;
            // SAFETY: `off` holds the prefix sums of this byte over `src` (length n = dst's),
            // so every write stays inside `dst`, each slot once.
            unsafe { *out.add(off[b] as usize) = k };
            off[b] += 1;
        }
        in_a = !in_a;
    }
    if !in_a {
        a.copy_from_slice(tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::super::order::compare;
    use super::*;

    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    fn check<T: NpOrd>(v: Vec<T>) {
        for descending in [false, true] {
            let mut want = v.clone();
            want.sort_by(|a, b| compare(a, b, descending));
            let mut got = vec![T::default(); v.len()];
            assert!(sort_into(&v, &mut got, descending));
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "desc {descending}");
        }
    }

    #[test]
    fn msd_matches_the_stable_comparison_sort() {
        let mut next = xorshift(11);
        let n = MIN_LEN * 3 + 17;
        // Uniform [0, 1) (skewed exponents), with NaNs, signed zeros and infinities.
        let f: Vec<f64> = (0..n)
            .map(|i| match i % 97 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                3 => f64::INFINITY,
                4 => f64::NEG_INFINITY,
                5 => -f64::NAN,
                _ => (next() >> 11) as f64 / (1u64 << 53) as f64 - 0.25,
            })
            .collect();
        check(f);
        let g: Vec<f32> = (0..n).map(|_| (next() % 1000) as f32 - 500.0).collect();
        check(g);
        let i: Vec<i64> = (0..n).map(|_| next() as i64).collect();
        check(i);
        let s: Vec<i16> = (0..n).map(|_| next() as i16).collect();
        check(s);
        let u: Vec<u8> = (0..n).map(|_| next() as u8).collect();
        check(u);
        let b: Vec<bool> = (0..n).map(|_| next().is_multiple_of(3)).collect();
        check(b);
        // One value everywhere, two values, and a huge skew into one bucket.
        check(vec![3.5f64; n]);
        check((0..n).map(|i| (i % 2) as f64).collect::<Vec<f64>>());
        check(
            (0..n)
                .map(|i| {
                    if i % 1000 == 0 {
                        1e300
                    } else {
                        1.0 + (next() % 7) as f64 * 1e-12
                    }
                })
                .collect::<Vec<f64>>(),
        );
        check((0..n as i64).rev().collect::<Vec<i64>>());
    }

    #[test]
    fn sort_keys_sorts_long_buckets_recursively() {
        let mut next = xorshift(3);
        let n = CACHE_KEYS * 5 + 3;
        let mut a: Vec<u64> = (0..n).map(|_| next() >> 4).collect();
        let mut want = a.clone();
        want.sort_unstable();
        let mut tmp = vec![0u64; n];
        sort_keys(&mut a, &mut tmp, 60);
        assert_eq!(a, want);
    }
}
