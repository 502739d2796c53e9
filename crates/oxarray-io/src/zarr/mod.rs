//! Zarr v2 and v3 arrays on the local file system, through the `zarrs` crate: [`source`] reads
//! the Zarr chunks under each block, [`sink`] encodes and stores each block's chunks from the
//! task that computed it, [`store`] makes every chunk write atomic, [`dtype`] maps data types; [`chunks`] decodes
//! the chunks under a block into its buffer, plain blosc chunks through [`blosc`] directly.

pub mod blosc;
mod chunks;
pub mod dtype;
pub mod sink;
pub mod source;
pub mod store;

pub use sink::ZarrWriter;
pub use source::{from_zarr, ZarrReader};

use oxarray_core::OxError;

/// A `zarrs` error as the engine's (a `ValueError` naming the array).
pub(crate) fn zarr_error(path: &std::path::Path, e: impl std::fmt::Display) -> OxError {
    OxError::Value(format!("Zarr array {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{compute, ramp, run, temp_dir};
    use oxarray_core::ChunkGrid;

    #[test]
    fn v2_and_v3_round_trips() {
        let v3 = r#"{"zarr_format":3,"node_type":"array","shape":[7,4],"data_type":"float64",
            "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[2,4]}},
            "chunk_key_encoding":{"name":"default","configuration":{"separator":"/"}},
            "fill_value":0.0,"codecs":[{"name":"bytes","configuration":{"endian":"little"}},
            {"name":"zstd","configuration":{"level":3,"checksum":false}}]}"#;
        let v2 = r#"{"zarr_format":2,"shape":[7,4],"chunks":[2,4],"dtype":"<f8",
            "compressor":{"id":"gzip","level":5},"fill_value":0.0,"order":"C","filters":null}"#;
        for meta in [v3, v2] {
            let d = temp_dir("zarr").join("a.zarr");
            let (x, values) = ramp(&[7, 4], vec![vec![4, 2, 1], vec![4]]);
            let w = ZarrWriter::create(&d, meta).unwrap();
            run(w.sink(&x).unwrap());
            w.finish().unwrap();
            let r = ZarrReader::open(&d).unwrap();
            assert_eq!(
                (r.shape.clone(), r.chunk_shape.clone()),
                (vec![7, 4], vec![2, 4])
            );
            let grid = ChunkGrid::new(&[7, 4], vec![vec![3, 4], vec![1, 3]]).unwrap();
            assert_eq!(compute(&from_zarr(r, grid).unwrap()), values);
        }
    }

    #[test]
    fn regions_overwrite_only_their_elements() {
        let meta = r#"{"zarr_format":3,"node_type":"array","shape":[7,4],"data_type":"float64",
            "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[2,3]}},
            "chunk_key_encoding":{"name":"default","configuration":{"separator":"/"}},
            "fill_value":0.0,"codecs":[{"name":"bytes","configuration":{"endian":"little"}},
            {"name":"blosc","configuration":{"cname":"zstd","clevel":5,"shuffle":"shuffle",
            "typesize":8,"blocksize":0}}]}"#;
        let d = temp_dir("zarr-region").join("a.zarr");
        let (x, mut want) = ramp(&[7, 4], vec![vec![2, 2, 2, 1], vec![3, 1]]);
        let w = ZarrWriter::create(&d, meta).unwrap();
        run(w.sink(&x).unwrap());
        w.finish().unwrap();
        // Rows 1..6, columns 1..4: blocks end on chunk boundaries (rows 2, 4, 6; column 3, 4).
        let (y, vals) = ramp(&[5, 3], vec![vec![1, 2, 2], vec![2, 1]]);
        let w = ZarrWriter::open(&d)
            .unwrap()
            .region(vec![1, 1], vec![5, 3])
            .unwrap();
        run(w.sink(&y).unwrap());
        w.finish().unwrap();
        for r in 0..5 {
            for c in 0..3 {
                want[(r + 1) * 4 + c + 1] = vals[r * 3 + c];
            }
        }
        let r = ZarrReader::open(&d).unwrap();
        let grid = ChunkGrid::single(&[7, 4]);
        assert_eq!(compute(&from_zarr(r, grid).unwrap()), want);
        // Blocks that would share a chunk, and regions outside the array, are refused.
        let w = ZarrWriter::open(&d).unwrap().region(vec![1, 1], vec![5, 3]);
        let (bad, _) = ramp(&[5, 3], vec![vec![2, 3], vec![3]]);
        assert!(w.unwrap().sink(&bad).is_err());
        let w = ZarrWriter::open(&d).unwrap();
        assert!(w.region(vec![3, 0], vec![5, 4]).is_err());
    }

    #[test]
    fn misaligned_blocks_are_refused() {
        let d = temp_dir("zarr-bad").join("a.zarr");
        let meta = r#"{"zarr_format":2,"shape":[6],"chunks":[2],"dtype":"<f8",
            "compressor":null,"fill_value":0.0,"order":"C","filters":null}"#;
        let (x, _) = ramp(&[6], vec![vec![3, 3]]);
        let w = ZarrWriter::create(&d, meta).unwrap();
        assert!(w.sink(&x).is_err());
    }
}
