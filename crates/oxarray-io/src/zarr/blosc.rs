//! Blosc chunks decompressed straight into their place: zarrs' blosc codec returns a new buffer
//! per chunk, which the block then copies (two passes over fresh memory, each page faulted in).
//! For the commonest layout (a `bytes` codec in this machine's order, then `blosc`, no
//! sharding, no filters) [`super::chunks`] reads the chunk file itself and calls the same C
//! library zarrs links (c-blosc, through `blosc-src`) with the block's own bytes as destination.

use serde_json::Value;
use std::mem::MaybeUninit;

/// Whether the array's codecs are exactly "native-order bytes, then blosc" (v3) or a blosc
/// compressor without filters over a C-ordered little-endian dtype (v2).
pub fn plain_blosc(metadata: &Value) -> bool {
    if !cfg!(target_endian = "little") {
        return false;
    }
    let name = |c: &Value| -> Option<String> {
        match c {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("name").and_then(|n| n.as_str()).map(str::to_owned),
            _ => None,
        }
    };
    if metadata.get("zarr_format").and_then(Value::as_u64) == Some(2) {
        let blosc = metadata
            .get("compressor")
            .and_then(|c| c.get("id"))
            .and_then(Value::as_str)
            == Some("blosc");
        let no_filters = metadata
            .get("filters")
            .is_none_or(|f| f.is_null() || f.as_array().is_some_and(|a| a.is_empty()));
        let c_order = metadata.get("order").and_then(Value::as_str) == Some("C");
        let dtype = metadata.get("dtype").and_then(Value::as_str).unwrap_or("");
        let native = dtype.starts_with('<') || dtype.starts_with('|');
        return blosc && no_filters && c_order && native;
    }
    let Some(codecs) = metadata.get("codecs").and_then(Value::as_array) else {
        return false;
    };
    let [bytes, blosc] = codecs.as_slice() else {
        return false;
    };
    let endian = bytes
        .get("configuration")
        .and_then(|c| c.get("endian"))
        .and_then(Value::as_str);
    name(bytes).as_deref() == Some("bytes")
        && matches!(endian, None | Some("little"))
        && name(blosc).as_deref() == Some("blosc")
}

/// Decompresses the blosc frame `src` into `dst`, which must be exactly its decompressed size
/// (and may hold uninitialised bytes: every byte is written on success); `Err` says why not
/// (a corrupt or foreign frame).
pub fn decompress_into(src: &[u8], dst: &mut [MaybeUninit<u8>]) -> Result<(), String> {
    let mut nbytes: usize = 0;
    // SAFETY: c-blosc reads at most `src.len()` bytes of `src` and writes one usize.
    let bad =
        unsafe { blosc_src::blosc_cbuffer_validate(src.as_ptr().cast(), src.len(), &mut nbytes) };
    if bad != 0 {
        return Err("not a valid blosc frame".into());
    }
    if nbytes != dst.len() {
        return Err(format!(
            "it decompresses to {nbytes} bytes, a chunk holds {}",
            dst.len()
        ));
    }
    if i32::try_from(dst.len()).is_err() {
        return Err("a blosc frame holds less than 2 GiB".into());
    }
    // SAFETY: the frame was validated against `src.len()`; c-blosc writes at most `dst.len()`
    // bytes into `dst`; one internal thread (the scheduler runs the blocks in parallel).
    let got = unsafe {
        blosc_src::blosc_decompress_ctx(src.as_ptr().cast(), dst.as_mut_ptr().cast(), dst.len(), 1)
    };
    if usize::try_from(got).ok() != Some(dst.len()) {
        return Err(format!("blosc could not decompress it (code {got})"));
    }
    Ok(())
}
