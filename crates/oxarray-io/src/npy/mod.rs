//! `.npy` files: [`header`] parses and writes NumPy's header, [`source`] reads blocks out of a
//! memory-mapped file, [`sink`] writes computed blocks at their offsets (positioned writes from
//! the task that computed each block, so the whole array is never in memory).

pub mod header;
pub mod sink;
pub mod source;

pub use header::NpyHeader;
pub use sink::NpyWriter;
pub use source::{from_npy, NpyFile};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{compute, ramp, run, temp_dir};
    use oxarray_core::ChunkGrid;

    #[test]
    fn write_then_read_back_in_other_blocks() {
        let d = temp_dir("npy");
        let (x, values) = ramp(&[6, 5], vec![vec![2, 4], vec![3, 2]]);
        let path = d.join("a.npy");
        let w = NpyWriter::create(&path, x.dtype, &x.shape).unwrap();
        run(w.sink(&x).unwrap());
        w.finish().unwrap();
        let f = NpyFile::open(&path).unwrap();
        assert_eq!(f.header.shape, vec![6, 5]);
        let grid = ChunkGrid::new(&[6, 5], vec![vec![1, 5], vec![5]]).unwrap();
        assert_eq!(compute(&from_npy(f, grid).unwrap()), values);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn unfinished_writer_leaves_nothing() {
        let d = temp_dir("npy-drop");
        let w = NpyWriter::create(&d.join("a.npy"), oxarray_core::DType::Int8, &[4]).unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
    }
}
