//! Kernels that take a float apart or put one together by its binary exponent (`frexp`, `ldexp`,
//! `spacing`), split it at the decimal point (`modf`), count bits (`bitwise_count`), and the
//! modified Bessel function `i0` (NumPy's `np.i0`, which is not a ufunc but is elementwise).
//!
//! NumPy's two-output ufuncs (`frexp`, `modf`) are two one-output ops here, one per result, so
//! each is an ordinary instruction of a fused program; the Python front builds both nodes on the
//! same input.

use super::numeric::{Int, Real};
use num_traits::{Float, PrimInt};

/// The binary layout of `F`: (significand bits with the hidden one, largest and smallest normal
/// exponent).
fn layout<F: Real>() -> (i32, i32, i32) {
    if std::mem::size_of::<F>() == 4 {
        (24, 127, -126)
    } else {
        (53, 1023, -1022)
    }
}

/// `2^n` for a normal exponent `n` (exact).
fn pow2<F: Real>(n: i32) -> F {
    F::lit(2.0).powi(n)
}

/// C's `ldexp(x, n)`: `x * 2^n` correctly rounded, in at most three exact scalings and one
/// rounding multiplication, so overflow and underflow raise the hardware flags NumPy reports.
pub(super) fn ldexp<F: Real>(x: F, n: F) -> F {
    let (mant, emax, emin) = layout::<F>();
    if x == F::zero() || !x.is_finite() {
        return x;
    }
    // Past 3 * emax every finite x is 0 or inf; the clamp keeps `n` a small integer.
    let bound = F::lit(f64::from(3 * emax));
    let mut n = n.max(-bound).min(bound).to_i32().unwrap_or(0);
    let mut y = x;
    if n > emax {
        y = y * pow2(emax);
        n -= emax;
        if n > emax {
            y = y * pow2(emax);
            n -= emax;
            n = n.min(emax);
        }
    } else if n < emin {
        // Scaling by 2^(emin + mant - 1) keeps y normal, so only the last step rounds.
        let step = emin + mant - 1;
        y = y * pow2(step);
        n -= step;
        if n < emin {
            y = y * pow2(step);
            n -= step;
            n = n.max(emin);
        }
    }
    y * pow2(n)
}

/// C's `frexp`: the mantissa in [0.5, 1) with the sign of `x`, and the exponent; 0, inf and NaN
/// give `(x, 0)`.
pub(super) fn frexp<F: Real>(x: F) -> (F, i32) {
    if x == F::zero() || !x.is_finite() {
        return (x, 0);
    }
    let (m, e, sign) = Float::integer_decode(x);
    // |x| = m * 2^e with m < 2^53 (exact in F); a subnormal's m is not normalized, so count.
    let bits = 64 - i32::try_from(m.leading_zeros()).unwrap_or(0);
    let frac = <F as num_traits::NumCast>::from(m).unwrap_or(F::zero()) * pow2::<F>(-bits);
    let frac = if sign < 0 { -frac } else { frac };
    (frac, i32::from(e) + bits)
}

/// C's `modf`: (fractional part, integral part), both with the sign of `x`; `modf(±inf)` is
/// `(±0, ±inf)`, computed without the `inf - inf` a subtraction would flag as invalid.
pub(super) fn modf<F: Real>(x: F) -> (F, F) {
    if x.is_infinite() {
        return (F::zero().copysign(x), x);
    }
    let i = x.trunc();
    ((x - i).copysign(x), i)
}

/// NumPy's `spacing`: the distance from `x` to the next float away from zero, with the sign of
/// `x` (`spacing(±0)` is the smallest positive subnormal); NaN for ±inf and NaN.
pub(super) fn spacing<F: Real>(x: F) -> F {
    if !x.is_finite() {
        return F::nan();
    }
    if x == F::zero() {
        return F::zero().next_after(F::one());
    }
    if x.abs() == F::max_value() {
        // The next float away is infinite: NumPy reports that as an overflow, so the infinity
        // is made by an overflowing product, which raises the hardware flag.
        return x * F::lit(2.0);
    }
    let away = F::infinity().copysign(x);
    x.next_after(away) - x
}

/// Number of 1 bits of `|x|` (NumPy's `bitwise_count`; `MIN`'s magnitude is a single bit).
pub(super) fn bitwise_count<T: Int>(x: T) -> u8 {
    u8::try_from(x.magnitude().count_ones()).unwrap_or(u8::MAX)
}

/// NumPy's `i0`: Clenshaw's Chebyshev expansions on [0, 8] and (8, inf) of `exp(-x) I0(x)`
/// (the coefficients NumPy uses), computed in float64 as NumPy does.
pub(super) fn i0<F: Real>(x: F) -> F {
    let x = x.to_f64().unwrap_or(f64::NAN).abs();
    let y = if x <= 8.0 {
        x.exp() * chebyshev(x / 2.0 - 2.0, &I0_A)
    } else {
        x.exp() * chebyshev(32.0 / x - 2.0, &I0_B) / x.sqrt()
    };
    F::lit(y)
}

/// Clenshaw's recurrence for a Chebyshev series, in NumPy's order of operations.
fn chebyshev(x: f64, coefficients: &[f64]) -> f64 {
    let mut b0 = coefficients[0];
    let (mut b1, mut b2) = (0.0, 0.0);
    for &c in &coefficients[1..] {
        b2 = b1;
        b1 = b0;
        b0 = x * b1 - b2 + c;
    }
    0.5 * (b0 - b2)
}

/// Chebyshev coefficients of `exp(-x) I0(x)` on [0, 8], in the variable `x/2 - 2`.
const I0_A: [f64; 30] = [
    -4.4153416464793395e-18,
    3.3307945188222384e-17,
    -2.431279846547955e-16,
    1.715391285555133e-15,
    -1.1685332877993451e-14,
    7.676185498604936e-14,
    -4.856446783111929e-13,
    2.95505266312964e-12,
    -1.726826291441556e-11,
    9.675809035373237e-11,
    -5.189795601635263e-10,
    2.6598237246823866e-09,
    -1.300025009986248e-08,
    6.046995022541919e-08,
    -2.670793853940612e-07,
    1.1173875391201037e-06,
    -4.4167383584587505e-06,
    1.6448448070728896e-05,
    -5.754195010082104e-05,
    0.00018850288509584165,
    -0.0005763755745385824,
    0.0016394756169413357,
    -0.004324309995050576,
    0.010546460394594998,
    -0.02373741480589947,
    0.04930528423967071,
    -0.09490109704804764,
    0.17162090152220877,
    -0.3046826723431984,
    0.6767952744094761,
];

/// Chebyshev coefficients of `exp(-x) sqrt(x) I0(x)` on (8, inf), in the variable `32/x - 2`.
const I0_B: [f64; 25] = [
    -7.233180487874754e-18,
    -4.830504485944182e-18,
    4.46562142029676e-17,
    3.461222867697461e-17,
    -2.8276239805165836e-16,
    -3.425485619677219e-16,
    1.7725601330565263e-15,
    3.8116806693526224e-15,
    -9.554846698828307e-15,
    -4.150569347287222e-14,
    1.54008621752141e-14,
    3.8527783827421426e-13,
    7.180124451383666e-13,
    -1.7941785315068062e-12,
    -1.3215811840447713e-11,
    -3.1499165279632416e-11,
    1.1889147107846439e-11,
    4.94060238822497e-10,
    3.3962320257083865e-09,
    2.266668990498178e-08,
    2.0489185894690638e-07,
    2.8913705208347567e-06,
    6.889758346916825e-05,
    0.0033691164782556943,
    0.8044904110141088,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn ldexp_matches_c() {
        let cases: &[(f64, f64, f64)] = &[
            (1.0, 3.0, 8.0),
            (1e308, 10.0, f64::INFINITY),
            (1.0, -1074.0, 5e-324),
            (1.0, -1075.0, 0.0),
            (1.5, -1074.0, 1e-323),
            (-0.0, 5.0, -0.0),
            (f64::NEG_INFINITY, -5.0, f64::NEG_INFINITY),
            (3.0, 1e10, f64::INFINITY),
            (3.0, -1e10, 0.0),
        ];
        for &(x, n, want) in cases {
            assert!(same(ldexp(x, n), want), "ldexp({x}, {n}) = {}", ldexp(x, n));
        }
        assert_eq!(ldexp(5e-324f64, 1074.0 + 1023.0), 2.0f64.powi(1023));
        assert_eq!(ldexp(1.0f32, -149.0), f32::from_bits(1));
        assert_eq!(ldexp(1.0f32, 128.0), f32::INFINITY);
    }

    #[test]
    fn frexp_matches_c() {
        assert_eq!(frexp(-3.0f64), (-0.75, 2));
        assert_eq!(frexp(5e-324f64), (0.5, -1073));
        assert_eq!(frexp(1.0f32), (0.5, 1));
        assert!(same(frexp(-0.0f64).0, -0.0));
        assert_eq!(frexp(f64::INFINITY), (f64::INFINITY, 0));
        assert!(frexp(f64::NAN).0.is_nan());
    }

    #[test]
    fn modf_and_spacing() {
        assert!(same(modf(-3.0f64).0, -0.0));
        assert_eq!(modf(-2.5f64), (-0.5, -2.0));
        assert!(same(modf(f64::NEG_INFINITY).0, -0.0));
        assert_eq!(spacing(1.0f64), f64::EPSILON);
        assert_eq!(spacing(-1.0f64), -f64::EPSILON);
        assert_eq!(spacing(-0.0f64), 5e-324);
        assert_eq!(spacing(-5e-324f64), -5e-324);
        assert_eq!(spacing(f64::MAX), f64::INFINITY);
        assert!(spacing(f64::INFINITY).is_nan());
    }

    #[test]
    fn bits_and_bessel() {
        assert_eq!(bitwise_count(-1i8), 1);
        assert_eq!(bitwise_count(i8::MIN), 1);
        assert_eq!(bitwise_count(u64::MAX), 64);
        assert!((i0(1.0f64) - 1.266_065_877_752_008_4).abs() < 1e-15);
        assert!((i0(-10.0f64) - 2_815.716_628_466_254).abs() < 1e-9);
        assert!(i0(f64::INFINITY).is_nan()); // NumPy: nan
    }
}
