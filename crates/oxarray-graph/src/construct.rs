//! Constructors of expression nodes. Each validates its arguments and decides the result's shape,
//! dtype and chunk grid, so errors surface at the call. Inputs whose chunks disagree are rechunked
//! here (as Dask's `unify_chunks` does), which keeps every later stage blockwise.

use crate::expr::{AxisSlice, Node, NodeKind, NodeRef};
use crate::fperr::FpMode;
use oxarray_core::grid::{regular, DimSpec};
use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use oxarray_core::shape::{broadcast_shapes, normalize_axis, shape_str};
use oxarray_core::{Chunk, ChunkGrid, DType, OxError, OxResult, Scalar};
use oxarray_kernels::elementwise::{binary_output_dtype, unary_output_dtype};
use oxarray_kernels::reduce::reduce_output_dtype;
use std::sync::Arc;

/// Chunk sizes used when the caller says `chunks="auto"`.
pub const DEFAULT_CHUNK_BYTES: usize = 64 << 20;

pub fn literal(
    shape: Vec<usize>,
    dtype: DType,
    grid: ChunkGrid,
    chunks: Vec<Arc<Chunk>>,
) -> OxResult<NodeRef> {
    if grid.nblocks() != chunks.len() || grid.shape() != shape {
        return Err(OxError::Internal(
            "literal: chunks do not match the grid".into(),
        ));
    }
    Ok(Node::new(shape, dtype, grid, NodeKind::Literal { chunks }))
}

pub fn full(shape: Vec<usize>, dtype: DType, value: Scalar, grid: ChunkGrid) -> NodeRef {
    Node::new(shape, dtype, grid, NodeKind::Full { value })
}

pub fn arange(start: Scalar, step: Scalar, len: usize, dtype: DType, grid: ChunkGrid) -> NodeRef {
    Node::new(vec![len], dtype, grid, NodeKind::Arange { start, step })
}

pub fn linspace(
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    dtype: DType,
    grid: ChunkGrid,
) -> NodeRef {
    Node::new(
        vec![num],
        dtype,
        grid,
        NodeKind::Linspace {
            start,
            stop,
            num,
            endpoint,
        },
    )
}

pub fn eye(n: usize, m: usize, k: i64, dtype: DType, grid: ChunkGrid) -> NodeRef {
    Node::new(vec![n, m], dtype, grid, NodeKind::Eye { k })
}

/// The output grid of a broadcasting op, and the inputs rechunked so that along every axis that
/// is not broadcast their chunks equal the output's.
fn unify(inputs: &[&NodeRef]) -> OxResult<(Vec<usize>, ChunkGrid, Vec<NodeRef>)> {
    let shapes: Vec<&[usize]> = inputs.iter().map(|n| n.shape.as_slice()).collect();
    let shape = broadcast_shapes(&shapes)?;
    let ndim = shape.len();
    let mut chunks: Vec<Option<Vec<usize>>> = vec![None; ndim];
    // The input with the most blocks along an axis decides that axis (finest cut wins).
    for n in inputs {
        let off = ndim - n.ndim();
        for (i, c) in n.grid.chunks().iter().enumerate() {
            if n.shape[i] == shape[off + i]
                && chunks[off + i]
                    .as_ref()
                    .is_none_or(|cur| c.len() > cur.len())
            {
                chunks[off + i] = Some(c.clone());
            }
        }
    }
    let chunks: Vec<Vec<usize>> = chunks
        .into_iter()
        .zip(&shape)
        .map(|(c, &n)| c.unwrap_or_else(|| regular(n, n.max(1))))
        .collect();
    let grid = ChunkGrid::new(&shape, chunks)?;
    let mut out = Vec::with_capacity(inputs.len());
    for n in inputs {
        let off = ndim - n.ndim();
        let want: Vec<Vec<usize>> = (0..n.ndim())
            .map(|i| {
                if n.shape[i] == shape[off + i] {
                    grid.chunks()[off + i].clone()
                } else {
                    n.grid.chunks()[i].clone()
                }
            })
            .collect();
        out.push(if want == n.grid.chunks() {
            Arc::clone(n)
        } else {
            rechunk(n, ChunkGrid::new(&n.shape, want)?)?
        });
    }
    Ok((shape, grid, out))
}

/// `op(x)`, its floating-point errors handled as `fp` says (see [`crate::fperr`]).
pub fn unary(op: UnaryOp, x: &NodeRef, fp: FpMode) -> OxResult<NodeRef> {
    let dtype = unary_output_dtype(op, x.dtype)?;
    Ok(Node::new(
        x.shape.clone(),
        dtype,
        x.grid.clone(),
        NodeKind::Unary {
            op,
            x: Arc::clone(x),
            fp,
        },
    ))
}

/// `op(a, b)`, its floating-point errors handled as `fp` says (see [`crate::fperr`]).
pub fn binary(op: BinaryOp, a: &NodeRef, b: &NodeRef, fp: FpMode) -> OxResult<NodeRef> {
    if a.dtype != b.dtype {
        return Err(OxError::Internal(format!(
            "binary {}: inputs {} and {} not cast to one loop dtype",
            op.name(),
            a.dtype,
            b.dtype
        )));
    }
    let dtype = binary_output_dtype(op, a.dtype)?;
    let (shape, grid, ins) = unify(&[a, b])?;
    let [a, b]: [NodeRef; 2] = ins
        .try_into()
        .map_err(|_| OxError::Internal("unify".into()))?;
    Ok(Node::new(
        shape,
        dtype,
        grid,
        NodeKind::Binary { op, a, b, fp },
    ))
}

pub fn cast(x: &NodeRef, dtype: DType) -> NodeRef {
    cast_checked(x, dtype, FpMode::UNCHECKED)
}

/// `x.astype(dtype)` whose floating-point errors ("invalid value encountered in cast") follow
/// the error state `fp` of the call.
pub fn cast_checked(x: &NodeRef, dtype: DType, fp: FpMode) -> NodeRef {
    if x.dtype == dtype {
        return Arc::clone(x);
    }
    Node::new(
        x.shape.clone(),
        dtype,
        x.grid.clone(),
        NodeKind::Cast {
            x: Arc::clone(x),
            fp,
        },
    )
}

pub fn where_(cond: &NodeRef, a: &NodeRef, b: &NodeRef) -> OxResult<NodeRef> {
    if cond.dtype != DType::Bool || a.dtype != b.dtype {
        return Err(OxError::Internal(
            "where: condition must be bool and branches of one dtype".into(),
        ));
    }
    let (shape, grid, ins) = unify(&[cond, a, b])?;
    let [cond, a, b]: [NodeRef; 3] = ins
        .try_into()
        .map_err(|_| OxError::Internal("unify".into()))?;
    let dtype = a.dtype;
    Ok(Node::new(
        shape,
        dtype,
        grid,
        NodeKind::Where { cond, a, b },
    ))
}

/// A reduction over `axes` (already normalized and sorted). The caller has checked NumPy's rules
/// about empty inputs (e.g. `min` of a zero-size array).
pub fn reduce(
    op: ReduceOp,
    x: &NodeRef,
    axes: Vec<usize>,
    keepdims: bool,
    dtype: Option<DType>,
) -> OxResult<NodeRef> {
    let unchecked = (FpMode::UNCHECKED, FpMode::UNCHECKED);
    reduce_checked(op, x, axes, keepdims, dtype, unchecked)
}

/// [`reduce`] whose floating-point errors follow the error states `fp` (the accumulation, and
/// the conversion to `dtype=` that NumPy does inside its reduce loop) and `fp_final` (the final
/// division of a mean or variance) of the call.
pub fn reduce_checked(
    op: ReduceOp,
    x: &NodeRef,
    axes: Vec<usize>,
    keepdims: bool,
    dtype: Option<DType>,
    (fp, fp_final): (FpMode, FpMode),
) -> OxResult<NodeRef> {
    let out_dtype = reduce_output_dtype(op, x.dtype, dtype)?;
    let x = match dtype {
        // NumPy converts the input to `dtype` before summing, so overflow happens in that dtype.
        Some(d) if matches!(op, ReduceOp::Sum | ReduceOp::Prod) => cast_checked(x, d, fp),
        _ => Arc::clone(x),
    };
    let mut shape = Vec::new();
    let mut chunks = Vec::new();
    for (i, &n) in x.shape.iter().enumerate() {
        if axes.contains(&i) {
            if keepdims {
                shape.push(1);
                chunks.push(vec![1]);
            }
        } else {
            shape.push(n);
            chunks.push(x.grid.chunks()[i].clone());
        }
    }
    let grid = ChunkGrid::new(&shape, chunks)?;
    let split_every = match axes.len() {
        0 | 1 => 16,
        2 => 4,
        _ => 2,
    };
    Ok(Node::new(
        shape,
        out_dtype,
        grid,
        NodeKind::Reduce {
            op,
            x,
            axes,
            keepdims,
            split_every,
            fp,
            fp_final,
        },
    ))
}

/// `a @ b` for inputs of at least 2 dimensions (the Python front handles 1-d promotion) that
/// already share one dtype.
pub fn matmul(a: &NodeRef, b: &NodeRef) -> OxResult<NodeRef> {
    matmul_checked(a, b, FpMode::UNCHECKED)
}

/// [`matmul`] whose floating-point errors ("overflow encountered in matmul") follow the error
/// state `fp` of the call.
pub fn matmul_checked(a: &NodeRef, b: &NodeRef, fp: FpMode) -> OxResult<NodeRef> {
    if a.ndim() < 2 || b.ndim() < 2 || a.dtype != b.dtype {
        return Err(OxError::Internal(
            "matmul: inputs must be >= 2-d and share a dtype".into(),
        ));
    }
    let (m, k) = (a.shape[a.ndim() - 2], a.shape[a.ndim() - 1]);
    let (k2, n) = (b.shape[b.ndim() - 2], b.shape[b.ndim() - 1]);
    if k != k2 {
        return Err(OxError::ShapeMismatch(format!(
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size {k2} is different from {k})"
        )));
    }
    let batch_a = &a.shape[..a.ndim() - 2];
    let batch_b = &b.shape[..b.ndim() - 2];
    let batch = broadcast_shapes(&[batch_a, batch_b])?;
    // Batch axes are unified like an elementwise op; the contracted axis of b follows a's chunks.
    let a_grid_batch = &a.grid.chunks()[..a.ndim() - 2];
    let b_grid_batch = &b.grid.chunks()[..b.ndim() - 2];
    let nb = batch.len();
    let mut batch_chunks = Vec::with_capacity(nb);
    for i in 0..nb {
        let pick = |s: &[usize], g: &[Vec<usize>]| -> Option<Vec<usize>> {
            let off = nb - s.len();
            (i >= off && s[i - off] == batch[i]).then(|| g[i - off].clone())
        };
        batch_chunks.push(
            pick(batch_a, a_grid_batch)
                .or_else(|| pick(batch_b, b_grid_batch))
                .unwrap_or_else(|| regular(batch[i], batch[i].max(1))),
        );
    }
    let want = |x: &NodeRef, last2: [Vec<usize>; 2]| -> OxResult<NodeRef> {
        let nbx = x.ndim() - 2;
        let mut c: Vec<Vec<usize>> = (0..nbx)
            .map(|i| {
                if x.shape[i] == batch[nb - nbx + i] {
                    batch_chunks[nb - nbx + i].clone()
                } else {
                    x.grid.chunks()[i].clone()
                }
            })
            .collect();
        c.extend(last2);
        if c == x.grid.chunks() {
            Ok(Arc::clone(x))
        } else {
            rechunk(x, ChunkGrid::new(&x.shape, c)?)
        }
    };
    let ac = a.grid.chunks();
    let bc = b.grid.chunks();
    let a2 = want(a, [ac[a.ndim() - 2].clone(), ac[a.ndim() - 1].clone()])?;
    let b2 = want(b, [ac[a.ndim() - 1].clone(), bc[b.ndim() - 1].clone()])?;
    let mut shape = batch.clone();
    shape.extend([m, n]);
    let mut chunks = batch_chunks;
    chunks.push(ac[a.ndim() - 2].clone());
    chunks.push(bc[b.ndim() - 1].clone());
    let grid = ChunkGrid::new(&shape, chunks)?;
    // Each output block reads a row of a's blocks and a column of b's.
    check_fan_in(
        "matmul",
        (grid.nblocks() as u128) * 2 * (ac[a.ndim() - 1].len() as u128),
    )?;
    Ok(Node::new(
        shape,
        a.dtype,
        grid,
        NodeKind::Matmul { a: a2, b: b2, fp },
    ))
}

pub fn transpose(x: &NodeRef, perm: &[usize]) -> OxResult<NodeRef> {
    let mut seen = vec![false; x.ndim()];
    if perm.len() != x.ndim()
        || perm
            .iter()
            .any(|&p| p >= x.ndim() || std::mem::replace(&mut seen[p], true))
    {
        return Err(OxError::Value("axes don't match array".into()));
    }
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(Arc::clone(x));
    }
    let shape: Vec<usize> = perm.iter().map(|&p| x.shape[p]).collect();
    let grid = ChunkGrid::new(
        &shape,
        perm.iter().map(|&p| x.grid.chunks()[p].clone()).collect(),
    )?;
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Transpose {
            x: Arc::clone(x),
            perm: perm.to_vec(),
        },
    ))
}

/// Reshape to `shape` (already resolved: no -1). Adding or removing length-1 axes keeps the
/// chunks (blockwise); any other reshape gathers into auto-sized chunks.
pub fn reshape(x: &NodeRef, shape: Vec<usize>) -> OxResult<NodeRef> {
    // A product that overflows is no size at all (NumPy says "cannot reshape" for it too).
    if oxarray_core::shape::checked_size(&shape).ok() != Some(x.size()) {
        return Err(OxError::Value(format!(
            "cannot reshape array of size {} into shape {}",
            x.size(),
            shape_str(&shape)
        )));
    }
    if shape == x.shape {
        return Ok(Arc::clone(x));
    }
    let grid = match unit_axes_only(&x.shape, &shape) {
        Some(map) => {
            let chunks = shape
                .iter()
                .enumerate()
                .map(|(i, &n)| match map[i] {
                    Some(j) => x.grid.chunks()[j].clone(),
                    None => regular(n, n.max(1)),
                })
                .collect();
            ChunkGrid::new(&shape, chunks)?
        }
        None => match row_aligned_chunks(&x.shape, x.grid.chunks(), &shape) {
            Some(chunks) => ChunkGrid::new(&shape, chunks)?,
            None => {
                let block_bytes = (x.grid.max_block_len() * x.dtype.itemsize()).max(1 << 20);
                ChunkGrid::auto(&shape, x.dtype.itemsize(), block_bytes)
            }
        },
    };
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Reshape { x: Arc::clone(x) },
    ))
}

/// The output chunks of a reshape whose input blocks are contiguous runs of rows (only the first
/// axis is split) and each block's flat extent is a whole number of output rows: then output
/// block `i` is input block `i`, so `reshape(x, (-1,))[0]` needs one input block, not all of them
/// (array-api-compat and scikit-learn probe arrays that way). `None` when that does not hold.
fn row_aligned_chunks(
    from: &[usize],
    chunks: &[Vec<usize>],
    to: &[usize],
) -> Option<Vec<Vec<usize>>> {
    if from.is_empty() || to.is_empty() || chunks[1..].iter().any(|c| c.len() > 1) {
        return None;
    }
    let row: usize = from[1..].iter().product();
    let out_row: usize = to[1..].iter().product();
    if row == 0 || out_row == 0 || chunks[0].len() < 2 {
        return None;
    }
    let mut first = Vec::with_capacity(chunks[0].len());
    for &c in &chunks[0] {
        let flat = c.checked_mul(row)?;
        if flat % out_row != 0 {
            return None;
        }
        first.push(flat / out_row);
    }
    let mut out = vec![first];
    out.extend(to[1..].iter().map(|&n| vec![n]));
    Some(out)
}

/// If `to` differs from `from` only by length-1 axes, where each axis of `to` comes from
/// (`Some(axis of from)`) or `None` for an inserted unit axis.
pub fn unit_axes_only(from: &[usize], to: &[usize]) -> Option<Vec<Option<usize>>> {
    let nz_from: Vec<(usize, usize)> = from
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, n)| n != 1)
        .collect();
    let nz_to: Vec<usize> = to.iter().copied().filter(|&n| n != 1).collect();
    if nz_from.iter().map(|&(_, n)| n).collect::<Vec<_>>() != nz_to {
        return None;
    }
    let mut it = nz_from.iter();
    Some(
        to.iter()
            .map(|&n| {
                if n == 1 {
                    None
                } else {
                    it.next().map(|&(j, _)| j)
                }
            })
            .collect(),
    )
}

pub fn broadcast_to(x: &NodeRef, shape: Vec<usize>) -> OxResult<NodeRef> {
    let ok = shape.len() >= x.ndim()
        && x.shape
            .iter()
            .rev()
            .zip(shape.iter().rev())
            .all(|(&a, &b)| a == b || a == 1);
    if !ok {
        return Err(OxError::ShapeMismatch(format!(
            "operands could not be broadcast together with remapped shapes [original->remapped]: {}  and requested shape {}",
            shape_str(&x.shape),
            shape_str(&shape)
        )));
    }
    if shape == x.shape {
        return Ok(Arc::clone(x));
    }
    let off = shape.len() - x.ndim();
    // New or stretched axes get auto chunks within the input's block budget.
    let spec: Vec<DimSpec> = (0..shape.len())
        .map(|i| {
            if i >= off && x.shape[i - off] == shape[i] {
                DimSpec::Explicit(x.grid.chunks()[i - off].clone())
            } else {
                DimSpec::Auto
            }
        })
        .collect();
    let grid = ChunkGrid::from_spec(&shape, &spec, x.dtype.itemsize(), DEFAULT_CHUNK_BYTES)?;
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::BroadcastTo { x: Arc::clone(x) },
    ))
}

/// A basic slice: per axis, elements `start + j*step` for `j < len` (already normalized).
pub fn slice(x: &NodeRef, axes: Vec<AxisSlice>) -> OxResult<NodeRef> {
    if axes.len() != x.ndim() {
        return Err(OxError::Internal("slice: one selection per axis".into()));
    }
    let mut chunks = Vec::with_capacity(axes.len());
    for (i, s) in axes.iter().enumerate() {
        if s.len > 0 {
            let last = s.start as isize + (s.len as isize - 1) * s.step;
            if s.start >= x.shape[i] || last < 0 || last as usize >= x.shape[i] || s.step == 0 {
                return Err(OxError::Internal(format!("slice out of range on axis {i}")));
            }
        }
        chunks.push(slice_chunks(x.grid.axis_bounds(i), s));
    }
    let shape: Vec<usize> = axes.iter().map(|s| s.len).collect();
    if axes
        .iter()
        .zip(&x.shape)
        .all(|(s, &n)| s.start == 0 && s.step == 1 && s.len == n)
    {
        return Ok(Arc::clone(x));
    }
    let grid = ChunkGrid::new(&shape, chunks)?;
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::Slice {
            x: Arc::clone(x),
            axes,
        },
    ))
}

/// Output chunks along one axis of a slice: consecutive output elements that come from the same
/// input block form one output chunk, so each output block reads exactly one input block.
pub fn slice_chunks(bounds: &[usize], s: &AxisSlice) -> Vec<usize> {
    if s.len == 0 {
        return vec![0];
    }
    let mut out = Vec::new();
    let mut j = 0usize;
    while j < s.len {
        let i = (s.start as isize + j as isize * s.step) as usize;
        let b = bounds.partition_point(|&e| e <= i) - 1;
        // How many more j stay inside block b.
        let n = if s.step > 0 {
            (bounds[b + 1] - 1 - i) / s.step as usize + 1
        } else {
            (i - bounds[b]) / (-s.step) as usize + 1
        };
        let n = n.min(s.len - j);
        out.push(n);
        j += n;
    }
    out
}

pub fn concatenate(xs: &[NodeRef], axis: i64) -> OxResult<NodeRef> {
    let first = xs
        .first()
        .ok_or_else(|| OxError::Value("need at least one array to concatenate".into()))?;
    let ndim = first.ndim();
    if ndim == 0 {
        return Err(OxError::Value(
            "zero-dimensional arrays cannot be concatenated".into(),
        ));
    }
    let axis = normalize_axis(axis, ndim)?;
    let dtype = first.dtype;
    for (k, x) in xs.iter().enumerate() {
        if x.ndim() != ndim {
            return Err(OxError::Value(format!(
                "all the input array dimensions except for the concatenation axis must match exactly, but along dimension 0, the array at index 0 has {} dimension(s) and the array at index {k} has {} dimension(s)",
                ndim,
                x.ndim()
            )));
        }
        if x.dtype != dtype {
            return Err(OxError::Internal(
                "concatenate: inputs not cast to one dtype".into(),
            ));
        }
        for d in 0..ndim {
            if d != axis && x.shape[d] != first.shape[d] {
                return Err(OxError::Value(format!(
                    "all the input array dimensions except for the concatenation axis must match exactly, but along dimension {d}, the array at index 0 has size {} and the array at index {k} has size {}",
                    first.shape[d], x.shape[d]
                )));
            }
        }
    }
    let mut parts = Vec::with_capacity(xs.len());
    let mut axis_chunks = Vec::new();
    for x in xs {
        let want: Vec<Vec<usize>> = (0..ndim)
            .map(|d| {
                if d == axis {
                    x.grid.chunks()[d].clone()
                } else {
                    first.grid.chunks()[d].clone()
                }
            })
            .collect();
        let x = if want == x.grid.chunks() {
            Arc::clone(x)
        } else {
            rechunk(x, ChunkGrid::new(&x.shape, want)?)?
        };
        if x.shape[axis] > 0 {
            axis_chunks.extend(x.grid.chunks()[axis].iter().copied());
            parts.push(x);
        }
    }
    let mut shape = first.shape.clone();
    shape[axis] = xs.iter().map(|x| x.shape[axis]).sum();
    if parts.is_empty() {
        return Ok(full(
            shape.clone(),
            dtype,
            Scalar::Int(0),
            ChunkGrid::single(&shape),
        ));
    }
    if parts.len() == 1 {
        return Ok(parts.remove(0));
    }
    let mut chunks = first.grid.chunks().to_vec();
    chunks[axis] = axis_chunks;
    let grid = ChunkGrid::new(&shape, chunks)?;
    Ok(Node::new(
        shape,
        dtype,
        grid,
        NodeKind::Concatenate { xs: parts, axis },
    ))
}

pub fn rechunk(x: &NodeRef, grid: ChunkGrid) -> OxResult<NodeRef> {
    if grid.shape() != x.shape {
        return Err(OxError::Value(
            "rechunk: chunks do not match the shape".into(),
        ));
    }
    if grid == x.grid {
        return Ok(Arc::clone(x));
    }
    // Along each axis the (input block, output block) pairs that overlap number at most
    // in + out - 1; the tasks' dependency lists hold the product of those counts.
    let pairs = x
        .grid
        .numblocks()
        .iter()
        .zip(grid.numblocks())
        .map(|(&i, o)| (i + o - 1) as u128)
        .product::<u128>();
    check_fan_in("rechunk", pairs)?;
    Ok(Node::new(
        x.shape.clone(),
        x.dtype,
        grid,
        NodeKind::Rechunk { x: Arc::clone(x) },
    ))
}

/// The most input references the tasks of one node may hold (8 bytes each): an op whose blocks
/// would each read thousands of blocks (a matmul of two finely chunked matrices, a rechunk from
/// rows to columns) is refused at the call rather than exhausting memory while it is planned.
pub const MAX_FAN_IN: u128 = 1 << 26;

fn check_fan_in(op: &str, deps: u128) -> OxResult<()> {
    if deps > MAX_FAN_IN {
        return Err(OxError::Value(format!(
            "{op}: the plan would read {deps} input blocks, more than oxarray's limit of \
             {MAX_FAN_IN}; use larger chunks (or rechunk in steps)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zeros(shape: &[usize], chunks: Vec<Vec<usize>>) -> NodeRef {
        full(
            shape.to_vec(),
            DType::Float64,
            Scalar::Float(0.0),
            ChunkGrid::new(shape, chunks).unwrap(),
        )
    }

    #[test]
    fn binary_unifies_chunks_and_broadcasts() {
        let a = zeros(&[6, 4], vec![vec![3, 3], vec![4]]);
        let b = zeros(&[4], vec![vec![2, 2]]);
        let c = binary(BinaryOp::Add, &a, &b, FpMode::UNCHECKED).unwrap();
        assert_eq!(c.shape, vec![6, 4]);
        assert_eq!(c.grid.chunks(), &[vec![3, 3], vec![2, 2]]);
        let bad = zeros(&[5], vec![vec![5]]);
        assert!(matches!(
            binary(BinaryOp::Add, &a, &bad, FpMode::UNCHECKED),
            Err(OxError::ShapeMismatch(_))
        ));
    }

    #[test]
    fn slice_chunks_follow_input_blocks() {
        assert_eq!(
            slice_chunks(
                &[0, 4, 8, 10],
                &AxisSlice {
                    start: 1,
                    step: 1,
                    len: 8
                }
            ),
            vec![3, 4, 1]
        );
        assert_eq!(
            slice_chunks(
                &[0, 4, 8, 10],
                &AxisSlice {
                    start: 0,
                    step: 3,
                    len: 4
                }
            ),
            vec![2, 1, 1]
        );
        assert_eq!(
            slice_chunks(
                &[0, 4, 8, 10],
                &AxisSlice {
                    start: 9,
                    step: -2,
                    len: 5
                }
            ),
            vec![1, 2, 2]
        );
        assert_eq!(
            slice_chunks(
                &[0, 4],
                &AxisSlice {
                    start: 0,
                    step: 1,
                    len: 0
                }
            ),
            vec![0]
        );
    }

    #[test]
    fn reshape_errors_and_unit_axes() {
        let a = zeros(&[6, 4], vec![vec![3, 3], vec![4]]);
        assert!(reshape(&a, vec![5, 5]).is_err());
        let r = reshape(&a, vec![6, 1, 4]).unwrap();
        assert_eq!(r.grid.chunks(), &[vec![3, 3], vec![1], vec![4]]);
        assert_eq!(
            unit_axes_only(&[6, 1, 4], &[6, 4]),
            Some(vec![Some(0), Some(2)])
        );
        assert_eq!(unit_axes_only(&[6, 4], &[24]), None);
        // Row bands stay bands: flattening keeps one output block per input block.
        let r = reshape(&a, vec![24]).unwrap();
        assert_eq!(r.grid.chunks(), &[vec![12, 12]]);
        let b = zeros(&[6, 4], vec![vec![3, 3], vec![2, 2]]);
        assert_eq!(reshape(&b, vec![24]).unwrap().grid.chunks(), &[vec![24]]);
        let c = zeros(&[24], vec![vec![12, 12]]);
        assert_eq!(
            reshape(&c, vec![4, 6]).unwrap().grid.chunks(),
            &[vec![2, 2], vec![6]]
        );
        assert!(reshape(&c, vec![5, 1, 1]).is_err());
    }

    #[test]
    fn matmul_checks_core_dims() {
        let a = zeros(&[6, 4], vec![vec![3, 3], vec![2, 2]]);
        let b = zeros(&[4, 5], vec![vec![4], vec![5]]);
        let c = matmul(&a, &b).unwrap();
        assert_eq!(c.shape, vec![6, 5]);
        assert!(matmul(&b, &b).is_err());
    }
}
