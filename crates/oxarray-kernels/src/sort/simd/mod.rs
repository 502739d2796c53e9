//! The AVX-512 sort of one lane (values, by integer keys): [`quick`] (vectorized quicksort) over
//! u64 keys for 64-bit dtypes and u32 keys for 32-bit ones, [`network`] for short runs. Chosen at
//! run time when the CPU has AVX-512F; otherwise (and on other architectures, and for the other
//! dtypes) the callers keep the radix sorts.
//!
//! Keys are NumPy's order as unsigned integers ([`NpOrd::key`]): equal keys are equal values
//! except a float's -0.0/0.0 and NaN payloads, which are put back in index order afterwards
//! ([`super::radix::restore_special`]), so the result is NumPy's stable sort bit for bit even
//! though the quicksort itself is not stable.

#[cfg(target_arch = "x86_64")]
mod merge;
mod network;
mod quick;
mod width;

/// Scratch buffers of [`merge_into`], reused across blocks.
#[cfg(target_arch = "x86_64")]
pub use merge::Scratch as MergeScratch;
/// Scratch buffers of [`merge_into`] (none off x86-64).
#[cfg(not(target_arch = "x86_64"))]
#[derive(Default)]
pub struct MergeScratch;

/// The stable k-way merge of sorted `parts` into `dst` on 64-bit keys with AVX-512 (see
/// [`merge`]); `false` (nothing written) where that does not apply.
pub fn merge_into<T: NpOrd>(
    parts: &[&[T]],
    dst: &mut [T],
    descending: bool,
    scratch: &mut MergeScratch,
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        merge::merge_into(parts, dst, descending, scratch)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (parts, dst, descending, scratch);
        false
    }
}

use super::order::NpOrd;

/// Whether this CPU runs the vectorized sort (AVX-512F, and POPCNT for the partition's counts).
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("popcnt")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
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

/// `dst` receives `src` sorted (NumPy's order, reversed when `descending`; the stable result);
/// `false` (nothing written) when the CPU lacks AVX-512F, the dtype is not a 32- or 64-bit one
/// with an integer key, or a buffer cannot be allocated.
pub fn sort_into<T: NpOrd>(src: &[T], dst: &mut [T], descending: bool) -> bool {
    if src.len() != dst.len() || !available() {
        return false;
    }
    match T::KEY_BYTES {
        8 => sort_width::<T, u64>(src, dst, descending, |k| k),
        4 => sort_width::<T, u32>(src, dst, descending, |k| k as u32),
        _ => false,
    }
}

/// Sorts `v` in place as [`sort_into`] does.
pub fn sort_values<T: NpOrd>(v: &mut [T], descending: bool) -> bool {
    if !available() || !matches!(T::KEY_BYTES, 4 | 8) {
        return false;
    }
    let src = v.to_vec();
    sort_into(&src, v, descending)
}

fn sort_width<T: NpOrd, W: width::Width + oxarray_core::Element + Into<u64>>(
    src: &[T],
    dst: &mut [T],
    descending: bool,
    narrow: impl Fn(u64) -> W,
) -> bool {
    let Ok(mut keys) = oxarray_core::buffer::zeroed_vec::<W>(src.len()) else {
        return false;
    };
    let mut special: Vec<T> = Vec::new();
    for (k, x) in keys.iter_mut().zip(src) {
        *k = narrow(key_of(x, descending));
    }
    if src.iter().any(|x| x.needs_fixup()) {
        special.extend(src.iter().filter(|x| x.needs_fixup()));
    }
    sort_keys(&mut keys);
    let mask = if T::KEY_BYTES == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * T::KEY_BYTES)) - 1
    };
    for (d, &k) in dst.iter_mut().zip(&keys) {
        let k: u64 = k.into();
        *d = T::from_key(if descending { !k & mask } else { k });
    }
    super::radix::restore_special(dst, &special, descending);
    true
}

/// Sorts u64 keys ascending with AVX-512 (the buckets of [`super::msd`]); `false` (untouched)
/// when the CPU lacks it.
pub fn sort_u64_keys(keys: &mut [u64]) -> bool {
    if !available() {
        return false;
    }
    sort_keys(keys);
    true
}

/// Sorts keys ascending (AVX-512F checked by the callers).
fn sort_keys<W: width::Width>(keys: &mut [W]) {
    #[cfg(target_arch = "x86_64")]
    {
        debug_assert!(available());
        // SAFETY: every caller checked `available()` (AVX-512F) first.
        unsafe { quick::sort(keys) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    keys.sort_unstable();
}

#[cfg(test)]
mod tests;
