//! Block matrix products: `sum_k a_k @ b_k` over the last two axes, batch axes broadcast.
//! Floats and complex numbers go through faer's GEMM, accumulating every block product straight
//! into the output chunk (no temporaries, inputs read in place through strided views);
//! integers and booleans use a cache-friendly i-k-j loop with NumPy's wrap-around (integers) and
//! or-of-ands (bool), which no BLAS provides.
//!
//! A large product is cut into independent stripes of the output (rows, or columns when the
//! output is wide), each a sequential GEMM, handed to rayon. Measured on 2 shared cores, faer's
//! own parallel GEMM (`Par::rayon`) nested under the scheduler's tasks was 1.7x slower than one
//! sequential GEMM, as its threads wait on each other whenever a core is taken; stripes need no
//! synchronization, and an idle worker steals them while a busy one runs them in turn.

use crate::linalg::{as_faer, as_faer_mut};
use faer::linalg::matmul::matmul;
use faer::{Accum, Par};
use ndarray::{ArrayD, ArrayView2, ArrayViewD, ArrayViewMut2, Axis, Ix2, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::shape::broadcast_shapes;
use oxarray_core::{dispatch_dtype, Chunk, DType, Element, OxError, OxResult, C32, C64};
use rayon::prelude::*;

/// Multiply-adds below which a product is not worth splitting into stripes.
const STRIPE_MIN_FLOPS: usize = 1 << 24;
/// The narrowest stripe (rows or columns): thinner ones repack `b` (or `a`) for little work.
const STRIPE_MIN_WIDTH: usize = 64;

/// How one element type multiplies matrices on the calling thread.
pub trait MatElement: Element {
    /// `c = a @ b` when `replace`, else `c += a @ b`, for 2-d views of matching shapes.
    fn gemm_seq(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>, replace: bool);
    /// [`MatElement::gemm_seq`] where only the lower triangle of `c` (diagonal included) is
    /// wanted: the caller knows the product is symmetric (`x.T @ x`) and mirrors it.
    fn gemm_lower_seq(
        a: ArrayView2<Self>,
        b: ArrayView2<Self>,
        c: ArrayViewMut2<Self>,
        replace: bool,
    ) {
        Self::gemm_seq(a, b, c, replace)
    }
}

macro_rules! gemm_faer {
    ($($t:ty),*) => {$(
        impl MatElement for $t {
            fn gemm_seq(a: ArrayView2<Self>, b: ArrayView2<Self>, mut c: ArrayViewMut2<Self>, replace: bool) {
                let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
                if m == 0 || n == 0 {
                    return;
                }
                if k == 0 {
                    // An empty sum; faer is not asked to multiply empty operands.
                    if replace {
                        c.fill(<$t as num_traits::Zero>::zero());
                    }
                    return;
                }
                let accum = if replace { Accum::Replace } else { Accum::Add };
                let one = <$t as num_traits::One>::one();
                matmul(as_faer_mut(&mut c), accum, as_faer(&a), as_faer(&b), one, Par::Seq);
            }
            fn gemm_lower_seq(a: ArrayView2<Self>, b: ArrayView2<Self>, mut c: ArrayViewMut2<Self>, replace: bool) {
                let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
                if m == 0 || n == 0 || k == 0 || m != n {
                    return Self::gemm_seq(a, b, c, replace);
                }
                let accum = if replace { Accum::Replace } else { Accum::Add };
                let one = <$t as num_traits::One>::one();
                use faer::linalg::matmul::triangular::{matmul as tri, BlockStructure as B};
                tri(as_faer_mut(&mut c), B::TriangularLower, accum, as_faer(&a), B::Rectangular,
                    as_faer(&b), B::Rectangular, one, Par::Seq);
            }
        }
    )*};
}
gemm_faer!(f32, f64, C32, C64);

macro_rules! gemm_int {
    ($($t:ty),*) => {$(
        impl MatElement for $t {
            fn gemm_seq(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>, replace: bool) {
                gemm_loop(a, b, c, replace, |acc, x, y| acc.wrapping_add(x.wrapping_mul(y)));
            }
        }
    )*};
}
gemm_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl MatElement for bool {
    fn gemm_seq(a: ArrayView2<Self>, b: ArrayView2<Self>, c: ArrayViewMut2<Self>, replace: bool) {
        gemm_loop(a, b, c, replace, |acc, x, y| acc || (x && y));
    }
}

fn gemm_loop<T: Element>(
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    mut c: ArrayViewMut2<T>,
    replace: bool,
    mac: impl Fn(T, T, T) -> T,
) {
    if replace {
        c.fill(T::default());
    }
    for (arow, mut crow) in a.axis_iter(Axis(0)).zip(c.axis_iter_mut(Axis(0))) {
        for (&x, brow) in arow.iter().zip(b.axis_iter(Axis(0))) {
            for (cv, &y) in crow.iter_mut().zip(brow.iter()) {
                *cv = mac(*cv, x, y);
            }
        }
    }
}

/// How many stripes `c` (m x n, a sum over k) is cut into: one per rayon worker for a large
/// product, fewer when stripes would be thinner than [`STRIPE_MIN_WIDTH`].
fn stripes(m: usize, k: usize, n: usize) -> usize {
    if m.saturating_mul(k).saturating_mul(n) < STRIPE_MIN_FLOPS {
        return 1;
    }
    rayon::current_num_threads()
        .min(m.max(n) / STRIPE_MIN_WIDTH)
        .max(1)
}

/// `c (+)= a @ b`, cut into stripes of `c` that run as rayon jobs. The stripe of row `i` (or
/// column `j`) reads only row `i` of `a` (column `j` of `b`), so stripes never share output.
fn gemm<T: MatElement>(a: ArrayView2<T>, b: ArrayView2<T>, mut c: ArrayViewMut2<T>, replace: bool) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let parts = stripes(m, k, n);
    if parts <= 1 {
        return T::gemm_seq(a, b, c, replace);
    }
    if m >= n {
        let rows = m.div_ceil(parts);
        let jobs: Vec<_> = a
            .axis_chunks_iter(Axis(0), rows)
            .zip(c.axis_chunks_iter_mut(Axis(0), rows))
            .collect();
        jobs.into_par_iter()
            .for_each(|(ai, ci)| T::gemm_seq(ai, b, ci, replace));
    } else {
        let cols = n.div_ceil(parts);
        let jobs: Vec<_> = b
            .axis_chunks_iter(Axis(1), cols)
            .zip(c.axis_chunks_iter_mut(Axis(1), cols))
            .collect();
        jobs.into_par_iter()
            .for_each(|(bj, cj)| T::gemm_seq(a, bj, cj, replace));
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
    if na < 2 || nb < 2 {
        return Err(OxError::Internal("matmul: blocks must be >= 2-d".into()));
    }
    let batch = broadcast_shapes(&[&a0.shape()[..na - 2], &b0.shape()[..nb - 2]])?;
    let (m, n) = (a0.shape()[na - 2], b0.shape()[nb - 1]);
    let nbatch: usize = batch.iter().product();
    // Huge pages: a GEMM writes tiles of C across many rows at once, and with 4 KiB pages each
    // row of a large output is its own TLB entry (NumPy's outputs get huge pages too).
    let zeros = oxarray_core::buffer::zeroed_vec::<T>(nbatch * m * n)?;
    let mut out = ArrayD::from_shape_vec(IxDyn(&[nbatch, m, n]), zeros)
        .map_err(|e| OxError::Internal(e.to_string()))?;
    let mut bidx = vec![0usize; batch.len()];
    for (p, (a, b)) in pairs.iter().enumerate() {
        let (a, b) = (get(a)?, get(b)?);
        if a.ndim() != na || b.ndim() != nb || a.shape()[na - 2] != m || b.shape()[nb - 1] != n {
            return Err(OxError::Internal("matmul: blocks disagree in shape".into()));
        }
        if a.shape()[na - 1] != b.shape()[nb - 2] {
            return Err(OxError::Internal("matmul: contracted blocks differ".into()));
        }
        for (i, o) in out.axis_iter_mut(Axis(0)).enumerate() {
            unravel(i, &batch, &mut bidx);
            let o = o
                .into_dimensionality::<Ix2>()
                .map_err(|e| OxError::Internal(e.to_string()))?;
            gemm(matrix_at(a, &bidx)?, matrix_at(b, &bidx)?, o, p == 0);
        }
    }
    let mut shape = batch;
    shape.extend([m, n]);
    out.into_shape_with_order(IxDyn(&shape))
        .map_err(|e| OxError::Internal(e.to_string()))
}

/// `op(a) @ op(b)` of two 2-d blocks, added into `acc` when one is given (of the product's
/// shape). `op` is the identity, or the transpose where `ta` (`tb`) says: a transposed operand is
/// a strided view of the block that the GEMM reads in place (faer packs it as it goes), never a
/// transposed copy — how `X.T @ X` over a chunked axis reads its chunks (see the graph's
/// `contract` lowering).
///
/// `k`: only this range of the contracted axis (a slab of the operands), or all of it. When `a`
/// and `b` are one block and exactly one is transposed the product is symmetric: only its lower
/// triangle is multiplied (half the work, as BLAS's SYRK) and then mirrored.
pub fn matmul_views(
    (a, ta): (&Chunk, bool),
    (b, tb): (&Chunk, bool),
    k: Option<std::ops::Range<usize>>,
    acc: Option<Chunk>,
) -> OxResult<Chunk> {
    let symmetric = std::ptr::eq(a, b) && ta != tb;
    dispatch_dtype!(a.dtype(), T => {
        let (mut av, mut bv) = (view2::<T>(a, ta)?, view2::<T>(b, tb)?);
        if bv.nrows() != av.ncols() {
            return Err(OxError::Internal("matmul: contracted blocks differ".into()));
        }
        if let Some(r) = k {
            if r.start > r.end || r.end > av.ncols() {
                return Err(OxError::Internal("matmul: slab outside the blocks".into()));
            }
            av = av.slice_move(ndarray::s![.., r.clone()]);
            bv = bv.slice_move(ndarray::s![r, ..]);
        }
        let (m, n) = (av.nrows(), bv.ncols());
        let (mut out, replace) = match acc {
            Some(c) => {
                let arr = <Chunk as Typed<T>>::into_inner(c)
                    .ok_or_else(|| OxError::Internal("matmul: accumulator of another dtype".into()))?;
                (arr, false)
            }
            None => {
                let zeros = oxarray_core::buffer::zeroed_vec::<T>(m * n)?;
                let arr = ArrayD::from_shape_vec(IxDyn(&[m, n]), zeros)
                    .map_err(|e| OxError::Internal(e.to_string()))?;
                (arr, true)
            }
        };
        if out.shape() != [m, n] {
            return Err(OxError::Internal("matmul: accumulator of another shape".into()));
        }
        {
            let c = out
                .view_mut()
                .into_dimensionality::<Ix2>()
                .map_err(|e| OxError::Internal(e.to_string()))?;
            if symmetric && m == n {
                T::gemm_lower_seq(av, bv, c, replace);
            } else {
                gemm(av, bv, c, replace);
            }
        }
        if symmetric && m == n {
            for i in 0..m {
                for j in 0..i {
                    out[[j, i]] = out[[i, j]];
                }
            }
        }
        Ok(Chunk::from_array(out))
    })
}

/// The 2-d block `x` as a matrix view, transposed when `t` (a view, no copy).
fn view2<T: Element>(x: &Chunk, t: bool) -> OxResult<ArrayView2<'_, T>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let v = crate::layout::typed::<T>(x)?
        .view()
        .into_dimensionality::<Ix2>()
        .map_err(|e| OxError::Internal(e.to_string()))?;
    Ok(if t { v.reversed_axes() } else { v })
}

/// Row-major multi-index of batch number `i` in `batch`, written into `idx`.
fn unravel(mut i: usize, batch: &[usize], idx: &mut [usize]) {
    for (d, &s) in batch.iter().enumerate().rev() {
        idx[d] = i % s.max(1);
        i /= s.max(1);
    }
}

/// The matrix of `x` at broadcast batch index `idx` (aligned right; size-1 axes repeat), as a
/// view: broadcasting never copies.
fn matrix_at<'a, T: Element>(x: &'a ArrayD<T>, idx: &[usize]) -> OxResult<ArrayView2<'a, T>> {
    let nbx = x.ndim() - 2;
    let off = idx.len() - nbx;
    let mut v: ArrayViewD<'a, T> = x.view();
    for d in 0..nbx {
        let i = if v.shape()[0] == 1 { 0 } else { idx[off + d] };
        v = v.index_axis_move(Axis(0), i);
    }
    v.into_dimensionality::<Ix2>()
        .map_err(|e| OxError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn mat<T: Element>(r: usize, c: usize, v: Vec<T>) -> Chunk
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[r, c]), v).unwrap())
    }

    /// A deterministic pseudo-random array with entries in [-1, 1).
    fn noise(shape: &[usize], seed: u64) -> ArrayD<f64> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        ArrayD::from_shape_simple_fn(IxDyn(shape), || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
    }

    /// The textbook triple loop, batch axes broadcast, as the oracle.
    fn naive(a: &ArrayD<f64>, b: &ArrayD<f64>) -> ArrayD<f64> {
        let (na, nb) = (a.ndim(), b.ndim());
        let batch = broadcast_shapes(&[&a.shape()[..na - 2], &b.shape()[..nb - 2]]).unwrap();
        let (m, k, n) = (a.shape()[na - 2], a.shape()[na - 1], b.shape()[nb - 1]);
        let mut sa = batch.clone();
        sa.extend([m, k]);
        let mut sb = batch.clone();
        sb.extend([k, n]);
        let nbatch: usize = batch.iter().product();
        let a3 = a.broadcast(IxDyn(&sa)).unwrap().to_owned();
        let b3 = b.broadcast(IxDyn(&sb)).unwrap().to_owned();
        let a3 = a3.into_shape_with_order((nbatch, m, k)).unwrap();
        let b3 = b3.into_shape_with_order((nbatch, k, n)).unwrap();
        let mut out = ndarray::Array3::<f64>::zeros((nbatch, m, n));
        for t in 0..nbatch {
            for i in 0..m {
                for j in 0..n {
                    out[[t, i, j]] = (0..k).map(|p| a3[[t, i, p]] * b3[[t, p, j]]).sum();
                }
            }
        }
        let mut shape = batch;
        shape.extend([m, n]);
        out.into_shape_with_order(IxDyn(&shape)).unwrap()
    }

    fn max_diff(x: &ArrayD<f64>, y: &ArrayD<f64>) -> f64 {
        assert_eq!(x.shape(), y.shape());
        x.iter()
            .zip(y.iter())
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f64::max)
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

    #[test]
    fn faer_blocks_match_the_triple_loop() {
        // Sizes on both sides of the striping threshold, tall and wide (rows or columns cut).
        for &(m, k, n) in &[(3, 5, 4), (70, 33, 65), (300, 260, 290), (130, 1100, 700)] {
            let a = noise(&[m, k], 1);
            let b = noise(&[k, n], 2);
            let want = naive(&a, &b);
            let cuts = [0, k / 3, k / 2, k];
            let blocks: Vec<(Chunk, Chunk)> = cuts
                .windows(2)
                .map(|w| {
                    let ab = a.slice(ndarray::s![.., w[0]..w[1]]).to_owned().into_dyn();
                    let bb = b.slice(ndarray::s![w[0]..w[1], ..]).to_owned().into_dyn();
                    (Chunk::from_array(ab), Chunk::from_array(bb))
                })
                .collect();
            let pairs: Vec<(&Chunk, &Chunk)> = blocks.iter().map(|(x, y)| (x, y)).collect();
            let got = matmul_sum(&pairs, DType::Float64).unwrap();
            let got = got.as_array::<f64>().unwrap();
            assert!(max_diff(got, &want) < 1e-10 * k as f64, "({m}, {k}, {n})");
        }
    }

    #[test]
    fn stripes_only_for_large_products() {
        assert_eq!(stripes(10, 10, 10), 1);
        let big = stripes(4096, 4096, 4096);
        assert!(big >= 1 && big <= rayon::current_num_threads());
        assert_eq!(stripes(64, 1 << 20, 64), 1); // too thin to cut
    }

    #[test]
    fn striped_integer_products_wrap_like_one_loop() {
        let (m, k, n) = (300, 400, 200);
        let a = ArrayD::from_shape_fn(IxDyn(&[m, k]), |i| (i[0] * 7 + i[1] * 13) as i16);
        let b = ArrayD::from_shape_fn(IxDyn(&[k, n]), |i| (i[0] * 11 + i[1] * 3) as i16);
        let got = matmul_sum(
            &[(&Chunk::from_array(a.clone()), &Chunk::from_array(b.clone()))],
            DType::Int16,
        )
        .unwrap();
        let got = got.as_array::<i16>().unwrap();
        for &(i, j) in &[(0, 0), (299, 199), (150, 77)] {
            let want = (0..k).fold(0i16, |acc, p| {
                acc.wrapping_add(a[[i, p]].wrapping_mul(b[[p, j]]))
            });
            assert_eq!(got[[i, j]], want);
        }
    }

    #[test]
    fn batch_axes_broadcast_without_copies() {
        let a = noise(&[2, 1, 4, 3], 3);
        let b = noise(&[3, 3, 5], 4);
        let got = matmul_sum(
            &[(&Chunk::from_array(a.clone()), &Chunk::from_array(b.clone()))],
            DType::Float64,
        )
        .unwrap();
        let got = got.as_array::<f64>().unwrap();
        assert_eq!(got.shape(), &[2, 3, 4, 5]);
        assert!(max_diff(got, &naive(&a, &b)) < 1e-12);
    }

    #[test]
    fn float32_and_complex_use_faer() {
        let a = noise(&[6, 7], 5);
        let b = noise(&[7, 4], 6);
        let want = naive(&a, &b);
        let c32 = matmul_sum(
            &[(
                &Chunk::from_array(a.mapv(|v| v as f32)),
                &Chunk::from_array(b.mapv(|v| v as f32)),
            )],
            DType::Float32,
        )
        .unwrap();
        let c32 = c32.as_array::<f32>().unwrap().mapv(f64::from);
        assert!(max_diff(&c32, &want) < 1e-5);
        // (a + i a) @ (b - i b) = 2 a@b: the real part is 2 a@b and the imaginary part 0.
        let ca = a.mapv(|v| C64::new(v, v));
        let cb = b.mapv(|v| C64::new(v, -v));
        let cc = matmul_sum(
            &[(&Chunk::from_array(ca), &Chunk::from_array(cb))],
            DType::Complex128,
        )
        .unwrap();
        let cc = cc.as_array::<C64>().unwrap();
        assert!(max_diff(&cc.mapv(|z| z.re), &(&want * 2.0)) < 1e-12);
        assert!(cc.iter().all(|z| z.im.abs() < 1e-12));
        let c64 = matmul_sum(
            &[(
                &Chunk::from_array(a.mapv(|v| C32::new(v as f32, 0.0))),
                &Chunk::from_array(b.mapv(|v| C32::new(0.0, v as f32))),
            )],
            DType::Complex64,
        )
        .unwrap();
        let c64 = c64.as_array::<C32>().unwrap();
        assert!(max_diff(&c64.mapv(|z| f64::from(z.im)), &want) < 1e-5);
    }

    #[test]
    fn empty_contraction_gives_zeros() {
        let a = Chunk::from_array(Array2::<f64>::zeros((3, 0)).into_dyn());
        let b = Chunk::from_array(Array2::<f64>::zeros((0, 2)).into_dyn());
        let c = matmul_sum(&[(&a, &b)], DType::Float64).unwrap();
        let c = c.as_array::<f64>().unwrap();
        assert_eq!(c.shape(), &[3, 2]);
        assert!(c.iter().all(|&v| v == 0.0));
        let e = Chunk::from_array(Array2::<f64>::zeros((0, 4)).into_dyn());
        let f = Chunk::from_array(Array2::<f64>::ones((4, 2)).into_dyn());
        let g = matmul_sum(&[(&e, &f)], DType::Float64).unwrap();
        assert_eq!(g.as_array::<f64>().unwrap().shape(), &[0, 2]);
    }

    #[test]
    fn integer_products_wrap_across_blocks() {
        let a = Chunk::from_array(ArrayD::from_elem(IxDyn(&[2, 3]), i64::MAX));
        let b = Chunk::from_array(ArrayD::from_elem(IxDyn(&[3, 1]), 2i64));
        let c = matmul_sum(&[(&a, &b), (&a, &b)], DType::Int64).unwrap();
        // 12 * i64::MAX wraps to -12, as NumPy's integer matmul does.
        assert!(c.as_array::<i64>().unwrap().iter().all(|&v| v == -12));
        let ua = Chunk::from_array(ArrayD::from_elem(IxDyn(&[1, 1]), 200u8));
        let c = matmul_sum(&[(&ua, &ua)], DType::UInt8).unwrap();
        assert_eq!(c.as_array::<u8>().unwrap()[[0, 0]], 64); // 40000 mod 256
    }
}
