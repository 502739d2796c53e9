//! How a fused program reads an input that is smaller than its output (NumPy broadcasting),
//! without materializing it at the output's size.
//!
//! A program runs block by block over the flat output (C order). An input of the output's shape
//! is read in place; a one-element input is a constant. Any other input has zero strides along
//! its broadcast axes, and two cases matter:
//! - broadcast along leading axes only (a row `m` against `x` of `(n, 50)`, a matrix against a
//!   stack): the input repeats with the period of its own size, so it is laid out once as a
//!   *tile* (the pattern repeated to cover one block past a period) and a block starting at flat
//!   index `lo` reads the tile from `lo % period` in place — no per-block work at all;
//! - anything else (a column `(n, 1)`, a middle axis): the block is gathered into a scratch
//!   register, one contiguous copy or one splat per innermost run, in cache.
//!
//! Both cost a block's worth of reads from L1/L2 instead of writing and reading back a temporary
//! of the output's size (what broadcasting first used to cost: `(x - m) / s` ran at a ninth of
//! the speed of `x * 2`).

use super::BLOCK;
use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, dispatch_typed, Chunk, Column, OxError, OxResult};

/// A broadcast input read through its strides: `shape` and `strides` (in elements, zero along
/// broadcast axes) describe the output's flat order with runs of equal strides merged.
#[derive(Debug)]
pub(crate) struct Strided {
    pub data: Chunk,
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
}

/// An input prepared for a program run over an output of a given shape.
#[derive(Debug)]
pub(crate) enum Prepared {
    /// Read the caller's chunk as it is (same shape, standard layout; or one element).
    AsIs,
    /// The input copied into standard layout (it was a view in another order).
    Standard(Chunk),
    /// The pattern repeated; a block at `lo` reads from `lo % period`.
    Tiled { tile: Chunk, period: usize },
    /// Gathered per block.
    Strided(Strided),
}

/// How `c` is read by a program whose output has `shape`.
pub(crate) fn prepare(c: &Chunk, shape: &[usize]) -> OxResult<Prepared> {
    let standard = dispatch_typed!(Chunk, c, a => a.is_standard_layout());
    if c.shape() == shape {
        return Ok(if standard {
            Prepared::AsIs
        } else {
            Prepared::Standard(to_standard(c))
        });
    }
    let n: usize = shape.iter().product();
    if c.len() == 1 || n == 0 {
        return Ok(Prepared::AsIs);
    }
    let ins = c.shape();
    if ins.len() > shape.len() {
        return Err(cannot(ins, shape));
    }
    let pad = shape.len() - ins.len();
    // Strides of the input (standard layout) aligned right against the output's axes.
    let mut strides = vec![0usize; shape.len()];
    let mut step = 1usize;
    for d in (0..ins.len()).rev() {
        let od = d + pad;
        if ins[d] == shape[od] {
            strides[od] = if ins[d] == 1 { 0 } else { step };
        } else if ins[d] != 1 {
            return Err(cannot(ins, shape));
        }
        step *= ins[d];
    }
    // Merge axes: size-1 axes vanish; neighbours merge when the outer one steps over the whole
    // inner one (contiguous) or both are broadcast.
    let mut ms: Vec<usize> = Vec::with_capacity(shape.len());
    let mut mt: Vec<usize> = Vec::with_capacity(shape.len());
    for (&len, &st) in shape.iter().zip(&strides) {
        if len == 1 {
            continue;
        }
        if let (Some(pl), Some(pt)) = (ms.last_mut(), mt.last_mut()) {
            if (*pt == 0 && st == 0) || (st != 0 && *pt == st * len) {
                *pl *= len;
                *pt = st;
                continue;
            }
        }
        ms.push(len);
        mt.push(st);
    }
    let data = if standard { c.clone() } else { to_standard(c) };
    match (ms.as_slice(), mt.as_slice()) {
        ([_], [1]) => Ok(Prepared::Standard(data)),
        ([_, period], [0, 1]) => Ok(Prepared::Tiled {
            tile: tile(&data, *period)?,
            period: *period,
        }),
        _ => Ok(Prepared::Strided(Strided {
            data,
            shape: ms,
            strides: mt,
        })),
    }
}

fn cannot(ins: &[usize], shape: &[usize]) -> OxError {
    OxError::Internal(format!("cannot broadcast chunk {ins:?} to {shape:?}"))
}

fn to_standard(c: &Chunk) -> Chunk {
    dispatch_typed!(Chunk, c, a => Chunk::from_array(a.as_standard_layout().into_owned()))
}

/// The first `period` elements of `data` repeated to cover `period - 1 + BLOCK` elements.
fn tile(data: &Chunk, period: usize) -> OxResult<Chunk> {
    let reps = (period + BLOCK).div_ceil(period);
    let len = period
        .checked_mul(reps)
        .ok_or_else(|| OxError::Internal("broadcast tile too large".into()))?;
    dispatch_typed!(Chunk, data, a => {
        let s = a.as_slice().ok_or_else(|| OxError::Internal("broadcast input not contiguous".into()))?;
        let pattern = s.get(..period).ok_or_else(|| OxError::Internal("broadcast input too short".into()))?;
        let mut v = Vec::new();
        v.try_reserve_exact(len).map_err(|_| OxError::Internal("out of memory for a broadcast tile".into()))?;
        for _ in 0..reps {
            v.extend_from_slice(pattern);
        }
        let arr = ArrayD::from_shape_vec(IxDyn(&[len]), v).map_err(|e| OxError::Internal(e.to_string()))?;
        Ok(Chunk::from_array(arr))
    })
}

impl Strided {
    /// `out` := elements `lo..lo + len` of the broadcast input in the output's flat order.
    pub(crate) fn gather(&self, lo: usize, len: usize, out: &mut Column) -> OxResult<()> {
        dispatch_dtype!(self.data.dtype(), T => {
            let src = self
                .data
                .as_array::<T>()
                .and_then(|a| a.as_slice())
                .ok_or_else(|| OxError::Internal("broadcast input not contiguous".into()))?;
            let old = std::mem::replace(out, Column::Bool(Vec::new()));
            let mut buf = <Column as Typed<T>>::into_inner(old).unwrap_or_default();
            gather_runs(src, &self.shape, &self.strides, lo, len, &mut buf);
            *out = <Column as Typed<T>>::wrap(buf);
            Ok(())
        })
    }
}

/// The gather itself: walk the multi-index from `lo`, one copy or splat per innermost run.
fn gather_runs<T: Copy>(
    src: &[T],
    shape: &[usize],
    strides: &[usize],
    lo: usize,
    len: usize,
    out: &mut Vec<T>,
) {
    out.clear();
    let nd = shape.len();
    if nd == 0 || len == 0 {
        out.extend(src.first().copied().into_iter().cycle().take(len));
        return;
    }
    let mut idx = [0usize; 16];
    let mut big;
    let idx: &mut [usize] = if nd <= 16 {
        &mut idx[..nd]
    } else {
        big = vec![0usize; nd];
        &mut big
    };
    let (mut rem, mut off) = (lo, 0usize);
    for d in (0..nd).rev() {
        idx[d] = rem % shape[d];
        rem /= shape[d];
        off += idx[d] * strides[d];
    }
    let inner = nd - 1;
    while out.len() < len {
        let run = (shape[inner] - idx[inner]).min(len - out.len());
        if strides[inner] == 0 {
            let v = src[off];
            out.extend(std::iter::repeat_n(v, run));
        } else {
            out.extend_from_slice(&src[off..off + run]);
        }
        idx[inner] += run;
        off += run * strides[inner];
        let mut d = inner;
        while d > 0 && idx[d] == shape[d] {
            off -= idx[d] * strides[d];
            idx[d] = 0;
            d -= 1;
            idx[d] += 1;
            off += strides[d];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(shape: &[usize], v: Vec<f64>) -> Chunk {
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
    }

    /// Every way of reading a broadcast input gives ndarray's broadcast, at every block offset.
    #[test]
    fn prepared_inputs_match_ndarray_broadcast() {
        let out = [3usize, 4, 5];
        let cases: Vec<Vec<usize>> = vec![
            vec![5],
            vec![4, 5],
            vec![1, 4, 5],
            vec![3, 1, 5],
            vec![3, 4, 1],
            vec![4, 1],
            vec![3, 1, 1],
            vec![1, 4, 1],
        ];
        for ins in cases {
            let n: usize = ins.iter().product();
            let c = chunk(&ins, (0..n).map(|i| i as f64).collect());
            let want: Vec<f64> = c
                .as_array::<f64>()
                .unwrap()
                .broadcast(IxDyn(&out))
                .unwrap()
                .iter()
                .copied()
                .collect();
            let p = prepare(&c, &out).unwrap();
            for lo in 0..want.len() {
                for len in [1, 7, want.len() - lo] {
                    let len = len.min(want.len() - lo);
                    let got: Vec<f64> = match &p {
                        Prepared::Tiled { tile, period } => {
                            let t = tile.as_array::<f64>().unwrap().as_slice().unwrap();
                            t[lo % period..lo % period + len].to_vec()
                        }
                        Prepared::Strided(s) => {
                            let mut col = Column::Float64(vec![]);
                            s.gather(lo, len, &mut col).unwrap();
                            match col {
                                Column::Float64(v) => v,
                                _ => unreachable!(),
                            }
                        }
                        Prepared::Standard(c) => {
                            c.as_array::<f64>().unwrap().as_slice().unwrap()[lo..lo + len].to_vec()
                        }
                        Prepared::AsIs => unreachable!("{ins:?}"),
                    };
                    assert_eq!(got, want[lo..lo + len], "{ins:?} at {lo}+{len}");
                }
            }
        }
    }
}
