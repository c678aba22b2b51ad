//! Who may fetch a payload from this node over the transfer protocol, and fetching one from its
//! holder. The chain decides: a requesting node is the hospital that registered its peer id, and
//! it is served only if this hospital authorises it now, a doctor of it is assigned to the
//! payload's record, or the payload is a report one of this hospital's doctors wrote on a record
//! the requester holds (the patient's hospital collecting it).

use super::Services;
use medchain_runtime::{
    pallet_hospitals::runtime_api::HospitalsApi, pallet_records::runtime_api::RecordsApi,
    pallet_results::runtime_api::ResultsApi, AccountId,
};
use medchain_transfer::AccessPolicy;
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
        let me = &services.hospital.account;
        let authorised = api
            .authorizers_of(at, hospital.clone())
            .is_ok_and(|authorizers| authorizers.contains(me));
        let assigned = || {
            services
                .view
                .records_with_payload(hash)
                .into_iter()
                .any(|record| {
                    super::view::assignment(services, at, record)
                        .ok()
                        .flatten()
                        .is_some_and(|claim| claim.hospital == hospital)
                })
        };
        let report_for_holder = || {
            let Ok(Some((_, report))) = api.report_by_payload(at, *hash) else {
                return false;
            };
            report.hospital == *me
                && api
                    .record(at, report.record)
                    .ok()
                    .flatten()
                    .is_some_and(|record| record.hospital == hospital)
        };
        authorised || assigned() || report_for_holder()
    }
}

/// Fetches the payload `hash` from `holder`'s node into this node's store (checked against the
/// hash before it is visible).
pub async fn fetch_from(
    services: &Services,
    holder: &AccountId,
    hash: &[u8; 32],
) -> Result<(), String> {
    let network = services
        .network
        .get()
        .ok_or("the node's network is not running yet")?;
    let at = services.client.info().best_hash;
    let (peer_id, _) = services
        .client
        .runtime_api()
        .contact(at, holder.clone())
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{holder} is not a registered hospital"))?;
    let peer =
        PeerId::from_bytes(&peer_id).map_err(|e| format!("{holder}'s peer id is invalid: {e}"))?;
    medchain_transfer::fetch(
        network.as_ref(),
        peer,
        hash,
        &services.blobs,
        services.max_payload_size,
    )
    .await
    .map_err(|e| format!("fetching from {holder}'s node failed: {e}"))
}
