//! Kernels against a naive O(n²) DFT in f64.

use super::four_step::{balanced_factors, stage1, stage2, stage3};
use super::*;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::C64;

fn dft(x: &[C64], n: usize, inverse: bool) -> Vec<C64> {
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..n)
        .map(|k| {
            (0..n.min(x.len()))
                .map(|j| {
                    let a = sign * std::f64::consts::TAU * ((j * k) % n) as f64 / n as f64;
                    x[j] * C64::new(a.cos(), a.sin())
                })
                .sum()
        })
        .collect()
}

fn signal(len: usize, seed: usize) -> Vec<C64> {
    (0..len)
        .map(|i| {
            let t = (i * 7 + seed * 13) as f64;
            C64::new((t * 0.37).sin() + 0.1 * t.sqrt(), (t * 0.11).cos())
        })
        .collect()
}

fn close(a: &[C64], b: &[C64], tol: f64) {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().map(|z| z.norm()).fold(1.0, f64::max);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).norm() <= tol * scale, "at {i}: {x} != {y}");
    }
}

fn chunk(shape: &[usize], v: Vec<C64>) -> Chunk {
    Chunk::Complex128(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

fn spec(transform: Transform, axis: usize, n: usize) -> LaneSpec {
    LaneSpec {
        transform,
        axis,
        n,
        scale: 1.0,
        conj_in: false,
        conj_out: false,
    }
}

/// Lane `(o, i)` of a `(outer, len, inner)` buffer.
fn lane(v: &[C64], (len, inner): (usize, usize), o: usize, i: usize) -> Vec<C64> {
    (0..len)
        .map(|k| v[o * len * inner + k * inner + i])
        .collect()
}

#[test]
fn complex_lanes_along_every_axis_with_crop_and_pad() {
    let shape = [3, 5, 4];
    let x = signal(60, 1);
    let c = chunk(&shape, x.clone());
    for axis in 0..3 {
        for n in [1, 2, shape[axis], shape[axis] + 3] {
            for inverse in [false, true] {
                let t = if inverse {
                    Transform::Inverse
                } else {
                    Transform::Forward
                };
                let out = lanes::lanes(&c, &spec(t, axis, n)).unwrap();
                let mut want_shape = shape.to_vec();
                want_shape[axis] = n;
                assert_eq!(out.shape(), want_shape.as_slice());
                let got = out.as_array::<C64>().unwrap().as_slice().unwrap().to_vec();
                let outer: usize = shape[..axis].iter().product();
                let inner: usize = shape[axis + 1..].iter().product();
                for o in 0..outer {
                    for i in 0..inner {
                        let want = dft(&lane(&x, (shape[axis], inner), o, i), n, inverse);
                        close(&lane(&got, (n, inner), o, i), &want, 1e-12);
                    }
                }
            }
        }
    }
}

#[test]
fn real_transforms_match_the_complex_one() {
    for n in [1usize, 2, 5, 8, 9, 17] {
        let x: Vec<f64> = signal(n, 3).iter().map(|z| z.re).collect();
        let c = Chunk::Float64(ArrayD::from_shape_vec(IxDyn(&[1, n]), x.clone()).unwrap());
        let full = dft(
            &x.iter().map(|&r| C64::new(r, 0.0)).collect::<Vec<_>>(),
            n,
            false,
        );
        let mut s = spec(Transform::RealForward, 1, n);
        s.scale = 0.5;
        s.conj_out = true;
        let out = lanes::lanes(&c, &s).unwrap();
        let got = out.as_array::<C64>().unwrap().as_slice().unwrap().to_vec();
        let want: Vec<C64> = full[..n / 2 + 1].iter().map(|z| z.conj() * 0.5).collect();
        close(&got, &want, 1e-12);
        // irfft of the half spectrum gives n * x back (unnormalized).
        let half = chunk(&[n / 2 + 1, 1], full[..n / 2 + 1].to_vec());
        let back = lanes::lanes(&half, &spec(Transform::RealInverse, 0, n)).unwrap();
        let got = back.as_array::<f64>().unwrap().as_slice().unwrap().to_vec();
        for (g, w) in got.iter().zip(&x) {
            assert!(
                (g - w * n as f64).abs() < 1e-9 * n as f64,
                "{g} vs {}",
                w * n as f64
            );
        }
    }
}

#[test]
fn single_precision_stays_single() {
    let x: Vec<f32> = (0..12).map(|i| i as f32).collect();
    let c = Chunk::Float32(ArrayD::from_shape_vec(IxDyn(&[12]), x).unwrap());
    let out = lanes::lanes(&c, &spec(Transform::Forward, 0, 12)).unwrap();
    assert_eq!(out.dtype(), DType::Complex64);
    let z = out.as_array::<num_complex::Complex<f32>>().unwrap();
    assert!((z[[0]].re - 66.0).abs() < 1e-4);
}

#[test]
fn empty_lanes_give_empty_output() {
    let c = chunk(&[0, 4], vec![]);
    let out = lanes::lanes(&c, &spec(Transform::Forward, 1, 6)).unwrap();
    assert_eq!(out.shape(), &[0, 6]);
    let c = chunk(&[0], vec![]);
    let out = lanes::lanes(&c, &spec(Transform::Forward, 0, 3)).unwrap();
    let got = out.as_array::<C64>().unwrap();
    assert!(got.iter().all(|z| *z == C64::new(0.0, 0.0)));
}

#[test]
fn factors_are_balanced() {
    assert_eq!(balanced_factors(1 << 26), Some((1 << 13, 1 << 13)));
    assert_eq!(balanced_factors(12), Some((3, 4)));
    assert_eq!(balanced_factors(97), None);
    assert!(FourStep::new(2 * 97, false, 1.0, false).is_none());
    assert!(FourStep::new(1 << 10, false, 1.0, false).is_some());
}

/// The three stages over chunked input equal the DFT, for padding and both directions.
#[test]
fn four_step_equals_the_dft() {
    for (n, len, chunks, inverse) in [
        (16 * 18, 16 * 18, vec![100, 100, 88], false),
        (16 * 18, 200, vec![7, 193], true),
        (32 * 32, 1024, vec![1024], false),
    ] {
        let fs = FourStep::new(n, inverse, 0.25, false).unwrap();
        let x = signal(len, 5);
        let mut parts = Vec::new();
        let mut offsets = Vec::new();
        let mut at = 0;
        for c in &chunks {
            parts.push(chunk(&[*c], x[at..at + c].to_vec()));
            offsets.push(at);
            at += c;
        }
        let refs: Vec<&Chunk> = parts.iter().collect();
        let cols = [(0, 5), (5, fs.n1 - 5)];
        let b: Vec<Chunk> = cols
            .iter()
            .map(|&c| stage1(&fs, c, &refs, &offsets, len).unwrap())
            .collect();
        let brefs: Vec<&Chunk> = b.iter().collect();
        let rows = [(0, 3), (3, fs.n2 - 3)];
        let cblocks: Vec<Chunk> = rows
            .iter()
            .map(|&r| stage2(&fs, r, &brefs, &[0, 5]).unwrap())
            .collect();
        let crefs: Vec<&Chunk> = cblocks.iter().collect();
        let want: Vec<C64> = dft(&x, n, inverse).iter().map(|z| z * 0.25).collect();
        for (start, l) in [(0, n), (1, 40), (fs.n2 - 2, 5), (n - 7, 7)] {
            let out = stage3(&fs, start, &crefs, &[0, 3], &[l]).unwrap();
            let got = out.as_array::<C64>().unwrap().as_slice().unwrap().to_vec();
            close(&got, &want[start..start + l], 1e-12);
        }
    }
}
