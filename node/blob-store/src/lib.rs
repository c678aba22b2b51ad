//! The hospital node's blob store: sealed payloads (`CT_HD`) and reports, off-chain.
//!
//! - **Content-addressed**: a blob's key is the SHA-256 of its bytes, the hash recorded on-chain.
//! - **Streamed**: blobs are written and read in [`CHUNK_SIZE`] chunks, so an imaging study never
//!   sits whole in memory.
//! - **Atomic**: chunks are written under a private upload id; the blob becomes visible only when
//!   one write batch adds its metadata. A crash mid-write leaves an upload marker whose chunks are
//!   deleted the next time the store opens, never a partial blob.
//! - **Bounded**: a writer refuses to go past the configured maximum object size.
//! - **One copy per content**: writers of the same content that finish at the same time (two
//!   uploads of one study) do not both register it: finishing and deleting take one lock, so the
//!   second writer finds the first's blob and discards its own chunks instead of orphaning the
//!   first's.
//! - **Checked**: reading re-hashes the content, so a blob modified on disk is reported as
//!   [`Error::Corrupted`] rather than served. [`BlobStore::read_chunk`], random access for
//!   serving a blob to another node, checks only each chunk's presence and length: the receiver
//!   checks the whole against the on-chain hash.
//!
//! Layout (three column families): `meta` maps a hash to its [`BlobMeta`]; `chunks` maps
//! `upload id || chunk number` to chunk bytes; `uploads` marks uploads in progress.

use codec::{Decode, Encode};
use rocksdb::{ColumnFamilyDescriptor, Options, WriteBatch, DB};
use sha2::{Digest, Sha256};
use std::{path::Path, sync::Mutex};

/// Bytes per stored chunk.
pub const CHUNK_SIZE: usize = 1 << 20;

const META: &str = "meta";
const CHUNKS: &str = "chunks";
const UPLOADS: &str = "uploads";

/// A SHA-256 content address.
pub type Hash = [u8; 32];
type UploadId = [u8; 16];

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The blob would exceed the store's maximum object size.
    #[error("blob larger than the maximum of {max} bytes")]
    TooLarge {
        /// The configured maximum.
        max: u64,
    },
    /// The bytes written do not hash to the expected address.
    #[error("content hash mismatch: expected {expected}, got {actual}")]
    HashMismatch {
        /// The hex of the expected hash.
        expected: String,
        /// The hex of the hash of what was written.
        actual: String,
    },
    /// No blob with this hash.
    #[error("no blob {0}")]
    NotFound(String),
    /// A stored blob no longer hashes to its address, or its metadata or chunks are damaged.
    #[error("stored blob {0} is corrupted")]
    Corrupted(String),
    /// The database failed.
    #[error("blob database: {0}")]
    Database(#[from] rocksdb::Error),
}

/// Result of blob store operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What is stored about a blob besides its chunks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlobMeta {
    /// Total size in bytes.
    pub size: u64,
    /// Number of chunks.
    pub chunks: u32,
    upload: UploadId,
}

/// The store. Cheap to share behind an `Arc`; RocksDB does its own locking.
pub struct BlobStore {
    db: DB,
    /// Held while a blob's metadata is looked up and then written or deleted.
    registry: Mutex<()>,
    max_object_size: u64,
    /// Uploads a crash interrupted, discarded when the store opened.
    discarded_on_open: usize,
}

impl BlobStore {
    /// Opens (or creates) the store at `path`, discarding uploads a crash interrupted.
    pub fn open(path: impl AsRef<Path>, max_object_size: u64) -> Result<Self> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        let families = [META, CHUNKS, UPLOADS]
            .map(|name| ColumnFamilyDescriptor::new(name, Options::default()));
        let mut store = Self {
            db: DB::open_cf_descriptors(&options, path, families)?,
            registry: Mutex::new(()),
            max_object_size,
            discarded_on_open: 0,
        };
        store.discarded_on_open = store.discard_interrupted_uploads()?;
        Ok(store)
    }

    /// How many uploads a crash had interrupted, discarded when the store opened.
    pub fn discarded_on_open(&self) -> usize {
        self.discarded_on_open
    }

    /// The configured maximum object size.
    pub fn max_object_size(&self) -> u64 {
        self.max_object_size
    }

    /// Starts writing a blob; its address is known when it is finished.
    pub fn writer(&self) -> Result<BlobWriter<'_>> {
        let upload: UploadId = rand::random();
        self.db.put_cf(self.cf(UPLOADS), upload, [])?;
        Ok(BlobWriter {
            store: self,
            upload,
            hasher: Sha256::new(),
            buffer: Vec::with_capacity(CHUNK_SIZE),
            chunks: 0,
            size: 0,
            done: false,
        })
    }

    /// Stores `bytes` in one call (small blobs); returns their address.
    pub fn put(&self, bytes: &[u8]) -> Result<Hash> {
        let mut writer = self.writer()?;
        writer.write(bytes)?;
        writer.finish()
    }

    /// The metadata of blob `hash`, if stored.
    pub fn meta(&self, hash: &Hash) -> Result<Option<BlobMeta>> {
        self.db
            .get_pinned_cf(self.cf(META), hash)?
            .map(|bytes| BlobMeta::decode(&mut &bytes[..]).map_err(|_| Error::Corrupted(hex(hash))))
            .transpose()
    }

    /// Whether blob `hash` is stored.
    pub fn contains(&self, hash: &Hash) -> Result<bool> {
        Ok(self.meta(hash)?.is_some())
    }

    /// Streams blob `hash` chunk by chunk. The content is re-hashed as it is read: the last item
    /// is [`Error::Corrupted`] instead of the end if it does not match, so a consumer must read to
    /// the end before trusting what it read.
    pub fn read(&self, hash: &Hash) -> Result<BlobReader<'_>> {
        let meta = self.meta(hash)?.ok_or_else(|| Error::NotFound(hex(hash)))?;
        Ok(BlobReader {
            store: self,
            hash: *hash,
            meta,
            next: 0,
            hasher: Sha256::new(),
            done: false,
        })
    }

    /// Chunk `index` of blob `hash`: [`CHUNK_SIZE`] bytes, or what remains for the last one;
    /// `None` past the end (an empty blob has no chunks). Reads only that chunk, and the metadata.
    ///
    /// This is for serving a blob chunk by chunk to another node (the transfer protocol answers one
    /// chunk per request): doing that with [`read`](Self::read) would re-read every chunk before
    /// the one asked for, reads quadratic in the blob's chunk count.
    ///
    /// The content hash is **not** checked here, since that takes the whole blob: the receiving
    /// node checks what it assembled against the on-chain hash before storing it, and
    /// [`read`](Self::read) and [`get`](Self::get) still verify locally. What can be checked one
    /// chunk at a time is: the metadata's chunk count must agree with its size, and the chunk must
    /// be there and exactly as long as the size says; otherwise it is [`Error::Corrupted`]. A
    /// chunk overwritten with as many different bytes is served, and rejected by the receiver.
    pub fn read_chunk(&self, hash: &Hash, index: u64) -> Result<Option<Vec<u8>>> {
        let meta = self.meta(hash)?.ok_or_else(|| Error::NotFound(hex(hash)))?;
        if u64::from(meta.chunks) != meta.size.div_ceil(CHUNK_SIZE as u64) {
            return Err(Error::Corrupted(hex(hash)));
        }
        // Below `meta.chunks`, so it fits a `u32` and the chunk starts below `meta.size`.
        let Some(index) = u32::try_from(index).ok().filter(|i| *i < meta.chunks) else {
            return Ok(None);
        };
        let start = u64::from(index) * CHUNK_SIZE as u64;
        let expected = (meta.size - start).min(CHUNK_SIZE as u64);
        match self
            .db
            .get_cf(self.cf(CHUNKS), chunk_key(&meta.upload, index))?
        {
            Some(chunk) if chunk.len() as u64 == expected => Ok(Some(chunk)),
            _ => Err(Error::Corrupted(hex(hash))),
        }
    }

    /// The address of every stored blob.
    pub fn hashes(&self) -> Result<Vec<Hash>> {
        self.db
            .iterator_cf(self.cf(META), rocksdb::IteratorMode::Start)
            .map(|entry| {
                let (key, _) = entry?;
                Hash::try_from(&key[..]).map_err(|_| Error::Corrupted(format!("key {key:02x?}")))
            })
            .collect()
    }

    /// Reads blob `hash` through without keeping it: `Ok` if it is whole and hashes to its
    /// address.
    pub fn verify(&self, hash: &Hash) -> Result<()> {
        self.read(hash)?.try_for_each(|chunk| chunk.map(drop))
    }

    /// Reads blob `hash` whole, verified.
    pub fn get(&self, hash: &Hash) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        for chunk in self.read(hash)? {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(bytes)
    }

    /// Deletes blob `hash` (a withdrawn record); `false` if it was not stored.
    pub fn delete(&self, hash: &Hash) -> Result<bool> {
        let _registry = self.lock_registry();
        let Some(meta) = self.meta(hash)? else {
            return Ok(false);
        };
        let mut batch = WriteBatch::default();
        batch.delete_cf(self.cf(META), hash);
        let (from, to) = chunk_range(&meta.upload);
        batch.delete_range_cf(self.cf(CHUNKS), from, to);
        self.db.write(batch)?;
        Ok(true)
    }

    /// The registry lock. A panic while it was held left no half-written state (RocksDB wrote
    /// a whole batch or nothing), so a poisoned lock is taken over.
    fn lock_registry(&self) -> std::sync::MutexGuard<'_, ()> {
        self.registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        self.db
            .cf_handle(name)
            .expect("the column families are created on open")
    }

    fn discard_interrupted_uploads(&self) -> Result<usize> {
        let interrupted: Vec<Box<[u8]>> = self
            .db
            .iterator_cf(self.cf(UPLOADS), rocksdb::IteratorMode::Start)
            .map(|entry| entry.map(|(key, _)| key))
            .collect::<Result<_, _>>()?;
        for key in &interrupted {
            if let Ok(upload) = <UploadId>::try_from(&key[..]) {
                self.discard(&upload)?;
            }
        }
        Ok(interrupted.len())
    }

    fn discard(&self, upload: &UploadId) -> Result<()> {
        let mut batch = WriteBatch::default();
        let (from, to) = chunk_range(upload);
        batch.delete_range_cf(self.cf(CHUNKS), from, to);
        batch.delete_cf(self.cf(UPLOADS), upload);
        self.db.write(batch)?;
        Ok(())
    }
}

/// Writes one blob chunk by chunk. Dropping it unfinished discards what was written.
pub struct BlobWriter<'a> {
    store: &'a BlobStore,
    upload: UploadId,
    hasher: Sha256,
    buffer: Vec<u8>,
    chunks: u32,
    size: u64,
    done: bool,
}

impl BlobWriter<'_> {
    /// Appends `bytes`. Going past the maximum object size discards the upload.
    pub fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        let size = self.size.saturating_add(bytes.len() as u64);
        if size > self.store.max_object_size {
            self.abort()?;
            return Err(Error::TooLarge {
                max: self.store.max_object_size,
            });
        }
        self.size = size;
        self.hasher.update(bytes);
        while !bytes.is_empty() {
            let take = bytes.len().min(CHUNK_SIZE - self.buffer.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buffer.len() == CHUNK_SIZE {
                self.flush_chunk()?;
            }
        }
        Ok(())
    }

    /// Makes the blob visible under the SHA-256 of its content and returns that address.
    pub fn finish(mut self) -> Result<Hash> {
        self.commit(None)
    }

    /// Like [`finish`](Self::finish), but only if the content hashes to `expected` (the hash
    /// recorded on-chain); otherwise nothing is stored.
    pub fn finish_expecting(mut self, expected: &Hash) -> Result<Hash> {
        self.commit(Some(expected))
    }

    fn commit(&mut self, expected: Option<&Hash>) -> Result<Hash> {
        if !self.buffer.is_empty() {
            self.flush_chunk()?;
        }
        let hash: Hash = self.hasher.clone().finalize().into();
        if let Some(expected) = expected.filter(|e| **e != hash) {
            self.abort()?;
            return Err(Error::HashMismatch {
                expected: hex(expected),
                actual: hex(&hash),
            });
        }
        self.done = true;
        let _registry = self.store.lock_registry();
        if self.store.contains(&hash)? {
            // Same content already stored: keep the existing copy.
            self.store.discard(&self.upload)?;
            return Ok(hash);
        }
        let meta = BlobMeta {
            size: self.size,
            chunks: self.chunks,
            upload: self.upload,
        };
        let mut batch = WriteBatch::default();
        batch.put_cf(self.store.cf(META), hash, meta.encode());
        batch.delete_cf(self.store.cf(UPLOADS), self.upload);
        self.store.db.write(batch)?;
        Ok(hash)
    }

    fn flush_chunk(&mut self) -> Result<()> {
        let key = chunk_key(&self.upload, self.chunks);
        self.store
            .db
            .put_cf(self.store.cf(CHUNKS), key, &self.buffer)?;
        self.buffer.clear();
        self.chunks += 1;
        Ok(())
    }

    fn abort(&mut self) -> Result<()> {
        self.done = true;
        self.store.discard(&self.upload)
    }
}

impl Drop for BlobWriter<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Best effort: if this fails too, the marker makes the next open clean up.
            let _ = self.store.discard(&self.upload);
        }
    }
}

/// Streams a blob's chunks, verifying the content hash at the end.
pub struct BlobReader<'a> {
    store: &'a BlobStore,
    hash: Hash,
    meta: BlobMeta,
    next: u32,
    hasher: Sha256,
    done: bool,
}

impl BlobReader<'_> {
    /// The blob's metadata.
    pub fn meta(&self) -> &BlobMeta {
        &self.meta
    }

    fn corrupted(&mut self) -> Option<Result<Vec<u8>>> {
        self.done = true;
        Some(Err(Error::Corrupted(hex(&self.hash))))
    }
}

impl Iterator for BlobReader<'_> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.next == self.meta.chunks {
            self.done = true;
            let actual: Hash = self.hasher.clone().finalize().into();
            return (actual != self.hash).then(|| Err(Error::Corrupted(hex(&self.hash))));
        }
        let key = chunk_key(&self.meta.upload, self.next);
        match self.store.db.get_cf(self.store.cf(CHUNKS), key) {
            Ok(Some(chunk)) => {
                self.next += 1;
                self.hasher.update(&chunk);
                Some(Ok(chunk))
            }
            Ok(None) => self.corrupted(),
            Err(e) => {
                self.done = true;
                Some(Err(e.into()))
            }
        }
    }
}

fn chunk_key(upload: &UploadId, index: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..16].copy_from_slice(upload);
    key[16..].copy_from_slice(&index.to_be_bytes());
    key
}

/// Every chunk key of one upload: chunk numbers never reach `u32::MAX` (that would be a 4 PiB
/// blob), so the half-open range up to it covers them all.
fn chunk_range(upload: &UploadId) -> ([u8; 20], [u8; 20]) {
    (chunk_key(upload, 0), chunk_key(upload, u32::MAX))
}

/// Lower-case hex of a hash, for messages.
pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
