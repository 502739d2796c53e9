//! Block matrix products: `sum_k a_k @ b_k` over the last two axes, batch axes broadcast.
//! Floats and complex numbers go through ndarray's GEMM (matrixmultiply); integers and booleans
//! use a cache-friendly i-k-j loop with NumPy's wrap-around (integers) and or-of-ands (bool).

use ndarray::{linalg::general_mat_mul, ArrayD, ArrayView2, ArrayViewMut2, Axis, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::shape::broadcast_shapes;
use oxarray_core::{dispatch_dtype, Chunk, DType, Element, OxError, OxResult, C32, C64};

/// How one element type multiplies matrices.
pub trait MatElement: Element {
    /// `c += a @ b` for 2-d views.
    fn gemm_acc(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>);
}

macro_rules! gemm_blas {
    ($($t:ty),*) => {$(
        impl MatElement for $t {
            fn gemm_acc(a: ArrayView2<Self>, b: ArrayView2<Self>, mut c: ArrayViewMut2<Self>) {
                let one = <$t as num_traits::One>::one();
                general_mat_mul(one, &a, &b, one, &mut c);
            }
        }
    )*};
}
gemm_blas!(f32, f64, C32, C64);

macro_rules! gemm_int {
    ($($t:ty),*) => {$(
        impl MatElement for $t {
            fn gemm_acc(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>) {
                gemm_loop(a, b, c, |acc, x, y| acc.wrapping_add(x.wrapping_mul(y)));
            }
        }
    )*};
}
gemm_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl MatElement for bool {
    fn gemm_acc(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>) {
        gemm_loop(a, b, c, |acc, x, y| acc || (x && y));
    }
}

fn gemm_loop<T: Copy>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    mut c: ArrayViewMut2<T>,
    mac: impl Fn(T, T, T) -> T,
) {
    for (i, mut crow) in c.axis_iter_mut(Axis(0)).enumerate() {
        for (p, brow) in b.axis_iter(Axis(0)).enumerate() {
            let x = a[[i, p]];
            for (cv, &y) in crow.iter_mut().zip(brow.iter()) {
                *cv = mac(*cv, x, y);
            }
        }
    }
}

/// `sum over pairs (a, b) of a @ b`, every `a` of shape (..., m, k_i) and `b` of (..., k_i, n).
pub fn matmul_sum(pairs: &[(&Chunk, &Chunk)], dtype: DType) -> OxResult<Chunk> {
    dispatch_dtype!(dtype, T => matmul_typed::<T>(pairs).map(Chunk::from_array))
}

fn matmul_typed<T: MatElement>(pairs: &[(&Chunk, &Chunk)]) -> OxResult<ArrayD<T>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let get = crate::layout::typed::<T>;
    let (a0, b0) = pairs
        .first()
        .ok_or_else(|| OxError::Internal("matmul: no blocks".into()))?;
    let (a0, b0) = (get(a0)?, get(b0)?);
    let (na, nb) = (a0.ndim(), b0.ndim());
    let batch = broadcast_shapes(&[&a0.shape()[..na - 2], &b0.shape()[..nb - 2]])?;
    let (m, n) = (a0.shape()[na - 2], b0.shape()[nb - 1]);
    let mut shape = batch.clone();
    shape.extend([m, n]);
    let mut out = ArrayD::<T>::default(IxDyn(&shape));
    for (a, b) in pairs {
        let (a, b) = (get(a)?, get(b)?);
        let mut ashape = batch.clone();
        ashape.extend(&a.shape()[na - 2..]);
        let mut bshape = batch.clone();
        bshape.extend(&b.shape()[nb - 2..]);
        let nbatch: usize = batch.iter().product();
        let a3 = as_batched(a, &ashape, nbatch)?;
        let b3 = as_batched(b, &bshape, nbatch)?;
        let mut o3 = out
            .view_mut()
            .into_shape_with_order((nbatch, m, n))
            .map_err(|e| OxError::Internal(e.to_string()))?;
        for i in 0..nbatch {
            T::gemm_acc(
                a3.index_axis(Axis(0), i),
                b3.index_axis(Axis(0), i),
                o3.index_axis_mut(Axis(0), i),
            );
        }
    }
    Ok(out)
}

/// `x` broadcast to `shape` and viewed as (batch, rows, cols), owned in standard layout.
fn as_batched<T: Element>(
    x: &ArrayD<T>,
    shape: &[usize],
    nbatch: usize,
) -> OxResult<ndarray::Array3<T>> {
    let nd = shape.len();
    let v = x
        .broadcast(IxDyn(shape))
        .ok_or_else(|| OxError::Internal("matmul: batch axes do not broadcast".into()))?;
    v.as_standard_layout()
        .into_owned()
        .into_shape_with_order((nbatch, shape[nd - 2], shape[nd - 1]))
        .map_err(|e| OxError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mat<T: Element>(r: usize, c: usize, v: Vec<T>) -> Chunk
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[r, c]), v).unwrap())
    }

    #[test]
    fn sums_block_products() {
        let a1 = mat(2, 1, vec![1.0f64, 2.0]);
        let b1 = mat(1, 2, vec![3.0f64, 4.0]);
        let a2 = mat(2, 1, vec![1.0f64, 1.0]);
        let b2 = mat(1, 2, vec![1.0f64, 1.0]);
        let c = matmul_sum(&[(&a1, &b1), (&a2, &b2)], DType::Float64).unwrap();
        assert_eq!(
            c.as_array::<f64>().unwrap().as_slice().unwrap(),
            &[4.0, 5.0, 7.0, 9.0]
        );
        let ai = mat(1, 2, vec![100i8, 100]);
        let bi = mat(2, 1, vec![2i8, 1]);
        let ci = matmul_sum(&[(&ai, &bi)], DType::Int8).unwrap();
        assert_eq!(ci.as_array::<i8>().unwrap()[[0, 0]], 44); // 300 wraps like NumPy
        let ab = mat(1, 2, vec![true, false]);
        let bb = mat(2, 1, vec![false, true]);
        assert!(
            !matmul_sum(&[(&ab, &bb)], DType::Bool)
                .unwrap()
                .as_array::<bool>()
                .unwrap()[[0, 0]]
        );
    }
}
