//! Shape rules shared by every op: NumPy broadcasting and axis normalization.

use crate::error::{OxError, OxResult};

/// Formats a shape as NumPy prints it: `(3,)`, `(2,3)`, `()`.
pub fn shape_str(shape: &[usize]) -> String {
    match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// The broadcast shape of several shapes, or NumPy's error naming all of them.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> OxResult<Vec<usize>> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    for s in shapes {
        let off = ndim - s.len();
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[off + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                let all: Vec<String> = shapes.iter().map(|s| shape_str(s)).collect();
                return Err(OxError::ShapeMismatch(format!(
                    "operands could not be broadcast together with shapes {} ",
                    all.join(" ")
                )));
            }
        }
    }
    Ok(out)
}

/// The number of elements of `shape`, with NumPy's rule for what may exist: the product of the
/// non-zero sides must fit in `isize` (so `(0, 2**62)` of bytes is fine, `(2**32, 2**32)` is not),
/// else NumPy's ValueError. Every size computed from a user's shape goes through here: a wrapped
/// product would silently make a wrong array.
pub fn checked_size(shape: &[usize]) -> OxResult<usize> {
    let mut nonzero: usize = 1;
    let mut empty = false;
    for &d in shape {
        if d == 0 {
            empty = true;
            continue;
        }
        nonzero = nonzero
            .checked_mul(d)
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(too_big)?;
    }
    Ok(if empty { 0 } else { nonzero })
}

/// `checked_size` in bytes, as NumPy checks it before allocating anything.
pub fn checked_nbytes(shape: &[usize], itemsize: usize) -> OxResult<usize> {
    let mut nbytes = itemsize.max(1);
    let mut empty = false;
    for &d in shape {
        if d == 0 {
            empty = true;
            continue;
        }
        nbytes = nbytes
            .checked_mul(d)
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(too_big)?;
    }
    Ok(if empty { 0 } else { nbytes })
}

fn too_big() -> OxError {
    OxError::Value(
        "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size."
            .into(),
    )
}

/// Normalizes a possibly negative axis (NumPy's `normalize_axis_index`).
pub fn normalize_axis(axis: i64, ndim: usize) -> OxResult<usize> {
    let n = ndim as i64;
    if axis < -n || axis >= n {
        return Err(OxError::axis(axis, ndim));
    }
    Ok(if axis < 0 {
        (axis + n) as usize
    } else {
        axis as usize
    })
}

/// Normalizes an axis tuple; `None` means every axis. Repeated axes are NumPy's ValueError.
pub fn normalize_axes(axes: Option<&[i64]>, ndim: usize) -> OxResult<Vec<usize>> {
    let Some(axes) = axes else {
        return Ok((0..ndim).collect());
    };
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let n = normalize_axis(a, ndim)?;
        if out.contains(&n) {
            return Err(OxError::Value("duplicate value in 'axis'".into()));
        }
        out.push(n);
    }
    out.sort_unstable();
    Ok(out)
}

pub fn size_of(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// C-order strides (in elements) of a shape.
pub fn c_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1usize; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * shape[i + 1];
    }
    strides
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[&[2, 3], &[3]]).unwrap(), vec![2, 3]);
        assert_eq!(
            broadcast_shapes(&[&[2, 1], &[1, 4], &[]]).unwrap(),
            vec![2, 4]
        );
        assert_eq!(broadcast_shapes(&[&[0, 1], &[3]]).unwrap(), vec![0, 3]);
        let err = broadcast_shapes(&[&[2, 3], &[4]]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "operands could not be broadcast together with shapes (2,3) (4,) "
        );
    }

    #[test]
    fn axes() {
        assert_eq!(normalize_axis(-1, 3).unwrap(), 2);
        assert_eq!(
            normalize_axis(3, 3).unwrap_err().to_string(),
            "axis 3 is out of bounds for array of dimension 3"
        );
        assert_eq!(normalize_axes(Some(&[-1, 0]), 2).unwrap(), vec![0, 1]);
        assert!(normalize_axes(Some(&[1, -1]), 2).is_err());
        assert_eq!(c_strides(&[2, 3, 4]), vec![12, 4, 1]);
    }
}
