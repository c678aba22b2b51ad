//! The node's JSON-RPC, through the standard Substrate methods only, so that every command works
//! against any MedChain node: a hospital's validator or an auditor's own non-validating node.
//!
//! One client serves a whole command; it is cheap to share (`&NodeClient`) between the concurrent
//! requests of a replay.

use std::time::Duration;

use jsonrpsee::{
    core::{client::ClientT, params::ArrayParams, ClientError},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use medchain_runtime::{BlockNumber, Hash, Header};
use polkadot_sdk::{sp_core::Bytes, sp_runtime::Justifications};
use serde::{de::DeserializeOwned, Deserialize};

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
}

/// What the node said, without the client's wrapping: the message of a JSON-RPC error object.
fn reason(error: &ClientError) -> String {
    match error {
        ClientError::Call(object) => object.message().to_owned(),
        other => other.to_string(),
    }
}

impl RpcError {
    /// Whether the node does not serve the method at all (as opposed to failing the call).
    pub fn is_method_not_found(&self) -> bool {
        self.is_code(METHOD_NOT_FOUND)
    }

    /// Whether the node refused the call with JSON-RPC error `code`.
    pub fn is_code(&self, code: i32) -> bool {
        matches!(
            self,
            RpcError::Call { source: ClientError::Call(error), .. } if error.code() == code
        )
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
        Ok(Self { transport })
    }

    /// Calls `method` and decodes its result.
    async fn request<R: DeserializeOwned>(
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

    /// Calls any method with `params` and decodes its result: for the role commands' standard
    /// (`state_call`, `author_submitExtrinsic`, ...) and `medchain_` requests.
    pub async fn call<R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<R, RpcError> {
        self.request(method, params).await
    }

    /// The hash of block `number` on the node's best chain (finalised blocks are on it), if the
    /// node has it.
    pub async fn block_hash(&self, number: BlockNumber) -> Result<Option<Hash>, RpcError> {
        self.request("chain_getBlockHash", rpc_params![number])
            .await
    }

    /// The hash of the last block the node has finalised.
    pub async fn finalized_head(&self) -> Result<Hash, RpcError> {
        self.request("chain_getFinalizedHead", rpc_params![]).await
    }

    /// The header of block `hash`, if the node has it.
    pub async fn header(&self, hash: Hash) -> Result<Option<Header>, RpcError> {
        self.request("chain_getHeader", rpc_params![hash]).await
    }

    /// Block `hash` with its justifications, if the node has it.
    pub async fn block(&self, hash: Hash) -> Result<Option<SignedBlock>, RpcError> {
        self.request("chain_getBlock", rpc_params![hash]).await
    }

    /// A proof of the values under `keys` in the state of block `at`.
    pub async fn read_proof(&self, keys: &[Vec<u8>], at: Hash) -> Result<ReadProof, RpcError> {
        let keys: Vec<Bytes> = keys.iter().cloned().map(Bytes).collect();
        self.request("state_getReadProof", rpc_params![keys, at])
            .await
    }

    /// GRANDPA's finality proof of block `number`: a justification of it or of a descendant,
    /// with the headers between. `None` when the node has no justification to offer yet.
    pub async fn prove_finality(&self, number: BlockNumber) -> Result<Option<Bytes>, RpcError> {
        self.request("grandpa_proveFinality", rpc_params![number])
            .await
    }
}
