//! Set kernels: the distinct values of chunks (`unique` and its merge tree) and lookups of a
//! chunk in a small sorted table (`unique`'s inverse, `isin`, `digitize`), generic over the
//! dtype through order-preserving `u64` keys ([`keys`]).

pub mod distinct;
pub mod keys;
pub mod lookup;
pub mod table;

pub use lookup::LookupMode;

use keys::SetKey;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_typed, Chunk, DType, Element, OxError, OxResult};

fn slice_of<T: Element>(c: &Chunk) -> OxResult<&[T]>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    c.as_array::<T>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("set kernel: chunk of another dtype or layout".into()))
}

fn vec_chunk<T: Element>(shape: &[usize], v: Vec<T>) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map(Chunk::from_array)
        .map_err(|e| OxError::Internal(format!("set kernel: {e}")))
}

/// The sorted distinct values of all elements of `parts` (same dtype), as a 1-d chunk; with
/// `row_width = Some(m)` the parts are `(r, m)` rows and the result is the distinct rows `(k, m)`.
pub fn distinct(parts: &[&Chunk], row_width: Option<usize>, equal_nan: bool) -> OxResult<Chunk> {
    let first = parts
        .first()
        .ok_or_else(|| OxError::Internal("distinct: no input".into()))?;
    dispatch_typed!(Chunk, *first, a => distinct_typed(a, parts, row_width, equal_nan))
}

fn distinct_typed<T: SetKey>(
    _: &ArrayD<T>,
    parts: &[&Chunk],
    row_width: Option<usize>,
    equal_nan: bool,
) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let slices = parts
        .iter()
        .map(|c| slice_of::<T>(c))
        .collect::<OxResult<Vec<_>>>()?;
    match row_width {
        None => {
            let v = distinct::distinct_scalars(&slices, equal_nan)?;
            vec_chunk(&[v.len()], v)
        }
        Some(m) => {
            let v = distinct::distinct_records(&slices, m, equal_nan)?;
            let rows = v.len().checked_div(m).unwrap_or(0);
            vec_chunk(&[rows, m], v)
        }
    }
}

/// Looks up every element (or row, with `row_width`) of `x` in the ascending `table` (same
/// dtype): int64 codes or insertion points, or bool memberships; shape of `x` (rows: `x.shape[0]`).
pub fn lookup(
    x: &Chunk,
    table: &Chunk,
    mode: LookupMode,
    row_width: Option<usize>,
) -> OxResult<Chunk> {
    let (codes, shape) = dispatch_typed!(Chunk, x, a => lookup_typed(a, table, mode, row_width))?;
    if matches!(mode, LookupMode::Member { .. }) {
        vec_chunk(
            &shape,
            codes.into_iter().map(|c| c != 0).collect::<Vec<bool>>(),
        )
    } else {
        vec_chunk(&shape, codes)
    }
}

fn lookup_typed<T: SetKey>(
    x: &ArrayD<T>,
    table: &Chunk,
    mode: LookupMode,
    row_width: Option<usize>,
) -> OxResult<(Vec<i64>, Vec<usize>)>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let xs = x
        .as_slice()
        .ok_or_else(|| OxError::Internal("lookup: chunk not contiguous".into()))?;
    let t = slice_of::<T>(table)?;
    Ok(match row_width {
        None => (lookup::lookup_scalars(xs, t, mode)?, x.shape().to_vec()),
        Some(m) => (
            lookup::lookup_records(xs, t, m, mode),
            vec![x.shape().first().copied().unwrap_or(0)],
        ),
    })
}

/// The dtype a lookup produces.
pub fn lookup_dtype(mode: LookupMode) -> DType {
    match mode {
        LookupMode::Member { .. } => DType::Bool,
        LookupMode::Code | LookupMode::Search { .. } => DType::Int64,
    }
}
