//! Discrete Fourier transforms on `rustfft`/`realfft` (NumPy's `np.fft`).
//!
//! Two families of kernels, both pure functions of chunk buffers:
//! - [`lanes`]: the transform of every lane of a chunk along one axis that the chunk holds whole
//!   (complex, real-to-complex and complex-to-real; cropped or zero-padded to `n` points, scaled,
//!   optionally conjugated on the way in or out, which is how `hfft`/`ihfft` are built).
//! - [`four_step`]: the three stages of Bailey's four-step FFT, which lets one long 1-d transform
//!   split across chunks run as many tasks (length-`n2` FFTs of columns, twiddles, length-`n1`
//!   FFTs of rows, and the final transpose into contiguous output blocks).
//!
//! Plans are cached per length and direction by one planner per precision (rustfft's planner
//! keeps them), so a graph of many tasks of one length plans once. Work inside a chunk is spread
//! over lanes with rayon. Computation runs in the input's precision, as NumPy's pocketfft does:
//! float32/complex64 in single precision, float64/complex128 in double.

pub mod four_step;
pub mod lanes;
#[cfg(test)]
mod tests;

use num_complex::Complex;
use oxarray_core::{Chunk, DType, OxError, OxResult};
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftNum, FftPlanner};
use std::sync::{Arc, Mutex, OnceLock};

pub use four_step::FourStep;
pub use lanes::{LaneSpec, Transform};

/// A floating-point type rustfft computes in (f32 or f64), with its planners and chunk wrappers.
pub trait FftFloat: FftNum + num_traits::Float + oxarray_core::Element {
    fn planner() -> &'static Mutex<FftPlanner<Self>>;
    fn real_planner() -> &'static Mutex<RealFftPlanner<Self>>;
    fn real_chunk(v: Vec<Self>, shape: &[usize]) -> OxResult<Chunk>;
    fn complex_chunk(v: Vec<Complex<Self>>, shape: &[usize]) -> OxResult<Chunk>;
    /// The chunk's elements as a read-only source of this precision, or `None`.
    fn source(c: &Chunk) -> Option<Source<'_, Self>>;
    fn cast(v: f64) -> Self;
    fn widen(self) -> f64;
    /// A zeroed buffer of `n` complex values (`MemoryError` when it cannot be allocated).
    fn czeros(n: usize) -> OxResult<Vec<Complex<Self>>>;
}

macro_rules! impl_fft_float {
    ($t:ty, $real:ident, $cplx:ident) => {
        impl FftFloat for $t {
            fn planner() -> &'static Mutex<FftPlanner<Self>> {
                static P: OnceLock<Mutex<FftPlanner<$t>>> = OnceLock::new();
                P.get_or_init(|| Mutex::new(FftPlanner::new()))
            }
            fn real_planner() -> &'static Mutex<RealFftPlanner<Self>> {
                static P: OnceLock<Mutex<RealFftPlanner<$t>>> = OnceLock::new();
                P.get_or_init(|| Mutex::new(RealFftPlanner::new()))
            }
            fn real_chunk(v: Vec<Self>, shape: &[usize]) -> OxResult<Chunk> {
                array(v, shape).map(Chunk::$real)
            }
            fn complex_chunk(v: Vec<Complex<Self>>, shape: &[usize]) -> OxResult<Chunk> {
                array(v, shape).map(Chunk::$cplx)
            }
            fn source(c: &Chunk) -> Option<Source<'_, Self>> {
                match c {
                    Chunk::$real(a) => a.as_slice().map(Source::Real),
                    Chunk::$cplx(a) => a.as_slice().map(Source::Complex),
                    _ => None,
                }
            }
            fn cast(v: f64) -> Self {
                v as $t
            }
            fn widen(self) -> f64 {
                self as f64
            }
            fn czeros(n: usize) -> OxResult<Vec<Complex<Self>>> {
                oxarray_core::buffer::zeroed_vec::<Complex<$t>>(n)
            }
        }
    };
}
impl_fft_float!(f32, Float32, Complex64);
impl_fft_float!(f64, Float64, Complex128);

fn array<T>(v: Vec<T>, shape: &[usize]) -> OxResult<ndarray::ArrayD<T>> {
    ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), v)
        .map_err(|e| OxError::Internal(format!("fft: {e}")))
}

/// The elements of an input chunk, real or complex, in the precision of the transform.
#[derive(Clone, Copy)]
pub enum Source<'a, T> {
    Real(&'a [T]),
    Complex(&'a [Complex<T>]),
}

impl<T: FftFloat> Source<'_, T> {
    pub fn len(&self) -> usize {
        match self {
            Source::Real(s) => s.len(),
            Source::Complex(s) => s.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Copies `dst.len()` elements from `start` on, as complex numbers.
    #[inline]
    pub fn load_run(&self, start: usize, dst: &mut [Complex<T>]) {
        match self {
            Source::Complex(s) => dst.copy_from_slice(&s[start..start + dst.len()]),
            Source::Real(s) => {
                let n = dst.len();
                for (d, &v) in dst.iter_mut().zip(&s[start..start + n]) {
                    *d = Complex::new(v, T::zero());
                }
            }
        }
    }
    /// Copies `dst.len()` elements from `start` on, keeping real parts.
    #[inline]
    pub fn load_run_real(&self, start: usize, dst: &mut [T]) {
        match self {
            Source::Real(s) => dst.copy_from_slice(&s[start..start + dst.len()]),
            Source::Complex(s) => {
                let n = dst.len();
                for (d, v) in dst.iter_mut().zip(&s[start..start + n]) {
                    *d = v.re;
                }
            }
        }
    }
}

/// The input of a kernel as a source of precision `T`, with an internal error otherwise (the
/// graph casts every input to the transform's precision first).
pub(crate) fn source_of<T: FftFloat>(c: &Chunk) -> OxResult<Source<'_, T>> {
    T::source(c).ok_or_else(|| {
        OxError::Internal(format!(
            "fft: input chunk of dtype {} does not match the transform's precision",
            c.dtype()
        ))
    })
}

/// The complex FFT of `len` points in the given direction (cached by the planner).
pub(crate) fn plan_c2c<T: FftFloat>(len: usize, inverse: bool) -> Arc<dyn Fft<T>> {
    let mut p = T::planner().lock().unwrap_or_else(|e| e.into_inner());
    if inverse {
        p.plan_fft_inverse(len)
    } else {
        p.plan_fft_forward(len)
    }
}

pub(crate) fn plan_r2c<T: FftFloat>(len: usize) -> Arc<dyn RealToComplex<T>> {
    let mut p = T::real_planner().lock().unwrap_or_else(|e| e.into_inner());
    p.plan_fft_forward(len)
}

pub(crate) fn plan_c2r<T: FftFloat>(len: usize) -> Arc<dyn ComplexToReal<T>> {
    let mut p = T::real_planner().lock().unwrap_or_else(|e| e.into_inner());
    p.plan_fft_inverse(len)
}

/// The precision a transform of `dtype` runs in: single for float32/complex64, else double.
pub fn is_single(dtype: DType) -> bool {
    matches!(dtype, DType::Float32 | DType::Complex64)
}

/// A raw output region (a block of the result array) shared by the workers of one kernel, each
/// writing elements no other worker writes.
#[derive(Clone, Copy)]
pub(crate) struct SharedOut<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: `SharedOut` is only a pointer; the kernels that share it write disjoint elements and
// the region outlives the parallel loop (it is borrowed mutably by the kernel for its whole run).
unsafe impl<T: Send> Send for SharedOut<T> {}
unsafe impl<T: Send> Sync for SharedOut<T> {}

impl<T> SharedOut<T> {
    pub(crate) fn new(s: &mut [T]) -> Self {
        SharedOut {
            ptr: s.as_mut_ptr(),
            len: s.len(),
        }
    }
    /// Writes `v` at `i`.
    ///
    /// # Safety
    /// No other thread reads or writes element `i` during the parallel loop.
    #[inline]
    pub(crate) unsafe fn write(&self, i: usize, v: T) {
        assert!(i < self.len, "fft: write beyond the output");
        // SAFETY: `i` is in bounds (asserted), and the caller guarantees exclusive access.
        unsafe { self.ptr.add(i).write(v) }
    }
    /// Writes `v` at `start..start + v.len()`.
    ///
    /// # Safety
    /// No other thread reads or writes those elements during the parallel loop.
    #[inline]
    pub(crate) unsafe fn write_run(&self, start: usize, v: &[T])
    where
        T: Copy,
    {
        assert!(start + v.len() <= self.len, "fft: write beyond the output");
        // SAFETY: in bounds (asserted); exclusive access guaranteed by the caller; `v` is a
        // separate buffer, so the regions do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), self.ptr.add(start), v.len()) }
    }
}
