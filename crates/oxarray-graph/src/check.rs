//! Value checks that NumPy makes on the data: `np.nanmean` of an all-NaN slice warns "Mean of
//! empty slice", `np.nanargmin` of one raises ValueError. A lazy array only knows the values at
//! compute, so the check is a node: it passes `x` through unchanged (no copy) and looks at a
//! boolean `flag` of the same shape and grid. Any true element either fails the run with a
//! ValueError or records a warning that the bindings issue when the run returns.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::lower::Lowering;
use crate::task::{Task, TaskId, TaskKind, Value};
use oxarray_core::{Chunk, DType, OxError, OxResult};
use std::sync::{Arc, Mutex};

/// What a true flag means.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckAction {
    /// Fail the run with NumPy's ValueError and this message.
    Error(Arc<str>),
    /// Fail the run with Python's ZeroDivisionError and this message.
    ZeroDivision(Arc<str>),
    /// Record a RuntimeWarning with this message (issued once per run by the bindings).
    Warn(Arc<str>),
}

/// Warnings recorded by the checks of runs in progress. Process-wide: two runs computed at the
/// same time from two Python threads may each issue the other's warnings (never lose them).
static PENDING: Mutex<Vec<Arc<str>>> = Mutex::new(Vec::new());

/// The warnings recorded since the last call, each message once, in the order first recorded.
pub fn take_warnings() -> Vec<String> {
    let mut pending = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let mut out: Vec<String> = Vec::new();
    for m in pending.drain(..) {
        if !out.iter().any(|o| o.as_str() == &*m) {
            out.push(m.to_string());
        }
    }
    out
}

/// `x`, checked against `flag` (bool, same shape and chunk grid) when computed.
pub fn check(x: &NodeRef, flag: &NodeRef, action: CheckAction) -> OxResult<NodeRef> {
    if flag.dtype != DType::Bool || flag.shape != x.shape || flag.grid != x.grid {
        return Err(OxError::Internal(
            "check: the flag must be a bool array of the checked array's shape and chunks".into(),
        ));
    }
    Ok(Node::new(
        x.shape.clone(),
        x.dtype,
        x.grid.clone(),
        NodeKind::Check {
            x: Arc::clone(x),
            flag: Arc::clone(flag),
            action,
        },
    ))
}

/// One task per block of `x`: (block of x, block of flag) -> block of x.
pub(crate) fn lower(
    lw: &mut Lowering,
    node: &Node,
    x: &NodeRef,
    flag: &NodeRef,
    action: &CheckAction,
) -> OxResult<Vec<TaskId>> {
    let xs = lw.input(x)?.clone();
    let fs = lw.input(flag)?.clone();
    let mut out = Vec::with_capacity(xs.len());
    for (lin, (xt, ft)) in xs.iter().zip(&fs).enumerate() {
        let idx = node.grid.unravel(lin);
        out.push(lw.graph.push(Task {
            kind: TaskKind::Check(action.clone()),
            deps: vec![*xt, *ft],
            shape: node.grid.block_shape(&idx).into(),
            dtype: node.dtype,
        }));
    }
    Ok(out)
}

/// Runs one check task: the first dependency passes through when the second has no true element.
pub(crate) fn run(action: &CheckAction, deps: &[&Value]) -> OxResult<Value> {
    let (Some(Value::Chunk(x)), Some(Value::Chunk(flag))) = (deps.first(), deps.get(1)) else {
        return Err(OxError::Internal("check: expected two chunks".into()));
    };
    if any_true(flag)? {
        match action {
            CheckAction::Error(m) => return Err(OxError::Value(m.to_string())),
            CheckAction::ZeroDivision(m) => return Err(OxError::ZeroDivision(m.to_string())),
            CheckAction::Warn(m) => PENDING
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Arc::clone(m)),
        }
    }
    Ok(Value::Chunk(Arc::clone(x)))
}

fn any_true(flag: &Chunk) -> OxResult<bool> {
    flag.as_array::<bool>()
        .map(|a| a.iter().any(|&b| b))
        .ok_or_else(|| OxError::Internal("check: the flag is not bool".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn bools(v: Vec<bool>) -> Value {
        let n = v.len();
        Value::Chunk(Arc::new(Chunk::from_array(
            ArrayD::from_shape_vec(IxDyn(&[n]), v).expect("shape"),
        )))
    }

    #[test]
    fn passes_through_or_fails() {
        let x = bools(vec![true, false]);
        let ok = bools(vec![false, false]);
        let bad = bools(vec![false, true]);
        let err = CheckAction::Error("All-NaN slice encountered".into());
        assert!(matches!(run(&err, &[&x, &ok]), Ok(Value::Chunk(_))));
        assert_eq!(
            run(&err, &[&x, &bad]).err(),
            Some(OxError::Value("All-NaN slice encountered".into()))
        );
        let warn = CheckAction::Warn("unit-test warning".into());
        assert!(run(&warn, &[&x, &bad]).is_ok());
        assert!(run(&warn, &[&x, &bad]).is_ok());
        let got = take_warnings();
        assert_eq!(
            got.iter()
                .filter(|m| m.as_str() == "unit-test warning")
                .count(),
            1
        );
    }
}
