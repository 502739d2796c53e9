//! A fused program compiled for one run: SSA registers mapped onto a few physical slots.
//!
//! A slot is freed after the last instruction that reads its value and reused by a later
//! instruction of the same dtype (so the kernels' output buffers are reused too); constants equal
//! in value and dtype share one slot. A 20,000-instruction chain then holds a few blocks of
//! [`BLOCK`](super::BLOCK) elements per thread instead of one per instruction. Compiling is
//! linear in the program and happens once per task run, never per block.

use super::{FusedProgram, Instr, Source};
use crate::fperr::{self, FpCheck, FpLog};
use oxarray_core::chunk::Typed;
use oxarray_core::ops::{BinaryOp, UnaryOp};
use oxarray_core::{
    dispatch_dtype, Column, ColumnRef, DType, Element, OxError, OxResult, Scalar, SliceElem,
};
use oxarray_kernels::elementwise::{binary_into, cast_flags, cast_into, unary_into, where_into};
use std::collections::HashMap;

/// How many distinct constants keep a slot of their own for a whole run (each a block of
/// [`BLOCK`](super::BLOCK) elements per thread); later ones share slots and are refilled.
const PINNED_CONSTANTS: usize = 8;

/// Where an instruction reads a value: a block of an input chunk in place, or a slot.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Operand {
    Src(usize),
    Slot(usize),
}

#[derive(Clone, Debug)]
enum Op {
    /// Slot `slot` := the constant `id` (skipped when the slot still holds it at this length).
    Fill {
        slot: usize,
        id: usize,
        value: Scalar,
        dtype: DType,
    },
    Unary(UnaryOp, Operand),
    Binary(BinaryOp, Operand, Operand),
    Cast(Operand, DType),
    Where(Operand, Operand, Operand),
}

#[derive(Clone, Debug)]
struct CompiledOp {
    op: Op,
    /// Output slot (for `Fill`, the same as in the op).
    out: usize,
    check: Option<FpCheck>,
}

#[derive(Clone)]
pub(super) struct Compiled {
    ops: Vec<CompiledOp>,
    slot_dtypes: Vec<DType>,
    result: Operand,
}

/// A constant's identity for sharing: its dtype and the bits of its value.
fn const_key(dtype: DType, v: Scalar) -> (DType, u8, u64, u64) {
    match v {
        Scalar::Bool(b) => (dtype, 0, u64::from(b), 0),
        Scalar::Int(i) => (dtype, 1, i as u64, 0),
        Scalar::UInt(u) => (dtype, 2, u, 0),
        Scalar::Float(f) => (dtype, 3, f.to_bits(), 0),
        Scalar::Complex(re, im) => (dtype, 4, re.to_bits(), im.to_bits()),
    }
}

fn args(instr: &Instr) -> ([usize; 3], usize) {
    match *instr {
        Instr::Input(_) | Instr::Const(_) => ([0; 3], 0),
        Instr::Unary(_, a) | Instr::Cast(a) => ([a, 0, 0], 1),
        Instr::Binary(_, a, b) => ([a, b, 0], 2),
        Instr::Where(c, a, b) => ([c, a, b], 3),
    }
}

impl Compiled {
    pub(super) fn new(prog: &FusedProgram, srcs: &[Source]) -> Compiled {
        let steps = &prog.steps;
        let n = steps.len();
        // The value each register stands for: a repeated constant is its first occurrence.
        let mut value: Vec<usize> = (0..n).collect();
        let mut const_of: Vec<Option<(Scalar, usize)>> = vec![None; n];
        let mut first_const: HashMap<(DType, u8, u64, u64), usize> = HashMap::new();
        for (i, s) in steps.iter().enumerate() {
            let c = match s.instr {
                Instr::Const(v) => Some(v),
                Instr::Input(k) => match srcs.get(k) {
                    Some(Source::Scalar(v)) => Some(*v),
                    _ => None,
                },
                _ => None,
            };
            if let Some(v) = c {
                let next_id = first_const.len();
                let first = *first_const.entry(const_key(s.dtype, v)).or_insert(i);
                value[i] = first;
                const_of[i] = Some((v, if first == i { next_id } else { 0 }));
            }
        }
        // The last instruction reading each value (the result is read after the last one).
        let mut last_use: Vec<usize> = (0..n).collect();
        for (i, s) in steps.iter().enumerate() {
            let (a, k) = args(&s.instr);
            for &r in &a[..k] {
                last_use[value[r]] = i;
            }
        }
        if let Some(last) = n.checked_sub(1) {
            last_use[value[last]] = usize::MAX;
        }
        // The first few distinct constants keep their slots for the whole run, so they are filled
        // once per span rather than once per block after another value reused the slot.
        let mut pinned = 0;
        let mut is_pinned = vec![false; n];
        let mut operand: Vec<Operand> = vec![Operand::Src(0); n];
        let mut slot_dtypes: Vec<DType> = Vec::new();
        let mut free: HashMap<DType, Vec<usize>> = HashMap::new();
        let mut ops = Vec::with_capacity(n);
        for (i, s) in steps.iter().enumerate() {
            if value[i] != i {
                operand[i] = operand[value[i]];
                continue;
            }
            if let (Instr::Input(k), None) = (&s.instr, const_of[i]) {
                operand[i] = Operand::Src(*k);
                continue;
            }
            let out = free
                .get_mut(&s.dtype)
                .and_then(Vec::pop)
                .unwrap_or_else(|| {
                    slot_dtypes.push(s.dtype);
                    slot_dtypes.len() - 1
                });
            operand[i] = Operand::Slot(out);
            if const_of[i].is_some() && pinned < PINNED_CONSTANTS {
                pinned += 1;
                is_pinned[i] = true;
            }
            let at = |r: usize| operand[value[r]];
            let op = match (&s.instr, const_of[i]) {
                (_, Some((v, id))) => Op::Fill {
                    slot: out,
                    id,
                    value: v,
                    dtype: s.dtype,
                },
                (Instr::Unary(op, a), None) => Op::Unary(*op, at(*a)),
                (Instr::Binary(op, a, b), None) => Op::Binary(*op, at(*a), at(*b)),
                (Instr::Cast(a), None) => Op::Cast(at(*a), s.dtype),
                (Instr::Where(c, a, b), None) => Op::Where(at(*c), at(*a), at(*b)),
                (Instr::Input(_) | Instr::Const(_), None) => unreachable!("handled above"),
            };
            ops.push(CompiledOp {
                op,
                out,
                check: s.check,
            });
            // Free the slots whose value this instruction read last (after allocating the
            // output, so an output never aliases an input), and a value nobody reads.
            let (a, k) = args(&s.instr);
            let mut release = |v: usize| {
                if last_use[v] == i && !is_pinned[v] {
                    if let Operand::Slot(sl) = operand[v] {
                        free.entry(slot_dtypes[sl]).or_default().push(sl);
                    }
                }
            };
            for (j, &r) in a[..k].iter().enumerate() {
                if !a[..j].contains(&r) && !a[..j].iter().any(|&q| value[q] == value[r]) {
                    release(value[r]);
                }
            }
            release(i);
        }
        let result = n
            .checked_sub(1)
            .map_or(Operand::Src(0), |last| operand[value[last]]);
        Compiled {
            ops,
            slot_dtypes,
            result,
        }
    }

    /// Evaluates elements `start..start+out.len()` into `out`, block by block. With `stream`,
    /// the blocks are written with non-temporal stores (an output larger than the caches, written
    /// once), fenced before returning.
    pub(super) fn run_span<T: Element + SliceElem>(
        &self,
        srcs: &[Source],
        start: usize,
        out: &mut [T],
        stream: bool,
        log: &FpLog,
    ) -> OxResult<()>
    where
        Column: Typed<T, Container = Vec<T>>,
    {
        let mut slots: Vec<Column> = self.slot_dtypes.iter().map(|&d| Column::empty(d)).collect();
        // Which constant each slot holds, at which length (a reused slot must be refilled).
        let mut holds: Vec<Option<(usize, usize)>> = vec![None; slots.len()];
        // Flags seen per instruction in this span, reported once at the end.
        let mut seen: Vec<u8> = vec![0; self.ops.len()];
        // Broadcast inputs read through their strides, gathered per block.
        let mut gathered: Vec<Column> = srcs.iter().map(|_| Column::Bool(Vec::new())).collect();
        let result = (|| {
            for (b, dst) in out.chunks_mut(super::BLOCK).enumerate() {
                let lo = start + b * super::BLOCK;
                let len = dst.len();
                for (src, g) in srcs.iter().zip(gathered.iter_mut()) {
                    if let Source::Strided(st) = src {
                        st.gather(lo, len, g)?;
                    }
                }
                // The next block of every input read in place, on its way while this one runs.
                for src in srcs {
                    if let Source::Flat(c) = src {
                        if let Some(next) = c.flat_range(lo + len, len) {
                            oxarray_kernels::stream::prefetch(next);
                        }
                    }
                }
                let at = Block {
                    srcs,
                    gathered: &gathered,
                    lo,
                    len,
                };
                for (i, cop) in self.ops.iter().enumerate() {
                    self.step(cop, &mut slots, &mut holds, &at, &mut seen[i], log)?;
                }
                let result = T::from_ref(operand(self.result, &slots, &at)?).ok_or_else(|| {
                    OxError::Internal("fused program: result register has the wrong dtype".into())
                })?;
                if stream {
                    oxarray_kernels::stream::copy_streaming(dst, result);
                } else {
                    dst.copy_from_slice(result);
                }
            }
            Ok(())
        })();
        if stream {
            oxarray_kernels::stream::fence();
        }
        for (cop, &f) in self.ops.iter().zip(&seen) {
            if let (Some(check), true) = (cop.check, f != 0) {
                log.record(check, f);
            }
        }
        result
    }

    fn step(
        &self,
        cop: &CompiledOp,
        slots: &mut [Column],
        holds: &mut [Option<(usize, usize)>],
        at: &Block,
        seen: &mut u8,
        log: &FpLog,
    ) -> OxResult<()> {
        let len = at.len;
        if let Op::Fill {
            slot,
            id,
            value,
            dtype,
        } = cop.op
        {
            if holds[slot] != Some((id, len)) {
                fill(&mut slots[slot], dtype, value, len);
                holds[slot] = Some((id, len));
            }
            return Ok(());
        }
        // The output is taken out of its slot while the inputs are borrowed from the others.
        let mut r = std::mem::replace(&mut slots[cop.out], Column::Bool(Vec::new()));
        holds[cop.out] = None;
        if cop.check.is_some() && fperr::test_flags() != 0 {
            fperr::clear_flags();
        }
        let arg = |o: Operand| operand(o, slots, at);
        let mut extra = 0;
        let mut hardware_mask = 0xF;
        let done = match &cop.op {
            Op::Unary(op, a) => {
                let a = arg(*a)?;
                let done = unary_into(*op, a, &mut r);
                if cop.check.is_some() && done.is_ok() {
                    match fperr::unary_flags_source(*op, a.dtype()) {
                        fperr::UnaryFlags::Hardware => {}
                        fperr::UnaryFlags::Values { hardware_mask: m } => {
                            hardware_mask = m;
                            extra = fperr::unary_value_flags(*op, a, ColumnRef::from(&r));
                        }
                        fperr::UnaryFlags::Unchecked => hardware_mask = 0,
                    }
                }
                done
            }
            Op::Binary(op, a, b) => {
                let (a, b) = (arg(*a)?, arg(*b)?);
                if cop.check.is_some() {
                    extra = fperr::integer_flags(*op, a, b);
                }
                binary_into(*op, a, b, &mut r)
            }
            Op::Cast(a, dtype) => {
                let a = arg(*a)?;
                if cop.check.is_some() {
                    // NumPy's flags of a cast, from the values (a saturating or software
                    // conversion does not raise them in hardware).
                    hardware_mask = 0;
                    extra = cast_flags(a, *dtype);
                }
                cast_into(a, *dtype, &mut r);
                Ok(())
            }
            Op::Where(c, a, e) => where_into(arg(*c)?, arg(*a)?, arg(*e)?, &mut r),
            Op::Fill { .. } => Ok(()),
        };
        slots[cop.out] = r;
        done?;
        if let Some(check) = cop.check {
            let flags = (fperr::test_flags() & hardware_mask) | extra;
            if flags != 0 {
                fperr::check_after(op_name(&cop.op), check, flags, seen, log)?;
            }
        }
        Ok(())
    }
}

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Unary(op, _) => op.name(),
        Op::Binary(op, _, _) => op.name(),
        Op::Cast(..) => "cast",
        Op::Where(..) => "where",
        Op::Fill { .. } => "full",
    }
}

/// The block a program is evaluating: its sources, the broadcast inputs gathered for it, and
/// its place `lo..lo + len` in the output.
struct Block<'s, 'a> {
    srcs: &'s [Source<'a>],
    gathered: &'s [Column],
    lo: usize,
    len: usize,
}

/// The value of an operand for the block: a flat input is borrowed straight from its chunk (no
/// copy into a register), a tiled one from its tile; anything else is its slot.
fn operand<'s>(o: Operand, slots: &'s [Column], at: &Block<'s, '_>) -> OxResult<ColumnRef<'s>> {
    let (lo, len) = (at.lo, at.len);
    let outside = || OxError::Internal("fused program: input block outside its chunk".into());
    match o {
        Operand::Slot(s) => Ok(ColumnRef::from(&slots[s])),
        Operand::Src(k) => match at.srcs.get(k) {
            Some(Source::Flat(c)) => c.flat_range(lo, len).ok_or_else(outside),
            Some(Source::Tiled { tile, period }) => {
                tile.flat_range(lo % period, len).ok_or_else(outside)
            }
            Some(Source::Strided(_)) => Ok(ColumnRef::from(&at.gathered[k])),
            _ => Err(OxError::Internal(
                "fused program: an input has no block".into(),
            )),
        },
    }
}

/// `r` := `len` copies of `v`, reusing its buffer when it has the dtype already.
fn fill(r: &mut Column, dtype: DType, v: Scalar, len: usize) {
    dispatch_dtype!(dtype, T => {
        let old = std::mem::replace(r, Column::Bool(Vec::new()));
        let mut buf = <Column as Typed<T>>::into_inner(old).unwrap_or_default();
        buf.clear();
        buf.resize(len, T::from_scalar(v));
        *r = <Column as Typed<T>>::wrap(buf);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Step;

    /// `y = y + 1` 1,000 times: three slots (the chain's two alternating values and the shared
    /// constant), not 2,000.
    #[test]
    fn deep_chain_needs_few_slots() {
        let f = DType::Float64;
        let mut steps = vec![Step::new(Instr::Input(0), f)];
        let mut y = 0;
        for _ in 0..1000 {
            steps.push(Step::new(Instr::Const(Scalar::Float(1.0)), f));
            steps.push(Step::new(
                Instr::Binary(BinaryOp::Add, y, steps.len() - 1),
                f,
            ));
            y = steps.len() - 1;
        }
        let prog = FusedProgram::from_steps(steps);
        let x = crate::result::chunk_from_vec(&[3], vec![0.0, 1.0, 2.0]).unwrap();
        let c = Compiled::new(&prog, &[Source::Flat(&x)]);
        assert!(c.slot_dtypes.len() <= 3, "{} slots", c.slot_dtypes.len());
        let out = prog.run(&[&x], &[3], &FpLog::default()).unwrap();
        assert_eq!(
            out.as_array::<f64>().unwrap().as_slice().unwrap(),
            &[1000.0, 1001.0, 1002.0]
        );
    }

    /// A slot reused by another value must be refilled with its constant on the next block.
    #[test]
    fn reused_constant_slots_are_refilled() {
        let f = DType::Float64;
        // ((x + 2) * 3) + 2 over several blocks: the slot of the first 2 may be reused.
        let s = |i, d| Step::new(i, d);
        let steps = vec![
            s(Instr::Input(0), f),
            s(Instr::Const(Scalar::Float(2.0)), f),
            s(Instr::Binary(BinaryOp::Add, 0, 1), f),
            s(Instr::Const(Scalar::Float(3.0)), f),
            s(Instr::Binary(BinaryOp::Multiply, 2, 3), f),
            s(Instr::Const(Scalar::Float(5.0)), f),
            s(Instr::Binary(BinaryOp::Add, 4, 5), f),
        ];
        let prog = FusedProgram::from_steps(steps);
        let n = 3 * super::super::BLOCK + 7;
        let x = crate::result::chunk_from_vec(&[n], (0..n).map(|i| i as f64).collect()).unwrap();
        let out = prog.run(&[&x], &[n], &FpLog::default()).unwrap();
        let a = out.as_array::<f64>().unwrap();
        let block = super::super::BLOCK;
        for i in [0, 1, block, 2 * block - 1, n - 1] {
            assert_eq!(a[[i]], (i as f64 + 2.0) * 3.0 + 5.0, "at {i}");
        }
    }

    /// More distinct constants than keep a slot of their own: the later ones share slots with
    /// other values and must be refilled in every block. `x + 1 + 2 + ... + 12`.
    #[test]
    fn constants_beyond_the_pinned_ones_are_refilled() {
        let f = DType::Float64;
        let mut steps = vec![Step::new(Instr::Input(0), f)];
        let mut y = 0;
        for k in 1..=12 {
            steps.push(Step::new(Instr::Const(Scalar::Float(f64::from(k))), f));
            steps.push(Step::new(
                Instr::Binary(BinaryOp::Add, y, steps.len() - 1),
                f,
            ));
            y = steps.len() - 1;
        }
        let prog = FusedProgram::from_steps(steps);
        let n = 3 * super::super::BLOCK + 5;
        let x = crate::result::chunk_from_vec(&[n], (0..n).map(|i| i as f64).collect()).unwrap();
        let c = Compiled::new(&prog, &[Source::Flat(&x)]);
        assert!(
            c.slot_dtypes.len() <= PINNED_CONSTANTS + 3,
            "{} slots",
            c.slot_dtypes.len()
        );
        let out = prog.run(&[&x], &[n], &FpLog::default()).unwrap();
        let a = out.as_array::<f64>().unwrap();
        for i in 0..n {
            assert_eq!(a[[i]], i as f64 + 78.0, "at {i}");
        }
    }

    /// An output large enough for non-temporal stores gets every element right, with a block
    /// boundary inside the unaligned head and an odd tail.
    #[test]
    fn streamed_outputs_are_whole() {
        let f = DType::Float64;
        let steps = vec![
            Step::new(Instr::Input(0), f),
            Step::new(Instr::Const(Scalar::Float(0.5)), f),
            Step::new(Instr::Binary(BinaryOp::Multiply, 0, 1), f),
        ];
        let prog = FusedProgram::from_steps(steps);
        let n = super::super::STREAM_BYTES / 8 + 3;
        let x = crate::result::chunk_from_vec(&[n], (0..n).map(|i| i as f64).collect()).unwrap();
        let out = prog.run(&[&x], &[n], &FpLog::default()).unwrap();
        let a = out.as_array::<f64>().unwrap();
        assert!((0..n).all(|i| a[[i]] == i as f64 * 0.5));
    }
}
