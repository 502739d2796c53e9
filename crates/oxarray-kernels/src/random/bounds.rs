//! Per-element bounds of `integers` with array-valued `low`/`high` (NumPy broadcasts them against
//! the result). The bounds are small arrays held by the distribution itself, so the random array
//! stays a source with no inputs; element `i` finds its bounds from its own flat index, which
//! keeps the values independent of the chunking.

use oxarray_core::{OxError, OxResult};

/// `low` and `span` (`high - low`, inclusive) of every position of a bounds array, and how a flat
/// index of the result maps onto it.
#[derive(Clone, Debug, PartialEq)]
pub struct IntBounds {
    /// The result's shape.
    full: Vec<usize>,
    /// The bounds' C strides aligned to `full`'s axes, 0 where the bounds broadcast.
    strides: Vec<usize>,
    low: Vec<i128>,
    span: Vec<u64>,
}

impl IntBounds {
    /// Bounds of shape `shape` (C order) for a result of shape `full`; `shape` must broadcast to
    /// `full` (aligned on the right, size-1 axes repeat).
    pub fn new(full: &[usize], shape: &[usize], low: Vec<i128>, span: Vec<u64>) -> OxResult<Self> {
        let size: usize = shape.iter().product();
        if low.len() != size || span.len() != size {
            return Err(OxError::Internal(
                "integers: bounds do not match their shape".into(),
            ));
        }
        let off = full
            .len()
            .checked_sub(shape.len())
            .ok_or_else(|| OxError::Internal("integers: bounds have too many axes".into()))?;
        let mut strides = vec![0usize; full.len()];
        let mut step = 1usize;
        for (a, &n) in shape.iter().enumerate().rev() {
            if n != 1 && n != full[off + a] {
                return Err(OxError::Internal(
                    "integers: bounds do not broadcast to the result".into(),
                ));
            }
            strides[off + a] = if n == 1 { 0 } else { step };
            step *= n;
        }
        Ok(IntBounds {
            full: full.to_vec(),
            strides,
            low,
            span,
        })
    }

    /// The fields `(full, strides, low, span)`, for serialization (`oxarray-graph::serialize`).
    pub fn parts(&self) -> (&[usize], &[usize], &[i128], &[u64]) {
        (&self.full, &self.strides, &self.low, &self.span)
    }

    /// Rebuilds bounds from [`IntBounds::parts`]. Any parts are safe: [`IntBounds::at`] never
    /// indexes out of bounds.
    pub fn from_parts(
        full: Vec<usize>,
        strides: Vec<usize>,
        low: Vec<i128>,
        span: Vec<u64>,
    ) -> Self {
        IntBounds {
            full,
            strides,
            low,
            span,
        }
    }

    /// `(low, span)` of flat result index `i` (indices past the end wrap; never panics).
    #[inline]
    pub fn at(&self, i: u64) -> (i128, u64) {
        let mut rest = i as usize;
        let mut j = 0usize;
        for (&n, &st) in self.full.iter().zip(&self.strides).rev() {
            let n = n.max(1);
            j += (rest % n) * st;
            rest /= n;
        }
        match (self.low.get(j), self.span.get(j)) {
            (Some(&l), Some(&s)) => (l, s),
            _ => (0, 0),
        }
    }
}
