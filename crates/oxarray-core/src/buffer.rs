//! Allocation of large element buffers. A fresh zeroed buffer comes from the kernel untouched;
//! asking for transparent huge pages before the first write turns ~500 page faults per 2 MiB
//! into one (NumPy does the same for its large arrays), which is most of the cost of writing a
//! new result at memory speed. Large buffers come from the block pool ([`crate::pool`]) when the
//! extension installs its allocator; [`uninit_vec`] skips the zeroing where every element is
//! written anyway (a reused block then costs nothing before the kernel's first write).

use crate::dtype::Element;
use crate::error::{OxError, OxResult};

/// Buffers at least this large are advised to use huge pages (NumPy's threshold).
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

/// NumPy's wording of a failed allocation of `n` elements of `T`.
fn too_big<T>(n: usize) -> OxError {
    OxError::Memory(format!(
        "Unable to allocate {} for an array with {n} elements of {} bytes",
        human_bytes(n as f64 * std::mem::size_of::<T>() as f64),
        std::mem::size_of::<T>()
    ))
}

/// Room for `n` values, not initialized (length `n`, every element `MaybeUninit`), for a kernel
/// that writes every element before anything reads it: no zeroing pass, and a block reused from
/// the pool costs no page faults. `MemoryError` when the memory is not there. Turn it into a
/// `Vec<T>` with [`assume_init`] once every element is written; never hand it out before.
pub fn uninit_vec<T: Element>(n: usize) -> OxResult<Vec<std::mem::MaybeUninit<T>>> {
    let mut v: Vec<std::mem::MaybeUninit<T>> = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_big::<T>(n))?;
    // SAFETY: the capacity is at least `n`, and `MaybeUninit<T>` needs no initialization.
    unsafe { v.set_len(n) };
    advise_huge_pages(&v);
    Ok(v)
}

/// The values of a buffer from [`uninit_vec`] once the caller has written every element.
///
/// # Safety
/// Every element of `v` must have been written.
pub unsafe fn assume_init<T>(v: Vec<std::mem::MaybeUninit<T>>) -> Vec<T> {
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: `MaybeUninit<T>` has `T`'s size and alignment, so the allocation has exactly the
    // layout of a `Vec<T>` of the same capacity; the caller vouches for the values.
    unsafe { Vec::from_raw_parts(v.as_mut_ptr() as *mut T, v.len(), v.capacity()) }
}

/// A vector of `n` zero values, backed by huge pages when large; `MemoryError` (not an abort,
/// which is what `vec!` does when the allocator says no) when the memory is not there.
pub fn zeroed_vec<T: Element>(n: usize) -> OxResult<Vec<T>> {
    let too_big = || too_big::<T>(n);
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| too_big())?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the layout has a non-zero size. Every `Element` (bool, integers, floats and
    // complex pairs of floats) has all-zero bits as a valid value (false/0/0.0), so the zeroed
    // allocation holds `n` initialized values, and `Vec::from_raw_parts` receives a pointer from
    // the global allocator with exactly the layout of `n` `T`s (length == capacity == n).
    let v = unsafe {
        let ptr = std::alloc::alloc_zeroed(layout) as *mut T;
        if ptr.is_null() {
            return Err(too_big());
        }
        Vec::from_raw_parts(ptr, n, n)
    };
    advise_huge_pages(&v);
    Ok(v)
}

/// `8.00 TiB`, as NumPy words the size in its MemoryError.
fn human_bytes(bytes: f64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = bytes;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{v:.0} bytes")
    } else {
        format!("{v:.2} {}", units[i])
    }
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
        let v: Vec<f64> = super::zeroed_vec(1 << 20).unwrap();
        assert!(v.iter().all(|&x| x == 0.0));
        let c: Vec<num_complex::Complex<f32>> = super::zeroed_vec(3).unwrap();
        assert_eq!(c.len(), 3);
        assert!(super::zeroed_vec::<u8>(0).unwrap().is_empty());
    }

    #[test]
    fn uninit_buffers_are_written_before_use() {
        let mut v = super::uninit_vec::<f64>(1 << 20).unwrap();
        assert_eq!(v.len(), 1 << 20);
        for (i, x) in v.iter_mut().enumerate() {
            x.write(i as f64);
        }
        // SAFETY: every element was written just above.
        let v = unsafe { super::assume_init(v) };
        assert_eq!(v[12345], 12345.0);
        assert!(super::uninit_vec::<u8>(0).unwrap().is_empty());
        let e = super::uninit_vec::<f64>(1 << 60).unwrap_err();
        assert!(e.to_string().contains("Unable to allocate 8.00 EiB"), "{e}");
    }

    #[test]
    fn impossible_sizes_are_memory_errors_not_aborts() {
        let e = super::zeroed_vec::<f64>(usize::MAX / 4).unwrap_err();
        assert!(matches!(e, crate::OxError::Memory(_)), "{e}");
        // Representable but far beyond any machine: the allocator refuses; no abort.
        let e = super::zeroed_vec::<f64>(1 << 60).unwrap_err();
        assert!(e.to_string().contains("Unable to allocate 8.00 EiB"), "{e}");
    }
}
