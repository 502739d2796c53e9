//! NumPy's `svd` and `qr` of stacked matrices `(..., m, n)` held in one chunk: the per-matrix
//! factorizations of `decomp`/`tsqr` run once per matrix of the leading axes and their factors
//! are stacked back. (2-d arrays, which may be tall and chunked, go through TSQR instead.)

use super::decomp::svd_mat;
use super::dense::{stack, with_shape};
use super::tsqr::{qr_complete_typed, qr_typed};
use super::Field;
use crate::dispatch_field;
use ndarray::{Array, ArrayD, Axis, Dimension};
use oxarray_core::{Chunk, OxError, OxResult};

/// Per-matrix results gathered into one `(batch..., core...)` array.
struct Stacked<T> {
    shape: Vec<usize>,
    data: Vec<T>,
}

impl<T: Clone> Stacked<T> {
    fn new(batch: &[usize], core: &[usize]) -> Self {
        let mut shape = batch.to_vec();
        shape.extend_from_slice(core);
        Stacked {
            shape,
            data: Vec::new(),
        }
    }
    fn push<D: Dimension>(&mut self, m: &Array<T, D>) {
        // `iter` walks in logical (C) order whatever the memory layout.
        self.data.extend(m.iter().cloned());
    }
    fn finish(self) -> OxResult<ArrayD<T>> {
        with_shape(self.shape, self.data)
    }
}

fn missing() -> OxError {
    OxError::Internal("stacked factorization lost a factor".into())
}

/// `[u, s, vh]` (or `[s]` without `uv`) of each matrix; `u`/`vh` complete with `full`.
pub fn svd(a: &Chunk, full: bool, uv: bool) -> OxResult<Vec<Chunk>> {
    dispatch_field!(a.dtype(), T => svd_typed::<T>(a, full, uv))
}

fn svd_typed<T: Field>(a: &Chunk, full: bool, uv: bool) -> OxResult<Vec<Chunk>> {
    let (batch, s) = stack::<T>(a)?;
    let (m, n) = (s.len_of(Axis(1)), s.len_of(Axis(2)));
    let k = m.min(n);
    let (uc, vr) = if full { (m, n) } else { (k, k) };
    let mut us = Stacked::<T>::new(&batch, &[m, uc]);
    let mut ss = Stacked::<T::Real>::new(&batch, &[k]);
    let mut vs = Stacked::<T>::new(&batch, &[vr, n]);
    for mat in s.axis_iter(Axis(0)) {
        let (u, sv, vh) = svd_mat(mat, full, uv)?;
        ss.push(&sv);
        if uv {
            us.push(&u.ok_or_else(missing)?);
            vs.push(&vh.ok_or_else(missing)?);
        }
    }
    let s_chunk = T::real_chunk(ss.finish()?);
    if !uv {
        return Ok(vec![s_chunk]);
    }
    Ok(vec![
        T::chunk(us.finish()?),
        s_chunk,
        T::chunk(vs.finish()?),
    ])
}

/// NumPy's `qr` modes on stacked matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrMode {
    /// `[q (m x k), r (k x n)]`
    Reduced,
    /// `[q (m x m), r (m x n)]`
    Complete,
    /// `[r (k x n)]`
    R,
}

/// The factors of each matrix in `mode`.
pub fn qr(a: &Chunk, mode: QrMode) -> OxResult<Vec<Chunk>> {
    dispatch_field!(a.dtype(), T => qr_typed_stack::<T>(a, mode))
}

fn qr_typed_stack<T: Field>(a: &Chunk, mode: QrMode) -> OxResult<Vec<Chunk>> {
    let (batch, s) = stack::<T>(a)?;
    let (m, n) = (s.len_of(Axis(1)), s.len_of(Axis(2)));
    let k = m.min(n);
    let (qc, rr) = if mode == QrMode::Complete {
        (m, m)
    } else {
        (k, k)
    };
    let mut qs = Stacked::<T>::new(&batch, &[m, qc]);
    let mut rs = Stacked::<T>::new(&batch, &[rr, n]);
    for mat in s.axis_iter(Axis(0)) {
        if mode == QrMode::Complete {
            let (q, r) = qr_complete_typed(mat);
            qs.push(&q);
            rs.push(&r);
        } else {
            let (q, r) = qr_typed(mat, mode == QrMode::Reduced);
            rs.push(&r);
            if let Some(q) = q {
                qs.push(&q);
            }
        }
    }
    let r = T::chunk(rs.finish()?);
    if mode == QrMode::R {
        return Ok(vec![r]);
    }
    Ok(vec![T::chunk(qs.finish()?), r])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::testing::matrix;
    use ndarray::{s, Array2, IxDyn};

    fn stack3(ms: &[Array2<f64>]) -> Chunk {
        let (r, c) = ms[0].dim();
        let data: Vec<f64> = ms.iter().flat_map(|m| m.iter().copied()).collect();
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[ms.len(), r, c]), data).unwrap())
    }

    fn mat(c: &Chunk, i: usize) -> Array2<f64> {
        f64::array(c)
            .unwrap()
            .index_axis(Axis(0), i)
            .into_dimensionality()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn stacked_svd_and_qr_reconstruct() {
        let ms: Vec<Array2<f64>> = (0..3).map(|s| matrix(5, 3, s)).collect();
        let a = stack3(&ms);
        for full in [false, true] {
            let p = svd(&a, full, true).unwrap();
            assert_eq!(p[0].shape(), &[3, 5, if full { 5 } else { 3 }]);
            for (i, m) in ms.iter().enumerate() {
                let (u, vh) = (mat(&p[0], i), mat(&p[2], i));
                let sv = f64::array(&p[1])
                    .unwrap()
                    .index_axis(Axis(0), i)
                    .to_owned()
                    .into_dimensionality::<ndarray::Ix1>()
                    .unwrap();
                let us = u.slice(s![.., ..3]).to_owned() * &sv;
                let rec = us.dot(&vh.slice(s![..3, ..]));
                assert!((rec - m).iter().all(|x| x.abs() < 1e-12));
            }
        }
        for mode in [QrMode::Reduced, QrMode::Complete] {
            let p = qr(&a, mode).unwrap();
            for (i, m) in ms.iter().enumerate() {
                let rec = mat(&p[0], i).dot(&mat(&p[1], i));
                assert!((rec - m).iter().all(|x| x.abs() < 1e-12));
            }
        }
        assert_eq!(qr(&a, QrMode::R).unwrap()[0].shape(), &[3, 3, 3]);
    }
}
