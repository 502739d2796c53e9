//! Typed access to the components of partials, shared by every op: borrowing a component as
//! `ArrayD<A>`, folding one component across the pieces of a combine, and the `count` component.
//!
//! Invariant relied on by `combine`: every piece of one combine has the same shape, since the
//! reduced axes of a partial have length 1 and the pieces differ only along reduced axes.

use super::num::Num;
use super::Partial;
use ndarray::{ArrayD, IxDyn, Zip};
use oxarray_core::{Chunk, OxError, OxResult};

/// Component `k` of `p` as an array of `A`.
pub(crate) fn part<A: Num>(p: &Partial, k: usize) -> OxResult<&ArrayD<A>> {
    let c = p
        .parts
        .get(k)
        .ok_or_else(|| internal(format!("partial has no component {k}")))?;
    A::unwrap(c).ok_or_else(|| {
        internal(format!(
            "component {k} of a partial is {}, expected {}",
            c.dtype(),
            A::DTYPE
        ))
    })
}

/// Folds component `k` elementwise over all pieces, in order.
pub(crate) fn fold_part<A: Num>(
    pieces: &[&Partial],
    k: usize,
    f: impl Fn(A, A) -> A,
) -> OxResult<ArrayD<A>> {
    let (first, rest) = pieces
        .split_first()
        .ok_or_else(|| internal("combine of zero pieces".into()))?;
    let mut out = part::<A>(first, k)?.clone();
    for p in rest {
        let b = same_shape(part::<A>(p, k)?, out.shape())?;
        Zip::from(&mut out).and(b).for_each(|o, &b| *o = f(*o, b));
    }
    Ok(out)
}

/// Checks that a piece has the expected shape (all pieces of a combine must agree).
pub(crate) fn same_shape<'a, A>(a: &'a ArrayD<A>, shape: &[usize]) -> OxResult<&'a ArrayD<A>> {
    if a.shape() == shape {
        Ok(a)
    } else {
        Err(internal(format!(
            "combine: piece shape {:?} differs from {:?}",
            a.shape(),
            shape
        )))
    }
}

/// The `count` component: how many elements each output position reduced.
pub(crate) fn count_chunk(shape: &[usize], n: usize) -> Chunk {
    Chunk::from_array(ArrayD::from_elem(IxDyn(shape), n as i64))
}

/// The shape of a chunk reduced over `axes` with the axes kept as length 1.
pub(crate) fn kept_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    shape
        .iter()
        .enumerate()
        .map(|(d, &n)| if axes.contains(&d) { 1 } else { n })
        .collect()
}

/// How many elements of a chunk of `shape` fall into one output position.
pub(crate) fn reduced_len(shape: &[usize], axes: &[usize]) -> usize {
    axes.iter().map(|&a| shape[a]).product()
}

pub(crate) fn internal(msg: String) -> OxError {
    OxError::Internal(format!("reduce: {msg}"))
}
