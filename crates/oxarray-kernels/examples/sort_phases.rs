//! Times the phases of a chunked sort of float64 (per-chunk sort, rank split, merge) in CPU
//! seconds of the process, rayon at one thread (a profiling aid; perf works on it too):
//! `cargo run --release -p oxarray-kernels --example sort_phases [log2 n] [chunks]`.
use oxarray_kernels::sort::{lanes::Lanes, local, merge, msd, radix, sample, simd};
use std::time::Instant;

fn cpu() -> f64 {
    let mut ts = Timespec { s: 0, ns: 0 };
    // SAFETY: clock_gettime writes one timespec.
    unsafe { clock_gettime(2, &mut ts) }; // CLOCK_PROCESS_CPUTIME_ID
    ts.s as f64 + ts.ns as f64 * 1e-9
}
#[repr(C)]
struct Timespec {
    s: i64,
    ns: i64,
}
extern "C" {
    fn clock_gettime(clk: i32, ts: *mut Timespec) -> i32;
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let n = 1usize << args.first().copied().unwrap_or(23);
    let k = args.get(1).copied().unwrap_or(1);
    let mut s = 5u64;
    let data: Vec<f64> = (0..n * k)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    let lane = Lanes {
        outer: 1,
        n,
        inner: 1,
    };
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()?;
    let total = (n * k) as f64;
    let per = |t: f64| t * 1e9 / total;
    // The sample sort (what a chunked np.sort of 1-lane blocks runs).
    let blocks: Vec<&[f64]> = data.chunks(n).collect();
    let c0 = cpu();
    let s = sample::splitters(&blocks, false, sample::BUCKET_KEYS);
    let t_s = cpu() - c0;
    let c0 = cpu();
    for b in &blocks {
        std::hint::black_box(sample::bucket_search(b, &s, false)?);
    }
    let t_b = cpu() - c0;
    let c0 = cpu();
    let classified: Vec<(Vec<f64>, Vec<i64>)> = blocks
        .iter()
        .map(|b| sample::classify(b, &s, false))
        .collect::<Result<_, _>>()?;
    let t_c = cpu() - c0;
    let pieces: Vec<sample::Piece<'_, f64>> = classified
        .iter()
        .map(|(values, counts)| sample::Piece { values, counts })
        .collect();
    let c0 = cpu();
    let mut all = Vec::with_capacity(n * k);
    for j in 0..k {
        all.extend(sample::gather(&pieces, &s, j * n, (j + 1) * n, false)?);
    }
    let t_g = cpu() - c0;
    println!(
        "sample sort of {k} x 2^{}: splitters {:.2} ns/el, classify {:.2} ns/el (search alone {:.2}), gather+sort {:.2} ns/el, total {:.2} ns/el ({} splitters)",
        n.trailing_zeros(),
        per(t_s),
        per(t_c),
        per(t_b),
        per(t_g),
        per(t_s + t_c + t_g),
        s.len()
    );
    assert!(all.windows(2).all(|w| w[0] <= w[1]));
    drop(all);
    drop(pieces);
    drop(classified);
    let mut out = vec![0.0f64; n];
    let c0 = cpu();
    radix::sort_into(&data[..n], &mut out, false);
    println!("lsd radix of one chunk: {:.3} s cpu", cpu() - c0);
    let c0 = cpu();
    msd::sort_into(&data[..n], &mut out, false);
    println!("msd radix of one chunk: {:.3} s cpu", cpu() - c0);
    let c0 = cpu();
    if simd::sort_into(&data[..n], &mut out, false) {
        println!("avx-512 quicksort of one chunk: {:.3} s cpu", cpu() - c0);
    }
    let (c0, w0) = (cpu(), Instant::now());
    let sorted: Vec<Vec<f64>> = data
        .chunks(n)
        .map(|c| local::sort_block(c, lane, false))
        .collect::<Result<_, _>>()?;
    println!(
        "local sort: {:.3} s cpu ({:.3} wall) for {k} x 2^{}",
        cpu() - c0,
        w0.elapsed().as_secs_f64(),
        n.trailing_zeros()
    );
    for (c, s) in data.chunks(n).zip(&sorted) {
        let mut w = c.to_vec();
        w.sort_by(|a, b| a.total_cmp(b));
        assert!(w == *s);
    }
    if k > 1 {
        let blocks: Vec<&[f64]> = sorted.iter().map(|v| v.as_slice()).collect();
        let lanes = vec![lane; k];
        let bounds: Vec<usize> = (0..=k).map(|i| i * n).collect();
        let c0 = cpu();
        let cuts = merge::split(&blocks, &lanes, &bounds, false)?;
        println!("split: {:.4} s cpu", cpu() - c0);
        let c0 = cpu();
        let mut all = Vec::new();
        for j in 0..k {
            all.extend(merge::merge(&blocks, &lanes, &cuts, j, lane, false)?);
        }
        println!("merge: {:.3} s cpu", cpu() - c0);
        assert!(all.windows(2).all(|w| w[0] <= w[1]));
    }
    Ok(())
}
