//! Elementwise chains fused at the level of nodes, before any task exists.
//!
//! Lowering an elementwise node gives one program that every block of the node runs (shared, not
//! copied per block). A producer whose only reader is an elementwise node of the same shape and
//! chunks is *absorbed*: it gets no tasks of its own; its program is carried into its reader's.
//! A `full` input becomes a constant of the program. So `(x + 1) * 2` over a million chunks makes
//! a million tasks sharing one program — not three million tasks, three million programs and a
//! million constant blocks for the task-level fusion pass to clean up.
//!
//! Building a chain this way is linear in its depth: the largest absorbed producer's program is
//! moved into its reader's, the reader's own instruction appended, the others copied.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::fperr::FpCheck;
use crate::program::{FusedProgram, Instr, Reg, Step};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A node's program and the nodes its tasks read, in the program's input order.
#[derive(Default)]
pub struct NodeProgram {
    pub program: FusedProgram,
    pub inputs: Vec<NodeRef>,
    /// Input number of each node in `inputs` (a node read twice is one input).
    numbers: HashMap<u64, usize>,
}

impl NodeProgram {
    fn number(&mut self, n: &NodeRef) -> usize {
        if let Some(&k) = self.numbers.get(&n.id) {
            return k;
        }
        self.inputs.push(Arc::clone(n));
        self.numbers.insert(n.id, self.inputs.len() - 1);
        self.inputs.len() - 1
    }
}

pub fn is_elementwise(n: &Node) -> bool {
    matches!(
        n.kind,
        NodeKind::Unary { .. }
            | NodeKind::Cast { .. }
            | NodeKind::Binary { .. }
            | NodeKind::Where { .. }
    )
}

/// The nodes whose tasks `n`'s tasks read: an elementwise node takes a `full` input as a
/// constant, so that input is not lowered for it.
pub fn lowered_inputs(n: &Node) -> Vec<&NodeRef> {
    let mut inputs = n.inputs();
    if is_elementwise(n) {
        inputs.retain(|i| !matches!(i.kind, NodeKind::Full { .. }));
    }
    inputs
}

/// Which nodes of `order` (the nodes about to be lowered, inputs first) are absorbed into their
/// reader: elementwise, not requested as an output, read by exactly one node of `order`, which
/// is elementwise and of the same shape and chunks, or a reduction (whose per-chunk tasks then
/// evaluate the program themselves).
pub fn absorbed(order: &[NodeRef], roots: &[NodeRef]) -> HashSet<u64> {
    let mut readers: HashMap<u64, (usize, Option<&NodeRef>)> = HashMap::new();
    for n in order {
        let mut inputs = lowered_inputs(n);
        inputs.sort_by_key(|i| i.id);
        inputs.dedup_by_key(|i| i.id);
        for i in inputs {
            let e = readers.entry(i.id).or_insert((0, None));
            e.0 += 1;
            e.1 = Some(n);
        }
    }
    let requested: HashSet<u64> = roots.iter().map(|r| r.id).collect();
    order
        .iter()
        .filter(|n| is_elementwise(n) && !requested.contains(&n.id))
        .filter(|n| match readers.get(&n.id) {
            Some((1, Some(r))) => {
                matches!(r.kind, NodeKind::Reduce { .. })
                    || (is_elementwise(r) && r.shape == n.shape && r.grid == n.grid)
            }
            _ => false,
        })
        .map(|n| n.id)
        .collect()
}

/// The program of elementwise node `node`, taking in the programs of its absorbed inputs (removed
/// from `pending`). `None` if `node` is not elementwise.
pub fn build(node: &Node, pending: &mut HashMap<u64, NodeProgram>) -> Option<NodeProgram> {
    let (sources, check): (Vec<&NodeRef>, Option<FpCheck>) = match &node.kind {
        NodeKind::Unary { x, fp, .. } => (vec![x], FpCheck::new(node.id, *fp)),
        NodeKind::Cast { x, fp } => (vec![x], FpCheck::new(node.id, *fp)),
        NodeKind::Binary { a, b, fp, .. } => (vec![a, b], FpCheck::new(node.id, *fp)),
        NodeKind::Where { cond, a, b } => (vec![cond, a, b], None),
        _ => return None,
    };
    // The longest absorbed program is moved, not copied: a deep chain is built in linear time.
    let base = sources
        .iter()
        .filter_map(|s| pending.get(&s.id).map(|p| (p.program.steps().len(), s.id)))
        .max()
        .map(|(_, id)| id);
    let mut out = base.and_then(|id| pending.remove(&id)).unwrap_or_default();
    let mut absorbed_result: HashMap<u64, Reg> = HashMap::new();
    if let Some(id) = base {
        absorbed_result.insert(id, out.program.steps().len() - 1);
    }
    let mut regs = Vec::with_capacity(sources.len());
    for s in &sources {
        if let Some(&r) = absorbed_result.get(&s.id) {
            regs.push(r);
            continue;
        }
        let reg = if let Some(inner) = pending.remove(&s.id) {
            let numbers: Vec<usize> = inner.inputs.iter().map(|n| out.number(n)).collect();
            let r = out.program.splice(&inner.program, |i| numbers[i]);
            let r = r.unwrap_or(0);
            absorbed_result.insert(s.id, r);
            r
        } else if let NodeKind::Full { value } = s.kind {
            out.program.push(Step::new(Instr::Const(value), s.dtype))
        } else {
            let k = out.number(s);
            out.program.push(Step::new(Instr::Input(k), s.dtype))
        };
        regs.push(reg);
    }
    let instr = match &node.kind {
        NodeKind::Unary { op, .. } => Instr::Unary(*op, regs[0]),
        NodeKind::Binary { op, .. } => Instr::Binary(*op, regs[0], regs[1]),
        NodeKind::Where { .. } => Instr::Where(regs[0], regs[1], regs[2]),
        _ => Instr::Cast(regs[0]),
    };
    out.program.push(Step {
        instr,
        dtype: node.dtype,
        check,
    });
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::construct::{binary, full, reduce, unary};
    use crate::expr::NodeRef;
    use crate::fperr::FpMode;
    use crate::result::plan;
    use crate::task::TaskKind;
    use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
    use oxarray_core::{ChunkGrid, DType, Scalar};
    use std::sync::Arc;

    fn full_f64(shape: &[usize], chunks: Vec<Vec<usize>>, v: f64) -> NodeRef {
        let grid = ChunkGrid::new(shape, chunks).unwrap();
        full(shape.to_vec(), DType::Float64, Scalar::Float(v), grid)
    }

    fn scalar(v: f64) -> NodeRef {
        full_f64(&[], vec![], v)
    }

    /// `sqrt((x + 1) * 2)` over 64 chunks: 64 tasks sharing one program, no constant blocks.
    #[test]
    fn a_chain_is_one_shared_program_per_node() {
        let x = full_f64(&[64], vec![vec![1; 64]], 3.0);
        let x = unary(UnaryOp::Negative, &x, FpMode::UNCHECKED).unwrap();
        let y = binary(BinaryOp::Add, &x, &scalar(1.0), FpMode::UNCHECKED).unwrap();
        let y = binary(BinaryOp::Multiply, &y, &scalar(2.0), FpMode::UNCHECKED).unwrap();
        let y = unary(UnaryOp::Sqrt, &y, FpMode::UNCHECKED).unwrap();
        let p = plan(&[y]).unwrap();
        assert_eq!(p.graph.len(), 64, "{:#?}", p.graph.tasks[0]);
        let TaskKind::Program(first) = &p.graph.tasks[0].kind else {
            panic!("not a program: {:?}", p.graph.tasks[0].kind)
        };
        assert_eq!(first.op_count(), 4);
        for t in &p.graph.tasks {
            assert!(t.deps.is_empty());
            assert!(matches!(&t.kind, TaskKind::Program(q) if Arc::ptr_eq(q, first)));
        }
    }

    fn program_tasks(outputs: &[NodeRef]) -> usize {
        let p = plan(outputs).unwrap();
        let programs = p.graph.tasks.iter();
        programs
            .filter(|t| matches!(t.kind, TaskKind::Program(_)))
            .count()
    }

    /// A reduction of a chain evaluates the chain in its per-chunk tasks; a node that is also
    /// requested keeps its own tasks (and is computed once).
    #[test]
    fn reductions_take_the_chain_and_outputs_keep_their_tasks() {
        let x = full_f64(&[8, 4], vec![vec![2; 4], vec![4]], 1.5);
        let x = unary(UnaryOp::Negative, &x, FpMode::UNCHECKED).unwrap();
        let y = binary(BinaryOp::Multiply, &x, &x, FpMode::UNCHECKED).unwrap();
        let s = reduce(ReduceOp::Sum, &y, vec![0, 1], false, None).unwrap();
        assert_eq!(program_tasks(std::slice::from_ref(&s)), 0);
        assert_eq!(
            program_tasks(&[s, y]),
            4,
            "y is requested: its 4 blocks are tasks"
        );
    }
}
