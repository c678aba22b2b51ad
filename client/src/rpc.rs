//! A node's JSON-RPC: the standard Substrate methods, which every MedChain node serves (a
//! hospital's validator or an auditor's own non-validating node), and a hospital node's signed
//! `medchain_` services.
//!
//! One client serves a whole command; it is cheap to share (`&NodeClient`) between the concurrent
//! requests of a replay.

use std::{sync::OnceLock, time::Duration};

use jsonrpsee::{
    core::{client::ClientT, params::ArrayParams, ClientError},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
    types::ErrorObjectOwned,
    ws_client::{WsClient, WsClientBuilder},
};
use medchain_runtime::{AccountId, BlockNumber, Hash, Header};
use polkadot_sdk::{
    sp_core::{crypto::Ss58Codec, sr25519, Bytes},
    sp_runtime::Justifications,
};
use serde::{de::DeserializeOwned, Deserialize};

use medchain_rpc_api::{Audience, Challenge, MedchainApiClient};

use crate::services::{self, Service};

/// The standard Substrate methods this crate calls, named once. Public for tests that stand
/// between a client and a node and alter chosen answers (as a lying node would).
pub mod method {
    /// `chain_getBlockHash`.
    pub const BLOCK_HASH: &str = "chain_getBlockHash";
    /// `chain_getFinalizedHead`.
    pub const FINALIZED_HEAD: &str = "chain_getFinalizedHead";
    /// `chain_getHeader`.
    pub const HEADER: &str = "chain_getHeader";
    /// `chain_getBlock`.
    pub const BLOCK: &str = "chain_getBlock";
    /// `state_call`: a runtime API function.
    pub const STATE_CALL: &str = "state_call";
    /// `state_getStorage`.
    pub const STORAGE: &str = "state_getStorage";
    /// `state_getKeysPaged`.
    pub const STORAGE_KEYS_PAGED: &str = "state_getKeysPaged";
    /// `state_getReadProof`.
    pub const READ_PROOF: &str = "state_getReadProof";
    /// `grandpa_proveFinality`.
    pub const PROVE_FINALITY: &str = "grandpa_proveFinality";
    /// `system_accountNextIndex`.
    pub const NEXT_NONCE: &str = "system_accountNextIndex";
    /// `author_submitExtrinsic`.
    pub const SUBMIT_EXTRINSIC: &str = "author_submitExtrinsic";
    /// `system_health`.
    pub const HEALTH: &str = "system_health";
}

/// How long one request may take: a block with a long justification or a large finality proof
/// still arrives well within it on a LAN, and a hung node does not stall a command for ever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest response accepted: a finality proof carries every header since the requested block
/// (up to a whole authority set's worth), so the 10 MiB default is too small for long sets.
const MAX_RESPONSE_SIZE: u32 = 256 * 1024 * 1024;

/// JSON-RPC error code of a method the node does not serve.
const METHOD_NOT_FOUND: i32 = -32601;

/// A request to the node failed.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// The URL is neither HTTP(S) nor WebSocket.
    #[error("unsupported node URL {0}: use http://, https://, ws:// or wss://")]
    Scheme(String),
    /// The node could not be reached.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The node's URL.
        url: String,
        /// Why.
        source: ClientError,
    },
    /// The node answered a call with an error, or did not answer.
    #[error("{method} failed: {}", reason(source))]
    Call {
        /// The JSON-RPC method.
        method: &'static str,
        /// What went wrong.
        source: ClientError,
    },
    /// The node did not prove which hospital it serves: nothing is signed for it.
    #[error(
        "the node did not prove which hospital it serves, so no request was signed for it: {0}"
    )]
    Unidentified(medchain_rpc_api::AuthError),
}

/// What the node said, without the client's wrapping: the message of a JSON-RPC error object.
fn reason(error: &ClientError) -> String {
    match error {
        ClientError::Call(object) => object.message().to_owned(),
        other => other.to_string(),
    }
}

/// The JSON-RPC error object the node answered with, if it answered with one.
fn error_object(error: &RpcError) -> Option<&ErrorObjectOwned> {
    match error {
        RpcError::Call {
            source: ClientError::Call(object),
            ..
        } => Some(object),
        _ => None,
    }
}

impl RpcError {
    /// Whether the node does not serve the method at all (as opposed to failing the call).
    pub fn is_method_not_found(&self) -> bool {
        self.is_code(METHOD_NOT_FOUND)
    }

    /// Whether the node refused the call with JSON-RPC error `code`.
    pub fn is_code(&self, code: i32) -> bool {
        self.code() == Some(code)
    }

    /// The JSON-RPC error code the node refused the call with, if it answered at all.
    pub fn code(&self) -> Option<i32> {
        error_object(self).map(|object| object.code())
    }

    /// The node's own words for a refusal: the error object's message.
    pub fn message(&self) -> Option<&str> {
        error_object(self).map(|object| object.message())
    }

    /// The error object's data, as text (a transaction pool's refusal says there why).
    pub fn data(&self) -> Option<String> {
        error_object(self)
            .and_then(|object| object.data())
            .map(|data| data.get().trim_matches('"').to_owned())
    }
}

/// A block as `chain_getBlock` returns it: the header, the encoded extrinsics and the
/// justifications the node keeps for it.
#[derive(Debug, Clone, Deserialize)]
pub struct SignedBlock {
    /// The block.
    pub block: Block,
    /// Justifications by consensus engine, when the node keeps any for this block.
    pub justifications: Option<Justifications>,
}

/// The block inside a [`SignedBlock`].
#[derive(Debug, Clone, Deserialize)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// Each extrinsic's SCALE encoding, as committed to by the header's extrinsics root.
    pub extrinsics: Vec<Bytes>,
}

/// A storage read proof (`state_getReadProof`): trie nodes that prove values against the state
/// root of the block it was asked for (the response also names that block, which is not needed).
#[derive(Debug, Clone, Deserialize)]
pub struct ReadProof {
    /// The trie nodes.
    pub proof: Vec<Bytes>,
}

/// The transports jsonrpsee offers for a node's RPC port (it serves both on one port). The
/// HTTP client is boxed: it is six times the size of the WebSocket one.
enum Transport {
    Http(Box<HttpClient>),
    Ws(WsClient),
}

/// A connection to one node's JSON-RPC.
pub struct NodeClient {
    transport: Transport,
    /// Whom requests sent through this connection name, once the node has proved it.
    audience: OnceLock<Audience>,
}

impl NodeClient {
    /// Connects to `url` (`http://`, `https://`, `ws://` or `wss://`).
    pub async fn connect(url: &str) -> Result<Self, RpcError> {
        let connect = |source| RpcError::Connect {
            url: url.to_owned(),
            source,
        };
        let transport = if url.starts_with("http://") || url.starts_with("https://") {
            Transport::Http(Box::new(
                HttpClientBuilder::default()
                    .request_timeout(REQUEST_TIMEOUT)
                    .max_response_size(MAX_RESPONSE_SIZE)
                    .build(url)
                    .map_err(connect)?,
            ))
        } else if url.starts_with("ws://") || url.starts_with("wss://") {
            Transport::Ws(
                WsClientBuilder::default()
                    .request_timeout(REQUEST_TIMEOUT)
                    .max_response_size(MAX_RESPONSE_SIZE)
                    .build(url)
                    .await
                    .map_err(connect)?,
            )
        } else {
            return Err(RpcError::Scheme(url.to_owned()));
        };
        Ok(Self {
            transport,
            audience: OnceLock::new(),
        })
    }

    /// Calls `method` and decodes its result.
    async fn call<R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<R, RpcError> {
        let result = match &self.transport {
            Transport::Http(client) => client.request(method, params).await,
            Transport::Ws(client) => client.request(method, params).await,
        };
        result.map_err(|source| RpcError::Call { method, source })
    }

    /// Sends one signed `medchain_` request (a [`Service`]'s) and decodes the answer: through the
    /// generated client of [`medchain_rpc_api::MedchainApiClient`], so the method and the answer's type
    /// come from the request's type. The bytes are sent as they are (for tests of what the node
    /// does with malformed or replayed requests); [`NodeClient::request`] signs a body first.
    pub async fn send<S: Service>(&self, signed: Bytes) -> Result<S::Answer, RpcError> {
        let result = match &self.transport {
            Transport::Http(client) => S::send(client.as_ref(), signed).await,
            Transport::Ws(client) => S::send(client, signed).await,
        };
        result.map_err(|source| RpcError::Call {
            method: S::METHOD,
            source,
        })
    }

    /// Signs `body` with `signer` now, for this node, and sends it to the node's `medchain_`
    /// service of its type.
    pub async fn request<S: Service>(
        &self,
        signer: &sr25519::Pair,
        body: S,
    ) -> Result<S::Answer, RpcError> {
        let audience = self.audience().await?;
        self.send::<S>(services::sign(signer, &audience, body))
            .await
    }

    /// The hospital this node serves, on which chain: what requests to it name. The node proves
    /// it over a fresh challenge, once per connection, so that a node cannot be handed requests
    /// meant for another hospital's.
    pub async fn audience(&self) -> Result<Audience, RpcError> {
        if let Some(audience) = self.audience.get() {
            return Ok(audience.clone());
        }
        let challenge: Challenge = rand::random();
        let answer = match &self.transport {
            Transport::Http(client) => client.identify(Bytes(challenge.to_vec())).await,
            Transport::Ws(client) => client.identify(Bytes(challenge.to_vec())).await,
        };
        let identity = answer.map_err(|source| RpcError::Call {
            method: "identify",
            source,
        })?;
        let audience = identity
            .verify(&challenge)
            .map_err(RpcError::Unidentified)?;
        Ok(self.audience.get_or_init(|| audience).clone())
    }

    /// The hash of block `number` on the node's best chain (finalised blocks are on it), if the
    /// node has it.
    pub async fn block_hash(&self, number: BlockNumber) -> Result<Option<Hash>, RpcError> {
        self.call(method::BLOCK_HASH, rpc_params![number]).await
    }

    /// The hash of the last block the node has finalised.
    pub async fn finalized_head(&self) -> Result<Hash, RpcError> {
        self.call(method::FINALIZED_HEAD, rpc_params![]).await
    }

    /// The header of block `hash`, if the node has it.
    pub async fn header(&self, hash: Hash) -> Result<Option<Header>, RpcError> {
        self.call(method::HEADER, rpc_params![hash]).await
    }

    /// The header of the node's best block.
    pub async fn best_header(&self) -> Result<Header, RpcError> {
        self.call(method::HEADER, rpc_params![]).await
    }

    /// Block `hash` with its justifications, if the node has it.
    pub async fn block(&self, hash: Hash) -> Result<Option<SignedBlock>, RpcError> {
        self.call(method::BLOCK, rpc_params![hash]).await
    }

    /// Runtime API function `name` (`Api_function`, as [`crate::runtime_api`] spells it) with
    /// SCALE-encoded `args`, in the state of block `at` (the best block when `None`).
    pub(crate) async fn state_call(
        &self,
        name: &'static str,
        args: Vec<u8>,
        at: Option<Hash>,
    ) -> Result<Bytes, RpcError> {
        self.call(method::STATE_CALL, rpc_params![name, Bytes(args), at])
            .await
    }

    /// The value under storage `key` in the state of block `at` (best when `None`), if any.
    pub(crate) async fn storage(
        &self,
        key: Vec<u8>,
        at: Option<Hash>,
    ) -> Result<Option<Bytes>, RpcError> {
        self.call(method::STORAGE, rpc_params![Bytes(key), at])
            .await
    }

    /// Up to `count` storage keys under `prefix` after `start`, in the state of block `at`.
    pub(crate) async fn storage_keys_paged(
        &self,
        prefix: &[u8],
        count: u32,
        start: Option<Vec<u8>>,
        at: Hash,
    ) -> Result<Vec<Bytes>, RpcError> {
        let params = rpc_params![Bytes(prefix.to_vec()), count, start.map(Bytes), at];
        self.call(method::STORAGE_KEYS_PAGED, params).await
    }

    /// A proof of the values under `keys` in the state of block `at`.
    pub async fn read_proof(&self, keys: &[Vec<u8>], at: Hash) -> Result<ReadProof, RpcError> {
        let keys: Vec<Bytes> = keys.iter().cloned().map(Bytes).collect();
        self.call(method::READ_PROOF, rpc_params![keys, at]).await
    }

    /// GRANDPA's finality proof of block `number`: a justification of it or of a descendant,
    /// with the headers between. `None` when the node has no justification to offer yet.
    pub async fn prove_finality(&self, number: BlockNumber) -> Result<Option<Bytes>, RpcError> {
        self.call(method::PROVE_FINALITY, rpc_params![number]).await
    }

    /// The nonce `account`'s next transaction must carry, counting those in the node's pool.
    pub async fn next_nonce(&self, account: &AccountId) -> Result<u32, RpcError> {
        self.call(method::NEXT_NONCE, rpc_params![account.to_ss58check()])
            .await
    }

    /// Hands a signed extrinsic to the node's transaction pool; its hash once the pool took it.
    pub async fn submit_extrinsic(&self, extrinsic: Vec<u8>) -> Result<Hash, RpcError> {
        self.call(method::SUBMIT_EXTRINSIC, rpc_params![Bytes(extrinsic)])
            .await
    }

    /// How many peers the node is connected to.
    pub async fn peers(&self) -> Result<u64, RpcError> {
        let health: Health = self.call(method::HEALTH, rpc_params![]).await?;
        Ok(health.peers)
    }
}

/// The part of `system_health` the clients read.
#[derive(Deserialize)]
struct Health {
    peers: u64,
}
