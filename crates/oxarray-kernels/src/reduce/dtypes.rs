//! NumPy's result dtypes of reductions (checked against NumPy 2.x): `sum`/`prod` widen small
//! integers and bool to the platform integer, `mean`/`var`/`std` go to float64 from integers, and
//! `var`/`std` of complex data are real.

use oxarray_core::dtype::Kind;
use oxarray_core::{ops::ReduceOp, DType, OxError, OxResult};

pub fn reduce_output_dtype(op: ReduceOp, x: DType, dtype: Option<DType>) -> OxResult<DType> {
    use ReduceOp::*;
    let natural = match op {
        Sum | Prod => match x.kind() {
            Kind::Bool | Kind::SignedInt => DType::Int64,
            Kind::UnsignedInt => DType::UInt64,
            Kind::Float | Kind::Complex => x,
        },
        Min | Max => x,
        Any | All => DType::Bool,
        ArgMin | ArgMax => DType::Int64,
        Mean | Var { .. } | Std { .. } if !x.is_inexact() => DType::Float64,
        Mean | NanMean => x,
        Var { .. } | Std { .. } | NanVar { .. } | NanStd { .. } => x.real_of(),
    };
    match (op, dtype) {
        (_, None) => Ok(natural),
        (Sum | Prod | Mean | NanMean, Some(d)) => Ok(d),
        // NumPy computes `x - mean` in dtype=, and bool has no subtraction.
        (Var { .. } | Std { .. }, Some(DType::Bool)) if x == DType::Bool => Err(OxError::Type(
            "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` \
             operator, or the logical_xor function instead."
                .into(),
        )),
        (Var { .. } | Std { .. } | NanVar { .. } | NanStd { .. }, Some(d)) => Ok(d),
        // These take no dtype= in NumPy; accept only the dtype they produce anyway.
        (_, Some(d)) if d == natural => Ok(d),
        (_, Some(_)) => Err(OxError::Type(format!("{}() got an unexpected keyword argument 'dtype'", op.name()))),
    }
}
