//! Runs one task: picks the kernel for its kind and hands it the dependencies' values.

use crate::fperr::{self, FpLog};
use crate::program::RawDest;
use crate::task::{Task, TaskKind, Value};
use oxarray_core::{Chunk, OxError, OxResult};
use oxarray_kernels::{create, layout, matmul, random, reduce, take};
use std::sync::Arc;

fn chunk(v: &Value) -> OxResult<&Chunk> {
    match v {
        Value::Chunk(c) => Ok(c),
        Value::Partial(_) | Value::Written | Value::Parts(_) => Err(OxError::Internal(
            "expected a chunk, got a partial reduction or parts".into(),
        )),
    }
}

/// Runs `task`. When `dest` is given (an output block with a contiguous place in the result), a
/// program writes straight there.
/// Floating-point errors of fused programs are recorded in `fp`.
pub fn run_task(
    task: &Task,
    deps: &[&Value],
    dest: Option<RawDest>,
    fp: &FpLog,
) -> OxResult<Value> {
    let chunks = || {
        deps.iter()
            .map(|v| chunk(v))
            .collect::<OxResult<Vec<&Chunk>>>()
    };
    let shape: &[usize] = &task.shape;
    let c = match &task.kind {
        TaskKind::Literal(c) => return Ok(Value::Chunk(Arc::clone(c))),
        TaskKind::Fill(v) => Chunk::full(task.dtype, shape, *v)?,
        TaskKind::Arange {
            start,
            step,
            offset,
        } => create::arange(*start, *step, *offset, shape[0], task.dtype)?,
        TaskKind::Linspace {
            start,
            stop,
            num,
            endpoint,
            offset,
        } => create::linspace(
            *start, *stop, *num, *endpoint, *offset, shape[0], task.dtype,
        )?,
        TaskKind::Eye { k, offset } => create::eye(*k, *offset, shape, task.dtype)?,
        TaskKind::TakeRows(rows) => take::take_rows(&chunks()?, rows, shape, task.dtype)?,
        TaskKind::Random {
            stream,
            dist,
            offset,
            full_shape,
        } => match dest {
            // SAFETY: the result assembly hands each output block its own live region.
            Some(d) if d.dtype == task.dtype => {
                return unsafe {
                    random::random_into(
                        stream, dist, d.dtype, full_shape, offset, shape, d.ptr, d.len,
                    )
                }
                .map(|()| Value::Written)
            }
            _ => random::random_chunk(stream, dist, task.dtype, full_shape, offset, shape)?,
        },
        TaskKind::Program(p) => match dest {
            // SAFETY: the result assembly hands each output block its own live region.
            Some(d) => {
                return unsafe { p.run_into(&chunks()?, shape, d, fp) }.map(|()| Value::Written)
            }
            None => p.run(&chunks()?, shape, fp)?,
        },
        TaskKind::Assemble(pieces) => layout::assemble(shape, task.dtype, pieces, &chunks()?)?,
        TaskKind::Transpose(perm) => layout::transpose(chunk(deps[0])?, perm),
        TaskKind::Reshape => layout::reshape(chunk(deps[0])?, shape),
        TaskKind::Gather {
            out_offset,
            out_shape,
            in_chunks,
            in_blocks,
        } => {
            let spec = layout::GatherSpec {
                out_offset,
                out_block: shape,
                out_shape,
                in_chunks,
                in_blocks,
            };
            layout::gather(&spec, task.dtype, &chunks()?)?
        }
        TaskKind::Broadcast => layout::broadcast(chunk(deps[0])?, shape)?,
        TaskKind::Matmul(check) => {
            let cs = chunks()?;
            let pairs: Vec<(&Chunk, &Chunk)> = cs.chunks(2).map(|p| (p[0], p[1])).collect();
            fperr::checked_by_values("matmul", check.as_deref(), fp, || {
                let out = matmul::matmul_sum(&pairs, task.dtype)?;
                let flags = check
                    .as_ref()
                    .map_or(0, |_| fperr::product_flags(&pairs, &out));
                Ok((out, flags))
            })?
        }
        TaskKind::Contract(c) => crate::contract::run(c, &chunks()?, fp)?,
        TaskKind::Linalg(l) => return crate::linalg::run(l, &chunks()?),
        TaskKind::Index(t) => crate::indexing::run(t, &chunks()?, shape, task.dtype)?,
        TaskKind::Sort(s) => return crate::sort::run(s, deps, shape, dest),
        TaskKind::Sets(s) => return crate::sets::run(s, deps),
        TaskKind::Scan(s, check) => {
            let cs = chunks()?;
            return fperr::checked(s.label(), check.as_deref(), fp, || {
                crate::scan::run(s, &cs, task, dest).map(|v| (v, 0))
            });
        }
        TaskKind::Signal(s) => return crate::signal::run(s, deps),
        TaskKind::Bits(s) => return crate::bits::run(s, deps),
        TaskKind::Callback(f, block) => return crate::callback::run(f, block, task, deps),
        TaskKind::Ordering(s) => return crate::ordering::run(s, deps),
        TaskKind::Check(action) => return crate::check::run(action, deps),
        TaskKind::Fft(f) => return crate::fft::run(f, &chunks()?, task, dest),
        TaskKind::Pick(k) => {
            return match deps.first() {
                Some(Value::Parts(p)) => p
                    .get(*k)
                    .map(|c| Value::Chunk(Arc::clone(c)))
                    .ok_or_else(|| OxError::Internal("pick: no such part".into())),
                _ => Err(OxError::Internal("pick: expected parts".into())),
            }
        }
        TaskKind::ReducePartial {
            op,
            axes,
            out_dtype,
            offset,
            full_shape,
            program,
            check,
        } => {
            let place = reduce::ChunkPlace { offset, full_shape };
            let check = check.as_deref();
            let partial = match program {
                Some(p) => crate::stream_reduce::partial(
                    *op,
                    p,
                    &chunks()?,
                    shape,
                    axes,
                    *out_dtype,
                    &place,
                    (fp, check),
                )?,
                None => {
                    let x = chunk(deps[0])?;
                    fperr::checked("reduce", check, fp, || {
                        reduce::partial(*op, x, axes, *out_dtype, &place).map(|p| (p, 0))
                    })?
                }
            };
            return Ok(Value::Partial(partial));
        }
        TaskKind::RandomReduce(r) => {
            return crate::stream_reduce::random_partial(r, shape, task.dtype, fp)
                .map(Value::Partial)
        }
        TaskKind::ReduceCombine {
            op,
            axes,
            layout,
            out_dtype,
            check,
        } => {
            let parts = deps
                .iter()
                .map(|v| match v {
                    Value::Partial(p) => Ok(p),
                    Value::Chunk(_) | Value::Written | Value::Parts(_) => {
                        Err(OxError::Internal("expected a partial reduction".into()))
                    }
                })
                .collect::<OxResult<Vec<_>>>()?;
            let combined = fperr::checked("reduce", check.as_deref(), fp, || {
                reduce::combine(*op, &parts, layout, axes, *out_dtype).map(|p| (p, 0))
            })?;
            return Ok(Value::Partial(combined));
        }
        TaskKind::ReduceFinalize {
            op,
            axes,
            keepdims,
            out_dtype,
            check,
        } => match deps[0] {
            Value::Partial(p) => fperr::checked("divide", check.as_deref(), fp, || {
                reduce::finalize(*op, p.clone(), axes, *keepdims, *out_dtype).map(|c| (c, 0))
            })?,
            Value::Chunk(_) | Value::Written | Value::Parts(_) => {
                return Err(OxError::Internal("expected a partial reduction".into()))
            }
        },
    };
    Ok(Value::Chunk(Arc::new(c)))
}
