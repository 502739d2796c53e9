//! Whole-matrix factorizations of one (small) matrix: the SVD that finishes TSQR, and the
//! per-matrix kernels of batched ops.

use super::{
    as_faer, chunk2, mul_pow2_by, not_converged, rescale_exponent, to_array, view2, Field,
};
use crate::dispatch_field;
use faer::traits::math_utils::{from_real, real};
use ndarray::{Array1, Array2, ArrayView2};
use oxarray_core::{Chunk, OxResult};

/// The factors of `a = u @ diag(s) @ vh`; `u` and `vh` only when asked for.
pub struct SvdParts {
    pub u: Option<Chunk>,
    pub s: Chunk,
    pub vh: Option<Chunk>,
}

/// SVD of one matrix: thin (`u` m x k, `vh` k x n) or full (`u` m x m, `vh` n x n), `k = min(m, n)`.
pub fn svd(a: &Chunk, full: bool, uv: bool) -> OxResult<SvdParts> {
    dispatch_field!(a.dtype(), T => svd_typed::<T>(view2::<T>(a)?, full, uv))
}

fn svd_typed<T: Field>(a: ArrayView2<'_, T>, full: bool, uv: bool) -> OxResult<SvdParts> {
    let (u, s, vh) = svd_mat(a, full, uv)?;
    Ok(SvdParts {
        u: u.map(chunk2),
        s: T::real_chunk(s.into_dyn()),
        vh: vh.map(chunk2),
    })
}

/// The SVD of one matrix as typed arrays: `(u, s, vh)`, `u` and `vh` only with `uv`.
pub(crate) type SvdMat<T> = (
    Option<Array2<T>>,
    Array1<<T as faer::traits::ComplexField>::Real>,
    Option<Array2<T>>,
);

pub(crate) fn svd_mat<T: Field>(a: ArrayView2<'_, T>, full: bool, uv: bool) -> OxResult<SvdMat<T>> {
    let (m, n) = a.dim();
    let k = m.min(n);
    let (uc, vc) = if full { (m, n) } else { (k, k) };
    if k == 0 {
        // Nothing to factor: the (full) bases are identities.
        let eye = |r: usize, c: usize| {
            Array2::from_shape_fn((r, c), |(i, j)| {
                if i == j {
                    faer::traits::math_utils::one::<T>()
                } else {
                    T::default()
                }
            })
        };
        let s = Array1::<T::Real>::from(Vec::new());
        return Ok((uv.then(|| eye(m, uc)), s, uv.then(|| eye(vc, n))));
    }
    // faer's SVD squares and sums entries on the way: near the ends of the exponent range it
    // overflows ("did not converge") or flushes subnormal singular values to zero. LAPACK
    // (NumPy) rescales first; so do we, by a power of two, which is exact and leaves u and vh
    // unchanged.
    let exponent = rescale_exponent(&a);
    let scaled = exponent.map(|e| a.mapv(|x| mul_pow2_by(&x, -e)));
    let view = match &scaled {
        Some(m) => m.view(),
        None => a.view(),
    };
    let unscale = |s: Array1<T::Real>| match exponent {
        Some(e) => s.mapv(|v| real(&mul_pow2_by(&from_real::<T>(&v), e))),
        None => s,
    };
    let fa = as_faer(&view);
    if !uv {
        let s = fa.singular_values().map_err(|_| not_converged("SVD"))?;
        return Ok((None, unscale(Array1::from(s)), None));
    }
    let f = if full { fa.svd() } else { fa.thin_svd() }.map_err(|_| not_converged("SVD"))?;
    let s: Array1<T::Real> = f.S().column_vector().iter().map(real).collect();
    Ok((
        Some(to_array(f.U())),
        unscale(s),
        Some(to_array(f.V().adjoint())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::testing::{close, matrix};

    #[test]
    fn singular_values_survive_the_ends_of_the_exponent_range() {
        let svals = |a: Array2<f64>| {
            let p = svd(&chunk2(a), false, false).unwrap();
            f64::array(&p.s)
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<_>>()
        };
        // Near f64::MAX: the squares overflow unless the matrix is rescaled first.
        let big = ndarray::arr2(&[[1e308, 1e308], [-1e308, 1e308]]);
        let s = svals(big);
        assert!(
            s.iter()
                .all(|v| (v / 1.4142135623730951e308 - 1.0).abs() < 1e-14),
            "{s:?}"
        );
        // Subnormal singular values are kept, not flushed to zero.
        let tiny = ndarray::arr2(&[[5e-324, 0.0], [0.0, 1e-310]]);
        assert_eq!(svals(tiny), vec![1e-310, 5e-324]);
        // Ordinary matrices are untouched (no rescaling, identical values).
        let a = matrix(5, 3, 7);
        let scaled = a.mapv(|x| x * 2f64.powi(-1060));
        let s1 = svals(a);
        let s2 = svals(scaled);
        for (x, y) in s1.iter().zip(&s2) {
            assert!((x * 2f64.powi(-1060) - y).abs() <= 1e-14 * y.abs().max(f64::MIN_POSITIVE));
        }
    }

    #[test]
    fn svd_reconstructs_with_sorted_singular_values() {
        for (m, n, full) in [(6, 4, false), (4, 6, false), (5, 3, true), (3, 5, true)] {
            let a = matrix(m, n, 3);
            let p = svd(&chunk2(a.clone()), full, true).unwrap();
            let u = view2::<f64>(p.u.as_ref().unwrap()).unwrap().to_owned();
            let vh = view2::<f64>(p.vh.as_ref().unwrap()).unwrap().to_owned();
            let s = f64::array(&p.s).unwrap().clone();
            let k = m.min(n);
            assert!(s.iter().zip(s.iter().skip(1)).all(|(a, b)| a >= b));
            let us = u.slice(ndarray::s![.., ..k]).to_owned()
                * s.view().into_dimensionality::<ndarray::Ix1>().unwrap();
            let rec = us.dot(&vh.slice(ndarray::s![..k, ..]));
            assert!(close(&rec.view(), &a.view(), 1e-12));
            assert!(close(
                &u.t().dot(&u).view(),
                &Array2::eye(u.ncols()).view(),
                1e-12
            ));
            let only = svd(&chunk2(a.clone()), full, false).unwrap();
            assert!(close(
                &f64::array(&only.s)
                    .unwrap()
                    .view()
                    .insert_axis(ndarray::Axis(0))
                    .into_dimensionality()
                    .unwrap(),
                &s.view()
                    .insert_axis(ndarray::Axis(0))
                    .into_dimensionality()
                    .unwrap(),
                1e-12
            ));
        }
    }
}
