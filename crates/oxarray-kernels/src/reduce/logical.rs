//! `any`/`all` over any dtype: the nonzero test (NaN is truthy). Partial: `[bool]`. A run stops
//! reading as soon as its answer is known.

use super::engine::{reduce_axes, Reducer};
use super::num::Num;
use super::parts::fold_part;
use super::Partial;
use ndarray::ArrayD;
use oxarray_core::{dispatch_typed, Chunk, OxResult};

struct Truth<const ALL: bool>;

impl<T: Num, const ALL: bool> Reducer<T> for Truth<ALL> {
    type Acc = bool;
    fn init(&self, _: usize) -> bool {
        ALL
    }
    #[inline]
    fn push(&self, acc: &mut bool, x: T, _: usize) {
        if ALL {
            *acc &= x.truthy();
        } else {
            *acc |= x.truthy();
        }
    }
    fn merge(&self, into: &mut bool, other: bool) {
        if ALL {
            *into &= other;
        } else {
            *into |= other;
        }
    }
    fn fold_run(&self, acc: &mut bool, xs: &[T], _: usize) {
        if ALL {
            *acc = *acc && xs.iter().all(|x| x.truthy());
        } else {
            *acc = *acc || xs.iter().any(|x| x.truthy());
        }
    }
}

fn truth<T: Num>(x: &ArrayD<T>, axes: &[usize], all: bool) -> OxResult<ArrayD<bool>> {
    if all {
        reduce_axes(x, axes, &Truth::<true>)
    } else {
        reduce_axes(x, axes, &Truth::<false>)
    }
}

pub(crate) fn partial(x: &Chunk, axes: &[usize], all: bool) -> OxResult<Partial> {
    let v = dispatch_typed!(Chunk, x, a => truth(a, axes, all))?;
    Ok(Partial {
        parts: vec![Chunk::from_array(v)],
    })
}

pub(crate) fn combine(pieces: &[&Partial], all: bool) -> OxResult<Partial> {
    let f = if all {
        |a: bool, b: bool| a & b
    } else {
        |a: bool, b: bool| a | b
    };
    Ok(Partial {
        parts: vec![Chunk::from_array(fold_part::<bool>(pieces, 0, f)?)],
    })
}
