//! LSD radix sort for the dtypes whose NumPy order is the order of an integer key (booleans,
//! integers, floats with `-0.0 == 0.0` and every NaN last): one counting pass for all digits,
//! then one stable scatter per byte that is not the same for every element. Stable, so equal
//! values keep their order, which is NumPy's `kind="stable"` result exactly. Complex values
//! (lexicographic) use the comparison sort instead.

use super::order::NpOrd;

/// Lanes shorter than this use the comparison sort (fewer passes over a cache-resident lane).
const MIN_LEN: usize = 256;

/// Per-byte histograms of the keys, one counting pass.
fn histograms<T: NpOrd>(v: &[T], descending: bool) -> Vec<[usize; 256]> {
    let bytes = T::KEY_BYTES as usize;
    let mut h = vec![[0usize; 256]; bytes];
    for x in v {
        let k = key_of(x, descending);
        for (p, hp) in h.iter_mut().enumerate() {
            hp[((k >> (8 * p)) & 0xff) as usize] += 1;
        }
    }
    h
}

#[inline(always)]
fn key_of<T: NpOrd>(x: &T, descending: bool) -> u64 {
    let k = x.key();
    if descending {
        !k
    } else {
        k
    }
}

/// Starting offsets of each bucket; `None` when one bucket holds everything (pass skipped).
fn offsets(h: &[usize; 256], n: usize) -> Option<[usize; 256]> {
    if h.contains(&n) {
        return None;
    }
    let mut off = [0usize; 256];
    let mut s = 0;
    for (o, &c) in off.iter_mut().zip(h) {
        *o = s;
        s += c;
    }
    Some(off)
}

/// Sorts `v` by radix when its type has a key and it is long enough; `false` otherwise.
pub fn sort_values<T: NpOrd>(v: &mut [T], descending: bool) -> bool {
    if T::KEY_BYTES == 0 || v.len() < MIN_LEN {
        return false;
    }
    let src: Vec<T> = v.to_vec();
    super::msd::sort_into(&src, v, descending) || sort_into(&src, v, descending)
}

/// `dst` receives `src` sorted (stable), by radix, when the type has a key and the lane is long
/// enough; `false` otherwise (nothing written).
///
/// One read pass counts every digit and notes the values whose key does not give them back
/// (a float's -0.0 and NaN payloads); the first scatter turns values into keys, the middle ones
/// move plain u64 keys between two buffers, the last turns keys back into values in `dst`; then
/// the noted values are put back in their runs, in index order (the stable order).
pub fn sort_into<T: NpOrd>(src: &[T], dst: &mut [T], descending: bool) -> bool {
    let n = src.len();
    if T::KEY_BYTES == 0 || n < MIN_LEN || dst.len() != n {
        return false;
    }
    let bytes = T::KEY_BYTES as usize;
    let mut hist = vec![[0usize; 256]; bytes];
    let mut special: Vec<T> = Vec::new();
    for x in src {
        let k = key_of(x, descending);
        for (p, hp) in hist.iter_mut().enumerate() {
            hp[((k >> (8 * p)) & 0xff) as usize] += 1;
        }
        if x.needs_fixup() {
            special.push(*x);
        }
    }
    let passes: Vec<(usize, [usize; 256])> = hist
        .iter()
        .enumerate()
        .filter_map(|(p, h)| offsets(h, n).map(|o| (p, o)))
        .collect();
    let digit = |k: u64, p: usize| ((k >> (8 * p)) & 0xff) as usize;
    let value = |k: u64| T::from_key(if descending { !k } else { k });
    match passes.len() {
        0 => dst.copy_from_slice(src),
        1 => {
            let (p, mut off) = passes[0];
            scatter(src, dst, &mut off, |x| digit(key_of(x, descending), p));
        }
        count => {
            let (Ok(mut a), Ok(mut b)) = (
                oxarray_core::buffer::zeroed_vec::<u64>(n),
                oxarray_core::buffer::zeroed_vec::<u64>(if count > 2 { n } else { 0 }),
            ) else {
                return false;
            };
            let (p0, mut off) = passes[0];
            scatter_map(src, &mut a, &mut off, |x| {
                let k = key_of(x, descending);
                (digit(k, p0), k)
            });
            for &(p, mut off) in &passes[1..count - 1] {
                scatter(&a, &mut b, &mut off, |&k| digit(k, p));
                std::mem::swap(&mut a, &mut b);
            }
            let (pl, mut off) = passes[count - 1];
            scatter_map(&a, dst, &mut off, |&k| (digit(k, pl), value(k)));
        }
    }
    restore_special(dst, &special, descending);
    true
}

/// Puts the noted zeros and NaNs back over their runs of `dst` (sorted), in their index order.
pub(crate) fn restore_special<T: NpOrd>(dst: &mut [T], special: &[T], descending: bool) {
    if special.is_empty() {
        return;
    }
    for nan in [false, true] {
        let group: Vec<T> = special
            .iter()
            .copied()
            .filter(|x| x.is_nan_like() == nan)
            .collect();
        let Some(first) = group.first() else { continue };
        let start = dst.partition_point(|x| super::order::compare(x, first, descending).is_lt());
        if let Some(run) = dst.get_mut(start..start + group.len()) {
            run.copy_from_slice(&group);
        }
    }
}

/// A stable scatter that writes `f(x).1` at the bucket `f(x).0`.
#[inline(always)]
fn scatter_map<S: Copy, D: Copy>(
    src: &[S],
    dst: &mut [D],
    off: &mut [usize; 256],
    f: impl Fn(&S) -> (usize, D),
) {
    debug_assert_eq!(src.len(), dst.len());
    let out = dst.as_mut_ptr();
    for x in src {
        let (d, v) = f(x);
        let o = off[d];
        debug_assert!(o < dst.len());
        // SAFETY: as in `scatter`: `off` holds the prefix sums of these very digits over `src`,
        // so every write stays inside `dst` (the length of `src`), each slot once.
        unsafe { *out.add(o) = v };
        off[d] = o + 1;
    }
}

/// One stable scatter pass: element `x` goes to `dst[off[digit(x)]++]`.
#[inline(always)]
fn scatter<T: Copy>(src: &[T], dst: &mut [T], off: &mut [usize; 256], digit: impl Fn(&T) -> usize) {
    debug_assert_eq!(src.len(), dst.len());
    let out = dst.as_mut_ptr();
    for x in src {
        let d = digit(x);
        let o = off[d];
        debug_assert!(o < dst.len());
        // SAFETY: `off` holds the prefix sums of the histogram of these very digits over `src`,
        // so bucket d's writes stay in [start_d, start_d + count_d) inside `dst` (same length as
        // `src`); each slot is written once.
        unsafe { *out.add(o) = *x };
        off[d] = o + 1;
    }
}

/// Argsort by radix: `vals` receives the sorted values, `idx` their positions plus `offset`.
pub fn argsort<T: NpOrd>(
    v: &[T],
    descending: bool,
    offset: i64,
    vals: &mut [T],
    idx: &mut [i64],
) -> bool {
    if T::KEY_BYTES == 0 || v.len() < MIN_LEN {
        return false;
    }
    vals.copy_from_slice(v);
    for (i, o) in idx.iter_mut().enumerate() {
        *o = i as i64 + offset;
    }
    sort_pairs(vals, idx, descending)
}

/// Sorts `vals` by radix, moving `idx` along (stable); `false` when the type has no key or the
/// lane is short (nothing is moved then).
pub fn sort_pairs<T: NpOrd>(vals: &mut [T], idx: &mut [i64], descending: bool) -> bool {
    let n = vals.len();
    if T::KEY_BYTES == 0 || n < MIN_LEN || idx.len() != n {
        return false;
    }
    let hist = histograms(vals, descending);
    let mut sv: Vec<T> = vals.to_vec();
    let mut si: Vec<i64> = idx.to_vec();
    let mut in_out = true;
    for (p, h) in hist.iter().enumerate() {
        let Some(off) = offsets(h, n) else {
            continue;
        };
        let digit = |x: &T| ((key_of(x, descending) >> (8 * p)) & 0xff) as usize;
        if in_out {
            scatter_pairs(vals, idx, &mut sv, &mut si, off, digit);
        } else {
            scatter_pairs(&sv, &si, vals, idx, off, digit);
        }
        in_out = !in_out;
    }
    if !in_out {
        vals.copy_from_slice(&sv);
        idx.copy_from_slice(&si);
    }
    true
}

fn scatter_pairs<T: Copy>(
    sv: &[T],
    si: &[i64],
    dv: &mut [T],
    di: &mut [i64],
    mut off: [usize; 256],
    digit: impl Fn(&T) -> usize,
) {
    let (ov, oi) = (dv.as_mut_ptr(), di.as_mut_ptr());
    debug_assert!(sv.len() == dv.len() && si.len() == di.len() && sv.len() == si.len());
    for (x, &i) in sv.iter().zip(si) {
        let d = digit(x);
        let o = off[d];
        // SAFETY: as in `scatter`: prefix sums of this pass's digits keep every write inside
        // `dv`/`di`, which have the length of `sv`.
        unsafe {
            *ov.add(o) = *x;
            *oi.add(o) = i;
        }
        off[d] = o + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: NpOrd>(mut v: Vec<T>, descending: bool) {
        let mut pairs: Vec<(T, i64)> = v
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, i as i64 + 5))
            .collect();
        pairs.sort_by(|a, b| super::super::order::compare(&a.0, &b.0, descending));
        let bits = |a: &[T]| format!("{a:?}");
        let want: Vec<T> = pairs.iter().map(|p| p.0).collect();
        let want_idx: Vec<i64> = pairs.iter().map(|p| p.1).collect();
        let mut vals = v.clone();
        let mut idx = vec![0i64; v.len()];
        assert!(argsort(&v, descending, 5, &mut vals, &mut idx));
        assert!(sort_values(&mut v, descending));
        assert_eq!(bits(&v), bits(&want));
        assert_eq!(bits(&vals), bits(&want));
        assert_eq!(idx, want_idx);
    }

    #[test]
    fn radix_matches_comparison_sort() {
        let mut s = 7u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let f: Vec<f64> = (0..3000)
            .map(|i| match i % 7 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                _ => (next() % 200) as f64 - 100.5,
            })
            .collect();
        check(f.clone(), false);
        check(f, true);
        let i: Vec<i16> = (0..1000).map(|_| next() as i16).collect();
        check(i.clone(), false);
        check(i, true);
        let u: Vec<u64> = (0..1000).map(|_| next()).collect();
        check(u, false);
        let b: Vec<bool> = (0..1000).map(|_| next() % 3 == 0).collect();
        check(b, true);
        let g: Vec<f32> = (0..1000).map(|_| (next() % 50) as f32 - 25.0).collect();
        check(g, false);
    }
}
