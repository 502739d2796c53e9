//! Our 14 dtypes and Zarr's data types (v3 names; v2 arrays are read through zarrs' mapping of
//! NumPy's `<f8`-style strings to the same types).

use oxarray_core::{DType, OxError, OxResult};
use zarrs::array::data_type::{self as dt, *};
use zarrs::array::DataType;

/// The dtype of a Zarr data type; `TypeError` naming it when oxarray has no such dtype.
pub fn from_zarr(d: &DataType) -> OxResult<DType> {
    let found = [
        (d.is::<BoolDataType>(), DType::Bool),
        (d.is::<Int8DataType>(), DType::Int8),
        (d.is::<Int16DataType>(), DType::Int16),
        (d.is::<Int32DataType>(), DType::Int32),
        (d.is::<Int64DataType>(), DType::Int64),
        (d.is::<UInt8DataType>(), DType::UInt8),
        (d.is::<UInt16DataType>(), DType::UInt16),
        (d.is::<UInt32DataType>(), DType::UInt32),
        (d.is::<UInt64DataType>(), DType::UInt64),
        (d.is::<Float16DataType>(), DType::Float16),
        (d.is::<Float32DataType>(), DType::Float32),
        (d.is::<Float64DataType>(), DType::Float64),
        (d.is::<Complex64DataType>(), DType::Complex64),
        (d.is::<Complex128DataType>(), DType::Complex128),
    ];
    found
        .iter()
        .find(|(hit, _)| *hit)
        .map(|&(_, t)| t)
        .ok_or_else(|| {
            OxError::DTypeNotSupported(format!(
                "oxarray does not support the Zarr data type {d:?} \
                 (supported: bool, int8-64, uint8-64, float16/32/64, complex64/128)"
            ))
        })
}

/// The Zarr data type of a dtype.
pub fn to_zarr(t: DType) -> DataType {
    match t {
        DType::Bool => dt::bool(),
        DType::Int8 => dt::int8(),
        DType::Int16 => dt::int16(),
        DType::Int32 => dt::int32(),
        DType::Int64 => dt::int64(),
        DType::UInt8 => dt::uint8(),
        DType::UInt16 => dt::uint16(),
        DType::UInt32 => dt::uint32(),
        DType::UInt64 => dt::uint64(),
        DType::Float16 => dt::float16(),
        DType::Float32 => dt::float32(),
        DType::Float64 => dt::float64(),
        DType::Complex64 => dt::complex64(),
        DType::Complex128 => dt::complex128(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dtype_round_trips() {
        for t in DType::ALL {
            assert_eq!(from_zarr(&to_zarr(t)).unwrap(), t);
        }
    }
}
