//! Complex functions where num-complex's textbook formulas differ from what NumPy computes: NumPy
//! calls C99's `csqrt`/`cexp`/… (branch cuts decided by the sign of a zero imaginary part) and its
//! own `nc_pow`/Smith division. Here: ports of those with C99 Annex G's special values; the
//! inverse functions (`acos`, `asinh`, ...) are in `complex_inverse`.

use super::numeric::Real;
use num_complex::Complex;

type C<F> = Complex<F>;

/// `i * z`, exact on signed zeros (a complex multiply would turn `-0` into `+0`).
#[inline]
pub(super) fn times_i<F: Real>(z: C<F>) -> C<F> {
    C::new(-z.im, z.re)
}

/// `-i * z`, exact on signed zeros.
#[inline]
pub(super) fn times_minus_i<F: Real>(z: C<F>) -> C<F> {
    C::new(z.im, -z.re)
}

/// NumPy's complex division (Smith's algorithm: no overflow for large operands).
#[inline]
pub fn div<F: Real>(a: C<F>, b: C<F>) -> C<F> {
    let (br_abs, bi_abs) = (b.re.abs(), b.im.abs());
    if br_abs >= bi_abs {
        if br_abs == F::zero() && bi_abs == F::zero() {
            // Division by zero gives a complex inf or nan, component by component.
            return C::new(a.re / br_abs, a.im / br_abs);
        }
        let rat = b.im / b.re;
        let scl = F::one() / (b.re + b.im * rat);
        C::new((a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl)
    } else {
        let rat = b.re / b.im;
        let scl = F::one() / (b.im + b.re * rat);
        C::new((a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl)
    }
}

/// NumPy's complex `reciprocal` loop.
#[inline]
pub fn recip<F: Real>(z: C<F>) -> C<F> {
    if z.im.abs() <= z.re.abs() {
        let r = z.im / z.re;
        let d = z.re + z.im * r;
        C::new(F::one() / d, -r / d)
    } else {
        let r = z.re / z.im;
        let d = z.re * r + z.im;
        C::new(r / d, -F::one() / d)
    }
}

/// NumPy's `npy_cpow`: exact repeated multiplication for small integral real exponents (so
/// `(1j)**3 == -1j` exactly), zero base rules, else `exp(b * log(a))` as glibc's `cpow`.
pub fn pow<F: Real>(a: C<F>, b: C<F>) -> C<F> {
    let zero = F::zero();
    if b.re == zero && b.im == zero {
        return C::new(F::one(), zero);
    }
    if a.re == zero && a.im == zero {
        return if b.re > zero {
            C::new(zero, zero)
        } else {
            C::new(F::nan(), F::nan())
        };
    }
    if b.im == zero && b.re.fract() == zero && b.re.abs() < F::lit(100.0) {
        let n = b.re.abs().to_u32().unwrap_or(0);
        let r = match n {
            1 => a,
            2 => a * a,
            3 => a * (a * a),
            _ => {
                let (mut acc, mut p, mut k) = (C::new(F::one(), zero), a, n);
                loop {
                    if k & 1 == 1 {
                        acc = acc * p;
                    }
                    k >>= 1;
                    if k == 0 {
                        break acc;
                    }
                    p = p * p;
                }
            }
        };
        return if b.re < zero {
            div(C::new(F::one(), zero), r)
        } else {
            r
        };
    }
    exp(b * ln(a))
}

/// C99 `csqrt`: the sign of a zero imaginary part picks the side of the cut on the negative axis.
pub fn sqrt<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    let (zero, inf) = (F::zero(), F::infinity());
    if x == zero && y == zero {
        return C::new(zero, y);
    }
    if y.is_infinite() {
        return C::new(inf, y);
    }
    if x.is_nan() {
        return C::new(x, F::nan());
    }
    if x.is_infinite() {
        return if x > zero {
            C::new(x, if y.is_nan() { y } else { zero.copysign(y) })
        } else {
            C::new(if y.is_nan() { y } else { zero }, inf.copysign(y))
        };
    }
    if y.is_nan() {
        return C::new(y, y);
    }
    // Scale huge inputs so `|x| + hypot(x, y)` cannot overflow; sqrt halves the exponent back.
    let big = F::max_value() / F::lit(4.0);
    let (x, y, scale) = if x.abs() >= big || y.abs() >= big {
        (x / F::lit(4.0), y / F::lit(4.0), F::lit(2.0))
    } else {
        (x, y, F::one())
    };
    let t = ((x.abs() + x.hypot(y)) * F::lit(0.5)).sqrt();
    let two_t = t + t;
    if x >= zero {
        C::new(t * scale, y / two_t * scale)
    } else {
        C::new(y.abs() / two_t * scale, t.copysign(y) * scale)
    }
}

/// `exp2(z) = exp(z ln 2)` (NumPy's `nc_exp2`), the product taken part by part: a complex
/// multiply would make `inf * 0` a NaN in the other part.
pub fn exp2<F: Real>(z: C<F>) -> C<F> {
    exp(C::new(z.re * F::LN_2(), z.im * F::LN_2()))
}

/// `expm1(z) = exp(z) - 1`, accurate near zero (NumPy's `nc_expm1` form), with the Array API's
/// special values (which NumPy's loop misses: it gives `inf + nanj` for `expm1(inf + 0j)`): real
/// parts beyond `exp`'s range scale as [`exp`] does, infinite and NaN parts follow the table of
/// the standard's `expm1` (the rows of C99's `cexp`, minus one).
pub fn expm1<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    let (zero, one, nan) = (F::zero(), F::one(), F::nan());
    if x.is_finite() && y.is_finite() {
        if x == zero && y == zero {
            return C::new(zero, y); // +0 also for -0 (x - 0 would keep the sign of -0)
        }
        if x > exp_limit::<F>() {
            let (re, im) = exp_scaled(x, y.cos(), y.sin());
            return C::new(re - one, im);
        }
        let a = (y * F::lit(0.5)).sin();
        return C::new(
            x.exp_m1() * y.cos() - F::lit(2.0) * a * a,
            x.exp() * y.sin(),
        );
    }
    if x.is_nan() {
        return C::new(nan, if y == zero { y } else { nan });
    }
    if x.is_finite() {
        return C::new(nan, nan); // y infinite or NaN
    }
    if x < zero {
        // -1 + 0 cis(y); for an infinite or NaN y, the zero's sign is C99's open choice (+0).
        let im = if y.is_finite() { zero * y.sin() } else { zero };
        return C::new(-one, im);
    }
    if y == zero {
        return C::new(x, y);
    }
    if y.is_finite() {
        return C::new(x * y.cos(), x * y.sin());
    }
    C::new(x, nan)
}

/// NumPy's `nc_log1p`.
pub fn log1p<F: Real>(z: C<F>) -> C<F> {
    let l = (z.re + F::one()).hypot(z.im);
    C::new(l.ln(), z.im.atan2(z.re + F::one()))
}

/// `log(z)`; near |z| = 1 the real part comes from `log1p` so it keeps relative precision
/// (`log(1+1e-8j)` has real part 5e-17, as glibc's `clog` gives, not 0).
pub fn ln<F: Real>(z: C<F>) -> C<F> {
    // Ordered by hand, not with `max`/`min`, so that a NaN part stays NaN (`max` drops NaNs).
    let (ax, ay) = (z.re.abs(), z.im.abs());
    let (a, b) = if ax >= ay { (ax, ay) } else { (ay, ax) };
    let re = if a >= F::lit(0.5) && a <= F::lit(2.0) {
        F::lit(0.5) * ((a - F::one()) * (a + F::one()) + b * b).ln_1p()
    } else {
        a.hypot(b).ln()
    };
    C::new(re, z.im.atan2(z.re))
}

/// `log2` and `log10` as NumPy: the natural log scaled componentwise.
pub fn log_scaled<F: Real>(z: C<F>, factor: F) -> C<F> {
    let l = ln(z);
    C::new(l.re * factor, l.im * factor)
}

/// `tanh` in the form of FreeBSD's `ctanh` (no inf/inf for large real parts); infinite and NaN
/// parts as C99 Annex G (G.6.2.6) with glibc's choice of the unspecified signs.
pub fn tanh<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    let (zero, one) = (F::zero(), F::one());
    if x.is_infinite() {
        // tanh -> ±1; the imaginary part is a zero carrying the sign tanh's would have.
        let im_sign = if y.is_finite() && y.abs() > one {
            y.sin() * y.cos()
        } else {
            y
        };
        return C::new(one.copysign(x), zero.copysign(im_sign));
    }
    if !y.is_finite() || x.is_nan() {
        return non_finite_odd(x, y);
    }
    if x.abs() >= F::lit(20.0) {
        // tanh(x) == ±1 to working precision; the imaginary part decays like exp(-2|x|).
        let e = (-x.abs()).exp();
        return C::new(
            F::one().copysign(x),
            F::lit(4.0) * y.sin() * y.cos() * e * e,
        );
    }
    let t = y.tan();
    let beta = F::one() + t * t;
    let s = x.sinh();
    let rho = (F::one() + s * s).sqrt();
    let denom = F::one() + beta * s * s;
    C::new(beta * rho * s / denom, t / denom)
}

/// `tan(z) = -i tanh(iz)`.
pub fn tan<F: Real>(z: C<F>) -> C<F> {
    times_minus_i(tanh(times_i(z)))
}

/// NumPy 2's complex `sign`: `z / |z|`, 0 for 0, and the unit direction for infinite inputs.
pub fn sign<F: Real>(z: C<F>) -> C<F> {
    let (zero, one) = (F::zero(), F::one());
    let abs = z.re.hypot(z.im);
    if abs.is_nan() || (z.re.is_infinite() && z.im.is_infinite()) {
        C::new(F::nan(), F::nan())
    } else if abs.is_infinite() {
        if z.re.is_infinite() {
            C::new(one.copysign(z.re), zero)
        } else {
            C::new(zero, one.copysign(z.im))
        }
    } else if abs == zero {
        C::new(zero, zero)
    } else {
        C::new(z.re / abs, z.im / abs)
    }
}

/// The largest whole `t` with `exp(t)` finite: 88 for f32, 709 for f64.
fn exp_limit<F: Real>() -> F {
    F::max_value().ln().floor()
}

/// `exp(x) * (c, s)` for finite `x` and `|c|, |s| <= 1`, without overflowing where the products
/// are finite though `exp(x)` alone is not: `exp(x)` is applied in steps of `exp(t)` (as glibc's
/// `cexp` does), so e.g. `exp(89 + 3j)` in complex64 is `-inf + 1.7e38j`, not `-inf + infj`.
fn exp_scaled<F: Real>(x: F, c: F, s: F) -> (F, F) {
    let t = exp_limit::<F>();
    if x <= t {
        let e = x.exp();
        return (e * c, e * s);
    }
    let et = t.exp();
    let (mut x, mut c, mut s) = (x - t, c * et, s * et);
    if x > t {
        x = x - t;
        c = c * et;
        s = s * et;
    }
    if x > t {
        // exp(x) overflows for any cos/sin factor that is not zero; a zero factor stays zero.
        return (F::max_value() * c, F::max_value() * s);
    }
    let e = x.exp();
    (e * c, e * s)
}

/// C99's `cexp`. Finite inputs go through [`exp_scaled`], so `exp(100 + 0j)` is `inf + 0j` (the
/// textbook `exp(x) * cis(y)` gives `inf * 0 = nan` in the imaginary part); num-complex's own
/// special cases for infinite and NaN parts already agree with C99 Annex G.
pub fn exp<F: Real>(z: C<F>) -> C<F> {
    if z.re.is_finite() && z.im.is_finite() {
        let (re, im) = exp_scaled(z.re, z.im.cos(), z.im.sin());
        return C::new(re, im);
    }
    if z.re == F::neg_infinity() && !z.im.is_finite() {
        // C99's "±0 ± i0": glibc gives the imaginary zero the sign of `im`.
        return C::new(F::zero(), F::zero().copysign(z.im));
    }
    z.exp()
}

/// C99's `csinh` (Annex G.6.2.5): finite inputs scaled as `exp` so large real parts overflow
/// only where the result does, infinite and NaN parts per the standard and glibc.
pub fn sinh<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    if x.is_finite() && y.is_finite() {
        if x.abs() <= exp_limit::<F>() {
            return C::new(x.sinh() * y.cos(), x.cosh() * y.sin());
        }
        let half = F::lit(0.5);
        let (re, im) = exp_scaled(x.abs(), y.cos() * half, y.sin() * half);
        return C::new(if x < F::zero() { -re } else { re }, im);
    }
    if x.is_infinite() {
        if y == F::zero() {
            return C::new(x, y);
        }
        if y.is_finite() {
            let inf = F::infinity();
            return C::new(x * y.cos().signum(), inf.copysign(y.sin()));
        }
        // C99's "±inf + iNaN": glibc's infinity is positive whatever the sign of `x`.
        return C::new(F::infinity(), F::nan());
    }
    non_finite_odd(x, y)
}

/// C99's `ccosh` (Annex G.6.2.4), in the same way as [`sinh`].
pub fn cosh<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    let zero = F::zero();
    if x.is_finite() && y.is_finite() {
        if x.abs() <= exp_limit::<F>() {
            return C::new(x.cosh() * y.cos(), x.sinh() * y.sin());
        }
        let half = F::lit(0.5);
        let (re, im) = exp_scaled(x.abs(), y.cos() * half, y.sin() * half);
        return C::new(re, if x < zero { -im } else { im });
    }
    if x.is_infinite() {
        let inf = F::infinity();
        if y == zero {
            return C::new(inf, y * x.signum());
        }
        if y.is_finite() {
            return C::new(inf.copysign(y.cos()), inf.copysign(y.sin()) * x.signum());
        }
        return C::new(inf, F::nan());
    }
    // x is finite with y infinite or NaN, or x is NaN: cosh(±0 + iy) has imaginary part +0
    // (glibc's choice of C99's "±0") and cosh(NaN ± 0i) keeps the zero.
    if x == zero {
        return C::new(F::nan(), zero);
    }
    if x.is_nan() && y == zero {
        return C::new(x, y);
    }
    C::new(F::nan(), F::nan())
}

/// The shared rows of C99's tables for `sinh` and `tanh` (odd functions, zero at zero) when `x` is
/// finite and `y` infinite or NaN, or when `x` is NaN: a zero real part stays, `y == 0` stays.
fn non_finite_odd<F: Real>(x: F, y: F) -> C<F> {
    let nan = F::nan();
    if x == F::zero() {
        return C::new(x, nan);
    }
    if x.is_nan() && y == F::zero() {
        return C::new(x, y);
    }
    C::new(nan, nan)
}

/// `sin(z) = -i sinh(iz)` and `cos(z) = cosh(iz)`, the identities C99 defines them by.
pub fn sin<F: Real>(z: C<F>) -> C<F> {
    if !z.re.is_finite() && z.im.is_infinite() {
        // The identity would give the infinite part the sign of `-re`; glibc's `csin` (so NumPy)
        // returns +inf here, a sign C99 leaves open.
        return C::new(F::nan(), F::infinity());
    }
    times_minus_i(sinh(times_i(z)))
}

pub fn cos<F: Real>(z: C<F>) -> C<F> {
    cosh(times_i(z))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_overflow_keeps_zero_imaginary_part() {
        let r = exp(C::new(100.0f32, 0.0));
        assert!(r.re.is_infinite() && r.im == 0.0);
        // exp(89) overflows f32 alone, but exp(89) * sin(3) does not.
        let r = exp(C::new(89.0f32, 3.0));
        assert!(r.re == f32::NEG_INFINITY);
        assert!(
            r.im.is_finite() && (r.im / (89.0f64.exp() * 3.0f64.sin()) as f32 - 1.0).abs() < 1e-5
        );
    }

    #[test]
    fn sinh_and_sin_scale_large_parts() {
        let r = sinh(C::new(90.0f32, 1.0));
        let expected_re = 90.0f64.sinh() * 1.0f64.cos();
        assert!((f64::from(r.re) / expected_re - 1.0).abs() < 1e-5 && r.im.is_infinite());
        let r = sin(C::new(0.0f32, 90.0));
        assert!(r.re == 0.0 && r.im == f32::INFINITY);
    }

    #[test]
    fn special_values_follow_c99() {
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        assert_eq!(cosh(C::new(inf, 0.0)), C::new(inf, 0.0));
        let r = sinh(C::new(0.0, inf));
        assert!(r.re == 0.0 && r.im.is_nan());
        let r = tanh(C::new(inf, nan));
        assert_eq!(r, C::new(1.0, 0.0));
        let r = exp(C::new(-inf, -inf));
        assert!(r.re == 0.0 && r.im == 0.0 && r.im.is_sign_negative());
    }
}
