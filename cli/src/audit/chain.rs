//! The hash chain: every header hashes to the hash the node names it by, links to the header
//! before it, and commits to the block's extrinsics.
//!
//! Together with a verified justification of the last block, this is what makes every earlier
//! block final: GRANDPA finalises a block together with all its ancestors, and the parent links
//! name those ancestors.

use medchain_runtime::{BlockNumber, Hash, Header};
use polkadot_sdk::sp_runtime::{
    traits::{BlakeTwo256, Hash as _},
    StateVersion,
};

/// One way a block fails to fit the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The header's number is not the height the node served it at.
    #[error("header of block #{height} says it is block #{number}")]
    NumberMismatch {
        /// The height asked for.
        height: BlockNumber,
        /// The number in the header.
        number: BlockNumber,
    },
    /// The header hashes to something else than the hash the node gave: it was altered.
    #[error("header of block #{number} hashes to {computed:?}, but the node names it {given:?}")]
    HashMismatch {
        /// The block's number.
        number: BlockNumber,
        /// The hash the node gave.
        given: Hash,
        /// The header's own hash.
        computed: Hash,
    },
    /// The header's parent hash is not the previous header's hash.
    #[error("block #{number} names parent {parent:?}, but block #{} hashes to {previous:?}", number.saturating_sub(1))]
    ParentMismatch {
        /// The block's number.
        number: BlockNumber,
        /// The parent hash in the header.
        parent: Hash,
        /// The hash of the previous header.
        previous: Hash,
    },
    /// The extrinsics do not match the header's extrinsics root: the body was altered.
    #[error("block #{number}'s extrinsics do not match its extrinsics root {root:?}")]
    ExtrinsicsRootMismatch {
        /// The block's number.
        number: BlockNumber,
        /// The root in the header.
        root: Hash,
    },
}

/// Checks block `height`, served under `given` with `extrinsics` (each one's SCALE encoding),
/// against itself and against `previous`, the hash of the header before it (`None` for
/// genesis). Returns every failure, not only the first, so a report shows all of them.
pub fn check_block(
    height: BlockNumber,
    given: Hash,
    header: &Header,
    extrinsics: &[Vec<u8>],
    previous: Option<Hash>,
) -> Vec<ChainError> {
    let mut errors = Vec::new();
    if header.number != height {
        errors.push(ChainError::NumberMismatch {
            height,
            number: header.number,
        });
    }
    let computed = header.hash();
    if computed != given {
        errors.push(ChainError::HashMismatch {
            number: height,
            given,
            computed,
        });
    }
    if let Some(previous) = previous {
        if header.parent_hash != previous {
            errors.push(ChainError::ParentMismatch {
                number: height,
                parent: header.parent_hash,
                previous,
            });
        }
    }
    if !extrinsics_match(header.extrinsics_root, extrinsics) {
        errors.push(ChainError::ExtrinsicsRootMismatch {
            number: height,
            root: header.extrinsics_root,
        });
    }
    errors
}

/// Whether `extrinsics` are the ones `root` commits to. The runtime builds the root as an
/// ordered trie whose layout its `system_version` picks (V0 for MedChain's version 1), and a
/// runtime upgrade may change it; a body that matches under either layout is the committed one,
/// since producing a second body for the same root is as hard under one layout as under the other.
fn extrinsics_match(root: Hash, extrinsics: &[Vec<u8>]) -> bool {
    [StateVersion::V0, StateVersion::V1]
        .into_iter()
        .any(|version| BlakeTwo256::ordered_trie_root(extrinsics.to_vec(), version) == root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polkadot_sdk::sp_runtime::{traits::Header as _, Digest};

    fn header(number: BlockNumber, parent: Hash, extrinsics: &[Vec<u8>]) -> Header {
        Header::new(
            number,
            BlakeTwo256::ordered_trie_root(extrinsics.to_vec(), StateVersion::V0),
            Hash::repeat_byte(7),
            parent,
            Digest::default(),
        )
    }

    /// Three linked blocks with a few extrinsics each.
    fn chain() -> Vec<(Header, Vec<Vec<u8>>)> {
        let mut blocks = Vec::new();
        let mut parent = Hash::zero();
        for number in 0..3u32 {
            let extrinsics: Vec<Vec<u8>> = (0..number).map(|i| vec![i as u8; 40]).collect();
            let header = header(number, parent, &extrinsics);
            parent = header.hash();
            blocks.push((header, extrinsics));
        }
        blocks
    }

    fn check_all(blocks: &[(Header, Vec<Vec<u8>>)], hashes: &[Hash]) -> Vec<ChainError> {
        let mut previous = None;
        let mut errors = Vec::new();
        for (height, ((header, extrinsics), hash)) in blocks.iter().zip(hashes).enumerate() {
            errors.extend(check_block(
                height as u32,
                *hash,
                header,
                extrinsics,
                previous,
            ));
            previous = Some(header.hash());
        }
        errors
    }

    #[test]
    fn audit_chain_intact_chain_passes() {
        let blocks = chain();
        let hashes: Vec<Hash> = blocks.iter().map(|(h, _)| h.hash()).collect();
        assert_eq!(check_all(&blocks, &hashes), Vec::new());
    }

    #[test]
    fn audit_chain_tampered_parent_hash_is_detected() {
        let mut blocks = chain();
        let hashes: Vec<Hash> = blocks.iter().map(|(h, _)| h.hash()).collect();
        blocks[2].0.parent_hash = Hash::repeat_byte(9);
        let errors = check_all(&blocks, &hashes);
        // The altered header no longer hashes to its name, and no longer links to block 1.
        assert!(errors.contains(&ChainError::HashMismatch {
            number: 2,
            given: hashes[2],
            computed: blocks[2].0.hash(),
        }));
        assert!(errors.contains(&ChainError::ParentMismatch {
            number: 2,
            parent: Hash::repeat_byte(9),
            previous: hashes[1],
        }));
    }

    #[test]
    fn audit_chain_tampered_header_breaks_the_next_link() {
        let mut blocks = chain();
        // A node that alters block 1 and names it by its new hash is caught by block 2's link.
        blocks[1].0.state_root = Hash::repeat_byte(1);
        let hashes: Vec<Hash> = blocks.iter().map(|(h, _)| h.hash()).collect();
        let errors = check_all(&blocks, &hashes);
        assert_eq!(
            errors,
            vec![ChainError::ParentMismatch {
                number: 2,
                parent: blocks[2].0.parent_hash,
                previous: hashes[1],
            }]
        );
    }

    #[test]
    fn audit_chain_tampered_body_is_detected() {
        let mut blocks = chain();
        let hashes: Vec<Hash> = blocks.iter().map(|(h, _)| h.hash()).collect();
        blocks[2].1[1][0] ^= 1;
        assert_eq!(
            check_all(&blocks, &hashes),
            vec![ChainError::ExtrinsicsRootMismatch {
                number: 2,
                root: blocks[2].0.extrinsics_root,
            }]
        );
    }

    #[test]
    fn audit_chain_wrong_number_is_detected() {
        let blocks = chain();
        let (header, extrinsics) = &blocks[1];
        let errors = check_block(5, header.hash(), header, extrinsics, None);
        assert_eq!(
            errors,
            vec![ChainError::NumberMismatch {
                height: 5,
                number: 1
            }]
        );
    }
}
