//! Bit packing along one axis: the kernels behind `np.packbits` (bool block -> uint8 block, 8
//! elements per byte) and `np.unpackbits` (uint8 block -> uint8 block of 0/1, 8 per byte).
//!
//! A C-ordered block is seen as `(outer, n, inner)` around the packed axis; `little` selects
//! NumPy's `bitorder='little'` (the first element goes to the least significant bit).

use ndarray::{ArrayD, IxDyn};
use oxarray_core::buffer::zeroed_vec;
use oxarray_core::{Chunk, OxError, OxResult};

fn split(shape: &[usize], axis: usize) -> OxResult<(usize, usize, usize)> {
    let n = *shape
        .get(axis)
        .ok_or_else(|| OxError::Internal("bits: axis out of range".into()))?;
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    Ok((outer, n, inner))
}

fn finish(shape: Vec<usize>, out: Vec<u8>) -> OxResult<Chunk> {
    let a =
        ArrayD::from_shape_vec(IxDyn(&shape), out).map_err(|e| OxError::Internal(e.to_string()))?;
    Ok(Chunk::from_array(a))
}

/// The bit of element `i` (0..8) of a byte: big order puts element 0 in bit 7.
#[inline]
fn bit(i: usize, little: bool) -> u32 {
    if little {
        i as u32
    } else {
        7 - i as u32
    }
}

/// Packs a bool block along `axis`: the output has `ceil(n / 8)` bytes there, the last padded with
/// zero bits.
pub fn pack(x: &Chunk, axis: usize, little: bool) -> OxResult<Chunk> {
    let a = x
        .as_array::<bool>()
        .ok_or_else(|| OxError::Internal("packbits: expected a bool block".into()))?;
    let xs = a
        .as_slice()
        .ok_or_else(|| OxError::Internal("packbits: expected a C-ordered block".into()))?;
    let (outer, n, inner) = split(x.shape(), axis)?;
    let nb = n.div_ceil(8);
    let mut out = zeroed_vec::<u8>(outer * nb * inner)?;
    for o in 0..outer {
        let src = &xs[o * n * inner..(o + 1) * n * inner];
        let dst = &mut out[o * nb * inner..(o + 1) * nb * inner];
        for (j, row) in src.chunks(inner.max(1)).enumerate().take(n) {
            let (byte, shift) = (j / 8, bit(j % 8, little));
            let d = &mut dst[byte * inner..(byte + 1) * inner];
            for (dv, &b) in d.iter_mut().zip(row) {
                *dv |= (b as u8) << shift;
            }
        }
    }
    let mut shape = x.shape().to_vec();
    shape[axis] = nb;
    finish(shape, out)
}

/// Unpacks a uint8 block along `axis`: the output has `8 * n` elements (0 or 1) there.
pub fn unpack(x: &Chunk, axis: usize, little: bool) -> OxResult<Chunk> {
    let a = x
        .as_array::<u8>()
        .ok_or_else(|| OxError::Internal("unpackbits: expected a uint8 block".into()))?;
    let xs = a
        .as_slice()
        .ok_or_else(|| OxError::Internal("unpackbits: expected a C-ordered block".into()))?;
    let (outer, n, inner) = split(x.shape(), axis)?;
    let m = n
        .checked_mul(8)
        .ok_or_else(|| OxError::Memory("unpackbits: output too big".into()))?;
    let mut out = zeroed_vec::<u8>(outer * m * inner)?;
    if inner > 0 {
        for o in 0..outer {
            let src = &xs[o * n * inner..(o + 1) * n * inner];
            let dst = &mut out[o * m * inner..(o + 1) * m * inner];
            for (j, row) in dst.chunks_mut(inner).enumerate() {
                let (byte, shift) = (j / 8, bit(j % 8, little));
                let s = &src[byte * inner..(byte + 1) * inner];
                for (dv, &b) in row.iter_mut().zip(s) {
                    *dv = (b >> shift) & 1;
                }
            }
        }
    }
    let mut shape = x.shape().to_vec();
    shape[axis] = m;
    finish(shape, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bools(shape: &[usize], v: Vec<bool>) -> Chunk {
        Chunk::from_array(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
    }

    #[test]
    fn packs_big_and_little() {
        let v = vec![
            true, false, true, true, false, false, false, false, true, true,
        ];
        let c = bools(&[10], v);
        let big = pack(&c, 0, false).unwrap();
        assert_eq!(
            big.as_array::<u8>().unwrap().as_slice().unwrap(),
            &[0b1011_0000, 0b1100_0000]
        );
        let little = pack(&c, 0, true).unwrap();
        assert_eq!(
            little.as_array::<u8>().unwrap().as_slice().unwrap(),
            &[0b0000_1101, 0b0000_0011]
        );
    }

    #[test]
    fn unpack_inverts_pack_along_axis_0() {
        // (3, 2): packed along axis 0 gives (1, 2).
        let c = bools(&[3, 2], vec![true, false, false, true, true, true]);
        let p = pack(&c, 0, false).unwrap();
        assert_eq!(p.shape(), &[1, 2]);
        assert_eq!(
            p.as_array::<u8>().unwrap().as_slice().unwrap(),
            &[0b1010_0000, 0b0110_0000]
        );
        let u = unpack(&p, 0, false).unwrap();
        assert_eq!(u.shape(), &[8, 2]);
        let us = u.as_array::<u8>().unwrap();
        assert_eq!(&us.as_slice().unwrap()[..6], &[1, 0, 0, 1, 1, 1]);
    }
}
