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
        (Dist::Permutation { n: 397 }, DType::Int64),
        (broadcast_bounds(&[4, 9, 11]), DType::Int64),
        (
            Dist::Categorical {
                cdf: Arc::new(vec![0.2, 0.5, 1.0]),
            },
            DType::Int64,
        ),
    ]
}

/// Bounds of shape (9, 1) broadcast against (4, 9, 11): spans from 0 to beyond 32 bits.
fn broadcast_bounds(full: &[usize]) -> Dist {
    let low: Vec<i128> = (0..9).map(|k| k * 10 - 40).collect();
    let span: Vec<u64> = (0..9)
        .map(|k| if k == 8 { 1 << 40 } else { k * k })
        .collect();
    let bounds = bounds::IntBounds::new(full, &[9, 1], low, span).unwrap();
    Dist::IntegersBroadcast {
        bounds: Arc::new(bounds),
    }
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
    let full = [4, 9, 11];
    // Irregular blocks: partial on every axis, whole trailing axes (one run), a 0-d case below.
    let blocks = [
        ([1, 2, 3], [2, 5, 7]),
        ([1, 2, 0], [2, 5, 11]),
        ([1, 0, 0], [3, 9, 11]),
        ([3, 8, 10], [1, 1, 1]),
    ];
    for (dist, dtype) in dists() {
        let whole = values(&random_chunk(&S, &dist, dtype, &full, &[0, 0, 0], &full).unwrap());
        for (off, shape) in &blocks {
            let part = values(&random_chunk(&S, &dist, dtype, &full, off, shape).unwrap());
            let mut k = 0;
            for i in 0..shape[0] {
                for j in 0..shape[1] {
                    for l in 0..shape[2] {
                        let flat = ((off[0] + i) * 9 + off[1] + j) * 11 + off[2] + l;
                        assert_eq!(part[k], whole[flat], "{dist:?} {off:?}");
                        k += 1;
                    }
                }
            }
        }
        let scalar = values(&random_chunk(&S, &dist, dtype, &[], &[], &[]).unwrap());
        assert_eq!(scalar[0], whole[0]);
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

/// `cargo test --release -p oxarray-kernels -- --ignored --nocapture throughput`
#[test]
#[ignore]
fn throughput() {
    let n = 1 << 24;
    let mut out = vec![0f64; n];
    let mut out32 = vec![0f32; n];
    let mut blocks = vec![[0u32; 4]; n / 2];
    for _ in 0..2 {
        let t = std::time::Instant::now();
        for (k, b) in blocks.chunks_exact_mut(philox::LANES).enumerate() {
            let arr: &mut [[u32; 4]; philox::LANES] = b.try_into().unwrap();
            philox::philox_blocks(S.key, S.stream, 0, (k * philox::LANES) as u64, arr);
        }
        let tp = t.elapsed();
        let t = std::time::Instant::now();
        fill_span(
            &S,
            &Dist::Uniform {
                low: 0.0,
                high: 1.0,
            },
            0,
            &mut out,
        );
        let tu = t.elapsed();
        let t = std::time::Instant::now();
        fill_span(
            &S,
            &Dist::Uniform {
                low: 0.0,
                high: 1.0,
            },
            0,
            &mut out32,
        );
        let t32 = t.elapsed();
        let t = std::time::Instant::now();
        fill_span(
            &S,
            &Dist::Normal {
                loc: 0.0,
                scale: 1.0,
            },
            0,
            &mut out,
        );
        let tn = t.elapsed();
        let rate = |d: std::time::Duration, k: usize| k as f64 / d.as_secs_f64() / 1e6;
        println!(
            "philox {:.0} M blocks/s, uniform f64 {:.0} M/s, f32 {:.0} M/s, normal {:.0} M/s",
            rate(tp, n / 2),
            rate(tu, n),
            rate(t32, n),
            rate(tn, n)
        );
    }
}

#[test]
fn normal_tails_have_the_right_mass() {
    // P(|z| > 3) = 0.0027 and P(|z| > R = 3.654) = 2.58e-4: the first tests the wedges, the second
    // the exact tail sampler.
    let n = 400_000;
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
    let frac = |t: f64| z.iter().filter(|v| v.abs() > t).count() as f64 / n as f64;
    assert!((frac(3.0) - 0.0027).abs() < 0.0004, "{}", frac(3.0));
    assert!((frac(3.654_152_885_361_009) - 2.58e-4).abs() < 1.0e-4);
    assert!(frac(1.0) > 0.31 && frac(1.0) < 0.324, "{}", frac(1.0));
}

#[test]
fn broadcast_bounds_hold_per_element() {
    let full = [4, 9, 11];
    let got = values(
        &random_chunk(
            &S,
            &broadcast_bounds(&full),
            DType::Int64,
            &full,
            &[0, 0, 0],
            &full,
        )
        .unwrap(),
    );
    for (flat, &v) in got.iter().enumerate() {
        let k = (flat / 11) % 9;
        let low = k as f64 * 10.0 - 40.0;
        let span = if k == 8 {
            (1u64 << 40) as f64
        } else {
            (k * k) as f64
        };
        assert!(v >= low && v <= low + span, "element {flat}: {v}");
    }
    // A span of 0 is a constant; the others take more than one value.
    assert!((0..4).all(|i| got[i * 99] == -40.0));
    let row1: Vec<f64> = (0..44).map(|i| got[(i / 11) * 99 + 11 + i % 11]).collect();
    assert!(row1.iter().any(|&v| v != row1[0]));
    assert!(bounds::IntBounds::new(&full, &[2, 1], vec![0; 2], vec![0; 2]).is_err());
    assert!(bounds::IntBounds::new(&full, &[9, 1], vec![0; 3], vec![0; 9]).is_err());
}
