//! Which loops exist: the result dtype of each op for each input (loop) dtype, as NumPy 2's
//! `np.<ufunc>.types` lists them restricted to our 13 dtypes. The evaluator casts inputs to the
//! loop dtype NumPy resolved, so here an input dtype either has a loop of its own or is an error.

use oxarray_core::dtype::Kind;
use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{DType, OxError, OxResult};

const BOOL_NEGATIVE: &str = "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead.";
const BOOL_SUBTRACT: &str = "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.";

/// NumPy's `UFuncTypeError` wording for a ufunc without a loop for the input types.
fn no_loop(name: &str) -> OxError {
    OxError::DTypeNotSupported(format!(
        "ufunc '{name}' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''"
    ))
}

/// Which kinds of input an op has loops for.
#[derive(Clone, Copy)]
struct Kinds {
    boolean: bool,
    integer: bool,
    float: bool,
    complex: bool,
}

const ALL: Kinds = Kinds {
    boolean: true,
    integer: true,
    float: true,
    complex: true,
};
const NUMBERS: Kinds = Kinds {
    boolean: false,
    ..ALL
};
const INEXACT: Kinds = Kinds {
    boolean: false,
    integer: false,
    float: true,
    complex: true,
};
const FLOAT: Kinds = Kinds {
    boolean: false,
    integer: false,
    float: true,
    complex: false,
};
const REAL_NUMBERS: Kinds = Kinds {
    complex: false,
    ..NUMBERS
};
const REAL: Kinds = Kinds {
    complex: false,
    ..ALL
};
const BITS: Kinds = Kinds {
    boolean: true,
    integer: true,
    float: false,
    complex: false,
};
const INTEGER: Kinds = Kinds {
    boolean: false,
    ..BITS
};

impl Kinds {
    fn has(self, x: DType) -> bool {
        match x.kind() {
            Kind::Bool => self.boolean,
            Kind::SignedInt | Kind::UnsignedInt => self.integer,
            Kind::Float => self.float,
            Kind::Complex => self.complex,
        }
    }
}

/// What an op's loop produces from its input dtype.
#[derive(Clone, Copy)]
enum Output {
    Same,
    Bool,
    /// Complex inputs give their real dtype (`absolute`, `real`, `imag`).
    RealOfInput,
    /// A fixed dtype: `bitwise_count` counts into uint8, `frexp`'s exponent is int32.
    Fixed(DType),
}

fn resolve(name: &str, kinds: Kinds, output: Output, x: DType) -> OxResult<DType> {
    if !kinds.has(x) {
        return Err(no_loop(name));
    }
    Ok(match output {
        Output::Same => x,
        Output::Bool => DType::Bool,
        Output::RealOfInput => x.real_of(),
        Output::Fixed(d) => d,
    })
}

/// Result dtype of `op` on input dtype `x` (the loop dtype NumPy resolved).
pub fn unary_output_dtype(op: UnaryOp, x: DType) -> OxResult<DType> {
    use UnaryOp::*;
    let (kinds, output) = match op {
        Negative if x == DType::Bool => return Err(OxError::Type(BOOL_NEGATIVE.into())),
        Absolute | Real | Imag => (ALL, Output::RealOfInput),
        Negative | Positive | Square | Reciprocal | Sign | Conjugate => (NUMBERS, Output::Same),
        Sqrt | Exp | Exp2 | Expm1 | Log | Log2 | Log10 | Log1p | Sin | Cos | Tan | Arcsin
        | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Rint => {
            (INEXACT, Output::Same)
        }
        Fabs | Cbrt | Deg2rad | Rad2deg | Spacing | I0 | ModfFractional | ModfIntegral
        | FrexpMantissa => (FLOAT, Output::Same),
        FrexpExponent => (FLOAT, Output::Fixed(DType::Int32)),
        BitwiseCount => (INTEGER, Output::Fixed(DType::UInt8)),
        Floor | Ceil | Trunc => (REAL, Output::Same),
        Signbit => (FLOAT, Output::Bool),
        Isnan | Isinf | Isfinite | LogicalNot => (ALL, Output::Bool),
        Invert => (BITS, Output::Same),
    };
    resolve(op.name(), kinds, output, x)
}

/// Result dtype of `op` on two inputs of dtype `x` (the loop dtype NumPy resolved).
pub fn binary_output_dtype(op: BinaryOp, x: DType) -> OxResult<DType> {
    use BinaryOp::*;
    let (kinds, output) = match op {
        Subtract if x == DType::Bool => return Err(OxError::Type(BOOL_SUBTRACT.into())),
        Add | Multiply | Maximum | Minimum | Fmax | Fmin => (ALL, Output::Same),
        Subtract | Power => (NUMBERS, Output::Same),
        Divide => (INEXACT, Output::Same),
        FloorDivide | Remainder | Fmod => (REAL_NUMBERS, Output::Same),
        Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | LogicalAnd | LogicalOr
        | LogicalXor => (ALL, Output::Bool),
        BitwiseAnd | BitwiseOr | BitwiseXor => (BITS, Output::Same),
        LeftShift | RightShift | Gcd | Lcm => (INTEGER, Output::Same),
        Arctan2 | Hypot | Copysign | Logaddexp | Logaddexp2 | Nextafter | Heaviside | Ldexp => {
            (FLOAT, Output::Same)
        }
    };
    resolve(op.name(), kinds, output, x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    /// Loops per op kind, generated from `np.<ufunc>.types` of NumPy 2.4 (`?` bool, `i`/`u` signed/
    /// unsigned ints, `f` floats, `c` complex; `->?` outputs bool, `->r` the real dtype of a complex).
    /// `real`/`imag` are not ufuncs; their row follows `np.real`/`np.imag`.
    const UNARY: &[(&str, &str)] = &[
        ("absolute", "? i u f c->r"),
        ("fabs", "f"),
        ("negative", "i u f c"),
        ("positive", "i u f c"),
        ("sqrt", "f c"),
        ("cbrt", "f"),
        ("square", "i u f c"),
        ("reciprocal", "i u f c"),
        ("exp", "f c"),
        ("exp2", "f c"),
        ("expm1", "f c"),
        ("log", "f c"),
        ("log2", "f c"),
        ("log10", "f c"),
        ("log1p", "f c"),
        ("sin", "f c"),
        ("cos", "f c"),
        ("tan", "f c"),
        ("arcsin", "f c"),
        ("arccos", "f c"),
        ("arctan", "f c"),
        ("sinh", "f c"),
        ("cosh", "f c"),
        ("tanh", "f c"),
        ("arcsinh", "f c"),
        ("arccosh", "f c"),
        ("arctanh", "f c"),
        ("deg2rad", "f"),
        ("rad2deg", "f"),
        ("floor", "? i u f"),
        ("ceil", "? i u f"),
        ("trunc", "? i u f"),
        ("rint", "f c"),
        ("sign", "i u f c"),
        ("signbit", "f->?"),
        ("isnan", "? i u f c->?"),
        ("isinf", "? i u f c->?"),
        ("isfinite", "? i u f c->?"),
        ("logical_not", "? i u f c->?"),
        ("invert", "? i u"),
        ("conjugate", "i u f c"),
        ("real", "? i u f c->r"),
        ("imag", "? i u f c->r"),
        ("bitwise_count", "i u->B"),
        ("spacing", "f"),
        ("i0", "f"),
        ("_modf_fractional", "f"),
        ("_modf_integral", "f"),
        ("_frexp_mantissa", "f"),
        ("_frexp_exponent", "f->i32"),
    ];
    const BINARY: &[(&str, &str)] = &[
        ("add", "? i u f c"),
        ("subtract", "i u f c"),
        ("multiply", "? i u f c"),
        ("divide", "f c"),
        ("floor_divide", "i u f"),
        ("remainder", "i u f"),
        ("fmod", "i u f"),
        ("power", "i u f c"),
        ("maximum", "? i u f c"),
        ("minimum", "? i u f c"),
        ("fmax", "? i u f c"),
        ("fmin", "? i u f c"),
        ("equal", "? i u f c->?"),
        ("not_equal", "? i u f c->?"),
        ("less", "? i u f c->?"),
        ("less_equal", "? i u f c->?"),
        ("greater", "? i u f c->?"),
        ("greater_equal", "? i u f c->?"),
        ("logical_and", "? i u f c->?"),
        ("logical_or", "? i u f c->?"),
        ("logical_xor", "? i u f c->?"),
        ("bitwise_and", "? i u"),
        ("bitwise_or", "? i u"),
        ("bitwise_xor", "? i u"),
        ("left_shift", "i u"),
        ("right_shift", "i u"),
        ("arctan2", "f"),
        ("hypot", "f"),
        ("copysign", "f"),
        ("logaddexp", "f"),
        ("logaddexp2", "f"),
        ("nextafter", "f"),
        ("heaviside", "f"),
        ("gcd", "i u"),
        ("lcm", "i u"),
        ("ldexp", "f"),
    ];

    fn letter(x: DType) -> &'static str {
        match x.kind() {
            Kind::Bool => "?",
            Kind::SignedInt => "i",
            Kind::UnsignedInt => "u",
            Kind::Float => "f",
            Kind::Complex => "c",
        }
    }

    /// The expected result for `x` from a row like `"? i u f c->r"`.
    fn expected(row: &str, x: DType) -> Option<DType> {
        let (ins, out) = row.split_once("->").unwrap_or((row, ""));
        ins.split_whitespace()
            .any(|l| l == letter(x))
            .then(|| match out {
                "?" => Bool,
                "r" => x.real_of(),
                "B" => UInt8,
                "i32" => Int32,
                _ => x,
            })
    }

    #[test]
    fn unary_loops_match_numpy() {
        for (name, row) in UNARY {
            let op = UnaryOp::from_name(name).expect("catalogued");
            for x in DType::ALL {
                assert_eq!(
                    unary_output_dtype(op, x).ok(),
                    expected(row, x),
                    "{name} on {x}"
                );
            }
        }
    }

    #[test]
    fn binary_loops_match_numpy() {
        for (name, row) in BINARY {
            let op = BinaryOp::from_name(name).expect("catalogued");
            for x in DType::ALL {
                assert_eq!(
                    binary_output_dtype(op, x).ok(),
                    expected(row, x),
                    "{name} on {x}"
                );
            }
        }
    }

    #[test]
    fn error_wording() {
        let e = unary_output_dtype(UnaryOp::Sqrt, Int8).expect_err("no integer sqrt loop");
        assert_eq!(
            e.to_string(),
            "ufunc 'sqrt' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''"
        );
        assert!(matches!(e, OxError::DTypeNotSupported(_)));
        assert_eq!(
            unary_output_dtype(UnaryOp::Negative, Bool),
            Err(OxError::Type(BOOL_NEGATIVE.into()))
        );
        assert_eq!(
            binary_output_dtype(BinaryOp::Subtract, Bool),
            Err(OxError::Type(BOOL_SUBTRACT.into()))
        );
        assert_eq!(
            unary_output_dtype(UnaryOp::Absolute, Complex64),
            Ok(Float32)
        );
        assert_eq!(unary_output_dtype(UnaryOp::Imag, Int16), Ok(Int16));
    }
}
