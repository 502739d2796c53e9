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

/// The working buffers of program runs on one thread: one block per slot, the constant each slot
/// holds (at which length: a slot reused by another value must be refilled), and the broadcast
/// inputs gathered through their strides. Kept across the spans a thread evaluates, so a span
/// neither allocates its registers nor refills its constants.
pub(super) struct Scratch {
    slots: Vec<Column>,
    holds: Vec<Option<(usize, usize)>>,
    gathered: Vec<Column>,
}

#[derive(Clone)]
pub(super) struct Compiled {
    ops: Vec<CompiledOp>,
    slot_dtypes: Vec<DType>,
    result: Operand,
    /// Every checked instruction's flags come from the hardware alone (no scan of the values),
    /// and there is one: a block then tests the flags once, after all its instructions, and
    /// finds which instruction raised them only when one did (see [`Compiled::run_span`]).
    flags_per_block: bool,
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

/// Whether the floating-point flags NumPy reports for `instr` are exactly the hardware's: not
/// for an integer floor division or remainder (the division by zero is found in the values), a
/// transcendental function (see [`fperr::UnaryFlags`]) or a cast.
fn hardware_flags_only(instr: &Instr, steps: &[super::Step]) -> bool {
    match *instr {
        Instr::Binary(op, a, _) => !fperr::has_integer_flags(op, steps[a].dtype),
        Instr::Unary(op, a) => matches!(
            fperr::unary_flags_source(op, steps[a].dtype),
            fperr::UnaryFlags::Hardware
        ),
        Instr::Cast(_) => false,
        Instr::Where(..) | Instr::Input(_) | Instr::Const(_) => true,
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
        let (mut any_checked, mut all_hardware) = (false, true);
        for (i, s) in steps.iter().enumerate() {
            if value[i] != i {
                operand[i] = operand[value[i]];
                continue;
            }
            if let (Instr::Input(k), None) = (&s.instr, const_of[i]) {
                operand[i] = Operand::Src(*k);
                continue;
            }
            // A pinned constant gets a slot of its own: in a slot freed by an earlier value, it
            // would be overwritten by that value in every block and refilled after it.
            let pin = const_of[i].is_some() && pinned < PINNED_CONSTANTS;
            let reused = if pin {
                None
            } else {
                free.get_mut(&s.dtype).and_then(Vec::pop)
            };
            let out = reused.unwrap_or_else(|| {
                slot_dtypes.push(s.dtype);
                slot_dtypes.len() - 1
            });
            operand[i] = Operand::Slot(out);
            if pin {
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
            if s.check.is_some() {
                any_checked = true;
                all_hardware &= hardware_flags_only(&s.instr, steps);
            }
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
        let flags_per_block = any_checked && all_hardware;
        Compiled {
            ops,
            slot_dtypes,
            result,
            flags_per_block,
        }
    }

    /// The registers of one thread's runs of this program, for `n_srcs` inputs: empty until the
    /// first block, then reused by every span that thread evaluates.
    pub(super) fn scratch(&self, n_srcs: usize) -> Scratch {
        Scratch {
            slots: self.slot_dtypes.iter().map(|&d| Column::empty(d)).collect(),
            holds: vec![None; self.slot_dtypes.len()],
            gathered: (0..n_srcs).map(|_| Column::Bool(Vec::new())).collect(),
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
        scratch: &mut Scratch,
    ) -> OxResult<()>
    where
        Column: Typed<T, Container = Vec<T>>,
    {
        let Scratch {
            slots,
            holds,
            gathered,
        } = scratch;
        // Flags seen per instruction in this span, reported once at the end.
        let mut seen: Vec<u8> = vec![0; self.ops.len()];
        let mut per_block = self.flags_per_block;
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
                    gathered,
                    lo,
                    len,
                };
                if per_block {
                    // One test for the whole block; only a block that raised a flag is run
                    // again op by op, to find which instruction raised it (the instructions
                    // write only their own slots, so the second run computes the same values).
                    if fperr::test_flags() != 0 {
                        fperr::clear_flags();
                    }
                    for cop in &self.ops {
                        self.step(cop, slots, holds, &at, None)?;
                    }
                    per_block = fperr::test_flags() == 0;
                }
                if !per_block {
                    // Once flags were seen (an unchecked instruction may raise them in every
                    // block), the rest of the span is checked op by op.
                    for (cop, seen) in self.ops.iter().zip(seen.iter_mut()) {
                        self.step(cop, slots, holds, &at, Some((seen, log)))?;
                    }
                }
                let result = T::from_ref(operand(self.result, slots, &at)?).ok_or_else(|| {
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
        flags: Option<(&mut u8, &FpLog)>,
    ) -> OxResult<()> {
        let len = at.len;
        // Without `flags` the caller tests the block's flags itself (see `run_span`).
        let check = if flags.is_some() { cop.check } else { None };
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
        if check.is_some() && fperr::test_flags() != 0 {
            fperr::clear_flags();
        }
        let arg = |o: Operand| operand(o, slots, at);
        let mut extra = 0;
        let mut hardware_mask = 0xF;
        let done = match &cop.op {
            Op::Unary(op, a) => {
                let a = arg(*a)?;
                let done = unary_into(*op, a, &mut r);
                if check.is_some() && done.is_ok() {
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
                if check.is_some() {
                    extra = fperr::integer_flags(*op, a, b);
                }
                binary_into(*op, a, b, &mut r)
            }
            Op::Cast(a, dtype) => {
                let a = arg(*a)?;
                if check.is_some() {
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
        if let (Some(check), Some((seen, log))) = (check, flags) {
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

    /// Flags tested once per block still name the instruction that raised them, in the block
    /// where it did: `(x - 1) / y` with `y` zero in one element of the third block warns for the
    /// divide, and raises from it when its mode says so. A flag raised by an unchecked
    /// instruction alone (the subtract's `inf - inf`) is not reported.
    #[test]
    fn flags_found_per_block_name_their_instruction() {
        use crate::fperr::{FpCheck, FpMode, DIVIDE, INVALID};
        let f = DType::Float64;
        let n = 4 * super::super::BLOCK;
        // (x - x[or 1]) / y
        let program = |divide: FpMode, minus_x: bool| {
            let mut steps = vec![
                Step::new(Instr::Input(0), f),
                Step::new(Instr::Input(1), f),
                Step::new(Instr::Const(Scalar::Float(1.0)), f),
                Step::new(
                    Instr::Binary(BinaryOp::Subtract, 0, if minus_x { 0 } else { 2 }),
                    f,
                ),
                Step::new(Instr::Binary(BinaryOp::Divide, 3, 1), f),
            ];
            steps[4].check = FpCheck::new(9, divide);
            FusedProgram::from_steps(steps)
        };
        let x =
            crate::result::chunk_from_vec(&[n], (0..n).map(|i| i as f64 + 2.0).collect()).unwrap();
        let mut yv = vec![1.0; n];
        yv[2 * super::super::BLOCK + 5] = 0.0;
        let y = crate::result::chunk_from_vec(&[n], yv).unwrap();
        let warn = FpMode(u64::from(DIVIDE | INVALID));
        let prog = program(warn, false);
        assert!(Compiled::new(&prog, &[Source::Flat(&x), Source::Flat(&y)]).flags_per_block);
        let log = FpLog::default();
        let out = prog.run(&[&x, &y], &[n], &log).unwrap();
        assert_eq!(log.events(), vec![(warn, DIVIDE)]);
        let a = out.as_array::<f64>().unwrap();
        assert!(a[[2 * super::super::BLOCK + 5]].is_infinite());
        assert_eq!(a[[n - 1]], n as f64);
        let raise = FpMode(u64::from(DIVIDE | DIVIDE << 4));
        let err = program(raise, false)
            .run(&[&x, &y], &[n], &FpLog::default())
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("divide by zero encountered in divide"),
            "{err}"
        );
        // inf - inf in the unchecked subtract (invalid), then a checked divide that raises
        // nothing (NaN / 1).
        let mut xv: Vec<f64> = (0..n).map(|i| i as f64).collect();
        xv[3] = f64::INFINITY;
        let x = crate::result::chunk_from_vec(&[n], xv).unwrap();
        let ones = crate::result::chunk_from_vec(&[n], vec![1.0; n]).unwrap();
        let log = FpLog::default();
        program(warn, true).run(&[&x, &ones], &[n], &log).unwrap();
        assert_eq!(log.events(), vec![]);
    }

    /// A pinned constant never shares a slot with another value, even when it comes after a
    /// value whose slot is free by then: `3*a*a + 2*b - sqrt(b)` as the front writes it, where
    /// the 2 follows the dead `3*a`. (Sharing, the 2 was refilled in every block.)
    #[test]
    fn pinned_constants_keep_their_slots() {
        let f = DType::Float64;
        let s = |i| Step::new(i, f);
        let steps = vec![
            s(Instr::Const(Scalar::Int(3))),
            s(Instr::Input(0)),
            s(Instr::Binary(BinaryOp::Multiply, 0, 1)),
            s(Instr::Input(0)),
            s(Instr::Binary(BinaryOp::Multiply, 2, 3)),
            s(Instr::Const(Scalar::Int(2))),
            s(Instr::Input(1)),
            s(Instr::Binary(BinaryOp::Multiply, 5, 6)),
            s(Instr::Binary(BinaryOp::Add, 7, 4)),
            s(Instr::Input(1)),
            s(Instr::Unary(UnaryOp::Sqrt, 9)),
            s(Instr::Binary(BinaryOp::Subtract, 8, 10)),
        ];
        let prog = FusedProgram::from_steps(steps);
        let n = 3 * super::super::BLOCK;
        let a = crate::result::chunk_from_vec(&[n], (0..n).map(|i| i as f64).collect()).unwrap();
        let b =
            crate::result::chunk_from_vec(&[n], (0..n).map(|i| (i * i) as f64).collect()).unwrap();
        let c = Compiled::new(&prog, &[Source::Flat(&a), Source::Flat(&b)]);
        let const_slots: Vec<usize> = c
            .ops
            .iter()
            .filter(|o| matches!(o.op, Op::Fill { .. }))
            .map(|o| o.out)
            .collect();
        assert_eq!(const_slots.len(), 2);
        for o in c.ops.iter().filter(|o| !matches!(o.op, Op::Fill { .. })) {
            assert!(
                !const_slots.contains(&o.out),
                "{:?} writes a constant's slot",
                o.op
            );
        }
        let out = prog.run(&[&a, &b], &[n], &FpLog::default()).unwrap();
        let got = out.as_array::<f64>().unwrap();
        for i in [0, 1, n / 2, n - 1] {
            let (x, y) = (i as f64, (i * i) as f64);
            assert_eq!(got[[i]], 3.0 * x * x + 2.0 * y - y.sqrt(), "at {i}");
        }
    }
}
