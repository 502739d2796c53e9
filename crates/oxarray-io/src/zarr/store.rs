//! The file-system store with atomic writes: `zarrs`' `FilesystemStore` writes a chunk in place
//! (truncate, then write), so a run stopped mid-write would leave a torn chunk. Here each value is
//! written to a temporary file in the chunk's directory and renamed over the key, so a reader sees
//! the old chunk or the new one, never half of one. Reads and erases go to the inner store.

use std::io::Write;
use std::path::PathBuf;
use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    Bytes, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits, StorageError, StoreKey,
    StorePrefix, WritableStorageTraits,
};

pub struct AtomicFilesystemStore {
    inner: FilesystemStore,
    root: PathBuf,
}

impl AtomicFilesystemStore {
    pub fn new(root: &std::path::Path) -> Result<Self, StorageError> {
        let inner = FilesystemStore::new(root).map_err(|e| StorageError::Other(e.to_string()))?;
        Ok(AtomicFilesystemStore {
            inner,
            root: root.to_path_buf(),
        })
    }

    fn path_of(&self, key: &StoreKey) -> PathBuf {
        let mut p = self.root.clone();
        p.push(key.as_str().trim_start_matches('/'));
        p
    }
}

impl ReadableStorageTraits for AtomicFilesystemStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.inner.get_partial_many(key, byte_ranges)
    }
    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }
    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl WritableStorageTraits for AtomicFilesystemStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let dest = self.path_of(key);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = crate::npy::sink::temp_name(&dest);
        let written = std::fs::File::create(&tmp).and_then(|mut f| f.write_all(&value));
        let renamed = written.and_then(|_| std::fs::rename(&tmp, &dest));
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        Ok(())
    }
    fn set_partial_many(
        &self,
        _key: &StoreKey,
        _offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        Err(StorageError::Other(
            "partial writes are not atomic and not used by oxarray".into(),
        ))
    }
    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }
    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }
    fn supports_set_partial(&self) -> bool {
        false
    }
}
