//! The generic slice loops every kernel runs through, and the reuse of the output buffer.
//!
//! Kernels pass a closure per element; the loop itself is a plain indexed loop over zipped slices
//! that the compiler vectorizes. The crate is built for the x86-64 baseline (SSE2, two doubles per
//! instruction), so on a CPU with AVX2 the same loop runs from a second copy compiled with AVX2
//! and FMA enabled (four doubles per instruction), picked at run time. Results are bit for bit the
//! same: Rust never contracts `a * b + c` into an FMA, and every lane is IEEE arithmetic.
//! Division and square roots gain the most (on AMD Zen 4 `(x - 1) / 3` went from 142 to 99 ms).

use oxarray_core::chunk::Typed;
use oxarray_core::{Column, ColumnRef, Element, OxError, OxResult, SliceElem};
use std::mem::MaybeUninit;

/// An element type that has a `Column` variant: lets generic code take the output `Vec` out of a
/// `Column` (keeping its allocation) and put it back.
pub trait ColumnElem: Element + SliceElem {
    /// The `Vec` held by `col` if it has this element type, else a fresh one; `col` is left empty.
    fn take_vec(col: &mut Column) -> Vec<Self>;
    fn into_column(v: Vec<Self>) -> Column;
    #[cfg_attr(not(test), allow(dead_code))]
    fn slice_of(col: &Column) -> Option<&[Self]>;
}

impl<T: Element + SliceElem> ColumnElem for T
where
    Column: Typed<T, Container = Vec<T>>,
{
    fn take_vec(col: &mut Column) -> Vec<T> {
        // `Vec::new()` does not allocate, so the placeholder is free.
        let old = std::mem::replace(col, Column::Bool(Vec::new()));
        let mut v = <Column as Typed<T>>::into_inner(old).unwrap_or_default();
        v.clear();
        v
    }
    fn into_column(v: Vec<T>) -> Column {
        <Column as Typed<T>>::wrap(v)
    }
    fn slice_of(col: &Column) -> Option<&[T]> {
        <Column as Typed<T>>::view(col).map(|v| v.as_slice())
    }
}

/// Whether this CPU runs the AVX2 copies of the loops (x86-64-v3: AVX2, FMA, BMI1/2, LZCNT).
#[inline]
pub fn wide_loops() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        // Cached by std after the first call: an atomic load and a bit test.
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("bmi2")
            && std::arch::is_x86_feature_detected!("lzcnt")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Runs `$generic(args)` from its AVX2 copy `$wide` where the CPU has AVX2, else as compiled.
macro_rules! wide_or_plain {
    ($wide:ident, $generic:ident ( $($arg:expr),* )) => {{
        #[cfg(target_arch = "x86_64")]
        if wide_loops() {
            // SAFETY: the CPU has every feature `$wide` is compiled with (checked just above).
            return unsafe { $wide($($arg),*) };
        }
        $generic($($arg),*)
    }};
}
/// `dst[i] = f(x[i])`, the loop every unary kernel and cast runs.
#[inline(always)]
fn map_loop<T: Copy, U>(dst: &mut [MaybeUninit<U>], x: &[T], f: &impl Fn(T) -> U) {
    for (d, &a) in dst.iter_mut().zip(x) {
        d.write(f(a));
    }
}

/// `dst[i] = f(a[i], b[i])`, the loop every binary kernel runs.
#[inline(always)]
fn zip_loop<T: Copy, U>(dst: &mut [MaybeUninit<U>], a: &[T], b: &[T], f: &impl Fn(T, T) -> U) {
    for ((d, &x), &y) in dst.iter_mut().zip(a).zip(b) {
        d.write(f(x, y));
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn map_loop_wide<T: Copy, U>(dst: &mut [MaybeUninit<U>], x: &[T], f: &impl Fn(T) -> U) {
    map_loop(dst, x, f)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn zip_loop_wide<T: Copy, U>(
    dst: &mut [MaybeUninit<U>],
    a: &[T],
    b: &[T],
    f: &impl Fn(T, T) -> U,
) {
    zip_loop(dst, a, b, f)
}

fn map_dispatch<T: Copy, U>(dst: &mut [MaybeUninit<U>], x: &[T], f: &impl Fn(T) -> U) {
    wide_or_plain!(map_loop_wide, map_loop(dst, x, f))
}

fn zip_dispatch<T: Copy, U>(dst: &mut [MaybeUninit<U>], a: &[T], b: &[T], f: &impl Fn(T, T) -> U) {
    wide_or_plain!(zip_loop_wide, zip_loop(dst, a, b, f))
}

/// `dst[i] = if c[i] { a[i] } else { b[i] }`, the loop of `where`.
#[inline(always)]
fn select_loop<T: Copy>(dst: &mut [MaybeUninit<T>], c: &[bool], a: &[T], b: &[T]) {
    for (((d, &c), &x), &y) in dst.iter_mut().zip(c).zip(a).zip(b) {
        d.write(if c { x } else { y });
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn select_loop_wide<T: Copy>(dst: &mut [MaybeUninit<T>], c: &[bool], a: &[T], b: &[T]) {
    select_loop(dst, c, a, b)
}

fn select_dispatch<T: Copy>(dst: &mut [MaybeUninit<T>], c: &[bool], a: &[T], b: &[T]) {
    wide_or_plain!(select_loop_wide, select_loop(dst, c, a, b))
}

/// The output `Vec` of `out` (its allocation kept), with room for `n` elements and no length.
fn output_with_room<U: ColumnElem>(out: &mut Column, n: usize) -> Vec<U> {
    let mut v = U::take_vec(out);
    v.reserve(n);
    v
}

/// out := f(x) elementwise.
#[inline]
pub fn map_into<T: Copy, U: ColumnElem>(out: &mut Column, x: &[T], f: impl Fn(T) -> U) {
    let n = x.len();
    let mut v = output_with_room::<U>(out, n);
    map_dispatch(&mut v.spare_capacity_mut()[..n], x, &f);
    // SAFETY: `map_loop` wrote each of the first `n` elements (the destination has `n` and the
    // source as many).
    unsafe { v.set_len(n) };
    *out = U::into_column(v);
}

/// out := f(a, b) elementwise; the caller has checked that the lengths agree (the shorter one
/// decides otherwise).
#[inline]
pub fn zip_into<T: Copy, U: ColumnElem>(out: &mut Column, a: &[T], b: &[T], f: impl Fn(T, T) -> U) {
    let n = a.len().min(b.len());
    let mut v = output_with_room::<U>(out, n);
    zip_dispatch(&mut v.spare_capacity_mut()[..n], &a[..n], &b[..n], &f);
    // SAFETY: `zip_loop` wrote each of the first `n` elements (all three slices have `n`).
    unsafe { v.set_len(n) };
    *out = U::into_column(v);
}

/// `b` seen with `a`'s element type, or the internal error the evaluator would have to report:
/// both inputs of a binary kernel are cast to the loop dtype before the call.
pub fn same_typed<'b, T: ColumnElem>(a: &[T], b: ColumnRef<'b>, what: &str) -> OxResult<&'b [T]> {
    let b_slice = T::from_ref(b).ok_or_else(|| {
        OxError::Internal(format!(
            "{what}: operands have dtypes {} and {}",
            T::DTYPE,
            b.dtype()
        ))
    })?;
    if b_slice.len() != a.len() {
        return Err(OxError::Internal(format!(
            "{what}: operands have lengths {} and {}",
            a.len(),
            b_slice.len()
        )));
    }
    Ok(b_slice)
}

/// out := where(c, a, b) elementwise; the caller has checked that the lengths agree (the shortest
/// one decides otherwise).
pub fn select_into<T: ColumnElem>(out: &mut Column, c: &[bool], a: &[T], b: &[T]) {
    let n = c.len().min(a.len()).min(b.len());
    let mut v = output_with_room::<T>(out, n);
    select_dispatch(&mut v.spare_capacity_mut()[..n], &c[..n], &a[..n], &b[..n]);
    // SAFETY: `select_loop` wrote each of the first `n` elements (all four slices have `n`).
    unsafe { v.set_len(n) };
    *out = T::into_column(v);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values that exercise every rounding path: signed zeros, subnormals, infinities, NaN,
    /// and a spread of ordinary magnitudes.
    fn awkward(n: usize, seed: u64) -> Vec<f64> {
        let special = [
            0.0,
            -0.0,
            5e-324,
            -1e-310,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut s = seed;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                if i % 11 == 0 {
                    special[(s % special.len() as u64) as usize]
                } else {
                    f64::from_bits(s >> 2) * if s & 1 == 0 { 1.0 } else { -1e-200 }
                }
            })
            .collect()
    }

    /// The AVX2 copies compute the same bits as the plain loops (every length up to a few
    /// vectors, so the vector body and the scalar tail both run). The loops are vectorized only
    /// with optimization: `cargo test --release -p oxarray-kernels loops` is the real check (the
    /// dev profile is opt-level 0, and pytest runs every kernel of the release build against
    /// NumPy).
    #[test]
    fn wide_loops_match_the_plain_ones() {
        if !wide_loops() {
            return;
        }
        let (a, b) = (awkward(300, 7), awkward(300, 11));
        let cond: Vec<bool> = a.iter().map(|x| x.to_bits() & 4 == 0).collect();
        let bits = |v: &[MaybeUninit<f64>]| -> Vec<u64> {
            // SAFETY: every element was written by the loop under test.
            v.iter()
                .map(|x| unsafe { x.assume_init() }.to_bits())
                .collect()
        };
        for n in (0..70).chain([299, 300]) {
            let (a, b, c) = (&a[..n], &b[..n], &cond[..n]);
            let mut plain = vec![MaybeUninit::uninit(); n];
            let mut wide = vec![MaybeUninit::uninit(); n];
            let ops: [fn(f64, f64) -> f64; 4] =
                [|x, y| x / y, |x, y| x * y + y, |x, y| x - y, f64::max];
            for f in ops {
                zip_loop(&mut plain, a, b, &f);
                // SAFETY: the CPU has AVX2 and FMA (checked above).
                unsafe { zip_loop_wide(&mut wide, a, b, &f) };
                assert_eq!(bits(&plain), bits(&wide), "binary, n = {n}");
            }
            let unary: [fn(f64) -> f64; 3] = [f64::sqrt, |x| x * 3.0 - 1.0, f64::exp];
            for f in unary {
                map_loop(&mut plain, a, &f);
                // SAFETY: as above.
                unsafe { map_loop_wide(&mut wide, a, &f) };
                assert_eq!(bits(&plain), bits(&wide), "unary, n = {n}");
            }
            select_loop(&mut plain, c, a, b);
            // SAFETY: as above.
            unsafe { select_loop_wide(&mut wide, c, a, b) };
            assert_eq!(bits(&plain), bits(&wide), "select, n = {n}");
        }
    }

    #[test]
    fn outputs_reuse_the_buffer_and_take_the_shorter_length() {
        let mut out = Column::Float64(Vec::with_capacity(64));
        zip_into(&mut out, &[1.0, 2.0, 3.0], &[4.0, 5.0], |x: f64, y| x + y);
        assert_eq!(f64::slice_of(&out), Some(&[5.0, 7.0][..]));
        map_into(&mut out, &[1i32, -2], |x| f64::from(x) * 0.5);
        assert_eq!(f64::slice_of(&out), Some(&[0.5, -1.0][..]));
        select_into(
            &mut out,
            &[true, false, true],
            &[1.0, 2.0, 3.0],
            &[9.0, 8.0, 7.0],
        );
        assert_eq!(f64::slice_of(&out), Some(&[1.0, 8.0, 3.0][..]));
    }
}
