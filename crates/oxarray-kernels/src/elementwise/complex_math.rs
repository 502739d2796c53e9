//! Complex functions where num-complex's textbook formulas differ from what NumPy computes: NumPy
//! calls C99's `csqrt`/`casin`/… (branch cuts decided by the sign of a zero imaginary part) and its
//! own `nc_pow`/Smith division. Here: Kahan's branch-cut-correct formulas ("Branch Cuts for
//! Complex Elementary Functions", 1987) and direct ports of NumPy's loops. Special values (an
//! infinite or NaN component) follow the formulas, which agree with C99 Annex G in common cases.

use super::numeric::Real;
use num_complex::Complex;

type C<F> = Complex<F>;

/// `i * z`, exact on signed zeros (a complex multiply would turn `-0` into `+0`).
#[inline]
fn times_i<F: Real>(z: C<F>) -> C<F> {
    C::new(-z.im, z.re)
}

/// `-i * z`, exact on signed zeros.
#[inline]
fn times_minus_i<F: Real>(z: C<F>) -> C<F> {
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
    (b * ln(a)).exp()
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

/// `exp2(z) = exp(z ln 2)` (NumPy's `nc_exp2`).
pub fn exp2<F: Real>(z: C<F>) -> C<F> {
    (z * F::LN_2()).exp()
}

/// NumPy's `nc_expm1`: accurate near zero.
pub fn expm1<F: Real>(z: C<F>) -> C<F> {
    let a = (z.im * F::lit(0.5)).sin();
    C::new(
        z.re.exp_m1() * z.im.cos() - F::lit(2.0) * a * a,
        z.re.exp() * z.im.sin(),
    )
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

/// `tanh` in the form of FreeBSD's `ctanh` (no inf/inf for large real parts).
pub fn tanh<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
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

/// Kahan's `arcsin`: the cuts (-inf, -1) and (1, inf) are decided by the sign of `im`.
pub fn asin<F: Real>(z: C<F>) -> C<F> {
    let s1 = sqrt(C::new(F::one() - z.re, -z.im));
    let s2 = sqrt(C::new(F::one() + z.re, z.im));
    C::new((z.re / (s1 * s2).re).atan(), (s1.conj() * s2).im.asinh())
}

/// Kahan's `arccos`.
pub fn acos<F: Real>(z: C<F>) -> C<F> {
    let s1 = sqrt(C::new(F::one() - z.re, -z.im));
    let s2 = sqrt(C::new(F::one() + z.re, z.im));
    C::new(
        F::lit(2.0) * (s1.re / s2.re).atan(),
        (s2.conj() * s1).im.asinh(),
    )
}

/// Kahan's `arccosh`.
pub fn acosh<F: Real>(z: C<F>) -> C<F> {
    let s1 = sqrt(C::new(z.re - F::one(), z.im));
    let s2 = sqrt(C::new(z.re + F::one(), z.im));
    C::new(
        (s1.conj() * s2).re.asinh(),
        F::lit(2.0) * (s1.im / s2.re).atan(),
    )
}

/// `asinh(z) = -i asin(iz)`.
pub fn asinh<F: Real>(z: C<F>) -> C<F> {
    times_minus_i(asin(times_i(z)))
}

/// `atanh` by the log1p/atan2 form, accurate near zero; cuts (-inf, -1] and [1, inf) follow the
/// sign of `im` through `atan2`.
pub fn atanh<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    let large = F::max_value().sqrt() * F::lit(0.25);
    if x.abs() > large || y.abs() > large {
        // atanh(z) = 1/z + O(1/z^3) ± i pi/2 for huge |z|.
        let w = div(C::new(F::one(), F::zero()), z);
        return C::new(w.re, F::FRAC_PI_2().copysign(y));
    }
    let one_minus_x = F::one() - x;
    let denom = one_minus_x * one_minus_x + y * y;
    // re = ln(|1+z|^2 / |1-z|^2) / 4. Near 0 the log1p form keeps relative precision; near the
    // poles ±1 the quotient form does (log1p's argument would round to -1 there).
    let re = if x.abs() < F::lit(0.5) {
        F::lit(0.25) * (F::lit(4.0) * x / denom).ln_1p()
    } else {
        let one_plus_x = F::one() + x;
        F::lit(0.25) * ((one_plus_x * one_plus_x + y * y) / denom).ln()
    };
    let im = F::lit(0.5) * (y + y).atan2(one_minus_x * (F::one() + x) - y * y);
    C::new(re, im)
}

/// `atan(z) = -i atanh(iz)`.
pub fn atan<F: Real>(z: C<F>) -> C<F> {
    times_minus_i(atanh(times_i(z)))
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
