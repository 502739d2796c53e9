//! Chunk invariance and basic statistics of the kernels (the Python tests check distributions
//! more thoroughly).

use super::*;

const S: Stream = Stream {
    key: [0x1234_5678, 0x9abc_def0],
    stream: 3,
};

fn dists() -> Vec<(Dist, DType)> {
    vec![
        (
            Dist::Uniform {
                low: 0.0,
                high: 1.0,
            },
            DType::Float64,
        ),
        (
            Dist::Uniform {
                low: -2.0,
                high: 5.0,
            },
            DType::Float32,
        ),
        (
            Dist::Normal {
                loc: 1.0,
                scale: 2.0,
            },
            DType::Float64,
        ),
        (
            Dist::Normal {
                loc: 0.0,
                scale: 1.0,
            },
            DType::Float32,
        ),
        (Dist::Integers { low: -3, span: 6 }, DType::Int8),
        (
            Dist::Integers {
                low: 0,
                span: (1 << 40) + 7,
            },
            DType::Int64,
        ),
        (
            Dist::Integers {
                low: 0,
                span: u64::MAX,
            },
            DType::UInt64,
        ),
        (Dist::Permutation { n: 97 }, DType::Int64),
        (
            Dist::Categorical {
                cdf: Arc::new(vec![0.2, 0.5, 1.0]),
            },
            DType::Int64,
        ),
    ]
}

fn values(c: &Chunk) -> Vec<f64> {
    oxarray_core::dispatch_typed!(Chunk, c, a => a.iter().map(|v| match v.to_scalar() {
        oxarray_core::Scalar::Float(x) => x,
        oxarray_core::Scalar::Int(x) => x as f64,
        oxarray_core::Scalar::UInt(x) => x as f64,
        oxarray_core::Scalar::Bool(b) => b as u8 as f64,
        oxarray_core::Scalar::Complex(x, _) => x,
    }).collect())
}

#[test]
fn a_block_equals_the_same_region_of_the_whole() {
    let full = [9, 11];
    for (dist, dtype) in dists() {
        let whole = values(&random_chunk(&S, &dist, dtype, &full, &[0, 0], &full).unwrap());
        // An irregular block in the middle: rows 2..7, columns 3..10.
        let part = values(&random_chunk(&S, &dist, dtype, &full, &[2, 3], &[5, 7]).unwrap());
        for r in 0..5 {
            for c in 0..7 {
                assert_eq!(part[r * 7 + c], whole[(r + 2) * 11 + c + 3], "{dist:?}");
            }
        }
    }
}

#[test]
fn a_large_block_split_across_threads_equals_small_spans() {
    let n = 5 * PAR_SPAN + 13;
    for (dist, _) in dists().into_iter().take(3) {
        let mut big = vec![0f64; n];
        fill_block(&S, &dist, &[n + 5], &[5], &[n], &mut big);
        let mut small = vec![0f64; n];
        for (k, part) in small.chunks_mut(1001).enumerate() {
            fill_span(&S, &dist, (5 + k * 1001) as u64, part);
        }
        assert_eq!(big, small);
    }
}

#[test]
fn streams_and_keys_differ() {
    let u = Dist::Uniform {
        low: 0.0,
        high: 1.0,
    };
    let a = values(&random_chunk(&S, &u, DType::Float64, &[8], &[0], &[8]).unwrap());
    let other = Stream { stream: 4, ..S };
    let b = values(&random_chunk(&other, &u, DType::Float64, &[8], &[0], &[8]).unwrap());
    assert_ne!(a, b);
}

#[test]
fn moments_and_ranges() {
    let n = 200_000;
    let u = values(
        &random_chunk(
            &S,
            &Dist::Uniform {
                low: 0.0,
                high: 1.0,
            },
            DType::Float64,
            &[n],
            &[0],
            &[n],
        )
        .unwrap(),
    );
    assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
    let mean = u.iter().sum::<f64>() / n as f64;
    assert!((mean - 0.5).abs() < 0.005);
    let z = values(
        &random_chunk(
            &S,
            &Dist::Normal {
                loc: 0.0,
                scale: 1.0,
            },
            DType::Float64,
            &[n],
            &[0],
            &[n],
        )
        .unwrap(),
    );
    let m = z.iter().sum::<f64>() / n as f64;
    let v = z.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
    assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.02, "{m} {v}");
    let k = values(
        &random_chunk(
            &S,
            &Dist::Integers { low: -3, span: 6 },
            DType::Int16,
            &[n],
            &[0],
            &[n],
        )
        .unwrap(),
    );
    for x in -3..=3 {
        let count = k.iter().filter(|&&y| y == x as f64).count();
        assert!(
            (count as f64 - n as f64 / 7.0).abs() < 1000.0,
            "{x}: {count}"
        );
    }
}

#[test]
fn permutations_are_bijections() {
    for n in [1u64, 2, 3, 5, 64, 65, 1000] {
        let mut seen: Vec<u64> = (0..n).map(|i| permute::permuted_index(&S, n, i)).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
    }
    let w = permute::weighted_sample(&S, &[0.0, 1.0, 2.0, 0.0, 3.0], 3);
    let mut sorted = w.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![1, 2, 4]);
}

#[test]
fn complex_is_refused() {
    let u = Dist::Uniform {
        low: 0.0,
        high: 1.0,
    };
    assert!(random_chunk(&S, &u, DType::Complex128, &[2], &[0], &[2]).is_err());
}
