//! Per-task overhead by phase on the benchmark's `(x + 1).sum()` of a 1000x1000 float64 array in
//! 10x10 chunks (10,000 chunks): lowering, optimization, planning as a whole, and the run, each
//! in µs per chunk (medians). `cargo run --release -p oxarray-graph --example overhead_phases`;
//! `RAYON_NUM_THREADS=1` gives the single-threaded cost of each phase.

use oxarray_core::grid::regular;
use oxarray_core::ops::{BinaryOp, ReduceOp};
use oxarray_core::{Chunk, ChunkGrid, DType, Scalar};
use oxarray_graph::construct as build;
use oxarray_graph::fperr::FpMode;
use oxarray_graph::lower::Lowering;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

/// The extension module's allocator, so the phases cost here what they cost from Python.
#[global_allocator]
static ALLOCATOR: oxarray_core::pool::BlockAllocator = oxarray_core::pool::BlockAllocator;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() -> oxarray_core::OxResult<()> {
    let (side, c) = (1000usize, 10usize);
    let grid = ChunkGrid::new(&[side, side], vec![regular(side, c), regular(side, c)])?;
    let blocks: Vec<Arc<Chunk>> = (0..grid.nblocks())
        .map(|_| Chunk::zeros(DType::Float64, &[c, c]).map(Arc::new))
        .collect::<Result<_, _>>()?;
    let n = blocks.len() as f64;
    let x = build::literal(vec![side, side], DType::Float64, grid, blocks)?;
    let one = build::full(
        vec![],
        DType::Float64,
        Scalar::Float(1.0),
        ChunkGrid::new(&[], vec![])?,
    );
    let check = FpMode(0b1011); // NumPy's default error state: divide, over, invalid warn
    let y = build::binary(BinaryOp::Add, &x, &one, check)?;
    let s = build::reduce_checked(ReduceOp::Sum, &y, vec![0, 1], false, None, (check, check))?;
    let roots = [s];
    let repeats = 15;
    let (mut lower, mut opt, mut plan, mut total) = (vec![], vec![], vec![], vec![]);
    for _ in 0..repeats {
        let t = Instant::now();
        let mut lowering = Lowering::new();
        let per_node = lowering.lower_all(&roots)?;
        let flat: Vec<usize> = per_node.iter().flatten().copied().collect();
        lower.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (graph, _) = oxarray_graph::optimize::optimize(lowering.graph, &flat);
        opt.push(t.elapsed().as_secs_f64());
        std::hint::black_box(graph);
        let t = Instant::now();
        std::hint::black_box(oxarray_graph::plan(&roots)?);
        plan.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(oxarray_graph::compute(&roots, &AtomicBool::new(false))?);
        total.push(t.elapsed().as_secs_f64());
    }
    let us = |v: Vec<f64>| median(v) / n * 1e6;
    let (plan_us, total_us) = (us(plan), us(total));
    println!(
        "(x + 1).sum(), {side}x{side} in {c}x{c} chunks ({n} chunks), {} threads, µs per chunk:",
        rayon::current_num_threads()
    );
    println!("  lower    {:.3}", us(lower));
    println!("  optimize {:.3}", us(opt));
    println!("  plan     {plan_us:.3} (lower + optimize + memory projection)");
    println!("  run      {:.3} (compute - plan)", total_us - plan_us);
    println!("  compute  {total_us:.3}");
    Ok(())
}
