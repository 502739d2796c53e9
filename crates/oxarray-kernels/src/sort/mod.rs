//! Sorting and selection along an axis: `np.sort`, `np.argsort` and (next) partitions and
//! quantiles, on chunks.
//!
//! Along an axis held by one chunk, [`sort_chunk`] / [`argsort_chunk`] sort every lane of the
//! block (rayon over the lanes). Along a chunked axis the graph runs [`sort_chunk`] per chunk,
//! then [`split_chunks`] (exact rank cuts, small) and [`merge_chunk`] per output chunk, so the
//! output keeps the input's chunking and no task holds more than its own chunk's output; for
//! 1-lane blocks of keyed dtypes the graph runs the [`sample`] sort instead (no merge).
//! The order is NumPy's ([`order`]); the sorts are stable. A long lane's values are sorted by
//! [`msd`] (MSD radix into cache-sized buckets, LSD radix in cache), shorter ones and argsorts by
//! [`radix`] (LSD); merges run in cache-sized blocks cut at exact co-ranks ([`merge`]).

pub mod lanes;
pub mod local;
pub mod merge;
pub mod msd;
pub mod order;
pub mod radix;
pub mod sample;
pub mod search;
pub mod select;
pub mod simd;
pub mod topk;

use lanes::Lanes;
use ndarray::{ArrayD, IxDyn};
use order::NpOrd;
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_typed, Chunk, DType, Element, OxError, OxResult};
use std::borrow::Cow;

/// The chunk's elements in C order (borrowed when already contiguous).
pub(crate) fn c_order<T: Element>(a: &ArrayD<T>) -> Cow<'_, [T]> {
    match a.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(a.iter().copied().collect()),
    }
}

pub(crate) fn to_chunk<T: Element>(shape: &[usize], v: Vec<T>) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let a = ArrayD::from_shape_vec(IxDyn(shape), v)
        .map_err(|e| OxError::Internal(format!("sort: result shape: {e}")))?;
    Ok(Chunk::from_array(a))
}

fn check_axis(shape: &[usize], axis: usize) -> OxResult<()> {
    if axis >= shape.len() {
        return Err(OxError::Internal(format!(
            "sort: axis {axis} of a {}-d block",
            shape.len()
        )));
    }
    Ok(())
}

/// Every lane of `c` along `axis` sorted (NumPy's order; reversed when `descending`).
pub fn sort_chunk(c: &Chunk, axis: usize, descending: bool) -> OxResult<Chunk> {
    check_axis(c.shape(), axis)?;
    let lanes = Lanes::of(c.shape(), axis);
    dispatch_typed!(Chunk, c, a => {
        let v = local::sort_block(&c_order(a), lanes, descending)?;
        to_chunk(a.shape(), v)
    })
}

/// Every lane of `c` along `axis` argsorted: (sorted values, int64 positions plus `offset`).
pub fn argsort_chunk(
    c: &Chunk,
    axis: usize,
    descending: bool,
    offset: i64,
) -> OxResult<(Chunk, Chunk)> {
    check_axis(c.shape(), axis)?;
    let lanes = Lanes::of(c.shape(), axis);
    dispatch_typed!(Chunk, c, a => {
        let (v, i) = local::argsort_block(&c_order(a), lanes, descending, offset)?;
        Ok((to_chunk(a.shape(), v)?, to_chunk(a.shape(), i)?))
    })
}

/// Typed C-order slices of blocks that must all have the dtype `T`.
fn typed_blocks<'a, T: Element>(blocks: &[&'a Chunk]) -> OxResult<Vec<&'a [T]>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    blocks
        .iter()
        .map(|b| {
            b.as_array::<T>()
                .and_then(|a| a.as_slice())
                .ok_or_else(|| OxError::Internal("sort: blocks of mixed dtypes or layout".into()))
        })
        .collect()
}

fn lanes_of(blocks: &[&Chunk], axis: usize) -> OxResult<Vec<Lanes>> {
    blocks
        .iter()
        .map(|b| {
            check_axis(b.shape(), axis)?;
            Ok(Lanes::of(b.shape(), axis))
        })
        .collect()
}

/// Rank cuts of sorted blocks along a chunked axis (see [`merge::split`]), as an int64 chunk of
/// shape `[lanes, k + 1, k]`.
pub fn split_chunks(
    sorted: &[&Chunk],
    axis: usize,
    bounds: &[usize],
    descending: bool,
) -> OxResult<Chunk> {
    let first = sorted
        .first()
        .ok_or_else(|| OxError::Internal("sort split: no blocks".into()))?;
    let lanes = lanes_of(sorted, axis)?;
    let k = sorted.len();
    let cuts =
        dispatch_typed!(Chunk, *first, a => split_typed(a, sorted, &lanes, bounds, descending)?);
    to_chunk(&[lanes[0].count(), k + 1, k], cuts)
}

/// Output chunk `j` (of shape `out_shape`) of a sort along a chunked axis: its values, and when
/// `indices` (the int64 positions of the sorted blocks) are given, its positions too.
pub fn merge_chunk(
    sorted: &[&Chunk],
    indices: Option<&[&Chunk]>,
    cuts: &Chunk,
    axis: usize,
    j: usize,
    out_shape: &[usize],
    descending: bool,
) -> OxResult<(Chunk, Option<Chunk>)> {
    let first = sorted
        .first()
        .ok_or_else(|| OxError::Internal("sort merge: no blocks".into()))?;
    let lanes = lanes_of(sorted, axis)?;
    check_axis(out_shape, axis)?;
    let out = Lanes::of(out_shape, axis);
    let cuts = cuts
        .as_array::<i64>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("sort merge: cuts".into()))?;
    dispatch_typed!(Chunk, *first, a => merge_typed(a, sorted, indices, &lanes, cuts, j, out, out_shape, descending))
}

fn split_typed<T: NpOrd>(
    _witness: &ArrayD<T>,
    sorted: &[&Chunk],
    lanes: &[Lanes],
    bounds: &[usize],
    descending: bool,
) -> OxResult<Vec<i64>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    merge::split(&typed_blocks::<T>(sorted)?, lanes, bounds, descending)
}

#[allow(clippy::too_many_arguments)]
fn merge_typed<T: NpOrd>(
    _witness: &ArrayD<T>,
    sorted: &[&Chunk],
    indices: Option<&[&Chunk]>,
    lanes: &[Lanes],
    cuts: &[i64],
    j: usize,
    out: Lanes,
    out_shape: &[usize],
    descending: bool,
) -> OxResult<(Chunk, Option<Chunk>)>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let blocks = typed_blocks::<T>(sorted)?;
    match indices {
        None => {
            let v = merge::merge(&blocks, lanes, cuts, j, out, descending)?;
            Ok((to_chunk(out_shape, v)?, None))
        }
        Some(ix) => {
            let ib = typed_blocks::<i64>(ix)?;
            let (v, i) = merge::merge_with_indices(&blocks, &ib, lanes, cuts, j, out, descending)?;
            Ok((
                to_chunk(out_shape, v)?,
                Some(to_chunk::<i64>(out_shape, i)?),
            ))
        }
    }
}

/// Order statistics of every lane of `c` along `axis` (held whole by the block): the block's shape
/// with the axis replaced by the table's width (see [`select::RankTable`]).
pub fn select_chunk(c: &Chunk, axis: usize, table: select::RankTable<'_>) -> OxResult<Chunk> {
    check_axis(c.shape(), axis)?;
    let lanes = Lanes::of(c.shape(), axis);
    let mut shape = c.shape().to_vec();
    shape[axis] = table.width;
    dispatch_typed!(Chunk, c, a => {
        let v = select::select_block(&c_order(a), lanes, table)?;
        to_chunk(&shape, v)
    })
}

/// `np.partition` (values) or `np.argpartition` (int64 positions) of every lane of `c` along
/// `axis` (held whole by the block) at the ascending ranks `kth`.
pub fn partition_chunk(c: &Chunk, axis: usize, kth: &[usize], indices: bool) -> OxResult<Chunk> {
    check_axis(c.shape(), axis)?;
    let lanes = Lanes::of(c.shape(), axis);
    dispatch_typed!(Chunk, c, a => {
        if indices {
            to_chunk::<i64>(a.shape(), select::argpartition_block(&c_order(a), lanes, kth)?)
        } else {
            to_chunk(a.shape(), select::partition_block(&c_order(a), lanes, kth)?)
        }
    })
}

/// Order statistics along a chunked axis from its chunks sorted on their own (`sorted`, in axis
/// order); the result has the blocks' shape with the axis replaced by the table's width.
pub fn pick_chunk(sorted: &[&Chunk], axis: usize, table: select::RankTable<'_>) -> OxResult<Chunk> {
    let first = sorted
        .first()
        .ok_or_else(|| OxError::Internal("select: no blocks".into()))?;
    let lanes = lanes_of(sorted, axis)?;
    let mut shape = first.shape().to_vec();
    shape[axis] = table.width;
    dispatch_typed!(Chunk, *first, a => pick_typed(a, sorted, &lanes, table, &shape))
}

fn pick_typed<T: NpOrd>(
    _witness: &ArrayD<T>,
    sorted: &[&Chunk],
    lanes: &[Lanes],
    table: select::RankTable<'_>,
    shape: &[usize],
) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    to_chunk(
        shape,
        select::pick_ranks(&typed_blocks::<T>(sorted)?, lanes, table)?,
    )
}

/// Whether a sort of `dtype` values along a chunked axis of 1-lane blocks runs as a sample sort
/// ([`sample`]): the dtypes whose order is that of an integer key.
pub fn sample_sort_applies(dtype: DType) -> bool {
    !matches!(dtype, DType::Float16 | DType::Complex64 | DType::Complex128)
}

/// The splitters ([`sample::splitters`]) of a sample sort of the 1-lane `blocks` (in axis
/// order), as an int64 chunk of key bits.
pub fn sample_splitters(blocks: &[&Chunk], descending: bool) -> OxResult<Chunk> {
    let first = blocks
        .first()
        .ok_or_else(|| OxError::Internal("sample sort: no blocks".into()))?;
    let keys = dispatch_typed!(Chunk, *first, a => splitters_typed(a, blocks, descending)?);
    let bits: Vec<i64> = keys.into_iter().map(|k| k as i64).collect();
    to_chunk(&[bits.len()], bits)
}

fn splitter_keys(s: &Chunk) -> OxResult<Vec<u64>> {
    let a = s
        .as_array::<i64>()
        .ok_or_else(|| OxError::Internal("sample sort: splitters".into()))?;
    Ok(a.iter().map(|&k| k as u64).collect())
}

/// One chunk of the lane classified ([`sample::classify`]): (its stored values in bucket order,
/// 1-d; the int64 counts of the buckets).
pub fn sample_classify(c: &Chunk, splitters: &Chunk, descending: bool) -> OxResult<(Chunk, Chunk)> {
    let s = splitter_keys(splitters)?;
    dispatch_typed!(Chunk, c, a => {
        let (v, counts) = sample::classify(&c_order(a), &s, descending)?;
        Ok((to_chunk(&[v.len()], v)?, to_chunk(&[counts.len()], counts)?))
    })
}

/// Ranks `lo..hi` of the sorted lane ([`sample::gather`]) from the classified chunks `parts`
/// ((values, counts), in axis order), as a block of shape `out_shape`.
pub fn sample_gather(
    parts: &[(&Chunk, &Chunk)],
    splitters: &Chunk,
    lo: usize,
    hi: usize,
    out_shape: &[usize],
    descending: bool,
) -> OxResult<Chunk> {
    let s = splitter_keys(splitters)?;
    let (first, _) = parts
        .first()
        .ok_or_else(|| OxError::Internal("sample sort: no pieces".into()))?;
    let counts = piece_counts(parts)?;
    dispatch_typed!(Chunk, *first, a => gather_typed(a, parts, &counts, &s, lo..hi, out_shape, descending))
}

/// [`sample_gather`] written into the output block's place in a result: `len` elements of
/// `dtype` at `ptr`.
///
/// # Safety
/// `ptr` must point at `len` live elements of `dtype` that nothing else reads or writes while
/// this runs.
pub unsafe fn sample_gather_into(
    parts: &[(&Chunk, &Chunk)],
    splitters: &Chunk,
    ranks: std::ops::Range<usize>,
    descending: bool,
    ptr: usize,
    len: usize,
    dtype: DType,
) -> OxResult<()> {
    let (lo, hi) = (ranks.start, ranks.end);
    let s = splitter_keys(splitters)?;
    let bad = || OxError::Internal("sample sort: pieces".into());
    let (first, _) = parts.first().ok_or_else(bad)?;
    if first.dtype() != dtype || len != hi.saturating_sub(lo) {
        return Err(OxError::Internal(
            "sample sort: destination does not fit".into(),
        ));
    }
    let counts = piece_counts(parts)?;
    dispatch_typed!(Chunk, *first, a => {
        let pieces = pieces_typed(a, parts, &counts)?;
        // SAFETY: the caller promises `len` live, exclusive elements of this dtype at `ptr`.
        let out = unsafe { std::slice::from_raw_parts_mut(ptr as *mut std::mem::MaybeUninit<_>, len) };
        sample::gather_into(&pieces, &s, lo, hi, descending, simd::available(), out)
    })
}

/// The bucket counts of a sample sort's classified pieces.
fn piece_counts<'a>(parts: &[(&'a Chunk, &'a Chunk)]) -> OxResult<Vec<&'a [i64]>> {
    parts
        .iter()
        .map(|(_, c)| {
            c.as_array::<i64>()
                .and_then(|a| a.as_slice())
                .ok_or_else(|| OxError::Internal("sample sort: pieces".into()))
        })
        .collect()
}

/// The classified pieces of a sample sort as typed slices.
fn pieces_typed<'a, T: NpOrd>(
    _witness: &ArrayD<T>,
    parts: &[(&'a Chunk, &'a Chunk)],
    counts: &[&'a [i64]],
) -> OxResult<Vec<sample::Piece<'a, T>>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    parts
        .iter()
        .zip(counts)
        .map(|((v, _), counts)| {
            let values = v
                .as_array::<T>()
                .and_then(|x| x.as_slice())
                .ok_or_else(|| OxError::Internal("sample sort: pieces".into()))?;
            Ok(sample::Piece { values, counts })
        })
        .collect()
}

fn splitters_typed<T: NpOrd>(
    _witness: &ArrayD<T>,
    blocks: &[&Chunk],
    descending: bool,
) -> OxResult<Vec<u64>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let owned = blocks
        .iter()
        .map(|b| {
            b.as_array::<T>()
                .map(|x| c_order(x))
                .ok_or_else(|| OxError::Internal("sample sort: blocks of mixed dtypes".into()))
        })
        .collect::<OxResult<Vec<_>>>()?;
    let views: Vec<&[T]> = owned.iter().map(|c| &c[..]).collect();
    Ok(sample::splitters(&views, descending, sample::BUCKET_KEYS))
}

fn gather_typed<T: NpOrd>(
    _witness: &ArrayD<T>,
    parts: &[(&Chunk, &Chunk)],
    counts: &[&[i64]],
    s: &[u64],
    ranks: std::ops::Range<usize>,
    out_shape: &[usize],
    descending: bool,
) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let pieces = pieces_typed(_witness, parts, counts)?;
    to_chunk(
        out_shape,
        sample::gather(&pieces, s, ranks.start, ranks.end, descending)?,
    )
}
