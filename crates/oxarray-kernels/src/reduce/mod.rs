//! Reduction kernels: per-chunk partials, tree combine, finalize (Dask's chunk/combine/aggregate).
//!
//! A partial is a few n-d components with every reduced axis of length 1, so partials of
//! neighbouring chunks line up elementwise and combining them is a fold over the pieces. Results
//! are independent of the chunking up to floating-point rounding. Each op's kernel is written once
//! over the numeric traits of [`num`] and runs through the loop nest of [`engine`].

mod dtypes;
mod engine;
mod extrema;
mod logical;
mod moments;
mod nan_moments;
pub(crate) mod num;
mod parts;
mod sum;
#[cfg(test)]
mod tests;

pub use dtypes::reduce_output_dtype;

use oxarray_core::{dispatch_typed, ops::ReduceOp, Chunk, DType, OxError, OxResult};

/// The components of one partial result; each component is an n-d chunk of the input's ndim with
/// every reduced axis of length 1 (other axes as in the input chunk).
#[derive(Clone, Debug)]
pub struct Partial {
    pub parts: Vec<Chunk>,
}

/// Where a chunk sits in the whole array; needed by argmin/argmax to report global indices.
pub struct ChunkPlace<'a> {
    pub offset: &'a [usize],
    pub full_shape: &'a [usize],
}

/// Reduce one chunk over `axes` (sorted, unique, in 0..ndim). `out_dtype` is what
/// [`reduce_output_dtype`] returned.
pub fn partial(
    op: ReduceOp,
    x: &Chunk,
    axes: &[usize],
    out_dtype: DType,
    place: &ChunkPlace,
) -> OxResult<Partial> {
    check_axes(axes, x.shape().len())?;
    check_out_dtype(op, x.dtype(), out_dtype)?;
    use ReduceOp::*;
    match op {
        Sum => sum::partial(x, axes, out_dtype, false, false),
        Prod => sum::partial(x, axes, out_dtype, true, false),
        Mean => sum::partial(x, axes, out_dtype, false, true),
        Min | Max => extrema::partial_minmax(x, axes, op == Max),
        ArgMin | ArgMax => extrema::partial_arg(x, axes, place, op == ArgMax),
        Any | All => logical::partial(x, axes, op == All),
        Var { .. } | Std { .. } => moments::partial(x, axes, out_dtype),
        NanMean => nan_moments::partial_mean(x, axes, out_dtype),
        NanVar { .. } | NanStd { .. } => nan_moments::partial_var(x, axes, out_dtype),
    }
}

/// Combine partials laid out as a C-order grid of `layout[d]` pieces along each axis d
/// (`layout[d] == 1` for axes that are not reduced), into one partial.
pub fn combine(
    op: ReduceOp,
    pieces: &[&Partial],
    layout: &[usize],
    axes: &[usize],
    out_dtype: DType,
) -> OxResult<Partial> {
    let expected: usize = layout.iter().product();
    if pieces.is_empty() || pieces.len() != expected {
        return Err(parts::internal(format!(
            "combine got {} pieces for layout {layout:?}",
            pieces.len()
        )));
    }
    if let Some(d) = (0..layout.len()).find(|d| layout[*d] != 1 && !axes.contains(d)) {
        return Err(parts::internal(format!(
            "combine layout {layout:?} splits non-reduced axis {d}"
        )));
    }
    use ReduceOp::*;
    match op {
        Sum => sum::combine(pieces, out_dtype, false, false),
        Prod => sum::combine(pieces, out_dtype, true, false),
        Mean | NanMean => sum::combine(pieces, out_dtype, false, true),
        Min | Max => extrema::combine_minmax(pieces, op == Max),
        ArgMin | ArgMax => extrema::combine_arg(pieces, op == ArgMax),
        Any | All => logical::combine(pieces, op == All),
        Var { .. } | Std { .. } | NanVar { .. } | NanStd { .. } => moments::combine(pieces),
    }
}

/// Turn the final partial into the output chunk of dtype `out_dtype`; if `!keepdims`, drop the
/// reduced axes.
pub fn finalize(
    op: ReduceOp,
    p: Partial,
    axes: &[usize],
    keepdims: bool,
    out_dtype: DType,
) -> OxResult<Chunk> {
    use ReduceOp::*;
    let out = match op {
        Sum | Prod => sum::finalize(&p, out_dtype, false)?,
        Mean | NanMean => sum::finalize(&p, out_dtype, true)?,
        Var { ddof } => moments::finalize(&p, out_dtype, ddof, false)?,
        Std { ddof } => moments::finalize(&p, out_dtype, ddof, true)?,
        NanVar { ddof } => nan_moments::finalize_var(&p, out_dtype, ddof, false)?,
        NanStd { ddof } => nan_moments::finalize_var(&p, out_dtype, ddof, true)?,
        Min | Max | Any | All => p
            .parts
            .into_iter()
            .next()
            .ok_or_else(|| parts::internal("empty partial".into()))?,
        ArgMin | ArgMax => p
            .parts
            .into_iter()
            .nth(1)
            .ok_or_else(|| parts::internal("argmin partial lacks indices".into()))?,
    };
    if out.dtype() != out_dtype {
        return Err(parts::internal(format!(
            "{} produced {}, expected {out_dtype}",
            op.name(),
            out.dtype()
        )));
    }
    if keepdims {
        return Ok(out);
    }
    check_axes(axes, out.shape().len())?;
    if axes.iter().any(|&a| out.shape()[a] != 1) {
        return Err(parts::internal(format!(
            "finalize: reduced axes {axes:?} of shape {:?} not length 1",
            out.shape()
        )));
    }
    let kept: Vec<usize> = out
        .shape()
        .iter()
        .enumerate()
        .filter(|(d, _)| !axes.contains(d))
        .map(|(_, &n)| n)
        .collect();
    dispatch_typed!(Chunk, out, a => a
        .into_shape_with_order(kept)
        .map(Chunk::from_array)
        .map_err(|e| parts::internal(format!("finalize: {e}"))))
}

fn check_axes(axes: &[usize], ndim: usize) -> OxResult<()> {
    if let Some(&a) = axes.iter().find(|&&a| a >= ndim) {
        return Err(OxError::axis(a as i64, ndim));
    }
    if axes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(OxError::Value(format!(
            "reduction axes must be sorted and unique, got {axes:?}"
        )));
    }
    Ok(())
}

/// The output dtype must be one `reduce_output_dtype` can return for this input.
fn check_out_dtype(op: ReduceOp, x: DType, out: DType) -> OxResult<()> {
    let fixed = match op {
        ReduceOp::Min | ReduceOp::Max => Some(x),
        ReduceOp::Any | ReduceOp::All => Some(DType::Bool),
        ReduceOp::ArgMin | ReduceOp::ArgMax => Some(DType::Int64),
        _ => None,
    };
    match fixed {
        Some(d) if d != out => Err(OxError::DTypeNotSupported(format!(
            "{} of {x} cannot produce {out}",
            op.name()
        ))),
        _ => Ok(()),
    }
}
