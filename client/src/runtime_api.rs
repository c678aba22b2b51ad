//! The runtime's APIs, called through `state_call` with the runtime's own argument and answer
//! types: each function is declared once below, in the shape of its `decl_runtime_apis!`
//! declaration, and its name (`Api_function`) is derived from that declaration, never typed.
//!
//! These answers come from one node, unproven: fine for showing an operator the chain's state
//! and for reads a command re-checks on-chain, not for values a client's cryptography depends on
//! (those come from [`crate::light`]).

use codec::{Decode, Encode};
use medchain_runtime::{
    pallet_kgc::KeyIssue, pallet_records, pallet_results, AccountId, BlockNumber, Hash, Runtime,
};
use polkadot_sdk::sp_consensus_aura::sr25519::AuthorityId as AuraId;

use medchain_types::{CompressedG1, Epoch, KeyEpoch, LeafIndex, RecordId, ReportId};

use crate::{
    chain::{decode, ChainError},
    rpc::NodeClient,
};

/// A record as the chain holds it.
pub type Record = pallet_records::Record<Runtime>;
/// A consultation on a record.
pub type Consultation = pallet_records::Consultation<Runtime>;
/// A doctor's report on a record.
pub type Report = pallet_results::Report<Runtime>;

/// The runtime APIs in the state of one block (the node's best when `None`).
#[derive(Clone, Copy)]
pub struct RuntimeApi<'a> {
    client: &'a NodeClient,
    at: Option<Hash>,
}

impl NodeClient {
    /// The runtime APIs in the state of block `at` (the node's best block when `None`).
    pub fn at(&self, at: Option<Hash>) -> RuntimeApi<'_> {
        RuntimeApi { client: self, at }
    }
}

impl RuntimeApi<'_> {
    /// Calls function `name` with the SCALE encoding of `args` and decodes the answer.
    async fn call<R: Decode>(
        &self,
        name: &'static str,
        args: impl Encode,
    ) -> Result<R, ChainError> {
        let answer = self.client.state_call(name, args.encode(), self.at).await?;
        decode(name, &answer)
    }
}

/// One async method per runtime API function, named `Api_function` on the wire.
macro_rules! runtime_apis {
    ($($api:ident {
        $($(#[$doc:meta])* fn $function:ident($($arg:ident: $ty:ty),*) -> $answer:ty;)*
    })*) => {
        impl RuntimeApi<'_> {
            $($(
                $(#[$doc])*
                pub async fn $function(&self, $($arg: $ty),*) -> Result<$answer, ChainError> {
                    self.call(concat!(stringify!($api), "_", stringify!($function)), ($($arg,)*))
                        .await
                }
            )*)*
        }
    };
}

runtime_apis! {
    HospitalsApi {
        /// The hospitals that authorise `hospital` to search their records.
        fn authorizers_of(hospital: &AccountId) -> Vec<AccountId>;
        /// Whether `doctor` is registered by `hospital`.
        fn is_doctor_of(doctor: &AccountId, hospital: &AccountId) -> bool;
        /// Whether `who` is a member hospital.
        fn is_member(who: &AccountId) -> bool;
        /// The hospital that registered `doctor`.
        fn hospital_of(doctor: &AccountId) -> Option<AccountId>;
        /// A hospital's node's peer id and its registered encryption key.
        fn contact(hospital: &AccountId) -> Option<(Vec<u8>, CompressedG1)>;
        /// The hospital whose node has peer id `peer_id`.
        fn owner_of_peer(peer_id: &Vec<u8>) -> Option<AccountId>;
        /// `from`'s search key sealed to `to`, if `from` authorises `to`.
        fn sealed_search_key(from: &AccountId, to: &AccountId) -> Option<Vec<u8>>;
        /// The hospitals `from` authorises: each with its expiry and the search key's epoch.
        fn grants_by(from: &AccountId) -> Vec<(AccountId, BlockNumber, KeyEpoch)>;
        /// The epoch of `hospital`'s current search key.
        fn search_key_epoch(hospital: &AccountId) -> KeyEpoch;
    }
    KgcApi {
        /// The public parameters `pp`, SCALE-encoded.
        fn params() -> Vec<u8>;
        /// The KGC's current epoch.
        fn current_epoch() -> Epoch;
        /// The update key of `epoch`, SCALE-encoded, once published.
        fn update_key(epoch: Epoch) -> Option<Vec<u8>>;
        /// A doctor's leaf and, if revoked, the epoch of the revocation.
        fn doctor_status(doctor: &AccountId) -> Option<(LeafIndex, Option<Epoch>)>;
        /// A doctor's registered encryption key `pk_D`.
        fn encryption_key(doctor: &AccountId) -> Option<CompressedG1>;
        /// What the KGC recorded of a doctor's attribute key.
        fn key_issue(doctor: &AccountId) -> Option<KeyIssue>;
    }
    RecordsApi {
        /// Up to `limit` of `hospital`'s records, from id `start`.
        fn records_of(hospital: &AccountId, start: u64, limit: u32) -> Vec<(RecordId, Record)>;
        /// Record `id`.
        fn record(id: RecordId) -> Option<Record>;
        /// The consultation on `record`, if one was opened.
        fn consultation(record: RecordId) -> Option<Consultation>;
    }
    ResultsApi {
        /// The report on `record`, with its id.
        fn report_on(record: RecordId) -> Option<(ReportId, Report)>;
        /// The report whose sealed payload hashes to `payload_hash`.
        fn report_by_payload(payload_hash: [u8; 32]) -> Option<(ReportId, Report)>;
        /// The patient's disclosure on `report`, if they disputed it.
        fn disclosure(report: ReportId) -> Option<CompressedG1>;
    }
    AuraApi {
        /// The block authors: the member hospitals' validators.
        fn authorities() -> Vec<AuraId>;
    }
    AccountNonceApi {
        /// The nonce of `account`'s next transaction, counting only what is on chain.
        fn account_nonce(account: &AccountId) -> u32;
    }
}
