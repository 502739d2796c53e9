//! Elementwise kernels over flat columns: the inner loops of the fused block evaluator.
//!
//! The evaluator hands us blocks of a few thousand elements whose dtypes NumPy has already resolved
//! (`ufunc.resolve_dtypes` in the Python front), so each call does one dtype/op dispatch and then
//! runs one tight slice loop. Semantics follow NumPy 2.x on x86-64, value for value (see the tests).
//! Invariants: no panics on any input value, no allocation per element, and `out` keeps its
//! allocation when it already holds the output dtype.

mod binary;
mod cast;
mod complex_inverse;
mod complex_math;
mod dtype_rules;
mod float16;
mod float_parts;
mod loops;
pub(crate) mod numeric;
mod select;
mod unary;

pub use binary::binary_into;
pub use cast::{cast_flags, cast_into};
pub use dtype_rules::{binary_output_dtype, unary_output_dtype};
pub use loops::wide_loops;
pub use select::where_into;
pub use unary::unary_into;
