//! The per-chunk step of a reduction fused with its elementwise producer, streamed: when axis 0
//! of the chunk is reduced, the program is evaluated slab by slab along it into cache-sized
//! temporaries, each slab reduced to a partial and the partials combined. Evaluating the program
//! first would write (and page in) a chunk-sized temporary and read it back, which costs more
//! than the reduction itself (`nansum`'s `where(isnan(x), 0, x)`, `sum(x * x)`).
//! Reductions that carry indices (argmin/argmax) keep the whole-chunk path.

use crate::fperr::{self, FpCheck, FpLog};
use crate::program::FusedProgram;
use oxarray_core::ops::ReduceOp;
use oxarray_core::{Chunk, DType, OxResult};
use oxarray_kernels::random::{self, Dist, Stream};
use oxarray_kernels::reduce::{self, ChunkPlace, Partial};
use rayon::prelude::*;
use std::sync::Arc;

/// Bytes of one slab's temporary: it stays in L2 between the program and the reduction.
const SLAB_BYTES: usize = 256 * 1024;

/// The partial of reducing `program(inputs)` (of `shape`) over `axes`.
#[allow(clippy::too_many_arguments)] // the partial's spec, its program and its inputs: one call site
pub(crate) fn partial(
    op: ReduceOp,
    program: &FusedProgram,
    inputs: &[&Chunk],
    shape: &[usize],
    axes: &[usize],
    out_dtype: DType,
    place: &ChunkPlace,
    (log, check): (&FpLog, Option<&FpCheck>),
) -> OxResult<Partial> {
    // The program's own instructions are checked inside it; the reduction's flags (NumPy's
    // "overflow encountered in reduce") are read around each call of the reduce kernel.
    let reduce = |x: &Chunk| {
        fperr::checked("reduce", check, log, || {
            reduce::partial(op, x, axes, out_dtype, place).map(|p| (p, 0))
        })
    };
    let rows = shape.first().copied().unwrap_or(0);
    let row_bytes = shape.iter().skip(1).product::<usize>() * program.out_dtype().itemsize();
    let streamable = !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax)
        && axes.contains(&0)
        && rows > 1
        && row_bytes > 0
        && rows.saturating_mul(row_bytes) > 2 * SLAB_BYTES;
    if !streamable {
        return reduce(&program.run(inputs, shape, log)?);
    }
    let slab_rows = (SLAB_BYTES / row_bytes).clamp(1, rows);
    let parts = program.map_row_slabs(inputs, shape, slab_rows, log, |slab| reduce(&slab))?;
    let mut layout = vec![1; shape.len()];
    if let Some(l) = layout.first_mut() {
        *l = parts.len();
    }
    let refs: Vec<&Partial> = parts.iter().collect();
    fperr::checked("reduce", check, log, || {
        reduce::combine(op, &refs, &layout, axes, out_dtype).map(|p| (p, 0))
    })
}

/// A reduction's per-chunk step that draws its own random block (see `optimize::fuse_random`):
/// `np.sum(ox.random.random(n))` never writes a block of random numbers to memory.
#[derive(Clone, Debug)]
pub struct RandomReduce {
    pub stream: Stream,
    pub dist: Dist,
    /// The block's place in the random array (also the reduction's place: they are one array).
    pub offset: Vec<usize>,
    pub full_shape: Arc<[usize]>,
    pub op: ReduceOp,
    pub axes: Arc<[usize]>,
    pub out_dtype: DType,
    pub check: Option<Arc<FpCheck>>,
}

/// The partial of reducing the random block of `shape` and `dtype` described by `r`. When axis
/// 0 is reduced the block is drawn slab by slab along it (slabs in parallel, each drawn and
/// reduced while in cache) and the slabs' partials combined in order, so the result does not
/// depend on the thread schedule.
pub(crate) fn random_partial(
    r: &RandomReduce,
    shape: &[usize],
    dtype: DType,
    log: &FpLog,
) -> OxResult<Partial> {
    let check = r.check.as_deref();
    let reduce = |x: &Chunk, offset: &[usize]| {
        let place = ChunkPlace {
            offset,
            full_shape: &r.full_shape,
        };
        fperr::checked("reduce", check, log, || {
            reduce::partial(r.op, x, &r.axes, r.out_dtype, &place).map(|p| (p, 0))
        })
    };
    let draw = |offset: &[usize], block: &[usize]| {
        random::random_chunk(&r.stream, &r.dist, dtype, &r.full_shape, offset, block)
    };
    let rows = shape.first().copied().unwrap_or(0);
    let row_bytes = shape.iter().skip(1).product::<usize>() * dtype.itemsize();
    let streamable = !matches!(r.op, ReduceOp::ArgMin | ReduceOp::ArgMax)
        && r.axes.contains(&0)
        && rows > 1
        && row_bytes > 0
        && rows.saturating_mul(row_bytes) > 2 * SLAB_BYTES;
    if !streamable {
        return reduce(&draw(&r.offset, shape)?, &r.offset);
    }
    let slab_rows = (SLAB_BYTES / row_bytes).clamp(1, rows);
    let cancel = oxarray_core::cancel::CancelFlag::current();
    let parts = (0..rows.div_ceil(slab_rows))
        .into_par_iter()
        .map(|k| {
            cancel.check()?;
            let first = k * slab_rows;
            let mut offset = r.offset.clone();
            offset[0] += first;
            let mut block = shape.to_vec();
            block[0] = slab_rows.min(rows - first);
            reduce(&draw(&offset, &block)?, &offset)
        })
        .collect::<OxResult<Vec<Partial>>>()?;
    let mut layout = vec![1; shape.len()];
    layout[0] = parts.len();
    let refs: Vec<&Partial> = parts.iter().collect();
    fperr::checked("reduce", check, log, || {
        reduce::combine(r.op, &refs, &layout, &r.axes, r.out_dtype).map(|p| (p, 0))
    })
}
