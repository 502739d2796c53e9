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
use oxarray_kernels::reduce::{self, ChunkPlace, Partial};

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
