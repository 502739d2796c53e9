//! `var`/`std` with `ddof`. Within a chunk: two passes (mean, then the sum of squared deviations),
//! the most accurate scheme for data already in memory; across chunks: Chan et al.'s parallel
//! update. Partial: `[count: int64, mean: float64|complex128, m2: float64]`. For complex data the
//! deviation is |x - mean|^2, so the variance is real.

use super::engine::{pairwise, reduce_axes, Reducer};
use super::num::{Field, Num};
use super::parts::{count_chunk, internal, kept_shape, part, reduced_len, same_shape};
use super::sum::Accumulate;
use super::{reduce_output_dtype, Partial};
use ndarray::{ArrayD, Zip};
use oxarray_core::{dispatch_dtype, dispatch_typed, ops::ReduceOp, Chunk, DType, OxResult, C64};

/// Sum of |x as M - mean|^2 per output position; the accumulator carries its position's mean.
struct Deviations<'a, M> {
    means: &'a [M],
}

impl<T: Num, M: Field> Reducer<T> for Deviations<'_, M> {
    type Acc = (M, f64);
    fn init(&self, out: usize) -> (M, f64) {
        (self.means.get(out).copied().unwrap_or_else(M::zero), 0.0)
    }
    #[inline]
    fn push(&self, acc: &mut (M, f64), x: T, _: usize) {
        acc.1 += (x.cast::<M>() - acc.0).abs2();
    }
    fn merge(&self, into: &mut (M, f64), other: (M, f64)) {
        into.1 += other.1;
    }
    fn fold_run(&self, acc: &mut (M, f64), xs: &[T], _: usize) {
        let m = acc.0;
        acc.1 += pairwise(xs, 0.0, &|x: T| (x.cast::<M>() - m).abs2(), &|a, b| a + b);
    }
}

/// Moments of `x` computed in `U::Moment` (float64 or complex128).
fn moments<U: Num>(x: &ArrayD<U>, axes: &[usize]) -> OxResult<Partial> {
    let n = reduced_len(x.shape(), axes);
    let sums = reduce_axes(x, axes, &Accumulate::<U::Moment, false>::new())?;
    let means = if n == 0 {
        sums
    } else {
        sums.mapv(|s| s / n as f64)
    };
    let flat: Vec<U::Moment> = means.iter().copied().collect();
    let m2 = reduce_axes(x, axes, &Deviations { means: &flat })?.mapv(|(_, m2)| m2);
    Ok(Partial {
        parts: vec![
            count_chunk(&kept_shape(x.shape(), axes), n),
            U::Moment::wrap(means),
            Chunk::from_array(m2),
        ],
    })
}

/// The dtype the data is converted to before the moments: `dtype=` when complex, else complex data
/// stays complex (variance of a complex array), else the (real) output dtype.
fn compute_dtype(x: DType, out: DType) -> DType {
    if out.is_complex() || !x.is_complex() {
        out
    } else {
        x
    }
}

/// Data whose compute dtype is its own (or whose cast to it is exact in `T::Moment`, as for
/// integers into float64) is read directly; otherwise converted once, as NumPy casts to `dtype=`.
fn moments_of<T: Num>(x: &ArrayD<T>, axes: &[usize], out: DType) -> OxResult<Partial> {
    let c = compute_dtype(T::DTYPE, out);
    let natural = reduce_output_dtype(ReduceOp::Var { ddof: 0 }, T::DTYPE, None).ok() == Some(out);
    if natural || c == T::DTYPE {
        moments(x, axes)
    } else {
        dispatch_dtype!(c, C => moments(&x.mapv(|v| v.cast::<C>()), axes))
    }
}

pub(crate) fn partial(x: &Chunk, axes: &[usize], out: DType) -> OxResult<Partial> {
    dispatch_typed!(Chunk, x, a => moments_of(a, axes, out))
}

fn combine_typed<M: Field>(pieces: &[&Partial]) -> OxResult<Partial> {
    let (first, rest) = pieces
        .split_first()
        .ok_or_else(|| internal("combine of zero pieces".into()))?;
    let mut mean = part::<M>(first, 1)?.clone();
    let mut count = same_shape(part::<i64>(first, 0)?, mean.shape())?.clone();
    let mut m2 = same_shape(part::<f64>(first, 2)?, mean.shape())?.clone();
    for p in rest {
        let nb = same_shape(part::<i64>(p, 0)?, mean.shape())?;
        let mb = same_shape(part::<M>(p, 1)?, mean.shape())?;
        let qb = same_shape(part::<f64>(p, 2)?, mean.shape())?;
        Zip::from(&mut count)
            .and(&mut mean)
            .and(&mut m2)
            .and(nb)
            .and(mb)
            .and(qb)
            .for_each(|na, ma, qa, &nb, &mb, &qb| {
                if nb == 0 {
                    return;
                }
                if *na == 0 {
                    (*na, *ma, *qa) = (nb, mb, qb);
                    return;
                }
                let n = (*na + nb) as f64;
                let delta = mb - *ma;
                *qa += qb + delta.abs2() * (*na as f64) * (nb as f64) / n;
                *ma = Num::add(*ma, delta.scale(nb as f64 / n));
                *na += nb;
            });
    }
    Ok(Partial {
        parts: vec![
            Chunk::from_array(count),
            M::wrap(mean),
            Chunk::from_array(m2),
        ],
    })
}

pub(crate) fn combine(pieces: &[&Partial]) -> OxResult<Partial> {
    let mean = pieces
        .first()
        .and_then(|p| p.parts.get(1))
        .ok_or_else(|| internal("empty combine".into()))?;
    match mean.dtype() {
        DType::Float64 => combine_typed::<f64>(pieces),
        DType::Complex128 => combine_typed::<C64>(pieces),
        d => Err(internal(format!("variance partial has a {d} mean"))),
    }
}

fn finalize_typed<O: Num>(p: &Partial, ddof: u32, sqrt: bool) -> OxResult<Chunk> {
    let count = part::<i64>(p, 0)?;
    let m2 = same_shape(part::<f64>(p, 2)?, count.shape())?;
    // NumPy divides by max(n - ddof, 0): 0/0 = NaN, m2/0 = inf.
    let v = Zip::from(count).and(m2).map_collect(|&n, &q| {
        let var = q / (n as f64 - ddof as f64).max(0.0);
        O::from_f64(if sqrt { var.sqrt() } else { var })
    });
    Ok(O::wrap(v))
}

pub(crate) fn finalize(p: &Partial, out: DType, ddof: u32, sqrt: bool) -> OxResult<Chunk> {
    dispatch_dtype!(out, O => finalize_typed::<O>(p, ddof, sqrt))
}
