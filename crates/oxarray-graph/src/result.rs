//! From nodes to results: plan (lower + optimize), execute, and assemble each output array as its
//! blocks complete, so no block outlives its copy into the result.

use crate::exec::{execute, Limits};
use crate::expr::{Node, NodeKind, NodeRef};
use crate::fperr::FpLog;
use crate::lower::Lowering;
use crate::memory;
use crate::optimize::optimize;
use crate::program::RawDest;
use crate::task::{TaskGraph, TaskId, TaskKind, Value};
use ndarray::{ArrayD, ArrayViewMut, IxDyn, ShapeBuilder};
use oxarray_core::chunk::Typed;
use oxarray_core::shape::c_strides;
use oxarray_core::{dispatch_typed, Chunk, Element, OxError, OxResult};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// An optimized task graph and, for each requested node, the task of each of its blocks.
pub struct Plan {
    pub graph: TaskGraph,
    pub outputs: Vec<Vec<TaskId>>,
    /// The bytes of the results (set aside before the run).
    pub result_bytes: usize,
    /// The memory limit the plan was made for.
    pub memory_limit: usize,
    /// Sources given a copy per reader to stay under the limit (`optimize::remat`).
    pub recomputed: usize,
}

pub fn plan(nodes: &[NodeRef]) -> OxResult<Plan> {
    let mut lowering = Lowering::new();
    let per_node = lowering.lower_all(nodes)?;
    let flat: Vec<TaskId> = per_node.iter().flatten().copied().collect();
    let (mut graph, mut new_ids) = optimize(lowering.graph, &flat);
    let result_bytes = result_bytes(nodes);
    let memory_limit = memory::limit();
    // The block pool keeps the blocks it holds for reuse under the same limit.
    oxarray_core::pool::POOL.set_memory_limit(memory_limit);
    let mut recomputed = 0;
    let threads = rayon::current_num_threads();
    if memory::projected_peak(&graph, threads).saturating_add(result_bytes) > memory_limit {
        (graph, new_ids, recomputed) = crate::optimize::remat::rematerialize(graph, &new_ids);
    }
    let mut it = new_ids.into_iter();
    let outputs = per_node
        .iter()
        .map(|v| it.by_ref().take(v.len()).collect())
        .collect();
    Ok(Plan {
        graph,
        outputs,
        result_bytes,
        memory_limit,
        recomputed,
    })
}

/// What the nodes' results take in memory.
pub fn result_bytes(nodes: &[NodeRef]) -> usize {
    nodes
        .iter()
        .map(|n| {
            n.shape
                .iter()
                .fold(n.dtype.itemsize(), |a, &d| a.saturating_mul(d))
        })
        .fold(0usize, |a, b| a.saturating_add(b))
}

/// A result array being filled block by block from worker threads.
struct Assembly {
    base: usize,
    strides: Vec<usize>,
    itemsize: usize,
}

/// Computes every node and returns each as one chunk of the node's full shape.
pub fn compute(nodes: &[NodeRef], cancel: &AtomicBool) -> OxResult<Vec<Chunk>> {
    compute_logged(nodes, cancel, &FpLog::default())
}

/// [`compute`], recording the floating-point errors of elementwise ops in `fp`.
pub fn compute_logged(nodes: &[NodeRef], cancel: &AtomicBool, fp: &FpLog) -> OxResult<Vec<Chunk>> {
    // The results first: a result that cannot be allocated fails before any planning or work.
    memory::check_fits(&TaskGraph::default(), result_bytes(nodes), memory::limit())?;
    let single: Vec<bool> = nodes.iter().map(|n| n.grid.nblocks() == 1).collect();
    // Not zeroed: every block of a result is written below, by its task or by `write_block`
    // (a zeroing pass, or the kernel's zeroing of fresh pages, would write the bytes twice).
    // SAFETY: a result is returned only after every output task ran (`execute` fails otherwise),
    // and each output block is either written whole by `write_block` or written directly by its
    // task (`direct_destinations`; kinds not known to write every element are zeroed first).
    let mut results: Vec<Option<Chunk>> = nodes
        .iter()
        .zip(&single)
        .map(|(n, &s)| {
            (!s).then(|| unsafe { Chunk::uninit(n.dtype, &n.shape) })
                .transpose()
        })
        .collect::<OxResult<_>>()?;
    let plan = plan(nodes)?;
    memory::check_fits(&plan.graph, plan.result_bytes, plan.memory_limit)?;
    // Where each output task goes: (node, block) pairs (a task may fill several places).
    let mut places: HashMap<TaskId, Vec<(usize, usize)>> = HashMap::new();
    for (n, tasks) in plan.outputs.iter().enumerate() {
        for (b, &t) in tasks.iter().enumerate() {
            places.entry(t).or_default().push((n, b));
        }
    }
    let assemblies: Vec<Option<Assembly>> = results
        .iter_mut()
        .map(|r| {
            r.as_mut().map(|c| Assembly {
                base: dispatch_typed!(Chunk, c, a => a.as_mut_ptr() as usize),
                strides: c_strides(c.shape()),
                itemsize: c.dtype().itemsize(),
            })
        })
        .collect();
    let direct = direct_destinations(nodes, &plan, &places, &assemblies);
    let singles: Vec<Mutex<Option<Arc<Value>>>> = nodes.iter().map(|_| Mutex::new(None)).collect();
    let sink = |task: TaskId, value: Arc<Value>| -> OxResult<()> {
        if matches!(value.as_ref(), Value::Written) {
            return Ok(());
        }
        for &(n, b) in places.get(&task).map(|v| v.as_slice()).unwrap_or(&[]) {
            if single[n] {
                *singles[n].lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&value));
                continue;
            }
            let Value::Chunk(chunk) = value.as_ref() else {
                return Err(OxError::Internal(
                    "an output task produced a partial".into(),
                ));
            };
            let node = &nodes[n];
            let idx = node.grid.unravel(b);
            let asm = assemblies[n]
                .as_ref()
                .ok_or_else(|| OxError::Internal("no assembly".into()))?;
            write_block(asm, &node.grid.block_offset(&idx), chunk, node)?;
        }
        Ok(())
    };
    if crate::inline::runs_inline(&plan.graph) {
        let outputs = plan.outputs.concat();
        crate::inline::execute_inline(&plan.graph, &outputs, &sink, &direct, cancel, fp)?;
    } else {
        execute(
            &plan.graph,
            &plan.outputs.concat(),
            &sink,
            &direct,
            cancel,
            fp,
            Limits::for_run(plan.result_bytes, false),
        )?;
    }
    let mut out = Vec::with_capacity(nodes.len());
    for (n, r) in results.into_iter().enumerate() {
        match r {
            Some(c) => out.push(c),
            None => {
                let v = singles[n].lock().unwrap_or_else(|p| p.into_inner()).take();
                let v =
                    v.ok_or_else(|| OxError::Internal("an output was never computed".into()))?;
                let chunk = match Arc::try_unwrap(v) {
                    Ok(Value::Chunk(c)) => {
                        Arc::try_unwrap(c).unwrap_or_else(|c| c.as_ref().clone())
                    }
                    Ok(Value::Partial(_) | Value::Written | Value::Parts(_)) => {
                        return Err(OxError::Internal("output is a partial".into()))
                    }
                    Err(shared) => match shared.as_ref() {
                        Value::Chunk(c) => c.as_ref().clone(),
                        Value::Partial(_) | Value::Written | Value::Parts(_) => {
                            return Err(OxError::Internal("output is a partial".into()))
                        }
                    },
                };
                // Blocks are standard layout by construction; the shape must be the node's.
                out.push(if chunk.shape() == nodes[n].shape.as_slice() {
                    chunk
                } else {
                    chunk.into_shape(&nodes[n].shape)
                });
            }
        }
    }
    Ok(out)
}

/// Output blocks that may be computed straight into the result: fused programs and random
/// sources whose block is one contiguous run of the result (the grid splits one axis, and every
/// later axis is whole) and that fill exactly one place.
fn direct_destinations(
    nodes: &[NodeRef],
    plan: &Plan,
    places: &HashMap<TaskId, Vec<(usize, usize)>>,
    assemblies: &[Option<Assembly>],
) -> HashMap<TaskId, RawDest> {
    let mut direct = HashMap::new();
    for (n, node) in nodes.iter().enumerate() {
        let Some(asm) = &assemblies[n] else { continue };
        let numblocks = node.grid.numblocks();
        let split = numblocks.iter().position(|&k| k > 1).unwrap_or(0);
        // Contiguous blocks: only one axis is split, no longer axis precedes it, none follows it.
        let before_is_unit = node.shape[..split].iter().all(|&n| n == 1);
        if !before_is_unit || numblocks[split..].iter().skip(1).any(|&k| k > 1) {
            continue;
        }
        for (b, &t) in plan.outputs[n].iter().enumerate() {
            let only_here = places.get(&t).is_some_and(|p| p.len() == 1);
            let writes_directly = matches!(
                plan.graph.tasks[t].kind,
                TaskKind::Program(_)
                    | TaskKind::Random { .. }
                    | TaskKind::Fft(_)
                    | TaskKind::Scan(crate::scan::ScanTask::Scan { .. }, _)
                    | TaskKind::Sort(crate::sort::SortTask::Gather { .. })
            );
            if !only_here || !writes_directly {
                continue;
            }
            let idx = node.grid.unravel(b);
            let start: usize = node
                .grid
                .block_offset(&idx)
                .iter()
                .zip(&asm.strides)
                .map(|(o, s)| o * s)
                .sum();
            let len: usize = node.grid.block_shape(&idx).iter().product();
            let ptr = asm.base + start * asm.itemsize;
            if !matches!(
                plan.graph.tasks[t].kind,
                TaskKind::Program(_)
                    | TaskKind::Random { .. }
                    | TaskKind::Sort(crate::sort::SortTask::Gather { .. })
            ) {
                // The result is not zeroed; kernels other than programs, random sources and a
                // sample sort's gather (every rank of its block) are not known to write every
                // element of their region, so it starts at zero.
                // SAFETY: the region lies inside the result buffer and nothing runs yet.
                unsafe { std::ptr::write_bytes(ptr as *mut u8, 0, len * asm.itemsize) };
            }
            direct.insert(
                t,
                RawDest {
                    ptr,
                    len,
                    dtype: node.dtype,
                },
            );
        }
    }
    direct
}

/// Copies `chunk` into its region of the result. Regions of different blocks are disjoint, which
/// is what makes the concurrent writes through the raw base pointer sound.
fn write_block(asm: &Assembly, offset: &[usize], chunk: &Chunk, node: &Node) -> OxResult<()> {
    if chunk.dtype() != node.dtype || chunk.dtype().itemsize() != asm.itemsize {
        return Err(OxError::Internal("output block has the wrong dtype".into()));
    }
    dispatch_typed!(Chunk, chunk, a => write_typed(asm, offset, a))
}

fn write_typed<T: Element>(asm: &Assembly, offset: &[usize], block: &ArrayD<T>) -> OxResult<()> {
    if block.is_empty() {
        return Ok(());
    }
    let start: usize = offset.iter().zip(&asm.strides).map(|(o, s)| o * s).sum();
    let ptr = (asm.base as *mut T).wrapping_add(start);
    let shape = IxDyn(block.shape()).strides(IxDyn(&asm.strides));
    // SAFETY: `ptr` points into the result buffer (alive until compute returns); the view covers
    // exactly this block's region, which no other block's view overlaps.
    let mut dst = unsafe { ArrayViewMut::from_shape_ptr(shape, ptr) };
    dst.assign(block);
    Ok(())
}

/// Computes every node's blocks and returns literal nodes holding them (same chunks).
pub fn persist(nodes: &[NodeRef], cancel: &AtomicBool) -> OxResult<Vec<NodeRef>> {
    persist_logged(nodes, cancel, &FpLog::default())
}

/// [`persist`], recording the floating-point errors of elementwise ops in `fp`.
pub fn persist_logged(
    nodes: &[NodeRef],
    cancel: &AtomicBool,
    fp: &FpLog,
) -> OxResult<Vec<NodeRef>> {
    let plan = plan(nodes)?;
    memory::check_fits(&plan.graph, plan.result_bytes, plan.memory_limit)?;
    let slots: Vec<Vec<Mutex<Option<Arc<Chunk>>>>> = plan
        .outputs
        .iter()
        .map(|t| t.iter().map(|_| Mutex::new(None)).collect())
        .collect();
    let mut places: HashMap<TaskId, Vec<(usize, usize)>> = HashMap::new();
    for (n, tasks) in plan.outputs.iter().enumerate() {
        for (b, &t) in tasks.iter().enumerate() {
            places.entry(t).or_default().push((n, b));
        }
    }
    let sink = |task: TaskId, value: Arc<Value>| -> OxResult<()> {
        let Value::Chunk(c) = value.as_ref() else {
            return Err(OxError::Internal(
                "an output task produced a partial".into(),
            ));
        };
        for &(n, b) in places.get(&task).map(|v| v.as_slice()).unwrap_or(&[]) {
            *slots[n][b].lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(c));
        }
        Ok(())
    };
    execute(
        &plan.graph,
        &plan.outputs.concat(),
        &sink,
        &HashMap::new(),
        cancel,
        fp,
        Limits {
            memory: plan.memory_limit,
            hold_outputs: true,
        },
    )?;
    nodes
        .iter()
        .zip(slots)
        .map(|(n, s)| {
            let chunks = s
                .into_iter()
                .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| OxError::Internal("a persisted block was never computed".into()))?;
            // Blocks of the result keep the node's shape per block (a reduction's finalize
            // already dropped axes; a concatenation's blocks are its inputs').
            let chunks = chunks
                .into_iter()
                .enumerate()
                .map(|(b, c)| {
                    let want = n.grid.block_shape(&n.grid.unravel(b));
                    if c.shape() == want.as_slice() {
                        c
                    } else {
                        Arc::new(c.as_ref().clone().into_shape(&want))
                    }
                })
                .collect();
            Ok(Node::new(
                n.shape.clone(),
                n.dtype,
                n.grid.clone(),
                NodeKind::Literal { chunks },
            ))
        })
        .collect()
}

/// Creates a chunk from an element vector (used by tests and the bindings).
pub fn chunk_from_vec<T: Element>(shape: &[usize], v: Vec<T>) -> OxResult<Chunk>
where
    Chunk: Typed<T, Container = ArrayD<T>>,
{
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map(Chunk::from_array)
        .map_err(|e| OxError::Value(e.to_string()))
}
