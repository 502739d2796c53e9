//! Fused elementwise programs: a chain of elementwise ops evaluated in one pass over a chunk.
//!
//! A program is a list of instructions in SSA form (instruction `i` defines register `i`; the last
//! one is the result). It runs over blocks of [`BLOCK`] elements so that every intermediate stays
//! in L1/L2, as numexpr does; a large chunk is split across threads.

use ndarray::{ArrayD, IxDyn};
use oxarray_core::chunk::Typed;
use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{
    dispatch_dtype, dispatch_typed, Chunk, Column, ColumnRef, DType, Element, OxError, OxResult,
    Scalar, SliceElem,
};
use oxarray_kernels::elementwise::{binary_into, cast_into, unary_into, where_into};
use rayon::prelude::*;

/// Elements per block: a few registers of this size fit in L2.
pub const BLOCK: usize = 4096;
/// Elements handed to one thread at a time when a chunk is split across threads.
const PAR_SPAN: usize = 16 * BLOCK;

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

/// An instruction and the dtype of the register it defines.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub instr: Instr,
    pub dtype: DType,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct FusedProgram {
    pub steps: Vec<Step>,
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
            .map(|i| Step {
                instr: Instr::Input(i),
                dtype: input_dtypes[i],
            })
            .collect();
        let regs: Vec<Reg> = (0..n_inputs).collect();
        steps.push(Step {
            instr: make(&regs),
            dtype,
        });
        FusedProgram { steps }
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

    /// Replaces inputs `ks` of `self` (all reading the same task) by the program `inner`; the
    /// inputs of both are renumbered (`inner_inputs`, `outer_inputs`) to the fused task's inputs.
    pub fn inline(
        &self,
        ks: &[usize],
        inner: &FusedProgram,
        inner_inputs: &[usize],
        outer_inputs: &[usize],
    ) -> FusedProgram {
        let mut steps = Vec::with_capacity(self.steps.len() + inner.steps.len());
        let shift = |r: Reg, map: &[Reg]| map[r];
        let mut inner_map = Vec::with_capacity(inner.steps.len());
        for s in &inner.steps {
            let instr = remap(&s.instr, |r| shift(r, &inner_map), |i| inner_inputs[i]);
            inner_map.push(steps.len());
            steps.push(Step {
                instr,
                dtype: s.dtype,
            });
        }
        let inner_out = steps.len() - 1;
        let mut outer_map = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            if matches!(s.instr, Instr::Input(i) if ks.contains(&i)) {
                outer_map.push(inner_out);
                continue;
            }
            let instr = remap(&s.instr, |r| shift(r, &outer_map), |i| outer_inputs[i]);
            outer_map.push(steps.len());
            steps.push(Step {
                instr,
                dtype: s.dtype,
            });
        }
        // The result must stay the last step: move it there if the outer program was a bare input.
        let out = outer_map[self.steps.len() - 1];
        if out != steps.len() - 1 {
            let dtype = steps[out].dtype;
            steps.push(Step {
                instr: Instr::Cast(out),
                dtype,
            });
        }
        FusedProgram { steps }
    }

    /// Replaces input `k` by a constant.
    pub fn inline_const(
        &self,
        k: usize,
        value: Scalar,
        renumber: impl Fn(usize) -> usize,
    ) -> FusedProgram {
        let steps = self
            .steps
            .iter()
            .map(|s| match s.instr {
                Instr::Input(i) if i == k => Step {
                    instr: Instr::Const(value),
                    dtype: s.dtype,
                },
                ref other => Step {
                    instr: remap(other, |r| r, &renumber),
                    dtype: s.dtype,
                },
            })
            .collect();
        FusedProgram { steps }
    }

    /// Evaluates the program over `inputs`, each broadcastable to `shape`, into a new chunk.
    pub fn run(&self, inputs: &[&Chunk], shape: &[usize]) -> OxResult<Chunk> {
        let n: usize = shape.iter().product();
        self.with_sources(inputs, shape, |srcs| {
            dispatch_dtype!(self.out_dtype(), T => {
                let mut out: Vec<T> = oxarray_core::buffer::zeroed_vec(n)?;
                self.run_all::<T>(srcs, &mut out)?;
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
        f: impl Fn(Chunk) -> OxResult<P> + Sync,
    ) -> OxResult<Vec<P>> {
        let rows = shape.first().copied().unwrap_or(1);
        let row_len: usize = shape.iter().skip(1).product();
        let slab_rows = slab_rows.max(1);
        let starts: Vec<usize> = (0..rows).step_by(slab_rows).collect();
        self.with_sources(inputs, shape, |srcs| {
            starts
                .par_iter()
                .map(|&r0| {
                    let n = slab_rows.min(rows - r0);
                    let mut slab_shape = shape.to_vec();
                    if let Some(s) = slab_shape.first_mut() {
                        *s = n;
                    }
                    let chunk: OxResult<Chunk> = dispatch_dtype!(self.out_dtype(), T => {
                        let mut out: Vec<T> = oxarray_core::buffer::zeroed_vec(n * row_len)?;
                        self.run_span::<T>(srcs, r0 * row_len, &mut out)?;
                        let arr = ArrayD::from_shape_vec(IxDyn(&slab_shape), out)
                            .map_err(|e| OxError::Internal(e.to_string()))?;
                        Ok(Chunk::from_array(arr))
                    });
                    f(chunk?)
                })
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
                self.run_all::<T>(srcs, out)
            })
        })
    }

    /// Prepares the inputs: those of the output's shape are read in place; a one-element input
    /// becomes a constant; anything else is broadcast into a temporary of the output's shape.
    fn with_sources<R>(
        &self,
        inputs: &[&Chunk],
        shape: &[usize],
        f: impl FnOnce(&[Source]) -> OxResult<R>,
    ) -> OxResult<R> {
        let n: usize = shape.iter().product();
        let mut owned: Vec<Option<Chunk>> = Vec::with_capacity(inputs.len());
        for c in inputs {
            let same = c.shape() == shape && is_standard(c);
            owned.push(if same || c.len() == 1 {
                None
            } else {
                Some(broadcast_chunk(c, shape)?)
            });
        }
        let srcs: Vec<Source> = inputs
            .iter()
            .zip(&owned)
            .map(|(c, o)| match o {
                Some(b) => Source::Flat(b),
                None if c.len() == 1 && n != 1 => Source::Scalar(first_scalar(c)),
                None => Source::Flat(c),
            })
            .collect();
        f(&srcs)
    }

    /// Fills `out`, split across threads when it is large.
    fn run_all<T: Element + SliceElem>(&self, srcs: &[Source], out: &mut [T]) -> OxResult<()>
    where
        Column: Typed<T, Container = Vec<T>>,
    {
        if out.len() > 2 * PAR_SPAN {
            out.par_chunks_mut(PAR_SPAN)
                .enumerate()
                .try_for_each(|(i, part)| self.run_span::<T>(srcs, i * PAR_SPAN, part))
        } else {
            self.run_span::<T>(srcs, 0, out)
        }
    }

    /// Evaluates elements `start..start+out.len()` into `out`, block by block.
    fn run_span<T: Element + SliceElem>(
        &self,
        srcs: &[Source],
        start: usize,
        out: &mut [T],
    ) -> OxResult<()>
    where
        Column: Typed<T, Container = Vec<T>>,
    {
        let mut regs: Vec<Column> = self.steps.iter().map(|s| Column::empty(s.dtype)).collect();
        for (b, dst) in out.chunks_mut(BLOCK).enumerate() {
            let lo = start + b * BLOCK;
            let len = dst.len();
            for (i, step) in self.steps.iter().enumerate() {
                let (done, rest) = regs.split_at_mut(i);
                let r = &mut rest[0];
                let arg = |j: Reg| self.operand(j, done, srcs, lo, len);
                match &step.instr {
                    // Flat inputs are read in place by their consumers (see `operand`).
                    Instr::Input(k) => match &srcs[*k] {
                        Source::Flat(_) => {}
                        Source::Scalar(v) => fill(r, step.dtype, *v, len),
                    },
                    Instr::Const(v) => fill(r, step.dtype, *v, len),
                    Instr::Unary(op, a) => unary_into(*op, arg(*a)?, r)?,
                    Instr::Binary(op, a, c) => binary_into(*op, arg(*a)?, arg(*c)?, r)?,
                    Instr::Cast(a) => cast_into(arg(*a)?, step.dtype, r),
                    Instr::Where(c, a, e) => where_into(arg(*c)?, arg(*a)?, arg(*e)?, r)?,
                }
            }
            let last = self.steps.len() - 1;
            let result =
                T::from_ref(self.operand(last, &regs, srcs, lo, len)?).ok_or_else(|| {
                    OxError::Internal("fused program: result register has the wrong dtype".into())
                })?;
            dst.copy_from_slice(result);
        }
        Ok(())
    }

    /// The value of register `j` for the block `lo..lo + len`: a flat input is borrowed straight
    /// from its chunk (no copy into a register); anything else is the register itself.
    fn operand<'a>(
        &self,
        j: Reg,
        regs: &'a [Column],
        srcs: &[Source<'a>],
        lo: usize,
        len: usize,
    ) -> OxResult<ColumnRef<'a>> {
        match (&self.steps[j].instr, srcs) {
            (Instr::Input(k), srcs) if matches!(srcs[*k], Source::Flat(_)) => {
                let Source::Flat(c) = srcs[*k] else {
                    unreachable!("matched above")
                };
                c.flat_range(lo, len).ok_or_else(|| {
                    OxError::Internal("fused program: input block outside its chunk".into())
                })
            }
            _ => Ok(ColumnRef::from(&regs[j])),
        }
    }
}

/// A contiguous region of a result buffer that a task may write its block into directly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawDest {
    pub ptr: usize,
    pub len: usize,
    pub dtype: DType,
}

enum Source<'a> {
    Flat(&'a Chunk),
    Scalar(Scalar),
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

fn is_standard(c: &Chunk) -> bool {
    dispatch_typed!(Chunk, c, a => a.is_standard_layout())
}

fn first_scalar(c: &Chunk) -> Scalar {
    dispatch_typed!(Chunk, c, a => a.iter().next().map_or(Scalar::Int(0), |v| v.to_scalar()))
}

fn fill(r: &mut Column, dtype: DType, v: Scalar, len: usize) {
    if r.len() != len || r.dtype() != dtype {
        *r = Column::full(dtype, len, v);
    }
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
    fn single_and_inlined_programs() {
        let f = DType::Float64;
        // p(x) = x * 2 ; q(y, z) = y + z ; inline p into input 0 of q: q(p(x), z) = x*2 + z
        let p = FusedProgram {
            steps: vec![
                Step {
                    instr: Instr::Input(0),
                    dtype: f,
                },
                Step {
                    instr: Instr::Const(Scalar::Float(2.0)),
                    dtype: f,
                },
                Step {
                    instr: Instr::Binary(BinaryOp::Multiply, 0, 1),
                    dtype: f,
                },
            ],
        };
        let q = FusedProgram::single(2, &[f, f], |r| Instr::Binary(BinaryOp::Add, r[0], r[1]), f);
        let fused = q.inline(&[0], &p, &[0], &[usize::MAX, 1]);
        assert_eq!(fused.op_count(), 2);
        let x = chunk((0..10_000).map(|i| i as f64).collect());
        let z = chunk(vec![1.0]);
        let out = fused.run(&[&x, &z], &[10_000]).unwrap();
        let a = out.as_array::<f64>().unwrap();
        assert_eq!(a[[0]], 1.0);
        assert_eq!(a[[9_999]], 19_999.0);
    }

    #[test]
    fn bare_input_program_keeps_result_last() {
        let f = DType::Float64;
        let identity = FusedProgram {
            steps: vec![Step {
                instr: Instr::Input(0),
                dtype: f,
            }],
        };
        let p = FusedProgram::single(1, &[f], |r| Instr::Unary(UnaryOp::Negative, r[0]), f);
        let fused = identity.inline(&[0], &p, &[0], &[usize::MAX]);
        let out = fused.run(&[&chunk(vec![1.0, 2.0])], &[2]).unwrap();
        assert_eq!(
            out.as_array::<f64>().unwrap().as_slice().unwrap(),
            &[-1.0, -2.0]
        );
    }
}
