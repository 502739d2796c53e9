//! Per-matrix eigendecompositions of NumPy's `eigh`/`eigvalsh` (Hermitian: real eigenvalues in
//! ascending order) and `eig`/`eigvals` (general: complex eigenvalues), over a stack of matrices
//! `(..., n, n)` held in one chunk.
//!
//! `eig` always returns complex eigenvalues and eigenvectors: NumPy returns a real array when
//! every imaginary part of a real input's eigenvalues is zero, but that depends on the data and a
//! lazy array needs its dtype when it is built. Eigenvectors are scaled as LAPACK's `geev` scales
//! them (unit Euclidean norm, largest component real), so they match NumPy's up to the order of
//! the eigenvalues (which LAPACK does not define either).

use super::dense::{stack, with_shape};
use super::{as_faer, not_converged, Field};
use crate::dispatch_field;
use faer::traits::math_utils::real;
use faer::Side;
use ndarray::Axis;
use num_complex::Complex;
use oxarray_core::{Chunk, OxError, OxResult, C32, C64};

/// A field whose complex counterpart holds `eig`'s results.
pub trait EigField: Field {
    fn complex_chunk(a: ndarray::ArrayD<Complex<Self::Real>>) -> Chunk;
    fn is_finite(x: &Self) -> bool;
    /// The eigenvector scaled as LAPACK's `geev` leaves it (see [`geev_scaled`]).
    fn geev_scaled(x: Vec<Complex<Self::Real>>) -> Vec<Complex<Self::Real>>;
}
macro_rules! impl_eig {
    ($($t:ty => $finite:expr),*) => {$(
        impl EigField for $t {
            fn complex_chunk(a: ndarray::ArrayD<Complex<Self::Real>>) -> Chunk {
                Chunk::from_array(a)
            }
            fn is_finite(x: &Self) -> bool {
                $finite(x)
            }
            fn geev_scaled(x: Vec<Complex<Self::Real>>) -> Vec<Complex<Self::Real>> {
                geev_scaled(x)
            }
        }
    )*};
}
impl_eig!(
    f32 => |x: &f32| x.is_finite(),
    f64 => |x: &f64| x.is_finite(),
    C32 => |x: &C32| x.is_finite(),
    C64 => |x: &C64| x.is_finite()
);

/// Eigenvalues `(..., n)` (real, ascending) and, with `vectors`, eigenvectors `(..., n, n)` (as
/// columns) of Hermitian matrices; only the lower (or, with `upper`, the upper) triangle is read.
pub fn eigh(a: &Chunk, upper: bool, vectors: bool) -> OxResult<(Chunk, Option<Chunk>)> {
    dispatch_field!(a.dtype(), T => eigh_typed::<T>(a, upper, vectors))
}

fn eigh_typed<T: Field>(a: &Chunk, upper: bool, vectors: bool) -> OxResult<(Chunk, Option<Chunk>)> {
    let (batch, s) = stack::<T>(a)?;
    let n = s.len_of(Axis(1));
    let side = if upper { Side::Upper } else { Side::Lower };
    let (mut w, mut v) = (Vec::<T::Real>::new(), Vec::<T>::new());
    for m in s.axis_iter(Axis(0)) {
        if n == 0 {
            continue;
        }
        let fm = as_faer(&m);
        if !vectors {
            w.extend(
                fm.self_adjoint_eigenvalues(side)
                    .map_err(|_| not_converged("Eigenvalues"))?,
            );
            continue;
        }
        let f = fm
            .self_adjoint_eigen(side)
            .map_err(|_| not_converged("Eigenvalues"))?;
        w.extend(f.S().column_vector().iter().map(real));
        let u = f.U();
        // Row-major copy of the n x n eigenvector matrix.
        for i in 0..n {
            for j in 0..n {
                v.push(u[(i, j)]);
            }
        }
    }
    let mut wshape = batch.clone();
    wshape.push(n);
    let wc = T::real_chunk(with_shape(wshape, w)?);
    let vc = if vectors {
        let mut vshape = batch;
        vshape.extend([n, n]);
        Some(T::chunk(with_shape(vshape, v)?))
    } else {
        None
    };
    Ok((wc, vc))
}

/// Eigenvalues `(..., n)` and, with `vectors`, right eigenvectors `(..., n, n)` of general
/// matrices, always complex. Infinite or NaN entries are NumPy's `LinAlgError`.
pub fn eig(a: &Chunk, vectors: bool) -> OxResult<(Chunk, Option<Chunk>)> {
    dispatch_field!(a.dtype(), T => eig_typed::<T>(a, vectors))
}

fn eig_typed<T: EigField>(a: &Chunk, vectors: bool) -> OxResult<(Chunk, Option<Chunk>)> {
    let (batch, s) = stack::<T>(a)?;
    if !s.iter().all(T::is_finite) {
        return Err(OxError::LinAlg(
            "Array must not contain infs or NaNs".into(),
        ));
    }
    let n = s.len_of(Axis(1));
    let (mut w, mut v) = (Vec::new(), Vec::new());
    for m in s.axis_iter(Axis(0)) {
        if n == 0 {
            continue;
        }
        let fm = as_faer(&m);
        if !vectors {
            w.extend(fm.eigenvalues().map_err(|_| not_converged("Eigenvalues"))?);
            continue;
        }
        let f = fm.eigen().map_err(|_| not_converged("Eigenvalues"))?;
        w.extend(f.S().column_vector().iter().cloned());
        let u = f.U();
        let mut cols: Vec<Vec<Complex<T::Real>>> = Vec::with_capacity(n);
        for j in 0..n {
            cols.push(T::geev_scaled((0..n).map(|i| u[(i, j)].clone()).collect()));
        }
        for i in 0..n {
            for col in &cols {
                v.push(col[i].clone());
            }
        }
    }
    let mut wshape = batch.clone();
    wshape.push(n);
    let wc = T::complex_chunk(with_shape(wshape, w)?);
    let vc = if vectors {
        let mut vshape = batch;
        vshape.extend([n, n]);
        Some(T::complex_chunk(with_shape(vshape, v)?))
    } else {
        None
    };
    Ok((wc, vc))
}

/// An eigenvector scaled as LAPACK's `geev` leaves it: unit norm, its largest component real.
fn geev_scaled<R: num_traits::Float>(mut x: Vec<Complex<R>>) -> Vec<Complex<R>> {
    let (mut norm2, mut big, mut at) = (R::zero(), R::zero(), 0);
    for (i, c) in x.iter().enumerate() {
        let m = c.norm_sqr();
        norm2 = norm2 + m;
        if m > big {
            big = m;
            at = i;
        }
    }
    if norm2 == R::zero() {
        return x;
    }
    // Multiplying by conj(x[at]) / (|x[at]| |x|) makes x[at] real positive and |x| = 1.
    let scale = (big * norm2).sqrt().recip();
    let phase = x[at].conj();
    for c in x.iter_mut() {
        *c = *c * phase * scale;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::chunk2;
    use crate::linalg::testing::matrix;

    #[test]
    fn eigh_is_ascending_and_reconstructs() {
        let b = matrix(5, 5, 7);
        let a = &b + &b.t();
        let (w, v) = eigh(&chunk2(a.clone()), false, true).unwrap();
        let w = f64::array(&w).unwrap().clone();
        let v = f64::array(&v.unwrap()).unwrap().clone();
        let w: Vec<f64> = w.iter().copied().collect();
        assert!(w.windows(2).all(|p| p[0] <= p[1]));
        let v = v.into_dimensionality::<ndarray::Ix2>().unwrap();
        let av = a.dot(&v);
        for j in 0..5 {
            for i in 0..5 {
                assert!((av[[i, j]] - v[[i, j]] * w[j]).abs() < 1e-10);
            }
        }
        // Only the named triangle is read.
        let mut lower = a.clone();
        lower[[0, 4]] = 1e9;
        let (w2, _) = eigh(&chunk2(lower), false, false).unwrap();
        let w2: Vec<f64> = f64::array(&w2).unwrap().iter().copied().collect();
        assert!(w.iter().zip(&w2).all(|(x, y)| (x - y).abs() < 1e-10));
    }

    #[test]
    fn eig_reconstructs_and_rejects_nan() {
        let a = ndarray::array![[0.0, -1.0], [1.0, 0.0]];
        let (w, v) = eig(&chunk2(a.clone()), true).unwrap();
        let w = C64::array(&w).unwrap().clone();
        let v = C64::array(&v.unwrap()).unwrap().clone();
        for j in 0..2 {
            for i in 0..2 {
                let av: C64 = (0..2).map(|k| v[[k, j]] * a[[i, k]]).sum();
                assert!((av - v[[i, j]] * w[[j]]).norm() < 1e-12);
            }
            let n: f64 = (0..2).map(|i| v[[i, j]].norm_sqr()).sum();
            assert!((n - 1.0).abs() < 1e-12);
        }
        let bad = ndarray::array![[f64::NAN, 0.0], [0.0, 1.0]];
        assert!(matches!(eig(&chunk2(bad), false), Err(OxError::LinAlg(_))));
    }
}
