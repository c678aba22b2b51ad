//! Who may fetch a payload from this node over the transfer protocol, and fetching one from its
//! holder. The chain decides: a requesting node is the hospital that registered its peer id, and
//! it is served a record's payload only if this hospital holds the record and the access rule
//! ([`medchain_types::access`]) lets it (this hospital authorises it now, or a doctor of it is
//! assigned to the record), or a report one of this hospital's doctors wrote on a record the
//! requester holds (the patient's hospital collecting it). Each transfer of a record's payload
//! is logged on-chain before its first chunk is served.

use super::{
    access,
    error::{unreadable, Unreadable},
    Services,
};
use medchain_runtime::{
    pallet_hospitals::runtime_api::HospitalsApi,
    pallet_records::runtime_api::RecordsApi,
    pallet_results::{self, runtime_api::ResultsApi},
    AccountId, Hash, RuntimeCall,
};
use medchain_transfer::AccessPolicy;
use medchain_types::RecordId;
use polkadot_sdk::{sc_network::PeerId, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::sync::Arc;

/// The transfer protocol's access rule, over the services' view of the chain.
pub struct TransferPolicy(pub Arc<Services>);

impl TransferPolicy {
    /// The hospital that registered `peer` as its node, at block `at`.
    fn hospital_of(&self, at: Hash, peer: &PeerId) -> Option<AccountId> {
        let api = self.0.client.runtime_api();
        api.owner_of_peer(at, peer.to_bytes()).ok().flatten()
    }

    /// A live record of this hospital's with payload `hash` that the access rule lets
    /// `hospital`'s node be served at block `at`. Only this hospital's own records count: a
    /// copy it fetched of another's payload is never served on.
    fn servable_record(&self, at: Hash, hospital: &AccountId, hash: &[u8; 32]) -> Option<RecordId> {
        let services = &self.0;
        let api = services.client.runtime_api();
        services
            .view
            .records_with_payload(hash)
            .into_iter()
            .find(|&id| {
                let Ok(Some(record)) = api.record(at, id) else {
                    return false;
                };
                let verdict = access::may_transfer(
                    &services.client,
                    at,
                    id,
                    &record,
                    &services.hospital.account,
                    hospital,
                );
                matches!(verdict, Ok(Ok(_)))
            })
    }

    /// Whether `hash` is a report one of this hospital's doctors wrote on a record `hospital`
    /// holds, at block `at`: the patient's hospital collects it.
    fn report_for_holder(&self, at: Hash, hospital: &AccountId, hash: &[u8; 32]) -> bool {
        let services = &self.0;
        let api = services.client.runtime_api();
        let Ok(Some((_, report))) = api.report_by_payload(at, *hash) else {
            return false;
        };
        report.hospital == services.hospital.account
            && api
                .record(at, report.record)
                .ok()
                .flatten()
                .is_some_and(|record| record.hospital == *hospital)
    }
}

impl AccessPolicy for TransferPolicy {
    fn may_fetch(&self, requester: &PeerId, hash: &[u8; 32]) -> bool {
        let at = self.0.client.info().best_hash;
        let Some(hospital) = self.hospital_of(at, requester) else {
            return false;
        };
        self.servable_record(at, &hospital, hash).is_some()
            || self.report_for_holder(at, &hospital, hash)
    }

    /// A record's payload is logged as served to the requester's hospital; a report going back
    /// to the patient's hospital is that hospital's own data and is not an access to log.
    fn log_transfer(&self, requester: &PeerId, hash: &[u8; 32]) -> bool {
        let at = self.0.client.info().best_hash;
        let Some(hospital) = self.hospital_of(at, requester) else {
            return false;
        };
        let Some(record) = self.servable_record(at, &hospital, hash) else {
            return self.report_for_holder(at, &hospital, hash);
        };
        let call = RuntimeCall::Results(pallet_results::Call::log_transfer {
            record,
            to: hospital.clone(),
        });
        // The payload server runs as a blocking task: waiting here holds up only its queue.
        match futures::executor::block_on(self.0.submitter.submit(call)) {
            Ok(_) => true,
            Err(e) => {
                log::warn!(
                    "🏥 Not serving record {record}'s payload to {hospital}: its transfer could not be logged: {e}"
                );
                false
            }
        }
    }
}

/// A payload could not be fetched from its holder's node.
#[derive(Debug, thiserror::Error)]
pub enum FetchFromError {
    /// The node's network is not up yet.
    #[error("the node's network is not running yet")]
    NoNetwork,
    /// The holder's contact could not be read.
    #[error(transparent)]
    Chain(#[from] Unreadable),
    /// The holder is not a registered hospital.
    #[error("{0} is not a registered hospital")]
    Unregistered(AccountId),
    /// The holder's registered peer id is not a peer id.
    #[error("{0}'s registered peer id is invalid")]
    BadPeerId(AccountId),
    /// The transfer failed or was refused.
    #[error("fetching from {holder}'s node failed: {source}")]
    Transfer {
        /// The holder.
        holder: AccountId,
        /// Why.
        source: medchain_transfer::FetchError,
    },
}

/// Fetches the payload `hash` of `size` bytes (its on-chain size) from `holder`'s node into this
/// node's copies: a holder that sends more is cut off at that size, and what arrives is checked
/// against the hash before it is visible.
pub async fn fetch_from(
    services: &Services,
    holder: &AccountId,
    hash: &[u8; 32],
    size: u64,
) -> Result<(), FetchFromError> {
    let network = services.network.get().ok_or(FetchFromError::NoNetwork)?;
    let at = services.client.info().best_hash;
    let (peer_id, _) = services
        .client
        .runtime_api()
        .contact(at, holder.clone())
        .map_err(unreadable("the holder's contact"))?
        .ok_or_else(|| FetchFromError::Unregistered(holder.clone()))?;
    let peer =
        PeerId::from_bytes(&peer_id).map_err(|_| FetchFromError::BadPeerId(holder.clone()))?;
    medchain_transfer::fetch(
        network.as_ref(),
        peer,
        hash,
        &services.copies,
        size.min(services.max_payload_size),
    )
    .await
    .map_err(|source| FetchFromError::Transfer {
        holder: holder.clone(),
        source,
    })
}
