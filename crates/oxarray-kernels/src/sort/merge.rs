//! Sorting along a chunked axis without gathering the axis into one chunk: each chunk is sorted
//! on its own ([`super::local`]), then every output chunk takes its exact ranks from all of them.
//!
//! The output keeps the input's chunking: output chunk `j` holds the elements of global rank
//! `[b_j, b_{j+1})` of each lane, where the `b_j` are the input's chunk bounds. [`split`] finds,
//! for each lane and bound, how many elements of each sorted chunk rank below it (an exact
//! multi-sequence selection, O(k log n log N) comparisons per bound); [`merge`] gathers those
//! ranges from every chunk and merges them. Equal values are ordered by chunk, then position,
//! which is their index order: the sort is stable across chunks too.

use super::lanes::{fill_lanes, fill_lanes2, Lanes};
use super::order::{compare, NpOrd};
use super::simd;
use oxarray_core::{OxError, OxResult};
use rayon::prelude::*;
use std::borrow::Cow;
use std::cmp::Ordering;

/// One sorted lane of one chunk: element `t` is `data[base + t * stride]`.
#[derive(Clone, Copy)]
pub(crate) struct Run<'a, T> {
    data: &'a [T],
    base: usize,
    stride: usize,
    pub(crate) len: usize,
}

impl<'a, T: Copy> Run<'a, T> {
    pub(crate) fn new(data: &'a [T], base: usize, stride: usize, len: usize) -> Self {
        Run {
            data,
            base,
            stride,
            len,
        }
    }
    #[inline(always)]
    fn get(&self, t: usize) -> T {
        self.data[self.base + t * self.stride]
    }
    /// Number of leading elements for which `pred` holds (`pred` is monotone true -> false).
    pub(crate) fn count(&self, pred: impl Fn(&T) -> bool) -> usize {
        self.count_in(0, self.len, pred)
    }
    /// That number clamped to `[lo, hi]` (only `[lo, hi)` is searched).
    pub(crate) fn count_in(
        &self,
        mut lo: usize,
        mut hi: usize,
        pred: impl Fn(&T) -> bool,
    ) -> usize {
        while lo < hi {
            let mid = (lo + hi) / 2;
            if pred(&self.get(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

fn runs<'a, T: Copy>(blocks: &[&'a [T]], lanes: &[Lanes], l: usize) -> Vec<Run<'a, T>> {
    blocks
        .iter()
        .zip(lanes)
        .map(|(d, ln)| Run {
            data: d,
            base: ln.at(l, 0),
            stride: ln.inner,
            len: ln.n,
        })
        .collect()
}

/// For sorted runs, the cut positions `c` (one per run, summing to `r`) such that the elements
/// before the cuts are the `r` smallest, ties broken by run then position.
fn co_ranks<T: NpOrd>(rs: &[Run<'_, T>], r: usize, descending: bool) -> Vec<usize> {
    let k = rs.len();
    let mut lo = vec![0usize; k];
    let mut hi: Vec<usize> = rs.iter().map(|x| x.len).collect();
    loop {
        if lo.iter().sum::<usize>() == r {
            return lo;
        }
        if hi.iter().sum::<usize>() == r {
            return hi;
        }
        // Pivot: the weighted median of the windows' middle elements; every round removes a
        // fixed fraction of what is left in the windows.
        let mut cands: Vec<(usize, usize, usize)> = (0..k)
            .filter(|&i| lo[i] < hi[i])
            .map(|i| (i, (lo[i] + hi[i]) / 2, hi[i] - lo[i]))
            .collect();
        cands.sort_by(|a, b| {
            compare(&rs[a.0].get(a.1), &rs[b.0].get(b.1), descending).then(a.0.cmp(&b.0))
        });
        let total: usize = cands.iter().map(|c| c.2).sum();
        let mut acc = 0;
        let mut pick = cands[0];
        for c in &cands {
            acc += c.2;
            pick = *c;
            if 2 * acc >= total {
                break;
            }
        }
        let (s, p, _) = pick;
        let pv = rs[s].get(p);
        // How many elements of each run come before the pivot (value, run s, position p).
        // Counted inside the windows only (clamped to them): when the pivot ranks below `r`
        // every true count is at most its cut, so the clamped ones are too (and `lo` stays a
        // lower bound); when it ranks at or above `r` they are all at least their cut. So the
        // clamped sum decides as the true one would, and equals `r` only at the cuts. The
        // windows shrink every round, so the searches touch few cache lines.
        let cnt: Vec<usize> = (0..k)
            .map(|i| match i.cmp(&s) {
                Ordering::Less => rs[i].count_in(lo[i], hi[i], |e| {
                    compare(e, &pv, descending) != Ordering::Greater
                }),
                Ordering::Greater => rs[i].count_in(lo[i], hi[i], |e| {
                    compare(e, &pv, descending) == Ordering::Less
                }),
                Ordering::Equal => p,
            })
            .collect();
        let below: usize = cnt.iter().sum();
        match below.cmp(&r) {
            Ordering::Equal => return cnt,
            Ordering::Less => {
                for i in 0..k {
                    lo[i] = lo[i].max(cnt[i]);
                }
                lo[s] = lo[s].max(p + 1);
            }
            Ordering::Greater => {
                for i in 0..k {
                    hi[i] = hi[i].min(cnt[i]);
                }
            }
        }
    }
}

/// The element of rank `r` (< the runs' total length) of sorted runs, in NumPy's order.
pub(crate) fn co_ranks_at<T: NpOrd>(rs: &[Run<'_, T>], r: usize) -> T {
    let cuts = co_ranks(rs, r, false);
    rs.iter()
        .zip(cuts)
        .filter(|(run, c)| *c < run.len)
        .map(|(run, c)| run.get(c))
        .min_by(|a, b| a.np_cmp(b))
        .unwrap_or_default()
}

/// The cuts of every lane at every bound: `out[(l * (k + 1) + j) * k + i]` is how many elements
/// of lane `l` of sorted block `i` rank below `bounds[j]` (`bounds` = `[0, b_1, ..., N]`).
pub fn split<T: NpOrd>(
    blocks: &[&[T]],
    lanes: &[Lanes],
    bounds: &[usize],
    descending: bool,
) -> OxResult<Vec<i64>> {
    let k = blocks.len();
    if lanes.len() != k || bounds.len() != k + 1 {
        return Err(OxError::Internal(
            "sort split: blocks and bounds disagree".into(),
        ));
    }
    let count = lanes.first().map_or(0, |l| l.count());
    fill_lanes(count, 1, (k + 1) * k, |l, out: &mut [i64]| {
        let rs = runs(blocks, lanes, l);
        for (j, &b) in bounds.iter().enumerate() {
            let cuts = co_ranks(&rs, b, descending);
            for (o, c) in out[j * k..(j + 1) * k].iter_mut().zip(cuts) {
                *o = c as i64;
            }
        }
    })
}

/// For lane `l` of output chunk `j`: the `(block, first, end)` ranges it takes from each sorted
/// block, in block order.
fn ranges(
    cuts: &[i64],
    k: usize,
    j: usize,
    l: usize,
) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let at = move |jj: usize, i: usize| cuts[(l * (k + 1) + jj) * k + i] as usize;
    (0..k).map(move |i| (i, at(j, i), at(j + 1, i)))
}

/// The slice `[a, b)` of a sorted lane, borrowed when the lane is contiguous.
fn run_slice<'a, T: Copy>(r: &Run<'a, T>, a: usize, b: usize) -> Cow<'a, [T]> {
    if r.stride == 1 {
        Cow::Borrowed(&r.data[r.base + a..r.base + b])
    } else {
        Cow::Owned((a..b).map(|t| r.get(t)).collect())
    }
}

/// Stable two-way merge of sorted `a` and `b` into `out` (`a.len() + b.len()` long): an element
/// of `b` goes first only when strictly less, so ties keep `a` (the earlier run) first. The
/// loop has no data-dependent branch (the choice is a select), which is what makes it fast on
/// random data.
#[inline]
fn merge2<E: Copy>(a: &[E], b: &[E], out: &mut [E], less: &impl Fn(&E, &E) -> bool) {
    let (na, nb) = (a.len(), b.len());
    assert_eq!(out.len(), na + nb, "merge2: output length");
    let (mut i, mut j, mut o) = (0, 0, 0);
    let (pa, pb, po) = (a.as_ptr(), b.as_ptr(), out.as_mut_ptr());
    while i < na && j < nb {
        // SAFETY: i < na, j < nb, and o = i + j < na + nb = out.len().
        unsafe {
            let (x, y) = (*pa.add(i), *pb.add(j));
            let take_b = less(&y, &x);
            // A select, not a branch: on random data the branch mispredicts half the time.
            *po.add(o) = std::hint::select_unpredictable(take_b, y, x);
            j += take_b as usize;
            i += (!take_b) as usize;
        }
        o += 1;
    }
    out[o..o + na - i].copy_from_slice(&a[i..]);
    o += na - i;
    out[o..].copy_from_slice(&b[j..]);
}

/// Stable k-way merge of sorted `runs` into `out` (their total length) by a balanced tree of
/// two-way merges, ping-ponging between `out` and one scratch buffer so the last level lands in
/// `out`: ceil(log2 k) streaming passes, ties in run order.
fn merge_tree<E: Copy>(
    runs: &[&[E]],
    out: &mut [E],
    scratch: &mut Vec<E>,
    less: &impl Fn(&E, &E) -> bool,
) {
    let runs: Vec<&[E]> = runs.iter().copied().filter(|r| !r.is_empty()).collect();
    match runs.len() {
        0 => return,
        1 => return out.copy_from_slice(runs[0]),
        _ => {}
    }
    let levels = usize::BITS - (runs.len() - 1).leading_zeros();
    scratch.clear();
    scratch.extend_from_slice(out);
    let (mut dst, mut src): (&mut [E], &mut [E]) = if levels % 2 == 1 {
        (out, &mut scratch[..])
    } else {
        (&mut scratch[..], out)
    };
    // Level 1 reads the runs themselves; later levels read the previous level's buffer.
    let mut bounds = Vec::with_capacity(runs.len().div_ceil(2));
    let mut o = 0;
    for pair in runs.chunks(2) {
        let len: usize = pair.iter().map(|r| r.len()).sum();
        match pair {
            [a, b] => merge2(a, b, &mut dst[o..o + len], less),
            [a] => dst[o..o + len].copy_from_slice(a),
            _ => {}
        }
        bounds.push((o, o + len));
        o += len;
    }
    while bounds.len() > 1 {
        std::mem::swap(&mut dst, &mut src);
        let mut next = Vec::with_capacity(bounds.len().div_ceil(2));
        for pair in bounds.chunks(2) {
            match pair {
                [(s, m), (_, e)] => merge2(&src[*s..*m], &src[*m..*e], &mut dst[*s..*e], less),
                [(s, e)] => dst[*s..*e].copy_from_slice(&src[*s..*e]),
                _ => {}
            }
            next.push((pair[0].0, pair[pair.len() - 1].1));
        }
        bounds = next;
    }
}

/// `less` for values: NumPy's order, branch-free for floats and integers ([`NpOrd::np_less`]).
#[inline(always)]
fn value_less<T: NpOrd>(a: &T, b: &T, descending: bool) -> bool {
    if descending {
        b.np_less(a)
    } else {
        a.np_less(b)
    }
}

/// Values of output chunk `j` (lane structure `out`): each lane k-way merges the ranges it takes
/// from every sorted block (ties in block order, i.e. index order: the sort stays stable).
pub fn merge<T: NpOrd>(
    blocks: &[&[T]],
    lanes: &[Lanes],
    cuts: &[i64],
    j: usize,
    out: Lanes,
    descending: bool,
) -> OxResult<Vec<T>> {
    let k = blocks.len();
    fill_lanes(out.outer, out.inner, out.n, |l, dst: &mut [T]| {
        let rs = runs(blocks, lanes, l);
        let parts: Vec<Cow<'_, [T]>> = ranges(cuts, k, j, l)
            .map(|(i, a, b)| run_slice(&rs[i], a, b))
            .collect();
        let slices: Vec<&[T]> = parts.iter().map(|p| &**p).collect();
        if slices.iter().map(|s| s.len()).sum::<usize>() != dst.len() {
            return; // unreachable for cuts made by `split`; the lane stays zeroed
        }
        merge_blocked(&slices, dst, descending);
    })
}

/// Outputs per block of [`merge_blocked`] (256 KiB of f64: a block's merge tree ping-pongs in L2).
const MERGE_BLOCK: usize = 1 << 15;

/// Stable k-way merge of sorted `slices` into `dst` (their total length), cut into blocks of
/// `MERGE_BLOCK` outputs at exact co-ranks: each block's merge tree then runs in cache, so the
/// data crosses DRAM once each way instead of once per tree level, and the blocks run in
/// parallel. The co-ranks break ties by run, as the tree does, so the result is the same.
fn merge_blocked<T: NpOrd>(slices: &[&[T]], dst: &mut [T], descending: bool) {
    let m = dst.len();
    if m <= 2 * MERGE_BLOCK || slices.len() <= 1 {
        return merge_block(slices, dst, &mut Default::default(), descending);
    }
    let rs: Vec<Run<'_, T>> = slices.iter().map(|s| Run::new(s, 0, 1, s.len())).collect();
    let cuts: Vec<Vec<usize>> = (0..=m.div_ceil(MERGE_BLOCK))
        .into_par_iter()
        .map(|b| co_ranks(&rs, (b * MERGE_BLOCK).min(m), descending))
        .collect();
    dst.par_chunks_mut(MERGE_BLOCK).enumerate().for_each_init(
        Default::default,
        |scratch, (b, out)| {
            let parts: Vec<&[T]> = slices
                .iter()
                .enumerate()
                .map(|(i, s)| &s[cuts[b][i]..cuts[b + 1][i]])
                .collect();
            merge_block(&parts, out, scratch, descending);
        },
    );
}

/// Scratch of [`merge_block`]: the values' merge tree's, and the key merge's.
type BlockScratch<T> = (Vec<T>, simd::MergeScratch);

/// Stable k-way merge of one block: on keys with AVX-512 where the CPU and the type allow
/// ([`simd::merge_into`]), else the branch-free merge tree on values.
fn merge_block<T: NpOrd>(
    parts: &[&[T]],
    out: &mut [T],
    scratch: &mut BlockScratch<T>,
    descending: bool,
) {
    if parts.iter().filter(|p| !p.is_empty()).count() > 1
        && simd::merge_into(parts, out, descending, &mut scratch.1)
    {
        return;
    }
    merge_tree(parts, out, &mut scratch.0, &|a: &T, b: &T| {
        value_less(a, b, descending)
    });
}

/// Values and indices of output chunk `j`: `idx_blocks` hold the (global) index of each sorted
/// value; the indices move with their values.
#[allow(clippy::too_many_arguments)]
pub fn merge_with_indices<T: NpOrd>(
    blocks: &[&[T]],
    idx_blocks: &[&[i64]],
    lanes: &[Lanes],
    cuts: &[i64],
    j: usize,
    out: Lanes,
    descending: bool,
) -> OxResult<(Vec<T>, Vec<i64>)> {
    let k = blocks.len();
    fill_lanes2(
        out.outer,
        out.inner,
        out.n,
        |l, dv: &mut [T], di: &mut [i64]| {
            let rs = runs(blocks, lanes, l);
            let parts: Vec<Vec<(T, i64)>> = ranges(cuts, k, j, l)
                .map(|(i, a, b)| {
                    (a..b)
                        .map(|t| (rs[i].get(t), idx_blocks[i][lanes[i].at(l, t)]))
                        .collect()
                })
                .collect();
            let slices: Vec<&[(T, i64)]> = parts.iter().map(|p| p.as_slice()).collect();
            let n: usize = slices.iter().map(|s| s.len()).sum();
            if n != dv.len() {
                return;
            }
            let mut merged = vec![(T::default(), 0i64); n];
            let mut scratch = Vec::new();
            merge_tree(&slices, &mut merged, &mut scratch, &|a, b| {
                value_less(&a.0, &b.0, descending)
            });
            for ((v, x), p) in dv.iter_mut().zip(di.iter_mut()).zip(merged) {
                *v = p.0;
                *x = p.1;
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_merge_matches_the_merge_tree() {
        let mut s = 9u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let sizes = [MERGE_BLOCK * 3 + 5, 0, 17, MERGE_BLOCK + 1, MERGE_BLOCK * 2];
        for descending in [false, true] {
            let runs: Vec<Vec<f64>> = sizes
                .iter()
                .map(|&n| {
                    let mut v: Vec<f64> = (0..n)
                        .map(|i| match i % 101 {
                            0 => f64::NAN,
                            1 => -0.0,
                            2 => f64::NEG_INFINITY,
                            _ => (next() % 5000) as f64 * 0.5 - 100.0,
                        })
                        .collect();
                    v.sort_by(|a, b| compare(a, b, descending));
                    v
                })
                .collect();
            let slices: Vec<&[f64]> = runs.iter().map(|v| v.as_slice()).collect();
            let m: usize = sizes.iter().sum();
            let (mut got, mut want) = (vec![0.0; m], vec![0.0; m]);
            merge_blocked(&slices, &mut got, descending);
            merge_tree(&slices, &mut want, &mut Vec::new(), &|a, b| {
                value_less(a, b, descending)
            });
            assert_eq!(format!("{got:?}"), format!("{want:?}"));
            let mut all: Vec<f64> = runs.concat();
            all.sort_by(|a, b| compare(a, b, descending));
            assert_eq!(format!("{got:?}"), format!("{all:?}"));
        }
    }

    #[test]
    fn split_and_merge_match_a_full_stable_sort() {
        let data: Vec<f64> = (0..97)
            .map(|i| ((i * 37) % 11) as f64 + if i % 13 == 0 { f64::NAN } else { 0.0 })
            .collect();
        for descending in [false, true] {
            let sizes = [10usize, 0, 40, 47];
            let mut sorted = Vec::new();
            let mut idx = Vec::new();
            let mut start = 0;
            for &s in &sizes {
                let mut p: Vec<(f64, i64)> =
                    (start..start + s).map(|i| (data[i], i as i64)).collect();
                p.sort_by(|a, b| compare(&a.0, &b.0, descending));
                sorted.push(p.iter().map(|x| x.0).collect::<Vec<_>>());
                idx.push(p.iter().map(|x| x.1).collect::<Vec<_>>());
                start += s;
            }
            let lanes: Vec<Lanes> = sizes
                .iter()
                .map(|&s| Lanes {
                    outer: 1,
                    n: s,
                    inner: 1,
                })
                .collect();
            let bounds = [0, 10, 10, 50, 97];
            let blocks: Vec<&[f64]> = sorted.iter().map(|v| v.as_slice()).collect();
            let iblocks: Vec<&[i64]> = idx.iter().map(|v| v.as_slice()).collect();
            let cuts = split(&blocks, &lanes, &bounds, descending).unwrap();
            let mut all = Vec::new();
            let mut all_idx = Vec::new();
            for (j, &size) in sizes.iter().enumerate().take(4) {
                let out = Lanes {
                    outer: 1,
                    n: size,
                    inner: 1,
                };
                let (v, i) =
                    merge_with_indices(&blocks, &iblocks, &lanes, &cuts, j, out, descending)
                        .unwrap();
                all.extend(v);
                all_idx.extend(i);
            }
            let mut want: Vec<(f64, i64)> = data
                .iter()
                .enumerate()
                .map(|(i, &x)| (x, i as i64))
                .collect();
            want.sort_by(|a, b| compare(&a.0, &b.0, descending));
            assert_eq!(all_idx, want.iter().map(|x| x.1).collect::<Vec<_>>());
            assert_eq!(
                format!("{all:?}"),
                format!("{:?}", want.iter().map(|x| x.0).collect::<Vec<_>>())
            );
        }
    }
}
