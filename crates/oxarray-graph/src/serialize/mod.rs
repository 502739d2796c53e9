//! The lazy graph as bytes: what `pickle` of an `Array` carries, and what an executor ships to a
//! worker as a task program (issue 11 builds on [`encode`]/[`decode`] unchanged).
//!
//! # Format (version [`FORMAT_VERSION`])
//!
//! ```text
//! "OXAG"  version:u8  flags:u8 (bit 0: written little-endian)
//! n:varint  node * n        -- topological order: every node after the nodes it reads
//! k:varint  root:varint * k -- the indices of the nodes asked for
//! checksum:u64le            -- of every byte before it
//! node = shape:[varint] dtype:name grid:[[varint]] kind:(tag:u8, fields...)
//! ```
//!
//! A node reads other nodes by their index in the stream, so a shared sub-expression is written
//! once and stays shared after loading, and both directions are loops, never recursion (a chain
//! of 100,000 nodes neither recurses nor overflows the stack). Sources that hold data (ingested
//! or persisted blocks) are written by value. A multi-output op is written once by its first
//! output and referred to by index after it.
//!
//! Two things are not bytes of ours and travel beside the bytes, for the caller to serialize
//! with its own means (the Python bindings hand them to `pickle`): the Python callables of
//! per-block functions ([`Encoded::callbacks`]) and the `np.errstate` call sites of the Python
//! front ([`Encoded::fp_sites`], process-local ids re-registered on load).
//!
//! The version byte is checked first, so bytes from another format version fail with a clear
//! error; the checksum then turns a damaged byte into an error, never a panic. As with `pickle`,
//! the bytes are trusted input once they pass the checksum: load only what you wrote.
//!
//! # Why hand-written, not serde
//!
//! The types a node holds live in three crates (`oxarray-core`, `-kernels`, `-graph`), and node
//! references must become stream indices through a table (shared `Arc`s, sharing kept on load),
//! which serde's derives cannot express without a `with` attribute on every `NodeRef` field and
//! thread-local tables. Instead [`wire::Wire`] is a two-method trait whose context is the writer
//! and reader themselves, and the macros `wire_struct!`/`wire_enum!` give each type its encoding
//! in one line, without touching the type's own file or adding a dependency.
//!
//! # Adding a node kind
//!
//! Append a line with the next free tag to `wire_enum!(NodeKind { ... })` in `kinds.rs` (and one
//! `wire_enum!`/`wire_struct!` line for each new type its fields hold). A field of type
//! `NodeRef`, `Vec<NodeRef>` or `Option<NodeRef>` needs nothing more. Never renumber a tag; bump
//! [`FORMAT_VERSION`] when an existing variant's fields change.

mod chunk;
mod kinds;
pub mod wire;

use crate::callback::Callback;
use crate::expr::{Node, NodeKind, NodeRef};
use oxarray_core::{ChunkGrid, DType, OxError, OxResult};
use std::collections::HashSet;
use wire::{corrupt, Reader, Wire, Writer};

const MAGIC: &[u8; 4] = b"OXAG";
/// Bumped on any change to the encoding of an existing kind.
pub const FORMAT_VERSION: u8 = 2;
const LITTLE_ENDIAN: u8 = 1;
const HEADER: usize = 6;
const TRAILER: usize = 8;

/// A graph as bytes, with what must travel beside them.
pub struct Encoded {
    pub bytes: Vec<u8>,
    /// The per-block functions, in the order the bytes refer to them.
    pub callbacks: Vec<Callback>,
    /// The error-state sites (the Python front's ids), in the order the bytes refer to them.
    pub fp_sites: Vec<u64>,
}

/// Every node `roots` read, each once, inputs first (an explicit stack: no recursion).
fn topological(roots: &[NodeRef]) -> Vec<NodeRef> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(NodeRef, bool)> = roots.iter().rev().map(|r| (r.clone(), false)).collect();
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            order.push(n);
            continue;
        }
        if !seen.insert(n.id) {
            continue;
        }
        let inputs: Vec<NodeRef> = n.inputs().into_iter().cloned().collect();
        stack.push((n, true));
        for x in inputs.into_iter().rev() {
            if !seen.contains(&x.id) {
                stack.push((x, false));
            }
        }
    }
    order
}

/// A word-at-a-time hash of the bytes (corruption detection, not security).
fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(b))
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ bytes.len() as u64
}

/// The graph of `roots` as bytes (see the module doc for the format).
pub fn encode(roots: &[NodeRef]) -> Encoded {
    encode_with(roots, false)
}

/// [`encode`] with every in-memory block written as an empty block of its dtype: the graph an
/// executor ships to its workers, which receive the blocks as data inputs instead (issue 11).
/// Planning reads a literal's grid, never its values, so the plan is the same.
pub fn encode_without_data(roots: &[NodeRef]) -> Encoded {
    encode_with(roots, true)
}

fn encode_with(roots: &[NodeRef], strip_data: bool) -> Encoded {
    let order = topological(roots);
    let mut w = Writer::default();
    w.raw(MAGIC);
    w.byte(FORMAT_VERSION);
    w.byte(if cfg!(target_endian = "little") {
        LITTLE_ENDIAN
    } else {
        0
    });
    w.varint(order.len() as u64);
    for (i, n) in order.iter().enumerate() {
        n.shape.put(&mut w);
        n.dtype.put(&mut w);
        n.grid.put(&mut w);
        match &n.kind {
            NodeKind::Literal { chunks } if strip_data => {
                let empty = vec![0; n.shape.len()];
                let chunks = chunks
                    .iter()
                    .map(|_| oxarray_core::Chunk::zeros(n.dtype, &empty).map(std::sync::Arc::new))
                    .collect::<OxResult<Vec<_>>>();
                match chunks {
                    Ok(chunks) => NodeKind::Literal { chunks }.put(&mut w),
                    // Cannot happen (no element to allocate); the data then travels along.
                    Err(_) => n.kind.put(&mut w),
                }
            }
            kind => kind.put(&mut w),
        }
        w.nodes.insert(n.id, i as u64);
    }
    w.varint(roots.len() as u64);
    for r in roots {
        r.put(&mut w);
    }
    let sum = checksum(&w.buf);
    w.raw(&sum.to_le_bytes());
    Encoded {
        bytes: w.buf,
        callbacks: w.callbacks,
        fp_sites: w.fp_sites,
    }
}

/// Checks the header and the checksum; returns the body.
fn body(bytes: &[u8]) -> OxResult<&[u8]> {
    if bytes.len() < HEADER + TRAILER || &bytes[..4] != MAGIC {
        return Err(OxError::Value(
            "cannot load the oxarray graph: these bytes are not an oxarray graph".into(),
        ));
    }
    let version = bytes[4];
    if version != FORMAT_VERSION {
        return Err(OxError::Value(format!(
            "cannot load the oxarray graph: it was written in graph format version {version}, \
             and this oxarray reads version {FORMAT_VERSION}; load it with the oxarray version \
             that wrote it"
        )));
    }
    if (bytes[5] == LITTLE_ENDIAN) != cfg!(target_endian = "little") {
        return Err(OxError::Value(
            "cannot load the oxarray graph: it was written on a machine of another byte order"
                .into(),
        ));
    }
    let (data, sum) = bytes.split_at(bytes.len() - TRAILER);
    let mut b = [0u8; 8];
    b.copy_from_slice(sum);
    if checksum(data) != u64::from_le_bytes(b) {
        return Err(corrupt("checksum mismatch"));
    }
    Ok(&data[HEADER..])
}

/// The nodes asked for when `bytes` were written, rebuilt (fresh ids) with `callbacks` and
/// `fp_sites` standing for the tables of [`Encoded`] in the same order.
pub fn decode(bytes: &[u8], callbacks: &[Callback], fp_sites: &[u64]) -> OxResult<Vec<NodeRef>> {
    let mut r = Reader::new(body(bytes)?, callbacks, fp_sites);
    let n = r.count()?;
    for _ in 0..n {
        let shape: Vec<usize> = Wire::get(&mut r)?;
        let dtype = DType::get(&mut r)?;
        let grid = ChunkGrid::get(&mut r)?;
        if grid.shape() != shape {
            return Err(corrupt("a node's chunks do not match its shape"));
        }
        let kind = NodeKind::get(&mut r)?;
        if let NodeKind::Literal { chunks } = &kind {
            let blocks_ok =
                chunks.len() == grid.nblocks() && chunks.iter().all(|c| c.dtype() == dtype);
            if !blocks_ok {
                return Err(corrupt("a node's blocks do not match its chunks"));
            }
        }
        let node = Node::new(shape, dtype, grid, kind);
        r.nodes.push(node);
    }
    let roots: Vec<NodeRef> = Wire::get(&mut r)?;
    if !r.at_end() {
        return Err(corrupt("trailing bytes"));
    }
    Ok(roots)
}

#[cfg(test)]
mod tests;
