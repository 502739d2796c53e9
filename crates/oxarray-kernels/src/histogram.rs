//! Counting and binning: the bin of each value among histogram edges, and tallies per bin (or
//! per code) of one chunk, summed (or min-ed) across chunks in a tree. `bincount`, `histogram*`
//! and `unique`'s counts and first indices are built from these two kernels.

use crate::sets::keys::{SetKey, NAN_KEY};
use ndarray::{ArrayD, IxDyn};
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_typed, Chunk, DType, Element, OxError, OxResult};

/// The bin of every element among ascending `edges` (same dtype), as int64: bin `i` holds
/// `edges[i] <= v < edges[i+1]`, the last bin also holds `v == edges[-1]`; -1 for values outside
/// the edges and NaN (NumPy's `histogram` drops them).
pub fn bin_index(x: &Chunk, edges: &Chunk) -> OxResult<Chunk> {
    let (bins, shape) = dispatch_typed!(Chunk, x, a => bin_typed(a, edges))?;
    ArrayD::from_shape_vec(IxDyn(&shape), bins)
        .map(Chunk::from_array)
        .map_err(|e| OxError::Internal(e.to_string()))
}

fn bin_typed<T: SetKey>(x: &ArrayD<T>, edges: &Chunk) -> OxResult<(Vec<i64>, Vec<usize>)>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let e = edges
        .as_array::<T>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("bin_index: edges of another dtype".into()))?;
    if T::PARTS > 1 {
        return Err(OxError::DTypeNotSupported(
            "histogram bins of complex values".into(),
        ));
    }
    let ek: Vec<u64> = e.iter().map(|v| v.key()).collect();
    let nb = ek.len().saturating_sub(1) as i64;
    let (lo, hi) = (ek.first().copied(), ek.last().copied());
    let out: Vec<i64> = x
        .iter()
        .map(|v| {
            let k = v.key();
            match (lo, hi) {
                (Some(lo), Some(hi)) if nb > 0 && k != NAN_KEY && k >= lo && k <= hi => {
                    let p = ek.partition_point(|&t| t <= k) as i64 - 1;
                    p.min(nb - 1)
                }
                _ => -1,
            }
        })
        .collect();
    Ok((out, x.shape().to_vec()))
}

/// What a tally accumulates per code.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TallyOp {
    /// int64 number of elements with each code.
    Count,
    /// float64 sum of the weights of the elements with each code.
    Sum,
    /// int64 smallest flat position (chunk offset + index) of the elements with each code.
    MinPos,
}

impl TallyOp {
    pub fn dtype(self) -> DType {
        match self {
            TallyOp::Sum => DType::Float64,
            TallyOp::Count | TallyOp::MinPos => DType::Int64,
        }
    }
}

fn i64s(c: &Chunk) -> OxResult<&[i64]> {
    c.as_array::<i64>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("tally: codes must be contiguous int64".into()))
}

fn f64s(c: &Chunk) -> OxResult<&[f64]> {
    c.as_array::<f64>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("tally: weights must be contiguous float64".into()))
}

fn chunk1<T: Element>(v: Vec<T>) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let n = v.len();
    ArrayD::from_shape_vec(IxDyn(&[n]), v)
        .map(Chunk::from_array)
        .map_err(|e| OxError::Internal(e.to_string()))
}

/// The tally of one chunk of codes (codes outside `0..length` are skipped): a 1-d chunk of
/// `length` (the partial that [`combine`] merges).
pub fn tally(
    op: TallyOp,
    codes: &Chunk,
    weights: Option<&Chunk>,
    length: usize,
    offset: usize,
) -> OxResult<Chunk> {
    let c = i64s(codes)?;
    let slot = |k: i64| (k >= 0 && (k as u64) < length as u64).then_some(k as usize);
    match op {
        TallyOp::Count => {
            let mut n = zeroed_vec::<i64>(length)?;
            for &k in c {
                if let Some(i) = slot(k) {
                    n[i] += 1;
                }
            }
            chunk1(n)
        }
        TallyOp::Sum => {
            let w = f64s(weights.ok_or_else(|| OxError::Internal("tally: no weights".into()))?)?;
            if w.len() != c.len() {
                return Err(OxError::Internal("tally: weights and codes differ".into()));
            }
            let mut s = zeroed_vec::<f64>(length)?;
            for (&k, &v) in c.iter().zip(w) {
                if let Some(i) = slot(k) {
                    s[i] += v;
                }
            }
            chunk1(s)
        }
        TallyOp::MinPos => {
            let mut m = zeroed_vec::<i64>(length)?;
            m.fill(i64::MAX);
            for (j, &k) in c.iter().enumerate() {
                if let Some(i) = slot(k) {
                    m[i] = m[i].min((offset + j) as i64);
                }
            }
            chunk1(m)
        }
    }
}

/// Merges tallies of the same length (sum, or min for positions).
pub fn combine(op: TallyOp, parts: &[&Chunk]) -> OxResult<Chunk> {
    let first = parts
        .first()
        .ok_or_else(|| OxError::Internal("tally combine: no input".into()))?;
    match op {
        TallyOp::Sum => {
            let mut acc = f64s(first)?.to_vec();
            for p in &parts[1..] {
                for (a, b) in acc.iter_mut().zip(f64s(p)?) {
                    *a += b;
                }
            }
            chunk1(acc)
        }
        TallyOp::Count | TallyOp::MinPos => {
            let mut acc = i64s(first)?.to_vec();
            for p in &parts[1..] {
                for (a, &b) in acc.iter_mut().zip(i64s(p)?) {
                    *a = if op == TallyOp::Count {
                        *a + b
                    } else {
                        (*a).min(b)
                    };
                }
            }
            chunk1(acc)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c1<T: Element>(v: Vec<T>) -> Chunk
    where
        Chunk: Typed<T, Container = ArrayD<T>>,
    {
        chunk1(v).expect("chunk")
    }

    #[test]
    fn bins_follow_numpy_edges() {
        let x = c1(vec![0.0, 0.5, 1.0, 2.0, 2.5, f64::NAN, -1.0]);
        let e = c1(vec![0.0, 1.0, 2.0]);
        let b = bin_index(&x, &e).expect("bins");
        assert_eq!(i64s(&b).expect("i64"), &[0, 0, 1, 1, -1, -1, -1]);
    }

    #[test]
    fn tallies_count_sum_and_first_position() {
        let codes = c1(vec![1i64, 0, 1, -1, 2]);
        let w = c1(vec![0.5, 1.0, 2.0, 9.0, 3.0]);
        let n = tally(TallyOp::Count, &codes, None, 3, 0).expect("count");
        assert_eq!(i64s(&n).expect("i64"), &[1, 2, 1]);
        let s = tally(TallyOp::Sum, &codes, Some(&w), 3, 0).expect("sum");
        assert_eq!(f64s(&s).expect("f64"), &[1.0, 2.5, 3.0]);
        let p = tally(TallyOp::MinPos, &codes, None, 3, 10).expect("pos");
        let q = tally(TallyOp::MinPos, &c1(vec![2i64]), None, 3, 3).expect("pos");
        let m = combine(TallyOp::MinPos, &[&p, &q]).expect("min");
        assert_eq!(i64s(&m).expect("i64"), &[11, 10, 3]);
    }
}
