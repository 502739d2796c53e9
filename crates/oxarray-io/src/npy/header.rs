//! The `.npy` header: NumPy's format versions 1.0, 2.0 and 3.0 (magic, header length, then a
//! Python dict literal `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`).
//!
//! Reading accepts what NumPy writes (and the few spellings it reads): little-, big- or
//! not-applicable byte order, C or Fortran order, the 13 dtypes of oxarray. Writing produces
//! exactly NumPy's bytes for the same array (same padding to 64 bytes, same spare room for a
//! growing first axis), so a file we write equals `np.save`'s byte for byte.

use oxarray_core::{DType, OxError, OxResult};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// NumPy aligns the data to this many bytes.
const ALIGN: usize = 64;
/// NumPy leaves room for the growing axis to reach this many digits.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;

/// What a `.npy` header says about the array that follows it.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyHeader {
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub fortran_order: bool,
    /// The data is big-endian (each element, or each half of a complex, is byte-swapped).
    pub big_endian: bool,
    /// Bytes before the data (magic, length and dict).
    pub data_offset: usize,
}

impl NpyHeader {
    /// Bytes of the data after the header.
    pub fn data_bytes(&self) -> OxResult<usize> {
        self.shape
            .iter()
            .try_fold(self.dtype.itemsize(), |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| corrupt("the shape in its header is too large"))
    }
}

fn corrupt(why: &str) -> OxError {
    OxError::Value(format!("not a valid .npy file: {why}"))
}

/// The dtype of a descr string such as `<f8`, `|b1` or `>c16`, and whether it is big-endian.
pub fn parse_descr(descr: &str) -> OxResult<(DType, bool)> {
    let unsupported = || {
        OxError::DTypeNotSupported(format!(
            "oxarray does not support the dtype {descr:?} of this .npy file \
             (supported: bool, int8-64, uint8-64, float32/64, complex64/128)"
        ))
    };
    let (order, code) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &descr[1..]),
        _ => ('=', descr),
    };
    let dtype = match code {
        "b1" | "?" => DType::Bool,
        "i1" => DType::Int8,
        "i2" => DType::Int16,
        "i4" => DType::Int32,
        "i8" => DType::Int64,
        "u1" => DType::UInt8,
        "u2" => DType::UInt16,
        "u4" => DType::UInt32,
        "u8" => DType::UInt64,
        "f2" => DType::Float16,
        "f4" => DType::Float32,
        "f8" => DType::Float64,
        "c8" => DType::Complex64,
        "c16" => DType::Complex128,
        _ => return Err(unsupported()),
    };
    let big = order == '>' || (order == '=' && cfg!(target_endian = "big"));
    Ok((dtype, big && dtype.itemsize() > 1))
}

/// NumPy's descr of `dtype` in this machine's byte order.
pub fn descr(dtype: DType) -> String {
    let (kind, size) = match dtype {
        DType::Bool => return "|b1".into(),
        DType::Int8 => return "|i1".into(),
        DType::UInt8 => return "|u1".into(),
        d if d.is_complex() => ('c', d.itemsize()),
        d if d.is_float() => ('f', d.itemsize()),
        d if d.is_integer() && d.kind() == oxarray_core::dtype::Kind::UnsignedInt => {
            ('u', d.itemsize())
        }
        d => ('i', d.itemsize()),
    };
    let order = if cfg!(target_endian = "big") {
        '>'
    } else {
        '<'
    };
    format!("{order}{kind}{size}")
}

/// Parses the header at the start of `bytes` (which may hold more: the data follows).
pub fn parse(bytes: &[u8]) -> OxResult<NpyHeader> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(corrupt("the magic string \\x93NUMPY is missing"));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(corrupt("the file ends inside the header"));
            }
            let l = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (l as usize, 12)
        }
        _ => {
            return Err(OxError::Value(format!(
                "unsupported .npy format version {major}.{minor} (1.0, 2.0 and 3.0 are read)"
            )))
        }
    };
    let end = start
        .checked_add(len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| corrupt("the file ends inside the header"))?;
    let text =
        std::str::from_utf8(&bytes[start..end]).map_err(|_| corrupt("the header is not text"))?;
    if major < 3 && !text.is_ascii() {
        return Err(corrupt("a version 1.0/2.0 header must be ASCII"));
    }
    let dict = DictLiteral::parse(text)?;
    let descr = dict
        .descr
        .ok_or_else(|| corrupt("the header has no 'descr'"))?;
    let (dtype, big_endian) = parse_descr(&descr)?;
    let shape = dict
        .shape
        .ok_or_else(|| corrupt("the header has no 'shape'"))?;
    let fortran_order = dict
        .fortran_order
        .ok_or_else(|| corrupt("the header has no 'fortran_order'"))?;
    Ok(NpyHeader {
        dtype,
        shape,
        fortran_order,
        big_endian,
        data_offset: end,
    })
}

/// The three keys of the header dict (a tiny parser of exactly the literals NumPy writes).
#[derive(Default)]
struct DictLiteral {
    descr: Option<String>,
    fortran_order: Option<bool>,
    shape: Option<Vec<usize>>,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> OxResult<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(corrupt(&format!("expected {:?} in the header", c as char)))
        }
    }
    fn string(&mut self) -> OxResult<String> {
        let q = self.peek().filter(|&q| q == b'\'' || q == b'"');
        let q = q.ok_or_else(|| corrupt("expected a string in the header"))?;
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != q {
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Err(corrupt("unterminated string in the header"));
        }
        let out = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        self.i += 1;
        Ok(out)
    }
    fn word(&mut self) -> &str {
        self.skip_ws();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric()) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }
    fn shape(&mut self) -> OxResult<Vec<usize>> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        while !self.eat(b')') {
            let w = self.word().trim_end_matches('L');
            let d = w
                .parse::<usize>()
                .map_err(|_| corrupt("the shape must be a tuple of non-negative integers"))?;
            dims.push(d);
            if !self.eat(b',') {
                self.expect(b')')?;
                break;
            }
        }
        Ok(dims)
    }
}

impl DictLiteral {
    fn parse(text: &str) -> OxResult<DictLiteral> {
        let mut c = Cursor {
            s: text.as_bytes(),
            i: 0,
        };
        let mut d = DictLiteral::default();
        c.expect(b'{')?;
        while !c.eat(b'}') {
            let key = c.string()?;
            c.expect(b':')?;
            match key.as_str() {
                "descr" => {
                    if c.peek() == Some(b'[') {
                        return Err(OxError::DTypeNotSupported(
                            "oxarray does not support structured dtypes (this .npy file has one)"
                                .into(),
                        ));
                    }
                    d.descr = Some(c.string()?);
                }
                "fortran_order" => {
                    d.fortran_order = Some(match c.word() {
                        "True" => true,
                        "False" => false,
                        _ => return Err(corrupt("fortran_order must be True or False")),
                    })
                }
                "shape" => d.shape = Some(c.shape()?),
                other => return Err(corrupt(&format!("unexpected key {other:?} in the header"))),
            }
            if !c.eat(b',') {
                c.expect(b'}')?;
                break;
            }
        }
        Ok(d)
    }
}

/// NumPy's header bytes for a C-ordered array of `shape` and `dtype` (version 1.0 when the
/// header fits in 65535 bytes, else 2.0; exactly `np.save`'s bytes).
pub fn write(dtype: DType, shape: &[usize]) -> Vec<u8> {
    let shape_repr = match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape_repr}, }}",
        descr(dtype)
    );
    if let Some(first) = shape.first() {
        let digits = first.to_string().len();
        dict.extend(std::iter::repeat_n(
            ' ',
            GROWTH_AXIS_MAX_DIGITS.saturating_sub(digits),
        ));
    }
    let wrap = |len_bytes: usize| {
        let unpadded = MAGIC.len() + 2 + len_bytes + dict.len() + 1;
        let pad = ALIGN - unpadded % ALIGN;
        dict.len() + pad + 1
    };
    let (major, hlen) = if wrap(2) < 65536 {
        (1u8, wrap(2))
    } else {
        (2u8, wrap(4))
    };
    let mut out = Vec::with_capacity(hlen + 12);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&(hlen as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(hlen as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(out.len() + hlen - dict.len() - 1, b' ');
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_alignment() {
        for shape in [vec![], vec![0], vec![3], vec![3, 4, 5]] {
            for dt in DType::ALL {
                let h = write(dt, &shape);
                assert_eq!(h.len() % ALIGN, 0);
                let p = parse(&h).unwrap();
                assert_eq!(
                    (p.dtype, &p.shape[..], p.fortran_order),
                    (dt, &shape[..], false)
                );
                assert_eq!(p.data_offset, h.len());
            }
        }
    }

    #[test]
    fn numpy_bytes() {
        // np.save of np.zeros((3, 4)): the first 64 bytes.
        let h = write(DType::Float64, &[3, 4]);
        let text = std::str::from_utf8(&h[10..]).unwrap();
        assert!(text.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"));
        assert_eq!(h.len(), 128);
    }

    #[test]
    fn bad_headers() {
        assert!(parse(b"hello world").is_err());
        let mut h = write(DType::Int32, &[2]);
        h.truncate(20);
        assert!(parse(&h).is_err());
        let h = b"\x93NUMPY\x01\x00\x1e\x00{'descr': '<U4', 'shape': ()} ";
        assert!(matches!(parse(h), Err(OxError::DTypeNotSupported(_))));
        assert_eq!(parse_descr(">f8").unwrap(), (DType::Float64, true));
        assert_eq!(parse_descr("|u1").unwrap(), (DType::UInt8, false));
        assert_eq!(parse_descr(">f2").unwrap(), (DType::Float16, true));
    }
}
