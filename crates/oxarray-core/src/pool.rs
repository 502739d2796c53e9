//! The block pool: large buffers (chunk blocks, results, temporaries of at least
//! [`BLOCK_MIN_BYTES`]) are mapped from the kernel in size classes of whole huge pages and, when
//! freed, kept for the next allocation of the same class instead of being unmapped.
//!
//! Why: a fresh mapping costs a page fault per page and the kernel's zeroing of every byte before
//! the kernel's first write (18% of a Zarr read, a quarter of a fused expression's time); a
//! reused block costs neither. NumPy frees and maps its large temporaries every time.
//!
//! [`BlockAllocator`] is a `GlobalAlloc`: the extension module installs it, so every large
//! allocation of the engine (kernels' outputs, blocks read from storage, results handed to NumPy,
//! which free them through Rust when the `ndarray` dies) goes through one pool and nothing has to
//! remember to give buffers back. Small allocations go to mimalloc: a task over a small chunk
//! makes a dozen of them (its inputs' list, its value, the program's scratch), and with glibc's
//! malloc they were a fifth of the per-task time (oxarray-graph's `examples/overhead_phases.rs`:
//! planning 1.10 → 0.65 µs per chunk, the run about 15% faster).
//!
//! Bounds, so the memory limit still bounds the resident set: the pool keeps at most
//! [`BlockPool::cap`] bytes (an eighth of the memory limit; 1 GiB when none is set), and before mapping a
//! new block it unmaps kept blocks until live + kept + new fit under the memory limit. The pool
//! never blocks: it takes its lock with `try_lock` and, when another thread holds it, maps or
//! unmaps directly (so a fork while the lock is held cannot deadlock the child either).

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Allocations of at least this many bytes are blocks (mapped in whole huge pages, pooled).
pub const BLOCK_MIN_BYTES: usize = 4 << 20;
/// The size-class granularity and alignment of a block: one transparent huge page.
const CLASS_BYTES: usize = 2 << 20;
/// How many freed blocks the pool keeps at most (a fixed array: the allocator cannot allocate).
const SLOTS: usize = 64;
/// The pool's cap when no memory limit was given to it.
const DEFAULT_CAP: usize = 1 << 30;

/// The size class of a block of `bytes` (`None` on overflow).
fn class_of(bytes: usize) -> Option<usize> {
    bytes.checked_next_multiple_of(CLASS_BYTES)
}

/// Freed blocks kept for reuse: `(address, class bytes, age)`; `age` orders eviction.
struct Kept {
    slots: [(usize, usize, u64); SLOTS],
    len: usize,
    bytes: usize,
    clock: u64,
}

/// What the pool did so far (for tests and `bench/`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Bytes of blocks in use (allocated and not yet freed).
    pub live_bytes: usize,
    /// Bytes of freed blocks kept for reuse.
    pub kept_bytes: usize,
    /// Block allocations served from the pool / by a fresh mapping.
    pub reused: usize,
    pub mapped: usize,
}

/// A pool of large blocks (see the module docs). One static instance backs [`BlockAllocator`];
/// tests make their own.
pub struct BlockPool {
    kept: Mutex<Kept>,
    live: AtomicUsize,
    /// The memory limit this pool keeps live + kept blocks under (0: none given).
    limit: AtomicUsize,
    reused: AtomicUsize,
    mapped: AtomicUsize,
}

impl Default for BlockPool {
    fn default() -> Self {
        Self::new()
    }
}

impl BlockPool {
    pub const fn new() -> Self {
        BlockPool {
            kept: Mutex::new(Kept {
                slots: [(0, 0, 0); SLOTS],
                len: 0,
                bytes: 0,
                clock: 0,
            }),
            live: AtomicUsize::new(0),
            limit: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
            mapped: AtomicUsize::new(0),
        }
    }

    /// Sets the memory limit the pool's blocks stay under; kept blocks beyond the new bounds are
    /// unmapped now.
    pub fn set_memory_limit(&self, bytes: usize) {
        self.limit.store(bytes, Ordering::Relaxed);
        self.evict_while(|kept, _| kept > self.cap());
    }

    /// The most bytes of freed blocks the pool keeps: an eighth of the memory limit (1 GiB when
    /// none is set). Not less: one sort of a 1 GiB array frees 2 GiB of temporaries and results
    /// that the next one needs again, and a block mapped afresh costs its page faults and zeroing
    /// (on a virtual machine, at times the host's faults too: a third of such a sort's samples
    /// under `perf` once, while the first fill of a fresh GiB took 2.4 s against 0.19 s after).
    pub fn cap(&self) -> usize {
        match self.limit.load(Ordering::Relaxed) {
            0 => DEFAULT_CAP,
            l => l / 8,
        }
    }

    pub fn stats(&self) -> PoolStats {
        let kept_bytes = self.kept.lock().map(|k| k.bytes).unwrap_or(0);
        PoolStats {
            live_bytes: self.live.load(Ordering::Relaxed),
            kept_bytes,
            reused: self.reused.load(Ordering::Relaxed),
            mapped: self.mapped.load(Ordering::Relaxed),
        }
    }

    /// Unmaps every kept block (returns the memory to the system).
    pub fn release(&self) {
        self.evict_while(|kept, _| kept > 0);
    }

    /// A block of at least `size` bytes aligned to `align` (at most a huge page), zeroed over its
    /// first `size` bytes when `zero`; null when the system has no memory left.
    ///
    /// # Safety
    /// The block must be given back with [`BlockPool::free`] with the same `size`.
    pub unsafe fn alloc(&self, size: usize, zero: bool) -> *mut u8 {
        let Some(class) = class_of(size) else {
            return std::ptr::null_mut();
        };
        if let Some(p) = self.take(class) {
            self.live.fetch_add(class, Ordering::Relaxed);
            self.reused.fetch_add(1, Ordering::Relaxed);
            if zero {
                // SAFETY: `p` is a block of `class >= size` bytes that nothing else uses.
                unsafe { std::ptr::write_bytes(p, 0, size) };
            }
            return p;
        }
        // Keep the resident set under the limit: kept blocks go before a new one is mapped.
        let limit = self.limit.load(Ordering::Relaxed);
        if limit > 0 {
            let live = self.live.load(Ordering::Relaxed);
            self.evict_while(|kept, _| live + kept + class > limit);
        }
        let mut p = sys::map(class);
        if p.is_null() {
            self.release();
            p = sys::map(class);
            if p.is_null() {
                return p;
            }
        }
        self.live.fetch_add(class, Ordering::Relaxed);
        self.mapped.fetch_add(1, Ordering::Relaxed);
        p // fresh mappings read as zeros
    }

    /// Gives back a block from [`BlockPool::alloc`]: kept for reuse (the oldest kept blocks are
    /// unmapped to make room), or unmapped when larger than the pool's cap.
    ///
    /// # Safety
    /// `p` came from `self.alloc(size, _)` and is not used after this call.
    pub unsafe fn free(&self, p: *mut u8, size: usize) {
        let Some(class) = class_of(size) else { return };
        self.live.fetch_sub(class, Ordering::Relaxed);
        let cap = self.cap();
        if class <= cap {
            // The newest block stays: the oldest kept ones (least likely asked for again) go.
            self.evict_while(|kept, len| len >= SLOTS || kept + class > cap);
        }
        if let Ok(mut k) = self.kept.try_lock() {
            if k.len < SLOTS && k.bytes + class <= cap {
                k.clock += 1;
                let (len, age) = (k.len, k.clock);
                k.slots[len] = (p as usize, class, age);
                k.len += 1;
                k.bytes += class;
                return;
            }
        }
        // SAFETY: the caller gives up `p`, a mapping of `class` bytes.
        unsafe { sys::unmap(p, class) };
    }

    /// The most recently kept block of exactly `class` bytes.
    fn take(&self, class: usize) -> Option<*mut u8> {
        let mut k = self.kept.try_lock().ok()?;
        let len = k.len;
        let i = (0..len)
            .filter(|&i| k.slots[i].1 == class)
            .max_by_key(|&i| k.slots[i].2)?;
        let (p, c, _) = k.slots[i];
        k.slots[i] = k.slots[len - 1];
        k.len -= 1;
        k.bytes -= c;
        Some(p as *mut u8)
    }

    /// Unmaps the oldest kept blocks while `more(kept bytes, kept count)` holds.
    fn evict_while(&self, more: impl Fn(usize, usize) -> bool) {
        loop {
            let victim = {
                let Ok(mut k) = self.kept.try_lock() else {
                    return;
                };
                if k.len == 0 || !more(k.bytes, k.len) {
                    return;
                }
                let len = k.len;
                let i = (0..len).min_by_key(|&i| k.slots[i].2).unwrap_or(0);
                let v = k.slots[i];
                k.slots[i] = k.slots[len - 1];
                k.len -= 1;
                k.bytes -= v.1;
                v
            };
            // SAFETY: a kept block belongs to the pool alone; unmapped outside the lock.
            unsafe { sys::unmap(victim.0 as *mut u8, victim.1) };
        }
    }
}

/// The pool every large allocation of the process goes through once [`BlockAllocator`] is the
/// global allocator.
pub static POOL: BlockPool = BlockPool::new();

/// A `GlobalAlloc` that serves allocations of at least [`BLOCK_MIN_BYTES`] from [`POOL`] and
/// everything else from the system allocator. Install it in the final artifact:
/// `#[global_allocator] static A: BlockAllocator = BlockAllocator;`
pub struct BlockAllocator;

fn is_block(l: &Layout) -> bool {
    l.size() >= BLOCK_MIN_BYTES && l.align() <= CLASS_BYTES
}

// SAFETY: blocks come from `POOL` (mappings aligned to a huge page, at least `size` bytes) and go
// back to it with the same size (a layout's size decides which side serves it, on both calls);
// the rest is mimalloc's.
unsafe impl GlobalAlloc for BlockAllocator {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if is_block(&l) {
            unsafe { POOL.alloc(l.size(), false) }
        } else {
            unsafe { MiMalloc.alloc(l) }
        }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if is_block(&l) {
            unsafe { POOL.alloc(l.size(), true) }
        } else {
            unsafe { MiMalloc.alloc_zeroed(l) }
        }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if is_block(&l) {
            unsafe { POOL.free(p, l.size()) }
        } else {
            unsafe { MiMalloc.dealloc(p, l) }
        }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        // SAFETY (of the layout): the caller guarantees `new_size` with `l.align()` is valid.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, l.align()) };
        match (is_block(&l), is_block(&new)) {
            (false, false) => unsafe { MiMalloc.realloc(p, l, new_size) },
            (true, true) if class_of(l.size()) == class_of(new_size) => p,
            _ => {
                let q = unsafe { self.alloc(new) };
                if !q.is_null() {
                    // SAFETY: both regions are live and hold at least the bytes copied.
                    unsafe {
                        std::ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                        self.dealloc(p, l);
                    }
                }
                q
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod sys {
    use super::CLASS_BYTES;

    /// A fresh anonymous mapping of `bytes` (a multiple of a huge page) aligned to a huge page,
    /// advised to use transparent huge pages (one fault per 2 MiB instead of 512); null on failure.
    pub(super) fn map(bytes: usize) -> *mut u8 {
        let Some(len) = bytes.checked_add(CLASS_BYTES) else {
            return std::ptr::null_mut();
        };
        // SAFETY: an anonymous private mapping of `len` bytes; the parts outside the aligned
        // block are unmapped again, the block itself is only advised (never read here).
        unsafe {
            let raw = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if raw == libc::MAP_FAILED {
                return std::ptr::null_mut();
            }
            let start = raw as usize;
            let aligned = start.next_multiple_of(CLASS_BYTES);
            let head = aligned - start;
            if head > 0 {
                libc::munmap(raw, head);
            }
            let tail = len - head - bytes;
            if tail > 0 {
                libc::munmap((aligned + bytes) as *mut libc::c_void, tail);
            }
            libc::madvise(aligned as *mut libc::c_void, bytes, libc::MADV_HUGEPAGE);
            aligned as *mut u8
        }
    }

    /// # Safety
    /// `p` is a mapping of `bytes` from [`map`], unused from now on.
    pub(super) unsafe fn unmap(p: *mut u8, bytes: usize) {
        unsafe { libc::munmap(p as *mut libc::c_void, bytes) };
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use super::CLASS_BYTES;
    use std::alloc::{GlobalAlloc, Layout, System};

    pub(super) fn map(bytes: usize) -> *mut u8 {
        match Layout::from_size_align(bytes, CLASS_BYTES) {
            // SAFETY: a non-zero layout (blocks are at least a few MiB).
            Ok(l) => unsafe { System.alloc_zeroed(l) },
            Err(_) => std::ptr::null_mut(),
        }
    }

    pub(super) unsafe fn unmap(p: *mut u8, bytes: usize) {
        if let Ok(l) = Layout::from_size_align(bytes, CLASS_BYTES) {
            unsafe { System.dealloc(p, l) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    #[test]
    fn a_freed_block_is_reused_by_its_size_class() {
        let pool = BlockPool::new();
        unsafe {
            let a = pool.alloc(5 * MIB, false);
            assert!(!a.is_null());
            assert_eq!(a as usize % CLASS_BYTES, 0, "huge-page aligned");
            a.write_bytes(7, 5 * MIB);
            pool.free(a, 5 * MIB);
            assert_eq!(pool.stats().kept_bytes, 6 * MIB, "kept in the 6 MiB class");
            // Another size of the same class gets the same block back...
            let b = pool.alloc(5 * MIB + 123, false);
            assert_eq!(a, b);
            assert_eq!(pool.stats().reused, 1);
            // ...and a zeroed allocation is zeroed over its size even when reused.
            pool.free(b, 5 * MIB + 123);
            let c = pool.alloc(6 * MIB, true);
            assert_eq!(c, a);
            assert!(std::slice::from_raw_parts(c, 6 * MIB)
                .iter()
                .all(|&x| x == 0));
            // A different class is mapped fresh (zeros) and does not take c's block.
            let d = pool.alloc(9 * MIB, false);
            assert_ne!(d, c);
            assert!(std::slice::from_raw_parts(d, 9 * MIB)
                .iter()
                .all(|&x| x == 0));
            pool.free(c, 6 * MIB);
            pool.free(d, 9 * MIB);
            let s = pool.stats();
            assert_eq!((s.live_bytes, s.kept_bytes, s.mapped), (0, 16 * MIB, 2));
            pool.release();
            assert_eq!(pool.stats().kept_bytes, 0);
        }
    }

    #[test]
    fn the_pool_stays_under_its_cap_and_the_memory_limit() {
        let pool = BlockPool::new();
        pool.set_memory_limit(64 * MIB); // cap: 8 MiB
        assert_eq!(pool.cap(), 8 * MIB);
        unsafe {
            let blocks: Vec<*mut u8> = (0..3).map(|_| pool.alloc(4 * MIB, false)).collect();
            for &b in &blocks {
                pool.free(b, 4 * MIB);
            }
            // Two 4 MiB blocks fit the cap; the third took the oldest one's place.
            assert_eq!(pool.stats().kept_bytes, 8 * MIB);
            // A new class that would take live + kept past the limit evicts kept blocks first.
            let big = pool.alloc(60 * MIB, false);
            assert!(!big.is_null());
            assert_eq!(
                pool.stats().kept_bytes,
                4 * MIB,
                "60 + 4 fit the 64 MiB limit"
            );
            assert_eq!(pool.stats().live_bytes, 60 * MIB);
            pool.free(big, 60 * MIB);
            assert_eq!(pool.stats().kept_bytes, 4 * MIB, "past the cap: unmapped");
            // Lowering the limit trims what is kept.
            let a = pool.alloc(4 * MIB, false);
            let b = pool.alloc(4 * MIB, false);
            pool.free(a, 4 * MIB);
            pool.free(b, 4 * MIB);
            assert_eq!(pool.stats().kept_bytes, 8 * MIB);
            pool.set_memory_limit(32 * MIB);
            assert_eq!(pool.stats().kept_bytes, 4 * MIB);
            // A newly freed block of another class replaces the old ones that leave no room.
            pool.set_memory_limit(64 * MIB);
            let c = pool.alloc(6 * MIB, false);
            pool.free(c, 6 * MIB);
            let s = pool.stats();
            assert_eq!((s.kept_bytes, s.live_bytes), (6 * MIB, 0));
            assert_eq!(
                pool.alloc(6 * MIB, false),
                c,
                "the newest block is the one kept"
            );
            pool.free(c, 6 * MIB);
            pool.release();
        }
    }

    #[test]
    fn the_allocator_serves_vectors_large_and_small() {
        let a = BlockAllocator;
        unsafe {
            let small = Layout::from_size_align(100, 8).unwrap();
            let p = a.alloc_zeroed(small);
            assert!(std::slice::from_raw_parts(p, 100).iter().all(|&x| x == 0));
            // Growing across the block threshold and within a class keeps the contents.
            p.write_bytes(5, 100);
            let q = a.realloc(p, small, 5 * MIB);
            assert!(std::slice::from_raw_parts(q, 100).iter().all(|&x| x == 5));
            let big = Layout::from_size_align(5 * MIB, 8).unwrap();
            let r = a.realloc(q, big, 6 * MIB);
            assert_eq!(q, r, "same class: same block");
            let r2 = a.realloc(r, Layout::from_size_align(6 * MIB, 8).unwrap(), 50);
            assert!(std::slice::from_raw_parts(r2, 50).iter().all(|&x| x == 5));
            a.dealloc(r2, Layout::from_size_align(50, 8).unwrap());
        }
    }
}
