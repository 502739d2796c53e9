//! Fused elementwise programs: a chain of elementwise ops evaluated in one pass over a chunk.
//!
//! A program is a list of instructions in SSA form (instruction `i` defines register `i`; the last
//! one is the result). It runs over blocks of [`BLOCK`] elements so that every intermediate stays
//! in L1/L2, as numexpr does; a large chunk is split across threads. Before a run the program is
//! compiled once ([`compiled`]): registers are allocated by liveness and equal constants shared,
//! so a 20,000-instruction chain holds a handful of blocks, not 20,000.

use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{
    dispatch_dtype, dispatch_typed, Chunk, Column, DType, Element, OxError, OxResult, Scalar,
    SliceElem,
};
use rayon::prelude::*;

use crate::fperr::{FpCheck, FpLog};

mod compiled;
mod sources;

/// Elements per block. A binary instruction reads two registers and writes a third: at 1024
/// float64 that is 24 KiB, within an L1 cache (at 2048, with the inputs' blocks, it spilled to
/// L2). The per-block dispatch once made 1024 slower for `x + 1`; since a block tests the FP
/// flags once rather than per instruction it does not: on a 2-core Zen 4, 8 interleaved pairs
/// over 2^25 elements, 2048 → 1024 took `x + 1` from 19.8 to 18.4 ms and `2*a + 3*b*b -
/// sqrt(a)` 5% faster (paired median).
pub const BLOCK: usize = 1024;
/// Elements handed to one thread at a time when a chunk is split across threads (512 KiB of
/// float64).
const PAR_SPAN: usize = 64 * BLOCK;
/// Outputs of at least this many bytes are written with non-temporal stores: they do not fit in
/// a core's L2 cache, so a later reader finds them in memory either way, and ordinary stores
/// would first read every line of the output from memory.
const STREAM_BYTES: usize = 8 << 20;

pub type Reg = usize;

#[derive(Clone, Debug, PartialEq)]
pub enum Instr {
    /// The task's `n`-th dependency.
    Input(usize),
    Const(Scalar),
    Unary(UnaryOp, Reg),
    Binary(BinaryOp, Reg, Reg),
    Cast(Reg),
    Where(Reg, Reg, Reg),
}

/// An instruction, the dtype of the register it defines, and the floating-point error checking
/// of the call that wrote it (see [`crate::fperr`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub instr: Instr,
    pub dtype: DType,
    pub check: Option<FpCheck>,
}

impl Step {
    pub fn new(instr: Instr, dtype: DType) -> Step {
        Step {
            instr,
            dtype,
            check: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct FusedProgram {
    steps: Vec<Step>,
    /// Filled by the first run whose inputs are all arrays; every change to `steps` empties it.
    compiled: CompiledOnce,
}

/// A program's compiled form, kept across its runs: compiling (register allocation, linear in
/// the program) cost as much as running a program over a 10x10 chunk, once per task. A run with
/// a one-element input compiles afresh, since that input becomes a constant of the compiled form.
#[derive(Default)]
struct CompiledOnce(std::sync::OnceLock<compiled::Compiled>);

/// A copy compiles again when it runs (it may be changed before then).
impl Clone for CompiledOnce {
    fn clone(&self) -> Self {
        CompiledOnce::default()
    }
}

/// A cache: never part of what a program is.
impl PartialEq for CompiledOnce {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Constant text: a task's key hashes its `Debug` text, which must not depend on earlier runs.
impl std::fmt::Debug for CompiledOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

impl FusedProgram {
    /// A program applying one instruction to inputs `0..n`.
    pub fn single(
        n_inputs: usize,
        input_dtypes: &[DType],
        make: impl FnOnce(&[Reg]) -> Instr,
        dtype: DType,
    ) -> Self {
        let mut steps: Vec<Step> = (0..n_inputs)
            .map(|i| Step::new(Instr::Input(i), input_dtypes[i]))
            .collect();
        let regs: Vec<Reg> = (0..n_inputs).collect();
        steps.push(Step::new(make(&regs), dtype));
        FusedProgram::from_steps(steps)
    }

    /// A program applying one instruction to its sources: a source with a value is that constant,
    /// the others are the task's inputs, numbered in order.
    pub fn over(
        sources: &[(DType, Option<Scalar>)],
        make: impl FnOnce(&[Reg]) -> Instr,
        dtype: DType,
    ) -> Self {
        let mut next_input = 0;
        let mut steps: Vec<Step> = sources
            .iter()
            .map(|&(dt, value)| match value {
                Some(v) => Step::new(Instr::Const(v), dt),
                None => {
                    next_input += 1;
                    Step::new(Instr::Input(next_input - 1), dt)
                }
            })
            .collect();
        let regs: Vec<Reg> = (0..sources.len()).collect();
        steps.push(Step::new(make(&regs), dtype));
        FusedProgram::from_steps(steps)
    }

    /// The same program, its result checked for floating-point errors as `check` says.
    pub fn with_check(mut self, check: Option<FpCheck>) -> Self {
        self.compiled = CompiledOnce::default();
        if let Some(last) = self.steps.last_mut() {
            last.check = check;
        }
        self
    }

    pub fn from_steps(steps: Vec<Step>) -> Self {
        FusedProgram {
            steps,
            compiled: CompiledOnce::default(),
        }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The compiled form for these sources: the kept one when no input is a one-element
    /// constant (see [`CompiledOnce`]).
    fn compiled(&self, srcs: &[Source]) -> std::borrow::Cow<'_, compiled::Compiled> {
        if srcs.iter().any(|s| matches!(s, Source::Scalar(_))) {
            return std::borrow::Cow::Owned(compiled::Compiled::new(self, srcs));
        }
        std::borrow::Cow::Borrowed(
            self.compiled
                .0
                .get_or_init(|| compiled::Compiled::new(self, srcs)),
        )
    }

    pub fn out_dtype(&self) -> DType {
        self.steps.last().map_or(DType::Float64, |s| s.dtype)
    }

    /// Number of non-input, non-constant instructions (the ops this program fuses).
    pub fn op_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| !matches!(s.instr, Instr::Input(_) | Instr::Const(_)))
            .count()
    }

    /// Appends `outer` (a consumer of this program's result) onto this program, in place: the
    /// fused program reads this program's inputs first, numbered as they are, then `outer`'s, as
    /// `outer_inputs` renumbers them (`usize::MAX` marks an input that reads this program's
    /// result). The cost is that of `outer` alone, so fusing an n-deep chain is O(n).
    pub fn append(&mut self, outer: &FusedProgram, outer_inputs: &[usize]) {
        self.compiled = CompiledOnce::default();
        let Some(inner_out) = self.steps.len().checked_sub(1) else {
            return;
        };
        let mut map: Vec<Reg> = Vec::with_capacity(outer.steps.len());
        for s in &outer.steps {
            if matches!(s.instr, Instr::Input(i) if outer_inputs[i] == usize::MAX) {
                map.push(inner_out);
                continue;
            }
            let instr = remap(&s.instr, |r| map[r], |i| outer_inputs[i]);
            map.push(self.steps.len());
            self.steps.push(Step {
                instr,
                dtype: s.dtype,
                check: s.check,
            });
        }
        // The result must stay the last step: copy it there if the outer program was a bare input.
        let out = map.last().copied().unwrap_or(inner_out);
        if out != self.steps.len() - 1 {
            let dtype = self.steps[out].dtype;
            self.steps.push(Step::new(Instr::Cast(out), dtype));
        }
    }

    /// Copies `other`'s steps onto the end of this program, its input `i` becoming input
    /// `input(i)` of this one, and returns the register holding `other`'s result. The cost is that
    /// of `other` alone.
    pub fn splice(&mut self, other: &FusedProgram, input: impl Fn(usize) -> usize) -> Option<Reg> {
        self.compiled = CompiledOnce::default();
        let mut map: Vec<Reg> = Vec::with_capacity(other.steps.len());
        for s in &other.steps {
            let instr = remap(&s.instr, |r| map[r], &input);
            map.push(self.steps.len());
            self.steps.push(Step {
                instr,
                dtype: s.dtype,
                check: s.check,
            });
        }
        map.last().copied()
    }

    /// Appends one step and returns its register.
    pub fn push(&mut self, step: Step) -> Reg {
        self.compiled = CompiledOnce::default();
        self.steps.push(step);
        self.steps.len() - 1
    }

    /// Input `k` becomes the constant `consts[k]` where one is given; the others are renumbered
    /// by `renumber`.
    pub fn inline_consts(&mut self, consts: &[Option<Scalar>], renumber: &[usize]) {
        self.compiled = CompiledOnce::default();
        for s in &mut self.steps {
            if let Instr::Input(k) = s.instr {
                s.instr = match consts[k] {
                    Some(v) => Instr::Const(v),
                    None => Instr::Input(renumber[k]),
                };
            }
        }
    }

    /// Input `k` becomes input `renumber[k]` (several inputs reading one task become one).
    pub fn renumber_inputs(&mut self, renumber: &[usize]) {
        self.compiled = CompiledOnce::default();
        for s in &mut self.steps {
            if let Instr::Input(k) = &mut s.instr {
                *k = renumber[*k];
            }
        }
    }

    /// Evaluates the program over `inputs`, each broadcastable to `shape`, into a new chunk.
    pub fn run(&self, inputs: &[&Chunk], shape: &[usize], log: &FpLog) -> OxResult<Chunk> {
        let n: usize = shape.iter().product();
        self.with_sources(inputs, shape, |srcs| {
            dispatch_dtype!(self.out_dtype(), T => {
                let mut out: Vec<T> = out_buffer(n)?;
                self.run_all::<T>(srcs, &mut out, log)?;
                let arr = ArrayD::from_shape_vec(IxDyn(shape), out).map_err(|e| OxError::Internal(e.to_string()))?;
                Ok(Chunk::from_array(arr))
            })
        })
    }

    /// Evaluates the program in slabs of `slab_rows` rows along axis 0 (each a new chunk of
    /// `[rows, shape[1..]]`) and hands every slab to `f`, slabs in parallel: the output is never
    /// held whole. Broadcast inputs are prepared once for all slabs.
    pub fn map_row_slabs<P: Send>(
        &self,
        inputs: &[&Chunk],
        shape: &[usize],
        slab_rows: usize,
        log: &FpLog,
        f: impl Fn(Chunk) -> OxResult<P> + Sync,
    ) -> OxResult<Vec<P>> {
        let rows = shape.first().copied().unwrap_or(1);
        let row_len: usize = shape.iter().skip(1).product();
        let slab_rows = slab_rows.max(1);
        let starts: Vec<usize> = (0..rows).step_by(slab_rows).collect();
        let cancel = oxarray_core::cancel::CancelFlag::current();
        self.with_sources(inputs, shape, |srcs| {
            let prog = self.compiled(srcs);
            starts
                .par_iter()
                .map_init(
                    || prog.scratch(srcs.len()),
                    |scratch, &r0| {
                        cancel.check()?;
                        let n = slab_rows.min(rows - r0);
                        let mut slab_shape = shape.to_vec();
                        if let Some(s) = slab_shape.first_mut() {
                            *s = n;
                        }
                        let chunk: OxResult<Chunk> = dispatch_dtype!(self.out_dtype(), T => {
                            let mut out: Vec<T> = out_buffer(n * row_len)?;
                            prog.run_span::<T>(srcs, r0 * row_len, &mut out, false, log, scratch)?;
                            let arr = ArrayD::from_shape_vec(IxDyn(&slab_shape), out)
                                .map_err(|e| OxError::Internal(e.to_string()))?;
                            Ok(Chunk::from_array(arr))
                        });
                        f(chunk?)
                    },
                )
                .collect()
        })
    }

    /// Evaluates the program straight into a region of the result buffer (no chunk allocated,
    /// no copy afterwards).
    ///
    /// # Safety
    /// `dest` must describe a live, writable region of `dest.len` elements of `dest.dtype` that
    /// nothing else reads or writes during the call.
    pub unsafe fn run_into(
        &self,
        inputs: &[&Chunk],
        shape: &[usize],
        dest: RawDest,
        log: &FpLog,
    ) -> OxResult<()> {
        let n: usize = shape.iter().product();
        if dest.len != n || dest.dtype != self.out_dtype() {
            return Err(OxError::Internal(
                "direct output region does not match the block".into(),
            ));
        }
        self.with_sources(inputs, shape, |srcs| {
            dispatch_dtype!(self.out_dtype(), T => {
                // SAFETY: guaranteed by the caller (see above).
                let out = unsafe { std::slice::from_raw_parts_mut(dest.ptr as *mut T, n) };
                self.run_all::<T>(srcs, out, log)
            })
        })
    }

    /// Prepares the inputs: those of the output's shape are read in place; a one-element input
    /// becomes a constant; a broadcast input is read through a tile or gathered per block (see
    /// [`sources`]), never materialized at the output's size.
    fn with_sources<R>(
        &self,
        inputs: &[&Chunk],
        shape: &[usize],
        f: impl FnOnce(&[Source]) -> OxResult<R>,
    ) -> OxResult<R> {
        let n: usize = shape.iter().product();
        let owned: Vec<sources::Prepared> = inputs
            .iter()
            .map(|c| sources::prepare(c, shape))
            .collect::<OxResult<_>>()?;
        let srcs: Vec<Source> = inputs
            .iter()
            .zip(&owned)
            .map(|(c, o)| match o {
                sources::Prepared::Standard(b) => Source::Flat(b),
                sources::Prepared::Tiled { tile, period } => Source::Tiled {
                    tile,
                    period: *period,
                },
                sources::Prepared::Strided(s) => Source::Strided(s),
                sources::Prepared::AsIs if c.len() == 1 && n != 1 => {
                    Source::Scalar(first_scalar(c))
                }
                sources::Prepared::AsIs => Source::Flat(c),
            })
            .collect();
        f(&srcs)
    }

    /// Fills `out`, split across threads when it is large. The program is compiled once here,
    /// for this run's sources (an input read in place or a one-element input held as a constant).
    fn run_all<T: Element + SliceElem>(
        &self,
        srcs: &[Source],
        out: &mut [T],
        log: &FpLog,
    ) -> OxResult<()>
    where
        Column: Typed<T, Container = Vec<T>>,
    {
        let prog = self.compiled(srcs);
        let stream = std::mem::size_of_val(out) >= STREAM_BYTES;
        if out.len() > 2 * PAR_SPAN {
            // Spans are small (a few hundred KiB): checking for Ctrl-C before each one is free.
            let cancel = oxarray_core::cancel::CancelFlag::current();
            out.par_chunks_mut(PAR_SPAN).enumerate().try_for_each_init(
                || prog.scratch(srcs.len()),
                |scratch, (i, part)| {
                    cancel.check()?;
                    prog.run_span::<T>(srcs, i * PAR_SPAN, part, stream, log, scratch)
                },
            )
        } else {
            let mut scratch = prog.scratch(srcs.len());
            prog.run_span::<T>(srcs, 0, out, stream, log, &mut scratch)
        }
    }
}

/// The output buffer of a program run: not zeroed first, since a run writes every element
/// (`run_span` covers its whole span, or fails and the buffer is dropped unread).
fn out_buffer<T: Element>(n: usize) -> OxResult<Vec<T>> {
    // SAFETY: see above; a failed run returns its error before the buffer is wrapped in a chunk.
    Ok(unsafe { oxarray_core::buffer::assume_init(oxarray_core::buffer::uninit_vec(n)?) })
}

/// A contiguous region of a result buffer that a task may write its block into directly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawDest {
    pub ptr: usize,
    pub len: usize,
    pub dtype: DType,
}

pub(crate) enum Source<'a> {
    Flat(&'a Chunk),
    Scalar(Scalar),
    /// A leading-axes broadcast: the block at `lo` is `tile[lo % period..]`.
    Tiled {
        tile: &'a Chunk,
        period: usize,
    },
    /// Any other broadcast, gathered per block into a scratch register.
    Strided(&'a sources::Strided),
}

fn remap(instr: &Instr, reg: impl Fn(Reg) -> Reg, input: impl Fn(usize) -> usize) -> Instr {
    match instr {
        Instr::Input(i) => Instr::Input(input(*i)),
        Instr::Const(v) => Instr::Const(*v),
        Instr::Unary(op, a) => Instr::Unary(*op, reg(*a)),
        Instr::Binary(op, a, b) => Instr::Binary(*op, reg(*a), reg(*b)),
        Instr::Cast(a) => Instr::Cast(reg(*a)),
        Instr::Where(c, a, b) => Instr::Where(reg(*c), reg(*a), reg(*b)),
    }
}

fn first_scalar(c: &Chunk) -> Scalar {
    dispatch_typed!(Chunk, c, a => a.iter().next().map_or(Scalar::Int(0), |v| v.to_scalar()))
}

/// `c` broadcast to `shape` as a new standard-layout chunk.
pub fn broadcast_chunk(c: &Chunk, shape: &[usize]) -> OxResult<Chunk> {
    dispatch_typed!(Chunk, c, a => {
        let v = a.broadcast(IxDyn(shape)).ok_or_else(|| OxError::Internal(format!("cannot broadcast chunk {:?} to {:?}", a.shape(), shape)))?;
        Ok(Chunk::from_array(v.as_standard_layout().into_owned()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(v: Vec<f64>) -> Chunk {
        let n = v.len();
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(&[n]), v).unwrap())
    }

    #[test]
    fn the_compiled_form_is_kept_for_array_inputs_only() {
        let f = DType::Float64;
        let add = |r: &[Reg]| Instr::Binary(BinaryOp::Add, r[0], r[1]);
        let mut p = FusedProgram::single(2, &[f, f], add, f);
        let log = FpLog::default();
        let (x, y) = (chunk(vec![1.0, 2.0, 3.0]), chunk(vec![10.0, 20.0, 30.0]));
        let values = |c: Chunk| {
            c.as_array::<f64>()
                .unwrap()
                .iter()
                .copied()
                .collect::<Vec<_>>()
        };
        // A one-element input is a constant of the compiled form: never kept, nor taken from the
        // kept one.
        let once = p.run(&[&x, &chunk(vec![5.0])], &[3], &log).unwrap();
        assert!(p.compiled.0.get().is_none());
        assert_eq!(values(once), [6.0, 7.0, 8.0]);
        let arrays = p.run(&[&x, &y], &[3], &log).unwrap();
        assert!(p.compiled.0.get().is_some());
        assert_eq!(values(arrays), [11.0, 22.0, 33.0]);
        let again = p.run(&[&y, &chunk(vec![-1.0])], &[3], &log).unwrap();
        assert_eq!(values(again), [9.0, 19.0, 29.0]);
        // A changed program compiles again.
        let neg = FusedProgram::single(1, &[f], |r| Instr::Unary(UnaryOp::Negative, r[0]), f);
        p.append(&neg, &[usize::MAX]);
        assert!(p.compiled.0.get().is_none());
        assert_eq!(
            values(p.run(&[&x, &y], &[3], &log).unwrap()),
            [-11.0, -22.0, -33.0]
        );
    }

    #[test]
    fn single_and_appended_programs() {
        let f = DType::Float64;
        // p(x) = x * 2 ; q(y, z) = y + z ; append q onto p: q(p(x), z) = x*2 + z
        let mut p = FusedProgram::from_steps(vec![
            Step::new(Instr::Input(0), f),
            Step::new(Instr::Const(Scalar::Float(2.0)), f),
            Step::new(Instr::Binary(BinaryOp::Multiply, 0, 1), f),
        ]);
        let q = FusedProgram::single(2, &[f, f], |r| Instr::Binary(BinaryOp::Add, r[0], r[1]), f);
        p.append(&q, &[usize::MAX, 1]);
        assert_eq!(p.op_count(), 2);
        let x = chunk((0..10_000).map(|i| i as f64).collect());
        let z = chunk(vec![1.0]);
        let out = p.run(&[&x, &z], &[10_000], &FpLog::default()).unwrap();
        let a = out.as_array::<f64>().unwrap();
        assert_eq!(a[[0]], 1.0);
        assert_eq!(a[[9_999]], 19_999.0);
    }

    #[test]
    fn bare_input_program_keeps_result_last() {
        let f = DType::Float64;
        let identity = FusedProgram::from_steps(vec![Step::new(Instr::Input(0), f)]);
        let mut p = FusedProgram::single(1, &[f], |r| Instr::Unary(UnaryOp::Negative, r[0]), f);
        p.append(&identity, &[usize::MAX]);
        let out = p
            .run(&[&chunk(vec![1.0, 2.0])], &[2], &FpLog::default())
            .unwrap();
        assert_eq!(
            out.as_array::<f64>().unwrap().as_slice().unwrap(),
            &[-1.0, -2.0]
        );
    }

    #[test]
    fn errors_are_checked_only_where_asked() {
        use crate::fperr::{FpCheck, FpMode, DIVIDE, INVALID};
        let f = DType::Float64;
        // x / 0 unchecked, then (x / 0) * 0 checked for invalid (warn): inf * 0 is invalid.
        let mut p = FusedProgram::single(
            2,
            &[f, f],
            |r| Instr::Binary(BinaryOp::Divide, r[0], r[1]),
            f,
        );
        let warn_invalid = FpCheck::new(7, FpMode(INVALID as u64));
        let q = FusedProgram::single(
            2,
            &[f, f],
            |r| Instr::Binary(BinaryOp::Multiply, r[0], r[1]),
            f,
        )
        .with_check(warn_invalid);
        p.append(&q, &[usize::MAX, 1]);
        let log = FpLog::default();
        p.run(&[&chunk(vec![1.0, 2.0]), &chunk(vec![0.0])], &[2], &log)
            .unwrap();
        assert_eq!(log.events(), vec![(FpMode(INVALID as u64), INVALID)]);
        // The same under raise for divide: the run stops with NumPy's message.
        let raise_divide = FpCheck::new(8, FpMode((DIVIDE | DIVIDE << 4) as u64));
        let d = FusedProgram::single(
            2,
            &[f, f],
            |r| Instr::Binary(BinaryOp::Divide, r[0], r[1]),
            f,
        )
        .with_check(raise_divide);
        let err = d
            .run(
                &[&chunk(vec![1.0]), &chunk(vec![0.0])],
                &[1],
                &FpLog::default(),
            )
            .unwrap_err();
        assert_eq!(err.to_string(), "divide by zero encountered in divide");
    }
}
