//! Handing a rotated search key on (CRYPTO.md section 3). When this hospital withdraws an
//! authorisation, the chain moves it to its next search key epoch, and the node indexes new
//! records with the new key. Every hospital it still authorises must receive that key, sealed to
//! it, or it would stop finding the records published from then on; the withdrawn hospital must
//! not. The node renews each such grant with its expiry unchanged, so the chain shows every grant
//! carrying the current epoch.

use super::{os_rng, Services};
use medchain_runtime::{
    hospital_keys, pallet_hospitals, pallet_hospitals::runtime_api::HospitalsApi, AccountId,
    BlockNumber, Hash, RuntimeCall,
};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::{collections::HashMap, sync::Mutex};

/// Blocks to wait for a renewal to be included before submitting it again (the first may have
/// been dropped from the pool).
const RETRY_AFTER: BlockNumber = 20;

/// The renewals submitted and not yet seen on-chain.
#[derive(Default)]
pub struct Handover {
    /// Per grantee: the key epoch handed and the block it was submitted at.
    pending: Mutex<HashMap<AccountId, (u32, BlockNumber)>>,
}

impl Handover {
    /// Renews, as of finalised block `at`, every active grant of this hospital that carries an
    /// older search key epoch than its current one.
    pub async fn renew_stale_grants(&self, services: &Services, at: Hash) -> Result<(), String> {
        for (to, call) in self.renewals(services, at)? {
            services.submitter.submit(services, call).await?;
            log::info!("🏥 Handed our rotated search key to {to}");
        }
        Ok(())
    }

    /// The `authorize` calls that hand the current key to grantees still holding an older one.
    fn renewals(
        &self,
        services: &Services,
        at: Hash,
    ) -> Result<Vec<(AccountId, RuntimeCall)>, String> {
        let api = services.client.runtime_api();
        let me = services.hospital.account.clone();
        let now = services
            .client
            .number(at)
            .map_err(|e| format!("cannot read the block number: {e}"))?
            .ok_or("the finalised block is unknown")?;
        let key_epoch = api
            .search_key_epoch(at, me.clone())
            .map_err(|e| format!("cannot read the search key epoch: {e}"))?;
        if key_epoch == 0 {
            // Never rotated: every grant carries the current key.
            return Ok(Vec::new());
        }
        let grants = api
            .grants_by(at, me)
            .map_err(|e| format!("cannot read this hospital's grants: {e}"))?;
        let mut pending = self
            .pending
            .lock()
            .map_err(|_| "the handover state is poisoned")?;
        pending.retain(|to, (handed, _)| {
            grants
                .iter()
                .any(|(grantee, _, held)| grantee == to && held < handed)
        });
        let stale: Vec<(AccountId, BlockNumber)> = grants
            .into_iter()
            .filter(|(to, _, held)| {
                *held < key_epoch
                    && !pending.get(to).is_some_and(|(handed, since)| {
                        *handed == key_epoch && now.saturating_sub(*since) < RETRY_AFTER
                    })
            })
            .map(|(to, expires_at, _)| (to, expires_at))
            .collect();
        if stale.is_empty() {
            return Ok(Vec::new());
        }
        let key = services.hospital.search_key(key_epoch);
        let mut rng = os_rng()?;
        let mut calls = Vec::with_capacity(stale.len());
        for (to, expires_at) in stale {
            let (_, encryption_key) = api
                .contact(at, to.clone())
                .map_err(|e| format!("cannot read {to}'s encryption key: {e}"))?
                .ok_or_else(|| format!("{to} is authorised but not registered"))?;
            let encrypted_search_key =
                hospital_keys::seal_search_key(&encryption_key, key_epoch, &key, &mut rng)
                    .ok_or_else(|| format!("{to}'s registered encryption key is invalid"))?;
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
