//! The chain's facts for the one access rule ([`medchain_types::access`]), read at one block:
//! what the RPC applies before it serves a doctor and the transfer policy before it serves
//! another hospital's node (the auditor applies the same rule to the access log).

use super::{
    error::{unreadable, Unreadable},
    view,
};
use crate::service::FullClient;
use medchain_runtime::{
    pallet_hospitals::runtime_api::HospitalsApi, pallet_records, AccountId, Hash, Runtime,
};
use medchain_types::{
    access::{self, Assignment, Grounds, RecordFacts, Refusal, Requester},
    RecordId,
};
use polkadot_sdk::sp_api::ProvideRuntimeApi;

/// A record as the chain holds it.
pub type Record = pallet_records::Record<Runtime>;

/// Whether `requester` may be served record `id` (`record`) at block `at`: the rule's verdict,
/// or why the chain could not be read.
pub fn may_serve(
    client: &FullClient,
    at: Hash,
    id: RecordId,
    record: &Record,
    requester: Requester<'_, AccountId>,
) -> Result<Result<Grounds, Refusal>, Unreadable> {
    judge(client, at, id, record, |facts, authorises| {
        access::may_serve(facts, requester, authorises)
    })
}

/// Whether hospital `server`'s node may serve record `id`'s (`record`'s) payload to
/// `requester`'s node over the transfer protocol at block `at`.
pub fn may_transfer(
    client: &FullClient,
    at: Hash,
    id: RecordId,
    record: &Record,
    server: &AccountId,
    requester: &AccountId,
) -> Result<Result<Grounds, Refusal>, Unreadable> {
    judge(client, at, id, record, |facts, authorises| {
        access::may_transfer(facts, server, requester, authorises)
    })
}

/// Applies `rule` to record `id`'s facts at block `at`, with the holder's authorisations read
/// from the chain as the rule asks for them.
fn judge(
    client: &FullClient,
    at: Hash,
    id: RecordId,
    record: &Record,
    rule: impl FnOnce(
        &RecordFacts<AccountId>,
        &mut dyn FnMut(&AccountId, &AccountId) -> bool,
    ) -> Result<Grounds, Refusal>,
) -> Result<Result<Grounds, Refusal>, Unreadable> {
    let facts = RecordFacts {
        holder: record.hospital.clone(),
        withdrawn: record.withdrawn,
        assigned: view::assignment(client, at, id)?.map(|claim| Assignment {
            doctor: claim.doctor,
            hospital: claim.hospital,
        }),
    };
    let api = client.runtime_api();
    let mut failed = None;
    let verdict = rule(&facts, &mut |holder, hospital| match api
        .authorizers_of(at, hospital.clone())
    {
        Ok(authorizers) => authorizers.contains(holder),
        Err(e) => {
            failed = Some(unreadable("the authorisations")(e));
            false
        }
    });
    match failed {
        Some(failure) => Err(failure),
        None => Ok(verdict),
    }
}
