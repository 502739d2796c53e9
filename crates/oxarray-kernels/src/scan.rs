//! Scans and folds along one axis of a chunk: the kernels of `ufunc.accumulate` (`cumsum`,
//! `cumprod`, ...), of `ufunc.reduce` for any binary ufunc, and of `ufunc.reduceat`.
//!
//! A chunk is seen as `[outer, n, inner]` around the axis; a *row* is one position along the axis
//! (`outer * inner` lanes). The graph never gathers a chunked axis: it folds each chunk to one row
//! (its total, [`fold_chunks`]), carries the totals from chunk to chunk, and scans each chunk
//! starting from its carry ([`scan_chunk`]), so offsetting a chunk by its carry-in costs no pass
//! of its own. `op` is a binary op of the catalogue whose output dtype is its input dtype (the
//! front casts to NumPy's loop first). Hot ops (add, multiply, maximum, minimum, fmax, fmin, the
//! logical ops on bool) run as typed loops; every other op goes row by row through the
//! elementwise kernel, so each op of the catalogue scans exactly as it computes elementwise.

use crate::elementwise::numeric::Value;
use crate::elementwise::{binary_into, binary_output_dtype};
use crate::reduce::num::Num;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::ops::BinaryOp;
use oxarray_core::{dispatch_dtype, Chunk, Column, DType, OxError, OxResult, SliceElem};
use std::ops::Range;

/// A chunk seen as `[outer, n, inner]` around the axis.
#[derive(Clone, Copy, Debug)]
struct Geom {
    outer: usize,
    n: usize,
    inner: usize,
}

impl Geom {
    fn of(shape: &[usize], axis: usize) -> OxResult<Geom> {
        if axis >= shape.len() {
            return Err(OxError::Internal(format!(
                "scan: axis {axis} of a {}-d block",
                shape.len()
            )));
        }
        Ok(Geom {
            outer: shape[..axis].iter().product(),
            n: shape[axis],
            inner: shape[axis + 1..].iter().product(),
        })
    }
    fn lanes(self) -> usize {
        self.outer * self.inner
    }
    /// Flat position of row `i` in lane block `o` (the first of its `inner` lanes).
    fn at(self, o: usize, i: usize) -> usize {
        (o * self.n + i) * self.inner
    }
}

/// Row `i` of `x` (its lanes in (outer, inner) order) into `row`.
fn gather_row<T: Copy>(x: &[T], g: Geom, i: usize, row: &mut Vec<T>) {
    row.clear();
    for o in 0..g.outer {
        let s = g.at(o, i);
        row.extend_from_slice(&x[s..s + g.inner]);
    }
}

fn scatter_row<T: Copy>(out: &mut [T], g: Geom, i: usize, row: &[T]) {
    for o in 0..g.outer {
        let s = g.at(o, i);
        out[s..s + g.inner].copy_from_slice(&row[o * g.inner..(o + 1) * g.inner]);
    }
}

/// One way of computing `acc := op(acc, x)`: whole-chunk loops, so the dynamic dispatch
/// between the typed and the generic kind happens once per chunk, never per element.
trait Stepper<T> {
    /// Inclusive scan of every lane of `x` into `out`, after `carry` (one row) when given.
    fn scan(&mut self, x: &[T], out: &mut [T], g: Geom, carry: Option<&[T]>) -> OxResult<()>;
    /// Folds `rows` of `x` into `acc` (one row; `None` until a first row arrives).
    /// `reorder`: the op is associative, so a lane may be folded in several interleaved parts.
    fn fold(
        &mut self,
        x: &[T],
        g: Geom,
        rows: Range<usize>,
        acc: &mut Option<Vec<T>>,
        reorder: bool,
    ) -> OxResult<()>;
}

/// A hot op as a typed per-element function (the loops below vectorize where the op allows).
struct TypedStep<F>(F);

/// A lane folded in 8 interleaved parts, combined in order at the end: a sum runs at the
/// adder's throughput rather than its latency.
#[inline]
fn fold_lane<T: Copy>(init: T, xs: &[T], reorder: bool, f: &impl Fn(T, T) -> T) -> T {
    const K: usize = 8;
    if !reorder || xs.len() < 4 * K {
        return xs.iter().fold(init, |a, &b| f(a, b));
    }
    let (head, tail) = xs.split_at(K);
    let mut parts = [head[0]; K];
    parts.copy_from_slice(head);
    let mut blocks = tail.chunks_exact(K);
    for b in &mut blocks {
        for k in 0..K {
            parts[k] = f(parts[k], b[k]);
        }
    }
    let acc = parts.iter().fold(init, |a, &b| f(a, b));
    blocks.remainder().iter().fold(acc, |a, &b| f(a, b))
}

impl<T: Copy, F: Fn(T, T) -> T> Stepper<T> for TypedStep<F> {
    fn scan(&mut self, x: &[T], out: &mut [T], g: Geom, carry: Option<&[T]>) -> OxResult<()> {
        let f = &self.0;
        if g.n == 0 || g.inner == 0 {
            return Ok(());
        }
        let block = g.n * g.inner;
        for o in 0..g.outer {
            let xs = &x[o * block..(o + 1) * block];
            let os = &mut out[o * block..(o + 1) * block];
            let init = carry.map(|c| &c[o * g.inner..(o + 1) * g.inner]);
            if g.inner == 1 {
                let mut acc = match init {
                    Some(c) => f(c[0], xs[0]),
                    None => xs[0],
                };
                os[0] = acc;
                for (d, &v) in os[1..].iter_mut().zip(&xs[1..]) {
                    acc = f(acc, v);
                    *d = acc;
                }
                continue;
            }
            let (first, mut rest) = os.split_at_mut(g.inner);
            match init {
                Some(c) => {
                    for ((d, &a), &b) in first.iter_mut().zip(c).zip(&xs[..g.inner]) {
                        *d = f(a, b);
                    }
                }
                None => first.copy_from_slice(&xs[..g.inner]),
            }
            let mut prev: &[T] = first;
            for xr in xs[g.inner..].chunks_exact(g.inner) {
                let (cur, r) = std::mem::take(&mut rest).split_at_mut(g.inner);
                for ((d, &a), &b) in cur.iter_mut().zip(prev).zip(xr) {
                    *d = f(a, b);
                }
                prev = cur;
                rest = r;
            }
        }
        Ok(())
    }

    fn fold(
        &mut self,
        x: &[T],
        g: Geom,
        mut rows: Range<usize>,
        acc: &mut Option<Vec<T>>,
        reorder: bool,
    ) -> OxResult<()> {
        let f = &self.0;
        if rows.is_empty() {
            return Ok(());
        }
        let a = match acc {
            Some(a) => a,
            None => {
                let mut first = Vec::new();
                gather_row(x, g, rows.start, &mut first);
                rows.start += 1;
                acc.insert(first)
            }
        };
        for o in 0..g.outer {
            let lanes = &mut a[o * g.inner..(o + 1) * g.inner];
            if g.inner == 1 {
                let xs = &x[g.at(o, rows.start)..g.at(o, rows.end)];
                lanes[0] = fold_lane(lanes[0], xs, reorder, f);
                continue;
            }
            for i in rows.clone() {
                let s = g.at(o, i);
                for (d, &b) in lanes.iter_mut().zip(&x[s..s + g.inner]) {
                    *d = f(*d, b);
                }
            }
        }
        Ok(())
    }
}

/// Any op of the catalogue, a row at a time through the elementwise kernel (rows are gathered
/// into contiguous lanes first).
struct GenericStep<T> {
    op: BinaryOp,
    row: Vec<T>,
    tmp: Column,
}

impl<T: SliceElem> GenericStep<T>
where
    Column: Typed<T, Container = Vec<T>>,
{
    fn new(op: BinaryOp) -> Self {
        GenericStep {
            op,
            row: Vec::new(),
            tmp: Column::empty(T::DTYPE),
        }
    }

    /// `acc := op(acc, self.row)` lane by lane.
    fn step(&mut self, acc: &mut Vec<T>) -> OxResult<()> {
        binary_into(
            self.op,
            T::column_ref(acc),
            T::column_ref(&self.row),
            &mut self.tmp,
        )?;
        let done = std::mem::replace(&mut self.tmp, Column::Bool(Vec::new()));
        let v = <Column as Typed<T>>::into_inner(done).ok_or_else(|| {
            OxError::Internal(format!("scan: {} changed the dtype", self.op.name()))
        })?;
        // The old accumulator's allocation becomes the next step's output buffer.
        self.tmp = <Column as Typed<T>>::wrap(std::mem::replace(acc, v));
        Ok(())
    }
}

impl<T: SliceElem> Stepper<T> for GenericStep<T>
where
    Column: Typed<T, Container = Vec<T>>,
{
    fn scan(&mut self, x: &[T], out: &mut [T], g: Geom, carry: Option<&[T]>) -> OxResult<()> {
        if g.n == 0 || g.lanes() == 0 {
            return Ok(());
        }
        let mut acc = Vec::with_capacity(g.lanes());
        let start = match carry {
            Some(c) => {
                acc.extend_from_slice(c);
                0
            }
            None => {
                gather_row(x, g, 0, &mut acc);
                scatter_row(out, g, 0, &acc);
                1
            }
        };
        for i in start..g.n {
            let mut row = std::mem::take(&mut self.row);
            gather_row(x, g, i, &mut row);
            self.row = row;
            self.step(&mut acc)?;
            scatter_row(out, g, i, &acc);
        }
        Ok(())
    }

    fn fold(
        &mut self,
        x: &[T],
        g: Geom,
        mut rows: Range<usize>,
        acc: &mut Option<Vec<T>>,
        _reorder: bool,
    ) -> OxResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let a = match acc {
            Some(a) => a,
            None => {
                let mut first = Vec::new();
                gather_row(x, g, rows.start, &mut first);
                rows.start += 1;
                acc.insert(first)
            }
        };
        for i in rows {
            let mut row = std::mem::take(&mut self.row);
            gather_row(x, g, i, &mut row);
            self.row = row;
            self.step(a)?;
        }
        Ok(())
    }
}

/// The typed loop for a hot op, or the generic one.
fn stepper<T>(op: BinaryOp) -> Box<dyn Stepper<T>>
where
    T: Num + Value + SliceElem,
    Column: Typed<T, Container = Vec<T>>,
{
    use BinaryOp::*;
    let boolean = T::DTYPE == DType::Bool;
    match op {
        Add => Box::new(TypedStep(<T as Num>::add)),
        Multiply => Box::new(TypedStep(<T as Num>::mul)),
        Maximum => Box::new(TypedStep(<T as Value>::maximum)),
        Minimum => Box::new(TypedStep(<T as Value>::minimum)),
        Fmax => Box::new(TypedStep(<T as Value>::fmax)),
        Fmin => Box::new(TypedStep(<T as Value>::fmin)),
        // On bools `add` is `or` and `multiply` is `and` (NumPy's bool loops).
        LogicalOr | BitwiseOr if boolean => Box::new(TypedStep(<T as Num>::add)),
        LogicalAnd | BitwiseAnd if boolean => Box::new(TypedStep(<T as Num>::mul)),
        _ => Box::new(GenericStep::<T>::new(op)),
    }
}

fn check_op(op: BinaryOp, dtype: DType) -> OxResult<()> {
    let out = binary_output_dtype(op, dtype)?;
    if out != dtype {
        return Err(OxError::DTypeNotSupported(format!(
            "{} of {dtype} gives {out}: it cannot be accumulated in {dtype}",
            op.name()
        )));
    }
    Ok(())
}

fn slice_of<T: SliceElem>(c: &Chunk) -> OxResult<&[T]>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    c.as_array::<T>().and_then(|a| a.as_slice()).ok_or_else(|| {
        OxError::Internal(format!(
            "scan: expected a C-ordered {} block, got {}",
            T::DTYPE,
            c.dtype()
        ))
    })
}

fn to_chunk<T: SliceElem>(shape: &[usize], v: Vec<T>) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let a = ArrayD::from_shape_vec(IxDyn(shape), v)
        .map_err(|e| OxError::Internal(format!("scan: result shape: {e}")))?;
    Ok(Chunk::from_array(a))
}

/// The last row along `axis` of `carry`, checked against the lanes of `g`.
fn last_row<T: SliceElem>(carry: &Chunk, axis: usize, g: Geom) -> OxResult<Vec<T>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let gc = Geom::of(carry.shape(), axis)?;
    if gc.outer != g.outer || gc.inner != g.inner || gc.n == 0 {
        return Err(OxError::Internal(format!(
            "scan: carry of shape {:?} does not fit",
            carry.shape()
        )));
    }
    let mut row = Vec::with_capacity(g.lanes());
    gather_row(slice_of::<T>(carry)?, gc, gc.n - 1, &mut row);
    Ok(row)
}

/// Inclusive scan of `x` along `axis` (`ufunc.accumulate`): row `i` of the result is `op`
/// folded over rows `0..=i`, after the last row of `carry` when given (a block of `x`'s shape off
/// the axis, any length along it: the previous chunk's total or its scanned block).
pub fn scan_chunk(op: BinaryOp, x: &Chunk, axis: usize, carry: Option<&Chunk>) -> OxResult<Chunk> {
    check_op(op, x.dtype())?;
    let g = Geom::of(x.shape(), axis)?;
    dispatch_dtype!(x.dtype(), T => {
        let xs = slice_of::<T>(x)?;
        let init = carry.map(|c| last_row::<T>(c, axis, g)).transpose()?;
        let mut out = oxarray_core::buffer::zeroed_vec::<T>(xs.len())?;
        stepper::<T>(op).scan(xs, &mut out, g, init.as_deref())?;
        to_chunk(x.shape(), out)
    })
}

/// [`scan_chunk`] written into the `len` elements of `dtype` at `ptr` (a block of the result,
/// so the scanned block is never copied).
///
/// # Safety
/// `ptr` must point to `len` initialized, aligned elements of `dtype` that nothing else reads or
/// writes during the call.
pub unsafe fn scan_into(
    op: BinaryOp,
    x: &Chunk,
    axis: usize,
    carry: Option<&Chunk>,
    ptr: usize,
    len: usize,
    dtype: DType,
) -> OxResult<()> {
    check_op(op, x.dtype())?;
    if dtype != x.dtype() || len != x.len() {
        return Err(OxError::Internal("scan: destination does not fit".into()));
    }
    let g = Geom::of(x.shape(), axis)?;
    dispatch_dtype!(dtype, T => {
        let xs = slice_of::<T>(x)?;
        let init = carry.map(|c| last_row::<T>(c, axis, g)).transpose()?;
        // SAFETY: the caller promises `len` live, exclusive elements of `T` at `ptr`.
        let out = unsafe { std::slice::from_raw_parts_mut(ptr as *mut T, len) };
        stepper::<T>(op).scan(xs, out, g, init.as_deref())
    })
}

/// `pieces` folded in order along `axis`, as consecutive parts of one axis (a chunk, or the
/// carried total of the chunks before it followed by a chunk): one row, the shape of the pieces
/// with `axis` of length 1. `reorder`: `op` is associative, so long lanes may be folded in
/// interleaved parts (a float sum then rounds like NumPy's pairwise sum, not a sequential one).
/// Empty pieces are skipped; at least one row must exist.
pub fn fold_chunks(op: BinaryOp, pieces: &[&Chunk], axis: usize, reorder: bool) -> OxResult<Chunk> {
    let first = pieces
        .first()
        .ok_or_else(|| OxError::Internal("fold: no pieces".into()))?;
    let dtype = first.dtype();
    check_op(op, dtype)?;
    let mut shape = first.shape().to_vec();
    let g0 = Geom::of(&shape, axis)?;
    shape[axis] = 1;
    dispatch_dtype!(dtype, T => {
        let mut step = stepper::<T>(op);
        let mut acc: Option<Vec<T>> = None;
        for p in pieces {
            let g = Geom::of(p.shape(), axis)?;
            if g.outer != g0.outer || g.inner != g0.inner {
                return Err(OxError::Internal("fold: pieces do not line up".into()));
            }
            step.fold(slice_of::<T>(p)?, g, 0..g.n, &mut acc, reorder)?;
        }
        match acc {
            Some(a) => to_chunk(&shape, a),
            None if g0.lanes() == 0 => to_chunk(&shape, Vec::<T>::new()),
            None => Err(OxError::Value(format!(
                "zero-size array to reduction operation {} which has no identity",
                op.name()
            ))),
        }
    })
}

/// `ufunc.reduceat` for one output block: row `k` is `op` folded over rows `segs[k]` (a
/// half-open range of the whole axis, never empty) of the axis cut into `pieces`, piece `p`
/// starting at `offsets[p]`. `out_shape` is the block's shape (`segs.len()` along `axis`).
pub fn fold_segments(
    op: BinaryOp,
    pieces: &[&Chunk],
    offsets: &[usize],
    axis: usize,
    segs: &[(usize, usize)],
    out_shape: &[usize],
    dtype: DType,
) -> OxResult<Chunk> {
    check_op(op, dtype)?;
    let go = Geom::of(out_shape, axis)?;
    if go.n != segs.len() || offsets.len() != pieces.len() {
        return Err(OxError::Internal(
            "reduceat: segments do not fit the block".into(),
        ));
    }
    dispatch_dtype!(dtype, T => {
        let mut step = stepper::<T>(op);
        let mut out = oxarray_core::buffer::zeroed_vec::<T>(out_shape.iter().product())?;
        let parts = pieces
            .iter()
            .map(|p| {
                let g = Geom::of(p.shape(), axis)?;
                if g.outer != go.outer || g.inner != go.inner {
                    return Err(OxError::Internal("reduceat: pieces do not line up".into()));
                }
                Ok((slice_of::<T>(p)?, g))
            })
            .collect::<OxResult<Vec<_>>>()?;
        for (k, &(s, e)) in segs.iter().enumerate() {
            let mut acc: Option<Vec<T>> = None;
            for ((xs, g), &off) in parts.iter().zip(offsets) {
                let lo = s.max(off);
                let hi = e.min(off + g.n);
                if lo < hi {
                    step.fold(xs, *g, lo - off..hi - off, &mut acc, false)?;
                }
            }
            match acc {
                Some(a) => scatter_row(&mut out, go, k, &a),
                None if go.lanes() == 0 => {}
                None => {
                    return Err(OxError::Internal(format!(
                        "reduceat: segment {s}..{e} is not in the pieces"
                    )))
                }
            }
        }
        to_chunk(out_shape, out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk<T: SliceElem>(shape: &[usize], v: Vec<T>) -> Chunk
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        to_chunk(shape, v).expect("shape")
    }

    fn values<T: SliceElem>(c: &Chunk) -> Vec<T>
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        slice_of::<T>(c).expect("dtype").to_vec()
    }

    #[test]
    fn cumsum_along_each_axis() {
        let x = chunk(&[2, 3], vec![1i64, 2, 3, 4, 5, 6]);
        let a0 = scan_chunk(BinaryOp::Add, &x, 0, None).unwrap();
        assert_eq!(values::<i64>(&a0), vec![1, 2, 3, 5, 7, 9]);
        let a1 = scan_chunk(BinaryOp::Add, &x, 1, None).unwrap();
        assert_eq!(values::<i64>(&a1), vec![1, 3, 6, 4, 9, 15]);
    }

    #[test]
    fn carry_starts_the_scan() {
        let x = chunk(&[2, 2], vec![1.0f64, 2.0, 3.0, 4.0]);
        let carry = chunk(&[2, 3], vec![0.0f64, 0.0, 10.0, 0.0, 0.0, 20.0]);
        let s = scan_chunk(BinaryOp::Add, &x, 1, Some(&carry)).unwrap();
        assert_eq!(values::<f64>(&s), vec![11.0, 13.0, 23.0, 27.0]);
        // A generic (non-associative) op along axis 0 with a carry row.
        let c0 = chunk(&[1, 2], vec![100i32, 200]);
        let x = chunk(&[2, 2], vec![1i32, 2, 3, 4]);
        let s = scan_chunk(BinaryOp::Subtract, &x, 0, Some(&c0)).unwrap();
        assert_eq!(values::<i32>(&s), vec![99, 198, 96, 194]);
    }

    #[test]
    fn integer_overflow_wraps() {
        let x = chunk(&[3], vec![100i8, 100, 100]);
        let s = scan_chunk(BinaryOp::Add, &x, 0, None).unwrap();
        assert_eq!(values::<i8>(&s), vec![100, -56, 44]);
    }

    #[test]
    fn maximum_propagates_nan_and_fmax_skips_it() {
        let x = chunk(&[4], vec![1.0f64, f64::NAN, 3.0, 0.0]);
        let m = values::<f64>(&scan_chunk(BinaryOp::Maximum, &x, 0, None).unwrap());
        assert!(m[0] == 1.0 && m[1..].iter().all(|v| v.is_nan()));
        let f = values::<f64>(&scan_chunk(BinaryOp::Fmax, &x, 0, None).unwrap());
        assert_eq!(f, vec![1.0, 1.0, 3.0, 3.0]);
    }

    #[test]
    fn fold_matches_the_scan_last_row() {
        let v: Vec<i64> = (0..300).map(|i| (i * 7919) % 101 - 50).collect();
        let x = chunk(&[3, 100], v.clone());
        for op in [
            BinaryOp::Add,
            BinaryOp::Subtract,
            BinaryOp::Maximum,
            BinaryOp::Multiply,
        ] {
            for reorder in [false, true] {
                let f = fold_chunks(op, &[&x], 1, reorder).unwrap();
                let s = values::<i64>(&scan_chunk(op, &x, 1, None).unwrap());
                assert_eq!(f.shape(), &[3, 1]);
                assert_eq!(values::<i64>(&f), vec![s[99], s[199], s[299]], "{op:?}");
            }
        }
    }

    #[test]
    fn fold_of_pieces_in_order() {
        let a = chunk(&[1, 2], vec![10.0f64, 20.0]);
        let b = chunk(&[2, 2], vec![1.0f64, 2.0, 3.0, 4.0]);
        let f = fold_chunks(BinaryOp::Subtract, &[&a, &b], 0, false).unwrap();
        assert_eq!(values::<f64>(&f), vec![6.0, 14.0]);
        let empty = chunk(&[0, 2], Vec::<f64>::new());
        let err = fold_chunks(BinaryOp::Subtract, &[&empty], 0, false);
        assert!(matches!(err, Err(OxError::Value(_))));
    }

    #[test]
    fn comparison_loops_on_bool_but_not_on_ints() {
        let x = chunk(&[3], vec![true, false, true]);
        let s = scan_chunk(BinaryOp::Less, &x, 0, None).unwrap();
        assert_eq!(values::<bool>(&s), vec![true, false, true]);
        let y = chunk(&[2], vec![1i64, 2]);
        assert!(matches!(
            scan_chunk(BinaryOp::Less, &y, 0, None),
            Err(OxError::DTypeNotSupported(_))
        ));
    }

    #[test]
    fn segments_across_pieces() {
        let a = chunk(&[2, 3], vec![0i64, 1, 2, 10, 11, 12]);
        let b = chunk(&[2, 2], vec![3i64, 4, 13, 14]);
        let segs = [(0, 4), (4, 5), (1, 2), (2, 5)];
        let out = fold_segments(
            BinaryOp::Add,
            &[&a, &b],
            &[0, 3],
            1,
            &segs,
            &[2, 4],
            DType::Int64,
        )
        .unwrap();
        assert_eq!(values::<i64>(&out), vec![6, 4, 1, 9, 46, 14, 11, 39]);
    }
}
