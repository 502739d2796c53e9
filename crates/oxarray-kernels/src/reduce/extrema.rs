//! `min`/`max` and `argmin`/`argmax`, NaN-propagating like NumPy: any NaN wins, and argmin/argmax
//! report the first NaN. Complex values order lexicographically. Partials: `[value]` for min/max
//! (the identity, e.g. +inf or `i64::MAX`, for an empty chunk) and `[value, index]` for arg-ops,
//! where index is the global flat index over the reduced axes, or -1 for an empty chunk.

use super::engine::{pairwise, reduce_axes, Reducer};
use super::num::Num;
use super::parts::{fold_part, internal, part, same_shape};
use super::{ChunkPlace, Partial};
use ndarray::{ArrayD, Zip};
use oxarray_core::{dispatch_dtype, dispatch_typed, Chunk, OxResult};

/// `x` is strictly better than `than` (smaller for min, larger for max); neither is NaN.
#[inline]
fn better<T: Num, const MAX: bool>(x: T, than: T) -> bool {
    if MAX {
        than.less(x)
    } else {
        x.less(than)
    }
}

/// The extreme of two values, NaN-propagating. Written as one select (a NaN `a` is never beaten,
/// since every comparison with NaN is false) so the 8-lane pairwise loop vectorizes.
#[inline]
fn pick<T: Num, const MAX: bool>(a: T, b: T) -> T {
    if b.is_nan() || better::<T, MAX>(b, a) {
        b
    } else {
        a
    }
}

/// Of two (value, global index) candidates, the one NumPy's argmin/argmax reports: a NaN over a
/// number, else the better value, and on ties (or two NaNs) the smaller index. Index -1 is empty.
#[inline]
fn pick_arg<T: Num, const MAX: bool>(a: (T, i64), b: (T, i64)) -> (T, i64) {
    if b.1 < 0 {
        return a;
    }
    if a.1 < 0 {
        return b;
    }
    let first = if a.1 <= b.1 { a } else { b };
    match (a.0.is_nan(), b.0.is_nan()) {
        (true, true) => first,
        (true, false) => a,
        (false, true) => b,
        (false, false) if better::<T, MAX>(b.0, a.0) => b,
        (false, false) if better::<T, MAX>(a.0, b.0) => a,
        _ => first,
    }
}

struct Extreme<const MAX: bool>;

impl<T: Num, const MAX: bool> Reducer<T> for Extreme<MAX> {
    type Acc = T;
    fn init(&self, _: usize) -> T {
        if MAX {
            T::lowest()
        } else {
            T::highest()
        }
    }
    #[inline]
    fn push(&self, acc: &mut T, x: T, _: usize) {
        *acc = pick::<T, MAX>(*acc, x);
    }
    fn merge(&self, into: &mut T, other: T) {
        *into = pick::<T, MAX>(*into, other);
    }
    fn fold_run(&self, acc: &mut T, xs: &[T], _: usize) {
        let id = <Self as Reducer<T>>::init(self, 0);
        *acc = pick::<T, MAX>(*acc, pairwise(xs, id, &|x| x, &pick::<T, MAX>));
    }
}

struct ArgExtreme<const MAX: bool>;

impl<T: Num, const MAX: bool> Reducer<T> for ArgExtreme<MAX> {
    /// (value, local flat index over the reduced axes; -1 while empty)
    type Acc = (T, i64);
    fn init(&self, _: usize) -> (T, i64) {
        (T::zero(), -1)
    }
    #[inline]
    fn push(&self, acc: &mut (T, i64), x: T, idx: usize) {
        *acc = pick_arg::<T, MAX>(*acc, (x, idx as i64));
    }
    fn merge(&self, into: &mut (T, i64), other: (T, i64)) {
        *into = pick_arg::<T, MAX>(*into, other);
    }
}

fn minmax<T: Num>(x: &ArrayD<T>, axes: &[usize], max: bool) -> OxResult<Chunk> {
    Ok(T::wrap(if max {
        reduce_axes(x, axes, &Extreme::<true>)?
    } else {
        reduce_axes(x, axes, &Extreme::<false>)?
    }))
}

pub(crate) fn partial_minmax(x: &Chunk, axes: &[usize], max: bool) -> OxResult<Partial> {
    let v = dispatch_typed!(Chunk, x, a => minmax(a, axes, max))?;
    Ok(Partial { parts: vec![v] })
}

fn combine_minmax_typed<T: Num>(pieces: &[&Partial], max: bool) -> OxResult<Chunk> {
    let f = if max {
        pick::<T, true>
    } else {
        pick::<T, false>
    };
    Ok(T::wrap(fold_part::<T>(pieces, 0, f)?))
}

pub(crate) fn combine_minmax(pieces: &[&Partial], max: bool) -> OxResult<Partial> {
    let first = pieces
        .first()
        .and_then(|p| p.parts.first())
        .ok_or_else(|| internal("empty combine".into()))?;
    let v = dispatch_dtype!(first.dtype(), T => combine_minmax_typed::<T>(pieces, max))?;
    Ok(Partial { parts: vec![v] })
}

/// Maps a local flat index over the chunk's reduced axes to the global flat index over the same
/// axes of the full array (C order), using where the chunk sits.
fn to_global(local: i64, shape: &[usize], axes: &[usize], place: &ChunkPlace) -> i64 {
    if local < 0 {
        return local;
    }
    let mut rest = local as usize;
    let mut coords = vec![0usize; axes.len()];
    for (k, &a) in axes.iter().enumerate().rev() {
        let n = shape[a].max(1);
        coords[k] = rest % n;
        rest /= n;
    }
    axes.iter().zip(&coords).fold(0usize, |g, (&a, &c)| {
        g * place.full_shape[a] + place.offset[a] + c
    }) as i64
}

fn arg_typed<T: Num>(
    x: &ArrayD<T>,
    axes: &[usize],
    place: &ChunkPlace,
    max: bool,
) -> OxResult<Partial> {
    let acc = if max {
        reduce_axes(x, axes, &ArgExtreme::<true>)?
    } else {
        reduce_axes(x, axes, &ArgExtreme::<false>)?
    };
    let values = acc.mapv(|(v, _)| v);
    let index = acc.mapv(|(_, i)| to_global(i, x.shape(), axes, place));
    Ok(Partial {
        parts: vec![T::wrap(values), Chunk::from_array(index)],
    })
}

pub(crate) fn partial_arg(
    x: &Chunk,
    axes: &[usize],
    place: &ChunkPlace,
    max: bool,
) -> OxResult<Partial> {
    let nd = x.shape().len();
    if place.offset.len() != nd || place.full_shape.len() != nd {
        return Err(internal(format!(
            "chunk place has {} offsets and {} extents for a {nd}-d chunk",
            place.offset.len(),
            place.full_shape.len()
        )));
    }
    dispatch_typed!(Chunk, x, a => arg_typed(a, axes, place, max))
}

fn combine_arg_typed<T: Num>(pieces: &[&Partial], max: bool) -> OxResult<Partial> {
    let (first, rest) = pieces
        .split_first()
        .ok_or_else(|| internal("combine of zero pieces".into()))?;
    let mut values = part::<T>(first, 0)?.clone();
    let mut index = same_shape(part::<i64>(first, 1)?, values.shape())?.clone();
    let f = if max {
        pick_arg::<T, true>
    } else {
        pick_arg::<T, false>
    };
    for p in rest {
        let v = same_shape(part::<T>(p, 0)?, values.shape())?;
        let i = same_shape(part::<i64>(p, 1)?, values.shape())?;
        Zip::from(&mut values)
            .and(&mut index)
            .and(v)
            .and(i)
            .for_each(|va, ia, &vb, &ib| {
                (*va, *ia) = f((*va, *ia), (vb, ib));
            });
    }
    Ok(Partial {
        parts: vec![T::wrap(values), Chunk::from_array(index)],
    })
}

pub(crate) fn combine_arg(pieces: &[&Partial], max: bool) -> OxResult<Partial> {
    let first = pieces
        .first()
        .and_then(|p| p.parts.first())
        .ok_or_else(|| internal("empty combine".into()))?;
    dispatch_dtype!(first.dtype(), T => combine_arg_typed::<T>(pieces, max))
}
