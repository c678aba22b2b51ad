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
    assert_eq!(
        BlobStore::open(dir.path(), MAX)
            .unwrap()
            .get(&hash)
            .unwrap(),
        b"kept"
    );
}

#[test]
fn a_tampered_blob_is_detected_on_read() {
    let (_dir, store) = store();
    let hash = store.put(b"original bytes").unwrap();
    let meta = store.meta(&hash).unwrap().unwrap();
    store
        .db
        .put_cf(
            store.cf(CHUNKS),
            chunk_key(&meta.upload, 0),
            b"modified bytes",
        )
        .unwrap();
    assert!(matches!(store.get(&hash), Err(Error::Corrupted(_))));
    // A missing chunk is corruption too.
    store
        .db
        .delete_cf(store.cf(CHUNKS), chunk_key(&meta.upload, 0))
        .unwrap();
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
