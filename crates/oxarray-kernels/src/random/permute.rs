//! Sampling without replacement. A permutation of `0..n` is evaluated lazily, element by element:
//! element `i` is a keyed pseudo-random bijection of `i` (a Feistel network over the smallest
//! power-of-four domain >= n, with Philox as round function, cycle-walking back into `0..n`, as
//! in Mitchell et al., "Bandwidth-optimal random shuffling for GPUs", 2022). So a permutation is
//! chunk-invariant like every other source, and its first `k` elements are `k` distinct draws.

use super::dists::unit53;
use super::philox::{counter, philox4x32};
use super::Stream;

/// Feistel rounds; each is one Philox evaluation (itself 10 rounds), so 8 is ample mixing.
const ROUNDS: u32 = 8;

/// Element `i` of the stream's permutation of `0..n`. Constructors only ask for `i < n`; an
/// `i >= n` (outside the permutation) is returned unchanged rather than walked forever.
pub fn permuted_index(s: &Stream, n: u64, i: u64) -> u64 {
    if i >= n {
        return i;
    }
    if n == 1 {
        return 0;
    }
    let bits = (64 - (n - 1).leading_zeros()).max(2).next_multiple_of(2);
    let half = bits / 2;
    let mask = if half == 32 {
        u32::MAX as u64
    } else {
        (1u64 << half) - 1
    };
    let encrypt = |x: u64| -> u64 {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..ROUNDS {
            let f = philox4x32(counter(r, s.stream, round + 1), s.key)[0] as u64 & mask;
            (l, r) = (r, l ^ f);
        }
        (l << half) | r
    };
    // Cycle-walking: the domain is < 4n, so a few steps on average; it ends because the cycle of
    // the bijection through `i` returns to `i < n`.
    let mut y = encrypt(i);
    while y >= n {
        y = encrypt(y);
    }
    y
}

/// `k` distinct indices of `0..p.len()` drawn with weights `p` (Efraimidis–Spirakis with
/// exponential keys: the `k` smallest `-ln(u_i) / p_i`), in the order of their keys. This one
/// materializes: it needs every key before it can choose. Zero weights are never chosen; the
/// caller guarantees at least `k` positive weights.
pub fn weighted_sample(s: &Stream, p: &[f64], k: usize) -> Vec<i64> {
    let mut keys: Vec<(f64, usize)> = p
        .iter()
        .enumerate()
        .filter(|(_, &w)| w > 0.0)
        .map(|(i, &w)| {
            let b = philox4x32(counter(i as u64, s.stream, 0), s.key);
            let u = 1.0 - unit53(b[0], b[1]);
            (-u.ln() / w, i)
        })
        .collect();
    let k = k.min(keys.len());
    if k < keys.len() {
        keys.select_nth_unstable_by(k, |a, b| a.0.total_cmp(&b.0));
        keys.truncate(k);
    }
    keys.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keys.into_iter().map(|(_, i)| i as i64).collect()
}
