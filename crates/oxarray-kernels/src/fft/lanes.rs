//! Transforms of every lane of a chunk along one axis the chunk holds whole.
//!
//! A chunk of shape `(.., len, ..)` is seen as `(outer, len, inner)`; a lane is the `len` elements
//! at one `(outer, inner)` position. Lanes are moved in groups ("items") into a contiguous staging
//! buffer (cropped or zero-padded to the transform's input points), transformed as one batch, and
//! moved to the output; items run in parallel. When lanes are rows (`inner == 1`) a complex
//! transform runs in place in the output rows, with no staging copy.

use super::{plan_c2c, plan_c2r, plan_r2c, source_of, FftFloat, SharedOut, Source};
use num_complex::Complex;
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::{Chunk, DType, OxError, OxResult};
use rayon::prelude::*;

/// Elements of staging per work item (1 MiB of complex128): big enough to amortize the planner
/// call and the batch setup, small enough to stay in L2 for short lanes.
const ITEM_ELEMS: usize = 1 << 16;
/// Lanes gathered together when lanes are strided (`inner > 1`): one cache line of complex128
/// is 4 elements; 16 keeps the strided reads of each row long enough to stream.
const TILE: usize = 16;

/// Which transform a lane undergoes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Complex to complex, `exp(-2πi jk/n)` (NumPy's `fft`).
    Forward,
    /// Complex to complex, `exp(+2πi jk/n)`, unnormalized (NumPy's `ifft` before its `1/n`).
    Inverse,
    /// Real to the `n/2 + 1` non-negative frequencies (`rfft`).
    RealForward,
    /// The `n/2 + 1` non-negative frequencies of a Hermitian spectrum to `n` reals (`irfft`).
    RealInverse,
}

/// One axis transform: `n` points, the result multiplied by `scale`, conjugated on input and/or
/// output (`hfft` is `irfft(conj(a))`, `ihfft` is `conj(rfft(a))`).
#[derive(Clone, Debug, PartialEq)]
pub struct LaneSpec {
    pub transform: Transform,
    pub axis: usize,
    pub n: usize,
    pub scale: f64,
    pub conj_in: bool,
    pub conj_out: bool,
}

impl LaneSpec {
    /// Input points a lane is cropped or zero-padded to.
    pub fn in_points(&self) -> usize {
        match self.transform {
            Transform::RealInverse => self.n / 2 + 1,
            _ => self.n,
        }
    }
    /// Length of an output lane.
    pub fn out_len(&self) -> usize {
        match self.transform {
            Transform::RealForward => self.n / 2 + 1,
            _ => self.n,
        }
    }
    /// The output dtype for a transform running in single (`true`) or double precision.
    pub fn out_dtype(&self, single: bool) -> DType {
        match (self.transform, single) {
            (Transform::RealInverse, true) => DType::Float32,
            (Transform::RealInverse, false) => DType::Float64,
            (_, true) => DType::Complex64,
            (_, false) => DType::Complex128,
        }
    }
}

/// `(outer, len, inner)` of a chunk around `axis`, and what one lane needs.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    outer: usize,
    len: usize,
    inner: usize,
    /// Input points per lane after cropping/padding.
    n_in: usize,
    /// Elements read from each input lane: `min(len, n_in)`.
    copy: usize,
    /// Output elements per lane.
    m: usize,
}

impl Geometry {
    fn new(shape: &[usize], spec: &LaneSpec) -> OxResult<Self> {
        let axis = spec.axis;
        if axis >= shape.len() {
            return Err(OxError::Internal("fft: axis beyond the chunk".into()));
        }
        let n_in = spec.in_points();
        Ok(Geometry {
            outer: shape[..axis].iter().product(),
            len: shape[axis],
            inner: shape[axis + 1..].iter().product(),
            n_in,
            copy: shape[axis].min(n_in),
            m: spec.out_len(),
        })
    }
    fn out_shape(&self, shape: &[usize], axis: usize) -> Vec<usize> {
        let mut s = shape.to_vec();
        s[axis] = self.m;
        s
    }
    /// Lanes per work item, and the number of items.
    fn items(&self) -> (usize, usize) {
        let per = (ITEM_ELEMS / self.n_in.max(self.m).max(1)).max(1);
        if self.inner == 1 {
            (per, self.outer.div_ceil(per))
        } else {
            let w = per.min(TILE).min(self.inner);
            (w, self.outer * self.inner.div_ceil(w))
        }
    }
    /// The lanes of item `it`: `(o, i0, w)` — lanes `(o, i0..i0+w)` when `inner > 1`, rows
    /// `o..o+w` when `inner == 1` (then `i0 == 0`).
    fn item(&self, it: usize, per: usize) -> (usize, usize, usize) {
        if self.inner == 1 {
            let o = it * per;
            (o, 0, per.min(self.outer - o))
        } else {
            let tiles = self.inner.div_ceil(per);
            let (o, t) = (it / tiles, it % tiles);
            let i0 = t * per;
            (o, i0, per.min(self.inner - i0))
        }
    }
}

/// Moves the input lanes of one item into `buf` (`w` lanes of `n_in` points, zero-padded).
fn gather<D: Copy>(
    g: &Geometry,
    (o, i0, w): (usize, usize, usize),
    buf: &mut [D],
    tmp: &mut [D],
    zero: D,
    load: impl Fn(usize, &mut [D]),
) {
    if g.inner == 1 {
        for j in 0..w {
            let lane = &mut buf[j * g.n_in..(j + 1) * g.n_in];
            load((o + j) * g.len, &mut lane[..g.copy]);
            lane[g.copy..].fill(zero);
        }
        return;
    }
    let base = o * g.len * g.inner + i0;
    for k in 0..g.copy {
        load(base + k * g.inner, &mut tmp[..w]);
        for (j, &v) in tmp[..w].iter().enumerate() {
            buf[j * g.n_in + k] = v;
        }
    }
    for j in 0..w {
        buf[j * g.n_in + g.copy..(j + 1) * g.n_in].fill(zero);
    }
}

/// Moves one item's output lanes (`w` lanes of `m` points in `buf`) to their places in `out`.
fn scatter<D: Copy + Send>(
    g: &Geometry,
    (o, i0, w): (usize, usize, usize),
    buf: &[D],
    out: &SharedOut<D>,
) {
    if g.inner == 1 {
        for j in 0..w {
            let start = (o + j) * g.m;
            // SAFETY: rows belong to exactly one item.
            unsafe { out.write_run(start, &buf[j * g.m..(j + 1) * g.m]) };
        }
        return;
    }
    let base = o * g.m * g.inner + i0;
    for k in 0..g.m {
        for j in 0..w {
            // SAFETY: lane (o, i0 + j) belongs to exactly one item.
            unsafe { out.write(base + k * g.inner + j, buf[j * g.m + k]) };
        }
    }
}

fn finish<T: FftFloat>(v: &mut [Complex<T>], scale: f64, conj: bool) {
    let s = T::cast(scale);
    match (scale != 1.0, conj) {
        (false, false) => {}
        (true, false) => v.iter_mut().for_each(|z| *z = *z * s),
        (false, true) => v.iter_mut().for_each(|z| z.im = -z.im),
        (true, true) => v.iter_mut().for_each(|z| *z = z.conj() * s),
    }
}

fn conj_all<T: FftFloat>(v: &mut [Complex<T>]) {
    v.iter_mut().for_each(|z| z.im = -z.im);
}

/// The transform of every lane of `x` along `spec.axis`, as a new chunk.
pub fn lanes(x: &Chunk, spec: &LaneSpec) -> OxResult<Chunk> {
    let single = super::is_single(x.dtype());
    let g = Geometry::new(x.shape(), spec)?;
    let shape = g.out_shape(x.shape(), spec.axis);
    let total: usize = shape.iter().product();
    if single {
        typed_new::<f32>(x, spec, &shape, total)
    } else {
        typed_new::<f64>(x, spec, &shape, total)
    }
}

fn typed_new<T: FftFloat>(
    x: &Chunk,
    spec: &LaneSpec,
    shape: &[usize],
    total: usize,
) -> OxResult<Chunk> {
    if spec.transform == Transform::RealInverse {
        let mut out = zeroed_vec::<T>(total)?;
        run_real_out::<T>(x, spec, &mut out)?;
        T::real_chunk(out, shape)
    } else {
        let mut out = T::czeros(total)?;
        run_complex_out::<T>(x, spec, &mut out)?;
        T::complex_chunk(out, shape)
    }
}

/// The transform of every lane of `x`, written to the `len` elements of `dtype` at `ptr`.
///
/// # Safety
/// `ptr` must point to `len` writable, initialized elements of `dtype`, not accessed by anything
/// else while this runs.
pub unsafe fn lanes_into(
    x: &Chunk,
    spec: &LaneSpec,
    ptr: usize,
    len: usize,
    dtype: DType,
) -> OxResult<()> {
    let single = super::is_single(x.dtype());
    if dtype != spec.out_dtype(single) {
        return Err(OxError::Internal(
            "fft: destination of the wrong dtype".into(),
        ));
    }
    // SAFETY: the caller hands over `len` elements of `dtype` at `ptr`, exclusively.
    unsafe {
        match dtype {
            DType::Float32 => run_real_out::<f32>(x, spec, raw(ptr, len)),
            DType::Float64 => run_real_out::<f64>(x, spec, raw(ptr, len)),
            DType::Complex64 => run_complex_out::<f32>(x, spec, raw(ptr, len)),
            _ => run_complex_out::<f64>(x, spec, raw(ptr, len)),
        }
    }
}

/// # Safety
/// As [`lanes_into`].
unsafe fn raw<'a, D>(ptr: usize, len: usize) -> &'a mut [D] {
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts_mut(ptr as *mut D, len) }
}

fn check_out(g: &Geometry, out_len: usize) -> OxResult<()> {
    if g.outer * g.m * g.inner != out_len {
        return Err(OxError::Internal(
            "fft: output buffer does not match the lanes".into(),
        ));
    }
    Ok(())
}

fn run_complex_out<T: FftFloat>(
    x: &Chunk,
    spec: &LaneSpec,
    out: &mut [Complex<T>],
) -> OxResult<()> {
    let g = Geometry::new(x.shape(), spec)?;
    check_out(&g, out.len())?;
    if out.is_empty() {
        return Ok(());
    }
    let src = source_of::<T>(x)?;
    match spec.transform {
        Transform::Forward | Transform::Inverse => c2c(&g, src, spec, out),
        Transform::RealForward => r2c(&g, src, spec, out),
        Transform::RealInverse => Err(OxError::Internal("fft: irfft has a real output".into())),
    }
}

fn run_real_out<T: FftFloat>(x: &Chunk, spec: &LaneSpec, out: &mut [T]) -> OxResult<()> {
    let g = Geometry::new(x.shape(), spec)?;
    check_out(&g, out.len())?;
    if out.is_empty() {
        return Ok(());
    }
    if spec.transform != Transform::RealInverse {
        return Err(OxError::Internal(
            "fft: only irfft has a real output".into(),
        ));
    }
    c2r(&g, source_of::<T>(x)?, spec, out)
}

fn c2c<T: FftFloat>(
    g: &Geometry,
    src: Source<'_, T>,
    spec: &LaneSpec,
    out: &mut [Complex<T>],
) -> OxResult<()> {
    let fft = plan_c2c::<T>(spec.n, spec.transform == Transform::Inverse);
    let scratch_len = fft.get_inplace_scratch_len();
    let zero = Complex::new(T::zero(), T::zero());
    let (per, items) = g.items();
    let load = |start: usize, dst: &mut [Complex<T>]| src.load_run(start, dst);
    if g.inner == 1 {
        // Rows: gather straight into the output rows and transform them in place.
        return out.par_chunks_mut(per * g.m).enumerate().try_for_each_init(
            || T::czeros(scratch_len),
            |scratch, (it, rows)| {
                let scratch = scratch.as_mut().map_err(|e| e.clone())?;
                let w = rows.len() / g.m;
                gather(g, (it * per, 0, w), rows, &mut [], zero, load);
                if spec.conj_in {
                    conj_all(rows);
                }
                fft.process_with_scratch(rows, scratch);
                finish(rows, spec.scale, spec.conj_out);
                Ok(())
            },
        );
    }
    let shared = SharedOut::new(out);
    (0..items).into_par_iter().try_for_each_init(
        || -> OxResult<_> {
            Ok((
                T::czeros(per * g.n_in)?,
                T::czeros(per)?,
                T::czeros(scratch_len)?,
            ))
        },
        |bufs, it| {
            let (buf, tmp, scratch) = bufs.as_mut().map_err(|e| e.clone())?;
            let item = g.item(it, per);
            let lanes = &mut buf[..item.2 * g.n_in];
            gather(g, item, lanes, tmp, zero, load);
            if spec.conj_in {
                conj_all(lanes);
            }
            fft.process_with_scratch(lanes, scratch);
            finish(lanes, spec.scale, spec.conj_out);
            scatter(g, item, lanes, &shared);
            Ok(())
        },
    )
}

fn r2c<T: FftFloat>(
    g: &Geometry,
    src: Source<'_, T>,
    spec: &LaneSpec,
    out: &mut [Complex<T>],
) -> OxResult<()> {
    let fft = plan_r2c::<T>(spec.n);
    let scratch_len = fft.get_scratch_len();
    let (per, items) = g.items();
    let shared = SharedOut::new(out);
    let load = |start: usize, dst: &mut [T]| src.load_run_real(start, dst);
    (0..items).into_par_iter().try_for_each_init(
        || -> OxResult<_> {
            Ok((
                zeroed_vec::<T>(per * g.n_in)?,
                zeroed_vec::<T>(per)?,
                T::czeros(per * g.m)?,
                T::czeros(scratch_len)?,
            ))
        },
        |bufs, it| {
            let (rbuf, tmp, cbuf, scratch) = bufs.as_mut().map_err(|e| e.clone())?;
            let item = g.item(it, per);
            let w = item.2;
            gather(g, item, &mut rbuf[..w * g.n_in], tmp, T::zero(), load);
            for j in 0..w {
                fft.process_with_scratch(
                    &mut rbuf[j * g.n_in..(j + 1) * g.n_in],
                    &mut cbuf[j * g.m..(j + 1) * g.m],
                    scratch,
                )
                .map_err(|e| OxError::Internal(format!("rfft: {e}")))?;
            }
            let lanes = &mut cbuf[..w * g.m];
            finish(lanes, spec.scale, spec.conj_out);
            scatter(g, item, lanes, &shared);
            Ok(())
        },
    )
}

fn c2r<T: FftFloat>(
    g: &Geometry,
    src: Source<'_, T>,
    spec: &LaneSpec,
    out: &mut [T],
) -> OxResult<()> {
    let fft = plan_c2r::<T>(spec.n);
    let scratch_len = fft.get_scratch_len();
    let (per, items) = g.items();
    let zero = Complex::new(T::zero(), T::zero());
    let shared = SharedOut::new(out);
    let load = |start: usize, dst: &mut [Complex<T>]| src.load_run(start, dst);
    let scale = T::cast(spec.scale);
    let even = spec.n.is_multiple_of(2);
    (0..items).into_par_iter().try_for_each_init(
        || -> OxResult<_> {
            Ok((
                T::czeros(per * g.n_in)?,
                T::czeros(per)?,
                zeroed_vec::<T>(per * g.m)?,
                T::czeros(scratch_len)?,
            ))
        },
        |bufs, it| {
            let (cbuf, tmp, rbuf, scratch) = bufs.as_mut().map_err(|e| e.clone())?;
            let item = g.item(it, per);
            let w = item.2;
            gather(g, item, &mut cbuf[..w * g.n_in], tmp, zero, load);
            for j in 0..w {
                let lane = &mut cbuf[j * g.n_in..(j + 1) * g.n_in];
                if spec.conj_in {
                    conj_all(lane);
                }
                // pocketfft ignores the imaginary parts of the zero and Nyquist frequencies.
                lane[0].im = T::zero();
                if even {
                    lane[g.n_in - 1].im = T::zero();
                }
                match fft.process_with_scratch(lane, &mut rbuf[j * g.m..(j + 1) * g.m], scratch) {
                    Ok(()) | Err(realfft::FftError::InputValues(..)) => {}
                    Err(e) => return Err(OxError::Internal(format!("irfft: {e}"))),
                }
            }
            let lanes = &mut rbuf[..w * g.m];
            if spec.scale != 1.0 {
                lanes.iter_mut().for_each(|v| *v = *v * scale);
            }
            scatter(g, item, lanes, &shared);
            Ok(())
        },
    )
}
