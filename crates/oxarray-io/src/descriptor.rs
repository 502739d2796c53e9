//! File sources as bytes: a `from_zarr`/`from_npy` block function is described by the file's
//! absolute path, the array's shape and dtype, and the blocks it is cut in (the data stays in the
//! file), so a pickled array or a task shipped to a Dask or Ray worker reopens the file there and
//! reads its own blocks. The graph format carries the description ([`BlockFn::descriptor`]);
//! [`register`] teaches this process to rebuild the sources when a graph is loaded.
//!
//! [`BlockFn::descriptor`]: oxarray_graph::callback::BlockFn::descriptor

use crate::npy::NpyFile;
use crate::zarr::ZarrReader;
use oxarray_core::{ChunkGrid, DType, OxError, OxResult};
use oxarray_graph::callback::{register_descriptor_kind, Callback};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

pub(crate) const ZARR: &str = "oxarray-io/zarr";
pub(crate) const NPY: &str = "oxarray-io/npy";

/// Registers the file sources' kinds (call once per process before loading graphs; again is
/// harmless).
pub fn register() {
    register_descriptor_kind(ZARR, decode_zarr);
    register_descriptor_kind(NPY, decode_npy);
}

/// The description of a source reading `path` (absolute, so another working directory reads the
/// same file) of `shape` and `dtype`, cut by `grid`; `None` when the path is not UTF-8.
pub(crate) fn describe(path: &Path, dtype: DType, grid: &ChunkGrid) -> Option<Vec<u8>> {
    let abs = std::path::absolute(path).ok()?;
    let v = json!({
        "path": abs.to_str()?,
        "shape": grid.shape(),
        "dtype": dtype.name(),
        "chunks": grid.chunks(),
    });
    serde_json::to_vec(&v).ok()
}

struct Described {
    path: PathBuf,
    shape: Vec<usize>,
    dtype: String,
    grid: ChunkGrid,
}

fn bad(why: &str) -> OxError {
    OxError::Value(format!(
        "cannot load the oxarray graph: a file source's description is damaged ({why})"
    ))
}

fn parse(bytes: &[u8]) -> OxResult<Described> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| bad(&e.to_string()))?;
    let path = v["path"].as_str().ok_or_else(|| bad("no path"))?;
    let shape: Vec<usize> = serde_json::from_value(v["shape"].clone()).map_err(|_| bad("shape"))?;
    let chunks: Vec<Vec<usize>> =
        serde_json::from_value(v["chunks"].clone()).map_err(|_| bad("chunks"))?;
    let dtype = v["dtype"]
        .as_str()
        .ok_or_else(|| bad("no dtype"))?
        .to_owned();
    let grid = ChunkGrid::new(&shape, chunks).map_err(|_| bad("chunks do not cut the shape"))?;
    Ok(Described {
        path: PathBuf::from(path),
        shape,
        dtype,
        grid,
    })
}

/// The file must still hold the array the graph was built on.
fn check(d: &Described, shape: &[usize], dtype: DType) -> OxResult<()> {
    if shape != d.shape || dtype.name() != d.dtype {
        return Err(OxError::Value(format!(
            "the file {} now holds a {:?} {} array; the graph read a {:?} {} array from it",
            d.path.display(),
            shape,
            dtype,
            d.shape,
            d.dtype
        )));
    }
    Ok(())
}

fn open_error(e: crate::IoError) -> OxError {
    match e {
        crate::IoError::Engine(e) => e,
        e @ crate::IoError::Os { .. } => OxError::Value(format!("cannot read a file source: {e}")),
    }
}

fn decode_zarr(bytes: &[u8]) -> OxResult<Callback> {
    let d = parse(bytes)?;
    let r = ZarrReader::open(&d.path).map_err(open_error)?;
    check(&d, &r.shape, r.dtype)?;
    Ok(crate::zarr::source::zarr_source(r, d.grid))
}

fn decode_npy(bytes: &[u8]) -> OxResult<Callback> {
    let d = parse(bytes)?;
    let f = NpyFile::open(&d.path).map_err(open_error)?;
    check(&d, &f.header.shape, f.header.dtype)?;
    Ok(crate::npy::source::npy_source(f, d.grid))
}

#[cfg(test)]
mod tests {
    use crate::testing::{compute, ramp, run, temp_dir};
    use oxarray_core::ChunkGrid;
    use oxarray_graph::serialize::{decode, encode};

    #[test]
    fn file_sources_travel_as_descriptions() {
        super::register();
        let d = temp_dir("desc");
        let (x, values) = ramp(&[6, 5], vec![vec![2, 4], vec![5]]);
        let npy = d.join("a.npy");
        let w = crate::npy::NpyWriter::create(&npy, x.dtype, &x.shape).unwrap();
        run(w.sink(&x).unwrap());
        w.finish().unwrap();
        let meta = r#"{"zarr_format":2,"shape":[6,5],"chunks":[2,5],"dtype":"<f8",
            "compressor":{"id":"blosc","cname":"zstd","clevel":5,"shuffle":1,"blocksize":0},
            "fill_value":0.0,"order":"C","filters":null}"#;
        let z = d.join("a.zarr");
        let (x, _) = ramp(&[6, 5], vec![vec![2, 2, 2], vec![5]]);
        let w = crate::zarr::ZarrWriter::create(&z, meta).unwrap();
        run(w.sink(&x).unwrap());
        w.finish().unwrap();
        let grid = ChunkGrid::new(&[6, 5], vec![vec![4, 2], vec![5]]).unwrap();
        let sources = [
            crate::npy::from_npy(crate::npy::NpyFile::open(&npy).unwrap(), grid.clone()).unwrap(),
            crate::zarr::from_zarr(crate::zarr::ZarrReader::open(&z).unwrap(), grid).unwrap(),
        ];
        for s in sources {
            let enc = encode(std::slice::from_ref(&s));
            assert!(enc.callbacks.is_empty());
            let back = decode(&enc.bytes, &[], &[]).unwrap();
            assert_eq!(compute(&back[0]), values);
        }
        // A file replaced by another array is refused at load, naming it.
        let enc = encode(&[crate::npy::from_npy(
            crate::npy::NpyFile::open(&npy).unwrap(),
            ChunkGrid::single(&[6, 5]),
        )
        .unwrap()]);
        let (y, _) = ramp(&[3], vec![vec![3]]);
        let w = crate::npy::NpyWriter::create(&npy, y.dtype, &y.shape).unwrap();
        run(w.sink(&y).unwrap());
        w.finish().unwrap();
        let e = decode(&enc.bytes, &[], &[]).unwrap_err().to_string();
        assert!(e.contains("now holds"), "{e}");
    }
}
