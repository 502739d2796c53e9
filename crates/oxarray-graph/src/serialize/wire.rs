//! The byte layer of the graph format: a [`Writer`] and a [`Reader`] that also carry the tables
//! a graph needs (node indices, shared multi-output ops, Python callables, error-state sites),
//! the [`Wire`] trait, its impls for plain values, and the two macros that make a type
//! serializable in one line ([`wire_struct!`], [`wire_enum!`]).
//!
//! Integers are LEB128 varints (signed ones zigzagged), floats their 8 little-endian bytes, a
//! `Vec` its length then its items, an enum a tag byte then its fields in declaration order.
//! Every length read is checked against the bytes left before anything is allocated, so no input
//! can make the reader allocate more than the input's own size (per element, at least one byte).

use crate::callback::Callback;
use crate::expr::NodeRef;
use crate::multi::MultiOp;
use oxarray_core::{OxError, OxResult};
use std::collections::HashMap;
use std::sync::Arc;

/// The error of every malformed input: a ValueError naming what was wrong.
pub fn corrupt(what: &str) -> OxError {
    OxError::Value(format!(
        "cannot load the oxarray graph: {what} (the bytes are truncated or corrupted)"
    ))
}

#[derive(Default)]
pub struct Writer {
    pub(crate) buf: Vec<u8>,
    /// Node id -> its index in the stream (nodes are written in topological order).
    pub(crate) nodes: HashMap<u64, u64>,
    /// Multi-output op id -> its index (written in full by the first `Pick` that reads it).
    pub(crate) multis: HashMap<u64, u64>,
    /// Python-side payloads, handed to the caller beside the bytes (see the module doc).
    pub(crate) callbacks: Vec<Callback>,
    pub(crate) fp_sites: Vec<u64>,
    pub(crate) fp_index: HashMap<u64, u64>,
    /// Names (dtypes, ops) written so far: a repeated name is its index, one or two bytes.
    pub(crate) strings: HashMap<String, u64>,
}

impl Writer {
    pub fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }
    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    pub(crate) nodes: Vec<NodeRef>,
    pub(crate) multis: Vec<Arc<MultiOp>>,
    pub(crate) callbacks: &'a [Callback],
    pub(crate) fp_sites: &'a [u64],
    strings: Vec<String>,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], callbacks: &'a [Callback], fp_sites: &'a [u64]) -> Self {
        Reader {
            bytes,
            pos: 0,
            nodes: Vec::new(),
            multis: Vec::new(),
            callbacks,
            fp_sites,
            strings: Vec::new(),
        }
    }
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
    pub fn take(&mut self, n: usize) -> OxResult<&'a [u8]> {
        if n > self.remaining() {
            return Err(corrupt("unexpected end of data"));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn byte(&mut self) -> OxResult<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn varint(&mut self) -> OxResult<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(corrupt("integer too long"))
    }
    pub fn usize(&mut self) -> OxResult<usize> {
        usize::try_from(self.varint()?).map_err(|_| corrupt("size out of range"))
    }
    /// A count of items that take at least one byte each: never more than the bytes left.
    pub fn count(&mut self) -> OxResult<usize> {
        let n = self.usize()?;
        if n > self.remaining() {
            return Err(corrupt("length past the end of data"));
        }
        Ok(n)
    }
    pub fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// A value that can be written to and read back from the graph format.
pub trait Wire: Sized {
    fn put(&self, w: &mut Writer);
    fn get(r: &mut Reader<'_>) -> OxResult<Self>;
}

/// `wire_struct!(Type { field, field })`: fields written in this order.
#[macro_export]
macro_rules! wire_struct {
    ($t:ty { $($f:ident),* $(,)? }) => {
        impl $crate::serialize::wire::Wire for $t {
            fn put(&self, _w: &mut $crate::serialize::wire::Writer) {
                $( $crate::serialize::wire::Wire::put(&self.$f, _w); )*
            }
            fn get(_r: &mut $crate::serialize::wire::Reader<'_>) -> oxarray_core::OxResult<Self> {
                Ok(Self { $( $f: $crate::serialize::wire::Wire::get(_r)?, )* })
            }
        }
    };
}

/// `wire_enum!(Type { 0 => Named { a, b }, 1 => Tuple(x), 2 => Unit {} })`: a tag byte, then the
/// variant's fields in the order listed. Tags are the format: never reuse or renumber one
/// (append a new variant with the next tag; bump `FORMAT_VERSION` when an old one changes).
#[macro_export]
macro_rules! wire_enum {
    ($t:ty { $($tag:literal => $v:ident $body:tt),* $(,)? }) => {
        impl $crate::serialize::wire::Wire for $t {
            fn put(&self, w: &mut $crate::serialize::wire::Writer) {
                match self {
                    $( $crate::wire_enum!(@pat $v $body) => {
                        w.byte($tag);
                        $crate::wire_enum!(@put w $body);
                    } )*
                }
            }
            fn get(r: &mut $crate::serialize::wire::Reader<'_>) -> oxarray_core::OxResult<Self> {
                let tag = r.byte()?;
                Ok(match tag {
                    $( $tag => $crate::wire_enum!(@get r $v $body), )*
                    _ => {
                        return Err($crate::serialize::wire::corrupt(&format!(
                            "unknown tag {tag} of {}", stringify!($t)
                        )))
                    }
                })
            }
        }
    };
    (@pat $v:ident { $($f:ident),* }) => { Self::$v { $($f),* } };
    (@pat $v:ident ( $($f:ident),* )) => { Self::$v ( $($f),* ) };
    (@put $w:ident { $($f:ident),* }) => { $( $crate::serialize::wire::Wire::put($f, $w); )* };
    (@put $w:ident ( $($f:ident),* )) => { $( $crate::serialize::wire::Wire::put($f, $w); )* };
    (@get $r:ident $v:ident { $($f:ident),* }) => {
        Self::$v { $( $f: $crate::serialize::wire::Wire::get($r)?, )* }
    };
    (@get $r:ident $v:ident ( $($f:ident),* )) => {
        Self::$v ( $( { let $f = $crate::serialize::wire::Wire::get($r)?; $f }, )* )
    };
}

impl Wire for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        match r.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(corrupt("bad boolean")),
        }
    }
}

impl Wire for u8 {
    fn put(&self, w: &mut Writer) {
        w.byte(*self);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        r.byte()
    }
}

macro_rules! wire_unsigned {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                w.varint(*self as u64);
            }
            fn get(r: &mut Reader<'_>) -> OxResult<Self> {
                <$t>::try_from(r.varint()?).map_err(|_| corrupt("integer out of range"))
            }
        }
    )*};
}
wire_unsigned!(u32, u64, usize);

macro_rules! wire_signed {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                let v = *self as i64;
                w.varint(((v << 1) ^ (v >> 63)) as u64);
            }
            fn get(r: &mut Reader<'_>) -> OxResult<Self> {
                let z = r.varint()?;
                let v = ((z >> 1) as i64) ^ -((z & 1) as i64);
                <$t>::try_from(v).map_err(|_| corrupt("integer out of range"))
            }
        }
    )*};
}
wire_signed!(i64, isize);

macro_rules! wire_bytes_le {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                w.raw(&self.to_le_bytes());
            }
            fn get(r: &mut Reader<'_>) -> OxResult<Self> {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(r.take(std::mem::size_of::<$t>())?);
                Ok(<$t>::from_le_bytes(b))
            }
        }
    )*};
}
wire_bytes_le!(f64, i128);

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.varint(self.len() as u64);
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let n = r.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Ok(v)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.byte(0),
            Some(x) => {
                w.byte(1);
                x.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        match r.byte()? {
            0 => Ok(None),
            1 => Ok(Some(T::get(r)?)),
            _ => Err(corrupt("bad option tag")),
        }
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let a = A::get(r)?;
        Ok((a, B::get(r)?))
    }
}

impl<T: Wire + Copy + Default, const N: usize> Wire for [T; N] {
    fn put(&self, w: &mut Writer) {
        for x in self {
            x.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let mut a = [T::default(); N];
        for x in &mut a {
            *x = T::get(r)?;
        }
        Ok(a)
    }
}

/// By value: an `Arc` inside a node is that node's own (nodes themselves and multi-output ops,
/// which are shared, have their own impls through the writer's tables).
impl<T: Wire> Wire for Arc<T> {
    fn put(&self, w: &mut Writer) {
        (**self).put(w);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        Ok(Arc::new(T::get(r)?))
    }
}

impl Wire for Arc<str> {
    fn put(&self, w: &mut Writer) {
        w.varint(self.len() as u64);
        w.raw(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let n = r.count()?;
        let s = std::str::from_utf8(r.take(n)?).map_err(|_| corrupt("bad text"))?;
        Ok(Arc::from(s))
    }
}

/// Names: the first time in full (0, length, UTF-8), after that by index + 1.
impl Wire for String {
    fn put(&self, w: &mut Writer) {
        if let Some(&i) = w.strings.get(self) {
            w.varint(i + 1);
            return;
        }
        w.varint(0);
        w.varint(self.len() as u64);
        w.raw(self.as_bytes());
        let i = w.strings.len() as u64;
        w.strings.insert(self.clone(), i);
    }
    fn get(r: &mut Reader<'_>) -> OxResult<Self> {
        let k = r.usize()?;
        if k > 0 {
            return r
                .strings
                .get(k - 1)
                .cloned()
                .ok_or_else(|| corrupt("unknown name"));
        }
        let n = r.count()?;
        let s = std::str::from_utf8(r.take(n)?).map_err(|_| corrupt("bad text"))?;
        r.strings.push(s.to_owned());
        Ok(s.to_owned())
    }
}
