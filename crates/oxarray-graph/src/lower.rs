//! Lowering: the expression graph becomes a task graph over chunks, one task per output block of
//! each node (elementwise nodes become one-instruction programs that `optimize::fuse` merges).
//! Shared sub-expressions are lowered once, which is how `compute(a, b)` shares common work.

use crate::expr::{Node, NodeKind, NodeRef};
use crate::fperr::FpCheck;
use crate::node_program;
use crate::task::{Task, TaskGraph, TaskId, TaskKind};
use oxarray_core::shape::c_strides;
use oxarray_core::{ChunkGrid, OxError, OxResult};
use oxarray_kernels::layout::{AxisSel, Piece};
use std::collections::HashMap;
use std::sync::Arc;

/// The most tasks one plan may hold (a task is ~100 bytes of bookkeeping before any data).
pub const MAX_TASKS: usize = 1 << 25;

/// What a reduction node reduces, and how its tree is cut.
#[derive(Clone, Copy)]
struct ReduceShape<'a> {
    op: oxarray_core::ops::ReduceOp,
    axes: &'a [usize],
    keepdims: bool,
    split_every: usize,
}

#[derive(Default)]
pub struct Lowering {
    pub graph: TaskGraph,
    memo: HashMap<u64, Vec<TaskId>>,
    /// Tasks of each multi-output op (by op id): per output, per block.
    multi: HashMap<u64, Vec<Vec<TaskId>>>,
    /// Programs of absorbed nodes, waiting for their reader (see [`node_program`]).
    pending: HashMap<u64, node_program::NodeProgram>,
}

impl Lowering {
    pub fn new() -> Self {
        Self::default()
    }

    /// The tasks producing each block of `node` (C order of its grid), lowering what it needs.
    pub fn lower(&mut self, node: &NodeRef) -> OxResult<Vec<TaskId>> {
        let mut tasks = self.lower_all(std::slice::from_ref(node))?;
        tasks
            .pop()
            .ok_or_else(|| OxError::Internal("lowering lost a node".into()))
    }

    /// [`Lowering::lower`] of several nodes at once (their shared inputs lowered once).
    pub fn lower_all(&mut self, roots: &[NodeRef]) -> OxResult<Vec<Vec<TaskId>>> {
        // Post-order without recursion: expression chains can be deeper than the stack.
        let mut order: Vec<NodeRef> = Vec::new();
        let mut stack: Vec<(NodeRef, bool)> =
            roots.iter().rev().map(|r| (Arc::clone(r), false)).collect();
        let mut seen: std::collections::HashSet<u64> = self.memo.keys().copied().collect();
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                order.push(n);
                continue;
            }
            if !seen.insert(n.id) {
                continue;
            }
            stack.push((Arc::clone(&n), true));
            for i in node_program::lowered_inputs(&n) {
                if !seen.contains(&i.id) {
                    stack.push((Arc::clone(i), false));
                }
            }
        }
        let absorbed = node_program::absorbed(&order, roots);
        for n in order {
            if absorbed.contains(&n.id) {
                // No tasks: its program goes into its one reader's (see `node_program`).
                let p = node_program::build(&n, &mut self.pending)
                    .ok_or_else(|| OxError::Internal("absorbed a node without a program".into()))?;
                self.pending.insert(n.id, p);
                continue;
            }
            // Every node adds about one task per block: refuse (or fail to allocate) cleanly
            // before the list grows, never abort on a failed push.
            let blocks = n.grid.nblocks();
            if self.graph.len() + blocks > MAX_TASKS {
                return Err(OxError::Value(format!(
                    "the plan needs more than {MAX_TASKS} tasks (oxarray's limit); use larger \
                     chunks or compute in steps (persist)"
                )));
            }
            self.graph.tasks.try_reserve(2 * blocks).map_err(|_| {
                OxError::Memory(format!(
                    "Unable to allocate a plan of {} tasks",
                    self.graph.len() + blocks
                ))
            })?;
            let tasks = self.lower_one(&n)?;
            self.memo.insert(n.id, tasks);
        }
        roots
            .iter()
            .map(|r| {
                self.memo
                    .get(&r.id)
                    .cloned()
                    .ok_or_else(|| OxError::Internal("lowering lost a node".into()))
            })
            .collect()
    }

    pub(crate) fn input(&self, n: &NodeRef) -> OxResult<&Vec<TaskId>> {
        self.memo
            .get(&n.id)
            .ok_or_else(|| OxError::Internal("input lowered after its consumer".into()))
    }

    fn push(&mut self, kind: TaskKind, deps: Vec<TaskId>, node: &Node, idx: &[usize]) -> TaskId {
        self.graph.push(Task {
            kind,
            deps,
            shape: node.grid.block_shape(idx).into(),
            dtype: node.dtype,
        })
    }

    /// The task of `input`'s block feeding output block `out_idx` of a broadcasting op.
    fn broadcast_dep(&self, input: &NodeRef, out: &Node, out_idx: &[usize]) -> OxResult<TaskId> {
        let off = out.ndim() - input.ndim();
        let idx: Vec<usize> = (0..input.ndim())
            .map(|i| {
                if input.shape[i] == out.shape[off + i] {
                    out_idx[off + i]
                } else {
                    0
                }
            })
            .collect();
        Ok(self.input(input)?[input.grid.linear(&idx)])
    }

    fn lower_one(&mut self, node: &NodeRef) -> OxResult<Vec<TaskId>> {
        let grid = node.grid.clone();
        let mut out = Vec::with_capacity(grid.nblocks());
        match &node.kind {
            NodeKind::Concatenate { xs, axis } => return self.lower_concatenate(node, xs, *axis),
            NodeKind::Reduce {
                op,
                x,
                axes,
                keepdims,
                split_every,
                fp,
                fp_final,
            } => {
                let shape = ReduceShape {
                    op: *op,
                    axes,
                    keepdims: *keepdims,
                    split_every: *split_every,
                };
                let checks = (
                    FpCheck::new(node.id, *fp).map(Arc::new),
                    FpCheck::part(node.id, 1, *fp_final).map(Arc::new),
                );
                return self.lower_reduce(node, x, shape, checks);
            }
            NodeKind::Pick { op, k } => return self.lower_pick(op, *k),
            NodeKind::Index(op) => return crate::indexing::lower(self, node, op),
            NodeKind::Sets(op) => return crate::sets::lower(self, node, op),
            NodeKind::Signal(op) => return crate::signal::lower(self, node, op),
            NodeKind::Bits(op) => return crate::bits::lower(self, node, op),
            NodeKind::Callback(op) => return crate::callback::lower(self, node, op),
            NodeKind::Ordering(op) => return crate::ordering::lower(self, node, op),
            NodeKind::Sort { x, op } => return crate::sort::lower(self, node, x, op),
            NodeKind::Scan { x, op, fp } => return crate::scan::lower(self, node, x, op, *fp),
            NodeKind::Check { x, flag, action } => {
                return crate::check::lower(self, node, x, flag, action)
            }
            NodeKind::Fft { x, plan } => return crate::fft::lower(self, node, x, plan),
            _ => {}
        }
        let shared_shape: Arc<[usize]> = Arc::from(node.shape.as_slice());
        if let Some(np) = node_program::build(node, &mut self.pending) {
            let program = Arc::new(np.program);
            for idx in grid.block_indices() {
                let deps = np
                    .inputs
                    .iter()
                    .map(|x| self.broadcast_dep(x, node, &idx))
                    .collect::<OxResult<Vec<TaskId>>>()?;
                out.push(self.push(TaskKind::Program(Arc::clone(&program)), deps, node, &idx));
            }
            return Ok(out);
        }
        for (lin, idx) in grid.block_indices().enumerate() {
            let idx = &idx;
            let (kind, deps) = match &node.kind {
                NodeKind::Literal { chunks } => {
                    (TaskKind::Literal(Arc::clone(&chunks[lin])), vec![])
                }
                NodeKind::Full { value } => (TaskKind::Fill(*value), vec![]),
                NodeKind::Arange { start, step } => (
                    TaskKind::Arange {
                        start: *start,
                        step: *step,
                        offset: grid.block_offset(idx)[0],
                    },
                    vec![],
                ),
                NodeKind::Linspace {
                    start,
                    stop,
                    num,
                    endpoint,
                } => (
                    TaskKind::Linspace {
                        start: *start,
                        stop: *stop,
                        num: *num,
                        endpoint: *endpoint,
                        offset: grid.block_offset(idx)[0],
                    },
                    vec![],
                ),
                NodeKind::TakeRows { x, rows } => {
                    let start = grid.block_offset(idx)[0];
                    let mine = &rows[start..start + grid.block_shape(idx)[0]];
                    let (blocks, plan) = crate::take::rows_plan(mine, x.grid.axis_bounds(0));
                    let inputs = self.input(x)?;
                    let deps = blocks
                        .iter()
                        .map(|&b| {
                            let mut i = idx.clone();
                            i[0] = b;
                            inputs[x.grid.linear(&i)]
                        })
                        .collect();
                    (TaskKind::TakeRows(plan), deps)
                }
                NodeKind::Random { stream, dist } => (
                    TaskKind::Random {
                        stream: *stream,
                        dist: dist.clone(),
                        offset: grid.block_offset(idx),
                        full_shape: Arc::clone(&shared_shape),
                    },
                    vec![],
                ),
                NodeKind::Eye { k } => {
                    let o = grid.block_offset(idx);
                    (
                        TaskKind::Eye {
                            k: *k,
                            offset: [o[0], o[1]],
                        },
                        vec![],
                    )
                }
                NodeKind::BroadcastTo { x } => {
                    (TaskKind::Broadcast, vec![self.broadcast_dep(x, node, idx)?])
                }
                NodeKind::Transpose { x, perm } => {
                    let mut in_idx = vec![0; idx.len()];
                    for (i, &p) in perm.iter().enumerate() {
                        in_idx[p] = idx[i];
                    }
                    (
                        TaskKind::Transpose(perm.clone()),
                        vec![self.input(x)?[x.grid.linear(&in_idx)]],
                    )
                }
                NodeKind::Matmul { a, b, fp } => {
                    if let Some(kd) = crate::contract::lower_block(self, node, (a, b, *fp), idx)? {
                        out.push(self.push(kd.0, kd.1, node, idx));
                        continue;
                    }
                    let check = FpCheck::new(node.id, *fp).map(Arc::new);
                    (TaskKind::Matmul(check), self.matmul_deps(node, a, b, idx)?)
                }
                NodeKind::Slice { x, axes } => {
                    let mut in_idx = Vec::with_capacity(axes.len());
                    let mut src = Vec::with_capacity(axes.len());
                    for (d, s) in axes.iter().enumerate() {
                        let bounds = x.grid.axis_bounds(d);
                        let first_out = grid.block_offset(idx)[d];
                        let len = grid.chunks()[d][idx[d]];
                        if s.len == 0 {
                            in_idx.push(0);
                            src.push(AxisSel {
                                start: 0,
                                step: 1,
                                len: 0,
                            });
                            continue;
                        }
                        let i = (s.start as isize + first_out as isize * s.step) as usize;
                        let b = bounds.partition_point(|&e| e <= i) - 1;
                        in_idx.push(b);
                        src.push(AxisSel {
                            start: i - bounds[b],
                            step: s.step,
                            len,
                        });
                    }
                    let piece = Piece {
                        dep: 0,
                        src,
                        dst_offset: vec![0; axes.len()],
                    };
                    (
                        TaskKind::Assemble(vec![piece]),
                        vec![self.input(x)?[x.grid.linear(&in_idx)]],
                    )
                }
                NodeKind::Rechunk { x } => self.rechunk_pieces(x, &grid, idx)?,
                NodeKind::Reshape { x } => self.reshape_block(node, x, idx)?,
                NodeKind::Unary { .. }
                | NodeKind::Cast { .. }
                | NodeKind::Binary { .. }
                | NodeKind::Where { .. } => unreachable!("elementwise: lowered above"),
                NodeKind::Concatenate { .. }
                | NodeKind::Reduce { .. }
                | NodeKind::Pick { .. }
                | NodeKind::Index(_)
                | NodeKind::Sets(_)
                | NodeKind::Signal(_)
                | NodeKind::Bits(_)
                | NodeKind::Callback(_)
                | NodeKind::Ordering(_)
                | NodeKind::Sort { .. }
                | NodeKind::Scan { .. }
                | NodeKind::Check { .. }
                | NodeKind::Fft { .. } => unreachable!("handled above"),
            };
            out.push(self.push(kind, deps, node, idx));
        }
        Ok(out)
    }

    /// Output `k` of a multi-output op, lowering the op on first use only.
    fn lower_pick(&mut self, op: &Arc<crate::multi::MultiOp>, k: usize) -> OxResult<Vec<TaskId>> {
        if !self.multi.contains_key(&op.id) {
            let outs = match &op.kind {
                crate::multi::MultiKind::Linalg(l) => crate::linalg::lower(self, op, l)?,
            };
            self.multi.insert(op.id, outs);
        }
        self.multi
            .get(&op.id)
            .and_then(|o| o.get(k))
            .cloned()
            .ok_or_else(|| OxError::Internal("multi-output op lost an output".into()))
    }

    fn matmul_deps(
        &self,
        out: &Node,
        a: &NodeRef,
        b: &NodeRef,
        idx: &[usize],
    ) -> OxResult<Vec<TaskId>> {
        let nb = out.ndim() - 2;
        let batch_idx = |x: &NodeRef| -> Vec<usize> {
            let nbx = x.ndim() - 2;
            (0..nbx)
                .map(|t| {
                    if x.shape[t] == out.shape[nb - nbx + t] {
                        idx[nb - nbx + t]
                    } else {
                        0
                    }
                })
                .collect()
        };
        let kblocks = a.grid.numblocks()[a.ndim() - 1];
        let (i, j) = (idx[nb], idx[nb + 1]);
        let mut deps = Vec::with_capacity(2 * kblocks);
        for kb in 0..kblocks {
            let mut ai = batch_idx(a);
            ai.extend([i, kb]);
            let mut bi = batch_idx(b);
            bi.extend([kb, j]);
            deps.push(self.input(a)?[a.grid.linear(&ai)]);
            deps.push(self.input(b)?[b.grid.linear(&bi)]);
        }
        Ok(deps)
    }

    fn rechunk_pieces(
        &self,
        x: &NodeRef,
        grid: &ChunkGrid,
        idx: &[usize],
    ) -> OxResult<(TaskKind, Vec<TaskId>)> {
        // Per axis: the input blocks overlapping this output block, with local ranges.
        let offset = grid.block_offset(idx);
        let shape = grid.block_shape(idx);
        let mut per_axis: Vec<Vec<(usize, AxisSel, usize)>> = Vec::with_capacity(idx.len());
        for d in 0..idx.len() {
            let bounds = x.grid.axis_bounds(d);
            let (lo, hi) = (offset[d], offset[d] + shape[d]);
            let mut v = Vec::new();
            if lo == hi {
                v.push((0, AxisSel::range(0, 0), 0));
            }
            let mut b = bounds.partition_point(|&e| e <= lo).saturating_sub(1);
            while lo < hi && b + 1 < bounds.len() && bounds[b] < hi {
                let s = lo.max(bounds[b]);
                let e = hi.min(bounds[b + 1]);
                if e > s {
                    v.push((b, AxisSel::range(s - bounds[b], e - s), s - lo));
                }
                b += 1;
            }
            per_axis.push(v);
        }
        let mut pieces = Vec::new();
        let mut deps = Vec::new();
        let counts: Vec<usize> = per_axis.iter().map(|v| v.len()).collect();
        let total: usize = counts.iter().product();
        for lin in 0..total {
            let mut rem = lin;
            let mut choice = vec![0; counts.len()];
            for d in (0..counts.len()).rev() {
                choice[d] = rem % counts[d];
                rem /= counts[d];
            }
            let in_idx: Vec<usize> = (0..counts.len())
                .map(|d| per_axis[d][choice[d]].0)
                .collect();
            let src = (0..counts.len())
                .map(|d| per_axis[d][choice[d]].1.clone())
                .collect();
            let dst_offset = (0..counts.len())
                .map(|d| per_axis[d][choice[d]].2)
                .collect();
            pieces.push(Piece {
                dep: deps.len(),
                src,
                dst_offset,
            });
            deps.push(self.input(x)?[x.grid.linear(&in_idx)]);
        }
        Ok((TaskKind::Assemble(pieces), deps))
    }

    fn reshape_block(
        &self,
        node: &Node,
        x: &NodeRef,
        idx: &[usize],
    ) -> OxResult<(TaskKind, Vec<TaskId>)> {
        if let Some(map) = crate::construct::unit_axes_only(&x.shape, &node.shape) {
            if node
                .grid
                .chunks()
                .iter()
                .zip(&map)
                .all(|(c, m)| m.is_some() || c.len() == 1)
            {
                let mut in_idx = vec![0; x.ndim()];
                for (i, m) in map.iter().enumerate() {
                    if let Some(j) = m {
                        in_idx[*j] = idx[i];
                    }
                }
                return Ok((
                    TaskKind::Reshape,
                    vec![self.input(x)?[x.grid.linear(&in_idx)]],
                ));
            }
        }
        // General reshape: every input block whose flat extent meets this block's flat extent.
        let in_chunks = Arc::new(x.grid.chunks().to_vec());
        let flat = |shape: &[usize], at: &[usize]| -> usize {
            at.iter().zip(c_strides(shape)).map(|(a, s)| a * s).sum()
        };
        let last = |off: &[usize], shp: &[usize]| -> Vec<usize> {
            off.iter()
                .zip(shp)
                .map(|(o, s)| o + s.saturating_sub(1))
                .collect()
        };
        let (o_off, o_shp) = (node.grid.block_offset(idx), node.grid.block_shape(idx));
        let (lo, hi) = (
            flat(&node.shape, &o_off),
            flat(&node.shape, &last(&o_off, &o_shp)),
        );
        let mut in_blocks = Vec::new();
        let mut deps = Vec::new();
        if o_shp.iter().product::<usize>() > 0 {
            for (lin, b) in x.grid.block_indices().enumerate() {
                let (off, shp) = (x.grid.block_offset(&b), x.grid.block_shape(&b));
                if shp.iter().product::<usize>() == 0 {
                    continue;
                }
                let (blo, bhi) = (flat(&x.shape, &off), flat(&x.shape, &last(&off, &shp)));
                if blo <= hi && bhi >= lo {
                    in_blocks.push(b);
                    deps.push(self.input(x)?[lin]);
                }
            }
        }
        let kind = TaskKind::Gather {
            out_offset: o_off,
            out_shape: node.shape.clone(),
            in_chunks: Arc::clone(&in_chunks),
            in_blocks,
        };
        Ok((kind, deps))
    }

    fn lower_concatenate(
        &mut self,
        node: &Node,
        xs: &[NodeRef],
        axis: usize,
    ) -> OxResult<Vec<TaskId>> {
        // No new tasks: each output block is an input block.
        let mut owner = Vec::new();
        for (k, x) in xs.iter().enumerate() {
            for b in 0..x.grid.numblocks()[axis] {
                owner.push((k, b));
            }
        }
        let mut out = Vec::with_capacity(node.grid.nblocks());
        for idx in node.grid.block_indices() {
            let (k, b) = owner[idx[axis]];
            let mut in_idx = idx.clone();
            in_idx[axis] = b;
            out.push(self.input(&xs[k])?[xs[k].grid.linear(&in_idx)]);
        }
        Ok(out)
    }

    fn lower_reduce(
        &mut self,
        node: &Node,
        x: &NodeRef,
        shape: ReduceShape<'_>,
        (check, final_check): (Option<Arc<FpCheck>>, Option<Arc<FpCheck>>),
    ) -> OxResult<Vec<TaskId>> {
        let ReduceShape {
            op,
            axes,
            keepdims,
            split_every,
        } = shape;
        let out_dtype = node.dtype;
        let largest_partial: usize = (0..x.shape.len())
            .filter(|d| !axes.contains(d))
            .map(|d| x.grid.chunks()[d].iter().copied().max().unwrap_or(0))
            .product();
        let split_every = crate::memory::fan_in(
            split_every,
            largest_partial.saturating_mul(3 * out_dtype.itemsize().max(8)),
            axes.len(),
        );
        let kept = |shape: Vec<usize>| -> Vec<usize> {
            shape
                .iter()
                .enumerate()
                .map(|(d, &n)| if axes.contains(&d) { 1 } else { n })
                .collect()
        };
        let mut counts = x.grid.numblocks();
        let mut level: Vec<TaskId> = Vec::with_capacity(x.grid.nblocks());
        // A partial per input block and a tree of fewer combines: reserved at once, so a plan of
        // 10⁵ tasks is not copied as it grows (the node itself reserved for its few blocks).
        self.graph
            .tasks
            .try_reserve(2 * x.grid.nblocks())
            .map_err(|_| OxError::Memory("Unable to allocate the plan's tasks".into()))?;
        // An absorbed elementwise input has no tasks: each partial evaluates its program.
        let (program, absorbed_inputs) = match self.pending.remove(&x.id) {
            Some(p) => (Some(Arc::new(p.program)), Some(p.inputs)),
            None => (None, None),
        };
        let inputs = match absorbed_inputs {
            Some(_) => Vec::new(),
            None => self.input(x)?.clone(),
        };
        let shared_axes: Arc<[usize]> = Arc::from(axes);
        let full_shape: Arc<[usize]> = Arc::from(x.shape.as_slice());
        for (lin, idx) in x.grid.block_indices().enumerate() {
            let kind = TaskKind::ReducePartial {
                op,
                axes: Arc::clone(&shared_axes),
                out_dtype,
                offset: x.grid.block_offset(&idx),
                full_shape: Arc::clone(&full_shape),
                program: program.clone(),
                check: check.clone(),
            };
            let deps = match &absorbed_inputs {
                Some(read) => read
                    .iter()
                    .map(|i| self.broadcast_dep(i, x, &idx))
                    .collect::<OxResult<Vec<TaskId>>>()?,
                None => vec![inputs[lin]],
            };
            let t = Task {
                kind,
                deps,
                shape: x.grid.block_shape(&idx).into(),
                dtype: x.dtype,
            };
            level.push(self.graph.push(t));
        }
        // The shape of each partial, by position in the current level.
        let x_chunks = x.grid.chunks().to_vec();
        let part_shape = |idx: &[usize], counts: &[usize]| -> Vec<usize> {
            kept(
                idx.iter()
                    .enumerate()
                    .map(|(d, &i)| {
                        if counts[d] == x_chunks[d].len() {
                            x_chunks[d][i]
                        } else {
                            1
                        }
                    })
                    .collect(),
            )
        };
        while axes.iter().any(|&d| counts[d] > 1) {
            let next: Vec<usize> = counts
                .iter()
                .enumerate()
                .map(|(d, &c)| {
                    if axes.contains(&d) {
                        c.div_ceil(split_every)
                    } else {
                        c
                    }
                })
                .collect();
            let cur = ChunkGrid::new(&counts, counts.iter().map(|&c| vec![1; c]).collect())?;
            let nxt = ChunkGrid::new(&next, next.iter().map(|&c| vec![1; c]).collect())?;
            let mut new_level = Vec::with_capacity(nxt.nblocks());
            for idx in nxt.block_indices() {
                let ranges: Vec<(usize, usize)> = idx
                    .iter()
                    .enumerate()
                    .map(|(d, &i)| {
                        if axes.contains(&d) {
                            (i * split_every, ((i + 1) * split_every).min(counts[d]))
                        } else {
                            (i, i + 1)
                        }
                    })
                    .collect();
                let layout: Vec<usize> = ranges.iter().map(|(a, b)| b - a).collect();
                let sub = ChunkGrid::new(&layout, layout.iter().map(|&c| vec![1; c]).collect())?;
                let deps: Vec<TaskId> = sub
                    .block_indices()
                    .map(|s| {
                        let at: Vec<usize> =
                            s.iter().zip(&ranges).map(|(o, (a, _))| a + o).collect();
                        level[cur.linear(&at)]
                    })
                    .collect();
                let kind = TaskKind::ReduceCombine {
                    op,
                    axes: axes.to_vec(),
                    layout,
                    out_dtype,
                    check: check.clone(),
                };
                let shape = part_shape(&idx, &next);
                new_level.push(self.graph.push(Task {
                    kind,
                    deps,
                    shape: shape.into(),
                    dtype: out_dtype,
                }));
            }
            level = new_level;
            counts = next;
        }
        let mut out = Vec::with_capacity(level.len());
        for (lin, &t) in level.iter().enumerate() {
            let idx = node.grid.unravel(lin);
            let kind = TaskKind::ReduceFinalize {
                op,
                axes: axes.to_vec(),
                keepdims,
                out_dtype,
                check: final_check.clone(),
            };
            out.push(self.graph.push(Task {
                kind,
                deps: vec![t],
                shape: node.grid.block_shape(&idx).into(),
                dtype: out_dtype,
            }));
        }
        Ok(out)
    }
}
