//! What a client checks itself instead of taking a node's word: a light client of MedChain.
//!
//! A patient's or doctor's client talks to its hospital's node, and the hospital is not trusted
//! with the rules. Values the cryptography depends on (the current epoch a record is encrypted
//! for, the update key a transformation key is made from) are therefore read from a block the
//! client proved final itself: the header chain from the genesis its chain spec fixes, the
//! GRANDPA authority sets followed through the headers' digests, a verified justification at
//! each hand-over and for the block read, and a read proof against that block's state root.
//! The auditor's replay rests on the same checks.

pub mod authorities;
#[cfg(any(test, feature = "fake-node"))]
pub mod fake_node;
pub mod finality;
pub mod justification;
pub mod state;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use codec::{Decode, DecodeAll};
use futures::{stream, StreamExt, TryStreamExt};
use medchain_runtime::{BlockNumber, Hash, Header};
use polkadot_sdk::sp_consensus_grandpa::{AuthorityList, GRANDPA_ENGINE_ID};

use self::{
    authorities::{AuthoritySet, AuthorityTracker, DigestError},
    justification::JustificationError,
    state::{keys, StateError},
};
use crate::rpc::{NodeClient, RpcError};

/// Headers requested at a time while following the chain.
const CONCURRENCY: usize = 16;

/// How old the finalised head may be. An older head is refused: a node that hid the blocks
/// after it could hide a revocation (and the epoch it started), and a patient would encrypt a
/// record that the revoked doctor can still read.
pub const MAX_HEAD_AGE: Duration = Duration::from_secs(10 * 60);

/// The node's chain could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum LightError {
    /// A request failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// A block the node reported final is missing.
    #[error("the node has no block #{0}, though it reports a later block final")]
    Missing(BlockNumber),
    /// The node's chain starts from another genesis.
    #[error("the node's genesis is {served:?}, not {expected:?} as the chain spec says: it serves another chain")]
    WrongGenesis {
        /// The genesis the chain spec fixes.
        expected: Hash,
        /// The node's.
        served: Hash,
    },
    /// A header does not link to the one before it.
    #[error("block #{0} does not link to the block before it (or is not the block the node named): the node's chain is broken")]
    Broken(BlockNumber),
    /// A header's GRANDPA digest does not decode.
    #[error(transparent)]
    Digest(#[from] DigestError),
    /// A forced authority change: its new set signs its own finality.
    #[error("block #{0} forces a change of GRANDPA authorities, which a client cannot verify: ask your hospital's IT and an auditor")]
    ForcedChange(BlockNumber),
    /// A block that hands over to a new set has no justification.
    #[error("block #{0} hands finality to a new authority set, but the node keeps no justification of it")]
    MissingHandoff(BlockNumber),
    /// A justification does not verify.
    #[error("the justification of block #{number} does not verify: {source}")]
    Justification {
        /// The block.
        number: BlockNumber,
        /// Why.
        source: JustificationError,
    },
    /// The finalised head's finality is not proven.
    #[error("the finality of block #{number} is not proven: {why}")]
    Unproven {
        /// The block.
        number: BlockNumber,
        /// Why.
        why: String,
    },
    /// A state read failed or its proof does not check.
    #[error(transparent)]
    State(#[from] StateError),
    /// The finalised head is too old.
    #[error("the newest block the node proves final, #{number}, is {minutes} minutes old: finality has stalled or the node hides newer blocks; try again later or another node")]
    Stale {
        /// The block.
        number: BlockNumber,
        /// Its age.
        minutes: u64,
    },
}

/// A finalised block whose header this client verified itself.
#[derive(Debug, Clone)]
pub struct FinalBlock {
    /// Its header.
    pub header: Header,
    /// Its hash, computed here.
    pub hash: Hash,
}

impl FinalBlock {
    /// The value under `key` in this block's state, proven against its state root.
    pub async fn read(
        &self,
        client: &NodeClient,
        key: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, StateError> {
        state::read(client, self.hash, self.header.state_root, key).await
    }

    /// The value under `key` decoded as `T`; a value that does not decode is a state error.
    pub async fn read_value<T: Decode>(
        &self,
        client: &NodeClient,
        key: Vec<u8>,
    ) -> Result<Option<T>, StateError> {
        let at = self.hash;
        self.read(client, key)
            .await?
            .map(|bytes| {
                T::decode_all(&mut &bytes[..]).map_err(|e| StateError::InvalidProof {
                    at,
                    reason: format!("the proven value does not decode: {e}"),
                })
            })
            .transpose()
    }

    /// Refuses this block unless its timestamp is within [`MAX_HEAD_AGE`] of this machine's
    /// clock.
    pub async fn fresh(self, client: &NodeClient) -> Result<Self, LightError> {
        let millis: u64 = self
            .read_value(client, keys::timestamp())
            .await?
            .unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let age = now.saturating_sub(Duration::from_millis(millis));
        if age > MAX_HEAD_AGE {
            return Err(LightError::Stale {
                number: self.header.number,
                minutes: age.as_secs() / 60,
            });
        }
        Ok(self)
    }
}

/// The node's finalised head, verified from `genesis` and its GRANDPA `authorities` (both
/// taken from the chain spec, not from the node).
pub async fn finalized_head(
    client: &NodeClient,
    genesis: Hash,
    authorities: AuthorityList,
) -> Result<FinalBlock, LightError> {
    let head = client.finalized_head().await?;
    let last = client
        .header(head)
        .await?
        .ok_or(LightError::Missing(0))?
        .number;
    let mut tracker = AuthorityTracker::new(authorities);
    let mut previous: Option<Hash> = None;
    let mut set_at_last = tracker.current().clone();
    let mut last_justified = false;
    let mut headers = stream::iter(0..=last)
        .map(|number| header_at(client, number))
        .buffered(CONCURRENCY);
    let mut block = None;
    while let Some((number, served, header)) = headers.try_next().await? {
        let hash = header.hash();
        let links = match previous {
            None => {
                if hash != genesis {
                    return Err(LightError::WrongGenesis {
                        expected: genesis,
                        served: hash,
                    });
                }
                true
            }
            Some(parent) => header.parent_hash == parent,
        };
        if !links || hash != served || header.number != number {
            return Err(LightError::Broken(number));
        }
        let set = tracker.current().set_id;
        tracker.import(&header)?;
        if tracker.current().set_id != set {
            return Err(LightError::ForcedChange(number));
        }
        set_at_last = tracker.current().clone();
        last_justified = false;
        if tracker.finalize(number) {
            verify_handoff(client, number, hash, &set_at_last).await?;
            last_justified = true;
        }
        previous = Some(hash);
        block = Some(FinalBlock { header, hash });
    }
    let block = block.ok_or(LightError::Missing(0))?;
    if last > 0 && !last_justified {
        prove_final(client, &block, &set_at_last, &tracker).await?;
    }
    Ok(block)
}

/// Block `number`: the hash the node names it by and its header.
async fn header_at(
    client: &NodeClient,
    number: BlockNumber,
) -> Result<(BlockNumber, Hash, Header), LightError> {
    let hash = client
        .block_hash(number)
        .await?
        .ok_or(LightError::Missing(number))?;
    let header = client
        .header(hash)
        .await?
        .ok_or(LightError::Missing(number))?;
    Ok((number, hash, header))
}

/// Verifies the justification of block `number`, which hands over from `set`.
async fn verify_handoff(
    client: &NodeClient,
    number: BlockNumber,
    hash: Hash,
    set: &AuthoritySet,
) -> Result<(), LightError> {
    let justification = stored_justification(client, hash)
        .await?
        .ok_or(LightError::MissingHandoff(number))?;
    justification::verify_encoded(&justification, number, hash, set)
        .map_err(|source| LightError::Justification { number, source })
}

/// The justification the node keeps for block `hash`, if any.
async fn stored_justification(
    client: &NodeClient,
    hash: Hash,
) -> Result<Option<Vec<u8>>, RpcError> {
    Ok(client
        .block(hash)
        .await?
        .and_then(|block| block.justifications)
        .and_then(|all| all.get(GRANDPA_ENGINE_ID).cloned()))
}

/// Proves `block` final: with the justification the node keeps for it (MedChain's nodes keep
/// one for every block a commit finalises, so the finalised head has one), or else with the
/// node's finality proof (which GRANDPA serves only for blocks of a set that has ended).
async fn prove_final(
    client: &NodeClient,
    block: &FinalBlock,
    set_at_last: &AuthoritySet,
    tracker: &AuthorityTracker,
) -> Result<(), LightError> {
    let number = block.header.number;
    let unproven = |why: String| LightError::Unproven { number, why };
    if let Some(justification) = stored_justification(client, block.hash).await? {
        return justification::verify_encoded(&justification, number, block.hash, set_at_last)
            .map_err(|e| unproven(e.to_string()));
    }
    let proof = client
        .prove_finality(number)
        .await?
        .ok_or_else(|| unproven("the node has no justification to prove it with yet".into()))?;
    finality::check_proof(&proof.0, (number, block.hash), set_at_last, tracker).map_err(unproven)
}

#[cfg(test)]
mod tests;
