//! Reading the chain through a node: runtime APIs, storage named by the pallets' own storage
//! types, blocks and events, and waiting for something to become final.
//!
//! Values are decoded with the runtime types this client is built with, so a node running
//! another runtime is reported as such instead of being misread.

use std::{future::Future, time::Duration};

use codec::{Decode, DecodeAll, FullCodec};
use medchain_runtime::{AccountId, BlockNumber, Hash, Header, RuntimeEvent};
use polkadot_sdk::{
    frame_support::{
        storage::{
            generator::{StorageDoubleMap, StorageMap, StorageValue},
            storage_prefix,
            types::{self, QueryKindTrait},
        },
        traits::{Get, StorageInstance},
        ReversibleStorageHasher, StorageHasher,
    },
    frame_system::EventRecord,
};

use crate::{
    rpc::{NodeClient, RpcError},
    runtime_api::RuntimeApi,
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
    #[error("the node's answer to {what} does not decode ({reason}): is this program built for the chain's runtime?")]
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

/// A pallet's storage map, plain or counted, named by its type (e.g.
/// `pallet_hospitals::Hospitals<Runtime>`): where its entries are and what they hold, so that a
/// client reads it with the runtime's own key and value types.
pub trait Map {
    /// The map's key.
    type Key: FullCodec;
    /// The map's value.
    type Value: FullCodec;
    /// How keys are hashed into storage keys.
    type Hasher: StorageHasher;
    /// The prefix every entry's storage key starts with.
    fn prefix() -> [u8; 32];
    /// The storage key of `key`'s entry.
    fn entry(key: &Self::Key) -> Vec<u8>;
}

impl<P, H, K, V, Q, O, M> Map for types::StorageMap<P, H, K, V, Q, O, M>
where
    P: StorageInstance,
    H: StorageHasher,
    K: FullCodec,
    V: FullCodec,
    Q: QueryKindTrait<V, O>,
    O: Get<Q::Query> + 'static,
    M: Get<Option<u32>>,
{
    type Key = K;
    type Value = V;
    type Hasher = H;

    fn prefix() -> [u8; 32] {
        <Self as StorageMap<K, V>>::prefix_hash()
    }

    fn entry(key: &K) -> Vec<u8> {
        <Self as StorageMap<K, V>>::storage_map_final_key(key)
    }
}

/// A counted map keeps its entries as the plain map of the same prefix does (and its count
/// apart).
impl<P, H, K, V, Q, O, M> Map for types::CountedStorageMap<P, H, K, V, Q, O, M>
where
    P: types::CountedStorageMapInstance,
    H: StorageHasher,
    K: FullCodec,
    V: FullCodec,
    Q: QueryKindTrait<V, O>,
    O: Get<Q::Query> + 'static,
    M: Get<Option<u32>>,
{
    type Key = K;
    type Value = V;
    type Hasher = H;

    fn prefix() -> [u8; 32] {
        <types::StorageMap<P, H, K, V, Q, O, M> as Map>::prefix()
    }

    fn entry(key: &K) -> Vec<u8> {
        <types::StorageMap<P, H, K, V, Q, O, M> as Map>::entry(key)
    }
}

/// A pallet's storage double map, named by its type (e.g. `pallet_results::Accesses<Runtime>`):
/// where an entry is and what it holds.
pub trait DoubleMap {
    /// The first key.
    type Key1: FullCodec;
    /// The second key.
    type Key2: FullCodec;
    /// The map's value.
    type Value: FullCodec;
    /// The storage key of the entry under `key1` and `key2`.
    fn entry(key1: &Self::Key1, key2: &Self::Key2) -> Vec<u8>;
}

impl<P, H1, K1, H2, K2, V, Q, O, M> DoubleMap
    for types::StorageDoubleMap<P, H1, K1, H2, K2, V, Q, O, M>
where
    P: StorageInstance,
    H1: StorageHasher,
    K1: FullCodec,
    H2: StorageHasher,
    K2: FullCodec,
    V: FullCodec,
    Q: QueryKindTrait<V, O>,
    O: Get<Q::Query> + 'static,
    M: Get<Option<u32>>,
{
    type Key1 = K1;
    type Key2 = K2;
    type Value = V;

    fn entry(key1: &K1, key2: &K2) -> Vec<u8> {
        <Self as StorageDoubleMap<K1, K2, V>>::storage_double_map_final_key(key1, key2)
    }
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

    /// The underlying client, for `medchain_` requests and what [`Chain`] does not wrap.
    pub fn client(&self) -> &NodeClient {
        &self.client
    }

    /// The runtime APIs in the state of block `at` (the node's best block when `None`).
    pub fn at(&self, at: Option<Hash>) -> RuntimeApi<'_> {
        self.client.at(at)
    }

    /// Storage value `S` (a pallet's `StorageValue`, named by its type: e.g.
    /// `pallet_kgc::NextLeaf<Runtime>`) at block `at` (best when `None`), if set.
    pub async fn value<S, V>(&self, at: Option<Hash>) -> Result<Option<V>, ChainError>
    where
        S: StorageValue<V>,
        V: FullCodec,
    {
        self.read(S::storage_value_final_key().to_vec(), at).await
    }

    /// The value of storage map `S` under `key` at block `at` (best when `None`), if any.
    pub async fn map_value<S: Map>(
        &self,
        key: &S::Key,
        at: Option<Hash>,
    ) -> Result<Option<S::Value>, ChainError> {
        self.read(S::entry(key), at).await
    }

    /// The value of storage double map `S` under `key1` and `key2` at block `at` (best when
    /// `None`), if any.
    pub async fn double_map_value<S: DoubleMap>(
        &self,
        key1: &S::Key1,
        key2: &S::Key2,
        at: Option<Hash>,
    ) -> Result<Option<S::Value>, ChainError> {
        self.read(S::entry(key1, key2), at).await
    }

    /// Every key of storage map `S` at block `at`, decoded from the storage keys (the map's
    /// hasher keeps the key: `Blake2_128Concat`, `Twox64Concat` or `Identity`).
    pub async fn map_keys<S: Map>(&self, at: Hash) -> Result<Vec<S::Key>, ChainError>
    where
        S::Hasher: ReversibleStorageHasher,
    {
        let prefix = S::prefix();
        let mut keys = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .storage_keys_paged(&prefix, KEYS_PAGE, start.take(), at)
                .await?;
            let full = page.len() as u32 == KEYS_PAGE;
            for raw in page {
                let hashed = raw.0.get(prefix.len()..).unwrap_or_default();
                keys.push(decode("a storage map's key", S::Hasher::reverse(hashed))?);
                start = Some(raw.0);
            }
            if !full {
                return Ok(keys);
            }
        }
    }

    /// The events of block `at`, with the phase each was emitted in.
    pub async fn events(
        &self,
        at: Hash,
    ) -> Result<Vec<EventRecord<RuntimeEvent, Hash>>, ChainError> {
        // `System::Events` is not public (it is read through `System::read_events_no_consensus`
        // inside the runtime): its key, from the pallet's and the item's names.
        let key = storage_prefix(b"System", b"Events").to_vec();
        Ok(self.read(key, Some(at)).await?.unwrap_or_default())
    }

    /// The value under storage `key`, decoded.
    async fn read<T: Decode>(
        &self,
        key: Vec<u8>,
        at: Option<Hash>,
    ) -> Result<Option<T>, ChainError> {
        let what = "a storage value";
        self.client
            .storage(key, at)
            .await?
            .map(|bytes| decode(what, &bytes))
            .transpose()
    }

    /// The chain's genesis hash (transactions are signed for it).
    pub async fn genesis(&self) -> Result<Hash, ChainError> {
        self.client
            .block_hash(0)
            .await?
            .ok_or_else(|| ChainError::Decode {
                what: "the genesis block's hash",
                reason: "the node has no genesis block".to_owned(),
            })
    }

    /// The node's best block's header.
    pub async fn best_header(&self) -> Result<Header, ChainError> {
        Ok(self.client.best_header().await?)
    }

    /// The last finalised block: its hash and number.
    pub async fn finalized(&self) -> Result<(Hash, BlockNumber), ChainError> {
        let hash = self.client.finalized_head().await?;
        let header = self
            .client
            .header(hash)
            .await?
            .ok_or_else(|| ChainError::Decode {
                what: "the finalised head's header",
                reason: "the node has no header for its own finalised head".to_owned(),
            })?;
        Ok((hash, header.number))
    }

    /// The nonce `account`'s next transaction must carry, counting those in the node's pool.
    pub async fn next_nonce(&self, account: &AccountId) -> Result<u32, ChainError> {
        Ok(self.client.next_nonce(account).await?)
    }

    /// Polls `probe` at each new finalised block until it answers `Some`; `what` names what is
    /// awaited and `hint` says what to check if it never comes.
    pub async fn wait_final<T, F, Fut>(
        &self,
        what: &str,
        hint: &str,
        mut probe: F,
    ) -> Result<T, ChainError>
    where
        F: FnMut(Hash) -> Fut,
        Fut: Future<Output = Result<Option<T>, ChainError>>,
    {
        let deadline = tokio::time::Instant::now() + WAIT_TIMEOUT;
        let mut last = None;
        loop {
            let head = self.client.finalized_head().await?;
            if last != Some(head) {
                last = Some(head);
                if let Some(found) = probe(head).await? {
                    return Ok(found);
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ChainError::Timeout {
                    what: what.to_owned(),
                    hint: hint.to_owned(),
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
}
