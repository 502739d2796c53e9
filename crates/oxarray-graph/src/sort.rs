//! Sorting and selection in the graph: the node (`NodeKind::Sort`) and its lowering.
//!
//! Along an axis held by one chunk, one task per block sorts its lanes. Along a chunked axis,
//! each column of blocks (the chunks of one lane group) becomes: a `Local` sort per chunk, one
//! `Split` task that finds the exact rank cuts between them (small: `lanes x (k+1) x k`
//! integers), and a `Merge` task per output chunk that gathers its ranks from every sorted chunk.
//! The output has the input's chunks; every task allocates one output chunk.
//! Where the CPU has AVX-512, a values sort of 1-lane blocks (a 1-d array, the common case) of a
//! dtype with integer keys runs instead as a sample sort (`kernels::sample`): one `Sample` task picks splitters from every
//! chunk, a `Classify` per input chunk scatters it into cache-sized buckets, and a `Gather` per
//! output chunk sorts just the buckets holding its ranks: no merge pass at all.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::program::RawDest;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::shape::normalize_axis;
use oxarray_core::{Chunk, DType, OxError, OxResult};
use oxarray_kernels::sort as kernels;
use std::sync::Arc;

/// What a sort node computes.
#[derive(Clone, Debug, PartialEq)]
pub enum SortOp {
    /// `np.sort` (`indices == false`) or `np.argsort` along `axis`, stable.
    Sort {
        axis: usize,
        descending: bool,
        indices: bool,
    },
    /// Order statistics along `axis` (`crate::select`): the axis becomes `width` values per lane,
    /// the ranks of row 0 of `ranks` (or of the row of the lane's non-NaN count, `skip_nan`).
    Select {
        axis: usize,
        ranks: Vec<usize>,
        width: usize,
        skip_nan: bool,
    },
    /// `np.partition` / `np.argpartition` at the ascending ranks `kth` (`crate::select`).
    Partition {
        axis: usize,
        kth: Vec<usize>,
        indices: bool,
    },
}

impl SortOp {
    pub fn label(&self) -> String {
        match self {
            SortOp::Sort { indices: false, .. } => "sort".into(),
            SortOp::Sort { indices: true, .. } => "argsort".into(),
            SortOp::Select { .. } => "select".into(),
            SortOp::Partition { indices: false, .. } => "partition".into(),
            SortOp::Partition { indices: true, .. } => "argpartition".into(),
        }
    }
}

/// One task's kernel.
#[derive(Clone, Debug)]
pub enum SortTask {
    /// Sort every lane of one block whose sort axis is whole: values or int64 positions.
    Lanes {
        axis: usize,
        descending: bool,
        indices: bool,
    },
    /// Sort one chunk of a chunked axis: parts `[values]` or `[values, positions + offset]`.
    Local {
        axis: usize,
        descending: bool,
        indices: bool,
        offset: usize,
    },
    /// The rank cuts of the `Local` results (deps) at the axis's chunk `bounds`.
    Split {
        axis: usize,
        descending: bool,
        bounds: Vec<usize>,
    },
    /// Output chunk `j`: deps are the k `Local` results, then the `Split`.
    Merge {
        axis: usize,
        descending: bool,
        indices: bool,
        j: usize,
    },
    /// Sample sort, step 1: the splitters of a column of 1-lane blocks (deps: the inputs).
    Sample { descending: bool },
    /// Sample sort, step 2: one input chunk classified into buckets (deps: the input, `Sample`).
    Classify { descending: bool },
    /// Sample sort, step 3: the output chunk of ranks `lo..hi` (deps: every `Classify` of the
    /// column, then `Sample`).
    Gather {
        descending: bool,
        lo: usize,
        hi: usize,
    },
    /// Order statistics of the lanes of one block whose axis is whole (`crate::select`).
    SelectLanes {
        axis: usize,
        ranks: Arc<[usize]>,
        width: usize,
        skip_nan: bool,
    },
    /// Order statistics along a chunked axis: deps are the column's `Local` sorts.
    Pick {
        axis: usize,
        ranks: Arc<[usize]>,
        width: usize,
        skip_nan: bool,
    },
    /// `np.partition` / `np.argpartition` of one block whose axis is whole.
    PartitionLanes {
        axis: usize,
        kth: Vec<usize>,
        indices: bool,
    },
}

impl SortTask {
    pub fn label(&self) -> &'static str {
        match self {
            SortTask::Lanes { .. } => "sort",
            SortTask::Local { .. } => "sort-chunk",
            SortTask::Split { .. } => "sort-split",
            SortTask::Merge { .. } => "sort-merge",
            SortTask::Sample { .. } => "sort-sample",
            SortTask::Classify { .. } => "sort-classify",
            SortTask::Gather { .. } => "sort-gather",
            SortTask::SelectLanes { .. } => "select",
            SortTask::Pick { .. } => "select-pick",
            SortTask::PartitionLanes { .. } => "partition",
        }
    }
}

/// `np.sort(x, axis)` (values) or `np.argsort(x, axis)` (int64 positions), stable; the result has
/// `x`'s chunks.
pub fn sort(x: &NodeRef, axis: i64, descending: bool, indices: bool) -> OxResult<NodeRef> {
    let axis = normalize_axis(axis, x.ndim())?;
    let dtype = if indices { DType::Int64 } else { x.dtype };
    let op = SortOp::Sort {
        axis,
        descending,
        indices,
    };
    Ok(Node::new(
        x.shape.clone(),
        dtype,
        x.grid.clone(),
        NodeKind::Sort {
            x: Arc::clone(x),
            op,
        },
    ))
}

pub(crate) fn push(
    lw: &mut Lowering,
    kind: SortTask,
    deps: Vec<TaskId>,
    shape: Vec<usize>,
    dtype: DType,
) -> TaskId {
    lw.graph.push(Task {
        kind: TaskKind::Sort(kind),
        deps,
        shape: shape.into(),
        dtype,
    })
}

/// The tasks of every block of a sort node (C order of its grid).
pub(crate) fn lower(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    op: &SortOp,
) -> OxResult<Vec<TaskId>> {
    let SortOp::Sort {
        axis,
        descending,
        indices,
    } = op.clone()
    else {
        return crate::select::lower(lw, node, x, op);
    };
    lower_sort(lw, node, x, axis, descending, indices)
}

/// The tasks of a stable sort (values or positions) of `x` along `axis`.
pub(crate) fn lower_sort(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    axis: usize,
    descending: bool,
    indices: bool,
) -> OxResult<Vec<TaskId>> {
    let inputs = lw.input(x)?.clone();
    let grid = &x.grid;
    let k = grid.numblocks()[axis];
    let mut out = vec![0; grid.nblocks()];
    if k == 1 {
        for (lin, idx) in grid.block_indices().enumerate() {
            let kind = SortTask::Lanes {
                axis,
                descending,
                indices,
            };
            out[lin] = push(
                lw,
                kind,
                vec![inputs[lin]],
                grid.block_shape(&idx),
                node.dtype,
            );
        }
        return Ok(out);
    }
    let bounds = grid.axis_bounds(axis);
    let one_lane = x
        .shape
        .iter()
        .enumerate()
        .all(|(d, &n)| d == axis || n == 1);
    if sample_sort() && !indices && one_lane && kernels::sample_sort_applies(x.dtype) {
        return lower_sample_sort(lw, node, x, axis, descending, &inputs, out);
    }
    for start in grid.block_indices().filter(|i| i[axis] == 0) {
        let column: Vec<usize> = (0..k)
            .map(|b| {
                let mut i = start.clone();
                i[axis] = b;
                grid.linear(&i)
            })
            .collect();
        let mut locals = Vec::with_capacity(k);
        for (b, &lin) in column.iter().enumerate() {
            let kind = SortTask::Local {
                axis,
                descending,
                indices,
                offset: bounds[b],
            };
            let shape = grid.block_shape(&grid.unravel(lin));
            locals.push(push(lw, kind, vec![inputs[lin]], shape, x.dtype));
        }
        let split = SortTask::Split {
            axis,
            descending,
            bounds: bounds.to_vec(),
        };
        let lanes: usize = grid
            .block_shape(&start)
            .iter()
            .enumerate()
            .filter(|(d, _)| *d != axis)
            .map(|(_, n)| n)
            .product();
        let s = push(
            lw,
            split,
            locals.clone(),
            vec![lanes, k + 1, k],
            DType::Int64,
        );
        for (j, &lin) in column.iter().enumerate() {
            let kind = SortTask::Merge {
                axis,
                descending,
                indices,
                j,
            };
            let mut deps = locals.clone();
            deps.push(s);
            out[lin] = push(
                lw,
                kind,
                deps,
                grid.block_shape(&grid.unravel(lin)),
                node.dtype,
            );
        }
    }
    Ok(out)
}

/// Whether 1-lane values sorts take the sample sort: where the CPU has AVX-512, whose
/// vectorized bucket search, write-combining scatter and in-cache quicksort make it faster than
/// per-chunk sorts and a merge (`bench/run.py --only sort`, 2**27 float64 in 16 chunks on a
/// 2-core Xeon: 1.04 s against 2.48 s for sort + merge and NumPy's 1.6-1.7 s). Without AVX-512
/// the buckets would be comparison-sorted, so those machines keep sort + merge.
fn sample_sort() -> bool {
    kernels::simd::available()
}

/// The tasks of a values sort along a chunked axis of 1-lane blocks as a sample sort
/// (`kernels::sample`): one `Sample`, a `Classify` per input chunk, a `Gather` per output chunk.
fn lower_sample_sort(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    axis: usize,
    descending: bool,
    inputs: &[TaskId],
    mut out: Vec<TaskId>,
) -> OxResult<Vec<TaskId>> {
    let grid = &x.grid;
    let bounds = grid.axis_bounds(axis);
    // One lane per block: every block of the grid is in the one column, in axis order.
    let column: Vec<usize> = grid.block_indices().map(|i| grid.linear(&i)).collect();
    let deps: Vec<TaskId> = column.iter().map(|&lin| inputs[lin]).collect();
    let sample = push(
        lw,
        SortTask::Sample { descending },
        deps,
        vec![kernels::sample::MAX_BUCKETS + 2],
        DType::Int64,
    );
    let classified: Vec<TaskId> = column
        .iter()
        .map(|&lin| {
            let shape = vec![grid.block_shape(&grid.unravel(lin)).iter().product()];
            push(
                lw,
                SortTask::Classify { descending },
                vec![inputs[lin], sample],
                shape,
                x.dtype,
            )
        })
        .collect();
    for (j, &lin) in column.iter().enumerate() {
        let kind = SortTask::Gather {
            descending,
            lo: bounds[j],
            hi: bounds[j + 1],
        };
        let mut deps = classified.clone();
        deps.push(sample);
        out[lin] = push(
            lw,
            kind,
            deps,
            grid.block_shape(&grid.unravel(lin)),
            node.dtype,
        );
    }
    Ok(out)
}

fn parts(v: &Value) -> OxResult<&[Arc<Chunk>]> {
    match v {
        Value::Parts(p) => Ok(p),
        _ => Err(OxError::Internal(
            "sort: expected a sorted chunk's parts".into(),
        )),
    }
}

fn chunk(v: &Value) -> OxResult<&Chunk> {
    match v {
        Value::Chunk(c) => Ok(c),
        _ => Err(OxError::Internal("sort: expected a chunk".into())),
    }
}

/// Runs one sort task; `shape` is the block it produces.
/// Runs one sort task; a sample sort's output block is written straight into `dest` when given.
pub(crate) fn run(
    t: &SortTask,
    deps: &[&Value],
    shape: &[usize],
    dest: Option<RawDest>,
) -> OxResult<Value> {
    let first = || {
        deps.first()
            .ok_or_else(|| OxError::Internal("sort: no input".into()))
    };
    Ok(match t {
        SortTask::Lanes {
            axis,
            descending,
            indices,
        } => {
            let x = chunk(first()?)?;
            let c = if *indices {
                kernels::argsort_chunk(x, *axis, *descending, 0)?.1
            } else {
                kernels::sort_chunk(x, *axis, *descending)?
            };
            Value::Chunk(Arc::new(c))
        }
        SortTask::Local {
            axis,
            descending,
            indices,
            offset,
        } => {
            let x = chunk(first()?)?;
            if *indices {
                let (v, i) = kernels::argsort_chunk(x, *axis, *descending, *offset as i64)?;
                Value::Parts(vec![Arc::new(v), Arc::new(i)])
            } else {
                Value::Parts(vec![Arc::new(kernels::sort_chunk(x, *axis, *descending)?)])
            }
        }
        SortTask::Split {
            axis,
            descending,
            bounds,
        } => {
            let sorted = deps
                .iter()
                .map(|d| parts(d).map(|p| &*p[0]))
                .collect::<OxResult<Vec<&Chunk>>>()?;
            Value::Chunk(Arc::new(kernels::split_chunks(
                &sorted,
                *axis,
                bounds,
                *descending,
            )?))
        }
        SortTask::Merge {
            axis,
            descending,
            indices,
            j,
        } => {
            let (cuts, locals) = deps
                .split_last()
                .ok_or_else(|| OxError::Internal("sort merge: no deps".into()))?;
            let ps = locals
                .iter()
                .map(|d| parts(d))
                .collect::<OxResult<Vec<_>>>()?;
            let sorted: Vec<&Chunk> = ps.iter().map(|p| &*p[0]).collect();
            let idx: Option<Vec<&Chunk>> = if *indices {
                Some(
                    ps.iter()
                        .map(|p| p.get(1).map(|c| &**c))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| OxError::Internal("sort merge: no indices".into()))?,
                )
            } else {
                None
            };
            let (v, i) = kernels::merge_chunk(
                &sorted,
                idx.as_deref(),
                chunk(cuts)?,
                *axis,
                *j,
                shape,
                *descending,
            )?;
            let c = match i {
                Some(i) => i,
                None => v,
            };
            Value::Chunk(Arc::new(c))
        }
        SortTask::Sample { descending } => {
            let blocks = deps
                .iter()
                .map(|d| chunk(d))
                .collect::<OxResult<Vec<&Chunk>>>()?;
            Value::Chunk(Arc::new(kernels::sample_splitters(&blocks, *descending)?))
        }
        SortTask::Classify { descending } => {
            let [x, s] = deps else {
                return Err(OxError::Internal("sort classify: deps".into()));
            };
            let (v, c) = kernels::sample_classify(chunk(x)?, chunk(s)?, *descending)?;
            Value::Parts(vec![Arc::new(v), Arc::new(c)])
        }
        SortTask::Gather { descending, lo, hi } => {
            let (s, classified) = deps
                .split_last()
                .ok_or_else(|| OxError::Internal("sort gather: no deps".into()))?;
            let pieces = classified
                .iter()
                .map(|d| match parts(d)? {
                    [v, c] => Ok((&**v, &**c)),
                    _ => Err(OxError::Internal("sort gather: parts".into())),
                })
                .collect::<OxResult<Vec<(&Chunk, &Chunk)>>>()?;
            if let Some(d) = dest {
                // SAFETY: the result assembly hands each output block its own live region.
                unsafe {
                    kernels::sample_gather_into(
                        &pieces,
                        chunk(s)?,
                        *lo..*hi,
                        *descending,
                        d.ptr,
                        d.len,
                        d.dtype,
                    )?
                };
                return Ok(Value::Written);
            }
            Value::Chunk(Arc::new(kernels::sample_gather(
                &pieces,
                chunk(s)?,
                *lo,
                *hi,
                shape,
                *descending,
            )?))
        }
        SortTask::SelectLanes { .. } | SortTask::Pick { .. } | SortTask::PartitionLanes { .. } => {
            return crate::select::run(t, deps)
        }
    })
}
