//! Reading the chain through a node: runtime APIs (`state_call`), storage, blocks, and waiting
//! for something to become final.
//!
//! Values are decoded with the runtime types this CLI is built with, so a node running another
//! runtime is reported as such instead of being misread.

use std::{future::Future, time::Duration};

use codec::{Decode, DecodeAll, Encode};
use jsonrpsee::rpc_params;
use medchain_runtime::{AccountId, BlockNumber, Hash, Header};
use polkadot_sdk::sp_core::Bytes;

use crate::{
    output::Output,
    rpc::{NodeClient, RpcError},
    text,
};

/// How long a command waits for a transaction or an effect to be final: a few dozen blocks,
/// ample for a healthy network (a block every 3 s, finality a few blocks behind).
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(180);

/// How often a wait polls the node.
const POLL_INTERVAL: Duration = Duration::from_millis(1_000);

/// Most storage keys asked for in one `state_getKeysPaged` (the node's limit).
const KEYS_PAGE: u32 = 1_000;

/// Reading from the chain failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node did not answer.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The node's answer does not decode with this CLI's runtime types.
    #[error("the node's answer to {what} does not decode ({reason}): is this CLI built for the chain's runtime?")]
    Decode {
        /// What was asked.
        what: &'static str,
        /// The decoding error.
        reason: String,
    },
    /// Something did not happen in time.
    #[error("gave up after {} s waiting for {what}: {hint}", WAIT_TIMEOUT.as_secs())]
    Timeout {
        /// What was awaited.
        what: String,
        /// What may be wrong and what to do.
        hint: String,
    },
}

/// Decodes all of `bytes` as `T`, naming `what` on failure.
pub fn decode<T: Decode>(what: &'static str, bytes: &[u8]) -> Result<T, ChainError> {
    T::decode_all(&mut &bytes[..]).map_err(|e| ChainError::Decode {
        what,
        reason: e.to_string(),
    })
}

/// A node, read through its standard Substrate RPC.
pub struct Chain {
    client: NodeClient,
}

impl Chain {
    /// Connects to the node at `url`.
    pub async fn connect(url: &str) -> Result<Self, RpcError> {
        Ok(Self {
            client: NodeClient::connect(url).await?,
        })
    }

    /// The underlying client, for `medchain_` requests.
    pub fn client(&self) -> &NodeClient {
        &self.client
    }

    /// Runtime API `method` (e.g. `KgcApi_current_epoch`) with `args`, at block `at` or the
    /// node's best block.
    pub async fn api<A: Encode, R: Decode>(
        &self,
        method: &'static str,
        args: A,
        at: Option<Hash>,
    ) -> Result<R, ChainError> {
        let answer: Bytes = self
            .client
            .call("state_call", rpc_params![method, Bytes(args.encode()), at])
            .await?;
        decode(method, &answer)
    }

    /// The value under storage `key` at block `at` (best when `None`), if any.
    pub async fn storage<T: Decode>(
        &self,
        what: &'static str,
        key: Vec<u8>,
        at: Option<Hash>,
    ) -> Result<Option<T>, ChainError> {
        let value: Option<Bytes> = self
            .client
            .call("state_getStorage", rpc_params![Bytes(key), at])
            .await?;
        value.map(|bytes| decode(what, &bytes)).transpose()
    }

    /// Every storage key under `prefix` at block `at`.
    pub async fn storage_keys(&self, prefix: &[u8], at: Hash) -> Result<Vec<Vec<u8>>, ChainError> {
        let mut keys = Vec::new();
        loop {
            let start = keys.last().cloned().map(Bytes);
            let page: Vec<Bytes> = self
                .client
                .call(
                    "state_getKeysPaged",
                    rpc_params![Bytes(prefix.to_vec()), KEYS_PAGE, start, at],
                )
                .await?;
            let full = page.len() as u32 == KEYS_PAGE;
            keys.extend(page.into_iter().map(|key| key.0));
            if !full {
                return Ok(keys);
            }
        }
    }

    /// The chain's genesis hash (transactions are signed for it).
    pub async fn genesis(&self) -> Result<Hash, ChainError> {
        self.client
            .block_hash(0)
            .await?
            .ok_or_else(|| ChainError::Decode {
                what: "chain_getBlockHash(0)",
                reason: "the node has no genesis block".to_owned(),
            })
    }

    /// The node's best block's header.
    pub async fn best_header(&self) -> Result<Header, ChainError> {
        Ok(self.client.call("chain_getHeader", rpc_params![]).await?)
    }

    /// The last finalised block: its hash and number.
    pub async fn finalized(&self) -> Result<(Hash, BlockNumber), ChainError> {
        let hash = self.client.finalized_head().await?;
        let header = self
            .client
            .header(hash)
            .await?
            .ok_or_else(|| ChainError::Decode {
                what: "chain_getHeader",
                reason: format!("the node has no header for its finalised head {hash:?}"),
            })?;
        Ok((hash, header.number))
    }

    /// The nonce `account`'s next transaction must carry, counting those in the node's pool.
    pub async fn next_nonce(&self, account: &AccountId) -> Result<u32, ChainError> {
        Ok(self
            .client
            .call(
                "system_accountNextIndex",
                rpc_params![text::account(account)],
            )
            .await?)
    }

    /// Polls `probe` at each new finalised block until it answers `Some`, with a spinner saying
    /// `what`; `hint` says what to check if it never does.
    pub async fn wait_final<T, F, Fut>(
        &self,
        output: Output,
        what: &str,
        hint: &str,
        mut probe: F,
    ) -> Result<T, ChainError>
    where
        F: FnMut(Hash) -> Fut,
        Fut: Future<Output = Result<Option<T>, ChainError>>,
    {
        let spinner = output.spinner(&format!("waiting for {what}"));
        let deadline = tokio::time::Instant::now() + WAIT_TIMEOUT;
        let mut last = None;
        loop {
            let head = self.client.finalized_head().await?;
            if last != Some(head) {
                last = Some(head);
                if let Some(found) = probe(head).await? {
                    spinner.finish_and_clear();
                    return Ok(found);
                }
            }
            if tokio::time::Instant::now() >= deadline {
                spinner.finish_and_clear();
                return Err(ChainError::Timeout {
                    what: what.to_owned(),
                    hint: hint.to_owned(),
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}
