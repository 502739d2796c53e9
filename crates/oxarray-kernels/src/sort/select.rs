//! Selection along an axis without sorting it: order statistics at given ranks (what quantiles
//! and medians read), and `np.partition` / `np.argpartition` of a block whose axis is whole.
//!
//! A lane is copied once and narrowed by successive `select_nth_unstable` calls, each on the part
//! right of the previous rank (expected O(n) per rank). Along a chunked axis the order statistics
//! are read from the per-chunk sorts by exact co-ranks instead ([`pick_ranks`]).
//!
//! Ranks come as a table with one row per count of values: row 0 in the plain case (ranks among
//! all `n` values, NaN last), row `c` in the NaN-skipping case, where `c` is the lane's number of
//! non-NaN values (so `np.nanquantile`'s per-lane ranks need no second pass). A rank at or past
//! the values it may use reads as NaN (an all-NaN lane of `nanquantile`).

use super::lanes::{fill_lanes, map_lanes, Lanes};
use super::merge::{co_ranks_at, Run};
use super::order::NpOrd;
use oxarray_core::{OxError, OxResult};

/// How a lane picks its row of the rank table.
#[derive(Clone, Copy, Debug)]
pub struct RankTable<'a> {
    /// Row-major `rows x width` ranks (any order within a row).
    pub ranks: &'a [usize],
    pub width: usize,
    /// Row by the lane's non-NaN count (`nan*` functions) instead of row 0.
    pub skip_nan: bool,
}

impl RankTable<'_> {
    fn row(&self, count: usize) -> OxResult<&[usize]> {
        let r = if self.skip_nan { count } else { 0 };
        self.ranks
            .get(r * self.width..(r + 1) * self.width)
            .ok_or_else(|| OxError::Internal(format!("select: no rank row for count {count}")))
    }
}

/// NaN for floating types; the type's zero otherwise (never read: only floats have NaN lanes).
fn nan_of<T: NpOrd>() -> T {
    T::nan_value()
}

/// The values of ranks `ranks` (any order, repeats allowed) of `v` (reordered in place), in
/// NumPy's order; a rank past the lane reads as NaN. Ranks are visited in ascending order, each
/// selection narrowed to the part right of the previous rank.
fn select_lane<T: NpOrd>(v: &mut [T], ranks: &[usize], out: &mut [T]) {
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_unstable_by_key(|&i| ranks[i]);
    let mut lo = 0;
    let mut last: Option<(usize, T)> = None;
    for i in order {
        let r = ranks[i];
        let Some(o) = out.get_mut(i) else { continue };
        if r >= v.len() {
            *o = nan_of();
            continue;
        }
        if let Some((lr, lv)) = last {
            if lr == r {
                *o = lv;
                continue;
            }
        }
        let (_, nth, _) = v[lo..].select_nth_unstable_by(r - lo, |a, b| a.np_cmp(b));
        *o = *nth;
        last = Some((r, *o));
        lo = r + 1;
    }
}

/// Order statistics of every lane of a block whose axis is whole: the result has the block's
/// shape with the axis replaced by the table's width.
pub fn select_block<T: NpOrd>(src: &[T], lanes: Lanes, table: RankTable<'_>) -> OxResult<Vec<T>> {
    // Rows are checked up front so the lane closure cannot fail.
    let rows = table.ranks.len() / table.width.max(1);
    if table.width == 0 || (table.skip_nan && rows < lanes.n + 1) || rows == 0 {
        if table.width == 0 {
            return Ok(Vec::new());
        }
        return Err(OxError::Internal("select: rank table too short".into()));
    }
    map_lanes(
        src,
        lanes,
        table.width,
        |buf: &mut Vec<T>, out: &mut [T]| {
            let count = if table.skip_nan {
                // NaNs are dropped so the selection sees only the values it may pick.
                buf.retain(|x| !x.is_nan_like());
                buf.len()
            } else {
                0
            };
            if let Ok(row) = table.row(count) {
                select_lane(buf, row, out);
            }
        },
    )
}

/// `np.partition` of every lane of a block whose axis is whole: each rank of `kth`
/// holds the value a sort would put there, smaller-or-equal values before it, larger after.
pub fn partition_block<T: NpOrd>(src: &[T], lanes: Lanes, kth: &[usize]) -> OxResult<Vec<T>> {
    map_lanes(src, lanes, lanes.n, |buf: &mut Vec<T>, out: &mut [T]| {
        let mut scratch = vec![T::default(); kth.len()];
        select_lane(buf, kth, &mut scratch);
        out.copy_from_slice(buf);
    })
}

/// `np.argpartition` of every lane: int64 positions arranged as `partition_block` arranges the
/// values.
pub fn argpartition_block<T: NpOrd>(src: &[T], lanes: Lanes, kth: &[usize]) -> OxResult<Vec<i64>> {
    fill_lanes(lanes.outer, lanes.inner, lanes.n, |l, out: &mut [i64]| {
        let mut buf = Vec::new();
        lanes.read(src, l, &mut buf);
        let mut pairs: Vec<(T, i64)> = buf.iter().copied().zip(0i64..).collect();
        let mut lo = 0;
        for &r in kth {
            if r >= pairs.len() || r < lo {
                continue; // past the lane, or a repeated rank already in place
            }
            pairs[lo..].select_nth_unstable_by(r - lo, |a, b| a.0.np_cmp(&b.0).then(a.1.cmp(&b.1)));
            lo = r + 1;
        }
        for (o, p) in out.iter_mut().zip(pairs) {
            *o = p.1;
        }
    })
}

/// Order statistics of lanes along a chunked axis, from the chunks sorted on their own
/// (`blocks`, NaN last in each): rank `r` is the smallest head at the co-rank cuts of `r`.
/// The result has the lane structure `outer x width x inner`.
pub fn pick_ranks<T: NpOrd>(
    blocks: &[&[T]],
    lanes: &[Lanes],
    table: RankTable<'_>,
) -> OxResult<Vec<T>> {
    let first = lanes
        .first()
        .ok_or_else(|| OxError::Internal("select: no blocks".into()))?;
    let n: usize = lanes.iter().map(|l| l.n).sum();
    let rows = table.ranks.len() / table.width.max(1);
    if table.width == 0 {
        return Ok(Vec::new());
    }
    if rows == 0 || (table.skip_nan && rows < n + 1) {
        return Err(OxError::Internal("select: rank table too short".into()));
    }
    let (outer, inner) = (first.outer, first.inner);
    fill_lanes(outer, inner, table.width, |l, out: &mut [T]| {
        let mut rs: Vec<Run<'_, T>> = blocks
            .iter()
            .zip(lanes)
            .map(|(d, ln)| Run::new(d, ln.at(l, 0), ln.inner, ln.n))
            .collect();
        let count = if table.skip_nan {
            // Each run's NaNs are at its end; the selection reads only the values before them.
            for r in rs.iter_mut() {
                r.len = r.count(|x| !x.is_nan_like());
            }
            rs.iter().map(|r| r.len).sum()
        } else {
            0
        };
        let Ok(row) = table.row(count) else { return };
        let total: usize = rs.iter().map(|r| r.len).sum();
        for (o, &r) in out.iter_mut().zip(row) {
            *o = if r < total {
                co_ranks_at(&rs, r)
            } else {
                nan_of()
            };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_matches_sorted_ranks() {
        let v: Vec<f64> = (0..50)
            .map(|i| {
                if i % 7 == 0 {
                    f64::NAN
                } else {
                    ((i * 31) % 17) as f64
                }
            })
            .collect();
        let mut s = v.clone();
        s.sort_by(|a, b| a.np_cmp(b));
        let lanes = Lanes {
            outer: 1,
            n: 50,
            inner: 1,
        };
        let ranks = [0usize, 3, 3, 20, 49];
        let t = RankTable {
            ranks: &ranks,
            width: 5,
            skip_nan: false,
        };
        let got = select_block(&v, lanes, t).unwrap();
        for (g, &r) in got.iter().zip(&ranks) {
            assert_eq!(format!("{g:?}"), format!("{:?}", s[r]));
        }
        // Along a "chunked" axis: two sorted halves.
        let (mut a, mut b) = (v[..20].to_vec(), v[20..].to_vec());
        a.sort_by(|x, y| x.np_cmp(y));
        b.sort_by(|x, y| x.np_cmp(y));
        let ls = [
            Lanes {
                outer: 1,
                n: 20,
                inner: 1,
            },
            Lanes {
                outer: 1,
                n: 30,
                inner: 1,
            },
        ];
        let got = pick_ranks(&[&a, &b], &ls, t).unwrap();
        for (g, &r) in got.iter().zip(&ranks) {
            assert_eq!(format!("{g:?}"), format!("{:?}", s[r]));
        }
        let kth = [5usize, 30];
        let p = partition_block(&v, lanes, &kth).unwrap();
        for &k in &kth {
            assert_eq!(format!("{:?}", p[k]), format!("{:?}", s[k]));
        }
        let ip = argpartition_block(&v, lanes, &kth).unwrap();
        for &k in &kth {
            assert_eq!(format!("{:?}", v[ip[k] as usize]), format!("{:?}", s[k]));
        }
    }
}
