//! `nanmean`, `nanvar` and `nanstd` without a separate NaN-count pass: the per-chunk walk adds the
//! non-NaN values and counts them per output position together, so the data is read once for the
//! mean (NumPy and a `where` + `sum` + `count` composition read it twice or more).
//!
//! Partials reuse the layouts of the NaN-unaware ops, so their combines are shared:
//! `nanmean` is `mean`'s `[acc: out's wide type, count: int64]` with a count per position;
//! `nanvar`/`nanstd` are `var`'s `[count: int64, mean, m2: float64]` (two passes within a chunk,
//! Chan et al.'s update across chunks). Only inexact inputs reach these kernels (an integer array
//! has no NaN: the Python front uses `mean`/`var` for it).

use super::engine::{pairwise, reduce_axes, Reducer};
use super::num::{Field, Num};
use super::parts::{internal, part, same_shape};
use super::{reduce_output_dtype, Partial};
use ndarray::{ArrayD, Zip};
use oxarray_core::{ops::ReduceOp, Chunk, DType, OxResult, C32, C64};
use std::marker::PhantomData;

/// Sum (in `A`) and count of the non-NaN elements.
struct NanSumCount<A>(PhantomData<fn() -> A>);

impl<T: Num, A: Num> Reducer<T> for NanSumCount<A> {
    type Acc = (A, i64);
    fn init(&self, _: usize) -> (A, i64) {
        (A::zero(), 0)
    }
    #[inline]
    fn push(&self, acc: &mut (A, i64), x: T, _: usize) {
        // Branch-free, so the row of accumulators of a kept innermost axis vectorizes.
        let ok = !x.is_nan();
        acc.0 = acc.0.add(if ok { x.cast::<A>() } else { A::zero() });
        acc.1 += ok as i64;
    }
    fn merge(&self, into: &mut (A, i64), other: (A, i64)) {
        into.0 = into.0.add(other.0);
        into.1 += other.1;
    }
    fn fold_run(&self, acc: &mut (A, i64), xs: &[T], _: usize) {
        let run = pairwise(
            xs,
            (A::zero(), 0i64),
            &|x: T| {
                let ok = !x.is_nan();
                (if ok { x.cast::<A>() } else { A::zero() }, ok as i64)
            },
            &|a: (A, i64), b: (A, i64)| (a.0.add(b.0), a.1 + b.1),
        );
        acc.0 = acc.0.add(run.0);
        acc.1 += run.1;
    }
}

/// Sum of |x - mean|^2 over the non-NaN elements; the accumulator carries its position's mean.
struct NanDeviations<'a, M> {
    means: &'a [M],
}

impl<T: Num, M: Field> Reducer<T> for NanDeviations<'_, M> {
    type Acc = (M, f64);
    fn init(&self, out: usize) -> (M, f64) {
        (self.means.get(out).copied().unwrap_or_else(M::zero), 0.0)
    }
    #[inline]
    fn push(&self, acc: &mut (M, f64), x: T, _: usize) {
        let d = (x.cast::<M>() - acc.0).abs2();
        acc.1 += if x.is_nan() { 0.0 } else { d };
    }
    fn merge(&self, into: &mut (M, f64), other: (M, f64)) {
        into.1 += other.1;
    }
    fn fold_run(&self, acc: &mut (M, f64), xs: &[T], _: usize) {
        let m = acc.0;
        acc.1 += pairwise(
            xs,
            0.0,
            &|x: T| {
                let d = (x.cast::<M>() - m).abs2();
                if x.is_nan() {
                    0.0
                } else {
                    d
                }
            },
            &|a, b| a + b,
        );
    }
}

fn split<A: Copy, B: Copy>(acc: &ArrayD<(A, B)>) -> (ArrayD<A>, ArrayD<B>) {
    (acc.mapv(|(a, _)| a), acc.mapv(|(_, b)| b))
}

fn mean_partial<T: Num>(x: &ArrayD<T>, axes: &[usize]) -> OxResult<Partial> {
    let acc = reduce_axes(x, axes, &NanSumCount::<T::Wide>(PhantomData))?;
    let (sum, count) = split(&acc);
    Ok(Partial {
        parts: vec![<T::Wide as Num>::wrap(sum), Chunk::from_array(count)],
    })
}

fn var_partial<T: Num>(x: &ArrayD<T>, axes: &[usize]) -> OxResult<Partial> {
    let acc = reduce_axes(x, axes, &NanSumCount::<T::Moment>(PhantomData))?;
    let (sums, count) = split(&acc);
    let means = Zip::from(&sums)
        .and(&count)
        .map_collect(|&s, &n| if n > 0 { s / n as f64 } else { s });
    let flat: Vec<T::Moment> = means.iter().copied().collect();
    let m2 = reduce_axes(x, axes, &NanDeviations { means: &flat })?.mapv(|(_, q)| q);
    Ok(Partial {
        parts: vec![
            Chunk::from_array(count),
            <T::Moment as Num>::wrap(means),
            Chunk::from_array(m2),
        ],
    })
}

/// Runs `f` on `x` converted to `to` (one of the four inexact dtypes), as NumPy converts the input
/// to `dtype=` first; the kernels exist once per inexact input dtype.
macro_rules! on_inexact {
    ($x:expr, $to:expr, $f:ident, $axes:expr) => {{
        fn conv<S: Num, U: Num>(a: &ArrayD<S>) -> ArrayD<U> {
            a.mapv(|v| v.cast::<U>())
        }
        fn go<S: Num>(a: &ArrayD<S>, to: DType, axes: &[usize]) -> OxResult<Partial> {
            match to {
                _ if to == S::DTYPE => $f(a, axes),
                DType::Float32 => $f(&conv::<S, f32>(a), axes),
                DType::Float64 => $f(&conv::<S, f64>(a), axes),
                DType::Complex64 => $f(&conv::<S, C32>(a), axes),
                DType::Complex128 => $f(&conv::<S, C64>(a), axes),
                d => Err(internal(format!("NaN-aware moments in {d}"))),
            }
        }
        let x: &Chunk = $x;
        let unsupported = || internal(format!("NaN-aware moments of {}", x.dtype()));
        match x.dtype() {
            DType::Float32 => go(f32::unwrap(x).ok_or_else(unsupported)?, $to, $axes),
            DType::Float64 => go(f64::unwrap(x).ok_or_else(unsupported)?, $to, $axes),
            DType::Complex64 => go(C32::unwrap(x).ok_or_else(unsupported)?, $to, $axes),
            DType::Complex128 => go(C64::unwrap(x).ok_or_else(unsupported)?, $to, $axes),
            _ => Err(unsupported()),
        }
    }};
}

/// The partial of `nanmean` with output dtype `out` (an inexact dtype).
pub(crate) fn partial_mean(x: &Chunk, axes: &[usize], out: DType) -> OxResult<Partial> {
    on_inexact!(x, out, mean_partial, axes)
}

/// The dtype the data is converted to before the variance: `out` when complex (`dtype=`),
/// else complex data stays complex, else `out`.
fn var_compute_dtype(x: DType, out: DType) -> DType {
    if out.is_complex() || !x.is_complex() {
        out
    } else {
        x
    }
}

/// The partial of `nanvar`/`nanstd` with output dtype `out`.
pub(crate) fn partial_var(x: &Chunk, axes: &[usize], out: DType) -> OxResult<Partial> {
    let natural = reduce_output_dtype(ReduceOp::Var { ddof: 0 }, x.dtype(), None).ok() == Some(out);
    let to = if natural {
        x.dtype()
    } else {
        var_compute_dtype(x.dtype(), out)
    };
    on_inexact!(x, to, var_partial, axes)
}

fn finalize_var_typed<O: Num>(p: &Partial, ddof: u32, sqrt: bool) -> OxResult<Chunk> {
    let count = part::<i64>(p, 0)?;
    let m2 = same_shape(part::<f64>(p, 2)?, count.shape())?;
    // NumPy's nanvar: NaN where the degrees of freedom `n - ddof` are <= 0 (not inf).
    let v = Zip::from(count).and(m2).map_collect(|&n, &q| {
        let dof = n as f64 - ddof as f64;
        let var = if dof > 0.0 { q / dof } else { f64::NAN };
        O::from_f64(if sqrt { var.sqrt() } else { var })
    });
    Ok(O::wrap(v))
}

/// The output of `nanvar` (`sqrt = false`) or `nanstd` from the combined partial.
pub(crate) fn finalize_var(p: &Partial, out: DType, ddof: u32, sqrt: bool) -> OxResult<Chunk> {
    match out {
        DType::Float32 => finalize_var_typed::<f32>(p, ddof, sqrt),
        DType::Float64 => finalize_var_typed::<f64>(p, ddof, sqrt),
        DType::Complex64 => finalize_var_typed::<C32>(p, ddof, sqrt),
        DType::Complex128 => finalize_var_typed::<C64>(p, ddof, sqrt),
        d => Err(internal(format!("nanvar into {d}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::IxDyn;

    fn chunk(v: Vec<f64>, shape: &[usize]) -> Chunk {
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
    }

    #[test]
    fn mean_partial_counts_non_nan_per_position() {
        let x = chunk(vec![1.0, f64::NAN, 3.0, f64::NAN, 5.0, f64::NAN], &[3, 2]);
        let p = partial_mean(&x, &[0], DType::Float64).unwrap();
        assert_eq!(part::<f64>(&p, 0).unwrap().as_slice().unwrap(), &[9.0, 0.0]);
        assert_eq!(part::<i64>(&p, 1).unwrap().as_slice().unwrap(), &[3, 0]);
        let q = partial_mean(&x, &[1], DType::Float64).unwrap();
        assert_eq!(
            part::<f64>(&q, 0).unwrap().as_slice().unwrap(),
            &[1.0, 3.0, 5.0]
        );
        assert_eq!(part::<i64>(&q, 1).unwrap().as_slice().unwrap(), &[1, 1, 1]);
    }

    #[test]
    fn long_runs_use_the_pairwise_fold() {
        let v: Vec<f64> = (0..1000)
            .map(|i| if i % 7 == 0 { f64::NAN } else { i as f64 })
            .collect();
        let want_sum: f64 = v.iter().filter(|x| !x.is_nan()).sum();
        let want_n = v.iter().filter(|x| !x.is_nan()).count() as i64;
        let p = partial_mean(&chunk(v, &[1000]), &[0], DType::Float64).unwrap();
        assert_eq!(part::<f64>(&p, 0).unwrap()[[0]], want_sum);
        assert_eq!(part::<i64>(&p, 1).unwrap()[[0]], want_n);
    }

    #[test]
    fn var_skips_nan_and_gives_nan_without_dof() {
        let x = chunk(vec![1.0, f64::NAN, 3.0, f64::NAN], &[4]);
        let p = partial_var(&x, &[0], DType::Float64).unwrap();
        let v = finalize_var(&p, DType::Float64, 0, false).unwrap();
        assert_eq!(v.as_array::<f64>().unwrap()[[0]], 1.0);
        let v = finalize_var(&p, DType::Float64, 2, true).unwrap();
        assert!(v.as_array::<f64>().unwrap()[[0]].is_nan());
    }

    #[test]
    fn integer_input_is_refused() {
        let x = Chunk::from_array(ArrayD::from_elem(IxDyn(&[2]), 1i64));
        assert!(partial_mean(&x, &[0], DType::Float64).is_err());
    }
}
