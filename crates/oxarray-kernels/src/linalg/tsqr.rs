//! The per-block pieces of tall-skinny QR (TSQR): the QR of one row block, the QR of R factors
//! stacked vertically (one node of the reduction tree), and the product that carries the final
//! small factor down the tree (`Q_child = Q_stack[rows of child] @ C_parent`).

use super::{as_faer, as_faer_mut, chunk2, mul_pow2_by, rescale_exponent, to_array, view2, Field};
use crate::dispatch_field;
use faer::linalg::matmul::matmul;
use faer::Accum;
use ndarray::{s, Array2, ArrayView2};
use oxarray_core::{Chunk, OxResult};

/// The thin QR of one matrix: `Q` (m x k, only when asked) and `R` (k x n), `k = min(m, n)`.
pub(crate) fn qr_typed<T: Field>(
    a: ArrayView2<'_, T>,
    want_q: bool,
) -> (Option<Array2<T>>, Array2<T>) {
    let (m, n) = a.dim();
    let k = m.min(n);
    if k == 0 {
        // faer needs a non-empty factorization; an empty block has an empty Q and R.
        return (
            want_q.then(|| Array2::default((m, 0))),
            Array2::default((0, n)),
        );
    }
    // As LAPACK does: entries near the ends of the exponent range are brought near 1 by a power
    // of two first (exact; Q is unchanged, R scaled back), so that the Householder norms neither
    // overflow nor flush subnormal columns to zero.
    let exponent = rescale_exponent(&a);
    let scaled = exponent.map(|e| a.mapv(|x| mul_pow2_by(&x, -e)));
    let view = match &scaled {
        Some(m) => m.view(),
        None => a.view(),
    };
    let qr = as_faer(&view).qr();
    let mut r = to_array(qr.thin_R());
    if let Some(e) = exponent {
        r.mapv_inplace(|x| mul_pow2_by(&x, e));
    }
    let q = want_q.then(|| to_array(qr.compute_thin_Q().as_ref()));
    (q, r)
}

/// The complete QR of one matrix: `Q` (m x m) and `R` (m x n).
pub fn qr_complete(a: &Chunk) -> OxResult<(Chunk, Chunk)> {
    dispatch_field!(a.dtype(), T => {
        let (q, r) = qr_complete_typed(view2::<T>(a)?);
        Ok((chunk2(q), chunk2(r)))
    })
}

pub(crate) fn qr_complete_typed<T: Field>(a: ArrayView2<'_, T>) -> (Array2<T>, Array2<T>) {
    let (m, n) = a.dim();
    if m.min(n) == 0 {
        let eye = Array2::from_shape_fn((m, m), |(i, j)| {
            if i == j {
                faer::traits::math_utils::one::<T>()
            } else {
                T::default()
            }
        });
        return (eye, Array2::<T>::default((m, n)));
    }
    let exponent = rescale_exponent(&a); // as in qr_typed
    let scaled = exponent.map(|e| a.mapv(|x| mul_pow2_by(&x, -e)));
    let view = match &scaled {
        Some(m) => m.view(),
        None => a.view(),
    };
    let qr = as_faer(&view).qr();
    // NumPy's complete R is m x n: the thin R on top of zero rows.
    let mut r = Array2::<T>::default((m, n));
    let mut thin = to_array(qr.thin_R());
    if let Some(e) = exponent {
        thin.mapv_inplace(|x| mul_pow2_by(&x, e));
    }
    r.slice_mut(s![..thin.nrows(), ..]).assign(&thin);
    (to_array(qr.compute_Q().as_ref()), r)
}

/// QR of one row block of the input: `(Some(Q), R)` or `(None, R)` when Q is not needed.
pub fn qr_block(a: &Chunk, want_q: bool) -> OxResult<(Option<Chunk>, Chunk)> {
    dispatch_field!(a.dtype(), T => {
        let (q, r) = qr_typed::<T>(view2::<T>(a)?, want_q);
        Ok((q.map(chunk2), chunk2(r)))
    })
}

/// QR of the R factors `rs` stacked on top of each other (all with the same column count).
pub fn qr_stack(rs: &[&Chunk], want_q: bool) -> OxResult<(Option<Chunk>, Chunk)> {
    let Some(first) = rs.first() else {
        return Err(oxarray_core::OxError::Internal(
            "qr_stack: nothing to stack".into(),
        ));
    };
    dispatch_field!(first.dtype(), T => {
        let views = rs.iter().map(|c| view2::<T>(c)).collect::<OxResult<Vec<_>>>()?;
        let stacked = ndarray::concatenate(ndarray::Axis(0), &views)
            .map_err(|e| oxarray_core::OxError::Internal(format!("qr_stack: {e}")))?;
        let (q, r) = qr_typed::<T>(stacked.view(), want_q);
        Ok((q.map(chunk2), chunk2(r)))
    })
}

/// Rows `start..start + len` of `q`, times `c` when given (one step down the TSQR tree).
pub fn rows_times(q: &Chunk, start: usize, len: usize, c: Option<&Chunk>) -> OxResult<Chunk> {
    dispatch_field!(q.dtype(), T => {
        let q = view2::<T>(q)?;
        let part = q.slice(s![start..start + len, ..]);
        let out = match c {
            None => part.to_owned(),
            Some(c) => product(part, view2::<T>(c)?),
        };
        Ok(chunk2(out))
    })
}

/// `a @ b` with faer's GEMM (multithreaded by faer's global setting).
pub fn product<T: Field>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
    let mut out = Array2::<T>::default((a.nrows(), b.ncols()));
    if a.ncols() == 0 {
        return out;
    }
    matmul(
        as_faer_mut(&mut out.view_mut()),
        Accum::Replace,
        as_faer(&a),
        as_faer(&b),
        faer::traits::math_utils::one::<T>(),
        faer::get_global_parallelism(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::testing::{close, matrix};

    #[test]
    fn block_qr_reconstructs_and_is_orthonormal() {
        for (m, n) in [(7, 3), (3, 7), (5, 5), (0, 3)] {
            let a = matrix(m, n, 1);
            let (q, r) = qr_block(&chunk2(a.clone()), true).unwrap();
            let q = view2::<f64>(q.as_ref().unwrap()).unwrap().to_owned();
            let r = view2::<f64>(&r).unwrap().to_owned();
            assert!(close(&q.dot(&r).view(), &a.view(), 1e-12));
            let k = m.min(n);
            assert!(close(&q.t().dot(&q).view(), &Array2::eye(k).view(), 1e-12));
            for i in 0..r.nrows() {
                for j in 0..i.min(n) {
                    assert_eq!(r[[i, j]], 0.0, "R is upper triangular");
                }
            }
        }
    }

    #[test]
    fn stacked_r_and_rows_times_rebuild_the_tall_q() {
        // Two blocks: A = [A1; A2] = diag(Q1, Q2) @ Q2stack @ R.
        let a = matrix(10, 3, 2);
        let (a1, a2) = (
            a.slice(s![..6, ..]).to_owned(),
            a.slice(s![6.., ..]).to_owned(),
        );
        let (q1, r1) = qr_block(&chunk2(a1), true).unwrap();
        let (q2, r2) = qr_block(&chunk2(a2), true).unwrap();
        let (qs, r) = qr_stack(&[&r1, &r2], true).unwrap();
        let qs = qs.unwrap();
        let top = rows_times(&qs, 0, 3, None).unwrap();
        let bot = rows_times(&qs, 3, 3, None).unwrap();
        let u1 = rows_times(&q1.unwrap(), 0, 6, Some(&top)).unwrap();
        let u2 = rows_times(&q2.unwrap(), 0, 4, Some(&bot)).unwrap();
        let q = ndarray::concatenate(
            ndarray::Axis(0),
            &[view2::<f64>(&u1).unwrap(), view2::<f64>(&u2).unwrap()],
        )
        .unwrap();
        let r = view2::<f64>(&r).unwrap().to_owned();
        assert!(close(&q.dot(&r).view(), &a.view(), 1e-12));
        assert!(close(&q.t().dot(&q).view(), &Array2::eye(3).view(), 1e-12));
    }

    #[test]
    fn complete_qr_has_a_square_q() {
        let a = matrix(6, 2, 4);
        let (q, r) = qr_complete(&chunk2(a.clone())).unwrap();
        let (q, r) = (view2::<f64>(&q).unwrap(), view2::<f64>(&r).unwrap());
        assert_eq!((q.dim(), r.dim()), ((6, 6), (6, 2)));
        assert!(close(&q.dot(&r).view(), &a.view(), 1e-12));
        assert!(close(&q.t().dot(&q).view(), &Array2::eye(6).view(), 1e-12));
    }

    #[test]
    fn integers_are_rejected_like_numpy() {
        let c = Chunk::from_array(ndarray::ArrayD::<i64>::zeros(ndarray::IxDyn(&[2, 2])));
        let e = qr_block(&c, false).unwrap_err();
        assert_eq!(e.to_string(), "array type int64 is unsupported in linalg");
    }
}
