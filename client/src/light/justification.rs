//! GRANDPA justifications, verified as the client verifies them, with a named error per way
//! they can fail.
//!
//! A justification of block B in round r of set s is a commit: precommits, each signed over
//! `(Precommit(target), r, s)` by an authority of set s, for B or a descendant of B, with the
//! headers linking each descendant back to B (`votes_ancestries`). It proves B final when the
//! distinct signers hold more than two thirds of the set's weight.

use std::collections::{HashMap, HashSet};

use codec::DecodeAll;
use medchain_runtime::{BlockNumber, Hash, Header};
use polkadot_sdk::sp_consensus_grandpa::{
    check_message_signature, GrandpaJustification, SignatureResult,
};

use super::authorities::AuthoritySet;

/// Why a justification does not prove its block final.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JustificationError {
    /// The bytes are not a SCALE-encoded GRANDPA justification.
    #[error("the justification does not decode: {0}")]
    Undecodable(String),
    /// It justifies another block than the one it was given for.
    #[error("the justification is for block #{got_number} {got_hash:?}, not #{number} {hash:?}")]
    WrongTarget {
        /// The block it should justify.
        number: BlockNumber,
        /// Its hash.
        hash: Hash,
        /// The block it justifies.
        got_number: BlockNumber,
        /// Its hash.
        got_hash: Hash,
    },
    /// It has no precommits at all.
    #[error("the justification has no precommits")]
    NoPrecommits,
    /// A precommit's signer is not in the authority set.
    #[error("precommit signer {signer} is not an authority of set {set_id}")]
    UnknownSigner {
        /// The signer's public key, hex.
        signer: String,
        /// The set checked against.
        set_id: u64,
    },
    /// A precommit's signature does not verify for this round and set.
    #[error(
        "the precommit of {signer} carries an invalid signature for round {round} of set {set_id}"
    )]
    BadSignature {
        /// The signer's public key, hex.
        signer: String,
        /// The justification's round.
        round: u64,
        /// The set checked against.
        set_id: u64,
    },
    /// A precommit was signed for the previous set: the justification belongs to another set.
    #[error("the precommit of {signer} was signed for set {}, not set {set_id}", set_id.saturating_sub(1))]
    WrongSetId {
        /// The signer's public key, hex.
        signer: String,
        /// The set checked against.
        set_id: u64,
    },
    /// A precommit's target is neither the justified block nor linked to it by the ancestry.
    #[error("the precommit of {signer} targets block #{number} {hash:?}, which does not descend from the justified block")]
    NotDescendant {
        /// The signer's public key, hex.
        signer: String,
        /// The precommit's target number.
        number: BlockNumber,
        /// The precommit's target hash.
        hash: Hash,
    },
    /// The ancestry carries headers no precommit needs (a justification padded with junk).
    #[error("{0} ancestry headers are not on any precommit's route to the justified block")]
    UnusedAncestry(usize),
    /// The distinct valid signers do not hold enough weight.
    #[error("the signers hold weight {weight} of {total}; finality needs {threshold}")]
    InsufficientWeight {
        /// Weight of the distinct signers.
        weight: u64,
        /// The set's total weight.
        total: u64,
        /// The weight needed.
        threshold: u64,
    },
}

/// Decodes `encoded` and verifies it justifies block `number` (`hash`) for `set`.
pub fn verify_encoded(
    encoded: &[u8],
    number: BlockNumber,
    hash: Hash,
    set: &AuthoritySet,
) -> Result<(), JustificationError> {
    let justification = GrandpaJustification::<Header>::decode_all(&mut &encoded[..])
        .map_err(|e| JustificationError::Undecodable(e.to_string()))?;
    verify(&justification, number, hash, set)
}

/// Verifies `justification` justifies block `number` (`hash`) for `set`.
pub fn verify(
    justification: &GrandpaJustification<Header>,
    number: BlockNumber,
    hash: Hash,
    set: &AuthoritySet,
) -> Result<(), JustificationError> {
    let commit = &justification.commit;
    if commit.target_hash != hash || commit.target_number != number {
        return Err(JustificationError::WrongTarget {
            number,
            hash,
            got_number: commit.target_number,
            got_hash: commit.target_hash,
        });
    }
    if commit.precommits.is_empty() {
        return Err(JustificationError::NoPrecommits);
    }
    let ancestry: HashMap<Hash, &Header> = justification
        .votes_ancestries
        .iter()
        .map(|header| (header.hash(), header))
        .collect();
    let mut used = HashSet::new();
    let mut signers = HashSet::new();
    let mut weight = 0u64;
    for signed in &commit.precommits {
        let signer = format!("0x{}", hex::encode(AsRef::<[u8]>::as_ref(&signed.id)));
        let member_weight =
            set.weight_of(&signed.id)
                .ok_or_else(|| JustificationError::UnknownSigner {
                    signer: signer.clone(),
                    set_id: set.set_id,
                })?;
        let message = finality_grandpa::Message::Precommit(signed.precommit.clone());
        match check_message_signature(
            &message,
            &signed.id,
            &signed.signature,
            justification.round,
            set.set_id,
        ) {
            SignatureResult::Valid => {}
            SignatureResult::OutdatedSet => {
                return Err(JustificationError::WrongSetId {
                    signer,
                    set_id: set.set_id,
                })
            }
            SignatureResult::Invalid => {
                return Err(JustificationError::BadSignature {
                    signer,
                    round: justification.round,
                    set_id: set.set_id,
                })
            }
        }
        let precommit = &signed.precommit;
        route_to_target(
            precommit.target_hash,
            precommit.target_number,
            commit.target_hash,
            number,
            &ancestry,
            &mut used,
        )
        .ok_or(JustificationError::NotDescendant {
            signer,
            number: precommit.target_number,
            hash: precommit.target_hash,
        })?;
        // An authority that precommitted twice (an equivocation) still counts once.
        if signers.insert(signed.id.clone()) {
            weight = weight.saturating_add(member_weight);
        }
    }
    let unused = ancestry.len() - used.len();
    if unused > 0 {
        return Err(JustificationError::UnusedAncestry(unused));
    }
    let threshold = set.threshold();
    if weight < threshold {
        return Err(JustificationError::InsufficientWeight {
            weight,
            total: set.total_weight(),
            threshold,
        });
    }
    Ok(())
}

/// Walks from a precommit's target down the ancestry to the justified block, marking the
/// headers it passes. `None` when the target is not the justified block or a descendant of it
/// that the ancestry links.
fn route_to_target(
    from_hash: Hash,
    from_number: BlockNumber,
    target_hash: Hash,
    target_number: BlockNumber,
    ancestry: &HashMap<Hash, &Header>,
    used: &mut HashSet<Hash>,
) -> Option<()> {
    let (mut hash, mut number) = (from_hash, from_number);
    while hash != target_hash {
        if number <= target_number {
            return None;
        }
        let header = ancestry.get(&hash)?;
        if header.number != number {
            return None;
        }
        used.insert(hash);
        hash = header.parent_hash;
        number -= 1;
    }
    (number == target_number).then_some(())
}

/// Development-key GRANDPA votes and justifications, for tests here and in other crates (with
/// the `fake-node` feature).
#[cfg(any(test, feature = "fake-node"))]
pub mod tests {
    use super::*;
    #[cfg(test)]
    use codec::Encode;
    use polkadot_sdk::{
        sp_consensus_grandpa::{localized_payload, AuthorityList, Commit},
        sp_keyring::Ed25519Keyring,
        sp_runtime::{traits::Header as _, Digest},
    };

    #[cfg(test)]
    use Ed25519Keyring::Eve;
    use Ed25519Keyring::{Alice, Bob, Charlie, Dave};

    pub fn four() -> AuthoritySet {
        AuthoritySet {
            set_id: 3,
            authorities: authorities(&[Alice, Bob, Charlie, Dave]),
        }
    }

    pub fn authorities(keys: &[Ed25519Keyring]) -> AuthorityList {
        keys.iter().map(|k| (k.public().into(), 1)).collect()
    }

    pub fn block(number: BlockNumber, parent: Hash) -> Header {
        Header::new(
            number,
            Hash::zero(),
            Hash::repeat_byte(number as u8),
            parent,
            Digest::default(),
        )
    }

    /// A precommit for `(hash, number)` signed by `key` in `round` of `set_id`.
    pub fn precommit(
        key: Ed25519Keyring,
        hash: Hash,
        number: BlockNumber,
        round: u64,
        set_id: u64,
    ) -> finality_grandpa::SignedPrecommit<
        Hash,
        BlockNumber,
        polkadot_sdk::sp_consensus_grandpa::AuthoritySignature,
        polkadot_sdk::sp_consensus_grandpa::AuthorityId,
    > {
        let precommit = finality_grandpa::Precommit::new(hash, number);
        let payload = localized_payload(
            round,
            set_id,
            &finality_grandpa::Message::<Hash, BlockNumber>::Precommit(precommit.clone()),
        );
        finality_grandpa::SignedPrecommit {
            precommit,
            signature: key.sign(&payload).into(),
            id: key.public().into(),
        }
    }

    /// A justification of `target` by `keys`, all precommitting for it, in round 7 of `set_id`.
    pub fn justification(
        target: &Header,
        keys: &[Ed25519Keyring],
        set_id: u64,
    ) -> GrandpaJustification<Header> {
        GrandpaJustification {
            round: 7,
            commit: Commit::<Header> {
                target_hash: target.hash(),
                target_number: target.number,
                precommits: keys
                    .iter()
                    .map(|k| precommit(*k, target.hash(), target.number, 7, set_id))
                    .collect(),
            },
            votes_ancestries: Vec::new(),
        }
    }

    #[test]
    fn light_justification_valid_is_accepted() {
        let target = block(20, Hash::repeat_byte(1));
        let j = justification(&target, &[Alice, Bob, Charlie], 3);
        assert_eq!(verify(&j, 20, target.hash(), &four()), Ok(()));
        // The encoded form, as nodes store it, verifies the same.
        assert_eq!(
            verify_encoded(&j.encode(), 20, target.hash(), &four()),
            Ok(())
        );
    }

    #[test]
    fn light_justification_precommits_for_descendants_are_accepted() {
        let target = block(20, Hash::repeat_byte(1));
        let child = block(21, target.hash());
        let grandchild = block(22, child.hash());
        let mut j = justification(&target, &[Alice, Bob], 3);
        j.commit
            .precommits
            .push(precommit(Charlie, grandchild.hash(), 22, 7, 3));
        j.votes_ancestries = vec![child.clone(), grandchild.clone()];
        assert_eq!(verify(&j, 20, target.hash(), &four()), Ok(()));

        // An extra header no precommit needs is refused.
        j.votes_ancestries.push(block(40, Hash::repeat_byte(4)));
        assert_eq!(
            verify(&j, 20, target.hash(), &four()),
            Err(JustificationError::UnusedAncestry(1))
        );
    }

    #[test]
    fn light_justification_tampered_signature_is_rejected() {
        let target = block(20, Hash::repeat_byte(1));
        let mut j = justification(&target, &[Alice, Bob, Charlie], 3);
        let mut bytes = j.commit.precommits[1].signature.encode();
        bytes[0] ^= 1;
        j.commit.precommits[1].signature =
            codec::Decode::decode(&mut &bytes[..]).expect("64 bytes decode");
        assert!(matches!(
            verify(&j, 20, target.hash(), &four()),
            Err(JustificationError::BadSignature {
                round: 7,
                set_id: 3,
                ..
            })
        ));
    }

    #[test]
    fn light_justification_wrong_set_id_is_rejected() {
        let target = block(20, Hash::repeat_byte(1));
        // Signed in set 2, checked as set 3.
        let j = justification(&target, &[Alice, Bob, Charlie], 2);
        assert!(matches!(
            verify(&j, 20, target.hash(), &four()),
            Err(JustificationError::WrongSetId { set_id: 3, .. })
        ));
    }

    #[test]
    fn light_justification_insufficient_weight_is_rejected() {
        let target = block(20, Hash::repeat_byte(1));
        let j = justification(&target, &[Alice, Bob], 3);
        assert_eq!(
            verify(&j, 20, target.hash(), &four()),
            Err(JustificationError::InsufficientWeight {
                weight: 2,
                total: 4,
                threshold: 3
            })
        );
        // Repeating a signer does not add weight.
        let repeated = justification(&target, &[Alice, Bob, Bob], 3);
        assert!(matches!(
            verify(&repeated, 20, target.hash(), &four()),
            Err(JustificationError::InsufficientWeight { weight: 2, .. })
        ));
    }

    #[test]
    fn light_justification_unknown_signer_is_rejected() {
        let target = block(20, Hash::repeat_byte(1));
        let j = justification(&target, &[Alice, Bob, Eve], 3);
        assert_eq!(
            verify(&j, 20, target.hash(), &four()),
            Err(JustificationError::UnknownSigner {
                signer: format!("0x{}", hex::encode(Eve.public().0)),
                set_id: 3
            })
        );
    }

    #[test]
    fn light_justification_wrong_target_is_rejected() {
        let target = block(20, Hash::repeat_byte(1));
        let other = block(20, Hash::repeat_byte(2));
        let j = justification(&target, &[Alice, Bob, Charlie], 3);
        assert!(matches!(
            verify(&j, 20, other.hash(), &four()),
            Err(JustificationError::WrongTarget {
                number: 20,
                got_number: 20,
                ..
            })
        ));
        // A precommit for a block on another branch, with no ancestry linking it.
        let mut stray = justification(&target, &[Alice, Bob], 3);
        stray
            .commit
            .precommits
            .push(precommit(Charlie, other.hash(), 20, 7, 3));
        assert!(matches!(
            verify(&stray, 20, target.hash(), &four()),
            Err(JustificationError::NotDescendant { number: 20, .. })
        ));
    }

    #[test]
    fn light_justification_garbage_is_a_decode_error() {
        assert!(matches!(
            verify_encoded(&[1, 2, 3], 20, Hash::zero(), &four()),
            Err(JustificationError::Undecodable(_))
        ));
    }
}
