//! Lanes: the 1-d runs along one axis of a C-ordered block (`outer x n x inner`). Every sort,
//! selection and quantile kernel works one lane at a time; this module hands lanes out in
//! parallel (rayon over the lanes) and puts the per-lane results back in C order.

use oxarray_core::buffer::zeroed_vec;
use oxarray_core::{Element, OxResult};
use rayon::prelude::*;

/// The lane structure of a block along `axis`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lanes {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl Lanes {
    pub fn of(shape: &[usize], axis: usize) -> Lanes {
        Lanes {
            outer: shape[..axis].iter().product(),
            n: shape[axis],
            inner: shape[axis + 1..].iter().product(),
        }
    }
    pub fn count(&self) -> usize {
        self.outer * self.inner
    }
    /// Position of element `t` of lane `l` in the C-ordered block.
    #[inline(always)]
    pub fn at(&self, l: usize, t: usize) -> usize {
        let (o, c) = (l / self.inner, l % self.inner);
        (o * self.n + t) * self.inner + c
    }
    /// Copies lane `l` of `src` into `buf`.
    pub fn read<T: Copy>(&self, src: &[T], l: usize, buf: &mut Vec<T>) {
        buf.clear();
        if self.inner == 1 {
            buf.extend_from_slice(&src[l * self.n..(l + 1) * self.n]);
        } else {
            buf.extend((0..self.n).map(|t| src[self.at(l, t)]));
        }
    }
}

/// A block of lanes of length `m` (C order `outer x m x inner`), lane `l` filled by `f(l, out)`.
/// Lanes are filled in parallel into a lane-major buffer, then put in C order.
pub fn fill_lanes<U, F>(outer: usize, inner: usize, m: usize, f: F) -> OxResult<Vec<U>>
where
    U: Element,
    F: Fn(usize, &mut [U]) + Sync,
{
    let total = outer * inner * m;
    let mut lane_major: Vec<U> = zeroed_vec(total)?;
    if total == 0 {
        return Ok(lane_major);
    }
    // Small lanes are batched so a rayon job is worth its overhead.
    lane_major
        .par_chunks_mut(m)
        .enumerate()
        .with_min_len((4096 / m).max(1))
        .for_each(|(l, out)| f(l, out));
    to_c_order(lane_major, outer, inner, m)
}

/// Two blocks of lanes filled together (`f(l, out_a, out_b)`): sorted values and their indices.
pub fn fill_lanes2<U, V, F>(
    outer: usize,
    inner: usize,
    m: usize,
    f: F,
) -> OxResult<(Vec<U>, Vec<V>)>
where
    U: Element,
    V: Element,
    F: Fn(usize, &mut [U], &mut [V]) + Sync,
{
    let total = outer * inner * m;
    let mut a: Vec<U> = zeroed_vec(total)?;
    let mut b: Vec<V> = zeroed_vec(total)?;
    if total == 0 {
        return Ok((a, b));
    }
    a.par_chunks_mut(m)
        .zip(b.par_chunks_mut(m))
        .enumerate()
        .with_min_len((4096 / m).max(1))
        .for_each(|(l, (oa, ob))| f(l, oa, ob));
    Ok((
        to_c_order(a, outer, inner, m)?,
        to_c_order(b, outer, inner, m)?,
    ))
}

/// Lane-major (`outer x inner x m`) to C order (`outer x m x inner`).
fn to_c_order<U: Element>(
    lane_major: Vec<U>,
    outer: usize,
    inner: usize,
    m: usize,
) -> OxResult<Vec<U>> {
    if inner == 1 || m == 0 {
        return Ok(lane_major);
    }
    let mut out: Vec<U> = zeroed_vec(outer * inner * m)?;
    // Row (o, t) of the output gathers element t of the lanes (o, 0..inner).
    out.par_chunks_mut(inner)
        .enumerate()
        .with_min_len((4096 / inner).max(1))
        .for_each(|(row, dst)| {
            let (o, t) = (row / m, row % m);
            for (c, d) in dst.iter_mut().enumerate() {
                *d = lane_major[(o * inner + c) * m + t];
            }
        });
    Ok(out)
}

/// `f(lane, out)` over every lane of `src` (a block with lane structure `lanes`), each output lane
/// of length `m`; returns the `outer x m x inner` result.
pub fn map_lanes<T, U, F>(src: &[T], lanes: Lanes, m: usize, f: F) -> OxResult<Vec<U>>
where
    T: Element,
    U: Element,
    F: Fn(&mut Vec<T>, &mut [U]) + Sync,
{
    let fill = |l: usize, out: &mut [U]| {
        let mut buf = Vec::new();
        lanes.read(src, l, &mut buf);
        f(&mut buf, out)
    };
    fill_lanes(lanes.outer, lanes.inner, m, fill)
}
