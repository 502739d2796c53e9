//! `topk`: the `k` largest (or smallest) elements of every lane and their positions, by
//! selection, not a full sort. Along a chunked axis each chunk keeps its own `k` best candidates
//! (`select_nth_unstable`, O(n)), and one merge selects among the `k x chunks` candidates.
//! Order is NumPy's ([`NpOrd`], NaN largest); ties go to the lower position, so the result is
//! the first `k` of a stable (descending, for `largest`) argsort.

use super::lanes::{fill_lanes, fill_lanes2, Lanes};
use super::order::{compare, NpOrd};
use super::{c_order, to_chunk};
use ndarray::ArrayD;
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_typed, Chunk, OxError, OxResult};
use std::cmp::Ordering;

#[inline]
fn rank<T: NpOrd>(a: &(T, i64), b: &(T, i64), largest: bool) -> Ordering {
    compare(&a.0, &b.0, largest).then(a.1.cmp(&b.1))
}

/// Keeps the `k` best of `c` (all of them when fewer), best first.
fn best<T: NpOrd>(c: &mut Vec<(T, i64)>, k: usize, largest: bool) {
    if k == 0 {
        c.clear();
        return;
    }
    if c.len() > k {
        c.select_nth_unstable_by(k - 1, |a, b| rank(a, b, largest));
        c.truncate(k);
    }
    c.sort_unstable_by(|a, b| rank(a, b, largest));
}

/// The `min(k, n)` best of every lane of `x` along `axis`, best first: (values, int64 positions
/// plus `offset`), each a block with the axis `min(k, n)` long.
pub fn topk_chunk(
    x: &Chunk,
    axis: usize,
    k: usize,
    largest: bool,
    offset: i64,
) -> OxResult<(Chunk, Chunk)> {
    if axis >= x.shape().len() {
        return Err(OxError::Internal("topk: axis".into()));
    }
    let lanes = Lanes::of(x.shape(), axis);
    let m = k.min(lanes.n);
    let mut shape = x.shape().to_vec();
    shape[axis] = m;
    dispatch_typed!(Chunk, x, a => {
        let src = c_order(a);
        let fill = |l: usize, ov: &mut [_], oi: &mut [i64]| {
            let mut buf = Vec::new();
            lanes.read(&src[..], l, &mut buf);
            let mut c: Vec<_> = buf.into_iter().zip(offset..).collect();
            best(&mut c, m, largest);
            for ((dv, di), (v, i)) in ov.iter_mut().zip(oi.iter_mut()).zip(c) {
                *dv = v;
                *di = i;
            }
        };
        let (v, i) = fill_lanes2(lanes.outer, lanes.inner, m, fill)?;
        Ok((to_chunk(&shape, v)?, to_chunk::<i64>(&shape, i)?))
    })
}

/// The `k` best positions of every lane from the per-chunk candidates `locals` (values and
/// positions from [`topk_chunk`]); an int64 block with the axis `k` long, best first.
pub fn topk_merge(
    locals: &[(&Chunk, &Chunk)],
    axis: usize,
    k: usize,
    largest: bool,
) -> OxResult<Chunk> {
    let (first, _) = locals
        .first()
        .ok_or_else(|| OxError::Internal("topk merge: no candidates".into()))?;
    dispatch_typed!(Chunk, *first, w => merge_typed(w, locals, axis, k, largest))
}

fn merge_typed<T: NpOrd>(
    _witness: &ArrayD<T>,
    locals: &[(&Chunk, &Chunk)],
    axis: usize,
    k: usize,
    largest: bool,
) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let mut blocks = Vec::with_capacity(locals.len());
    for (v, i) in locals {
        if axis >= v.shape().len() || v.shape() != i.shape() {
            return Err(OxError::Internal("topk merge: candidate blocks".into()));
        }
        let va = v
            .as_array::<T>()
            .ok_or_else(|| OxError::Internal("topk merge: mixed dtypes".into()))?;
        let ia = i
            .as_array::<i64>()
            .ok_or_else(|| OxError::Internal("topk merge: int64 positions".into()))?;
        blocks.push((Lanes::of(v.shape(), axis), c_order(va), c_order(ia)));
    }
    let l0 = blocks[0].0;
    let mut shape = locals[0].0.shape().to_vec();
    shape[axis] = k;
    let fill = |l: usize, out: &mut [i64]| {
        let mut c: Vec<(T, i64)> = Vec::new();
        let (mut vb, mut ib) = (Vec::new(), Vec::new());
        for (lanes, v, i) in &blocks {
            lanes.read(&v[..], l, &mut vb);
            lanes.read(&i[..], l, &mut ib);
            c.extend(vb.iter().copied().zip(ib.iter().copied()));
        }
        best(&mut c, k, largest);
        for (d, (_, i)) in out.iter_mut().zip(c) {
            *d = i;
        }
    };
    to_chunk::<i64>(&shape, fill_lanes(l0.outer, l0.inner, k, fill)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_topk_matches_whole() {
        let x = [3.0, f64::NAN, 1.0, 3.0, -0.0, 7.0, 0.0, 3.0];
        let whole = Chunk::from_array(ndarray::arr1(&x).into_dyn());
        for largest in [true, false] {
            let (_, want) = topk_chunk(&whole, 0, 4, largest, 0).unwrap();
            let a = Chunk::from_array(ndarray::arr1(&x[..3]).into_dyn());
            let b = Chunk::from_array(ndarray::arr1(&x[3..]).into_dyn());
            let (av, ai) = topk_chunk(&a, 0, 4, largest, 0).unwrap();
            let (bv, bi) = topk_chunk(&b, 0, 4, largest, 3).unwrap();
            let got = topk_merge(&[(&av, &ai), (&bv, &bi)], 0, 4, largest).unwrap();
            let (w, g) = (
                want.as_array::<i64>().unwrap(),
                got.as_array::<i64>().unwrap(),
            );
            assert_eq!(w, g);
            let expect: &[i64] = if largest {
                &[1, 5, 0, 3]
            } else {
                &[4, 6, 2, 0]
            };
            assert_eq!(g.iter().copied().collect::<Vec<_>>(), expect);
        }
    }
}
