//! `where(cond, a, b)`: the select of a fused program (also the tail of masked ops).

use super::loops::{same_typed, select_into};
use oxarray_core::{dispatch_typed, Column, ColumnRef, OxError, OxResult};

/// out := where(cond, a, b); `cond` is bool, `a` and `b` share a dtype, all have one length.
pub fn where_into<'c, 'a, 'b>(
    cond: impl Into<ColumnRef<'c>>,
    a: impl Into<ColumnRef<'a>>,
    b: impl Into<ColumnRef<'b>>,
    out: &mut Column,
) -> OxResult<()> {
    let (cond, a, b) = (cond.into(), a.into(), b.into());
    let ColumnRef::Bool(c) = cond else {
        return Err(OxError::Internal(format!(
            "where: condition has dtype {}, not bool",
            cond.dtype()
        )));
    };
    dispatch_typed!(ColumnRef, a, av => {
        let bv = same_typed(av, b, "where")?;
        if c.len() != av.len() {
            return Err(OxError::Internal(format!("where: condition has length {}, operands {}", c.len(), av.len())));
        }
        select_into(out, c, av, bv);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxarray_core::C32;

    #[test]
    fn selects_per_element_and_reuses_out() {
        let cond = Column::Bool(vec![true, false, true]);
        let mut out = Column::Int16(Vec::with_capacity(16));
        where_into(
            &cond,
            &Column::Int16(vec![1, 2, 3]),
            &Column::Int16(vec![-1, -2, -3]),
            &mut out,
        )
        .expect("same dtype");
        assert_eq!(out, Column::Int16(vec![1, -2, 3]));
        let Column::Int16(v) = &out else {
            unreachable!()
        };
        assert!(v.capacity() >= 16);
        let a = Column::Complex64(vec![C32::new(1.0, 1.0); 3]);
        let b = Column::Complex64(vec![C32::new(0.0, -1.0); 3]);
        where_into(&cond, &a, &b, &mut out).expect("same dtype");
        assert_eq!(out.dtype(), oxarray_core::DType::Complex64);
    }

    #[test]
    fn rejects_bad_operands() {
        let mut out = Column::Bool(vec![]);
        let one = Column::Float64(vec![1.0]);
        assert!(where_into(&Column::Int8(vec![1]), &one, &one, &mut out).is_err());
        assert!(where_into(&Column::Bool(vec![true, false]), &one, &one, &mut out).is_err());
        assert!(where_into(
            &Column::Bool(vec![true]),
            &one,
            &Column::Float32(vec![1.0]),
            &mut out
        )
        .is_err());
    }
}
