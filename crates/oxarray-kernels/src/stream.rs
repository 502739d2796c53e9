//! Copies that bypass the cache, for outputs written once and not read again soon.
//!
//! An ordinary store first reads its cache line from memory (the "read for ownership"), so
//! writing a large result moves its bytes twice. A non-temporal store writes whole lines straight
//! to memory: `x * 2` over data larger than the caches reads one stream and writes one instead
//! of reading two. Non-temporal stores are weakly ordered: the writer calls [`fence`] before it
//! tells another thread that the data is there.

/// `dst := src` with non-temporal stores for the 16-byte-aligned middle of `dst` (ordinary
/// copies for the unaligned head and the tail). Call [`fence`] after the last such copy and
/// before the data is published.
///
/// # Panics
/// If the lengths differ.
pub fn copy_streaming<T: Copy>(dst: &mut [T], src: &[T]) {
    assert_eq!(dst.len(), src.len(), "copy_streaming: lengths differ");
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
        let bytes = std::mem::size_of_val(dst);
        let d = dst.as_mut_ptr().cast::<u8>();
        let s = src.as_ptr().cast::<u8>();
        let head = d.align_offset(16).min(bytes);
        let body = (bytes - head) / 16;
        // SAFETY: both regions hold `bytes` bytes and do not overlap (`dst` is borrowed mutably);
        // the streamed stores target `d + head + 16 i`, 16-byte aligned, inside `dst`; SSE2 is
        // part of the x86-64 baseline. The bytes are a `Copy` type's, copied whole.
        unsafe {
            std::ptr::copy_nonoverlapping(s, d, head);
            for i in 0..body {
                let at = head + 16 * i;
                let v = _mm_loadu_si128(s.add(at).cast::<__m128i>());
                _mm_stream_si128(d.add(at).cast::<__m128i>(), v);
            }
            let done = head + 16 * body;
            std::ptr::copy_nonoverlapping(s.add(done), d.add(done), bytes - done);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    dst.copy_from_slice(src);
}

/// Orders every earlier non-temporal store of this thread before its later stores (`sfence`).
pub fn fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86-64 baseline.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

/// Asks for `data` to be brought into the L2 cache ahead of its use (one prefetch per 64-byte
/// line). A fused program issues this for the next block of each input while it computes the
/// current one, so the reads from memory overlap the arithmetic instead of stalling its first
/// instruction; the hardware prefetcher alone runs only a few lines ahead of the loads.
pub fn prefetch(data: oxarray_core::ColumnRef<'_>) {
    #[cfg(target_arch = "x86_64")]
    oxarray_core::dispatch_typed!(ColumnRef, data, v => {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T1};
        let p = v.as_ptr().cast::<i8>();
        let bytes = std::mem::size_of_val(v);
        for at in (0..bytes).step_by(64) {
            // SAFETY: `p + at` lies inside `v`; a prefetch never faults and has no visible
            // effect besides the cache.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(p.add(at)) };
        }
    });
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every start offset inside a 16-byte line and every short length: the whole destination is
    /// written, nothing around it.
    #[test]
    fn copies_every_alignment_and_length() {
        for offset in 0..16 {
            for len in 0..80 {
                let src: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let mut buf = vec![0xAAu8; len + 48];
                copy_streaming(&mut buf[offset..offset + len], &src);
                fence();
                assert_eq!(
                    &buf[offset..offset + len],
                    &src[..],
                    "offset {offset} len {len}"
                );
                assert!(buf[..offset].iter().all(|&b| b == 0xAA));
                assert!(buf[offset + len..].iter().all(|&b| b == 0xAA));
            }
        }
    }

    #[test]
    fn copies_wide_elements() {
        let src: Vec<f64> = (0..1001).map(|i| i as f64 * 0.5).collect();
        let mut dst = vec![0.0; 1001];
        copy_streaming(&mut dst[..], &src);
        fence();
        assert_eq!(dst, src);
    }
}
