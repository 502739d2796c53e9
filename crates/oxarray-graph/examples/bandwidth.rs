//! The sum of 2^27 float64 and the fused `2*a + 3*b*b - sqrt(a)` of 2^25 against the machine's
//! memory bandwidth (plain read / write / copy loops), on 1 and 2 threads, through the real
//! engine (plan, scheduler, kernels, block pool):
//! `cargo run --release -p oxarray-graph --example bandwidth [log2 n] [repeats]`.
//! Prints wall times, GB/s and the ratio to the plain read loop; `perf record` works on it too.
use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use oxarray_core::pool::{BlockAllocator, POOL};
use oxarray_core::{Chunk, ChunkGrid, DType, Scalar};
use oxarray_graph::construct as build;
use oxarray_graph::fperr::FpMode;
use oxarray_graph::NodeRef;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: BlockAllocator = BlockAllocator;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn literal(n: usize, chunk: usize, seed: u64) -> Res<NodeRef> {
    let mut s = seed;
    let bounds = oxarray_core::grid::regular(n, chunk);
    let grid = ChunkGrid::new(&[n], vec![bounds.clone()])?;
    let chunks = bounds
        .iter()
        .map(|&len| {
            let v: Vec<f64> = (0..len)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (s >> 11) as f64 / (1u64 << 53) as f64
                })
                .collect();
            Arc::new(Chunk::from_array(
                ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[len]), v).expect("shape"),
            ))
        })
        .collect();
    Ok(build::literal(vec![n], DType::Float64, grid, chunks)?)
}

fn scalar(v: f64) -> Res<NodeRef> {
    Ok(build::full(
        vec![],
        DType::Float64,
        Scalar::Float(v),
        ChunkGrid::new(&[], vec![])?,
    ))
}

fn median(repeats: usize, mut f: impl FnMut() -> Res<()>) -> Res<f64> {
    f()?;
    let mut ts = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        f()?;
        ts.push(t.elapsed().as_secs_f64());
    }
    ts.sort_by(f64::total_cmp);
    Ok(ts[ts.len() / 2])
}

fn main() -> Res<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let n = 1usize << args.first().copied().unwrap_or(27);
    let repeats = args.get(1).copied().unwrap_or(5);
    let bw = oxarray_kernels::bandwidth::measure(n, repeats)?;
    println!(
        "bandwidth of {} MiB: read {:.1} GB/s (1 thread) {:.1} GB/s (2), write {:.1}, copy {:.1}, \
         write to fresh pages {:.1}",
        (n * 8) >> 20,
        bw.read_1,
        bw.read_2,
        bw.write,
        bw.copy,
        bw.fresh_write
    );
    let chunk = 1 << 23;
    let x = literal(n, chunk, 1)?;
    let sum = build::reduce(ReduceOp::Sum, &x, vec![0], false, None)?;
    let m = n / 4;
    let (a, b) = (literal(m, chunk, 2)?, literal(m, chunk, 3)?);
    let f = FpMode::UNCHECKED;
    let two_a = build::binary(BinaryOp::Multiply, &scalar(2.0)?, &a, f)?;
    let bb = build::binary(BinaryOp::Multiply, &b, &b, f)?;
    let three_bb = build::binary(BinaryOp::Multiply, &scalar(3.0)?, &bb, f)?;
    let fused = build::binary(
        BinaryOp::Subtract,
        &build::binary(BinaryOp::Add, &two_a, &three_bb, f)?,
        &build::unary(UnaryOp::Sqrt, &a, f)?,
        f,
    )?;
    let cancel = AtomicBool::new(false);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        pool.install(|| -> Res<()> {
            let t = median(repeats, || {
                oxarray_graph::result::compute(std::slice::from_ref(&sum), &cancel)?;
                Ok(())
            })?;
            let read = if threads == 1 { bw.read_1 } else { bw.read_2 };
            let gbs = (n * 8) as f64 / t / 1e9;
            println!(
                "{threads} thread(s): sum of 2^{} float64 {:.1} ms, {gbs:.1} GB/s = {:.2}x the read \
                 loop's time, {:.3} ns/element/thread",
                n.trailing_zeros(),
                t * 1e3,
                read / gbs,
                t * 1e9 * threads as f64 / n as f64
            );
            for (label, release) in [("reused blocks", false), ("fresh pages", true)] {
                let t = median(repeats, || {
                    if release {
                        POOL.release();
                    }
                    let r = oxarray_graph::result::compute(std::slice::from_ref(&fused), &cancel)?;
                    drop(r);
                    Ok(())
                })?;
                println!(
                    "{threads} thread(s): fused of 2^{} ({label}) {:.1} ms, {:.3} ns/element/thread, \
                     {:.1} GB/s moved (2 reads + 1 write)",
                    m.trailing_zeros(),
                    t * 1e3,
                    t * 1e9 * threads as f64 / m as f64,
                    (m * 24) as f64 / t / 1e9
                );
            }
            Ok(())
        })?;
    }
    println!("{:?}", POOL.stats());
    Ok(())
}
