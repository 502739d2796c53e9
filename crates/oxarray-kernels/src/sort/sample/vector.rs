//! The splitter search of [`super::classify`] with AVX-512 (kernel): 8 keys per register, `V`
//! registers interleaved so the loads of one overlap the compares of the others. The tree's
//! first six levels (nodes 1..64) stay in eight registers and are read by permutes; the deeper
//! levels by gathers (`vpgatherqq`). Same result as [`super::Tree::bucket_n`].

use super::{Tree, TREE};
use std::arch::x86_64::*;

/// The buckets of the `8 * V` keys `k` into `out` (see [`Tree::bucket_n`]).
///
/// # Safety
/// The CPU must have AVX-512F (`super::super::simd::available()`).
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn buckets<const V: usize, const N: usize>(
    tree: &Tree,
    k: &[u64; N],
    out: &mut [u16; N],
) {
    const { assert!(N == 8 * V) };
    let t = tree.t.as_ptr();
    // SAFETY: `t` points at TREE >= 16 keys.
    let (lo, hi) = unsafe {
        (
            _mm512_loadu_si512(t as *const __m512i),
            _mm512_loadu_si512(t.add(8) as *const __m512i),
        )
    };
    let one = _mm512_set1_epi64(1);
    // SAFETY: `k` holds `8 * V` keys.
    let kv: [__m512i; V] = std::array::from_fn(|v| unsafe {
        _mm512_loadu_si512(k.as_ptr().add(8 * v) as *const __m512i)
    });
    let mut i = [one; V];
    let levels = tree.levels;
    let direct = levels.min(4);
    for _ in 0..direct {
        for v in 0..V {
            // Indices below 16: a permute of the two registers.
            let tv = _mm512_permutex2var_epi64(lo, i[v], hi);
            let gt = _mm512_cmpgt_epu64_mask(kv[v], tv);
            let twice = _mm512_add_epi64(i[v], i[v]);
            i[v] = _mm512_mask_add_epi64(twice, gt, twice, one);
        }
    }
    let step = |i: __m512i, k: __m512i, tv: __m512i| {
        let gt = _mm512_cmpgt_epu64_mask(k, tv);
        let twice = _mm512_add_epi64(i, i);
        _mm512_mask_add_epi64(twice, gt, twice, one)
    };
    // Levels 4 and 5 (nodes 16..64, six registers) by permutes too: a gather reads its eight
    // keys one by one, a permute of registers is one instruction.
    // SAFETY: `t` points at TREE >= 64 keys.
    let row = |at: usize| unsafe { _mm512_loadu_si512(t.add(at) as *const __m512i) };
    if levels > 4 {
        let (a, b) = (row(16), row(24));
        for v in 0..V {
            // Nodes 16..32: the index's low 4 bits pick the lane of `a` or `b`.
            i[v] = step(i[v], kv[v], _mm512_permutex2var_epi64(a, i[v], b));
        }
    }
    if levels > 5 {
        let (a, b, c, d) = (row(32), row(40), row(48), row(56));
        let upper = _mm512_set1_epi64(16);
        for v in 0..V {
            // Nodes 32..64: bit 4 of the index picks the pair of registers.
            let low = _mm512_permutex2var_epi64(a, i[v], b);
            let high = _mm512_permutex2var_epi64(c, i[v], d);
            let tv = _mm512_mask_blend_epi64(_mm512_test_epi64_mask(i[v], upper), low, high);
            i[v] = step(i[v], kv[v], tv);
        }
    }
    for _ in direct.max(levels.min(6))..levels {
        for v in 0..V {
            // SAFETY: every index is below 2^levels <= TREE, inside the tree.
            let tv = unsafe { _mm512_i64gather_epi64::<8>(i[v], t as *const i64) };
            let gt = _mm512_cmpgt_epu64_mask(kv[v], tv);
            let twice = _mm512_add_epi64(i[v], i[v]);
            i[v] = _mm512_mask_add_epi64(twice, gt, twice, one);
        }
    }
    let p = _mm512_set1_epi64(1i64 << levels);
    let m = _mm512_set1_epi64(tree.m as i64);
    let mask = _mm512_set1_epi64((TREE - 1) as i64);
    let s = tree.s.as_ptr();
    for v in 0..V {
        let r = _mm512_and_si512(_mm512_sub_epi64(i[v], p), mask);
        // SAFETY: `r` is masked below TREE, inside `s`.
        let sv = unsafe { _mm512_i64gather_epi64::<8>(r, s as *const i64) };
        let eq = _mm512_cmpeq_epu64_mask(kv[v], sv) & _mm512_cmplt_epu64_mask(r, m);
        let twice = _mm512_add_epi64(r, r);
        let b = _mm512_mask_add_epi64(twice, eq, twice, one);
        // SAFETY: `out` holds `8 * V` u16s; this writes 8 of them.
        unsafe {
            _mm_storeu_si128(
                out.as_mut_ptr().add(8 * v) as *mut __m128i,
                _mm512_cvtepi64_epi16(b),
            )
        };
    }
}
