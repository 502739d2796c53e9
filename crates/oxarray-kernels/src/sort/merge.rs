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
use super::local::sort_lane;
use super::order::{compare, NpOrd};
use super::radix;
use oxarray_core::{OxError, OxResult};
use std::cmp::Ordering;

/// One sorted lane of one chunk: element `t` is `data[base + t * stride]`.
#[derive(Clone, Copy)]
struct Run<'a, T> {
    data: &'a [T],
    base: usize,
    stride: usize,
    len: usize,
}

impl<T: Copy> Run<'_, T> {
    #[inline(always)]
    fn get(&self, t: usize) -> T {
        self.data[self.base + t * self.stride]
    }
    /// Number of leading elements for which `pred` holds (`pred` is monotone true -> false).
    fn count(&self, pred: impl Fn(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
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
        let cnt: Vec<usize> = (0..k)
            .map(|i| match i.cmp(&s) {
                Ordering::Less => rs[i].count(|e| compare(e, &pv, descending) != Ordering::Greater),
                Ordering::Greater => rs[i].count(|e| compare(e, &pv, descending) == Ordering::Less),
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

/// Values of output chunk `j` (lane structure `out`): each lane's ranges are copied in block
/// order, then sorted stably (ties stay in block order, i.e. index order).
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
        let mut w = 0;
        for (i, a, b) in ranges(cuts, k, j, l) {
            for t in a..b {
                if let Some(d) = dst.get_mut(w) {
                    *d = rs[i].get(t);
                }
                w += 1;
            }
        }
        sort_lane(dst, descending);
    })
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
            let mut w = 0;
            for (i, a, b) in ranges(cuts, k, j, l) {
                for t in a..b {
                    if let (Some(v), Some(x)) = (dv.get_mut(w), di.get_mut(w)) {
                        *v = rs[i].get(t);
                        *x = idx_blocks[i][lanes[i].at(l, t)];
                    }
                    w += 1;
                }
            }
            if !radix::sort_pairs(dv, di, descending) {
                let mut pairs: Vec<(T, i64)> = dv.iter().copied().zip(di.iter().copied()).collect();
                pairs.sort_by(|a, b| compare(&a.0, &b.0, descending));
                for ((v, x), p) in dv.iter_mut().zip(di.iter_mut()).zip(pairs) {
                    *v = p.0;
                    *x = p.1;
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
