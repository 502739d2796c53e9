//! The complex inverse trigonometric and hyperbolic functions (`acos`, `asin`, `atan`, `acosh`,
//! `asinh`, `atanh`). Finite inputs go through Kahan's branch-cut-correct formulas ("Branch Cuts
//! for Complex Elementary Functions", 1987); an infinite or NaN part takes C99 Annex G's row
//! (G.6.2.1-3), with glibc's choice where the standard leaves a sign open, since NumPy calls
//! glibc's `cacos`/`casinh`/... and is our oracle.

use super::complex_math::{div, sqrt, times_i, times_minus_i};
use super::numeric::Real;
use super::unary::real_asinh;
use num_complex::Complex;

type C<F> = Complex<F>;

#[inline]
fn is_finite<F: Real>(z: C<F>) -> bool {
    z.re.is_finite() && z.im.is_finite()
}

/// `f` evaluated on the upper half plane (imaginary part positive-signed) and mirrored, for the
/// functions with `f(conj(z)) == conj(f(z))`.
#[inline]
fn conj_symmetric<F: Real>(z: C<F>, f: impl Fn(F, F) -> C<F>) -> C<F> {
    let r = f(z.re, z.im.abs());
    if z.im.is_sign_negative() {
        r.conj()
    } else {
        r
    }
}

/// `f` evaluated in the first quadrant (both parts positive-signed) and mirrored, for the odd
/// functions with conjugate symmetry (`asinh`, `atanh`). A NaN part gives no sign to restore.
#[inline]
fn odd_conj_symmetric<F: Real>(z: C<F>, f: impl Fn(F, F) -> C<F>) -> C<F> {
    let r = f(z.re.abs(), z.im.abs());
    let re = if z.re.is_sign_negative() && !z.re.is_nan() {
        -r.re
    } else {
        r.re
    };
    let im = if z.im.is_sign_negative() && !z.im.is_nan() {
        -r.im
    } else {
        r.im
    };
    C::new(re, im)
}

/// Kahan's `arcsin`: the cuts (-inf, -1) and (1, inf) are decided by the sign of `im`.
pub fn asin<F: Real>(z: C<F>) -> C<F> {
    if !is_finite(z) {
        // asin(z) = -i asinh(iz), as C99 defines casin.
        return times_minus_i(asinh(times_i(z)));
    }
    let s1 = sqrt(C::new(F::one() - z.re, -z.im));
    let s2 = sqrt(C::new(F::one() + z.re, z.im));
    C::new(
        (z.re / (s1 * s2).re).atan(),
        real_asinh((s1.conj() * s2).im),
    )
}

/// Kahan's `arccos`; special values as C99's `cacos` (G.6.2.1 through `cacosh`).
pub fn acos<F: Real>(z: C<F>) -> C<F> {
    if !is_finite(z) {
        // In the upper half plane acos(z) = -i acosh(z).
        return conj_symmetric(z, |x, y| times_minus_i(acosh_special(x, y)));
    }
    let s1 = sqrt(C::new(F::one() - z.re, -z.im));
    let s2 = sqrt(C::new(F::one() + z.re, z.im));
    C::new(
        F::lit(2.0) * (s1.re / s2.re).atan(),
        real_asinh((s2.conj() * s1).im),
    )
}

/// Kahan's `arccosh`; special values as C99's `cacosh` (G.6.2.1).
pub fn acosh<F: Real>(z: C<F>) -> C<F> {
    if !is_finite(z) {
        return conj_symmetric(z, acosh_special);
    }
    let s1 = sqrt(C::new(z.re - F::one(), z.im));
    let s2 = sqrt(C::new(z.re + F::one(), z.im));
    C::new(
        real_asinh((s1.conj() * s2).re),
        F::lit(2.0) * (s1.im / s2.re).atan(),
    )
}

/// `cacosh(x + iy)` for `y` positive-signed and a part infinite or NaN.
fn acosh_special<F: Real>(x: F, y: F) -> C<F> {
    let (inf, nan, pi) = (F::infinity(), F::nan(), F::PI());
    if y.is_infinite() {
        let im = if x.is_nan() {
            nan
        } else if x == inf {
            F::FRAC_PI_4()
        } else if x == -inf {
            F::lit(0.75) * pi
        } else {
            F::FRAC_PI_2()
        };
        return C::new(inf, im);
    }
    if x.is_infinite() {
        let im = if y.is_nan() {
            nan
        } else if x > F::zero() {
            F::zero()
        } else {
            pi
        };
        return C::new(inf, im);
    }
    if x == F::zero() {
        // glibc's row for ±0 + iNaN: the imaginary part is known, pi/2.
        return C::new(nan, F::FRAC_PI_2());
    }
    C::new(nan, nan)
}

/// `asinh(z) = -i asin(iz)` for finite `z`; special values as C99's `casinh` (G.6.2.2).
pub fn asinh<F: Real>(z: C<F>) -> C<F> {
    if is_finite(z) {
        return times_minus_i(asin(times_i(z)));
    }
    if z.re.is_nan() && z.im.is_infinite() {
        // C99 leaves the sign of the infinity open; glibc's is positive.
        return C::new(F::infinity(), F::nan());
    }
    odd_conj_symmetric(z, |x, y| {
        let (inf, nan) = (F::infinity(), F::nan());
        if y.is_infinite() {
            let im = if x == inf {
                F::FRAC_PI_4()
            } else {
                F::FRAC_PI_2()
            };
            return C::new(inf, im);
        }
        if x.is_infinite() {
            return C::new(inf, if y.is_nan() { nan } else { F::zero() });
        }
        if x.is_nan() && y == F::zero() {
            return C::new(nan, y);
        }
        C::new(nan, nan)
    })
}

/// `atanh` by the log1p/atan2 form, accurate near zero; cuts (-inf, -1] and [1, inf) follow the
/// sign of `im` through `atan2`. Special values as C99's `catanh` (G.6.2.3).
pub fn atanh<F: Real>(z: C<F>) -> C<F> {
    let (x, y) = (z.re, z.im);
    if !is_finite(z) {
        if x == F::zero() && y.is_nan() {
            return C::new(F::zero(), y); // glibc: +0 whatever the sign of x
        }
        if x.is_nan() && y.is_infinite() {
            return C::new(F::zero(), F::FRAC_PI_2().copysign(y));
        }
        return odd_conj_symmetric(z, |x, y| {
            let nan = F::nan();
            if y.is_infinite() {
                return C::new(F::zero(), F::FRAC_PI_2());
            }
            if x.is_infinite() {
                return C::new(F::zero(), if y.is_nan() { nan } else { F::FRAC_PI_2() });
            }
            C::new(nan, nan)
        });
    }
    let large = F::max_value().sqrt() * F::lit(0.25);
    if x.abs() > large || y.abs() > large {
        // atanh(z) = 1/z + O(1/z^3) ± i pi/2 for huge |z|.
        let w = div(C::new(F::one(), F::zero()), z);
        return C::new(w.re, F::FRAC_PI_2().copysign(y));
    }
    // re = ln(|1+z|^2 / |1-z|^2) / 4 = log1p(4|x| / |1-|x||^2...) with the sign of x: taken on
    // |x| (atanh is odd) the argument of log1p is never near -1, so precision holds near 0, near
    // the poles ±1 and for large |y| alike.
    let ax = x.abs();
    let one_minus = F::one() - ax;
    let re = F::lit(0.25) * (F::lit(4.0) * ax / (one_minus * one_minus + y * y)).ln_1p();
    let im = F::lit(0.5) * (y + y).atan2((F::one() - x) * (F::one() + x) - y * y);
    C::new(re.copysign(x), im)
}

/// `atan(z) = -i atanh(iz)`.
pub fn atan<F: Real>(z: C<F>) -> C<F> {
    times_minus_i(atanh(times_i(z)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: C<f64>, b: C<f64>) -> bool {
        let eq = |p: f64, q: f64| {
            (p.is_nan() && q.is_nan()) || (p == q && p.is_sign_negative() == q.is_sign_negative())
        };
        eq(a.re, b.re) && eq(a.im, b.im)
    }

    #[test]
    fn special_values_follow_c99_annex_g() {
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        let (p2, p4) = (std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_4);
        assert!(same(acos(C::new(2.0, inf)), C::new(p2, -inf)));
        assert!(same(acos(C::new(inf, -1.0)), C::new(0.0, inf)));
        assert!(same(acos(C::new(0.0, nan)), C::new(p2, nan)));
        assert!(same(
            acosh(C::new(-inf, inf)),
            C::new(inf, 0.75 * std::f64::consts::PI)
        ));
        assert!(same(acosh(C::new(inf, -2.0)), C::new(inf, -0.0)));
        assert!(same(asinh(C::new(-inf, inf)), C::new(-inf, p4)));
        assert!(same(asinh(C::new(nan, -0.0)), C::new(nan, -0.0)));
        assert!(same(atanh(C::new(-inf, 3.0)), C::new(-0.0, p2)));
        assert!(same(atanh(C::new(1.0, 0.0)), C::new(inf, 0.0)));
        assert!(same(atanh(C::new(nan, -inf)), C::new(0.0, -p2)));
    }

    #[test]
    fn atanh_keeps_precision_for_large_imaginary_parts() {
        // numpy.arctanh(0.5 + 800j): the real part is 7.812484741247097e-07.
        let r: C<f64> = atanh(C::new(0.5, 800.0));
        assert!((r.re / 7.812484741247097e-07 - 1.0).abs() < 1e-14);
    }
}
