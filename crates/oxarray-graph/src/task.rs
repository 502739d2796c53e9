//! The task graph: what runs. One task produces one chunk (or one partial reduction) from the
//! values of its dependencies. Lowering creates tasks in topological order (every dependency has a
//! smaller id than its consumer) and every pass preserves that order.

use crate::fperr::FpCheck;
use crate::program::FusedProgram;
use oxarray_core::ops::ReduceOp;
use oxarray_core::{Chunk, DType, Scalar};
use oxarray_kernels::layout::Piece;
use oxarray_kernels::random::{Dist, Stream};
use oxarray_kernels::reduce::Partial;
use std::sync::Arc;

pub type TaskId = usize;

#[derive(Clone, Debug)]
pub enum TaskKind {
    /// A chunk already in memory.
    Literal(Arc<Chunk>),
    Fill(Scalar),
    Arange {
        start: Scalar,
        step: Scalar,
        offset: usize,
    },
    Linspace {
        start: f64,
        stop: f64,
        num: usize,
        endpoint: bool,
        offset: usize,
    },
    Eye {
        k: i64,
        offset: [usize; 2],
    },
    /// A fused elementwise program over the dependencies (broadcast to the task's shape). Shared
    /// by every block of a node (a copy per block would cost a million copies at 10⁶ chunks).
    Program(Arc<FusedProgram>),
    /// Copy strided regions of the dependencies into a new chunk (slicing, rechunk).
    Assemble(Vec<Piece>),
    Transpose(Vec<usize>),
    /// Same elements, new shape (only unit axes differ).
    Reshape,
    /// General reshape: the output block at `out_offset` of an array of `out_shape`, gathered from
    /// the input blocks (deps) at `in_blocks` of an input cut by `in_chunks`.
    Gather {
        out_offset: Vec<usize>,
        out_shape: Vec<usize>,
        /// Shared by every block of the node (a copy per task would be quadratic in chunks).
        in_chunks: Arc<Vec<Vec<usize>>>,
        in_blocks: Vec<Vec<usize>>,
    },
    Broadcast,
    /// Reduce one chunk (first evaluating `program` over the deps when fused with a producer).
    ReducePartial {
        op: ReduceOp,
        /// `axes` and `full_shape` are the node's, shared by its million partials.
        axes: Arc<[usize]>,
        out_dtype: DType,
        offset: Vec<usize>,
        full_shape: Arc<[usize]>,
        program: Option<Arc<FusedProgram>>,
        /// np.errstate of the reduction (shared by the node's tasks; `None`: unchecked).
        check: Option<Arc<FpCheck>>,
    },
    /// A reduction's per-chunk step over a random block it draws itself, slab by slab
    /// (`optimize::fuse_random`).
    RandomReduce(Arc<crate::stream_reduce::RandomReduce>),
    ReduceCombine {
        op: ReduceOp,
        axes: Vec<usize>,
        layout: Vec<usize>,
        out_dtype: DType,
        check: Option<Arc<FpCheck>>,
    },
    ReduceFinalize {
        op: ReduceOp,
        axes: Vec<usize>,
        keepdims: bool,
        out_dtype: DType,
        /// The final division's own check (NumPy names it "divide", not "reduce").
        check: Option<Arc<FpCheck>>,
    },
    /// Sum over k of deps[2k] @ deps[2k+1], with the np.errstate check of its node.
    Matmul(Option<Arc<FpCheck>>),
    /// A task of a contraction along a chunked axis (`crate::contract`).
    Contract(Arc<crate::contract::ContractTask>),
    /// Row `r` of the block is row `.1` of dependency `.0` (`x[rows]` along axis 0).
    TakeRows(Vec<(usize, usize)>),
    /// The block at `offset` of a random array of shape `full_shape`.
    Random {
        stream: Stream,
        dist: Dist,
        offset: Vec<usize>,
        full_shape: Arc<[usize]>,
    },
    /// A linear-algebra kernel (may produce several blocks: `Value::Parts`).
    Linalg(crate::linalg::LinalgTask),
    /// A selection kernel (boolean mask, take along an axis).
    Index(crate::indexing::IndexTask),
    /// A Fourier-transform kernel (see [`crate::fft`]).
    Fft(crate::fft::FftTask),
    /// A set, counting or binning kernel (`crate::sets`).
    Sets(crate::sets::SetsTask),
    /// A correlation or interpolation kernel (`crate::signal`).
    Signal(crate::signal::SignalTask),
    /// A bit packing kernel (`crate::bits`).
    Bits(crate::bits::BitsTask),
    /// A user's function on the block at this index (`crate::callback`).
    Callback(crate::callback::Callback, Vec<usize>),
    /// A search, lazy gather or topk kernel (`crate::ordering`).
    Ordering(crate::ordering::OrderingTask),
    /// Block `k` of the dependency's `Value::Parts`.
    Pick(usize),
    /// A sorting/selection kernel (`crate::sort`).
    Sort(crate::sort::SortTask),
    /// A scan/fold kernel (`crate::scan`).
    /// A scan step and the np.errstate check of its node.
    Scan(crate::scan::ScanTask, Option<Arc<FpCheck>>),
    /// deps[0] passed through after checking the bool deps[1] (see `check.rs`).
    Check(crate::check::CheckAction),
}

#[derive(Clone, Debug)]
pub struct Task {
    pub kind: TaskKind,
    pub deps: Vec<TaskId>,
    /// Shape and dtype of the chunk this task produces (for partials: of the input it reduces).
    /// Shared between tasks of equal shape ([`TaskGraph::push`] interns it).
    pub shape: Arc<[usize]>,
    pub dtype: DType,
}

impl Task {
    pub fn label(&self) -> &'static str {
        match &self.kind {
            TaskKind::Literal(_) => "array",
            TaskKind::Fill(_) => "full",
            TaskKind::Arange { .. } => "arange",
            TaskKind::Linspace { .. } => "linspace",
            TaskKind::Eye { .. } => "eye",
            TaskKind::Program(_) => "fused",
            TaskKind::Assemble(_) => "getitem",
            TaskKind::Transpose(_) => "transpose",
            TaskKind::Reshape | TaskKind::Gather { .. } => "reshape",
            TaskKind::Broadcast => "broadcast",
            TaskKind::ReducePartial { .. } | TaskKind::RandomReduce(_) => "reduce-chunk",
            TaskKind::ReduceCombine { .. } => "reduce-combine",
            TaskKind::ReduceFinalize { .. } => "reduce-aggregate",
            TaskKind::Matmul(_) => "matmul",
            TaskKind::Contract(c) => c.label(),
            TaskKind::Random { .. } => "random",
            TaskKind::TakeRows(_) => "take",
            TaskKind::Linalg(l) => l.label(),
            TaskKind::Fft(f) => f.label(),
            TaskKind::Pick(_) => "pick",
            TaskKind::Index(t) => t.label(),
            TaskKind::Sort(s) => s.label(),
            TaskKind::Sets(s) => s.label(),
            TaskKind::Signal(s) => s.label(),
            TaskKind::Bits(s) => s.label(),
            TaskKind::Callback(..) => "callback",
            TaskKind::Ordering(s) => s.label(),
            TaskKind::Scan(s, _) => s.label(),
            TaskKind::Check(_) => "check",
        }
    }
    pub fn nbytes(&self) -> usize {
        self.shape.iter().product::<usize>() * self.dtype.itemsize()
    }
}

/// What a task produces.
#[derive(Debug)]
pub enum Value {
    /// Shared, so a literal block is handed on without a copy.
    Chunk(Arc<Chunk>),
    Partial(Partial),
    /// The block was written straight into the result buffer.
    Written,
    /// Several blocks from one task (a factorization's factors); `Pick` tasks select one.
    Parts(Vec<Arc<Chunk>>),
}

#[derive(Clone, Debug, Default)]
pub struct TaskGraph {
    pub tasks: Vec<Task>,
    /// The block shapes pushed most recently: the blocks of a node have a handful of distinct
    /// shapes, so a task's shape is nearly always one of these and costs no allocation.
    recent_shapes: Vec<Arc<[usize]>>,
}

/// How many recent block shapes [`TaskGraph::push`] compares a new task's shape with.
const RECENT_SHAPES: usize = 8;

impl TaskGraph {
    pub fn push(&mut self, mut task: Task) -> TaskId {
        debug_assert!(
            task.deps.iter().all(|&d| d < self.tasks.len()),
            "tasks must be pushed in topological order"
        );
        task.shape = self.intern_shape(task.shape);
        self.tasks.push(task);
        self.tasks.len() - 1
    }

    fn intern_shape(&mut self, shape: Arc<[usize]>) -> Arc<[usize]> {
        if let Some(s) = self.recent_shapes.iter().find(|s| **s == shape) {
            return Arc::clone(s);
        }
        if self.recent_shapes.len() == RECENT_SHAPES {
            self.recent_shapes.remove(0);
        }
        self.recent_shapes.push(Arc::clone(&shape));
        shape
    }
    pub fn len(&self) -> usize {
        self.tasks.len()
    }
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
    /// For every task, the tasks that read it (with multiplicity removed).
    pub fn consumers(&self) -> Consumers {
        let n = self.tasks.len();
        // Counting first and filling second keeps every list in one flat vector (a `Vec` per
        // task would cost an allocation per task: a gigabyte at 10⁷ tasks).
        let mut last_reader = vec![usize::MAX; n];
        let mut start = vec![0usize; n + 1];
        for (id, t) in self.tasks.iter().enumerate() {
            for &d in &t.deps {
                if last_reader[d] != id {
                    last_reader[d] = id;
                    start[d + 1] += 1;
                }
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut ids = vec![0; start[n]];
        let mut fill = start.clone();
        last_reader.fill(usize::MAX);
        for (id, t) in self.tasks.iter().enumerate() {
            for &d in &t.deps {
                if last_reader[d] != id {
                    last_reader[d] = id;
                    ids[fill[d]] = id;
                    fill[d] += 1;
                }
            }
        }
        Consumers { start, ids }
    }
}

/// The readers of every task, in one flat list (see [`TaskGraph::consumers`]).
#[derive(Clone, Debug, Default)]
pub struct Consumers {
    start: Vec<usize>,
    ids: Vec<TaskId>,
}

impl Consumers {
    /// The tasks reading task `id`, in increasing order, each once.
    pub fn of(&self, id: TaskId) -> &[TaskId] {
        &self.ids[self.start[id]..self.start[id + 1]]
    }
    /// How many distinct tasks read task `id`.
    pub fn count(&self, id: TaskId) -> usize {
        self.start[id + 1] - self.start[id]
    }
}
