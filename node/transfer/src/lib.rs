//! Node-to-node transfer of sealed payloads (`/medchain/payload/1`).
//!
//! A sealed payload lives off-chain in the blob store of the hospital that holds it; the chain only
//! records its SHA-256. When another hospital is authorised to read a record, its node fetches the
//! payload from the holder's node over this request-response protocol, which runs on the node's
//! own Substrate network (libp2p or litep2p), so it reuses the peers' authenticated connections.
//!
//! - **Chunked**: the requester asks for one chunk at a time ([`PayloadRequest`] carries the
//!   offset) and gets at most [`MAX_CHUNK_SIZE`] bytes back, so an imaging study never sits whole
//!   in memory on either side. Every chunk but the last is exactly [`MAX_CHUNK_SIZE`] bytes: the
//!   offsets then line up with the blob store's own chunks, and every response makes progress.
//! - **Authorised per request**: the holder asks its [`AccessPolicy`] (backed by chain state) on
//!   every chunk, so a revocation takes effect mid-transfer, and it does so before looking the
//!   hash up, so an unauthorised peer cannot probe which payloads a hospital holds. A transfer's
//!   first chunk is served only once the policy has logged the transfer.
//! - **Checked before stored**: the requester streams chunks into a [`BlobWriter`] and finishes it
//!   with [`BlobWriter::finish_expecting`], so a tampered, truncated or substituted payload is
//!   rejected and nothing becomes visible in its store.
//! - **Named refusals**: every refusal carries a [`RefusalReason`]; a malformed request is refused
//!   (and costs the sender reputation), never a panic.
//!
//! The holder runs a [`PayloadServer`]; the requester calls [`fetch`].

use codec::{Decode, DecodeAll, Encode};
use medchain_blob_store::{BlobStore, BlobWriter, Hash, CHUNK_SIZE};
use polkadot_sdk::{
    sc_network::{
        request_responses::{IncomingRequest, OutgoingResponse},
        IfDisconnected, NetworkBackend, NetworkRequest, PeerId, ReputationChange, RequestFailure,
    },
    sp_runtime::traits::Block as BlockT,
};
use std::{sync::Arc, time::Duration};

/// The protocol's name on the wire. The version is part of the name so that an incompatible
/// change can be introduced under a new name next to this one.
pub const PROTOCOL_NAME: &str = "/medchain/payload/1";

/// The most payload bytes in one response: the blob store's chunk size, so the holder serves one
/// stored chunk per request.
pub const MAX_CHUNK_SIZE: usize = CHUNK_SIZE;

/// The largest request accepted. A [`PayloadRequest`] encodes to 40 bytes; anything much larger
/// is not a request of this protocol and is dropped by the network before it is buffered.
pub const MAX_REQUEST_SIZE: u64 = 1024;

/// The largest response accepted: one full chunk plus the encoding's few bytes of framing, with
/// room to spare.
pub const MAX_RESPONSE_SIZE: u64 = MAX_CHUNK_SIZE as u64 + 1024;

/// How long the requester waits for one chunk. Generous for 1 MiB between hospitals, short enough
/// that a vanished holder is noticed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// Inbound requests queued before the network starts refusing new ones (back-pressure when the
/// holder's disk is slower than its peers' appetite).
const INBOUND_QUEUE: usize = 32;

/// What a malformed request costs its sender: a correct node never sends one.
const BAD_REQUEST_COST: ReputationChange =
    ReputationChange::new(-(1 << 12), "medchain payload: malformed request");

const LOG_TARGET: &str = "medchain-transfer";

/// Asks the holder for the chunk of payload `hash` starting at `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct PayloadRequest {
    /// The payload's content address, as recorded on-chain.
    pub hash: Hash,
    /// Where the chunk starts: a multiple of [`MAX_CHUNK_SIZE`] below the payload's size (or 0
    /// for an empty payload).
    pub offset: u64,
}

/// The holder's answer to a [`PayloadRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum PayloadResponse {
    /// Bytes `offset .. offset + bytes.len()` of a payload of `total_size` bytes.
    Chunk {
        /// The whole payload's size, so the requester can refuse an oversized one up front.
        total_size: u64,
        /// Where these bytes start (echoes the request).
        offset: u64,
        /// The bytes: [`MAX_CHUNK_SIZE`] of them, or what remains if fewer.
        bytes: Vec<u8>,
        /// Whether this chunk ends the payload.
        last: bool,
    },
    /// The holder will not serve this request.
    Refused(RefusalReason),
}

/// Why a holder refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, thiserror::Error)]
pub enum RefusalReason {
    /// The requester's hospital may not read this payload now.
    #[error("not authorised")]
    NotAuthorized,
    /// The holder does not have this payload.
    #[error("payload not found")]
    NotFound,
    /// The request did not decode, or asked for an offset that is not a chunk boundary inside
    /// the payload.
    #[error("bad request")]
    BadRequest,
    /// The holder's store failed or found its copy damaged.
    #[error("holder's store failed")]
    StoreError,
    /// The holder could not log the transfer, so it does not serve it.
    #[error("the holder could not log the access")]
    NotLogged,
}

/// Decides who may fetch what, and logs what is served. The node implements it from chain
/// state: the requesting peer's hospital must be authorised by the holder now, or have a doctor
/// assigned to the record, and the holder logs each transfer on-chain.
pub trait AccessPolicy: Send + Sync {
    /// Whether `requester` may fetch payload `hash`. Called on every chunk request.
    fn may_fetch(&self, requester: &PeerId, hash: &Hash) -> bool;

    /// Logs that `requester`, admitted by [`AccessPolicy::may_fetch`], starts fetching `hash`:
    /// called on its request for the first chunk, before anything is served. `false` when the
    /// log entry could not be made, and the transfer is refused.
    fn log_transfer(&self, requester: &PeerId, hash: &Hash) -> bool;
}

impl<P: AccessPolicy + ?Sized> AccessPolicy for Arc<P> {
    fn may_fetch(&self, requester: &PeerId, hash: &Hash) -> bool {
        (**self).may_fetch(requester, hash)
    }

    fn log_transfer(&self, requester: &PeerId, hash: &Hash) -> bool {
        (**self).log_transfer(requester, hash)
    }
}

/// The holder's side: answers [`PayloadRequest`]s from its blob store.
pub struct PayloadServer<P> {
    requests: async_channel::Receiver<IncomingRequest>,
    store: Arc<BlobStore>,
    policy: P,
}

impl<P: AccessPolicy> PayloadServer<P> {
    /// Creates the server and the protocol configuration to register with the network
    /// (`FullNetworkConfiguration::add_request_response_protocol`) before the network is built.
    pub fn new<B, N>(store: Arc<BlobStore>, policy: P) -> (Self, N::RequestResponseProtocolConfig)
    where
        B: BlockT,
        N: NetworkBackend<B, B::Hash>,
    {
        let (sender, requests) = async_channel::bounded(INBOUND_QUEUE);
        let config = N::request_response_config(
            PROTOCOL_NAME.into(),
            Vec::new(),
            MAX_REQUEST_SIZE,
            MAX_RESPONSE_SIZE,
            REQUEST_TIMEOUT,
            Some(sender),
        );
        (Self::from_parts(requests, store, policy), config)
    }

    pub(crate) fn from_parts(
        requests: async_channel::Receiver<IncomingRequest>,
        store: Arc<BlobStore>,
        policy: P,
    ) -> Self {
        Self {
            requests,
            store,
            policy,
        }
    }

    /// Answers requests until the network shuts down. Reading a chunk is blocking disk I/O, so
    /// spawn this as a blocking task.
    pub async fn run(self) {
        while let Ok(request) = self.requests.recv().await {
            let IncomingRequest {
                peer,
                payload,
                pending_response,
            } = request;
            let response = self.handle(&peer, &payload);
            let reputation_changes = match response {
                PayloadResponse::Refused(RefusalReason::BadRequest) => vec![BAD_REQUEST_COST],
                _ => Vec::new(),
            };
            let outgoing = OutgoingResponse {
                result: Ok(response.encode()),
                reputation_changes,
                sent_feedback: None,
            };
            if pending_response.send(outgoing).is_err() {
                log::debug!(target: LOG_TARGET, "{peer} went away before its response was sent");
            }
        }
    }

    /// Answers one request from `peer` (the encoded [`PayloadRequest`] in `payload`).
    pub fn handle(&self, peer: &PeerId, payload: &[u8]) -> PayloadResponse {
        let Ok(request) = PayloadRequest::decode_all(&mut &payload[..]) else {
            log::debug!(target: LOG_TARGET, "undecodable request from {peer}");
            return PayloadResponse::Refused(RefusalReason::BadRequest);
        };
        if !self.policy.may_fetch(peer, &request.hash) {
            log::debug!(
                target: LOG_TARGET,
                "{peer} may not fetch {}",
                medchain_blob_store::hex(&request.hash)
            );
            return PayloadResponse::Refused(RefusalReason::NotAuthorized);
        }
        let served = serve_chunk(&self.store, &request).and_then(|chunk| {
            let starts = request.offset == 0;
            if starts && !self.policy.log_transfer(peer, &request.hash) {
                return Err(RefusalReason::NotLogged);
            }
            Ok(chunk)
        });
        served.unwrap_or_else(|reason| {
            log::debug!(
                target: LOG_TARGET,
                "refused {peer} chunk {} of {}: {reason}",
                request.offset,
                medchain_blob_store::hex(&request.hash)
            );
            PayloadResponse::Refused(reason)
        })
    }
}

/// The chunk `request` asks for, read from `store`.
fn serve_chunk(
    store: &BlobStore,
    request: &PayloadRequest,
) -> Result<PayloadResponse, RefusalReason> {
    let PayloadRequest { hash, offset } = *request;
    let meta = store
        .meta(&hash)
        .map_err(|e| store_failure(&hash, e))?
        .ok_or(RefusalReason::NotFound)?;
    let chunk = MAX_CHUNK_SIZE as u64;
    let inside = offset < meta.size || (offset == 0 && meta.size == 0);
    if offset % chunk != 0 || !inside {
        return Err(RefusalReason::BadRequest);
    }
    let bytes = if meta.size == 0 {
        Vec::new()
    } else {
        read_chunk(store, &hash, offset / chunk)?
    };
    // The store checked the chunk's length against the size: this is what remains, at most a
    // chunk.
    let end = offset + bytes.len() as u64;
    Ok(PayloadResponse::Chunk {
        total_size: meta.size,
        offset,
        last: end == meta.size,
        bytes,
    })
}

/// Stored chunk number `index` of blob `hash`, exactly as long as the blob's size says: one read
/// per request. Its content is not re-hashed here: the requester checks the whole payload against
/// the on-chain hash before storing it.
fn read_chunk(store: &BlobStore, hash: &Hash, index: u64) -> Result<Vec<u8>, RefusalReason> {
    match store.read_chunk(hash, index) {
        Ok(Some(bytes)) => Ok(bytes),
        // Deleted between the metadata look-up and now.
        Err(medchain_blob_store::Error::NotFound(_)) => Err(RefusalReason::NotFound),
        Err(e) => Err(store_failure(hash, e)),
        // Not while a hash's content, hence its size, is fixed: the caller checked the offset
        // against the size. Damage, not a reason to panic.
        Ok(None) => Err(store_failure(
            hash,
            medchain_blob_store::Error::Corrupted(medchain_blob_store::hex(hash)),
        )),
    }
}

fn store_failure(hash: &Hash, error: medchain_blob_store::Error) -> RefusalReason {
    log::warn!(
        target: LOG_TARGET,
        "cannot serve {}: {error}",
        medchain_blob_store::hex(hash)
    );
    RefusalReason::StoreError
}

/// Why a fetch failed. In every case nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The holder refused.
    #[error("holder refused: {0}")]
    Refused(RefusalReason),
    /// The request did not reach the holder or its answer did not come back.
    #[error("network: {0}")]
    Network(#[from] RequestFailure),
    /// The holder's answer broke the protocol.
    #[error("malformed response: {0}")]
    Malformed(&'static str),
    /// The bytes received do not hash to the requested address.
    #[error("payload does not match its hash")]
    HashMismatch,
    /// The payload is larger than the requester accepts.
    #[error("payload of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The size the holder announced.
        size: u64,
        /// The requester's limit.
        max: u64,
    },
    /// The requester's own store failed.
    #[error("blob store: {0}")]
    Store(#[from] medchain_blob_store::Error),
}

/// Fetches payload `hash` from `peer` into `store`, chunk by chunk.
///
/// The payload becomes visible in `store` only once all of it has arrived and hashes to `hash`;
/// on any error nothing is stored. Payloads larger than `max_size` (or the store's own maximum)
/// are refused as soon as the first chunk announces their size. If `store` already holds `hash`,
/// nothing is requested.
///
/// `peer` is dialled if not connected: the holder need not be one of our current peers.
pub async fn fetch<Net: NetworkRequest + ?Sized>(
    network: &Net,
    peer: PeerId,
    hash: &Hash,
    store: &BlobStore,
    max_size: u64,
) -> Result<(), FetchError> {
    if store.contains(hash)? {
        return Ok(());
    }
    let mut assembler = Assembler::new(store, *hash, max_size)?;
    loop {
        let (bytes, _protocol) = network
            .request(
                peer,
                PROTOCOL_NAME.into(),
                assembler.next_request().encode(),
                None,
                IfDisconnected::TryConnect,
            )
            .await?;
        let response = PayloadResponse::decode_all(&mut &bytes[..])
            .map_err(|_| FetchError::Malformed("undecodable response"))?;
        match assembler.accept(response)? {
            Progress::More(next) => assembler = next,
            Progress::Done => return Ok(()),
        }
    }
}

/// The requester's side, without the network: turns the holder's responses, in order, into a
/// stored blob, checking each against the protocol.
///
/// Dropping it unfinished (or any error) discards what was written.
pub struct Assembler<'a> {
    writer: BlobWriter<'a>,
    hash: Hash,
    max_size: u64,
    total_size: Option<u64>,
    received: u64,
}

/// What [`Assembler::accept`] leaves to do.
// `More` is a few hundred bytes moved once per 1 MiB chunk and unpacked at once: boxing it would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Progress<'a> {
    /// More chunks to fetch: ask for [`Assembler::next_request`].
    More(Assembler<'a>),
    /// The payload is stored, its hash checked.
    Done,
}

impl<'a> Assembler<'a> {
    /// Starts assembling payload `hash` into `store`, accepting at most `max_size` bytes (and no
    /// more than the store's own maximum).
    pub fn new(store: &'a BlobStore, hash: Hash, max_size: u64) -> Result<Self, FetchError> {
        Ok(Self {
            writer: store.writer()?,
            hash,
            max_size: max_size.min(store.max_object_size()),
            total_size: None,
            received: 0,
        })
    }

    /// The request for the next chunk.
    pub fn next_request(&self) -> PayloadRequest {
        PayloadRequest {
            hash: self.hash,
            offset: self.received,
        }
    }

    /// Takes the response to [`next_request`](Self::next_request). Consumes the assembler, so
    /// that after the last chunk (or an error) it cannot be fed again.
    pub fn accept(mut self, response: PayloadResponse) -> Result<Progress<'a>, FetchError> {
        let (total_size, offset, bytes, last) = match response {
            PayloadResponse::Refused(reason) => return Err(FetchError::Refused(reason)),
            PayloadResponse::Chunk {
                total_size,
                offset,
                bytes,
                last,
            } => (total_size, offset, bytes, last),
        };
        if offset != self.received {
            return Err(FetchError::Malformed("chunk at an offset not asked for"));
        }
        match self.total_size {
            None if total_size > self.max_size => {
                return Err(FetchError::TooLarge {
                    size: total_size,
                    max: self.max_size,
                })
            }
            None => self.total_size = Some(total_size),
            Some(known) if known != total_size => {
                return Err(FetchError::Malformed("total size changed between chunks"))
            }
            Some(_) => {}
        }
        // `offset <= total_size`: it is what earlier chunks added up to, each checked below.
        let expected = (total_size - offset).min(MAX_CHUNK_SIZE as u64);
        if bytes.len() as u64 != expected {
            return Err(FetchError::Malformed("chunk of the wrong length"));
        }
        let end = offset + expected;
        if last != (end == total_size) {
            return Err(FetchError::Malformed(
                "last flag disagrees with the total size",
            ));
        }
        self.writer.write(&bytes)?;
        self.received = end;
        if !last {
            return Ok(Progress::More(self));
        }
        match self.writer.finish_expecting(&self.hash) {
            Ok(_) => Ok(Progress::Done),
            Err(medchain_blob_store::Error::HashMismatch { .. }) => Err(FetchError::HashMismatch),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests;
