//! The op catalogue: every elementwise op oxarray knows, under NumPy's ufunc name.
//!
//! This one table drives the kernels (`oxarray-kernels::elementwise`), the ufunc map of the Python
//! front (`_core.unary_ops()` / `_core.binary_ops()` list these names) and the tests. Adding an op is
//! one line here plus its kernel.

macro_rules! catalogue {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $ufunc:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// NumPy's ufunc name (`np.<name>`).
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $ufunc,)* }
            }
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($ufunc => Some($name::$variant),)* _ => None }
            }
        }
    };
}

catalogue!(
    /// One-input elementwise ops.
    UnaryOp {
        Absolute => "absolute",
        Fabs => "fabs",
        Negative => "negative",
        Positive => "positive",
        Sqrt => "sqrt",
        Cbrt => "cbrt",
        Square => "square",
        Reciprocal => "reciprocal",
        Exp => "exp",
        Exp2 => "exp2",
        Expm1 => "expm1",
        Log => "log",
        Log2 => "log2",
        Log10 => "log10",
        Log1p => "log1p",
        Sin => "sin",
        Cos => "cos",
        Tan => "tan",
        Arcsin => "arcsin",
        Arccos => "arccos",
        Arctan => "arctan",
        Sinh => "sinh",
        Cosh => "cosh",
        Tanh => "tanh",
        Arcsinh => "arcsinh",
        Arccosh => "arccosh",
        Arctanh => "arctanh",
        Deg2rad => "deg2rad",
        Rad2deg => "rad2deg",
        Floor => "floor",
        Ceil => "ceil",
        Trunc => "trunc",
        Rint => "rint",
        Sign => "sign",
        Signbit => "signbit",
        Isnan => "isnan",
        Isinf => "isinf",
        Isfinite => "isfinite",
        LogicalNot => "logical_not",
        Invert => "invert",
        Conjugate => "conjugate",
        Real => "real",
        Imag => "imag",
        BitwiseCount => "bitwise_count",
        Spacing => "spacing",
        /// `np.i0` (elementwise, though not a ufunc).
        I0 => "i0",
        /// The two results of `np.modf` and `np.frexp`, one op each (not NumPy names).
        ModfFractional => "_modf_fractional",
        ModfIntegral => "_modf_integral",
        FrexpMantissa => "_frexp_mantissa",
        FrexpExponent => "_frexp_exponent",
    }
);

catalogue!(
    /// Two-input elementwise ops. Both inputs arrive in the same (loop) dtype.
    BinaryOp {
        Add => "add",
        Subtract => "subtract",
        Multiply => "multiply",
        Divide => "divide",
        FloorDivide => "floor_divide",
        Remainder => "remainder",
        Fmod => "fmod",
        Power => "power",
        Maximum => "maximum",
        Minimum => "minimum",
        Fmax => "fmax",
        Fmin => "fmin",
        Equal => "equal",
        NotEqual => "not_equal",
        Less => "less",
        LessEqual => "less_equal",
        Greater => "greater",
        GreaterEqual => "greater_equal",
        LogicalAnd => "logical_and",
        LogicalOr => "logical_or",
        LogicalXor => "logical_xor",
        BitwiseAnd => "bitwise_and",
        BitwiseOr => "bitwise_or",
        BitwiseXor => "bitwise_xor",
        LeftShift => "left_shift",
        RightShift => "right_shift",
        Arctan2 => "arctan2",
        Hypot => "hypot",
        Copysign => "copysign",
        Logaddexp => "logaddexp",
        Logaddexp2 => "logaddexp2",
        Nextafter => "nextafter",
        Heaviside => "heaviside",
        Gcd => "gcd",
        Lcm => "lcm",
        /// `x * 2**n`; the integer exponent arrives cast to `x`'s float dtype.
        Ldexp => "ldexp",
    }
);

/// Reductions over axes. Each is computed as partial results per chunk, combined in a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    Any,
    All,
    Mean,
    /// Variance with `ddof` (delta degrees of freedom).
    Var {
        ddof: u32,
    },
    Std {
        ddof: u32,
    },
    ArgMin,
    ArgMax,
    /// `nanmean`/`nanvar`/`nanstd`: NaN elements are skipped (and not counted).
    NanMean,
    NanVar {
        ddof: u32,
    },
    NanStd {
        ddof: u32,
    },
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::Any => "any",
            ReduceOp::All => "all",
            ReduceOp::Mean => "mean",
            ReduceOp::Var { .. } => "var",
            ReduceOp::Std { .. } => "std",
            ReduceOp::ArgMin => "argmin",
            ReduceOp::ArgMax => "argmax",
            ReduceOp::NanMean => "nanmean",
            ReduceOp::NanVar { .. } => "nanvar",
            ReduceOp::NanStd { .. } => "nanstd",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &op in UnaryOp::ALL {
            assert_eq!(UnaryOp::from_name(op.name()), Some(op));
        }
        for &op in BinaryOp::ALL {
            assert_eq!(BinaryOp::from_name(op.name()), Some(op));
        }
        assert_eq!(BinaryOp::from_name("sqrt"), None);
    }
}
