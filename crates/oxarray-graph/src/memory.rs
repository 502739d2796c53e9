//! Memory: the limit a run is held to, and what each task is projected to need.
//!
//! The budget covers what a run allocates: the result arrays, the values that tasks hold for
//! their consumers, and the working memory of the tasks running (their output plus the kernel's
//! scratch, projected here from shapes before anything runs). Data already in memory (ingested
//! NumPy arrays, persisted blocks) is not counted: it is resident whether or not the run happens.
//!
//! Three things use the projection: planning refuses a task that cannot fit the limit on its
//! own (a `MemoryError` naming it, before any work); the scheduler admits a task only while the
//! bytes held plus the bytes of the tasks running stay under the limit (see `exec`); and
//! `explain()` shows the projected peak of the run, from a replay of the scheduler's order.

use crate::task::{Task, TaskGraph, TaskId, TaskKind, Value};
use oxarray_core::{OxError, OxResult};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bytes set by `ox.config.set(memory_limit=...)`; 0 means the default.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Per running task, on top of its projection: allocator slack, thread stacks, the blocks of a
/// fused program's registers. Calibrated on streaming sums and std over 128 MiB chunks, where the
/// peak RSS above the interpreter's baseline stayed within the projection plus this.
pub const TASK_RESERVE: usize = 1 << 20;

/// Sets the memory limit in bytes (`None`: back to the default).
pub fn set_limit(bytes: Option<usize>) {
    LIMIT.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// The memory limit in force: the user's, or three quarters of the memory this process may use.
pub fn limit() -> usize {
    match LIMIT.load(Ordering::Relaxed) {
        0 => default_limit(),
        n => n,
    }
}

/// Three quarters of physical memory, or of the cgroup's limit when a container sets a lower one.
pub fn default_limit() -> usize {
    available_memory() / 4 * 3
}

/// Physical memory, capped by a cgroup (v2 `memory.max` or v1 `limit_in_bytes`) when one is set.
/// Read at most once a second: every compute asks, and reading the cgroup files costs more than
/// a tiny computation (an 8-element sum) itself.
pub fn available_memory() -> usize {
    static CACHED: Mutex<Option<(Instant, usize)>> = Mutex::new(None);
    let now = Instant::now();
    let mut cached = CACHED.lock().unwrap_or_else(|p| p.into_inner());
    match *cached {
        Some((at, bytes)) if now.duration_since(at) < Duration::from_secs(1) => bytes,
        _ => {
            let bytes = read_available_memory();
            *cached = Some((now, bytes));
            bytes
        }
    }
}

fn read_available_memory() -> usize {
    let physical = physical_memory();
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|s| s.trim().parse::<usize>().ok())
    .min();
    match cgroup {
        Some(c) if c > 0 && c < physical => c,
        _ => physical,
    }
}

#[cfg(not(unix))]
fn physical_memory() -> usize {
    8 << 30
}

#[cfg(unix)]
fn physical_memory() -> usize {
    // SAFETY: sysconf takes no pointers; a negative answer means "unknown".
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages <= 0 || size <= 0 {
        return 8 << 30;
    }
    (pages as usize).saturating_mul(size as usize)
}

/// NumPy-style sizes in messages: "1.50 GiB".
pub fn format_bytes(n: usize) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}

/// The elements left by a reduction over `axes` of a chunk of `shape`.
fn kept_elements(shape: &[usize], axes: &[usize]) -> usize {
    shape
        .iter()
        .enumerate()
        .filter(|(d, _)| !axes.contains(d))
        .map(|(_, &n)| n)
        .product()
}

/// What a task's value will take while it is held for its consumers (0 for data that is
/// resident anyway: literal blocks, a part picked out of a factorization).
pub fn projected_value_bytes(t: &Task) -> usize {
    match &t.kind {
        TaskKind::Literal(_) | TaskKind::Pick(_) | TaskKind::Check(_) => 0,
        // A partial holds up to three moments (count, mean, M2) per kept element.
        TaskKind::ReducePartial { axes, .. } => {
            3 * kept_elements(&t.shape, axes) * t.dtype.itemsize().max(8)
        }
        TaskKind::RandomReduce(r) => {
            3 * kept_elements(&t.shape, &r.axes) * t.dtype.itemsize().max(8)
        }
        TaskKind::ReduceCombine { .. } => 3 * t.nbytes().max(8),
        TaskKind::Linalg(_) => 2 * t.nbytes(),
        _ => t.nbytes(),
    }
}

/// What a task allocates while it runs: its value plus the kernel's scratch, plus the reserve.
pub fn projected_task_bytes(t: &Task) -> usize {
    let value = projected_value_bytes(t);
    let scratch = match &t.kind {
        // Fused programs and reductions stream over blocks of `program::BLOCK` elements.
        TaskKind::Literal(_)
        | TaskKind::Pick(_)
        | TaskKind::Check(_)
        | TaskKind::ReducePartial { .. }
        | TaskKind::ReduceCombine { .. }
        | TaskKind::ReduceFinalize { .. }
        | TaskKind::Program(_)
        | TaskKind::Fill(_)
        | TaskKind::Arange { .. }
        | TaskKind::Linspace { .. }
        | TaskKind::Eye { .. }
        | TaskKind::Random { .. }
        | TaskKind::Assemble(_)
        | TaskKind::Transpose(_)
        | TaskKind::Reshape
        | TaskKind::Gather { .. }
        | TaskKind::Broadcast
        | TaskKind::TakeRows(_)
        | TaskKind::Bits(_) => 0,
        // Drawn slab by slab when axis 0 is reduced; else the whole block first.
        TaskKind::RandomReduce(r) => {
            if r.axes.contains(&0) {
                0
            } else {
                t.nbytes()
            }
        }
        // A product accumulates into its output and forms each pair's product beside it.
        TaskKind::Matmul(_) => t.nbytes(),
        TaskKind::Contract(c) => crate::contract::scratch_bytes(c),
        // Sorts, scans, transforms and user callables keep a second copy (a merge buffer, a
        // complex scratch, the NumPy array handed to the callable) beside their output.
        TaskKind::Sort(_)
        | TaskKind::Sets(_)
        | TaskKind::Scan(..)
        | TaskKind::Signal(_)
        | TaskKind::Fft(_)
        | TaskKind::Linalg(_)
        | TaskKind::Callback(..)
        | TaskKind::Index(_)
        | TaskKind::Ordering(_) => t.nbytes(),
    };
    value.saturating_add(scratch).saturating_add(TASK_RESERVE)
}

/// The actual bytes of a computed value (what the scheduler adds to the bytes held).
pub fn value_bytes(task: &Task, v: &Value) -> usize {
    if matches!(
        task.kind,
        TaskKind::Literal(_) | TaskKind::Pick(_) | TaskKind::Check(_)
    ) {
        return 0;
    }
    match v {
        Value::Chunk(c) => c.nbytes(),
        Value::Partial(p) => p.parts.iter().map(|c| c.nbytes()).sum(),
        Value::Written => 0,
        Value::Parts(ps) => ps.iter().map(|c| c.nbytes()).sum(),
    }
}

/// A tree reduction's fan-in within the limit: a combine task reads `split_every` partials per
/// reduced axis, and partials of a large kept shape (column sums of wide rows) must not make one
/// combine task take more than an eighth of the limit. Never below 2 (the tree must shrink).
pub fn fan_in(split_every: usize, partial_bytes: usize, reduced_axes: usize) -> usize {
    let room = limit() / 8;
    let mut k = split_every.max(2);
    while k > 2 {
        let reads = (0..reduced_axes).fold(partial_bytes, |b, _| b.saturating_mul(k));
        if reads <= room {
            break;
        }
        k -= 1;
    }
    k
}

/// Refuses, before any work, a plan whose result or single task cannot fit `limit`.
pub fn check_fits(graph: &TaskGraph, result_bytes: usize, limit: usize) -> OxResult<()> {
    if result_bytes > limit {
        return Err(OxError::Memory(format!(
            "Unable to allocate {} for the result: more than the memory limit of {} \
             (ox.config.set(memory_limit=...) raises it)",
            format_bytes(result_bytes),
            format_bytes(limit)
        )));
    }
    let room = limit - result_bytes;
    if let Some((id, need)) = largest_task(graph) {
        if need > room {
            let t = &graph.tasks[id];
            let shape: Vec<String> = t.shape.iter().map(|d| d.to_string()).collect();
            return Err(OxError::Memory(format!(
                "task {id} ('{}' of a ({}) {} block) needs {}, more than the {} the memory \
                 limit of {} leaves{}; use smaller chunks or raise \
                 ox.config.set(memory_limit=...)",
                t.label(),
                shape.join(", "),
                t.dtype,
                format_bytes(need),
                format_bytes(room),
                format_bytes(limit),
                if result_bytes > 0 {
                    format!(" beside the {} result", format_bytes(result_bytes))
                } else {
                    String::new()
                }
            )));
        }
    }
    Ok(())
}

/// The task projected to need the most memory, and how much.
pub fn largest_task(graph: &TaskGraph) -> Option<(TaskId, usize)> {
    graph
        .tasks
        .iter()
        .enumerate()
        .map(|(id, t)| (id, projected_task_bytes(t)))
        .max_by_key(|&(id, b)| (b, std::cmp::Reverse(id)))
}

/// The projected peak of a run: a replay of the scheduler's order on one thread (consumers
/// before new sources, the newest ready consumer first, sources in order), counting the values
/// held and the running task, plus one more largest task per further thread.
pub fn projected_peak(graph: &TaskGraph, threads: usize) -> usize {
    let n = graph.len();
    let consumers = graph.consumers();
    let mut waiting: Vec<usize> = graph
        .tasks
        .iter()
        .map(|t| count_distinct(&t.deps))
        .collect();
    let mut readers: Vec<usize> = (0..n).map(|id| consumers.count(id)).collect();
    let mut sources = (0..n).filter(|&id| graph.tasks[id].deps.is_empty());
    let mut stack: Vec<TaskId> = Vec::new();
    let (mut held, mut peak) = (0usize, 0usize);
    while let Some(id) = stack.pop().or_else(|| sources.next()) {
        let t = &graph.tasks[id];
        peak = peak.max(held + projected_task_bytes(t));
        if readers[id] > 0 {
            held += projected_value_bytes(t);
        }
        for_each_distinct(&t.deps, |d| {
            readers[d] -= 1;
            if readers[d] == 0 {
                held -= projected_value_bytes(&graph.tasks[d]);
            }
        });
        for &c in consumers.of(id) {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                stack.push(c);
            }
        }
    }
    let largest = largest_task(graph).map_or(0, |(_, b)| b);
    peak.saturating_add(largest.saturating_mul(threads.saturating_sub(1)))
}

/// Calls `f` once for each distinct task in `deps`; without allocating when `deps` is strictly
/// increasing, as lowering nearly always makes it.
pub(crate) fn for_each_distinct(deps: &[TaskId], mut f: impl FnMut(TaskId)) {
    if deps.windows(2).all(|w| w[0] < w[1]) {
        deps.iter().for_each(|&d| f(d));
    } else {
        distinct(deps).into_iter().for_each(f);
    }
}

/// How many distinct tasks `deps` holds (see [`for_each_distinct`]).
pub(crate) fn count_distinct(deps: &[TaskId]) -> usize {
    let mut n = 0;
    for_each_distinct(deps, |_| n += 1);
    n
}

pub(crate) fn distinct(deps: &[TaskId]) -> Vec<TaskId> {
    let mut d = deps.to_vec();
    d.sort_unstable();
    d.dedup();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Task;
    use oxarray_core::{DType, Scalar};

    fn fill(n: usize) -> Task {
        Task {
            kind: TaskKind::Fill(Scalar::Float(0.0)),
            deps: vec![],
            shape: vec![n].into(),
            dtype: DType::Float64,
        }
    }

    fn reshape(deps: Vec<TaskId>, n: usize) -> Task {
        Task {
            kind: TaskKind::Reshape,
            deps,
            shape: vec![n].into(),
            dtype: DType::Float64,
        }
    }

    #[test]
    fn formats_sizes_as_numpy_does() {
        assert_eq!(format_bytes(10), "10 bytes");
        assert_eq!(format_bytes(3 << 29), "1.50 GiB");
    }

    #[test]
    fn a_chain_holds_one_block_at_a_time() {
        // Four independent source -> reader pairs: depth first, one source is held at a time.
        let mut g = TaskGraph::default();
        let mut readers = Vec::new();
        for _ in 0..4 {
            let s = g.push(fill(1 << 17));
            readers.push(g.push(reshape(vec![s], 1 << 17)));
        }
        let one = projected_task_bytes(&g.tasks[0]);
        let peak = projected_peak(&g, 1);
        assert_eq!(peak, (1 << 20) + one);
    }

    #[test]
    fn a_task_larger_than_the_limit_is_named() {
        let mut g = TaskGraph::default();
        g.push(fill(1 << 20));
        let e = check_fits(&g, 0, 4 << 20).unwrap_err();
        assert!(matches!(e, OxError::Memory(_)));
        assert!(e
            .to_string()
            .contains("task 0 ('full' of a (1048576) float64 block)"));
        assert!(check_fits(&g, 0, 64 << 20).is_ok());
        let e = check_fits(&TaskGraph::default(), 5 << 20, 4 << 20).unwrap_err();
        assert!(e
            .to_string()
            .contains("Unable to allocate 5.00 MiB for the result"));
    }

    #[test]
    fn fan_in_shrinks_for_wide_partials() {
        set_limit(Some(64 << 20));
        assert_eq!(fan_in(8, 1 << 10, 1), 8);
        assert_eq!(fan_in(8, 1 << 20, 1), 8);
        assert_eq!(fan_in(8, 2 << 20, 1), 4);
        assert_eq!(fan_in(8, 1 << 30, 2), 2);
        set_limit(None);
    }
}
