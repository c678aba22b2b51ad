//! GRANDPA's authority sets, followed from genesis through the consensus digests in headers.
//!
//! The runtime announces each change in the header of the block that schedules it
//! (`ConsensusLog::ScheduledChange`, after `delay` blocks; MedChain's session changes use 0).
//! A standard change takes effect when its block is finalised: that block is still justified by
//! the old set (which is why nodes keep its justification), and later blocks by the new set,
//! whose id is one more. A forced change (`ForcedChange`, only after the chain stalled) takes
//! effect when its block is imported, so that block and later ones are justified by the new set.

use codec::Decode;
use medchain_runtime::{BlockNumber, Header};
use polkadot_sdk::{
    sp_consensus_grandpa::{
        AuthorityId, AuthorityList, ConsensusLog, ScheduledChange, SetId, GRANDPA_ENGINE_ID,
    },
    sp_runtime::DigestItem,
};

/// The authorities that finalise blocks during one set, with the set's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthoritySet {
    /// The set id: 0 at genesis, one more at each change.
    pub set_id: SetId,
    /// The authorities and their weights.
    pub authorities: AuthorityList,
}

impl AuthoritySet {
    /// Sum of the weights.
    pub fn total_weight(&self) -> u64 {
        self.authorities
            .iter()
            .fold(0u64, |sum, (_, weight)| sum.saturating_add(*weight))
    }

    /// The weight a commit needs: more than two thirds, as `finality-grandpa` counts it (total
    /// minus the most that may be faulty, `(total - 1) / 3`).
    pub fn threshold(&self) -> u64 {
        let total = self.total_weight();
        total - total.saturating_sub(1) / 3
    }

    /// The weight of `id`, if it is in the set.
    pub fn weight_of(&self, id: &AuthorityId) -> Option<u64> {
        self.authorities
            .iter()
            .find(|(member, _)| member == id)
            .map(|(_, weight)| *weight)
    }
}

/// A header's GRANDPA digest does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("block #{block}'s GRANDPA consensus digest does not decode: {reason}")]
pub struct DigestError {
    /// The block.
    pub block: BlockNumber,
    /// The decoder's message.
    pub reason: String,
}

/// A change announced but not yet in effect.
#[derive(Debug, Clone)]
struct PendingChange {
    /// The block at which it takes effect.
    enact_at: BlockNumber,
    /// The new authorities.
    next: AuthorityList,
    /// Whether it takes effect on import (forced) rather than on finality (standard).
    forced: bool,
}

/// Follows the authority set block by block. For each block, in order: [`Self::import`] its
/// header, check its justification against [`Self::current`], then [`Self::finalize`] it.
#[derive(Debug, Clone)]
pub struct AuthorityTracker {
    current: AuthoritySet,
    pending: Vec<PendingChange>,
}

impl AuthorityTracker {
    /// Starts from the genesis authorities (set 0).
    pub fn new(genesis: AuthorityList) -> Self {
        Self {
            current: AuthoritySet {
                set_id: 0,
                authorities: genesis,
            },
            pending: Vec::new(),
        }
    }

    /// The set that justifies the block being processed.
    pub fn current(&self) -> &AuthoritySet {
        &self.current
    }

    /// How many announced changes have not taken effect yet.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Notes `header`'s GRANDPA digests. The first scheduled and the first forced change of a
    /// block count (as in the client); a forced change due at this block takes effect now.
    pub fn import(&mut self, header: &Header) -> Result<(), DigestError> {
        let number = header.number;
        let mut scheduled = None;
        let mut forced = None;
        for item in header.digest.logs() {
            let DigestItem::Consensus(engine, data) = item else {
                continue;
            };
            if *engine != GRANDPA_ENGINE_ID {
                continue;
            }
            let log =
                ConsensusLog::<BlockNumber>::decode(&mut &data[..]).map_err(|e| DigestError {
                    block: number,
                    reason: e.to_string(),
                })?;
            match log {
                ConsensusLog::ScheduledChange(change) => {
                    scheduled.get_or_insert(change);
                }
                ConsensusLog::ForcedChange(_, change) => {
                    forced.get_or_insert(change);
                }
                // Disabling, pausing and resuming do not change who signs justifications.
                ConsensusLog::OnDisabled(_) | ConsensusLog::Pause(_) | ConsensusLog::Resume(_) => {}
            }
        }
        let mut announce = |change: ScheduledChange<BlockNumber>, forced: bool| {
            self.pending.push(PendingChange {
                enact_at: number.saturating_add(change.delay),
                next: change.next_authorities,
                forced,
            })
        };
        if let Some(change) = forced {
            announce(change, true);
        } else if let Some(change) = scheduled {
            announce(change, false);
        }
        self.enact(|change| change.forced && change.enact_at <= number);
        Ok(())
    }

    /// Enacts the standard changes due at block `number`, once its justification (signed by the
    /// old set) was checked. Returns whether the set changed: such a block must have one.
    pub fn finalize(&mut self, number: BlockNumber) -> bool {
        self.enact(|change| !change.forced && change.enact_at <= number)
    }

    fn enact(&mut self, due: impl Fn(&PendingChange) -> bool) -> bool {
        let mut changed = false;
        let mut still_pending = Vec::with_capacity(self.pending.len());
        for change in std::mem::take(&mut self.pending) {
            if due(&change) {
                self.current = AuthoritySet {
                    set_id: self.current.set_id.saturating_add(1),
                    authorities: change.next,
                };
                changed = true;
            } else {
                still_pending.push(change);
            }
        }
        self.pending = still_pending;
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;
    use medchain_runtime::Hash;
    use polkadot_sdk::{
        sp_keyring::Ed25519Keyring,
        sp_runtime::{traits::Header as _, Digest},
    };

    fn set(keys: &[Ed25519Keyring]) -> AuthorityList {
        keys.iter().map(|k| (k.public().into(), 1)).collect()
    }

    fn header(number: BlockNumber, logs: Vec<ConsensusLog<BlockNumber>>) -> Header {
        let logs = logs
            .into_iter()
            .map(|log| DigestItem::Consensus(GRANDPA_ENGINE_ID, log.encode()))
            .collect();
        Header::new(
            number,
            Hash::zero(),
            Hash::zero(),
            Hash::zero(),
            Digest { logs },
        )
    }

    #[test]
    fn light_authorities_scheduled_change_takes_effect_after_its_block() {
        use Ed25519Keyring::*;
        let mut tracker = AuthorityTracker::new(set(&[Alice, Bob]));
        let change = ScheduledChange {
            next_authorities: set(&[Alice, Bob, Charlie]),
            delay: 0,
        };
        tracker
            .import(&header(10, vec![ConsensusLog::ScheduledChange(change)]))
            .expect("digest decodes");
        // Block 10 is still justified by set 0 ...
        assert_eq!(tracker.current().set_id, 0);
        assert!(tracker.finalize(10));
        // ... and later blocks by set 1.
        assert_eq!(tracker.current().set_id, 1);
        assert_eq!(tracker.current().authorities.len(), 3);
        assert_eq!(tracker.pending(), 0);
    }

    #[test]
    fn light_authorities_forced_change_takes_effect_on_import() {
        use Ed25519Keyring::*;
        let mut tracker = AuthorityTracker::new(set(&[Alice, Bob]));
        let change = ScheduledChange {
            next_authorities: set(&[Dave]),
            delay: 2,
        };
        tracker
            .import(&header(5, vec![ConsensusLog::ForcedChange(4, change)]))
            .expect("digest decodes");
        assert!(!tracker.finalize(5));
        tracker.import(&header(6, Vec::new())).expect("no digest");
        assert_eq!(tracker.current().set_id, 0);
        tracker.import(&header(7, Vec::new())).expect("no digest");
        assert_eq!(tracker.current().set_id, 1);
    }

    #[test]
    fn light_authorities_garbage_digest_is_an_error() {
        let mut bad = header(3, Vec::new());
        bad.digest
            .push(DigestItem::Consensus(GRANDPA_ENGINE_ID, vec![9, 9, 9]));
        let mut tracker = AuthorityTracker::new(Vec::new());
        assert_eq!(tracker.import(&bad).map_err(|e| e.block), Err(3));
    }

    #[test]
    fn light_authorities_threshold_is_more_than_two_thirds() {
        use Ed25519Keyring::*;
        let four = AuthorityTracker::new(set(&[Alice, Bob, Charlie, Dave]));
        assert_eq!(four.current().threshold(), 3);
        let one = AuthorityTracker::new(set(&[Alice]));
        assert_eq!(one.current().threshold(), 1);
    }
}
