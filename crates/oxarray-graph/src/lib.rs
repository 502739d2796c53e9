//! oxarray-graph: from what the user asked for to what runs.
//!
//! [`expr`] holds the expression graph (one node per NumPy-level call, shapes and dtypes known at
//! construction; built by [`construct`]); [`lower`] turns it into a [`task::TaskGraph`] over chunks;
//! [`optimize`] fuses and culls it; [`exec`] runs it on a thread pool; [`result`] assembles output
//! chunks; [`dot`] draws it. No PyO3 here: the bindings crate calls [`compute`] and friends.

pub mod batched;
pub mod bits;
pub mod callback;
pub mod check;
pub mod construct;
pub mod contract;
pub mod diagnostics;
pub mod dot;
pub mod draw;
pub mod exec;
pub mod expr;
pub mod fft;
pub mod fperr;
pub mod graph_bytes;
pub mod indexing;
pub mod inline;
pub mod linalg;
pub mod lower;
pub mod memory;
pub mod multi;
pub mod node_program;
pub mod optimize;
pub mod ordering;
pub mod program;
pub mod random;
pub mod result;
pub mod scan;
pub mod select;
pub mod serialize;
pub mod sets;
pub mod signal;
pub mod sort;
pub mod stream_reduce;
pub mod take;
pub mod task;

pub use expr::{Node, NodeKind, NodeRef};
pub use result::{compute, compute_logged, persist, persist_logged, plan, Plan};
