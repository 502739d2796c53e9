//! One-input kernels: `out := op(x)`. One dispatch on the input dtype picks the kernel family
//! (bool, integer, float, complex); inside, one `match` on the op picks the per-element function
//! that the shared slice loop runs.

use super::complex_inverse as ci;
use super::complex_math as cm;
use super::dtype_rules::unary_output_dtype;
use super::float_parts as fp;
use super::loops::{map_into, ColumnElem};
use super::numeric::{Int, Real, Value};
use num_complex::Complex;
use oxarray_core::ops::UnaryOp;
use oxarray_core::{dispatch_typed, Column, ColumnRef, OxError, OxResult};

/// out := op(x). `out` keeps its allocation when it already holds the output dtype.
pub fn unary_into<'a>(op: UnaryOp, x: impl Into<ColumnRef<'a>>, out: &mut Column) -> OxResult<()> {
    let x = x.into();
    unary_output_dtype(op, x.dtype())?;
    dispatch_typed!(ColumnRef, x, v => UnaryKernels::unary(op, v, out))
}

/// The kernel family of an element type.
pub(super) trait UnaryKernels: Value {
    fn unary(op: UnaryOp, x: &[Self], out: &mut Column) -> OxResult<()>;
}

/// Ops every dtype has, with one body for all 13; `false` if `op` is not one of them.
fn common_unary<T: Value>(op: UnaryOp, x: &[T], out: &mut Column) -> bool {
    match op {
        UnaryOp::Isnan => map_into(out, x, T::is_nan_),
        UnaryOp::Isinf => map_into(out, x, T::is_inf_),
        UnaryOp::Isfinite => map_into(out, x, T::is_finite_),
        UnaryOp::LogicalNot => map_into(out, x, |a| !a.truthy()),
        UnaryOp::Real => map_into(out, x, T::re),
        UnaryOp::Imag => map_into(out, x, T::im),
        _ => return false,
    }
    true
}

/// The error for an op the dtype rules accepted but no kernel handles: a bug of ours.
fn missing_kernel<T: ColumnElem>(op: UnaryOp) -> OxError {
    OxError::Internal(format!("no {} kernel for {}", op.name(), T::DTYPE))
}

impl UnaryKernels for bool {
    fn unary(op: UnaryOp, x: &[bool], out: &mut Column) -> OxResult<()> {
        if common_unary(op, x, out) {
            return Ok(());
        }
        match op {
            UnaryOp::Absolute | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc => {
                map_into(out, x, |a| a)
            }
            UnaryOp::Invert => map_into(out, x, |a: bool| !a),
            _ => return Err(missing_kernel::<bool>(op)),
        }
        Ok(())
    }
}

fn int_unary<T: Int + Value>(op: UnaryOp, x: &[T], out: &mut Column) -> OxResult<()> {
    use UnaryOp::*;
    if common_unary(op, x, out) {
        return Ok(());
    }
    match op {
        // abs(MIN) wraps to MIN, as in NumPy.
        Absolute => map_into(out, x, |a| T::from_unsigned(a.magnitude())),
        Negative => map_into(out, x, |a: T| a.wrapping_neg()),
        Positive | Conjugate | Floor | Ceil | Trunc => map_into(out, x, |a| a),
        Square => map_into(out, x, |a: T| a.wrapping_mul(&a)),
        // NumPy computes `1.0 / x` and casts back, so 1/0 is the cast of inf (MIN for int32/int64).
        Reciprocal => map_into(out, x, |a: T| T::from_f64_c(1.0 / a.to_f64())),
        Sign => map_into(out, x, T::np_sign),
        Invert => map_into(out, x, |a: T| !a),
        BitwiseCount => map_into(out, x, fp::bitwise_count),
        _ => return Err(missing_kernel::<T>(op)),
    }
    Ok(())
}

fn float_unary<F: Real + Value>(op: UnaryOp, x: &[F], out: &mut Column) -> OxResult<()> {
    use UnaryOp::*;
    if common_unary(op, x, out) {
        return Ok(());
    }
    let (zero, one) = (F::zero(), F::one());
    match op {
        Absolute | Fabs => map_into(out, x, F::abs),
        Negative => map_into(out, x, |a: F| -a),
        Positive | Conjugate => map_into(out, x, |a| a),
        Sqrt => map_into(out, x, F::sqrt),
        Cbrt => map_into(out, x, F::cbrt),
        Square => map_into(out, x, |a| a * a),
        Reciprocal => map_into(out, x, F::recip),
        Exp => map_into(out, x, F::exp),
        Exp2 => map_into(out, x, F::exp2),
        Expm1 => map_into(out, x, F::exp_m1),
        Log => map_into(out, x, F::ln),
        Log2 => map_into(out, x, F::log2),
        Log10 => map_into(out, x, F::log10),
        Log1p => map_into(out, x, F::ln_1p),
        Sin => map_into(out, x, F::sin),
        Cos => map_into(out, x, F::cos),
        Tan => map_into(out, x, F::tan),
        Arcsin => map_into(out, x, F::asin),
        Arccos => map_into(out, x, F::acos),
        Arctan => map_into(out, x, F::atan),
        Sinh => map_into(out, x, F::sinh),
        Cosh => map_into(out, x, F::cosh),
        Tanh => map_into(out, x, F::tanh),
        Arcsinh => map_into(out, x, real_asinh),
        Arccosh => map_into(out, x, real_acosh),
        Arctanh => map_into(out, x, F::atanh),
        Deg2rad => map_into(out, x, F::to_radians),
        Rad2deg => map_into(out, x, F::to_degrees),
        Floor => map_into(out, x, F::floor),
        Ceil => map_into(out, x, F::ceil),
        Trunc => map_into(out, x, F::trunc),
        Rint => map_into(out, x, F::round_even),
        // NumPy: sign(±0) is +0 and sign(NaN) is NaN.
        Sign => map_into(out, x, |a: F| {
            if a > zero {
                one
            } else if a < zero {
                -one
            } else if a == zero {
                zero
            } else {
                a
            }
        }),
        Signbit => map_into(out, x, F::is_sign_negative),
        Spacing => map_into(out, x, fp::spacing),
        I0 => map_into(out, x, fp::i0),
        ModfFractional => map_into(out, x, |a| fp::modf(a).0),
        ModfIntegral => map_into(out, x, |a| fp::modf(a).1),
        FrexpMantissa => map_into(out, x, |a| fp::frexp(a).0),
        FrexpExponent => map_into(out, x, |a| fp::frexp(a).1),
        _ => return Err(missing_kernel::<F>(op)),
    }
    Ok(())
}

fn complex_unary<F: Real>(op: UnaryOp, x: &[Complex<F>], out: &mut Column) -> OxResult<()>
where
    Complex<F>: Value,
{
    use UnaryOp::*;
    if common_unary(op, x, out) {
        return Ok(());
    }
    match op {
        Absolute => map_into(out, x, |z: Complex<F>| z.re.hypot(z.im)),
        Negative => map_into(out, x, |z: Complex<F>| -z),
        Positive => map_into(out, x, |z| z),
        Conjugate => map_into(out, x, |z: Complex<F>| z.conj()),
        Sqrt => map_into(out, x, cm::sqrt),
        Square => map_into(out, x, |z| z * z),
        Reciprocal => map_into(out, x, cm::recip),
        Exp => map_into(out, x, cm::exp),
        Exp2 => map_into(out, x, cm::exp2),
        Expm1 => map_into(out, x, cm::expm1),
        Log => map_into(out, x, cm::ln),
        Log2 => map_into(out, x, |z| cm::log_scaled(z, F::LOG2_E())),
        Log10 => map_into(out, x, |z| cm::log_scaled(z, F::LOG10_E())),
        Log1p => map_into(out, x, cm::log1p),
        Sin => map_into(out, x, cm::sin),
        Cos => map_into(out, x, cm::cos),
        Tan => map_into(out, x, cm::tan),
        Arcsin => map_into(out, x, ci::asin),
        Arccos => map_into(out, x, ci::acos),
        Arctan => map_into(out, x, ci::atan),
        Sinh => map_into(out, x, cm::sinh),
        Cosh => map_into(out, x, cm::cosh),
        Tanh => map_into(out, x, cm::tanh),
        Arcsinh => map_into(out, x, ci::asinh),
        Arccosh => map_into(out, x, ci::acosh),
        Arctanh => map_into(out, x, ci::atanh),
        Rint => map_into(out, x, |z: Complex<F>| {
            Complex::new(z.re.round_even(), z.im.round_even())
        }),
        Sign => map_into(out, x, cm::sign),
        _ => return Err(missing_kernel::<Complex<F>>(op)),
    }
    Ok(())
}

/// `asinh` without the overflow of `ln(x + sqrt(x^2 + 1))` near the top of the range: past
/// `1/sqrt(eps)`, `x^2 + 1 == x^2` and `asinh(x) = ln(2|x|)` exactly as rounded, so
/// `asinh(1.7e308)` is 710.4 (as NumPy) rather than inf.
pub(super) fn real_asinh<F: Real>(x: F) -> F {
    if x.abs() > F::one() / F::epsilon().sqrt() {
        return (x.abs().ln() + F::LN_2()).copysign(x);
    }
    x.asinh()
}

/// `acosh` in the same way: `ln(2x)` once `x^2 - 1 == x^2`.
pub(super) fn real_acosh<F: Real>(x: F) -> F {
    if x > F::one() / F::epsilon().sqrt() {
        return x.ln() + F::LN_2();
    }
    x.acosh()
}

macro_rules! family {
    ($kernel:ident: $($t:ty),*) => {$(
        impl UnaryKernels for $t {
            fn unary(op: UnaryOp, x: &[Self], out: &mut Column) -> OxResult<()> {
                $kernel(op, x, out)
            }
        }
    )*};
}
family!(int_unary: i8, i16, i32, i64, u8, u16, u32, u64);
family!(float_unary: f32, f64);
family!(complex_unary: Complex<f32>, Complex<f64>);

#[cfg(test)]
mod tests {
    use super::*;
    use oxarray_core::{DType, Scalar, C64};

    fn run<T: ColumnElem, U: ColumnElem>(op: UnaryOp, x: Vec<T>) -> Vec<U> {
        let mut out = Column::empty(DType::Bool);
        unary_into(op, &T::into_column(x), &mut out).expect("loop exists");
        U::slice_of(&out).expect("output dtype").to_vec()
    }

    /// Bitwise float equality, so -0.0 != 0.0 and NaN == NaN.
    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    fn close(a: C64, b: C64) -> bool {
        let tol = 1e-12 * (1.0 + b.norm());
        let part =
            |x: f64, y: f64| (x - y).abs() <= tol && x.is_sign_negative() == y.is_sign_negative();
        part(a.re, b.re) && part(a.im, b.im)
    }

    /// Every (op, dtype): the kernel runs exactly when the dtype rules list a loop, and produces the
    /// dtype they announce.
    #[test]
    fn kernels_agree_with_dtype_rules() {
        for &op in UnaryOp::ALL {
            for dtype in DType::ALL {
                let x = Column::full(dtype, 3, Scalar::Int(2));
                let mut out = Column::empty(DType::Bool);
                match unary_output_dtype(op, dtype) {
                    Ok(want) => {
                        unary_into(op, &x, &mut out)
                            .unwrap_or_else(|e| panic!("{} on {dtype}: {e}", op.name()));
                        assert_eq!(
                            (out.dtype(), out.len()),
                            (want, 3),
                            "{} on {dtype}",
                            op.name()
                        );
                    }
                    Err(e) => assert_eq!(unary_into(op, &x, &mut out), Err(e)),
                }
            }
        }
    }

    #[test]
    fn integer_edge_cases() {
        assert_eq!(
            run::<i8, i8>(UnaryOp::Absolute, vec![-128, -3, 4]),
            vec![-128, 3, 4]
        );
        assert_eq!(run::<u8, u8>(UnaryOp::Negative, vec![1, 0]), vec![255, 0]);
        assert_eq!(run::<u8, u8>(UnaryOp::Square, vec![200]), vec![64]);
        assert_eq!(
            run::<i64, i64>(UnaryOp::Reciprocal, vec![0, 1, 2, -1, -2]),
            vec![i64::MIN, 1, 0, -1, 0]
        );
        assert_eq!(
            run::<i8, i8>(UnaryOp::Reciprocal, vec![0, 1, -1]),
            vec![0, 1, -1]
        );
        assert_eq!(
            run::<u64, u64>(UnaryOp::Reciprocal, vec![0, 1, 2]),
            vec![0, 1, 0]
        );
        assert_eq!(
            run::<i32, i32>(UnaryOp::Sign, vec![-7, 0, 9]),
            vec![-1, 0, 1]
        );
        assert_eq!(run::<u16, u16>(UnaryOp::Invert, vec![0]), vec![u16::MAX]);
        assert_eq!(run::<i16, i16>(UnaryOp::Floor, vec![-5]), vec![-5]);
        assert_eq!(
            run::<i32, bool>(UnaryOp::Isfinite, vec![i32::MIN]),
            vec![true]
        );
        assert_eq!(run::<i32, i32>(UnaryOp::Imag, vec![5]), vec![0]);
    }

    #[test]
    fn bool_loops() {
        assert_eq!(
            run::<bool, bool>(UnaryOp::Invert, vec![true, false]),
            vec![false, true]
        );
        assert_eq!(
            run::<bool, bool>(UnaryOp::Absolute, vec![true, false]),
            vec![true, false]
        );
        assert_eq!(
            run::<bool, bool>(UnaryOp::LogicalNot, vec![true]),
            vec![false]
        );
        let mut out = Column::empty(DType::Bool);
        assert!(matches!(
            unary_into(UnaryOp::Negative, &Column::Bool(vec![true]), &mut out),
            Err(OxError::Type(_))
        ));
    }

    #[test]
    fn float_values_match_numpy() {
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        assert!(same(
            &run(UnaryOp::Sign, vec![-0.0, nan, -3.0, 0.0, inf]),
            &[0.0, nan, -1.0, 0.0, 1.0]
        ));
        assert!(same(
            &run(UnaryOp::Rint, vec![0.5, 1.5, 2.5, -0.5, -2.5]),
            &[0.0, 2.0, 2.0, -0.0, -2.0]
        ));
        assert_eq!(
            run::<f64, bool>(UnaryOp::Signbit, vec![-0.0, -nan, nan]),
            vec![true, true, false]
        );
        assert_eq!(
            run::<f32, f32>(UnaryOp::Deg2rad, vec![180.0]),
            vec![std::f32::consts::PI]
        );
        assert_eq!(
            run::<f64, f64>(UnaryOp::Rad2deg, vec![std::f64::consts::PI]),
            vec![180.0]
        );
        assert_eq!(run::<f64, f64>(UnaryOp::Cbrt, vec![-8.0]), vec![-2.0]);
        assert_eq!(
            run::<f64, bool>(UnaryOp::LogicalNot, vec![nan, 0.0, -0.0]),
            vec![false, true, true]
        );
        assert_eq!(
            run::<f64, bool>(UnaryOp::Isinf, vec![-inf, nan, 1.0]),
            vec![true, false, false]
        );
    }

    #[test]
    fn complex_values_match_numpy() {
        let c = C64::new;
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        let x = vec![
            c(2.0, 0.0),
            c(2.0, -0.0),
            c(-2.0, 0.0),
            c(-2.0, -0.0),
            c(0.0, 2.0),
            c(-0.0, 2.0),
            c(0.5, 0.5),
            c(-1.0, -0.0),
        ];
        // From numpy 2.4 (glibc's C99 functions): the sign of a zero imaginary part picks the side
        // of each branch cut.
        let (p2, a, b) = (
            std::f64::consts::FRAC_PI_2,
            1.3169578969248166,
            1.4436354751788103,
        );
        let expect: &[(UnaryOp, [C64; 8])] = &[
            (
                UnaryOp::Sqrt,
                [
                    c(2f64.sqrt(), 0.0),
                    c(2f64.sqrt(), -0.0),
                    c(0.0, 2f64.sqrt()),
                    c(0.0, -(2f64.sqrt())),
                    c(1.0, 1.0),
                    c(1.0, 1.0),
                    c(0.7768869870150187, 0.3217971264527913),
                    c(0.0, -1.0),
                ],
            ),
            (
                UnaryOp::Arcsin,
                [
                    c(p2, a),
                    c(p2, -a),
                    c(-p2, a),
                    c(-p2, -a),
                    c(0.0, b),
                    c(-0.0, b),
                    c(0.45227844715119064, 0.5306375309525179),
                    c(-p2, -0.0),
                ],
            ),
            (
                UnaryOp::Arccos,
                [
                    c(0.0, -a),
                    c(0.0, a),
                    c(std::f64::consts::PI, -a),
                    c(std::f64::consts::PI, a),
                    c(p2, -b),
                    c(p2, -b),
                    c(1.118517879643706, -0.5306375309525179),
                    c(std::f64::consts::PI, 0.0),
                ],
            ),
            (
                UnaryOp::Arctanh,
                [
                    c(0.5493061443340549, p2),
                    c(0.5493061443340549, -p2),
                    c(-0.5493061443340549, p2),
                    c(-0.5493061443340549, -p2),
                    c(0.0, 1.1071487177940904),
                    c(-0.0, 1.1071487177940904),
                    c(0.40235947810852507, 0.5535743588970452),
                    c(-inf, -0.0),
                ],
            ),
            (
                UnaryOp::Arccosh,
                [
                    c(a, 0.0),
                    c(a, -0.0),
                    c(a, std::f64::consts::PI),
                    c(a, -std::f64::consts::PI),
                    c(b, p2),
                    c(b, p2),
                    c(0.5306375309525179, 1.118517879643706),
                    c(0.0, -std::f64::consts::PI),
                ],
            ),
            (
                UnaryOp::Arcsinh,
                [
                    c(b, 0.0),
                    c(b, -0.0),
                    c(-b, 0.0),
                    c(-b, -0.0),
                    c(a, p2),
                    c(-a, p2),
                    c(0.5306375309525179, 0.45227844715119064),
                    c(-0.881373587019543, -0.0),
                ],
            ),
            (
                UnaryOp::Arctan,
                [
                    c(1.1071487177940904, 0.0),
                    c(1.1071487177940904, -0.0),
                    c(-1.1071487177940904, 0.0),
                    c(-1.1071487177940904, -0.0),
                    c(p2, 0.5493061443340549),
                    c(-p2, 0.5493061443340549),
                    c(0.5535743588970452, 0.40235947810852507),
                    c(-std::f64::consts::FRAC_PI_4, -0.0),
                ],
            ),
            (
                UnaryOp::Log,
                [
                    c(2f64.ln(), 0.0),
                    c(2f64.ln(), -0.0),
                    c(2f64.ln(), std::f64::consts::PI),
                    c(2f64.ln(), -std::f64::consts::PI),
                    c(2f64.ln(), p2),
                    c(2f64.ln(), p2),
                    c(-0.34657359027997264, std::f64::consts::FRAC_PI_4),
                    c(0.0, -std::f64::consts::PI),
                ],
            ),
            (
                UnaryOp::Tan,
                [
                    c(-2.185039863261519, 0.0),
                    c(-2.185039863261519, -0.0),
                    c(2.185039863261519, 0.0),
                    c(2.185039863261519, -0.0),
                    c(0.0, 0.9640275800758168),
                    c(-0.0, 0.9640275800758168),
                    c(0.40389645531602575, 0.5640831412674985),
                    c(-1.557407724654902, -0.0),
                ],
            ),
            (
                UnaryOp::Log1p,
                [
                    c(3f64.ln(), 0.0),
                    c(3f64.ln(), -0.0),
                    c(0.0, std::f64::consts::PI),
                    c(0.0, -std::f64::consts::PI),
                    c(0.8047189562170503, 1.1071487177940904),
                    c(0.8047189562170503, 1.1071487177940904),
                    c(0.4581453659370776, 0.3217505543966422),
                    c(-inf, -0.0),
                ],
            ),
        ];
        for (op, want) in expect {
            let got: Vec<C64> = run(*op, x.clone());
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                let ok = close(*g, *w) || (g.re == w.re && g.im == w.im);
                assert!(ok, "{}({:?}) = {g:?}, numpy {w:?}", op.name(), x[i]);
            }
        }
        // Near zero the formulas keep full relative precision.
        let tiny: Vec<C64> = run(UnaryOp::Arcsin, vec![c(1e-20, 1e-20)]);
        assert_eq!(tiny, vec![c(1e-20, 1e-20)]);
        let tiny: Vec<C64> = run(UnaryOp::Expm1, vec![c(1e-10, 1e-10)]);
        assert!(close(tiny[0], c(1.0000000000e-10, 1.00000000e-10)));
        // Near |z| = 1 and near the poles of atanh, precision is kept (numpy/glibc values).
        let near: Vec<C64> = run(UnaryOp::Log, vec![c(1.0, 1e-8)]);
        assert!(close(near[0], c(5.0000000000000005e-17, 1e-8)) && near[0].re > 0.0);
        let near: Vec<C64> = run(UnaryOp::Arctan, vec![c(1e-8, 1.0)]);
        assert!(close(near[0], c(0.7853981658974483, 9.556913962256155)));
        // Large arguments neither overflow nor lose the cut.
        let big: Vec<C64> = run(UnaryOp::Tanh, vec![c(1000.0, 1.0), c(-1000.0, 2.0)]);
        assert_eq!((big[0].re, big[1].re), (1.0, -1.0));
        let big: Vec<C64> = run(UnaryOp::Sqrt, vec![c(1e300, 1e300)]);
        assert!(close(
            big[0],
            c(1.09868411346781e150, 4.550898605622274e149)
        ));
        let sign: Vec<C64> = run(
            UnaryOp::Sign,
            vec![
                c(3.0, 4.0),
                c(0.0, 0.0),
                c(nan, 0.0),
                c(inf, 1.0),
                c(inf, inf),
                c(0.0, -inf),
            ],
        );
        assert_eq!(&sign[..2], &[c(0.6, 0.8), c(0.0, 0.0)]);
        assert!(sign[2].re.is_nan() && sign[4].im.is_nan());
        assert_eq!((sign[3], sign[5]), (c(1.0, 0.0), c(0.0, -1.0)));
        let recip: Vec<C64> = run(
            UnaryOp::Reciprocal,
            vec![c(2.0, 0.0), c(0.0, 1.0), c(1.0, 1.0)],
        );
        assert_eq!(recip, vec![c(0.5, -0.0), c(0.0, -1.0), c(0.5, -0.5)]);
        assert_eq!(
            run::<C64, f64>(UnaryOp::Absolute, vec![c(3.0, -4.0)]),
            vec![5.0]
        );
        assert_eq!(
            run::<C64, f64>(UnaryOp::Imag, vec![c(3.0, -4.0)]),
            vec![-4.0]
        );
        assert_eq!(
            run::<C64, C64>(UnaryOp::Rint, vec![c(3.5, -2.5)]),
            vec![c(4.0, -2.0)]
        );
        assert_eq!(
            run::<C64, bool>(UnaryOp::Isinf, vec![c(nan, inf), c(1.0, nan)]),
            vec![true, false]
        );
    }

    #[test]
    fn reuses_out_when_the_variant_matches() {
        let mut out = Column::Float64(Vec::with_capacity(100));
        unary_into(UnaryOp::Sqrt, &Column::Float64(vec![4.0, 9.0]), &mut out).expect("loop");
        assert_eq!(out, Column::Float64(vec![2.0, 3.0]));
        let Column::Float64(v) = &out else {
            unreachable!()
        };
        assert!(v.capacity() >= 100);
        // A different variant is replaced.
        unary_into(UnaryOp::Isnan, &Column::Float64(vec![f64::NAN]), &mut out).expect("loop");
        assert_eq!(out, Column::Bool(vec![true]));
    }
}
