//! Fetching blocks for the replay: many requests in flight, blocks handed on in chain order.
//!
//! A block costs three requests: its hash by number, the block with its justifications, and a
//! read proof of its events. Keeping `concurrency` blocks in flight hides the round trips, which
//! is what lets the replay keep up with (and catch up on) a chain of 3-second blocks.

use futures::{stream, Stream, StreamExt};
use medchain_runtime::{BlockNumber, Hash, Header};
use polkadot_sdk::sp_consensus_grandpa::GRANDPA_ENGINE_ID;

use medchain_client::{
    light::state::keys,
    rpc::{NodeClient, RpcError},
};

/// Requests in flight when the user does not say: enough to hide a LAN's round trips without
/// crowding a node that is also validating.
pub const DEFAULT_CONCURRENCY: u16 = 16;

/// One block as the node serves it, not yet checked.
#[derive(Debug, Clone)]
pub struct FetchedBlock {
    /// The height asked for.
    pub number: BlockNumber,
    /// The hash the node gives for that height.
    pub hash: Hash,
    /// The header.
    pub header: Header,
    /// Each extrinsic's SCALE encoding.
    pub extrinsics: Vec<Vec<u8>>,
    /// The GRANDPA justification the node keeps for the block, if any.
    pub justification: Option<Vec<u8>>,
    /// Trie nodes proving the block's `System.Events` against its state root.
    pub events_proof: Vec<Vec<u8>>,
}

/// A block could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The node does not have a block it should have.
    #[error("the node has no block #{0}, though it reports a later block final")]
    Missing(BlockNumber),
    /// A request failed.
    #[error("block #{number}: {source}")]
    Rpc {
        /// The block.
        number: BlockNumber,
        /// The failed request.
        source: RpcError,
    },
    /// The node did not give the block's state (for an old block, because it pruned it).
    #[error("cannot read the events of block #{number} (the node must keep old state: run it with --state-pruning archive-canonical): {source}")]
    State {
        /// The block.
        number: BlockNumber,
        /// The failed request.
        source: RpcError,
    },
}

/// Fetches block `number`.
pub async fn fetch(client: &NodeClient, number: BlockNumber) -> Result<FetchedBlock, FetchError> {
    let rpc = |source| FetchError::Rpc { number, source };
    let hash = client
        .block_hash(number)
        .await
        .map_err(rpc)?
        .ok_or(FetchError::Missing(number))?;
    let events_key = [keys::events()];
    let (block, proof) = futures::join!(client.block(hash), client.read_proof(&events_key, hash));
    let block = block.map_err(rpc)?.ok_or(FetchError::Missing(number))?;
    let proof = proof.map_err(|source| FetchError::State { number, source })?;
    Ok(FetchedBlock {
        number,
        hash,
        justification: block
            .justifications
            .as_ref()
            .and_then(|all| all.get(GRANDPA_ENGINE_ID))
            .cloned(),
        header: block.block.header,
        extrinsics: block.block.extrinsics.into_iter().map(|x| x.0).collect(),
        events_proof: proof.proof.into_iter().map(|node| node.0).collect(),
    })
}

/// Blocks `first ..= last`, in order, with `concurrency` fetched at a time.
pub fn blocks(
    client: &NodeClient,
    first: BlockNumber,
    last: BlockNumber,
    concurrency: usize,
) -> impl Stream<Item = Result<FetchedBlock, FetchError>> + '_ {
    stream::iter(first..=last)
        .map(move |number| fetch(client, number))
        .buffered(concurrency.max(1))
}
