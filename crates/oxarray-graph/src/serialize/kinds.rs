//! What every node kind and the values it holds look like in the graph format: one
//! `wire_enum!`/`wire_struct!` line per type. A new node kind (or op family) adds its line here,
//! with the next free tag; see the module doc of [`crate::serialize`].

use super::wire::{corrupt, Reader, Wire, Writer};
use crate::batched::BatchedOp;
use crate::bits::{BitsKind, BitsOp};
use crate::callback::{Callback, CallbackOp};
use crate::check::CheckAction;
use crate::expr::{AxisSlice, NodeKind, NodeRef};
use crate::fft::{FftPlan, FourStepPlan};
use crate::fperr::FpMode;
use crate::indexing::IndexOp;
use crate::linalg::LinalgOp;
use crate::multi::{MultiKind, MultiOp, OutputSpec};
use crate::ordering::OrderingOp;
use crate::scan::ScanOp;
use crate::sets::{LookupKind, SetsOp};
use crate::signal::SignalOp;
use crate::sort::SortOp;
use crate::{wire_enum, wire_struct};
use oxarray_core::ops::{BinaryOp, ReduceOp, UnaryOp};
use oxarray_core::{ChunkGrid, DType, OxResult, Scalar};
use oxarray_kernels::fft::{FourStep, LaneSpec, Transform};
use oxarray_kernels::histogram::TallyOp;
use oxarray_kernels::linalg::stacked::QrMode;
use oxarray_kernels::random::bounds::IntBounds;
use oxarray_kernels::random::{Dist, Stream};
use oxarray_kernels::sets::lookup::LookupMode;
use std::sync::Arc;

wire_enum!(NodeKind {
    0 => Literal { chunks },
    1 => Full { value },
    2 => Arange { start, step },
    3 => Linspace { start, stop, num, endpoint },
    4 => Eye { k },
    5 => Unary { op, x, fp },
    6 => Binary { op, a, b, fp },
    7 => Cast { x, fp },
    8 => Where { cond, a, b },
    9 => Reduce { op, x, axes, keepdims, split_every, fp, fp_final },
    10 => Matmul { a, b, fp },
    11 => Transpose { x, perm },
    12 => Reshape { x },
    13 => BroadcastTo { x },
    14 => Slice { x, axes },
    15 => Concatenate { xs, axis },
    16 => Rechunk { x },
    17 => TakeRows { x, rows },
    18 => Index(op),
    19 => Random { stream, dist },
    20 => Sort { x, op },
    21 => Scan { x, op, fp },
    22 => Check { x, flag, action },
    23 => Fft { x, plan },
    24 => Sets(op),
    25 => Signal(op),
    26 => Callback(op),
    27 => Ordering(op),
    28 => Pick { op, k },
    29 => Bits(op),
});

wire_struct!(AxisSlice { start, step, len });
wire_enum!(IndexOp {
    0 => Compress { x, mask, bands },
    1 => Expand { x, mask, vals, vals_block },
    2 => Take { x, axis, indices },
});
wire_enum!(SortOp {
    0 => Sort { axis, descending, indices },
    1 => Select { axis, ranks, width, skip_nan },
    2 => Partition { axis, kth, indices },
});
wire_enum!(ScanOp {
    0 => Accumulate { op, axis },
    1 => Fold { op, axis },
    2 => Segments { op, axis, segs },
});
wire_enum!(CheckAction {
    0 => Error(m),
    1 => ZeroDivision(m),
    2 => Warn(m),
});
wire_enum!(FftPlan {
    0 => Lanes(s),
    1 => FourStep(p),
});
wire_struct!(FourStepPlan {
    fs,
    axis,
    cols,
    rows,
    in_len
});
wire_struct!(FourStep {
    n,
    n1,
    n2,
    inverse,
    scale,
    single
});
wire_struct!(LaneSpec {
    transform,
    axis,
    n,
    scale,
    conj_in,
    conj_out
});
wire_enum!(Transform {
    0 => Forward {},
    1 => Inverse {},
    2 => RealForward {},
    3 => RealInverse {},
});
wire_enum!(SetsOp {
    0 => Lookup { x, table, kind, rows },
    1 => Tally { codes, weights, op },
});
wire_enum!(LookupKind {
    0 => Set(m),
    1 => Bin {},
});
wire_enum!(LookupMode {
    0 => Code {},
    1 => Member { invert },
    2 => Search { right },
});
wire_enum!(TallyOp {
    0 => Count {},
    1 => Sum {},
    2 => MinPos {},
});
wire_enum!(SignalOp {
    0 => Correlate { x, y, n_left },
    1 => Interp { x, xp, fp, left, right },
});
wire_struct!(CallbackOp { inputs, f });
wire_struct!(BitsOp {
    x,
    kind,
    axis,
    little
});
wire_enum!(BitsKind {
    0 => Pack {},
    1 => Unpack {},
});
wire_enum!(OrderingOp {
    0 => SearchSorted { a, v, right },
    1 => TakeAlong { x, idx, axis },
    2 => TopK { x, axis, k, largest },
});
wire_enum!(MultiKind {
    0 => Linalg(l),
});
wire_enum!(LinalgOp {
    0 => Qr { want_q, split_every },
    1 => Svd { uv, split_every },
    2 => SvdFull {},
    3 => QrComplete {},
    4 => Batched(b),
});
wire_enum!(BatchedOp {
    0 => Det {},
    1 => Slogdet {},
    2 => Inv { nan_if_singular },
    3 => Solve {},
    4 => Cholesky { upper },
    5 => Eigh { upper, vectors },
    6 => Eig { vectors },
    7 => Svd { full, uv },
    8 => Qr { mode },
});
wire_enum!(QrMode {
    0 => Reduced {},
    1 => Complete {},
    2 => R {},
});
wire_struct!(OutputSpec { shape, dtype, grid });
wire_struct!(Stream { key, stream });
wire_enum!(Dist {
    0 => Uniform { low, high },
    1 => Normal { loc, scale },
    2 => Integers { low, span },
    3 => IntegersBroadcast { bounds },
    4 => Permutation { n },
    5 => Categorical { cdf },
});
wire_enum!(ReduceOp {
    0 => Sum {},
    1 => Prod {},
    2 => Min {},
    3 => Max {},
    4 => Any {},
    5 => All {},
    6 => Mean {},
    7 => Var { ddof },
    8 => Std { ddof },
    9 => ArgMin {},
    10 => ArgMax {},
    11 => NanMean {},
    12 => NanVar { ddof },
    13 => NanStd { ddof },
});
wire_enum!(Scalar {
    0 => Bool(b),
    1 => Int(i),
    2 => UInt(u),
    3 => Float(f),
    4 => Complex(re, im),
});

impl Wire for IntBounds {
    fn put(&self, w: &mut Writer) {
        let (full, strides, low, span) = self.parts();
        full.to_vec().put(w);
        strides.to_vec().put(w);
        low.to_vec().put(w);
        span.to_vec().put(w);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let full = Wire::get(r)?;
        let strides = Wire::get(r)?;
        let low = Wire::get(r)?;
        Ok(IntBounds::from_parts(full, strides, low, Wire::get(r)?))
    }
}

/// Dtypes and elementwise ops by their NumPy names: a catalogue that gains an entry in the middle
/// still reads old bytes.
impl Wire for DType {
    fn put(&self, w: &mut Writer) {
        self.name().to_owned().put(w);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let name = String::get(r)?;
        DType::from_name(&name).ok_or_else(|| corrupt(&format!("unknown dtype {name:?}")))
    }
}

macro_rules! wire_by_name {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                self.name().to_owned().put(w);
            }
            fn get(r: &mut Reader<'_>) -> OxResult<Self> {
                let name = String::get(r)?;
                <$t>::from_name(&name).ok_or_else(|| corrupt(&format!("unknown op {name:?}")))
            }
        }
    )*};
}
wire_by_name!(UnaryOp, BinaryOp);

impl Wire for ChunkGrid {
    fn put(&self, w: &mut Writer) {
        self.chunks().to_vec().put(w);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let chunks: Vec<Vec<usize>> = Wire::get(r)?;
        let shape: Option<Vec<usize>> = chunks
            .iter()
            .map(|c| c.iter().try_fold(0usize, |a, &k| a.checked_add(k)))
            .collect();
        let shape = shape.ok_or_else(|| corrupt("chunk sizes overflow"))?;
        ChunkGrid::new(&shape, chunks).map_err(|e| corrupt(&e.to_string()))
    }
}

/// A node read by this one: its index in the stream (always an earlier node).
impl Wire for NodeRef {
    fn put(&self, w: &mut Writer) {
        // Topological order puts every input before its reader; u64::MAX cannot be read back.
        let i = w.nodes.get(&self.id).copied().unwrap_or(u64::MAX);
        w.varint(i);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let i = r.usize()?;
        r.nodes
            .get(i)
            .cloned()
            .ok_or_else(|| corrupt("a node reads a node not yet defined"))
    }
}

/// A multi-output op is written in full by the first output that reads it, then referred to by
/// index, so `u, s, vh` of one SVD share one decomposition after loading too.
impl Wire for Arc<MultiOp> {
    fn put(&self, w: &mut Writer) {
        if let Some(&i) = w.multis.get(&self.id) {
            w.byte(1);
            w.varint(i);
            return;
        }
        w.byte(0);
        let i = w.multis.len() as u64;
        w.multis.insert(self.id, i);
        self.kind.put(w);
        self.inputs.put(w);
        self.outputs.put(w);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        match r.byte()? {
            0 => {
                let kind = Wire::get(r)?;
                let inputs = Wire::get(r)?;
                let outputs = Wire::get(r)?;
                let op = Arc::new(MultiOp {
                    id: crate::expr::next_id(),
                    kind,
                    inputs,
                    outputs,
                });
                r.multis.push(Arc::clone(&op));
                Ok(op)
            }
            1 => {
                let i = r.usize()?;
                r.multis
                    .get(i)
                    .cloned()
                    .ok_or_else(|| corrupt("unknown multi-output op"))
            }
            _ => Err(corrupt("bad multi-output tag")),
        }
    }
}

/// A function with a descriptor (a file source) is written as its descriptor and rebuilt by the
/// decoder registered for its kind; a Python callable is not bytes of ours: it goes to the
/// caller's table, written by index.
impl Wire for Callback {
    fn put(&self, w: &mut Writer) {
        match self.0.descriptor() {
            Some((kind, bytes)) => {
                w.byte(1);
                kind.put(w);
                w.varint(bytes.len() as u64);
                w.raw(&bytes);
            }
            None => {
                w.byte(0);
                w.varint(w.callbacks.len() as u64);
                w.callbacks.push(self.clone());
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        match r.byte()? {
            0 => {
                let i = r.usize()?;
                r.callbacks
                    .get(i)
                    .cloned()
                    .ok_or_else(|| corrupt("unknown callable"))
            }
            1 => {
                let kind = String::get(r)?;
                let n = r.usize()?;
                let bytes = r.take(n)?;
                crate::callback::from_descriptor(&kind, bytes)
            }
            _ => Err(corrupt("bad per-block function tag")),
        }
    }
}

/// The error state keeps its flag bits; the call site (an index into the Python front's
/// table of this process) goes to the caller's table, which re-registers it on load.
impl Wire for FpMode {
    fn put(&self, w: &mut Writer) {
        let low = self.0 & 0xFF;
        w.varint(low);
        if low != 0 {
            let site = self.0 >> 8;
            let next = w.fp_index.len() as u64;
            let i = *w.fp_index.entry(site).or_insert(next);
            if i == next {
                w.fp_sites.push(site);
            }
            w.varint(i);
        }
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let low = r.varint()?;
        if low > 0xFF {
            return Err(corrupt("bad error state"));
        }
        if low == 0 {
            return Ok(FpMode(0));
        }
        let i = r.usize()?;
        let site = r
            .fp_sites
            .get(i)
            .copied()
            .ok_or_else(|| corrupt("unknown error-state site"))?;
        Ok(FpMode(site << 8 | low))
    }
}
