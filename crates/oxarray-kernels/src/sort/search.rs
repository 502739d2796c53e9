//! `np.searchsorted` and a gather along an axis by lazy indices (`take_along_axis` when the
//! indices are themselves a lazy result: lexsort's permutations, weighted quantiles, topk values).
//!
//! The sorted 1-d `a` may be in several chunks: each search first finds the chunk by the chunks'
//! first elements (their boundaries), then binary-searches within that chunk only, so `a` is
//! never concatenated. The comparison is NumPy's sort order ([`NpOrd`]: NaN last, -0.0 == 0.0,
//! complex NaN classes), which is also what NumPy's searchsorted compares with.

use super::lanes::Lanes;
use super::order::NpOrd;
use super::{c_order, to_chunk};
use ndarray::ArrayD;
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_typed, Chunk, Element, OxError, OxResult};
use rayon::prelude::*;
use std::cmp::Ordering;

/// Elements per rayon job of a search (each search is a few cache misses).
const SEARCH_GRAIN: usize = 4096;

/// The position of `x` in the sorted run split into `parts` (with `offsets`): NumPy's
/// `searchsorted(a, x, side)`, `right` meaning after the elements equal to `x`.
#[inline]
fn search_one<T: NpOrd>(parts: &[&[T]], offsets: &[usize], x: &T, right: bool) -> i64 {
    let before = |e: &T| {
        let o = e.np_cmp(x);
        o == Ordering::Less || (right && o == Ordering::Equal)
    };
    // Chunks whose first element goes before `x`: every element of the earlier ones does too,
    // none of the later ones does, so the answer lies in the last such chunk.
    let c = parts.partition_point(|p| before(&p[0]));
    if c == 0 {
        return 0;
    }
    (offsets[c - 1] + parts[c - 1].partition_point(before)) as i64
}

/// Below these sizes each value is searched on its own; above, the values are searched in
/// sorted order (see [`searchsorted_slices`]).
const SORTED_MIN_VALUES: usize = 256;
const SORTED_MIN_RUN: usize = 1 << 14;

/// `searchsorted` of every element of `v` in the sorted run `parts` (non-empty slices in order).
///
/// A binary search of a large `a` is a cache miss per level. When there are many values, they
/// are searched in their own sorted order instead: the answers then only grow, so each search
/// gallops forward from the previous answer through memory that is mostly already cached (the
/// values are sorted once, O(m log m), against m x log n misses).
pub fn searchsorted_slices<T: NpOrd>(parts: &[&[T]], v: &[T], right: bool) -> OxResult<Vec<i64>> {
    let parts: Vec<&[T]> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    let mut offsets = Vec::with_capacity(parts.len());
    let mut total = 0;
    for p in &parts {
        offsets.push(total);
        total += p.len();
    }
    let mut out: Vec<i64> = zeroed_vec(v.len())?;
    if v.len() >= SORTED_MIN_VALUES && total >= SORTED_MIN_RUN {
        let run = Run {
            parts: &parts,
            offsets: &offsets,
            total,
        };
        search_sorted_order(&run, v, right, &mut out)?;
        return Ok(out);
    }
    out.par_chunks_mut(SEARCH_GRAIN)
        .zip(v.par_chunks(SEARCH_GRAIN))
        .for_each(|(o, xs)| {
            for (d, x) in o.iter_mut().zip(xs) {
                *d = search_one(&parts, &offsets, x, right);
            }
        });
    Ok(out)
}

/// A sorted run in chunks, addressed by global position.
struct Run<'a, T> {
    parts: &'a [&'a [T]],
    offsets: &'a [usize],
    total: usize,
}

impl<T: NpOrd> Run<'_, T> {
    #[inline]
    fn at(&self, pos: usize) -> &T {
        let c = self.offsets.partition_point(|&o| o <= pos) - 1;
        &self.parts[c][pos - self.offsets[c]]
    }

    /// The answer for `x` (whose answer is known to be at least `lo`): gallop forward from `lo`
    /// to bracket it, then binary-search the bracket.
    fn search_from(&self, x: &T, right: bool, mut lo: usize) -> usize {
        let before = |e: &T| {
            let o = e.np_cmp(x);
            o == Ordering::Less || (right && o == Ordering::Equal)
        };
        let mut step = 1;
        let mut hi;
        loop {
            hi = lo + step - 1;
            if hi >= self.total {
                hi = self.total;
                break;
            }
            if !before(self.at(hi)) {
                break;
            }
            lo = hi + 1;
            step *= 2;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.at(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// Values per rayon job of the sorted-order search (each starts with a full search).
const ORDER_GRAIN: usize = 1 << 13;

fn search_sorted_order<T: NpOrd>(
    run: &Run<'_, T>,
    v: &[T],
    right: bool,
    out: &mut [i64],
) -> OxResult<()> {
    let mut order: Vec<i64> = zeroed_vec(v.len())?;
    for (i, o) in order.iter_mut().enumerate() {
        *o = i as i64;
    }
    order.par_sort_unstable_by(|&a, &b| v[a as usize].np_cmp(&v[b as usize]).then(a.cmp(&b)));
    let mut found: Vec<i64> = zeroed_vec(v.len())?;
    found
        .par_chunks_mut(ORDER_GRAIN)
        .zip(order.par_chunks(ORDER_GRAIN))
        .for_each(|(f, idx)| {
            let mut lo = 0;
            for (d, &i) in f.iter_mut().zip(idx) {
                lo = run.search_from(&v[i as usize], right, lo);
                *d = lo as i64;
            }
        });
    for (&i, &p) in order.iter().zip(&found) {
        out[i as usize] = p;
    }
    Ok(())
}

fn typed<'a, T: Element>(c: &'a Chunk, what: &str) -> OxResult<std::borrow::Cow<'a, [T]>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    c.as_array::<T>()
        .map(|a| c_order(a))
        .ok_or_else(|| OxError::Internal(format!("{what}: blocks of mixed dtypes")))
}

/// `np.searchsorted(a, v, side)`: `a_chunks` are the chunks of the sorted 1-d `a` in order, `v`
/// one block of the values (same dtype); an int64 block of `v`'s shape.
pub fn searchsorted_chunk(a_chunks: &[&Chunk], v: &Chunk, right: bool) -> OxResult<Chunk> {
    dispatch_typed!(Chunk, v, va => {
        let parts = a_chunks
            .iter()
            .map(|c| typed(c, "searchsorted"))
            .collect::<OxResult<Vec<_>>>()?;
        let slices: Vec<&[_]> = parts.iter().map(|p| &**p).collect();
        let out = searchsorted_slices(&slices, &c_order(va), right)?;
        to_chunk::<i64>(va.shape(), out)
    })
}

/// `take_along_axis(x, idx, axis)` for one output block: `x_blocks` are the blocks of `x` along
/// `axis` (in order, the same extent on every other axis as `idx`), `idx` an int64 block of
/// positions along the whole axis (negative ones count from the end). An index out of bounds
/// is NumPy's `IndexError`.
pub fn take_along_chunk(x_blocks: &[&Chunk], idx: &Chunk, axis: usize) -> OxResult<Chunk> {
    let first = x_blocks
        .first()
        .ok_or_else(|| OxError::Internal("take_along: no blocks".into()))?;
    if axis >= idx.shape().len() {
        return Err(OxError::Internal("take_along: axis".into()));
    }
    let ia = idx
        .as_array::<i64>()
        .ok_or_else(|| OxError::Internal("take_along: int64 indices".into()))?;
    let ix = c_order(ia);
    let out_lanes = Lanes::of(idx.shape(), axis);
    let lanes: Vec<Lanes> = x_blocks
        .iter()
        .map(|b| Lanes::of(b.shape(), axis))
        .collect();
    let mut bounds = vec![0usize];
    for l in &lanes {
        if l.outer != out_lanes.outer || l.inner != out_lanes.inner {
            return Err(OxError::Internal(
                "take_along: blocks do not line up".into(),
            ));
        }
        bounds.push(bounds[bounds.len() - 1] + l.n);
    }
    let n = bounds[bounds.len() - 1];
    let plan = GatherPlan {
        lanes: &lanes,
        bounds: &bounds,
        ix: &ix,
        out: out_lanes,
        n,
        axis,
    };
    dispatch_typed!(Chunk, *first, w => take_along_typed(w, x_blocks, &plan, idx.shape()))
}

struct GatherPlan<'a> {
    lanes: &'a [Lanes],
    bounds: &'a [usize],
    ix: &'a [i64],
    out: Lanes,
    n: usize,
    axis: usize,
}

fn take_along_typed<T: Element>(
    _witness: &ArrayD<T>,
    x_blocks: &[&Chunk],
    plan: &GatherPlan<'_>,
    shape: &[usize],
) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let parts = x_blocks
        .iter()
        .map(|c| typed::<T>(c, "take_along"))
        .collect::<OxResult<Vec<_>>>()?;
    to_chunk(shape, gather(&parts, plan)?)
}

fn gather<T: Element>(
    parts: &[std::borrow::Cow<'_, [T]>],
    plan: &GatherPlan<'_>,
) -> OxResult<Vec<T>> {
    let GatherPlan {
        lanes,
        bounds,
        ix,
        out,
        n,
        axis,
    } = *plan;
    let mut v: Vec<T> = zeroed_vec(ix.len())?;
    let bad = std::sync::atomic::AtomicI64::new(i64::MIN);
    v.par_chunks_mut(SEARCH_GRAIN)
        .enumerate()
        .for_each(|(g, dst)| {
            for (j, d) in dst.iter_mut().enumerate() {
                let p = g * SEARCH_GRAIN + j;
                let t = ix[p];
                let u = if t < 0 { t + n as i64 } else { t };
                if u < 0 || u >= n as i64 {
                    bad.store(t, std::sync::atomic::Ordering::Relaxed);
                    continue;
                }
                let u = u as usize;
                // Element p of the output is (o, ., c) of the lanes; its source chunk by bounds.
                let (o, c) = (p / (out.n * out.inner), p % out.inner);
                let b = bounds.partition_point(|&s| s <= u) - 1;
                let l = o * out.inner + c;
                *d = parts[b][lanes[b].at(l, u - bounds[b])];
            }
        });
    let t = bad.load(std::sync::atomic::Ordering::Relaxed);
    if t != i64::MIN {
        return Err(OxError::Index(format!(
            "index {t} is out of bounds for axis {axis} with size {n}"
        )));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_across_chunks_matches_one_run() {
        let a = [1.0, 2.0, 2.0, 2.0, 3.0, f64::NAN, f64::NAN];
        let v = [0.0, 2.0, 2.5, 3.0, 9.0, f64::NAN, -0.0];
        for right in [false, true] {
            let whole = searchsorted_slices(&[&a[..]], &v, right).unwrap();
            for cut in 1..a.len() {
                let parts = [&a[..cut], &a[cut..]];
                assert_eq!(searchsorted_slices(&parts, &v, right).unwrap(), whole);
            }
            let want: Vec<i64> = if right {
                vec![0, 4, 4, 5, 5, 7, 0]
            } else {
                vec![0, 1, 4, 4, 5, 5, 0]
            };
            assert_eq!(whole, want);
        }
    }

    #[test]
    fn sorted_order_search_matches_one_by_one() {
        // Many values and a long run take the galloping path; compare with search_one.
        let a: Vec<f64> = (0..40_000).map(|i| ((i / 3) as f64) - 5000.0).collect();
        let mut v: Vec<f64> = (0..3000)
            .map(|i| ((i * 7919) % 14_000) as f64 - 6000.5)
            .collect();
        v.extend([f64::NAN, -0.0, 0.0, 1e9, -1e9, 8.0, 8.0]);
        for right in [false, true] {
            let got = searchsorted_slices(&[&a[..17_000], &a[17_000..]], &v, right).unwrap();
            let offsets = [0];
            for (x, g) in v.iter().zip(&got) {
                assert_eq!(*g, search_one(&[&a[..]], &offsets, x, right));
            }
        }
    }

    #[test]
    fn gather_across_chunks() {
        let x = Chunk::from_array(ndarray::arr2(&[[1i32, 2], [3, 4]]).into_dyn());
        let y = Chunk::from_array(ndarray::arr2(&[[5i32], [6]]).into_dyn());
        let idx = Chunk::from_array(ndarray::arr2(&[[2i64, 0, -1], [1, 2, 0]]).into_dyn());
        let out = take_along_chunk(&[&x, &y], &idx, 1).unwrap();
        let a = out.as_array::<i32>().unwrap();
        assert_eq!(
            a.iter().copied().collect::<Vec<_>>(),
            vec![5, 1, 5, 4, 6, 3]
        );
        let bad = Chunk::from_array(ndarray::arr2(&[[3i64], [0]]).into_dyn());
        assert!(matches!(
            take_along_chunk(&[&x, &y], &bad, 1),
            Err(OxError::Index(_))
        ));
    }
}
