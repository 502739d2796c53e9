//! `sum`, `prod` and `mean`: each element is C-cast to the output dtype (NumPy converts the input
//! to `dtype=` first), then accumulated in that dtype's wide accumulator (float32 -> float64,
//! complex64 -> complex128; integers wrap). Partials: `[acc]`, and `[acc, count]` for `mean`.

use super::engine::{pairwise, reduce_axes, Reducer};
use super::num::Num;
use super::parts::{count_chunk, fold_part, kept_shape, part, reduced_len};
use super::{reduce_output_dtype, Partial};
use ndarray::ArrayD;
use oxarray_core::{dispatch_dtype, dispatch_typed, ops::ReduceOp, Chunk, DType, OxResult, C64};
use std::marker::PhantomData;

/// Accumulates `x as A` with `+` (or `*` when `MUL`).
pub(crate) struct Accumulate<A, const MUL: bool>(PhantomData<fn() -> A>);

impl<A: Num, const MUL: bool> Accumulate<A, MUL> {
    pub(crate) fn new() -> Self {
        Accumulate(PhantomData)
    }
    #[inline]
    fn op(a: A, b: A) -> A {
        if MUL {
            a.mul(b)
        } else {
            a.add(b)
        }
    }
    fn identity() -> A {
        if MUL {
            A::one()
        } else {
            A::zero()
        }
    }
}

impl<T: Num, A: Num, const MUL: bool> Reducer<T> for Accumulate<A, MUL> {
    type Acc = A;
    fn init(&self, _: usize) -> A {
        Self::identity()
    }
    #[inline]
    fn push(&self, acc: &mut A, x: T, _: usize) {
        *acc = Self::op(*acc, x.cast::<A>());
    }
    fn merge(&self, into: &mut A, other: A) {
        *into = Self::op(*into, other);
    }
    fn fold_run(&self, acc: &mut A, xs: &[T], _: usize) {
        let run = pairwise(xs, Self::identity(), &|x: T| x.cast::<A>(), &Self::op);
        *acc = Self::op(*acc, run);
    }
}

fn reduce_into<U: Num, A: Num>(x: &ArrayD<U>, axes: &[usize], mul: bool) -> OxResult<Chunk> {
    Ok(A::wrap(if mul {
        reduce_axes(x, axes, &Accumulate::<A, true>::new())?
    } else {
        reduce_axes(x, axes, &Accumulate::<A, false>::new())?
    }))
}

/// Reduces `x` into the accumulator of `out` (`out`'s wide type). When `out` is a dtype NumPy
/// picks by itself for `T`, `x as out as acc == x as acc` and the chunk is read directly; a user's
/// `dtype=` costs one conversion pass first. (Keeps the number of instantiated loops per op at a
/// few per dtype instead of one per pair of dtypes.)
fn accumulate<T: Num>(x: &ArrayD<T>, axes: &[usize], out: DType, mul: bool) -> OxResult<Chunk> {
    let natural = |op| reduce_output_dtype(op, T::DTYPE, None).ok() == Some(out);
    if natural(ReduceOp::Sum) {
        reduce_into::<T, T::SumAcc>(x, axes, mul)
    } else if natural(ReduceOp::Mean) {
        reduce_into::<T, T::Moment>(x, axes, mul)
    } else {
        dispatch_dtype!(out, O => reduce_into::<O, <O as Num>::Wide>(&x.mapv(|v| v.cast::<O>()), axes, mul))
    }
}

/// Partial of `sum` (`mul = false`), `prod` (`mul = true`), or `mean` (`with_count`).
pub(crate) fn partial(
    x: &Chunk,
    axes: &[usize],
    out: DType,
    mul: bool,
    with_count: bool,
) -> OxResult<Partial> {
    let acc = dispatch_typed!(Chunk, x, a => accumulate(a, axes, out, mul))?;
    let mut parts = vec![acc];
    if with_count {
        parts.push(count_chunk(
            &kept_shape(x.shape(), axes),
            reduced_len(x.shape(), axes),
        ));
    }
    Ok(Partial { parts })
}

fn combine_acc<O: Num>(pieces: &[&Partial], mul: bool) -> OxResult<Chunk> {
    let f = if mul {
        <O::Wide as Num>::mul
    } else {
        <O::Wide as Num>::add
    };
    Ok(<O::Wide as Num>::wrap(fold_part::<O::Wide>(pieces, 0, f)?))
}

pub(crate) fn combine(
    pieces: &[&Partial],
    out: DType,
    mul: bool,
    with_count: bool,
) -> OxResult<Partial> {
    let acc = dispatch_dtype!(out, O => combine_acc::<O>(pieces, mul))?;
    let mut parts = vec![acc];
    if with_count {
        parts.push(Chunk::from_array(fold_part::<i64>(
            pieces,
            1,
            i64::wrapping_add,
        )?));
    }
    Ok(Partial { parts })
}

fn finalize_acc<O: Num>(p: &Partial) -> OxResult<Chunk> {
    Ok(O::wrap(part::<O::Wide>(p, 0)?.mapv(|a| a.cast::<O>())))
}

fn finalize_mean<O: Num>(p: &Partial) -> OxResult<Chunk> {
    let sum = part::<O::Wide>(p, 0)?;
    let count = super::parts::same_shape(part::<i64>(p, 1)?, sum.shape())?;
    // NumPy divides the sum by the count in floating point (true_divide), then casts to dtype;
    // an empty reduction is 0/0 = NaN.
    let mean = ndarray::Zip::from(sum)
        .and(count)
        .map_collect(|&s, &n| (s.cast::<C64>() / n as f64).cast::<O>());
    Ok(O::wrap(mean))
}

pub(crate) fn finalize(p: &Partial, out: DType, mean: bool) -> OxResult<Chunk> {
    if mean {
        dispatch_dtype!(out, O => finalize_mean::<O>(p))
    } else {
        dispatch_dtype!(out, O => finalize_acc::<O>(p))
    }
}
