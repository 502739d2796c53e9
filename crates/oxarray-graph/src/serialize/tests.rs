use super::*;
use crate::construct as build;
use crate::fperr::FpMode;
use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use oxarray_core::{Chunk, Scalar};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn computed(n: &NodeRef) -> Vec<Chunk> {
    crate::compute(std::slice::from_ref(n), &AtomicBool::new(false)).expect("compute")
}

fn sample() -> NodeRef {
    let grid = ChunkGrid::new(&[6], vec![vec![4, 2]]).expect("grid");
    let chunks = vec![
        Arc::new(Chunk::full(DType::Float64, &[4], Scalar::Float(1.5)).expect("chunk")),
        Arc::new(Chunk::full(DType::Float64, &[2], Scalar::Float(-2.0)).expect("chunk")),
    ];
    let x = build::literal(vec![6], DType::Float64, grid.clone(), chunks).expect("literal");
    let y = build::arange(Scalar::Int(0), Scalar::Int(1), 6, DType::Float64, grid);
    let s = build::binary(BinaryOp::Add, &x, &y, FpMode(0)).expect("add");
    let e = build::unary(UnaryOp::Exp, &s, FpMode(0)).expect("exp");
    // `s` is read twice: stays one node.
    let m = build::binary(BinaryOp::Multiply, &e, &s, FpMode(0)).expect("mul");
    build::reduce(ReduceOp::Sum, &m, vec![0], false, None).expect("sum")
}

#[test]
fn round_trip_computes_the_same() {
    let n = sample();
    let enc = encode(std::slice::from_ref(&n));
    let back = decode(&enc.bytes, &enc.callbacks, &enc.fp_sites).expect("decode");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].shape, n.shape);
    assert_eq!(computed(&back[0]), computed(&n));
    // Shared inputs are written once: 2 sources, add, exp, multiply, sum.
    assert_eq!(enc.bytes[HEADER], 6);
}

#[test]
fn deep_chain_neither_recurses_nor_overflows() {
    let grid = ChunkGrid::single(&[3]);
    let mut x = build::full(vec![3], DType::Int64, Scalar::Int(0), grid);
    let one = build::full(
        vec![3],
        DType::Int64,
        Scalar::Int(1),
        ChunkGrid::single(&[3]),
    );
    for _ in 0..100_000 {
        x = build::binary(BinaryOp::Add, &x, &one, FpMode(0)).expect("add");
    }
    let enc = encode(std::slice::from_ref(&x));
    let back = decode(&enc.bytes, &enc.callbacks, &enc.fp_sites).expect("decode");
    assert_eq!(back[0].shape, vec![3]);
}

#[test]
fn damaged_bytes_are_errors_never_panics() {
    let n = sample();
    let enc = encode(std::slice::from_ref(&n));
    for i in 0..enc.bytes.len() {
        let mut b = enc.bytes.clone();
        b[i] ^= 0x5a;
        assert!(decode(&b, &[], &[]).is_err(), "byte {i}");
    }
    for len in 0..enc.bytes.len() {
        assert!(decode(&enc.bytes[..len], &[], &[]).is_err(), "length {len}");
    }
}

#[test]
fn another_version_names_both_versions() {
    let mut b = encode(&[sample()]).bytes;
    b[4] = FORMAT_VERSION + 1;
    let e = decode(&b, &[], &[]).expect_err("version");
    assert!(e.to_string().contains("version"), "{e}");
}
