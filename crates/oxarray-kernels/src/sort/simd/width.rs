//! The two key widths of the AVX-512 sort as one interface: 8 u64 keys or 16 u32 keys per
//! 512-bit register. The methods wrap `std::arch` intrinsics that need AVX-512F; they are
//! `#[inline(always)]` so they are compiled inside the `#[target_feature(enable = "avx512f,popcnt")]`
//! functions of [`super::quick`] that call them.
//!
//! Every method is `unsafe`: the caller must have checked that the CPU has AVX-512F (see
//! [`super::available`]), and, for the memory ones, that the masked lanes lie inside one
//! allocation (masked-off lanes are neither read nor written and never fault).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// A key type of the vectorized sort (compared as unsigned integers).
pub(crate) trait Width: Copy + Ord + Send + Sync + std::fmt::Debug + 'static {
    /// Keys per register.
    const LANES: usize;
    /// The largest key (what padding lanes hold: it sorts last).
    const MAX: Self;
    /// Mask with one bit per lane.
    const FULL: u32 = if Self::LANES == 32 {
        u32::MAX
    } else {
        (1u32 << Self::LANES) - 1
    };
    #[cfg(target_arch = "x86_64")]
    type V: Copy;
    #[cfg(target_arch = "x86_64")]
    unsafe fn splat(x: Self) -> Self::V;
    /// The lanes of `mask` read from `p`, the others `MAX`.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load(p: *const Self, mask: u32) -> Self::V;
    /// The lanes of `mask` written to `p`, the others untouched.
    #[cfg(target_arch = "x86_64")]
    unsafe fn store(p: *mut Self, mask: u32, v: Self::V);
    #[cfg(target_arch = "x86_64")]
    unsafe fn vmin(a: Self::V, b: Self::V) -> Self::V;
    #[cfg(target_arch = "x86_64")]
    unsafe fn vmax(a: Self::V, b: Self::V) -> Self::V;
    /// Lanes where `a > b`.
    #[cfg(target_arch = "x86_64")]
    unsafe fn vgt(a: Self::V, b: Self::V) -> u32;
    /// Lanes where `a >= b`.
    #[cfg(target_arch = "x86_64")]
    unsafe fn vge(a: Self::V, b: Self::V) -> u32;
    /// The lanes of `mask` packed at the bottom (in order), zeros above.
    #[cfg(target_arch = "x86_64")]
    unsafe fn compress(mask: u32, v: Self::V) -> Self::V;
    /// Lane `i` takes lane `i ^ j` (`j` a power of two below `LANES`).
    #[cfg(target_arch = "x86_64")]
    unsafe fn swap(v: Self::V, j: usize) -> Self::V;
    /// Lanes of `mask` from `b`, the others from `a`.
    #[cfg(target_arch = "x86_64")]
    unsafe fn blend(mask: u32, a: Self::V, b: Self::V) -> Self::V;
    /// Whether [`Width::split`] is one permutation (else the partition compresses twice).
    const SPLITS: bool;
    /// `v` reordered: the lanes outside `up` first, then those of `up`, each in lane order.
    #[cfg(target_arch = "x86_64")]
    unsafe fn split(up: u32, v: Self::V) -> Self::V;
}

/// For each 8-lane mask, the lane order of [`Width::split`] as eight 3-bit indices (a `vpermq`
/// reads only the low 3 bits of each 64-bit index, so shifting the packed word right by `3i` in
/// lane `i` is the whole decoding).
const SPLIT8: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut m = 0;
    while m < 256 {
        let (mut packed, mut j, mut pass) = (0u32, 0, 0);
        while pass < 2 {
            let mut i = 0;
            while i < 8 {
                if ((m >> i) & 1 == 1) == (pass == 1) {
                    packed |= (i as u32) << (3 * j);
                    j += 1;
                }
                i += 1;
            }
            pass += 1;
        }
        t[m] = packed;
        m += 1;
    }
    t
};

impl Width for u64 {
    const LANES: usize = 8;
    const MAX: u64 = u64::MAX;
    #[cfg(target_arch = "x86_64")]
    type V = __m512i;
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn splat(x: u64) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_set1_epi64(x as i64) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load(p: *const u64, mask: u32) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F and that the lanes of `mask` are readable.
        unsafe { _mm512_mask_loadu_epi64(_mm512_set1_epi64(-1), mask as __mmask8, p as *const i64) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn store(p: *mut u64, mask: u32, v: __m512i) {
        // SAFETY: the caller guarantees AVX-512F and that the lanes of `mask` are writable.
        unsafe { _mm512_mask_storeu_epi64(p as *mut i64, mask as __mmask8, v) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vmin(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_min_epu64(a, b) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vmax(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_max_epu64(a, b) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vgt(a: __m512i, b: __m512i) -> u32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_cmpgt_epu64_mask(a, b) as u32 }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vge(a: __m512i, b: __m512i) -> u32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_cmpge_epu64_mask(a, b) as u32 }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn compress(mask: u32, v: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_maskz_compress_epi64(mask as __mmask8, v) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn swap(v: __m512i, j: usize) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe {
            let idx = _mm512_xor_si512(
                _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                _mm512_set1_epi64(j as i64),
            );
            _mm512_permutexvar_epi64(idx, v)
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn blend(mask: u32, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_mask_blend_epi64(mask as __mmask8, a, b) }
    }
    const SPLITS: bool = true;
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn split(up: u32, v: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe {
            let packed = _mm512_set1_epi64(SPLIT8[(up & 0xFF) as usize] as i64);
            let idx = _mm512_srlv_epi64(packed, _mm512_set_epi64(21, 18, 15, 12, 9, 6, 3, 0));
            _mm512_permutexvar_epi64(idx, v)
        }
    }
}

impl Width for u32 {
    const LANES: usize = 16;
    const MAX: u32 = u32::MAX;
    #[cfg(target_arch = "x86_64")]
    type V = __m512i;
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn splat(x: u32) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_set1_epi32(x as i32) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load(p: *const u32, mask: u32) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F and that the lanes of `mask` are readable.
        unsafe {
            _mm512_mask_loadu_epi32(_mm512_set1_epi32(-1), mask as __mmask16, p as *const i32)
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn store(p: *mut u32, mask: u32, v: __m512i) {
        // SAFETY: the caller guarantees AVX-512F and that the lanes of `mask` are writable.
        unsafe { _mm512_mask_storeu_epi32(p as *mut i32, mask as __mmask16, v) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vmin(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_min_epu32(a, b) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vmax(a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_max_epu32(a, b) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vgt(a: __m512i, b: __m512i) -> u32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_cmpgt_epu32_mask(a, b) as u32 }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn vge(a: __m512i, b: __m512i) -> u32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_cmpge_epu32_mask(a, b) as u32 }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn compress(mask: u32, v: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_maskz_compress_epi32(mask as __mmask16, v) }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn swap(v: __m512i, j: usize) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe {
            let idx = _mm512_xor_si512(
                _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                _mm512_set1_epi32(j as i32),
            );
            _mm512_permutexvar_epi32(idx, v)
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn blend(mask: u32, a: __m512i, b: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_mask_blend_epi32(mask as __mmask16, a, b) }
    }
    const SPLITS: bool = false;
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn split(up: u32, v: __m512i) -> __m512i {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe {
            let m = up as __mmask16;
            let low = _mm512_maskz_compress_epi32(!m, v);
            let nd = (!m).count_ones();
            let high = !((1u32 << nd) - 1) as __mmask16;
            _mm512_mask_expand_epi32(low, high, _mm512_maskz_compress_epi32(m, v))
        }
    }
}
