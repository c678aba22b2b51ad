use super::*;
use futures::{channel::oneshot, executor::block_on};
use polkadot_sdk::sc_network::ProtocolName;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tempfile::TempDir;

const MAX: u64 = 64 << 20;

/// Lets `peer` fetch anything while `open`, and logs each transfer while `logging`.
struct Switch {
    peer: PeerId,
    open: AtomicBool,
    logging: AtomicBool,
    logged: std::sync::Mutex<Vec<(PeerId, Hash)>>,
}

impl Switch {
    fn allowing(peer: PeerId) -> Self {
        Self {
            peer,
            open: AtomicBool::new(true),
            logging: AtomicBool::new(true),
            logged: Default::default(),
        }
    }

    fn logged(&self) -> Vec<(PeerId, Hash)> {
        self.logged.lock().unwrap().clone()
    }
}

impl AccessPolicy for Switch {
    fn may_fetch(&self, requester: &PeerId, _hash: &Hash) -> bool {
        *requester == self.peer && self.open.load(Ordering::SeqCst)
    }

    fn log_transfer(&self, requester: &PeerId, hash: &Hash) -> bool {
        let logging = self.logging.load(Ordering::SeqCst);
        if logging {
            self.logged.lock().unwrap().push((*requester, *hash));
        }
        logging
    }
}

fn store() -> (TempDir, Arc<BlobStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::open(dir.path(), MAX).unwrap();
    (dir, Arc::new(store))
}

/// Deterministic bytes that differ from chunk to chunk.
fn payload(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 11)) as u8)
        .collect()
}

/// A server over `store`, fed through the returned sender, that lets `reader` fetch.
fn server(
    store: &Arc<BlobStore>,
    reader: PeerId,
) -> (
    async_channel::Sender<IncomingRequest>,
    PayloadServer<Arc<Switch>>,
    Arc<Switch>,
) {
    let (sender, requests) = async_channel::bounded(INBOUND_QUEUE);
    let policy = Arc::new(Switch::allowing(reader));
    let server = PayloadServer::from_parts(requests, store.clone(), policy.clone());
    (sender, server, policy)
}

fn ask(hash: Hash, offset: u64) -> Vec<u8> {
    PayloadRequest { hash, offset }.encode()
}

fn refused(reason: RefusalReason) -> PayloadResponse {
    PayloadResponse::Refused(reason)
}

// --- Encoding ---

#[test]
fn messages_round_trip() {
    let request = PayloadRequest {
        hash: [7; 32],
        offset: 3 << 20,
    };
    assert_eq!(
        PayloadRequest::decode_all(&mut &request.encode()[..]),
        Ok(request)
    );

    let mut responses = vec![
        PayloadResponse::Chunk {
            total_size: 5,
            offset: 0,
            bytes: vec![1, 2, 3, 4, 5],
            last: true,
        },
        PayloadResponse::Chunk {
            total_size: 0,
            offset: 0,
            bytes: Vec::new(),
            last: true,
        },
    ];
    for reason in [
        RefusalReason::NotAuthorized,
        RefusalReason::NotFound,
        RefusalReason::BadRequest,
        RefusalReason::StoreError,
        RefusalReason::NotLogged,
    ] {
        responses.push(refused(reason));
    }
    for response in responses {
        let encoded = response.encode();
        assert_eq!(PayloadResponse::decode_all(&mut &encoded[..]), Ok(response));
    }
}

#[test]
fn messages_fit_the_protocol_limits() {
    let request = PayloadRequest {
        hash: [0xff; 32],
        offset: u64::MAX,
    };
    assert!(request.encode().len() as u64 <= MAX_REQUEST_SIZE);
    let full = PayloadResponse::Chunk {
        total_size: u64::MAX,
        offset: u64::MAX,
        bytes: vec![0xff; MAX_CHUNK_SIZE],
        last: false,
    };
    assert!(full.encode().len() as u64 <= MAX_RESPONSE_SIZE);
}

#[test]
fn truncated_or_padded_messages_do_not_decode() {
    let request = ask([1; 32], 0);
    assert!(PayloadRequest::decode_all(&mut &request[..request.len() - 1]).is_err());
    let mut padded = request.clone();
    padded.push(0);
    assert!(PayloadRequest::decode_all(&mut &padded[..]).is_err());
    // A chunk claiming more bytes than follow, and an unknown variant / refusal reason.
    let chunk = PayloadResponse::Chunk {
        total_size: 3,
        offset: 0,
        bytes: vec![1, 2, 3],
        last: true,
    }
    .encode();
    assert!(PayloadResponse::decode_all(&mut &chunk[..chunk.len() - 2]).is_err());
    assert!(PayloadResponse::decode_all(&mut &[2u8][..]).is_err());
    assert!(PayloadResponse::decode_all(&mut &[1u8, 5][..]).is_err());
}

// --- Server ---

#[test]
fn serves_a_payload_chunk_by_chunk() {
    let (_dir, store) = store();
    let content = payload(2 * MAX_CHUNK_SIZE + MAX_CHUNK_SIZE / 2);
    let hash = store.put(&content).unwrap();
    let reader = PeerId::random();
    let (_sender, server, _) = server(&store, reader);

    let mut assembled = Vec::new();
    for (index, expected_len, expected_last) in [
        (0, MAX_CHUNK_SIZE, false),
        (1, MAX_CHUNK_SIZE, false),
        (2, MAX_CHUNK_SIZE / 2, true),
    ] {
        let offset = (index * MAX_CHUNK_SIZE) as u64;
        match server.handle(&reader, &ask(hash, offset)) {
            PayloadResponse::Chunk {
                total_size,
                offset: at,
                bytes,
                last,
            } => {
                assert_eq!(total_size, content.len() as u64);
                assert_eq!(at, offset);
                assert_eq!(bytes.len(), expected_len);
                assert_eq!(last, expected_last);
                assembled.extend_from_slice(&bytes);
            }
            other => panic!("chunk {index}: {other:?}"),
        }
    }
    assert_eq!(assembled, content);
}

#[test]
fn a_transfer_is_logged_once_before_its_first_chunk_and_refused_unlogged() {
    let (_dir, store) = store();
    let content = payload(MAX_CHUNK_SIZE + 1);
    let hash = store.put(&content).unwrap();
    let reader = PeerId::random();
    let (_sender, server, policy) = server(&store, reader);
    assert!(matches!(
        server.handle(&reader, &ask(hash, 0)),
        PayloadResponse::Chunk { last: false, .. }
    ));
    assert!(matches!(
        server.handle(&reader, &ask(hash, MAX_CHUNK_SIZE as u64)),
        PayloadResponse::Chunk { last: true, .. }
    ));
    assert_eq!(policy.logged(), [(reader, hash)], "one entry per transfer");
    // Unknown payloads are not logged: nothing was served.
    assert_eq!(
        server.handle(&reader, &ask([9; 32], 0)),
        refused(RefusalReason::NotFound)
    );
    assert_eq!(policy.logged().len(), 1);
    // A transfer whose entry cannot be made is not served.
    policy.logging.store(false, Ordering::SeqCst);
    assert_eq!(
        server.handle(&reader, &ask(hash, 0)),
        refused(RefusalReason::NotLogged)
    );
}

#[test]
fn serves_an_empty_payload_as_one_empty_last_chunk() {
    let (_dir, store) = store();
    let hash = store.put(&[]).unwrap();
    let reader = PeerId::random();
    let (_sender, server, _) = server(&store, reader);
    assert_eq!(
        server.handle(&reader, &ask(hash, 0)),
        PayloadResponse::Chunk {
            total_size: 0,
            offset: 0,
            bytes: Vec::new(),
            last: true
        }
    );
    assert_eq!(
        server.handle(&reader, &ask(hash, 1)),
        refused(RefusalReason::BadRequest)
    );
}

#[test]
fn refuses_an_unauthorised_peer_without_revealing_what_it_holds() {
    let (_dir, store) = store();
    let hash = store.put(b"sealed").unwrap();
    let (_sender, server, _) = server(&store, PeerId::random());
    let stranger = PeerId::random();
    assert_eq!(
        server.handle(&stranger, &ask(hash, 0)),
        refused(RefusalReason::NotAuthorized)
    );
    // An unknown hash gets the same answer: a stranger cannot probe what is held.
    assert_eq!(
        server.handle(&stranger, &ask([9; 32], 0)),
        refused(RefusalReason::NotAuthorized)
    );
}

#[test]
fn a_revocation_stops_a_transfer_midway() {
    let (_dir, store) = store();
    let hash = store.put(&payload(MAX_CHUNK_SIZE + 1)).unwrap();
    let reader = PeerId::random();
    let (_sender, server, policy) = server(&store, reader);
    assert!(matches!(
        server.handle(&reader, &ask(hash, 0)),
        PayloadResponse::Chunk { last: false, .. }
    ));
    policy.open.store(false, Ordering::SeqCst);
    assert_eq!(
        server.handle(&reader, &ask(hash, MAX_CHUNK_SIZE as u64)),
        refused(RefusalReason::NotAuthorized)
    );
}

#[test]
fn refuses_an_unknown_hash() {
    let (_dir, store) = store();
    let reader = PeerId::random();
    let (_sender, server, _) = server(&store, reader);
    assert_eq!(
        server.handle(&reader, &ask([9; 32], 0)),
        refused(RefusalReason::NotFound)
    );
    // Gone once deleted.
    let hash = store.put(b"withdrawn").unwrap();
    assert!(store.delete(&hash).unwrap());
    assert_eq!(
        server.handle(&reader, &ask(hash, 0)),
        refused(RefusalReason::NotFound)
    );
}

#[test]
fn refuses_bad_requests() {
    let (_dir, store) = store();
    let content = payload(MAX_CHUNK_SIZE + 10);
    let hash = store.put(&content).unwrap();
    let reader = PeerId::random();
    let (_sender, server, _) = server(&store, reader);
    let bad = refused(RefusalReason::BadRequest);

    let good = ask(hash, 0);
    let mut padded = good.clone();
    padded.push(0);
    for garbage in [
        &[][..],
        &[0xde, 0xad][..],
        &good[..good.len() - 1],
        &padded[..],
        &[0xff; 200][..],
    ] {
        assert_eq!(server.handle(&reader, garbage), bad);
    }
    // Not a chunk boundary; past the end; far past the end.
    for offset in [
        1,
        MAX_CHUNK_SIZE as u64 - 1,
        2 * MAX_CHUNK_SIZE as u64,
        u64::MAX,
    ] {
        assert_eq!(
            server.handle(&reader, &ask(hash, offset)),
            bad,
            "offset {offset}"
        );
    }
}

#[test]
fn the_run_loop_answers_on_the_wire_and_penalises_bad_requests() {
    let (_dir, store) = store();
    let hash = store.put(b"on the wire").unwrap();
    let reader = PeerId::random();
    let (sender, server, _) = server(&store, reader);

    let send = |payload: Vec<u8>| {
        let (tx, rx) = oneshot::channel();
        sender
            .try_send(IncomingRequest {
                peer: reader,
                payload,
                pending_response: tx,
            })
            .unwrap();
        rx
    };
    let good = send(ask(hash, 0));
    let garbage = send(vec![1, 2, 3]);
    drop(sender);
    block_on(server.run());

    let good = block_on(good).unwrap();
    assert!(good.reputation_changes.is_empty());
    assert_eq!(
        PayloadResponse::decode_all(&mut &good.result.unwrap()[..]),
        Ok(PayloadResponse::Chunk {
            total_size: 11,
            offset: 0,
            bytes: b"on the wire".to_vec(),
            last: true
        })
    );
    let garbage = block_on(garbage).unwrap();
    assert_eq!(garbage.reputation_changes, vec![BAD_REQUEST_COST]);
    assert!(garbage.reputation_changes[0].value < 0);
    assert_eq!(
        PayloadResponse::decode_all(&mut &garbage.result.unwrap()[..]),
        Ok(refused(RefusalReason::BadRequest))
    );
}

// --- Assembler ---

/// Feeds `responses` to an assembler for `hash` in `store`; the first error, or whether it is done.
fn assemble(
    store: &BlobStore,
    hash: Hash,
    max: u64,
    responses: impl IntoIterator<Item = PayloadResponse>,
) -> Result<bool, FetchError> {
    let mut assembler = Assembler::new(store, hash, max)?;
    for response in responses {
        match assembler.accept(response)? {
            Progress::More(next) => assembler = next,
            Progress::Done => return Ok(true),
        }
    }
    Ok(false)
}

/// The responses an honest holder sends for `content`.
fn chunks(content: &[u8]) -> Vec<PayloadResponse> {
    let total_size = content.len() as u64;
    if content.is_empty() {
        return vec![PayloadResponse::Chunk {
            total_size,
            offset: 0,
            bytes: Vec::new(),
            last: true,
        }];
    }
    content
        .chunks(MAX_CHUNK_SIZE)
        .enumerate()
        .map(|(index, bytes)| {
            let offset = (index * MAX_CHUNK_SIZE) as u64;
            PayloadResponse::Chunk {
                total_size,
                offset,
                last: offset + bytes.len() as u64 == total_size,
                bytes: bytes.to_vec(),
            }
        })
        .collect()
}

fn sha256(content: &[u8]) -> Hash {
    use sha2::Digest;
    sha2::Sha256::digest(content).into()
}

#[test]
fn assembles_and_stores_a_payload() {
    let (_dir, store) = store();
    let content = payload(2 * MAX_CHUNK_SIZE + 123);
    let hash = sha256(&content);
    assert!(assemble(&store, hash, MAX, chunks(&content)).unwrap());
    assert_eq!(store.get(&hash).unwrap(), content);

    let empty = sha256(&[]);
    assert!(assemble(&store, empty, MAX, chunks(&[])).unwrap());
    assert_eq!(store.get(&empty).unwrap(), Vec::<u8>::new());
}

#[test]
fn asks_for_successive_offsets() {
    let (_dir, store) = store();
    let content = payload(MAX_CHUNK_SIZE + 1);
    let hash = sha256(&content);
    let mut assembler = Assembler::new(&store, hash, MAX).unwrap();
    assert_eq!(assembler.next_request(), PayloadRequest { hash, offset: 0 });
    let mut responses = chunks(&content).into_iter();
    assembler = match assembler.accept(responses.next().unwrap()).unwrap() {
        Progress::More(next) => next,
        Progress::Done => panic!("done after one chunk of two"),
    };
    assert_eq!(
        assembler.next_request(),
        PayloadRequest {
            hash,
            offset: MAX_CHUNK_SIZE as u64
        }
    );
    // Not visible until the last chunk is checked.
    assert!(!store.contains(&hash).unwrap());
    assert!(matches!(
        assembler.accept(responses.next().unwrap()),
        Ok(Progress::Done)
    ));
    assert!(store.contains(&hash).unwrap());
}

#[test]
fn rejects_a_tampered_payload_and_stores_nothing() {
    let (_dir, store) = store();
    let content = payload(MAX_CHUNK_SIZE + 5);
    let hash = sha256(&content);
    let mut responses = chunks(&content);
    if let PayloadResponse::Chunk { bytes, .. } = &mut responses[0] {
        bytes[17] ^= 1;
    }
    assert!(matches!(
        assemble(&store, hash, MAX, responses),
        Err(FetchError::HashMismatch)
    ));
    assert!(!store.contains(&hash).unwrap());
    // A different payload served in place of the requested one.
    let other = payload(10);
    assert!(matches!(
        assemble(&store, hash, MAX, chunks(&other)),
        Err(FetchError::HashMismatch)
    ));
    assert!(!store.contains(&sha256(&other)).unwrap());
}

#[test]
fn rejects_out_of_order_chunks() {
    let (_dir, store) = store();
    let content = payload(3 * MAX_CHUNK_SIZE);
    let hash = sha256(&content);
    let mut responses = chunks(&content);
    responses.swap(1, 2);
    assert!(matches!(
        assemble(&store, hash, MAX, responses),
        Err(FetchError::Malformed(_))
    ));
    // The first chunk again.
    let mut responses = chunks(&content);
    responses[1] = responses[0].clone();
    assert!(matches!(
        assemble(&store, hash, MAX, responses),
        Err(FetchError::Malformed(_))
    ));
    assert!(!store.contains(&hash).unwrap());
}

#[test]
fn rejects_an_oversized_payload_up_front() {
    let (_dir, store) = store();
    let content = payload(MAX_CHUNK_SIZE + 1);
    let hash = sha256(&content);
    let limit = MAX_CHUNK_SIZE as u64;
    let mut responses = chunks(&content).into_iter();
    let assembler = Assembler::new(&store, hash, limit).unwrap();
    match assembler.accept(responses.next().unwrap()) {
        Err(FetchError::TooLarge { size, max }) => {
            assert_eq!(size, content.len() as u64);
            assert_eq!(max, limit);
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("accepted an oversized payload"),
    }
    // The store's own maximum applies too.
    let huge = PayloadResponse::Chunk {
        total_size: MAX + 1,
        offset: 0,
        bytes: vec![0; MAX_CHUNK_SIZE],
        last: false,
    };
    assert!(matches!(
        assemble(&store, hash, u64::MAX, [huge]),
        Err(FetchError::TooLarge { max: MAX, .. })
    ));
}

#[test]
fn rejects_truncated_or_inconsistent_chunks() {
    let (_dir, store) = store();
    let content = payload(2 * MAX_CHUNK_SIZE + 7);
    let hash = sha256(&content);
    let malformed = |responses: Vec<PayloadResponse>| {
        matches!(
            assemble(&store, hash, MAX, responses),
            Err(FetchError::Malformed(_))
        )
    };

    // Claims to end early.
    let mut responses = chunks(&content);
    if let PayloadResponse::Chunk { last, .. } = &mut responses[1] {
        *last = true;
    }
    assert!(malformed(responses));
    // Never ends.
    let mut responses = chunks(&content);
    if let PayloadResponse::Chunk { last, .. } = &mut responses[2] {
        *last = false;
    }
    assert!(malformed(responses));
    // A short chunk that is not the last: offsets would drift off chunk boundaries.
    let mut responses = chunks(&content);
    if let PayloadResponse::Chunk { bytes, .. } = &mut responses[0] {
        bytes.pop();
    }
    assert!(malformed(responses));
    // An empty chunk that is not the last would never make progress.
    let stall = PayloadResponse::Chunk {
        total_size: content.len() as u64,
        offset: 0,
        bytes: Vec::new(),
        last: false,
    };
    assert!(malformed(vec![stall]));
    // A last chunk with bytes past the announced total.
    let mut responses = chunks(&content);
    if let PayloadResponse::Chunk { bytes, .. } = &mut responses[2] {
        bytes.push(0);
    }
    assert!(malformed(responses));
    // The total changes midway.
    let mut responses = chunks(&content);
    if let PayloadResponse::Chunk { total_size, .. } = &mut responses[1] {
        *total_size += 1;
    }
    assert!(malformed(responses));
    assert!(!store.contains(&hash).unwrap());
}

#[test]
fn passes_a_refusal_on() {
    let (_dir, store) = store();
    let content = payload(MAX_CHUNK_SIZE + 1);
    let hash = sha256(&content);
    let mut responses = chunks(&content);
    responses[1] = refused(RefusalReason::NotAuthorized);
    assert!(matches!(
        assemble(&store, hash, MAX, responses),
        Err(FetchError::Refused(RefusalReason::NotAuthorized))
    ));
    assert!(!store.contains(&hash).unwrap());
}

// --- fetch, over a loopback network ---

/// A network of two nodes: requests go to a [`PayloadServer`] through its inbound queue, as
/// sc-network would deliver them, with the protocol's size limits enforced.
struct Loopback {
    requests: async_channel::Sender<IncomingRequest>,
    holder: PeerId,
    me: PeerId,
    tamper: fn(&mut Vec<u8>),
    sent: AtomicUsize,
}

#[async_trait::async_trait]
impl NetworkRequest for Loopback {
    async fn request(
        &self,
        target: PeerId,
        protocol: ProtocolName,
        request: Vec<u8>,
        _fallback_request: Option<(Vec<u8>, ProtocolName)>,
        _connect: IfDisconnected,
    ) -> Result<(Vec<u8>, ProtocolName), RequestFailure> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        if target != self.holder {
            return Err(RequestFailure::NotConnected);
        }
        if &*protocol != PROTOCOL_NAME {
            return Err(RequestFailure::UnknownProtocol);
        }
        assert!(request.len() as u64 <= MAX_REQUEST_SIZE);
        let (tx, rx) = oneshot::channel();
        let incoming = IncomingRequest {
            peer: self.me,
            payload: request,
            pending_response: tx,
        };
        self.requests
            .send(incoming)
            .await
            .map_err(|_| RequestFailure::NotConnected)?;
        match rx.await {
            Ok(OutgoingResponse {
                result: Ok(mut bytes),
                ..
            }) => {
                assert!(bytes.len() as u64 <= MAX_RESPONSE_SIZE);
                (self.tamper)(&mut bytes);
                Ok((bytes, protocol))
            }
            _ => Err(RequestFailure::Refused),
        }
    }

    fn start_request(
        &self,
        _target: PeerId,
        _protocol: ProtocolName,
        _request: Vec<u8>,
        _fallback_request: Option<(Vec<u8>, ProtocolName)>,
        tx: oneshot::Sender<Result<(Vec<u8>, ProtocolName), RequestFailure>>,
        _connect: IfDisconnected,
    ) {
        // `fetch` only ever awaits `request`; anything else using this fake is told it failed.
        let _ = tx.send(Err(RequestFailure::Refused));
    }
}

/// Fetches `hash` from a holder serving `holder_store` into `store` over a [`Loopback`] as
/// `reader`; also returns how many requests were sent.
fn loopback_fetch(
    holder_store: &Arc<BlobStore>,
    allowed: PeerId,
    reader: PeerId,
    tamper: fn(&mut Vec<u8>),
    hash: Hash,
    store: &BlobStore,
) -> (Result<(), FetchError>, usize) {
    let (requests, server, _) = server(holder_store, allowed);
    let holder = PeerId::random();
    let network = Loopback {
        requests,
        holder,
        me: reader,
        tamper,
        sent: AtomicUsize::new(0),
    };
    let requester = async move {
        let result = fetch(&network, holder, &hash, store, MAX).await;
        // Closing the queue stops the server.
        (result, network.sent.load(Ordering::SeqCst))
    };
    let (outcome, ()) = block_on(futures::future::join(requester, server.run()));
    outcome
}

#[test]
fn fetches_a_payload_end_to_end() {
    let (_holder_dir, holder_store) = store();
    let (_dir, store) = store();
    let content = payload(3 * MAX_CHUNK_SIZE + 99);
    let hash = holder_store.put(&content).unwrap();
    let reader = PeerId::random();

    let (result, sent) = loopback_fetch(&holder_store, reader, reader, |_| {}, hash, &store);
    result.unwrap();
    assert_eq!(sent, 4);
    assert_eq!(store.get(&hash).unwrap(), content);

    // Already held: nothing is requested.
    let (result, sent) = loopback_fetch(&holder_store, reader, reader, |_| {}, hash, &store);
    result.unwrap();
    assert_eq!(sent, 0);
}

#[test]
fn fetch_reports_refusals_and_stores_nothing() {
    let (_holder_dir, holder_store) = store();
    let (_dir, store) = store();
    let hash = holder_store.put(b"not for you").unwrap();

    let (result, _) = loopback_fetch(
        &holder_store,
        PeerId::random(),
        PeerId::random(),
        |_| {},
        hash,
        &store,
    );
    assert!(matches!(
        result,
        Err(FetchError::Refused(RefusalReason::NotAuthorized))
    ));
    let reader = PeerId::random();
    let (result, _) = loopback_fetch(&holder_store, reader, reader, |_| {}, [3; 32], &store);
    assert!(matches!(
        result,
        Err(FetchError::Refused(RefusalReason::NotFound))
    ));
    assert!(!store.contains(&hash).unwrap());
}

#[test]
fn fetch_rejects_tampered_or_garbled_responses() {
    let (_holder_dir, holder_store) = store();
    let (_dir, store) = store();
    let hash = holder_store.put(&payload(MAX_CHUNK_SIZE + 3)).unwrap();
    let reader = PeerId::random();

    // A chunk response ends with its last payload byte and then the `last` flag.
    let flip_last_payload_byte = |bytes: &mut Vec<u8>| {
        let n = bytes.len();
        if n > 30 {
            bytes[n - 2] ^= 0x80;
        }
    };
    let (result, _) = loopback_fetch(
        &holder_store,
        reader,
        reader,
        flip_last_payload_byte,
        hash,
        &store,
    );
    assert!(
        matches!(result, Err(FetchError::HashMismatch)),
        "{result:?}"
    );

    let (result, _) = loopback_fetch(
        &holder_store,
        reader,
        reader,
        |bytes| bytes.truncate(3),
        hash,
        &store,
    );
    assert!(
        matches!(result, Err(FetchError::Malformed(_))),
        "{result:?}"
    );
    assert!(!store.contains(&hash).unwrap());
}

#[test]
fn fetch_reports_network_failures() {
    let (_dir, store) = store();
    let (sender, _requests) = async_channel::bounded(1);
    let network = Loopback {
        requests: sender,
        holder: PeerId::random(),
        me: PeerId::random(),
        tamper: |_| {},
        sent: AtomicUsize::new(0),
    };
    let result = block_on(fetch(&network, PeerId::random(), &[1; 32], &store, MAX));
    assert!(matches!(
        result,
        Err(FetchError::Network(RequestFailure::NotConnected))
    ));
}
