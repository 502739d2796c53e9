//! Per-matrix dense kernels of NumPy's stacked linalg functions (`solve`, `inv`, `det`, `slogdet`,
//! `cholesky`): a chunk of shape `(..., m, m)` holds whole matrices in its last two axes, and each
//! kernel runs once per matrix of the leading (batch) axes.
//!
//! Singularity is LAPACK's test (an exact zero pivot of the partial-pivoting LU), so the same
//! inputs raise `LinAlgError("Singular matrix")` as in NumPy.

use super::{as_faer, to_array, Field};
use crate::dispatch_field;
use faer::linalg::solvers::{DenseSolveCore, PartialPivLu, Solve};
use faer::traits::math_utils::{abs, add, mul, mul_real, nan, neg, one, recip, zero};
use faer::Side;
use ndarray::{Array2, ArrayD, ArrayView2, ArrayView3, Axis, CowArray, Ix3, IxDyn};
use oxarray_core::{Chunk, OxError, OxResult, C32, C64};

/// The logarithm of a modulus (faer's traits have no `ln`).
pub trait LnAbs: Field {
    fn ln_abs(x: &Self) -> Self::Real;
    fn neg_inf() -> Self::Real;
}
macro_rules! impl_ln {
    ($($t:ty => $abs:ident),*) => {$(
        impl LnAbs for $t {
            fn ln_abs(x: &Self) -> Self::Real {
                x.$abs().ln()
            }
            fn neg_inf() -> Self::Real {
                Self::Real::NEG_INFINITY
            }
        }
    )*};
}
impl_ln!(f32 => abs, f64 => abs, C32 => norm, C64 => norm);

fn singular_matrix() -> OxError {
    OxError::LinAlg("Singular matrix".into())
}

/// The chunk as `(batch, rows, cols)`, with its batch shape.
pub(crate) fn stack<T: Field>(c: &Chunk) -> OxResult<(Vec<usize>, CowArray<'_, T, Ix3>)> {
    let a = T::array(c)?;
    let nd = a.ndim();
    if nd < 2 {
        return Err(OxError::Internal(
            "linalg: expected a stack of matrices".into(),
        ));
    }
    let batch = a.shape()[..nd - 2].to_vec();
    let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    let b = batch.iter().product::<usize>();
    let s = a
        .to_shape((b, m, n))
        .map_err(|e| OxError::Internal(format!("linalg: {e}")))?;
    Ok((batch, s))
}

pub(crate) fn with_shape<T>(shape: Vec<usize>, data: Vec<T>) -> OxResult<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(&shape), data)
        .map_err(|e| OxError::Internal(format!("linalg: {e}")))
}

/// Applies `f` to each matrix, stacking the `(r, c)` results into `(..., r, c)`.
fn map_mats<T: Field>(
    s: &ArrayView3<'_, T>,
    batch: &[usize],
    (r, c): (usize, usize),
    mut f: impl FnMut(ArrayView2<'_, T>, usize) -> OxResult<Array2<T>>,
) -> OxResult<ArrayD<T>> {
    let mut data = Vec::with_capacity(s.len_of(Axis(0)) * r * c);
    for (i, m) in s.axis_iter(Axis(0)).enumerate() {
        data.extend(f(m, i)?.iter().copied());
    }
    let mut shape = batch.to_vec();
    shape.extend([r, c]);
    with_shape(shape, data)
}

/// The LU of a square matrix, the sign of its row permutation, and whether a pivot is exactly
/// zero (LAPACK's singular).
fn lu<T: Field>(a: ArrayView2<'_, T>) -> (PartialPivLu<T>, T, bool) {
    let f = as_faer(&a).partial_piv_lu();
    let u = f.U();
    let singular = (0..u.nrows()).any(|i| u[(i, i)] == zero::<T>());
    let fwd = f.P().arrays().0;
    let mut seen = vec![false; fwd.len()];
    let mut odd = false;
    for start in 0..fwd.len() {
        let (mut j, mut len) = (start, 0usize);
        while !seen[j] {
            seen[j] = true;
            j = fwd[j];
            len += 1;
        }
        // A cycle of even length is an odd permutation.
        odd ^= len > 0 && len % 2 == 0;
    }
    let sign = if odd { neg(&one::<T>()) } else { one() };
    (f, sign, singular)
}

fn det_one<T: Field>(a: ArrayView2<'_, T>) -> T {
    if a.nrows() == 0 {
        return one();
    }
    let (f, mut d, singular) = lu(a);
    if singular {
        return zero();
    }
    let u = f.U();
    for i in 0..u.nrows() {
        d = mul(&d, &u[(i, i)]);
    }
    d
}

/// `det` of each matrix: shape `(...)`; 1 for 0x0 matrices.
pub fn det(a: &Chunk) -> OxResult<Chunk> {
    dispatch_field!(a.dtype(), T => {
        let (batch, s) = stack::<T>(a)?;
        let data: Vec<T> = s.axis_iter(Axis(0)).map(det_one).collect();
        Ok(T::chunk(with_shape(batch, data)?))
    })
}

/// `(sign, logabsdet)` of each matrix; a singular matrix gives `(0, -inf)` as in NumPy.
pub fn slogdet(a: &Chunk) -> OxResult<(Chunk, Chunk)> {
    dispatch_field!(a.dtype(), T => slogdet_typed::<T>(a))
}

fn slogdet_typed<T: LnAbs>(a: &Chunk) -> OxResult<(Chunk, Chunk)> {
    let (batch, s) = stack::<T>(a)?;
    let (mut signs, mut logs) = (Vec::new(), Vec::new());
    for m in s.axis_iter(Axis(0)) {
        if m.nrows() == 0 {
            signs.push(one::<T>());
            logs.push(zero::<T::Real>());
            continue;
        }
        let (f, mut sign, singular) = lu(m);
        if singular {
            signs.push(zero::<T>());
            logs.push(T::neg_inf());
            continue;
        }
        // The sign from the unit-modulus factors, the log summed so large matrices don't overflow.
        let u = f.U();
        let mut log = zero::<T::Real>();
        for i in 0..u.nrows() {
            let p = u[(i, i)];
            sign = mul(&sign, &mul_real(&p, &recip(&abs(&p))));
            log = add(&log, &T::ln_abs(&p));
        }
        signs.push(sign);
        logs.push(log);
    }
    Ok((
        T::chunk(with_shape(batch.clone(), signs)?),
        T::real_chunk(with_shape(batch, logs)?),
    ))
}

/// The inverse of each matrix.
pub fn inv(a: &Chunk, nan_if_singular: bool) -> OxResult<Chunk> {
    dispatch_field!(a.dtype(), T => {
        let (batch, s) = stack::<T>(a)?;
        let n = s.len_of(Axis(1));
        let out = map_mats(&s.view(), &batch, (n, n), |m, _| {
            if n == 0 {
                return Ok(Array2::default((0, 0)));
            }
            let (f, _, singular) = lu(m);
            if singular && nan_if_singular {
                return Ok(Array2::from_elem((n, n), nan::<T>()));
            }
            if singular {
                return Err(singular_matrix());
            }
            Ok(to_array(f.inverse().as_ref()))
        })?;
        Ok(T::chunk(out))
    })
}

/// `x` with `a @ x = b` for each matrix: a `(..., m, m)`, b `(..., m, k)` with the same batch.
pub fn solve(a: &Chunk, b: &Chunk) -> OxResult<Chunk> {
    dispatch_field!(a.dtype(), T => {
        let (batch, s) = stack::<T>(a)?;
        let (_, rhs) = stack::<T>(b)?;
        let (m, k) = (rhs.len_of(Axis(1)), rhs.len_of(Axis(2)));
        if rhs.len_of(Axis(0)) != s.len_of(Axis(0)) || s.len_of(Axis(1)) != m {
            return Err(OxError::Internal("solve: operands do not match".into()));
        }
        let out = map_mats(&s.view(), &batch, (m, k), |mat, i| {
            if m == 0 {
                return Ok(Array2::default((0, k)));
            }
            let (f, _, singular) = lu(mat);
            if singular {
                return Err(singular_matrix());
            }
            let r = rhs.index_axis(Axis(0), i);
            Ok(to_array(f.solve(as_faer(&r)).as_ref()))
        })?;
        Ok(T::chunk(out))
    })
}

/// The Cholesky factor of each Hermitian positive-definite matrix: `L` from the lower triangle,
/// or with `upper` `U = L^H` from the upper triangle (NumPy's `cholesky_lo`/`cholesky_up` read
/// only that triangle, so a non-Hermitian input gives the same answer as in NumPy).
pub fn cholesky(a: &Chunk, upper: bool) -> OxResult<Chunk> {
    dispatch_field!(a.dtype(), T => {
        let (batch, s) = stack::<T>(a)?;
        let n = s.len_of(Axis(1));
        let out = map_mats(&s.view(), &batch, (n, n), |m, _| {
            if n == 0 {
                return Ok(Array2::default((0, 0)));
            }
            let side = if upper { Side::Upper } else { Side::Lower };
            let f = as_faer(&m)
                .llt(side)
                .map_err(|_| OxError::LinAlg("Matrix is not positive definite".into()))?;
            let l = f.L();
            Ok(if upper { to_array(l.adjoint()) } else { to_array(l) })
        })?;
        Ok(T::chunk(out))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::testing::{close, matrix};
    use crate::linalg::{chunk2, view2};

    fn stack2(ms: &[Array2<f64>]) -> Chunk {
        let (r, c) = ms[0].dim();
        let data: Vec<f64> = ms.iter().flat_map(|m| m.iter().copied()).collect();
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[ms.len(), r, c]), data).unwrap())
    }

    #[test]
    fn det_slogdet_and_singular() {
        let a = ndarray::array![[0.0, 2.0], [3.0, 4.0]];
        let d = det(&chunk2(a.clone())).unwrap();
        assert!((f64::array(&d).unwrap()[[]] - (-6.0)).abs() < 1e-12);
        let (s, l) = slogdet(&chunk2(a)).unwrap();
        assert_eq!(f64::array(&s).unwrap()[[]], -1.0);
        assert!((f64::array(&l).unwrap()[[]] - 6f64.ln()).abs() < 1e-12);
        let z = ndarray::array![[0.0, 0.0], [0.0, 1.0]];
        assert_eq!(
            f64::array(&det(&chunk2(z.clone())).unwrap()).unwrap()[[]],
            0.0
        );
        let (s, l) = slogdet(&chunk2(z.clone())).unwrap();
        assert_eq!(f64::array(&s).unwrap()[[]], 0.0);
        assert_eq!(f64::array(&l).unwrap()[[]], f64::NEG_INFINITY);
        assert!(matches!(inv(&chunk2(z), false), Err(OxError::LinAlg(_))));
        let e = Array2::<f64>::zeros((0, 0));
        assert_eq!(f64::array(&det(&chunk2(e)).unwrap()).unwrap()[[]], 1.0);
    }

    #[test]
    fn batched_inv_solve_cholesky() {
        let ms: Vec<Array2<f64>> = (0..3)
            .map(|s| matrix(4, 4, s) + Array2::<f64>::eye(4) * 3.0)
            .collect();
        let out = inv(&stack2(&ms), false).unwrap();
        let out = f64::array(&out).unwrap();
        for (i, m) in ms.iter().enumerate() {
            let x = out
                .index_axis(Axis(0), i)
                .into_dimensionality::<ndarray::Ix2>()
                .unwrap();
            assert!(close(
                &m.dot(&x).view(),
                &Array2::<f64>::eye(4).view(),
                1e-10
            ));
        }
        let bs: Vec<Array2<f64>> = (0..3).map(|s| matrix(4, 2, 10 + s)).collect();
        let x = solve(&stack2(&ms), &stack2(&bs)).unwrap();
        let x = f64::array(&x).unwrap();
        for i in 0..3 {
            let xi = x
                .index_axis(Axis(0), i)
                .into_dimensionality::<ndarray::Ix2>()
                .unwrap();
            assert!(close(&ms[i].dot(&xi).view(), &bs[i].view(), 1e-10));
        }
        let spd = ms[0].t().dot(&ms[0]) + Array2::<f64>::eye(4);
        let l = cholesky(&chunk2(spd.clone()), false).unwrap();
        let l = view2::<f64>(&l).unwrap().to_owned();
        assert!(close(&l.dot(&l.t()).view(), &spd.view(), 1e-10));
        assert_eq!(l[[0, 1]], 0.0);
        let u = cholesky(&chunk2(spd), true).unwrap();
        assert!(close(&view2::<f64>(&u).unwrap(), &l.t(), 1e-14));
        // NumPy's cholesky_up reads only the upper triangle: a lower triangle that is not
        // positive definite does not matter.
        let skew = ndarray::array![[4.0, 2.0], [100.0, 9.0]];
        let u = cholesky(&chunk2(skew.clone()), true).unwrap();
        let u = view2::<f64>(&u).unwrap().to_owned();
        assert!(close(
            &u.t().dot(&u).view(),
            &ndarray::array![[4.0, 2.0], [2.0, 9.0]].view(),
            1e-12
        ));
        assert!(cholesky(&chunk2(skew), false).is_err());
        let bad = ndarray::array![[1.0, 2.0], [2.0, 1.0]];
        assert!(matches!(
            cholesky(&chunk2(bad), false),
            Err(OxError::LinAlg(_))
        ));
    }
}
