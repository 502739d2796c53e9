//! Bailey's four-step FFT: one long transform of `n = n1 * n2` points as many short ones, so a
//! 1-d axis split across chunks is transformed by many tasks without ever being one block.
//!
//! With input index `i = i2 * n1 + i1` and output index `k = k1 * n2 + k2`:
//! `X[k1 n2 + k2] = Σ_i1 w_n1^(i1 k1) · [w_n^(i1 k2) · Σ_i2 x[i2 n1 + i1] w_n2^(i2 k2)]`.
//! - [`stage1`]: for a block of columns `i1`, the length-`n2` FFTs over `i2` (a strided gather
//!   from the input chunks), times the twiddles `w_n^(i1 k2)` and the normalization: a block
//!   `[cols, n2]`.
//! - [`stage2`]: for a block of `k2`, the length-`n1` FFTs over `i1` (gathered from every stage-1
//!   block), written transposed: a block `[n1, k2s]` whose row `k1` holds `X[k1 n2 + k2]`.
//! - [`stage3`]: a contiguous range of `X` copied out of the stage-2 blocks (runs of `k2`).

use super::{plan_c2c, source_of, FftFloat, SharedOut, Source};
use num_complex::Complex;
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::{Chunk, DType, OxError, OxResult};
use rayon::prelude::*;

/// Columns (stage 1) or `k2` values (stage 2) transformed together: 16 complex values make the
/// strided runs of the gathers 256 bytes long (complex128), and a tile of `16 * n2` stays in L2
/// for the `n2` a balanced split gives up to about 2**27 points.
const TILE: usize = 16;
/// The shorter factor must be at least this long for the split to pay for its extra passes.
const MIN_FACTOR: usize = 16;

/// A four-step plan: `n = n1 * n2`, direction, normalization and precision.
#[derive(Clone, Debug, PartialEq)]
pub struct FourStep {
    pub n: usize,
    pub n1: usize,
    pub n2: usize,
    pub inverse: bool,
    pub scale: f64,
    pub single: bool,
}

impl FourStep {
    /// The plan for `n` points, or `None` when `n` has no factor pair with both factors at least
    /// [`MIN_FACTOR`] (primes and near-primes go to the one-block path).
    pub fn new(n: usize, inverse: bool, scale: f64, single: bool) -> Option<FourStep> {
        let (n1, n2) = balanced_factors(n)?;
        (n1 >= MIN_FACTOR).then_some(FourStep {
            n,
            n1,
            n2,
            inverse,
            scale,
            single,
        })
    }

    pub fn dtype(&self) -> DType {
        if self.single {
            DType::Complex64
        } else {
            DType::Complex128
        }
    }
}

/// The factor pair `(d, n / d)` with `d` the largest divisor of `n` not above `sqrt(n)`.
pub fn balanced_factors(n: usize) -> Option<(usize, usize)> {
    if n < 4 {
        return None;
    }
    let mut d = (n as f64).sqrt() as usize;
    while d * d > n {
        d -= 1;
    }
    while (d + 1) * (d + 1) <= n {
        d += 1;
    }
    while d > 1 {
        if n.is_multiple_of(d) {
            return Some((d, n / d));
        }
        d -= 1;
    }
    None
}

/// `w^e` for `w = exp(∓2πi/n)` from two tables of about `sqrt(n)` entries each
/// (`w^e = w^(hi·l) · w^lo`), accurate to a few ulps, with no long recurrences.
struct Twiddles {
    n: usize,
    lo: Vec<Complex<f64>>,
    hi: Vec<Complex<f64>>,
    l: usize,
    /// Split of a row's `k2` (`k2 = a·row_l + b`) for [`Twiddles::apply_row`].
    row_l: usize,
}

impl Twiddles {
    fn new(n: usize, row_len: usize, inverse: bool) -> OxResult<Self> {
        let l = ((n as f64).sqrt().ceil() as usize).max(1);
        let sign = if inverse { 1.0 } else { -1.0 };
        let at = |e: usize| {
            let (s, c) = (std::f64::consts::TAU * (e as f64 / n as f64)).sin_cos();
            Complex::new(c, sign * s)
        };
        let mut lo = zeroed_vec::<Complex<f64>>(l)?;
        lo.iter_mut().enumerate().for_each(|(e, v)| *v = at(e));
        let mut hi = zeroed_vec::<Complex<f64>>(n.div_ceil(l))?;
        hi.iter_mut().enumerate().for_each(|(h, v)| *v = at(h * l));
        let row_l = ((row_len as f64).sqrt().ceil() as usize).max(1);
        Ok(Twiddles {
            n,
            lo,
            hi,
            l,
            row_l,
        })
    }

    /// `w^(e mod n)` for any `e`.
    fn get(&self, e: u128) -> Complex<f64> {
        let e = (e % self.n as u128) as usize;
        self.hi[e / self.l] * self.lo[e % self.l]
    }

    /// `row[k2] *= scale · w^(i1·k2)`: per-row tables of `w^(i1·b)` and `scale · w^(i1·a·row_l)`
    /// make each element one product, without a division in the inner loop.
    fn apply_row<T: FftFloat>(
        &self,
        i1: usize,
        row: &mut [Complex<T>],
        scale: f64,
        rowlo: &mut [Complex<f64>],
        rowhi: &mut [Complex<f64>],
    ) {
        let (i1, rl) = (i1 as u128, self.row_l as u128);
        for (b, v) in rowlo.iter_mut().enumerate() {
            *v = self.get(i1 * b as u128);
        }
        for (a, v) in rowhi.iter_mut().enumerate() {
            *v = self.get(i1 * a as u128 * rl) * scale;
        }
        for (block, hi) in row.chunks_mut(self.row_l).zip(rowhi.iter()) {
            for (v, lo) in block.iter_mut().zip(rowlo.iter()) {
                let t = hi * lo;
                let z = Complex::new(v.re.widen(), v.im.widen()) * t;
                *v = Complex::new(T::cast(z.re), T::cast(z.im));
            }
        }
    }
}

/// Chunks laid end to end along the transformed axis; reads past `len` are zeros (padding).
struct Segmented<'a, T> {
    parts: Vec<(Source<'a, T>, usize)>,
    len: usize,
}

impl<'a, T: FftFloat> Segmented<'a, T> {
    fn new(chunks: &[&'a Chunk], offsets: &[usize], len: usize) -> OxResult<Self> {
        if chunks.len() != offsets.len() {
            return Err(OxError::Internal(
                "fft: offsets do not match the chunks".into(),
            ));
        }
        let mut parts = Vec::with_capacity(chunks.len());
        for (c, &off) in chunks.iter().zip(offsets) {
            parts.push((source_of::<T>(c)?, off));
        }
        let covered = parts.last().map_or(0, |(s, o)| o + s.len());
        if covered < len {
            return Err(OxError::Internal(
                "fft: input chunks do not cover the axis".into(),
            ));
        }
        Ok(Segmented { parts, len })
    }

    /// Reads `dst.len()` points from `start`; `hint` is the part the previous read ended in
    /// (reads mostly move forward, so the search is usually skipped).
    fn read(&self, start: usize, dst: &mut [Complex<T>], hint: &mut usize) {
        let (mut pos, mut d) = (start, 0);
        while d < dst.len() {
            if pos >= self.len {
                dst[d..].fill(Complex::new(T::zero(), T::zero()));
                return;
            }
            let inside = |p: usize| {
                self.parts
                    .get(p)
                    .is_some_and(|(s, o)| *o <= pos && pos < o + s.len())
            };
            if !inside(*hint) {
                *hint = self.parts.partition_point(|(_, off)| *off <= pos) - 1;
                while !inside(*hint) {
                    *hint += 1; // past empty parts that share an offset
                }
            }
            let (src, off) = &self.parts[*hint];
            let take = (src.len() - (pos - off))
                .min(dst.len() - d)
                .min(self.len - pos);
            src.load_run(pos - off, &mut dst[d..d + take]);
            d += take;
            pos += take;
        }
    }
}

fn complex_slice<T: FftFloat>(c: &Chunk) -> OxResult<&[Complex<T>]> {
    match source_of::<T>(c)? {
        Source::Complex(s) => Ok(s),
        Source::Real(_) => Err(OxError::Internal(
            "fft: a four-step block must be complex".into(),
        )),
    }
}

/// Stage 1 for columns `cols = (start, count)` of the `[n2, n1]` view of the input (the chunks
/// `inputs` at `offsets` along the axis, `in_len` points, zero beyond): a `[count, n2]` block.
pub fn stage1(
    fs: &FourStep,
    cols: (usize, usize),
    inputs: &[&Chunk],
    offsets: &[usize],
    in_len: usize,
) -> OxResult<Chunk> {
    if fs.single {
        stage1_typed::<f32>(fs, cols, inputs, offsets, in_len)
    } else {
        stage1_typed::<f64>(fs, cols, inputs, offsets, in_len)
    }
}

fn stage1_typed<T: FftFloat>(
    fs: &FourStep,
    (j0, w): (usize, usize),
    inputs: &[&Chunk],
    offsets: &[usize],
    in_len: usize,
) -> OxResult<Chunk> {
    let (n, n1, n2) = (fs.n, fs.n1, fs.n2);
    if j0 + w > n1 {
        return Err(OxError::Internal(
            "fft: stage-1 columns out of range".into(),
        ));
    }
    let seg = Segmented::<T>::new(inputs, offsets, in_len.min(n))?;
    let mut out = T::czeros(w * n2)?;
    let fft = plan_c2c::<T>(n2, fs.inverse);
    let scratch_len = fft.get_inplace_scratch_len();
    let tw = Twiddles::new(n, n2, fs.inverse)?;
    out.par_chunks_mut(TILE * n2)
        .enumerate()
        .try_for_each_init(
            || -> OxResult<_> {
                Ok((
                    T::czeros(scratch_len)?,
                    T::czeros(TILE)?,
                    zeroed_vec::<Complex<f64>>(tw.row_l)?,
                    zeroed_vec::<Complex<f64>>(n2.div_ceil(tw.row_l))?,
                ))
            },
            |bufs, (t, rows)| {
                let (scratch, tmp, rowlo, rowhi) = bufs.as_mut().map_err(|e| e.clone())?;
                let c0 = j0 + t * TILE;
                let cols = rows.len() / n2;
                let mut hint = 0;
                for i2 in 0..n2 {
                    seg.read(i2 * n1 + c0, &mut tmp[..cols], &mut hint);
                    for (j, &v) in tmp[..cols].iter().enumerate() {
                        rows[j * n2 + i2] = v;
                    }
                }
                fft.process_with_scratch(rows, scratch);
                for (j, row) in rows.chunks_mut(n2).enumerate() {
                    tw.apply_row(c0 + j, row, fs.scale, rowlo, rowhi);
                }
                Ok(())
            },
        )?;
    T::complex_chunk(out, &[w, n2])
}

/// Stage 2 for `k2` in `rows = (start, count)`: the stage-1 `blocks` (column starts
/// `col_starts`, together every column) give a `[n1, count]` block, row `k1` = `X[k1 n2 + k2]`.
pub fn stage2(
    fs: &FourStep,
    rows: (usize, usize),
    blocks: &[&Chunk],
    col_starts: &[usize],
) -> OxResult<Chunk> {
    if fs.single {
        stage2_typed::<f32>(fs, rows, blocks, col_starts)
    } else {
        stage2_typed::<f64>(fs, rows, blocks, col_starts)
    }
}

fn stage2_typed<T: FftFloat>(
    fs: &FourStep,
    (k0, h): (usize, usize),
    blocks: &[&Chunk],
    col_starts: &[usize],
) -> OxResult<Chunk> {
    let (n1, n2) = (fs.n1, fs.n2);
    if k0 + h > n2 || blocks.len() != col_starts.len() {
        return Err(OxError::Internal("fft: bad stage-2 block".into()));
    }
    let mut parts = Vec::with_capacity(blocks.len());
    let mut cols = 0;
    for (b, &j0) in blocks.iter().zip(col_starts) {
        let s = complex_slice::<T>(b)?;
        let w = s.len() / n2;
        if j0 + w > n1 || w * n2 != s.len() {
            return Err(OxError::Internal("fft: bad stage-1 block".into()));
        }
        cols += w;
        parts.push((s, j0, w));
    }
    if cols != n1 {
        return Err(OxError::Internal("fft: stage-1 blocks miss columns".into()));
    }
    let mut out = T::czeros(n1 * h)?;
    let shared = SharedOut::new(&mut out);
    let fft = plan_c2c::<T>(n1, fs.inverse);
    let scratch_len = fft.get_inplace_scratch_len();
    (0..h.div_ceil(TILE)).into_par_iter().try_for_each_init(
        || -> OxResult<_> { Ok((T::czeros(TILE * n1)?, T::czeros(scratch_len)?)) },
        |bufs, t| {
            let (buf, scratch) = bufs.as_mut().map_err(|e| e.clone())?;
            let lo = t * TILE;
            let tw = TILE.min(h - lo);
            let lanes = &mut buf[..tw * n1];
            for &(s, j0, w) in &parts {
                for r in 0..w {
                    let run = &s[r * n2 + k0 + lo..r * n2 + k0 + lo + tw];
                    for (j, &v) in run.iter().enumerate() {
                        lanes[j * n1 + j0 + r] = v;
                    }
                }
            }
            fft.process_with_scratch(lanes, scratch);
            for k1 in 0..n1 {
                for j in 0..tw {
                    // SAFETY: columns lo..lo+tw of every row belong to this tile only.
                    unsafe { shared.write(k1 * h + lo + j, lanes[j * n1 + k1]) };
                }
            }
            Ok(())
        },
    )?;
    T::complex_chunk(out, &[n1, h])
}

/// Stage 3: `X[start..start + len]` from the stage-2 `blocks` (starting at `k2_starts`, sorted;
/// together every `k2` the range touches), as a new chunk of `shape` (`len` elements).
pub fn stage3(
    fs: &FourStep,
    start: usize,
    blocks: &[&Chunk],
    k2_starts: &[usize],
    shape: &[usize],
) -> OxResult<Chunk> {
    let len: usize = shape.iter().product();
    if fs.single {
        let mut out = zeroed_vec::<Complex<f32>>(len)?;
        stage3_typed::<f32>(fs, start, blocks, k2_starts, &mut out)?;
        f32::complex_chunk(out, shape)
    } else {
        let mut out = zeroed_vec::<Complex<f64>>(len)?;
        stage3_typed::<f64>(fs, start, blocks, k2_starts, &mut out)?;
        f64::complex_chunk(out, shape)
    }
}

/// [`stage3`] written to the `len` elements of `dtype` at `ptr`.
///
/// # Safety
/// `ptr` must point to `len` writable elements of `dtype`, not accessed by anything else while
/// this runs.
pub unsafe fn stage3_into(
    fs: &FourStep,
    start: usize,
    blocks: &[&Chunk],
    k2_starts: &[usize],
    ptr: usize,
    len: usize,
    dtype: DType,
) -> OxResult<()> {
    if dtype != fs.dtype() {
        return Err(OxError::Internal(
            "fft: destination of the wrong dtype".into(),
        ));
    }
    // SAFETY: the caller hands over `len` elements of `dtype` at `ptr`, exclusively.
    unsafe {
        if fs.single {
            let out = std::slice::from_raw_parts_mut(ptr as *mut Complex<f32>, len);
            stage3_typed::<f32>(fs, start, blocks, k2_starts, out)
        } else {
            let out = std::slice::from_raw_parts_mut(ptr as *mut Complex<f64>, len);
            stage3_typed::<f64>(fs, start, blocks, k2_starts, out)
        }
    }
}

fn stage3_typed<T: FftFloat>(
    fs: &FourStep,
    start: usize,
    blocks: &[&Chunk],
    k2_starts: &[usize],
    out: &mut [Complex<T>],
) -> OxResult<()> {
    let (n1, n2) = (fs.n1, fs.n2);
    if start + out.len() > fs.n || blocks.len() != k2_starts.len() {
        return Err(OxError::Internal("fft: bad stage-3 block".into()));
    }
    let mut parts = Vec::with_capacity(blocks.len());
    for (b, &k0) in blocks.iter().zip(k2_starts) {
        let s = complex_slice::<T>(b)?;
        let h = s.len() / n1;
        if k0 + h > n2 || h * n1 != s.len() {
            return Err(OxError::Internal("fft: bad stage-2 block".into()));
        }
        parts.push((s, k0, h));
    }
    // One segment per row k1 of the [n1, n2] view of X that the range touches.
    let mut segments = Vec::new();
    let (mut rest, mut pos) = (out, start);
    while !rest.is_empty() {
        let (k1, k2) = (pos / n2, pos % n2);
        let take = (n2 - k2).min(rest.len());
        let (seg, tail) = rest.split_at_mut(take);
        segments.push((k1, k2, seg));
        rest = tail;
        pos += take;
    }
    segments.into_par_iter().try_for_each(|(k1, s, seg)| {
        let e = s + seg.len();
        let mut filled = 0;
        for &(src, k0, h) in &parts {
            let (lo, hi) = (s.max(k0), e.min(k0 + h));
            if lo >= hi {
                continue;
            }
            let from = k1 * h + (lo - k0);
            seg[lo - s..hi - s].copy_from_slice(&src[from..from + hi - lo]);
            filled += hi - lo;
        }
        if filled != seg.len() {
            return Err(OxError::Internal(
                "fft: stage-2 blocks miss part of an output block".into(),
            ));
        }
        Ok(())
    })
}
