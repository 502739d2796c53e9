//! Distinct values of chunks (the per-chunk step of `unique`, and the merge of its partials):
//! the result is sorted in NumPy's order. Scalars go through `u64` keys in a dense table or a
//! hash set; complex values and rows (`unique(axis=...)`) are records of keys, sorted and
//! deduplicated.

use super::keys::{SetKey, NAN_KEY};
use super::table::{dense_distinct, dense_fits, KeySet};
use oxarray_core::{OxError, OxResult};
use std::cmp::Ordering;

/// The sorted distinct values of the elements of `parts`. NaNs: one when `equal_nan`, else
/// every NaN is kept (NumPy's `equal_nan=False`).
pub fn distinct_scalars<T: SetKey>(parts: &[&[T]], equal_nan: bool) -> OxResult<Vec<T>> {
    if T::PARTS > 1 {
        return distinct_records(parts, 1, equal_nan);
    }
    let mut nans = 0usize;
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    let mut n = 0usize;
    for p in parts {
        n += p.len();
        for &v in p.iter() {
            let k = v.key();
            if T::INEXACT && k == NAN_KEY {
                nans += 1;
                continue;
            }
            lo = lo.min(k);
            hi = hi.max(k);
        }
    }
    let finite = || {
        parts
            .iter()
            .flat_map(|p| p.iter().map(|v| v.key()))
            .filter(|&k| !(T::INEXACT && k == NAN_KEY))
    };
    let keys = if n == nans {
        Vec::new()
    } else if dense_fits(lo, hi, n) {
        dense_distinct(finite(), lo, hi)?
    } else {
        let mut set = KeySet::new()?;
        for k in finite() {
            set.insert(k)?;
        }
        set.into_sorted()
    };
    let extra = if equal_nan { nans.min(1) } else { nans };
    let mut out = Vec::new();
    out.try_reserve_exact(keys.len() + extra)
        .map_err(|_| OxError::Memory("Unable to allocate the distinct values".into()))?;
    out.extend(keys.into_iter().map(|k| T::from_keys(&[k])));
    out.extend(std::iter::repeat_n(T::from_keys(&[NAN_KEY]), extra));
    Ok(out)
}

/// Lexicographic comparison of key records.
fn cmp_rows(a: &[u64], b: &[u64]) -> Ordering {
    a.cmp(b)
}

/// The sorted distinct rows (`width` elements each, C order) of `parts`; a row holding a NaN
/// is never equal to another unless `equal_nan`.
pub fn distinct_records<T: SetKey>(
    parts: &[&[T]],
    width: usize,
    equal_nan: bool,
) -> OxResult<Vec<T>> {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    let kw = width * T::PARTS;
    let mut keys: Vec<u64> = Vec::new();
    keys.try_reserve_exact(n * T::PARTS)
        .map_err(|_| OxError::Memory("Unable to allocate the distinct rows".into()))?;
    for p in parts {
        for &v in p.iter() {
            v.put_keys(&mut keys);
        }
    }
    if width == 0 {
        return Ok(Vec::new());
    }
    let rows = n.checked_div(width).unwrap_or(0);
    let row = |i: usize| &keys[i * kw..(i + 1) * kw];
    let mut order: Vec<usize> = (0..rows).collect();
    order.sort_unstable_by(|&a, &b| cmp_rows(row(a), row(b)));
    let has_nan = |r: &[u64]| T::INEXACT && r.contains(&NAN_KEY);
    let mut out: Vec<T> = Vec::new();
    let mut prev: Option<usize> = None;
    for &i in &order {
        let r = row(i);
        let dup = prev.is_some_and(|p| row(p) == r && (equal_nan || !has_nan(r)));
        if !dup {
            for e in r.chunks(T::PARTS) {
                out.push(T::from_keys(e));
            }
            prev = Some(i);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxarray_core::C64;

    #[test]
    fn distinct_ints_dense_and_hashed() {
        let a = [5i64, -3, 5, 7, -3];
        let b = [1i64 << 50, -(1 << 60), 7];
        assert_eq!(
            distinct_scalars(&[&a[..], &b[..]], true).expect("ok"),
            vec![-(1 << 60), -3, 5, 7, 1 << 50]
        );
        assert_eq!(
            distinct_scalars(&[&a[..]], true).expect("ok"),
            vec![-3, 5, 7]
        );
        let e: [i64; 0] = [];
        assert!(distinct_scalars(&[&e[..]], true).expect("ok").is_empty());
    }

    #[test]
    fn distinct_floats_nan_and_signed_zero() {
        let a = [f64::NAN, 1.0, -0.0, 0.0, f64::NAN, -1.0];
        let u = distinct_scalars(&[&a[..]], true).expect("ok");
        assert_eq!(u.len(), 4);
        assert_eq!(&u[..3], &[-1.0, 0.0, 1.0]);
        assert!(u[3].is_nan());
        assert_eq!(distinct_scalars(&[&a[..]], false).expect("ok").len(), 5);
    }

    #[test]
    fn distinct_complex_and_rows() {
        let a = [
            C64::new(1.0, 2.0),
            C64::new(1.0, -1.0),
            C64::new(1.0, 2.0),
            C64::new(0.0, 5.0),
        ];
        let u = distinct_scalars(&[&a[..]], true).expect("ok");
        assert_eq!(
            u,
            vec![C64::new(0.0, 5.0), C64::new(1.0, -1.0), C64::new(1.0, 2.0)]
        );
        let rows = [1i32, 2, 0, 9, 1, 2];
        assert_eq!(
            distinct_records(&[&rows[..]], 2, true).expect("ok"),
            vec![0, 9, 1, 2]
        );
    }
}
