use super::*;
use tempfile::TempDir;

const MAX: u64 = 5 * CHUNK_SIZE as u64 / 2;

fn store() -> (TempDir, BlobStore) {
    let dir = TempDir::new().unwrap();
    let store = BlobStore::open(dir.path(), MAX).unwrap();
    (dir, store)
}

/// Bytes that differ from chunk to chunk, so misplaced chunks are noticed.
fn payload(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / CHUNK_SIZE) as u8)
        .collect()
}

/// Replaces blob `hash`'s first chunk on disk, as a failing disk or an intruder would.
fn overwrite_first_chunk(store: &BlobStore, hash: &Hash, bytes: &[u8]) {
    let meta = store.meta(hash).unwrap().unwrap();
    store
        .db
        .put_cf(store.cf(CHUNKS), chunk_key(&meta.upload, 0), bytes)
        .unwrap();
}

fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

#[test]
fn a_blob_is_stored_under_its_sha256() {
    let (_dir, store) = store();
    let bytes = payload(1000);
    let hash = store.put(&bytes).unwrap();
    assert_eq!(hash, sha256(&bytes));
    assert_eq!(store.get(&hash).unwrap(), bytes);
    assert_eq!(
        store.meta(&hash).unwrap().map(|m| (m.size, m.chunks)),
        Some((1000, 1))
    );
}

#[test]
fn large_blobs_are_written_and_read_in_chunks() {
    let (_dir, store) = store();
    let bytes = payload(2 * CHUNK_SIZE + 17);
    let mut writer = store.writer().unwrap();
    for piece in bytes.chunks(300_000) {
        writer.write(piece).unwrap();
    }
    let hash = writer.finish().unwrap();
    let chunks: Vec<Vec<u8>> = store.read(&hash).unwrap().collect::<Result<_>>().unwrap();
    assert_eq!(
        chunks.iter().map(Vec::len).collect::<Vec<_>>(),
        [CHUNK_SIZE, CHUNK_SIZE, 17]
    );
    assert_eq!(chunks.concat(), bytes);
}

#[test]
fn oversize_blobs_are_refused_and_nothing_is_stored() {
    let (_dir, store) = store();
    let mut writer = store.writer().unwrap();
    writer.write(&payload(MAX as usize)).unwrap();
    assert!(matches!(
        writer.write(&[1]),
        Err(Error::TooLarge { max: MAX })
    ));
    drop(writer);
    assert_chunk_store_is_empty(&store);
}

#[test]
fn content_that_does_not_hash_as_expected_is_not_stored() {
    let (_dir, store) = store();
    let mut writer = store.writer().unwrap();
    writer.write(b"what arrived").unwrap();
    let expected = sha256(b"what the chain says");
    assert!(matches!(
        writer.finish_expecting(&expected),
        Err(Error::HashMismatch { .. })
    ));
    assert!(!store.contains(&sha256(b"what arrived")).unwrap());
    assert_chunk_store_is_empty(&store);
    let mut writer = store.writer().unwrap();
    writer.write(b"what the chain says").unwrap();
    assert_eq!(writer.finish_expecting(&expected).unwrap(), expected);
}

#[test]
fn an_interrupted_write_is_never_visible_and_is_cleaned_on_reopen() {
    let dir = TempDir::new().unwrap();
    let old = {
        let store = BlobStore::open(dir.path(), MAX).unwrap();
        let old = store.put(b"served before the crash").unwrap();
        let mut writer = store.writer().unwrap();
        writer.write(&payload(CHUNK_SIZE + 5)).unwrap();
        // A crash: the writer's destructor never runs.
        std::mem::forget(writer);
        old
    };
    let store = BlobStore::open(dir.path(), MAX).unwrap();
    assert_eq!(store.discarded_on_open(), 1);
    assert_eq!(store.hashes().unwrap(), vec![old]);
    assert_eq!(store.get(&old).unwrap(), b"served before the crash");
    assert!(!store.contains(&sha256(&payload(CHUNK_SIZE + 5))).unwrap());
    let chunks = store
        .db
        .iterator_cf(store.cf(CHUNKS), rocksdb::IteratorMode::Start)
        .count();
    assert_eq!(chunks, 1, "only the finished blob's chunk is left");
    assert_eq!(
        store
            .db
            .iterator_cf(store.cf(UPLOADS), rocksdb::IteratorMode::Start)
            .count(),
        0
    );
}

#[test]
fn blobs_survive_a_restart() {
    let dir = TempDir::new().unwrap();
    let hash = BlobStore::open(dir.path(), MAX)
        .unwrap()
        .put(b"kept")
        .unwrap();
    let store = BlobStore::open(dir.path(), MAX).unwrap();
    assert_eq!(store.discarded_on_open(), 0);
    store.verify(&hash).unwrap();
    assert_eq!(store.get(&hash).unwrap(), b"kept");
}

#[test]
fn a_tampered_blob_is_detected_on_read() {
    let (_dir, store) = store();
    let hash = store.put(b"original bytes").unwrap();
    overwrite_first_chunk(&store, &hash, b"modified bytes");
    assert!(matches!(store.get(&hash), Err(Error::Corrupted(_))));
    assert!(matches!(store.verify(&hash), Err(Error::Corrupted(_))));
    // A missing chunk is corruption too.
    let meta = store.meta(&hash).unwrap().unwrap();
    store
        .db
        .delete_cf(store.cf(CHUNKS), chunk_key(&meta.upload, 0))
        .unwrap();
    assert!(matches!(store.get(&hash), Err(Error::Corrupted(_))));
}

#[test]
fn any_chunk_can_be_read_on_its_own() {
    let (_dir, store) = store();
    let bytes = payload(2 * CHUNK_SIZE + 17);
    let hash = store.put(&bytes).unwrap();
    // Out of order, and twice: nothing depends on what was read before.
    for index in [2, 0, 1, 2] {
        let start = index * CHUNK_SIZE;
        let end = bytes.len().min(start + CHUNK_SIZE);
        assert_eq!(
            store.read_chunk(&hash, index as u64).unwrap().as_deref(),
            Some(&bytes[start..end]),
            "chunk {index}"
        );
    }
}

#[test]
fn reading_past_the_last_chunk_gives_none() {
    let (_dir, store) = store();
    let hash = store.put(&payload(CHUNK_SIZE + 1)).unwrap();
    for index in [2, u64::from(u32::MAX), u64::from(u32::MAX) + 1, u64::MAX] {
        assert!(store.read_chunk(&hash, index).unwrap().is_none(), "{index}");
    }
    // An exact multiple of the chunk size has no empty chunk after it.
    let hash = store.put(&payload(CHUNK_SIZE)).unwrap();
    assert_eq!(
        store.read_chunk(&hash, 0).unwrap().unwrap().len(),
        CHUNK_SIZE
    );
    assert!(store.read_chunk(&hash, 1).unwrap().is_none());
    // An empty blob has no chunks at all.
    let empty = store.put(&[]).unwrap();
    assert!(store.read_chunk(&empty, 0).unwrap().is_none());
}

#[test]
fn reading_a_chunk_of_an_absent_blob_is_not_found() {
    let (_dir, store) = store();
    assert!(matches!(
        store.read_chunk(&sha256(b"never stored"), 0),
        Err(Error::NotFound(_))
    ));
    let hash = store.put(b"withdrawn").unwrap();
    assert!(store.delete(&hash).unwrap());
    assert!(matches!(
        store.read_chunk(&hash, 0),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn a_missing_or_truncated_chunk_is_detected_on_its_own() {
    let (_dir, store) = store();
    let bytes = payload(2 * CHUNK_SIZE + 17);
    let hash = store.put(&bytes).unwrap();
    let meta = store.meta(&hash).unwrap().unwrap();
    let chunks = store.cf(CHUNKS);
    store
        .db
        .delete_cf(chunks, chunk_key(&meta.upload, 1))
        .unwrap();
    assert!(matches!(
        store.read_chunk(&hash, 1),
        Err(Error::Corrupted(_))
    ));
    // The other chunks are still served.
    assert_eq!(
        store.read_chunk(&hash, 0).unwrap().as_deref(),
        Some(&bytes[..CHUNK_SIZE])
    );
    // Too short, and too long.
    store
        .db
        .put_cf(
            chunks,
            chunk_key(&meta.upload, 2),
            &bytes[2 * CHUNK_SIZE..][..16],
        )
        .unwrap();
    assert!(matches!(
        store.read_chunk(&hash, 2),
        Err(Error::Corrupted(_))
    ));
    store
        .db
        .put_cf(chunks, chunk_key(&meta.upload, 0), payload(CHUNK_SIZE + 1))
        .unwrap();
    assert!(matches!(
        store.read_chunk(&hash, 0),
        Err(Error::Corrupted(_))
    ));
}

#[test]
fn metadata_whose_chunk_count_disagrees_with_its_size_is_corrupted() {
    let (_dir, store) = store();
    let hash = store.put(&payload(CHUNK_SIZE + 1)).unwrap();
    let meta = store.meta(&hash).unwrap().unwrap();
    for chunks in [0, 1, 3] {
        let damaged = BlobMeta { chunks, ..meta };
        store
            .db
            .put_cf(store.cf(META), hash, damaged.encode())
            .unwrap();
        assert!(
            matches!(store.read_chunk(&hash, 0), Err(Error::Corrupted(_))),
            "{chunks} chunks"
        );
    }
    store.db.put_cf(store.cf(META), hash, b"garbage").unwrap();
    assert!(matches!(
        store.read_chunk(&hash, 0),
        Err(Error::Corrupted(_))
    ));
}

/// `read_chunk` does not re-hash (the receiver does); `get` still catches what it serves.
#[test]
fn a_chunk_overwritten_in_place_is_served_but_fails_a_verified_read() {
    let (_dir, store) = store();
    let hash = store.put(b"original bytes").unwrap();
    overwrite_first_chunk(&store, &hash, b"modified bytes");
    assert_eq!(
        store.read_chunk(&hash, 0).unwrap().as_deref(),
        Some(&b"modified bytes"[..])
    );
    assert!(matches!(store.get(&hash), Err(Error::Corrupted(_))));
}

#[test]
fn deletion_removes_the_blob_and_its_chunks() {
    let (_dir, store) = store();
    let hash = store.put(&payload(CHUNK_SIZE + 1)).unwrap();
    assert!(store.delete(&hash).unwrap());
    assert!(!store.contains(&hash).unwrap());
    assert!(matches!(store.get(&hash), Err(Error::NotFound(_))));
    assert!(!store.delete(&hash).unwrap());
    assert_chunk_store_is_empty(&store);
}

#[test]
fn the_same_content_is_stored_once() {
    let (_dir, store) = store();
    let a = store.put(b"same").unwrap();
    let b = store.put(b"same").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        store
            .db
            .iterator_cf(store.cf(CHUNKS), rocksdb::IteratorMode::Start)
            .count(),
        1
    );
}

#[test]
fn writers_of_the_same_content_finishing_together_leave_one_copy_and_no_orphans() {
    let (_dir, store) = store();
    let content = payload(CHUNK_SIZE + 1);
    let writers = 8;
    for _round in 0..20 {
        let start = std::sync::Barrier::new(writers);
        std::thread::scope(|threads| {
            for _ in 0..writers {
                threads.spawn(|| {
                    let mut writer = store.writer().unwrap();
                    writer.write(&content).unwrap();
                    start.wait();
                    writer.finish().unwrap()
                });
            }
        });
        let hash = sha256(&content);
        assert_eq!(store.get(&hash).unwrap(), content);
        // Deleting the one copy leaves nothing: no writer's chunks were orphaned.
        assert!(store.delete(&hash).unwrap());
        assert_chunk_store_is_empty(&store);
    }
}

#[test]
fn an_empty_blob_is_a_blob() {
    let (_dir, store) = store();
    let hash = store.put(&[]).unwrap();
    assert_eq!(hash, sha256(&[]));
    assert_eq!(store.get(&hash).unwrap(), Vec::<u8>::new());
}

fn assert_chunk_store_is_empty(store: &BlobStore) {
    assert_eq!(
        store
            .db
            .iterator_cf(store.cf(CHUNKS), rocksdb::IteratorMode::Start)
            .count(),
        0
    );
    assert_eq!(
        store
            .db
            .iterator_cf(store.cf(UPLOADS), rocksdb::IteratorMode::Start)
            .count(),
        0
    );
}
