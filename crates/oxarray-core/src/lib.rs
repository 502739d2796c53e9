//! oxarray-core: the vocabulary every other crate speaks.
//!
//! Owns dtypes ([`DType`], [`Scalar`]), chunk buffers ([`Chunk`], [`Column`]), chunk grids
//! ([`ChunkGrid`]), shape rules (broadcasting, axis normalization), the op catalogue ([`ops`]) and
//! the one error enum ([`OxError`]). Invariants: no PyO3 here, no threads here, and a published
//! `Chunk` is never mutated (it is shared behind `Arc`).

pub mod buffer;
pub mod cancel;
pub mod chunk;
pub mod column_ref;
pub mod dtype;
pub mod error;
pub mod fpflags;
pub mod grid;
pub mod ops;
pub mod pool;
pub mod shape;

pub use chunk::{Chunk, Column};
pub use column_ref::{ColumnRef, SliceElem};
pub use dtype::{DType, Element, Scalar, C32, C64, F16};
pub use error::{OxError, OxResult};
pub use grid::ChunkGrid;
