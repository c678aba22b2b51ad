//! Who may fetch a payload from this node over the transfer protocol, and fetching one from its
//! holder. The chain decides: a requesting node is the hospital that registered its peer id, and
//! it is served a record's payload only if the access rule ([`medchain_types::access`]) lets it
//! (this hospital holds the record and authorises it now, or a doctor of it is assigned to the
//! record), or a report one of this hospital's doctors wrote on a record the requester holds
//! (the patient's hospital collecting it).

use super::{
    access,
    error::{unreadable, Unreadable},
    Services,
};
use medchain_runtime::{
    pallet_hospitals::runtime_api::HospitalsApi, pallet_records::runtime_api::RecordsApi,
    pallet_results::runtime_api::ResultsApi, AccountId,
};
use medchain_transfer::AccessPolicy;
use medchain_types::access::Requester;
use polkadot_sdk::{sc_network::PeerId, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend};
use std::sync::Arc;

/// The transfer protocol's access rule, over the services' view of the chain.
pub struct TransferPolicy(pub Arc<Services>);

impl AccessPolicy for TransferPolicy {
    fn may_fetch(&self, requester: &PeerId, hash: &[u8; 32]) -> bool {
        let services = &self.0;
        let at = services.client.info().best_hash;
        let api = services.client.runtime_api();
        let Ok(Some(hospital)) = api.owner_of_peer(at, requester.to_bytes()) else {
            return false;
        };
        let record_access = || {
            services
                .view
                .records_with_payload(hash)
                .into_iter()
                .any(|id| {
                    let Ok(Some(record)) = api.record(at, id) else {
                        return false;
                    };
                    let requester = Requester::Node {
                        hospital: &hospital,
                    };
                    matches!(
                        access::may_serve(&services.client, at, id, &record, requester),
                        Ok(Ok(_))
                    )
                })
        };
        let report_for_holder = || {
            let Ok(Some((_, report))) = api.report_by_payload(at, *hash) else {
                return false;
            };
            report.hospital == services.hospital.account
                && api
                    .record(at, report.record)
                    .ok()
                    .flatten()
                    .is_some_and(|record| record.hospital == hospital)
        };
        record_access() || report_for_holder()
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

/// Fetches the payload `hash` from `holder`'s node into this node's store (checked against the
/// hash before it is visible).
pub async fn fetch_from(
    services: &Services,
    holder: &AccountId,
    hash: &[u8; 32],
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
        &services.blobs,
        services.max_payload_size,
    )
    .await
    .map_err(|source| FetchFromError::Transfer {
        holder: holder.clone(),
        source,
    })
}
