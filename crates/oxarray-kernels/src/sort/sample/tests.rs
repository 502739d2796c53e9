//! The sample sort against `sort_by(compare)` (NumPy's stable order), through the three steps
//! as the graph runs them, with small buckets so every path is taken.

use super::*;
use crate::sort::order::compare;

fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

/// Sorts `v` split at `cuts` into chunks, output chunks equal to the input's, and compares bit
/// for bit (`{:?}` shows -0.0 and NaN signs) with the stable comparison sort.
fn check_with<T: NpOrd>(v: &[T], cuts: &[usize], bucket_keys: usize, simd: bool) {
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().copied().filter(|&c| c <= v.len()));
    bounds.push(v.len());
    bounds.sort_unstable();
    let blocks: Vec<&[T]> = bounds.windows(2).map(|w| &v[w[0]..w[1]]).collect();
    for descending in [false, true] {
        let mut want = v.to_vec();
        want.sort_by(|a, b| compare(a, b, descending));
        let s = splitters(&blocks, descending, bucket_keys);
        let classified: Vec<(Vec<T>, Vec<i64>)> = blocks
            .iter()
            .map(|b| classify(b, &s, descending).unwrap())
            .collect();
        let pieces: Vec<Piece<'_, T>> = classified
            .iter()
            .map(|(values, counts)| Piece { values, counts })
            .collect();
        let mut got = Vec::new();
        for w in bounds.windows(2) {
            got.extend(gather_with(&pieces, &s, w[0], w[1], descending, simd).unwrap());
        }
        assert_eq!(
            format!("{got:?}"),
            format!("{want:?}"),
            "n {} cuts {cuts:?} buckets of {bucket_keys} desc {descending} simd {simd}",
            v.len()
        );
    }
}

fn check<T: NpOrd>(v: &[T]) {
    let n = v.len();
    for cuts in [
        vec![],
        vec![n / 3, n / 2],
        vec![1, n / 4, n / 2, n - n.min(1)],
    ] {
        for bucket_keys in [1, 7, 64, 1 << 20] {
            for simd in [false, true] {
                check_with(v, &cuts, bucket_keys, simd);
            }
        }
    }
}

fn floats(n: usize, seed: u64) -> Vec<f64> {
    let mut next = xorshift(seed);
    (0..n)
        .map(|i| match next() % 23 {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            3 => f64::INFINITY,
            4 => f64::NEG_INFINITY,
            5 => -f64::NAN,
            6 => f64::from_bits(0x7ff8_0000_0000_0001), // a NaN payload
            7 => (i % 5) as f64,
            _ => (next() >> 11) as f64 / (1u64 << 53) as f64 - 0.25,
        })
        .collect()
}

#[test]
fn tiny_sizes_of_every_kind() {
    for n in 0..200 {
        check(&floats(n, n as u64 + 1));
    }
    // Keys spanning all 64 bits, in buckets too short for sub-buckets and long enough.
    for n in [3, 130, 700] {
        let mut next = xorshift(n as u64 + 5);
        let mut v: Vec<i64> = (0..n).map(|_| next() as i64).collect();
        v[0] = i64::MIN;
        v[n - 1] = i64::MAX;
        check(&v);
    }
}

#[test]
fn larger_random_and_structured() {
    let n = 5000 + 3;
    let mut next = xorshift(9);
    check(&floats(n, 4));
    check(&(0..n).map(|_| next() as i64).collect::<Vec<_>>());
    check(&(0..n).map(|_| next() as u32).collect::<Vec<_>>());
    check(&(0..n).map(|_| next() as i8).collect::<Vec<_>>());
    check(&(0..n).map(|_| next().is_multiple_of(3)).collect::<Vec<_>>());
    check(
        &(0..n)
            .map(|_| (next() % 1000) as f32 - 500.5)
            .collect::<Vec<_>>(),
    );
    check(&vec![2.5f64; n]);
    check(&vec![-0.0f64; n]);
    check(&vec![f64::NAN; n]);
    check(&(0..n as i64).collect::<Vec<_>>());
    check(&(0..n as i64).rev().collect::<Vec<_>>());
    check(&(0..n).map(|i| (i % 2) as f64).collect::<Vec<_>>());
    check(
        &(0..n)
            .map(|i| if i % 2 == 0 { 0.0 } else { -0.0 })
            .collect::<Vec<f64>>(),
    );
}

/// Buckets whose keys crowd into one corner of their range: the radix split of a bucket leaves
/// one long sub-bucket (sorted by more partitions) beside near-empty ones.
#[test]
fn skewed_buckets_sort_their_long_sub_buckets() {
    let mut next = xorshift(21);
    let n = 20_000;
    let v: Vec<f64> = (0..n)
        .map(|i| {
            let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
            if i % 20 == 0 {
                u * 1e6 - 5e5
            } else {
                0.5 + u * 1e-9
            }
        })
        .collect();
    for bucket_keys in [1 << 20, 4096] {
        for simd in [false, true] {
            check_with(&v, &[n / 3, n / 2], bucket_keys, simd);
        }
    }
    // Integers in a narrow range: the digit is all the bits that vary (fewer than asked for).
    let w: Vec<i32> = (0..n).map(|_| (next() % 7) as i32 * 3 - 100).collect();
    check_with(&w, &[n / 2], 1 << 20, true);
}

#[test]
fn bad_splitters_and_pieces_are_errors() {
    assert!(classify(&[1.0f64], &[3, 2], false).is_err());
    let (values, counts) = classify(&[1.0f64, 2.0], &[], false).unwrap();
    let p = [Piece {
        values: &values,
        counts: &counts,
    }];
    assert!(gather(&p, &[], 0, 3, false).is_err());
    assert!(gather(&p, &[5], 0, 2, false).is_err());
    assert_eq!(gather(&p, &[], 1, 2, false).unwrap(), vec![2.0]);
}

/// The AVX-512 splitter search equals the scalar one for every tree depth (0 to 12 levels), keys
/// equal to, between, below and above the splitters.
#[test]
fn vector_search_equals_scalar() {
    let mut next = xorshift(17);
    for m in [
        0usize,
        1,
        2,
        3,
        7,
        8,
        15,
        16,
        17,
        100,
        511,
        1000,
        2049,
        TREE - 1,
    ] {
        let mut s: Vec<u64> = (0..m).map(|_| next() >> 1).collect();
        s.sort_unstable();
        s.dedup();
        let tree = Tree::new(&s).unwrap();
        let mut keys: Vec<u64> = (0..4096).map(|_| next()).collect();
        keys.extend(s.iter().copied());
        keys.extend(s.iter().map(|&k| k.wrapping_add(1)));
        keys.extend([0, u64::MAX, 1, u64::MAX - 1]);
        for k in keys.chunks(STEP) {
            let mut k32 = [u64::MAX; STEP];
            k32[..k.len()].copy_from_slice(k);
            let (mut scalar, mut vector) = ([0u16; STEP], [0u16; STEP]);
            search(&tree, &k32, &mut scalar, false);
            search(&tree, &k32, &mut vector, crate::sort::simd::available());
            assert_eq!(scalar, vector, "{m} splitters");
            for (&k, &b) in k32.iter().zip(&scalar) {
                let below = s.partition_point(|&x| x < k);
                let eq = s.get(below) == Some(&k);
                assert_eq!(b as usize, 2 * below + usize::from(eq));
            }
        }
    }
}

/// The write-combining scatter against the plain one, with the output starting at every offset
/// inside a cache line and buckets that are skipped, empty, shorter than a line or many lines.
#[cfg(target_arch = "x86_64")]
#[test]
fn write_combining_scatter_matches_the_plain_one() {
    if !super::super::simd::available() {
        return;
    }
    let mut s = 11u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    for (n, nb) in [(0, 3), (5, 1), (100, 7), (1000, 37), (20_000, 300)] {
        let src: Vec<u64> = (0..n).map(|_| next()).collect();
        let ids: Vec<u16> = (0..n).map(|_| (next() % nb as u64) as u16).collect();
        let stored: Vec<bool> = (0..nb).map(|b| b % 5 != 3).collect();
        let mut count = vec![0usize; nb];
        for &b in &ids {
            count[b as usize] += 1;
        }
        let mut off = vec![0usize; nb];
        let mut total = 0;
        for b in (0..nb).filter(|&b| stored[b]) {
            off[b] = total;
            total += count[b];
        }
        let mut want = vec![0u64; total];
        let mut cursor = off.clone();
        for (&x, &b) in src.iter().zip(&ids) {
            if stored[b as usize] {
                want[cursor[b as usize]] = x;
                cursor[b as usize] += 1;
            }
        }
        for shift in 0..8 {
            // Guard values around the output catch writes outside it.
            let mut buf = vec![u64::MAX; total + 16];
            let mut o = off.clone();
            // SAFETY: AVX-512F was checked; `buf[shift..shift + total]` is the output, the ids
            // are below `nb` and the offsets are prefix sums of the stored buckets' counts.
            unsafe {
                super::combine::scatter8(
                    &src,
                    &ids,
                    &mut o,
                    &stored,
                    buf.as_mut_ptr().add(shift),
                    total,
                )
            };
            assert_eq!(&buf[shift..shift + total], &want[..], "n {n} shift {shift}");
            assert!(buf[..shift].iter().all(|&g| g == u64::MAX));
            assert!(buf[shift + total..].iter().all(|&g| g == u64::MAX));
            for b in (0..nb).filter(|&b| stored[b]) {
                assert_eq!(o[b], cursor[b]);
            }
        }
    }
}
