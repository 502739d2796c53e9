//! Taking rows (along the first axis) by indices known when the graph is built: the node behind
//! `permutation(x)` and `choice(x, ...)` of an array. Each output block reads only the input
//! blocks that hold its rows.

use crate::expr::{Node, NodeKind, NodeRef};
use oxarray_core::grid::regular;
use oxarray_core::{ChunkGrid, OxError, OxResult};
use std::sync::Arc;

/// `x[rows]` along axis 0; the output is cut like `x` along the other axes and by `x`'s first
/// chunk size along axis 0.
pub fn take_rows(x: &NodeRef, rows: Vec<usize>) -> OxResult<NodeRef> {
    let n = *x
        .shape
        .first()
        .ok_or_else(|| OxError::Value("cannot take rows of a 0-d array".into()))?;
    if let Some(&bad) = rows.iter().find(|&&r| r >= n) {
        return Err(OxError::Index(format!(
            "index {bad} is out of bounds for axis 0 with size {n}"
        )));
    }
    let mut shape = x.shape.clone();
    shape[0] = rows.len();
    let mut chunks = x.grid.chunks().to_vec();
    chunks[0] = regular(rows.len(), chunks[0][0]);
    let grid = ChunkGrid::new(&shape, chunks)?;
    Ok(Node::new(
        shape,
        x.dtype,
        grid,
        NodeKind::TakeRows {
            x: Arc::clone(x),
            rows: Arc::new(rows),
        },
    ))
}

/// For the output rows `rows` of one block: the input blocks along axis 0 it reads (in order of
/// first use) and, per row, (position in that list, row inside the block).
pub fn rows_plan(rows: &[usize], in_bounds: &[usize]) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut blocks: Vec<usize> = Vec::new();
    // Position of each input block in `blocks` (a table, not a search: an output block may read
    // from thousands of input blocks).
    let mut slot: Vec<Option<usize>> = vec![None; in_bounds.len()];
    let mut plan = Vec::with_capacity(rows.len());
    for &r in rows {
        // in_bounds = [0, b1, b2, ..., n]: the block holding r is the last bound <= r.
        let blk = in_bounds.partition_point(|&b| b <= r).saturating_sub(1);
        let pos = match slot.get(blk).copied().flatten() {
            Some(p) => p,
            None => {
                blocks.push(blk);
                if let Some(s) = slot.get_mut(blk) {
                    *s = Some(blocks.len() - 1);
                }
                blocks.len() - 1
            }
        };
        plan.push((pos, r - in_bounds[blk]));
    }
    (blocks, plan)
}

#[cfg(test)]
mod tests {
    use super::rows_plan;

    #[test]
    fn rows_plan_lists_blocks_in_order_of_first_use() {
        // Blocks [0, 2), [2, 5), [5, 6).
        let (blocks, plan) = rows_plan(&[5, 0, 3, 1, 5], &[0, 2, 5, 6]);
        assert_eq!(blocks, vec![2, 0, 1]);
        assert_eq!(plan, vec![(0, 0), (1, 0), (2, 1), (1, 1), (0, 0)]);
    }
}
