//! The machine's memory bandwidth, measured with plain loops, as the yardstick of the reductions
//! and fused programs (`bench/run.py --only sum` prints the ratio of our sum to [`read_sum`]).
//! Not used by any computation: these loops are the simplest code that moves the bytes.

use std::time::Instant;

/// Sum of `xs` with eight independent accumulators and nothing else (no pairwise blocking, no
/// cancellation checks): the fastest a single thread reads memory with ordinary loads.
pub fn plain_sum(xs: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    let tail: f64 = chunks.remainder().iter().sum();
    acc.iter().sum::<f64>() + tail
}

/// [`plain_sum`] on `threads` OS threads, each over its own contiguous slab.
pub fn read_sum(xs: &[f64], threads: usize) -> f64 {
    let threads = threads.max(1);
    if threads == 1 {
        return plain_sum(xs);
    }
    let step = xs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let parts: Vec<_> = xs
            .chunks(step)
            .map(|slab| s.spawn(move || plain_sum(slab)))
            .collect();
        parts.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    })
}

/// Fills `out` with `value` on `threads` threads (a write stream into pages already mapped).
pub fn fill(out: &mut [f64], value: f64, threads: usize) {
    let step = out.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for slab in out.chunks_mut(step) {
            s.spawn(move || slab.fill(value));
        }
    });
}

/// Copies `src` into `dst` on `threads` threads (memcpy: one read and one write stream).
pub fn copy(dst: &mut [f64], src: &[f64], threads: usize) {
    let step = dst.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for (d, x) in dst.chunks_mut(step).zip(src.chunks(step)) {
            s.spawn(move || d.copy_from_slice(x));
        }
    });
}

/// Bandwidths in GB/s (10^9 bytes per second) of one machine, best of `repeats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bandwidth {
    /// Reading `n` float64 (a plain summing loop) on 1 and 2 threads.
    pub read_1: f64,
    pub read_2: f64,
    /// Writing into mapped pages, and copying (bytes read + bytes written, per second).
    pub write: f64,
    pub copy: f64,
    /// Writing into freshly allocated pages: the page faults and the kernel's zeroing included.
    pub fresh_write: f64,
}

fn best_of(repeats: usize, mut f: impl FnMut()) -> f64 {
    (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Measures [`Bandwidth`] over `n` float64 (a buffer of `8 n` bytes, allocated here).
pub fn measure(n: usize, repeats: usize) -> oxarray_core::OxResult<Bandwidth> {
    let mut a: Vec<f64> = oxarray_core::buffer::zeroed_vec(n)?;
    let mut b: Vec<f64> = oxarray_core::buffer::zeroed_vec(n)?;
    fill(&mut a, 1.0, 2);
    fill(&mut b, 2.0, 2);
    let bytes = (n * 8) as f64 / 1e9;
    let mut sink = 0.0;
    let read_1 = bytes / best_of(repeats, || sink += read_sum(&a, 1));
    let read_2 = bytes / best_of(repeats, || sink += read_sum(&a, 2));
    let write = bytes / best_of(repeats, || fill(&mut b, sink, 2));
    let copy = 2.0 * bytes / best_of(repeats, || copy(&mut b, &a, 2));
    drop(b);
    let fresh_write = bytes
        / best_of(repeats, || {
            // Empty the block pool first: it would hand back pages already mapped.
            oxarray_core::pool::POOL.release();
            if let Ok(mut v) = oxarray_core::buffer::zeroed_vec::<f64>(n) {
                fill(&mut v, 3.0, 2);
                sink += v[n / 2];
            }
        });
    std::hint::black_box(sink);
    Ok(Bandwidth {
        read_1,
        read_2,
        write,
        copy,
        fresh_write,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_loops_agree_with_iterators() {
        let xs: Vec<f64> = (0..1003).map(|i| i as f64).collect();
        let want: f64 = xs.iter().sum();
        assert_eq!(super::plain_sum(&xs), want);
        assert_eq!(super::read_sum(&xs, 3), want);
        let mut out = vec![0.0; 1003];
        super::copy(&mut out, &xs, 2);
        assert_eq!(out, xs);
        super::fill(&mut out, 2.0, 2);
        assert!(out.iter().all(|&x| x == 2.0));
        let b = super::measure(1 << 12, 1).unwrap();
        assert!(b.read_1 > 0.0 && b.fresh_write > 0.0);
    }
}
