//! oxarray-kernels: the loops that touch array data, generic over dtype.
//!
//! Everything here is a pure function of chunk buffers: no graph, no scheduling, no PyO3. A kernel
//! body is written once over [`oxarray_core::Element`] (or a numeric trait) and dispatched per dtype
//! by `oxarray_core::dispatch_*`; parallelism inside one large chunk uses rayon.

pub mod bandwidth;
pub mod bits;
pub mod compress;
pub mod create;
pub mod elementwise;
pub mod fft;
pub mod float16;
pub mod histogram;
pub mod layout;
pub mod linalg;
pub mod matmul;
pub mod random;
pub mod reduce;
pub mod scan;
pub mod sets;
pub mod signal;
pub mod sort;
pub mod stream;
pub mod take;
