//! Per-element lookups of a chunk in a small sorted table (the table's values whole in one
//! chunk): the code of each value (`unique`'s inverse), membership (`isin`) and insertion points
//! (`digitize`). The table is keyed once per task; each element costs one table access (dense
//! span) or one binary search.

use super::keys::{SetKey, NAN_KEY};
use super::table::KeyIndex;
use std::cmp::Ordering;

/// What a lookup produces for each element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LookupMode {
    /// int64: the position of the element in the table of distinct values.
    Code,
    /// bool: whether the element equals a table entry (NaN never does), negated by `invert`.
    Member { invert: bool },
    /// int64: NumPy's `searchsorted(table, x, side)` (`right`: after equal entries).
    Search { right: bool },
}

fn keys_of<T: SetKey>(vals: &[T]) -> Vec<u64> {
    let mut k = Vec::with_capacity(vals.len() * T::PARTS);
    for &v in vals {
        v.put_keys(&mut k);
    }
    k
}

/// Code/Member/Search of every scalar of `x` in the ascending `table`; codes are int64 and
/// memberships 0/1 (the caller builds the output chunk).
pub fn lookup_scalars<T: SetKey>(
    x: &[T],
    table: &[T],
    mode: LookupMode,
) -> oxarray_core::OxResult<Vec<i64>> {
    if T::PARTS > 1 {
        return Ok(lookup_records(x, table, 1, mode));
    }
    let tk = keys_of(table);
    let mut out = Vec::new();
    out.try_reserve_exact(x.len())
        .map_err(|_| oxarray_core::OxError::Memory("Unable to allocate a lookup".into()))?;
    match mode {
        LookupMode::Code | LookupMode::Member { .. } => {
            let idx = KeyIndex::new(&tk, x.len())?;
            for &v in x {
                let k = v.key();
                let hit = idx.find(k);
                out.push(match mode {
                    LookupMode::Code => hit.map_or(-1, |i| i as i64),
                    LookupMode::Member { invert } => {
                        ((hit.is_some() && !(T::INEXACT && k == NAN_KEY)) != invert) as i64
                    }
                    LookupMode::Search { .. } => unreachable!("outer match"),
                });
            }
        }
        LookupMode::Search { right } => {
            for &v in x {
                let k = v.key();
                let p = if right {
                    tk.partition_point(|&t| t <= k)
                } else {
                    tk.partition_point(|&t| t < k)
                };
                out.push(p as i64);
            }
        }
    }
    Ok(out)
}

/// As [`lookup_scalars`] for rows of `width` elements (complex values are rows of one).
pub fn lookup_records<T: SetKey>(x: &[T], table: &[T], width: usize, mode: LookupMode) -> Vec<i64> {
    let kw = (width * T::PARTS).max(1);
    let (xk, tk) = (keys_of(x), keys_of(table));
    let rows = |k: &[u64]| -> Vec<std::ops::Range<usize>> {
        (0..k.len() / kw).map(|i| i * kw..(i + 1) * kw).collect()
    };
    let trows = rows(&tk);
    let n = x.len().checked_div(width).unwrap_or(0);
    (0..n)
        .map(|i| {
            let r = &xk[i * kw..(i + 1) * kw];
            let lt = |t: &std::ops::Range<usize>| tk[t.clone()].cmp(r) == Ordering::Less;
            let le = |t: &std::ops::Range<usize>| tk[t.clone()].cmp(r) != Ordering::Greater;
            match mode {
                LookupMode::Search { right: true } => trows.partition_point(le) as i64,
                LookupMode::Search { right: false } => trows.partition_point(lt) as i64,
                LookupMode::Code | LookupMode::Member { .. } => {
                    let p = trows.partition_point(lt);
                    let hit = trows.get(p).is_some_and(|t| &tk[t.clone()] == r);
                    match mode {
                        LookupMode::Member { invert } => {
                            ((hit && !(T::INEXACT && r.contains(&NAN_KEY))) != invert) as i64
                        }
                        _ => {
                            if hit {
                                p as i64
                            } else {
                                -1
                            }
                        }
                    }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_members_and_insertion_points() {
        let table: Vec<i64> = (0..40).map(|i| 2 * i).collect();
        let x = [4i64, 5, 78, -1, 80];
        assert_eq!(
            lookup_scalars(&x, &table, LookupMode::Code).expect("ok"),
            vec![2, -1, 39, -1, -1]
        );
        assert_eq!(
            lookup_scalars(&x, &table, LookupMode::Member { invert: false }).expect("ok"),
            vec![1, 0, 1, 0, 0]
        );
        assert_eq!(
            lookup_scalars(&x, &table, LookupMode::Search { right: true }).expect("ok"),
            vec![3, 3, 40, 0, 40]
        );
        let f = [f64::NAN, 1.0];
        assert_eq!(
            lookup_scalars(&f, &[1.0, f64::NAN], LookupMode::Member { invert: false }).expect("ok"),
            vec![0, 1]
        );
        assert_eq!(
            lookup_records(&[1i32, 2, 3, 4], &[1, 2, 3, 4], 2, LookupMode::Code),
            vec![0, 1]
        );
    }
}
