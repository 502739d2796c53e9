//! The vectorized sort against `slice::sort_by` with NumPy's order (the stable result), on every
//! length up to a few networks' worth and on long inputs of every shape that stresses a
//! quicksort: sorted, reversed, all equal, few distinct values, NaNs and signed zeros.

use super::super::order::{compare, NpOrd};
use super::*;

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

fn check<T: NpOrd>(v: &[T]) {
    for descending in [false, true] {
        let mut want = v.to_vec();
        want.sort_by(|a, b| compare(a, b, descending));
        let mut got = vec![T::default(); v.len()];
        assert!(sort_into(v, &mut got, descending));
        // Debug output distinguishes -0.0 from 0.0; NaN payloads are compared by bits below.
        assert_eq!(
            format!("{got:?}"),
            format!("{want:?}"),
            "n {} desc {descending}",
            v.len()
        );
        let mut inplace = v.to_vec();
        assert!(sort_values(&mut inplace, descending));
        assert_eq!(format!("{inplace:?}"), format!("{want:?}"));
    }
}

fn shapes(n: usize, next: &mut impl FnMut() -> u64) -> Vec<Vec<u64>> {
    let random: Vec<u64> = (0..n).map(|_| next()).collect();
    let mut sorted = random.clone();
    sorted.sort_unstable();
    let reversed: Vec<u64> = sorted.iter().rev().copied().collect();
    let few: Vec<u64> = (0..n).map(|_| next() % 3).collect();
    let equal = vec![7u64; n];
    let mut organ: Vec<u64> = (0..n as u64).map(|i| i.min(n as u64 - i)).collect();
    organ.reverse();
    vec![random, sorted, reversed, few, equal, organ]
}

fn floats(n: usize, next: &mut impl FnMut() -> u64) -> Vec<f64> {
    (0..n)
        .map(|_| match next() % 11 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            3 => f64::from_bits(0x7ff8_0000_0000_0001),
            4 => -f64::NAN,
            5 => f64::NEG_INFINITY,
            _ => (next() % 1000) as f64 / 7.0 - 50.0,
        })
        .collect()
}

fn check_all(n: usize, next: &mut impl FnMut() -> u64) {
    for s in shapes(n, next) {
        check(&s);
        check(&s.iter().map(|&x| x as i64).collect::<Vec<_>>());
        check(&s.iter().map(|&x| x as u32).collect::<Vec<_>>());
        check(&s.iter().map(|&x| x as i32).collect::<Vec<_>>());
        check(
            &s.iter()
                .map(|&x| (x >> 11) as f64 - 1e15)
                .collect::<Vec<_>>(),
        );
        check(
            &s.iter()
                .map(|&x| (x % 5000) as f32 - 100.0)
                .collect::<Vec<_>>(),
        );
    }
    let f = floats(n, next);
    check(&f);
    check(&f.iter().map(|&x| x as f32).collect::<Vec<_>>());
}

#[test]
fn every_short_length() {
    if !available() {
        return;
    }
    let mut next = xorshift(9);
    for n in 0..300 {
        check_all(n, &mut next);
    }
}

#[test]
fn long_inputs() {
    if !available() {
        return;
    }
    let mut next = xorshift(17);
    for n in [511, 4096, 4099, 70_001, 300_007] {
        check_all(n, &mut next);
    }
}

#[test]
fn nan_payloads_keep_their_index_order() {
    if !available() {
        return;
    }
    let mut next = xorshift(5);
    let v = floats(5000, &mut next);
    for descending in [false, true] {
        let mut want = v.clone();
        want.sort_by(|a, b| compare(a, b, descending));
        let mut got = vec![0.0; v.len()];
        assert!(sort_into(&v, &mut got, descending));
        let bits = |x: &[f64]| x.iter().map(|y| y.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want));
    }
}

#[test]
fn keys_with_extreme_values() {
    if !available() {
        return;
    }
    let mut next = xorshift(23);
    for n in [0, 1, 8, 9, 129, 1000, 100_000] {
        let mut a: Vec<u64> = (0..n)
            .map(|_| match next() % 4 {
                0 => u64::MAX,
                1 => 0,
                _ => next(),
            })
            .collect();
        let mut want = a.clone();
        want.sort_unstable();
        sort_keys(&mut a);
        assert_eq!(a, want);
    }
}

#[test]
fn every_remainder_of_the_unrolled_partition() {
    if !available() {
        return;
    }
    // Lengths past the base case and both unrolled widths, with every remainder of a batch.
    let mut next = xorshift(31);
    for n in (129..1400).chain([2047, 2048, 2049, 4159]) {
        for modulo in [u64::MAX, 5] {
            let mut a: Vec<u64> = (0..n).map(|_| next() % modulo).collect();
            let mut want = a.clone();
            want.sort_unstable();
            sort_keys(&mut a);
            assert_eq!(a, want, "n {n}");
            let mut b: Vec<u32> = want.iter().rev().map(|&x| x as u32).collect();
            let mut want32 = b.clone();
            want32.sort_unstable();
            sort_keys(&mut b);
            assert_eq!(b, want32, "n {n}");
        }
    }
}
