//! Dense linear algebra on chunks, on `faer`: the per-block pieces of TSQR (block QR, QR of stacked
//! R factors, the SVD of the final small R, the products that carry Q down the tree) and the
//! per-matrix kernels of batched ops. Inputs are C-ordered chunks; faer reads them in place through
//! strided views, results are copied once into new C-ordered chunks.
//!
//! Only float32/float64/complex64/complex128 are handled here (the Python front promotes integers
//! to float64 as NumPy does); any other dtype is NumPy's "array type ... is unsupported in linalg".

pub mod decomp;
pub mod dense;
pub mod eig;
pub mod stacked;
pub mod tsqr;

use faer::traits::math_utils::{
    abs1, from_f64, imag, mul_real, real, sqrt_max_positive, sqrt_min_positive,
};
use faer::traits::{ComplexField, Conjugate};
use faer::{MatMut, MatRef};
use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewMut2, Ix2};
use oxarray_core::{Chunk, Element, OxError, OxResult, C32, C64};

/// An element type faer factorizes, with the conversions between chunks and typed arrays.
pub trait Field: Element + ComplexField {
    fn chunk(a: ArrayD<Self>) -> Chunk;
    fn real_chunk(a: ArrayD<Self::Real>) -> Chunk;
    fn array(c: &Chunk) -> OxResult<&ArrayD<Self>>;
    /// A real value of this field as f64 (exact: the reals are f32 or f64).
    fn real_f64(r: &Self::Real) -> f64;
}

macro_rules! impl_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn chunk(a: ArrayD<Self>) -> Chunk {
                Chunk::from_array(a)
            }
            fn real_chunk(a: ArrayD<Self::Real>) -> Chunk {
                Chunk::from_array(a)
            }
            fn array(c: &Chunk) -> OxResult<&ArrayD<Self>> {
                crate::layout::typed::<Self>(c)
            }
            fn real_f64(r: &Self::Real) -> f64 {
                f64::from(*r)
            }
        }
    )*};
}
impl_field!(f32, f64, C32, C64);

/// `dispatch_field!(dtype, T => expr)`: `expr` with `T` the element type of a float or complex
/// dtype; any other dtype is NumPy's `TypeError`.
#[macro_export]
macro_rules! dispatch_field {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            oxarray_core::DType::Float32 => {
                type $t = f32;
                $body
            }
            oxarray_core::DType::Float64 => {
                type $t = f64;
                $body
            }
            oxarray_core::DType::Complex64 => {
                type $t = oxarray_core::C32;
                $body
            }
            oxarray_core::DType::Complex128 => {
                type $t = oxarray_core::C64;
                $body
            }
            other => Err(oxarray_core::OxError::DTypeNotSupported(format!(
                "array type {other} is unsupported in linalg"
            ))),
        }
    };
}

/// A 2-d view of a chunk (which must be 2-d).
pub fn view2<T: Field>(c: &Chunk) -> OxResult<ArrayView2<'_, T>> {
    T::array(c)?
        .view()
        .into_dimensionality::<Ix2>()
        .map_err(|e| OxError::Internal(format!("linalg: expected a matrix: {e}")))
}

/// faer's view of an ndarray matrix, without a copy (any strides).
pub fn as_faer<'a, T: Field>(a: &ArrayView2<'a, T>) -> MatRef<'a, T> {
    let (r, c) = a.dim();
    let s = a.strides();
    // SAFETY: the pointer, shape and strides describe exactly the live elements of `a`, which
    // outlive the returned view ('a) and are not written while it exists.
    unsafe { MatRef::from_raw_parts(a.as_ptr(), r, c, s[0], s[1]) }
}

/// faer's mutable view of an ndarray matrix, without a copy.
pub fn as_faer_mut<'a, T: Field>(a: &'a mut ArrayViewMut2<'_, T>) -> MatMut<'a, T> {
    let (r, c) = a.dim();
    let s = a.strides().to_vec();
    // SAFETY: as in `as_faer`; the exclusive borrow of `a` makes the view unique.
    unsafe { MatMut::from_raw_parts_mut(a.as_mut_ptr(), r, c, s[0], s[1]) }
}

/// A faer matrix copied into a C-ordered array.
pub fn to_array<T: Field, C: Conjugate<Canonical = T>>(m: MatRef<'_, C>) -> Array2<T> {
    let mut out = Array2::<T>::default((m.nrows(), m.ncols()));
    as_faer_mut(&mut out.view_mut()).copy_from(m);
    out
}

/// A C-ordered 2-d array as a chunk.
pub fn chunk2<T: Field>(a: Array2<T>) -> Chunk {
    T::chunk(a.into_dyn())
}

/// The binary exponent `e` of the largest magnitude in `a` when it lies outside
/// `[sqrt(min positive), sqrt(max positive)]` of the element type (where faer's SVD loses
/// precision or overflows), so that `a * 2^-e` has entries of magnitude in `[1, 2)`; `None` when
/// no rescaling is needed (or `a` is zero, or holds inf/NaN: those stay as they are).
pub(crate) fn rescale_exponent<T: Field>(a: &ArrayView2<'_, T>) -> Option<i32> {
    let amax = a.iter().fold(0.0f64, |m, x| {
        let re = T::real_f64(&abs1(&real(x)));
        let im = T::real_f64(&abs1(&imag(x)));
        m.max(re).max(im)
    });
    let low = T::real_f64(&sqrt_min_positive::<T::Real>());
    let high = T::real_f64(&sqrt_max_positive::<T::Real>());
    if amax == 0.0 || !amax.is_finite() || (low..=high).contains(&amax) {
        return None;
    }
    Some(amax.log2().floor() as i32)
}

/// `x * 2^e`, in two exactly representable halves (2^e alone overflows for |e| > 1023).
pub(crate) fn mul_pow2_by<T: Field>(x: &T, e: i32) -> T {
    let half = e / 2;
    let first = from_f64::<T::Real>(2f64.powi(half));
    let second = from_f64::<T::Real>(2f64.powi(e - half));
    mul_real(&mul_real(x, &first), &second)
}

pub(crate) fn not_converged(what: &str) -> OxError {
    OxError::LinAlg(format!("{what} did not converge"))
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A deterministic pseudo-random m x n matrix (a small LCG; the tests need no rng crate).
    pub fn matrix(m: usize, n: usize, seed: u64) -> Array2<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Array2::from_shape_fn((m, n), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
        })
    }

    pub fn close(a: &ArrayView2<f64>, b: &ArrayView2<f64>, tol: f64) -> bool {
        a.dim() == b.dim() && a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() <= tol)
    }
}
