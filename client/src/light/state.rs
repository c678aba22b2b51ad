//! Reading the chain's state without trusting the node: every value comes with a read proof
//! (`state_getReadProof`) checked against the state root of a header the client has already
//! verified, so a node cannot make up events or keys.
//!
//! Reading an old block's state needs the node to still hold it: run a node that is audited
//! with `--state-pruning archive-canonical` (or `archive`); a pruning node answers only for its
//! last 256 blocks.

use medchain_runtime::{Hash, Runtime};
use medchain_types::Epoch;
use polkadot_sdk::{
    frame_support::storage::storage_prefix, pallet_grandpa, sp_runtime::traits::BlakeTwo256,
    sp_state_machine::read_proof_check, sp_trie::StorageProof,
};

use crate::rpc::{NodeClient, RpcError};

/// Storage keys the clients read with proofs.
pub mod keys {
    use super::*;

    /// `System.Events`: the events of the block whose state it is. (The pallet keeps the
    /// storage type private: the key is built from the pallet and item names.)
    pub fn events() -> Vec<u8> {
        storage_prefix(b"System", b"Events").to_vec()
    }

    /// `Grandpa.Authorities`: the authority set in effect.
    pub fn grandpa_authorities() -> Vec<u8> {
        pallet_grandpa::Authorities::<Runtime>::hashed_key().to_vec()
    }

    /// `Grandpa.CurrentSetId`: the id of the newest set the runtime scheduled.
    pub fn grandpa_set_id() -> Vec<u8> {
        pallet_grandpa::CurrentSetId::<Runtime>::hashed_key().to_vec()
    }

    /// `Kgc.TreeDepth`: depth of the revocation tree.
    pub fn tree_depth() -> Vec<u8> {
        medchain_runtime::pallet_kgc::TreeDepth::<Runtime>::hashed_key().to_vec()
    }

    /// `Kgc.CurrentEpoch`: the epoch new capsules are made for.
    pub fn current_epoch() -> Vec<u8> {
        medchain_runtime::pallet_kgc::CurrentEpoch::<Runtime>::hashed_key().to_vec()
    }

    /// `Timestamp.Now`: the block's time (milliseconds since the Unix epoch).
    pub fn timestamp() -> Vec<u8> {
        polkadot_sdk::pallet_timestamp::Now::<Runtime>::hashed_key().to_vec()
    }

    /// `Kgc.UpdateKeys(epoch)`: the encoded update key of `epoch`.
    pub fn update_key(epoch: Epoch) -> Vec<u8> {
        medchain_runtime::pallet_kgc::UpdateKeys::<Runtime>::hashed_key_for(epoch)
    }
}

/// A state read failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The node did not answer (for an old block, usually because it pruned that state).
    #[error("cannot read the state of block {at:?} (is the node an archive node? run it with --state-pruning archive-canonical): {source}")]
    Unavailable {
        /// The block.
        at: Hash,
        /// The node's error.
        source: RpcError,
    },
    /// The proof does not check against the state root: the node served made-up state.
    #[error("the node's read proof for block {at:?} does not match its state root: {reason}")]
    InvalidProof {
        /// The block.
        at: Hash,
        /// Why the check failed.
        reason: String,
    },
}

/// Reads the value under `key` in the state of block `at`, whose header has state root `root`.
pub async fn read(
    client: &NodeClient,
    at: Hash,
    root: Hash,
    key: Vec<u8>,
) -> Result<Option<Vec<u8>>, StateError> {
    let proof = client
        .read_proof(std::slice::from_ref(&key), at)
        .await
        .map_err(|source| StateError::Unavailable { at, source })?;
    check(at, root, proof.proof.into_iter().map(|node| node.0), key)
}

/// Checks the proof `nodes` of `key` against `root` and returns the proven value.
pub fn check(
    at: Hash,
    root: Hash,
    nodes: impl IntoIterator<Item = Vec<u8>>,
    key: Vec<u8>,
) -> Result<Option<Vec<u8>>, StateError> {
    let invalid = |reason: String| StateError::InvalidProof { at, reason };
    let mut values =
        read_proof_check::<BlakeTwo256, _>(root, StorageProof::new(nodes), std::iter::once(&key))
            .map_err(|e| invalid(e.to_string()))?;
    values
        .remove(&key)
        .ok_or_else(|| invalid("the proof does not cover the key".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polkadot_sdk::{
        sp_runtime::StateVersion,
        sp_state_machine::{prove_read, InMemoryBackend},
    };

    fn backend() -> InMemoryBackend<BlakeTwo256> {
        let pairs = std::collections::BTreeMap::from([
            (keys::tree_depth(), vec![10u8]),
            (b"other".to_vec(), vec![1, 2, 3]),
        ]);
        InMemoryBackend::<BlakeTwo256>::from((pairs, StateVersion::V1))
    }

    #[test]
    fn light_state_proof_checks_and_tampering_is_detected() {
        let backend = backend();
        let root = *backend.root();
        let proof = prove_read(backend, [keys::tree_depth()]).expect("proof");
        let nodes: Vec<Vec<u8>> = proof.into_iter_nodes().collect();
        assert_eq!(
            check(Hash::zero(), root, nodes.clone(), keys::tree_depth()).expect("valid"),
            Some(vec![10])
        );
        // Against another root the same proof proves nothing.
        assert!(matches!(
            check(
                Hash::zero(),
                Hash::repeat_byte(1),
                nodes,
                keys::tree_depth()
            ),
            Err(StateError::InvalidProof { .. })
        ));
    }
}
