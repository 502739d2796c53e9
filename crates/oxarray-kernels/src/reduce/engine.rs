//! The one loop nest every per-chunk reduction runs through. A [`Reducer`] says what to do with
//! one element; [`reduce_axes`] walks a standard-layout chunk in memory order so every access is
//! contiguous: adjacent axes of the same kind (reduced / kept) are merged, a reduced innermost run
//! is folded as a slice (pairwise sums, early exits), a kept innermost run is streamed into a row of
//! accumulators (e.g. `axis=0` of a 2-d chunk never walks a column with stride). Large chunks are
//! split along the outermost merged axis across rayon's threads.

use ndarray::{ArrayD, IxDyn};
use oxarray_core::{fpflags, OxError, OxResult};
use std::sync::atomic::{AtomicU8, Ordering};

/// Chunks with at least this many elements are reduced on several threads.
const PARALLEL_MIN_LEN: usize = 1 << 20;
/// A parallel reduction is cut into slabs of at most this many bytes (Ctrl-C is checked per slab).
const CANCEL_SLAB_BYTES: usize = 8 << 20;

/// What one reduction does per output position.
pub(crate) trait Reducer<T: Copy + Sync>: Sync {
    type Acc: Copy + Send + Sync;
    /// The starting accumulator of output position `out` (C-order over the kept axes).
    fn init(&self, out: usize) -> Self::Acc;
    /// Adds element `x`, whose C-order flat index over the chunk's reduced axes is `idx`.
    fn push(&self, acc: &mut Self::Acc, x: T, idx: usize);
    /// Merges the accumulator of a disjoint set of elements into `into`.
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc);
    /// Adds a contiguous run of elements whose flat reduced indices are `first..first + xs.len()`.
    fn fold_run(&self, acc: &mut Self::Acc, xs: &[T], first: usize) {
        for (k, &x) in xs.iter().enumerate() {
            self.push(acc, x, first + k);
        }
    }
}

/// Reduces `x` over `axes` (sorted, unique, in range); the result keeps reduced axes as length 1.
pub(crate) fn reduce_axes<T, R>(x: &ArrayD<T>, axes: &[usize], r: &R) -> OxResult<ArrayD<R::Acc>>
where
    T: Copy + Sync,
    R: Reducer<T>,
{
    let shape = x.shape();
    let out_shape: Vec<usize> = shape
        .iter()
        .enumerate()
        .map(|(d, &n)| if axes.contains(&d) { 1 } else { n })
        .collect();
    let out_len: usize = out_shape.iter().product();
    let mut acc: Vec<R::Acc> = (0..out_len).map(|i| r.init(i)).collect();
    let x = x.as_standard_layout();
    let data = x
        .as_slice()
        .ok_or_else(|| OxError::Internal("reduce: chunk not contiguous".into()))?;
    if !data.is_empty() {
        let dims = merged_dims(shape, axes);
        if dims.is_empty() {
            // Every axis has length 1: one element, one output.
            r.push(&mut acc[0], data[0], 0);
        } else {
            run(r, &dims, data, &mut acc);
            // Slabs skipped after Ctrl-C leave the accumulators partial: never return them.
            oxarray_core::cancel::CancelFlag::current().check()?;
        }
    }
    ArrayD::from_shape_vec(IxDyn(&out_shape), acc)
        .map_err(|e| OxError::Internal(format!("reduce: {e}")))
}

/// Runs `f` on a helper thread, adding the floating-point flags it raised to `raised`.
fn flags_of(raised: &AtomicU8, f: impl FnOnce()) {
    fpflags::clear();
    f();
    raised.fetch_or(fpflags::test(), Ordering::Relaxed);
}

/// Sets this thread's flags to `before` plus those the jobs of a walk raised (see `run`).
fn restore_flags(before: u8, raised: &AtomicU8) {
    fpflags::clear();
    fpflags::raise(before | raised.load(Ordering::Relaxed));
}

/// Axis extents with length-1 axes dropped and adjacent axes of the same kind merged;
/// `true` marks a reduced run.
fn merged_dims(shape: &[usize], axes: &[usize]) -> Vec<(usize, bool)> {
    let mut dims: Vec<(usize, bool)> = Vec::with_capacity(shape.len());
    for (d, &n) in shape.iter().enumerate() {
        if n == 1 {
            continue;
        }
        let reduced = axes.contains(&d);
        match dims.last_mut() {
            Some((m, k)) if *k == reduced => *m *= n,
            _ => dims.push((n, reduced)),
        }
    }
    dims
}

/// Runs the walk over the outermost merged axis, on several threads when the chunk is large.
fn run<T: Copy + Sync, R: Reducer<T>>(
    r: &R,
    dims: &[(usize, bool)],
    data: &[T],
    acc: &mut [R::Acc],
) {
    let (d0, reduced0) = dims[0];
    let threads = rayon::current_num_threads();
    if data.len() < PARALLEL_MIN_LEN || threads < 2 || d0 < 2 {
        walk_range(r, dims, data, acc, 0, d0, 0);
        return;
    }
    // Small slabs (at most a few MiB each) so that Ctrl-C is seen within milliseconds.
    let slabs_for_cancel = std::mem::size_of_val(data).div_ceil(CANCEL_SLAB_BYTES);
    let tasks = (4 * threads).max(slabs_for_cancel).min(d0);
    let step = d0.div_ceil(tasks);
    let cancel = oxarray_core::cancel::CancelFlag::current();
    // Floating-point flags raised by this walk's jobs, wherever they ran, handed back to this
    // thread at the end (the caller checks np.errstate on its own thread's flags). While it
    // waits, this thread may run other tasks' jobs: their flags are not this walk's, so the
    // thread's flags are reset to what they were plus the walk's own.
    let before = fpflags::test();
    let raised = &AtomicU8::new(0);
    // `rayon::scope` rather than parallel iterators: one small spawned job per task keeps the
    // generated code per (dtype, op) instantiation small.
    if !reduced0 {
        // Disjoint outputs per task: split the accumulators along with the data.
        let out_stride = acc.len() / d0;
        rayon::scope(|s| {
            for (t, part) in acc.chunks_mut(step * out_stride).enumerate() {
                let lo = t * step;
                s.spawn(move |_| {
                    if !cancel.is_set() {
                        flags_of(raised, || {
                            walk_range(r, dims, data, part, lo, (lo + step).min(d0), lo)
                        })
                    }
                });
            }
        });
        restore_flags(before, raised);
    } else if acc.len() * tasks <= data.len() {
        // Each task folds a slab of the reduced axis into its own accumulators; merge in order.
        let mut locals: Vec<Vec<R::Acc>> = (0..tasks)
            .map(|_| (0..acc.len()).map(|i| r.init(i)).collect())
            .collect();
        rayon::scope(|s| {
            for (t, local) in locals.iter_mut().enumerate() {
                let lo = (t * step).min(d0);
                s.spawn(move |_| {
                    if !cancel.is_set() {
                        flags_of(raised, || {
                            walk_range(r, dims, data, local, lo, (lo + step).min(d0), 0)
                        })
                    }
                });
            }
        });
        restore_flags(before, raised);
        for local in locals {
            for (a, b) in acc.iter_mut().zip(local) {
                r.merge(a, b);
            }
        }
    } else {
        walk_range(r, dims, data, acc, 0, d0, 0);
    }
}

/// Walks outermost indices `lo..hi`; `acc[0]` is output position `out_off * inner_outputs`.
fn walk_range<T: Copy + Sync, R: Reducer<T>>(
    r: &R,
    dims: &[(usize, bool)],
    data: &[T],
    acc: &mut [R::Acc],
    lo: usize,
    hi: usize,
    out_off: usize,
) {
    let (_, reduced) = dims[0];
    let inner: usize = dims[1..].iter().map(|d| d.0).product();
    if dims.len() == 1 {
        if reduced {
            r.fold_run(&mut acc[0], &data[lo..hi], lo);
        } else {
            push_leaf(r, &mut acc[lo - out_off..hi - out_off], &data[lo..hi], 0);
        }
        return;
    }
    for i in lo..hi {
        let sub = &data[i * inner..(i + 1) * inner];
        if reduced {
            walk(r, &dims[1..], sub, acc, 0, i);
        } else {
            walk(r, &dims[1..], sub, acc, i - out_off, 0);
        }
    }
}

/// Recursive walk below the outermost axis; `out_base`/`red_base` are the mixed-radix prefixes
/// of the output position and of the reduced flat index.
fn walk<T: Copy + Sync, R: Reducer<T>>(
    r: &R,
    dims: &[(usize, bool)],
    data: &[T],
    acc: &mut [R::Acc],
    out_base: usize,
    red_base: usize,
) {
    let (d, reduced) = dims[0];
    if dims.len() == 1 {
        if reduced {
            r.fold_run(&mut acc[out_base], data, red_base * d);
        } else {
            push_leaf(
                r,
                &mut acc[out_base * d..(out_base + 1) * d],
                data,
                red_base,
            );
        }
        return;
    }
    let inner = data.len() / d;
    for (i, sub) in data.chunks_exact(inner).enumerate() {
        if reduced {
            walk(r, &dims[1..], sub, acc, out_base, red_base * d + i);
        } else {
            walk(r, &dims[1..], sub, acc, out_base * d + i, red_base);
        }
    }
}

// The loops where every element is touched run from a copy compiled with AVX2 where the CPU has
// it, like the elementwise loops: a kept run pushed into a row of accumulators (`axis=0` of a 2-d
// chunk) here, and the pairwise fold of a reduced run below. The arithmetic and its order are the
// same, so are the results.

#[inline(always)]
fn push_run<T: Copy + Sync, R: Reducer<T>>(r: &R, acc: &mut [R::Acc], xs: &[T], idx: usize) {
    for (a, &x) in acc.iter_mut().zip(xs) {
        r.push(a, x, idx);
    }
}

/// `r.push(acc[k], xs[k], idx)` for every `k`, from its AVX2 copy where the CPU has AVX2.
fn push_leaf<T: Copy + Sync, R: Reducer<T>>(r: &R, acc: &mut [R::Acc], xs: &[T], idx: usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::elementwise::wide_loops() {
        // SAFETY: the CPU has every feature the copy is compiled with (checked above).
        return unsafe { push_leaf_wide(r, acc, xs, idx) };
    }
    push_run(r, acc, xs, idx)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn push_leaf_wide<T: Copy + Sync, R: Reducer<T>>(
    r: &R,
    acc: &mut [R::Acc],
    xs: &[T],
    idx: usize,
) {
    push_run(r, acc, xs, idx)
}

/// Pairwise reduction of `f(x)` over a slice with `op` (NumPy's scheme: 8 interleaved
/// accumulators over blocks of 128, halving above that), so float sums have O(log n) error growth
/// and the inner loop vectorizes.
#[inline]
pub(crate) fn pairwise<T: Copy, A: Copy>(
    xs: &[T],
    id: A,
    f: &impl Fn(T) -> A,
    op: &impl Fn(A, A) -> A,
) -> A {
    #[cfg(target_arch = "x86_64")]
    if crate::elementwise::wide_loops() {
        // SAFETY: the CPU has every feature the copy is compiled with (checked above).
        return unsafe { pairwise_wide(xs, id, f, op) };
    }
    pairwise_plain(xs, id, f, op)
}

/// Up to [`PAIRWISE_BLOCK`] elements into 8 interleaved accumulators, then added as a tree.
const PAIRWISE_BLOCK: usize = 128;

#[inline(always)]
fn pairwise_block<T: Copy, A: Copy>(
    xs: &[T],
    id: A,
    f: &impl Fn(T) -> A,
    op: &impl Fn(A, A) -> A,
) -> A {
    if xs.len() < 8 {
        return xs.iter().fold(id, |r, &x| op(r, f(x)));
    }
    let mut l = [id; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            l[k] = op(l[k], f(c[k]));
        }
    }
    let r = op(
        op(op(l[0], l[1]), op(l[2], l[3])),
        op(op(l[4], l[5]), op(l[6], l[7])),
    );
    chunks.remainder().iter().fold(r, |r, &x| op(r, f(x)))
}

/// Where a run longer than a block splits: its middle, rounded down to a multiple of 8.
fn pairwise_mid(len: usize) -> usize {
    (len / 2) & !7
}

fn pairwise_plain<T: Copy, A: Copy>(
    xs: &[T],
    id: A,
    f: &impl Fn(T) -> A,
    op: &impl Fn(A, A) -> A,
) -> A {
    if xs.len() <= PAIRWISE_BLOCK {
        return pairwise_block(xs, id, f, op);
    }
    let (left, right) = xs.split_at(pairwise_mid(xs.len()));
    op(
        pairwise_plain(left, id, f, op),
        pairwise_plain(right, id, f, op),
    )
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn pairwise_wide<T: Copy, A: Copy>(
    xs: &[T],
    id: A,
    f: &impl Fn(T) -> A,
    op: &impl Fn(A, A) -> A,
) -> A {
    if xs.len() <= PAIRWISE_BLOCK {
        return pairwise_block(xs, id, f, op);
    }
    let (left, right) = xs.split_at(pairwise_mid(xs.len()));
    // SAFETY: the caller checked the CPU's features; the recursion keeps them.
    unsafe {
        op(
            pairwise_wide(left, id, f, op),
            pairwise_wide(right, id, f, op),
        )
    }
}
