//! Discrete Fourier transforms in the graph: one node per axis transform, lowered either to one
//! task per block of whole lanes, or — for one long 1-d axis — to Bailey's four-step FFT.
//!
//! Dask refuses an axis split across chunks; here the graph handles it. Lanes path: the input is
//! rechunked so the transformed axis is one chunk while the other axes keep their chunks (cut
//! further when a block of whole lanes would pass `chunk_bytes`), and each block is one kernel
//! task. An axis whose single lane would pass `block_bytes` is refused at the call with
//! `MemoryError`. Four-step path (a complex transform of a 1-d array split across chunks, or
//! bigger than a chunk): the length factors as `n1 * n2`; column tasks do the `n2`-point FFTs
//! and twiddles, row tasks the `n1`-point FFTs, and each output block is gathered from the row
//! tasks — no task ever holds the whole axis, and every stage runs in parallel.

use crate::construct;
use crate::expr::{AxisSlice, Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::program::RawDest;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::grid::regular;
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult};
pub use oxarray_kernels::fft::Transform;
use oxarray_kernels::fft::{four_step, lanes, FourStep, LaneSpec};
use std::sync::Arc;

/// Below this many points a single lane task is faster than the four-step's extra passes.
const FOUR_STEP_MIN: usize = 1 << 16;

/// One axis transform as the Python front asks for it (NumPy's arguments, normalized).
#[derive(Clone, Debug)]
pub struct FftRequest {
    pub transform: Transform,
    pub axis: usize,
    pub n: usize,
    pub scale: f64,
    pub conj_in: bool,
    pub conj_out: bool,
}

/// The sizes that shape a plan.
#[derive(Clone, Copy, Debug)]
pub struct FftBudget {
    /// Target bytes of a block (`ox.config` `chunk_bytes`).
    pub chunk_bytes: usize,
    /// The largest lane block the lanes path may build (`ox.config` `fft_block_bytes`).
    pub block_bytes: usize,
    /// Worker threads: the four-step makes at least a couple of tasks per thread.
    pub threads: usize,
}

/// How a transform node is computed.
#[derive(Debug)]
pub enum FftPlan {
    /// Every block holds whole lanes of the axis; one task per block.
    Lanes(LaneSpec),
    FourStep(FourStepPlan),
}

#[derive(Debug)]
pub struct FourStepPlan {
    pub fs: Arc<FourStep>,
    pub axis: usize,
    /// Stage-1 column blocks and stage-2 `k2` blocks: `(start, count)`.
    pub cols: Vec<(usize, usize)>,
    pub rows: Vec<(usize, usize)>,
    /// Input points present (the rest up to `n` are zeros).
    pub in_len: usize,
}

impl FftPlan {
    pub fn label(&self) -> String {
        let name = match self {
            FftPlan::Lanes(s) => match s.transform {
                Transform::Forward => "fft",
                Transform::Inverse => "ifft",
                Transform::RealForward => "rfft",
                Transform::RealInverse => "irfft",
            },
            FftPlan::FourStep(p) if p.fs.inverse => "ifft-4step",
            FftPlan::FourStep(_) => "fft-4step",
        };
        name.into()
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum FftTask {
    Lanes(LaneSpec),
    /// Columns `cols` of the four-step; deps are the input blocks at `offsets` along the axis.
    Stage1 {
        fs: Arc<FourStep>,
        cols: (usize, usize),
        offsets: Vec<usize>,
        in_len: usize,
    },
    /// `k2` values `rows`; deps are every stage-1 block (columns starting at `col_starts`).
    Stage2 {
        fs: Arc<FourStep>,
        rows: (usize, usize),
        col_starts: Vec<usize>,
    },
    /// Output points from `start`; deps are the stage-2 blocks starting at `k2_starts`.
    Stage3 {
        fs: Arc<FourStep>,
        start: usize,
        k2_starts: Vec<usize>,
    },
}

impl FftTask {
    pub fn label(&self) -> &'static str {
        match self {
            FftTask::Lanes(_) => "fft",
            FftTask::Stage1 { .. } => "fft-columns",
            FftTask::Stage2 { .. } => "fft-rows",
            FftTask::Stage3 { .. } => "fft-transpose",
        }
    }
}

fn complex_itemsize(single: bool) -> usize {
    if single {
        8
    } else {
        16
    }
}

/// The transform node of `x` along `req.axis`. Checks what NumPy checks (axis, `n >= 1`, a real
/// input for `rfft`); integers and booleans are transformed in float64, as NumPy does.
pub fn fft(x: &NodeRef, req: &FftRequest, budget: &FftBudget) -> OxResult<NodeRef> {
    let (axis, n) = (req.axis, req.n);
    if axis >= x.ndim() {
        return Err(OxError::axis(axis as i64, x.ndim()));
    }
    if n == 0 {
        return Err(OxError::Value(
            "Invalid number of FFT data points (0) specified.".into(),
        ));
    }
    let x = if x.dtype.is_inexact() {
        Arc::clone(x)
    } else {
        construct::cast(x, DType::Float64)
    };
    if req.transform == Transform::RealForward && x.dtype.is_complex() {
        return Err(OxError::DTypeNotSupported(format!(
            "rfft of a complex array ({}): the input must be real",
            x.dtype
        )));
    }
    let single = oxarray_kernels::fft::is_single(x.dtype);
    let spec = LaneSpec {
        transform: req.transform,
        axis,
        n,
        scale: req.scale,
        conj_in: req.conj_in,
        conj_out: req.conj_out,
    };
    // Points beyond the transform's input are never read: crop them lazily.
    let x = if x.shape[axis] > spec.in_points() {
        crop(&x, axis, spec.in_points())?
    } else {
        x
    };
    let in_len = x.shape[axis];
    let lanes: usize = (0..x.ndim())
        .filter(|&d| d != axis)
        .map(|d| x.shape[d])
        .product();
    let csize = complex_itemsize(single);
    let complex = matches!(req.transform, Transform::Forward | Transform::Inverse);
    let split = x.grid.numblocks()[axis] > 1;
    if complex && lanes == 1 && n >= FOUR_STEP_MIN && !req.conj_in && !req.conj_out {
        let big = n.saturating_mul(csize) > budget.chunk_bytes;
        let inverse = req.transform == Transform::Inverse;
        if split || big {
            if let Some(fs) = FourStep::new(n, inverse, req.scale, single) {
                return Ok(four_step_node(&x, axis, fs, in_len, budget));
            }
        }
    }
    let lane_bytes = n.max(in_len).saturating_mul(csize);
    if lane_bytes > budget.block_bytes {
        return Err(OxError::Memory(format!(
            "fft: one lane of the transformed axis ({n} points, {lane_bytes} bytes) would have \
             to be one block, which passes ox.config fft_block_bytes={} (a complex transform of \
             a 1-d array whose length has two factors of at least 16 runs without one block); \
             raise it with ox.config.set(fft_block_bytes=...)",
            budget.block_bytes
        )));
    }
    let chunks = lane_chunks(&x, axis, lane_bytes, budget.chunk_bytes);
    let x = construct::rechunk(&x, ChunkGrid::new(&x.shape, chunks.clone())?)?;
    let mut shape = x.shape.clone();
    shape[axis] = spec.out_len();
    let mut out_chunks = chunks;
    out_chunks[axis] = vec![spec.out_len()];
    let grid = ChunkGrid::new(&shape, out_chunks)?;
    let dtype = spec.out_dtype(single);
    Ok(Node::new(
        shape,
        dtype,
        grid,
        NodeKind::Fft {
            x,
            plan: Arc::new(FftPlan::Lanes(spec)),
        },
    ))
}

/// `x[..., :len, ...]` along `axis`.
fn crop(x: &NodeRef, axis: usize, len: usize) -> OxResult<NodeRef> {
    let axes = x
        .shape
        .iter()
        .enumerate()
        .map(|(d, &s)| AxisSlice {
            start: 0,
            step: 1,
            len: if d == axis { len } else { s },
        })
        .collect();
    construct::slice(x, axes)
}

/// `x`'s chunks with `axis` whole; the other axes keep theirs, cut (never merged) where a block
/// of whole lanes would pass `chunk_bytes`, inner axes first.
fn lane_chunks(x: &Node, axis: usize, lane_bytes: usize, chunk_bytes: usize) -> Vec<Vec<usize>> {
    let mut chunks = x.grid.chunks().to_vec();
    chunks[axis] = vec![x.shape[axis]];
    let mut room = (chunk_bytes / lane_bytes.max(1)).max(1); // lanes per block
    for d in (0..x.ndim()).rev() {
        if d == axis {
            continue;
        }
        let biggest = chunks[d].iter().copied().max().unwrap_or(0);
        if biggest <= room {
            room /= biggest.max(1);
            continue;
        }
        let mut cut = Vec::new();
        for &c in &chunks[d] {
            cut.extend(regular(c, room));
        }
        chunks[d] = cut;
        room = 1;
    }
    chunks
}

/// `count` items split into `parts` nearly equal `(start, len)` blocks.
fn split_even(count: usize, parts: usize) -> Vec<(usize, usize)> {
    let parts = parts.clamp(1, count.max(1));
    (0..parts)
        .map(|p| {
            let (a, b) = (count * p / parts, count * (p + 1) / parts);
            (a, b - a)
        })
        .filter(|&(_, l)| l > 0)
        .collect()
}

fn four_step_node(
    x: &NodeRef,
    axis: usize,
    fs: FourStep,
    in_len: usize,
    budget: &FftBudget,
) -> NodeRef {
    let n = fs.n;
    let bytes = n.saturating_mul(complex_itemsize(fs.single));
    let parts = bytes
        .div_ceil(budget.chunk_bytes.max(1))
        .max(2 * budget.threads.max(1));
    let cols = split_even(fs.n1, parts);
    let rows = split_even(fs.n2, parts);
    // Output blocks: the input's when the length is unchanged, else blocks of its largest size.
    let in_chunks = &x.grid.chunks()[axis];
    let axis_chunks = if in_len == n {
        in_chunks.clone()
    } else {
        let size = in_chunks.iter().copied().max().unwrap_or(n).max(1);
        regular(n, size)
    };
    let mut shape = x.shape.clone();
    shape[axis] = n;
    let chunks = (0..x.ndim())
        .map(|d| {
            if d == axis {
                axis_chunks.clone()
            } else {
                vec![x.shape[d]]
            }
        })
        .collect();
    let grid = ChunkGrid::new(&shape, chunks).unwrap_or_else(|_| ChunkGrid::single(&shape));
    let dtype = fs.dtype();
    let plan = FourStepPlan {
        fs: Arc::new(fs),
        axis,
        cols,
        rows,
        in_len,
    };
    Node::new(
        shape,
        dtype,
        grid,
        NodeKind::Fft {
            x: Arc::clone(x),
            plan: Arc::new(FftPlan::FourStep(plan)),
        },
    )
}

/// The tasks of a transform node, one per output block.
pub(crate) fn lower(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    plan: &FftPlan,
) -> OxResult<Vec<TaskId>> {
    let inputs = lw.input(x)?.clone();
    match plan {
        FftPlan::Lanes(spec) => {
            let mut out = Vec::with_capacity(node.grid.nblocks());
            for idx in node.grid.block_indices() {
                let mut in_idx = idx.clone();
                in_idx[spec.axis] = 0;
                out.push(lw.graph.push(Task {
                    kind: TaskKind::Fft(FftTask::Lanes(spec.clone())),
                    deps: vec![inputs[x.grid.linear(&in_idx)]],
                    shape: node.grid.block_shape(&idx).into(),
                    dtype: node.dtype,
                }));
            }
            Ok(out)
        }
        FftPlan::FourStep(p) => lower_four_step(lw, node, x, p, inputs),
    }
}

fn lower_four_step(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    p: &FourStepPlan,
    inputs: Vec<TaskId>,
) -> OxResult<Vec<TaskId>> {
    let (fs, axis) = (&p.fs, p.axis);
    // Every axis but `axis` has length 1, so the blocks are the axis blocks, in order.
    let bounds = x.grid.axis_bounds(axis);
    let offsets = bounds[..bounds.len() - 1].to_vec();
    if inputs.len() != offsets.len() {
        return Err(OxError::Internal("fft: four-step input is not 1-d".into()));
    }
    let s1: Vec<TaskId> = p
        .cols
        .iter()
        .map(|&cols| {
            lw.graph.push(Task {
                kind: TaskKind::Fft(FftTask::Stage1 {
                    fs: Arc::clone(fs),
                    cols,
                    offsets: offsets.clone(),
                    in_len: p.in_len,
                }),
                deps: inputs.clone(),
                shape: vec![cols.1, fs.n2].into(),
                dtype: node.dtype,
            })
        })
        .collect();
    let col_starts: Vec<usize> = p.cols.iter().map(|c| c.0).collect();
    let s2: Vec<TaskId> = p
        .rows
        .iter()
        .map(|&rows| {
            lw.graph.push(Task {
                kind: TaskKind::Fft(FftTask::Stage2 {
                    fs: Arc::clone(fs),
                    rows,
                    col_starts: col_starts.clone(),
                }),
                deps: s1.clone(),
                shape: vec![fs.n1, rows.1].into(),
                dtype: node.dtype,
            })
        })
        .collect();
    let mut out = Vec::with_capacity(node.grid.nblocks());
    for idx in node.grid.block_indices() {
        let start = node.grid.block_offset(&idx)[axis];
        let len = node.grid.block_shape(&idx)[axis];
        let touched = touched_k2(start, len, fs.n2);
        let (mut deps, mut k2_starts) = (Vec::new(), Vec::new());
        for (r, &(k0, h)) in p.rows.iter().enumerate() {
            if touched.iter().any(|&(a, b)| k0 < b && a < k0 + h) {
                deps.push(s2[r]);
                k2_starts.push(k0);
            }
        }
        out.push(lw.graph.push(Task {
            kind: TaskKind::Fft(FftTask::Stage3 {
                fs: Arc::clone(fs),
                start,
                k2_starts,
            }),
            deps,
            shape: node.grid.block_shape(&idx).into(),
            dtype: node.dtype,
        }));
    }
    Ok(out)
}

/// The `k2` intervals (of `0..n2`) that output points `start..start + len` read.
fn touched_k2(start: usize, len: usize, n2: usize) -> Vec<(usize, usize)> {
    if len >= n2 {
        return vec![(0, n2)];
    }
    let s = start % n2;
    if s + len <= n2 {
        vec![(s, s + len)]
    } else {
        vec![(s, n2), (0, s + len - n2)]
    }
}

/// Runs one transform task; lane and output-gather tasks write straight into `dest` when given.
pub(crate) fn run(
    t: &FftTask,
    deps: &[&Chunk],
    task: &Task,
    dest: Option<RawDest>,
) -> OxResult<Value> {
    let len: usize = task.shape.iter().product();
    let dest = dest.filter(|d| d.dtype == task.dtype && d.len == len);
    let chunk = match t {
        FftTask::Lanes(spec) => {
            let x = deps
                .first()
                .ok_or_else(|| OxError::Internal("fft task without input".into()))?;
            if let Some(d) = dest {
                // SAFETY: the result assembly hands each output block its own live region.
                unsafe { lanes::lanes_into(x, spec, d.ptr, d.len, d.dtype)? };
                return Ok(Value::Written);
            }
            lanes::lanes(x, spec)?
        }
        FftTask::Stage1 {
            fs,
            cols,
            offsets,
            in_len,
        } => four_step::stage1(fs, *cols, deps, offsets, *in_len)?,
        FftTask::Stage2 {
            fs,
            rows,
            col_starts,
        } => four_step::stage2(fs, *rows, deps, col_starts)?,
        FftTask::Stage3 {
            fs,
            start,
            k2_starts,
        } => {
            if let Some(d) = dest {
                // SAFETY: as above.
                unsafe {
                    four_step::stage3_into(fs, *start, deps, k2_starts, d.ptr, d.len, d.dtype)?
                };
                return Ok(Value::Written);
            }
            four_step::stage3(fs, *start, deps, k2_starts, &task.shape)?
        }
    };
    Ok(Value::Chunk(Arc::new(chunk)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::construct::full;
    use oxarray_core::Scalar;

    fn node(shape: &[usize], chunks: Vec<Vec<usize>>, dtype: DType) -> NodeRef {
        full(
            shape.to_vec(),
            dtype,
            Scalar::Float(1.0),
            ChunkGrid::new(shape, chunks).unwrap(),
        )
    }

    fn req(transform: Transform, axis: usize, n: usize) -> FftRequest {
        FftRequest {
            transform,
            axis,
            n,
            scale: 1.0,
            conj_in: false,
            conj_out: false,
        }
    }

    const BUDGET: FftBudget = FftBudget {
        chunk_bytes: 1 << 20,
        block_bytes: 1 << 30,
        threads: 2,
    };

    #[test]
    fn lanes_keep_other_chunks_and_make_the_axis_whole() {
        let x = node(&[6, 10], vec![vec![3, 3], vec![4, 6]], DType::Float32);
        let y = fft(&x, &req(Transform::RealForward, 1, 10), &BUDGET).unwrap();
        assert_eq!(y.shape, vec![6, 6]);
        assert_eq!(y.dtype, DType::Complex64);
        assert_eq!(y.grid.chunks(), &[vec![3, 3], vec![6]]);
        let z = fft(&x, &req(Transform::RealInverse, 0, 7), &BUDGET).unwrap();
        assert_eq!(z.shape, vec![7, 10]);
        assert_eq!(z.dtype, DType::Float32);
        let i = node(&[4], vec![vec![2, 2]], DType::Int16);
        assert_eq!(
            fft(&i, &req(Transform::Forward, 0, 4), &BUDGET)
                .unwrap()
                .dtype,
            DType::Complex128
        );
    }

    #[test]
    fn numpy_errors_at_the_call() {
        let x = node(&[4], vec![vec![4]], DType::Complex128);
        assert!(matches!(
            fft(&x, &req(Transform::Forward, 1, 4), &BUDGET),
            Err(OxError::AxisOutOfBounds { .. })
        ));
        assert!(matches!(
            fft(&x, &req(Transform::Forward, 0, 0), &BUDGET),
            Err(OxError::Value(_))
        ));
        assert!(matches!(
            fft(&x, &req(Transform::RealForward, 0, 4), &BUDGET),
            Err(OxError::DTypeNotSupported(_))
        ));
        let tight = FftBudget {
            block_bytes: 1000,
            ..BUDGET
        };
        let p = node(&[1009], vec![vec![500, 509]], DType::Float64);
        assert!(matches!(
            fft(&p, &req(Transform::Forward, 0, 1009), &tight),
            Err(OxError::Memory(_))
        ));
    }

    #[test]
    fn long_split_axes_take_the_four_step() {
        let x = node(
            &[1, 1 << 16],
            vec![vec![1], vec![1 << 15; 2]],
            DType::Complex128,
        );
        let y = fft(&x, &req(Transform::Forward, 1, 1 << 16), &BUDGET).unwrap();
        assert!(
            matches!(&y.kind, NodeKind::Fft { plan, .. } if matches!(**plan, FftPlan::FourStep(_)))
        );
        assert_eq!(y.grid.chunks(), &[vec![1], vec![1 << 15; 2]]);
        let plan = crate::plan(&[y]).unwrap();
        let labels: Vec<&str> = plan.graph.tasks.iter().map(|t| t.label()).collect();
        assert!(labels.contains(&"fft-columns") && labels.contains(&"fft-transpose"));
    }

    #[test]
    fn touched_rows_wrap() {
        assert_eq!(touched_k2(5, 2, 8), vec![(5, 7)]);
        assert_eq!(touched_k2(7, 3, 8), vec![(7, 8), (0, 2)]);
        assert_eq!(touched_k2(3, 9, 8), vec![(0, 8)]);
        assert_eq!(split_even(5, 2), vec![(0, 2), (2, 3)]);
        assert_eq!(split_even(2, 8), vec![(0, 1), (1, 1)]);
    }
}
