//! Handing a rotated search key on (CRYPTO.md section 3). When this hospital withdraws an
//! authorisation, the chain moves it to its next search key epoch, and the node indexes new
//! records with the new key. Every hospital it still authorises must receive that key, sealed to
//! it, or it would stop finding the records published from then on; the withdrawn hospital must
//! not. The node renews each such grant with its expiry unchanged, so the chain shows every grant
//! carrying the current epoch.

use super::{
    error::{unreadable, NoRandomness, Poisoned, Unreadable},
    identity::Hospital,
    os_rng,
    submit::{SubmitError, Submitter},
};
use crate::service::FullClient;
use medchain_runtime::{
    hospital_keys, pallet_hospitals, pallet_hospitals::runtime_api::HospitalsApi, AccountId,
    BlockNumber, Hash, RuntimeCall,
};
use medchain_types::KeyEpoch;
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// Blocks to wait for a renewal to be included before submitting it again (the first may have
/// been dropped from the pool).
const RETRY_AFTER: BlockNumber = 20;

/// A rotated search key could not be handed on.
#[derive(Debug, thiserror::Error)]
pub enum HandoverError {
    /// The chain could not be read.
    #[error(transparent)]
    Chain(#[from] Unreadable),
    /// The finalised block is not in the node's database.
    #[error("the finalised block is unknown")]
    UnknownBlock,
    /// The handover state's lock is poisoned.
    #[error(transparent)]
    Poisoned(#[from] Poisoned),
    /// No randomness to seal the key with.
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
    /// A grantee is not a registered hospital.
    #[error("{0} is authorised but not registered")]
    Unregistered(AccountId),
    /// A grantee's registered encryption key is not a key.
    #[error("{0}'s registered encryption key is invalid")]
    InvalidKey(AccountId),
    /// The renewal did not reach the pool.
    #[error(transparent)]
    Submit(#[from] SubmitError),
}

/// Hands `hospital`'s rotated search key on: reads its grants from the chain, and remembers the
/// renewals submitted and not yet seen on-chain.
pub struct Handover {
    client: Arc<FullClient>,
    hospital: Arc<Hospital>,
    /// Per grantee: the key epoch handed and the block it was submitted at.
    pending: Mutex<HashMap<AccountId, (KeyEpoch, BlockNumber)>>,
}

impl Handover {
    /// The handover of `hospital`'s keys, over the node's `client`.
    pub fn new(client: Arc<FullClient>, hospital: Arc<Hospital>) -> Self {
        Self {
            client,
            hospital,
            pending: Mutex::default(),
        }
    }

    /// Renews through `submitter`, as of finalised block `at`, every active grant of this
    /// hospital that carries an older search key epoch than its current one.
    pub async fn renew_stale_grants(
        &self,
        submitter: &Submitter,
        at: Hash,
    ) -> Result<(), HandoverError> {
        for (to, call) in self.renewals(at)? {
            submitter.submit(call).await?;
            log::info!("🏥 Handed our rotated search key to {to}");
        }
        Ok(())
    }

    /// The `authorize` calls that hand the current key to grantees still holding an older one.
    fn renewals(&self, at: Hash) -> Result<Vec<(AccountId, RuntimeCall)>, HandoverError> {
        let api = self.client.runtime_api();
        let me = self.hospital.account.clone();
        let now = self
            .client
            .number(at)
            .map_err(unreadable("the block number"))?
            .ok_or(HandoverError::UnknownBlock)?;
        let key_epoch = api
            .search_key_epoch(at, me.clone())
            .map_err(unreadable("the search key epoch"))?;
        if key_epoch == KeyEpoch::default() {
            // Never rotated: every grant carries the current key.
            return Ok(Vec::new());
        }
        let grants = api
            .grants_by(at, me)
            .map_err(unreadable("this hospital's grants"))?;
        let mut pending = self
            .pending
            .lock()
            .map_err(|_| Poisoned("the handover state"))?;
        let stale = stale_grants(grants, key_epoch, &mut pending, now);
        if stale.is_empty() {
            return Ok(Vec::new());
        }
        let key = self.hospital.search_key(key_epoch);
        let mut rng = os_rng()?;
        let mut calls = Vec::with_capacity(stale.len());
        for (to, expires_at) in stale {
            let (_, encryption_key) = api
                .contact(at, to.clone())
                .map_err(unreadable("a grantee's encryption key"))?
                .ok_or_else(|| HandoverError::Unregistered(to.clone()))?;
            let encrypted_search_key =
                hospital_keys::seal_search_key(&encryption_key, key_epoch, &key, &mut rng)
                    .ok_or_else(|| HandoverError::InvalidKey(to.clone()))?;
            pending.insert(to.clone(), (key_epoch, now));
            let call = RuntimeCall::Hospitals(pallet_hospitals::Call::authorize {
                to: to.clone(),
                expires_at,
                encrypted_search_key,
            });
            calls.push((to, call));
        }
        Ok(calls)
    }
}

/// The grants (grantee, expiry, key epoch held) to hand key epoch `key_epoch` to at block
/// `now`: those holding an older epoch, except where a renewal with this epoch was submitted
/// less than [`RETRY_AFTER`] blocks ago. Forgets renewals the chain has caught up with.
fn stale_grants(
    grants: Vec<(AccountId, BlockNumber, KeyEpoch)>,
    key_epoch: KeyEpoch,
    pending: &mut HashMap<AccountId, (KeyEpoch, BlockNumber)>,
    now: BlockNumber,
) -> Vec<(AccountId, BlockNumber)> {
    pending.retain(|to, (handed, _)| {
        grants
            .iter()
            .any(|(grantee, _, held)| grantee == to && held < handed)
    });
    grants
        .into_iter()
        .filter(|(to, _, held)| {
            *held < key_epoch
                && !pending.get(to).is_some_and(|(handed, since)| {
                    *handed == key_epoch && now.saturating_sub(*since) < RETRY_AFTER
                })
        })
        .map(|(to, expires_at, _)| (to, expires_at))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: u8) -> AccountId {
        AccountId::new([n; 32])
    }

    const FIRST: KeyEpoch = KeyEpoch::new(0);
    const SECOND: KeyEpoch = KeyEpoch::new(1);

    #[test]
    fn grants_holding_an_older_key_are_renewed_once_until_the_retry_delay() {
        let grants = vec![
            (account(1), 500, FIRST),
            (account(2), 600, SECOND),
            (account(3), 700, FIRST),
        ];
        let mut pending = HashMap::new();
        let stale = stale_grants(grants.clone(), SECOND, &mut pending, 100);
        assert_eq!(
            stale,
            vec![(account(1), 500), (account(3), 700)],
            "expiry kept"
        );

        // Renewals submitted at block 100 are not submitted again before they can be included.
        pending.insert(account(1), (SECOND, 100));
        pending.insert(account(3), (SECOND, 100));
        assert!(stale_grants(grants.clone(), SECOND, &mut pending, 110).is_empty());
        // A renewal the pool dropped is submitted again after the delay.
        assert_eq!(
            stale_grants(grants, SECOND, &mut pending, 100 + RETRY_AFTER),
            vec![(account(1), 500), (account(3), 700)]
        );
    }

    #[test]
    fn renewals_the_chain_caught_up_with_are_forgotten() {
        let mut pending = HashMap::from([(account(1), (SECOND, 100)), (account(4), (SECOND, 100))]);
        // Hospital 1 now holds epoch 1; hospital 4's grant is gone.
        let grants = vec![(account(1), 500, SECOND)];
        assert!(stale_grants(grants, SECOND, &mut pending, 105).is_empty());
        assert!(pending.is_empty());
    }
}
