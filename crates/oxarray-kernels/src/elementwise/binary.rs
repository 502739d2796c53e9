//! Two-input kernels: `out := op(a, b)` on operands already cast to the loop dtype. Comparisons,
//! logical ops and max/min have one body for all 13 dtypes ([`Value`]); arithmetic goes to its
//! kernel family.

use super::complex_math as cm;
use super::dtype_rules::binary_output_dtype;
use super::loops::{same_typed, zip_into, ColumnElem};
use super::numeric::{Int, Real, Value};
use num_complex::Complex;
use oxarray_core::ops::BinaryOp;
use oxarray_core::{dispatch_typed, Column, ColumnRef, OxError, OxResult};

/// out := op(a, b); `a` and `b` have the same dtype and length.
pub fn binary_into<'a, 'b>(
    op: BinaryOp,
    a: impl Into<ColumnRef<'a>>,
    b: impl Into<ColumnRef<'b>>,
    out: &mut Column,
) -> OxResult<()> {
    let (a, b) = (a.into(), b.into());
    binary_output_dtype(op, a.dtype())?;
    dispatch_typed!(ColumnRef, a, av => {
        let bv = same_typed(av, b, op.name())?;
        BinaryKernels::binary(op, av, bv, out)
    })
}

pub(super) trait BinaryKernels: Value {
    fn binary(op: BinaryOp, a: &[Self], b: &[Self], out: &mut Column) -> OxResult<()>;
}

/// Ops every dtype has; `false` if `op` is not one of them.
fn common_binary<T: Value>(op: BinaryOp, a: &[T], b: &[T], out: &mut Column) -> bool {
    use BinaryOp::*;
    match op {
        Equal => zip_into(out, a, b, |x, y| x == y),
        NotEqual => zip_into(out, a, b, |x, y| x != y),
        Less => zip_into(out, a, b, T::lt),
        LessEqual => zip_into(out, a, b, T::le),
        Greater => zip_into(out, a, b, |x: T, y| y.lt(x)),
        GreaterEqual => zip_into(out, a, b, |x: T, y| y.le(x)),
        LogicalAnd => zip_into(out, a, b, |x: T, y: T| x.truthy() && y.truthy()),
        LogicalOr => zip_into(out, a, b, |x: T, y: T| x.truthy() || y.truthy()),
        LogicalXor => zip_into(out, a, b, |x: T, y: T| x.truthy() != y.truthy()),
        Maximum => zip_into(out, a, b, T::maximum),
        Minimum => zip_into(out, a, b, T::minimum),
        Fmax => zip_into(out, a, b, T::fmax),
        Fmin => zip_into(out, a, b, T::fmin),
        _ => return false,
    }
    true
}

fn missing_kernel<T: ColumnElem>(op: BinaryOp) -> OxError {
    OxError::Internal(format!("no {} kernel for {}", op.name(), T::DTYPE))
}

impl BinaryKernels for bool {
    fn binary(op: BinaryOp, a: &[bool], b: &[bool], out: &mut Column) -> OxResult<()> {
        if common_binary(op, a, b, out) {
            return Ok(());
        }
        match op {
            // NumPy's bool loops: add is `or`, multiply is `and`.
            BinaryOp::Add | BinaryOp::BitwiseOr => zip_into(out, a, b, |x, y| x | y),
            BinaryOp::Multiply | BinaryOp::BitwiseAnd => zip_into(out, a, b, |x, y| x & y),
            BinaryOp::BitwiseXor => zip_into(out, a, b, |x, y| x ^ y),
            _ => return Err(missing_kernel::<bool>(op)),
        }
        Ok(())
    }
}

fn int_binary<T: Int + Value>(op: BinaryOp, a: &[T], b: &[T], out: &mut Column) -> OxResult<()> {
    use BinaryOp::*;
    if common_binary(op, a, b, out) {
        return Ok(());
    }
    match op {
        Add => zip_into(out, a, b, |x: T, y| x.wrapping_add(&y)),
        Subtract => zip_into(out, a, b, |x: T, y| x.wrapping_sub(&y)),
        Multiply => zip_into(out, a, b, |x: T, y| x.wrapping_mul(&y)),
        FloorDivide => zip_into(out, a, b, T::floor_div),
        Remainder => zip_into(out, a, b, T::py_rem),
        Fmod => zip_into(out, a, b, T::c_fmod),
        Power => {
            // NumPy checks every exponent before computing anything (ValueError, no partial output).
            if b.iter().any(|&e| e < T::zero()) {
                return Err(OxError::Compute(
                    "Integers to negative integer powers are not allowed.".into(),
                ));
            }
            zip_into(out, a, b, T::wrapping_pow_int)
        }
        BitwiseAnd => zip_into(out, a, b, |x: T, y| x & y),
        BitwiseOr => zip_into(out, a, b, |x: T, y| x | y),
        BitwiseXor => zip_into(out, a, b, |x: T, y| x ^ y),
        LeftShift => zip_into(out, a, b, T::np_shl),
        RightShift => zip_into(out, a, b, T::np_shr),
        Gcd => zip_into(out, a, b, T::np_gcd),
        Lcm => zip_into(out, a, b, T::np_lcm),
        _ => return Err(missing_kernel::<T>(op)),
    }
    Ok(())
}

fn float_binary<F: Real + Value>(op: BinaryOp, a: &[F], b: &[F], out: &mut Column) -> OxResult<()> {
    use BinaryOp::*;
    if common_binary(op, a, b, out) {
        return Ok(());
    }
    match op {
        Add => zip_into(out, a, b, |x, y| x + y),
        Subtract => zip_into(out, a, b, |x, y| x - y),
        Multiply => zip_into(out, a, b, |x, y| x * y),
        Divide => zip_into(out, a, b, |x, y| x / y),
        FloorDivide => zip_into(out, a, b, floor_divide),
        Remainder => zip_into(out, a, b, remainder),
        // Rust's float `%` is C's fmod.
        Fmod => zip_into(out, a, b, |x, y| x % y),
        Power => zip_into(out, a, b, F::powf),
        Arctan2 => zip_into(out, a, b, F::atan2),
        Hypot => zip_into(out, a, b, F::hypot),
        Copysign => zip_into(out, a, b, F::copysign),
        Logaddexp => zip_into(out, a, b, |x, y| {
            logaddexp(x, y, F::LN_2(), F::ln_1p, F::exp)
        }),
        Logaddexp2 => zip_into(out, a, b, |x, y| {
            logaddexp(x, y, F::one(), log2_1p, F::exp2)
        }),
        Nextafter => zip_into(out, a, b, F::next_after),
        Heaviside => zip_into(out, a, b, heaviside),
        Ldexp => zip_into(out, a, b, super::float_parts::ldexp),
        _ => return Err(missing_kernel::<F>(op)),
    }
    Ok(())
}

fn complex_binary<F: Real>(
    op: BinaryOp,
    a: &[Complex<F>],
    b: &[Complex<F>],
    out: &mut Column,
) -> OxResult<()>
where
    Complex<F>: Value,
{
    use BinaryOp::*;
    if common_binary(op, a, b, out) {
        return Ok(());
    }
    match op {
        Add => zip_into(out, a, b, |x, y| x + y),
        Subtract => zip_into(out, a, b, |x, y| x - y),
        Multiply => zip_into(out, a, b, |x, y| x * y),
        Divide => zip_into(out, a, b, cm::div),
        Power => zip_into(out, a, b, cm::pow),
        _ => return Err(missing_kernel::<Complex<F>>(op)),
    }
    Ok(())
}

/// NumPy's `npy_divmod`: the quotient and a remainder with the sign of the divisor, where the
/// quotient is snapped to the integer nearest `(a - mod) / b`.
#[inline]
fn divmod<F: Real>(a: F, b: F) -> (F, F) {
    let zero = F::zero();
    let mut m = a % b;
    if b == zero {
        return (a / b, m);
    }
    let mut div = (a - m) / b;
    if m != zero {
        if (b < zero) != (m < zero) {
            m = m + b;
            div = div - F::one();
        }
    } else {
        m = zero.copysign(b);
    }
    let floordiv = if div != zero {
        let f = div.floor();
        if div - f > F::lit(0.5) {
            f + F::one()
        } else {
            f
        }
    } else {
        zero.copysign(a / b)
    };
    (floordiv, m)
}

/// NumPy's float `floor_divide`: by zero it is `a / b` (±inf, or nan for 0/0 and nan/0).
#[inline]
fn floor_divide<F: Real>(a: F, b: F) -> F {
    divmod(a, b).0
}

/// NumPy's float `remainder`: by zero it is `fmod(a, 0)` (nan).
#[inline]
fn remainder<F: Real>(a: F, b: F) -> F {
    divmod(a, b).1
}

/// NumPy's `npy_logaddexp` family: `log(base^x + base^y)` without overflow; equal arguments
/// (including equal infinities) short-cut to `x + log(2)` in that base.
#[inline]
fn logaddexp<F: Real>(x: F, y: F, log_of_2: F, log_1p: fn(F) -> F, pow_base: fn(F) -> F) -> F {
    if x == y {
        return x + log_of_2;
    }
    let d = x - y;
    if d > F::zero() {
        x + log_1p(pow_base(-d))
    } else if d <= F::zero() {
        y + log_1p(pow_base(d))
    } else {
        d // NaN
    }
}

#[inline]
fn log2_1p<F: Real>(x: F) -> F {
    F::LOG2_E() * x.ln_1p()
}

/// NumPy's `heaviside(x, h0)`: h0 at ±0, NaN for NaN.
#[inline]
fn heaviside<F: Real>(x: F, h0: F) -> F {
    if x.is_nan() {
        x
    } else if x == F::zero() {
        h0
    } else if x < F::zero() {
        F::zero()
    } else {
        F::one()
    }
}

macro_rules! family {
    ($kernel:ident: $($t:ty),*) => {$(
        impl BinaryKernels for $t {
            fn binary(op: BinaryOp, a: &[Self], b: &[Self], out: &mut Column) -> OxResult<()> {
                $kernel(op, a, b, out)
            }
        }
    )*};
}
family!(int_binary: i8, i16, i32, i64, u8, u16, u32, u64);
family!(float_binary: f32, f64);
family!(complex_binary: Complex<f32>, Complex<f64>);

#[cfg(test)]
mod tests {
    use super::*;
    use oxarray_core::{DType, Scalar, C64};

    fn run<T: ColumnElem, U: ColumnElem>(op: BinaryOp, a: Vec<T>, b: Vec<T>) -> Vec<U> {
        let mut out = Column::empty(DType::Bool);
        binary_into(op, &T::into_column(a), &T::into_column(b), &mut out).expect("loop exists");
        U::slice_of(&out).expect("output dtype").to_vec()
    }

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn kernels_agree_with_dtype_rules() {
        for &op in BinaryOp::ALL {
            for dtype in DType::ALL {
                let x = Column::full(dtype, 3, Scalar::Int(2));
                let mut out = Column::empty(DType::Bool);
                match binary_output_dtype(op, dtype) {
                    Ok(want) => {
                        binary_into(op, &x, &x, &mut out)
                            .unwrap_or_else(|e| panic!("{} on {dtype}: {e}", op.name()));
                        assert_eq!(
                            (out.dtype(), out.len()),
                            (want, 3),
                            "{} on {dtype}",
                            op.name()
                        );
                    }
                    Err(e) => assert_eq!(binary_into(op, &x, &x, &mut out), Err(e)),
                }
            }
        }
    }

    #[test]
    fn integer_division_follows_python_and_never_traps() {
        let a = vec![-128i8, 7, -7, 7, -7, 5];
        let b = vec![-1i8, 2, 2, -2, 0, 0];
        assert_eq!(
            run::<i8, i8>(BinaryOp::FloorDivide, a.clone(), b.clone()),
            vec![-128, 3, -4, -4, 0, 0]
        );
        assert_eq!(
            run::<i8, i8>(BinaryOp::Remainder, a.clone(), b.clone()),
            vec![0, 1, 1, -1, 0, 0]
        );
        assert_eq!(run::<i8, i8>(BinaryOp::Fmod, a, b), vec![0, 1, -1, 1, 0, 0]);
        assert_eq!(
            run::<i64, i64>(BinaryOp::FloorDivide, vec![i64::MIN], vec![-1]),
            vec![i64::MIN]
        );
        assert_eq!(
            run::<u32, u32>(BinaryOp::Remainder, vec![7, 7], vec![0, 3]),
            vec![0, 1]
        );
        assert_eq!(
            run::<i16, i16>(BinaryOp::Add, vec![i16::MAX], vec![1]),
            vec![i16::MIN]
        );
        assert_eq!(
            run::<u8, u8>(BinaryOp::Subtract, vec![0], vec![1]),
            vec![255]
        );
    }

    #[test]
    fn integer_power() {
        assert_eq!(
            run::<i8, i8>(BinaryOp::Power, vec![2, 3, -2, 0, 0], vec![7, 5, 7, 0, 3]),
            vec![-128, -13, -128, 1, 0]
        );
        assert_eq!(
            run::<u8, u8>(BinaryOp::Power, vec![2, 3], vec![8, 255]),
            vec![0, 171]
        );
        let mut out = Column::empty(DType::Bool);
        let err = binary_into(
            BinaryOp::Power,
            &Column::Int64(vec![1, 2]),
            &Column::Int64(vec![2, -1]),
            &mut out,
        );
        assert_eq!(
            err,
            Err(OxError::Compute(
                "Integers to negative integer powers are not allowed.".into()
            ))
        );
    }

    #[test]
    fn shifts_of_any_amount() {
        let got = run::<i64, i64>(
            BinaryOp::LeftShift,
            vec![1, 1, 1, 1, -1, 5],
            vec![63, 64, -1, 100, 3, 0],
        );
        assert_eq!(got, vec![i64::MIN, 0, 0, 0, -8, 5]);
        let got = run::<i64, i64>(
            BinaryOp::RightShift,
            vec![-8, -8, 8, -8, 8],
            vec![64, -1, -1, 2, 70],
        );
        assert_eq!(got, vec![-1, -1, 0, -2, 0]);
        assert_eq!(
            run::<i8, i8>(BinaryOp::LeftShift, vec![1, 3], vec![7, 7]),
            vec![-128, -128]
        );
        assert_eq!(
            run::<u8, u8>(BinaryOp::LeftShift, vec![1, 3], vec![7, 8]),
            vec![128, 0]
        );
        assert_eq!(
            run::<u8, u8>(BinaryOp::RightShift, vec![200], vec![9]),
            vec![0]
        );
    }

    #[test]
    fn gcd_lcm_of_negatives_and_min() {
        let m = i64::MIN;
        assert_eq!(
            run::<i64, i64>(BinaryOp::Gcd, vec![-4, 0, m, m, 12], vec![6, 0, 0, 6, -18]),
            vec![2, 0, m, 2, 6]
        );
        let big = 1i64 << 40;
        assert_eq!(
            run::<i64, i64>(
                BinaryOp::Lcm,
                vec![-4, 0, m, big, 12],
                vec![6, 0, 3, big + 1, -18]
            ),
            vec![12, 0, m, big, 36]
        );
        assert_eq!(
            run::<i8, i8>(BinaryOp::Lcm, vec![-128, 100], vec![3, 3]),
            vec![-128, 44]
        );
        assert_eq!(
            run::<u16, u16>(BinaryOp::Gcd, vec![0, 12], vec![5, 8]),
            vec![5, 4]
        );
    }

    #[test]
    fn float_floor_divide_and_remainder_match_numpy() {
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        let got = run(
            BinaryOp::FloorDivide,
            vec![1.0, -1.0, 0.0, nan, 3.0, -3.0, inf, 5.0, -5.0],
            vec![0.0, 0.0, 0.0, 0.0, inf, inf, 3.0, -0.0, 2.0],
        );
        assert!(
            same(&got, &[inf, -inf, nan, nan, 0.0, -1.0, nan, -inf, -3.0]),
            "{got:?}"
        );
        let got = run(
            BinaryOp::Remainder,
            vec![-1.0, 1.0, 1.0, 3.0, -3.0, inf, 1.0, -0.0, 0.0],
            vec![3.0, -0.0, 0.0, inf, inf, 3.0, -3.0, 3.0, -3.0],
        );
        assert!(
            same(&got, &[2.0, nan, nan, 3.0, inf, nan, -2.0, 0.0, -0.0]),
            "{got:?}"
        );
        let got = run(
            BinaryOp::Fmod,
            vec![-1.0, 1.0, 3.0, -3.0, inf],
            vec![3.0, -0.0, inf, inf, 3.0],
        );
        assert!(same(&got, &[-1.0, nan, 3.0, -3.0, nan]), "{got:?}");
    }

    #[test]
    fn nan_rules_of_max_min() {
        let nan = f64::NAN;
        let a = vec![-0.0, 0.0, nan, 1.0];
        let b = vec![0.0, -0.0, 1.0, nan];
        assert!(same(
            &run(BinaryOp::Maximum, a.clone(), b.clone()),
            &[0.0, -0.0, nan, nan]
        ));
        assert!(same(
            &run(BinaryOp::Minimum, a.clone(), b.clone()),
            &[0.0, -0.0, nan, nan]
        ));
        assert!(same(
            &run(BinaryOp::Fmax, a.clone(), b.clone()),
            &[0.0, -0.0, 1.0, 1.0]
        ));
        assert!(same(&run(BinaryOp::Fmin, a, b), &[0.0, -0.0, 1.0, 1.0]));
        assert!(same(&run(BinaryOp::Fmax, vec![nan], vec![nan]), &[nan]));
    }

    #[test]
    fn complex_order_is_lexicographic_with_nan_rules() {
        let c = C64::new;
        let nan = f64::NAN;
        let a = vec![
            c(1.0, 1.0),
            c(nan, 0.0),
            c(2.0, 0.0),
            c(1.0, nan),
            c(1.0, 2.0),
            c(2.0, nan),
        ];
        let b = vec![
            c(1.0, 2.0),
            c(1.0, 0.0),
            c(nan, 1.0),
            c(1.0, 1.0),
            c(1.0, nan),
            c(1.0, 0.0),
        ];
        // numpy: maximum -> [1+2j, nan+0j, nan+1j, 1+nanj, 1+nanj, 2+nanj]
        let got: Vec<C64> = run(BinaryOp::Maximum, a.clone(), b.clone());
        let picked_a: Vec<bool> = got
            .iter()
            .zip(&a)
            .map(|(g, x)| g.re.to_bits() == x.re.to_bits() && g.im.to_bits() == x.im.to_bits())
            .collect();
        assert_eq!(picked_a, vec![false, true, false, true, false, true]);
        // numpy: fmax -> [1+2j, 1+0j, 2+0j, 1+1j, 1+2j, 1+0j]
        let got: Vec<C64> = run(BinaryOp::Fmax, a, b);
        assert_eq!(
            got,
            vec![
                c(1.0, 2.0),
                c(1.0, 0.0),
                c(2.0, 0.0),
                c(1.0, 1.0),
                c(1.0, 2.0),
                c(1.0, 0.0)
            ]
        );
        let lt: Vec<bool> = run(
            BinaryOp::Less,
            vec![
                c(1.0, 1.0),
                c(1.0, 1.0),
                c(1.0, nan),
                c(nan, 1.0),
                c(1.0, 0.0),
            ],
            vec![
                c(2.0, 0.0),
                c(1.0, 2.0),
                c(2.0, 0.0),
                c(2.0, 0.0),
                c(2.0, nan),
            ],
        );
        assert_eq!(lt, vec![true, true, false, false, false]);
        let ge: Vec<bool> = run(
            BinaryOp::GreaterEqual,
            vec![
                c(1.0, 1.0),
                c(1.0, 1.0),
                c(1.0, nan),
                c(2.0, 1.0),
                c(2.0, nan),
            ],
            vec![
                c(2.0, 0.0),
                c(1.0, 1.0),
                c(1.0, 0.0),
                c(1.0, nan),
                c(1.0, 0.0),
            ],
        );
        assert_eq!(ge, vec![false, true, false, false, false]);
    }

    #[test]
    fn complex_arithmetic_matches_numpy() {
        let c = C64::new;
        let inf = f64::INFINITY;
        let q: Vec<C64> = run(
            BinaryOp::Divide,
            vec![c(1.0, 1.0), c(1.0, 0.0), c(1e300, 1e300)],
            vec![c(0.0, 0.0), c(0.0, 0.0), c(1e300, 1e300)],
        );
        assert_eq!((q[0], q[2]), (c(inf, inf), c(1.0, 0.0)));
        assert!(q[1].re == inf && q[1].im.is_nan());
        let p: Vec<C64> = run(
            BinaryOp::Power,
            vec![
                c(0.0, 0.0),
                c(0.0, 0.0),
                c(0.0, 0.0),
                c(0.0, 0.0),
                c(0.0, 1.0),
                c(1.0, 1.0),
                c(1e200, 0.0),
            ],
            vec![
                c(0.0, 0.0),
                c(1.0, -1.0),
                c(-1.0, 1.0),
                c(2.0, 0.0),
                c(3.0, 0.0),
                c(-3.0, 0.0),
                c(2.0, 0.0),
            ],
        );
        assert_eq!(
            (p[0], p[1], p[3], p[4], p[5], p[6]),
            (
                c(1.0, 0.0),
                c(0.0, 0.0),
                c(0.0, 0.0),
                c(-0.0, -1.0),
                c(-0.25, -0.25),
                c(inf, 0.0)
            )
        );
        assert!(p[2].re.is_nan() && p[2].im.is_nan());
        let p: Vec<C64> = run(BinaryOp::Power, vec![c(-8.0, 0.0)], vec![c(1.0 / 3.0, 0.0)]);
        assert!((p[0] - c(1.0, 1.7320508075688772)).norm() < 1e-14);
    }

    #[test]
    fn float_special_functions_match_numpy() {
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        let got = run(
            BinaryOp::Logaddexp,
            vec![inf, -inf, inf, nan, 1.0, -inf, 1000.0],
            vec![inf, -inf, -inf, 1.0, 2.0, 3.0, 1000.0],
        );
        assert!(same(&got[..4], &[inf, -inf, inf, nan]));
        assert!(
            (got[4] - 2.313261687518223).abs() < 1e-15
                && got[5] == 3.0
                && (got[6] - 1000.6931471805599).abs() < 1e-12
        );
        let got = run(
            BinaryOp::Logaddexp2,
            vec![inf, -inf, 1.0, -inf],
            vec![inf, -inf, 2.0, 3.0],
        );
        assert!(
            same(&got[..2], &[inf, -inf])
                && (got[2] - 2.584962500721156).abs() < 1e-15
                && got[3] == 3.0
        );
        let got = run(
            BinaryOp::Heaviside,
            vec![0.0, -0.0, nan, -1.0, 2.0, -inf],
            vec![0.5; 6],
        );
        assert!(same(&got, &[0.5, 0.5, nan, 0.0, 1.0, 0.0]));
        let got = run(
            BinaryOp::Nextafter,
            vec![0.0, -0.0, 1.0, nan, inf, 5e-324],
            vec![1.0, -1.0, 2.0, 1.0, 0.0, 0.0],
        );
        assert!(same(
            &got,
            &[5e-324, -5e-324, 1.0 + f64::EPSILON, nan, f64::MAX, 0.0]
        ));
        assert_eq!(
            run::<f32, f32>(BinaryOp::Nextafter, vec![0.0, 1.0], vec![-1.0, 2.0]),
            vec![-1e-45, 1.0000001]
        );
        let got = run(
            BinaryOp::Power,
            vec![0.0, -8.0, 2.0, -0.0, nan, 1.0],
            vec![0.0, 1.0 / 3.0, -1.0, -1.0, 0.0, nan],
        );
        assert!(same(&got, &[1.0, nan, 0.5, -inf, 1.0, 1.0]));
        assert!(same(
            &run(BinaryOp::Copysign, vec![1.0, 1.0], vec![-0.0, nan]),
            &[-1.0, 1.0]
        ));
        assert!(same(
            &run(BinaryOp::Arctan2, vec![0.0, -0.0], vec![-0.0, -0.0]),
            &[std::f64::consts::PI, -std::f64::consts::PI]
        ));
    }

    #[test]
    fn bool_and_logical_loops() {
        let (t, f) = (true, false);
        assert_eq!(
            run::<bool, bool>(BinaryOp::Add, vec![t, t, f], vec![t, f, f]),
            vec![t, t, f]
        );
        assert_eq!(
            run::<bool, bool>(BinaryOp::Multiply, vec![t, t], vec![t, f]),
            vec![t, f]
        );
        assert_eq!(
            run::<bool, bool>(BinaryOp::Maximum, vec![t, f], vec![f, f]),
            vec![t, f]
        );
        assert_eq!(
            run::<bool, bool>(BinaryOp::Less, vec![f, t], vec![t, t]),
            vec![t, f]
        );
        assert_eq!(
            run::<f64, bool>(BinaryOp::LogicalAnd, vec![f64::NAN, 0.0], vec![2.0, 1.0]),
            vec![t, f]
        );
        assert_eq!(
            run::<i32, bool>(BinaryOp::LogicalXor, vec![0, 3], vec![5, 4]),
            vec![t, f]
        );
        let mut out = Column::empty(DType::Bool);
        let err = binary_into(
            BinaryOp::Subtract,
            &Column::Bool(vec![t]),
            &Column::Bool(vec![t]),
            &mut out,
        );
        assert!(matches!(err, Err(OxError::Type(_))));
    }

    #[test]
    fn mismatched_operands_are_reported_not_truncated() {
        let mut out = Column::empty(DType::Bool);
        let err = binary_into(
            BinaryOp::Add,
            &Column::Int32(vec![1, 2]),
            &Column::Int32(vec![1]),
            &mut out,
        );
        assert!(matches!(err, Err(OxError::Internal(_))));
        let err = binary_into(
            BinaryOp::Add,
            &Column::Int32(vec![1]),
            &Column::Int64(vec![1]),
            &mut out,
        );
        assert!(matches!(err, Err(OxError::Internal(_))));
    }
}
