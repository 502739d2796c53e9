//! Signal kernels: the direct 1-d correlation of a long signal with a short kernel (NumPy's
//! `convolve`/`correlate`, one output block at a time from the signal's overlapping blocks) and
//! piecewise-linear interpolation (`interp`), with NumPy's arithmetic and edge rules.

use ndarray::{ArrayD, IxDyn};
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::chunk::Typed;
use oxarray_core::{dispatch_dtype, Chunk, DType, Element, OxError, OxResult, Scalar, C32, C64};

/// Output elements computed per pass over the taps: the tile and the signal window it reads stay
/// in L1/L2 while every tap sweeps them.
const TILE: usize = 2048;

/// One multiply-add in the dtype's own arithmetic (NumPy's `dot` loop: integers wrap, booleans
/// are or-of-ands).
pub trait MulAdd: Element {
    fn mul_add_acc(acc: Self, x: Self, y: Self) -> Self;
}

macro_rules! mul_add_wrapping {
    ($($t:ty),*) => {$(
        impl MulAdd for $t {
            #[inline]
            fn mul_add_acc(acc: Self, x: Self, y: Self) -> Self {
                acc.wrapping_add(x.wrapping_mul(y))
            }
        }
    )*};
}
mul_add_wrapping!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! mul_add_float {
    ($($t:ty),*) => {$(
        impl MulAdd for $t {
            #[inline]
            fn mul_add_acc(acc: Self, x: Self, y: Self) -> Self {
                acc + x * y
            }
        }
    )*};
}
mul_add_float!(f32, f64, C32, C64);

impl MulAdd for bool {
    #[inline]
    fn mul_add_acc(acc: Self, x: Self, y: Self) -> Self {
        acc || (x && y)
    }
}

/// `out[j] = sum_i x[j + i] * y[i]` (`x` holds `out.len() + y.len() - 1` values), tap-major over
/// cache-sized tiles of `out` so the inner loop is a vectorizable axpy. Each output still adds its
/// products in tap order, starting from `out[j]`: blocking the taps in fours only saves loads and
/// stores of the output, and the AVX2 copy computes the same bits with wider vectors.
pub fn correlate_window<T: MulAdd>(x: &[T], y: &[T], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if crate::elementwise::wide_loops() {
        // SAFETY: the CPU has every feature the wide copy is compiled with (checked above).
        return unsafe { correlate_window_wide(x, y, out) };
    }
    correlate_tiles(x, y, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn correlate_window_wide<T: MulAdd>(x: &[T], y: &[T], out: &mut [T]) {
    correlate_tiles(x, y, out)
}

#[inline(always)]
fn correlate_tiles<T: MulAdd>(x: &[T], y: &[T], out: &mut [T]) {
    for (t, tile) in out.chunks_mut(TILE).enumerate() {
        let base = t * TILE;
        let n = tile.len();
        let window = |i: usize| &x[base + i..base + i + n];
        let mut taps = y.chunks_exact(4);
        let mut i = 0;
        for four in &mut taps {
            let (x0, x1, x2, x3) = (window(i), window(i + 1), window(i + 2), window(i + 3));
            for j in 0..n {
                let mut acc = tile[j];
                acc = T::mul_add_acc(acc, x0[j], four[0]);
                acc = T::mul_add_acc(acc, x1[j], four[1]);
                acc = T::mul_add_acc(acc, x2[j], four[2]);
                acc = T::mul_add_acc(acc, x3[j], four[3]);
                tile[j] = acc;
            }
            i += 4;
        }
        for &yi in taps.remainder() {
            for (o, &xv) in tile.iter_mut().zip(window(i)) {
                *o = T::mul_add_acc(*o, xv, yi);
            }
            i += 1;
        }
    }
}

/// Where one output block of a correlation sits: elements `start..start + len` of
/// `c[j] = sum_i xpad[j - n_left + i] * y[i]`, `x` (of length `n`) being zero outside `0..n`.
#[derive(Clone, Copy, Debug)]
pub struct CorrelateBlock {
    pub n: usize,
    pub n_left: usize,
    pub start: usize,
    pub len: usize,
}

/// One output block of the correlation of `x` (given as the blocks overlapping the window, each
/// with its offset in `x`) with the one-block kernel `y` (same dtype).
pub fn correlate_block(
    pieces: &[(usize, &Chunk)],
    y: &Chunk,
    at: CorrelateBlock,
) -> OxResult<Chunk> {
    let dtype = y.dtype();
    dispatch_dtype!(dtype, T => correlate_typed::<T>(pieces, y, at).map(Chunk::from_array))
}

fn slice_of<T: Element>(c: &Chunk) -> OxResult<&[T]>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    c.as_array::<T>()
        .and_then(|a| a.as_slice())
        .ok_or_else(|| OxError::Internal("correlate: a block of another dtype".into()))
}

fn correlate_typed<T: MulAdd>(
    pieces: &[(usize, &Chunk)],
    y: &Chunk,
    at: CorrelateBlock,
) -> OxResult<ArrayD<T>>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    let y = slice_of::<T>(y)?;
    let m = y.len();
    let mut out = zeroed_vec::<T>(at.len)?;
    if at.len > 0 && m > 0 {
        // The window of x this block reads, in x's coordinates: [lo, lo + wlen), zero-padded.
        let wlen = at.len + m - 1;
        let lo = at.start as i64 - at.n_left as i64;
        let mut window = zeroed_vec::<T>(wlen)?;
        for &(off, c) in pieces {
            let part = slice_of::<T>(c)?;
            let from = (off as i64).max(lo);
            let to = ((off + part.len()) as i64)
                .min(lo + wlen as i64)
                .min(at.n as i64);
            if from < to {
                let (f, t) = ((from - off as i64) as usize, (to - off as i64) as usize);
                let w = (from - lo) as usize;
                window[w..w + (t - f)].copy_from_slice(&part[f..t]);
            }
        }
        correlate_window(&window, y, &mut out);
    }
    ArrayD::from_shape_vec(IxDyn(&[at.len]), out).map_err(|e| OxError::Internal(e.to_string()))
}

/// `np.interp` of the float64 block `x` at ascending float64 `xp` with values `fp` (float64 or
/// complex128, as long as `xp`); `left`/`right` default to `fp[0]`/`fp[-1]`.
pub fn interp_block(
    x: &Chunk,
    xp: &Chunk,
    fp: &Chunk,
    left: Option<Scalar>,
    right: Option<Scalar>,
) -> OxResult<Chunk> {
    let xs = x
        .as_array::<f64>()
        .ok_or_else(|| OxError::Internal("interp: x must be float64".into()))?;
    let dx = slice_of::<f64>(xp)?;
    let out: Vec<C64> = match fp.dtype() {
        DType::Float64 => {
            let dy: Vec<C64> = slice_of::<f64>(fp)?
                .iter()
                .map(|&v| C64::new(v, 0.0))
                .collect();
            interp_values(xs.iter().copied(), dx, &dy, left, right, false)?
        }
        DType::Complex128 => interp_values(
            xs.iter().copied(),
            dx,
            slice_of::<C64>(fp)?,
            left,
            right,
            true,
        )?,
        d => return Err(OxError::Internal(format!("interp: fp of dtype {d}"))),
    };
    let shape = IxDyn(x.shape());
    let err = |e: ndarray::ShapeError| OxError::Internal(e.to_string());
    if fp.dtype() == DType::Float64 {
        let re: Vec<f64> = out.iter().map(|c| c.re).collect();
        ArrayD::from_shape_vec(shape, re)
            .map(Chunk::from_array)
            .map_err(err)
    } else {
        ArrayD::from_shape_vec(shape, out)
            .map(Chunk::from_array)
            .map_err(err)
    }
}

fn to_c64(s: Scalar) -> C64 {
    C64::from_scalar(s)
}

/// One component of NumPy's interpolation between `(x0, y0)` and `(x1, y1)` at `x`: the slope
/// form, retried from the right end when it gives NaN (infinite values), then the flat value.
#[inline]
fn lerp(x: f64, x0: f64, x1: f64, y0: f64, y1: f64, slope: f64) -> f64 {
    let mut r = slope * (x - x0) + y0;
    if r.is_nan() {
        r = slope * (x - x1) + y1;
        if r.is_nan() && y0 == y1 {
            r = y0;
        }
    }
    r
}

fn interp_values(
    xs: impl Iterator<Item = f64>,
    dx: &[f64],
    dy: &[C64],
    left: Option<Scalar>,
    right: Option<Scalar>,
    complex: bool,
) -> OxResult<Vec<C64>> {
    let n = dx.len();
    if n == 0 || dy.len() != n {
        return Err(OxError::Internal(
            "interp: xp and fp must match and not be empty".into(),
        ));
    }
    let lval = left.map(to_c64).unwrap_or(dy[0]);
    let rval = right.map(to_c64).unwrap_or(dy[n - 1]);
    let at = |x: f64| -> C64 {
        if x.is_nan() {
            return C64::new(x, 0.0);
        }
        if n == 1 {
            return if x < dx[0] {
                lval
            } else if x > dx[0] {
                rval
            } else {
                dy[0]
            };
        }
        if x < dx[0] {
            return lval;
        }
        if x > dx[n - 1] {
            return rval;
        }
        // The last j with xp[j] <= x (NumPy's search for ascending xp).
        let j = dx.partition_point(|&v| v <= x).saturating_sub(1);
        if j >= n - 1 {
            return dy[n - 1];
        }
        if dx[j] == x {
            return dy[j];
        }
        let (x0, x1, y0, y1) = (dx[j], dx[j + 1], dy[j], dy[j + 1]);
        if complex {
            // NumPy's complex loop scales by the inverse of the step.
            let inv = 1.0 / (x1 - x0);
            let sre = (y1.re - y0.re) * inv;
            let sim = (y1.im - y0.im) * inv;
            C64::new(
                lerp(x, x0, x1, y0.re, y1.re, sre),
                lerp(x, x0, x1, y0.im, y1.im, sim),
            )
        } else {
            let s = (y1.re - y0.re) / (x1 - x0);
            C64::new(lerp(x, x0, x1, y0.re, y1.re, s), 0.0)
        }
    };
    let mut out = Vec::new();
    out.try_reserve_exact(xs.size_hint().0)
        .map_err(|_| OxError::Memory("Unable to allocate the interpolated block".into()))?;
    out.extend(xs.map(at));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(v: Vec<f64>) -> Chunk {
        let n = v.len();
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[n]), v).unwrap())
    }

    #[test]
    fn correlate_full_matches_direct_sum() {
        let x = chunk(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let y = chunk(vec![1.0, 10.0, 100.0]);
        // full: n_left = m - 1, length n + m - 1, read from two pieces of x.
        let a = chunk(vec![1.0, 2.0]);
        let b = chunk(vec![3.0, 4.0, 5.0]);
        let at = CorrelateBlock {
            n: 5,
            n_left: 2,
            start: 0,
            len: 7,
        };
        let whole = correlate_block(&[(0, &x)], &y, at).unwrap();
        let split = correlate_block(&[(0, &a), (2, &b)], &y, at).unwrap();
        assert_eq!(whole, split);
        let w = whole.as_array::<f64>().unwrap();
        assert_eq!(
            w.as_slice().unwrap(),
            &[100.0, 210.0, 321.0, 432.0, 543.0, 54.0, 5.0]
        );
    }

    /// Every tap count around the blocking by four, across a tile boundary: each output is the
    /// products added in tap order from zero, bit for bit (plain and AVX2 copies alike).
    #[test]
    fn correlate_window_adds_in_tap_order() {
        let n = TILE + 37;
        let x: Vec<f64> = (0..n + 12)
            .map(|i| ((i * 37 % 101) as f64).sqrt() - 4.5)
            .collect();
        for m in 0..12 {
            let y: Vec<f64> = (0..m).map(|i| 1.0 / (i as f64 + 1.7)).collect();
            let mut out = vec![0.0; n];
            correlate_window(&x[..n + m.max(1) - 1], &y, &mut out);
            let mut plain = vec![0.0; n];
            correlate_tiles(&x[..n + m.max(1) - 1], &y, &mut plain);
            for j in 0..n {
                let direct = y
                    .iter()
                    .enumerate()
                    .fold(0.0, |acc, (i, &yi)| acc + x[j + i] * yi);
                assert_eq!(out[j].to_bits(), direct.to_bits(), "m = {m}, j = {j}");
                assert_eq!(plain[j].to_bits(), direct.to_bits(), "m = {m}, j = {j}");
            }
        }
        let mut ints = vec![0i8; 5];
        correlate_window(
            &[100i8, 100, 100, 100, 100, 100, 100, 100, 100],
            &[3, 3, 3, 3, 3],
            &mut ints,
        );
        assert_eq!(ints, vec![100i8.wrapping_mul(15); 5]);
    }

    #[test]
    fn interp_edges_and_nan() {
        let xp = chunk(vec![1.0, 2.0, 3.0]);
        let fp = chunk(vec![10.0, 20.0, 40.0]);
        let x = chunk(vec![0.0, 1.5, 2.0, 2.5, 3.0, 4.0, f64::NAN]);
        let r = interp_block(&x, &xp, &fp, None, Some(Scalar::Float(-1.0))).unwrap();
        let r = r.as_array::<f64>().unwrap();
        assert_eq!(
            &r.as_slice().unwrap()[..6],
            &[10.0, 15.0, 20.0, 30.0, 40.0, -1.0]
        );
        assert!(r[6].is_nan());
    }
}
