//! Allocation of large element buffers. A fresh zeroed buffer comes from the kernel untouched;
//! asking for transparent huge pages before the first write turns ~500 page faults per 2 MiB
//! into one (NumPy does the same for its large arrays), which is most of the cost of writing a
//! new result at memory speed.

use crate::dtype::Element;

/// Buffers at least this large are advised to use huge pages (NumPy's threshold).
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

/// A vector of `n` default (zero) values, backed by huge pages when large.
pub fn zeroed_vec<T: Element>(n: usize) -> Vec<T> {
    let v = vec![T::default(); n];
    advise_huge_pages(&v);
    v
}

/// Advises the kernel to back `v`'s memory with transparent huge pages (Linux; else a no-op).
pub fn advise_huge_pages<T>(v: &[T]) {
    let bytes = std::mem::size_of_val(v);
    if bytes < HUGE_PAGE_THRESHOLD {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = v.as_ptr() as usize;
        let aligned = start.next_multiple_of(PAGE);
        let len = (start + bytes).saturating_sub(aligned) / PAGE * PAGE;
        if len > 0 {
            // SAFETY: the range lies inside `v`'s allocation; MADV_HUGEPAGE only changes how the
            // kernel backs those pages, never their contents. A failure is harmless and ignored.
            unsafe {
                libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn large_buffers_are_zeroed() {
        let v: Vec<f64> = super::zeroed_vec(1 << 20);
        assert!(v.iter().all(|&x| x == 0.0));
    }
}
